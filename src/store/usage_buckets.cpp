#include "store/usage_buckets.hpp"

namespace aiohub {
namespace {

std::string time_bucket(const char* width_ms) {
  return std::string("(ts_ms / ") + width_ms + ") * " + width_ms;
}

}  // namespace

bool is_time_bucket(UsageBucket by) {
  return by == UsageBucket::minute || by == UsageBucket::hour || by == UsageBucket::day;
}

std::string usage_bucket_sql(UsageBucket by) {
  switch (by) {
    case UsageBucket::model:
      return "model";
    case UsageBucket::key:
      return "key_name";
    case UsageBucket::channel:
      return "channel";
    case UsageBucket::group:
      return "group_name";
    case UsageBucket::minute:
      return time_bucket("60000");
    case UsageBucket::hour:
      return time_bucket("3600000");
    case UsageBucket::day:
      return time_bucket("86400000");
  }
  return "model";
}

}  // namespace aiohub
