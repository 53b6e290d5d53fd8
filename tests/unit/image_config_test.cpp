#include <gtest/gtest.h>

#include <filesystem>

#include "billing/image_pricing.hpp"
#include "config/config.hpp"
#include "config/provision.hpp"
#include "config/snapshot_builder.hpp"
#include "domain/snapshot.hpp"
#include "images/service.hpp"
#include "store/store.hpp"
#include "util/crypto.hpp"

using namespace aiohub;
namespace fs = std::filesystem;

TEST(ImageConfig, PricesAndImagesSectionReachTheSnapshot) {
  const fs::path dir = fs::temp_directory_path() / ("aiohub-imgcfg-" + random_urlsafe(8));
  const std::string db = "sqlite://" + (dir / "aiohub.db").string();
  Config c = parse_config(R"(
[server]
database = ")" + db + R"("

[[prices]]
model = "dall-e-3"
per_image = 0.04
image_prices = { "1024x1024/hd" = 0.08, "1792x1024" = 1 }

[images]
retention_hours = 2.5
max_bytes = 1000
max_file_bytes = 2000
public_base_url = "https://img.example.com/"
)");
  EXPECT_TRUE(c.warnings.empty());
  ASSERT_EQ(c.prices.size(), 1u);
  EXPECT_EQ(c.prices[0].image_prices.at("1024x1024/hd"), 0.08);
  EXPECT_EQ(c.prices[0].image_prices.at("1792x1024"), 1.0);

  auto options = image_service_options(c);
  EXPECT_EQ(options.dir, dir / "images");
  EXPECT_EQ(options.retention, std::chrono::seconds(9000));
  EXPECT_EQ(options.max_bytes, 1000u);
  EXPECT_EQ(options.upload_limits.max_file_bytes, 2000u);
  EXPECT_EQ(options.public_base_url, "https://img.example.com");

  {
    auto store = open_store(db);
    provision(*store, c);
    auto snap = build_snapshot(*store, nullptr);
    const ImagePrice& p = snap->image_prices.at("dall-e-3");
    EXPECT_EQ(p.per_image, 40'000);
    EXPECT_EQ(image_unit_price(p, "1024x1024", "hd"), 80'000);
    EXPECT_EQ(image_unit_price(p, "1792x1024", "standard"), 1'000'000);
  }
  fs::remove_all(dir);
}

TEST(ImageConfig, Mistakes) {
  EXPECT_THROW(parse_config("[[prices]]\nmodel = \"m\"\nimage_prices = { \"a\" = -1.0 }\n"),
               ConfigError);
  EXPECT_THROW(parse_config("[[prices]]\nmodel = \"m\"\nimage_prices = { \"a\" = \"x\" }\n"),
               ConfigError);
  EXPECT_THROW(parse_config("[images]\nretention_hours = 0\n"), ConfigError);
  EXPECT_THROW(parse_config("[images]\npublic_base_url = \"ftp://x\"\n"), ConfigError);
  EXPECT_FALSE(parse_config("[images]\nsize = 1\n").warnings.empty());
}
