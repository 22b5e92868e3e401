# SPDX-License-Identifier: MIT
"""An example started in a shared environment: Kubernetes service links and variables of other
software that share the SWOOP_ prefix are warnings, a malformed setting stops the start, and
--env-prefix moves the app's settings to another prefix."""
import http.client
import os
import subprocess
import sys
import unittest

from serverproc import ServerProcess

EXAMPLES = None  # directory holding the example binaries

# What a pod gets from Kubernetes for a Service named "swoop" with a TCP, a UDP and an SCTP port.
SERVICE_LINKS = {
    "SWOOP_PORT": "tcp://10.96.0.17:80",
    "SWOOP_SERVICE_HOST": "10.96.0.17",
    "SWOOP_SERVICE_PORT": "80",
    "SWOOP_SERVICE_PORT_HTTP": "80",
}
for proto, port in (("tcp", "80"), ("udp", "53"), ("sctp", "9000")):
    base = f"SWOOP_PORT_{port}_{proto.upper()}"
    SERVICE_LINKS.update({base: f"{proto}://10.96.0.17:{port}", base + "_PROTO": proto,
                          base + "_PORT": port, base + "_ADDR": "10.96.0.17"})


def environment(**extra):
    """This process's environment without its own SWOOP_ variables, plus extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SWOOP_", "MYSVC_"))}
    env.update(extra)
    return env


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    res = conn.getresponse()
    body = res.read()
    conn.close()
    return res.status, body


class SharedEnvironmentTest(unittest.TestCase):
    def test_service_links_and_unknown_variables_are_warnings(self):
        env = environment(**SERVICE_LINKS, SWOOP_DEPLOY_COLOR="blue")
        server = ServerProcess(None, argv=[f"{EXAMPLES}/hello", "--port", "0"], env=env)
        try:
            self.assertEqual(get(server.port, "/plaintext"), (200, b"Hello, World!"))
        finally:
            self.assertEqual(server.stop(), 0)
        warnings = [line for line in server.log if "[WARNING]" in line]
        self.assertEqual(len(warnings), 2, server.log)
        self.assertIn("config: ignoring SWOOP_PORT, ", warnings[0])
        self.assertIn("Kubernetes service links for a Service named 'swoop'", warnings[0])
        self.assertIn("enableServiceLinks: false", warnings[0])
        self.assertIn('load_env("MYSVC_")', warnings[0])
        for name in SERVICE_LINKS:
            self.assertRegex(warnings[0], name + "[,:]")
        self.assertTrue(
            warnings[1].endswith("config: ignoring SWOOP_DEPLOY_COLOR: no such setting\n"))
        self.assertNotIn("[ERROR]", "".join(server.log))

    def test_a_malformed_setting_stops_the_start_naming_the_variable(self):
        env = environment(**SERVICE_LINKS, SWOOP_DEPLOY_COLOR="blue", SWOOP_REQUEST_TIMEOUT="soon")
        proc = subprocess.run([f"{EXAMPLES}/hello", "--port", "0"], env=env, capture_output=True,
                              text=True, timeout=60, stdin=subprocess.DEVNULL)
        self.assertNotEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("SWOOP_REQUEST_TIMEOUT='soon': expected a duration", proc.stderr)
        self.assertNotIn("SWOOP_DEPLOY_COLOR", proc.stderr)
        self.assertNotIn("listening", proc.stderr)

    def test_another_prefix_leaves_swoop_variables_alone(self):
        env = environment(**SERVICE_LINKS, SWOOP_REQUEST_TIMEOUT="soon", MYSVC_ACCESS_LOG="common")
        server = ServerProcess(None, env=env, argv=[f"{EXAMPLES}/hello", "--port", "0",
                                                    "--env-prefix", "MYSVC_"])
        try:
            self.assertEqual(get(server.port, "/plaintext"), (200, b"Hello, World!"))
        finally:
            self.assertEqual(server.stop(), 0)
        log = "".join(server.log)
        self.assertIn('"GET /plaintext HTTP/1.1" 200 13', log)  # MYSVC_ACCESS_LOG was read
        self.assertNotIn("SWOOP_", log)
        self.assertNotIn("[WARNING]", log)


if __name__ == "__main__":
    EXAMPLES = sys.argv.pop(1)
    unittest.main(verbosity=2)
