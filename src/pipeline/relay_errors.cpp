#include "pipeline/relay_errors.hpp"

namespace aiohub::relay_errors {
namespace {

std::string channel_named(const Channel& channel) {
  return "upstream channel '" + channel.record.name + "'";
}

}  // namespace

std::string unreachable(const Channel& channel, std::string_view why) {
  return channel_named(channel) + " is unreachable: " + std::string(why);
}

std::string broken(const Channel& channel, std::string_view why) {
  return channel_named(channel) + ": " + std::string(why);
}

std::string credentials_rejected(const Channel& channel, int status, std::string_view message) {
  std::string text = "Upstream channel '" + channel.record.name +
                     "' rejected the gateway's credentials (HTTP " + std::to_string(status);
  if (!message.empty()) text.append(": ").append(message);
  return text + "). The operator must fix this channel's credentials.";
}

std::string answered(const Channel& channel, int status, std::string_view message) {
  std::string text = channel_named(channel) + " answered HTTP " + std::to_string(status);
  if (!message.empty()) text.append(": ").append(message);
  return text;
}

std::string refused(const Channel& channel, std::string_view message) {
  return channel_named(channel) + " refused: " + std::string(message);
}

std::string unreadable(const Channel& channel, std::string_view why) {
  return channel_named(channel) + " sent an answer the gateway cannot read: " + std::string(why);
}

}  // namespace aiohub::relay_errors
