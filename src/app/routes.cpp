#include "app/routes.hpp"

#include "util/bounded.hpp"
#include "util/strings.hpp"
#include "web/static_site.hpp"

namespace aiohub {
ErrorShape error_shape_for_path(std::string_view path) {
  if (path.find("/messages") != std::string_view::npos) return ErrorShape::anthropic;
  if (path.find("/v1beta/") != std::string_view::npos) return ErrorShape::gemini;
  return ErrorShape::openai;
}

ClassifiedRequest classify_request(std::string_view method, std::string_view path) {
  ClassifiedRequest c;
  c.shape = error_shape_for_path(path);
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);

  if (path == "/healthz") {
    c.kind = RouteKind::healthz;
    return c;
  }

  if (path == "/metrics" || path == "/api" || path.starts_with("/api/")) {
    c.kind = RouteKind::admin;
    return c;
  }

  // Mistakes first: they are what people hit on day one.
  if (path.find("/v1/v1/") != std::string_view::npos || path.ends_with("/v1/v1")) {
    c.kind = RouteKind::mistake;
    c.message = "Your base URL has an extra /v1: the request went to " +
                bounded_for_log(path, kMaxLoggedPath) +
                ". Set the client's base URL to this gateway's root, or to <root>/v1 for "
                "OpenAI-style clients, but not both.";
    return c;
  }
  for (std::string_view ep : {"/chat/completions", "/messages", "/responses"}) {
    if (count_occurrences(path, ep) > 1) {
      c.kind = RouteKind::mistake;
      c.message = "The base URL was set to a full endpoint: the request went to " +
                  bounded_for_log(path, kMaxLoggedPath) + ", which repeats " + std::string(ep) +
                  ". Set the client's base URL to the gateway root (or <root>/v1), without " +
                  std::string(ep) + ".";
      return c;
    }
  }

  if (method == "OPTIONS" && (path == "/v1" || path.starts_with("/v1/") || path == "/v1beta" ||
                              path.starts_with("/v1beta/"))) {
    c.kind = RouteKind::preflight;
    return c;
  }

  const bool post = method == "POST";
  const bool get = method == "GET";
  auto expect = [&](bool ok, RouteKind kind) {
    c.kind = ok ? kind : RouteKind::method_not_allowed;
    return c;
  };
  if (path == "/v1/chat/completions" || path == "/chat/completions") {
    c.endpoint = Endpoint::chat;
    return expect(post, RouteKind::generate);
  }
  if (path == "/v1/models" || path == "/models") {
    c.endpoint = Endpoint::chat;
    return expect(get, RouteKind::list_models);
  }
  auto later = [&](Endpoint e) {
    c.kind = RouteKind::not_served_yet;
    c.endpoint = e;
    c.message = "The endpoint " + bounded_for_log(path, kMaxLoggedPath) +
                " is not served by this gateway version yet.";
    return c;
  };
  if (path == "/v1/messages") {
    c.endpoint = Endpoint::messages;
    return expect(post, RouteKind::generate);
  }
  if (path == "/v1/messages/count_tokens") {
    c.endpoint = Endpoint::messages;
    return expect(post, RouteKind::count_tokens);
  }
  if (path == "/v1/responses") {
    c.endpoint = Endpoint::responses;
    return expect(post, RouteKind::generate);
  }
  if (path.starts_with("/v1/responses/")) return later(Endpoint::responses);
  if (path == "/v1beta/models") {
    c.endpoint = Endpoint::gemini;
    return expect(get, RouteKind::list_models);
  }
  if (path.starts_with("/v1beta/models/")) {
    c.endpoint = Endpoint::gemini;
    std::string_view rest = path.substr(15);
    auto colon = rest.rfind(':');
    std::string_view method = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
    c.gemini_model = std::string(rest.substr(0, colon));
    if (method == "generateContent" || method == "streamGenerateContent") {
      c.gemini_stream = method == "streamGenerateContent";
      return expect(post, RouteKind::generate);
    }
    if (method == "countTokens") return expect(post, RouteKind::count_tokens);
    return later(Endpoint::gemini);
  }
  if (path == "/v1/images/generations" || path == "/v1/images/edits") {
    c.endpoint = Endpoint::images;
    c.image_edit = path == "/v1/images/edits";
    return expect(post, RouteKind::images);
  }
  if (path.starts_with("/v1/images/files/")) {
    c.endpoint = Endpoint::images;
    c.image_file = std::string(path.substr(17));
    return expect(get, RouteKind::image_file);
  }
  if (path.starts_with("/v1/images/")) return later(Endpoint::images);
  if (web::is_web_path(path)) {
    c.kind = RouteKind::web;
    return c;
  }

  c.kind = RouteKind::not_found;
  c.message = "Unknown path " + bounded_for_log(path, kMaxLoggedPath) +
              ". This gateway serves /v1/chat/completions, /v1/responses, /v1/messages, "
              "/v1beta/models/{model}:generateContent, /v1/images/generations, "
              "/v1/images/edits and /v1/models.";
  return c;
}

}  // namespace aiohub
