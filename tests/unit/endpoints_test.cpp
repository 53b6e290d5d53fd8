#include "app/routes.hpp"

#include <gtest/gtest.h>

#include "protocols/errors.hpp"

using namespace aiohub;

TEST(Endpoints, ChatAndModels) {
  EXPECT_EQ(classify_request("POST", "/v1/chat/completions").kind, RouteKind::generate);
  EXPECT_EQ(classify_request("POST", "/v1/chat/completions/").kind, RouteKind::generate);
  EXPECT_EQ(classify_request("GET", "/v1/chat/completions").kind, RouteKind::method_not_allowed);
  EXPECT_EQ(classify_request("GET", "/v1/models").kind, RouteKind::list_models);
  EXPECT_EQ(classify_request("GET", "/healthz").kind, RouteKind::healthz);
}

TEST(Endpoints, BaseUrlMistakesGetAPreciseAnswer) {
  auto doubled = classify_request("POST", "/v1/v1/chat/completions");
  EXPECT_EQ(doubled.kind, RouteKind::mistake);
  EXPECT_NE(doubled.message.find("extra /v1"), std::string::npos);
  auto full = classify_request("POST", "/v1/chat/completions/chat/completions");
  EXPECT_EQ(full.kind, RouteKind::mistake);
  EXPECT_NE(full.message.find("full endpoint"), std::string::npos);
  auto messages = classify_request("POST", "/v1/messages/v1/messages");
  EXPECT_EQ(messages.kind, RouteKind::mistake);
  EXPECT_EQ(messages.shape, ErrorShape::anthropic);
}

TEST(Endpoints, EveryTextProtocolIsRouted) {
  auto messages = classify_request("POST", "/v1/messages");
  EXPECT_EQ(messages.kind, RouteKind::generate);
  EXPECT_EQ(messages.endpoint, Endpoint::messages);
  EXPECT_EQ(classify_request("POST", "/v1/responses").endpoint, Endpoint::responses);
  auto gem = classify_request("POST", "/v1beta/models/gemini-2.5-pro:streamGenerateContent");
  EXPECT_EQ(gem.kind, RouteKind::generate);
  EXPECT_EQ(gem.endpoint, Endpoint::gemini);
  EXPECT_EQ(gem.gemini_model, "gemini-2.5-pro");
  EXPECT_TRUE(gem.gemini_stream);
  EXPECT_FALSE(classify_request("POST", "/v1beta/models/g:generateContent").gemini_stream);
  EXPECT_EQ(classify_request("GET", "/v1beta/models").kind, RouteKind::list_models);
}

TEST(Endpoints, ErrorsComeInTheCallersProtocol) {
  EXPECT_EQ(classify_request("POST", "/v1/messages").shape, ErrorShape::anthropic);
  EXPECT_EQ(classify_request("POST", "/v1beta/models/gemini-2.5-pro:generateContent").shape,
            ErrorShape::gemini);
  EXPECT_EQ(classify_request("POST", "/v1/responses").shape, ErrorShape::openai);
}

TEST(Endpoints, EndpointMaskFromNames) {
  unsigned m = endpoint_mask({"chat", "gemini", "bogus"});
  EXPECT_TRUE(m & static_cast<unsigned>(Endpoint::chat));
  EXPECT_TRUE(m & static_cast<unsigned>(Endpoint::gemini));
  EXPECT_FALSE(m & static_cast<unsigned>(Endpoint::messages));
}

TEST(Errors, EachProtocolsShape) {
  ApiError e{401, "bad key", "invalid_api_key", ""};
  EXPECT_EQ(
      error_body(ErrorShape::openai, e),
      R"({"error":{"message":"bad key","type":"authentication_error","param":null,"code":"invalid_api_key"}})");
  EXPECT_EQ(error_body(ErrorShape::anthropic, e),
            R"({"type":"error","error":{"type":"authentication_error","message":"bad key"}})");
  EXPECT_EQ(error_body(ErrorShape::gemini, e),
            R"({"error":{"code":401,"message":"bad key","status":"UNAUTHENTICATED"}})");
  EXPECT_EQ(anthropic_error_type(529), "overloaded_error");
  EXPECT_EQ(gemini_error_status(429), "RESOURCE_EXHAUSTED");
}

TEST(Endpoints, AdminPathsAreNeverMistakes) {
  EXPECT_EQ(classify_request("GET", "/api/keys").kind, RouteKind::admin);
  EXPECT_EQ(classify_request("GET", "/api/v1/v1/chat/completions").kind, RouteKind::admin);
  EXPECT_EQ(classify_request("POST", "/api/messages/x/messages").kind, RouteKind::admin);
  EXPECT_EQ(classify_request("GET", "/metrics").kind, RouteKind::admin);
  EXPECT_EQ(classify_request("GET", "/api").kind, RouteKind::admin);
  EXPECT_NE(classify_request("GET", "/apis").kind, RouteKind::admin);
}
