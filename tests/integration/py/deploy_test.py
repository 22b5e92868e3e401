# SPDX-License-Identifier: MIT
"""deploy/: two instances of the hello example behind a real nginx running deploy/nginx.conf,
continuous traffic through nginx, a rolling restart (SIGTERM, start again) of each instance,
and not one failed request. Also: the Dockerfile's packages agree with scripts/setup and with
what the binary links, compose.yaml agrees with nginx.conf and the Dockerfile, and the systemd
unit passes systemd-analyze verify.

Usage: deploy_test.py EXAMPLES_DIR"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from serverproc import ServerProcess

EXAMPLES = None
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
NGINX = "/usr/sbin/nginx"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def get(port, path, timeout=5):
    """One GET on a new connection: (status, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def derive_nginx_conf(text, listen_port, upstream_ports):
    """deploy/nginx.conf with loopback ports instead of 80, 8001 and 8002."""
    text, n = re.subn(r"listen 80;", f"listen 127.0.0.1:{listen_port};", text)
    assert n == 1, "deploy/nginx.conf: expected one 'listen 80;'"
    upstreams = re.findall(r"server 127\.0\.0\.1:(\d+)", text)
    assert upstreams == ["8001", "8002"], upstreams
    for old, new in zip(upstreams, upstream_ports):
        text = text.replace(f"server 127.0.0.1:{old} ", f"server 127.0.0.1:{new} ")
    return text


class Nginx:
    """nginx in the foreground with deploy/nginx.conf (derived) under a temporary prefix."""

    def __init__(self, upstream_ports):
        self.dir = tempfile.mkdtemp(prefix="swoop-deploy-")
        self.port = free_port()
        with open(os.path.join(DEPLOY, "nginx.conf")) as f:
            site = derive_nginx_conf(f.read(), self.port, upstream_ports)
        with open(os.path.join(self.dir, "swoop.conf"), "w") as f:
            f.write(site)
        d = self.dir
        temp = "".join(f"  {k}_temp_path {d}/{k};\n"
                       for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        main = (f"daemon off;\nmaster_process off;\nworker_processes 1;\npid {d}/nginx.pid;\n"
                f"error_log {d}/error.log info;\nevents {{ worker_connections 512; }}\n"
                f"http {{\n  access_log off;\n{temp}  include {d}/swoop.conf;\n}}\n")
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(main)
        check = subprocess.run([NGINX, "-t", "-p", d + "/", "-c", d + "/nginx.conf", "-e",
                                d + "/error.log"], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self.proc = subprocess.Popen([NGINX, "-p", d + "/", "-c", d + "/nginx.conf", "-e",
                                      d + "/error.log"], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not accepts(self.port):
            assert self.proc.poll() is None, self.error_log()
            assert time.monotonic() < deadline, "nginx did not listen:\n" + self.error_log()
            time.sleep(0.02)

    def error_log(self):
        with open(os.path.join(self.dir, "error.log")) as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


class Traffic:
    """Client threads sending GETs through nginx on keep-alive connections, nonstop."""

    def __init__(self, port, threads=4):
        self.port = port
        self.stop_flag = threading.Event()
        self.lock = threading.Lock()
        self.ok = 0
        self.failures = []
        self.threads = [threading.Thread(target=self.run, daemon=True) for _ in range(threads)]
        for t in self.threads:
            t.start()

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        while not self.stop_flag.is_set():
            try:
                conn.request("GET", "/plaintext")
                res = conn.getresponse()
                body = res.read()
                good = res.status == 200 and body == b"Hello, World!"
                with self.lock:
                    if good:
                        self.ok += 1
                    else:
                        self.failures.append((time.monotonic(), res.status, body[:200]))
            except Exception as e:  # noqa: BLE001 - every failure is reported
                with self.lock:
                    self.failures.append((time.monotonic(), "exception", repr(e)))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.close()

    def count(self):
        with self.lock:
            return self.ok

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(15)


def start_instance(port):
    env = dict(os.environ, SWOOP_DRAIN_DELAY="2s", SWOOP_GRACEFUL_SHUTDOWN_TIMEOUT="5s",
               SWOOP_ACCESS_LOG="common")
    return ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", str(port), "--workers", "1"],
                         env=env)


def close_pipes(instance):
    instance._reader.join(timeout=5)
    instance.proc.stdout.close()
    instance.proc.stderr.close()


def served(instance):
    """Requests the instance logged (access log lines)."""
    return sum(1 for line in list(instance.log) if '"GET /plaintext HTTP/1.1" 200' in line)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


class RollingRestartTest(unittest.TestCase):
    def test_no_request_fails_while_each_instance_restarts(self):
        self.assertTrue(os.access(NGINX, os.X_OK), "nginx missing: run scripts/setup")
        ports = [free_port(), free_port()]
        instances = [start_instance(p) for p in ports]
        nginx = Nginx(ports)
        traffic = None
        try:
            traffic = Traffic(nginx.port)
            wait_for(lambda: all(served(i) >= 20 for i in instances), 15, "both instances to serve")
            started = time.monotonic()
            for k, port in enumerate(ports):
                old = instances[k]
                self.assertEqual(get(port, "/readyz"), (200, b"ready\n"))
                before = traffic.count()
                old.proc.send_signal(signal.SIGTERM)
                # Readiness turns 503 while the instance still accepts (the drain).
                status = None
                deadline = time.monotonic() + 1.5  # well within the 2 s drain
                while time.monotonic() < deadline:
                    status, _ = get(port, "/readyz")
                    if status == 503:
                        break
                    time.sleep(0.02)
                self.assertEqual(status, 503, "readiness did not turn off during the drain")
                # No second signal: it would end the drain the hard way (SIG_DFL).
                self.assertEqual(old.proc.wait(timeout=20), 0, "".join(old.log))
                close_pipes(old)
                self.assertFalse(accepts(port))
                self.assertGreater(traffic.count(), before, "traffic stalled")
                instances[k] = start_instance(port)
                # nginx puts the instance back after fail_timeout (2 s); wait until it has.
                wait_for(lambda: served(instances[k]) >= 20, 15, f"instance {k} to serve again")
            elapsed = time.monotonic() - started
        finally:
            if traffic is not None:
                traffic.stop()
            codes = [i.stop() for i in instances]
            for i in instances:
                close_pipes(i)
            errors = nginx.error_log()
            nginx.stop()
        self.assertEqual(codes, [0, 0])
        self.assertEqual(traffic.failures, [], errors[-4000:])
        self.assertGreater(traffic.ok, 200)
        # Logged for the report: how much traffic went through the two restarts.
        print(f"\n{traffic.ok} requests through nginx, 0 failed; both restarts took "
              f"{elapsed:.1f} s", file=sys.stderr)


class DockerfileTest(unittest.TestCase):
    @staticmethod
    def stages():
        with open(os.path.join(DEPLOY, "Dockerfile")) as f:
            text = f.read().replace("\\\n", " ")
        stages = re.split(r"^FROM ", text, flags=re.M)[1:]
        result = []
        for stage in stages:
            m = re.search(r"apt-get install ([^&\n]*)", stage)
            words = m.group(1).split() if m else []
            result.append({w for w in words if not w.startswith("-")})
        return result

    def test_the_build_stage_installs_what_scripts_setup_lists(self):
        with open(os.path.join(ROOT, "scripts", "setup")) as f:
            m = re.search(r"^build_packages=\((.*?)\)", f.read(), flags=re.M | re.S)
        self.assertIsNotNone(m)
        build_packages = set(m.group(1).split())
        build, runtime = self.stages()
        self.assertEqual(build, build_packages)
        self.assertFalse([p for p in runtime if p.endswith("-dev")], runtime)

    def test_the_runtime_stage_has_every_library_the_example_links(self):
        _, runtime = self.stages()
        out = subprocess.run(["ldd", f"{EXAMPLES}/json_head"], capture_output=True, text=True,
                             check=True).stdout
        needed = set()
        for path in re.findall(r"=> (/\S+)", out):
            if re.search(r"lib(asan|ubsan|tsan|lsan)\.so", path):
                continue  # sanitizer builds only
            owner = None
            for candidate in (path, "/usr" + path if path.startswith("/lib") else path):
                r = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
                if r.returncode == 0:
                    owner = r.stdout.split(":")[0]
                    break
            self.assertIsNotNone(owner, f"no package owns {path}")
            if owner != "libc6":  # in every Debian image
                needed.add(owner)
        self.assertTrue({"libuv1", "libssl3"} <= needed, needed)
        self.assertEqual(needed - runtime, set(), f"ldd:\n{out}")


class ComposeTest(unittest.TestCase):
    """deploy/compose.yaml cannot run here (no Docker): its pieces must agree with nginx.conf,
    the Dockerfile and each other."""

    def test_the_pieces_agree(self):
        import yaml
        with open(os.path.join(DEPLOY, "compose.yaml")) as f:
            services = yaml.safe_load(f)["services"]
        with open(os.path.join(DEPLOY, "nginx.conf")) as f:
            upstreams = re.findall(r"server 127\.0\.0\.1:(\d+)", f.read())
        with open(os.path.join(DEPLOY, "Dockerfile")) as f:
            binary = re.search(r"^COPY --from=build \S+ (\S+)$", f.read(), flags=re.M).group(1)
        redis = services["redis"]["command"]
        redis_url = f"redis://127.0.0.1:{redis[redis.index('--port') + 1]}"
        ports = []
        for name in ("chat-1", "chat-2"):
            s = services[name]
            entry = s["entrypoint"]
            self.assertEqual(entry[0], binary)
            ports.append(entry[entry.index("--port") + 1])
            self.assertEqual(s["environment"]["SWOOP_PUBSUB_URL"], redis_url)
            self.assertIn("redis", s["depends_on"])
        self.assertEqual(ports, upstreams)
        for s in services.values():
            self.assertEqual(s["network_mode"], "host")  # nginx.conf's 127.0.0.1 upstreams
        self.assertIn("./nginx.conf:/etc/nginx/conf.d/default.conf:ro",
                      services["nginx"]["volumes"])


class SystemdUnitTest(unittest.TestCase):
    def test_the_unit_verifies(self):
        analyze = shutil.which("systemd-analyze")
        if analyze is None:
            self.skipTest("systemd-analyze is not installed")
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(DEPLOY, "swoop-example.service")) as f:
                unit = f.read()
            unit, n = re.subn(r"ExecStart=/usr/local/bin/json_head",
                              f"ExecStart={EXAMPLES}/json_head", unit)
            self.assertEqual(n, 1)
            path = os.path.join(d, "swoop-example.service")
            with open(path, "w") as f:
                f.write(unit)
            r = subprocess.run([analyze, "verify", path], capture_output=True, text=True,
                               timeout=60)
            # Offline (no systemd as PID 1) verify still parses every directive; it warns
            # about unknown keys and bad values on stderr but exits 0.
            problems = [line for line in r.stderr.splitlines() if "swoop-example.service" in line]
            self.assertEqual(problems, [], r.stderr)


if __name__ == "__main__":
    EXAMPLES = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
