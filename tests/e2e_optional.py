#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""e2e: alternatives and optional lookups (tests/specs/optional.json),
measured from real binaries of the oldest and the newest mirror toolchain
(amd64), checked against pahole on binaries this test builds itself.

1. `lutgen generate` with an index of just those two releases (served on
   127.0.0.1) and their extracted GOROOTs (--goroot: no download);
2. the generated C, compiled as C99 with -Wall -Wextra -pedantic -Werror
   and as C++, answers: the first existing spelling of a field / type /
   function; LUTGEN_ABSENT with *out untouched for an optional lookup
   where the field does not exist (runtime.g.goroutineProfiled before
   go1.19) or nothing exists at all; pahole's offsets and sizes otherwise;
3. the JSON records which alternative matched and "value": null for
   absent; the spec keys are spelled as lists;
4. a lookup that is not optional and whose spellings all miss fails the
   run, naming what was tried.

Exit 77 when the mirror or pahole is unavailable.  Costs 2 builds (~30 s
of CPU cold) plus compiling the driver.
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

SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
EXE = os.environ.get("LUTGEN_EXE")


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


def go_build(goroot, out, work):
    env = {"PATH": goroot + "/bin:/usr/bin:/bin", "GOROOT": goroot,
           "HOME": work, "GOPATH": os.path.join(work, "gopath"),
           "GOCACHE": os.path.join(work, "gocache"), "GOOS": "linux",
           "GOARCH": "amd64", "CGO_ENABLED": "0", "GOTOOLCHAIN": "local",
           "GOPROXY": "off", "GOENV": "off", "GO111MODULE": "on",
           "GOFLAGS": "-mod=mod"}
    prog = os.path.join(work, "prog")
    os.makedirs(prog, exist_ok=True)
    shutil.copy(os.path.join(SRC, "tests/programs/optional/main.go"), prog)
    with open(os.path.join(prog, "go.mod"), "w") as f:
        f.write("module p\n\ngo 1.13\n")
    r = subprocess.run([goroot + "/bin/go", "build", "-o", out, "."],
                       cwd=prog, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail("go build with %s: %s" % (goroot, r.stderr[-2000:]))


def pahole(binary, struct):
    r = subprocess.run(["pahole", "-C", struct, binary], capture_output=True,
                       text=True)
    fields, size = {}, None
    for line in r.stdout.splitlines():
        m = re.match(r"\s+.*?\s(\w+);\s+/\*\s+(\d+)\s+\d+\s+\*/", line)
        if m and not line.lstrip().startswith("/*"):
            fields[m.group(1)] = int(m.group(2))
        m = re.search(r"/\* size: (\d+),", line)
        if m:
            size = int(m.group(1))
    if size is None:
        fail("pahole found no %s in %s" % (struct, binary))
    return fields, size


DRIVER = r"""
#include <stdio.h>
#include <string.h>
#include "optional.h"

/* Print "<lookup> <version> <rc> <value>" per query; value "-" when *out
 * was left untouched (it starts as a sentinel). */
static void u64(const char *name,
                int (*f)(const char *, const char *, uint64_t *),
                const char *v)
{
	uint64_t out = 0xdeadbeefULL;
	int rc = f(v, "amd64", &out);

	if (out == 0xdeadbeefULL)
		printf("%s %s %d -\n", name, v, rc);
	else
		printf("%s %s %d %llu\n", name, v, rc, (unsigned long long)out);
}

static void params(const char *name,
                   int (*f)(const char *, const char *,
                            const struct lutgen_go_params **),
                   const char *v)
{
	const struct lutgen_go_params *p = NULL;
	int rc = f(v, "amd64", &p);
	unsigned i;

	printf("%s %s %d", name, v, rc);
	if (!p)
		printf(" -");
	for (i = 0; p && i < p->nparams; i++)
		printf(" %s", p->params[i].name);
	printf("\n");
}

int main(int argc, char **argv)
{
	int i;

	printf("absent-code %d %s\n", LUTGEN_ABSENT,
	       lutgen_go_strerror(LUTGEN_ABSENT));
	for (i = 1; i < argc; i++) {
		u64("goid_alt", goid_alt, argv[i]);
		u64("profiled_offset", profiled_offset, argv[i]);
		u64("never_offset", never_offset, argv[i]);
		u64("m_size_alt", m_size_alt, argv[i]);
		params("casgstatus_alt", casgstatus_alt, argv[i]);
		params("never_params", never_params, argv[i]);
	}
	return 0;
}
"""


def main():
    if not SRC or not EXE:
        skip("LUTGEN_SOURCE_ROOT / LUTGEN_EXE not set (run through meson test)")
    if not shutil.which("pahole"):
        skip("pahole (dwarves) is not installed")
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

    tmp = tempfile.mkdtemp(prefix="lutgen-e2e-optional-")
    server = None
    try:
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
        common = ["--cache", os.path.join(tmp, "cache"),
                  "--index-url", base + "/index.json",
                  "--download-url", base + "/none/",
                  "--goroot", old_root, "--goroot", new_root]
        spec = os.path.join(SRC, "tests", "specs", "optional.json")
        env = dict(os.environ, CI="1")
        r = subprocess.run([EXE, "--json", "generate", spec, "--out-dir", out,
                            "-j", "2"] + common, env=env, capture_output=True,
                           text=True)
        if r.returncode != 0:
            fail("generate: exit %d\n%s\n%s" % (r.returncode, r.stdout[-3000:],
                                                r.stderr[-3000:]))

        # 2. the generated C against pahole.
        work = os.path.join(tmp, "work")
        os.makedirs(work)
        want = {}
        for v, root in ((old_v, old_root), (new_v, new_root)):
            b = os.path.join(work, "p-" + v)
            go_build(root, b, os.path.join(work, v))
            g, _ = pahole(b, "runtime.g")
            _, msize = pahole(b, "runtime.m")
            want[v] = {"goid_alt": "0 %d" % g["goid"],
                       "profiled_offset": ("0 %d" % g["goroutineProfiled"])
                       if "goroutineProfiled" in g else "-5 -",
                       "never_offset": "-5 -",
                       "m_size_alt": "0 %d" % msize,
                       "casgstatus_alt": "0 gp oldval newval",
                       "never_params": "-5 -"}
        if "-5" not in want[old_v]["profiled_offset"] or \
                "-5" in want[new_v]["profiled_offset"]:
            fail("fixture assumption broken: runtime.g.goroutineProfiled "
                 "should be missing in %s and present in %s" % (old_v, new_v))
        with open(os.path.join(work, "driver.c"), "w") as f:
            f.write(DRIVER)
        srcs = [os.path.join(out, "optional.c"), os.path.join(out, "lutgen_go.c")]
        for cc, std, src in (("cc", "-std=c99", "driver.c"),
                             ("c++", "-std=c++11", "driver.cc")):
            if src.endswith(".cc"):
                shutil.copy(os.path.join(work, "driver.c"),
                            os.path.join(work, src))
            args = [cc, std, "-Wall", "-Wextra", "-pedantic", "-Werror",
                    "-I", out, "-o", os.path.join(work, "drv-" + cc),
                    os.path.join(work, src)]
            if cc == "c++":
                args += ["-x", "c++"] + srcs
            else:
                args += srcs
            c = subprocess.run(args, capture_output=True, text=True)
            if c.returncode != 0:
                fail("compiling the generated C (%s): %s" % (cc, c.stderr))
            d = subprocess.run([os.path.join(work, "drv-" + cc), old_v, new_v],
                               capture_output=True, text=True, check=True)
            lines = d.stdout.splitlines()
            if not lines[0].startswith("absent-code -5 absent"):
                fail("LUTGEN_ABSENT: " + lines[0])
            for line in lines[1:]:
                name, v, rest = line.split(" ", 2)
                if want[v][name] != rest:
                    fail("%s %s (%s): %s, want %s (pahole)" % (
                        name, v, cc, rest, want[v][name]))

        # 3. the JSON.
        with open(os.path.join(out, "optional.json")) as f:
            doc = json.load(f)
        lk = {l["name"]: l for l in doc["lookups"]}
        if lk["goid_alt"]["field"] != ["no_such_goid", "goid"] or \
                lk["profiled_offset"].get("optional") is not True:
            fail("spec keys in the JSON: %s" % json.dumps(lk["goid_alt"]))
        for e in lk["goid_alt"]["entries"]:
            if e.get("matched") != {"field": "goid"}:
                fail("goid_alt entry without matched: %s" % e)
        for e in lk["m_size_alt"]["entries"]:
            if e.get("matched") != {"type": "runtime.m"}:
                fail("m_size_alt entry: %s" % e)
        for e in lk["casgstatus_alt"]["entries"]:
            if e.get("matched") != {"function": "runtime.casgstatus"}:
                fail("casgstatus_alt entry: %s" % e)
        prof = {e["version"]: e["value"] for e in lk["profiled_offset"]["entries"]}
        if prof[old_v] is not None or prof[new_v] is None:
            fail("profiled_offset entries: %s" % prof)
        if any(e["value"] is not None for e in lk["never_params"]["entries"]):
            fail("never_params: %s" % lk["never_params"]["entries"])

        # 4. not optional and nothing matches: the run fails.
        bad_dir = os.path.join(tmp, "bad", "specs")
        os.makedirs(bad_dir)
        shutil.copytree(os.path.join(SRC, "tests/programs/optional"),
                        os.path.join(tmp, "bad", "programs", "optional"))
        with open(spec) as f:
            bad = json.load(f)
        bad["lookups"] = [{"name": "missing", "kind": "struct_offset",
                           "type": "runtime.g",
                           "field": ["no_such_a", "no_such_b"]}]
        with open(os.path.join(bad_dir, "optional.json"), "w") as f:
            json.dump(bad, f)
        r = subprocess.run([EXE, "--json", "generate",
                            os.path.join(bad_dir, "optional.json"),
                            "--out-dir", os.path.join(tmp, "badout")] + common,
                           env=env, capture_output=True, text=True)
        doc = json.loads(r.stdout or "{}")
        msg = " ".join(m.get("error", "") for m in doc.get("measurements", []))
        if r.returncode != 1 or "none of the 2 spellings" not in msg or \
                "no_such_b" not in msg:
            fail("a missing non-optional lookup: exit %d, %s" % (r.returncode,
                                                                 msg))
        print("ok: alternatives and optional lookups over %s and %s agree "
              "with pahole" % (old_v, new_v))
    finally:
        if server:
            server.shutdown()
        for root, dirs, _ in os.walk(tmp):
            for d in dirs:
                os.chmod(os.path.join(root, d), 0o755)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
