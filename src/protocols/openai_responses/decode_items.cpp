// Client `input` items -> IR messages. Responses lists a turn as loose items
// (reasoning, message, function_call, ...); the IR groups them into messages,
// so consecutive assistant-side items merge into one assistant message
// (docs/protocols/README.md#pitfall-9) and consecutive tool outputs into one user message.
#include "protocols/openai_responses/decode_items.hpp"

#include "protocols/openai_responses/wire.hpp"

namespace aiohub::openai_responses {

namespace {

namespace json = boost::json;

std::string mime_from_filename(std::string_view name) {
  auto dot = name.rfind('.');
  std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "png") return "image/png";
  if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
  if (ext == "txt") return "text/plain";
  return "application/pdf";  // what input_file carries in practice
}

class ItemDecoder {
 public:
  explicit ItemDecoder(ir::Request& out) : out_(out) {}

  std::optional<ApiError> run(const json::array& items) {
    for (std::size_t i = 0; i < items.size() && !err_; ++i) {
      where_ = "input[" + std::to_string(i) + "]";
      if (!items[i].is_object()) {
        fail(where_ + " must be an object");
        break;
      }
      item(items[i].get_object());
    }
    return err_;
  }

 private:
  void fail(std::string message) {
    if (!err_) err_ = ApiError{400, std::move(message), "", "invalid_request_error"};
  }

  std::string required_string(const json::object& o, std::string_view key) {
    auto* v = wire::get(o, key);
    if (!v || !v->is_string()) {
      fail(where_ + "." + std::string(key) + " must be a string");
      return {};
    }
    return std::string(v->get_string());
  }

  void item(const json::object& o) {
    std::string_view type = wire::get_string(o, "type");
    if (type.empty() && wire::get(o, "role")) type = "message";
    if (type == "message")
      message(o);
    else if (type == "function_call")
      tool_call(o, false);
    else if (type == "custom_tool_call")
      tool_call(o, true);
    else if (type == "function_call_output" || type == "custom_tool_call_output")
      tool_output(o);
    else if (type == "reasoning")
      reasoning(o);
    else if (type.empty())
      fail(where_ + ".type is required");
    // item_reference, compaction, hosted-tool calls: state only the original
    // upstream could use, dropped like the hosted tools themselves.
  }

  void message(const json::object& o) {
    std::string_view role = wire::get_string(o, "role");
    std::vector<ir::Part> parts;
    auto* content = wire::get(o, "content");
    if (!content) return fail(where_ + ".content is required");
    if (!content_parts(*content, where_ + ".content", parts)) return;
    if (role == "user") {
      if (!parts.empty()) out_.messages.push_back({ir::Role::user, std::move(parts)});
    } else if (role == "assistant") {
      auto& msg = assistant();
      for (auto& p : parts) msg.parts.push_back(std::move(p));
    } else if (role == "system" || role == "developer") {
      // Leading ones are the system prompt; later ones stay in place.
      if (out_.messages.empty())
        for (auto& p : parts) out_.system.push_back(std::move(p));
      else if (!parts.empty())
        out_.messages.push_back({ir::Role::system, std::move(parts)});
    } else {
      fail(where_ + ".role must be user, assistant, system or developer");
    }
  }

  void tool_call(const json::object& o, bool custom) {
    ir::Part p;
    p.kind = ir::PartKind::tool_call;
    p.tool_call_id = required_string(o, "call_id");
    p.tool_name = required_string(o, "name");
    if (custom) {
      p.arguments = wire::wrap_custom_input(required_string(o, "input"));
    } else {
      p.arguments = required_string(o, "arguments");
      if (p.arguments.empty()) p.arguments = "{}";
    }
    if (!err_) assistant().parts.push_back(std::move(p));
  }

  void tool_output(const json::object& o) {
    ir::Part p;
    p.kind = ir::PartKind::tool_result;
    p.tool_call_id = required_string(o, "call_id");
    auto* output = wire::get(o, "output");
    if (!output) return fail(where_ + ".output is required");
    if (!content_parts(*output, where_ + ".output", p.content) || err_) return;
    // All results of one turn belong in one user message (docs/protocols/README.md#pitfall-9).
    bool join = !out_.messages.empty() && out_.messages.back().role == ir::Role::user &&
                out_.messages.back().parts.back().kind == ir::PartKind::tool_result;
    if (!join) out_.messages.push_back({ir::Role::user, {}});
    out_.messages.back().parts.push_back(std::move(p));
  }

  void reasoning(const json::object& o) {
    ir::Part p;
    p.kind = ir::PartKind::thinking;
    p.text = wire::reasoning_text(o);
    p.signature = std::string(wire::get_string(o, "encrypted_content"));
    if (p.text.empty() && p.signature.empty()) return;
    assistant().parts.push_back(std::move(p));
  }

  ir::Message& assistant() {
    if (out_.messages.empty() || out_.messages.back().role != ir::Role::assistant)
      out_.messages.push_back({ir::Role::assistant, {}});
    return out_.messages.back();
  }

  bool content_parts(const json::value& content, const std::string& where,
                     std::vector<ir::Part>& parts) {
    if (content.is_string()) {
      parts.push_back(ir::Part::make_text(std::string(content.get_string())));
      return true;
    }
    if (!content.is_array()) {
      fail(where + " must be a string or an array");
      return false;
    }
    const auto& list = content.get_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      std::string at = where + "[" + std::to_string(i) + "]";
      if (!list[i].is_object()) {
        fail(at + " must be an object");
        return false;
      }
      if (!content_part(list[i].get_object(), at, parts)) return false;
    }
    return true;
  }

  bool content_part(const json::object& o, const std::string& at, std::vector<ir::Part>& parts) {
    std::string_view type = wire::get_string(o, "type");
    if (type == "input_text" || type == "output_text" || type == "text") {
      parts.push_back(ir::Part::make_text(std::string(wire::get_string(o, "text"))));
    } else if (type == "refusal") {
      parts.push_back(ir::Part::make_text(std::string(wire::get_string(o, "refusal"))));
    } else if (type == "input_image") {
      ir::Part p;
      p.kind = ir::PartKind::image;
      std::string_view url = wire::get_string(o, "image_url");
      if (url.empty()) return true;  // file_id: a file only OpenAI can read
      if (!wire::parse_data_url(url, p.mime_type, p.data)) p.url = url;
      parts.push_back(std::move(p));
    } else if (type == "input_file") {
      ir::Part p;
      p.kind = ir::PartKind::document;
      std::string_view file_data = wire::get_string(o, "file_data");
      std::string_view file_url = wire::get_string(o, "file_url");
      std::string mime = mime_from_filename(wire::get_string(o, "filename"));
      if (!file_data.empty()) {
        if (!wire::parse_data_url(file_data, p.mime_type, p.data)) {
          p.mime_type = mime;
          p.data = file_data;
        }
      } else if (!file_url.empty()) {
        p.mime_type = mime;
        p.url = file_url;
      } else {
        return true;  // file_id only
      }
      parts.push_back(std::move(p));
    } else {
      fail(at + ".type '" + std::string(type) + "' is not supported");
      return false;
    }
    return true;
  }

  ir::Request& out_;
  std::string where_;
  std::optional<ApiError> err_;
};

}  // namespace

std::optional<ApiError> decode_items(const boost::json::array& items, ir::Request& out) {
  return ItemDecoder(out).run(items);
}

}  // namespace aiohub::openai_responses
