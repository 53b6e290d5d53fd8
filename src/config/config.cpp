#include "config/config.hpp"

#include <toml++/toml.h>

#include <array>
#include <fstream>
#include <set>
#include <sstream>

#include "cluster/redis_url.hpp"
#include "util/time.hpp"

namespace aiohub {
namespace {

constexpr std::array kEndpoints = {"chat", "responses", "messages", "gemini", "images"};
constexpr std::array kChannelTypes = {
    "openai", "openai-compatible", "openai-responses", "anthropic", "gemini", "bedrock", "demo"};

[[noreturn]] void fail(const std::string& source, const toml::source_region& where,
                       const std::string& what) {
  std::string msg = source;
  if (where.begin.line) msg += ":" + std::to_string(where.begin.line);
  throw ConfigError(msg + ": " + what);
}

class TableReader {
 public:
  TableReader(const toml::table& t, std::string source, std::string section,
              std::vector<std::string>& warnings)
      : t_(t), source_(std::move(source)), section_(std::move(section)), warnings_(warnings) {}

  ~TableReader() {
    for (auto&& [k, v] : t_)
      if (!seen_.count(std::string(k.str())))
        warnings_.push_back(source_ + ":" + std::to_string(v.source().begin.line) +
                            ": unknown key '" + std::string(k.str()) + "' in " + section_ +
                            " (ignored)");
  }

  const toml::node* node(const char* key) {
    seen_.insert(key);
    return t_.get(key);
  }

  std::optional<std::string> str(const char* key) {
    auto* n = node(key);
    if (!n) return std::nullopt;
    if (auto s = n->value<std::string>()) return *s;
    fail(source_, n->source(), section_ + "." + key + " must be a string");
  }

  std::string required_str(const char* key) {
    auto v = str(key);
    if (!v || v->empty()) fail(source_, t_.source(), section_ + " needs a non-empty '" + key + "'");
    return *v;
  }

  std::optional<double> number(const char* key) {
    auto* n = node(key);
    if (!n) return std::nullopt;
    if (auto d = n->value<double>()) return *d;
    fail(source_, n->source(), section_ + "." + key + " must be a number");
  }

  std::optional<std::int64_t> integer(const char* key) {
    auto* n = node(key);
    if (!n) return std::nullopt;
    if (n->is_integer()) return n->as_integer()->get();
    fail(source_, n->source(), section_ + "." + key + " must be an integer");
  }

  std::optional<bool> boolean(const char* key) {
    auto* n = node(key);
    if (!n) return std::nullopt;
    if (auto b = n->value<bool>()) return *b;
    fail(source_, n->source(), section_ + "." + key + " must be true or false");
  }

  std::optional<std::vector<std::string>> strings(const char* key) {
    auto* n = node(key);
    if (!n) return std::nullopt;
    auto* arr = n->as_array();
    if (!arr) fail(source_, n->source(), section_ + "." + key + " must be an array of strings");
    std::vector<std::string> out;
    for (auto&& el : *arr) {
      auto s = el.value<std::string>();
      if (!s) fail(source_, el.source(), section_ + "." + key + " must hold only strings");
      out.push_back(*s);
    }
    return out;
  }

  std::map<std::string, double> number_map(const char* key) {
    std::map<std::string, double> out;
    auto* n = node(key);
    if (!n) return out;
    auto* tbl = n->as_table();
    if (!tbl) fail(source_, n->source(), section_ + "." + key + " must be a table of numbers");
    for (auto&& [k, v] : *tbl) {
      auto d = v.value<double>();
      if (!d) fail(source_, v.source(), section_ + "." + key + " values must be numbers");
      out.emplace(std::string(k.str()), *d);
    }
    return out;
  }

  std::map<std::string, std::string> string_map(const char* key) {
    std::map<std::string, std::string> out;
    auto* n = node(key);
    if (!n) return out;
    auto* tbl = n->as_table();
    if (!tbl) fail(source_, n->source(), section_ + "." + key + " must be a table of strings");
    for (auto&& [k, v] : *tbl) {
      auto s = v.value<std::string>();
      if (!s) fail(source_, v.source(), section_ + "." + key + " values must be strings");
      out.emplace(std::string(k.str()), *s);
    }
    return out;
  }

  // A date-time as a TOML date-time literal or an RFC 3339 string.
  std::optional<std::int64_t> datetime(const char* key) {
    auto* n = node(key);
    if (!n) return std::nullopt;
    if (auto s = n->value<std::string>()) {
      if (auto t = parse_rfc3339(*s)) return t;
      fail(source_, n->source(), section_ + "." + key + " is not an RFC 3339 date-time: " + *s);
    }
    if (n->is_date_time() || n->is_date()) {
      std::ostringstream os;
      if (n->is_date_time())
        os << *n->as_date_time();
      else
        os << *n->as_date();
      if (auto t = parse_rfc3339(os.str())) return t;
    }
    fail(source_, n->source(), section_ + "." + key + " must be a date-time");
  }

