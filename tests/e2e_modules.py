#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""e2e: `lutgen modules` against hand-written modules on a real HTTP
proxy on 127.0.0.1, checked against the go command itself.

1. tests/support/modfixture.py writes modules in the GOPROXY layout and
   their h1 hashes from its own Python Hash1;
2. `go mod download -json` of the oldest and the newest mirror toolchain
   (GOPROXY=file://...) must print the same Sum/GoModSum -- this proves the
   Python reference right;
3. `lutgen --json modules download` over HTTP must print them too, record
   them in a --sum file, and a second run must download nothing;
4. a proxy that later serves other bytes for a recorded version (the zip
   re-made) makes lutgen fail, naming module@version and both hashes,
   and leaves nothing in the cache;
5. `lutgen modules list` with each policy against the fixture list.

Exit 77 when the mirror's toolchains are unavailable.  Costs ~3 s.
"""

import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading

SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
EXE = os.environ.get("LUTGEN_EXE")

sys.path.insert(0, os.path.join(SRC or ".", "tests", "support"))
import modfixture  # noqa: E402


def skip(why):
    # Under CI the suite provides its prerequisites: missing is a failure.
    if os.environ.get("CI", "") not in ("", "0", "false"):
        print("FAIL (CI): " + why)
        sys.exit(1)
    print("SKIP: " + why)
    sys.exit(77)


def fail(why):
    print("FAIL: " + why)
    sys.exit(1)


MODULES = [
    "example.com/hello@v1.0.0", "example.com/hello@v1.1.0",
    "example.com/hello@v1.1.1", "example.com/hello@v1.2.0-rc.1",
    "github.com/Upper/Case@v0.1.0", "example.com/mod/v2@v2.0.0",
    "example.com/mod/v2@v2.1.0", "example.com/old@v2.0.0+incompatible",
    "example.com/uses@v1.0.0",
]


def go_download(goroot, proxy_dir, work, mods):
    env = {
        "PATH": goroot + "/bin:/usr/bin:/bin", "GOROOT": goroot,
        "HOME": work, "GOPATH": os.path.join(work, "gopath"),
        "GOMODCACHE": os.path.join(work, "gopath", "pkg", "mod"),
        "GOCACHE": os.path.join(work, "gocache"),
        "GOPROXY": "file://" + proxy_dir, "GOSUMDB": "off",
        "GOFLAGS": "-modcacherw", "GOTOOLCHAIN": "local", "GOENV": "off",
        "GOTELEMETRY": "off", "GO111MODULE": "on",
    }
    r = subprocess.run([goroot + "/bin/go", "mod", "download", "-json"] + mods,
                       cwd=work, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail("go mod download with %s: %s %s" % (goroot, r.stdout[-2000:],
                                                  r.stderr[-2000:]))
    dec = json.JSONDecoder()
    out, text = {}, r.stdout.strip()
    while text:
        obj, end = dec.raw_decode(text)
        out[obj["Path"] + "@" + obj["Version"]] = obj
        text = text[end:].strip()
    return out


def lutgen(args, env, expect_rc=0):
    r = subprocess.run([EXE, "--json"] + args, env=env, capture_output=True,
                       text=True)
    if r.returncode != expect_rc:
        fail("lutgen %s: exit %d, want %d\n%s\n%s" % (
            " ".join(args), r.returncode, expect_rc, r.stdout, r.stderr))
    return json.loads(r.stdout)


def main():
    if not SRC or not EXE:
        skip("LUTGEN_SOURCE_ROOT / LUTGEN_EXE not set (run through meson test)")
    mirror = os.path.join(SRC, "scripts", "go-mirror")
    r = subprocess.run([mirror, "--quiet", "goroots"], capture_output=True,
                       text=True)
    goroots = [l.split(None, 1) for l in r.stdout.splitlines()
               if len(l.split(None, 1)) == 2]
    if r.returncode != 0 or not goroots:
        skip("go-mirror goroots failed: " + r.stderr[-500:])
    # Oldest and newest toolchain (go-mirror lists them oldest first).
    toolchains = [goroots[0][1], goroots[-1][1]]

    tmp = tempfile.mkdtemp(prefix="lutgen-e2e-modules-")
    server = None
    try:
        subprocess.run([sys.executable,
                        os.path.join(SRC, "tests/support/modfixture.py"), tmp],
                       check=True)
        proxy_dir = os.path.join(tmp, "proxy")
        with open(os.path.join(tmp, "expected.json")) as f:
            expected = json.load(f)

        # 2. the go command agrees with the Python reference.
        for i, goroot in enumerate(toolchains):
            work = os.path.join(tmp, "go%d" % i)
            os.makedirs(work)
            got = go_download(goroot, proxy_dir, work, MODULES)
            for m in MODULES:
                if got[m].get("Error"):
                    fail("%s: go: %s" % (m, got[m]["Error"]))
                if got[m]["Sum"] != expected[m]["h1"] or \
                        got[m]["GoModSum"] != expected[m]["gomod_h1"]:
                    fail("%s: go (%s) says %s %s, the reference %s %s" % (
                        m, goroot, got[m]["Sum"], got[m]["GoModSum"],
                        expected[m]["h1"], expected[m]["gomod_h1"]))

        # A real HTTP proxy on loopback serving the fixture directory.
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=proxy_dir, **kw)

            def log_message(self, *a):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = "http://127.0.0.1:%d" % server.server_address[1]
        env = dict(os.environ)
        env.update({"LUTGEN_CACHE": os.path.join(tmp, "cache"),
                    "GOPROXY": url, "GOPRIVATE": "", "GONOPROXY": "",
                    "GONOSUMDB": "", "GOSUMDB": "", "CI": "1"})
        sum_file = os.path.join(tmp, "modules.sum")

        # 3. lutgen agrees, records, and a rerun downloads nothing.
        doc = lutgen(["modules", "download", "--sum", sum_file] + MODULES, env)
        for m, got in zip(MODULES, doc["modules"]):
            key = got["path"] + "@" + got["version"]
            if key != m or got["h1"] != expected[m]["h1"] or \
                    got["gomod_h1"] != expected[m]["gomod_h1"]:
                fail("lutgen: %s: %s %s, want %s %s %s" % (
                    m, got["h1"], got["gomod_h1"], key, expected[m]["h1"],
                    expected[m]["gomod_h1"]))
            if not got["downloaded"] or not got["recorded"]:
                fail("lutgen: %s: first run should download and record" % m)
        with open(sum_file) as f:
            lines = f.read().splitlines()
        want = sorted(
            ["%s %s %s" % (m.split("@")[0], m.split("@")[1], expected[m]["h1"])
             for m in MODULES] +
            ["%s %s/go.mod %s" % (m.split("@")[0], m.split("@")[1],
                                  expected[m]["gomod_h1"]) for m in MODULES])
        if sorted(lines) != want:
            fail("modules.sum:\n%s\nwant (any order):\n%s" % (
                "\n".join(lines), "\n".join(want)))
        doc = lutgen(["modules", "download", "--sum", sum_file] + MODULES,
                     env)
        if any(m["downloaded"] or m["recorded"] for m in doc["modules"]):
            fail("second run downloaded or recorded again: %s" % doc)

        # 4. the proxy now serves other bytes for a recorded version.
        victim = "example.com/hello@v1.1.1"
        zpath = os.path.join(proxy_dir, "example.com/hello/@v/v1.1.1.zip")
        modfixture.write_zip(zpath, [
            ("example.com/hello@v1.1.1/go.mod",
             modfixture.gomod("example.com/hello")),
            ("example.com/hello@v1.1.1/hello.go",
             b"package hello\n\ntype Greeter struct{ Evil int }\n")])
        evil = modfixture.h1_of_zip(zpath)
        env2 = dict(env, LUTGEN_CACHE=os.path.join(tmp, "cache2"))
        doc = lutgen(["modules", "download", "--sum", sum_file, victim], env2,
                     expect_rc=1)
        msg = doc.get("error", "")
        for part in (victim, evil, expected[victim]["h1"], "checksum mismatch"):
            if part not in msg:
                fail("mismatch message lacks %r: %s" % (part, msg))
        left = os.path.join(tmp, "cache2/modules/example.com/hello/@v")
        if os.path.exists(os.path.join(left, "v1.1.1.zip")):
            fail("a zip that failed verification is in the cache")

        # 5. list with each policy.
        for args, want in [
                ([], ["v1.0.0", "v1.1.0"]),
                (["--policy", "latest-patch"], ["v1.0.0", "v1.1.1"]),
                (["--policy", "all", "--prerelease"],
                 ["v1.0.0", "v1.1.0", "v1.1.1", "v1.2.0-rc.1"]),
                (["--min", "v1.1.0", "--prerelease"], ["v1.1.0", "v1.2.0-rc.1"])]:
            doc = lutgen(["modules", "list", "example.com/hello"] + args, env)
            if doc["versions"] != want:
                fail("list %s: %s, want %s" % (args, doc["versions"], want))
        doc = lutgen(["modules", "list", "example.com/nothere"], env,
                     expect_rc=1)
        if "404" not in doc.get("error", ""):
            fail("missing module: %s" % doc)
        doc = lutgen(["--goproxy", "direct", "modules", "list",
                      "example.com/hello"], env, expect_rc=1)
        if "direct" not in doc.get("error", ""):
            fail("GOPROXY=direct: %s" % doc)
        print("ok: %d modules agree with go mod download (%s), lutgen "
              "records and verifies them" % (len(MODULES),
                                              ", ".join(toolchains)))
    finally:
        if server:
            server.shutdown()
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
