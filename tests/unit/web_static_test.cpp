#include <gtest/gtest.h>

#include <array>
#include <string>

#include "app/routes.hpp"
#include "web/static_site.hpp"

using namespace aiohub;
using namespace aiohub::web;

namespace {

// A table shaped like the build's: hashed assets and pages.
const std::array<EmbeddedFile, 5> kTable{{
    {"/assets/console-Ab12.js", "\"h-js\"", "console.log(1)", "GZ-JS"},
    {"/assets/logo-Zz.png", "\"h-png\"", "PNG", ""},
    {"/console/index.html", "\"h-console\"", "<html>console</html>", "GZ-HTML"},
    {"/setup/index.html", "\"h-setup\"", "<html>setup</html>", ""},
    {"/playground/images/index.html", "\"h-img\"", "<html>images</html>", ""},
}};

StaticReply get(std::string_view path, std::string_view accept = "", std::string_view inm = "") {
  return serve_static({"GET", path, accept, inm}, kTable);
}

bool has_header(const StaticReply& r, std::string_view line) {
  return r.headers.find(line) != std::string::npos;
}

}  // namespace

TEST(WebStatic, ContentTypes) {
  EXPECT_EQ(content_type_for("/console/index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("/assets/a-1.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("/assets/a-1.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("/assets/a.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("/assets/a.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("/x.unknown"), "application/octet-stream");
}

TEST(WebStatic, PagesAreServedWithRevalidationAndAssetsAreImmutable) {
  auto page = get("/console/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.body, "<html>console</html>");
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_TRUE(has_header(page, "Cache-Control: no-cache\r\n"));
  EXPECT_TRUE(has_header(page, "ETag: \"h-console\"\r\n"));
  EXPECT_TRUE(has_header(page, "Content-Security-Policy:"));
  EXPECT_EQ(get("/console").body, "<html>console</html>");
  EXPECT_EQ(get("/setup").body, "<html>setup</html>");
  EXPECT_EQ(get("/setup/").body, "<html>setup</html>");
  EXPECT_EQ(get("/playground/images").body, "<html>images</html>");
  EXPECT_EQ(get("/playground/images/").body, "<html>images</html>");
  EXPECT_EQ(get("/playground/images/history").body, "<html>images</html>");
  EXPECT_EQ(get("/playground").status, 404);

  auto js = get("/assets/console-Ab12.js");
  EXPECT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_TRUE(has_header(js, "Cache-Control: public, max-age=31536000, immutable\r\n"));
  EXPECT_FALSE(has_header(js, "Content-Security-Policy"));
}

TEST(WebStatic, SinglePageAppFallback) {
  EXPECT_EQ(get("/console/keys").body, "<html>console</html>");
  EXPECT_EQ(get("/console/logs/abc/def").body, "<html>console</html>");
  // A missing file is a 404, never the page: a browser would try to run the HTML.
  EXPECT_EQ(get("/console/missing.js").status, 404);
  EXPECT_EQ(get("/assets/gone-123.js").status, 404);
  EXPECT_EQ(get("/nothing-here").status, 404);
}

TEST(WebStatic, StrongETagAndConditionalGet) {
  auto again = get("/setup/", "", "\"h-setup\"");
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(get("/setup/", "", "\"other\", \"h-setup\"").status, 304);
  EXPECT_EQ(get("/setup/", "", "\"other\"").status, 200);
}

TEST(WebStatic, GzipOnlyWhenAcceptedAndWithItsOwnETag) {
  auto gz = get("/assets/console-Ab12.js", "br, gzip;q=0.8");
  EXPECT_EQ(gz.body, "GZ-JS");
  EXPECT_TRUE(has_header(gz, "Content-Encoding: gzip\r\n"));
  EXPECT_TRUE(has_header(gz, "Vary: Accept-Encoding\r\n"));
  EXPECT_TRUE(has_header(gz, "ETag: \"h-js-gz\"\r\n"));

  auto plain = get("/assets/console-Ab12.js", "gzip;q=0, br");
  EXPECT_EQ(plain.body, "console.log(1)");
  EXPECT_FALSE(has_header(plain, "Content-Encoding"));
  EXPECT_TRUE(has_header(plain, "ETag: \"h-js\"\r\n"));
  EXPECT_EQ(get("/assets/console-Ab12.js").body, "console.log(1)");
  // No gzip copy: served as is even when gzip is welcome.
  EXPECT_EQ(get("/assets/logo-Zz.png", "gzip").body, "PNG");
}

TEST(WebStatic, MethodsAndRoot) {
  EXPECT_EQ(serve_static({"POST", "/console/", "", ""}, kTable).status, 405);
  auto head = serve_static({"HEAD", "/console/", "", ""}, kTable);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  auto root = get("/");
  EXPECT_EQ(root.status, 302);
  EXPECT_TRUE(has_header(root, "Location: /console/\r\n"));
}

TEST(WebStatic, WebPathsAreTheTablesFolders) {
  EXPECT_TRUE(is_web_path("/console", kTable));
  EXPECT_TRUE(is_web_path("/console/keys", kTable));
  EXPECT_TRUE(is_web_path("/playground/images", kTable));
  EXPECT_TRUE(is_web_path("/assets/x.js", kTable));
  EXPECT_FALSE(is_web_path("/v1/chat/completions", kTable));
  EXPECT_FALSE(is_web_path("/api/keys", kTable));
  EXPECT_FALSE(is_web_path("/consoles", kTable));
}

// The real embedded build: the console, /setup and the image playground exist, every asset
// they reference is in the table, and the gateway routes them to the web.
TEST(WebStatic, EmbeddedBuildHasThePages) {
  auto console = serve_static({"GET", "/console/", "", ""});
  ASSERT_EQ(console.status, 200);
  EXPECT_NE(console.body.find("<div id=\"app\">"), std::string_view::npos);
  auto setup = serve_static({"GET", "/setup", "", ""});
  ASSERT_EQ(setup.status, 200);
  auto playground = serve_static({"GET", "/playground/images", "", ""});
  ASSERT_EQ(playground.status, 200);
  EXPECT_NE(playground.body.find("image playground"), std::string_view::npos);
  EXPECT_EQ(serve_static({"GET", "/playground/images/", "", ""}).body, playground.body);
  // Results are shown from blob: URLs, still only from this origin's requests.
  EXPECT_TRUE(has_header(playground, "img-src 'self' data: blob:;"));
  EXPECT_TRUE(has_header(playground, "connect-src 'self';"));
  for (auto page : {console.body, setup.body, playground.body}) {
    for (auto pos = page.find("/assets/"); pos != std::string_view::npos;
         pos = page.find("/assets/", pos + 1)) {
      auto end = page.find('"', pos);
      std::string asset(page.substr(pos, end - pos));
      auto r = serve_static({"GET", asset, "gzip", ""});
      EXPECT_EQ(r.status, 200) << asset;
      EXPECT_TRUE(has_header(r, "immutable")) << asset;
    }
  }
  for (auto& f : embedded_files()) {
    EXPECT_EQ(f.etag.front(), '"');
    EXPECT_EQ(f.etag.back(), '"');
  }
  EXPECT_EQ(classify_request("GET", "/console/").kind, RouteKind::web);
  EXPECT_EQ(classify_request("GET", "/setup").kind, RouteKind::web);
  EXPECT_EQ(classify_request("GET", "/playground/images").kind, RouteKind::web);
  EXPECT_EQ(classify_request("GET", "/playground/images/").kind, RouteKind::web);
  EXPECT_EQ(classify_request("GET", "/").kind, RouteKind::web);
  EXPECT_EQ(classify_request("GET", "/v1/models").kind, RouteKind::list_models);
  EXPECT_EQ(classify_request("GET", "/unknown").kind, RouteKind::not_found);
}
