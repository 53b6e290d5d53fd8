#pragma once
// What usage_by() groups by, as SQL both back ends understand.
#include <string>

#include "store/store.hpp"

namespace aiohub {

// Time buckets (minute, hour, day) are true; the others name a column.
bool is_time_bucket(UsageBucket by);
// The expression of the bucket: a column (model, key_name, channel,
// group_name) or the bucket's start in Unix ms, "(ts_ms / W) * W" (integer
// division floors for the non-negative times ts_ms holds).
std::string usage_bucket_sql(UsageBucket by);

}  // namespace aiohub
