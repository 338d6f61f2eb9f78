#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live proof of the committed grpc module table (generated/grpc.*).

tests/programs/grpclive, built with the newest grpc version the table
measured (from the module mirror, with its suite pins, the newest Go
toolchain the table used for it), runs a gRPC server and a client on
loopback and makes one call; before it, the program prints the dial target
and the method name.  Under gdb (amd64 natively, arm64 under qemu-aarch64
-g with gdb-multiarch) it stops at the first instruction of
grpc.(*ClientConn).Invoke and of transport.(*http2Client).NewStream (ELF
symbol addresses, where a uprobe fires) and reads memory only where the
generated C says:
  - Invoke: cc (grpc_clientconn_invoke_params) and, at cc +
    grpc_clientconn_target_offset, the target string; the method parameter;
  - NewStream: t and callHdr (grpc_http2client_newstream_params); at
    callHdr + grpc_callhdr_method_offset the method; at t +
    grpc_http2client_nextid_offset the next stream id, which for the first
    stream of a client transport is 1 (RFC 9113 5.1.1: client streams are
    odd, the first is 1).
The bytes must be what the program printed.  Exit 0 pass, 1 fail, 77 skip.
Cost: two go builds of a gRPC program (shared GOCACHE under the build
directory) and two short runs under gdb.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_params_live as live  # noqa: E402
import e2e_modtables_committed as mc  # noqa: E402

SRC = os.environ.get("LUTGEN_SOURCE_ROOT")
BUILD = os.environ.get("LUTGEN_BUILD_ROOT")
INVOKE = "google.golang.org/grpc.(*ClientConn).Invoke"
NEWSTREAM = "google.golang.org/grpc/internal/transport.(*http2Client).NewStream"

DRIVER = r"""
#include <stdio.h>
#include "grpc.h"

static void params(const char *fn, int rc, const struct lutgen_go_params *p)
{
	unsigned i, j;

	printf("params\t%s\t%d", fn, rc);
	for (i = 0; rc >= 0 && p && i < p->nparams; i++) {
		printf("\t%s=", p->params[i].name);
		for (j = 0; j < p->params[i].npieces; j++) {
			const struct lutgen_go_loc_piece *c = &p->params[i].pieces[j];

			if (c->kind == LUTGEN_GO_LOC_REG)
				printf("%sreg:%s:%u", j ? "," : "", c->reg_name,
				       (unsigned)c->size);
			else
				printf("%sstack:%d:%u", j ? "," : "",
				       (int)c->stack_offset, (unsigned)c->size);
		}
	}
	printf("\n");
}

int main(int argc, char **argv)
{
	const struct lutgen_go_params *p = NULL;
	uint64_t v = 0;
	int rc;

	if (argc != 4)
		return 2;
	rc = grpc_clientconn_invoke_params(argv[1], argv[2], argv[3], &p);
	params("invoke", rc, p);
	rc = grpc_http2client_newstream_params(argv[1], argv[2], argv[3], &p);
	params("newstream", rc, p);
	rc = grpc_clientconn_target_offset(argv[1], argv[2], argv[3], &v);
	printf("offset\ttarget\t%d\t%llu\n", rc, (unsigned long long)v);
	rc = grpc_callhdr_method_offset(argv[1], argv[2], argv[3], &v);
	printf("offset\tmethod\t%d\t%llu\n", rc, (unsigned long long)v);
	rc = grpc_http2client_nextid_offset(argv[1], argv[2], argv[3], &v);
	printf("offset\tnextid\t%d\t%llu\n", rc, (unsigned long long)v);
	return 0;
}
"""


def skip(why):
    # Under CI the suite provides its prerequisites: missing is a failure.
    if os.environ.get("CI", "") not in ("", "0", "false"):
        live.log("FAIL (CI): " + why)
        return 1
    live.log("SKIP: " + why)
    return 77


def go_exprs():
    """Go register name -> gdb expression, per arch (from
    tests/e2e_params_live.py's psABI tables)."""
    return {a: {reg[0]: reg[1] for reg in live.REGS[a].values()}
            for a in live.REGS}


def piece_expr(arch, piece):
    kind, where, size = piece
    if kind == "reg":
        return go_exprs()[arch][where]
    return "*(unsigned long long *)($sp + %d)" % int(where)


