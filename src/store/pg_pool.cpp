#include "store/pg_pool.hpp"

#include <map>
#include <mutex>
#include <vector>

namespace aiohub {
namespace {

struct Pool {
  std::mutex mutex;
  std::map<std::string, std::vector<std::unique_ptr<PgConnection>>> idle;
};

Pool& pool() {
  // Never destroyed: leases may be returned by threads still running at exit.
  static auto* p = new Pool;
  return *p;
}

}  // namespace

PgLease::~PgLease() {
  if (!conn_ || conn_->in_transaction() || !conn_->healthy()) return;
  auto& p = pool();
  std::lock_guard lock(p.mutex);
  auto& list = p.idle[url_];
  if (list.size() < kPgIdlePerUrl) list.push_back(std::move(conn_));
}

PgLease pg_acquire(const std::string& url) {
  auto& p = pool();
  for (;;) {
    std::unique_ptr<PgConnection> conn;
    {
      std::lock_guard lock(p.mutex);
      auto it = p.idle.find(url);
      if (it == p.idle.end() || it->second.empty()) break;
      conn = std::move(it->second.back());
      it->second.pop_back();
    }
    if (conn->healthy()) return PgLease(url, std::move(conn));
    // Closed by the server (restart, idle timeout): drop it and look again.
  }
  return PgLease(url, std::make_unique<PgConnection>(url));
}

}  // namespace aiohub
