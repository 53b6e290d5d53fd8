#include "metrics/metrics.hpp"

#include <array>
#include <map>
#include <unordered_map>

#include "domain/snapshot.hpp"

namespace aiohub {
namespace {

constexpr const char* kBucketLabels[] = {"0.1", "0.25", "0.5", "1",  "2.5", "5",
                                         "10",  "20",   "30",  "60", "120", "300"};
static_assert(std::size(kBucketLabels) == Metrics::kBuckets);

constexpr char kSep = '\x1f';  // cannot appear in a label value we keep

enum TokenKind { input, output, cache_read, cache_write, reasoning, kTokenKinds };
constexpr const char* kTokenKindNames[] = {"input", "output", "cache_read", "cache_write",
                                           "reasoning"};

struct Histogram {
  std::array<std::uint64_t, Metrics::kBuckets> buckets{};  // not cumulative
  std::uint64_t count = 0;
  std::int64_t sum_ms = 0;

  void observe(std::int64_t ms) {
    ms = std::max<std::int64_t>(0, ms);
    for (std::size_t i = 0; i < Metrics::kBuckets; ++i)
      if (ms <= Metrics::kBucketsMs[i]) {
        ++buckets[i];
        break;
      }
    ++count;
    sum_ms += ms;
  }
  void add(const Histogram& o) {
    for (std::size_t i = 0; i < Metrics::kBuckets; ++i) buckets[i] += o.buckets[i];
    count += o.count;
    sum_ms += o.sum_ms;
  }
};

struct RequestSeries {
  std::uint64_t requests = 0;
  std::uint64_t errors = 0;
};

struct ModelSeries {
  Histogram duration;
  Histogram ttft;
  std::array<std::uint64_t, kTokenKinds> tokens{};
  std::int64_t cost_micros = 0;
};

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out.push_back(kSep);
    for (char c : p) out.push_back(c == kSep ? ' ' : c);
  }
  return out;
}

std::vector<std::string> split(const std::string& key) {
  std::vector<std::string> out(1);
  for (char c : key) {
    if (c == kSep)
      out.emplace_back();
    else
      out.back().push_back(c);
  }
  return out;
}

void append_escaped(std::string& out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
}

