#include "web/static_site.hpp"

#include <array>
#include <utility>

#include "util/strings.hpp"

namespace aiohub::web {
namespace {

// Hashed names never change content, so browsers may keep them for good;
// pages are revalidated (cheaply, by ETag) so a new build shows at once.
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
// Pages only talk to this origin; the set-up page must never send a pasted key elsewhere.
constexpr std::string_view kPageSecurity =
    "Content-Security-Policy: default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
    "'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'\r\n"
    "Referrer-Policy: no-referrer\r\n";

const EmbeddedFile* find(std::span<const EmbeddedFile> files, std::string_view path) {
  for (auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}

const EmbeddedFile* find_page(std::span<const EmbeddedFile> files, std::string_view dir) {
  std::string index(dir);
  index += "/index.html";
  return find(files, index);
}

// Accept-Encoding lists gzip without q=0 (or accepts anything with *).
bool accepts_gzip(std::string_view header) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    auto semi = item.find(';');
    std::string_view coding = trim(item.substr(0, semi));
    bool zero = false;
    if (semi != std::string_view::npos) {
      std::string_view params = trim(item.substr(semi + 1));
      if (params.starts_with("q=")) {
        std::string_view q = params.substr(2);
        zero = q == "0" ||
               (q.starts_with("0.") && q.find_first_not_of("0.") == std::string_view::npos);
      }
    }
    if ((coding == "gzip" || coding == "x-gzip" || coding == "*") && !zero) return true;
  }
  return false;
}

// If-None-Match is "*" or a list of entity tags; weak ones compare by value.
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view item = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

StaticReply text_reply(int status, std::string_view body, std::string headers = {}) {
  StaticReply r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = body;
  r.headers = std::move(headers);
  return r;
}

StaticReply file_reply(const StaticRequest& req, const EmbeddedFile& file) {
  StaticReply r;
  r.status = 200;
  r.content_type = std::string(content_type_for(file.path));
  const bool gzip = !file.gzip.empty() && accepts_gzip(req.accept_encoding);
  // A strong ETag names one representation, so the gzip body gets its own.
  std::string etag(file.etag);
  if (gzip) etag.insert(etag.size() - 1, "-gz");
  const bool hashed = file.path.starts_with("/assets/");
  r.headers = "ETag: " + etag +
              "\r\nCache-Control: " + std::string(hashed ? kImmutable : kRevalidate) +
              "\r\nX-Content-Type-Options: nosniff\r\n";
  if (!file.gzip.empty()) r.headers += "Vary: Accept-Encoding\r\n";
  if (file.path.ends_with(".html")) r.headers += kPageSecurity;
  if (etag_matches(req.if_none_match, etag)) {
    r.status = 304;
    return r;
  }
  if (gzip) r.headers += "Content-Encoding: gzip\r\n";
  r.body = req.method == "HEAD" ? std::string_view{} : (gzip ? file.gzip : file.body);
  return r;
}

}  // namespace

std::string_view content_type_for(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".wasm", "application/wasm"},
  }};
  for (auto& [ext, type] : kTypes)
    if (path.ends_with(ext)) return type;
  return "application/octet-stream";
}

bool is_web_path(std::string_view path, std::span<const EmbeddedFile> files) {
  if (path == "/" || path.starts_with("/assets/")) return true;
  // The first path segment names a page folder of the build.
  auto end = path.find('/', 1);
  std::string prefix(path.substr(0, end));
  prefix += '/';
  if (prefix.size() < 3) return false;
  for (auto& f : files)
    if (f.path.starts_with(prefix)) return true;
  return false;
}

StaticReply serve_static(const StaticRequest& req, std::span<const EmbeddedFile> files) {
  if (req.method != "GET" && req.method != "HEAD")
    return text_reply(405, "Only GET and HEAD are allowed here.\n", "Allow: GET, HEAD\r\n");
  std::string_view path = req.path;
  if (path == "/") return text_reply(302, "See /console/\n", "Location: /console/\r\n");
  if (auto* f = find(files, path)) return file_reply(req, *f);

  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  if (auto* f = find_page(files, path)) return file_reply(req, *f);

  // A missing asset is a 404, never a page: a browser would try to run the HTML.
  auto last_slash = path.rfind('/');
  const bool looks_like_file = path.find('.', last_slash) != std::string_view::npos;
  if (!path.starts_with("/assets/") && !looks_like_file) {
    // Single-page apps route on the client: the nearest page above answers.
    for (auto cut = last_slash; cut != 0 && cut != std::string_view::npos;
         cut = path.rfind('/', cut - 1)) {
      if (auto* f = find_page(files, path.substr(0, cut))) return file_reply(req, *f);
    }
  }
  return text_reply(404, "Not found.\n");
}

}  // namespace aiohub::web
