# SPDX-License-Identifier: MIT
"""The toolchain mirror: Debian's golang-1.NN-go + golang-1.NN-src pairs,
pinned by a lock file, repacked as go.dev-style archives.

Mirror directory layout (format 3):

  FORMAT                  "3"
  index.json              go.dev's release index (schema of /dl/?mode=json)
  toolchains.json         provenance of what is served: per Go version the
                          Debian packages (name, version, pool file,
                          sha256, size), the archive's sha256/size, the
                          GOROOT tree, and any substitution of a pinned
                          package (see below)
  files/<go.dev name>     the archives (go1.22.12.linux-amd64.tar.gz)
  trees/<ver>-<sha12>/    the extracted GOROOT of an archive (what
                          `go-mirror goroots` lists); content-addressed,
                          so a path handed out never changes under a reader
  goroots/<ver>           symlink to the current trees/ entry (old paths)
  debs/                   downloads, removed once repacked
  apt/                    private apt state (only for --update and for
                          finding a substitute when a pinned file is gone)

Readers (serve, goroots) take .commit.lock shared while they read index,
files and trees; a build takes it exclusive only while it publishes, so a
reader sees the old set or the new set, never a mix.  Trees that are no
longer listed are deleted by a later build once retired for RETIRE_GRACE.

Lock file (scripts/go-mirror.lock.json, committed): per Go version the
Debian source, version and both .deb files (pool path, sha256, size) and
the sha256/size of the archive they repack to.  `build` uses exactly those
files (fetched from the pool by path, checked by sha256), so every machine
serves byte-identical archives.  When Debian has dropped a pinned file
(testing/sid and backports move), the build does not fail: it takes the
newest revision of the same Go release (provenance-only change), else the
newest release of the same golang-1.NN package, warns naming both Debian
versions, and records the substitution in toolchains.json.  `build
--update` re-pins the lock to what Debian has now.
"""

import concurrent.futures
import ctypes
import errno
import functools
import hashlib
import os
import posixpath
import re
import shutil
import tempfile
import threading
import time

from . import debian, tarball
from .util import (Lock, MirrorError, fmt_bytes, fmt_secs, json_text,
                   read_json, write_json, atomic_write_text)

FORMAT = "3"
LOCK_FORMAT = 1
RETIRE_GRACE = 6 * 3600
GO_PKG = re.compile(r"golang-(1\.\d+)-(go|src)")


# ------------------------------------------------------------ paths

def default_lock_path():
    env = os.environ.get("LUTGEN_MIRROR_LOCK")
    if env:
        return os.path.abspath(env)
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    return os.path.join(here, "go-mirror.lock.json")


def archive_name(version):
    return f"{version}.linux-amd64.tar.gz"


# ------------------------------------------------------------ lock file

def load_lock(path):
    try:
        doc = read_json(path)
    except FileNotFoundError:
        return {"format": LOCK_FORMAT, "toolchains": {}}
    except ValueError as e:
        raise MirrorError(f"{path}: not valid JSON ({e}); restore it from "
                          "git or rebuild it with `go-mirror build "
                          "--update`") from None
    if doc.get("format") != LOCK_FORMAT:
        raise MirrorError(f"{path}: lock format {doc.get('format')!r}, "
                          f"this script reads {LOCK_FORMAT}")
    doc.setdefault("toolchains", {})
    return doc


def lock_digest(entries):
    """Digest of the pinned inputs (not of the recorded outputs)."""
    pins = {v: {"debs": e["debs"], "source": e["source"],
                "debian_version": e["debian_version"]}
            for v, e in entries.items()}
    return hashlib.sha256(json_text(pins).encode()).hexdigest()


def go_version_of(upstream):
    """Debian upstream version -> Go release name: 1.22.12 -> go1.22.12,
    1.23~rc1 -> go1.23rc1 (checked against VERSION after extraction)."""
    v = upstream.split("+")[0]
    v = re.sub(r"~(rc|beta)", r"\1", v)
    return "go" + v


