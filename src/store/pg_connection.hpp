#pragma once
// A thin owner of one libpq connection: parameterised statements prepared
// once per connection and reused, results read as text. Every parameter is
// sent as text, made valid UTF-8 on the way (PostgreSQL refuses anything
// else, and an upstream's error message may carry any bytes).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct pg_conn;
struct pg_result;

namespace aiohub {

class PgParams {
 public:
  PgParams& add(std::string_view s);
  PgParams& add(const char* s) { return add(std::string_view(s)); }
  PgParams& add(const std::string& s) { return add(std::string_view(s)); }
  PgParams& add(std::int64_t v);
  PgParams& add(int v) { return add(static_cast<std::int64_t>(v)); }
  PgParams& add(bool v);
  PgParams& add(double v);
  template <class T>
  PgParams& add(const std::optional<T>& v) {
    if (v) return add(*v);
    values_.emplace_back();
    nulls_.push_back(true);
    return *this;
  }

  std::size_t size() const { return values_.size(); }
  const std::string& value(std::size_t i) const { return values_[i]; }
  bool is_null(std::size_t i) const { return nulls_[i]; }

 private:
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
};

class PgResult {
 public:
  explicit PgResult(pg_result* r) : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  ~PgResult();

  int rows() const;
  std::int64_t affected() const;  // rows changed by INSERT/UPDATE/DELETE
  bool is_null(int row, int col) const;
  std::string text(int row, int col) const;
  std::int64_t integer(int row, int col) const;
  std::optional<std::int64_t> opt_integer(int row, int col) const;
  double real(int row, int col) const;
  bool boolean(int row, int col) const;

 private:
  pg_result* r_;
};

class PgConnection {
 public:
  // Throws StoreError (never with the password of the URL).
  explicit PgConnection(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // One or more statements without parameters (schema, BEGIN, COMMIT).
  void exec(std::string_view sql);
  // A statement prepared on first use on this connection.
  PgResult query(const std::string& sql, const PgParams& params = {});

  // False once the server has gone away; a broken connection is not reused.
  bool healthy();
  bool in_transaction() const;

 private:
  PgResult check(pg_result* r, std::string_view what);

  pg_conn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> statement name
};

// "postgres://user:secret@host/db" -> "postgres://user:***@host/db".
std::string redact_database_url(std::string_view url);

// Valid UTF-8 without NUL bytes: invalid sequences become U+FFFD, NULs go.
std::string pg_text(std::string_view s);

}  // namespace aiohub