def answers(driver, version, go, arch):
    out = live.run([driver, version, go, arch]).stdout
    params, offsets = {}, {}
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "params":
            if int(f[2]) != 0:
                raise live.Failure("%s params: code %s" % (f[1], f[2]))
            params[f[1]] = {}
            for a in f[3:]:
                name, pcs = a.split("=", 1)
                params[f[1]][name] = [tuple(pc.split(":"))
                                      for pc in pcs.split(",")]
        elif f[0] == "offset":
            if int(f[2]) != 0:
                raise live.Failure("%s offset: code %s" % (f[1], f[2]))
            offsets[f[1]] = int(f[3])
    return params, offsets


def dump_string(label, ptr, length):
    return ["  set $s = %s" % ptr, "  set $n = %s" % length,
            '  printf "str\\t%s\\t"' % label, "  set $i = 0",
            "  while $i < $n && $i < 512",
            '    printf "%02x", *(unsigned char *)($s + $i)',
            "    set $i = $i + 1", "  end", '  printf "\\n"']


def script(arch, addr, params, offsets, native, progout):
    inv, ns = params["invoke"], params["newstream"]
    for fn, ps, names in (("Invoke", inv, ("cc", "method")),
                          ("NewStream", ns, ("t", "callHdr"))):
        for n in names:
            if n not in ps:
                raise live.Failure("the table names no parameter %s of %s "
                                   "(it has %s)" % (n, fn, " ".join(ps)))
    cc = piece_expr(arch, inv["cc"][0])
    m = inv["method"]
    if len(m) != 2:
        raise live.Failure("method (a string) in %d pieces" % len(m))
    t = piece_expr(arch, ns["t"][0])
    hdr = piece_expr(arch, ns["callHdr"][0])
    lines = ["set pagination off", "set confirm off", "set width 0",
             "set language c", "handle SIGURG nostop noprint pass",
             "handle SIGPIPE nostop noprint pass",
             "break *0x%x" % addr[INVOKE], "break *0x%x" % addr[NEWSTREAM],
             "run > '%s'" % progout if native else "continue",
             "set $seen_i = 0", "set $seen_n = 0",
             "while $_isvoid($_exitcode)",
             "  if $pc == 0x%x && $seen_i == 0" % addr[INVOKE],
             "  set $seen_i = 1", '  printf "hit\\tinvoke\\n"',
             "  set $cc = %s" % cc]
    lines += ["  " + x for x in dump_string(
        "target", "*(unsigned long long *)($cc + %d)" % offsets["target"],
        "*(long long *)($cc + %d)" % (offsets["target"] + 8))]
    lines += ["  " + x for x in dump_string(
        "method", piece_expr(arch, m[0]), piece_expr(arch, m[1]))]
    lines += ["  end",
              "  if $pc == 0x%x && $seen_n == 0" % addr[NEWSTREAM],
              "  set $seen_n = 1", '  printf "hit\\tnewstream\\n"',
              "  set $t = %s" % t, "  set $h = %s" % hdr]
    lines += ["  " + x for x in dump_string(
        "callhdr_method", "*(unsigned long long *)($h + %d)"
        % offsets["method"], "*(long long *)($h + %d)"
        % (offsets["method"] + 8))]
    lines += ['    printf "u32\\tnextid\\t%%u\\n", *(unsigned int *)($t + %d)'
              % offsets["nextid"],
              "  end", "  continue", "end",
              'printf "exit\\t%d\\n", $_exitcode']
    return "\n".join(lines) + "\n"