def discover(apt):
    """{go version: lock entry without "archive"} of the newest Debian
    revision of every Go release packaged as golang-1.NN-go + -src."""
    stanzas = apt.stanzas(lambda n: GO_PKG.fullmatch(n) is not None)
    by = {}
    for s in stanzas:
        m = GO_PKG.fullmatch(s["Package"])
        if s["Package"].endswith("-go") and s.get("Architecture") != "amd64":
            continue
        key = (m.group(1), s["Version"])
        slot = by.setdefault(key, {"debs": {}, "suites": set()})
        slot["debs"][s["Package"]] = {
            "arch": s.get("Architecture"),
            "filename": s["Filename"],
            "sha256": s["SHA256"],
            "size": int(s["Size"]),
        }
        slot["suites"].add(s["Suite"])
    best = {}
    for (minor, debver), slot in by.items():
        if len(slot["debs"]) != 2:
            continue
        gov = go_version_of(debian.upstream_version(debver))
        cur = best.get(gov)
        if cur and debian.compare_versions(debver,
                                           cur["debian_version"]) <= 0:
            continue
        best[gov] = {
            "source": f"golang-{minor}",
            "debian_version": debver,
            "suites": sorted(slot["suites"], key=debian.SUITES.index),
            "debs": slot["debs"],
        }
    return best


def candidates(apt, source):
    """[(debian version, debs)] of `source` (golang-1.NN) now in Debian,
    newest first."""
    minor = source[len("golang-"):]
    names = {f"golang-{minor}-go", f"golang-{minor}-src"}
    found = {}
    for s in apt.stanzas(lambda n: n in names):
        if s["Package"].endswith("-go") and s.get("Architecture") != "amd64":
            continue
        found.setdefault(s["Version"], {})[s["Package"]] = {
            "arch": s.get("Architecture"), "filename": s["Filename"],
            "sha256": s["SHA256"], "size": int(s["Size"])}
    out = [(v, d) for v, d in found.items() if len(d) == 2]
    out.sort(key=functools.cmp_to_key(
        lambda a, b: debian.compare_versions(a[0], b[0])), reverse=True)
    return out


# ------------------------------------------------------------ repack

# What `go build` (and go vet, go tool nm, go version -m, -race, cgo)
# never reads: Go's own test suite and API lists, docs, misc/ helpers,
# testdata directories and _test.go files.  bin/, pkg/tool/<os_arch>/ and
# the rest of src/ and pkg/ stay complete.
PRUNED_TOP = {"test", "api", "doc", "misc"}


def pruned(rel, is_dir):
    parts = rel.split("/")
    if parts[0] in PRUNED_TOP and (len(parts) > 1 or is_dir):
        return True
    if "testdata" in (parts if is_dir else parts[:-1]):
        return True
    return not is_dir and parts[-1].endswith("_test.go")


def _goroot_rel(name, minor):
    """GOROOT-relative path of a .deb member, or None when outside the
    Go tree (Debian's docs, lintian overrides)."""
    if name.startswith("./"):
        name = name[2:]
    name = posixpath.normpath(name) if name else ""
    for base in (f"usr/lib/go-{minor}", f"usr/share/go-{minor}"):
        if name == base:
            return ""
        if name.startswith(base + "/"):
            return name[len(base) + 1:]
    return None