// {a="x",b="y"} from names and the values packed in `key`, plus an extra label.
std::string labels(std::initializer_list<const char*> names, const std::string& key,
                   std::string_view extra_name = {}, std::string_view extra_value = {}) {
  auto values = split(key);
  std::string out = "{";
  std::size_t i = 0;
  for (const char* n : names) {
    if (i) out.push_back(',');
    out += n;
    out += "=\"";
    append_escaped(out, i < values.size() ? values[i] : "");
    out.push_back('"');
    ++i;
  }
  if (!extra_name.empty()) {
    if (i) out.push_back(',');
    out += extra_name;
    out += "=\"";
    append_escaped(out, extra_value);
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// Integer milliseconds or micros as an exact decimal.
std::string decimal(std::int64_t value, std::int64_t scale, int digits) {
  std::string sign = value < 0 ? "-" : "";
  value = value < 0 ? -value : value;
  std::string frac = std::to_string(value % scale);
  frac.insert(0, static_cast<std::size_t>(digits) - frac.size(), '0');
  return sign + std::to_string(value / scale) + "." + frac;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void histogram_lines(std::string& out, const char* name, const std::string& label_text,
                     const Histogram& h) {
  // label_text is "{...}"; buckets add le inside it.
  std::string inner = label_text.substr(1, label_text.size() - 2);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < Metrics::kBuckets; ++i) {
    cumulative += h.buckets[i];
    out += name;
    out += "_bucket{";
    out += inner;
    out += ",le=\"";
    out += kBucketLabels[i];
    out += "\"} ";
    out += std::to_string(cumulative);
    out += '\n';
  }
  out += name;
  out += "_bucket{" + inner + ",le=\"+Inf\"} " + std::to_string(h.count) + "\n";
  out += name;
  out += "_sum" + label_text + " " + decimal(h.sum_ms, 1000, 3) + "\n";
  out += name;
  out += "_count" + label_text + " " + std::to_string(h.count) + "\n";
}

std::uint64_t next_metrics_id() {
  static std::atomic<std::uint64_t> next{1};
  return next.fetch_add(1);
}

}  // namespace

struct Metrics::Shard {
  std::mutex mutex;
  std::unordered_map<std::string, RequestSeries> requests;
  std::unordered_map<std::string, ModelSeries> models;
};

Metrics::KnownNames Metrics::known_names_of(const Snapshot& snap) {
  KnownNames k;
  for (const auto& [name, group] : snap.groups) k.add(k.groups, name);
  for (const Channel& c : snap.channels) {
    k.add(k.channels, c.record.name);
    for (const auto& m : c.record.models) k.add(k.models, m);
  }
  for (const auto& [group, models] : snap.routes)
    for (const auto& [model, channels] : models) k.add(k.models, model);
  for (const auto& [model, price] : snap.prices) k.add(k.models, model);
  for (const auto& [model, price] : snap.image_prices) k.add(k.models, model);
  return k;
}

Metrics::Metrics() : id_(next_metrics_id()) {}
Metrics::~Metrics() = default;

Metrics::Shard& Metrics::local_shard() {
  // Ids are never reused, so an entry of a destroyed Metrics is never hit again.
  thread_local std::unordered_map<std::uint64_t, Shard*> mine;
  auto it = mine.find(id_);
  if (it != mine.end()) return *it->second;
  std::lock_guard lock(shards_mutex_);
  shards_.push_back(std::make_unique<Shard>());
  mine[id_] = shards_.back().get();
  return *shards_.back();
}

void Metrics::observe(const UsageRecord& row) {
  Shard& shard = local_shard();
  const std::string status = std::to_string(row.status);
  std::string_view model = row.model, channel = row.channel, group = row.group;
  if (auto known = known_.load(std::memory_order_acquire)) {
    // Empty means "none" (a request refused before routing), not a name.
    auto label = [&known](std::string_view name, const std::unordered_set<std::string>& names) {
      if (name.empty()) return name;
      if (name.size() > known->longest || !names.count(std::string(name)))
        return std::string_view(kOther);
      return name;
    };
    model = label(model, known->models);
    channel = label(channel, known->channels);
    group = label(group, known->groups);
  }
  std::string request_key = join({model, channel, group, row.endpoint, status});
  std::string model_key = join({model, channel, group});
  {
    std::lock_guard lock(shard.mutex);
    if (shard.requests.size() >= kMaxRequestSeries && !shard.requests.count(request_key))
      request_key = join({"other", "other", "other", row.endpoint, status});
    auto& r = shard.requests[request_key];
    ++r.requests;
    if (row.status >= 400) ++r.errors;

    if (shard.models.size() >= kMaxModelSeries && !shard.models.count(model_key))
      model_key = join({"other", "other", "other"});
    auto& m = shard.models[model_key];
    m.duration.observe(row.latency_ms);
    // Every successful answer had a first byte (ttfb_ms is 0 below a millisecond).
    if (row.status < 400) m.ttft.observe(row.ttfb_ms);
    m.tokens[input] += static_cast<std::uint64_t>(std::max<std::int64_t>(0, row.usage.input));
    m.tokens[output] += static_cast<std::uint64_t>(std::max<std::int64_t>(0, row.usage.output));
    m.tokens[cache_read] +=
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, row.usage.cache_read));
    m.tokens[cache_write] +=
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, row.usage.cache_write));
    m.tokens[reasoning] +=
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, row.usage.reasoning));
    m.cost_micros += row.cost;
  }
  observed_.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render(const Gauges& gauges) const {
  // Sorted, so that a scrape reads the same from one time to the next.
  std::map<std::string, RequestSeries> requests;
  std::map<std::string, ModelSeries> models;
  {
    std::lock_guard lock(shards_mutex_);
    for (auto& shard : shards_) {
      std::lock_guard shard_lock(shard->mutex);
      for (auto& [k, v] : shard->requests) {
        auto& r = requests[k];
        r.requests += v.requests;
        r.errors += v.errors;
      }
      for (auto& [k, v] : shard->models) {
        auto& m = models[k];
        m.duration.add(v.duration);
        m.ttft.add(v.ttft);
        for (int i = 0; i < kTokenKinds; ++i) m.tokens[i] += v.tokens[i];
        m.cost_micros += v.cost_micros;
      }
    }
  }

  std::string out;
  out.reserve(4096 + requests.size() * 160 + models.size() * 2400);
  const auto request_labels = {"model", "channel", "group", "endpoint", "status"};
  family(out, "aiohub_requests_total", "counter", "Requests answered, by final status.");
  for (auto& [k, r] : requests)
    out += "aiohub_requests_total" + labels(request_labels, k) + " " + std::to_string(r.requests) +
           "\n";
  family(out, "aiohub_request_errors_total", "counter",
         "Requests answered with a status of 400 or more (499: the client went away).");
  for (auto& [k, r] : requests)
    if (r.errors)
      out += "aiohub_request_errors_total" + labels(request_labels, k) + " " +
             std::to_string(r.errors) + "\n";

  const auto model_labels = {"model", "channel", "group"};
  family(out, "aiohub_request_duration_seconds", "histogram",
         "Time from the request to the end of its answer.");
  for (auto& [k, m] : models)
    histogram_lines(out, "aiohub_request_duration_seconds", labels(model_labels, k), m.duration);
  family(out, "aiohub_time_to_first_token_seconds", "histogram",
         "Time from the request to the first byte of a successful answer.");
  for (auto& [k, m] : models)
    if (m.ttft.count)
      histogram_lines(out, "aiohub_time_to_first_token_seconds", labels(model_labels, k), m.ttft);
  family(out, "aiohub_tokens_total", "counter", "Tokens billed, by kind.");
  for (auto& [k, m] : models)
    for (int i = 0; i < kTokenKinds; ++i)
      out += "aiohub_tokens_total" + labels(model_labels, k, "kind", kTokenKindNames[i]) + " " +
             std::to_string(m.tokens[i]) + "\n";
  family(out, "aiohub_cost_usd_total", "counter", "Cost charged to keys, in USD.");
  for (auto& [k, m] : models)
    out += "aiohub_cost_usd_total" + labels(model_labels, k) + " " +
           decimal(m.cost_micros, 1'000'000, 6) + "\n";

  family(out, "aiohub_channel_healthy", "gauge",
         "1 while a channel is in rotation, 0 while it cools down or is probed.");
  for (auto& [channel, healthy] : gauges.channel_healthy)
    out += "aiohub_channel_healthy" + labels({"channel"}, join({channel})) + " " +
           (healthy ? "1" : "0") + "\n";
  family(out, "aiohub_inflight_requests", "gauge", "Gateway requests being served now.");
  out += "aiohub_inflight_requests " + std::to_string(gauges.inflight_requests) + "\n";
  family(out, "aiohub_usage_queue_length", "gauge",
         "Usage rows waiting to be written to the database.");
  out += "aiohub_usage_queue_length " + std::to_string(gauges.usage_queue_length) + "\n";
  if (gauges.shared_state_reachable) {
    family(out, "aiohub_shared_state_reachable", "gauge",
           "1 while Redis answers; 0 while this instance counts quota and limits alone.");
    out += std::string("aiohub_shared_state_reachable ") +
           (*gauges.shared_state_reachable ? "1" : "0") + "\n";
  }
  return out;
}

}  // namespace aiohub
