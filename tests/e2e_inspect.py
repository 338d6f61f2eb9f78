#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""e2e test of `lutgen inspect` on real binaries built here.

Toolchains: `scripts/go-mirror goroots` (<version> <GOROOT> lines).  For
the oldest (go1.15: pre-1.18 build info, go1.2 pclntab) and the newest
toolchain every flag combination is built; toolchains in between get the
basic ones (their pclntab layouts: go1.18, go1.20, go1.26+ without
textStart).  Expected values come from `go version -m`, `go tool nm` on
the unstripped twin, `readelf -l` and from what we asked the build for,
never from lutgen.  Exit 77 when the prerequisites are missing.
"""
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

LUTGEN = os.environ.get("LUTGEN_EXE")
SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
STRIP = shutil.which("llvm-strip") or "strip"
FAILS = []
CHECKS = 0

HELLO = """package main

import (
\t"fmt"
\t"os"
)

//go:noinline
func Target(a, b int) int {
\tif a > b {
\t\treturn a - b
\t}
\tfor i := 0; i < b; i++ {
\t\ta += i
\t}
\treturn a
}

func main() {
\tfmt.Println(Target(len(os.Args), 3))
}
"""

CSHARED = """package main

import "C"

//export Add
func Add(a, b C.int) C.int { return a + b }

//go:noinline
func Target(a, b int) int {
\tif a > b {
\t\treturn a - b
\t}
\treturn b
}

func main() { println(Target(1, 2)) }
"""


def skip(why):
    print("SKIP: " + why)
    sys.exit(77)


def check(cond, what):
    global CHECKS
    CHECKS += 1
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)


def run(cmd, env=None, cwd=None):
    return subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def lutgen(*args):
    return run([LUTGEN] + list(args))


def goroots():
    script = os.path.join(SRC, "scripts", "go-mirror")
    if not os.access(script, os.X_OK):
        skip("scripts/go-mirror not available")
    r = run([script, "goroots"])
    if r.returncode != 0:
        skip("scripts/go-mirror goroots failed: " + r.stderr.strip())
    out = []
    for line in r.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and os.path.exists(os.path.join(parts[1], "bin", "go")):
            m = re.match(r"go1\.(\d+)", parts[0])
            if m:
                out.append((int(m.group(1)), parts[0], parts[1]))
    if not out:
        skip("no usable GOROOT from scripts/go-mirror goroots")
    out.sort()
    return out


def pick(roots):
    """oldest, newest (full matrix) and one per pclntab layout between."""
    full = {roots[0][1], roots[-1][1]}
    chosen = [roots[0], roots[-1]]
    want = [(18, 19), (20, 25), (26, 99)]   # minor ranges per layout
    for lo, hi in want:
        for r in roots:
            if lo <= r[0] <= hi and r not in chosen:
                chosen.append(r)
                break
    return chosen, full


def go_env(goroot, work, arch="amd64", cgo="0"):
    env = dict(os.environ)
    env.update(GOROOT=goroot, GOTOOLCHAIN="local", GOPROXY="off",
               GOFLAGS="-mod=mod", CGO_ENABLED=cgo, GOARCH=arch, GOOS="linux",
               GOCACHE=os.path.join(work, "gocache"),
               GOPATH=os.path.join(work, "gopath"),
               HOME=os.path.join(work, "home"))
    env["PATH"] = os.path.join(goroot, "bin") + ":" + env.get("PATH", "")
    return env


def go_version_m(goroot, path):
    """(version, {setting: value}) from `go version -m`."""
    r = run([os.path.join(goroot, "bin", "go"), "version", "-m", path],
            env=go_env(goroot, os.path.dirname(path)))
    lines = r.stdout.splitlines()
    if r.returncode != 0 or not lines or ": " not in lines[0]:
        return None, {}
    ver = lines[0].split(": ", 1)[1].split()[0]
    settings = {}
    for line in lines[1:]:
        f = line.strip("\n").split("\t")
        if len(f) >= 3 and f[1] == "build":
            k, _, v = f[2].partition("=")
            settings[k] = v.strip('"') if v.startswith('"') else v
    return ver, settings


def nm_addr(goroot, path, sym):
    r = run([os.path.join(goroot, "bin", "go"), "tool", "nm", path],
            env=go_env(goroot, os.path.dirname(path)))
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 3 and f[-1] == sym and f[-2] in "TtD":
            return int(f[0], 16)
    return None


def file_offset(path, vaddr):
    """vaddr -> file offset through `readelf -lW`'s LOAD lines."""
    r = run(["readelf", "-lW", path])
    for line in r.stdout.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            off, va, fsz = int(f[1], 16), int(f[2], 16), int(f[4], 16)
            if va <= vaddr < va + fsz:
                return off + vaddr - va
    return None