def extract_goroot(debs, minor, tree):
    """Merge the Go trees of the two .debs (usr/lib/go-1.NN and
    usr/share/go-1.NN, which Debian splits and links together) into
    `tree`, skipping pruned files as they stream by.  Returns (mtime of
    VERSION, bytes written, files written)."""
    os.makedirs(tree)
    version_mtime = None
    nbytes = nfiles = 0
    links = []
    for deb in debs:
        for ti, f in debian.deb_members(deb):
            rel = _goroot_rel(ti.name, minor)
            if rel is None or rel == "":
                continue
            if pruned(rel, ti.isdir()):
                continue
            dest = os.path.join(tree, rel)
            if ti.isdir():
                os.makedirs(dest, exist_ok=True)
            elif ti.issym():
                links.append((rel, ti.linkname))
            elif ti.isreg() or ti.islnk():
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                if ti.islnk():
                    src_rel = _goroot_rel(ti.linkname, minor)
                    if src_rel is None:
                        raise MirrorError(f"{deb}: hard link {ti.name} to "
                                          f"{ti.linkname} leaves the Go tree")
                    shutil.copyfile(os.path.join(tree, src_rel), dest)
                else:
                    with open(dest, "wb") as out:
                        shutil.copyfileobj(f, out, 1 << 20)
                os.chmod(dest, 0o755 if ti.mode & 0o111 else 0o644)
                nbytes += ti.size
                nfiles += 1
                if rel == "VERSION":
                    version_mtime = int(ti.mtime)
            else:
                raise MirrorError(f"{deb}: {ti.name}: unexpected member "
                                  "type")
    for rel, target in links:
        # Debian's split: usr/lib/go-1.NN/src -> ../../share/go-1.NN/src
        # lands on itself once both halves are merged: drop it.  Links
        # inside the tree stay links; links out of it are an error.
        where = posixpath.normpath(posixpath.join(
            f"usr/lib/go-{minor}", posixpath.dirname(rel), target)) \
            if not target.startswith("/") else target.lstrip("/")
        trel = _goroot_rel(where, minor)
        if trel is None:
            raise MirrorError(f"{debs[0]}: symlink {rel} -> {target} leaves "
                              "the Go tree")
        if trel == rel:
            continue
        if pruned(trel, True) or pruned(trel, False):
            continue
        dest = os.path.join(tree, rel)
        if os.path.lexists(dest):
            continue
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.symlink(posixpath.relpath(trel, posixpath.dirname(rel) or "."),
                   dest)
    if version_mtime is None:
        raise MirrorError(f"{debs[0]}: no usr/lib/go-{minor}/VERSION inside")
    return version_mtime, nbytes, nfiles


def read_go_version(goroot):
    with open(os.path.join(goroot, "VERSION")) as f:
        first = f.readline().strip()
    if not re.fullmatch(r"go1(\.\d+){0,2}((rc|beta)\d+)?", first):
        raise MirrorError(f"{goroot}/VERSION: unexpected first line "
                          f"{first!r}")
    return first


def repack(root, version, entry, deb_paths):
    """Build trees/<version>-<sha12> and files/.staging/<archive>; return
    the provenance record.  Nothing under files/ or goroots/ changes."""
    minor = entry["source"][len("golang-"):]
    trees = os.path.join(root, "trees")
    staging = os.path.join(root, "files", ".staging")
    os.makedirs(trees, exist_ok=True)
    os.makedirs(staging, exist_ok=True)
    work = tempfile.mkdtemp(prefix=f".repack-{version}-", dir=trees)
    try:
        t0 = time.monotonic()
        tree = os.path.join(work, "go")
        mtime, nbytes, nfiles = extract_goroot(deb_paths, minor, tree)
        t1 = time.monotonic()
        real = read_go_version(tree)
        if real != version:
            raise MirrorError(f"{entry['source']} {entry['debian_version']}"
                              f": VERSION says {real}, expected {version}")
        name = archive_name(version)
        sha, size = tarball.pack_tree(tree, os.path.join(staging, name),
                                      "go", mtime)
        t2 = time.monotonic()
        final = f"{version}-{sha[:12]}"
        dest = os.path.join(trees, final)
        if os.path.isdir(dest):
            retire_clear(root, final)
        else:
            os.rename(tree, dest)
        return {
            "source": entry["source"],
            "debian_version": entry["debian_version"],
            "suites": entry.get("suites", []),
            "debs": entry["debs"],
            "archive": {"filename": name, "sha256": sha, "size": size},
            "tree": final,
            "seconds": {"extract": round(t1 - t0, 2),
                        "pack": round(t2 - t1, 2)},
            "tree_bytes": nbytes,
            "tree_files": nfiles,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ------------------------------------------------------------ retiring

def _retired_path(root):
    return os.path.join(root, "trees", ".retired.json")


def retire(root, name):
    path = _retired_path(root)
    try:
        doc = read_json(path)
    except (FileNotFoundError, ValueError):
        doc = {}
    doc.setdefault(name, int(time.time()))
    write_json(path, doc)


def retire_clear(root, name):
    path = _retired_path(root)
    try:
        doc = read_json(path)
    except (FileNotFoundError, ValueError):
        return
    if doc.pop(name, None) is not None:
        write_json(path, doc)


def retire_sweep(root, keep):
    """Delete trees retired more than RETIRE_GRACE ago; retire unlisted
    ones.  Called with the build lock held."""
    trees = os.path.join(root, "trees")
    path = _retired_path(root)
    try:
        doc = read_json(path)
    except (FileNotFoundError, ValueError):
        doc = {}
    now = int(time.time())
    for name in sorted(os.listdir(trees)):
        full = os.path.join(trees, name)
        if name.startswith(".repack-"):
            shutil.rmtree(full, ignore_errors=True)  # a crashed build's
            continue
        if name.startswith(".") or name in keep:
            doc.pop(name, None)
            continue
        since = doc.setdefault(name, now)
        if now - since >= RETIRE_GRACE:
            shutil.rmtree(full, ignore_errors=True)
            doc.pop(name)
    doc = {k: v for k, v in doc.items()
           if os.path.exists(os.path.join(trees, k))}
    write_json(path, doc)


def sweep(root):
    """Retire and delete trees no longer served (called by an up-to-date
    build, with the build lock held)."""
    state = read_state(root)
    if state and os.path.isdir(os.path.join(root, "trees")):
        retire_sweep(root, {r["tree"] for r in
                            state.get("toolchains", {}).values()})


# ------------------------------------------------------------ goroots/

_libc = None


def _exchange(a, b):
    """Atomically swap paths a and b (renameat2 RENAME_EXCHANGE); False
    when the kernel or libc cannot."""
    global _libc
    try:
        if _libc is None:
            _libc = ctypes.CDLL(None, use_errno=True)
        fn = _libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    rc = fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b),
            rename_exchange)
    if rc == 0:
        return True
    e = ctypes.get_errno()
    if e in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(e, os.strerror(e), b)


