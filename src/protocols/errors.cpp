#include "protocols/errors.hpp"

#include <boost/json.hpp>

#include "util/bounded.hpp"

namespace aiohub {

std::string_view openai_error_type(int status) {
  switch (status) {
    case 400:
    case 404:
    case 413:
    case 422:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 429:
      return "rate_limit_error";
    default:
      return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

std::string_view anthropic_error_type(int status) {
  switch (status) {
    case 400:
    case 422:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 503:
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}

std::string_view gemini_error_status(int status) {
  switch (status) {
    case 400:
    case 413:
      return "INVALID_ARGUMENT";
    case 401:
      return "UNAUTHENTICATED";
    case 403:
      return "PERMISSION_DENIED";
    case 404:
      return "NOT_FOUND";
    case 429:
      return "RESOURCE_EXHAUSTED";
    case 503:
      return "UNAVAILABLE";
    case 504:
      return "DEADLINE_EXCEEDED";
    default:
      return status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
  }
}

std::string error_body(ErrorShape shape, const ApiError& e) {
  namespace json = boost::json;
  // Every error answer passes here: messages that quote a client's input
  // ("unsupported type \"...\"") echo a bounded part of it.
  const std::string message = bounded_for_log(e.message, kMaxEchoedError);
  json::object err;
  switch (shape) {
    case ErrorShape::openai: {
      err["message"] = message;
      err["type"] = e.type.empty() ? openai_error_type(e.status) : std::string_view(e.type);
      err["param"] = nullptr;
      if (e.code.empty())
        err["code"] = nullptr;
      else
        err["code"] = e.code;
      return json::serialize(json::object{{"error", std::move(err)}});
    }
    case ErrorShape::anthropic: {
      err["type"] = e.type.empty() ? anthropic_error_type(e.status) : std::string_view(e.type);
      err["message"] = message;
      return json::serialize(json::object{{"type", "error"}, {"error", std::move(err)}});
    }
    case ErrorShape::gemini: {
      err["code"] = e.status;
      err["message"] = message;
      err["status"] = gemini_error_status(e.status);
      return json::serialize(json::object{{"error", std::move(err)}});
    }
  }
  return {};
}

}  // namespace aiohub
