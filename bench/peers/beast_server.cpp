// SPDX-License-Identifier: MIT
// bench peer: Boost.Beast (Debian libboost-dev), one process, one thread, one io_context.
// Asynchronous accept, read and write per connection, in the style of Beast's
// http_server_async example. /plaintext and /json (serialized per request).
// Usage: beast_server PORT
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// The JSON body, serialized per request (Boost 1.74 has no Boost.JSON).
std::string message_json(const std::string& message) {
  std::string out = "{\"message\":\"";
  for (char c : message) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += "\"}";
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket) : stream_(std::move(socket)) {}

  void start() { read(); }

 private:
  void read() {
    request_ = {};
    http::async_read(
        stream_, buffer_, request_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    response_ = {};
    response_.version(request_.version());
    response_.keep_alive(request_.keep_alive());
    response_.set(http::field::server, "beast");
    const auto target = request_.target();
    if (request_.method() == http::verb::get && target == "/plaintext") {
      response_.result(http::status::ok);
      response_.set(http::field::content_type, "text/plain");
      response_.body() = "Hello, World!";
    } else if (request_.method() == http::verb::get && target == "/json") {
      response_.result(http::status::ok);
      response_.set(http::field::content_type, "application/json");
      response_.body() = message_json("Hello, World!");
    } else {
      response_.result(http::status::not_found);
      response_.set(http::field::content_type, "text/plain");
      response_.body() = "not found";
    }
    response_.prepare_payload();
    http::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    if (ec) return;
    if (!response_.keep_alive()) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      return;
    }
    read();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& io, const tcp::endpoint& endpoint) : io_(io), acceptor_(io) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(1024);
  }

  void accept() {
    acceptor_.async_accept(io_,
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             if (!ec) {
                               socket.set_option(tcp::no_delay(true));
                               std::make_shared<Session>(std::move(socket))->start();
                             }
                             self->accept();
                           });
  }

 private:
  asio::io_context& io_;
  tcp::acceptor acceptor_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: beast_server PORT\n";
    return 2;
  }
  asio::io_context io{1};
  const auto port = static_cast<unsigned short>(std::atoi(argv[1]));
  std::make_shared<Listener>(io, tcp::endpoint{asio::ip::make_address("127.0.0.1"), port})
      ->accept();
  asio::signal_set signals{io, SIGINT, SIGTERM};
  signals.async_wait([&](beast::error_code, int) { io.stop(); });
  io.run();
  return 0;
}
