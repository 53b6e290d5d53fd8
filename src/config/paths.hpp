#pragma once
// Where an instance keeps its own files, derived from [server] (database,
// data_dir, instance_id) and [images] dir. Every command and service asks
// here, so that `aiohub serve`, `aiohub status` and the Images API agree.
//
// The rules:
// - data dir: [server] data_dir; else the SQLite file's directory ("." for a
//   file named without one); else (PostgreSQL) ./data.
// - usage journal: beside an SQLite file as DATABASE.usage-journal (one per
//   database, like its -wal) unless data_dir is set; else DATA_DIR/usage-journal.
// - usage queue (rows waiting for PostgreSQL): DATA_DIR/usage-queue.
// - instance id: [server] instance_id; else the first line of
//   DATA_DIR/instance-id, written on first start.
// - images: [images] dir; else images/ beside the SQLite file; else
//   DATA_DIR/images.
#include <filesystem>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace aiohub::paths {

std::filesystem::path data_dir(const ServerConfig& s);
std::filesystem::path usage_journal_file(const ServerConfig& s);
std::filesystem::path usage_queue_dir(const ServerConfig& s);
std::filesystem::path instance_id_file(const ServerConfig& s);
std::filesystem::path images_dir(const Config& c);

// The files that hold keys or usage and must be the owner's alone: the
// SQLite file and its -wal, -shm and -journal, the usage journal, the
// instance id file (whether or not they exist yet).
std::vector<std::filesystem::path> private_files(const ServerConfig& s);

// The configured instance id, else the one kept in instance_id_file; when
// there is none yet and `create`, a new one (host name and a random suffix)
// is written there. Empty when there is none and !create.
std::string instance_id(const ServerConfig& s, bool create);

}  // namespace aiohub::paths
