# SPDX-License-Identifier: MIT
"""Start-up failures of a main() without try/catch (the guide's first program): each is logged
at error level and ends the process with exit status 1, not std::terminate's abort (134)."""
import http.client
import os
import socket
import subprocess
import sys
import unittest

from serverproc import ServerProcess

PROGRAM = sys.argv.pop(1) if len(sys.argv) > 1 else "guide_main"


def start_and_fail(port, env=None):
    return subprocess.run([PROGRAM, str(port)], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)


class StartupFailureTest(unittest.TestCase):
    def test_a_port_taken_by_another_program(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            port = taken.getsockname()[1]
            proc = start_and_fail(port)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertRegex(proc.stderr, rf"\[ERROR\] hello: cannot start: bind 127\.0\.0\.1:{port}.*"
                                      r"[Aa]ddress already in use")

    def test_a_second_instance_on_the_same_port(self):
        first = ServerProcess(None, argv=[PROGRAM, "0"])
        try:
            proc = start_and_fail(first.port)
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn("another process listens there", proc.stderr)
            conn = http.client.HTTPConnection("127.0.0.1", first.port, timeout=10)
            conn.request("GET", "/hello/ada")
            self.assertEqual(conn.getresponse().read(), b"Hello, ada!\n")  # still the first's
            conn.close()
        finally:
            self.assertEqual(first.stop(), 0)

    def test_a_malformed_setting(self):
        env = dict(os.environ, SWOOP_REQUEST_TIMEOUT="soon")
        proc = start_and_fail(0, env)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertRegex(proc.stderr,
                         r"(?s)\[ERROR\] hello: cannot start: .*SWOOP_REQUEST_TIMEOUT='soon'")


if __name__ == "__main__":
    unittest.main()
