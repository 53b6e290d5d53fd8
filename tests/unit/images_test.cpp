#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "app/routes.hpp"
#include "billing/image_pricing.hpp"
#include "protocols/openai_images/gemini_bridge.hpp"
#include "protocols/openai_images/request.hpp"
#include "server/cors.hpp"
#include "util/base64.hpp"

using namespace aiohub;
using namespace aiohub::openai_images;
namespace json = boost::json;

namespace {

const std::string kPng("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
const std::string kJpeg("\xff\xd8\xff\xe0\0\x10JFIF", 10);
const std::string kWebp("RIFF\x10\0\0\0WEBPVP8 ", 16);

struct TestForm {
  std::string type;
  std::string body;
};

TestForm edit_form(const std::vector<std::pair<std::string, std::string>>& fields,
                   const std::vector<std::pair<std::string, std::string>>& files) {
  multipart::Writer w;
  for (auto& [k, v] : fields) w.field(k, v);
  for (auto& [k, v] : files) w.file(k, k + ".bin", "application/octet-stream", v);
  TestForm f;
  f.type = w.content_type();
  f.body = w.finish();
  return f;
}

}  // namespace

TEST(Images, SniffsPngJpegWebpOnly) {
  EXPECT_EQ(sniff_image(kPng), "image/png");
  EXPECT_EQ(sniff_image(kJpeg), "image/jpeg");
  EXPECT_EQ(sniff_image(kWebp), "image/webp");
  EXPECT_EQ(sniff_image("GIF89a......"), "");
  EXPECT_EQ(sniff_image("\x89PN"), "");
  EXPECT_EQ(sniff_image(""), "");
}

TEST(Images, GenerationRequestChecks) {
  ImageRequest r;
  ASSERT_FALSE(parse_generation(
      R"({"model":"gpt-image-1","prompt":"a fox","n":2,"size":"1024x1024","quality":"high","stream":true,"partial_images":2,"extra":{"kept":1}})",
      r));
  EXPECT_EQ(r.model, "gpt-image-1");
  EXPECT_EQ(r.n, 2);
  EXPECT_TRUE(r.stream);
  const auto bad = [](std::string_view body, std::string_view words) {
    ImageRequest x;
    auto err = parse_generation(body, x);
    ASSERT_TRUE(err) << body;
    EXPECT_EQ(err->status, 400);
    EXPECT_NE(err->message.find(words), std::string::npos) << err->message;
  };
  bad("[1]", "JSON object");
  bad("{", "JSON object");
  bad(R"({"prompt":"x"})", "model");
  bad(R"({"model":"m"})", "prompt");
  bad(R"({"model":"m","prompt":""})", "prompt");
  bad(R"({"model":"m","prompt":"x","n":0})", "'n' must be between 1 and 10");
  bad(R"({"model":"m","prompt":"x","n":"2"})", "'n' must be an integer");
  bad(R"({"model":"m","prompt":"x","partial_images":4})", "partial_images");
  bad(R"({"model":"m","prompt":"x","response_format":"png"})", "response_format");
  bad(R"({"model":"m","prompt":"x","stream":"yes"})", "stream");
  bad(R"({"model":7,"prompt":"x"})", "'model' must be a string");
}

TEST(Images, UpstreamJsonRenamesModelAndSettlesResponseFormat) {
  ImageRequest r;
  ASSERT_FALSE(parse_generation(
      R"({"model":"img","prompt":"p","response_format":"url","user":"u1","style":"vivid"})", r));
  auto gpt = json::parse(upstream_json(r, "gpt-image-1")).as_object();
  EXPECT_EQ(gpt.at("model"), "gpt-image-1");
  EXPECT_FALSE(gpt.contains("response_format"));
  EXPECT_EQ(gpt.at("user"), "u1");
  auto dalle = json::parse(upstream_json(r, "dall-e-3")).as_object();
  EXPECT_EQ(dalle.at("response_format"), "b64_json");
  EXPECT_EQ(dalle.at("style"), "vivid");
  EXPECT_TRUE(wants_url(r, "gpt-image-1"));
  ImageRequest plain;
  ASSERT_FALSE(parse_generation(R"({"model":"img","prompt":"p"})", plain));
  EXPECT_TRUE(wants_url(plain, "dall-e-3"));  // DALL-E's default
  EXPECT_FALSE(wants_url(plain, "gpt-image-1"));
}

TEST(Images, EditFormParsesImagesMaskAndFields) {
  auto f = edit_form({{"prompt", "add a hat"}, {"model", "img"}, {"n", "2"}, {"stream", "true"}},
                     {{"image[]", kPng}, {"image[]", kJpeg}, {"mask", kPng}});
  ImageRequest r;
  ASSERT_FALSE(parse_edit(f.type, f.body, multipart::Limits{}, r));
  EXPECT_EQ(r.prompt, "add a hat");
  EXPECT_EQ(r.n, 2);
  EXPECT_TRUE(r.stream);
  ASSERT_EQ(r.images.size(), 2u);
  EXPECT_EQ(r.images[1].mime, "image/jpeg");
  EXPECT_EQ(r.images[1].bytes, kJpeg);
  ASSERT_TRUE(r.mask);

  // Re-encoded for the upstream: model replaced, files byte for byte.
  auto up = upstream_form(r, "gpt-image-1.5");
  std::vector<multipart::Part> parts;
  ASSERT_FALSE(multipart::parse(up.content_type, up.body, multipart::Limits{}, parts));
  std::map<std::string, std::string> text;
  std::vector<std::string> files;
  for (auto& p : parts) {
    if (p.is_file())
      files.push_back(p.name + ":" + p.content_type + ":" + std::to_string(p.data.size()));
    else
      text[p.name] = p.data;
  }
  EXPECT_EQ(text["model"], "gpt-image-1.5");
  EXPECT_EQ(text["prompt"], "add a hat");
  EXPECT_FALSE(text.count("response_format"));
  EXPECT_EQ(files, (std::vector<std::string>{"image[]:image/png:16", "image[]:image/jpeg:10",
                                             "mask:image/png:16"}));
}

TEST(Images, EditFormErrors) {
  const auto bad = [](const TestForm& f, int status, std::string_view words) {
    ImageRequest r;
    auto err = parse_edit(f.type, f.body, multipart::Limits{}, r);
    ASSERT_TRUE(err);
    EXPECT_EQ(err->status, status);
    EXPECT_NE(err->message.find(words), std::string::npos) << err->message;
  };
  bad(edit_form({{"prompt", "p"}, {"model", "m"}}, {}), 400, "at least one file");
  bad(edit_form({{"prompt", "p"}, {"model", "m"}}, {{"image", "GIF89a"}}), 400,
      "not a PNG, JPEG or WebP");
  bad(edit_form({{"prompt", "p"}, {"model", "m"}, {"colour", "red"}}, {{"image", kPng}}), 400,
      "Unknown parameter: 'colour'");
  bad(edit_form({{"prompt", "p"}, {"model", "m"}, {"image", "text"}}, {}), 400,
      "must be a file upload");
  bad(edit_form({{"model", "m"}}, {{"image", kPng}, {"prompt", "as a file"}}), 400, "must be text");
  bad(edit_form({{"prompt", "p"}, {"model", "m"}, {"n", "eleven"}}, {{"image", kPng}}), 400,
      "'n' must be an integer");
  bad(edit_form({{"prompt", "p"}, {"model", "m"}, {"model", "m2"}}, {{"image", kPng}}), 400,
      "more than once");
  bad(edit_form({{"prompt", "p"}}, {{"image", kPng}}), 400, "model");
  bad(edit_form({{"prompt", "p"}, {"model", "m"}},
                {{"image", kPng}, {"mask", kPng}, {"mask", kPng}}),
      400, "more than one 'mask'");
  std::vector<std::pair<std::string, std::string>> many(17, {"image", kPng});
  bad(edit_form({{"prompt", "p"}, {"model", "m"}}, many), 400, "at most 16");
  TestForm no_boundary{"multipart/form-data", "x"};
  bad(no_boundary, 400, "boundary");
  TestForm json_type{"application/json", "{}"};
  bad(json_type, 400, "multipart/form-data");

  multipart::Limits small;
  small.max_file_bytes = 8;
  auto f = edit_form({{"prompt", "p"}, {"model", "m"}}, {{"image", kPng}});
  ImageRequest r;
  auto err = parse_edit(f.type, f.body, small, r);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 413);
}

