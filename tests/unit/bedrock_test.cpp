// AWS SigV4 against the published aws-sig-v4-test-suite vectors, the
// event-stream framing, and Bedrock's re-framing into Anthropic SSE.
#include <gtest/gtest.h>

#include <cstring>

#include "providers/bedrock/bedrock.hpp"
#include "providers/bedrock/eventstream.hpp"
#include "providers/bedrock/sigv4.hpp"

using namespace aiohub;

namespace {

// The suite's credentials, time (2015-08-30T12:36:00Z), region and service.
const sigv4::Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
constexpr std::int64_t kSuiteTime = 1440938160;
constexpr const char* kEmptyHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kSuiteToken =
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfI"
    "eoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/"
    "kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5"
    "VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+"
    "scqKmlzm8FDrypNC9Yjc8f"
    "POLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

sigv4::Signed suite_sign(std::string_view method, std::string_view query,
                         std::vector<std::pair<std::string, std::string>> headers = {},
                         std::string_view body = "", sigv4::Credentials creds = kSuite) {
  sigv4::Request r;
  r.method = method;
  r.host = "example.amazonaws.com";
  r.path = "/";
  r.query = query;
  r.headers = std::move(headers);
  r.body = body;
  return sigv4::sign(r, creds, "us-east-1", "service", kSuiteTime);
}

constexpr const char* kCredentialPrefix =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

}  // namespace

