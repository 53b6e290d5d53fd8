#pragma once
// What the fuzz targets share: the IR event-sequence checker, a comparable
// dump of an event list, and data-derived ways to split one input.
//
// A broken invariant calls fuzz_fail(), which prints why and aborts, so that
// libFuzzer records the input as a crash like any sanitizer finding.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "ir/ir.hpp"
#include "protocols/anthropic/codec.hpp"
#include "protocols/gemini/codec.hpp"
#include "protocols/openai_chat/codec.hpp"
#include "protocols/openai_responses/codec.hpp"

namespace fuzz {

[[noreturn]] inline void fuzz_fail(const std::string& why) {
  std::string text;  // control bytes (NUL included) as \xNN, so that all of it prints
  for (unsigned char c : why) {
    if ((c < 0x20 && c != '\n') || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      text += hex;
    } else {
      text += static_cast<char>(c);
    }
  }
  std::fprintf(stderr, "\n=== fuzz invariant broken: %s\n", text.c_str());
  std::fflush(stderr);
  std::abort();
}

inline std::string_view as_view(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A small, stable hash of the input: where to split it.
inline std::uint64_t hash(std::string_view s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

inline std::string dump(const std::vector<aiohub::ir::Event>& events, std::string_view input);

inline const char* kind_name(aiohub::ir::EventKind k) {
  using aiohub::ir::EventKind;
  switch (k) {
    case EventKind::message_start: return "message_start";
    case EventKind::part_start: return "part_start";
    case EventKind::part_delta: return "part_delta";
    case EventKind::part_stop: return "part_stop";
    case EventKind::message_delta: return "message_delta";
    case EventKind::message_stop: return "message_stop";
    case EventKind::error: return "error";
  }
  return "?";
}

// The IR stream grammar of docs/codecs.md:
//   message_start (part_start part_delta* part_stop)* message_delta message_stop
// or an error at any point, after which nothing. Parts are sequential, one
// open at a time, indices from 0 without gaps, every delta and stop for the
// open part. `finished`: the decoder's finish() ran, so the stream must be
// closed (message_stop or error).
inline void check_events(const std::vector<aiohub::ir::Event>& events, bool finished,
                         const char* who) {
  using aiohub::ir::EventKind;
  bool started = false, ended = false, delta_seen = false;
  int open = -1, next = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    auto bad = [&](const char* what) {
      fuzz_fail(std::string(who) + ": event " + std::to_string(i) + " (" + kind_name(e.kind) +
                " index " + std::to_string(e.index) + "): " + what + "\n--- events:\n" +
                dump(events, {}));
    };
    if (ended) bad("after the stream ended");
    switch (e.kind) {
      case EventKind::message_start:
        if (started) bad("second message_start");
        started = true;
        break;
      case EventKind::part_start:
        if (!started) bad("before message_start");
        if (delta_seen) bad("after message_delta");
        if (open >= 0) bad("while another part is open");
        if (e.index != next) bad("index out of sequence");
        open = e.index;
        ++next;
        break;
      case EventKind::part_delta:
        if (open < 0) bad("without part_start");
        if (e.index != open) bad("for a part that is not open");
        break;
      case EventKind::part_stop:
        if (open < 0) bad("without part_start");
        if (e.index != open) bad("for a part that is not open");
        open = -1;
        break;
      case EventKind::message_delta:
        if (!started) bad("before message_start");
        if (open >= 0) bad("while a part is open");
        delta_seen = true;
        break;
      case EventKind::message_stop:
        if (!started) bad("before message_start");
        if (open >= 0) bad("while a part is open");
        ended = true;
        break;
      case EventKind::error:
        ended = true;
        break;
    }
  }
  if (finished && !ended)
    fuzz_fail(std::string(who) + ": finish() left the stream open\n--- events:\n" + dump(events, {}));
}

// A dump for comparing two event lists; adjacent deltas of one part and kind
// are joined, so that decoders free to coalesce text compare equal. Ids that
// are not in `input` were made up by the decoder (Gemini's tool calls have
// none; repaired Chat calls get one): random, so they compare as "<made>".
inline std::string dump(const std::vector<aiohub::ir::Event>& events, std::string_view input) {
  auto id = [&](const std::string& v) {
    return v.empty() || input.empty() || input.find(v) != std::string_view::npos ? v
                                                                                 : std::string("<made>");
  };
  using aiohub::ir::EventKind;
  std::string out;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    out += kind_name(e.kind);
    out += ' ';
    switch (e.kind) {
      case EventKind::message_start:
        out += id(e.id) + '|' + e.model + '|' + std::to_string(e.usage.input);
        break;
      case EventKind::part_start:
        out += std::to_string(e.index) + '|' + std::to_string(int(e.part_kind)) + '|' +
               id(e.tool_call_id) + '|' + e.tool_name;
        break;
      case EventKind::part_delta: {
        out += std::to_string(e.index) + '|' + std::to_string(int(e.delta_kind)) + '|' + e.delta;
        while (i + 1 < events.size() && events[i + 1].kind == EventKind::part_delta &&
               events[i + 1].index == e.index && events[i + 1].delta_kind == e.delta_kind)
          out += events[++i].delta;
        break;
      }
      case EventKind::part_stop:
        out += std::to_string(e.index);
        break;
      case EventKind::message_delta:
        out += std::to_string(e.stop ? int(*e.stop) : -1) + '|' + e.stop_sequence + '|' +
               std::to_string(e.usage.input) + '|' + std::to_string(e.usage.output) + '|' +
               std::to_string(e.usage.cache_read) + '|' + std::to_string(e.usage.cache_write) +
               '|' + std::to_string(e.usage.reasoning) + '|' + (e.usage.reported ? "r" : "-");
        break;
      case EventKind::message_stop:
        break;
      case EventKind::error:
        out += std::to_string(e.error.status) + '|' + e.error.message;
        break;
    }
    out += '\n';
  }
  return out;
}

// Feeds `bytes` to a fresh decoder in pieces: whole when `pieces` is empty,
// otherwise cut at each offset in `pieces` (ascending).
template <class Decoder>
std::vector<aiohub::ir::Event> decode(std::string_view bytes, const std::vector<std::size_t>& cuts,
                                      const char* who) {
  Decoder d;
  std::vector<aiohub::ir::Event> events;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    d.feed(bytes.substr(at, cut - at), events);
    check_events(events, false, who);
    at = cut;
  }
  d.feed(bytes.substr(at), events);
  d.finish(events);
  check_events(events, true, who);
  return events;
}