TEST(Images, GeminiRequestCarriesPromptImagesMaskAndAspectRatio) {
  auto f = edit_form({{"prompt", "make it blue"}, {"model", "m"}, {"size", "1536x1024"}},
                     {{"image", kPng}, {"mask", kPng}});
  ImageRequest r;
  ASSERT_FALSE(parse_edit(f.type, f.body, multipart::Limits{}, r));
  auto body = json::parse(gemini_request_body(r)).as_object();
  auto& parts = body.at("contents").at(0).at("parts").as_array();
  ASSERT_EQ(parts.size(), 4u);
  EXPECT_EQ(parts[0].at("text"), "make it blue");
  EXPECT_EQ(parts[1].at("inlineData").at("mimeType"), "image/png");
  EXPECT_EQ(std::string(parts[1].at("inlineData").at("data").as_string()), base64_encode(kPng));
  EXPECT_NE(std::string(parts[2].at("text").as_string()).find("mask"), std::string::npos);
  auto& config = body.at("generationConfig").as_object();
  EXPECT_EQ(config.at("responseModalities"), json::parse(R"(["TEXT","IMAGE"])"));
  EXPECT_EQ(config.at("imageConfig").at("aspectRatio"), "3:2");
  EXPECT_EQ(gemini_aspect_ratio("1024x1536"), "2:3");
  EXPECT_EQ(gemini_aspect_ratio("1792x1024"), "16:9");
  EXPECT_EQ(gemini_aspect_ratio("1024x1024"), "1:1");
  EXPECT_EQ(gemini_aspect_ratio("auto"), "");
}

