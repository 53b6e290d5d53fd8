#include "store/change_listener.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <thread>

#include "store/pg_connection.hpp"
#include "store/store.hpp"

namespace aiohub {
namespace {

class PgChangeListener final : public ChangeListener {
 public:
  PgChangeListener(std::string url, std::function<void()> on_change)
      : url_(std::move(url)), on_change_(std::move(on_change)) {
    thread_ = std::thread([this] { run(); });
  }
  ~PgChangeListener() override {
    stopping_ = true;
    thread_.join();
  }

 private:
  void run() {
    bool complained = false;
    while (!stopping_) {
      PGconn* conn = connect();
      if (!conn) {
        if (!complained)
          spdlog::warn("change notices unavailable; polling only until they are back");
        complained = true;
        pause(1000);
        continue;
      }
      if (complained) spdlog::info("change notices back");
      complained = false;
      // Whatever changed while we were away: let the watcher look.
      on_change_();
      listen(conn);
      PQfinish(conn);
    }
  }

  PGconn* connect() {
    const char* keywords[] = {"connect_timeout", "dbname", nullptr};
    const char* values[] = {"5", url_.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keywords, values, 1);
    if (PQstatus(conn) == CONNECTION_OK) {
      PGresult* r = PQexec(conn, (std::string("LISTEN ") + kConfigChangedChannel).c_str());
      bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      if (ok) return conn;
    }
    PQfinish(conn);
    return nullptr;
  }

  // Returns when the connection breaks or on stop.
  void listen(PGconn* conn) {
    while (!stopping_) {
      pollfd p{PQsocket(conn), POLLIN, 0};
      int n = ::poll(&p, 1, 200);  // short: `stopping_` is checked between waits
      if (n < 0) continue;
      if (n == 0) continue;
      if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) return;
      bool changed = false;
      while (PGnotify* note = PQnotifies(conn)) {
        changed = true;
        PQfreemem(note);
      }
      if (changed) on_change_();
    }
  }

  void pause(int ms) {
    for (int waited = 0; waited < ms && !stopping_; waited += 100)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  std::string url_;
  std::function<void()> on_change_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<ChangeListener> listen_for_config_changes(std::string_view database_url,
                                                          std::function<void()> on_change) {
  if (!is_postgres_url(database_url)) return nullptr;
  return std::make_unique<PgChangeListener>(std::string(database_url), std::move(on_change));
}

}  // namespace aiohub
