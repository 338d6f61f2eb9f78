# SPDX-License-Identifier: MIT
"""The module mirror: a GOPROXY-layout tree built from Debian's golang-*-dev
packages, for offline module builds in tests.

Inputs.  scripts/go-mirror.modules.json (committed) names the target
modules and the Debian -dev package of each.  `go-mirror modules --update`
finds every version of those packages in bullseye ... sid (a backports
suite counts when it has a newer version than its base), resolves the Go
imports of each target's packages (default: its root package; test files
left out) against the same suite's packages (backports on top of its
base), extracting along Debian's Depends only what a needed package
depends on, and pins the .deb files that provide them in the "modules"
section of scripts/go-mirror.lock.json; `go-mirror modules` rebuilds
exactly that.

What a .deb becomes.  Debian puts Go sources under /usr/share/gocode/src/
<import path>.  Every directory there with a go.mod is a module (its path
from the `module` line); Go files outside any go.mod form a legacy module
rooted at their common directory (go.mod synthesized as `module <path>`,
as the proxy does).  The version comes from the Debian version
(gomod.debian_to_module_version).  When two suites have the same module
version from different Debian builds, the newer build's files are served.

Output (<mirror>/mod/current -> gen-<id>/, replaced atomically):
  proxy/<escaped path>/@v/list           tagged versions, one a line
  proxy/<escaped path>/@v/<v>.info       {"Version": v, "Time": ...}
  proxy/<escaped path>/@v/<v>.mod        go.mod
  proxy/<escaped path>/@v/<v>.zip        module zip (stored, sorted,
                                         fixed times: reproducible)
  proxy/<escaped path>/@latest           .info of the newest version
  suites/<suite>.json                    targets, modules (+ h1), stubs
  suites/<suite>.replace                 go.mod fragment: P => P vDebian
                                         for every module of the suite
  suites/<suite>.go.sum                  go.sum lines (zip and go.mod)
  modules.json                           index: target versions -> suite

The replace fragment is what makes a build work offline: a module's go.mod
names dependency versions Debian does not have; `replace P => P vDebian`
for every module the suite has sends each of them to the version that is
here.  Modules a go.mod requires that the suite does not provide get a
stub (go.mod `module P` without requirements, a zip holding only a note,
not in list) at each version the graph asks for, so the go command can
load the module graph; a build that imports a package from one of them
fails, as it must.
"""

import concurrent.futures
import functools
import hashlib
import json
import os
import posixpath
import re
import shutil
import tempfile
import threading
import time

from . import debian, gomod, toolchains
from .util import (MirrorError, fmt_bytes, fmt_secs, json_text,
                   read_json, write_json, atomic_write_text)

FORMAT = "2"   # bump when published files change form
GOCODE = "usr/share/gocode/src/"
BASE = {"bookworm-backports": "bookworm", "trixie-backports": "trixie"}
RETIRE_GRACE = 6 * 3600
STUB_TIME = "2000-01-01T00:00:00Z"


def default_config_path():
    env = os.environ.get("LUTGEN_MIRROR_MODULES")
    if env:
        return os.path.abspath(env)
    here = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
    return os.path.join(here, "go-mirror.modules.json")


def load_config(path):
    try:
        doc = read_json(path)
    except FileNotFoundError:
        raise MirrorError(f"{path}: missing; it names the modules to "
                          "mirror") from None
    except ValueError as e:
        raise MirrorError(f"{path}: not valid JSON ({e})") from None
    targets = doc.get("targets")
    if not isinstance(targets, list) or not targets:
        raise MirrorError(f"{path}: \"targets\" must be a non-empty list")
    for t in targets:
        if not isinstance(t, dict) or not isinstance(t.get("module"), str) \
                or not isinstance(t.get("package"), str):
            raise MirrorError(f"{path}: each target needs \"module\" and "
                              f"\"package\" strings: {t!r}")
        pk = t.get("packages", [])
        if not isinstance(pk, list) or not all(
                isinstance(x, str) and (x == t["module"] or
                                        x.startswith(t["module"] + "/"))
                for x in pk):
            raise MirrorError(f"{path}: \"packages\" of {t['module']} must "
                              "list import paths inside the module")
    suites = doc.get("suites", debian.SUITES)
    bad = [s for s in suites if s not in debian.SUITES]
    if bad:
        raise MirrorError(f"{path}: unknown suites {bad}; known: "
                          f"{debian.SUITES}")
    return {"targets": targets, "suites": suites}


def lock_digest(section):
    return hashlib.sha256((FORMAT + json_text(section)).encode()).hexdigest()


# ------------------------------------------------------------ discovery

def _newer(a, b):
    return debian.compare_versions(a["Version"], b["Version"]) > 0


