#include "providers/openai_compatible/repair.hpp"

#include <boost/json.hpp>

#include <optional>

#include "util/crypto.hpp"

namespace aiohub::openai_compatible {
namespace json = boost::json;
namespace {

std::string_view string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view{};
}

std::optional<std::int64_t> int_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_int64()) return v->get_int64();
  if (v && v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
  return std::nullopt;
}

bool fix_finish_reason(json::object& choice, bool has_calls) {
  if (!has_calls || string_at(choice, "finish_reason") != "stop") return false;
  choice["finish_reason"] = "tool_calls";
  return true;
}

}  // namespace

std::string stable_call_id(std::string_view seed, std::int64_t index) {
  return "call_" + sha256_hex(std::string(seed) + "#" + std::to_string(index)).substr(0, 24);
}

void ChunkRepair::feed(std::string_view bytes, std::string& out) {
  events_.clear();
  sse_.feed(bytes, events_);
  for (const auto& e : events_) on_data(e.data, out);
}

void ChunkRepair::finish(std::string& out) {
  events_.clear();
  sse_.finish(events_);
  for (const auto& e : events_) on_data(e.data, out);
}

void ChunkRepair::on_data(const std::string& data, std::string& out) {
  // Most chunks carry text only: those pass untouched.
  const bool interesting =
      data.find("\"tool_calls\"") != std::string::npos ||
      (!choices_.empty() && data.find("\"finish_reason\"") != std::string::npos);
  boost::system::error_code ec;
  json::value doc;
  if (interesting) doc = json::parse(data, ec);
  if (!interesting || ec || !doc.is_object()) {
    out.append(sse_frame("", data));
    return;
  }
  json::object& chunk = doc.get_object();
  if (response_id_.empty()) response_id_ = std::string(string_at(chunk, "id"));
  bool changed = false;
  json::value* choices = chunk.if_contains("choices");
  if (choices && choices->is_array()) {
    for (auto& cv : choices->get_array()) {
      if (!cv.is_object()) continue;
      json::object& c = cv.get_object();
      const std::int64_t ci = int_at(c, "index").value_or(0);
      Choice& state = choices_[ci];
      json::value* dv = c.if_contains("delta");
      json::value* calls =
          dv && dv->is_object() ? dv->get_object().if_contains("tool_calls") : nullptr;
      if (calls && calls->is_array()) {
        for (auto& tv : calls->get_array()) {
          if (!tv.is_object()) continue;
          json::object& call = tv.get_object();
          // Copies: members added below may move the strings they view.
          const std::string id(string_at(call, "id"));
          json::value* fv = call.if_contains("function");
          const std::string name(fv && fv->is_object() ? string_at(fv->get_object(), "name")
                                                       : std::string_view{});
          std::int64_t index;
          if (auto given = int_at(call, "index")) {
            index = *given;
          } else {
            index = static_cast<std::int64_t>(state.calls.size());
            for (std::size_t i = 0; i < state.calls.size(); ++i)
              if (!id.empty() && state.calls[i].id == id) index = static_cast<std::int64_t>(i);
            const bool named_again =
                state.open >= 0 && !name.empty() && !state.calls[state.open].name.empty();
            if (id.empty() && state.open >= 0 && !named_again) index = state.open;
            call["index"] = index;
            changed = true;
          }
          if (index < 0 || index > 1024) continue;
          const auto slot = static_cast<std::size_t>(index);
          if (slot >= state.calls.size()) {
            state.calls.resize(slot + 1);
            Call& fresh = state.calls[slot];
            fresh.id =
                id.empty() ? stable_call_id(response_id_ + "/" + std::to_string(ci), index) : id;
            if (id.empty()) {
              call["id"] = fresh.id;
              changed = true;
            }
            if (!call.contains("type")) {
              call["type"] = "function";
              changed = true;
            }
          } else if (call.contains("id") && id.empty()) {
            call.erase("id");  // an empty id on a later fragment
            changed = true;
          }
          state.open = static_cast<int>(index);
          Call& known = state.calls[slot];
          if (known.name.empty()) known.name = name;
          // Looked up again: adding members above may have moved them.
          fv = call.if_contains("function");
          if (!fv || !fv->is_object()) continue;
          json::value* av = fv->get_object().if_contains("arguments");
          if (!av || !av->is_string()) continue;
          std::string_view fragment = av->get_string();
          // Arguments repeated whole, or resent cumulatively: only what is new.
          if (!known.arguments.empty() &&
              fragment.substr(0, known.arguments.size()) == known.arguments) {
            std::string rest(fragment.substr(known.arguments.size()));
            known.arguments.append(rest);
            *av = rest;
            changed = true;
          } else {
            known.arguments.append(fragment);
          }
        }
      }
      changed |= fix_finish_reason(c, !state.calls.empty());
    }
  }
  out.append(sse_frame("", changed ? json::serialize(chunk) : data));
}

std::string repair_response(std::string body) {
  if (body.find("\"tool_calls\"") == std::string::npos) return body;
  boost::system::error_code ec;
  json::value doc = json::parse(body, ec);
  if (ec || !doc.is_object()) return body;
  json::object& o = doc.get_object();
  const std::string response_id(string_at(o, "id"));
  bool changed = false;
  json::value* choices = o.if_contains("choices");
  if (!choices || !choices->is_array()) return body;
  for (auto& cv : choices->get_array()) {
    if (!cv.is_object()) continue;
    json::object& c = cv.get_object();
    const std::int64_t ci = int_at(c, "index").value_or(0);
    json::value* mv = c.if_contains("message");
    json::value* calls =
        mv && mv->is_object() ? mv->get_object().if_contains("tool_calls") : nullptr;
    bool has_calls = false;
    if (calls && calls->is_array()) {
      std::int64_t index = 0;
      for (auto& tv : calls->get_array()) {
        if (!tv.is_object()) continue;
        has_calls = true;
        json::object& call = tv.get_object();
        if (string_at(call, "id").empty()) {
          call["id"] = stable_call_id(response_id + "/" + std::to_string(ci), index);
          changed = true;
        }
        if (!call.contains("type")) {
          call["type"] = "function";
          changed = true;
        }
        ++index;
      }
    }
    changed |= fix_finish_reason(c, has_calls);
  }
  return changed ? json::serialize(o) : body;
}

}  // namespace aiohub::openai_compatible
