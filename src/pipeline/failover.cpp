#include "pipeline/failover.hpp"

#include <spdlog/spdlog.h>

#include "ir/sse.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/relay_errors.hpp"
#include "pipeline/route_errors.hpp"
#include "protocols/errors.hpp"
#include "util/json_peek.hpp"
#include "util/time.hpp"

namespace aiohub {

struct Pipeline::Attempt {
  std::optional<Candidate> served;  // the channel (and its group) that answered or was tried last
  RelayOutcome outcome;
  std::string attempts;    // the failed tries before it, as JSON (see UsageRecord)
  AdmissionTicket ticket;  // the key's slot and reservation, settled when recorded
};

namespace {

// One failed try, for the log: {"channel","group","status","failure","error","ms"}.
void append_attempt(std::string& attempts, const Candidate& c, const RelayOutcome& outcome,
                    std::int64_t ms) {
  attempts.append(attempts.empty() ? "[" : ",");
  attempts.append("{\"channel\":");
  append_json_string(attempts, c.channel->record.name);
  attempts.append(",\"group\":");
  append_json_string(attempts, c.group->name);
  attempts.append(",\"status\":");
  attempts.append(std::to_string(outcome.status));
  attempts.append(",\"failure\":");
  append_json_string(attempts, failure_name(outcome.failure));
  attempts.append(",\"error\":");
  append_json_string(attempts, outcome.error);
  attempts.append(",\"ms\":");
  attempts.append(std::to_string(ms));
  attempts.append("}");
}

awaitable<void> reply_refusal(ClientTransport& client, ErrorShape shape,
                              const Admission& admission) {
  if (admission.refusal == Admission::Refusal::limit) {
    const ApiError e{429, admission.verdict.message, "rate_limit_exceeded", ""};
    const std::string retry_after = retry_after_header(admission.verdict.retry_after_s);
    co_await reply_error(client, shape, e, retry_after);
    co_return;
  }
  const ApiError e{429, "This API key has used all of its quota.", "insufficient_quota",
                   "insufficient_quota"};
  co_await reply_error(client, shape, e);
}

// The bill of a request that costs nothing.
class Uncharged final : public ServeCalls {
 public:
  Micros reservation(const Price&, const Group&) override { return 0; }
  awaitable<RelayOutcome> relay(const Candidate&) override { co_return RelayOutcome{}; }
  Bill bill(const RelayOutcome&, const Candidate*) override { return {}; }
};

}  // namespace

awaitable<void> reply_error(ClientTransport& client, ErrorShape shape, const ApiError& error,
                            std::string_view extra_headers) {
  const std::string body = error_body(shape, error);
  co_await client.send(error.status, "application/json", body, extra_headers);
}

awaitable<void> Pipeline::serve_with_failover(RelayContext& ctx, const Snapshot& snap,
                                              const Key& key, std::mt19937_64& rng,
                                              const ServeRequest& request, ServeCalls& calls) {
  const ErrorShape shape = error_shape(client_protocol(request.endpoint));
  Attempt attempt;
  auto refuse = [&](const ApiError& e) {
    attempt.outcome.status = e.status;
    attempt.outcome.error = e.message;
    record(ctx, key, request, attempt, calls);
    return reply_error(ctx.client, shape, e);
  };

  auto decision = route_request(snap, key, request.endpoint, request.model, rng, clock_.unix_ms());
  if (auto err = route_error(decision, request.model, key, request.endpoint)) {
    co_await refuse(*err);
    co_return;
  }
  const Price* price = snap.price(request.model);
  if (!price && !snap.allow_free_models) {
    const ApiError e{403,
                     "The model '" + request.model +
                         "' has no price on this gateway, so it cannot be billed. The operator "
                         "must add a [[prices]] entry for it (or allow free models).",
                     "model_not_priced", ""};
    co_await refuse(e);
    co_return;
  }

  // Limits before the reservation: a refused request holds no credit.
  const Group& own_group = *decision.candidates.front().group;
  AdmitInput admit_input;
  admit_input.key = &key;
  admit_input.limits = effective_limits(key.record.limits, own_group.limits);
  if (price) admit_input.estimate = calls.reservation(*price, own_group);
  Admission admission = co_await shared_.admit(admit_input);
  if (admission.refusal != Admission::Refusal::none) {
    co_await reply_refusal(ctx.client, shape, admission);
    co_return;
  }
  attempt.ticket = std::move(admission.ticket);

  ctx.client.watch(true);
  const std::int64_t give_up_us =
      ctx.started_us + std::int64_t(routing_.max_retry_seconds) * 1'000'000;
  int tries = 0;
  for (const Candidate& candidate : decision.candidates) {
    const Channel* channel = candidate.channel;
    const bool last_candidate = &candidate == &decision.candidates.back();
    const auto admitted = channel->health->admit(clock_.unix_ms());
    // Out of rotation (since routing, or a last resort that another request
    // is probing): skip it while another candidate remains.
    if (admitted == ChannelHealth::Admit::no && !last_candidate) continue;
    ++tries;
    attempt.served = candidate;
    const std::int64_t try_started_us = clock_.mono_us();
    RelayOutcome& outcome = attempt.outcome;
    outcome = co_await calls.relay(candidate);
    // A client that hangs up after the terminal event got its whole answer.
    if (ctx.client.gone() && !outcome.delivered) {
      outcome.status = 499;
      outcome.retryable = false;
      outcome.reply.reset();
      if (outcome.error.empty() || outcome.failure != Failure::none)
        outcome.error = relay_errors::kClientGone;
      outcome.failure = Failure::none;
      if (admitted == ChannelHealth::Admit::probe) channel->health->probe_abandoned();
      break;
    }
    if (outcome.never_sent) {
      attempt.served.reset();
      if (admitted == ChannelHealth::Admit::probe) channel->health->probe_abandoned();
      break;
    }
    note_health(*channel, outcome);
    if (!outcome.retryable || ctx.client.committed()) break;
    if (tries >= routing_.max_attempts || clock_.mono_us() >= give_up_us) break;
    if (last_candidate) break;
    append_attempt(attempt.attempts, candidate, outcome,
                   (clock_.mono_us() - try_started_us) / 1000);
    spdlog::warn("request {}: {}; trying the next channel", ctx.client.request_id(), outcome.error);
  }
  ctx.client.watch(false);
  RelayOutcome& outcome = attempt.outcome;
  if (outcome.reply && !ctx.client.started() && outcome.status != 499) {
    // Every try failed before answering: the last failure's own answer.
    co_await ctx.client.send(outcome.reply->status, outcome.reply->content_type,
                             outcome.reply->body);
  }
  if (outcome.status == 499 && !outcome.usage.reported) calls.estimate_cancelled(outcome);
  if (!attempt.attempts.empty()) attempt.attempts.push_back(']');
  record(ctx, key, request, attempt, calls);
}

awaitable<std::optional<AdmissionTicket>> Pipeline::admit_uncharged(ClientTransport& client,
                                                                    ErrorShape shape,
                                                                    const Key& key,
                                                                    const Group& group) {
  AdmitInput input;
  input.key = &key;
  input.limits = effective_limits(key.record.limits, group.limits);
  Admission admission = co_await shared_.admit(input);
  if (admission.refusal != Admission::Refusal::none) {
    co_await reply_refusal(client, shape, admission);
    co_return std::nullopt;
  }
  co_return std::move(admission.ticket);
}

void Pipeline::record_uncharged(RelayContext& ctx, const Key& key, const ServeRequest& request,
                                AdmissionTicket ticket, RelayOutcome outcome,
                                const Candidate* served) {
  Attempt attempt;
  if (served) attempt.served = *served;
  attempt.outcome = std::move(outcome);
  attempt.ticket = std::move(ticket);
  Uncharged calls;
  record(ctx, key, request, attempt, calls);
}

void Pipeline::note_health(const Channel& channel, const RelayOutcome& outcome) {
  const std::int64_t now = clock_.unix_ms();
  const bool changed = outcome.failure == Failure::none
                           ? channel.health->succeeded(now)
                           : channel.health->failed(outcome.failure, outcome.error, routing_, now);
  if (!changed) return;
  auto rec = channel.health->record();
  if (rec.state == "healthy")
    spdlog::info("channel '{}' is back in rotation", channel.record.name);
  else
    spdlog::warn("channel '{}' is out of rotation until {}: {}", channel.record.name,
                 format_rfc3339(rec.until_ms / 1000), rec.reason);
  shared_.channel_health_changed(rec);
  usage_.push_health(std::move(rec));
}

void Pipeline::record(RelayContext& ctx, const Key& key, const ServeRequest& request,
                      Attempt& attempt, ServeCalls& calls) {
  const RelayOutcome& outcome = attempt.outcome;
  const Bill bill = calls.bill(outcome, attempt.served ? &*attempt.served : nullptr);
  UsageRecord row;
  row.ts_ms = clock_.unix_ms();
  row.request_id = ctx.client.request_id();
  row.key_id = key.record.id;
  row.key_name = key.record.name;
  row.group = key.record.group;
  row.model = request.model;
  if (attempt.served) {
    const Channel& channel = *attempt.served->channel;
    row.group = attempt.served->group->name;
    row.channel = channel.record.name;
    row.upstream_model = channel.upstream_model(request.model);
    row.cost = bill.cost;
  }
  attempt.ticket.settle(row.cost, bill.usage.input + bill.usage.output, row.ts_ms);
  row.endpoint = std::string(request.recorded_as.empty() ? endpoint_name(request.endpoint)
                                                         : request.recorded_as);
  row.stream = request.stream;
  row.usage = bill.usage;
  row.usage_estimated = bill.estimated;
  row.latency_ms = (clock_.mono_us() - ctx.started_us) / 1000;
  row.ttfb_ms = outcome.ttfb_us / 1000;
  row.status = outcome.status;
  row.error = outcome.error;
  row.attempts = std::move(attempt.attempts);
  bound_client_text(row);
  spdlog::debug("{} {} key={} model={} channel={} status={} in={} out={} cost_micros={} {}ms",
                row.request_id, row.endpoint, row.key_name, row.model, row.channel, row.status,
                row.usage.input, row.usage.output, row.cost, row.latency_ms);
  if (metrics_) metrics_->observe(row);
  usage_.push(std::move(row));
}

}  // namespace aiohub
