#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The full proof of the vendorable Go binary reader (generated/lutgen_gobin.c)
on every Go binary in reach.  Not part of the default suite (it builds a
few hundred binaries); tests/e2e_inspect.py runs a representative subset.

    tests/gobin_sweep.py GOBIN_DUMP [WORKDIR]

GOBIN_DUMP is build/tests/gobin-dump (the committed reader, see
tests/gobin_dump.c).  WORKDIR (default ~/.cache/reader-sweep) keeps the
built binaries, so a rerun only checks.

Binaries:
  - every toolchain of `scripts/go-mirror goroots` ships Go binaries built
    by that very version: bin/* and pkg/tool/linux_amd64/* (stripped);
  - the test programs (tests/programs/*, lutgen/programs/*) built by every
    toolchain for amd64 and arm64;
  - google.golang.org/grpc programs at every version of the module mirror
    (`scripts/go-mirror build --modules`: Debian's modules, every
    dependency pinned by a `replace P => P vDebian`), plain and stripped;
  - a hello program built by every toolchain as: default, -ldflags=-s -w,
    strip --strip-all, section headers removed, PIE, PIE stripped,
    external linking, external static, -race, c-shared, -trimpath, and a
    module whose dependencies are replaced by another module version
    (a file:// GOPROXY made here) and by a local directory; arm64 default,
    -s -w and stripped;
  - the hello program built by the newest toolchain for every Linux port
    of `go tool dist list` (its GOARCH compared too).

Checks, each against an independent source:
  - the `go version -m` block (newest toolchain's go) equals gobin-dump
    --vm byte for byte;
  - every pclntab function (name, address) is a text symbol of the same
    address in `go tool nm` of the binary or of its unstripped twin; for
    the stripped toolchain binaries (no twin) `go tool addr2line` names
    the function at every entry address;
  - every function's file offset equals the one computed from the
    PT_LOADs that `readelf -lW` prints;
  - lookups by name (.symtab or pclntab) give nm's address and, from
    .symtab, nm's size.
Prints the counts; exit 1 on any failure.  Interrupted (SIGINT, SIGTERM)
it still prints the counts so far, marked partial, and exits 130.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_inspect as e2e  # noqa: E402  (go_env, run, helpers)

SRC = os.path.dirname(HERE)
DUMP = None
NEWEST = None
FAILS = []
COUNT = {"binaries": 0, "vm": 0, "functions": 0, "offsets": 0,
         "finds": 0, "nm": 0, "nm_alias": 0, "addr2line": 0, "arches": 0}


def fail(what):
    FAILS.append(what)
    print("FAIL: " + what, flush=True)


def go(goroot):
    return os.path.join(goroot, "bin", "go")


def loads(path):
    r = e2e.run(["readelf", "-lW", path])
    out = []
    for line in r.stdout.splitlines():
        f = line.split()
        if f and f[0] == "LOAD":
            out.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
    return out


def file_offset(segs, vaddr):
    for off, va, fsz in segs:
        if va <= vaddr < va + fsz:
            return off + vaddr - va
    return None


def nm_symbols(path):
    """name -> [(addr, size)] of text symbols, from `go tool nm -size`."""
    r = e2e.run([go(NEWEST), "tool", "nm", "-size", path],
                env=e2e.go_env(NEWEST, os.path.dirname(path)))
    if r.returncode != 0:
        return None
    syms = {}
    for line in r.stdout.splitlines():
        f = line.split(None, 3)
        if len(f) == 4 and f[2] in "Tt":
            syms.setdefault(f[3], []).append((int(f[0], 16), int(f[1])))
    return syms


def dump_funcs(path):
    r = e2e.run([DUMP, "--funcs", path])
    if r.returncode != 0:
        fail("%s: gobin-dump --funcs: %s" % (path, r.stderr.strip()))
    funcs = []
    for line in r.stdout.splitlines():
        name, addr, size, off, _ = line.split("\t")
        funcs.append((name, int(addr, 16), int(size),
                      None if off == "-" else int(off, 16)))
    return funcs


def check_vm(path, twin):
    for p in (path, twin):
        r = e2e.run([go(NEWEST), "version", "-m", p],
                    env=e2e.go_env(NEWEST, os.path.dirname(p)))
        if r.returncode == 0 and r.stdout:
            break
    else:
        fail("%s: go version -m fails" % path)
        return
    theirs = r.stdout.split("\n", 1)[1]
    r = e2e.run([DUMP, "--vm", path])
    mine = r.stdout.split("\n", 1)[1] if "\n" in r.stdout else ""
    first_theirs = r.stdout.split("\n", 1)[0].split(": ", 1)[-1]
    COUNT["vm"] += 1
    if mine != theirs:
        fail("%s: go version -m block differs:\n--- go\n%s--- ours\n%s" % (path, theirs, mine))
    r2 = e2e.run([go(NEWEST), "version", p], env=e2e.go_env(NEWEST, os.path.dirname(p)))
    if r2.stdout.split(": ", 1)[-1].strip() != first_theirs.strip():
        fail("%s: version %r, go version says %r" % (path, first_theirs, r2.stdout))


def check_binary(path, twin=None, stripped_toolchain=False):
    COUNT["binaries"] += 1
    check_vm(path, twin or path)
    funcs = dump_funcs(path)
    if not funcs:
        fail("%s: no pclntab functions" % path)
        return
    segs = loads(path)
    for name, addr, size, off in funcs:
        COUNT["offsets"] += 1
        if off != file_offset(segs, addr):
            fail("%s: %s offset %r, readelf gives %r" % (path, name, off,
                                                        file_offset(segs, addr)))
    COUNT["functions"] += len(funcs)
    syms = nm_symbols(twin or path)
    if syms:
        # Before go1.16 the pclntab spells some "." as U+00B7 ("·"), the
        # symbol table (and nm) as ".".
        funcs = [(n.replace("\u00b7", "."), a, s, o) for n, a, s, o in funcs]
        by_addr = {}
        for n, lst in syms.items():
            for a, _ in lst:
                by_addr.setdefault(a, []).append(n)
        for name, addr, size, off in funcs:
            COUNT["nm"] += 1
            if addr in [a for a, _ in syms.get(name, [])]:
                continue
            # The same function under the symbol table's other spelling:
            # go1.17+ ABI0 functions are "x.abi0" in .symtab, "x" in the
            # pclntab; "[...]" there stands for what the compiler elided
            # between brackets: an array length ("type..eq.[5]T"), a
            # generic shape ("F[go.shape.int]"), a long struct's fields.
            pat = "^" + r"\[.*?\]".join(re.escape(p) for p in name.split("[...]")) + "$"
            if any(n == name + ".abi0" or
                   ("[...]" in name and re.match(pat, n))
                   for n in by_addr.get(addr, [])):
                COUNT["nm_alias"] += 1
                continue
            fail("%s: pclntab %s at 0x%x; nm: %r, at that address %r"
                 % (path, name, addr, syms.get(name), by_addr.get(addr)))
        # Lookups by name: a spread of functions plus the usual targets.
        step = max(1, len(funcs) // 25)
        names = sorted({f[0] for f in funcs[::step]} |
                       {"runtime.casgstatus", "main.main"})
        names = [n for n in names if len(syms.get(n, [])) == 1 and
                 sum(1 for f in funcs if f[0] == n) == 1]
        r = e2e.run([DUMP, "--find"] + names + ["--", path])
        got = {}
        for line in r.stdout.splitlines():
            f = line.split("\t")
            if len(f) == 5:
                got[f[0].replace("\u00b7", ".")] = (int(f[1], 16), int(f[2]), f[3], f[4])
        for n in names:
            COUNT["finds"] += 1
            want_addr, want_size = syms[n][0]
            g = got.get(n)
            if not g or g[0] != want_addr:
                fail("%s: find %s -> %r, nm says 0x%x" % (path, n, g, want_addr))
                continue
            if g[3] == "symtab" and g[1] != want_size:
                fail("%s: find %s size %d, nm -size says %d" % (path, n, g[1], want_size))
            if int(g[2], 16) != file_offset(segs, want_addr):
                fail("%s: find %s offset %s, readelf gives %r"
                     % (path, n, g[2], file_offset(segs, want_addr)))
        return
    if not stripped_toolchain:
        fail("%s: no symbols from nm for %s" % (path, twin or path))
        return
    # Stripped, no twin: Go's own pclntab reader names each entry.
    addrs = "".join("0x%x\n" % f[1] for f in funcs)
    r = subprocess.run([go(NEWEST), "tool", "addr2line", path], input=addrs,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                       env=e2e.go_env(NEWEST, os.path.dirname(path)))
    lines = r.stdout.splitlines()
    if r.returncode != 0 or len(lines) != 2 * len(funcs):
        fail("%s: go tool addr2line: %s" % (path, r.stderr.strip()[:300]))
        return
    for i, (name, addr, _, _) in enumerate(funcs):
        COUNT["addr2line"] += 1
        if lines[2 * i] != name:
            fail("%s: 0x%x is %r to addr2line, %r to us" % (path, addr, lines[2 * i], name))


def build(goroot, src, out, args, arch="amd64", cgo="0", env_extra=None):
    if os.path.exists(out):
        return True
    work = os.path.dirname(out)
    env = e2e.go_env(goroot, WORK, arch, cgo)
    if env_extra:
        env.update(env_extra)
    r = e2e.run([go(goroot), "build", "-o", out + ".tmp"] + args + ["."],
                env=env, cwd=src)
    if r.returncode != 0:
        print("note: %s: build failed: %s" % (out, r.stderr.strip()[-300:]), flush=True)
        return False
    os.rename(out + ".tmp", out)
    return os.path.isdir(work)


def stripped_copy(src, dst, tool="strip"):
    if not os.path.exists(dst):
        shutil.copy(src, dst + ".tmp")
        subprocess.run([tool, "--strip-all", dst + ".tmp"], check=True)
        os.rename(dst + ".tmp", dst)
    return dst


def noshdr_copy(src, dst):
    if not os.path.exists(dst):
        e2e.drop_section_headers(src, dst + ".tmp")
        os.rename(dst + ".tmp", dst)
    return dst


def programs():
    out = []
    for base in ("tests/programs", "lutgen/programs"):
        d = os.path.join(SRC, base)
        for name in sorted(os.listdir(d)):
            main = os.path.join(d, name, "main.go")
            # Programs of module specs import third-party modules (a
            # dotted first path element): their builds need the module
            # mirror and a module spec's pins (grpc is covered above).
            if os.path.exists(main) and not re.search(
                    r'^\s*(?:import\s+)?(?:\w+\s+)?"[^"/]*\.[^"/]*/',
                    open(main).read(), re.M):
                out.append((name, os.path.join(d, name)))
    return out


