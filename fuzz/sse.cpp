// src/ir/sse: the SSE framer every stream decoder reads through, and the
// DataMatcher fast paths. Checks, beyond no crash:
// - the same bytes give the same events however they are split;
// - sse_frame(event, data) reads back as that one event (data without CR);
// - a DataMatcher match reads what Boost.JSON reads.
#include <boost/json.hpp>

#include "fuzz_support.hpp"
#include "ir/sse.hpp"

using namespace aiohub;

namespace {

std::string dump(const std::vector<SseEvent>& events) {
  std::string out;
  for (const auto& e : events) out += e.event + "\x01" + e.data + "\x02";
  return out;
}

std::vector<SseEvent> parse(std::string_view bytes, const std::vector<std::size_t>& cuts) {
  SseParser p;
  std::vector<SseEvent> events;
  std::size_t at = 0;
  for (auto cut : cuts) {
    p.feed(bytes.substr(at, cut - at), events);
    at = cut;
  }
  p.feed(bytes.substr(at), events);
  p.finish(events);
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = fuzz::as_view(data, size);
  const auto whole = parse(bytes, {});
  const std::string expected = dump(whole);
  for (const auto& cuts : {fuzz::one_cut(bytes), fuzz::small_pieces(bytes)}) {
    if (!cuts.empty() && dump(parse(bytes, cuts)) != expected)
      fuzz::fuzz_fail("SseParser: split input frames differently");
  }

  // Round trip of a frame written by sse_frame (one data line, as every
  // encoder writes JSON): the first line of the input is the event name, the
  // second the data.
  auto nl = bytes.find('\n');
  std::string name(nl == std::string_view::npos ? bytes : bytes.substr(0, nl));
  std::string payload(nl == std::string_view::npos ? std::string_view{} : bytes.substr(nl + 1));
  payload = payload.substr(0, payload.find('\n'));
  const bool framable = name.find('\r') == std::string::npos &&
                        payload.find('\r') == std::string::npos;
  if (framable) {
    auto events = parse(sse_frame(name, payload), {});
    if (events.size() != 1 || events[0].event != name || events[0].data != payload)
      fuzz::fuzz_fail("sse_frame does not read back as its event");
  }

  // append_json_string must write a JSON string Boost.JSON reads back
  // (for valid UTF-8 input; invalid bytes are passed as they are).
  std::string token;
  append_json_string(token, bytes);
  boost::json::parse_options opt;
  opt.allow_invalid_utf8 = true;
  boost::system::error_code ec;
  auto v = boost::json::parse(token, ec, {}, opt);
  if (ec || !v.is_string() || std::string_view(v.get_string()) != bytes)
    fuzz::fuzz_fail("append_json_string does not read back: " + token);

  // DataMatcher: a plain_string / small_int match reads what the parser reads.
  {
    DataMatcher m(bytes);
    std::string_view value;
    if (m.plain_string(value)) {
      std::string_view token2 = bytes.substr(0, value.size() + 2);
      auto pv = boost::json::parse(token2, ec);
      if (ec || !pv.is_string() || std::string_view(pv.get_string()) != value)
        fuzz::fuzz_fail("DataMatcher::plain_string reads differently from the parser");
    }
  }
  {
    DataMatcher m(bytes);
    std::int64_t n = 0;
    if (m.small_int(n)) {
      std::size_t digits = 0;
      while (digits < bytes.size() && bytes[digits] >= '0' && bytes[digits] <= '9') ++digits;
      auto pv = boost::json::parse(bytes.substr(0, digits), ec);
      if (ec || !pv.is_int64() || pv.get_int64() != n)
        fuzz::fuzz_fail("DataMatcher::small_int reads differently from the parser");
    }
  }
  return 0;
}