// Data-derived cut points: one cut, and a run of small pieces over the start
// of the input (where most framing happens), both from the input's hash.
inline std::vector<std::size_t> one_cut(std::string_view bytes) {
  if (bytes.size() < 2) return {};
  return {1 + hash(bytes) % (bytes.size() - 1)};
}
inline std::vector<std::size_t> small_pieces(std::string_view bytes) {
  std::vector<std::size_t> cuts;
  const std::uint64_t h = hash(bytes);
  const std::size_t step = 1 + (h >> 8) % 7;
  const std::size_t limit = std::min<std::size_t>(bytes.size(), 512);
  for (std::size_t at = step; at < limit; at += step) cuts.push_back(at);
  if (limit < bytes.size() && (cuts.empty() || cuts.back() != limit)) cuts.push_back(limit);
  return cuts;
}

// Decodes whole and split, checks the grammar each time and that the splits
// change nothing; returns the events of the whole decode.
template <class Decoder>
std::vector<aiohub::ir::Event> decode_all_ways(std::string_view bytes, const char* who) {
  auto whole = decode<Decoder>(bytes, {}, who);
  const std::string expected = dump(whole, bytes);
  for (const auto& cuts : {one_cut(bytes), small_pieces(bytes)}) {
    if (cuts.empty()) continue;
    auto split = decode<Decoder>(bytes, cuts, who);
    const std::string got = dump(split, bytes);
    if (got != expected)
      fuzz_fail(std::string(who) + ": split input decodes differently (first cut at " +
                std::to_string(cuts.front()) + ")\n--- whole:\n" + expected + "--- split:\n" +
                got);
  }
  return whole;
}

// Every client protocol's stream encoder must accept any valid event
// sequence: this is how a translated stream reaches a client.
inline void encode_everywhere(const std::vector<aiohub::ir::Event>& events) {
  std::string out;
  aiohub::anthropic::StreamEncoder a("client-model");
  aiohub::openai_chat::StreamEncoder c("client-model", true);
  aiohub::openai_responses::StreamEncoder r("client-model");
  aiohub::gemini::StreamEncoder g("client-model");
  for (const auto& e : events) {
    a.encode(e, out);
    c.encode(e, out);
    r.encode(e, out);
    g.encode(e, out);
    out.clear();
  }
}

// Every upstream protocol's request encoder must accept any decoded request
// (translation sends a client's request to any channel type).
inline void encode_request_everywhere(const aiohub::ir::Request& r) {
  (void)aiohub::anthropic::encode_request(r);
  (void)aiohub::openai_chat::encode_request(r);
  (void)aiohub::openai_responses::encode_request(r);
  (void)aiohub::gemini::encode_request(r);
}

}  // namespace fuzz
