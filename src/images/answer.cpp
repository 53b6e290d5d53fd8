// What every image relay does with an Images API answer: bill it, and swap
// base64 images for gateway URLs when the client asked for URLs.
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "images/relay.hpp"
#include "protocols/errors.hpp"
#include "server/off_thread.hpp"
#include "util/base64.hpp"

namespace aiohub {
namespace json = boost::json;

void bill_from_answer(std::string_view body, const openai_images::ImageRequest& request,
                      ImageBill& bill) {
  bill.size = request.size;
  bill.quality = request.quality;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return;
  const json::object& o = v.as_object();
  if (const json::value* d = o.if_contains("data"); d && d->is_array())
    bill.images += static_cast<std::int64_t>(d->as_array().size());
  if (const json::value* s = o.if_contains("size"); s && s->is_string())
    bill.size = std::string(s->as_string());
  if (const json::value* q = o.if_contains("quality"); q && q->is_string())
    bill.quality = std::string(q->as_string());
  if (const json::value* u = o.if_contains("usage"); u && u->is_object()) {
    const json::object& usage = u->as_object();
    auto num = [&](const char* k) -> std::int64_t {
      const json::value* n = usage.if_contains(k);
      return n && n->is_int64() ? n->as_int64() : 0;
    };
    bill.tokens.input += num("input_tokens");
    bill.tokens.output += num("output_tokens");
    bill.tokens.reported = true;
  }
}

namespace {

struct Stored {
  std::vector<std::string> names;  // empty entry: that image failed
  std::string error;
};

// Runs on the disk thread: decoding is as heavy as writing.
Stored store_images(ImageFileStore& files, const std::vector<std::string>& b64s,
                    const std::string& format) {
  Stored out;
  for (auto& b64 : b64s) {
    auto bytes = base64_decode(b64);
    if (!bytes) {
      out.names.emplace_back();
      out.error = "an image in the upstream's answer is not valid base64";
      continue;
    }
    std::string_view ext = openai_images::image_extension(openai_images::sniff_image(*bytes));
    if (openai_images::sniff_image(*bytes).empty() && !format.empty()) ext = format;
    auto saved = files.save(*bytes, ext);
    if (saved.name.empty()) out.error = saved.error;
    out.names.push_back(std::move(saved.name));
  }
  return out;
}

std::string format_of(const json::object& o) {
  const json::value* f = o.if_contains("output_format");
  if (f && f->is_string()) {
    std::string s(f->as_string());
    if (s == "png" || s == "jpeg" || s == "webp") return s;
  }
  return {};
}

}  // namespace

awaitable<bool> send_images_answer(ImageContext& ctx, std::string& body, bool urls,
                                   RelayOutcome& out) {
  out.status = 200;
  if (urls) {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    json::array* data = nullptr;
    if (!ec && v.is_object())
      if (json::value* d = v.as_object().if_contains("data"); d && d->is_array())
        data = &d->as_array();
    std::vector<std::string> b64s;
    if (data)
      for (auto& item : *data)
        if (item.is_object())
          if (const json::value* b = item.as_object().if_contains("b64_json"); b && b->is_string())
            b64s.emplace_back(b->as_string());
    if (!b64s.empty()) {
      ImageFileStore* files = &ctx.files;
      std::string format = format_of(v.as_object());
      // A named function object: GCC 12 mishandles temporaries with
      // destructors that live across a co_await.
      auto job = [files, b64s = std::move(b64s), format] {
        return store_images(*files, b64s, format);
      };
      Stored stored = co_await off_thread<Stored>(ctx.disk, std::move(job));
      if (!stored.error.empty()) {
        spdlog::error("request {}: storing images failed: {}", ctx.relay.client.request_id(),
                      stored.error);
        out.status = 500;
        out.error = "The gateway could not store the generated images for URLs.";
        const std::string err =
            error_body(ErrorShape::openai, {500, out.error, "image_storage_failed", ""});
        co_return co_await ctx.relay.client.send(500, "application/json", err);
      }
      std::size_t next = 0;
      for (auto& item : *data) {
        if (!item.is_object()) continue;
        json::object& o = item.as_object();
        if (!o.contains("b64_json")) continue;
        o.erase("b64_json");
        o["url"] = ctx.public_base + "/v1/images/files/" + stored.names.at(next++);
      }
      body = json::serialize(v);
    }
  }
  if (!out.ttfb_us) out.ttfb_us = ctx.relay.clock.mono_us() - ctx.relay.started_us;
  if (!co_await ctx.relay.client.send(200, "application/json", body)) {
    out.status = 499;
    out.error = "client went away";
    co_return false;
  }
  co_return true;
}

}  // namespace aiohub
