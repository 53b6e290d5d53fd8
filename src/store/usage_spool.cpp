#include "store/usage_spool.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "store/pg_connection.hpp"
#include "store/store.hpp"
#include "util/files.hpp"

namespace aiohub {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;

constexpr std::size_t kReplayBatch = 512;
constexpr const char* kSuffix = ".jsonl";

[[noreturn]] void fail(const std::string& what, const fs::path& path) {
  throw StoreError("usage queue: " + what + " " + path.string() + ": " + std::strerror(errno));
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::int64_t get_int(const json::object& o, const char* name) {
  auto* v = o.if_contains(name);
  return v && v->is_int64() ? v->get_int64() : 0;
}

std::string get_str(const json::object& o, const char* name) {
  auto* v = o.if_contains(name);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

bool get_bool(const json::object& o, const char* name) {
  auto* v = o.if_contains(name);
  return v && v->is_bool() && v->get_bool();
}

std::vector<std::string> read_lines(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<std::string> lines;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t start = 0;
  for (;;) {
    auto nl = text.find('\n', start);
    // A last line without its newline was torn by a crash before its fsync
    // returned: that batch was never reported as written.
    if (nl == std::string::npos) break;
    if (nl > start) lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

}  // namespace

std::string usage_row_to_json(const UsageRecord& r) {
  json::object o;
  o["ts_ms"] = r.ts_ms;
  o["request_id"] = r.request_id;
  o["key_id"] = r.key_id;
  o["key_name"] = r.key_name;
  o["group"] = r.group;
  o["model"] = r.model;
  o["upstream_model"] = r.upstream_model;
  o["channel"] = r.channel;
  o["endpoint"] = r.endpoint;
  o["stream"] = r.stream;
  o["input"] = r.usage.input;
  o["output"] = r.usage.output;
  o["cache_read"] = r.usage.cache_read;
  o["cache_write"] = r.usage.cache_write;
  o["reasoning"] = r.usage.reasoning;
  o["reported"] = r.usage.reported;
  o["usage_estimated"] = r.usage_estimated;
  o["cost"] = r.cost;
  o["latency_ms"] = r.latency_ms;
  o["ttfb_ms"] = r.ttfb_ms;
  o["status"] = r.status;
  // Text fields pass through pg_text so that the line is valid JSON text
  // whatever bytes an upstream put in an error message.
  o["error"] = pg_text(r.error);
  o["attempts"] = pg_text(r.attempts);
  return json::serialize(o);
}

std::optional<UsageRecord> usage_row_from_json(std::string_view line) {
  boost::system::error_code ec;
  auto v = json::parse(line, ec);
  if (ec || !v.is_object()) return std::nullopt;
  auto& o = v.get_object();
  UsageRecord r;
  r.ts_ms = get_int(o, "ts_ms");
  r.request_id = get_str(o, "request_id");
  r.key_id = get_int(o, "key_id");
  r.key_name = get_str(o, "key_name");
  r.group = get_str(o, "group");
  r.model = get_str(o, "model");
  r.upstream_model = get_str(o, "upstream_model");
  r.channel = get_str(o, "channel");
  r.endpoint = get_str(o, "endpoint");
  r.stream = get_bool(o, "stream");
  r.usage.input = get_int(o, "input");
  r.usage.output = get_int(o, "output");
  r.usage.cache_read = get_int(o, "cache_read");
  r.usage.cache_write = get_int(o, "cache_write");
  r.usage.reasoning = get_int(o, "reasoning");
  r.usage.reported = get_bool(o, "reported");
  r.usage_estimated = get_bool(o, "usage_estimated");
  r.cost = get_int(o, "cost");
  r.latency_ms = get_int(o, "latency_ms");
  r.ttfb_ms = get_int(o, "ttfb_ms");
  r.status = static_cast<int>(get_int(o, "status"));
  r.error = get_str(o, "error");
  r.attempts = get_str(o, "attempts");
  return r;
}

UsageSpool::UsageSpool(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  create_private_directories(dir_, ec);
  if (ec) throw StoreError("usage queue: cannot create " + dir_.string() + ": " + ec.message());
  std::size_t rows = 0;
  for (auto& f : files()) {
    rows += read_lines(f).size();
    auto stem = f.stem().string();
    std::uint64_t seq = 0;
    if (std::from_chars(stem.data(), stem.data() + stem.size(), seq).ec == std::errc() &&
        seq < UINT64_MAX)
      next_seq_ = std::max(next_seq_, seq + 1);
  }
  rows_ = rows;
}

UsageSpool::~UsageSpool() {
  close_current();
}

std::vector<fs::path> UsageSpool::files() const {
  std::vector<fs::path> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir_, ec)) {
    auto name = e.path().filename().string();
    if (e.is_regular_file() && name.size() > 6 && e.path().extension() == kSuffix &&
        std::all_of(name.begin(), name.end() - 6, [](char c) { return c >= '0' && c <= '9'; }))
      out.push_back(e.path());
  }
  // Zero-padded sequence numbers: name order is append order.
  std::sort(out.begin(), out.end());
  return out;
}

void UsageSpool::close_current() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void UsageSpool::append(const std::vector<UsageRecord>& rows) {
  if (rows.empty()) return;
  if (fd_ < 0) {
    char name[32];
    std::snprintf(name, sizeof name, "%020llu%s", static_cast<unsigned long long>(next_seq_++),
                  kSuffix);
    auto path = dir_ / name;
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) fail("cannot create", path);
    fsync_dir(dir_);
  }
  std::string text;
  for (auto& r : rows) {
    text += usage_row_to_json(r);
    text += '\n';
  }
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    auto n = ::write(fd_, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      close_current();  // a later append starts a clean file
      fail("cannot write to", dir_);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  if (::fdatasync(fd_) != 0) {
    close_current();
    fail("cannot sync", dir_);
  }
  rows_ += rows.size();
}

std::size_t UsageSpool::replay(
    Store& store, const std::function<void(const std::vector<UsageRecord>&)>& committed) {
  // New rows go to a new file from now on, so that every file read here is complete.
  close_current();
  std::size_t replayed = 0;
  for (auto& file : files()) {
    auto lines = read_lines(file);
    std::vector<UsageRecord> batch;
    std::size_t bad = 0;
    auto flush = [&] {
      store.write_usage(batch);
      if (committed) committed(batch);
      replayed += batch.size();
      batch.clear();
    };
    for (auto& line : lines) {
      if (auto r = usage_row_from_json(line)) {
        batch.push_back(std::move(*r));
        if (batch.size() >= kReplayBatch) flush();
      } else {
        ++bad;
      }
    }
    flush();
    if (bad) spdlog::error("usage queue: {} unreadable rows dropped from {}", bad, file.string());
    fs::remove(file);
    fsync_dir(dir_);
    rows_ -= std::min(rows_.load(), lines.size());
  }
  return replayed;
}

std::size_t UsageSpool::count_rows(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  std::size_t n = 0;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == kSuffix) n += read_lines(e.path()).size();
  return n;
}

std::optional<std::int64_t> UsageSpool::oldest_row_ms(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  std::vector<fs::path> files;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == kSuffix) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& f : files)
    for (auto& line : read_lines(f))
      if (auto r = usage_row_from_json(line)) return r->ts_ms;
  return std::nullopt;
}

}  // namespace aiohub