def suite_views(stanzas):
    """{suite: ({package: stanza}, {provided name: package})}; a backports
    suite lies on top of its base."""
    by = {}
    for s in stanzas:
        by.setdefault(s["Suite"], {}).setdefault(s["Package"], []).append(s)
    views = {}
    for suite in debian.SUITES:
        layers = [BASE[suite], suite] if suite in BASE else [suite]
        pk = {}
        for layer in layers:
            for name, ss in by.get(layer, {}).items():
                for st in ss:
                    if name not in pk or _newer(st, pk[name]):
                        pk[name] = st
        prov = {}
        for name in sorted(pk):
            for p in pk[name].get("Provides", "").split(","):
                p = p.strip().split(" ")[0]
                if p:
                    prov.setdefault(p, name)
        views[suite] = (pk, prov, by.get(suite, {}))
    return views


def _pin(st):
    return {"version": st["Version"], "filename": st["Filename"],
            "sha256": st["SHA256"], "size": int(st["Size"]),
            "arch": st.get("Architecture")}


def update_plan(apt, config):
    """Per suite: the targets Debian has now and the suite's package view
    (what `--update` resolves imports against)."""
    stanzas = apt.stanzas(lambda n: n == "golang-go" or (
        n.startswith("golang-") and n.endswith("-dev")))
    views = suite_views(stanzas)
    out = {}
    for suite in config["suites"]:
        pk, prov, own = views[suite]
        targets = {}
        for t in config["targets"]:
            name = t["package"]
            if name not in pk:
                continue
            if suite in BASE:
                base_pk = views[BASE[suite]][0]
                if name not in own or (name in base_pk and not _newer(
                        pk[name], base_pk[name])):
                    continue   # nothing newer than the base suite
            targets[name] = t["module"]
        if not targets:
            continue
        entry = {"targets": targets, "view": (pk, prov),
                 "seeds": {t["package"]: t["packages"]
                           for t in config["targets"]
                           if t["package"] in targets and t.get("packages")}}
        gogo = pk.get("golang-go")
        if gogo:
            m = re.match(r"(?:\d+:)?(\d+\.\d+)", gogo["Version"])
            if m:
                entry["debian_go"] = m.group(1)
        out[suite] = entry
    return out


def depends(pk, prov, name):
    """Packages `name` depends on in a suite view (first alternative the
    suite has; non-Go dependencies ignored)."""
    out = []
    for group in pk[name].get("Depends", "").split(","):
        for alt in group.split("|"):
            a = alt.strip().split(" ")[0]
            if not a:
                continue
            if a in pk:
                out.append(a)
                break
            if a in prov:
                out.append(prov[a])
                break
    return out


# ------------------------------------------------------------ extraction

class Module:
    __slots__ = ("path", "version", "root", "files", "gomod", "info_time",
                 "deb", "package", "debian_version", "go", "requires",
                 "packages")


IMPORT_RE = re.compile(r"^import\s*(?:\(\s*(.*?)\)|([^\n]*))", re.S | re.M)


def go_imports(src):
    """Import paths of a Go file (its header, up to the first func)."""
    head = src.split("\nfunc ", 1)[0]
    out = set()
    for m in IMPORT_RE.finditer(head):
        block = m.group(1) if m.group(1) is not None else m.group(2)
        out.update(re.findall(r'"([^"\n]+)"', block))
    return out


def package_imports(m):
    """{import path of each Go package of m: its non-std imports}; test
    files, testdata and _/. directories left out as the go command does."""
    pk = {}
    for rel in m.files:
        parts = rel.split("/")
        if not rel.endswith(".go") or rel.endswith("_test.go") or \
                "testdata" in parts or "vendor" in parts or \
                any(p.startswith(("_", ".")) for p in parts):
            continue
        d = posixpath.dirname(rel)
        ip = m.path + ("/" + d if d else "")
        with open(os.path.join(m.root, rel), "rb") as f:
            src = f.read().decode("utf-8", "replace")
        imps = {i for i in go_imports(src) if "." in i.split("/")[0]}
        pk.setdefault(ip, set()).update(imps)
    return pk


