#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live proof that the locations lutgen reads from DWARF are what a uprobe
sees: parameters at a function's entry, results at its return
instructions, and the current goroutine where g_location says it is.

usage: e2e_params_live.py DRIVER

DRIVER is tests/e2e_params_live (built by meson): it prints what lutgen's
inspector (lutgen/measure/dwarf.h) answers for a binary: parameter and
result locations, g at entry, goid's offset in runtime.g.  For a few
mirror toolchains (stack ABI go1.15-1.16, register ABI go1.18+, DWARF 5
go1.25+; see pick_versions) and each GOARCH (amd64 natively, the others
under qemu-user with gdb-multiarch) this script

 1. builds tests/programs/params_live and lutgen/programs/std as lutgen's
    builder does (go build -trimpath, CGO_ENABLED=0, a fresh go.mod);
 2. asks the driver where each parameter and result of the probed
    functions is, and where g is;
 3. runs the program under gdb with `break *ADDRESS` on the symbol address
    from the ELF symbol table (`nm`: the first instruction, where a uprobe
    fires) and on every return instruction gdb's own disassembly shows in
    the function, and at each hit reads the registers and stack slots the
    driver named (SP-relative: SP at entry for parameters, SP at that
    return instruction for results); at the entry of a function with a
    stack check it also reads g where the driver says and the goid in it;
 4. checks the bytes read against what the program printed: "expect"
    lines (each argument's bytes before a call), "returned" lines (each
    result's bytes after it) and its goroutine id (runtime.Stack): the
    expected values come from the program, the observed ones from gdb;
    lutgen only says where to look.  Every call must match a stop and
    every stop a call; one call may stop twice at the entry, because a
    goroutine whose stack grows restarts the function after
    runtime.morestack (a uprobe fires twice as well).

It also checks that every lookup of the specs that use lutgen/programs/std
is answered by the inspector on the std binary.

Environment (meson's test_env): LUTGEN_SOURCE_ROOT, LUTGEN_BUILD_ROOT,
LUTGEN_GO_MIRROR.  LUTGEN_PARAMS_LIVE_VERSIONS="go1.15.15 go1.22.12 ..."
overrides the toolchain choice ("all": every mirror toolchain);
LUTGEN_PARAMS_LIVE_ARCHES="amd64 arm64 386 ..." the arches (default amd64
and arm64; "all": amd64 arm64 386 arm ppc64le s390x riscv64); an arch
whose qemu-user is missing is a failure when named or under CI=true, else
a note and the test counts as skipped.
LUTGEN_TEST_GOCACHE: a GOCACHE to share ("{version}" is replaced by the
toolchain's version).
Exit status: 0 pass, 1 failure, 77 skip (prerequisite missing; also when
a default arch could not be checked though the others passed; under
CI=true a missing prerequisite is a failure).
"""
import os
import re
import json
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

SKIP = 77
# Under CI the suite provides every prerequisite: a missing one fails.
CI = os.environ.get("CI", "") not in ("", "0", "false")
MISSING = 1 if CI else SKIP

# Functions probed in tests/programs/params_live, in call order.
PARAMS_LIVE_FUNCS = [
    "main.(*Recv).Write", "main.Ints", "main.Str", "main.Struct",
    "main.Ptr", "main.Float", "main.Many", "main.Results",
]
GOTLS_FUNCS = [
    "crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Read",
    "crypto/tls.(*Conn).Close",
]

# DWARF register number -> (Go assembler name, gdb expression, how its
# 64-bit value holds a piece).  Written from the psABIs (System V AMD64 and
# i386, AADWARF32/64, the 64-bit PowerPC and s390x ELF ABIs, the RISC-V
# psABI) and Go's assembler names, not from lutgen.  "int": the value in
# the low bytes; "raw": the same, printed as raw bits (a floating-point
# typed register); "double": a float64 register that holds a float32 as a
# double (ppc64); "high": a float32 in the high half (s390x).
def _regs_amd64():
    names = ["RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP"]
    gdb = ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp"]
    m = {i: (names[i], "$" + gdb[i], "int") for i in range(8)}
    for i in range(8, 16):
        m[i] = ("R%d" % i, "$r%d" % i, "int")
    for i in range(16):
        m[17 + i] = ("X%d" % i,
                     "(unsigned long long)$xmm%d.v2_int64[0]" % i, "int")
    return m


def _regs_arm64():
    m = {i: ("R%d" % i, "$x%d" % i, "int") for i in range(31)}
    for i in range(32):
        m[64 + i] = ("F%d" % i, "(unsigned long long)$v%d.d.u[0]" % i,
                     "int")
    return m


def _regs_386():
    names = ["AX", "CX", "DX", "BX", "SP", "BP", "SI", "DI"]
    gdb = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"]
    return {i: (names[i], "$" + gdb[i], "int") for i in range(8)}


def _regs_arm():
    gdb = ["r%d" % i for i in range(13)] + ["sp", "lr", "pc"]
    return {i: ("R%d" % i, "$" + gdb[i], "int") for i in range(16)}


def _regs_ppc64():
    m = {i: ("R%d" % i, "$r%d" % i, "int") for i in range(32)}
    for i in range(32):
        m[32 + i] = ("F%d" % i, "$f%d" % i, "double")
    return m


def _regs_s390x():
    m = {i: ("R%d" % i, "$r%d" % i, "int") for i in range(16)}
    for i, f in enumerate([0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11,
                           13, 15]):
        m[16 + i] = ("F%d" % f, "$f%d" % f, "high")
    return m


def _regs_riscv64():
    x = ["zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "fp", "s1",
         "a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4",
         "s5", "s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"]
    f = ["ft0", "ft1", "ft2", "ft3", "ft4", "ft5", "ft6", "ft7", "fs0",
         "fs1", "fa0", "fa1", "fa2", "fa3", "fa4", "fa5", "fa6", "fa7",
         "fs2", "fs3", "fs4", "fs5", "fs6", "fs7", "fs8", "fs9", "fs10",
         "fs11", "ft8", "ft9", "ft10", "ft11"]
    m = {i: ("X%d" % i, "$" + x[i], "int") for i in range(32)}
    for i in range(32):
        m[32 + i] = ("F%d" % i, "$%s.double" % f[i], "raw")
    return m


# Per GOARCH: qemu-user binary (None: native), gdb's architecture, word
# size, byte order, registers, and how gdb spells a return instruction.
ARCHES = {
    "amd64": dict(qemu=None, gdb="i386:x86-64", word=8, big=False,
                  regs=_regs_amd64(), ret=r"\bretq?\b"),
    "arm64": dict(qemu="qemu-aarch64", gdb="aarch64", word=8, big=False,
                  regs=_regs_arm64(), ret=r"\bret\b"),
    # 386 runs natively (the kernel's IA-32 emulation): qemu-i386's
    # gdbstub (7.2) breaks Go's runtime (SIGSEGV in the scheduler)
    "386": dict(qemu=None, gdb="i386", word=4, big=False,
                regs=_regs_386(), ret=r"\bret\b"),
    "arm": dict(qemu="qemu-arm", gdb="arm", word=4, big=False,
                regs=_regs_arm(),
                ret=r"\bldr\s+pc,|\badd\s+pc,\s*lr|\bbx\s+lr\b|"
                    r"\bmov\s+pc,\s*lr|\bpop\s+\{[^}]*\bpc\}"),
    "ppc64le": dict(qemu="qemu-ppc64le", gdb="powerpc:common64", word=8,
                    big=False, regs=_regs_ppc64(), ret=r"\bblr\b"),
    "s390x": dict(qemu="qemu-s390x", gdb="s390:64-bit", word=8, big=True,
                  regs=_regs_s390x(), ret=r"\bbr\s+%r14\b"),
    "riscv64": dict(qemu="qemu-riscv64", gdb="riscv:rv64", word=8,
                    big=False, regs=_regs_riscv64(),
                    ret=r"\bret\b|\bjr\s+ra\b"),
}
ALL_LIVE = ["amd64", "arm64", "386", "arm", "ppc64le", "s390x", "riscv64"]
REGS = {a: ARCHES[a]["regs"] for a in ARCHES}


class Failure(Exception):
    pass


class Hang(Failure):
    """qemu-user, its gdbstub or gdb stopped making progress: no value was
    compared, so the run may be repeated (see run_under_gdb)."""


# A probed program stops at most 39 times (arm, std's TLS part); more
# than this means the emulator replays stops (see run_under_gdb).
MAX_STOPS = 200
# Seconds one gdb session may take under qemu-user: a run takes 1-15 s,
# about 60 s on a machine busy with three other processes per core.
QEMU_GDB_TIMEOUT = 300
# Runs of one program under qemu-user when the emulator hangs.
QEMU_ATTEMPTS = 2


def log(msg):
    print(msg, flush=True)


def run(argv, env=None, cwd=None, timeout=600, check=True):
    try:
        p = subprocess.run(argv, env=env, cwd=cwd, timeout=timeout,
                           stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
    except subprocess.TimeoutExpired as e:
        out = e.output or b""
        if isinstance(out, bytes):
            out = out.decode("utf-8", "replace")
        raise Failure("%s timed out after %ds; its output so far:\n%s"
                      % (" ".join(argv), timeout, out[-3000:]))
    if check and p.returncode != 0:
        raise Failure("%s failed (exit %d):\n%s" %
                      (" ".join(argv), p.returncode, p.stdout[-3000:]))
    return p


def minor_of(version):
    m = re.match(r"go1\.(\d+)", version)
    return int(m.group(1)) if m else 0


def pick_versions(goroots):
    """Oldest stack-ABI toolchain (< go1.17), oldest register-ABI one on
    both arches (go1.18 .. go1.24), oldest DWARF 5 one (go1.25+), newest."""
    want = os.environ.get("LUTGEN_PARAMS_LIVE_VERSIONS", "").split()
    if want == ["all"]:
        return sorted(goroots, key=version_key)
    if want:
        missing = [v for v in want if v not in goroots]
        if missing:
            raise Failure("LUTGEN_PARAMS_LIVE_VERSIONS names toolchains "
                          "the mirror does not have: %s" % " ".join(missing))
        return want
    vs = sorted(goroots, key=version_key)
    picked = []
    for lo, hi, what in ((0, 16, "stack ABI (go1.16 or older)"),
                         (18, 24, "register ABI (go1.18 .. go1.24)"),
                         (25, 999, "DWARF 5 (go1.25 or newer)")):
        cand = [v for v in vs if lo <= minor_of(v) <= hi]
        if cand:
            picked.append(cand[0])
        else:
            log("note: the mirror has no %s toolchain; not covered" % what)
    if vs and vs[-1] not in picked:
        picked.append(vs[-1])
    return picked


def version_key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v))


def go_build(goroot, version, goarch, program_dir, out, work):
    """Build like lutgen/measure/builder.c: a copy of the program with its own
    go.mod, an environment that inherits nothing."""
    mod = tempfile.mkdtemp(prefix="mod.", dir=work)
    try:
        for name in os.listdir(program_dir):
            if name.endswith(".go"):
                shutil.copy(os.path.join(program_dir, name), mod)
        with open(os.path.join(mod, "go.mod"), "w") as f:
            f.write("module lutgenprobe\n\ngo 1.%d\n" % minor_of(version))
        home = os.path.join(work, "home")
        os.makedirs(home, exist_ok=True)
        env = {
            "PATH": "%s/bin:/usr/bin:/bin" % goroot,
            "GOROOT": goroot, "GOOS": "linux", "GOARCH": goarch,
            "CGO_ENABLED": "0", "GO111MODULE": "on",
            "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOSUMDB": "off",
            "GOFLAGS": "-mod=mod", "GOTELEMETRY": "off", "GOENV": "off",
            "GOWORK": "off", "GOCACHE": test_gocache(work, version),
            "GOPATH": os.path.join(work, "gopath"), "HOME": home,
            "TMPDIR": work,
        }
        argv = [os.path.join(goroot, "bin", "go"), "build", "-trimpath"]
        if minor_of(version) >= 18:
            argv.append("-buildvcs=false")
        argv += ["-o", out, "."]
        run(argv, env=env, cwd=mod, timeout=900)
    finally:
        shutil.rmtree(mod, ignore_errors=True)


def test_gocache(work, version):
    """GOCACHE of a build: LUTGEN_TEST_GOCACHE ("{version}" replaced by
    the toolchain's version, e.g. lutgen's own
    $LUTGEN_CACHE/gocache/{version}.linux-amd64) or one under the build
    directory that e2e_std_tables.py shares (both build lutgen/programs/std
    with the oldest and newest toolchain)."""
    d = os.environ.get("LUTGEN_TEST_GOCACHE")
    return d.replace("{version}", version) if d else os.path.join(
        os.path.dirname(work), "e2e-std-gocache")


def dwarf_version(binary):
    """Version of the first CU header, as readelf prints it."""
    p = subprocess.Popen(["readelf", "--debug-dump=info", binary],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         universal_newlines=True)
    v = "?"
    for line in p.stdout:
        m = re.match(r"\s*Version:\s*(\d+)", line)
        if m:
            v = m.group(1)
            break
    p.kill()
    p.wait()
    return v


def symbol_addresses(binary, funcs):
    out = run(["nm", binary]).stdout
    addr = {}
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "Tt" and parts[2] in funcs:
            addr[parts[2]] = int(parts[0], 16)
    missing = [f for f in funcs if f not in addr]
    if missing:
        raise Failure("%s: no symbol for %s" % (binary, ", ".join(missing)))
    return addr


def _pieces(field):
    pieces = []
    if field != "-":
        for pc in field.split(" "):
            q = pc.split(":")
            if q[0] == "reg":
                pieces.append(("reg", q[1], int(q[2]), int(q[3])))
            else:
                pieces.append((q[0], int(q[1]), int(q[2])))
    return pieces


def driver_params(driver, binary, funcs):
    """goarch and {"param"|"result"|"g": {function: [(name, size,
    [piece...])]}}, goid offset; piece = ("reg", goname, dwarfno, size),
    ("stack", offset, size) or ("tls", offset, size)."""
    p = run([driver, "params", binary] + funcs, check=False)
    info = {"param": {f: [] for f in funcs}, "result": {f: [] for f in funcs},
            "g": {}}
    goarch, goid_off = None, None
    fails = []
    for line in p.stdout.splitlines():
        f = line.split("\t")
        if f[0] == "goarch":
            goarch = f[1]
        elif f[0] == "goid_offset":
            goid_off = int(f[1])
        elif f[0] == "fail":
            fails.append("%s: %s" % (f[1], f[2]))
        elif f[0] in ("param", "result", "g"):
            info[f[0]].setdefault(f[1], []).append(
                (f[2], int(f[3]), _pieces(f[4])))
    if fails or p.returncode != 0 or goid_off is None:
        raise Failure("inspector could not answer for %s:\n  %s\n%s" %
                      (binary, "\n  ".join(fails), p.stdout[-2000:]))
    return goarch, info, goid_off


def reg_read(goarch, no, goname):
    """(gdb expression, how the piece sits in it) of DWARF register no."""
    regs = REGS[goarch]
    if no not in regs:
        raise Failure("DWARF register %d is not a %s register this test "
                      "knows" % (no, goarch))
    want, expr, how = regs[no]
    if goname != want:
        raise Failure("DWARF register %d is named %s, Go calls it %s"
                      % (no, goname, want))
    return expr, how


def piece_reads(goarch, pc, base):
    """[(gdb printing command of one value, how)] whose values, decoded
    in order, are the piece's bytes.  `base`: the gdb expression of the SP
    the offsets count from."""
    a = ARCHES[goarch]
    if pc[0] == "reg":
        expr, how = reg_read(goarch, pc[2], pc[1])
        if pc[3] > 8:
            raise Failure("register piece of %d bytes" % pc[3])
        if how == "int":
            return [('printf "%%llx\\n", (unsigned long long)(%s)' % expr,
                     "int")]
        return [("output/x %s\necho \\n" % expr, how)]
    _, off, size = pc
    w = a["word"]
    ctype = "unsigned long long" if w == 8 else "unsigned int"
    return [('printf "%%llx\\n", (unsigned long long)*(%s *)(%s + %d)'
             % (ctype, base, off + w * k), "word")
            for k in range((size + w - 1) // w)]


def decode(goarch, how, value, size):
    """The piece's bytes in memory order from one read value."""
    a = ARCHES[goarch]
    order = "big" if a["big"] else "little"
    if how == "word":
        return value.to_bytes(a["word"], order)
    if how == "double" and size == 4:   # a float32 held as a double
        d = struct.unpack("<d", value.to_bytes(8, "little"))[0]
        return struct.pack(">f" if a["big"] else "<f", d)
    raw = value.to_bytes(8, order)
    if how == "high":                   # s390x: short float, high half
        return raw[:size]
    # "int", "raw": the low bytes
    return raw[8 - size:] if a["big"] else raw[:size]


def gdb_script(goarch, info, addr, rets, native, args, progout, gcheck):
    """Stop at each function's entry and return instructions; at an entry
    print `hit<TAB>FUNCTION` and one `v<TAB>PARAM<TAB>PIECE<TAB>WORD
    <TAB>HEX` line per read (and, where g is checked, `g<TAB>GOID`); at a
    return `ret<TAB>FUNCTION` and the results' reads; at the end
    `exit<TAB>STATUS`.  The loop is gdb Python, so that a stop on which
    the registers cannot be read (a thread that is exiting) is skipped
    instead of ending the script."""
    at = {}

    def reads(tag, vals):
        cmds = []
        for name, _, pieces in vals:
            for i, pc in enumerate(pieces):
                for k, (cmd, _) in enumerate(piece_reads(goarch, pc, "$sp")):
                    cmds.append('printf "%s\\t%s\\t%d\\t%d\\t"'
                                % (tag, name, i, k))
                    cmds.extend(cmd.split("\n"))
        return cmds

    for f in info["param"]:
        at[addr[f]] = (['printf "hit\\t%s\\n"' % f] +
                       reads("v", info["param"][f]) + gcheck.get(f, []))
        for r in rets.get(f, []):
            at[r] = (['printf "ret\\t%s\\t0x%x\\n"' % (f, r)] +
                     reads("r", info["result"][f]))
    lines = ["set pagination off", "set confirm off", "set width 0",
             "set language c",
             "handle SIGURG nostop noprint pass",
             "handle SIGPIPE nostop noprint pass"]
    lines += ["break *0x%x" % a for a in sorted(at)]
    lines.append("python")
    lines.append("import gdb")
    lines.append("AT = %r" % at)
    # `run ARGS > FILE`: run's words replace the --args ones
    lines.append("go = %r" % ("run %s > '%s'" % (" ".join(args), progout)
                              if native else "continue"))
    lines.append("MAX_STOPS = %d" % MAX_STOPS)
    lines.append("""stops = 0
while True:
    try:
        gdb.execute(go)
    except gdb.error:
        break
    go = "continue"
    if not gdb.selected_inferior().pid:
        break
    try:
        pc = int(gdb.parse_and_eval("$pc"))
    except gdb.error:
        continue
    stops += 1
    if stops > MAX_STOPS:
        print("runaway\\t%d" % stops)
        gdb.execute("kill")
        break
    for c in AT.get(pc, []):
        gdb.execute(c)
code = gdb.parse_and_eval("$_exitcode")
print("exit\\t%s" % ("none" if code.type.code == gdb.TYPE_CODE_VOID
                     else int(code)))
end""")
    return "\n".join(lines) + "\n"


def g_reads(goarch, info, goid_off):
    """gdb commands printing `g<TAB>GOID` at the entry of each function
    whose prologue says where g is: the goid (int64) read at g + its
    offset in runtime.g.  None for a function checked nowhere."""
    out = {}
    a = ARCHES[goarch]
    ptr = "unsigned long long" if a["word"] == 8 else "unsigned int"
    for f, gl in info["g"].items():
        pc = gl[0][2][0]
        if pc[0] == "reg":
            expr, _ = reg_read(goarch, pc[2], pc[1])
            g = "(%s)(%s)" % (ptr, expr)
        elif goarch == "amd64":   # the FS base is the thread pointer
            g = "*(%s *)($fs_base + %d)" % (ptr, pc[1])
        else:
            # 386: gdb shows no GS base of an i386 process (no $gs_base);
            # tests/e2e_std_tables.py checks the slot against gdb's
            # disassembly instead
            continue
        out[f] = ['printf "g\\t%%lld\\n", *(long long *)(%s + %d)'
                  % (g, goid_off)]
    return out


def return_addresses(goarch, binary, funcs, tools):
    """{function: [address of each return instruction]} from gdb's
    disassembly of the binary (no process)."""
    argv = [tools["gdb-multiarch"], "-nx", "-batch", "-ex",
            "set architecture %s" % ARCHES[goarch]["gdb"], "-ex",
            "file %s" % binary]
    for f in funcs:
        argv += ["-ex", "echo @@%s\\n" % f, "-ex", "disassemble '%s'" % f]
    out = run(argv, timeout=300).stdout
    rets, cur = {}, None
    for line in out.splitlines():
        if line.startswith("@@"):
            cur = line[2:]
            rets[cur] = []
            continue
        m = re.match(r"\s*(?:=> )?(0x[0-9a-f]+) <[^>]*>:\s*(.*)", line)
        if cur and m and re.search(ARCHES[goarch]["ret"], m.group(2)):
            rets[cur].append(int(m.group(1), 16))
    return rets


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def listening(port):
    """True when a socket listens on 127.0.0.1/0.0.0.0:port (qemu's gdbstub
    accepts a single connection, so do not probe it by connecting)."""
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    local, state = fields[1], fields[3]
                    if state == "0A" and int(local.rsplit(":", 1)[1],
                                             16) == port:
                        return True
        except OSError:
            pass
    return False


def run_under_gdb(goarch, binary, args, script_path, progout, tools,
                  notes=None):
    """Run `binary` with `args` under gdb with `script_path`; (gdb
    output, program output).  Under qemu-user a run that hangs (Hang: no
    value was read yet) is run again, up to QEMU_ATTEMPTS runs in all; each
    repeat is logged and added to `notes`.  A wrong value is never a
    reason to run again."""
    attempts = QEMU_ATTEMPTS if ARCHES[goarch]["qemu"] else 1
    for attempt in range(1, attempts + 1):
        try:
            return run_under_gdb_once(goarch, binary, args, script_path,
                                      progout, tools)
        except Hang as e:
            if attempt == attempts:
                raise
            note = ("%s: the emulator hung on run %d of %d, run again (%s)"
                    % (os.path.basename(binary), attempt, attempts,
                       str(e).splitlines()[0]))
            log("note: " + note)
            if notes is not None:
                notes.append(note)


def run_under_gdb_once(goarch, binary, args, script_path, progout, tools):
    if not ARCHES[goarch]["qemu"]:
        p = run([tools["gdb"], "-batch", "-nx", "-x", script_path,
                 "--args", binary] + args, timeout=300, check=False)
        with open(progout) as f:
            return p.stdout, f.read()
    port = free_port()
    qemu = tools[ARCHES[goarch]["qemu"]]
    with open(progout, "w") as out:
        # GOMAXPROCS=1: with several threads running Go code at once,
        # qemu-user's gdbstub (seen with 7.2) once reported a SIGTRAP at a
        # pc that is no breakpoint and then hung.  asyncpreemptoff=1:
        # with 7.2, a preemption signal (SIGURG from sysmon) delivered
        # while a thread sits at a breakpoint can resume it at an earlier
        # stop with that stop's registers; the program then replays the
        # same few stops until gdb is killed (seen on ppc64le and arm64
        # on a busy machine: 1 run in 15, 1 in 2 with three busy loops per
        # core; none in 130 with preemption off).  The probed calls depend
        # on neither parallelism nor preemption.
        env = dict(os.environ, GOMAXPROCS="1")
        env["GODEBUG"] = ",".join(
            [d for d in [env.get("GODEBUG", "")] if d] +
            ["asyncpreemptoff=1"])
        q = subprocess.Popen([qemu, "-g", str(port), binary] + args,
                             env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not listening(port):
            if q.poll() is not None or time.monotonic() > deadline:
                raise Failure("%s -g %d %s: no gdbstub listening (status "
                              "%s)" % (qemu, port, binary, q.poll()))
            time.sleep(0.05)
        try:
            p = run([tools["gdb-multiarch"], "-batch", "-nx",
                     "-ex", "set architecture %s" % ARCHES[goarch]["gdb"],
                     "-ex", "file %s" % binary,
                     "-ex", "target remote 127.0.0.1:%d" % port,
                     "-x", script_path], timeout=QEMU_GDB_TIMEOUT,
                    check=False)
        except Failure as e:
            raise Hang(str(e))
        m = re.search(r"^runaway\t(\d+)$", p.stdout, re.M)
        if m:
            raise Hang("%s under %s: %s stops where the program makes at "
                       "most %d (the emulator replays stops); gdb said:\n%s"
                       % (binary, qemu, m.group(1), MAX_STOPS,
                          p.stdout[-3000:]))
        try:
            q.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise Hang("%s running %s did not exit after gdb finished; "
                       "gdb said:\n%s" % (qemu, binary, p.stdout[-3000:]))
    finally:
        if q.poll() is None:
            q.kill()
            q.wait()
    with open(progout) as f:
        return p.stdout, f.read()


def parse_gdb(out):
    """[(kind, function, {name: {(piece, word): int}}, goid)], exit
    status; kind "hit" (entry) or "ret"."""
    hits, status = [], None
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "hit" and len(f) == 2 or f[0] == "ret" and len(f) == 3:
            hits.append([f[0], f[1], {}, None])
        elif f[0] in ("v", "r") and len(f) == 5 and hits:
            val = f[4].strip()
            hits[-1][2].setdefault(f[1], {})[(int(f[2]), int(f[3]))] = \
                int(val, 16)
        elif f[0] == "g" and len(f) == 2 and hits:
            hits[-1][3] = int(f[1])
        elif f[0] == "exit" and len(f) == 2 and f[1] != "none":
            status = int(f[1])
    return hits, status


def parse_lines(out, tag):
    """[(function, {name: bytes})] from the program's `tag` lines."""
    calls = []
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] != tag:
            continue
        args = {}
        for a in f[2:]:
            name, hexval = a.split("=", 1)
            args[name] = bytes.fromhex(hexval)
        calls.append((f[1], args))
    return calls


def reconstruct(goarch, pieces, reads):
    """The value's bytes as the pieces describe them (DW_OP_piece:
    consecutive bytes of the object, in order)."""
    data = b""
    for i, pc in enumerate(pieces):
        size = pc[-1]
        raw = b""
        for k, (_, how) in enumerate(piece_reads(goarch, pc, "$sp")):
            if (i, k) not in reads:
                return b""
            raw += decode(goarch, how, reads[(i, k)], size)
        data += raw[:size]
    return data


def fmt_pieces(pieces):
    out = []
    for pc in pieces:
        if pc[0] == "reg":
            out.append("%s(%d)" % (pc[1], pc[3]))
        else:
            out.append("%s%+d(%d)" % ("SP" if pc[0] == "stack" else "TLS",
                                      pc[1], pc[2]))
    return "+".join(out)


def match_calls(label, f, goarch, vals, E, H, what):
    """Every call in E matches a stop in H and every stop a call."""
    def mismatch(e, h):
        bad = []
        for name, size, pieces in vals:
            got = reconstruct(goarch, pieces, h.get(name, {}))
            want = e.get(name)
            if want is None:
                bad.append("%s: the program printed no %s" % (name, name))
            elif not got or got != want[:len(got)]:
                bad.append("%s at %s: read %s, %s %s"
                           % (name, fmt_pieces(pieces), got.hex(), what,
                              want.hex()))
        return "; ".join(bad)

    def call_str(e):
        return " ".join("%s=%s" % (n, v.hex()) for n, v in e.items())

    why = [[mismatch(e, h) for h in H] for e in E]
    for i, e in enumerate(E):
        if all(why[i]):
            raise Failure("%s: no stop at %s matches the call with %s:\n  %s"
                          % (label, f, call_str(e),
                             "\n  ".join(why[i]) or "(no stop at all)"))
    for j in range(len(H)):
        if all(why[i][j] for i in range(len(E))):
            raise Failure("%s: stop %d at %s matches no call:\n  %s"
                          % (label, j, f, "\n  ".join(
                              "%s: %s" % (call_str(e), why[i][j])
                              for i, e in enumerate(E))))


def check_live(label, goarch, binary, args, funcs, driver, tools, work):
    """Returns notes (str); raises Failure."""
    arch, info, goid_off = driver_params(driver, binary, funcs)
    unlocated = {}
    if arch != goarch:
        raise Failure("%s: inspector says GOARCH %s, built for %s"
                      % (binary, arch, goarch))
    for f, ps in info["param"].items():
        if not ps:
            raise Failure("%s: inspector found no parameters of %s"
                          % (binary, f))
        # A parameter the DWARF gives no location at all (gdb: "optimized
        # out"; Go on 386, arm and s390x for some struct and float
        # arguments) has nothing to prove live: noted, left out.
        gone = [name for name, size, pieces in ps if not pieces]
        if gone:
            unlocated[f] = gone
            info["param"][f] = [p for p in ps if p[2]]
    addr = symbol_addresses(binary, funcs)
    rets = return_addresses(goarch, binary, funcs, tools)
    gcheck = g_reads(goarch, info, goid_off)
    script = os.path.join(work, "live.gdb")
    progout = os.path.join(work, "live.out")
    with open(script, "w") as fh:
        fh.write(gdb_script(goarch, info, addr, rets,
                            not ARCHES[goarch]["qemu"], args, progout,
                            gcheck))
    notes = []
    gout, pout = run_under_gdb(goarch, binary, args, script, progout, tools,
                               notes)
    hits, status = parse_gdb(gout)
    if status != 0:
        raise Failure("%s: the program did not exit 0 under gdb (exit %s)."
                      "\ngdb said:\n%s\nprogram said:\n%s"
                      % (label, status, gout[-3000:], pout[-2000:]))
    expects = parse_lines(pout, "expect")
    returns = parse_lines(pout, "returned")
    goids = [l.split("\t")[1] for l in pout.splitlines()
             if l.startswith("goid\t")]
    notes += ["%s %s: %s has no location in the DWARF (not checked)"
              % (label, f, " ".join(n)) for f, n in unlocated.items()]
    for f in funcs:
        E = [{k: v for k, v in a.items() if k not in unlocated.get(f, ())}
             for fn, a in expects if fn == f]
        H = [h[2] for h in hits if h[0] == "hit" and h[1] == f]
        if not E:
            raise Failure("%s: the program printed no expect line for %s"
                          % (label, f))
        names = [n for n, _, _ in info["param"][f]]
        for e in E:
            if sorted(e) != sorted(names):
                raise Failure("%s: %s: the program passes %s, DWARF names "
                              "%s" % (label, f, " ".join(e), " ".join(names)))
        match_calls(label, f, goarch, info["param"][f], E, H, "passed")
        if len(H) != len(E):
            # A goroutine whose stack must grow leaves through the prologue
            # to runtime.morestack and restarts the function from its first
            # instruction: one call, two stops with the same values.
            notes.append("%s %s: %d calls, %d stops at the entry (re-entry "
                         "after morestack; every stop matched a call)"
                         % (label, f, len(E), len(H)))
        desc = ["%s:%s" % (n, fmt_pieces(p)) for n, _, p in info["param"][f]]
        R = [a for fn, a in returns if fn == f]
        results = [(str(i), size, pieces) for i, (_, size, pieces)
                   in enumerate(info["result"][f])]
        if R and results:
            if not rets.get(f):
                raise Failure("%s: gdb shows no return instruction in %s"
                              % (label, f))
            RH = [h[2] for h in hits if h[0] == "ret" and h[1] == f]
            # results are read by position: rename the reads
            RH = [{str(i): h.get(n, {}) for i, (n, _, _) in
                   enumerate(info["result"][f])} for h in RH]
            match_calls(label, f, goarch, results, R, RH, "returned")
            if len(RH) != len(R):
                # qemu-user's gdbstub may report a breakpoint twice (seen
                # at the entry too); every stop still matched a call
                notes.append("%s %s: %d calls returned, %d stops at its "
                             "return instructions (every stop matched a "
                             "call)" % (label, f, len(R), len(RH)))
            desc.append("-> " + " ".join(
                "%s:%s" % (n, fmt_pieces(p))
                for n, _, p in info["result"][f]))
        G = [h[3] for h in hits if h[0] == "hit" and h[1] == f and
             h[3] is not None]
        if G and goids:
            if any(str(g) != goids[0] for g in G):
                raise Failure("%s: %s: goid read through g at %s: %s, the "
                              "program runs as goroutine %s"
                              % (label, f, fmt_pieces(
                                  info["g"][f][0][2]), G, goids[0]))
            desc.append("g:%s goid=%s" % (fmt_pieces(info["g"][f][0][2]),
                                          goids[0]))
        log("ok   %s %s (%d call%s) %s" % (label, f, len(E),
                                            "" if len(E) == 1 else "s",
                                            " ".join(desc)))
    return notes


def check_lookups(label, driver, spec, binary):
    p = run([driver, "lookups", spec, binary], check=False)
    fails = [l for l in p.stdout.splitlines() if l.startswith("fail\t")]
    if p.returncode != 0 or fails:
        raise Failure("%s: lookups of %s not answered:\n%s"
                      % (label, os.path.basename(spec), p.stdout))
    n = len([l for l in p.stdout.splitlines() if l.startswith("ok\t")])
    log("ok   %s %s: %d lookups answered" % (label, os.path.basename(spec),
                                             n))


def pick_arches(tools):
    want = os.environ.get("LUTGEN_PARAMS_LIVE_ARCHES", "").split()
    named = bool(want)
    if want == ["all"]:
        want = ALL_LIVE
    if not want:
        want = ["amd64", "arm64"]
    arches, missing = [], []
    for a in want:
        if a not in ARCHES:
            raise Failure("LUTGEN_PARAMS_LIVE_ARCHES: no live proof for %s "
                          "(one of %s)" % (a, " ".join(ALL_LIVE)))
        q = ARCHES[a]["qemu"]
        if q and not (tools.get(q) and tools.get("gdb-multiarch")):
            msg = ("%s NOT checked: needs %s (apt-get install qemu-user) "
                   "and gdb-multiarch (apt-get install gdb-multiarch)"
                   % (a, q))
            if named or CI:
                raise Failure(msg)
            log("note: " + msg)
            missing.append(msg)
            continue
        arches.append(a)
    return arches, missing


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    driver = argv[1]
    src = os.environ.get("LUTGEN_SOURCE_ROOT")
    build = os.environ.get("LUTGEN_BUILD_ROOT")
    mirror = os.environ.get("LUTGEN_GO_MIRROR")
    if not (src and build and mirror):
        print("LUTGEN_SOURCE_ROOT, LUTGEN_BUILD_ROOT and LUTGEN_GO_MIRROR "
              "must be set (run through meson test)", file=sys.stderr)
        return 2
    tools = {t: shutil.which(t) for t in
             ["gdb", "gdb-multiarch", "nm", "readelf"] +
             [ARCHES[a]["qemu"] for a in ALL_LIVE if ARCHES[a]["qemu"]]}
    for t in ("gdb", "nm", "readelf", "gdb-multiarch"):
        if not tools[t]:
            log("SKIP: %s not found (apt-get install %s)"
                % (t, "gdb" if t == "gdb" else "binutils"))
            return MISSING
    if os.uname().machine != "x86_64":
        log("SKIP: the live proof runs amd64 natively and needs an x86_64 "
            "host (this is %s)" % os.uname().machine)
        return MISSING
    p = run([mirror, "goroots"], check=False)
    goroots = {}
    for line in p.stdout.splitlines():
        f = line.split()
        if len(f) == 2 and f[0].startswith("go"):
            goroots[f[0]] = f[1]
    if p.returncode != 0 or not goroots:
        log("SKIP: `%s goroots` lists no toolchain (build the mirror: "
            "scripts/go-mirror --help):\n%s" % (mirror, p.stdout))
        return MISSING
    try:
        versions = pick_versions(goroots)
        arches, missing = pick_arches(tools)
    except Failure as e:
        log("FAIL: %s" % e)
        return 1
    log("toolchains: %s; arches: %s" % (" ".join(versions),
                                         " ".join(arches)))

    work = os.path.join(build, "e2e-params-live")
    os.makedirs(os.path.join(work, "bin"), exist_ok=True)
    programs = {
        "params_live": os.path.join(src, "tests", "programs", "params_live"),
        "std": os.path.join(src, "lutgen", "programs", "std"),
    }
    specs = []
    for name in sorted(os.listdir(os.path.join(src, "lutgen", "specs"))):
        path = os.path.join(src, "lutgen", "specs", name)
        with open(path) as fh:
            if json.load(fh).get("program") == "std":
                specs.append(path)
    failures, notes = [], []
    t0 = time.monotonic()
    for v in versions:
        for arch in arches:
            label = "%s/%s" % (v, arch)
            try:
                bins = {}
                for prog, pdir in programs.items():
                    bins[prog] = os.path.join(work, "bin",
                                              "%s-%s-%s" % (prog, v, arch))
                    go_build(goroots[v], v, arch, pdir, bins[prog], work)
                log("---- %s: built, DWARF version %s"
                    % (label, dwarf_version(bins["params_live"])))
                notes += check_live(label, arch, bins["params_live"], [],
                                    PARAMS_LIVE_FUNCS, driver, tools, work)
                # only the TLS part: net/http also calls (*tls.Conn).Read
                notes += check_live(label, arch, bins["std"], ["tls"],
                                    GOTLS_FUNCS, driver, tools, work)
                for spec in specs:
                    check_lookups(label, driver, spec, bins["std"])
            except Failure as e:
                log("FAIL %s: %s" % (label, e))
                failures.append(label)
    for n in notes:
        log("note: %s" % n)
    log("%.0f s" % (time.monotonic() - t0))
    if failures:
        log("FAILED: %s" % " ".join(failures))
        return 1
    log("PASS: parameter, result and g locations from lutgen's inspector "
        "hold the passed and returned values and the running goroutine at "
        "the entry and the returns of every probed function (%s; %s)"
        % (" ".join(versions), " ".join(arches)))
    if missing:
        # A part that did not run is counted as a skip, not hidden.
        log("SKIP: " + "; ".join(missing))
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
