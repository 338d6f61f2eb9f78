# SPDX-License-Identifier: MIT
"""Small shared pieces: the error type, atomic writes, the directory lock,
and the progress reporter."""

import fcntl
import json
import os
import sys
import threading
import time


class MirrorError(Exception):
    """A failure to report as "go-mirror: error: <text>" (exit 1)."""


def atomic_write_bytes(path, data):
    tmp = f"{path}.tmp.{os.getpid()}.{threading.get_ident()}"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def atomic_write_text(path, text):
    atomic_write_bytes(path, text.encode())


def json_text(doc):
    """The one JSON spelling of go-mirror's files: sorted keys, one space
    indent, trailing newline (stable diffs for the committed lock)."""
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_json(path, doc):
    atomic_write_text(path, json_text(doc))


def read_json(path):
    with open(path) as f:
        return json.load(f)


class Lock:
    """flock on a file so concurrent builds do the work once."""

    def __init__(self, path, shared=False):
        self.path = path
        self.shared = shared
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def fmt_secs(s):
    if s < 10:
        return f"{s:.1f} s"
    if s < 120:
        return f"{s:.0f} s"
    return f"{int(s) // 60} min {int(s) % 60:02d} s"


def fmt_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


class Reporter:
    """Diagnostics on stderr.

    note(): a line unless quiet.  warn(): always.  done(): one finished
    step of a counted phase ("[7/22] golang-1.22-go 1.22.12-1 downloaded
    in 31 s").  Without a TTY such lines are printed at most every
    `every` seconds (the ones in between are counted in the next line);
    with a TTY one status line is redrawn in place.  Thread-safe."""

    def __init__(self, quiet=False, every=3.0, stream=None):
        self.quiet = quiet
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() and not quiet
        self.every = every
        self.lock = threading.Lock()
        self.last = 0.0
        self.held = None
        self.skipped = 0
        self.status = ""
        self.timer = None

    def _clear(self):
        if self.tty and self.status:
            self.stream.write("\r\033[K")
            self.status = ""

    def _line(self, text):
        self._clear()
        self.stream.write(f"go-mirror: {text}\n")
        self.stream.flush()

    def note(self, text):
        if self.quiet:
            return
        with self.lock:
            self._flush_held()
            self._line(text)

    def warn(self, text):
        with self.lock:
            self._flush_held()
            self._line(f"warning: {text}")

    def _flush_held(self):
        if self.held:
            more = f" (+{self.skipped} more)" if self.skipped else ""
            self._line(self.held + more)
            self.held = None
            self.skipped = 0
            self.last = time.monotonic()

    def done(self, k, n, text):
        if self.quiet:
            return
        with self.lock:
            line = f"[{k}/{n}] {text}" if n else f"[{k}] {text}"
            if self.tty:
                self._clear()
                self.stream.write(f"go-mirror: {line}"[:200])
                self.status = line
                self.stream.flush()
                if n and k == n:
                    self.stream.write("\n")
                    self.status = ""
                return
            now = time.monotonic()
            if self.held:
                self.skipped += 1
            self.held = line
            if now - self.last >= self.every or k == n:
                self._flush_held()
            elif self.timer is None:
                self.timer = threading.Timer(self.every - (now - self.last),
                                             self._tick)
                self.timer.daemon = True
                self.timer.start()

    def _tick(self):
        with self.lock:
            self.timer = None
            self._flush_held()

    def flush(self):
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
                self.timer = None
            self._flush_held()
            self._clear()