TEST(Images, GeminiAnswerReadsImagesUsageAndRefusals) {
  GeminiImages g;
  ASSERT_FALSE(read_gemini_answer(
      R"({"candidates":[{"content":{"parts":[{"text":"thinking","thought":true},{"text":"Here"},{"inlineData":{"mimeType":"image/png","data":"iVBORw=="}}]},"finishReason":"STOP"}],
          "usageMetadata":{"promptTokenCount":20,"candidatesTokenCount":1290,"promptTokensDetails":[{"modality":"TEXT","tokenCount":12},{"modality":"IMAGE","tokenCount":8}]}})",
      g));
  ASSERT_EQ(g.images.size(), 1u);
  EXPECT_EQ(g.images[0].b64, "iVBORw==");
  EXPECT_EQ(g.text, "Here");
  EXPECT_EQ(g.usage.input, 20);
  EXPECT_EQ(g.usage.output, 1290);
  EXPECT_EQ(g.input_image_tokens, 8);

  GeminiImages none;
  auto err = read_gemini_answer(
      R"({"candidates":[{"content":{"parts":[{"text":"I cannot draw that"}]},"finishReason":"IMAGE_SAFETY"}]})",
      none);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 400);
  EXPECT_NE(err->message.find("IMAGE_SAFETY"), std::string::npos);
  err =
      read_gemini_answer(R"({"candidates":[{"content":{"parts":[{"text":"just text"}]}}]})", none);
  ASSERT_TRUE(err);
  EXPECT_EQ(err->status, 502);
  EXPECT_TRUE(read_gemini_answer("not json", none));
}