  std::optional<std::int64_t> positive(const char* key) {
    auto v = integer(key);
    if (v && *v <= 0) fail(source_, t_.source(), section_ + "." + key + " must be positive");
    return v;
  }

  RateLimits limits() {
    RateLimits l;
    l.rpm = positive("rpm");
    l.tpm = positive("tpm");
    l.concurrency = positive("concurrency");
    return l;
  }

  std::optional<int> seconds(const char* key) {
    auto v = positive(key);
    if (!v) return std::nullopt;
    return static_cast<int>(*v);
  }

  const toml::table& table() const { return t_; }

 private:
  const toml::table& t_;
  std::string source_;
  std::string section_;
  std::vector<std::string>& warnings_;
  std::set<std::string> seen_;
};

template <class F>
void each_table(const toml::table& root, const char* name, const std::string& source, F&& f) {
  auto* n = root.get(name);
  if (!n) return;
  auto* arr = n->as_array();
  if (!arr) fail(source, n->source(), std::string("[[") + name + "]] must be an array of tables");
  for (auto&& el : *arr) {
    auto* t = el.as_table();
    if (!t) fail(source, el.source(), std::string("[[") + name + "]] entries must be tables");
    f(*t);
  }
}

void check_unique(const std::string& source, const char* section, std::set<std::string>& seen,
                  const std::string& name) {
  if (!seen.insert(name).second)
    throw ConfigError(source + ": duplicate [[" + section + "]] name '" + name + "'");
}

}  // namespace

bool is_known_endpoint(std::string_view name) {
  for (auto e : kEndpoints)
    if (name == e) return true;
  return false;
}

bool is_known_channel_type(std::string_view type) {
  for (auto t : kChannelTypes)
    if (type == t) return true;
  return false;
}

Config parse_config(std::string_view text, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    fail(source, e.source(), std::string(e.description()));
  }
  Config cfg;
  static const std::set<std::string> kSections = {"server",  "groups", "channels", "prices", "keys",
                                                  "routing", "auto",   "billing",  "images"};
  for (auto&& [k, v] : root)
    if (!kSections.count(std::string(k.str())))
      cfg.warnings.push_back(source + ":" + std::to_string(v.source().begin.line) +
                             ": unknown section '" + std::string(k.str()) + "' (ignored)");

  if (auto* n = root.get("server")) {
    auto* t = n->as_table();
    if (!t) fail(source, n->source(), "[server] must be a table");
    TableReader r(*t, source, "[server]", cfg.warnings);
    auto& s = cfg.server;
    if (auto v = r.str("listen")) s.listen = *v;
    if (auto v = r.str("database")) s.database = *v;
    if (auto v = r.str("data_dir")) s.data_dir = *v;
    if (auto v = r.str("instance_id")) s.instance_id = *v;
    if (auto v = r.str("redis")) {
      std::string error;
      if (!v->empty() && !parse_redis_url(*v, &error))
        fail(source, t->source(), "[server].redis: " + error);
      s.redis = *v;
    }
    s.admin_token = r.str("admin_token");
    if (s.admin_token && s.admin_token->size() < 16)
      fail(source, t->source(), "[server].admin_token must be at least 16 characters");
    if (auto v = r.integer("max_body_bytes")) {
      if (*v < 1024) fail(source, t->source(), "[server].max_body_bytes must be at least 1024");
      s.max_body_bytes = static_cast<std::size_t>(*v);
    }
    if (auto v = r.integer("header_timeout_seconds")) {
      if (*v < 1 || *v > 3600)
        fail(source, t->source(), "[server].header_timeout_seconds must be between 1 and 3600");
      s.header_timeout_seconds = static_cast<int>(*v);
    }
    if (auto v = r.integer("drain_after_hangup_seconds")) {
      if (*v < 0 || *v > 300)
        fail(source, t->source(), "[server].drain_after_hangup_seconds must be between 0 and 300");
      s.drain_after_hangup_seconds = static_cast<int>(*v);
    }
    if (auto v = r.integer("max_connections")) {
      if (*v < 0)
        fail(source, t->source(), "[server].max_connections must be 0 (automatic) or more");
      s.max_connections = *v;
    }
    if (auto v = r.integer("threads")) s.threads = static_cast<int>(*v);
    if (auto v = r.integer("shutdown_grace_seconds"))
      s.shutdown_grace_seconds = static_cast<int>(*v);
    if (auto v = r.str("log_level")) s.log_level = *v;
    if (auto v = r.str("log_format")) {
      if (*v != "json" && *v != "text" && *v != "auto")
        fail(source, t->source(), "[server].log_format must be json, text or auto");
      s.log_format = *v;
    }
    if (auto v = r.integer("upstream_connect_timeout_seconds"))
      s.upstream_connect_timeout_seconds = static_cast<int>(*v);
    if (auto v = r.integer("upstream_timeout_seconds"))
      s.upstream_timeout_seconds = static_cast<int>(*v);
  }