def extract_gocode(deb, dest):
    """Regular files under usr/share/gocode/src/ of `deb` into dest;
    returns ({relative path: mtime}, [(alias, target)]).  Module zips
    hold regular files only,
    but Debian gives a package a second import path with a directory
    symlink (github.com/eapache/queue -> ../../gopkg.in/eapache/queue.v1):
    such a directory, when the target is in the same package, is copied
    to the link's path so that it becomes a module of its own."""
    files = {}
    links = []
    aliases = []
    for ti, f in debian.deb_members(deb):
        name = ti.name[2:] if ti.name.startswith("./") else ti.name
        if not name.startswith(GOCODE):
            continue
        rel = posixpath.normpath(name[len(GOCODE):])
        if rel.startswith("../") or rel.startswith("/"):
            continue
        if ti.issym():
            links.append((rel, ti.linkname))
            continue
        if not ti.isreg():
            continue
        out = os.path.join(dest, rel)
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as o:
            shutil.copyfileobj(f, o, 1 << 20)
        files[rel] = int(ti.mtime)
    for rel, target in links:
        if target.startswith("/"):
            continue
        trel = posixpath.normpath(posixpath.join(posixpath.dirname(rel),
                                                 target))
        pre = trel + "/"
        inner = [r for r in files if r.startswith(pre)]
        if not inner or any(r.startswith(rel + "/") for r in files):
            continue
        for r in inner:
            new = rel + "/" + r[len(pre):]
            out = os.path.join(dest, new)
            os.makedirs(os.path.dirname(out), exist_ok=True)
            shutil.copyfile(os.path.join(dest, r), out)
            files[new] = files[r]
        aliases.append((rel, trel))
    return files, aliases


def _common_dir(dirs):
    parts = [d.split("/") for d in dirs]
    pre = []
    for elems in zip(*parts):
        if all(e == elems[0] for e in elems):
            pre.append(elems[0])
        else:
            break
    return "/".join(pre)


def find_modules(tree, files, package, debver, warn, aliases=()):
    """Modules inside one extracted -dev package.  A directory alias and
    its target are module roots of their own when they have no go.mod."""
    upstream = debian.upstream_version(debver)
    roots = {}
    for rel in files:
        if posixpath.basename(rel) == "go.mod":
            d = posixpath.dirname(rel)
            if any(part in gomod.VCS_DIRS or part in ("testdata", "vendor")
                   for part in d.split("/")):
                continue
            with open(os.path.join(tree, rel), "rb") as f:
                text = f.read().decode("utf-8", "replace")
            mp = gomod.parse_gomod(text).get("module")
            if not mp:
                warn(f"{package} {debver}: {rel} has no module line; "
                     "skipped")
                continue
            roots[d] = (mp, text)

    def owner(rel):
        d = posixpath.dirname(rel)
        while True:
            if d in roots:
                return d
            if not d:
                return None
            d = posixpath.dirname(d)

    owned = {}
    legacy = []
    for rel in files:
        o = owner(rel)
        if o is None:
            legacy.append(rel)
        else:
            owned.setdefault(o, []).append(rel)
    # Legacy trees: the common directory of their Go packages, per domain.
    legacy_roots = {}
    for pair in aliases:
        for root in pair:
            if root not in roots and any(r.startswith(root + "/")
                                         for r in legacy):
                legacy_roots[root] = None
    godirs = {}
    for rel in legacy:
        parts = rel.split("/")
        if not rel.endswith(".go") or "testdata" in parts or \
                "vendor" in parts or any(rel.startswith(r + "/")
                                         for r in legacy_roots):
            continue
        godirs.setdefault(parts[0], set()).add(posixpath.dirname(rel))
    for dom, dirs in godirs.items():
        root = _common_dir(sorted(dirs))
        if root.count("/") < 1:
            warn(f"{package} {debver}: Go files without go.mod under "
                 f"{dom}/ have no common module root; skipped")
            continue
        legacy_roots[root] = None
    by_length = sorted(legacy_roots, key=len, reverse=True)
    for rel in legacy:
        for root in by_length:
            if rel.startswith(root + "/"):
                owned.setdefault(root, []).append(rel)
                break
    mods = []
    for d, rels in sorted(owned.items()):
        if d in roots:
            path, text = roots[d]
        elif d in legacy_roots:
            path, text = d, None
        else:
            continue
        version, why = gomod.debian_to_module_version(upstream, path,
                                                      text is not None)
        if version is None:
            warn(f"{package} {debver}: module {path} skipped: {why}")
            continue
        m = Module()
        m.path = path
        m.version = version
        m.root = os.path.join(tree, d) if d else tree
        m.package = package
        m.debian_version = debver
        m.gomod = text.encode() if text is not None else \
            f"module {path}\n".encode()
        info = gomod.parse_gomod(m.gomod.decode("utf-8", "replace"))
        m.go = info["go"]
        m.requires = info["require"]
        pre = (d + "/") if d else ""
        m.files = sorted(r[len(pre):] for r in rels)
        m.info_time = gomod.pseudo_time(version) or time.strftime(
            "%Y-%m-%dT%H:%M:%SZ",
            time.gmtime(max(files[r] for r in rels)))
        mods.append(m)
    return mods