def drop_section_headers(src, dst):
    with open(src, "rb") as fh:
        b = bytearray(fh.read())
    assert b[4] == 2 and b[5] == 1  # ELF64 LE
    struct.pack_into("<Q", b, 40, 0)
    struct.pack_into("<HH", b, 60, 0, 0)
    with open(dst, "wb") as fh:
        fh.write(b)


def inspect_json(path):
    r = lutgen("--json", "inspect", path)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = None
    return r, doc


def check_binary(b):
    """b: dict(path, goroot, arch, expect={...}, twin=unstripped path)."""
    name = b["name"]
    r, doc = inspect_json(b["path"])
    check(r.returncode == 0 and doc is not None,
          "%s: inspect exit %d: %s" % (name, r.returncode, r.stderr.strip()))
    if not doc or r.returncode != 0:
        return
    # old `go version -m` needs section headers: ask it about the twin
    ver, settings = go_version_m(b["goroot"], b.get("vm", b["path"]))
    if ver is None and b.get("stripped"):
        # old debug/elf refuses some llvm-strip output; strip does not
        # touch .go.buildinfo, so ask about the unstripped twin
        ver, settings = go_version_m(b["goroot"], b["twin"])
    if ver is None and b["path"].endswith("cshared"):
        # go1.15's `go version -m` skips shared objects: the toolchain's
        # own `go version` names the version that built it
        r0 = run([os.path.join(b["goroot"], "bin", "go"), "version"],
                 env=go_env(b["goroot"], os.path.dirname(b["path"])))
        m = re.search(r"go version (go\S+)", r0.stdout)
        ver = m.group(1) if m else None
    check(ver is not None, "%s: go version -m failed" % name)
    check(doc.get("go_version") == ver,
          "%s: go_version %r, go version -m says %r" % (name, doc.get("go_version"), ver))
    check(doc.get("goarch") == b["arch"],
          "%s: goarch %r, built for %r" % (name, doc.get("goarch"), b["arch"]))
    bs = doc.get("build_settings", {})
    for k, v in settings.items():
        check(bs.get(k) == v, "%s: build setting %s=%r, go version -m says %r"
              % (name, k, bs.get(k), v))
    for k, v in b["expect"].items():
        check(doc.get(k) == v, "%s: %s is %r, expected %r" % (name, k, doc.get(k), v))
    check(isinstance(doc.get("lookups"), dict), "%s: no lookups object" % name)
    for lname, l in (doc.get("lookups") or {}).items():
        check("status" in l and "value" in l, "%s: lookup %s lacks value/status" % (name, lname))

    # --symbol: the address nm reads from the unstripped twin
    want = nm_addr(b["goroot"], b["twin"], "main.Target")
    check(want is not None, "%s: go tool nm found no main.Target in %s" % (name, b["twin"]))
    r = lutgen("--json", "inspect", "--symbol", "main.Target", b["path"])
    try:
        s = json.loads(r.stdout)
    except ValueError:
        s = {}
    check(r.returncode == 0, "%s: --symbol exit %d: %s" % (name, r.returncode, r.stderr.strip()))
    if r.returncode != 0 or want is None:
        return
    check(s.get("address") == want, "%s: --symbol address %s, nm says 0x%x"
          % (name, hex(int(s.get("address", 0))), want))
    off = file_offset(b["path"], want)
    check(s.get("offset") == off, "%s: --symbol offset %r, readelf gives %r" % (name, s.get("offset"), off))
    rets = s.get("returns") or []
    if b["arch"] not in ("amd64", "arm64"):
        check(s.get("returns") is None, "%s: return offsets on %s?" % (name, b["arch"]))
        return
    check(len(rets) >= 1, "%s: no return offsets" % name)
    with open(b["path"], "rb") as fh:
        data = fh.read()
    for ret in rets:
        o = int(ret["offset"])
        if b["arch"] == "amd64":
            check(data[o] == 0xc3, "%s: byte at return offset 0x%x is 0x%02x, not RET"
                  % (name, o, data[o]))
        else:
            w = struct.unpack_from("<I", data, o)[0]
            check(w & 0xfffffc1f == 0xd65f0000, "%s: word at 0x%x is 0x%08x, not RET" % (name, o, w))


