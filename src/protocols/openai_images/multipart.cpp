#include "protocols/openai_images/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "util/crypto.hpp"
#include "util/strings.hpp"

namespace aiohub::multipart {
namespace {

// `key=value` pairs after the first token of a header value, values quoted
// or not; `\"` inside quotes is an escaped quote.
struct Param {
  std::string key;
  std::string value;
};

bool parse_params(std::string_view s, std::string& first, std::vector<Param>& out) {
  auto semi = s.find(';');
  first = std::string(trim(s.substr(0, semi)));
  if (semi == std::string_view::npos) return true;
  std::size_t i = semi + 1;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == ';')) ++i;
    if (i >= s.size()) break;
    std::size_t k = i;
    while (i < s.size() && s[i] != '=' && s[i] != ';') ++i;
    Param p;
    p.key = std::string(trim(s.substr(k, i - k)));
    if (i < s.size() && s[i] == '=') {
      ++i;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i < s.size() && s[i] == '"') {
        ++i;
        bool closed = false;
        while (i < s.size()) {
          char c = s[i++];
          if (c == '\\' && i < s.size()) {
            p.value.push_back(s[i++]);
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            p.value.push_back(c);
          }
        }
        if (!closed) return false;
      } else {
        std::size_t v = i;
        while (i < s.size() && s[i] != ';') ++i;
        p.value = std::string(trim(s.substr(v, i - v)));
      }
    }
    p.key = to_lower_ascii(p.key);
    out.push_back(std::move(p));
  }
  return true;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 5987 `charset'language'percent-encoded`; the charset is taken as UTF-8.
std::string decode_ext_value(std::string_view v) {
  auto q1 = v.find('\'');
  auto q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
  if (q2 != std::string_view::npos) v = v.substr(q2 + 1);
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '%' && i + 2 < v.size()) {
      int h = hex_digit(v[i + 1]), l = hex_digit(v[i + 2]);
      if (h >= 0 && l >= 0) {
        out.push_back(static_cast<char>(h * 16 + l));
        i += 2;
        continue;
      }
    }
    out.push_back(v[i]);
  }
  return out;
}

// Header values written into a form: no line breaks, quotes escaped.
std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\r' || c == '\n') continue;
    if (c == '"')
      out += "%22";
    else
      out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::optional<std::string> boundary_of(std::string_view content_type, Error& error) {
  std::string media;
  std::vector<Param> params;
  if (!parse_params(content_type, media, params)) {
    error = {400, "The Content-Type header has an unterminated quoted parameter."};
    return std::nullopt;
  }
  if (!iequals(media, "multipart/form-data")) {
    error = {400, "This endpoint takes multipart/form-data (got Content-Type '" +
                      std::string(media.empty() ? "none" : media) + "')."};
    return std::nullopt;
  }
  for (auto& p : params) {
    if (p.key != "boundary") continue;
    if (p.value.empty() || p.value.size() > 70) {
      error = {400, "The multipart boundary must have 1 to 70 characters."};
      return std::nullopt;
    }
    return p.value;
  }
  error = {400, "The multipart/form-data Content-Type has no boundary parameter."};
  return std::nullopt;
}

Parser::Parser(std::string boundary, Limits limits)
    : delimiter_("\r\n--" + boundary), limits_(limits), buffer_("\r\n") {}

std::optional<Error> Parser::fail(int status, std::string message) {
  state_ = State::failed;
  error_ = {status, std::move(message)};
  buffer_.clear();
  return error_;
}

std::optional<Error> Parser::append_data(std::string_view data) {
  const std::size_t limit = current_.is_file() ? limits_.max_file_bytes : limits_.max_field_bytes;
  if (current_.data.size() + data.size() > limit) {
    if (current_.is_file())
      return fail(413, "The file in form field '" + current_.name +
                           "' is larger than the limit of " + std::to_string(limit) + " bytes.");
    return fail(413, "The form field '" + current_.name + "' is longer than the limit of " +
                         std::to_string(limit) + " bytes.");
  }
  current_.data.append(data);
  return std::nullopt;
}

std::optional<Error> Parser::parse_headers(std::string_view block) {
  bool disposition = false;
  while (!block.empty()) {
    auto eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block = eol == std::string_view::npos ? std::string_view{} : block.substr(eol + 2);
    if (line.empty()) continue;
    if (line.front() == ' ' || line.front() == '\t')
      return fail(400, "A multipart part header is folded over lines, which form-data forbids.");
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      return fail(400, "A multipart part has a malformed header line.");
    std::string_view name = trim(line.substr(0, colon));
    std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      std::string kind;
      std::vector<Param> params;
      if (!parse_params(value, kind, params))
        return fail(400, "A multipart Content-Disposition has an unterminated quoted value.");
      if (!iequals(kind, "form-data"))
        return fail(400, "A multipart part is not form-data (Content-Disposition: " +
                             std::string(kind) + ").");
      disposition = true;
      std::optional<std::string> ext_filename;
      for (auto& p : params) {
        if (p.key == "name")
          current_.name = p.value;
        else if (p.key == "filename")
          current_.filename = p.value;
        else if (p.key == "filename*")
          ext_filename = decode_ext_value(p.value);
      }
      if (ext_filename) current_.filename = ext_filename;
    } else if (iequals(name, "Content-Type")) {
      current_.content_type = std::string(value);
    }
  }
  if (!disposition) return fail(400, "A multipart part has no Content-Disposition header.");
  if (current_.name.empty()) return fail(400, "A multipart part has no field name.");
  return std::nullopt;
}

