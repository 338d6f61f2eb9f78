#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every lookup of the standard-library specs, checked against gdb.

usage: e2e_std_tables.py DWARF_QUERY

DWARF_QUERY is bench/dwarf-query (built by meson): `dwarf-query BIN -a
SPEC...` prints what lutgen's inspector answers for every lookup of the
specs, one "NAME<TAB>VALUE" line each, as `lutgen generate` measures them.

For the oldest and the newest mirror toolchain and each GOARCH, this test
builds lutgen/programs/std as lutgen's builder does (go build -trimpath,
CGO_ENABLED=0, a fresh go.mod) and reads every lookup of the specs that
use it a second time, independently, with gdb-multiarch on the same
binary:

  struct_offset  print &((struct 'T' *)0)->a.b           (gdb's DWARF)
  field_size     print sizeof(((struct 'T' *)0)->a.b)
  type_size      print sizeof(struct 'T')
  const          print 'pkg.Name'
  func_params    info scope (at F's first instruction outside inlined
                 code): the location of each parameter in the
                 range that starts at the function's entry, registers by
                 their psABI DWARF numbers (written here), stack slots
                 converted from the CFA with the rule readelf prints for
                 the binary's CIE
  g_location     the base register of the load of g.stackguard0 in gdb's
                 disassembly of the function's first instructions (or the
                 TLS slot the x86 prologue loads g from)
  alternatives   the first spelling gdb resolves; an optional lookup that
                 lutgen calls absent must resolve in no spelling

func_results have no DWARF location at the return (Go describes results
by a spill slot or not at all): tests/e2e_params_live.py proves them
live under gdb.