def zip_members(m, warn):
    """[(zip name, file path)] of a module, by the module zip rules."""
    prefix = f"{m.path}@{m.version}/"
    nested = set()
    for rel in m.files:
        if posixpath.basename(rel) == "go.mod" and "/" in rel:
            nested.add(posixpath.dirname(rel))
    out = []
    folded = {}
    total = 0
    for rel in m.files:
        parts = rel.split("/")
        if any(p in gomod.VCS_DIRS for p in parts[:-1]):
            continue
        d = posixpath.dirname(rel)
        if any(d == n or d.startswith(n + "/") for n in nested):
            continue
        if gomod.vendored(rel):
            continue
        if not gomod.file_path_ok(rel):
            warn(f"{m.path}@{m.version}: {rel!r} is not a valid module "
                 "file path; left out")
            continue
        key = rel.lower()
        if key in folded:
            warn(f"{m.path}@{m.version}: {rel} and {folded[key]} differ "
                 "only in case; left out")
            continue
        folded[key] = rel
        full = os.path.join(m.root, rel)
        size = os.path.getsize(full)
        if rel == "go.mod" and size > gomod.MAX_GOMOD or \
                rel == "LICENSE" and size > gomod.MAX_LICENSE:
            raise MirrorError(f"{m.path}@{m.version}: {rel} too large")
        total += size
        out.append((prefix + rel, full))
    if total > gomod.MAX_ZIP:
        raise MirrorError(f"{m.path}@{m.version}: {fmt_bytes(total)} of "
                          "files, more than a module zip may hold")
    out.sort()
    return out


# ------------------------------------------------------------ build

def mod_dir(root):
    return os.path.join(root, "mod")


def current(root):
    """Real path of the current generation, or None."""
    link = os.path.join(mod_dir(root), "current")
    try:
        target = os.readlink(link)
    except OSError:
        return None
    path = os.path.join(mod_dir(root), target)
    return path if os.path.isfile(os.path.join(path, "modules.json")) \
        else None


def up_to_date(root, lock):
    section = lock.get("modules")
    if not section:
        return False
    try:
        st = read_json(os.path.join(mod_dir(root), "state.json"))
    except (FileNotFoundError, ValueError):
        return False
    return st.get("lock_digest") == lock_digest(section) and \
        current(root) is not None


class DebIndex:
    """One extracted -dev package: its modules and Go packages."""

    def __init__(self, pkg, pin, modules):
        self.pkg = pkg
        self.pin = pin
        self.modules = modules
        self.notes = []
        self.provides = {}          # import path -> Module
        for m in modules:
            m.packages = package_imports(m)
            for ip in m.packages:
                cur = self.provides.get(ip)
                if cur is None or len(m.path) > len(cur.path):
                    self.provides[ip] = m