TEST(SigV4, GetVanilla) {
  auto s = suite_sign("GET", "");
  EXPECT_EQ(s.amz_date, "20150830T123600Z");
  EXPECT_EQ(s.canonical_request, std::string("GET\n/\n\nhost:example.amazonaws.com\n"
                                             "x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n") +
                                     kEmptyHash);
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(s.authorization,
            std::string(kCredentialPrefix) +
                "SignedHeaders=host;x-amz-date, "
                "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, PostVanilla) {
  auto s = suite_sign("POST", "");
  EXPECT_EQ(s.signature, "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b");
}

TEST(SigV4, GetVanillaQueryOrderKeyCase) {
  auto s = suite_sign("GET", "Param2=value2&Param1=value1");
  EXPECT_NE(s.canonical_request.find("\nParam1=value1&Param2=value2\n"), std::string::npos);
  EXPECT_EQ(s.signature, "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, PostXWwwFormUrlencoded) {
  auto s = suite_sign("POST", "", {{"Content-Type", "application/x-www-form-urlencoded"}},
                      "Param1=value1");
  EXPECT_EQ(s.signed_headers, "content-type;host;x-amz-date");
  EXPECT_EQ(s.signature, "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(SigV4, PostStsHeaderBeforeSignsTheSessionToken) {
  sigv4::Credentials creds = kSuite;
  creds.session_token = kSuiteToken;
  auto s = suite_sign("POST", "", {}, "", creds);
  EXPECT_EQ(s.signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_EQ(s.signature, "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead");
}

TEST(SigV4, HeaderValuesAreTrimmedAndCollapsed) {
  auto a = suite_sign("POST", "", {{"My-Header1", "  a   b  "}});
  auto b = suite_sign("POST", "", {{"my-header1", "a b"}});
  EXPECT_EQ(a.signature, b.signature);
  EXPECT_NE(a.canonical_request.find("my-header1:a b\n"), std::string::npos);
}

TEST(SigV4, BedrockPathIsEncodedOnceMore) {
  const std::string path = bedrock::invoke_path("anthropic.claude-sonnet-4-5-20250929-v1:0", true);
  EXPECT_EQ(path, "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream");
  sigv4::Request r;
  r.method = "POST";
  r.host = "bedrock-runtime.us-east-1.amazonaws.com";
  r.path = path;
  auto s = sigv4::sign(r, kSuite, "us-east-1", "bedrock", kSuiteTime);
  EXPECT_NE(
      s.canonical_request.find(
          "\n/model/anthropic.claude-sonnet-4-5-20250929-v1%253A0/invoke-with-response-stream\n"),
      std::string::npos);
  EXPECT_NE(s.authorization.find("/20150830/us-east-1/bedrock/aws4_request"), std::string::npos);
}

TEST(SigV4, BedrockHeadUsesBearerForApiKeys) {
  bedrock::Auth auth;
  auth.region = "us-west-2";
  auth.api_key = "ABSKexample";
  auto head = bedrock::request_head(auth, "h", "/model/m/invoke", "{}", false, "", kSuiteTime);
  EXPECT_NE(head.find("Authorization: Bearer ABSKexample\r\n"), std::string::npos);
  EXPECT_EQ(head.find("X-Amz-Date"), std::string::npos);
  auth.api_key.clear();
  auth.credentials = kSuite;
  auth.credentials.session_token = "tok";
  head = bedrock::request_head(auth, "h", "/model/m/invoke", "{}", false, "X-Foo: bar\r\n",
                               kSuiteTime);
  EXPECT_NE(head.find("X-Amz-Date: 20150830T123600Z\r\n"), std::string::npos);
  EXPECT_NE(head.find("X-Amz-Security-Token: tok\r\n"), std::string::npos);
  EXPECT_NE(head.find("SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token"),
            std::string::npos);
  EXPECT_NE(head.find("X-Foo: bar\r\n"), std::string::npos);
}

// --- event stream ---

TEST(EventStream, Crc32IsZlibs) {
  EXPECT_EQ(eventstream::crc32("123456789"), 0xCBF43926u);
  EXPECT_EQ(eventstream::crc32(""), 0u);
}

namespace {

std::string three_messages() {
  std::string wire;
  wire += eventstream::encode({{":event-type", "chunk"}, {":message-type", "event"}}, "one");
  wire += eventstream::encode({{":message-type", "event"}}, "");
  wire += eventstream::encode({{":event-type", "chunk"}, {":content-type", "application/json"}},
                              std::string(300, 'x'));
  return wire;
}

}  // namespace

TEST(EventStream, DecodesWhateverTheSplit) {
  const std::string wire = three_messages();
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    eventstream::Decoder d;
    std::vector<eventstream::Message> out;
    ASSERT_FALSE(d.feed(std::string_view(wire).substr(0, cut), out));
    ASSERT_FALSE(d.feed(std::string_view(wire).substr(cut), out));
    ASSERT_EQ(out.size(), 3u) << "cut at " << cut;
    EXPECT_TRUE(d.idle());
    EXPECT_EQ(out[0].payload, "one");
    EXPECT_EQ(out[0].header(":event-type"), "chunk");
    EXPECT_EQ(out[0].header(":message-type"), "event");
    EXPECT_EQ(out[1].payload, "");
    EXPECT_EQ(out[2].payload, std::string(300, 'x'));
    EXPECT_EQ(out[2].header(":content-type"), "application/json");
  }
  // And byte by byte.
  eventstream::Decoder d;
  std::vector<eventstream::Message> out;
  for (char c : wire) ASSERT_FALSE(d.feed(std::string_view(&c, 1), out));
  EXPECT_EQ(out.size(), 3u);
}

TEST(EventStream, ReadsEveryHeaderType) {
  // Built by hand: bool true, bool false, byte -1, int16 300, int32 -2,
  // int64 2^40, bytes "ab", string "s", timestamp 1000, uuid 16 x 0x11.
  std::string h;
  auto name = [&](const char* n, char type) {
    h.push_back(static_cast<char>(std::strlen(n)));
    h.append(n);
    h.push_back(type);
  };
  name("t", 0);
  name("f", 1);
  name("b", 2);
  h.push_back(static_cast<char>(0xFF));
  name("s16", 3);
  h.append("\x01\x2C", 2);
  name("i32", 4);
  h.append("\xFF\xFF\xFF\xFE", 4);
  name("i64", 5);
  h.append("\x00\x00\x01\x00\x00\x00\x00\x00", 8);
  name("by", 6);
  h.append(
      "\x00\x02"
      "ab",
      4);
  name("str", 7);
  h.append(
      "\x00\x01"
      "s",
      3);
  name("ts", 8);
  h.append("\x00\x00\x00\x00\x00\x00\x03\xE8", 8);
  name("id", 9);
  h.append(std::string(16, '\x11'));
  std::string msg;
  auto put32 = [&](std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) msg.push_back(static_cast<char>((v >> s) & 0xFF));
  };
  put32(static_cast<std::uint32_t>(16 + h.size() + 2));
  put32(static_cast<std::uint32_t>(h.size()));
  put32(eventstream::crc32(msg));
  msg += h + "{}";
  put32(eventstream::crc32(msg));
  eventstream::Decoder d;
  std::vector<eventstream::Message> out;
  ASSERT_FALSE(d.feed(msg, out));
  ASSERT_EQ(out.size(), 1u);
  const auto& m = out[0];
  EXPECT_EQ(m.header("t"), "true");
  EXPECT_EQ(m.header("f"), "false");
  EXPECT_EQ(m.header("b"), "-1");
  EXPECT_EQ(m.header("s16"), "300");
  EXPECT_EQ(m.header("i32"), "-2");
  EXPECT_EQ(m.header("i64"), "1099511627776");
  EXPECT_EQ(m.header("by"), "ab");
  EXPECT_EQ(m.header("str"), "s");
  EXPECT_EQ(m.header("ts"), "1000");
  EXPECT_EQ(m.header("id"), std::string(16, '\x11'));
  EXPECT_EQ(m.payload, "{}");
}

TEST(EventStream, RejectsCrcMismatches) {
  const std::string good = eventstream::encode({{":event-type", "chunk"}}, "payload");
  {
    std::string bad = good;
    bad[bad.size() - 6] ^= 1;  // a payload byte: the message CRC fails
    eventstream::Decoder d;
    std::vector<eventstream::Message> out;
    auto err = d.feed(bad, out);
    ASSERT_TRUE(err);
    EXPECT_EQ(*err, "event-stream message CRC mismatch");
    EXPECT_TRUE(out.empty());
    // Nothing after a corrupt frame is trusted.
    EXPECT_TRUE(d.feed(good, out));
    EXPECT_TRUE(out.empty());
  }
  {
    std::string bad = good;
    bad[9] ^= 1;  // the prelude CRC itself
    eventstream::Decoder d;
    std::vector<eventstream::Message> out;
    auto err = d.feed(std::string_view(bad).substr(0, 12), out);
    ASSERT_TRUE(err);
    EXPECT_EQ(*err, "event-stream prelude CRC mismatch");
  }
}

// --- Bedrock ---

TEST(Bedrock, InvokeBodyDropsModelAndStreamAndAddsVersionAndBetas) {
  auto body =
      bedrock::invoke_body(R"({"model":"claude","stream":true,"max_tokens":5,"messages":[]})",
                           "interleaved-thinking-2025-05-14, context-1m-2025-08-07");
  ASSERT_TRUE(body);
  EXPECT_EQ(*body,
            R"({"max_tokens":5,"messages":[],"anthropic_version":"bedrock-2023-05-31",)"
            R"("anthropic_beta":["interleaved-thinking-2025-05-14","context-1m-2025-08-07"]})");
  EXPECT_FALSE(bedrock::invoke_body("[1]", ""));
}

TEST(Bedrock, ExceptionsMapToStatuses) {
  EXPECT_EQ(bedrock::status_for_exception("throttlingException"), 429);
  EXPECT_EQ(bedrock::status_for_exception("ThrottlingException:http://internal.amazon.com/"), 429);
  EXPECT_EQ(bedrock::status_for_exception("validationException"), 400);
  EXPECT_EQ(bedrock::status_for_exception("accessDeniedException"), 403);
  EXPECT_EQ(bedrock::status_for_exception("modelNotReadyException"), 503);
  EXPECT_EQ(bedrock::status_for_exception("serviceUnavailableException"), 503);
  EXPECT_EQ(bedrock::status_for_exception("modelStreamErrorException"), 500);
  EXPECT_EQ(bedrock::status_for_exception("internalServerException"), 500);
  auto e = bedrock::decode_error(400, "ThrottlingException:http://x", R"({"message":"slow down"})");
  EXPECT_EQ(e.status, 429);
  EXPECT_EQ(e.message, "ThrottlingException: slow down");
  EXPECT_EQ(e.type, "rate_limit_error");
}

namespace {

std::string chunk(std::string_view anthropic_event_json) {
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  std::size_t i = 0;
  const auto* s = reinterpret_cast<const unsigned char*>(anthropic_event_json.data());
  const std::size_t n = anthropic_event_json.size();
  for (; i + 2 < n; i += 3) {
    b64 += kB64[s[i] >> 2];
    b64 += kB64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
    b64 += kB64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
    b64 += kB64[s[i + 2] & 63];
  }
  if (i < n) {
    b64 += kB64[s[i] >> 2];
    if (i + 1 < n) {
      b64 += kB64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
      b64 += kB64[(s[i + 1] & 15) << 2];
    } else {
      b64 += kB64[(s[i] & 3) << 4];
      b64 += '=';
    }
    b64 += '=';
  }
  return eventstream::encode(
      {{":event-type", "chunk"}, {":content-type", "application/json"}, {":message-type", "event"}},
      R"({"bytes":")" + b64 + R"(","p":"abcdefgh"})");
}

}  // namespace

TEST(Bedrock, ReframesChunksAsAnthropicSseAtEveryByteBoundary) {
  const std::string a = R"({"type":"message_start","message":{"id":"msg_1"}})";
  const std::string b =
      R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hé"}})";
  const std::string c = R"({"type":"message_stop"})";
  const std::string wire = chunk(a) + chunk(b) + chunk(c);
  const std::string expected = "event: message_start\ndata: " + a + "\n\n" +
                               "event: content_block_delta\ndata: " + b + "\n\n" +
                               "event: message_stop\ndata: " + c + "\n\n";
  for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
    bedrock::SseReframer r;
    std::string out;
    r.feed(std::string_view(wire).substr(0, cut), out);
    r.feed(std::string_view(wire).substr(cut), out);
    r.finish(out);
    ASSERT_EQ(out, expected) << "cut at " << cut;
  }
}

TEST(Bedrock, ExceptionFramesBecomeAnthropicErrors) {
  bedrock::SseReframer r;
  std::string out;
  r.feed(eventstream::encode({{":exception-type", "throttlingException"},
                              {":content-type", "application/json"},
                              {":message-type", "exception"}},
                             R"({"message":"Too many requests"})"),
         out);
  EXPECT_EQ(out,
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\","
            "\"message\":\"throttlingException: Too many requests\"}}\n\n");
}

TEST(Bedrock, CorruptOrTruncatedStreamsBecomeErrors) {
  std::string wire = chunk(R"({"type":"message_stop"})");
  std::string bad = wire;
  bad[20] ^= 0x40;
  bedrock::SseReframer r;
  std::string out;
  r.feed(bad, out);
  EXPECT_NE(out.find("event: error"), std::string::npos);
  EXPECT_NE(out.find("CRC mismatch"), std::string::npos);
  EXPECT_TRUE(r.failed());

  bedrock::SseReframer t;
  out.clear();
  t.feed(std::string_view(wire).substr(0, wire.size() - 1), out);
  EXPECT_TRUE(out.empty());
  t.finish(out);
  EXPECT_NE(out.find("ended in the middle of a message"), std::string::npos);
}
