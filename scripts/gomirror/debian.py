# SPDX-License-Identifier: MIT
"""Debian's archive as go-mirror sees it: a private apt state (the
system's sources are never read or changed), the package stanzas of its
signed indices, pool downloads checked against a sha256, and the files of
a .deb read as a stream."""

import hashlib
import os
import re
import socket
import subprocess
import tarfile
import time
import urllib.error
import urllib.request

from .util import MirrorError, atomic_write_text

SUITES = ["bullseye", "bookworm", "bookworm-backports", "trixie",
          "trixie-backports", "sid"]
DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
LIST_MAX_AGE = 24 * 3600


def keyring():
    """Keys the private apt state trusts: Debian's archive keyring, or
    $LUTGEN_MIRROR_KEYRING for another archive (a local mirror, a test)."""
    return os.environ.get("LUTGEN_MIRROR_KEYRING", DEBIAN_KEYRING)


def debian_url():
    return os.environ.get("LUTGEN_MIRROR_DEBIAN_URL",
                          "http://deb.debian.org/debian").rstrip("/")


# ------------------------------------------------------------ versions

def _order(c):
    if c == "~":
        return -1
    if c.isdigit():
        return 0
    if c.isalpha():
        return ord(c)
    return ord(c) + 256


def _cmp_part(a, b):
    """dpkg's comparison of an upstream version or a revision."""
    i = j = 0
    while i < len(a) or j < len(b):
        diff = 0
        while (i < len(a) and not a[i].isdigit()) or \
                (j < len(b) and not b[j].isdigit()):
            ac = _order(a[i]) if i < len(a) and not a[i].isdigit() else 0
            bc = _order(b[j]) if j < len(b) and not b[j].isdigit() else 0
            if ac != bc:
                return ac - bc
            i += 1
            j += 1
        while i < len(a) and a[i] == "0":
            i += 1
        while j < len(b) and b[j] == "0":
            j += 1
        while i < len(a) and a[i].isdigit() and j < len(b) and \
                b[j].isdigit():
            if not diff:
                diff = ord(a[i]) - ord(b[j])
            i += 1
            j += 1
        if i < len(a) and a[i].isdigit():
            return 1
        if j < len(b) and b[j].isdigit():
            return -1
        if diff:
            return diff
    return 0


def split_version(v):
    epoch, _, rest = v.rpartition(":") if ":" in v else ("0", "", v)
    if "-" in rest:
        upstream, _, rev = rest.rpartition("-")
    else:
        upstream, rev = rest, ""
    return int(epoch or 0), upstream, rev


def compare_versions(a, b):
    """<0, 0, >0 like `dpkg --compare-versions`."""
    ea, ua, ra = split_version(a)
    eb, ub, rb = split_version(b)
    if ea != eb:
        return ea - eb
    return _cmp_part(ua, ub) or _cmp_part(ra, rb)


def upstream_version(v):
    return split_version(v)[1]


# ------------------------------------------------------------ apt state