  std::set<std::string> names;
  each_table(root, "groups", source, [&](const toml::table& t) {
    TableReader r(t, source, "[[groups]]", cfg.warnings);
    GroupConfig g;
    g.name = r.required_str("name");
    check_unique(source, "groups", names, g.name);
    g.endpoints = r.strings("endpoints");
    if (g.endpoints)
      for (auto& e : *g.endpoints)
        if (!is_known_endpoint(e))
          fail(source, t.source(),
               "group '" + g.name + "': unknown endpoint '" + e +
                   "' (known: chat, responses, messages, gemini, images)");
    g.ratio = r.number("ratio");
    if (g.ratio && *g.ratio < 0) fail(source, t.source(), "group '" + g.name + "': ratio < 0");
    if (g.name == "auto")
      fail(source, t.source(), "'auto' is not a group but a routing value; use [auto] groups");
    g.limits = r.limits();
    cfg.groups.push_back(std::move(g));
  });

  names.clear();
  each_table(root, "channels", source, [&](const toml::table& t) {
    TableReader r(t, source, "[[channels]]", cfg.warnings);
    ChannelConfig c;
    c.name = r.required_str("name");
    check_unique(source, "channels", names, c.name);
    c.type = r.required_str("type");
    if (!is_known_channel_type(c.type))
      fail(source, t.source(), "channel '" + c.name + "': unknown type '" + c.type + "'");
    c.base_url = r.str("base_url").value_or("");
    auto& st = c.settings;
    st.region = r.str("region").value_or("");
    if (c.type == "bedrock") {
      if (st.region.empty())
        fail(source, t.source(), "bedrock channel '" + c.name + "' needs a region");
      if (c.base_url.empty())
        c.base_url = "https://bedrock-runtime." + st.region + ".amazonaws.com";
    }
    if (c.base_url.empty() && c.type != "demo")
      fail(source, t.source(), "channel '" + c.name + "' needs a base_url");
    if (!c.base_url.empty() && c.base_url.rfind("http://", 0) != 0 &&
        c.base_url.rfind("https://", 0) != 0)
      fail(source, t.source(),
           "channel '" + c.name + "': base_url must start with http:// or https://");
    c.api_key = r.str("api_key").value_or("");
    c.groups = r.strings("groups").value_or(std::vector<std::string>{});
    c.models = r.strings("models").value_or(std::vector<std::string>{});
    c.model_map = r.string_map("model_map");
    c.priority = static_cast<int>(r.integer("priority").value_or(0));
    c.weight = static_cast<int>(r.integer("weight").value_or(1));
    if (c.weight < 0) fail(source, t.source(), "channel '" + c.name + "': weight < 0");
    c.enabled = r.boolean("enabled").value_or(true);
    c.settings.connect_timeout_seconds = r.seconds("connect_timeout_seconds");
    c.settings.first_byte_timeout_seconds = r.seconds("first_byte_timeout_seconds");
    c.settings.idle_timeout_seconds = r.seconds("idle_timeout_seconds");
    st.headers = r.string_map("headers");
    st.path = r.str("path").value_or("");
    if (!st.path.empty() && st.path.front() != '/')
      fail(source, t.source(), "channel '" + c.name + "': path must start with /");
    st.proxy = r.str("proxy").value_or("");
    if (!st.proxy.empty() && st.proxy.rfind("http://", 0) != 0)
      fail(source, t.source(), "channel '" + c.name + "': proxy must be an http://host:port URL");
    st.passthrough = r.boolean("passthrough").value_or(false);
    st.aws_access_key_id = r.str("aws_access_key_id").value_or("");
    st.aws_secret_access_key = r.str("aws_secret_access_key").value_or("");
    st.aws_session_token = r.str("aws_session_token").value_or("");
    if (c.type == "bedrock" && c.api_key.empty() &&
        (st.aws_access_key_id.empty() || st.aws_secret_access_key.empty()))
      fail(source, t.source(),
           "bedrock channel '" + c.name +
               "' needs aws_access_key_id and aws_secret_access_key, or a Bedrock api_key");
    st.stream_options = r.boolean("stream_options").value_or(true);
    st.max_tokens_field = r.str("max_tokens_field").value_or("");
    if (!st.max_tokens_field.empty() && st.max_tokens_field != "max_tokens" &&
        st.max_tokens_field != "max_completion_tokens")
      fail(
          source, t.source(),
          "channel '" + c.name + "': max_tokens_field must be max_tokens or max_completion_tokens");
    cfg.channels.push_back(std::move(c));
  });

