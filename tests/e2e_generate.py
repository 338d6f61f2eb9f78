#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""e2e: `lutgen generate goid` against the Debian-built mirror on 127.0.0.1.

1. cold run (temp cache, temp out dir): every selected version x arch built;
2. the generated C, compiled into a small program, answers every
   (version, arch) exactly as pahole reads runtime.g.goid from binaries
   this test builds itself with the extracted Debian GOROOTs;
3. rerun: byte-identical files, nothing built, nothing downloaded, < 1 s;
3b. the cache mounted read-only: the warm run still works, byte-identical,
   and installed toolchains are served;
3c. `toolchain prune --all` while a generate runs (the two newest
   versions, rebuilt): both toolchains in use are kept and reported, the
   generate completes with the same output;
4. a failing program: fail-fast stops early, --keep-going reports every
   failure with its command and output; exit 1 both times;
5. a go build that hangs is killed at --build-timeout, the error names
   the version and arch;
6. progress: nothing with --json; into a pipe one line per build, on a
   terminal a count, with --quiet nothing (2 builds each, --rebuild).

Exit 77 when the mirror or pahole is unavailable (a failure under CI=true).
"""

import concurrent.futures
import fcntl
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
EXE = os.environ.get("LUTGEN_EXE")


def skip(why):
    # Under CI the suite provides the mirror and pahole: missing is a failure.
    if os.environ.get("CI", "") not in ("", "0", "false"):
        print("FAIL (CI): " + why)
        sys.exit(1)
    print("SKIP: " + why)
    sys.exit(77)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


def host_goarch():
    m = os.uname().machine
    return {"x86_64": "amd64", "aarch64": "arm64"}.get(m, m)


def parse_version(s):
    m = re.fullmatch(r"go(\d+)\.(\d+)(?:\.(\d+))?", s)
    if not m:
        return None
    return (int(m.group(1)), int(m.group(2)), int(m.group(3) or 0))


def expected_versions(goroots):
    """Policy 'minor' by hand: per minor its x.y.0, else its newest."""
    by_minor = {}
    for v in goroots:
        t = parse_version(v)
        if t is None or t < (1, 13, 0):
            continue
        by_minor.setdefault(t[:2], []).append((t, v))
    out = []
    for minor in sorted(by_minor):
        cands = sorted(by_minor[minor])
        zero = [v for t, v in cands if t[2] == 0]
        out.append(zero[0] if zero else cands[-1][1])
    return out


def pahole_goid(binary):
    r = subprocess.run(["pahole", "-C", "runtime.g", binary],
                       capture_output=True, text=True)
    for line in r.stdout.splitlines():
        m = re.match(r"\s+\S+\s+goid;\s+/\*\s+(\d+)\s+\d+\s+\*/", line)
        if m:
            return int(m.group(1))
    fail("pahole found no runtime.g.goid in %s: %s %s"
         % (binary, r.stdout[-500:], r.stderr[-500:]))


def go_build(goroot, goarch, prog, out, work):
    env = {
        "PATH": goroot + "/bin:/usr/bin:/bin", "GOROOT": goroot,
        "GOOS": "linux", "GOARCH": goarch, "CGO_ENABLED": "0",
        "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOENV": "off",
        "GO111MODULE": "on", "GOFLAGS": "",
        "GOCACHE": os.path.join(work, "gocache"),
        "GOPATH": os.path.join(work, "gopath"),
        "HOME": os.path.join(work, "home"),
    }
    r = subprocess.run([goroot + "/bin/go", "build", "-o", out, "."],
                       cwd=prog, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail("go build %s %s: %s" % (goroot, goarch, r.stdout + r.stderr))


def run_lutgen(args, urls):
    t0 = time.monotonic()
    r = subprocess.run([EXE, "--json", "generate"] + args + urls,
                       capture_output=True, text=True)
    wall = time.monotonic() - t0
    try:
        doc = json.loads(r.stdout)
    except ValueError:
        fail("lutgen printed no JSON (exit %d): %s\n%s"
             % (r.returncode, r.stdout[-2000:], r.stderr[-4000:]))
    return r, doc, wall


def read_tree(d):
    return {f: open(os.path.join(d, f), "rb").read()
            for f in sorted(os.listdir(d))}


DRIVER = r"""
#include <stdio.h>
#include <stdint.h>
#include "goid.h"
int main(int argc, char **argv)
{
	int i;
	for (i = 1; i + 1 < argc; i += 2) {
		uint64_t v = 0;
		int rc = goid_offset(argv[i], argv[i + 1], &v);
		printf("%s %s %d %llu\n", argv[i], argv[i + 1], rc,
		       (unsigned long long)v);
	}
	return 0;
}
"""


PROGRESS_LINE = re.compile(r"^\[\d+/\d+\] ", re.M)


def check_progress(tmp, version, arches, urls, out):
    """Builds of a one-version copy of the goid spec (--rebuild, warm
    toolchains): into a pipe one line per build ("[1/2] goid: go1.27.4
    amd64 built in 3.1 s"); on a terminal a count, no lines; nothing
    with --quiet."""
    pdir = os.path.join(tmp, "progress", "lutgen")
    shutil.copytree(os.path.join(SRC, "lutgen", "programs", "goid"),
                    os.path.join(pdir, "programs", "goid"))
    spec = json.load(open(os.path.join(SRC, "lutgen", "specs", "goid.json")))
    spec["min_version"] = version
    spec["arches"] = arches
    os.makedirs(os.path.join(pdir, "specs"))
    pspec = os.path.join(pdir, "specs", "goid.json")
    with open(pspec, "w") as f:
        json.dump(spec, f)
    pout = os.path.join(tmp, "out-progress")
    purls = urls[:]
    purls[purls.index(out)] = pout
    cmd = [EXE, "generate", pspec, "--rebuild"] + purls
    env = dict(os.environ, LUTGEN_PROGRESS_INTERVAL="0")
    env.pop("CI", None)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        fail("generate into a pipe: exit %d: %s" % (r.returncode, r.stderr))
    got = sorted(l for l in r.stderr.splitlines() if PROGRESS_LINE.match(l))
    want = [r"\[[12]/2\] goid: %s %s built in [0-9.]+ s" % (version, a)
            for a in arches]
    if len(got) != 2 or not all(
            any(re.fullmatch(w, l) for l in got) for w in want) or \
            sorted(l[:5] for l in got) != ["[1/2]", "[2/2]"]:
        fail("progress lines into a pipe: %s\n(stderr: %s)" % (got, r.stderr))
    if "\r" in r.stderr:
        fail("a bar drawn into a pipe: %r" % r.stderr[-500:])
    tty_out = os.path.join(tmp, "progress.tty")
    r = subprocess.run([sys.executable,
                        os.path.join(SRC, "tests", "support", "ptyrun.py"),
                        tty_out] + cmd, capture_output=True, text=True)
    tty = open(tty_out, "rb").read().decode("utf-8", "replace")
    if r.returncode != 0 or "lutgen: builds 0/2" not in tty or \
            PROGRESS_LINE.search(tty.replace("\r", "\n")):
        fail("generate on a terminal: exit %d: %r" % (r.returncode, tty[-800:]))
    r = subprocess.run([EXE, "--quiet"] + cmd[1:], capture_output=True,
                       text=True, env=env)
    if r.returncode != 0 or r.stderr:
        fail("--quiet generate: exit %d, stderr %r" % (r.returncode, r.stderr))
    print("progress: %s; a count on a terminal; --quiet silent" % got)


def main():
    if not SRC or not EXE:
        skip("LUTGEN_SOURCE_ROOT / LUTGEN_EXE not set (run through meson test)")
    mirror = os.path.join(SRC, "scripts", "go-mirror")
    if not os.access(mirror, os.X_OK):
        skip("scripts/go-mirror is missing")
    if not shutil.which("pahole"):
        skip("pahole (dwarves) is not installed")
    r = subprocess.run([mirror, "--quiet", "goroots"], capture_output=True,
                       text=True)
    goroots = dict(l.split(None, 1) for l in r.stdout.splitlines()
                   if len(l.split(None, 1)) == 2)
    if r.returncode != 0 or not goroots:
        skip("go-mirror goroots failed: " + r.stderr[-500:])
    versions = expected_versions(goroots)
    arches = ["amd64", "arm64"]

    tmp = tempfile.mkdtemp(prefix="lutgen-e2e-generate-")
    server = None
    try:
        port_file = os.path.join(tmp, "port")
        log_path = os.path.join(tmp, "mirror.log")
        log = open(log_path, "w")
        server = subprocess.Popen(
            [mirror, "--quiet", "serve", "--log", "--port-file", port_file,
             "--parent-pid", str(os.getpid())],
            stdout=log, stderr=subprocess.STDOUT)
        for _ in range(600):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            if server.poll() is not None:
                skip("go-mirror serve exited: " + open(log_path).read()[-500:])
            time.sleep(0.1)
        else:
            skip("go-mirror serve did not start")
        port = open(port_file).read().strip()
        base = "http://127.0.0.1:%s" % port
        cache = os.path.join(tmp, "cache")
        out = os.path.join(tmp, "out")
        urls = ["--cache", cache, "--out-dir", out,
                "--index-url", base + "/dl/?mode=json&include=all",
                "--download-url", base + "/dl/"]
        spec = os.path.join(SRC, "lutgen", "specs", "goid.json")

        # 1. cold
        r, doc, wall = run_lutgen([spec], urls)
        if r.returncode != 0 or not doc.get("ok"):
            fail("cold generate failed (exit %d): %s\n%s"
                 % (r.returncode, doc.get("error"), r.stderr[-4000:]))
        s = doc["specs"][0]
        if s["versions"] != versions:
            fail("versions %s, expected %s" % (s["versions"], versions))
        n = len(versions) * len(arches)
        if (doc["built"], doc["cached"], s["builds"]) != (n, 0, n):
            fail("cold run: built %s cached %s builds %s, expected %d/0/%d"
                 % (doc["built"], doc["cached"], s["builds"], n, n))
        if not doc["build_cpu_s"] > 0:
            fail("no build CPU time in the summary")
        if PROGRESS_LINE.search(r.stderr) or "downloaded (" in r.stderr:
            fail("--json printed progress on stderr: " + r.stderr[-2000:])
        print("cold: %d builds in %.1f s (build CPU %.1f s)"
              % (n, wall, doc["build_cpu_s"]))

        # 2. the generated C against pahole on our own builds
        drv_dir = os.path.join(tmp, "driver")
        os.mkdir(drv_dir)
        with open(os.path.join(drv_dir, "driver.c"), "w") as f:
            f.write(DRIVER)
        drv = os.path.join(drv_dir, "driver")
        cc = subprocess.run(
            ["cc", "-std=c99", "-Wall", "-Werror", "-I", out, "-o", drv,
             os.path.join(drv_dir, "driver.c"), os.path.join(out, "goid.c"),
             os.path.join(out, "lutgen_go.c")],
            capture_output=True, text=True)
        if cc.returncode != 0:
            fail("compiling the generated C: " + cc.stderr)
        prog = os.path.join(tmp, "prog")
        os.mkdir(prog)
        with open(os.path.join(prog, "main.go"), "w") as f:
            f.write("package main\n\nimport \"fmt\"\n\n"
                    "func main() { go fmt.Println(1); fmt.Println(2) }\n")
        with open(os.path.join(prog, "go.mod"), "w") as f:
            f.write("module e2eprobe\n\ngo 1.13\n")
        jobs = []
        for v in versions:
            for a in arches:
                jobs.append((v, a, os.path.join(tmp, "bin-%s-%s" % (v, a))))
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
            list(ex.map(lambda j: go_build(goroots[j[0]], j[1], prog, j[2],
                                           os.path.join(tmp, "work-" + j[0])),
                        jobs))
        args = []
        for v, a, _ in jobs:
            args += [v, a]
        answers = {}
        for line in subprocess.run([drv] + args, capture_output=True,
                                   text=True, check=True).stdout.splitlines():
            v, a, rc, val = line.split()
            answers[(v, a)] = (int(rc), int(val))
        for v, a, binary in jobs:
            want = pahole_goid(binary)
            got = answers[(v, a)]
            if got != (0, want):
                fail("goid_offset(%s, %s) = rc %d value %d; pahole says %d"
                     % (v, a, got[0], got[1], want))
            print("ok %s %s goid at %d" % (v, a, want))

        # 3. rerun: identical, no build, no download, fast
        before = read_tree(out)
        log.flush()
        requests_before = open(log_path).read().count("/files/")
        r, doc, wall = run_lutgen([spec], urls)
        if r.returncode != 0 or not doc.get("ok"):
            fail("rerun failed: %s" % doc.get("error"))
        if (doc["built"], doc["cached"]) != (0, n):
            fail("rerun built %d (cached %d)" % (doc["built"], doc["cached"]))
        if read_tree(out) != before:
            fail("rerun changed the generated files")
        time.sleep(0.2)
        if open(log_path).read().count("/files/") != requests_before:
            fail("rerun downloaded an archive")
        if wall >= 1.0:
            fail("rerun took %.2f s (>= 1 s)" % wall)
        print("rerun: %.3f s, byte-identical, nothing built" % wall)

        # 3b. a read-only cache (bind-mounted read-only in a private mount
        # namespace): the warm run still answers from it, byte-identical;
        # installed toolchains are served; an install says read-only.
        ro = ["unshare", "--mount", "--propagation", "private", "sh", "-c",
              'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && '
              'shift && exec "$@"', "ro", cache]
        probe = subprocess.run(ro + ["true"], capture_output=True, text=True)
        if probe.returncode != 0:
            skip("no read-only bind mount here: " + probe.stderr.strip())
        rout = os.path.join(tmp, "out-ro")
        rurls = urls[:]
        rurls[rurls.index(out)] = rout
        r = subprocess.run(ro + [EXE, "--json", "generate", spec] + rurls,
                           capture_output=True, text=True)
        if r.returncode != 0 or not json.loads(r.stdout).get("ok"):
            fail("generate on a read-only cache (exit %d): %s"
                 % (r.returncode, r.stderr[-2000:]))
        if read_tree(rout) != before:
            fail("generate on a read-only cache wrote other files")
        r = subprocess.run(ro + [EXE, "toolchain", "install", versions[-1]]
                           + urls[:2], capture_output=True, text=True)
        if r.returncode != 0 or "/toolchains/" not in r.stdout:
            fail("toolchain install from a read-only cache: " + r.stderr)
        missing = [v for v in goroots if v not in versions
                   and parse_version(v) and parse_version(v) >= (1, 13, 0)]
        if missing:
            r = subprocess.run(ro + [EXE, "toolchain", "install", missing[0]]
                               + urls[:2] + urls[4:],
                               capture_output=True, text=True)
            if r.returncode != 1 or "read-only" not in r.stderr:
                fail("installing %s into a read-only cache: exit %d: %s"
                     % (missing[0], r.returncode, r.stderr))
        print("read-only cache: warm generate byte-identical, installed "
              "toolchains served, installs refused")

        # 3c. prune during a generate: the toolchains the run uses are kept
        # (and reported in use); the run completes with the same output.
        # A copy of the spec limited to the two newest versions keeps the
        # rebuild short (4 builds); prune --all --keep spares the others.
        small = os.path.join(tmp, "small", "lutgen")
        os.makedirs(os.path.join(small, "specs"))
        os.symlink(os.path.join(SRC, "lutgen", "programs"),
                   os.path.join(small, "programs"))
        sdoc = json.load(open(spec))
        sdoc["min_version"] = versions[-2]
        sspec = os.path.join(small, "specs", "goid.json")
        with open(sspec, "w") as f:
            json.dump(sdoc, f)
        sout = os.path.join(tmp, "out-small")
        surls = urls[:]
        surls[surls.index(out)] = sout
        r, doc, _ = run_lutgen([sspec], surls)
        if r.returncode != 0 or doc["built"] != 0:
            fail("the small spec (exit %d, built %s): %s"
                 % (r.returncode, doc.get("built"), r.stderr[-2000:]))
        sbefore = read_tree(sout)
        gen = subprocess.Popen([EXE, "--json", "generate", sspec, "--rebuild",
                                "-j", "1"] + surls,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        # Wait until the run holds its newest toolchain (the installer
        # takes them oldest first and keeps them until the builds are done).
        newest = os.path.join(cache, "locks", "%s.linux-%s.use"
                              % (versions[-1], host_goarch()))
        held = False
        while gen.poll() is None and not held:
            try:
                fd = os.open(newest, os.O_RDONLY)
            except FileNotFoundError:
                time.sleep(0.05)
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                fcntl.flock(fd, fcntl.LOCK_UN)
                time.sleep(0.05)
            except BlockingIOError:
                held = True
            finally:
                os.close(fd)
        if not held:
            fail("the generate never held %s (exit %s): %s"
                 % (newest, gen.returncode, gen.stderr.read()[-2000:]))
        pr = subprocess.run([EXE, "--json", "toolchain", "prune", "--all",
                             "--keep", ",".join(versions[:-2]),
                             "--cache", cache], capture_output=True, text=True)
        if pr.returncode != 0:
            gen.kill()
            fail("prune during generate failed: " + pr.stderr)
        pdoc = json.loads(pr.stdout)
        kept = pdoc["in_use"]
        if pdoc["entries_removed"]:
            gen.kill()
            fail("prune removed %d entries under a running generate: %s"
                 % (pdoc["entries_removed"], pr.stderr))
        gout, gerr = gen.communicate()
        if kept != 2:
            fail("prune kept %d toolchains in use, expected 2: %s"
                 % (kept, pr.stderr))
        if "in use; kept" not in pr.stderr:
            fail("prune did not name the toolchains in use: " + pr.stderr)
        if gen.returncode != 0 or not json.loads(gout).get("ok"):
            fail("generate under prune failed (exit %d): %s"
                 % (gen.returncode, gerr[-3000:]))
        if read_tree(sout) != sbefore:
            fail("generate under prune changed the generated files")
        print("prune during generate: %d toolchains kept in use, run ok" % kept)

        # 4. failures: a program that does not compile for arm64
        fdir = os.path.join(tmp, "failing", "lutgen")
        os.makedirs(os.path.join(fdir, "specs"))
        os.makedirs(os.path.join(fdir, "programs", "broken"))
        with open(os.path.join(fdir, "programs", "broken", "main.go"), "w") as f:
            f.write("package main\n\nfunc main() { println(1) }\n")
        with open(os.path.join(fdir, "programs", "broken", "bad_arm64.go"),
                  "w") as f:
            f.write("package main\n\nvar x int = \"not an int\"\n")
        with open(os.path.join(fdir, "specs", "broken.json"), "w") as f:
            json.dump({"name": "broken", "program": "broken",
                       "min_version": "go1.13", "arches": arches,
                       "lookups": [{"name": "goid_offset",
                                    "kind": "struct_offset",
                                    "type": "runtime.g", "field": "goid"}]},
                      f)
        fspec = os.path.join(fdir, "specs", "broken.json")
        fout = os.path.join(tmp, "out-broken")
        furls = urls[:]
        furls[furls.index(out)] = fout
        r, doc, _ = run_lutgen([fspec, "-j", "1"], furls)
        states = [m["state"] for m in doc["measurements"]]
        if r.returncode != 1 or doc.get("ok") or "error" not in doc:
            fail("fail-fast: exit %d, doc %s" % (r.returncode, doc.get("error")))
        if states.count("failed") != 1 or "skipped" not in states:
            fail("fail-fast did not stop at the first failure: %s" % states)
        if os.path.exists(os.path.join(fout, "broken.c")):
            fail("a failed spec was emitted")
        r, doc, _ = run_lutgen([fspec, "--keep-going"], furls)
        failed = [m for m in doc["measurements"] if m["state"] == "failed"]
        if r.returncode != 1 or len(failed) != len(versions):
            fail("--keep-going: exit %d, %d failures (expected %d)"
                 % (r.returncode, len(failed), len(versions)))
        for m in failed:
            rep = m.get("report", "")
            if (m["goarch"] != "arm64" or "env -i" not in rep
                    or "bad_arm64.go:3" not in rep):
                fail("failure report lacks command or output: %s" % m)
        if "bad_arm64.go:3" not in r.stderr or "command: cd " not in r.stderr:
            fail("stderr lacks the failure report: " + r.stderr[-2000:])
        print("failures: fail-fast and --keep-going behave")

        # 5. a go build that hangs (a GOROOT whose go sleeps, as do the
        # tools it starts): killed at --build-timeout, naming version and
        # arch; the other measurements come from the result cache.
        hang = os.path.join(tmp, "hanging-goroot")
        os.makedirs(os.path.join(hang, "bin"))
        with open(os.path.join(hang, "VERSION"), "w") as f:
            f.write(versions[-1] + "\n")
        with open(os.path.join(hang, "bin", "go"), "w") as f:
            f.write("#!/bin/sh\nsleep 600 &\nsleep 600\n")
        os.chmod(os.path.join(hang, "bin", "go"), 0o755)
        t0 = time.monotonic()
        r, doc, _ = run_lutgen([spec, "--keep-going", "--build-timeout", "2",
                                "--goroot", hang], urls)
        took = time.monotonic() - t0
        failed = [m for m in doc["measurements"] if m["state"] == "failed"]
        if r.returncode != 1 or len(failed) != len(arches):
            fail("hanging build: exit %d, %d failures: %s"
                 % (r.returncode, len(failed), r.stderr[-2000:]))
        for m in failed:
            if (m["version"] != versions[-1]
                    or "did not finish within 2 s" not in m.get("error", "")
                    or "linux/" + m["goarch"] not in m.get("error", "")):
                fail("hanging build reported as: %s" % m)
        if took > 60:
            fail("hanging builds took %.0f s to stop" % took)
        print("hanging build: killed after 2 s per (version, arch), "
              "named in the error")

        # 6. progress of builds: the newest version, both arches, rebuilt
        check_progress(tmp, versions[-1], arches, urls, out)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
