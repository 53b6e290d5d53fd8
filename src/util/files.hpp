#pragma once
// The gateway's own files hold upstream keys and usage: only the owner may
// read them. main() sets the umask to 077 for every command; directories
// are made owner-only here as well, whatever the umask.
#include <filesystem>
#include <optional>
#include <system_error>

namespace aiohub {

// Creates `dir` and its missing parents, each new one with mode 0700.
void create_private_directories(const std::filesystem::path& dir, std::error_code& ec);
// The same; throws std::filesystem::filesystem_error.
void create_private_directories(const std::filesystem::path& dir);

// Narrows an existing file to 0600 when its group or others have any
// access. Returns the mode it had when it was changed.
std::optional<std::filesystem::perms> restrict_to_owner(const std::filesystem::path& file);

}  // namespace aiohub
