#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The module mirror (scripts/go-mirror modules) as the go command sees it.

For google.golang.org/grpc at its oldest and newest Debian versions (two
suites), a real Go toolchain from the mirror builds a small program that
imports grpc, with the network shut out: GOPROXY is the mirror's /mod/ on
127.0.0.1 (served by `go-mirror serve`), GOFLAGS=-mod=mod, GONOSUMDB=*,
HTTP(S)_PROXY pointing at a closed port for anything else, empty module
cache.  The go.mod is the program's own plus the suite's replace fragment
(suites/<suite>.replace).  Then, from independent readings:
  - the program prints grpc.Version, a constant in grpc's own source;
  - `go version -m` names google.golang.org/grpc at that version, and every
    module hash it recorded (computed by the go command from the zips it
    downloaded) equals the mirror's suites/<suite>.go.sum line;
  - `go mod download -json` through file://<mirror>/proxy reports the same
    Sum and GoModSum as the mirror's suite JSON.
Also the GOPROXY protocol itself over HTTP: @v/list, .info, .mod, @latest,
case-escaped paths (github.com/!i!b!m/sarama), 404 for what is not there,
and the zips' form (sorted, stored, fixed times, <module>@<version>/ names,
no vendor/).

The mirror must be built (`scripts/go-mirror build --modules`, which
scripts/test runs); toolchains come from `go-mirror goroots`.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile

