#pragma once
// Reading admin API request bodies with precise 400s, and writing the
// shapes every resource shares (money, limits, errors).
#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "domain/money.hpp"
#include "domain/records.hpp"
#include "domain/result.hpp"

namespace aiohub::admin {

namespace json = boost::json;

// Thrown by a handler; the API answers {"error":{"message","type"}} with
// this status.
struct ApiFailure : std::runtime_error {
  ApiFailure(int status, std::string type, const std::string& message)
      : std::runtime_error(message), status(status), type(std::move(type)) {}
  int status;
  std::string type;
};

[[noreturn]] void bad_request(const std::string& message);
[[noreturn]] void not_found(const std::string& message);
[[noreturn]] void conflict(const std::string& message);
// Throws the failure of a shared check (admin/keys.hpp) as the API's answer.
void throw_if_failed(const Status& s);

std::string error_json(std::string_view type, std::string_view message);

// The body as a JSON object; an empty body reads as {}. Anything else: 400.
json::object parse_object(std::string_view body);

// Typed access to the fields of a request object. Each reader returns
// nullopt when the field is absent and throws a 400 naming the field when
// it has the wrong type or range. `null` is "absent" except where a reader
// says otherwise (see `present_null`).
class Fields {
 public:
  explicit Fields(const json::object& o) : o_(o) {}

  bool has(std::string_view key);
  // True when the field is there and is JSON null (e.g. "quota_usd": null = unlimited).
  bool present_null(std::string_view key);

  std::optional<std::string> string(std::string_view key);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<double> number(std::string_view key, double min, double max);
  std::optional<std::vector<std::string>> strings(std::string_view key);
  std::optional<std::map<std::string, std::string>> string_map(std::string_view key);
  // An object of numbers in [min, max], e.g. image prices by size.
  std::optional<std::map<std::string, double>> number_map(std::string_view key, double min,
                                                          double max);
  std::optional<RateLimits> limits(std::string_view key);
  std::optional<ChannelSettings> settings(std::string_view key);

  // Fields a client may send back from a GET (read-only); accepted and not used.
  void ignore(std::initializer_list<std::string_view> keys);
  // 400 naming the first field no reader or ignore() asked for: a typo such as
  // "quota" for "quota_usd" is refused instead of silently dropped.
  void refuse_unknown() const;

 private:
  const json::value* get(std::string_view key);
  const json::object& o_;
  std::set<std::string, std::less<>> seen_;
};

json::value usd_value(Micros m);
json::value opt_usd(const std::optional<Micros>& m);
json::value opt_int(const std::optional<std::int64_t>& v);
json::array string_array(const std::vector<std::string>& v);
json::object string_object(const std::map<std::string, std::string>& m);
json::object limits_json(const RateLimits& l);
json::object settings_json(const ChannelSettings& s);

// An attempts column (JSON array text) as a value; anything unreadable as [].
json::value attempts_value(std::string_view text);

}  // namespace aiohub::admin
