#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Vendoring check: copy only the vendorable files of generated/ into an
empty directory, as another agent would, build them alone with a plain
`cc` (C99, strict warnings) and `c++`, and run the consumers:

 - consumer.c: the goid table alone (lutgen_go.{h,c}, goid.{h,c});
 - gobin_consumer.c: the Go binary reader (+ lutgen_gobin.{h,c}) on a
   real Go program built here with the newest mirror toolchain, stripped
   (`-ldflags=-s -w`, then `strip`), whose dependency example.com/dep
   v1.0.0 is replaced by v1.1.0 (a file:// GOPROXY made here):
   once from the file, once from the running process (its pid).  The
   printed version, arch and module version must equal what
   `go version -m` and `go env GOARCH` say, the goid offset the known
   history (152 bytes up to go1.22, 160 in go1.23-1.24, 152 again
   from go1.25), and the file offset of runtime.casgstatus the one
   `go tool nm` + `readelf -lW` give for the unstripped twin.

Exit 77 (skip) without a mirror toolchain, unless CI is set (then 1).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import e2e_inspect as e2e  # noqa: E402  (go_env, replace_case helpers)

SRC = os.environ.get("LUTGEN_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
VENDORED = ["lutgen_go.h", "lutgen_go.c", "lutgen_gobin.h", "lutgen_gobin.c",
            "goid.h", "goid.c"]
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]
CXXFLAGS = ["-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic"]


def sh(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, **kw)
    if r.returncode != 0:
        print("FAIL: %s: %s%s" % (" ".join(cmd), r.stdout, r.stderr))
        sys.exit(1)
    return r.stdout


def missing(why):
    print(("FAIL: " if os.environ.get("CI") else "SKIP: ") + why)
    sys.exit(1 if os.environ.get("CI") else 77)


def expected_goid(version):
    minor = int(re.match(r"go1\.(\d+)", version).group(1))
    return 160 if minor in (23, 24) else 152


def main():
    scratch = tempfile.mkdtemp(prefix="lutgen-vendor-")
    try:
        run(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print("vendored reader and goid table: ok")


def run(scratch):
    cc = os.environ.get("CC", "cc")
    cxx = os.environ.get("CXX", "c++")
    vend = os.path.join(scratch, "vendor")
    os.makedirs(vend)
    for f in VENDORED:
        p = os.path.join(SRC, "generated", f)
        if not os.path.isfile(p):
            print("FAIL: generated/%s is missing" % f)
            sys.exit(1)
        shutil.copy(p, vend)
    for f in ("consumer.c", "gobin_consumer.c"):
        shutil.copy(os.path.join(HERE, f), vend)
    # C: every file compiled by cc alone.
    sh([cc] + CFLAGS + ["-o", "consumer", "consumer.c", "goid.c", "lutgen_go.c"],
       cwd=vend)
    print(sh(["./consumer"], cwd=vend).strip())
    sh([cc] + CFLAGS + ["-o", "gobin_consumer", "gobin_consumer.c",
                        "lutgen_gobin.c", "lutgen_go.c", "goid.c"], cwd=vend)
    # C++: the consumers and the reader itself compiled as C++.
    if shutil.which(cxx):
        sh([cxx] + CXXFLAGS + ["-x", "c++", "-o", "gobin_consumer_cxx",
                               "gobin_consumer.c", "lutgen_gobin.c",
                               "lutgen_go.c", "goid.c"], cwd=vend)
        sh([cxx] + CXXFLAGS + ["-x", "c++", "-o", "consumer_cxx", "consumer.c",
                               "goid.c", "lutgen_go.c"], cwd=vend)
        print(sh(["./consumer_cxx"], cwd=vend).strip())
    else:
        missing("no C++ compiler (%s)" % cxx)

    # A real Go program, stripped, with a replaced dependency.
    script = os.path.join(SRC, "scripts", "go-mirror")
    r = subprocess.run([script, "goroots"], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    roots = sorted((int(m.group(1)), l.split()[0], l.split()[1])
                   for l in r.stdout.splitlines()
                   for m in [re.match(r"go1\.(\d+)", l)] if m and len(l.split()) == 2)
    if r.returncode != 0 or not roots:
        missing("no toolchain from scripts/go-mirror goroots")
    newest = roots[-1]
    e2e.NEWEST = newest[2]
    work = os.path.join(scratch, "go")
    os.makedirs(work)
    # It waits for stdin to close, so that it can be read by pid.
    app, extra = e2e.make_replace_module(
        work, e2e.MAIN_REPLACED.replace(
            "\t\"example.com/other\"\n", "\t\"example.com/other\"\n\t\"os\"\n").replace(
            "local.Name()) }", "local.Name())\n\tos.Stdin.Read(make([]byte, 1))\n}"))
    env = e2e.go_env(newest[2], work)
    env.update(extra)
    twin = os.path.join(work, "agent-target-unstripped")
    sh([os.path.join(newest[2], "bin", "go"), "build", "-o", twin, "."], cwd=app, env=env)
    target = os.path.join(work, "agent-target")
    sh([os.path.join(newest[2], "bin", "go"), "build", "-ldflags=-s -w", "-o", target, "."],
       cwd=app, env=env)
    sh(["strip", "--strip-all", target])

    # Independent expectations.
    vm = sh([os.path.join(newest[2], "bin", "go"), "version", "-m", target], env=env)
    version = vm.split("\n", 1)[0].split(": ", 1)[1].split()[0]
    m = re.search(r"\tdep\texample\.com/dep\tv1\.0\.0\n\t=>\texample\.com/dep\t(\S+)\t", vm)
    if not m:
        print("FAIL: go version -m shows no replacement:\n" + vm)
        sys.exit(1)
    modver = m.group(1)
    arch = sh([os.path.join(newest[2], "bin", "go"), "env", "GOARCH"], env=env).strip()
    nm = sh([os.path.join(newest[2], "bin", "go"), "tool", "nm", twin], env=env)
    addr = [int(l.split()[0], 16) for l in nm.splitlines()
            if l.split()[-1] == "runtime.casgstatus"][0]
    off = e2e.file_offset(target, addr)
    want = ("version %s\narch %s\nmodule example.com/dep %s\ngoid_offset %d "
            % (version, arch, modver, expected_goid(version)))

    proc = subprocess.Popen([target], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for exe in ("gobin_consumer", "gobin_consumer_cxx"):
            if not os.path.exists(os.path.join(vend, exe)):
                continue
            out = sh(["./" + exe, target, str(proc.pid), "example.com/dep"], cwd=vend)
            print("%s:\n%s" % (exe, out.strip()))
            for section in ("[file]", "[process]"):
                part = out.split(section + "\n", 1)[1].split("[", 1)[0]
                if not part.startswith(want):
                    print("FAIL: %s %s:\n%s\nwant it to start with:\n%s" %
                          (exe, section, part, want))
                    sys.exit(1)
                if "casgstatus_offset %x\n" % off not in part:
                    print("FAIL: %s %s: casgstatus offset, want 0x%x" % (exe, section, off))
                    sys.exit(1)
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
