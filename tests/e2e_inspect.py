#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""e2e test of `lutgen inspect` (the vendorable reader
generated/lutgen_gobin.c underneath) on real binaries built here.

Toolchains: `scripts/go-mirror goroots` (<version> <GOROOT> lines).  For
the oldest (go1.15: pre-1.18 build info, go1.2 pclntab) and the newest
toolchain every flag combination is built; toolchains in between get the
basic ones (their pclntab layouts: go1.18, go1.20, go1.26+ without
textStart).  Expected values come from `go version -m` of the newest
toolchain (the whole module and build-setting block, line for line),
`go tool nm` on the unstripped twin, `readelf -l` and from what we asked
the build for, never from lutgen.  Also: modules replaced by a local
directory and by another module version (a file:// GOPROXY made here),
strings with control characters and invalid UTF-8 (escaped in text and
JSON), and inputs that must fail fast: FIFOs, a 2 GiB sparse non-ELF, a
missing file, a directory.  Exit 77 when the prerequisites are missing or a
part could not run (gcc, gccgo); under CI=true either is a failure.
"""
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

LUTGEN = os.environ.get("LUTGEN_EXE")
SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
STRIP = shutil.which("llvm-strip") or "strip"
FAILS = []
CHECKS = 0
NEWEST = None   # the newest GOROOT: its `go version -m` reads every layout

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
    # Under CI the suite provides its prerequisites: missing is a failure.
    if os.environ.get("CI", "") not in ("", "0", "false"):
        print("FAIL (CI): " + why)
        sys.exit(1)
    print("SKIP: " + why)
    sys.exit(77)


SKIPPED = []


def sub_skip(why):
    """A part of the test that cannot run: a failure under CI, else counted
    so that the whole test exits 77 and the skip shows."""
    if os.environ.get("CI", "") not in ("", "0", "false"):
        check(False, "CI: " + why)
        return
    SKIPPED.append(why)
    print("SKIP (part): " + why)


def check(cond, what):
    global CHECKS
    CHECKS += 1
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)
    return cond


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
    """(raw version, [module/build lines]) from `go version -m`."""
    r = run([os.path.join(goroot, "bin", "go"), "version", "-m", path],
            env=go_env(goroot, os.path.dirname(path)))
    lines = r.stdout.split("\n")
    if r.returncode != 0 or not lines or ": " not in lines[0]:
        return None, []
    ver = lines[0].split(": ", 1)[1]
    if lines[-1] == "":
        lines.pop()  # after the last newline
    body = [l[1:] if l.startswith("\t") else l for l in lines[1:]]
    return ver, body


def go_quote(s):
    """strconv.Quote for the strings build settings hold."""
    out = ['"']
    for ch in s:
        o = ord(ch)
        esc = {'"': '\\"', "\\": "\\\\", "\a": "\\a", "\b": "\\b",
               "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
               "\v": "\\v"}
        if ch in esc:
            out.append(esc[ch])
        elif o < 0x20 or o == 0x7f:
            out.append("\\x%02x" % o)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append("\\u%04x" % o if o < 0x10000 else "\\U%08x" % o)
    return "".join(out) + '"'


def vm_lines(doc):
    """What `go version -m` prints below its first line, rebuilt from
    inspect's JSON (runtime/debug.BuildInfo.String's rules)."""
    lines = []
    if doc.get("path"):
        lines.append("path\t" + doc["path"])

    def mod(word, m):
        if m.get("replace") is None:
            lines.append("%s\t%s\t%s\t%s" % (word, m["path"], m["version"], m["sum"]))
        else:
            lines.append("%s\t%s\t%s" % (word, m["path"], m["version"]))
            mod("=>", m["replace"])
            lines.append("")
    if doc.get("main_module"):
        mod("mod", doc["main_module"])
    for d in doc.get("deps") or []:
        mod("dep", d)
    for k, v in (doc.get("build_settings") or {}).items():
        if k == "" or any(c in k for c in '= \t\r\n"`'):
            k = go_quote(k)
        if any(c in v for c in ' \t\r\n"`'):
            v = go_quote(v)
        lines.append("build\t%s=%s" % (k, v))
    return lines


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
    # `go version -m` needs section headers: ask it about the twin then
    ver, body = go_version_m(NEWEST, b.get("vm", b["path"]))
    if ver is None and b.get("stripped"):
        # debug/elf refuses some llvm-strip output; strip does not touch
        # .go.buildinfo, so ask about the unstripped twin
        ver, body = go_version_m(NEWEST, b["twin"])
    check(ver is not None, "%s: go version -m failed" % name)
    check(doc.get("go_version_raw") == ver,
          "%s: go_version_raw %r, go version -m says %r" % (name, doc.get("go_version_raw"), ver))
    check(ver is None or doc.get("go_version") == ver.split()[0],
          "%s: go_version %r, go version -m says %r" % (name, doc.get("go_version"), ver))
    mine = vm_lines(doc)
    check(mine == body, "%s: modules/settings differ from go version -m:\n  ours %r\n  go's %r"
          % (name, mine, body))
    check(doc.get("goarch") == b["arch"],
          "%s: goarch %r, built for %r" % (name, doc.get("goarch"), b["arch"]))
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
    if check(build(goroot, work, src, p_sw, ["-ldflags=-s -w"]),
             "%s/-s -w: go build failed" % ver):
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
        sub_skip("gcc missing: no external/race/c-shared builds")
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
        sub_skip("gccgo missing: no gccgo binary checked")
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


def run_rusage(cmd, timeout=60):
    """(returncode, stdout bytes, stderr bytes, max RSS in KiB, seconds)."""
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err)
        deadline = t0 + timeout
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                p.kill()
                pid, status, ru = os.wait4(p.pid, 0)
                break
            time.sleep(0.01)
        out.seek(0)
        err.seek(0)
        return (os.waitstatus_to_exitcode(status), out.read(), err.read(),
                ru.ru_maxrss, time.monotonic() - t0)


def fast_fail_case(work, newest_root):
    """Inputs that must fail at once with the errno's own words, or be
    read without reading them whole (issue 8, items 8 and 13)."""
    fifo = os.path.join(work, "fifo")
    os.mkfifo(fifo)
    huge_txt = os.path.join(work, "huge.txt")
    with open(huge_txt, "wb") as fh:
        fh.write(b"#!/bin/sh\necho not an elf\n")
        fh.truncate(2 << 30)
    cases = [(fifo, "not a regular file (a FIFO)"),
             (huge_txt, "not an ELF file"),
             (os.path.join(work, "does-not-exist"), "no such file or directory"),
             (work, "is a directory")]
    for path, needle in cases:
        for args in (["inspect", path], ["--json", "inspect", path],
                     ["inspect", "--symbol", "main.main", path]):
            rc, out, err, rss, secs = run_rusage([LUTGEN] + args, timeout=20)
            what = "%s %s" % (" ".join(args[:-1]), os.path.basename(path))
            check(rc == 1 and needle.encode() in err,
                  "%s: exit %d, stderr %r lacks %r" % (what, rc, err, needle))
            check(secs < 5, "%s: took %.1f s" % (what, secs))
            check(rss < 64 * 1024, "%s: max RSS %d KiB" % (what, rss))
    # A 2 GiB Go binary (a real one, sparse-padded): read, not slurped.
    gobin = os.path.join(work, newest_root[1], "default")
    huge_go = os.path.join(work, "huge-go")
    shutil.copy(gobin, huge_go)
    with open(huge_go, "r+b") as fh:
        fh.truncate(2 << 30)
    for args in (["--json", "inspect", huge_go],
                 ["--json", "inspect", "--symbol", "main.Target", huge_go]):
        rc, out, err, rss, secs = run_rusage([LUTGEN] + args, timeout=60)
        check(rc == 0, "2 GiB Go binary: %s exit %d: %r" % (args[-2], rc, err))
        check(rss < 100 * 1024, "2 GiB Go binary: %s max RSS %d KiB" % (args[-2], rss))
    os.unlink(huge_go)
    os.unlink(huge_txt)


def escape_case(work, newest_root):
    """Control characters and invalid UTF-8 in a build setting reach
    neither the terminal nor the JSON raw (issue 8, item 10)."""
    src = os.path.join(work, "src")
    out = os.path.join(work, "escaped")
    goroot = newest_root[2]
    env = go_env(goroot, work)
    flag = b"-ldflags=-X=main.v=\x1b[31mRED\xff\x9b2J"
    r = subprocess.run([os.path.join(goroot, "bin", "go").encode(), b"build", b"-o",
                        out.encode(), flag, b"."], env=env, cwd=src,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(r.returncode == 0, "escape build: %r" % r.stderr[-300:])
    if r.returncode != 0:
        return
    vm = subprocess.run([os.path.join(goroot, "bin", "go"), "version", "-m", out],
                        env=env, stdout=subprocess.PIPE).stdout
    check(b"\x1b[31mRED\xff" in vm, "go version -m does not show the raw bytes: %r" % vm)
    r = subprocess.run([LUTGEN, "inspect", out], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    check(r.returncode == 0, "inspect escaped: exit %d" % r.returncode)
    check(b"\x1b" not in r.stdout and b"\xff" not in r.stdout and b"\x9b" not in r.stdout,
          "inspect text output carries raw control/invalid bytes")
    check(b"-X=main.v=\\x1b[31mRED\\xff\\x9b2J" in r.stdout,
          "inspect text output lacks the escaped setting: %r" % r.stdout[-400:])
    r = subprocess.run([LUTGEN, "--json", "inspect", out], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    try:
        doc = json.loads(r.stdout.decode("utf-8"))   # strict: valid UTF-8
    except ValueError as e:
        doc = {}
        check(False, "inspect --json on escaped: not valid UTF-8 JSON: %s" % e)
    check((doc.get("build_settings") or {}).get("-ldflags") ==
          "-X=main.v=\\x1b[31mRED\\xff\\x9b2J",
          "JSON -ldflags %r" % (doc.get("build_settings") or {}).get("-ldflags"))


def write_module_zip(path, modpath, version, files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr("%s@%s/%s" % (modpath, version, name), text)
    with open(path, "wb") as fh:
        fh.write(buf.getvalue())


def serve_module(proxy, path, version, pkg, name):
    """Module path@version (one package `pkg` whose Name() returns
    `name`) in GOPROXY file layout under proxy."""
    d = os.path.join(proxy, *path.split("/"), "@v")
    os.makedirs(d, exist_ok=True)
    gomod = "module %s\n\ngo 1.15\n" % path
    with open(os.path.join(d, "list"), "a") as fh:
        fh.write(version + "\n")
    with open(os.path.join(d, version + ".info"), "w") as fh:
        fh.write('{"Version":"%s","Time":"2024-01-02T03:04:05Z"}\n' % version)
    with open(os.path.join(d, version + ".mod"), "w") as fh:
        fh.write(gomod)
    write_module_zip(os.path.join(d, version + ".zip"), path, version,
                     {"go.mod": gomod,
                      pkg + ".go": "package %s\n\nfunc Name() string { return %s }\n"
                      % (pkg, json.dumps(name))})


MAIN_REPLACED = ("package main\n\nimport (\n\t\"example.com/dep\"\n"
                 "\t\"example.com/local\"\n\t\"example.com/other\"\n)\n\n"
                 "func main() { println(dep.Name(), other.Name(), local.Name()) }\n")


def make_replace_module(work, main_go=None):
    """work/app: a main module whose dependencies are replaced in the three
    ways go.mod allows, served by the file:// GOPROXY work/modproxy made
    here: example.com/dep v1.0.0 => example.com/dep v1.1.0 (another version
    of itself: the code is v1.1.0's), example.com/other v1.0.0 =>
    example.com/fork v1.1.0 (another module) and example.com/local =>
    ./local.  Returns (app dir, environment additions for `go build`)."""
    proxy = os.path.join(work, "modproxy")
    serve_module(proxy, "example.com/dep", "v1.0.0", "dep", "dep 1.0")
    serve_module(proxy, "example.com/dep", "v1.1.0", "dep", "dep 1.1")
    serve_module(proxy, "example.com/other", "v1.0.0", "other", "other")
    serve_module(proxy, "example.com/fork", "v1.1.0", "other", "fork")
    app = os.path.join(work, "app")
    os.makedirs(os.path.join(app, "local"))
    with open(os.path.join(app, "local", "go.mod"), "w") as fh:
        fh.write("module example.com/local\n\ngo 1.15\n")
    with open(os.path.join(app, "local", "local.go"), "w") as fh:
        fh.write("package local\n\nfunc Name() string { return \"local\" }\n")
    with open(os.path.join(app, "go.mod"), "w") as fh:
        fh.write("module example.com/app\n\ngo 1.15\n\n"
                 "require (\n\texample.com/dep v1.0.0\n\texample.com/local v0.0.0\n"
                 "\texample.com/other v1.0.0\n)\n\n"
                 "replace example.com/dep v1.0.0 => example.com/dep v1.1.0\n\n"
                 "replace example.com/other v1.0.0 => example.com/fork v1.1.0\n\n"
                 "replace example.com/local => ./local\n")
    with open(os.path.join(app, "main.go"), "w") as fh:
        fh.write(main_go or MAIN_REPLACED)
    return app, dict(GOPROXY="file://" + proxy, GOSUMDB="off", GONOSUMDB="*",
                     GOFLAGS="-mod=mod")


def replace_case(work, toolchains):
    """make_replace_module built by each of `toolchains`: inspect's
    modules equal `go version -m`, line for line.  Returns the binaries."""
    app, extra = make_replace_module(work)
    bins = []
    for minor, ver, goroot in toolchains:
        env = go_env(goroot, work)
        env.update(extra)
        out = os.path.join(work, "app-" + ver)
        r = run([os.path.join(goroot, "bin", "go"), "build", "-o", out, "."],
                env=env, cwd=app)
        check(r.returncode == 0, "replace build with %s: %s" % (ver, r.stderr[-400:]))
        if r.returncode != 0:
            continue
        r, doc = inspect_json(out)
        vmver, body = go_version_m(NEWEST, out)
        check(doc is not None and vm_lines(doc) == body,
              "replace/%s: modules differ from go version -m:\n  ours %r\n  go's %r"
              % (ver, doc and vm_lines(doc), body))
        deps = {m["path"]: m for m in (doc or {}).get("deps") or []}
        rep = (deps.get("example.com/dep") or {}).get("replace") or {}
        check(rep.get("path") == "example.com/dep" and rep.get("version") == "v1.1.0",
              "replace/%s: example.com/dep => %r" % (ver, rep))
        fork = (deps.get("example.com/other") or {}).get("replace") or {}
        check(fork.get("path") == "example.com/fork" and fork.get("version") == "v1.1.0",
              "replace/%s: example.com/other => %r" % (ver, fork))
        loc = (deps.get("example.com/local") or {}).get("replace") or {}
        # go1.18+ spells a directory's version "(devel)", older Go ""
        check(loc.get("path") == "./local" and loc.get("version") in ("", "(devel)"),
              "replace/%s: example.com/local => %r" % (ver, loc))
        bins.append(out)
    return bins


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
    global NEWEST
    if not LUTGEN or not SRC:
        skip("LUTGEN_EXE / LUTGEN_SOURCE_ROOT not set (run through meson test)")
    for tool in ("readelf", "strip"):
        if not shutil.which(tool):
            skip(tool + " not installed")
    roots = goroots()
    NEWEST = roots[-1][2]
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
        fast_fail_case(work, roots[-1])
        escape_case(work, roots[-1])
        replace_case(work, [roots[0], roots[-1]])
    finally:
        if os.environ.get("LUTGEN_KEEP_TMP"):
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d binaries, %d checks, %d failures, %d parts skipped"
          % (len(bins), CHECKS, len(FAILS), len(SKIPPED)))
    sys.exit(1 if FAILS else 77 if SKIPPED else 0)


if __name__ == "__main__":
    main()
