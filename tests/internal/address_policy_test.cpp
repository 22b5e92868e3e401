// SPDX-License-Identifier: MIT
// The client's address classifier (is_public_address): pure unit tests, no traffic at all.
// Odd spellings are normalized with getaddrinfo(AI_NUMERICHOST), which never asks DNS.
#include <doctest/doctest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>
#include <optional>
#include <string>

#include "swoop/client.hpp"

using swoop::http::address_class;
using swoop::http::IpAddress;
using swoop::http::is_public_address;

namespace {

IpAddress ip(const char* text) {
  const auto a = IpAddress::parse(text);
  REQUIRE_MESSAGE(a.has_value(), text);
  return *a;
}

/// What the resolver makes of a numeric host, as the client sees it; nullopt when not numeric.
std::optional<IpAddress> numeric(std::string host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), "80", &hints, &res) != 0) return std::nullopt;
  IpAddress out;
  if (res->ai_family == AF_INET6) {
    out.family = IpAddress::Family::v6;
    std::memcpy(out.bytes.data(), &reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr, 16);
  } else {
    std::memcpy(out.bytes.data(), &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr, 4);
  }
  ::freeaddrinfo(res);
  return out;
}

}  // namespace

TEST_SUITE("address_policy") {
  TEST_CASE("IPv4 ranges that are not public") {
    for (const char* a :
         {"127.0.0.1",       "127.255.255.254", "10.0.0.1",        "10.255.255.255",
          "172.16.0.1",      "172.31.255.255",  "192.168.0.1",     "192.168.255.255",
          "169.254.169.254", "100.64.0.1",      "100.127.255.255", "0.0.0.0",
          "0.1.2.3",         "224.0.0.1",       "239.255.255.255", "240.0.0.1",
          "255.255.255.255", "192.0.2.1",       "198.51.100.7",    "203.0.113.9",
          "198.18.0.1",      "192.0.0.8"}) {
      CAPTURE(a);
      CHECK_FALSE(is_public_address(ip(a)));
    }
    CHECK(address_class(ip("127.0.0.1")) == "a loopback address");
    CHECK(address_class(ip("10.1.2.3")) == "a private address");
    CHECK(address_class(ip("169.254.169.254")) == "a link-local address");
  }

  TEST_CASE("public IPv4 and IPv6 addresses") {
    for (const char* a : {"1.1.1.1", "8.8.8.8", "93.184.216.34", "172.15.255.255", "172.32.0.1",
                          "100.63.255.255", "100.128.0.1", "169.253.0.1", "11.0.0.1",
                          "223.255.255.255", "2606:4700:4700::1111", "2a00:1450:4001::200e"}) {
      CAPTURE(a);
      CHECK(is_public_address(ip(a)));
    }
  }

  TEST_CASE("IPv6 ranges that are not public, and embedded IPv4") {
    for (const char* a :
         {"::1", "::", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "ff02::1", "ff0e::1",
          "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254",
          "64:ff9b::127.0.0.1", "64:ff9b::a00:1", "[::1]", "[::ffff:192.168.1.1]"}) {
      CAPTURE(a);
      CHECK_FALSE(is_public_address(ip(a)));
    }
    CHECK(address_class(ip("::ffff:127.0.0.1")) == "a loopback address");
    CHECK(address_class(ip("fe80::1")) == "a link-local address");
    CHECK(is_public_address(ip("::ffff:8.8.8.8")));
    CHECK(is_public_address(ip("64:ff9b::808:808")));
  }

  TEST_CASE("odd spellings normalize to loopback and are refused") {
    for (const char* host :
         {"127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1", "0x7f000001", "[::ffff:127.0.0.1]",
          "[::1]", "[0:0:0:0:0:0:0:1]", "10.1", "[::ffff:7f00:1]"}) {
      CAPTURE(host);
      const auto a = numeric(host);
      REQUIRE(a.has_value());
      CHECK_FALSE(is_public_address(*a));
    }
    CHECK(numeric("127.1")->text() == "127.0.0.1");
    CHECK(numeric("2130706433")->text() == "127.0.0.1");
    CHECK(numeric("0x7f.0.0.1")->text() == "127.0.0.1");
  }

  TEST_CASE("IpAddress::parse and text") {
    CHECK(ip("[::1]").text() == "::1");
    CHECK(ip("192.168.0.1").family == IpAddress::Family::v4);
    CHECK(ip("::ffff:127.0.0.1").family == IpAddress::Family::v6);
    CHECK_FALSE(IpAddress::parse("example.com").has_value());
    CHECK_FALSE(IpAddress::parse("127.1").has_value());  // left to the resolver
    CHECK_FALSE(IpAddress::parse("").has_value());
  }
}
