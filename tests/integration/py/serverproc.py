# SPDX-License-Identifier: MIT
"""Starts tests/integration/test_server as a subprocess and finds the port it listens on."""
import re
import subprocess
import threading


class ServerProcess:
    """The test server process; its stderr is collected, its port parsed from the log."""

    def __init__(self, binary, workers=1, extra=(), argv=None, env=None):
        command = argv if argv is not None else [binary, str(workers), *extra]
        self.proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.log = []
        self.port = None
        for line in self.proc.stderr:
            self.log.append(line)
            m = re.search(r"listening on https?://[^ ]*:(\d+)", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.proc.kill()
            raise RuntimeError("server did not start:\n" + "".join(self.log))
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self):
        for line in self.proc.stderr:
            self.log.append(line)

    def stop(self, sig=None, timeout=20):
        import signal
        if self.proc.poll() is None:
            self.proc.send_signal(sig or signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        # The reader thread may still hold the last lines: let it reach EOF first.
        self._reader.join(timeout=5)
        return code

    def stop_checked(self, sig=None, timeout=20):
        """stop(), raising AssertionError with the server's log unless it exited with 0."""
        code = self.stop(sig, timeout)
        if code != 0:
            raise AssertionError(f"server exited with {code}:\n{''.join(self.log)}")
        return code