class Apt:
    """apt-get/apt-cache on a private state under <root>/apt."""

    def __init__(self, root, log):
        self.dir = os.path.join(root, "apt")
        self.log = log

    def opts(self):
        a = self.dir
        return [
            "-o", f"Dir::Etc::sourcelist={a}/sources.list",
            "-o", "Dir::Etc::sourceparts=-",
            "-o", f"Dir::State::Lists={a}/lists",
            "-o", f"Dir::State::status={a}/status",
            "-o", f"Dir::Cache={a}/cache",
            "-o", "Dir::Etc::preferences=/dev/null",
            "-o", "Dir::Etc::preferencesparts=-",
            "-o", "APT::Get::List-Cleanup=1",
            "-o", "Acquire::Languages=none",
            "-o", "Debug::NoLocking=1",
        ]

    def _sources(self):
        return "".join(
            f"deb [arch=amd64 signed-by={keyring()}] {debian_url()} {s} main\n"
            for s in SUITES)

    def fresh(self):
        stamp = os.path.join(self.dir, "updated")
        src = os.path.join(self.dir, "sources.list")
        try:
            with open(src) as f:
                if f.read() != self._sources():
                    return False
            return time.time() - os.path.getmtime(stamp) < LIST_MAX_AGE
        except OSError:
            return False

    def update(self, force=False):
        """Fetch the signed package indices unless fresh (< 24 h)."""
        if not force and self.fresh():
            return
        for sub in ("lists/partial", "cache/archives/partial"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        status = os.path.join(self.dir, "status")
        if not os.path.exists(status):
            open(status, "w").close()
        if not os.path.exists(keyring()):
            raise MirrorError(f"{keyring()} is missing; install "
                              "debian-archive-keyring (scripts/bootstrap "
                              "does)")
        stamp = os.path.join(self.dir, "updated")
        src = os.path.join(self.dir, "sources.list")
        text = self._sources()
        try:
            same = open(src).read() == text
        except OSError:
            same = False
        if not same:
            atomic_write_text(src, text)
            if os.path.exists(stamp):
                os.unlink(stamp)
        self.log(f"updating private package lists ({', '.join(SUITES)})")
        t0 = time.monotonic()
        r = subprocess.run(["apt-get", "-q"] + self.opts() + ["update"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
        if r.returncode != 0:
            if os.path.exists(stamp):
                self.log("warning: apt-get update failed; using the lists "
                         "of the last successful update:\n" +
                         r.stdout[-2000:])
                return
            raise MirrorError(f"apt-get update (private state under "
                              f"{self.dir}) failed:\n{r.stdout[-4000:]}")
        open(stamp, "w").close()
        self.log(f"package lists updated in {time.monotonic() - t0:.0f} s")

    def list_files(self):
        """{suite: [Packages index file]} of the private lists."""
        lists = os.path.join(self.dir, "lists")
        out = {}
        try:
            names = sorted(os.listdir(lists))
        except FileNotFoundError:
            return out
        for suite in SUITES:
            pat = re.compile(r".*_dists_" + re.escape(suite) +
                             r"_main_binary-amd64_Packages(\.\w+)?$")
            out[suite] = [os.path.join(lists, n) for n in names
                          if pat.fullmatch(n)]
        return out

    def stanzas(self, want):
        """Package stanzas (dicts) whose Package name satisfies want(name),
        each with its "Suite" added.  Reads the indices apt verified."""
        out = []
        for suite, files in self.list_files().items():
            for path in files:
                r = subprocess.run(["/usr/lib/apt/apt-helper", "cat-file",
                                    path], stdout=subprocess.PIPE)
                if r.returncode != 0:
                    raise MirrorError(f"apt-helper cat-file {path} failed")
                for para in r.stdout.split(b"\n\n"):
                    if not para.startswith(b"Package: "):
                        continue
                    name = para[9:para.find(b"\n")].decode()
                    if not want(name):
                        continue
                    out.append(parse_stanza(para.decode("utf-8", "replace"),
                                            suite))
        return out


def parse_stanza(text, suite):
    d = {"Suite": suite}
    key = None
    for line in text.splitlines():
        if line[:1] in (" ", "\t") and key:
            d[key] += "\n" + line.strip()
            continue
        key, _, value = line.partition(":")
        d[key] = value.strip()
    return d


# ------------------------------------------------------------ downloads

class NotInArchive(MirrorError):
    """The pool no longer has the file (HTTP 404)."""


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch_pool_file(dest, pool_path, sha256, size, retries=4):
    """Download <debian>/<pool_path> to dest (atomically), checking size and
    sha256.  A file already at dest with the right sha256 is kept.  Raises
    NotInArchive on 404, MirrorError on other failures."""
    if os.path.exists(dest):
        if os.path.getsize(dest) == size and sha256_file(dest) == sha256:
            return False
        os.unlink(dest)
    url = f"{debian_url()}/{pool_path}"
    tmp = f"{dest}.part.{os.getpid()}"
    delay = 1.0
    for attempt in range(retries + 1):
        try:
            h = hashlib.sha256()
            n = 0
            req = urllib.request.Request(
                url, headers={"User-Agent": "lutgen-go-mirror"})
            with urllib.request.urlopen(req, timeout=60) as resp, \
                    open(tmp, "wb") as out:
                while True:
                    chunk = resp.read(1 << 20)
                    if not chunk:
                        break
                    h.update(chunk)
                    out.write(chunk)
                    n += len(chunk)
            if n != size or h.hexdigest() != sha256:
                raise MirrorError(
                    f"{url}: got {n} bytes with sha256 {h.hexdigest()}, "
                    f"expected {size} bytes with sha256 {sha256}")
            os.replace(tmp, dest)
            return True
        except urllib.error.HTTPError as e:
            if e.code == 404:
                _unlink(tmp)
                raise NotInArchive(f"{url}: HTTP 404") from None
            err = f"{url}: HTTP {e.code}"
        except (urllib.error.URLError, OSError, MirrorError) as e:
            reason = getattr(e, "reason", None) or e
            err = f"{url}: {reason}"
            if isinstance(reason, socket.gaierror):
                _unlink(tmp)     # a name that does not resolve stays so
                raise MirrorError(
                    f"{err} (no retry: the host name does not resolve; "
                    "set LUTGEN_MIRROR_DEBIAN_URL to a reachable Debian "
                    "mirror)") from None
        _unlink(tmp)
        if attempt < retries:
            time.sleep(delay)
            delay *= 2
    raise MirrorError(f"download failed after {retries + 1} attempts: {err} "
                      f"(is {debian_url()} reachable? "
                      "LUTGEN_MIRROR_DEBIAN_URL selects another mirror)")


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


# ------------------------------------------------------------ .deb data

def deb_members(deb):
    """Yield (TarInfo, fileobj-or-None) of the data tarball of `deb`, in
    archive order (dpkg-deb decompresses; a regular file's fileobj is
    readable only until the next member is requested)."""
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tar:
            for ti in tar:
                yield ti, (tar.extractfile(ti) if ti.isreg() else None)
    finally:
        p.stdout.close()
        err = p.stderr.read()
        p.stderr.close()
        if p.wait() != 0:
            raise MirrorError(f"dpkg-deb --fsys-tarfile {deb} failed: "
                              f"{err.decode(errors='replace').strip()}")
