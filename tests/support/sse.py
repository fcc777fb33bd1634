"""A Server-Sent Events client for the tests: frames as lists of lines, with a deadline.

A thread reads the stream line by line (a socket read that timed out cannot be resumed), so
waiting for the next frame with a deadline never spoils the stream. Timeouts are seconds on a
quiet machine, scaled (``tests.support.waiting.deadline``).
"""

from __future__ import annotations

import contextlib
import http.client
import queue
import threading
import time

from tests.support.waiting import deadline


class EventReader:
    def __init__(self, port: int, headers: dict[str, str] | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline(30))
        self.connection.request("GET", "/api/events", headers=headers or {})
        self.sock = self.connection.sock  # kept: the response may take it from the connection
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self._thread.start()

    def _read(self) -> None:
        try:
            while line := self.response.readline():
                self._lines.put(line.decode().rstrip("\n"))
        except Exception:  # the stream ended or was closed under the reader: either is the end
            pass
        self._lines.put(None)

    def frame(self, timeout: float) -> list[str] | None:
        """The next frame's lines (an event, a comment), or None if none came in time."""
        return self._frame_until(deadline(timeout))

    def _frame_until(self, seconds: float) -> list[str] | None:
        give_up_at = time.monotonic() + seconds
        lines: list[str] = []
        while True:
            try:
                line = self._lines.get(timeout=max(give_up_at - time.monotonic(), 0.001))
            except queue.Empty:
                return None
            if line is None:
                return lines or None
            if line == "":
                if lines:
                    return lines
                continue
            lines.append(line)

    def next_event(self, timeout: float) -> dict[str, str] | None:
        """The next ``event:`` frame as a field dictionary, skipping comments."""
        give_up_at = time.monotonic() + deadline(timeout)
        while (left := give_up_at - time.monotonic()) > 0:
            lines = self._frame_until(left)
            if lines is None:
                return None
            fields = dict(line.split(": ", 1) for line in lines if not line.startswith(":"))
            if "event" in fields:
                return fields
        return None

    def close(self) -> None:
        import socket

        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)
        if self._thread.is_alive():
            self._thread.join(timeout=deadline(5))
        self.response.close()
        self.connection.close()
        if self.sock is not None:
            self.sock.close()
