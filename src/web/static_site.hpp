#pragma once
// Serves the embedded web pages: /console/ (a single-page app: unknown
// sub-paths get its index.html), /setup, and any other page the web build
// adds (a page is a folder with an index.html), plus their hashed assets.
#include <span>
#include <string>
#include <string_view>

#include "web/embedded_files.hpp"

namespace aiohub::web {

struct StaticRequest {
  std::string_view method;
  std::string_view path;  // without the query string
  std::string_view accept_encoding;
  std::string_view if_none_match;
};

struct StaticReply {
  int status = 404;
  std::string content_type;
  std::string_view body;  // points into the embedded table, or static text
  std::string headers;    // complete "Name: value\r\n" lines
};

// Whether `path` belongs to the web pages rather than to the API.
bool is_web_path(std::string_view path, std::span<const EmbeddedFile> files = embedded_files());

StaticReply serve_static(const StaticRequest& request,
                         std::span<const EmbeddedFile> files = embedded_files());

// "text/html; charset=utf-8" for "/x/index.html"; by extension.
std::string_view content_type_for(std::string_view path);

}  // namespace aiohub::web
