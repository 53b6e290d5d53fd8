#pragma once
// A small process-wide pool of PostgreSQL connections, per database URL.
// Threads open and drop Store objects freely (the usage writer reopens after
// a failure, the shell opens one per command); the pool keeps a few idle
// connections so that this does not cost a connection setup each time.
#include <memory>
#include <string>

#include "store/pg_connection.hpp"

namespace aiohub {

class PgLease {
 public:
  PgLease(std::string url, std::unique_ptr<PgConnection> conn)
      : url_(std::move(url)), conn_(std::move(conn)) {}
  PgLease(PgLease&&) = default;
  PgLease& operator=(PgLease&&) = delete;
  // Gives the connection back when it is healthy and outside a transaction.
  ~PgLease();

  PgConnection& operator*() { return *conn_; }
  PgConnection* operator->() { return conn_.get(); }

 private:
  std::string url_;
  std::unique_ptr<PgConnection> conn_;
};

// An idle connection to `url` if one is still alive, else a new one.
PgLease pg_acquire(const std::string& url);

// How many idle connections are kept per URL.
inline constexpr std::size_t kPgIdlePerUrl = 8;

}  // namespace aiohub