class ModuleBuilder:
    def __init__(self, root, lock_path, config_path, report, update=False,
                 refresh=False, jobs=None):
        self.root = root
        self.lock_path = lock_path
        self.config_path = config_path
        self.report = report
        self.update = update
        self.refresh = refresh
        self.jobs = jobs or min(2, os.cpu_count() or 1)
        self.apt = debian.Apt(root, report.note)
        self.apt_lock = threading.Lock()
        self.apt_ready = False
        self.timings = {"download": 0.0, "extract": 0.0}
        self.notes = []
        self.stanzas = None
        self.work = None
        self.cache = {}             # pool file name -> DebIndex
        self.cache_lock = threading.Lock()
        self.file_locks = {}
        self.counter = 0

    def _apt(self):
        with self.apt_lock:
            if not self.apt_ready:
                self.apt.update(force=self.refresh or self.update)
                self.apt_ready = True
        return self.apt

    def _warn(self, text):
        self.notes.append(text)

    # -------------------------------------------------------- plan

    def run(self):
        t0 = time.monotonic()
        lock = toolchains.load_lock(self.lock_path)
        config = load_config(self.config_path)
        mdir = mod_dir(self.root)
        os.makedirs(mdir, exist_ok=True)
        self.work = tempfile.mkdtemp(prefix=".build-", dir=mdir)
        try:
            if self.update:
                t = time.monotonic()
                plan = update_plan(self._apt(), config)
                self.timings["discover"] = time.monotonic() - t
                if not plan:
                    raise MirrorError("none of the modules in "
                                      f"{self.config_path} is in Debian")
            else:
                plan = lock.get("modules")
                if not plan:
                    raise MirrorError(
                        f"{self.lock_path} pins no modules; run "
                        "`scripts/go-mirror modules --update`")
                digest = lock_digest(plan)
                gen = os.path.join(mdir, f"gen-{digest[:12]}")
                if os.path.isfile(os.path.join(gen, "modules.json")) and \
                        not self.refresh:
                    self._activate(gen, digest)
                    return gen
            section, suites = self._resolve(plan)
            if self.update:
                digest = lock_digest(section)
                gen = os.path.join(mdir, f"gen-{digest[:12]}")
            self._publish(section, suites, gen)
            self._activate(gen, digest)
            if self.update:
                old = lock.get("modules", {})
                for sname in sorted(set(section) | set(old)):
                    a = {n: p["version"] for n, p in
                         old.get(sname, {}).get("packages", {}).items()}
                    b = {n: p["version"] for n, p in
                         section.get(sname, {}).get("packages", {}).items()}
                    if a != b:
                        self.report.note(
                            f"lock: modules of {sname}: {len(b)} packages, "
                            f"{len(set(b.items()) - set(a.items()))} new "
                            "or moved")
                lock["modules"] = section
                write_json(self.lock_path, lock)
                self.report.note(f"wrote {self.lock_path}")
        finally:
            shutil.rmtree(self.work, ignore_errors=True)
            shutil.rmtree(os.path.join(mdir, "debs"), ignore_errors=True)
            self.report.flush()
        self.timings["total"] = time.monotonic() - t0
        return gen

    def _activate(self, gen, digest):
        mdir = mod_dir(self.root)
        name = os.path.basename(gen)
        link = os.path.join(mdir, "current")
        tmp = os.path.join(mdir, ".current.new")
        if os.path.lexists(tmp):
            os.unlink(tmp)
        os.symlink(name, tmp)
        os.replace(tmp, link)
        write_json(os.path.join(mdir, "state.json"),
                   {"format": FORMAT, "lock_digest": digest,
                    "current": name})
        self._sweep(name)

    def _sweep(self, keep):
        mdir = mod_dir(self.root)
        path = os.path.join(mdir, "retired.json")
        try:
            doc = read_json(path)
        except (FileNotFoundError, ValueError):
            doc = {}
        now = int(time.time())
        for name in os.listdir(mdir):
            full = os.path.join(mdir, name)
            if name.startswith(".build-") and full != self.work:
                shutil.rmtree(full, ignore_errors=True)
                continue
            if not name.startswith("gen-") or name == keep:
                doc.pop(name, None)
                continue
            since = doc.setdefault(name, now)
            if now - since >= RETIRE_GRACE:
                shutil.rmtree(full, ignore_errors=True)
                doc.pop(name)
        write_json(path, doc)

    # -------------------------------------------------------- debs

    def _fetch(self, suite, pkg, pin):
        """Download one pinned .deb, or Debian's current one when the pin
        is gone (with a warning); returns (path, pin used, seconds, got)."""
        debs = os.path.join(mod_dir(self.root), "debs")
        os.makedirs(debs, exist_ok=True)
        dest = os.path.join(debs, posixpath.basename(pin["filename"]))
        try:
            t = time.monotonic()
            got = debian.fetch_pool_file(dest, pin["filename"], pin["sha256"],
                                         pin["size"])
            return dest, pin, time.monotonic() - t, got
        except debian.NotInArchive:
            pass
        with self.apt_lock:
            if self.stanzas is None:
                if not self.apt_ready:
                    self.apt.update(force=self.refresh or self.update)
                    self.apt_ready = True
                self.stanzas = self.apt.stanzas(
                    lambda n: n.startswith("golang-") and n.endswith("-dev"))
        stz = [s for s in self.stanzas if s["Package"] == pkg and
               s["Suite"] in (suite, BASE.get(suite))]
        if not stz:
            raise MirrorError(f"{pkg} {pin['version']} (pinned for {suite} "
                              f"in {self.lock_path}) is gone from "
                              f"{debian.debian_url()} and {suite} has no "
                              f"{pkg} now; run `scripts/go-mirror modules "
                              "--update`")
        best = max(stz, key=functools.cmp_to_key(
            lambda a, b: debian.compare_versions(a["Version"],
                                                 b["Version"])))
        new = _pin(best)
        self.report.warn(f"{pkg} {pin['version']} (pinned for {suite} in "
                         f"{self.lock_path}) is gone from "
                         f"{debian.debian_url()}; using {new['version']} "
                         "instead (module hashes may change). "
                         "`scripts/go-mirror modules --update` pins it.")
        self._warn(f"{suite}: {pkg} {new['version']} substitutes the pinned "
                   f"{pin['version']}")
        dest = os.path.join(debs, posixpath.basename(new["filename"]))
        t = time.monotonic()
        got = debian.fetch_pool_file(dest, new["filename"], new["sha256"],
                                     new["size"])
        return dest, new, time.monotonic() - t, got

    def _index(self, suite, pkg, pin):
        """DebIndex of a pinned package, downloaded and extracted once."""
        fn = pin["filename"]
        with self.cache_lock:
            if fn in self.cache:
                return self.cache[fn]
            lk = self.file_locks.setdefault(fn, threading.Lock())
        with lk:
            with self.cache_lock:
                if fn in self.cache:
                    return self.cache[fn]
            path, used, secs, got = self._fetch(suite, pkg, pin)
            t = time.monotonic()
            dest = os.path.join(self.work, "src", posixpath.basename(path))
            files, aliases = extract_gocode(path, dest)
            notes = []
            mods = find_modules(dest, files, pkg, used["version"],
                                notes.append, aliases)
            idx = DebIndex(pkg, used, mods)
            idx.notes = notes
            os.unlink(path)
            ext = time.monotonic() - t
            with self.cache_lock:
                self.cache[fn] = idx
                self.timings["download"] += secs
                self.timings["extract"] += ext
                self.counter += 1
                k = self.counter
            self.report.done(k, None, f"{pkg} {used['version']} "
                             f"{'downloaded' if got else 'found'} in "
                             f"{fmt_secs(secs)}, {len(mods)} module(s) in "
                             f"{fmt_secs(ext)}")
            return idx

    def _index_many(self, suite, items):
        with concurrent.futures.ThreadPoolExecutor(
                max(self.jobs, 4)) as ex:
            futs = {name: ex.submit(self._index, suite, name, pin)
                    for name, pin in items}
            return {name: f.result() for name, f in futs.items()}

    # -------------------------------------------------------- resolve

    def _resolve(self, plan):
        """Per suite, the Debian packages whose modules the targets'
        packages import (transitively, test files excluded).  With
        --update the suite's Depends graph is searched lazily: a package
        is extracted when a needed package depends on it, and its own
        Depends are followed only once something is imported from it.
        Returns (lock section, {suite: resolution})."""
        section = {}
        suites = {}
        for suite, entry in sorted(plan.items()):
            t = time.monotonic()
            view = entry.get("view")
            if view:
                pk, prov = view
                pins = {n: _pin(pk[n]) for n in pk}
            else:
                pins = entry["packages"]
            avail = {}
            if view:
                first = [(n, pins[n]) for n in sorted(entry["targets"])]
            else:
                first = sorted(pins.items())
            avail.update(self._index_many(suite, first))
            needed = set()
            resolved = {}           # import path -> (pkg, Module)
            pending = set()
            wanted_by = {}          # import path -> first importer
            mods_needed = {}        # module path -> (pkg, Module)
            for name, mpath in sorted(entry["targets"].items()):
                idx = avail[name]
                m = next((m for m in idx.modules if m.path == mpath), None)
                if m is None:
                    self._warn(f"{suite}: {name} {idx.pin['version']} does "
                               f"not provide module {mpath}")
                    continue
                mods_needed[mpath] = (name, m)
                needed.add(name)
                seeds = entry.get("seeds", {}).get(name) or (
                    [mpath] if mpath in m.packages else sorted(m.packages))
                for ip in seeds:
                    if ip not in m.packages:
                        self._warn(f"{suite}: {mpath} {m.version} has no "
                                   f"package {ip}")
                        continue
                    resolved[ip] = (name, m)
                    for i in m.packages[ip]:
                        wanted_by.setdefault(i, ip)
                    pending |= m.packages[ip]
            expanded = set()
            wider = 0
            while True:
                progress = True
                while progress:
                    progress = False
                    for ip in sorted(pending):
                        if ip in resolved:
                            pending.discard(ip)
                            continue
                        hit = None
                        for name in sorted(avail):
                            m = avail[name].provides.get(ip)
                            if m and (hit is None or
                                      len(m.path) > len(hit[1].path) or
                                      (name in needed and
                                       hit[0] not in needed and
                                       len(m.path) == len(hit[1].path))):
                                hit = (name, m)
                        if hit is None:
                            continue
                        pending.discard(ip)
                        resolved[ip] = hit
                        needed.add(hit[0])
                        have = mods_needed.get(hit[1].path)
                        if have is None:
                            mods_needed[hit[1].path] = hit
                        more = hit[1].packages.get(ip, set())
                        for i in more:
                            wanted_by.setdefault(i, ip)
                        pending |= more - set(resolved)
                        progress = True
                if not pending or not view:
                    break
                frontier = []
                for name in sorted(needed - expanded):
                    expanded.add(name)
                    for d in depends(pk, prov, name):
                        if d not in avail and d not in \
                                {f[0] for f in frontier}:
                            frontier.append((d, pins[d]))
                if not frontier and wider < 2:
                    # Still unresolved: look one level further, through
                    # packages extracted but not needed (bounded).
                    wider += 1
                    for name in sorted(avail):
                        for d in depends(pk, prov, name):
                            if d not in avail and d not in \
                                    {f[0] for f in frontier}:
                                frontier.append((d, pins[d]))
                if not frontier:
                    break
                avail.update(self._index_many(suite, frontier))
            for ip in sorted(pending):
                self._warn(f"{suite}: no Debian package here provides "
                           f"{ip} (imported by {wanted_by.get(ip, '?')})")
            sec = {"targets": dict(entry["targets"]),
                   "packages": {n: avail[n].pin for n in sorted(needed)}}
            if entry.get("seeds"):
                sec["seeds"] = entry["seeds"]
            if entry.get("debian_go"):
                sec["debian_go"] = entry["debian_go"]
            section[suite] = sec
            suites[suite] = {"modules": mods_needed, "avail": avail}
            self.report.note(
                f"modules: {suite}: {len(entry['targets'])} targets need "
                f"{len(mods_needed)} modules from {len(needed)} packages "
                f"({len(avail)} extracted) in "
                f"{fmt_secs(time.monotonic() - t)}")
        return section, suites

    # -------------------------------------------------------- publish

    def _publish(self, section, suites, gen):
        rep = self.report
        t0 = time.monotonic()
        # One content per module version: the newest Debian build.
        chosen = {}
        for suite, r in suites.items():
            for path, (pkg, m) in r["modules"].items():
                key = (m.path, m.version)
                cur = chosen.get(key)
                if cur is None or debian.compare_versions(
                        m.debian_version, cur.debian_version) > 0:
                    chosen[key] = m
        stage = os.path.join(self.work, "gen")
        proxy = os.path.join(stage, "proxy")
        published = {}
        clock = threading.Lock()
        count = [0]
        total = len(chosen)

        def publish(key):
            m = chosen[key]
            d = os.path.join(proxy, gomod.escape(m.path), "@v")
            os.makedirs(d, exist_ok=True)
            ev = gomod.escape(m.version)
            members = zip_members(m, self._warn)
            with open(os.path.join(d, ev + ".zip"), "wb") as f:
                digests = gomod.write_zip(f, members)
            with open(os.path.join(d, ev + ".mod"), "wb") as f:
                f.write(m.gomod)
            _write_info(os.path.join(d, ev + ".info"), m.version,
                        m.info_time)
            rec = {"version": m.version, "package": m.package,
                   "debian_version": m.debian_version,
                   "h1": gomod.hash1_digests(digests),
                   "gomod_h1": gomod.hash1([("go.mod", m.gomod)]),
                   "files": len(members)}
            with clock:
                count[0] += 1
                k = count[0]
            rep.done(k, total, f"{m.path}@{m.version} published "
                     f"({len(members)} files)")
            return key, rec

        with concurrent.futures.ThreadPoolExecutor(self.jobs) as ex:
            for key, rec in ex.map(publish, sorted(chosen)):
                published[key] = rec
        # Per suite: modules, replace fragment, stubs, go.sum.
        suites_dir = os.path.join(stage, "suites")
        os.makedirs(suites_dir)
        index = {"format": FORMAT, "goproxy": "proxy", "suites": {},
                 "targets": {}}
        stubs_all = {}
        suite_docs = {}
        for suite, sec in sorted(section.items()):
            mods = {p: chosen[(m.path, m.version)]
                    for p, (_, m) in suites[suite]["modules"].items()}
            targets = {}
            stubs = {}
            for pkg, path in sorted(sec["targets"].items()):
                m = mods.get(path)
                if m is None:
                    continue
                go_min = self._walk(m, mods, stubs)
                targets[path] = {"version": m.version, "package": pkg,
                                 "debian_version": m.debian_version,
                                 "go": go_min}
                index["targets"].setdefault(path, []).append(
                    {"version": m.version, "suite": suite, "go": go_min})
            for p, vs in stubs.items():
                stubs_all.setdefault(p, set()).update(vs)
            suite_docs[suite] = (sec, mods, targets, stubs)
        # Stubs: .mod, .info and a zip without packages; never listed.
        stub_recs = {}
        for p, vs in sorted(stubs_all.items()):
            d = os.path.join(proxy, gomod.escape(p), "@v")
            os.makedirs(d, exist_ok=True)
            for v in sorted(vs):
                if (p, v) in published:
                    continue
                stub_recs[(p, v)] = _write_stub(d, p, v)
        for suite, (sec, mods, targets, stubs) in suite_docs.items():
            modrecs = {p: published[(m.path, m.version)]
                       for p, m in sorted(mods.items())}
            replace = "replace (\n" + "".join(
                f"\t{p} => {p} {r['version']}\n"
                for p, r in sorted(modrecs.items())) + ")\n"
            gosum = []
            for p, r in sorted(modrecs.items()):
                gosum.append(f"{p} {r['version']} {r['h1']}")
                gosum.append(f"{p} {r['version']}/go.mod {r['gomod_h1']}")
            for p, vs in sorted(stubs.items()):
                for v in sorted(vs, key=gomod.semver_key):
                    r = published.get((p, v)) or stub_recs[(p, v)]
                    gosum.append(f"{p} {v} {r['h1']}")
                    gosum.append(f"{p} {v}/go.mod {r['gomod_h1']}")
            doc = {"suite": suite, "base": BASE.get(suite),
                   "debian_go": sec.get("debian_go"), "targets": targets,
                   "modules": modrecs,
                   "stubs": {p: sorted(vs, key=gomod.semver_key)
                             for p, vs in sorted(stubs.items())},
                   "replace": replace}
            write_json(os.path.join(suites_dir, f"{suite}.json"), doc)
            atomic_write_text(os.path.join(suites_dir, f"{suite}.replace"),
                              replace)
            atomic_write_text(os.path.join(suites_dir, f"{suite}.go.sum"),
                              "\n".join(sorted(set(gosum))) + "\n")
            index["suites"][suite] = {
                "base": BASE.get(suite), "debian_go": sec.get("debian_go"),
                "targets": {p: t["version"] for p, t in targets.items()}}
        for p in index["targets"]:
            index["targets"][p].sort(
                key=lambda e: (gomod.semver_key(e["version"]), e["suite"]))
        # list and @latest of the published modules
        versions = {}
        for p, v in published:
            versions.setdefault(p, []).append(v)
        for p, vs in versions.items():
            vs.sort(key=gomod.semver_key)
            base = os.path.join(proxy, gomod.escape(p))
            tagged = [v for v in vs if not gomod.is_pseudo(v)]
            with open(os.path.join(base, "@v", "list"), "w") as f:
                f.write("".join(v + "\n" for v in tagged))
            rel = [v for v in tagged if "-" not in v.split("+")[0]]
            latest = (rel or tagged or vs)[-1]
            shutil.copyfile(os.path.join(
                base, "@v", gomod.escape(latest) + ".info"),
                os.path.join(base, "@latest"))
        # Notes of packages a suite uses (not of every package --update
        # looked into), so that both ways of building agree.
        used = {id(r["avail"][n]) for sec, r in
                ((section[x], suites[x]) for x in section)
                for n in sec["packages"]}
        for r in suites.values():
            for idx in r["avail"].values():
                if id(idx) in used:
                    self.notes.extend(idx.notes)
        index["notes"] = sorted(set(self.notes))
        write_json(os.path.join(stage, "modules.json"), index)
        if os.path.isdir(gen):
            shutil.rmtree(gen)
        os.rename(stage, gen)
        self.timings["publish"] = time.monotonic() - t0
        nfiles = sum(r["files"] for r in published.values())
        rep.note(f"modules: {len(published)} module versions ({nfiles} "
                 f"files), {len(stub_recs)} stubs, {len(section)} suites "
                 f"published in {fmt_secs(time.monotonic() - t0)}")
        if self.notes:
            rep.note(f"modules: {len(set(self.notes))} notes in "
                     f"{gen}/modules.json")

    def _walk(self, target, mods, stubs):
        """Follow go.mod requirements from target through the suite's
        modules (each replaced by its Debian version); requirements on
        modules not published for the suite become stubs.  Returns the
        highest go directive seen."""
        go_min = target.go
        seen = {target.path}
        todo = [target]
        while todo:
            m = todo.pop()
            if gomod.go_version_key(m.go) > gomod.go_version_key(go_min):
                go_min = m.go
            for p, v in m.requires:
                if p in mods:
                    if p not in seen:
                        seen.add(p)
                        todo.append(mods[p])
                elif gomod.is_semver(v):
                    stubs.setdefault(p, set()).add(v)
        return go_min