def point_goroot(root, version, tree):
    """Make goroots/<version> a symlink to ../trees/<tree>, atomically.
    A format-2 real directory there is swapped out (renameat2 exchange)
    and moved under trees/ to be retired."""
    goroots = os.path.join(root, "goroots")
    os.makedirs(goroots, exist_ok=True)
    link = os.path.join(goroots, version)
    target = os.path.join("..", "trees", tree)
    if os.path.islink(link) and os.readlink(link) == target:
        return
    tmp = os.path.join(goroots, f".{version}.new")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    if os.path.isdir(link) and not os.path.islink(link):
        old = os.path.join(root, "trees", f"{version}-format2")
        if not _exchange(tmp, link):
            os.rename(link, old + ".moving")
            os.rename(tmp, link)
            os.rename(old + ".moving", old)
        else:
            os.rename(tmp, old)   # tmp now holds the old directory
        retire(root, os.path.basename(old))
    else:
        os.replace(tmp, link)


# ------------------------------------------------------------ index

def version_key(v):
    m = re.fullmatch(r"go(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(beta|rc)(\d+))?", v)
    if not m:
        return (0,)
    major, minor, patch, pre, num = m.groups()
    prek = {"beta": 0, "rc": 1, None: 2}[pre]
    return (int(major), int(minor or 0), prek, int(patch or 0),
            int(num or 0))


def index_doc(built):
    releases = []
    for v in sorted(built, key=version_key, reverse=True):
        a = built[v]["archive"]
        releases.append({
            "version": v,
            "stable": not re.search(r"(rc|beta)\d+$", v),
            "files": [{"filename": a["filename"], "os": "linux",
                       "arch": "amd64", "version": v, "sha256": a["sha256"],
                       "size": a["size"], "kind": "archive"}],
        })
    return releases


# ------------------------------------------------------------ state

def read_state(root):
    """toolchains.json of a format-3 mirror, else None."""
    try:
        with open(os.path.join(root, "FORMAT")) as f:
            if f.read().strip() != FORMAT:
                return None
        return read_json(os.path.join(root, "toolchains.json"))
    except (FileNotFoundError, ValueError):
        return None


def state_complete(root, state):
    if not state:
        return False
    for v, e in state.get("toolchains", {}).items():
        a = os.path.join(root, "files", e["archive"]["filename"])
        try:
            if os.path.getsize(a) != e["archive"]["size"]:
                return False
        except OSError:
            return False
        if not os.path.isdir(os.path.join(root, "trees", e["tree"])):
            return False
    return True


def up_to_date(root, lock):
    """True when the mirror serves exactly what `lock` pins (or its
    recorded substitutes): no network, no lock taken."""
    state = read_state(root)
    return (state is not None and
            state.get("lock_digest") == lock_digest(lock["toolchains"]) and
            state_complete(root, state))


