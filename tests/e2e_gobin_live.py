#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live proof of the uprobe offsets the vendorable reader gives, without
uprobes: run a mirror-built Go program, read /proc/PID/exe with the reader
(gobin-dump --pid, i.e. lutgen_gobin_open_pid), and compare the file
offset it gives for runtime.casgstatus with the one gdb reports for the
same running process: gdb attaches, resolves the symbol (from the
unstripped twin for a stripped program; relocated for a PIE) and `info
proc mappings` names the mapping and file offset behind that address.

Programs: the newest toolchain's build as a stripped PIE and a stripped
executable (the reader uses the pclntab) and an unstripped PIE (.symtab);
the oldest toolchain's build as a stripped PIE (pre-go1.16 pclntab).

    e2e_gobin_live.py GOBIN_DUMP       (LUTGEN_SOURCE_ROOT from meson)
Exit 77 (skip) without gdb or a mirror toolchain, unless CI is set.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_inspect as e2e  # noqa: E402

PROGRAM = """package main

import "os"

func main() {
\tprintln("ready")
\tos.Stdin.Read(make([]byte, 1))
}
"""
FUNC = "runtime.casgstatus"
FAILS = []


def missing(why):
    print(("FAIL: " if os.environ.get("CI") else "SKIP: ") + why)
    sys.exit(1 if os.environ.get("CI") else 77)


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL: " + what)


def gdb_offset(pid, exe, twin):
    """(runtime address, file offset) of FUNC in process pid, per gdb."""
    cmds = ["-ex", "symbol-file " + twin] if twin else []
    r = subprocess.run(["gdb", "-nx", "-batch", "-p", str(pid)] + cmds +
                       ["-ex", "info address " + FUNC, "-ex", "info proc mappings"],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    m = re.search(r'Symbol "%s" is a function at address (0x[0-9a-f]+)' %
                  re.escape(FUNC), r.stdout)
    if not m:
        return None, None, r.stdout[-800:]
    addr = int(m.group(1), 16)
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) >= 5 and f[0].startswith("0x") and f[-1] == exe:
            start, end, off = int(f[0], 16), int(f[1], 16), int(f[3], 16)
            if start <= addr < end:
                return addr, addr - start + off, None
    return addr, None, r.stdout[-800:]


def one(dump, goroot, work, name, args, strip):
    src = os.path.join(work, "src")
    twin = os.path.join(work, name + "-unstripped")
    exe = os.path.join(work, name)
    env = e2e.go_env(goroot, work)
    env["GO111MODULE"] = "off"
    r = e2e.run([os.path.join(goroot, "bin", "go"), "build", "-o", twin] + args +
                ["main.go"], env=env, cwd=src)
    check(r.returncode == 0, "%s: build: %s" % (name, r.stderr[-300:]))
    if r.returncode != 0:
        return
    shutil.copy(twin, exe)
    if strip:
        subprocess.run(["strip", "--strip-all", exe], check=True)
    proc = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        proc.stderr.readline()  # "ready": the runtime is up
        r = e2e.run([dump, "--find", FUNC, "--", "--pid", str(proc.pid)])
        f = r.stdout.strip().split("\t")
        check(r.returncode == 0 and len(f) == 5,
              "%s: gobin-dump --pid: %s %s" % (name, r.stdout, r.stderr))
        if len(f) != 5:
            return
        ours, source = int(f[3], 16), f[4]
        check(source == ("pclntab" if strip else "symtab"),
              "%s: found in %s" % (name, source))
        addr, theirs, why = gdb_offset(proc.pid, exe, twin if strip else None)
        check(theirs is not None, "%s: gdb gave no offset: %s" % (name, why))
        check(ours == theirs, "%s: reader says file offset 0x%x, gdb 0x%x (at 0x%x)"
              % (name, ours, theirs or 0, addr or 0))
        print("%s (pid %d): %s at runtime 0x%x: file offset 0x%x (reader, %s) == 0x%x (gdb)"
              % (name, proc.pid, FUNC, addr or 0, ours, source, theirs or 0))
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    dump = os.path.abspath(sys.argv[1])
    e2e.SRC = os.environ.get("LUTGEN_SOURCE_ROOT") or os.path.dirname(HERE)
    if not shutil.which("gdb"):
        missing("gdb not installed")
    r = subprocess.run([os.path.join(e2e.SRC, "scripts", "go-mirror"), "goroots"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    roots = sorted((int(m.group(1)), l.split()[0], l.split()[1])
                   for l in r.stdout.splitlines()
                   for m in [re.match(r"go1\.(\d+)", l)] if m and len(l.split()) == 2)
    if not roots:
        missing("no toolchain from scripts/go-mirror goroots")
    work = tempfile.mkdtemp(prefix="lutgen-gobin-live-")
    try:
        os.makedirs(os.path.join(work, "src"))
        with open(os.path.join(work, "src", "main.go"), "w") as fh:
            fh.write(PROGRAM)
        newest, oldest = roots[-1], roots[0]
        one(dump, newest[2], work, newest[1] + "-pie-stripped", ["-buildmode=pie"], True)
        one(dump, newest[2], work, newest[1] + "-exe-stripped", [], True)
        one(dump, newest[2], work, newest[1] + "-pie", ["-buildmode=pie"], False)
        one(dump, oldest[2], work, oldest[1] + "-pie-stripped", ["-buildmode=pie"], True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d failures" % len(FAILS))
    sys.exit(1 if FAILS else 0)


if __name__ == "__main__":
    main()