Environment: LUTGEN_SOURCE_ROOT, LUTGEN_BUILD_ROOT, LUTGEN_GO_MIRROR (meson
test_env).  LUTGEN_STD_TABLES_ARCHES: GOARCHes ("all": every Linux
GOARCH gdb-multiarch can read, i.e. all but loong64; default "amd64
arm64": what CI pays for); LUTGEN_STD_TABLES_VERSIONS:
toolchains (default: the oldest and the newest); LUTGEN_TEST_GOCACHE: a
GOCACHE to share ("{version}" is replaced by the toolchain's version;
default: build/e2e-std-gocache, shared with e2e_params_live.py).  Exit status:
0 pass, 1 failure, 77 skip (prerequisite missing; a failure under
CI=true).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
# Under CI a missing prerequisite is a failure, not a skip.
CI = os.environ.get("CI", "") not in ("", "0", "false")
MISSING = 1 if CI else SKIP
# Every Linux GOARCH but loong64: gdb-multiarch 13 (Debian bookworm) has
# no LoongArch support, so nothing here can read those binaries.
ALL_ARCHES = ["amd64", "arm64", "386", "arm", "ppc64le", "ppc64", "s390x",
              "riscv64", "mips64le", "mips64", "mipsle", "mips"]
GDB_ARCH = {"amd64": "i386:x86-64", "386": "i386", "arm64": "aarch64",
            "arm": "arm", "ppc64le": "powerpc:common64",
            "ppc64": "powerpc:common64", "s390x": "s390:64-bit",
            "riscv64": "riscv:rv64",
            "mips64le": "mips:isa64r2", "mips64": "mips:isa64r2",
            "mipsle": "mips:isa32r2", "mips": "mips:isa32r2"}


def _seq(names, first=0):
    return {n: first + i for i, n in enumerate(names)}


# gdb's register names -> DWARF register numbers, from the psABIs (System V
# AMD64 and i386, AADWARF64, the 64-bit PowerPC and s390x ELF ABIs, the
# RISC-V, LoongArch and MIPS ABIs); not from lutgen.
def _regs():
    rv_x = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1",
            "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3",
            "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4",
            "t5", "t6"]
    rv_f = ["ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0",
            "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7",
            "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10",
            "fs11", "ft8", "ft9", "ft10", "ft11"]
    la = ["zero", "ra", "tp", "sp", "a0", "a1", "a2", "a3", "a4", "a5",
          "a6", "a7", "t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8",
          "r21", "fp", "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"]
    amd64 = _seq(["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp"])
    amd64.update({"r%d" % i: i for i in range(8, 16)})
    amd64.update({"xmm%d" % i: 17 + i for i in range(16)})
    i386 = _seq(["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"])
    arm64 = {"x%d" % i: i for i in range(31)}
    arm64.update({"sp": 31, "fp": 29, "lr": 30})
    arm64.update({"v%d" % i: 64 + i for i in range(32)})
    arm64.update({"d%d" % i: 64 + i for i in range(32)})
    arm = {"r%d" % i: i for i in range(16)}
    arm.update({"sp": 13, "lr": 14, "pc": 15, "fp": 11, "ip": 12,
                "sl": 10})
    ppc = {"r%d" % i: i for i in range(32)}
    ppc.update({"f%d" % i: 32 + i for i in range(32)})
    s390 = {"r%d" % i: i for i in range(16)}
    s390.update({"f%d" % f: 16 + i for i, f in enumerate(
        [0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15])})
    rv = _seq(rv_x)
    rv.update({"s0": 8, "x8": 8})
    rv.update({"x%d" % i: i for i in range(32)})
    rv.update(_seq(rv_f, 32))
    rv.update({"f%d" % i: 32 + i for i in range(32)})
    loong = _seq(la)
    loong.update({"r%d" % i: i for i in range(32)})
    loong.update({"f%d" % i: 32 + i for i in range(32)})
    loong.update({"fa%d" % i: 32 + i for i in range(8)})
    mips = {str(i): i for i in range(32)}
    mips.update({"r%d" % i: i for i in range(32)})
    mips.update({"f%d" % i: 32 + i for i in range(32)})
    mips.update({"zero": 0, "at": 1, "v0": 2, "v1": 3, "s0": 16, "s1": 17,
                 "s2": 18, "s3": 19, "s4": 20, "s5": 21, "s6": 22,
                 "s7": 23, "t8": 24, "t9": 25, "k0": 26, "k1": 27,
                 "gp": 28, "sp": 29, "s8": 30, "fp": 30, "ra": 31})
    o32 = dict(mips, **_seq(["a0", "a1", "a2", "a3", "t0", "t1", "t2", "t3",
                             "t4", "t5", "t6", "t7"], 4))
    n64 = dict(mips, **_seq(["a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7",
                             "t0", "t1", "t2", "t3"], 4))
    return {"amd64": amd64, "386": i386, "arm64": arm64, "arm": arm,
            "ppc64le": ppc, "ppc64": ppc, "s390x": s390, "riscv64": rv,
            "loong64": loong, "mips64le": n64, "mips64": n64,
            "mipsle": o32, "mips": o32}


REGS = _regs()


class Failure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def run(argv, env=None, cwd=None, timeout=900, check=True):
    try:
        p = subprocess.run(argv, env=env, cwd=cwd, timeout=timeout,
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True)
    except subprocess.TimeoutExpired as e:
        raise Failure("%s timed out after %ds" % (" ".join(argv), timeout))
    if check and p.returncode != 0:
        raise Failure("%s failed (exit %d):\n%s"
                      % (" ".join(argv), p.returncode, p.stdout[-3000:]))
    return p


def version_key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


def minor_of(v):
    m = re.match(r"go1\.(\d+)", v)
    return int(m.group(1)) if m else 0


