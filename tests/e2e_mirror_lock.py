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
