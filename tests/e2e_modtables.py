#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""e2e: module tables from hand-written modules (tests/support/
modfixture.py) served by a real HTTP module proxy on 127.0.0.1, with the
oldest and the newest mirror toolchain, checked against binaries this test
builds itself (pahole for offsets, gdb `info scope` for parameters).

1. `lutgen generate` of tests/specs/modhello.json (offsets: Go does not
   matter), modhellogo.json (parameter locations: stack ABI in the oldest
   toolchain, registers in the newest, so the table keys on Go) and
   modrepl.json (a module that builds only with the replacements lutgen
   writes for versions the proxy lacks);
2. the decisions, module versions, build counts and the recorded go.sum
   lines (h1 from the fixture's own Python Hash1);
3. the generated C, compiled as C99 and C++ with -Wall -Wextra -pedantic
   -Werror, answers what pahole / gdb read from the test's own builds of
   the same module versions with the same toolchains;
4. a warm rerun builds nothing, is byte-identical and takes < 1 s; a new
   module version on the proxy is value drift for --check (exit 3, named);
5. a proxy that serves other bytes for a recorded module version fails
   the run, naming module@version and both hashes.

Exit 77 when the mirror, pahole or gdb is unavailable.  Costs about 13
small lutgen builds and 8 of the test's own (two toolchains, amd64).
"""

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
EXE = os.environ.get("LUTGEN_EXE")

sys.path.insert(0, os.path.join(SRC or ".", "tests", "support"))
import modfixture  # noqa: E402

HELLO = ["v1.0.0", "v1.1.0", "v1.1.1"]


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


def go_build(goroot, prog, requires, replaces, proxy, out, work, gocache):
    """Our own build of tests/programs/<prog> against the fixture proxy."""
    src = os.path.join(work, "src")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(os.path.join(SRC, "tests", "programs", prog), src)
    with open(os.path.join(src, "go.mod"), "w") as f:
        f.write("module p\n\ngo 1.13\n\n")
        for path, v in requires:
            f.write("require %s %s\n" % (path, v))
        for path, a, b in replaces:   # a None: every version
            f.write("replace %s %s=> %s %s\n" % (path, a + " " if a else "",
                                                  path, b))
    env = {"PATH": goroot + "/bin:/usr/bin:/bin", "GOROOT": goroot,
           "HOME": work, "GOPATH": os.path.join(work, "gopath"),
           "GOMODCACHE": os.path.join(work, "gopath", "pkg", "mod"),
           "GOCACHE": gocache, "GOOS": "linux", "GOARCH": "amd64",
           "CGO_ENABLED": "0", "GOTOOLCHAIN": "local",
           "GOPROXY": "file://" + proxy, "GOSUMDB": "off", "GOENV": "off",
           "GO111MODULE": "on", "GOFLAGS": "-mod=mod -modcacherw",
           "GOTELEMETRY": "off"}
    r = subprocess.run([goroot + "/bin/go", "build", "-o", out, "."],
                       cwd=src, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail("our go build of %s with %s: %s" % (prog, goroot,
                                                  r.stderr[-2000:]))


def pahole_fields(binary, struct):
    r = subprocess.run(["pahole", "-C", struct, binary], capture_output=True,
                       text=True)
    fields = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s+.*?\s(\w+);\s+/\*\s+(\d+)\s+\d+\s+\*/", line)
        if m:
            fields[m.group(1)] = int(m.group(2))
    if not fields:
        fail("pahole found no %s in %s: %s" % (struct, binary, r.stderr[-300:]))
    return fields


def gdb_params(binary, fn, names):
    """gdb's `info scope`: each parameter's first location at entry,
    rendered like lutgen ("RAX(8)", "SP+16(8)+SP+24(8)"); amd64, where the
    CFA at the entry is SP+8."""
    r = subprocess.run(["gdb", "-nx", "-batch", "-ex", "info scope " + fn,
                        binary], capture_output=True, text=True)
    out = {}
    for name in names:
        i = r.stdout.find("Symbol %s is " % name)
        if i < 0:
            fail("gdb: no symbol %s in %s of %s" % (name, fn, binary))
        rest = r.stdout[i:]
        ends = [e for e in (rest.find(", length"), rest.find("\n  Range", 1))
                if e > 0]
        text = rest[:min(ends)] if ends else rest
        m = re.search(r"length (\d+)", rest)
        size = int(m.group(1)) if m else -1
        items = []
        for tok in re.finditer(r"a variable in \$(\w+)|DW_OP_fbreg (-?\d+)|"
                               r"DW_OP_call_frame_cfa|\[(\d+)-byte piece\]",
                               text):
            if tok.group(1):
                items.append([tok.group(1).upper(), None])
            elif tok.group(2):
                items.append(["SP%+d" % (int(tok.group(2)) + 8), None])
            elif tok.group(3):
                if items:
                    items[-1][1] = int(tok.group(3))
            else:   # DW_OP_call_frame_cfa: the CFA itself
                items.append(["SP+8", None])
        out[name] = "+".join("%s(%d)" % (a, b if b else size)
                             for a, b in items)
    return out


DRIVER = r"""
#include <stdio.h>
#include "modhello.h"
#include "modhellogo.h"
#include "modrepl.h"

static void loc(const struct lutgen_go_params *p)
{
	unsigned i, j;

	for (i = 0; p && i < p->nparams; i++) {
		printf(" %s:", p->params[i].name);
		for (j = 0; j < p->params[i].npieces; j++) {
			const struct lutgen_go_loc_piece *c = &p->params[i].pieces[j];

			if (c->kind == LUTGEN_GO_LOC_REG)
				printf("%s%s(%u)", j ? "+" : "", c->reg_name,
				       (unsigned)c->size);
			else
				printf("%sSP%+d(%u)", j ? "+" : "",
				       (int)c->stack_offset, (unsigned)c->size);
		}
	}
}

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < argc; i += 2) {
		uint64_t a = 99999, b = 99999, x = 99999;
		const struct lutgen_go_params *p = NULL;
		int ra = modhello_name_offset(argv[i], NULL, "amd64", &a);
		int rb = modhello_count_offset(argv[i], NULL, "amd64", &b);
		int rc = modhellogo_greet_params(argv[i], argv[i + 1], "amd64", &p);
		int rn = modhellogo_name_offset(argv[i], NULL, "amd64", &x);

		printf("%s %s name=%d:%llu count=%d:%llu nogo=%d params=%d",
		       argv[i], argv[i + 1], ra, (unsigned long long)a, rb,
		       (unsigned long long)b, rn, rc);
		loc(p);
		printf("\n");
	}
	{
		uint64_t x = 0;
		int r = modrepl_x_offset("v1.0.0", NULL, "amd64", &x);

		printf("repl %d %llu\n", r, (unsigned long long)x);
	}
	return 0;
}
"""


def main():
    if not SRC or not EXE:
        skip("LUTGEN_SOURCE_ROOT / LUTGEN_EXE not set (run through meson test)")
    for tool in ("pahole", "gdb"):
        if not shutil.which(tool):
            skip(tool + " is not installed")
    mirror = os.path.join(SRC, "scripts", "go-mirror")
    r = subprocess.run([mirror, "--quiet", "goroots"], capture_output=True,
                       text=True)
    goroots = [l.split(None, 1) for l in r.stdout.splitlines()
               if len(l.split(None, 1)) == 2]
    r2 = subprocess.run([mirror, "--quiet", "index"], capture_output=True,
                        text=True)
    if r.returncode != 0 or not goroots or r2.returncode != 0:
        skip("go-mirror goroots/index failed: " + r.stderr[-500:])
    (old_v, old_root), (new_v, new_root) = goroots[0], goroots[-1]
    with open(r2.stdout.strip()) as f:
        index = [rel for rel in json.load(f)
                 if rel["version"] in (old_v, new_v)]

    tmp = tempfile.mkdtemp(prefix="lutgen-e2e-modtables-")
    server = None
    try:
        subprocess.run([sys.executable,
                        os.path.join(SRC, "tests/support/modfixture.py"), tmp],
                       check=True)
        proxy_dir = os.path.join(tmp, "proxy")
        with open(os.path.join(tmp, "expected.json")) as f:
            expected = json.load(f)
        with open(os.path.join(tmp, "index.json"), "w") as f:
            json.dump(index, f)

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=tmp, **kw)

            def log_message(self, *a):
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = "http://127.0.0.1:%d" % server.server_address[1]
        out = os.path.join(tmp, "out")
        cache = os.path.join(tmp, "cache")
        sum_file = os.path.join(tmp, "modules.sum")
        common = ["--cache", cache, "--index-url", base + "/index.json",
                  "--download-url", base + "/none/", "--goroot", old_root,
                  "--goroot", new_root, "--goproxy", base + "/proxy",
                  "--sum", sum_file]
        specs = [os.path.join(SRC, "tests", "specs", s + ".json")
                 for s in ("modhello", "modhellogo", "modrepl")]
        env = dict(os.environ, CI="1", GOPRIVATE="", GONOPROXY="")

        def generate(extra=(), cache_dir=None):
            args = list(common)
            if cache_dir:
                args[args.index("--cache") + 1] = cache_dir
            return subprocess.run([EXE, "--json", "generate"] + specs +
                                  ["--out-dir", out, "-j", "2"] + args +
                                  list(extra), env=env, capture_output=True,
                                  text=True)

        # 1. cold
        r = generate()
        if r.returncode != 0:
            fail("generate: exit %d\n%s\n%s" % (r.returncode, r.stdout[-3000:],
                                                r.stderr[-3000:]))
        doc = json.loads(r.stdout)
        js = {s["name"]: s for s in doc["specs"]}

        # 2. decisions, versions, builds, go.sum lines
        if js["modhello"]["keys_go"] or not js["modhellogo"]["keys_go"]:
            fail("keys_go: modhello %s, modhellogo %s" % (
                js["modhello"]["keys_go"], js["modhellogo"]["keys_go"]))
        for name in ("modhello", "modhellogo"):
            if js[name]["versions"] != HELLO:
                fail("%s versions %s" % (name, js[name]["versions"]))
        # modhello: v1.0.0 and v1.1.1 with both toolchains, v1.1.0 with the
        # newest; modhellogo: every version with both.
        if js["modhello"]["builds"] != 5 or js["modhellogo"]["builds"] != 6 \
                or js["modrepl"]["builds"] != 1:
            fail("builds: %s %s %s" % (js["modhello"]["builds"],
                                       js["modhellogo"]["builds"],
                                       js["modrepl"]["builds"]))
        with open(sum_file) as f:
            lines = set(f.read().splitlines())
        for key in ["example.com/hello@" + v for v in HELLO] + \
                ["example.com/repl@v1.0.0"]:
            path, v = key.split("@")
            for line in ("%s %s %s" % (path, v, expected[key]["h1"]),
                         "%s %s/go.mod %s" % (path, v,
                                              expected[key]["gomod_h1"])):
                if line not in lines:
                    fail("%s lacks %r" % (sum_file, line))
        with open(os.path.join(out, "modhello.json")) as f:
            mj = json.load(f)
        if mj["keys_go"] or mj["go_versions"] != [old_v, new_v]:
            fail("modhello.json: keys_go %s go_versions %s" % (
                mj["keys_go"], mj["go_versions"]))
        for e in mj["lookups"][0]["entries"]:
            key = "example.com/hello@" + e["module_version"]
            if e["module_h1"] != expected[key]["h1"]:
                fail("modhello.json: %s h1 %s" % (key, e["module_h1"]))

        # 3. the generated C against our own builds
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        want = {}
        for v in HELLO:
            for gv, root in ((old_v, old_root), (new_v, new_root)):
                b = os.path.join(work, "hello-%s-%s" % (v, gv))
                go_build(root, "hello", [("example.com/hello", v)], [],
                         proxy_dir, b, os.path.join(work, "w"),
                         os.path.join(work, "gocache-" + gv))
                f = pahole_fields(b, "example.com/hello.Greeter")
                p = gdb_params(b, "example.com/hello.(*Greeter).Greet",
                               ["g", "n", "s"])
                want[(v, gv)] = (f, p)
        rb = os.path.join(work, "repl")
        go_build(new_root, "repl", [("example.com/repl", "v1.0.0")],
                 [("example.com/hello", "v1.0.5", "v1.1.0"),
                  ("example.com/mod/v2", "v2.0.1", "v2.1.0")],
                 proxy_dir, rb, os.path.join(work, "w"),
                 os.path.join(work, "gocache-" + new_v))
        repl_x = pahole_fields(rb, "example.com/repl.R")["X"]
        with open(os.path.join(work, "driver.c"), "w") as f:
            f.write(DRIVER)
        srcs = [os.path.join(out, n + ".c")
                for n in ("modhello", "modhellogo", "modrepl", "lutgen_go")]
        args = []
        for v in HELLO:
            args += [v, old_v, v, new_v]
        for cc, std, lang in (("cc", "-std=c99", []),
                              ("c++", "-std=c++11", ["-x", "c++"])):
            exe = os.path.join(work, "drv-" + cc)
            c = subprocess.run([cc, std, "-Wall", "-Wextra", "-pedantic",
                                "-Werror", "-I", out, "-o", exe] + lang +
                               [os.path.join(work, "driver.c")] + srcs,
                               capture_output=True, text=True)
            if c.returncode != 0:
                fail("compiling the generated C (%s): %s" % (cc, c.stderr))
            d = subprocess.run([exe] + args, capture_output=True, text=True,
                               check=True)
            for line in d.stdout.splitlines():
                if line.startswith("repl "):
                    if line != "repl 0 %d" % repl_x:
                        fail("modrepl: %s, pahole says X at %d" % (line,
                                                                   repl_x))
                    continue
                m = re.match(r"(\S+) (\S+) name=(-?\d+):(\d+) count=(-?\d+):"
                             r"(\d+) nogo=(-?\d+) params=(-?\d+)(.*)", line)
                v, gv = m.group(1), m.group(2)
                fields, params = want[(v, gv)]
                if (int(m.group(3)), int(m.group(4))) != (0, fields["Name"]):
                    fail("%s: Name %s:%s, pahole %d" % (v, m.group(3),
                                                        m.group(4),
                                                        fields["Name"]))
                if "count" in fields:
                    ok = (int(m.group(5)), int(m.group(6))) == \
                        (0, fields["count"])
                else:
                    ok = int(m.group(5)) == -5 and m.group(6) == "99999"
                if not ok:
                    fail("%s: count %s:%s, pahole %s" % (
                        v, m.group(5), m.group(6), fields.get("count")))
                if int(m.group(7)) != -4:
                    fail("modhellogo keys on Go: NULL go_version must be "
                         "LUTGEN_E_INVAL, got %s" % m.group(7))
                got = dict(x.split(":", 1) for x in m.group(9).split())
                if int(m.group(8)) != 0 or got != params:
                    fail("%s %s: params %s %s, gdb says %s" % (
                        v, gv, m.group(8), got, params))

        # 4. warm
        before = {n: open(os.path.join(out, n), "rb").read()
                  for n in os.listdir(out)}
        t0 = time.monotonic()
        r = generate()
        wall = time.monotonic() - t0
        doc = json.loads(r.stdout)
        if r.returncode != 0 or doc["built"] != 0:
            fail("warm rerun: exit %d, built %s" % (r.returncode,
                                                    doc.get("built")))
        for n, data in before.items():
            if open(os.path.join(out, n), "rb").read() != data:
                fail("warm rerun changed " + n)
        if wall >= 1.0:
            fail("warm rerun took %.2f s (>= 1 s)" % wall)

        # 4b. a new module version on the proxy is value drift for
        # --check (what scripts/nightly-refresh asks), and names it
        listing = os.path.join(proxy_dir, "example.com/hello/@v/list")
        with open(listing) as f:
            listed = f.read()
        modfixture.write_module(proxy_dir, "example.com/hello", "v1.2.0",
                                modfixture.MODULES["example.com/hello"]
                                ["v1.1.1"], {})
        with open(listing, "a") as f:
            f.write("v1.2.0\n")
        shutil.copy(sum_file, sum_file + ".check")
        r = subprocess.run([EXE, "--json", "generate", specs[0], "--check",
                            "--out-dir", out, "-j", "2"] +
                           [a if a != sum_file else sum_file + ".check"
                            for a in common],
                           env=env, capture_output=True, text=True)
        drift = json.loads(r.stdout) if r.stdout.startswith("{") else {}
        if r.returncode != 3 or drift.get("drift_kind") != "values" or \
                [d["name"] for d in drift.get("drift_specs", [])] != \
                ["modhello"] or \
                "modhello: new module versions (amd64): v1.2.0" not in \
                r.stdout:
            fail("--check with a new module version: exit %d, want 3 "
                 "naming v1.2.0\n%s\n%s" % (r.returncode, r.stdout[-2000:],
                                            r.stderr[-2000:]))
        with open(listing, "w") as f:
            f.write(listed)

        # 5. the proxy now serves other bytes for v1.1.1
        zpath = os.path.join(proxy_dir, "example.com/hello/@v/v1.1.1.zip")
        modfixture.write_zip(zpath, [
            ("example.com/hello@v1.1.1/go.mod",
             modfixture.gomod("example.com/hello")),
            ("example.com/hello@v1.1.1/hello.go",
             b"package hello\n\ntype Greeter struct{ Evil int }\n")])
        r = generate(cache_dir=os.path.join(tmp, "cache2"))
        msg = json.loads(r.stdout).get("error", "")
        if r.returncode != 1 or "example.com/hello@v1.1.1" not in msg or \
                expected["example.com/hello@v1.1.1"]["h1"] not in msg or \
                "checksum mismatch" not in msg:
            fail("tampered zip: exit %d: %s" % (r.returncode, msg))
        # 6. with the module mirror's suite pins (modfixture.write_mirror):
        # repl builds with hello v1.0.0 and mod/v2 v2.0.0, the "old" suite.
        out2 = os.path.join(tmp, "out-mirror")
        r = subprocess.run([EXE, "--json", "generate", specs[2], "--out-dir",
                            out2, "-j", "2", "--module-mirror",
                            os.path.join(tmp, "mirror")] + common,
                           env=env, capture_output=True, text=True)
        if r.returncode != 0 or json.loads(r.stdout)["built"] != 1:
            fail("generate with --module-mirror: exit %d\n%s\n%s" % (
                r.returncode, r.stdout[-3000:], r.stderr[-3000:]))
        rb2 = os.path.join(work, "repl-pinned")
        go_build(new_root, "repl", [("example.com/repl", "v1.0.0")],
                 [("example.com/hello", None, "v1.0.0"),
                  ("example.com/mod/v2", None, "v2.0.0"),
                  ("example.com/repl", None, "v1.0.0")],
                 proxy_dir, rb2, os.path.join(work, "w"),
                 os.path.join(work, "gocache-" + new_v))
        pinned_x = pahole_fields(rb2, "example.com/repl.R")["X"]
        with open(os.path.join(out2, "modrepl.json")) as f:
            got = json.load(f)["lookups"][0]["entries"][0]["value"]
        if got != pinned_x or pinned_x == repl_x:
            fail("modrepl with the mirror's pins: X at %s, pahole says %d "
                 "(%d without pins)" % (got, pinned_x, repl_x))
        print("ok: 3 module tables over %s and %s agree with pahole and gdb;"
              " warm rerun %.2f s; mirror pins give X at %d (%d without)"
              % (old_v, new_v, wall, pinned_x, repl_x))
    finally:
        if server:
            server.shutdown()
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