def build(goroot, work, src, out, args, arch="amd64", cgo="0"):
    env = go_env(goroot, work, arch, cgo)
    r = run([os.path.join(goroot, "bin", "go"), "build", "-o", out] + args + ["."],
            env=env, cwd=src)
    if r.returncode != 0:
        print("note: build %s %s failed: %s" % (os.path.basename(out), " ".join(args),
                                                 r.stderr.strip()[-300:]))
        return False
    return True


def matrix(minor, ver, goroot, work, full):
    src = os.path.join(work, "src")
    csrc = os.path.join(work, "csrc")
    outd = os.path.join(work, ver)
    os.makedirs(outd, exist_ok=True)
    have_gcc = shutil.which("gcc") is not None
    bins = []

    def add(name, args, expect, arch="amd64", cgo="0", strip=False, noshdr=False):
        p = os.path.join(outd, name)
        if not build(goroot, work, src if name != "cshared" else csrc, p, args, arch, cgo):
            check(False, "%s/%s: go build failed" % (ver, name))
            return
        twin = p
        if strip:
            twin = p + ".unstripped"
            shutil.copy(p, twin)
            # binutils' strip knows the host arch only; llvm-strip all
            r = run([STRIP if arch != "amd64" else "strip", "--strip-all", p])
            check(r.returncode == 0, "strip %s" % p)
        if noshdr:
            twin = p + ".unstripped"
            shutil.copy(p, twin)
            drop_section_headers(twin, p)
        bins.append(dict(name="%s/%s" % (ver, name), path=p, goroot=goroot,
                         arch=arch, expect=expect, twin=twin))
        if noshdr:
            bins[-1]["vm"] = twin
        bins[-1]["stripped"] = strip

    static = dict(linkage="static", pie=False, kind="executable")
    add("default", [], dict(static, symtab=True, dwarf=True))
    # -s -w: compare with the unstripped build's nm (same link layout)
    p_sw = os.path.join(outd, "sw")
    if build(goroot, work, src, p_sw, ["-ldflags=-s -w"]):
        bins.append(dict(name=ver + "/-s -w", path=p_sw, goroot=goroot, arch="amd64",
                         expect=dict(static, symtab=False, dwarf=False),
                         twin=os.path.join(outd, "default")))
    add("arm64", [], dict(static, symtab=True, dwarf=True), arch="arm64")
    add("arm64-stripped", [], dict(static, symtab=False, dwarf=False), arch="arm64", strip=True)
    add("stripped", [], dict(static, symtab=False, dwarf=False), strip=True)
    if full and minor >= 18:
        # other ports: 32-bit little endian and 64-bit big endian
        for arch in ("386", "s390x"):
            add(arch + "-stripped", [], dict(static, symtab=False), arch=arch,
                strip=True)
    if not full:
        add("noshdr", [], dict(static, symtab=False, dwarf=False), noshdr=True)
        return bins
    add("noshdr", [], dict(static, symtab=False, dwarf=False,
                           section_headers=False), noshdr=True)
    add("trimpath", ["-trimpath"], dict(static, symtab=True, dwarf=True))
    pie = dict(linkage="dynamic", pie=True, kind="pie")
    add("pie", ["-buildmode=pie"], dict(pie, symtab=True, dwarf=True))
    add("pie-stripped", ["-buildmode=pie"], dict(pie, symtab=False), strip=True)
    add("pie-noshdr", ["-buildmode=pie"], dict(pie, symtab=False, section_headers=False),
        noshdr=True)
    if not have_gcc:
        print("note: gcc missing: no external/race/c-shared builds")
        return bins
    dyn = dict(linkage="dynamic", pie=False, kind="executable")
    add("external", ["-ldflags=-linkmode=external"], dict(dyn, symtab=True), cgo="1")
    add("external-stripped", ["-ldflags=-linkmode=external"], dict(dyn, symtab=False),
        cgo="1", strip=True)
    add("external-static", ["-ldflags=-linkmode=external -extldflags=-static"],
        dict(static, symtab=True), cgo="1")
    add("race", ["-race"], dict(symtab=True), cgo="1")
    add("race-stripped", ["-race"], dict(symtab=False), cgo="1", strip=True)
    add("cshared", ["-buildmode=c-shared"], dict(kind="shared-object", pie=False,
                                                 linkage="dynamic"), cgo="1")
    return bins