SRC = os.environ.get("LUTGEN_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
MIRROR = os.path.join(SRC, "scripts", "go-mirror")
FAILS = []


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL: " + msg, file=sys.stderr)
    return cond


def skip(msg):
    # Under CI the suite provides its prerequisites: missing is a failure.
    if os.environ.get("CI", "") not in ("", "0", "false"):
        print("FAIL (CI): " + msg)
        sys.exit(1)
    print("SKIP: " + msg)
    sys.exit(77)


def vkey(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


def pick_goroot(goroots, need):
    """The oldest mirror toolchain at least `need` (a go directive)."""
    ok = [(vkey(v), v, p) for v, p in goroots.items()
          if vkey(v[2:]) >= vkey(need or "1.0")]
    return min(ok)[1:] if ok else (None, None)


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, b""


PROGRAM = """package main

import (
	"fmt"

	"google.golang.org/grpc"
)

func main() {
	s := grpc.NewServer()
	defer s.Stop()
	fmt.Println(grpc.Version)
}
"""


def build_probe(work, goroot, gover, suite, sdoc, version, proxy_url):
    d = os.path.join(work, f"probe-{suite}")
    os.makedirs(d)
    with open(os.path.join(d, "main.go"), "w") as f:
        f.write(PROGRAM)
    with open(os.path.join(d, "go.mod"), "w") as f:
        f.write(f"module lutgen.test/probe\n\ngo {sdoc['targets']['google.golang.org/grpc']['go'] or '1.12'}\n\n"
                f"require google.golang.org/grpc {version}\n\n"
                + sdoc["replace"])
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("GO") and k not in ("CGO_ENABLED",)}
    env.update(GOROOT=goroot, GOTOOLCHAIN="local", GOPROXY=proxy_url,
               GOFLAGS="-mod=mod", GONOSUMDB="*",
               GOPATH=os.path.join(work, "gopath"),
               GOMODCACHE=os.path.join(work, f"modcache-{suite}"),
               GOCACHE=os.path.join(work, "gocache"), CGO_ENABLED="0",
               HOME=work, HTTP_PROXY="http://127.0.0.1:9",
               HTTPS_PROXY="http://127.0.0.1:9", NO_PROXY="127.0.0.1",
               http_proxy="http://127.0.0.1:9",
               https_proxy="http://127.0.0.1:9", no_proxy="127.0.0.1")
    gobin = os.path.join(goroot, "bin", "go")
    t0 = time.monotonic()
    r = subprocess.run([gobin, "build", "-o", "probe", "."], cwd=d, env=env,
                       capture_output=True, text=True, timeout=1800)
    secs = time.monotonic() - t0
    if not check(r.returncode == 0, f"{suite}: go build with {gover} "
                 f"failed:\n{r.stderr[-3000:]}"):
        return None
    print(f"{suite}: grpc {version} built with {gover} in {secs:.0f} s")
    out = subprocess.run([os.path.join(d, "probe")], capture_output=True,
                         text=True, timeout=60)
    check(out.returncode == 0 and out.stdout.strip() == version[1:],
          f"{suite}: the program printed {out.stdout.strip()!r}, "
          f"expected grpc.Version {version[1:]!r}")
    vm = subprocess.run([gobin, "version", "-m", os.path.join(d, "probe")],
                        env=env, capture_output=True, text=True)
    check(vm.returncode == 0, f"{suite}: go version -m: {vm.stderr}")
    deps = {}
    for line in vm.stdout.splitlines():
        f = line.split()
        if len(f) >= 3 and f[0] in ("dep", "=>"):
            deps.setdefault(f[1], []).append(f[2:])
    g = deps.get("google.golang.org/grpc", [])
    check(g and g[0][0] == version,
          f"{suite}: go version -m names grpc as {g}, expected {version}")
    return env, deps, d


def main():
    r = subprocess.run([MIRROR, "--quiet", "moddir"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        check(False, "go-mirror moddir failed (build it: scripts/go-mirror "
              f"build --modules): {r.stderr[-1500:]}")
        return 1
    gen = r.stdout.strip()
    index = json.load(open(os.path.join(gen, "modules.json")))
    r = subprocess.run([MIRROR, "--quiet", "goroots"], capture_output=True,
                       text=True)
    goroots = dict(l.split(" ", 1) for l in r.stdout.splitlines())
    if not check(r.returncode == 0 and goroots, "go-mirror goroots"):
        return 1
    grpc = index["targets"].get("google.golang.org/grpc", [])
    if not check(len({e["version"] for e in grpc}) >= 2,
                 f"fewer than two grpc versions in the mirror: {grpc}"):
        return 1
    cases = [grpc[0], grpc[-1]]
    work = tempfile.mkdtemp(prefix="lutgen-mirror-modules-")
    srv = None
    try:
        port_file = os.path.join(work, "port")
        log = open(os.path.join(work, "serve.log"), "w")
        srv = subprocess.Popen([MIRROR, "--quiet", "serve", "--log",
                                "--port-file", port_file, "--parent-pid",
                                str(os.getpid())], stdout=log,
                               stderr=subprocess.STDOUT)
        for _ in range(600):
            if os.path.exists(port_file):
                break
            if srv.poll() is not None:
                break
            time.sleep(0.1)
        if not check(os.path.exists(port_file), "go-mirror serve did not "
                     "start: " + open(log.name).read()[-1000:]):
            return 1
        base = f"http://127.0.0.1:{open(port_file).read().strip()}/mod"

        # The protocol.
        st, body = get(f"{base}/google.golang.org/grpc/@v/list")
        listed = body.decode().split()
        check(st == 200 and all(e["version"] in listed for e in grpc),
              f"@v/list: {st} {listed}, expected {[e['version'] for e in grpc]}")
        v = grpc[-1]["version"]
        st, body = get(f"{base}/google.golang.org/grpc/@v/{v}.info")
        check(st == 200 and json.loads(body).get("Version") == v,
              f".info: {st} {body[:200]!r}")
        st, body = get(f"{base}/google.golang.org/grpc/@v/{v}.mod")
        check(st == 200 and body.startswith(b"module google.golang.org/grpc"),
              f".mod: {st} {body[:100]!r}")
        st, body = get(f"{base}/google.golang.org/grpc/@latest")
        check(st == 200 and json.loads(body).get("Version") == max(
            (e["version"] for e in grpc), key=vkey), f"@latest: {body!r}")
        st, _ = get(f"{base}/google.golang.org/grpc/@v/v0.0.1.info")
        check(st == 404, f"unknown version answered {st}")
        st, _ = get(f"{base}/example.com/nothing/@v/list")
        check(st == 404, f"unknown module answered {st}")
        if "github.com/IBM/sarama" in index["targets"]:
            st, body = get(f"{base}/github.com/!i!b!m/sarama/@v/list")
            check(st == 200 and body.strip(),
                  f"case-escaped github.com/!i!b!m/sarama: {st}")
            st, _ = get(f"{base}/github.com/IBM/sarama/@v/list")
            check(st == 404, "an unescaped upper-case path was served")
        # The zip's form.
        zpath = os.path.join(gen, "proxy", "google.golang.org", "grpc",
                             "@v", f"{v}.zip")
        with zipfile.ZipFile(zpath) as z:
            infos = z.infolist()
            names = [i.filename for i in infos]
            check(names == sorted(names), "zip entries are not sorted")
            check(all(n.startswith(f"google.golang.org/grpc@{v}/")
                      for n in names), "zip names lack module@version/")
            check(all(i.date_time == (1980, 1, 1, 0, 0, 0) and
                      i.compress_type == zipfile.ZIP_STORED for i in infos),
                  "zip entries are not stored with the fixed time")
            check(not any("/vendor/" in n for n in names),
                  "zip holds vendor/")
            check(f"google.golang.org/grpc@{v}/go.mod" in names,
                  "zip has no go.mod")

        # Builds.
        for e in cases:
            suite, version = e["suite"], e["version"]
            sdoc = json.load(open(os.path.join(gen, "suites",
                                               f"{suite}.json")))
            gover, goroot = pick_goroot(goroots, e["go"])
            if not check(goroot, f"{suite}: no mirror toolchain >= go "
                         f"{e['go']} for grpc {version}"):
                continue
            res = build_probe(work, goroot, gover, suite, sdoc, version,
                              base)
            if res is None:
                continue
            env, deps, d = res
            gosum = {}
            for line in open(os.path.join(gen, "suites",
                                          f"{suite}.go.sum")):
                p, ver, h = line.split()
                gosum[(p, ver)] = h
            n = 0
            for path, recs in deps.items():
                for rec in recs:
                    if len(rec) >= 2 and rec[1].startswith("h1:"):
                        n += 1
                        check(gosum.get((path, rec[0])) == rec[1],
                              f"{suite}: {path} {rec[0]}: go computed "
                              f"{rec[1]}, the mirror's go.sum says "
                              f"{gosum.get((path, rec[0]))}")
            check(n >= 2, f"{suite}: go version -m shows {n} module hashes")
            print(f"{suite}: {n} module hashes from go version -m match "
                  f"suites/{suite}.go.sum")
            # file:// proxy, go mod download -json: Sum and GoModSum
            env2 = dict(env, GOPROXY="file://" + os.path.join(gen, "proxy"),
                        GOFLAGS="",
                        GOMODCACHE=os.path.join(work, f"mc2-{suite}"))
            r = subprocess.run([os.path.join(goroot, "bin", "go"), "mod",
                                "download", "-json",
                                f"google.golang.org/grpc@{version}"],
                               cwd=work, env=env2, capture_output=True,
                               text=True, timeout=600)
            if check(r.returncode == 0, f"{suite}: go mod download: "
                     f"{r.stderr[-1000:]}{r.stdout[-500:]}"):
                doc = json.loads(r.stdout)
                rec = sdoc["modules"]["google.golang.org/grpc"]
                check(doc.get("Sum") == rec["h1"] and
                      doc.get("GoModSum") == rec["gomod_h1"],
                      f"{suite}: go mod download says {doc.get('Sum')} / "
                      f"{doc.get('GoModSum')}, the mirror {rec['h1']} / "
                      f"{rec['gomod_h1']}")
    finally:
        if srv:
            srv.terminate()
            srv.wait()
        subprocess.run(["chmod", "-R", "u+w", work], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed", file=sys.stderr)
        return 1
    print("ok: grpc builds offline from the module mirror at "
          + " and ".join(f"{e['version']} ({e['suite']})" for e in cases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
