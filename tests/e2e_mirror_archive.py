#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The mirror's archives are byte-identical whatever Python or zlib packs
them (issue 9: 6 of 11 toolchains had another sha256 on a fresh machine).

`scripts/go-mirror pack` packs one hand-made tree (long paths for ustar's
prefix field and for PAX, a symlink, an executable, an empty directory,
a file larger than one stored block) under:
  - the Python running this test;
  - the same Python with a different "zlib" injected (sitecustomize: level
    1 deflate for every compressobj/compress, binascii's crc32), shown to
    change gzip's output, so a packer that used the compressor would fail;
  - every other CPython 3.8+ found (/usr/bin/python3.*, pyenv versions).
All sha256 must agree.  The archive is then read by independent readers:
GNU tar (contents, modes, owners, mtime), gzip -t, and a deflate walk here
that checks every block is a stored block and the CRC-32/ISIZE trailer.
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zlib

SRC = os.environ.get("LUTGEN_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
MIRROR = os.path.join(SRC, "scripts", "go-mirror")
MTIME = 1700000000

FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL: " + msg, file=sys.stderr)


def make_tree(root):
    """The fixture: what each path exercises is said next to it."""
    files = {
        "VERSION": b"go1.99.1\ntime 2026-01-01T00:00:00Z\n",
        "bin/go": b"#!/bin/sh\necho fake go\n",            # executable
        "src/runtime/proc.go": b"package runtime\n",
        # > 100 bytes with a '/' to split: ustar prefix + name
        "src/" + "/".join(["d%02d_abcdefghij" % i for i in range(8)]) +
        "/file.go": b"package x\n",
        # one component of 120 bytes: only PAX can hold it
        "src/long/" + "n" * 120 + ".go": b"package long\n",
        # 200 000 bytes: several stored blocks, not a multiple of 65535
        "pkg/tool/linux_amd64/compile": bytes(range(256)) * 781 + b"tail",
        "lib/empty.txt": b"",
    }
    for rel, data in files.items():
        p = os.path.join(root, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
    os.chmod(os.path.join(root, "bin/go"), 0o755)
    os.chmod(os.path.join(root, "pkg/tool/linux_amd64/compile"), 0o775)
    os.makedirs(os.path.join(root, "pkg/include"))           # empty dir
    os.symlink("../src/runtime/proc.go", os.path.join(root, "bin/link"))
    # a long symlink target: PAX linkpath
    os.symlink("../" + "t" * 110, os.path.join(root, "lib/longlink"))
    return files


INJECT = r'''
import binascii, zlib
_compressobj = zlib.compressobj
def compressobj(level=-1, *a, **k):
    return _compressobj(1, *a, **k)
def compress(data, level=-1, wbits=15):
    c = _compressobj(1, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()
zlib.compressobj = compressobj
zlib.compress = compress
zlib.crc32 = binascii.crc32
'''


def pythons():
    """Other CPython 3.8+ interpreters on this machine."""
    seen = set()
    out = []
    cands = sorted(glob.glob("/usr/bin/python3.[0-9]*")) + sorted(
        glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    for c in cands:
        if not os.access(c, os.X_OK) or c.endswith("-config"):
            continue
        r = subprocess.run([c, "-c", "import sys, zlib; print(sys.version_"
                            "info[:2] >= (3, 8), sys.version.split()[0], "
                            "zlib.ZLIB_RUNTIME_VERSION)"],
                           capture_output=True, text=True)
        if r.returncode != 0 or not r.stdout.startswith("True"):
            continue
        ident = r.stdout.split()[1:]
        if tuple(ident) in seen:
            continue
        seen.add(tuple(ident))
        out.append((c, " ".join(ident)))
    return out


def pack(python, tree, out, env=None):
    r = subprocess.run([python, MIRROR, "pack", "--top", "go", "--mtime",
                        str(MTIME), tree, out], capture_output=True,
                       text=True, env=env)
    check(r.returncode == 0, f"pack with {python}: {r.stderr[-800:]}")
    with open(out, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def walk_deflate(data):
    """Independent structural check of our gzip: header, stored blocks
    only, trailer.  Returns the inflated bytes."""
    check(data[:10] == bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255]),
          "gzip header is not the fixed one (no name, mtime 0, OS 255)")
    pos = 10
    out = bytearray()
    blocks = 0
    while True:
        hdr = data[pos]
        btype = (hdr >> 1) & 3
        check(btype == 0, f"block {blocks} at {pos} has BTYPE {btype}")
        n = int.from_bytes(data[pos + 1:pos + 3], "little")
        nn = int.from_bytes(data[pos + 3:pos + 5], "little")
        check(n ^ 0xFFFF == nn, f"block {blocks}: NLEN does not match LEN")
        out += data[pos + 5:pos + 5 + n]
        pos += 5 + n
        blocks += 1
        if hdr & 1:
            break
        check(n == 65535, f"non-final block {blocks} holds {n} bytes")
    crc = int.from_bytes(data[pos:pos + 4], "little")
    isize = int.from_bytes(data[pos + 4:pos + 8], "little")
    check(pos + 8 == len(data), "bytes after the gzip trailer")
    check(crc == zlib.crc32(bytes(out)), "CRC-32 trailer is wrong")
    check(isize == len(out) & 0xFFFFFFFF, "ISIZE trailer is wrong")
    check(blocks > 3, f"only {blocks} blocks: fixture too small")
    return bytes(out)


def main():
    work = tempfile.mkdtemp(prefix="lutgen-mirror-archive-")
    try:
        tree = os.path.join(work, "tree")
        files = make_tree(tree)
        # 1. this interpreter
        ref = pack(sys.executable, tree, os.path.join(work, "a.tar.gz"))
        print(f"{sys.version.split()[0]} zlib {zlib.ZLIB_RUNTIME_VERSION}: "
              f"{ref}")
        # 2. an injected zlib that compresses differently
        inj = os.path.join(work, "inject")
        os.makedirs(inj)
        with open(os.path.join(inj, "sitecustomize.py"), "w") as f:
            f.write(INJECT)
        env = dict(os.environ, PYTHONPATH=inj)
        probe = ("import gzip, sys; sys.stdout.buffer.write("
                 "gzip.compress(bytes(range(256))*4000, mtime=0))")
        a = subprocess.run([sys.executable, "-c", probe],
                           capture_output=True).stdout
        b = subprocess.run([sys.executable, "-c", probe], capture_output=True,
                           env=env).stdout
        check(a and b and a != b, "the injected zlib does not change "
              "gzip's output: the injection proves nothing")
        got = pack(sys.executable, tree, os.path.join(work, "b.tar.gz"), env)
        print(f"injected zlib (level 1, binascii crc32): {got}")
        check(got == ref, f"injected zlib gave {got}, expected {ref}")
        # 3. other interpreters
        others = [(p, i) for p, i in pythons()
                  if os.path.realpath(p) != os.path.realpath(sys.executable)]
        for i, (py, ident) in enumerate(others):
            got = pack(py, tree, os.path.join(work, f"c{i}.tar.gz"))
            print(f"{ident} ({py}): {got}")
            check(got == ref, f"{py} ({ident}) gave {got}, expected {ref}")
        if not others:
            print("note: no second CPython on this machine; the injected "
                  "zlib stands in for a different build")

        path = os.path.join(work, "a.tar.gz")
        data = open(path, "rb").read()
        raw = walk_deflate(data)
        check(len(raw) % 512 == 0, "tar stream is not a multiple of 512")
        # GNU tar: list with owners/modes/times, extract, compare.
        r = subprocess.run(["gzip", "-t", path], capture_output=True)
        check(r.returncode == 0, "gzip -t: " + r.stderr.decode()[-300:])
        r = subprocess.run(["tar", "--numeric-owner", "--full-time", "-tvzf",
                            path], capture_output=True, text=True,
                           env=dict(os.environ, TZ="UTC"))
        check(r.returncode == 0, "tar -tvzf: " + r.stderr[-300:])
        lines = r.stdout.splitlines()
        for ln in lines:
            f = ln.split()
            check(f[1] == "0/0", f"owner is not 0/0: {ln}")
            check(f"{f[3]} {f[4]}" == "2023-11-14 22:13:20",
                  f"mtime is not {MTIME}: {ln}")
        names = [ln.split(None, 5)[5].split(" -> ")[0] for ln in lines]
        check(names == sorted(names, key=lambda s: s.encode()),
              "entries are not sorted by byte path")
        check(names[0] == "go/", f"first entry {names[0]!r}, expected go/")
        modes = {ln.split(None, 5)[5].split(" -> ")[0]: ln.split()[0]
                 for ln in lines}
        check(modes.get("go/bin/go") == "-rwxr-xr-x", "bin/go mode")
        check(modes.get("go/pkg/tool/linux_amd64/compile") == "-rwxr-xr-x",
              "compile mode (0775 must become 0755)")
        check(modes.get("go/VERSION") == "-rw-r--r--", "VERSION mode")
        check(modes.get("go/pkg/include/") == "drwxr-xr-x", "empty dir")
        out = os.path.join(work, "x")
        os.makedirs(out)
        r = subprocess.run(["tar", "-xzf", path, "-C", out],
                           capture_output=True, text=True)
        check(r.returncode == 0, "tar -xzf: " + r.stderr[-300:])
        for rel, content in files.items():
            p = os.path.join(out, "go", rel)
            check(os.path.isfile(p) and open(p, "rb").read() == content,
                  f"{rel}: content differs after extraction")
        check(os.readlink(os.path.join(out, "go/bin/link")) ==
              "../src/runtime/proc.go", "symlink target")
        check(os.readlink(os.path.join(out, "go/lib/longlink")) ==
              "../" + "t" * 110, "long symlink target (PAX linkpath)")
        check(os.path.isdir(os.path.join(out, "go/pkg/include")),
              "empty directory lost")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed", file=sys.stderr)
        return 1
    print("ok: identical archives under every packing environment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
