#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The committed module tables (generated/<name>.{c,json} of
lutgen/modspecs/*.json) against independent readings of the same builds.

For every module table, its oldest and its newest module version and every
arch it covers, this script builds the table's program
(lutgen/programs/<name>) itself, the way the table says it was built: the
module version, the Go toolchain recorded in the entry (the newest one the
table used for that version), the module mirror's suite pins
(suites/<suite>.replace of `go-mirror moddir`, the suite picked by the rule
in rungo/modmirror.h, re-implemented here), go build -trimpath with
CGO_ENABLED=0.  Then:
  - struct_offset lookups: pahole -C TYPE reads the field's offset (the
    alternative the table says matched); an absent entry must be absent
    in pahole's reading under every alternative;
  - func_params lookups: gdb `info scope FUNCTION` (gdb-multiarch for
    arm64) gives each parameter's location at the entry;
  - both are compared with the table's JSON entry and with what the
    generated C answers (a driver compiled as C99 against
    generated/<name>.c and lutgen_go.c, asking every lookup through the
    table descriptor's mod_u64 / mod_params).
The module versions and hashes come from the mirror; nothing is taken from
lutgen's own builds.  Exit: 0 pass, 1 failure, 77 skip (prerequisite
missing).

Cost: one go build per (table, version, arch); builds share a GOCACHE under
the build directory (LUTGEN_BUILD_ROOT/e2e-modtables-committed), so a
rerun links only.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
BUILD = os.environ.get("LUTGEN_BUILD_ROOT")
FAILS = []


def skip(why):
    # Under CI the suite provides its prerequisites: missing is a failure.
    if os.environ.get("CI", "") not in ("", "0", "false"):
        print("FAIL (CI): " + why)
        sys.exit(1)
    print("SKIP: " + why)
    sys.exit(77)


def check(cond, msg):
    if not cond:
        FAILS.append(msg)
        print("FAIL: " + msg, file=sys.stderr)
    return cond


def modver_key(v):
    """Semantic-version order of "vX.Y.Z[-pre][+incompatible]"."""
    m = re.match(r"v(\d+)\.(\d+)\.(\d+)(?:-([^+]*))?", v)
    pre = m.group(4)
    pre_key = ()
    if pre is not None:
        pre_key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p)
                        for p in pre.split("."))
    return (int(m.group(1)), int(m.group(2)), int(m.group(3)),
            0 if pre is not None else 1, pre_key)


def go_key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


def pick_suite(targets, path, version):
    """rungo/modmirror.h: the suite whose closure asks for the oldest Go
    (none counts as oldest); the first listed among equals."""
    best = None
    for t in targets.get(path, []):
        if t["version"] != version:
            continue
        k = (0,) if t["go"] is None else (1,) + go_key(t["go"])
        if best is None or k < best[0]:
            best = (k, t["suite"])
    return best[1] if best else None


def go_build(goroot, prog, path, version, replace, arch, out, work,
             gocache, gomodcache, goproxy):
    src = os.path.join(work, "src-" + prog)
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(os.path.join(SRC, "lutgen", "programs", prog), src)
    with open(os.path.join(src, "go.mod"), "w") as f:
        # As lutgen's builder: the go directive of the toolchain.
        minor = re.match(r".*go1\.(\d+)", os.path.basename(goroot.rstrip("/")))
        f.write("module lutgenprobe\n\ngo 1.%s\n\nrequire %s %s\n\n%s"
                % (minor.group(1) if minor else "13", path, version, replace))
    env = {"PATH": goroot + "/bin:/usr/bin:/bin", "GOROOT": goroot,
           "HOME": work, "GOPATH": os.path.join(work, "gopath"),
           "GOMODCACHE": gomodcache, "GOCACHE": gocache, "GOOS": "linux",
           "GOARCH": arch, "CGO_ENABLED": "0", "GOTOOLCHAIN": "local",
           "GOPROXY": goproxy, "GOSUMDB": "off", "GONOSUMDB": "*",
           "GOENV": "off", "GO111MODULE": "on",
           "GOFLAGS": "-mod=mod -modcacherw", "GOTELEMETRY": "off",
           "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY":
           "http://127.0.0.1:9"}
    r = subprocess.run([goroot + "/bin/go", "build", "-trimpath", "-o", out,
                        "."], cwd=src, env=env, capture_output=True,
                       text=True)
    if r.returncode != 0:
        check(False, "go build of %s with %s@%s (%s, %s): %s" % (
            prog, path, version, goroot, arch, r.stderr[-3000:]))
        return False
    return True


def pahole_fields(binary, struct):
    """Field offsets of one struct: {} when pahole does not know it."""
    r = subprocess.run(["pahole", "-C", struct, binary], capture_output=True,
                       text=True)
    fields = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s+.*?\s(\w+);\s+/\*\s+(\d+)\s+\d+\s+\*/", line)
        if m:
            fields[m.group(1)] = int(m.group(2))
    return fields