GRPC_PROGRAM = """package main

import (
\t"fmt"

\t"google.golang.org/grpc"
)

func main() {
\ts := grpc.NewServer()
\tdefer s.Stop()
\tfmt.Println(grpc.Version)
}
"""


def grpc_case(roots):
    r = e2e.run([os.path.join(SRC, "scripts", "go-mirror"), "--quiet", "moddir"])
    if r.returncode != 0:
        print("note: no module mirror (scripts/go-mirror build --modules): "
              "no grpc binaries", flush=True)
        return
    gen = r.stdout.strip()
    index = json.load(open(os.path.join(gen, "modules.json")))
    cases = [(e, roots[-1]) for e in index["targets"].get("google.golang.org/grpc", [])]
    if cases:
        cases.append((cases[0][0], roots[0]))
    for entry, (minor, ver, goroot) in cases:
        gomin = entry.get("go") or "1.12"
        if tuple(int(x) for x in gomin.split(".")[:2]) > (1, minor):
            continue
        d = os.path.join(WORK, "grpc-%s-%s" % (entry["version"], ver))
        out = os.path.join(d, "probe")
        if not os.path.exists(out):
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            sdoc = json.load(open(os.path.join(gen, "suites", entry["suite"] + ".json")))
            with open(os.path.join(d, "main.go"), "w") as fh:
                fh.write(GRPC_PROGRAM)
            with open(os.path.join(d, "go.mod"), "w") as fh:
                fh.write("module lutgen.test/probe\n\ngo %s\n\nrequire google.golang.org/grpc %s\n\n%s"
                         % (".".join(gomin.split(".")[:2]), entry["version"], sdoc["replace"]))
            env = e2e.go_env(goroot, WORK)
            env.update(GOPROXY="file://" + os.path.join(gen, "proxy"), GOFLAGS="-mod=mod",
                       GONOSUMDB="*", GOSUMDB="off",
                       GOMODCACHE=os.path.join(WORK, "modcache-" + entry["suite"]))
            r = e2e.run([go(goroot), "build", "-o", out + ".tmp", "."], env=env, cwd=d)
            if r.returncode != 0:
                # The module mirror's business, not the reader's: noted.
                print("note: grpc %s with %s does not build from the module "
                      "mirror: %s" % (entry["version"], ver, r.stderr.strip()[-300:]),
                      flush=True)
                continue
            os.rename(out + ".tmp", out)
        check_binary(out)
        stripped = stripped_copy(out, out + "-stripped")
        check_binary(stripped, out)
    print("grpc binaries done (%d binaries so far, %d failures)"
          % (COUNT["binaries"], len(FAILS)), flush=True)


