#pragma once
// "It worked, or here is why not", as a value: how a parser, decoder or
// check reports failure (docs/architecture.md, "Errors"). No exceptions,
// no "nullopt means success": the caller asks ok() and then reads error()
// or value(). [[nodiscard]], so a failure cannot be dropped unseen.
//
//   BasicStatus<E>     ok, or an error E
//   BasicResult<T, E>  a T, or an error E
//
// util/ reports a message (MessageStatus, MessageResult<T> below); the
// layers above report an ApiError (domain/result.hpp: Status, Result<T>).
// Reading value() of a failure, or error() of a success, is a programming
// error and aborts.
#include <cstdlib>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

namespace aiohub {

template <class E>
class [[nodiscard]] BasicStatus {
 public:
  BasicStatus() = default;  // ok
  template <class U, std::enable_if_t<std::is_constructible_v<E, U&&> &&
                                          !std::is_same_v<std::decay_t<U>, BasicStatus>,
                                      int> = 0>
  BasicStatus(U&& error) : error_(std::in_place, std::forward<U>(error)) {}

  bool ok() const { return !error_.has_value(); }
  const E& error() const& {
    if (ok()) std::abort();
    return *error_;
  }
  E&& error() && {
    if (ok()) std::abort();
    return std::move(*error_);
  }

 private:
  std::optional<E> error_;
};

template <class T, class E>
class [[nodiscard]] BasicResult {
  static_assert(!std::is_same_v<T, E>, "a value and an error of one type cannot be told apart");

 public:
  template <class U = T, std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                              !std::is_same_v<std::decay_t<U>, E> &&
                                              !std::is_same_v<std::decay_t<U>, BasicResult>,
                                          int> = 0>
  BasicResult(U&& value) : v_(std::in_place_index<0>, std::forward<U>(value)) {}
  template <class U,
            std::enable_if_t<!std::is_constructible_v<T, U&&> && std::is_constructible_v<E, U&&> &&
                                 !std::is_same_v<std::decay_t<U>, BasicResult>,
                             int> = 0>
  BasicResult(U&& error) : v_(std::in_place_index<1>, std::forward<U>(error)) {}

  bool ok() const { return v_.index() == 0; }
  T& value() & { return *checked_value(); }
  const T& value() const& { return *checked_value(); }
  T&& value() && { return std::move(*checked_value()); }
  const E& error() const& { return *checked_error(); }
  E&& error() && { return std::move(*checked_error()); }

 private:
  T* checked_value() {
    if (!ok()) std::abort();
    return std::get_if<0>(&v_);
  }
  const T* checked_value() const {
    if (!ok()) std::abort();
    return std::get_if<0>(&v_);
  }
  E* checked_error() {
    if (ok()) std::abort();
    return std::get_if<1>(&v_);
  }
  const E* checked_error() const {
    if (ok()) std::abort();
    return std::get_if<1>(&v_);
  }

  std::variant<T, E> v_;
};

// For util/: the error is a short description of what is wrong.
using MessageStatus = BasicStatus<std::string>;
template <class T>
using MessageResult = BasicResult<T, std::string>;

}  // namespace aiohub