REGS = {
    "amd64": {"rax": "RAX", "rbx": "RBX", "rcx": "RCX", "rdx": "RDX",
              "rsi": "RSI", "rdi": "RDI", "rbp": "RBP", "rsp": "RSP",
              **{"r%d" % i: "R%d" % i for i in range(8, 16)},
              **{"xmm%d" % i: "X%d" % i for i in range(16)}},
    "arm64": {**{"x%d" % i: "R%d" % i for i in range(31)},
              **{"v%d" % i: "F%d" % i for i in range(32)},
              **{"d%d" % i: "F%d" % i for i in range(32)}},
}
# The CFA (Go's frame base) at a function's first instruction, relative
# to SP: amd64 has pushed the return address, arm64 keeps it in LR.
CFA = {"amd64": 8, "arm64": 0}


def gdb_params(binary, arch, fn):
    """gdb's `info scope`: {param: "RAX(8)+SP+16(8)"} at the entry."""
    gdb = "gdb" if arch == "amd64" else "gdb-multiarch"
    r = subprocess.run([gdb, "-nx", "-batch", "-ex", "ptype '%s'" % fn,
                        "-ex", "info scope " + fn, binary],
                       capture_output=True, text=True)
    # gdb gives a Go func value (one pointer) length 1: the parameter types
    # of ptype's "type = R (T1, T2, ...)" say which parameters are funcs.
    args = []
    sig = re.search(r"type = [^(\n]*\((.*)\)\s*$", r.stdout, re.M)
    if sig:
        depth, cur = 0, ""
        for ch in sig.group(1):
            if ch == "," and depth == 0:
                args.append(cur.strip())
                cur = ""
                continue
            depth += ch in "([{"
            depth -= ch in ")]}"
            cur += ch
        args.append(cur.strip())
    out = {}
    for m in re.finditer(r"Symbol (\w+) is (.*?), length (\d+)\.",
                         r.stdout, re.S):
        name, text, size = m.group(1), m.group(2), int(m.group(3))
        if name in out:
            continue   # a local of the same name, after the parameter
        k = len(out)
        if size == 1 and k < len(args) and args[k].startswith("func("):
            size = 8
        # A location list: only its first range, the one that starts at
        # the function's entry (the others are later in the body).
        ranges = re.split(r"(?:Base address 0x[0-9a-f]+\s+)?"
                          r"Range 0x[0-9a-f]+-0x[0-9a-f]+:", text)
        if len(ranges) > 1:
            text = ranges[1]
        items = []
        for tok in re.finditer(r"a variable in \$(\w+)|DW_OP_fbreg (-?\d+)|"
                               r"DW_OP_call_frame_cfa|"
                               r"\[(\d+)-byte piece\]|"
                               r"a variable at frame base reg \$\w+ "
                               r"offset \d+\+(-?\d+)", text):
            if tok.group(1):
                items.append([REGS[arch].get(tok.group(1), "?" + tok.group(1)),
                              None])
            elif tok.group(2) or tok.group(4):
                off = int(tok.group(2) or tok.group(4))
                items.append(["SP%+d" % (off + CFA[arch]), None])
            elif tok.group(3):
                if items:
                    items[-1][1] = int(tok.group(3))
            else:
                items.append(["SP%+d" % CFA[arch], None])
        out[name] = "+".join("%s(%d)" % (a, b if b else size)
                             for a, b in items)
    return out, r.stdout


