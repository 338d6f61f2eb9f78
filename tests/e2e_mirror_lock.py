#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/go-mirror's lock file against a Debian archive that moves.

A small Debian archive is made here (dpkg-deb, a gpg key of its own,
InRelease signed for all six suites) and served on 127.0.0.1 with a request
log; go-mirror points at it (LUTGEN_MIRROR_DEBIAN_URL, LUTGEN_MIRROR_KEYRING)
and pins two fake toolchains, golang-1.98 and golang-1.99.

  1. build --update pins both: the lock names the pool files with the sha256
     and size this test computed from the .debs it made.
  2. a second mirror directory built from the lock alone fetches the pinned
     pool files by path (no /dists/ request), serves the same archive bytes
     as the lock records, and `verify` passes; a rerun does no request.
  3. Debian replaces 1.99.1-1 by 1.99.1-2: a fresh build exits 0, warns
     naming both Debian versions, records the substitute in
     toolchains.json, and keeps go1.98.1 byte-identical; `verify` exits 0.
     The directory built in 2 is untouched and still up to date.
  4. only 1.99.2-1 is left: go1.99.2 replaces go1.99.1, with a warning.
  5. golang-1.99 is gone: it is left out with a warning, exit 0.
  6. build --update re-pins the lock to what the archive has now.
  7. a format-2 directory (the old script's) is migrated: goroots/<v>
     becomes a symlink to the new tree, the old tree is kept (retired), a
     descriptor opened on the old archive still reads the old bytes whole.
Pruning is checked on the way (no _test.go, testdata/ or test/).
"""

import hashlib
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.environ.get("LUTGEN_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
MIRROR = os.path.join(SRC, "scripts", "go-mirror")
SUITES = ["bullseye", "bookworm", "bookworm-backports", "trixie",
          "trixie-backports", "sid"]
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


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Archive:
    """A Debian archive on disk: pool/, dists/<suite>/InRelease."""

    def __init__(self, root, gpghome):
        self.root = root
        self.gpghome = gpghome
        self.debs = {}       # (package, version) -> stanza dict
        self.workdir = os.path.join(root, "..", "debsrc")

    def make_pair(self, minor, debver, gover):
        """golang-<minor>-go (amd64) and golang-<minor>-src (all)."""
        base = os.path.join(self.workdir, f"{minor}-{debver}")
        lib = f"usr/lib/go-{minor}"
        share = f"usr/share/go-{minor}"
        go = os.path.join(base, "go")
        srcd = os.path.join(base, "src")
        tree = {
            os.path.join(go, lib, "VERSION"):
                f"{gover}\ntime 2026-01-02T03:04:05Z\n",
            os.path.join(go, lib, "bin/go"): "#!/bin/sh\necho fake\n",
            os.path.join(go, lib, "pkg/tool/linux_amd64/compile"): "x" * 999,
            os.path.join(go, lib, "pkg/tool/linux_amd64/vet"): "v" * 99,
            os.path.join(go, f"usr/share/doc/golang-{minor}-go/copyright"):
                "c\n",
            os.path.join(srcd, share, "src/runtime/proc.go"):
                f"package runtime // {debver}\n",
            os.path.join(srcd, share, "src/runtime/proc_test.go"):
                "package runtime\n",
            os.path.join(srcd, share, "src/runtime/testdata/t.txt"): "t\n",
            os.path.join(srcd, share, "test/bench.go"): "package main\n",
            os.path.join(srcd, share, "api/go1.txt"): "pkg x\n",
        }
        for p, text in tree.items():
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w") as f:
                f.write(text)
        os.chmod(os.path.join(go, lib, "bin/go"), 0o755)
        for name in ("src", "test", "api"):
            os.symlink(f"../../share/go-{minor}/{name}",
                       os.path.join(go, lib, name))
        out = []
        for pkg, d, arch in ((f"golang-{minor}-go", go, "amd64"),
                             (f"golang-{minor}-src", srcd, "all")):
            os.makedirs(os.path.join(d, "DEBIAN"))
            with open(os.path.join(d, "DEBIAN/control"), "w") as f:
                f.write(f"Package: {pkg}\nVersion: {debver}\n"
                        f"Architecture: {arch}\nMaintainer: t <t@t>\n"
                        f"Description: fake\n fake Go {gover}\n")
            rel = f"pool/main/g/golang-{minor}/{pkg}_{debver}_{arch}.deb"
            path = os.path.join(self.root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            r = subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip",
                                "--build", d, path], capture_output=True,
                               text=True)
            if r.returncode != 0:
                raise RuntimeError("dpkg-deb --build: " + r.stderr)
            self.debs[(pkg, debver)] = {
                "Package": pkg, "Version": debver, "Architecture": arch,
                "Filename": rel, "Size": str(os.path.getsize(path)),
                "SHA256": sha256(path)}
            out.append(self.debs[(pkg, debver)])
        return out

    def make_deb(self, pkg, debver, files, depends="", links=()):
        """An arch-all package holding `files` ({path: text}) and
        `links` ([(path, target)])."""
        d = os.path.join(self.workdir, f"{pkg}-{debver}")
        for p, text in files.items():
            full = os.path.join(d, p)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w") as f:
                f.write(text)
        for p, target in links:
            os.makedirs(os.path.dirname(os.path.join(d, p)), exist_ok=True)
            os.symlink(target, os.path.join(d, p))
        os.makedirs(os.path.join(d, "DEBIAN"))
        with open(os.path.join(d, "DEBIAN/control"), "w") as f:
            f.write(f"Package: {pkg}\nVersion: {debver}\nArchitecture: all\n"
                    "Maintainer: t <t@t>\n" +
                    (f"Depends: {depends}\n" if depends else "") +
                    "Description: fake\n fake Go module\n")
        rel = f"pool/main/g/{pkg}/{pkg}_{debver}_all.deb"
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        r = subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip",
                            "--build", d, path], capture_output=True,
                           text=True)
        if r.returncode != 0:
            raise RuntimeError("dpkg-deb --build: " + r.stderr)
        self.debs[(pkg, debver)] = {
            "Package": pkg, "Version": debver, "Architecture": "all",
            "Filename": rel, "Size": str(os.path.getsize(path)),
            "SHA256": sha256(path)}
        if depends:
            self.debs[(pkg, debver)]["Depends"] = depends

    def drop_deb(self, pkg, debver):
        st = self.debs.pop((pkg, debver))
        os.unlink(os.path.join(self.root, st["Filename"]))

    def drop(self, minor, debver):
        for pkg in (f"golang-{minor}-go", f"golang-{minor}-src"):
            st = self.debs.pop((pkg, debver))
            os.unlink(os.path.join(self.root, st["Filename"]))

    def publish(self):
        """Packages + InRelease for every suite (same content)."""
        text = "".join(
            "".join(f"{k}: {v}\n" for k, v in st.items()) + "\n"
            for _, st in sorted(self.debs.items()))
        for suite in SUITES:
            d = os.path.join(self.root, "dists", suite)
            pdir = os.path.join(d, "main", "binary-amd64")
            os.makedirs(pdir, exist_ok=True)
            with open(os.path.join(pdir, "Packages"), "w") as f:
                f.write(text)
            data = text.encode()
            release = (
                f"Origin: lutgen-test\nLabel: lutgen-test\nSuite: {suite}\n"
                f"Codename: {suite}\nDate: "
                f"{time.strftime('%a, %d %b %Y %H:%M:%S UTC', time.gmtime())}"
                "\nArchitectures: amd64 all\nComponents: main\nSHA256:\n"
                f" {hashlib.sha256(data).hexdigest()} {len(data)} "
                "main/binary-amd64/Packages\n")
            with open(os.path.join(d, "Release"), "w") as f:
                f.write(release)
            inrel = os.path.join(d, "InRelease")
            if os.path.exists(inrel):
                os.unlink(inrel)
            r = subprocess.run(["gpg", "--homedir", self.gpghome, "--batch",
                                "--yes", "--clearsign", "-o", inrel,
                                os.path.join(d, "Release")],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise RuntimeError("gpg --clearsign: " + r.stderr)


class Logged(http.server.SimpleHTTPRequestHandler):
    requests = []

    def log_message(self, fmt, *a):
        Logged.requests.append(self.path)


def serve(root):
    handler = lambda *a, **k: Logged(*a, directory=root, **k)  # noqa: E731
    srv = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def gomirror(env, mdir, *args):
    r = subprocess.run([MIRROR, "--dir", mdir] + list(args), env=env,
                       capture_output=True, text=True, timeout=300)
    print(f"$ go-mirror --dir {os.path.basename(mdir)} {' '.join(args)}: "
          f"exit {r.returncode}")
    for line in r.stderr.splitlines():
        if "warning" in line or "error" in line:
            print("  " + line)
    return r


def index_of(mdir):
    with open(os.path.join(mdir, "index.json")) as f:
        return {r["version"]: r["files"][0] for r in json.load(f)}


GOCODE = "usr/share/gocode/src/"
FOO_MOD = """module example.com/foo

go 1.18

require (
	example.com/bar v0.9.0
	example.com/absent v1.0.0 // test-only elsewhere
)
"""


def dirhash(files):
    """The go command's h1: hash, written here from its definition:
    sha256 over "<sha256 hex>  <name>\\n" lines sorted by name, base64."""
    import base64
    lines = "".join(f"{hashlib.sha256(data).hexdigest()}  {name}\n"
                    for name, data in sorted(files.items()))
    return "h1:" + base64.b64encode(
        hashlib.sha256(lines.encode()).digest()).decode()


def check_modules(arch, env, work, lock):
    import zipfile
    foo = {
        GOCODE + "example.com/foo/go.mod": FOO_MOD,
        GOCODE + "example.com/foo/foo.go":
            'package foo\n\nimport "example.com/bar/alias"\n\n'
            'var X = alias.Y\n',
        GOCODE + "example.com/foo/foo_test.go":
            'package foo\n\nimport "example.com/testonly"\n',
        GOCODE + "example.com/foo/testdata/t.txt": "kept\n",
        GOCODE + "example.com/foo/vendor/v.org/x/x.go": "package x\n",
        GOCODE + "example.com/foo/sub/go.mod": "module example.com/foo/sub\n",
        GOCODE + "example.com/foo/sub/s.go": "package sub\n",
    }
    bar = {GOCODE + "example.com/barreal/alias/a.go":
           "package alias\n\nconst Y = 1\n",
           GOCODE + "example.com/barreal/b.go": "package bar\n"}
    arch.make_deb("golang-example-bar-dev", "0.0~git20200101.abc1234-1", bar,
                  links=[(GOCODE + "example.com/bar", "barreal")])
    arch.make_deb("golang-example-foo-dev", "1.2.0-1", foo,
                  depends="golang-example-bar-dev, libc6")
    arch.publish()
    conf = os.path.join(work, "modules.json")
    with open(conf, "w") as f:
        json.dump({"suites": ["sid"], "targets": [
            {"module": "example.com/foo",
             "package": "golang-example-foo-dev"}]}, f)
    menv = dict(env, LUTGEN_MIRROR_MODULES=conf)
    m1 = os.path.join(work, "m1")
    r = gomirror(menv, m1, "--refresh", "modules", "--update")
    if not check(r.returncode == 0, "modules --update: " + r.stderr[-2000:]):
        return
    pins = json.load(open(lock)).get("modules", {}).get("sid", {})
    check(sorted(pins.get("packages", {})) ==
          ["golang-example-bar-dev", "golang-example-foo-dev"],
          f"module pins: {pins}")
    gen = gomirror(menv, m1, "moddir").stdout.strip()
    proxy = os.path.join(gen, "proxy")

    def read(rel):
        with open(os.path.join(proxy, rel), "rb") as f:
            return f.read()
    check(read("example.com/foo/@v/list") == b"v1.2.0\n", "foo @v/list")
    check(read("example.com/foo/@v/v1.2.0.mod") == FOO_MOD.encode(),
          "foo .mod is not Debian's go.mod")
    check(json.loads(read("example.com/foo/@v/v1.2.0.info")) ==
          {"Version": "v1.2.0", "Time": json.loads(read(
              "example.com/foo/@v/v1.2.0.info"))["Time"]} and
          read("example.com/foo/@v/v1.2.0.info").startswith(
              b'{"Version":"v1.2.0","Time":"'), "foo .info")
    barv = "v0.0.0-20200101000000-abc123400000"
    check(read("example.com/bar/@v/list") == b"", "bar @v/list must be "
          "empty (a pseudo-version only)")
    check(json.loads(read("example.com/bar/@latest"))["Version"] == barv,
          "bar @latest")
    check(read(f"example.com/bar/@v/{barv}.mod") ==
          b"module example.com/bar\n", "bar's synthesized go.mod")
    # the zip, read back with zipfile; h1 computed here from its files
    z = zipfile.ZipFile(os.path.join(proxy, "example.com/foo/@v/v1.2.0.zip"))
    names = z.namelist()
    pre = "example.com/foo@v1.2.0/"
    check(names == sorted(pre + n for n in (
        "foo.go", "foo_test.go", "go.mod", "testdata/t.txt")),
        f"foo zip entries: {names}")
    h1 = dirhash({n: z.read(n) for n in names})
    sdoc = json.load(open(os.path.join(gen, "suites", "sid.json")))
    check(sdoc["modules"]["example.com/foo"]["h1"] == h1,
          f"foo h1: mirror {sdoc['modules']['example.com/foo']['h1']}, "
          f"here {h1}")
    check(sdoc["modules"]["example.com/foo"]["gomod_h1"] ==
          dirhash({"go.mod": FOO_MOD.encode()}), "foo go.mod h1")
    gosum = open(os.path.join(gen, "suites", "sid.go.sum")).read()
    check(f"example.com/foo v1.2.0 {h1}\n" in gosum, "go.sum line of foo")
    rep = open(os.path.join(gen, "suites", "sid.replace")).read()
    check(rep == "replace (\n\texample.com/bar => example.com/bar "
          f"{barv}\n\texample.com/foo => example.com/foo v1.2.0\n)\n",
          f"replace fragment: {rep!r}")
    # example.com/absent: required, not in Debian -> stub, never listed
    check(read("example.com/absent/@v/v1.0.0.mod") ==
          b"module example.com/absent\n", "stub .mod")
    check(not os.path.exists(os.path.join(proxy, "example.com/absent/@v/"
                                                 "list")), "stub listed")
    check(sdoc["stubs"] == {"example.com/absent": ["v1.0.0"]},
          f"stubs: {sdoc['stubs']}")
    check(not os.path.exists(os.path.join(proxy, "example.com/testonly")),
          "a test-only import was mirrored")
    # the same from the lock alone, in another directory: same bytes
    m2 = os.path.join(work, "m2")
    r = gomirror(menv, m2, "modules")
    check(r.returncode == 0, "modules from the lock: " + r.stderr[-2000:])
    gen2 = gomirror(menv, m2, "moddir").stdout.strip()
    d = subprocess.run(["diff", "-r", gen, gen2], capture_output=True,
                       text=True)
    check(d.returncode == 0, f"two module builds differ:\n{d.stdout[:2000]}")
    # Debian rebuilds foo: the pin is gone, the build goes on
    arch.drop_deb("golang-example-foo-dev", "1.2.0-1")
    arch.make_deb("golang-example-foo-dev", "1.2.0-2", foo,
                  depends="golang-example-bar-dev")
    arch.publish()
    m3 = os.path.join(work, "m3")
    r = gomirror(menv, m3, "modules")
    check(r.returncode == 0 and "1.2.0-1" in r.stderr and "1.2.0-2" in
          r.stderr and "golang-example-foo-dev" in r.stderr,
          f"module pin gone: {r.returncode} {r.stderr[-2000:]}")
    gen3 = gomirror(menv, m3, "moddir").stdout.strip()
    s3 = json.load(open(os.path.join(gen3, "suites", "sid.json")))
    check(s3["targets"]["example.com/foo"]["debian_version"] == "1.2.0-2",
          f"substitute not used: {s3['targets']}")


def main():
    for tool in ("gpg", "gpgconf", "dpkg-deb", "apt-get"):
        if not shutil.which(tool):
            skip(f"{tool} is not installed (scripts/bootstrap installs it)")
    work = tempfile.mkdtemp(prefix="lutgen-mirror-lock-")
    srv = None
    try:
        gpghome = os.path.join(work, "gnupg")
        os.makedirs(gpghome, mode=0o700)
        r = subprocess.run(["gpg", "--homedir", gpghome, "--batch",
                            "--passphrase", "", "--quick-gen-key",
                            "lutgen test archive <test@lutgen.invalid>",
                            "ed25519", "sign", "never"],
                           capture_output=True, text=True)
        if not check(r.returncode == 0, "gpg key: " + r.stderr[-500:]):
            return 1
        keyring = os.path.join(work, "archive.gpg")
        with open(keyring, "wb") as f:
            f.write(subprocess.run(["gpg", "--homedir", gpghome, "--export"],
                                   capture_output=True).stdout)
        arch = Archive(os.path.join(work, "debian"), gpghome)
        os.makedirs(arch.root)
        p98 = arch.make_pair("1.98", "1.98.1-1", "go1.98.1")
        p99 = arch.make_pair("1.99", "1.99.1-1", "go1.99.1")
        arch.publish()
        srv = serve(arch.root)
        url = f"http://127.0.0.1:{srv.server_address[1]}"
        lock = os.path.join(work, "go-mirror.lock.json")
        env = dict(os.environ, LUTGEN_MIRROR_DEBIAN_URL=url,
                   LUTGEN_MIRROR_KEYRING=keyring, LUTGEN_MIRROR_LOCK=lock)
        env.pop("LUTGEN_MIRROR_DIR", None)

        # 1. pin
        a = os.path.join(work, "a")
        r = gomirror(env, a, "build", "--update")
        if not check(r.returncode == 0, "build --update: " + r.stderr[-2000:]):
            return 1
        doc = json.load(open(lock))
        pins = doc["toolchains"]
        check(sorted(pins) == ["go1.98.1", "go1.99.1"],
              f"lock pins {sorted(pins)}")
        for st in p98 + p99:
            v = "go" + st["Version"].split("-")[0]
            d = pins.get(v, {}).get("debs", {}).get(st["Package"], {})
            check(d.get("sha256") == st["SHA256"] and
                  d.get("size") == int(st["Size"]) and
                  d.get("filename") == st["Filename"],
                  f"lock entry for {st['Package']}: {d}")
        idx = index_of(a)
        for v in pins:
            path = os.path.join(a, "files", f"{v}.linux-amd64.tar.gz")
            check(pins[v]["archive"]["sha256"] == sha256(path) ==
                  idx[v]["sha256"], f"{v}: lock/index/file sha256 differ")
        # pruning, as GNU tar lists it
        listing = subprocess.run(["tar", "-tzf", os.path.join(
            a, "files", "go1.99.1.linux-amd64.tar.gz")],
            capture_output=True, text=True).stdout.split()
        check("go/src/runtime/proc.go" in listing and "go/bin/go" in listing
              and "go/pkg/tool/linux_amd64/vet" in listing,
              f"archive lacks needed files: {listing}")
        check(not any(x.endswith("_test.go") or "/testdata" in x or
                      x.startswith(("go/test/", "go/api/")) for x in listing),
              f"archive has pruned files: {listing}")
        check(not any("share/doc" in x for x in listing),
              "Debian's doc directory leaked into the archive")

        # 2. a second directory from the lock alone
        Logged.requests.clear()
        b = os.path.join(work, "b")
        r = gomirror(env, b, "build")
        check(r.returncode == 0, "build from lock: " + r.stderr[-2000:])
        check(not any("/dists/" in q for q in Logged.requests),
              f"build from the lock read package lists: {Logged.requests}")
        check(len([q for q in Logged.requests if q.startswith("/pool/")])
              == 4, f"expected 4 pool downloads: {Logged.requests}")
        check(index_of(b) == idx, "second directory serves other archives")
        check(os.listdir(os.path.join(b, "debs")) == [],
              "downloaded .debs were not removed after repacking")
        r = gomirror(env, b, "verify")
        check(r.returncode == 0 and r.stdout.count(": ok ") == 2,
              f"verify: {r.stdout}{r.stderr}")
        Logged.requests.clear()
        r = gomirror(env, b, "build")
        check(r.returncode == 0 and "up to date" in r.stderr,
              f"rerun: {r.stderr}")
        check(Logged.requests == [], f"rerun made requests: "
              f"{Logged.requests}")
        g = gomirror(env, b, "goroots")
        check(g.returncode == 0 and len(g.stdout.splitlines()) == 2,
              f"goroots: {g.stdout}{g.stderr}")
        for line in g.stdout.splitlines():
            v, root = line.split(" ", 1)
            check(open(os.path.join(root, "VERSION")).readline().strip()
                  == v, f"goroots: {root} is not {v}")

        # 3. Debian rebuilds 1.99.1: 1.99.1-1 gone, 1.99.1-2 there
        arch.drop("1.99", "1.99.1-1")
        arch.make_pair("1.99", "1.99.1-2", "go1.99.1")
        arch.publish()
        c = os.path.join(work, "c")
        r = gomirror(env, c, "build")
        check(r.returncode == 0, "build after a rebuild in Debian: "
              + r.stderr[-2000:])
        check("warning:" in r.stderr and "1.99.1-1" in r.stderr and
              "1.99.1-2" in r.stderr and "golang-1.99" in r.stderr,
              f"no clear warning: {r.stderr}")
        st = json.load(open(os.path.join(c, "toolchains.json")))
        s99 = st["toolchains"].get("go1.99.1", {})
        check(s99.get("debian_version") == "1.99.1-2" and
              s99.get("substitutes", {}).get("debian_version") == "1.99.1-1",
              f"substitution not recorded: {s99}")
        ic = index_of(c)
        check(ic["go1.98.1"] == idx["go1.98.1"], "go1.98.1 changed")
        check(ic["go1.99.1"]["sha256"] != idx["go1.99.1"]["sha256"],
              "go1.99.1 should have new bytes (other Debian build)")
        r = gomirror(env, c, "verify")
        check(r.returncode == 0 and "substitute" in r.stdout,
              f"verify after substitution: {r.stdout}{r.stderr}")
        Logged.requests.clear()
        r = gomirror(env, c, "build")
        check(r.returncode == 0 and "up to date" in r.stderr and
              Logged.requests == [], "substituted mirror is not up to date "
              f"on rerun: {r.stderr} {Logged.requests}")
        r = gomirror(env, b, "build")
        check(r.returncode == 0 and "up to date" in r.stderr,
              f"pinned mirror b disturbed: {r.stderr}")

        # 4. only a newer Go release of golang-1.99 is left
        arch.drop("1.99", "1.99.1-2")
        arch.make_pair("1.99", "1.99.2-1", "go1.99.2")
        arch.publish()
        d = os.path.join(work, "d")
        r = gomirror(env, d, "build")
        check(r.returncode == 0, "build with go1.99.2 only: "
              + r.stderr[-2000:])
        check("go1.99.2 replaces go1.99.1" in r.stderr,
              f"no warning about the replaced release: {r.stderr}")
        check(sorted(index_of(d)) == ["go1.98.1", "go1.99.2"],
              f"index: {sorted(index_of(d))}")

        # 5. golang-1.99 removed from Debian
        arch.drop("1.99", "1.99.2-1")
        arch.publish()
        e = os.path.join(work, "e")
        r = gomirror(env, e, "build")
        check(r.returncode == 0, "build with golang-1.99 gone: "
              + r.stderr[-2000:])
        check("left out" in r.stderr and "golang-1.99" in r.stderr,
              f"no warning about the missing toolchain: {r.stderr}")
        check(sorted(index_of(e)) == ["go1.98.1"],
              f"index: {sorted(index_of(e))}")

        # 6. --update re-pins
        arch.make_pair("1.99", "1.99.3-1", "go1.99.3")
        arch.publish()
        r = gomirror(env, e, "--refresh", "build", "--update")
        check(r.returncode == 0, "build --update: " + r.stderr[-2000:])
        doc2 = json.load(open(lock))
        check(sorted(doc2["toolchains"]) == ["go1.98.1", "go1.99.3"],
              f"re-pinned lock: {sorted(doc2['toolchains'])}")
        check(doc2["toolchains"]["go1.98.1"] == pins["go1.98.1"],
              "go1.98.1's pin changed although Debian did not")

        # 8 (first, it needs this lock). The module mirror: a target
        # module with a Debian dependency (a git snapshot without go.mod,
        # reached through a directory symlink as Debian aliases import
        # paths) and a requirement Debian lacks.
        check_modules(arch, env, work, lock)

        # 7. migrate a format-2 directory in place
        f2 = os.path.join(work, "f2")
        old_tree = os.path.join(f2, "goroots", "go1.98.1")
        os.makedirs(os.path.join(old_tree, "bin"))
        with open(os.path.join(old_tree, "VERSION"), "w") as f:
            f.write("go1.98.1\n")
        os.makedirs(os.path.join(f2, "built"))
        os.makedirs(os.path.join(f2, "files"))
        old_bytes = b"OLD" * 300000
        old_arch = os.path.join(f2, "files", "go1.98.1.linux-amd64.tar.gz")
        with open(old_arch, "wb") as f:
            f.write(old_bytes)
        with open(os.path.join(f2, "index.json"), "w") as f:
            json.dump([{"version": "go1.98.1", "stable": True, "files": [
                {"filename": "go1.98.1.linux-amd64.tar.gz", "os": "linux",
                 "arch": "amd64", "version": "go1.98.1", "kind": "archive",
                 "sha256": hashlib.sha256(old_bytes).hexdigest(),
                 "size": len(old_bytes)}]}], f)
        reader = open(old_arch, "rb")
        r = gomirror(env, f2, "goroots")
        check(r.returncode == 0, "migration: " + r.stderr[-2000:])
        link = os.path.join(f2, "goroots", "go1.98.1")
        check(os.path.islink(link), "goroots/go1.98.1 is not a symlink now")
        check(os.path.isfile(os.path.join(link, "src/runtime/proc.go")),
              "goroots/go1.98.1 does not lead to the new tree")
        check(os.path.isfile(os.path.join(f2, "trees", "go1.98.1-format2",
                                          "VERSION")),
              "the old tree was not kept for its readers")
        check(reader.read() == old_bytes,
              "a reader of the old archive saw other bytes")
        reader.close()
        check(not os.path.exists(os.path.join(f2, "built")),
              "format-2 stamps left behind")
        check(index_of(f2)["go1.98.1"] == idx["go1.98.1"],
              "migrated directory serves another archive")
        listed = dict(ln.split(" ", 1) for ln in r.stdout.splitlines())
        check(listed.get("go1.98.1") == os.path.join(
            f2, "trees", os.readlink(link).split("/")[-1]),
            f"goroots after migration: {r.stdout}")
    finally:
        if srv:
            srv.shutdown()
        subprocess.run(["gpgconf", "--homedir", os.path.join(work, "gnupg"),
                        "--kill", "gpg-agent"], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed", file=sys.stderr)
        return 1
    print("ok: lock pins, substitutes with warnings, migrates in place")
    return 0


if __name__ == "__main__":
    sys.exit(main())
