// SPDX-License-Identifier: MIT
// NginxServer: Debian's /usr/sbin/nginx run by a test on 127.0.0.1 (HTTP and HTTPS), with a CA
// and a server certificate made by the openssl command in a temporary directory.
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "support/raw_socket.hpp"

namespace swoop::test {

/// A loopback port free a moment ago (bound to port 0, read, released).
inline std::uint16_t free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// A loopback listener that never accepts: connections complete in the kernel's backlog and
/// then hear nothing. Closed by the destructor.
class Blackhole {
 public:
  Blackhole() { fd_ = swoop::test::listen_loopback(port_); }
  ~Blackhole() { ::close(fd_); }
  Blackhole(const Blackhole&) = delete;
  Blackhole& operator=(const Blackhole&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

/// nginx in the foreground (daemon off, no master) with everything under a temporary
/// directory. The server certificate is signed by a test CA (ca_file()) and names only
/// IP:127.0.0.1, so https://127.0.0.1 verifies and https://localhost does not.
/// Files served from root: hello.txt ("Hello, World!", 13 bytes), chunked.txt (served through
/// sub_filter, which drops Content-Length, so nginx chunks it), big.bin (1 MiB).
/// Locations: /redirect (301 to /hello.txt), /slow/big.bin (limit_rate 1k),
/// /blackhole (proxied to a listener that never answers).
/// A missing nginx fails the test with a message pointing at scripts/setup.
class NginxServer {
 public:
  NginxServer() {
    const char* nginx = "/usr/sbin/nginx";
    if (::access(nginx, X_OK) != 0) {
      FAIL("nginx not found at /usr/sbin/nginx: run scripts/setup (it installs nginx-light)");
    }
    char tmpl[] = "/tmp/swoop-nginx-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    make_certs();
    make_files();
    http_port_ = free_port();
    https_port_ = free_port();
    write_config();
    start(nginx);
  }
  ~NginxServer() {
    stop();
    std::filesystem::remove_all(dir_);
  }
  NginxServer(const NginxServer&) = delete;
  NginxServer& operator=(const NginxServer&) = delete;

  std::uint16_t http_port() const { return http_port_; }
  std::uint16_t https_port() const { return https_port_; }
  std::string http_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(http_port_) + path;
  }
  std::string https_url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return "https://" + host + ":" + std::to_string(https_port_) + path;
  }
  /// The PEM file of the CA that signed the server certificate.
  std::string ca_file() const { return (dir_ / "ca.crt").string(); }

  /// Stops nginx (SIGTERM) and waits for it; idempotent.
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
  }

 private:
  void sh(const std::string& cmd) const {
    const std::string full = "cd " + dir_.string() + " && " + cmd + " >/dev/null 2>&1";
    INFO(cmd);
    REQUIRE(std::system(full.c_str()) == 0);
  }
  void write(const std::string& name, const std::string& text) const {
    std::ofstream out(dir_ / name, std::ios::binary);
    out << text;
    REQUIRE(out.good());
  }
  std::string read(const std::string& name) const {
    std::ifstream in(dir_ / name, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }

  void make_certs() const {
    sh("openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=swoop test CA'"
       " -keyout ca.key -out ca.crt");
    sh("openssl req -new -newkey rsa:2048 -nodes -subj '/CN=swoop test server'"
       " -keyout server.key -out server.csr");
    write("server.ext", "subjectAltName=IP:127.0.0.1\n");
    sh("openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 1"
       " -extfile server.ext -out server.crt");
  }

  void make_files() const {
    std::filesystem::create_directories(dir_ / "www" / "slow");
    std::filesystem::create_directories(dir_ / "tmp");
    write("www/hello.txt", "Hello, World!");
    write("www/chunked.txt", "hello chunked world\n");
    write("www/big.bin", std::string(1 << 20, 'x'));
    write("www/slow/big.bin", std::string(1 << 20, 'x'));
  }

  void write_config() {
    const std::string d = dir_.string();
    std::ostringstream c;
    c << "daemon off;\nmaster_process off;\nworker_processes 1;\n"
      << "pid " << d << "/nginx.pid;\nerror_log " << d << "/error.log info;\n"
      << "events { worker_connections 128; }\n"
      << "http {\n  access_log off;\n  default_type application/octet-stream;\n"
      << "  types { text/plain txt; }\n  keepalive_timeout 60s;\n"
      << "  client_body_temp_path " << d << "/tmp/body;\n  proxy_temp_path " << d << "/tmp/proxy;\n"
      << "  fastcgi_temp_path " << d << "/tmp/fastcgi;\n  uwsgi_temp_path " << d << "/tmp/uwsgi;\n"
      << "  scgi_temp_path " << d << "/tmp/scgi;\n"
      << "  server {\n    listen 127.0.0.1:" << http_port_ << ";\n"
      << "    listen 127.0.0.1:" << https_port_ << " ssl;\n"
      << "    ssl_certificate " << d << "/server.crt;\n"
      << "    ssl_certificate_key " << d << "/server.key;\n"
      << "    root " << d << "/www;\n"
      << "    location = /redirect { return 301 /hello.txt; }\n"
      << "    location = /chunked.txt { sub_filter 'chunked' 'CHUNKED'; sub_filter_types *; }\n"
      << "    location /slow/ { limit_rate 1k; }\n"
      << "    location = /blackhole { proxy_pass http://127.0.0.1:" << blackhole_.port()
      << "; proxy_read_timeout 60s; }\n"
      << "  }\n}\n";
    write("nginx.conf", c.str());
  }

  void start(const char* nginx) {
    const std::string prefix = dir_.string() + "/";
    const std::string conf = prefix + "nginx.conf";
    const std::string log = prefix + "error.log";
    std::vector<char*> argv{const_cast<char*>(nginx),          const_cast<char*>("-p"),
                            const_cast<char*>(prefix.c_str()), const_cast<char*>("-c"),
                            const_cast<char*>(conf.c_str()),   const_cast<char*>("-e"),
                            const_cast<char*>(log.c_str()),    nullptr};
    const std::string out = prefix + "nginx.out";
    // fork + exec rather than posix_spawn, for PR_SET_PDEATHSIG: nginx dies with the test
    // even when the test aborts (a sanitizer report) before the destructor could stop it.
    pid_ = ::fork();
    REQUIRE_MESSAGE(pid_ >= 0, "cannot fork to start /usr/sbin/nginx");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int in = ::open("/dev/null", O_RDONLY);
      const int log_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(in, 0);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      ::execv(nginx, argv.data());
      ::_exit(127);
    }
    for (int i = 0; i < 500; ++i) {  // up to 5 s for both ports to accept
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = 0;
        FAIL("nginx exited at startup:\n" << read("nginx.out") << read("error.log"));
      }
      if (accepts(http_port_) && accepts(https_port_)) return;
      std::this_thread::sleep_for(std::chrono::milliseconds{10});
    }
    FAIL("nginx did not listen within 5 s:\n" << read("error.log"));
  }

  static bool accepts(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    return ok;
  }

  std::filesystem::path dir_;
  Blackhole blackhole_;
  std::uint16_t http_port_ = 0;
  std::uint16_t https_port_ = 0;
  pid_t pid_ = 0;
};

}  // namespace swoop::test