  names.clear();
  each_table(root, "prices", source, [&](const toml::table& t) {
    TableReader r(t, source, "[[prices]]", cfg.warnings);
    PriceConfig p;
    p.model = r.required_str("model");
    check_unique(source, "prices", names, p.model);
    p.input = r.number("input").value_or(0);
    p.output = r.number("output").value_or(0);
    p.cache_read = r.number("cache_read").value_or(0);
    p.cache_write = r.number("cache_write").value_or(0);
    p.per_call = r.number("per_call").value_or(0);
    p.per_image = r.number("per_image").value_or(0);
    p.image_prices = r.number_map("image_prices");
    bool negative = p.input < 0 || p.output < 0 || p.cache_read < 0 || p.cache_write < 0 ||
                    p.per_call < 0 || p.per_image < 0;
    for (auto& [size, usd] : p.image_prices) negative |= usd < 0;
    if (negative) fail(source, t.source(), "price of '" + p.model + "' is negative");
    cfg.prices.push_back(std::move(p));
  });

  names.clear();
  each_table(root, "keys", source, [&](const toml::table& t) {
    TableReader r(t, source, "[[keys]]", cfg.warnings);
    KeyConfig k;
    k.name = r.required_str("name");
    check_unique(source, "keys", names, k.name);
    k.key = r.str("key");
    if (k.key && (k.key->rfind("sk-", 0) != 0 || k.key->size() < 20))
      fail(source, t.source(),
           "key '" + k.name +
               "': a fixed secret must start with sk- and have at least 20 characters");
    k.group = r.required_str("group");
    k.quota = r.number("quota");
    if (k.quota && *k.quota < 0) fail(source, t.source(), "key '" + k.name + "': quota < 0");
    k.expires = r.datetime("expires");
    k.models = r.strings("models");
    k.enabled = r.boolean("enabled");
    k.limits = r.limits();
    cfg.keys.push_back(std::move(k));
  });

  if (auto* n = root.get("routing")) {
    auto* t = n->as_table();
    if (!t) fail(source, n->source(), "[routing] must be a table");
    TableReader r(*t, source, "[routing]", cfg.warnings);
    auto& rt = cfg.routing;
    if (auto v = r.positive("max_attempts")) rt.max_attempts = static_cast<int>(*v);
    if (auto v = r.seconds("max_retry_seconds")) rt.max_retry_seconds = *v;
    if (auto v = r.positive("failure_threshold")) rt.failure_threshold = static_cast<int>(*v);
    if (auto v = r.seconds("cooldown_seconds")) rt.cooldown_seconds = *v;
    if (auto v = r.seconds("auth_cooldown_seconds")) rt.auth_cooldown_seconds = *v;
  }
  if (auto* n = root.get("auto")) {
    auto* t = n->as_table();
    if (!t) fail(source, n->source(), "[auto] must be a table");
    TableReader r(*t, source, "[auto]", cfg.warnings);
    cfg.auto_groups = r.strings("groups");
  }
  if (auto* n = root.get("billing")) {
    auto* t = n->as_table();
    if (!t) fail(source, n->source(), "[billing] must be a table");
    TableReader r(*t, source, "[billing]", cfg.warnings);
    cfg.allow_free_models = r.boolean("allow_free_models");
    cfg.max_output_tokens = r.integer("max_output_tokens");
    if (cfg.max_output_tokens && *cfg.max_output_tokens < 1)
      fail(source, t->source(), "[billing] max_output_tokens must be at least 1");
  }
  if (auto* n = root.get("images")) {
    auto* t = n->as_table();
    if (!t) fail(source, n->source(), "[images] must be a table");
    TableReader r(*t, source, "[images]", cfg.warnings);
    auto& im = cfg.images;
    if (auto v = r.str("dir")) im.dir = *v;
    if (auto v = r.str("public_base_url")) {
      if (v->rfind("http://", 0) != 0 && v->rfind("https://", 0) != 0)
        fail(source, t->source(), "[images].public_base_url must start with http:// or https://");
      im.public_base_url = *v;
      while (!im.public_base_url.empty() && im.public_base_url.back() == '/')
        im.public_base_url.pop_back();
    }
    if (auto v = r.number("retention_hours")) {
      if (*v <= 0) fail(source, t->source(), "[images].retention_hours must be positive");
      im.retention_hours = *v;
    }
    if (auto v = r.positive("max_bytes")) im.max_bytes = *v;
    if (auto v = r.positive("max_file_bytes")) im.max_file_bytes = *v;
  }
  return cfg;
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open the config file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), path);
}

}  // namespace aiohub
