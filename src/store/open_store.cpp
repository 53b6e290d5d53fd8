#include "store/pg_connection.hpp"
#include "store/store.hpp"

namespace aiohub {

bool is_postgres_url(std::string_view url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

std::optional<std::string> sqlite_path_of(std::string_view url) {
  constexpr std::string_view kSqlite = "sqlite://";
  if (url.substr(0, kSqlite.size()) != kSqlite) return std::nullopt;
  return std::string(url.substr(kSqlite.size()));
}

std::unique_ptr<Store> open_store(std::string_view url) {
  if (auto path = sqlite_path_of(url)) {
    if (path->empty()) throw StoreError("database URL has no path: " + std::string(url));
    return open_sqlite_store(*path);
  }
  if (is_postgres_url(url)) return open_postgres_store(std::string(url));
  throw StoreError(
      "unsupported database URL (expected sqlite://PATH or postgres://USER:PASSWORD@HOST/DB): " +
      redact_database_url(url));
}

}  // namespace aiohub
