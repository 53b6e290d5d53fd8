#include "cluster/shared_state.hpp"

#include "billing/key_state.hpp"
#include "util/time.hpp"

namespace aiohub {

AdmissionTicket& AdmissionTicket::operator=(AdmissionTicket&& o) noexcept {
  if (this != &o) {
    release();
    state_ = std::move(o.state_);
    reserving_ = o.reserving_;
    reserved_ = o.reserved_;
    settler_ = o.settler_;
    hold_ = o.hold_;
    o.state_.reset();
    o.settler_ = nullptr;
  }
  return *this;
}

AdmissionTicket AdmissionTicket::local(std::shared_ptr<KeyState> state, bool reserving,
                                       Micros reserved) {
  AdmissionTicket t;
  t.state_ = std::move(state);
  t.reserving_ = reserving;
  t.reserved_ = reserving ? reserved : 0;
  return t;
}

AdmissionTicket AdmissionTicket::remote(std::shared_ptr<KeyState> state, RemoteSettler& settler,
                                        RemoteSettler::Hold hold) {
  AdmissionTicket t;
  t.state_ = std::move(state);
  t.settler_ = &settler;
  t.hold_ = hold;
  t.reserved_ = hold.reserved;
  return t;
}

void AdmissionTicket::settle(Micros cost, std::int64_t tokens, std::int64_t now_ms) {
  if (!state_) return;
  auto state = std::move(state_);
  state_.reset();
  if (settler_) {
    settler_->settle_remote(hold_, cost, tokens, now_ms, state->balance);
    settler_ = nullptr;
    return;
  }
  if (reserving_ || cost) aiohub::settle(state->balance, reserved_, cost);
  finish_request(state->limiter, tokens, now_ms);
}

void AdmissionTicket::release() {
  if (state_) settle(0, 0, unix_now_ms());
}

Admission admit_locally(const AdmitInput& in, std::int64_t now_ms) {
  Admission a;
  const auto& state = in.key->state;
  a.verdict = admit_request(state->limiter, in.limits, now_ms);
  if (!a.verdict.admitted) {
    a.refusal = Admission::Refusal::limit;
    return a;
  }
  if (in.estimate) {
    if (!try_reserve(state->balance, in.key->record.quota, *in.estimate)) {
      state->limiter.in_flight.fetch_sub(1, std::memory_order_relaxed);
      a.refusal = Admission::Refusal::quota;
      return a;
    }
  }
  a.ticket = AdmissionTicket::local(state, in.estimate.has_value(), in.estimate.value_or(0));
  return a;
}

awaitable<Admission> SharedState::admit(const AdmitInput& in) {
  co_return admit_locally(in, unix_now_ms());
}

}  // namespace aiohub