def go_build(goroot, version, goarch, program_dir, out, work, gocache):
    """Build like lutgen/measure/builder.c; False when the toolchain cannot
    target goarch."""
    mod = tempfile.mkdtemp(prefix="mod.", dir=work)
    try:
        for name in os.listdir(program_dir):
            shutil.copy(os.path.join(program_dir, name), mod)
        with open(os.path.join(mod, "go.mod"), "w") as f:
            f.write("module lutgenprobe\n\ngo 1.%d\n" % minor_of(version))
        home = os.path.join(work, "home")
        os.makedirs(home, exist_ok=True)
        env = {"PATH": "%s/bin:/usr/bin:/bin" % goroot, "GOROOT": goroot,
               "GOOS": "linux", "GOARCH": goarch, "CGO_ENABLED": "0",
               "GO111MODULE": "on", "GOTOOLCHAIN": "local",
               "GOPROXY": "off", "GOSUMDB": "off", "GOFLAGS": "-mod=mod",
               "GOTELEMETRY": "off", "GOENV": "off", "GOWORK": "off",
               "GOCACHE": gocache.replace("{version}", version),
               "GOPATH": os.path.join(work, "gopath"),
               "HOME": home, "TMPDIR": work}
        argv = [os.path.join(goroot, "bin", "go"), "build", "-trimpath"]
        if minor_of(version) >= 18:
            argv.append("-buildvcs=false")
        p = run(argv + ["-o", out, "."], env=env, cwd=mod, check=False)
        if p.returncode != 0 and "unsupported GOOS/GOARCH pair" in p.stdout:
            return False
        if p.returncode != 0:
            raise Failure("go build %s %s: %s" % (version, goarch,
                                                  p.stdout[-2000:]))
        return True
    finally:
        shutil.rmtree(mod, ignore_errors=True)


def lutgen_answers(query, binary, specs):
    p = run([query, binary, "-a"] + specs, check=False)
    if p.returncode != 0:
        raise Failure("inspector: %s" % p.stdout[-2000:])
    out = {}
    for line in p.stdout.splitlines():
        name, _, val = line.partition("\t")
        out[name] = val
    return out


# `info scope F` lists the symbols of the innermost block at F's entry up
# to the first function's block, which is an inlined callee's when F
# starts with inlined code (s390x's goroutineLock.check in
# processHeaders): `lutgen-scope F` asks about the first instruction
# whose innermost function block is F's own.
GDB_SCOPE = r"""
import gdb
class LutgenScope(gdb.Command):
    def __init__(self):
        super().__init__("lutgen-scope", gdb.COMMAND_USER)
    def invoke(self, name, tty):
        try:
            pc = int(gdb.parse_and_eval("(long)&'%s'" % name)) & (2**64 - 1)
        except gdb.error as e:
            print("No function %s: %s" % (name, e))
            return
        arch = gdb.selected_inferior().architecture()
        fb = gdb.block_for_pc(pc)
        while fb is not None and not (fb.function is not None and
                                      fb.function.name == name):
            fb = fb.superblock
        at = pc
        if fb is not None:
            for _ in range(8192):
                if at >= fb.end:
                    at = pc
                    break
                b = gdb.block_for_pc(at)
                while b is not None and b.function is None:
                    b = b.superblock
                if b is not None and b.start == fb.start and \
                        b.function.name == name:
                    break
                at += arch.disassemble(at)[0]["length"]
        gdb.write(gdb.execute("info scope *0x%x" % at, to_string=True))
LutgenScope()
"""


def gdb_batch(goarch, binary, commands):
    """Run gdb-multiarch on the binary; output split per command by
    markers."""
    script = os.path.join(os.path.dirname(binary), "lutgen-scope.py")
    with open(script, "w") as f:
        f.write(GDB_SCOPE)
    argv = ["gdb-multiarch", "-nx", "-batch", "-ex", "set pagination off",
            "-ex", "set width 0", "-ex", "set language c", "-ex",
            "set architecture %s" % GDB_ARCH[goarch], "-ex",
            "file %s" % binary, "-ex", "source %s" % script]
    for i, c in enumerate(commands):
        argv += ["-ex", "echo @@%d@@\\n" % i, "-ex", c]
    argv += ["-ex", "echo @@end@@\\n"]
    p = run(argv, check=False, timeout=600)
    parts = re.split(r"^@@(\d+|end)@@$", p.stdout, flags=re.M)
    res = {}
    for i in range(1, len(parts) - 1, 2):
        if parts[i] != "end":
            res[int(parts[i])] = parts[i + 1].strip()
    return res