DRIVER = r"""
#include <stdio.h>
#include <string.h>
#include "lutgen_go.h"
%(includes)s

static const struct lutgen_go_table_desc *const tables[] = {
%(tables)s
};

/* usage: driver TABLE MODULE_VERSION GO_VERSION GOARCH
 * prints "lookup rc value" or "lookup rc name:loc ..." per lookup. */
int main(int argc, char **argv)
{
	size_t t, i, j, k;

	if (argc != 5)
		return 2;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct lutgen_go_table_desc *d = tables[t];
		const char *gv = d->keys_go ? argv[3] : NULL;

		if (strcmp(d->name, argv[1]) != 0)
			continue;
		for (i = 0; i < d->nlookups; i++) {
			const struct lutgen_go_lookup_desc *l = &d->lookups[i];

			if (l->mod_u64) {
				uint64_t v = 99999;
				int rc = l->mod_u64(argv[2], gv, argv[4], &v);

				printf("%%s %%d %%llu\n", l->name, rc,
				       (unsigned long long)v);
			} else {
				const struct lutgen_go_params *p = NULL;
				int rc = l->mod_params(argv[2], gv, argv[4], &p);

				printf("%%s %%d", l->name, rc);
				for (j = 0; rc >= 0 && p && j < p->nparams; j++) {
					printf(" %%s:", p->params[j].name);
					for (k = 0; k < p->params[j].npieces; k++) {
						const struct lutgen_go_loc_piece *c =
							&p->params[j].pieces[k];

						if (c->kind == LUTGEN_GO_LOC_REG)
							printf("%%s%%s(%%u)", k ? "+" : "",
							       c->reg_name,
							       (unsigned)c->size);
						else
							printf("%%sSP%%+d(%%u)", k ? "+" : "",
							       (int)c->stack_offset,
							       (unsigned)c->size);
					}
				}
				printf("\n");
			}
		}
		return 0;
	}
	return 3;
}
"""


def params_text(p):
    return " ".join("%s:%s" % (k, v) for k, v in p)