def arches_case(roots):
    """The hello program built by the newest toolchain for every Linux
    port `go tool dist list` names: the GOARCH the reader derives from the
    ELF header equals the one `go version -m` shows."""
    minor, ver, goroot = roots[-1]
    env = e2e.go_env(goroot, WORK)
    r = e2e.run([go(goroot), "tool", "dist", "list"], env=env)
    ports = [line.split("/")[1] for line in r.stdout.split()
             if line.startswith("linux/")]
    if r.returncode != 0 or not ports:
        fail("go tool dist list: %s" % r.stderr.strip())
        return
    d = os.path.join(WORK, ver)
    os.makedirs(d, exist_ok=True)
    src = os.path.join(WORK, "src")
    for arch in ports:
        out = os.path.join(d, "hello-linux-" + arch)
        if not build(goroot, src, out, [], arch=arch):
            fail("%s: hello for linux/%s does not build" % (ver, arch))
            continue
        check_binary(out)
        vm = e2e.run([go(NEWEST), "version", "-m", out],
                     env=e2e.go_env(NEWEST, d)).stdout
        want = re.search(r"\tbuild\tGOARCH=(\S+)", vm)
        r = e2e.run([DUMP, "--lookup", out])
        got = dict(line.split("\t")[:2] for line in r.stdout.splitlines()
                   if "\t" in line).get("arch")
        COUNT["arches"] += 1
        if not want or want.group(1) != arch or got != arch:
            fail("%s: GOARCH %r, go version -m says %r, built for %s"
                 % (out, got, want and want.group(1), arch))
    print("%s: %d linux ports done (%d binaries so far, %d failures)"
          % (ver, len(ports), COUNT["binaries"], len(FAILS)), flush=True)