# ------------------------------------------------------------ build

class Skipped(MirrorError):
    """A step not run because another one failed."""


class Builder:
    def __init__(self, root, lock_path, report, jobs=None, update=False,
                 refresh=False, keep_debs=False):
        self.root = root
        self.lock_path = lock_path
        self.report = report
        self.jobs = jobs or min(2, os.cpu_count() or 1)
        self.update = update
        self.refresh = refresh
        self.keep_debs = keep_debs
        self.apt = debian.Apt(root, report.note)
        self.apt_lock = threading.Lock()
        self.apt_ready = False
        self.timings = {}
        self.abort = threading.Event()

    def _apt(self):
        with self.apt_lock:
            if not self.apt_ready:
                self.apt.update(force=self.refresh)
                self.apt_ready = True
        return self.apt

    def plan(self):
        lock = load_lock(self.lock_path)
        if self.update:
            t0 = time.monotonic()
            found = discover(self._apt())
            if not found:
                raise MirrorError(
                    "no golang-1.NN-go/-src pairs in "
                    f"{', '.join(debian.SUITES)}; is {debian.debian_url()} "
                    "reachable?")
            self.timings["discover"] = time.monotonic() - t0
            old = lock["toolchains"]
            for v, e in found.items():
                if v in old and old[v]["debs"] == e["debs"] and \
                        "archive" in old[v]:
                    e["archive"] = old[v]["archive"]
            added = sorted(set(found) - set(old), key=version_key)
            removed = sorted(set(old) - set(found), key=version_key)
            moved = sorted((v for v in set(found) & set(old)
                            if found[v]["debs"] != old[v]["debs"]),
                           key=version_key)
            for what, vs in (("added", added), ("removed", removed),
                             ("re-pinned", moved)):
                if vs:
                    self.report.note(f"lock: {what} {' '.join(vs)}")
            lock["toolchains"] = found
        if not lock["toolchains"]:
            raise MirrorError(f"{self.lock_path} pins no toolchains; run "
                              "`scripts/go-mirror build --update` to pin "
                              "what Debian has now")
        return lock

    def _download(self, pkg, d):
        """Fetch one pinned .deb; (path, seconds, downloaded?)."""
        if self.abort.is_set():
            raise Skipped()
        debs = os.path.join(self.root, "debs")
        os.makedirs(debs, exist_ok=True)
        dest = os.path.join(debs, posixpath.basename(d["filename"]))
        t0 = time.monotonic()
        got = debian.fetch_pool_file(dest, d["filename"], d["sha256"],
                                     d["size"])
        return dest, time.monotonic() - t0, got

    def _substitute(self, version, entry, taken):
        """A replacement for a pinned pair Debian no longer has."""
        cands = candidates(self._apt(), entry["source"])
        want = debian.upstream_version(entry["debian_version"])
        same = [c for c in cands if debian.upstream_version(c[0]) == want]
        other = [c for c in cands
                 if go_version_of(debian.upstream_version(c[0]))
                 not in taken]
        pick = (same or other or [None])[0]
        if pick is None:
            return None
        newv = go_version_of(debian.upstream_version(pick[0]))
        sub = dict(entry, debian_version=pick[0], debs=pick[1],
                   suites=[])
        sub.pop("archive", None)
        sub["substitutes"] = {"debian_version": entry["debian_version"],
                              "version": version}
        return newv, sub

    def run(self):
        t_start = time.monotonic()
        root = self.root
        os.makedirs(root, exist_ok=True)
        lock = self.plan()
        pins = lock["toolchains"]
        old_state = read_state(root) or {}
        built_before = old_state.get("toolchains", {})
        # Reuse what a previous format-3 build made from the same debs.
        todo = {}
        result = {}
        for v, e in pins.items():
            prev = built_before.get(v)
            src = prev.get("substitutes") if prev else None
            same_pin = prev and (prev["debs"] == e["debs"] or (
                src and src.get("debian_version") == e["debian_version"]
                and not self.refresh))
            if same_pin and state_complete(root, {"toolchains": {v: prev}}):
                result[v] = prev
            else:
                todo[v] = e
        # Substituted entries may come back under another Go version.
        for v, prev in built_before.items():
            s = prev.get("substitutes")
            if s and s["version"] in todo and not self.refresh and \
                    s["debian_version"] == \
                    pins[s["version"]]["debian_version"] and \
                    state_complete(root, {"toolchains": {v: prev}}):
                todo.pop(s["version"])
                result[v] = prev
        if todo:
            self._build(todo, result)
        self._commit(lock, result)
        self.timings["total"] = time.monotonic() - t_start
        return result

    def _build(self, todo, result):
        rep = self.report
        n_dl = sum(len(e["debs"]) for e in todo.values())
        n_rp = len(todo)
        counters = {"dl": 0, "rp": 0}
        clock = threading.Lock()
        rep.note(f"building {n_rp} toolchain(s): "
                 f"{' '.join(sorted(todo, key=version_key))}")
        t0 = time.monotonic()
        dl_pool = concurrent.futures.ThreadPoolExecutor(4)
        rp_pool = concurrent.futures.ThreadPoolExecutor(self.jobs)
        taken = set(todo) | set(result)
        errors = []
        repacks = []
        dl_bytes = [0]
        dl_end = [0.0]

        def fetch_pair(version, entry):
            paths = []
            futs = [(pkg, dl_pool.submit(self._download, pkg, d))
                    for pkg, d in sorted(entry["debs"].items())]
            for pkg, fut in futs:
                path, secs, got = fut.result()
                with clock:
                    counters["dl"] += 1
                    k = counters["dl"]
                    if got:
                        dl_bytes[0] += entry["debs"][pkg]["size"]
                    dl_end[0] = max(dl_end[0], time.monotonic() - t0)
                verb = "downloaded" if got else "already downloaded"
                rep.done(k, n_dl, f"{pkg} {entry['debian_version']} {verb} "
                         f"in {fmt_secs(secs)}")
                paths.append(path)
            return paths

        abort = self.abort

        def one(version, entry):
            if abort.is_set():
                return None
            try:
                paths = fetch_pair(version, entry)
            except debian.NotInArchive as e:
                sub = self._substitute(version, entry, taken)
                if sub is None:
                    rep.warn(f"{entry['source']}-go/-src "
                             f"{entry['debian_version']} (pinned for "
                             f"{version} in {self.lock_path}) are gone "
                             f"from {debian.debian_url()} ({e}) and "
                             "Debian has no other revision: "
                             f"{version} is left out of the mirror")
                    return None
                newv, sub_entry = sub
                same = newv == version
                rep.warn(
                    f"{entry['source']}-go/-src {entry['debian_version']} "
                    f"(pinned for {version} in {self.lock_path}) are gone "
                    f"from {debian.debian_url()}; using "
                    f"{sub_entry['debian_version']} instead " +
                    ("(same Go release, another Debian build: its archive "
                     "gets a new sha256, so generated tables show "
                     "provenance drift only)" if same else
                     f"({newv} replaces {version}: tables measured with "
                     f"{version} will change)") +
                    ". `scripts/go-mirror build --update` pins it.")
                with clock:
                    taken.add(newv)
                version, entry = newv, sub_entry
                n = len(entry["debs"])
                paths = fetch_pair(version, entry) if n else []
            fut = rp_pool.submit(repack, self.root, version, entry, paths)
            rec = fut.result()
            if "substitutes" in entry:
                rec["substitutes"] = entry["substitutes"]
            with clock:
                counters["rp"] += 1
                k = counters["rp"]
            sec = rec["seconds"]
            rep.done(k, n_rp, f"{version} repacked in "
                     f"{fmt_secs(sec['extract'] + sec['pack'])} (extract "
                     f"{fmt_secs(sec['extract'])}, pack "
                     f"{fmt_secs(sec['pack'])}, "
                     f"{fmt_bytes(rec['archive']['size'])})")
            if not self.keep_debs:
                for p in paths:
                    try:
                        os.unlink(p)
                    except FileNotFoundError:
                        pass
            return version, rec

        drivers = concurrent.futures.ThreadPoolExecutor(len(todo))
        futs = [drivers.submit(one, v, e) for v, e in
                sorted(todo.items(), key=lambda x: version_key(x[0]))]
        for f in futs:
            try:
                r = f.result()
            except Skipped:
                continue
            except MirrorError as e:
                abort.set()      # the others would fail the same way
                errors.append(str(e))
                continue
            if r:
                repacks.append(r)
        drivers.shutdown()
        dl_pool.shutdown()
        rp_pool.shutdown()
        rep.flush()
        if errors:
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            raise MirrorError(errors[0] + more)
        for v, rec in repacks:
            result[v] = rec
        secs = time.monotonic() - t0
        self.timings["build"] = secs
        self.timings["downloaded_bytes"] = dl_bytes[0]
        self.timings["download_wall"] = dl_end[0]
        self.timings["repack"] = {v: r["seconds"] for v, r in repacks}

    def _commit(self, lock, result):
        root = self.root
        pins = lock["toolchains"]
        # Cross-check: the pinned debs must repack to the pinned archive.
        for v, rec in sorted(result.items()):
            pin = pins.get(v)
            if pin and pin.get("archive") and pin["debs"] == rec["debs"] \
                    and pin["archive"] != rec["archive"]:
                self.report.warn(
                    f"{v}: the pinned Debian packages repacked to sha256 "
                    f"{rec['archive']['sha256']}, but {self.lock_path} "
                    f"records {pin['archive']['sha256']}: the repack is "
                    "not reproducible (a go-mirror bug; please report)")
        files = os.path.join(root, "files")
        staging = os.path.join(files, ".staging")
        state = {"format": FORMAT, "lock": self.lock_path,
                 "lock_digest": lock_digest(pins), "toolchains": {
                     v: {k: r[k] for k in r if k != "seconds"}
                     for v, r in result.items()}}
        with Lock(os.path.join(root, ".commit.lock")):
            for v, rec in result.items():
                st = os.path.join(staging, rec["archive"]["filename"])
                if os.path.exists(st):
                    os.replace(st, os.path.join(files,
                                                rec["archive"]["filename"]))
            write_json(os.path.join(root, "index.json"), index_doc(result))
            write_json(os.path.join(root, "toolchains.json"), state)
            atomic_write_text(os.path.join(root, "FORMAT"), FORMAT + "\n")
            for v, rec in result.items():
                point_goroot(root, v, rec["tree"])
            keep_names = {rec["archive"]["filename"] for rec in
                          result.values()}
            for name in os.listdir(files):
                p = os.path.join(files, name)
                if name not in keep_names and os.path.isfile(p):
                    os.unlink(p)
            gdir = os.path.join(root, "goroots")
            for name in os.listdir(gdir):
                p = os.path.join(gdir, name)
                if name not in result and os.path.islink(p):
                    os.unlink(p)
        self._cleanup_format2()
        retire_sweep(root, {r["tree"] for r in result.values()})
        if self.update:
            for v, rec in result.items():
                if v in pins and pins[v]["debs"] == rec["debs"]:
                    pins[v]["archive"] = rec["archive"]
            lock["format"] = LOCK_FORMAT
            lock["comment"] = (
                "Pinned inputs of scripts/go-mirror: per Go version the "
                "Debian packages repacked and the archive they give. "
                "Update with `scripts/go-mirror build --update`.")
            write_json(self.lock_path, lock)
            self.report.note(f"wrote {self.lock_path}")
        shutil.rmtree(staging, ignore_errors=True)
        debs = os.path.join(root, "debs")
        if not self.keep_debs and os.path.isdir(debs):
            for name in os.listdir(debs):
                os.unlink(os.path.join(debs, name))

    def _cleanup_format2(self):
        """Leftovers of the format-2 script: its stamps, temp dirs, and
        goroots/ directories of versions no longer served (they were
        swapped out by point_goroot otherwise)."""
        root = self.root
        shutil.rmtree(os.path.join(root, "built"), ignore_errors=True)
        for name in os.listdir(root):
            if name.startswith("repack."):
                shutil.rmtree(os.path.join(root, name), ignore_errors=True)
        gdir = os.path.join(root, "goroots")
        for name in os.listdir(gdir):
            p = os.path.join(gdir, name)
            if os.path.isdir(p) and not os.path.islink(p):
                dest = os.path.join(root, "trees", f"{name}-format2")
                if not os.path.exists(dest):
                    os.rename(p, dest)
                    retire(root, os.path.basename(dest))
