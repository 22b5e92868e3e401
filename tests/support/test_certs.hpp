// SPDX-License-Identifier: MIT
// Test support: certificates made by the openssl command in a temporary directory.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace swoop_test {

/// A temporary directory with certificates made at test time by the openssl command:
/// self-signed "good" (localhost, 127.0.0.1) and "other" (other.test), and "signed"
/// (localhost, 127.0.0.1) issued by the test CA "ca". Removed with the object.
struct TestCerts {
  std::filesystem::path dir;

  TestCerts() {
    char tmpl[] = "/tmp/swoop-certs-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    self_signed("good", "/CN=localhost", "DNS:localhost,IP:127.0.0.1");
    self_signed("other", "/CN=other.test", "DNS:other.test");
    self_signed("ca", "/CN=swoop test CA", "DNS:ca.test");
    sh("openssl req -new -newkey rsa:2048 -nodes -subj /CN=localhost -keyout " + key("signed") +
       " -out " + path("signed.csr"));
    sh("printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > " + path("signed.ext"));
    sh("openssl x509 -req -in " + path("signed.csr") + " -CA " + cert("ca") + " -CAkey " +
       key("ca") + " -CAcreateserial -days 1 -extfile " + path("signed.ext") + " -out " +
       cert("signed"));
  }
  ~TestCerts() { std::filesystem::remove_all(dir); }
  TestCerts(const TestCerts&) = delete;
  TestCerts& operator=(const TestCerts&) = delete;

  std::string path(const std::string& name) const { return (dir / name).string(); }
  std::string cert(const std::string& name) const { return path(name + ".crt"); }
  std::string key(const std::string& name) const { return path(name + ".key"); }

 private:
  static void sh(const std::string& cmd) {
    INFO(cmd);
    REQUIRE(std::system((cmd + " >/dev/null 2>&1").c_str()) == 0);
  }
  void self_signed(const std::string& name, const std::string& subject,
                   const std::string& san) const {
    sh("openssl req -x509 -newkey rsa:2048 -nodes -subj '" + subject + "'" +
       " -addext subjectAltName=" + san + " -days 1 -keyout " + key(name) + " -out " + cert(name));
  }
};

}  // namespace swoop_test