def _write_info(path, version, when):
    with open(path, "w") as f:
        f.write(json.dumps({"Version": version, "Time": when},
                           separators=(",", ":")) + "\n")


def _write_stub(d, path, version):
    """A module Debian does not have, at a version some go.mod requires:
    go.mod `module <path>` and a zip holding only a note, so the go
    command can load the module graph (a package import from it fails)."""
    ev = gomod.escape(version)
    mod = _stub_mod(path)
    with open(os.path.join(d, ev + ".mod"), "wb") as f:
        f.write(mod)
    _write_info(os.path.join(d, ev + ".info"), version,
                gomod.pseudo_time(version) or STUB_TIME)
    note = (b"lutgen go-mirror stub: Debian does not package this module; "
            b"it exists here so that the go command can load go.mod "
            b"graphs that mention it.\n")
    name = f"{path}@{version}/LUTGEN-STUB.txt"
    tmp = os.path.join(d, ev + ".zip.note")
    with open(tmp, "wb") as f:
        f.write(note)
    with open(os.path.join(d, ev + ".zip"), "wb") as f:
        digests = gomod.write_zip(f, [(name, tmp)])
    os.unlink(tmp)
    return {"h1": gomod.hash1_digests(digests),
            "gomod_h1": gomod.hash1([("go.mod", mod)])}


def _stub_mod(path):
    return f"module {path}\n".encode()
