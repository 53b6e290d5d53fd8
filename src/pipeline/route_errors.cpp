#include "pipeline/route_errors.hpp"

#include "domain/records.hpp"
#include "router/router.hpp"
#include "util/bounded.hpp"

namespace aiohub {

std::string endpoint_path(Endpoint e) {
  switch (e) {
    case Endpoint::messages:
      return "/v1/messages";
    case Endpoint::responses:
      return "/v1/responses";
    case Endpoint::gemini:
      return "/v1beta/models/{model}:generateContent";
    case Endpoint::images:
      return "/v1/images";
    case Endpoint::chat:
      break;
  }
  return "/v1/chat/completions";
}

std::optional<ApiError> check_group(const Snapshot& snap, const Key& key, Endpoint endpoint) {
  const auto groups = groups_for_key(snap, key);
  const bool is_auto = key.record.group == kAutoGroup;
  if (groups.empty())
    return ApiError{403,
                    is_auto ? std::string("This key routes 'auto', but no auto groups are "
                                          "configured ([auto] groups).")
                            : "This key's group '" + key.record.group + "' no longer exists.",
                    "group_not_found", ""};
  for (const Group* g : groups)
    if (g->allows(endpoint)) return std::nullopt;
  const std::string who = is_auto ? std::string("None of the auto groups allows")
                                  : "Group '" + groups.front()->name + "' does not allow";
  return ApiError{403,
                  who + " the " + std::string(endpoint_name(endpoint)) + " endpoint (" +
                      endpoint_path(endpoint) +
                      "). Use the endpoint your group is for, or a key of another group.",
                  "endpoint_not_allowed", ""};
}

std::optional<ApiError> route_error(const RouteDecision& decision, const std::string& model_name,
                                    const Key& key, Endpoint endpoint) {
  // The client's text, quoted back: bounded (a megabyte name gets a short echo).
  const std::string model = bounded_for_log(model_name, kMaxLoggedName);
  const std::string group = key.record.group == kAutoGroup
                                ? std::string("any group of the auto order")
                                : "group '" + key.record.group + "'";
  using S = RouteDecision::Status;
  switch (decision.status) {
    case S::ok:
      return std::nullopt;
    case S::model_not_allowed_for_key:
      return ApiError{
          404, "The model '" + model + "' is not in this key's allowed models (" + group + ").",
          "model_not_found", ""};
    case S::model_not_in_group:
      return ApiError{404,
                      "The model '" + model + "' is not in " + group +
                          ". GET /v1/models lists the models this key can use.",
                      "model_not_found", ""};
    case S::no_channel_for_endpoint:
      return ApiError{
          400,
          "The model '" + model + "' is served by channel '" + decision.unusable->record.name +
              "' of type '" + decision.unusable->record.type + "', which cannot serve the " +
              std::string(endpoint_name(endpoint)) + " endpoint (" + endpoint_path(endpoint) + ")" +
              (endpoint == Endpoint::images
                   ? "; image models need an openai, openai-compatible or gemini "
                     "channel."
                   : " yet."),
          "channel_type_mismatch", ""};
  }
  return std::nullopt;
}

std::string retry_after_header(std::int64_t seconds) {
  return "Retry-After: " + std::to_string(std::max<std::int64_t>(1, seconds)) + "\r\n";
}

}  // namespace aiohub
