#pragma once
// Which client protocol a request speaks, from its method and path, and the
// precise answer for the set-up mistakes people make with base URLs.
#include <string>
#include <string_view>
#include <vector>

#include "domain/api_error.hpp"
#include "domain/endpoint.hpp"

namespace aiohub {

enum class RouteKind {
  healthz,
  admin,           // /api/... and /metrics: the admin side answers (admin/front_door.hpp)
  generate,        // a model request in one of the text protocols
  count_tokens,    // POST /v1/messages/count_tokens, POST /v1beta/models/{m}:countTokens
  list_models,     // GET /v1/models, GET /v1beta/models
  images,          // POST /v1/images/generations, POST /v1/images/edits
  image_file,      // GET /v1/images/files/{name}: a stored image, no key needed
  preflight,       // OPTIONS under /v1/ or /v1beta/: CORS, no key needed
  not_served_yet,  // a known endpoint the gateway does not answer yet
  method_not_allowed,
  mistake,  // a base-URL mistake; `message` says which
  web,      // the embedded web pages (src/web/)
  not_found,
};

struct ClassifiedRequest {
  RouteKind kind = RouteKind::not_found;
  ErrorShape shape = ErrorShape::openai;
  Endpoint endpoint = Endpoint::chat;
  std::string message;       // for mistakes and not_served_yet
  std::string gemini_model;  // Gemini: the model named in the path
  bool gemini_stream = false;
  bool image_edit = false;  // images: edits rather than generations
  std::string image_file;   // image_file: the file name in the path
};

// `path` excludes the query string.
ClassifiedRequest classify_request(std::string_view method, std::string_view path);

// The protocol whose error shape a path's caller expects.
ErrorShape error_shape_for_path(std::string_view path);

}  // namespace aiohub