def main():
    if not SRC or not BUILD:
        skip("LUTGEN_SOURCE_ROOT / LUTGEN_BUILD_ROOT not set (run through "
             "meson test)")
    for tool in ("pahole", "gdb", "gdb-multiarch", "cc"):
        if not shutil.which(tool):
            skip(tool + " is not installed")
    gen = os.path.join(SRC, "generated")
    tables = []
    for n in sorted(os.listdir(os.path.join(SRC, "lutgen", "modspecs"))):
        if n.endswith(".json") and os.path.exists(
                os.path.join(gen, n[:-5] + ".json")):
            tables.append(n[:-5])
    if not tables:
        skip("no module table is committed in generated/")
    mirror = os.path.join(SRC, "scripts", "go-mirror")
    r = subprocess.run([mirror, "--quiet", "goroots"], capture_output=True,
                       text=True)
    goroots = dict(l.split(None, 1) for l in r.stdout.splitlines()
                   if len(l.split(None, 1)) == 2)
    r2 = subprocess.run([mirror, "--quiet", "moddir"], capture_output=True,
                        text=True)
    if r.returncode != 0 or r2.returncode != 0:
        check(False, "go-mirror goroots/moddir failed: " +
              (r.stderr + r2.stderr)[-1000:])
        return 1
    moddir = r2.stdout.strip()
    with open(os.path.join(moddir, "modules.json")) as f:
        targets = json.load(f)["targets"]
    goproxy = "file://" + os.path.join(moddir, "proxy")

    work = os.path.join(BUILD, "e2e-modtables-committed")
    os.makedirs(work, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="lutgen-e2e-modtables-committed-")
    try:
        # The driver, C99, every module table.
        drv = os.path.join(tmp, "driver")
        with open(os.path.join(tmp, "driver.c"), "w") as f:
            f.write(DRIVER % {
                "includes": "\n".join('#include "%s.h"' % t for t in tables),
                "tables": "\n".join("\t&lutgen_go_table_%s," % t
                                    for t in tables)})
        c = subprocess.run(["cc", "-std=c99", "-Wall", "-Wextra", "-pedantic",
                            "-Werror", "-I", gen, "-o", drv,
                            os.path.join(tmp, "driver.c"),
                            os.path.join(gen, "lutgen_go.c")] +
                           [os.path.join(gen, t + ".c") for t in tables],
                           capture_output=True, text=True)
        if not check(c.returncode == 0, "compiling the driver: " + c.stderr):
            return 1

        checked = 0
        for name in tables:
            with open(os.path.join(gen, name + ".json")) as f:
                tj = json.load(f)
            with open(os.path.join(SRC, "lutgen", "modspecs",
                                   name + ".json")) as f:
                spec = json.load(f)
            path = tj["module"]["path"]
            lookups = {l["name"]: l for l in spec["lookups"]}
            by = {}   # (version, arch) -> {go: {lookup: entry}}
            for l in tj["lookups"]:
                for e in l["entries"]:
                    by.setdefault((e["module_version"], e["arch"]), {}) \
                      .setdefault(e["go_version"], {})[l["name"]] = e
            for arch in tj["arches"]:
                vers = sorted({v for v, a in by if a == arch}, key=modver_key)
                for v in sorted({vers[0], vers[-1]}, key=modver_key):
                    gos = sorted(by[(v, arch)], key=go_key)
                    gv = gos[-1]
                    entries = by[(v, arch)][gv]
                    suite = pick_suite(targets, path, v)
                    if not check(suite, "%s@%s is not a target of the module "
                                 "mirror" % (path, v)):
                        continue
                    with open(os.path.join(moddir, "suites",
                                           suite + ".replace")) as f:
                        replace = f.read()
                    if not check(gv in goroots, "%s: %s is not in the mirror"
                                 % (name, gv)):
                        continue
                    binary = os.path.join(tmp, "%s-%s-%s" % (name, v, arch))
                    if not go_build(goroots[gv], tj["program"], path, v,
                                    replace, arch, binary, tmp,
                                    os.path.join(work, "gocache-" + gv),
                                    os.path.join(work, "gomodcache"),
                                    goproxy):
                        continue
                    d = subprocess.run([drv, name, v, gv, arch],
                                       capture_output=True, text=True)
                    capi = {}
                    for line in d.stdout.splitlines():
                        parts = line.split(" ", 2)
                        capi[parts[0]] = (int(parts[1]),
                                          parts[2] if len(parts) > 2 else "")
                    for ln, e in sorted(entries.items()):
                        sl = lookups[ln]
                        rc, got = capi.get(ln, (None, None))
                        where = "%s %s@%s %s %s" % (ln, path, v, gv, arch)
                        if sl["kind"] == "struct_offset":
                            types = sl["type"] if isinstance(
                                sl["type"], list) else [sl["type"]]
                            fields = sl["field"] if isinstance(
                                sl["field"], list) else [sl["field"]]
                            if e["value"] is None:
                                found = [(t, fl) for t in types
                                         for fl in fields
                                         if fl in pahole_fields(binary, t)]
                                check(not found and rc == -5,
                                      "%s: the table says absent (C: %s), "
                                      "pahole finds %s" % (where, rc, found))
                                continue
                            m = e.get("matched", {})
                            t = m.get("type", types[0])
                            fl = m.get("field", fields[0])
                            want = pahole_fields(binary, t).get(fl)
                            check(want == e["value"] and rc == 0 and
                                  got == str(want),
                                  "%s: JSON %s, C %s:%s, pahole -C %s says "
                                  "%s at %s" % (where, e["value"], rc, got, t,
                                                fl, want))
                        elif sl["kind"] == "func_params":
                            fns = sl["function"] if isinstance(
                                sl["function"], list) else [sl["function"]]
                            fn = e.get("matched", {}).get("function", fns[0])
                            if e["value"] is None:
                                p, _ = gdb_params(binary, arch, fn)
                                check(not p and rc == -5,
                                      "%s: the table says absent (C: %s), "
                                      "gdb finds %s" % (where, rc, p))
                                continue
                            p, raw = gdb_params(binary, arch, fn)
                            want = " ".join("%s:%s" % (k, p.get(k, "?"))
                                            for k in [x.split(":", 1)[0]
                                                      for x in got.split()])
                            # info scope lists locals too: every
                            # parameter the table names must read the same.
                            check(rc == 0 and got and got == want,
                                  "%s: C %s:%s, gdb says %s\n%s" % (
                                      where, rc, got, p, raw[-1500:]))
                        checked += 1
        print("checked %d entries of %d module tables (%s) against pahole "
              "and gdb" % (checked, len(tables), " ".join(tables)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
