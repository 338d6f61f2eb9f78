#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ptyrun.py OUT CMD...: run CMD with its stderr on a pseudo-terminal (so
isatty(2) is true, as in an interactive shell) and write everything the
terminal received to OUT.  stdin and stdout are passed through; the exit
status is CMD's (128+N when killed by signal N)."""

import os
import pty
import subprocess
import sys


def main():
    if len(sys.argv) < 3:
        sys.stderr.write("usage: ptyrun.py OUT CMD...\n")
        return 2
    out_path, cmd = sys.argv[1], sys.argv[2:]
    master, slave = pty.openpty()
    env = dict(os.environ)
    env.pop("CI", None)            # a terminal, not a CI log
    p = subprocess.Popen(cmd, stderr=slave, env=env)
    os.close(slave)
    got = bytearray()
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:            # EIO: every writer closed the terminal
            break
        if not chunk:
            break
        got += chunk
    os.close(master)
    rc = p.wait()
    with open(out_path, "wb") as f:
        f.write(bytes(got))
    return rc if rc >= 0 else 128 - rc


if __name__ == "__main__":
    sys.exit(main())
