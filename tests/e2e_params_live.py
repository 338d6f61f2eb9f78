#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Live proof that the parameter locations lutgen reads from DWARF are what
a uprobe sees.

usage: e2e_params_live.py DRIVER

DRIVER is tests/e2e_params_live (built by meson): it prints what lutgen's
inspector (lutgen/measure/dwarf.h: lutgen_dwarf_func_params, lutgen_dwarf_lookup)
answers for a binary.  For a few mirror toolchains (stack ABI go1.15-1.16,
register ABI go1.18+, DWARF 5 go1.25+; see pick_versions) and for amd64
(native) and arm64 (qemu-aarch64 -g + gdb-multiarch) this script

 1. builds tests/programs/params_live and lutgen/programs/gotls as lutgen's
    builder does (go build -trimpath, CGO_ENABLED=0, a fresh go.mod);
 2. asks the driver where each parameter of the probed functions is at the
    function's entry;
 3. runs the program under gdb with `break *ADDRESS` on the symbol address
    from the ELF symbol table (`nm`: the first instruction, where a uprobe
    fires, not after the prologue) and, at each hit, reads the registers
    and the stack slots (SP at entry + offset) the driver named;
 4. checks the bytes read against the "expect" lines the program printed
    before each call (the bytes of each argument as they lie in memory):
    the expected values come from the program, the observed ones from gdb;
    lutgen only says where to look.  Every call must match a stop and every
    stop a call; one call may stop twice, because a goroutine whose stack
    grows restarts the function at its entry after runtime.morestack (a
    uprobe fires twice as well).

It also builds lutgen/programs/goroutine and checks that every lookup of
lutgen/specs/goroutine.json and gotls.json is answered by the inspector.