def cfa_to_sp(binary):
    """SP at entry = CFA - N: the CIE's DW_CFA_def_cfa offset, as readelf
    prints it."""
    p = subprocess.Popen(["readelf", "--debug-dump=frames", binary],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         universal_newlines=True)
    n = None
    for line in p.stdout:
        m = re.search(r"DW_CFA_def_cfa: \S+(?: \([^)]*\))? ofs (\d+)", line)
        if m:
            n = int(m.group(1))
            break
    p.kill()
    p.wait()
    if n is None:
        raise Failure("%s: no DW_CFA_def_cfa in the CIE" % binary)
    return n


def spellings(v):
    return v if isinstance(v, list) else [v]


def path_expr(t, field):
    return "((struct '%s' *)0)->%s" % (t, field)


def parse_number(out):
    m = re.match(r"^\$\d+ = (-?\d+)", out.strip())
    return int(m.group(1)) if m else None


# ---- func_params: gdb's `info scope` ----------------------------------

def scope_symbols(text):
    """{name: (description at the entry pc or None, length)} from `info
    scope` (gdb lists parameters and locals alike; names tell them apart)."""
    syms = {}
    for block in re.split(r"^Symbol ", text, flags=re.M)[1:]:
        m = re.match(r"(\S+) is (.*)", block, re.S)
        if not m:
            continue
        name, rest = m.group(1), m.group(2)
        lm = re.search(r",? length (\d+)\.\s*$", rest)
        length = int(lm.group(1)) if lm else None
        if lm:
            rest = rest[:lm.start()]
        if rest.startswith("optimized out"):
            syms[name] = (None, length)
            continue
        if not rest.startswith("multi-location"):
            syms[name] = (rest, length)
            continue
        bm = re.search(r"Base address (0x[0-9a-f]+)", rest)
        base = int(bm.group(1), 16) if bm else None
        ranges = list(re.finditer(r"Range (0x[0-9a-f]+)-0x[0-9a-f]+: ", rest))
        entry = None
        for i, r in enumerate(ranges):
            end = ranges[i + 1].start() if i + 1 < len(ranges) else len(rest)
            if int(r.group(1), 16) == base:
                entry = rest[r.end():end].strip()
                break
        syms[name] = (entry, length)
    return syms


def scope_pieces(desc, length, regs, cfa):
    """[(kind, value, size)] from one location description: ("reg", DWARF
    number, size), ("stack", SP offset at entry, size); None when the
    parameter has no location there."""
    if desc is None:
        return []
    parts = re.split(r",\s+and ", desc.strip())
    pieces = []
    for part in parts:
        size = None
        sm = re.search(r"\[(\d+)-byte piece\]", part)
        if sm:
            size = int(sm.group(1))
        em = re.match(r"\s*an empty (\d+)-byte piece", part)
        if em:
            pieces.append(("empty", 0, int(em.group(1))))
            continue
        rm = re.search(r"a variable in \$(\w+)", part)
        if rm:
            name = rm.group(1)
            if name not in regs:
                raise Failure("gdb register $%s has no DWARF number here"
                              % name)
            pieces.append(("reg", regs[name], size))
            continue
        fm = re.search(r"DW_OP_fbreg (-?\d+)", part)
        if fm:
            pieces.append(("stack", int(fm.group(1)) + cfa, size))
            continue
        if "DW_OP_call_frame_cfa" in part:
            pieces.append(("stack", cfa, size))
            continue
        raise Failure("unparsed gdb location: %r" % part)
    while pieces and pieces[-1][0] == "empty":
        pieces.pop()   # dead trailing words: lutgen leaves them out too
    return pieces