std::optional<Error> Parser::feed(std::string_view bytes, std::vector<Part>& out) {
  if (state_ == State::failed) return error_;
  if (state_ == State::epilogue) return std::nullopt;
  buffer_.append(bytes);
  std::size_t head = 0;  // consumed bytes of buffer_, dropped once at the end
  const std::size_t keep = delimiter_.size() - 1;
  for (;;) {
    std::string_view rest = std::string_view(buffer_).substr(head);
    if (state_ == State::preamble) {
      auto pos = rest.find(delimiter_);
      if (pos == std::string_view::npos) {
        if (rest.size() > keep) head += rest.size() - keep;
        break;
      }
      head += pos + delimiter_.size();
      state_ = State::after_delimiter;
    } else if (state_ == State::after_delimiter) {
      if (rest.size() < 2) break;
      if (rest.substr(0, 2) == "--") {
        state_ = State::epilogue;
        buffer_.clear();
        return std::nullopt;
      }
      auto eol = rest.find("\r\n");
      if (eol == std::string_view::npos) {
        if (rest.size() > 256) return fail(400, "A multipart boundary line is malformed.");
        break;
      }
      for (char c : rest.substr(0, eol))
        if (c != ' ' && c != '\t') return fail(400, "A multipart boundary line is malformed.");
      head += eol + 2;
      if (++parts_ > limits_.max_parts)
        return fail(413, "The form has more than " + std::to_string(limits_.max_parts) + " parts.");
      current_ = Part{};
      state_ = State::headers;
    } else if (state_ == State::headers) {
      std::size_t end;
      std::size_t skip;
      if (rest.substr(0, 2) == "\r\n") {
        end = 0;
        skip = 2;
      } else {
        end = rest.find("\r\n\r\n");
        skip = 4;
        if (end == std::string_view::npos) {
          // Up to 3 bytes of the blank line may already be here: only more
          // than that proves the headers too long (else the verdict would
          // depend on where the body was cut).
          if (rest.size() > limits_.max_header_bytes + 3)
            return fail(400, "A multipart part's headers are longer than " +
                                 std::to_string(limits_.max_header_bytes) + " bytes.");
          break;
        }
      }
      if (end > limits_.max_header_bytes)
        return fail(400, "A multipart part's headers are longer than " +
                             std::to_string(limits_.max_header_bytes) + " bytes.");
      if (auto err = parse_headers(rest.substr(0, end))) return err;
      head += end + skip;
      state_ = State::body;
    } else if (state_ == State::body) {
      auto pos = rest.find(delimiter_);
      if (pos == std::string_view::npos) {
        if (rest.size() > keep) {
          if (auto err = append_data(rest.substr(0, rest.size() - keep))) return err;
          head += rest.size() - keep;
        }
        break;
      }
      if (auto err = append_data(rest.substr(0, pos))) return err;
      out.push_back(std::move(current_));
      current_ = Part{};
      head += pos + delimiter_.size();
      state_ = State::after_delimiter;
    } else {
      break;
    }
  }
  buffer_.erase(0, head);
  return std::nullopt;
}

std::optional<Error> Parser::finish() const {
  if (state_ == State::failed) return error_;
  if (state_ == State::epilogue) return std::nullopt;
  if (state_ == State::preamble)
    return Error{400, "The multipart body has no part with the boundary the Content-Type names."};
  return Error{400, "The multipart body ends before its closing boundary (a truncated upload?)."};
}

std::optional<Error> parse(std::string_view content_type, std::string_view body,
                           const Limits& limits, std::vector<Part>& out) {
  Error error;
  auto boundary = boundary_of(content_type, error);
  if (!boundary) return error;
  Parser parser(*boundary, limits);
  if (auto err = parser.feed(body, out)) return err;
  return parser.finish();
}

Writer::Writer() : boundary_("aiohub-" + random_urlsafe(32)) {}

void Writer::head(std::string_view name) {
  body_ += "--";
  body_ += boundary_;
  body_ += "\r\nContent-Disposition: form-data; name=";
  body_ += quoted(name);
}

void Writer::field(std::string_view name, std::string_view value) {
  head(name);
  body_ += "\r\n\r\n";
  body_ += value;
  body_ += "\r\n";
}

void Writer::file(std::string_view name, std::string_view filename, std::string_view content_type,
                  std::string_view data) {
  head(name);
  body_ += "; filename=";
  body_ += quoted(filename);
  body_ += "\r\nContent-Type: ";
  body_ += content_type.empty() ? std::string_view("application/octet-stream") : content_type;
  body_ += "\r\n\r\n";
  body_ += data;
  body_ += "\r\n";
}

std::string Writer::finish() {
  body_ += "--";
  body_ += boundary_;
  body_ += "--\r\n";
  return std::move(body_);
}

std::string Writer::content_type() const {
  return "multipart/form-data; boundary=" + boundary_;
}

}  // namespace aiohub::multipart