def main():
    if not SRC or not BUILD:
        return skip("LUTGEN_SOURCE_ROOT / LUTGEN_BUILD_ROOT not set")
    gen = os.path.join(SRC, "generated")
    if not os.path.exists(os.path.join(gen, "grpc.json")):
        return skip("generated/grpc.json is not committed")
    tools = {}
    for t in ("gdb", "gdb-multiarch", "qemu-aarch64", "cc", "nm"):
        tools[t] = shutil.which(t)
        if not tools[t]:
            return skip("%s is not installed" % t)
    with open(os.path.join(gen, "grpc.json")) as f:
        tj = json.load(f)
    mirror = os.path.join(SRC, "scripts", "go-mirror")
    goroots = dict(l.split(None, 1) for l in live.run(
        [mirror, "--quiet", "goroots"]).stdout.splitlines() if " " in l)
    moddir = live.run([mirror, "--quiet", "moddir"]).stdout.strip()
    with open(os.path.join(moddir, "modules.json")) as f:
        targets = json.load(f)["targets"]
    work = os.path.join(BUILD, "e2e-grpc-live")
    os.makedirs(work, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="lutgen-e2e-grpc-live-")
    fails = []
    try:
        drv = os.path.join(tmp, "driver")
        with open(os.path.join(tmp, "driver.c"), "w") as f:
            f.write(DRIVER)
        live.run(["cc", "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror",
                  "-I", gen, "-o", drv, os.path.join(tmp, "driver.c"),
                  os.path.join(gen, "grpc.c"),
                  os.path.join(gen, "lutgen_go.c")])
        path = tj["module"]["path"]
        for arch in ("amd64", "arm64"):
            if arch not in tj["arches"]:
                fails.append("the grpc table does not cover " + arch)
                continue
            entries = [e for e in tj["lookups"][0]["entries"]
                       if e["arch"] == arch]
            v = max((e["module_version"] for e in entries),
                    key=mc.modver_key)
            go = max((e["go_version"] for e in entries
                      if e["module_version"] == v), key=mc.go_key)
            suite = mc.pick_suite(targets, path, v)
            with open(os.path.join(moddir, "suites",
                                   suite + ".replace")) as f:
                replace = f.read()
            binary = os.path.join(tmp, "grpclive-" + arch)
            src = os.path.join(tmp, "src")
            shutil.rmtree(src, ignore_errors=True)
            shutil.copytree(os.path.join(SRC, "tests", "programs",
                                         "grpclive"), src)
            with open(os.path.join(src, "go.mod"), "w") as f:
                f.write("module grpclive\n\ngo 1.%d\n\nrequire %s %s\n\n%s"
                        % (live.minor_of(go), path, v, replace))
            env = {"PATH": goroots[go] + "/bin:/usr/bin:/bin",
                   "GOROOT": goroots[go], "HOME": tmp, "GOOS": "linux",
                   "GOARCH": arch, "CGO_ENABLED": "0",
                   "GOTOOLCHAIN": "local", "GOPROXY": "file://" +
                   os.path.join(moddir, "proxy"), "GOSUMDB": "off",
                   "GONOSUMDB": "*", "GOENV": "off", "GO111MODULE": "on",
                   "GOFLAGS": "-mod=mod -modcacherw", "GOTELEMETRY": "off",
                   "GOCACHE": os.path.join(work, "gocache-" + go),
                   "GOMODCACHE": os.path.join(work, "gomodcache"),
                   "GOPATH": os.path.join(tmp, "gopath")}
            live.run([goroots[go] + "/bin/go", "build", "-trimpath", "-o",
                      binary, "."], env=env, cwd=src, timeout=1800)
            params, offsets = answers(drv, v, go, arch)
            addr = live.symbol_addresses(binary, [INVOKE, NEWSTREAM])
            progout = os.path.join(tmp, "out-" + arch)
            sp = os.path.join(tmp, "gdb-" + arch)
            with open(sp, "w") as f:
                f.write(script(arch, addr, params, offsets, arch == "amd64",
                               progout))
            gout, pout = live.run_under_gdb(arch, binary, [], sp, progout,
                                           tools)
            expect = dict(l.split("\t")[1:3] for l in pout.splitlines()
                          if l.startswith("expect\t"))
            got = {}
            for l in gout.splitlines():
                f = l.split("\t")
                if f[0] in ("str", "u32", "hit", "exit") and len(f) >= 2:
                    got.setdefault(f[0] + ":" + f[1],
                                   f[2] if len(f) > 2 else "")
            label = "grpc %s %s %s" % (v, go, arch)
            if "reply echo ping" not in pout:
                fails.append("%s: the program did not finish its call:\n%s"
                             "\n%s" % (label, pout[-1500:], gout[-3000:]))
                continue
            for key, want in (("str:target", expect.get("target")),
                              ("str:method", expect.get("method")),
                              ("str:callhdr_method", expect.get("method")),
                              ("u32:nextid", "1")):
                if got.get(key) != want:
                    fails.append("%s: %s read %r, the program says %r\n%s"
                                 % (label, key, got.get(key), want,
                                    gout[-3000:]))
            live.log("%s: target %s, method %s, nextID %s read where the "
                     "table says" % (label, bytes.fromhex(
                         got.get("str:target", "")).decode(errors="replace"),
                         bytes.fromhex(got.get("str:method", "")).decode(
                             errors="replace"), got.get("u32:nextid")))
    except live.Failure as e:
        fails.append(str(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for f in fails:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