TEST(Images, PricePerSizeAndQualityThenSizeThenFlat) {
  PriceRecord rec;
  rec.per_image = 0.04;
  rec.image_prices = {{"1024x1024/high", 0.167}, {"1024x1024", 0.011}};
  const ImagePrice p = image_price_of(rec);
  EXPECT_EQ(image_unit_price(p, "1024x1024", "high"), 167'000);
  EXPECT_EQ(image_unit_price(p, "1024x1024", "low"), 11'000);
  EXPECT_EQ(image_unit_price(p, "1536x1024", "high"), 40'000);
  EXPECT_EQ(image_unit_price(p, "", ""), 40'000);

  ImageBill bill;
  bill.images = 3;
  bill.size = "1024x1024";
  bill.quality = "high";
  bill.tokens.input = 100'000;
  bill.tokens.output = 50'000;
  Price tokens;
  tokens.input = usd_to_micros(5.0);
  tokens.output = usd_to_micros(40.0);
  // 3 x 0.167 + 0.1M x $5/M + 0.05M x $40/M = 0.501 + 0.5 + 2.0
  EXPECT_EQ(image_cost(bill, &tokens, &p, 1'000'000), 3'001'000);
  EXPECT_EQ(image_cost(bill, nullptr, &p, 500'000), 250'500);
  EXPECT_EQ(image_cost(bill, nullptr, nullptr, 1'000'000), 0);
}

TEST(Images, Base64RoundTrip) {
  for (std::string s : {std::string(), std::string("a"), std::string("ab"), std::string("abc"),
                        kPng, std::string(1000, '\xff')}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(base64_decode("abc"));
  EXPECT_FALSE(base64_decode("a*cd"));
}

TEST(Images, Routes) {
  auto gen = classify_request("POST", "/v1/images/generations");
  EXPECT_EQ(gen.kind, RouteKind::images);
  EXPECT_FALSE(gen.image_edit);
  auto edit = classify_request("POST", "/v1/images/edits/");
  EXPECT_EQ(edit.kind, RouteKind::images);
  EXPECT_TRUE(edit.image_edit);
  EXPECT_EQ(classify_request("GET", "/v1/images/edits").kind, RouteKind::method_not_allowed);
  auto file = classify_request("GET", "/v1/images/files/abc.png");
  EXPECT_EQ(file.kind, RouteKind::image_file);
  EXPECT_EQ(file.image_file, "abc.png");
  EXPECT_EQ(classify_request("POST", "/v1/images/variations").kind, RouteKind::not_served_yet);
  EXPECT_EQ(classify_request("OPTIONS", "/v1/chat/completions").kind, RouteKind::preflight);
  EXPECT_EQ(classify_request("OPTIONS", "/v1beta/models/x:generateContent").kind,
            RouteKind::preflight);
  EXPECT_NE(classify_request("OPTIONS", "/admin/keys").kind, RouteKind::preflight);
}

TEST(Images, CorsPathsAndPreflightHeaders) {
  EXPECT_TRUE(cors_applies("/v1/images/generations"));
  EXPECT_TRUE(cors_applies("/v1beta/models"));
  EXPECT_TRUE(cors_applies("/v1"));
  EXPECT_FALSE(cors_applies("/v1x"));
  EXPECT_FALSE(cors_applies("/healthz"));
  http::fields f;
  f.set("Access-Control-Request-Headers", "Authorization, X-Stainless-OS, x-evil");
  const std::string h = preflight_headers(f);
  EXPECT_NE(h.find("authorization"), std::string::npos);
  EXPECT_NE(h.find("x-goog-api-key"), std::string::npos);
  EXPECT_NE(h.find("x-stainless-os"), std::string::npos);
  EXPECT_EQ(h.find("x-evil"), std::string::npos);
  EXPECT_NE(h.find("Access-Control-Allow-Methods: GET, POST, OPTIONS"), std::string::npos);
}

TEST(Images, PreflightNamesBackABoundedList) {
  // 60 KB of made-up header names: a handful come back, never all of them.
  std::string asked;
  for (int i = 0; i < 3000; ++i) asked += "x-stainless-" + std::to_string(i) + ", ";
  asked += "x-stainless-" + std::string(1000, 'l');
  http::fields f;
  f.set("Access-Control-Request-Headers", asked);
  const std::string h = preflight_headers(f);
  EXPECT_LT(h.size(), 2048u);
  EXPECT_NE(h.find("x-stainless-0"), std::string::npos);
  EXPECT_EQ(h.find("x-stainless-2999"), std::string::npos);
  EXPECT_EQ(h.find("lllll"), std::string::npos);
}
