#pragma once
// The names every I/O file uses.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace aiohub {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
template <class T>
using awaitable = asio::awaitable<T>;

// Completion token for coroutines that inspect error codes instead of catching.
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace aiohub