def prepare_sources():
    for name, text in (("src", e2e.HELLO), ("csrc", e2e.CSHARED)):
        d = os.path.join(WORK, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.go"), "w") as fh:
            fh.write(text)
        with open(os.path.join(d, "go.mod"), "w") as fh:
            fh.write("module example.com/%s\n\ngo 1.15\n" % name)


def on_term(signum, frame):
    raise KeyboardInterrupt


def main():
    global DUMP, NEWEST, WORK
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    DUMP = os.path.abspath(sys.argv[1])
    WORK = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else \
        os.path.expanduser("~/.cache/reader-sweep")
    os.makedirs(WORK, exist_ok=True)
    e2e.SRC = SRC
    # The replace step compares `lutgen inspect` too: the lutgen of the
    # same build directory unless LUTGEN_EXE names one.
    e2e.LUTGEN = e2e.LUTGEN or os.path.join(
        os.path.dirname(os.path.dirname(DUMP)), "lutgen", "lutgen")
    if not os.access(e2e.LUTGEN, os.X_OK):
        print("gobin_sweep: %s not built (or set LUTGEN_EXE)" % e2e.LUTGEN)
        sys.exit(2)
    roots = e2e.goroots()
    NEWEST = roots[-1][2]
    e2e.NEWEST = NEWEST
    prepare_sources()
    # Cheapest first; an interrupt (^C, SIGTERM) still prints the counts
    # so far, marked as partial.
    signal.signal(signal.SIGTERM, on_term)
    interrupted = False
    try:
        have_gcc = shutil.which("gcc") is not None
        # 1. the toolchains' own binaries
        for minor, ver, goroot in roots:
            tools = os.path.join(goroot, "pkg", "tool", "linux_amd64")
            for p in sorted(os.listdir(os.path.join(goroot, "bin"))) + \
                    sorted(os.path.join(tools, t) for t in os.listdir(tools)):
                path = p if os.path.isabs(p) else os.path.join(goroot, "bin", p)
                if os.path.isfile(path):
                    check_binary(path, stripped_toolchain=True)
            print("%s: toolchain binaries done (%d binaries so far, %d failures)"
                  % (ver, COUNT["binaries"], len(FAILS)), flush=True)
        # 2. real modules: google.golang.org/grpc at every version the module
        # mirror has (Debian's), each pinned by its suite's replace fragment
        # (`replace P => P vDebian` for every module: versioned replacements
        # throughout), built offline by the newest toolchain, and the oldest
        # one by the oldest toolchain too.
        grpc_case(roots)
        # 3. every Linux GOARCH (newest toolchain)
        arches_case(roots)
        # 4. modules replaced (by a version, by a local directory)
        e2e.FAILS = []
        rdir = os.path.join(WORK, "replace")
        shutil.rmtree(rdir, ignore_errors=True)
        os.makedirs(rdir)
        for b in e2e.replace_case(rdir, roots):
            check_binary(b)
        for f in e2e.FAILS:
            fail("replace: " + f)
        # 5. test programs, both arches; 6. the hello variants
        for minor, ver, goroot in roots:
            d = os.path.join(WORK, ver)
            os.makedirs(d, exist_ok=True)
            for arch in ("amd64", "arm64"):
                for name, src in programs():
                    out = os.path.join(d, "%s-%s" % (name, arch))
                    env = dict(GO111MODULE="off") if not os.path.exists(
                        os.path.join(src, "go.mod")) else None
                    if build(goroot, src, out, [], arch=arch, env_extra=env):
                        check_binary(out)
            src = os.path.join(WORK, "src")
            csrc = os.path.join(WORK, "csrc")
            p = lambda n: os.path.join(d, n)  # noqa: E731
            variants = []
            if build(goroot, src, p("default"), []):
                variants += [(p("default"), None)]
                variants += [(stripped_copy(p("default"), p("stripped")), p("default"))]
                variants += [(noshdr_copy(p("default"), p("noshdr")), p("default"))]
            if build(goroot, src, p("sw"), ["-ldflags=-s -w"]):
                variants += [(p("sw"), p("default"))]
            if build(goroot, src, p("trimpath"), ["-trimpath"]):
                variants += [(p("trimpath"), None)]
            if build(goroot, src, p("pie"), ["-buildmode=pie"]):
                variants += [(p("pie"), None),
                             (stripped_copy(p("pie"), p("pie-stripped")), p("pie"))]
            for arch in ("arm64",):
                a = lambda n: p(n + "-" + arch)  # noqa: E731
                if build(goroot, src, a("default"), [], arch=arch):
                    variants += [(a("default"), None),
                                 (stripped_copy(a("default"), a("stripped"), "llvm-strip"),
                                  a("default"))]
                if build(goroot, src, a("sw"), ["-ldflags=-s -w"], arch=arch):
                    variants += [(a("sw"), a("default"))]
            if have_gcc:
                if build(goroot, src, p("external"), ["-ldflags=-linkmode=external"], cgo="1"):
                    variants += [(p("external"), None),
                                 (stripped_copy(p("external"), p("external-stripped")),
                                  p("external"))]
                if build(goroot, src, p("external-static"),
                         ["-ldflags=-linkmode=external -extldflags=-static"], cgo="1"):
                    variants += [(p("external-static"), None)]
                if build(goroot, src, p("race"), ["-race"], cgo="1"):
                    variants += [(p("race"), None),
                                 (stripped_copy(p("race"), p("race-stripped")), p("race"))]
                if build(goroot, csrc, p("cshared"), ["-buildmode=c-shared"], cgo="1"):
                    variants += [(p("cshared"), None)]
            for path, twin in variants:
                check_binary(path, twin)
            print("%s: built binaries done (%d binaries so far, %d failures)"
                  % (ver, COUNT["binaries"], len(FAILS)), flush=True)
    except KeyboardInterrupt:
        interrupted = True
        print("sweep: interrupted, the counts below are partial", flush=True)
    print("sweep: %(binaries)d binaries; go version -m blocks %(vm)d; "
          "functions %(functions)d (file offsets %(offsets)d, vs nm %(nm)d of "
          "which %(nm_alias)d under nm's .abi0/[N] spelling, vs addr2line "
          "%(addr2line)d); lookups by name %(finds)d; GOARCH of %(arches)d "
          "ports" % COUNT)
    print("sweep: %d failures" % len(FAILS))
    sys.exit(1 if FAILS else 130 if interrupted else 0)


if __name__ == "__main__":
    main()