def lutgen_pieces(val):
    """{param: [(kind, value, size)]} from lutgen's rendering of a location
    list, "c:RAX(8) b:SP+16(8)+SP+24(8) x:-" (lutgen/core/value.h):
    registers by their Go name, stack slots by their offset."""
    out = {}
    if val == "(none)":
        return out
    for tok in val.split(" "):
        name, _, locs = tok.rpartition(":")
        pcs = []
        for loc, size in re.findall(
                r"(SP[+-]\d+|TLS[+-]\d+|[A-Za-z][A-Za-z0-9]*)\((\d+)\)",
                locs):
            if loc.startswith("SP"):
                pcs.append(("stack", int(loc[2:]), int(size)))
            else:
                pcs.append(("reg", loc, int(size)))
        out[name] = pcs
    return out


GO_REG = {
    "amd64": lambda n: {0: "RAX", 1: "RDX", 2: "RCX", 3: "RBX", 4: "RSI",
                        5: "RDI", 6: "RBP", 7: "RSP"}.get(n) or
    ("R%d" % n if n < 16 else "X%d" % (n - 17)),
    "386": lambda n: ["AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI"][n],
    "arm64": lambda n: "R%d" % n if n < 31 else ("RSP" if n == 31 else
                                                 "F%d" % (n - 64)),
    "riscv64": lambda n: "X%d" % n if n < 32 else "F%d" % (n - 32),
    "s390x": lambda n: "R%d" % n if n < 16 else "F%d" % [
        0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15][n - 16],
}


def go_reg_name(goarch, n):
    """Go's assembler name of DWARF register n (what lutgen prints)."""
    f = GO_REG.get(goarch)
    if f:
        return f(n)
    return "R%d" % n if n < 32 else "F%d" % (n - 32)


def check_params(label, goarch, fn_spell, val, text, cfa):
    lp = lutgen_pieces(val)
    syms = scope_symbols(text)
    for name, pcs in lp.items():
        if name not in syms:
            raise Failure("%s %s: gdb knows no parameter %s"
                          % (label, fn_spell, name))
        desc, length = syms[name]
        gp = scope_pieces(desc, length, REGS[goarch], cfa)
        want = [("reg", go_reg_name(goarch, v), s) if k == "reg" else
                (k, v, s) for k, v, s in gp if k != "empty"]
        if [p for p in gp if p[0] == "empty"]:
            raise Failure("%s %s %s: a dead word inside at entry (gdb: %s)"
                          % (label, fn_spell, name, desc))
        # A location without DW_OP_piece covers the whole parameter; gdb
        # then prints no piece size (and its "length" is its own idea of
        # the type: 1 for a func value), so only the place is compared.
        if len(want) == 1 and want[0][2] is None and len(pcs) == 1:
            want = [want[0][:2] + (pcs[0][2],)]
        if want != pcs:
            raise Failure("%s %s %s: lutgen %s, gdb %s (%s)"
                          % (label, fn_spell, name, pcs, want, desc))


# ---- g_location: gdb's disassembly ------------------------------------

def g_from_disassembly(goarch, text, sg):
    """("reg", DWARF number) or ("tls", offset) of the first load of
    g.stackguard0 (offset sg) in gdb's disassembly."""
    regs = REGS[goarch]
    lines = [l for l in text.splitlines() if "\t" in l or ":" in l]
    tp_reg = {}
    for l in lines[:16]:
        ins = l.split(":", 1)[-1].strip()
        if goarch in ("amd64", "386"):
            # AT&T syntax: mov %fs:0xfffffffffffffff8,%rcx / mov
            # %gs:0x0,%ecx; mov -0x4(%ecx),%ecx; cmp 0x10(%r14),%rsp
            m = re.match(r"mov\w*\s+%[fg]s:(0x[0-9a-f]+),%(\w+)", ins)
            if m:
                off = int(m.group(1), 16)
                if off >= 1 << 63:
                    off -= 1 << 64
                tp_reg[m.group(2)] = ("tp", 0) if off == 0 else ("tls", off)
                continue
            m = re.search(r"(-?0x[0-9a-f]+)\(%(\w+)\)", ins)
            if m:
                off = int(m.group(1), 16)
                base = m.group(2)
                if tp_reg.get(base, ("", 0))[0] == "tp" and \
                        ins.startswith("mov"):
                    dst = re.search(r",%(\w+)$", ins).group(1)
                    tp_reg[dst] = ("tls", off)
                    continue
                if off == sg:
                    if tp_reg.get(base, ("", 0))[0] == "tls":
                        return ("tls", tp_reg[base][1])
                    return ("reg", regs.get(base))
            continue
        m = (re.search(r"\[(\w+),\s*#(-?\d+)\]", ins) or        # arm, arm64
             re.search(r"(-?\d+)\(\$?%?(\w+)\)", ins) or         # ppc, riscv, mips, s390x
             re.search(r"\$?(\w+),\s*\$?(\w+),\s*(-?\d+)$", ins))  # loong64
        if not m:
            continue
        g = m.groups()
        if len(g) == 3:
            base, off = g[1], int(g[2])
        elif g[0].lstrip("-").isdigit():
            off, base = int(g[0]), g[1]
        else:
            base, off = g[0], int(g[1])
        if off == sg:
            return ("reg", regs.get(base.lstrip("$%")))
    return None