Environment (meson's test_env): LUTGEN_SOURCE_ROOT, LUTGEN_BUILD_ROOT,
LUTGEN_GO_MIRROR.  LUTGEN_PARAMS_LIVE_VERSIONS="go1.15.15 go1.22.12 ..."
overrides the toolchain choice ("all": every mirror toolchain).
Exit status: 0 pass, 1 failure, 77 skip (prerequisite missing; also when
arm64 could not be checked though amd64 passed; under CI=true a missing
prerequisite is a failure).
"""
import os
import re
import shutil
import socket
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
    "main.Ptr", "main.Float", "main.Many",
]
GOTLS_FUNCS = [
    "crypto/tls.(*Conn).Write", "crypto/tls.(*Conn).Read",
    "crypto/tls.(*Conn).Close",
]

# DWARF register number -> (Go assembler name, gdb expression).  Written
# from the psABIs (System V AMD64 psABI fig. 3.36; DWARF for the Arm 64-bit
# architecture) and Go's assembler names, not from lutgen.
def _regs_amd64():
    names = ["RAX", "RDX", "RCX", "RBX", "RSI", "RDI", "RBP", "RSP"]
    gdb = ["rax", "rdx", "rcx", "rbx", "rsi", "rdi", "rbp", "rsp"]
    m = {i: (names[i], "$" + gdb[i]) for i in range(8)}
    for i in range(8, 16):
        m[i] = ("R%d" % i, "$r%d" % i)
    for i in range(16):
        m[17 + i] = ("X%d" % i,
                     "(unsigned long long)$xmm%d.v2_int64[0]" % i)
    return m


def _regs_arm64():
    m = {i: ("R%d" % i, "$x%d" % i) for i in range(31)}
    for i in range(32):
        m[64 + i] = ("F%d" % i, "(unsigned long long)$v%d.d.u[0]" % i)
    return m


REGS = {"amd64": _regs_amd64(), "arm64": _regs_arm64()}



class Failure(Exception):
    pass


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
            "GOWORK": "off", "GOCACHE": os.path.join(work, "gocache"),
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


def driver_params(driver, binary, funcs):
    """{function: [(name, size, [piece...])]}, piece = ("reg", goname,
    dwarfno, size) or ("stack", offset, size)."""
    p = run([driver, "params", binary] + funcs, check=False)
    params = {f: [] for f in funcs}
    goarch = None
    fails = []
    for line in p.stdout.splitlines():
        f = line.split("\t")
        if f[0] == "goarch":
            goarch = f[1]
        elif f[0] == "fail":
            fails.append("%s: %s" % (f[1], f[2]))
        elif f[0] == "param":
            pieces = []
            if f[4] != "-":
                for pc in f[4].split(" "):
                    q = pc.split(":")
                    if q[0] == "reg":
                        pieces.append(("reg", q[1], int(q[2]), int(q[3])))
                    else:
                        pieces.append(("stack", int(q[1]), int(q[2])))
            params[f[1]].append((f[2], int(f[3]), pieces))
    if fails or p.returncode != 0:
        raise Failure("inspector could not answer for %s:\n  %s\n%s" %
                      (binary, "\n  ".join(fails), p.stdout[-2000:]))
    return goarch, params


def piece_reads(goarch, pc):
    """gdb expressions (each an 8-byte value) whose little-endian bytes,
    concatenated and cut to the piece size, are the piece."""
    if pc[0] == "reg":
        _, goname, no, size = pc
        if no not in REGS[goarch]:
            raise Failure("DWARF register %d is not a %s argument register"
                          % (no, goarch))
        want, expr = REGS[goarch][no]
        if goname != want:
            raise Failure("DWARF register %d is named %s, Go calls it %s"
                          % (no, goname, want))
        if size > 8:
            raise Failure("register piece of %d bytes" % size)
        return [expr]
    _, off, size = pc
    return ["*(unsigned long long *)($sp + %d)" % (off + 8 * k)
            for k in range((size + 7) // 8)]


def gdb_script(goarch, params, addr, native, progout):
    """Stop at each function's first instruction; at each hit print
    `hit<TAB>FUNCTION` and one `v<TAB>PARAM<TAB>PIECE<TAB>WORD<TAB>HEX`
    line per 8-byte read; at the end `exit<TAB>STATUS`."""
    lines = ["set pagination off", "set confirm off", "set width 0",
             "set language c",
             "handle SIGURG nostop noprint pass",
             "handle SIGPIPE nostop noprint pass"]
    for f in params:
        lines.append("break *0x%x" % addr[f])
    lines.append("run > '%s'" % progout if native else "continue")
    lines.append("while $_isvoid($_exitcode)")
    for f, ps in params.items():
        lines.append("  if $pc == 0x%x" % addr[f])
        lines.append('    printf "hit\\t%s\\n"' % f)
        for name, _, pieces in ps:
            for i, pc in enumerate(pieces):
                for k, expr in enumerate(piece_reads(goarch, pc)):
                    lines.append(
                        '    printf "v\\t%s\\t%d\\t%d\\t%%llx\\n", %s'
                        % (name, i, k, expr))
        lines.append("  end")
    lines.append("  continue")
    lines.append("end")
    lines.append('printf "exit\\t%d\\n", $_exitcode')
    return "\n".join(lines) + "\n"


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


def run_under_gdb(goarch, binary, script_path, progout, tools):
    """Run `binary` under gdb with `script_path`; (gdb output, program
    output)."""
    if goarch == "amd64":
        p = run([tools["gdb"], "-batch", "-nx", "-x", script_path,
                 "--args", binary], timeout=180, check=False)
        with open(progout) as f:
            return p.stdout, f.read()
    port = free_port()
    with open(progout, "w") as out:
        # GOMAXPROCS=1: with several threads running Go code at once,
        # qemu-user's gdbstub (seen with 7.2) once reported a SIGTRAP at a
        # pc that is no breakpoint and then hung.  The probed calls do not
        # depend on parallelism.
        env = dict(os.environ, GOMAXPROCS="1")
        q = subprocess.Popen([tools["qemu-aarch64"], "-g", str(port), binary],
                             env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while not listening(port):
            if q.poll() is not None or time.monotonic() > deadline:
                raise Failure("qemu-aarch64 -g %d %s: no gdbstub "
                              "listening (status %s)"
                              % (port, binary, q.poll()))
            time.sleep(0.05)
        p = run([tools["gdb-multiarch"], "-batch", "-nx",
                 "-ex", "set architecture aarch64",
                 "-ex", "file %s" % binary,
                 "-ex", "target remote 127.0.0.1:%d" % port,
                 "-x", script_path], timeout=180, check=False)
        try:
            q.wait(timeout=60)
        except subprocess.TimeoutExpired:
            raise Failure("qemu-aarch64 running %s did not exit after gdb "
                          "finished; gdb said:\n%s"
                          % (binary, p.stdout[-3000:]))
    finally:
        if q.poll() is None:
            q.kill()
            q.wait()
    with open(progout) as f:
        return p.stdout, f.read()


def parse_gdb(out):
    """[(function, {param: {(piece, word): int}})], exit status or None."""
    hits, status = [], None
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] == "hit" and len(f) == 2:
            hits.append((f[1], {}))
        elif f[0] == "v" and len(f) == 5 and hits:
            hits[-1][1].setdefault(f[1], {})[(int(f[2]), int(f[3]))] = \
                int(f[4], 16)
        elif f[0] == "exit" and len(f) == 2:
            status = int(f[1])
    return hits, status


def parse_expects(out):
    """[(function, {param: bytes})] from the program's expect lines."""
    calls = []
    for line in out.splitlines():
        f = line.split("\t")
        if f[0] != "expect":
            continue
        args = {}
        for a in f[2:]:
            name, hexval = a.split("=", 1)
            args[name] = bytes.fromhex(hexval)
        calls.append((f[1], args))
    return calls


def reconstruct(pieces, reads):
    """The parameter's bytes as the pieces describe them (DW_OP_piece:
    consecutive bytes of the object, in order)."""
    data = b""
    for i, pc in enumerate(pieces):
        size = pc[-1]
        raw = b""
        for k in range((size + 7) // 8):
            raw += reads[(i, k)].to_bytes(8, "little")
        data += raw[:size]
    return data


def fmt_pieces(pieces):
    out = []
    for pc in pieces:
        if pc[0] == "reg":
            out.append("%s(%d)" % (pc[1], pc[3]))
        else:
            out.append("SP+%d(%d)" % (pc[1], pc[2]))
    return "+".join(out)


def check_live(label, goarch, binary, funcs, driver, tools, work):
    """Returns notes (str); raises Failure."""
    arch, params = driver_params(driver, binary, funcs)
    if arch != goarch:
        raise Failure("%s: inspector says GOARCH %s, built for %s"
                      % (binary, arch, goarch))
    for f, ps in params.items():
        if not ps:
            raise Failure("%s: inspector found no parameters of %s"
                          % (binary, f))
        for name, size, pieces in ps:
            if not pieces:
                raise Failure("%s: %s parameter %s has no location at entry"
                              % (binary, f, name))
    addr = symbol_addresses(binary, funcs)
    script = os.path.join(work, "live.gdb")
    progout = os.path.join(work, "live.out")
    with open(script, "w") as fh:
        fh.write(gdb_script(goarch, params, addr, goarch == "amd64",
                            progout))
    gout, pout = run_under_gdb(goarch, binary, script, progout, tools)
    hits, status = parse_gdb(gout)
    if status != 0:
        raise Failure("%s: the program did not exit 0 under gdb (exit %s)."
                      "\ngdb said:\n%s\nprogram said:\n%s"
                      % (label, status, gout[-3000:], pout[-2000:]))
    expects = parse_expects(pout)
    notes = []
    for f in funcs:
        E = [a for fn, a in expects if fn == f]
        H = [r for fn, r in hits if fn == f]
        if not E:
            raise Failure("%s: the program printed no expect line for %s"
                          % (label, f))
        names = [n for n, _, _ in params[f]]
        for e in E:
            if sorted(e) != sorted(names):
                raise Failure("%s: %s: the program passes %s, DWARF names "
                              "%s" % (label, f, " ".join(e), " ".join(names)))

        def mismatch(e, h):
            bad = []
            for name, size, pieces in params[f]:
                got = reconstruct(pieces, h.get(name, {}))
                want = e[name]
                if not got or got != want[:len(got)]:
                    bad.append("%s at %s: read %s, passed %s"
                               % (name, fmt_pieces(pieces), got.hex(),
                                  want.hex()))
            return "; ".join(bad)

        def call_str(e):
            return " ".join("%s=%s" % (n, v.hex()) for n, v in e.items())

        why = [[mismatch(e, h) for h in H] for e in E]
        # Every call was seen at a stop whose reads match it ...
        for i, e in enumerate(E):
            if all(why[i]):
                raise Failure("%s: no stop at %s matches the call with %s:"
                              "\n  %s" % (label, f, call_str(e),
                                           "\n  ".join(why[i]) or
                                           "(no stop at all)"))
        # ... and every stop matches a call.
        for j in range(len(H)):
            if all(why[i][j] for i in range(len(E))):
                raise Failure("%s: stop %d at %s matches no call:\n  %s"
                              % (label, j, f, "\n  ".join(
                                  "%s: %s" % (call_str(e), why[i][j])
                                  for i, e in enumerate(E))))
        if len(H) != len(E):
            # A goroutine whose stack must grow (or that is asked to yield
            # through its stack guard) leaves through the prologue to
            # runtime.morestack and later restarts the function from its
            # first instruction: one call, two stops with the same values.
            # A uprobe on the entry fires twice too.
            notes.append("%s %s: %d calls, %d stops at the entry (re-entry "
                         "after morestack; every stop matched a call)"
                         % (label, f, len(E), len(H)))
        desc = []
        for name, size, pieces in params[f]:
            desc.append("%s:%s" % (name, fmt_pieces(pieces)))
            covered = sum(pc[-1] for pc in pieces)
            if covered < size:
                notes.append("%s %s: DWARF describes %d of %d bytes of %s "
                             "at entry" % (label, f, covered, size, name))
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
             ("gdb", "gdb-multiarch", "qemu-aarch64", "nm", "readelf")}
    for t in ("gdb", "nm", "readelf"):
        if not tools[t]:
            log("SKIP: %s not found (apt-get install %s)"
                % (t, "gdb" if t == "gdb" else "binutils"))
            return MISSING
    arches = ["amd64"]
    if os.uname().machine != "x86_64":
        log("SKIP: the live proof runs amd64 natively and needs an x86_64 "
            "host (this is %s)" % os.uname().machine)
        return MISSING
    arm64_missing = None
    if tools["qemu-aarch64"] and tools["gdb-multiarch"]:
        arches.append("arm64")
    else:
        arm64_missing = ("arm64 NOT checked: needs qemu-aarch64 (apt-get "
                         "install qemu-user) and gdb-multiarch (apt-get "
                         "install gdb-multiarch)")
        if CI:
            log("FAIL (CI): " + arm64_missing)
            return 1
        log("note: " + arm64_missing)
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
    except Failure as e:
        log("FAIL: %s" % e)
        return 1
    log("toolchains: %s; arches: %s" % (" ".join(versions),
                                         " ".join(arches)))

    work = os.path.join(build, "e2e-params-live")
    os.makedirs(os.path.join(work, "bin"), exist_ok=True)
    programs = {
        "params_live": os.path.join(src, "tests", "programs", "params_live"),
        "gotls": os.path.join(src, "lutgen", "programs", "gotls"),
        "goroutine": os.path.join(src, "lutgen", "programs", "goroutine"),
    }
    specs = {
        "gotls": os.path.join(src, "lutgen", "specs", "gotls.json"),
        "goroutine": os.path.join(src, "lutgen", "specs", "goroutine.json"),
    }
    failures, notes = [], []
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
                notes += check_live(label, arch, bins["params_live"],
                                    PARAMS_LIVE_FUNCS, driver, tools, work)
                notes += check_live(label, arch, bins["gotls"], GOTLS_FUNCS,
                                    driver, tools, work)
                for prog, spec in specs.items():
                    check_lookups(label, driver, spec, bins[prog])
            except Failure as e:
                log("FAIL %s: %s" % (label, e))
                failures.append(label)
    for n in notes:
        log("note: %s" % n)
    if failures:
        log("FAILED: %s" % " ".join(failures))
        return 1
    log("PASS: parameter locations from lutgen's inspector hold the passed "
        "values at the entry of every probed function (%s; %s)"
        % (" ".join(versions), " ".join(arches)))
    if arm64_missing:
        # A part that did not run is counted as a skip, not hidden.
        log("SKIP: " + arm64_missing)
        return SKIP
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