def errors_case(work, newest_root):
    src = os.path.join(work, "src")
    cases = []
    cfile = os.path.join(work, "c.c")
    with open(cfile, "w") as fh:
        fh.write("int main(void) { return 0; }\n")
    if shutil.which("cc"):
        cbin = os.path.join(work, "cbin")
        if run(["cc", "-o", cbin, cfile]).returncode == 0:
            cases.append((cbin, "not a Go binary"))
    if shutil.which("gccgo"):
        gbin = os.path.join(work, "gccgo-bin")
        r = run(["gccgo", "-o", gbin, os.path.join(src, "main.go")])
        check(r.returncode == 0, "gccgo build: " + r.stderr[-200:])
        if r.returncode == 0:
            cases.append((gbin, "built with gccgo"))
            sbin = gbin + "-stripped"
            run(["strip", "--strip-all", "-o", sbin, gbin])
            cases.append((sbin, "built with gccgo"))
    else:
        print("note: gccgo missing")
    txt = os.path.join(work, "notelf.txt")
    with open(txt, "w") as fh:
        fh.write("#!/bin/sh\necho not an elf\n")
    cases.append((txt, "not an ELF file"))
    gobin = os.path.join(work, newest_root[1], "default")
    with open(gobin, "rb") as fh:
        data = fh.read()
    for n in (20, 63, 4096, len(data) // 3, len(data) - 1):
        t = os.path.join(work, "trunc%d" % n)
        with open(t, "wb") as fh:
            fh.write(data[:n])
        cases.append((t, "truncated"))
    for path, needle in cases:
        for args in (["inspect", path], ["--json", "inspect", path],
                     ["inspect", "--symbol", "main.Target", path]):
            r = lutgen(*args)
            what = "%s %s" % (" ".join(args[:-1]), os.path.basename(path))
            check(r.returncode == 1, "%s: exit %d (want 1): %s" % (what, r.returncode, r.stderr))
            if "--symbol" not in args:
                check(needle in r.stderr, "%s: stderr %r lacks %r" % (what, r.stderr.strip(), needle))
            if "--json" in args:
                try:
                    doc = json.loads(r.stdout)
                except ValueError:
                    doc = {}
                check("error" in doc, "%s: --json stdout has no error member: %r" % (what, r.stdout))


def verify_case(work, newest_root):
    p = os.path.join(work, newest_root[1], "default")
    r = lutgen("--json", "inspect", "--verify", p)
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        doc = {}
    bad = [n for n, l in (doc.get("lookups") or {}).items()
           if (l.get("verify") or {}).get("disagrees")]
    check(r.returncode == (1 if bad else 0) and "lookups" in doc,
          "--verify on %s: exit %d, disagreements %r, stderr %s"
          % (p, r.returncode, bad, r.stderr.strip()))
    s = os.path.join(work, newest_root[1], "stripped")
    r = lutgen("inspect", "--verify", s)
    check(r.returncode == 1 and "DWARF" in r.stderr,
          "--verify on a stripped binary: exit %d %s" % (r.returncode, r.stderr.strip()))


def main():
    if not LUTGEN or not SRC:
        skip("LUTGEN_EXE / LUTGEN_SOURCE_ROOT not set (run through meson test)")
    for tool in ("readelf", "strip"):
        if not shutil.which(tool):
            skip(tool + " not installed")
    roots = goroots()
    chosen, full = pick(roots)
    work = tempfile.mkdtemp(prefix="lutgen-e2e-inspect-")
    try:
        for d, text in (("src", HELLO), ("csrc", CSHARED)):
            os.makedirs(os.path.join(work, d))
            with open(os.path.join(work, d, "main.go"), "w") as fh:
                fh.write(text)
            with open(os.path.join(work, d, "go.mod"), "w") as fh:
                fh.write("module example.com/%s\n\ngo 1.15\n" % d)
        bins = []
        for minor, ver, goroot in chosen:
            print("building with %s (%s)" % (ver, "full matrix" if ver in full else "basic"))
            bins += matrix(minor, ver, goroot, work, ver in full)
        for b in bins:
            check_binary(b)
        errors_case(work, roots[-1])
        verify_case(work, roots[-1])
    finally:
        if os.environ.get("LUTGEN_KEEP_TMP"):
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d binaries, %d checks, %d failures" % (len(bins), CHECKS, len(FAILS)))
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