# ---- the checks -------------------------------------------------------

def gdb_plan(spec_lookups):
    """gdb commands answering each lookup: [(lookup, [(command, what)])]"""
    plan = []
    for l in spec_lookups:
        cmds = []
        k = l["kind"]
        if k in ("struct_offset", "field_size"):
            for t in spellings(l["type"]):
                for f in spellings(l["field"]):
                    e = path_expr(t, f)
                    cmds.append("print (long)&%s" % e if k == "struct_offset"
                                else "print (long)sizeof(%s)" % e)
        elif k == "type_size":
            cmds += ["print (long)sizeof(struct '%s')" % t
                     for t in spellings(l["type"])]
        elif k == "const":
            cmds += ["print (long)'%s'" % c for c in spellings(l["const"])]
        elif k == "func_params":
            cmds += ["lutgen-scope %s" % f for f in spellings(l["function"])]
        elif k == "g_location":
            cmds += ["x/16i '%s'" % f for f in spellings(l["function"])]
        plan.append((l, cmds))
    return plan


def check_binary(label, goarch, binary, query, specs, spec_docs):
    ans = lutgen_answers(query, binary, specs)
    lookups = [l for d in spec_docs for l in d["lookups"]]
    plan = gdb_plan(lookups)
    cmds = ["print (long)&((struct 'runtime.g' *)0)->stackguard0"]
    for _, cs in plan:
        cmds += cs
    outs = gdb_batch(goarch, binary, cmds)
    sg = parse_number(outs.get(0, ""))
    cfa = cfa_to_sp(binary)
    i = 1
    counts = {}
    for l, cs in plan:
        res = [outs.get(i + j, "") for j in range(len(cs))]
        i += len(cs)
        name, k = l["name"], l["kind"]
        val = ans.get(name)
        if val is None:
            raise Failure("%s: lutgen did not answer %s" % (label, name))
        counts[k] = counts.get(k, 0) + 1
        if k == "func_results":
            continue   # proved live (e2e_params_live)
        found = [r for r in res if not re.search(
            r"No symbol|no member named|There is no member|No struct type|"
            r"No function|not defined|No symbol table", r)]
        if val == "absent":
            if not l.get("optional") or found:
                raise Failure("%s %s: lutgen says absent, gdb found %s"
                              % (label, name, found[:1]))
            continue
        if not found:
            raise Failure("%s %s: gdb resolves no spelling: %s"
                          % (label, name, res[:1]))
        if k in ("struct_offset", "field_size", "type_size", "const"):
            if str(parse_number(found[0])) != val:
                raise Failure("%s %s: lutgen %s, gdb %s"
                              % (label, name, val, found[0]))
        elif k == "func_params":
            check_params(label, goarch, name, val, found[0], cfa)
        elif k == "g_location":
            g = g_from_disassembly(goarch, found[0], sg)
            m = re.match(r"g:(TLS([+-]\d+)|(\w+))\(\d+\)$", val)
            want = (("tls", int(m.group(2))) if m.group(2) else
                    ("reg", m.group(3)))
            got = (g[0], go_reg_name(goarch, g[1])) if g and \
                g[0] == "reg" and g[1] is not None else g
            if got != want:
                raise Failure("%s %s: lutgen %s, gdb's disassembly %s\n%s"
                              % (label, name, val, got, found[0][:800]))
    return counts


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    query = argv[1]
    src = os.environ.get("LUTGEN_SOURCE_ROOT")
    build = os.environ.get("LUTGEN_BUILD_ROOT")
    mirror = os.environ.get("LUTGEN_GO_MIRROR")
    if not (src and build and mirror):
        print("LUTGEN_SOURCE_ROOT, LUTGEN_BUILD_ROOT and LUTGEN_GO_MIRROR "
              "must be set (run through meson test)", file=sys.stderr)
        return 2
    for t in ("gdb-multiarch", "readelf"):
        if not shutil.which(t):
            log("SKIP: %s not found (scripts/bootstrap installs it)" % t)
            return MISSING
    p = run([mirror, "goroots"], check=False)
    goroots = dict(l.split(None, 1) for l in p.stdout.splitlines()
                   if l.startswith("go") and len(l.split()) == 2)
    if not goroots:
        log("SKIP: `%s goroots` lists no toolchain" % mirror)
        return MISSING
    vs = sorted(goroots, key=version_key)
    want_v = os.environ.get("LUTGEN_STD_TABLES_VERSIONS", "").split()
    versions = want_v or sorted({vs[0], vs[-1]}, key=version_key)
    want_a = os.environ.get("LUTGEN_STD_TABLES_ARCHES", "amd64 arm64")
    arches = ALL_ARCHES if want_a.strip() == "all" else want_a.split()
    spec_files = []
    docs = []
    for f in sorted(os.listdir(os.path.join(src, "lutgen", "specs"))):
        with open(os.path.join(src, "lutgen", "specs", f)) as fh:
            d = json.load(fh)
        if d["program"] == "std":
            spec_files.append(os.path.join(src, "lutgen", "specs", f))
            docs.append(d)
    if not spec_files:
        log("SKIP: no spec of lutgen/specs/ uses lutgen/programs/std")
        return SKIP
    work = os.path.join(build, "e2e-std-tables")
    os.makedirs(os.path.join(work, "bin"), exist_ok=True)
    # "{version}": replaced per toolchain; by default one GOCACHE under
    # the build directory, shared with e2e_params_live.py
    gocache = os.environ.get("LUTGEN_TEST_GOCACHE") or os.path.join(
        build, "e2e-std-gocache")
    log("toolchains: %s; arches: %s; specs: %s"
        % (" ".join(versions), " ".join(arches),
           " ".join(d["name"] for d in docs)))
    failures = []
    t0 = time.monotonic()
    for v in versions:
        for arch in arches:
            label = "%s/%s" % (v, arch)
            binary = os.path.join(work, "bin", "std-%s-%s" % (v, arch))
            try:
                if not go_build(goroots[v], v, arch,
                                os.path.join(src, "lutgen", "programs",
                                             "std"), binary, work, gocache):
                    log("skip %s: the toolchain cannot target %s"
                        % (label, arch))
                    continue
                counts = check_binary(label, arch, binary, query,
                                      spec_files, docs)
                log("ok   %s: %s" % (label, ", ".join(
                    "%d %s" % (n, k) for k, n in sorted(counts.items()))))
            except Failure as e:
                log("FAIL %s: %s" % (label, e))
                failures.append(label)
    log("%.0f s" % (time.monotonic() - t0))
    if failures:
        log("FAILED: %s" % " ".join(failures))
        return 1
    log("PASS: every lookup of %s agrees with gdb (%s; %s)"
        % (" ".join(d["name"] for d in docs), " ".join(versions),
           " ".join(arches)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
