#pragma once
// multipart/form-data (RFC 7578): a parser that takes the body in pieces of
// any size and enforces limits as bytes arrive, so that an oversized upload
// is refused at its first byte over the limit; and a writer for re-sending
// a form upstream.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aiohub::multipart {

struct Limits {
  std::size_t max_parts = 64;
  std::size_t max_field_bytes = 256 * 1024;  // a part without a filename
  std::size_t max_file_bytes = 50u << 20;    // a part with a filename
  std::size_t max_header_bytes = 8 * 1024;   // one part's header block
};

struct Part {
  std::string name;
  std::optional<std::string> filename;  // present: the part is a file
  std::string content_type;             // as sent; empty when absent
  std::string data;
  bool is_file() const { return filename.has_value(); }
};

struct Error {
  int status = 400;  // 400 malformed, 413 over a limit
  std::string message;
};

// The boundary parameter of a `multipart/form-data` Content-Type.
std::optional<std::string> boundary_of(std::string_view content_type, Error& error);

class Parser {
 public:
  Parser(std::string boundary, Limits limits);

  // Consumes `bytes`; every part completed by them is appended to `out`.
  // After an error the parser stays failed.
  std::optional<Error> feed(std::string_view bytes, std::vector<Part>& out);
  // At the end of the body: an error unless the closing boundary was seen.
  std::optional<Error> finish() const;
  bool complete() const { return state_ == State::epilogue; }

 private:
  enum class State { preamble, after_delimiter, headers, body, epilogue, failed };
  std::optional<Error> fail(int status, std::string message);
  std::optional<Error> parse_headers(std::string_view block);
  std::optional<Error> append_data(std::string_view data);

  std::string delimiter_;  // CRLF "--" boundary
  Limits limits_;
  State state_ = State::preamble;
  std::string buffer_;
  std::size_t parts_ = 0;
  Part current_;
  Error error_;
};

// Parses a whole body at once.
std::optional<Error> parse(std::string_view content_type, std::string_view body,
                           const Limits& limits, std::vector<Part>& out);

// Writing a form: add fields and files, then finish.
class Writer {
 public:
  Writer();  // a random boundary
  void field(std::string_view name, std::string_view value);
  void file(std::string_view name, std::string_view filename, std::string_view content_type,
            std::string_view data);
  // The complete body; the writer is spent.
  std::string finish();
  std::string content_type() const;

 private:
  void head(std::string_view name);
  std::string boundary_;
  std::string body_;
};

}  // namespace aiohub::multipart
