#include "store/usage_journal.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "store/store.hpp"
#include "store/usage_spool.hpp"
#include "util/files.hpp"

namespace aiohub {
namespace {

// Layout: a header page, then entries in a ring. An entry is its sequence
// number (written last, so that a torn entry never reads as complete), its
// length, and the row as one JSON line, padded to 8 bytes.
constexpr std::uint64_t kMagic = 0x314a55425548494fULL;  // "OIHUBUJ1"
constexpr std::size_t kHeader = 4096;
constexpr std::size_t kEntryHead = 16;
constexpr std::size_t kMagicAt = 0, kCommittedSeqAt = 8, kCommittedOffAt = 16;

std::uint64_t load(const char* base, std::size_t at) {
  return std::atomic_ref<std::uint64_t>(
             *reinterpret_cast<std::uint64_t*>(const_cast<char*>(base) + at))
      .load(std::memory_order_acquire);
}

void store_u64(char* base, std::size_t at, std::uint64_t v) {
  std::atomic_ref<std::uint64_t>(*reinterpret_cast<std::uint64_t*>(base + at))
      .store(v, std::memory_order_release);
}

std::size_t padded(std::size_t n) {
  return (n + 7) & ~std::size_t(7);
}

}  // namespace

UsageJournal::UsageJournal(std::filesystem::path file, std::size_t capacity)
    : capacity_(capacity), write_off_(kHeader) {
  if (capacity_ < 2 * kHeader) capacity_ = 2 * kHeader;
  if (file.has_parent_path()) create_private_directories(file.parent_path());
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0)
    throw StoreError("usage journal: cannot open " + file.string() + ": " + std::strerror(errno));
  // Two processes appending to one mapped journal would overwrite each
  // other's rows: the second one goes without.
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd_);
    fd_ = -1;
    throw StoreError("usage journal: " + file.string() +
                     (err == EWOULDBLOCK ? " is in use by another aiohub process"
                                         : std::string(": ") + std::strerror(err)));
  }
  struct stat st {};
  ::fstat(fd_, &st);
  // An existing journal is read at its own size; recover() resizes it.
  std::size_t size = static_cast<std::size_t>(st.st_size) >= 2 * kHeader
                         ? static_cast<std::size_t>(st.st_size)
                         : capacity_;
  if (static_cast<std::size_t>(st.st_size) != size &&
      ::ftruncate(fd_, static_cast<off_t>(size)) != 0)
    throw StoreError("usage journal: cannot size " + file.string() + ": " + std::strerror(errno));
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED)
    throw StoreError("usage journal: cannot map " + file.string() + ": " + std::strerror(errno));
  base_ = static_cast<char*>(p);
  mapped_ = size;
}

UsageJournal::~UsageJournal() {
  if (base_) ::munmap(base_, mapped_);
  if (fd_ >= 0) ::close(fd_);
}

std::vector<UsageRecord> UsageJournal::recover() {
  std::lock_guard lock(mutex_);
  std::vector<UsageRecord> rows;
  if (load(base_, kMagicAt) == kMagic) {
    std::uint64_t expected = load(base_, kCommittedSeqAt) + 1;
    std::uint64_t off = load(base_, kCommittedOffAt);
    if (off < kHeader || off >= mapped_) off = kHeader;
    // The header may lag behind by the entries written just before a kill
    // (sequence number stored before offset): those are skipped, not replayed.
    bool wrapped_here = false, found = false;
    for (std::size_t guard = 0; guard < mapped_ / kEntryHead; ++guard) {
      if (off + kEntryHead > mapped_) off = kHeader;
      std::uint64_t seq = load(base_, off);
      std::uint64_t len = load(base_, off + 8);
      bool whole = seq != 0 && off + kEntryHead + len <= mapped_;
      if (whole && seq == expected) {
        if (auto row = usage_row_from_json(std::string_view(base_ + off + kEntryHead, len)))
          rows.push_back(std::move(*row));
        ++expected;
        found = true;
      } else if (!(whole && !found && seq < expected)) {
        // The writer starts again at the top when an entry does not fit.
        if (wrapped_here || off == kHeader) break;
        off = kHeader;
        wrapped_here = true;
        continue;
      }
      off += kEntryHead + padded(len);
      wrapped_here = false;
    }
  }
  // Start over with an empty journal of the configured size.
  ::munmap(base_, mapped_);
  base_ = nullptr;
  if (::ftruncate(fd_, 0) != 0 || ::ftruncate(fd_, static_cast<off_t>(capacity_)) != 0)
    throw StoreError(std::string("usage journal: cannot reset: ") + std::strerror(errno));
  void* p = ::mmap(nullptr, capacity_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (p == MAP_FAILED)
    throw StoreError(std::string("usage journal: cannot map: ") + std::strerror(errno));
  base_ = static_cast<char*>(p);
  mapped_ = capacity_;
  store_u64(base_, kCommittedSeqAt, 0);
  store_u64(base_, kCommittedOffAt, kHeader);
  store_u64(base_, kMagicAt, kMagic);
  next_seq_ = 1;
  write_off_ = kHeader;
  pending_.clear();
  pending_head_ = 0;
  return rows;
}

std::uint64_t UsageJournal::append(const UsageRecord& row) {
  return append_encoded(usage_row_to_json(row));
}

std::uint64_t UsageJournal::append_encoded(std::string_view text) {
  std::size_t need = kEntryHead + padded(text.size());
  std::lock_guard lock(mutex_);
  if (!base_ || need > mapped_ - kHeader) return 0;
  std::uint64_t at = write_off_;
  if (pending_head_ < pending_.size()) {
    // The oldest entry not yet written starts where the last written one ended.
    std::uint64_t tail = load(base_, kCommittedOffAt);
    if (at >= tail) {
      if (at + need > mapped_) {
        if (kHeader + need > tail) return 0;
        at = kHeader;
      }
    } else if (at + need > tail) {
      return 0;
    }
  } else if (at + need > mapped_) {
    at = kHeader;
  }
  if (at != write_off_ && write_off_ + kEntryHead <= mapped_)
    store_u64(base_, write_off_, 0);  // no stale entry where the reader looks first
  std::uint64_t seq = next_seq_++;
  std::memcpy(base_ + at + kEntryHead, text.data(), text.size());
  store_u64(base_, at + 8, text.size());
  store_u64(base_, at, seq);
  write_off_ = at + need;
  if (pending_head_ > 0 && pending_head_ == pending_.size()) {
    pending_.clear();
    pending_head_ = 0;
  }
  pending_.push_back({seq, write_off_});
  return seq;
}

void UsageJournal::written_up_to(std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  std::uint64_t last_seq = 0, last_end = 0;
  while (pending_head_ < pending_.size() && pending_[pending_head_].seq <= seq) {
    last_seq = pending_[pending_head_].seq;
    last_end = pending_[pending_head_].end;
    ++pending_head_;
  }
  if (!last_seq) return;
  // Sequence number first: killed in between, a reader starts at the old
  // offset and skips what this marks written.
  store_u64(base_, kCommittedSeqAt, last_seq);
  store_u64(base_, kCommittedOffAt, last_end);
}

}  // namespace aiohub
