# SPDX-License-Identifier: MIT
"""Go module facts the module mirror needs, written from the Go module
reference (go.dev/ref/mod) and golang.org/x/mod's documented rules:
semantic versions and their order, pseudo-versions, proxy path escaping,
go.mod reading, the module zip's file rules, the h1: directory hash, and a
stored (uncompressed) zip writer whose bytes are decided here."""

import base64
import hashlib
import re
import zlib

# ------------------------------------------------------------ versions

SEMVER = re.compile(
    r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?"
    r"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?")
# The go command's pseudo-version pattern (module.IsPseudoVersion).
PSEUDO = re.compile(r"v\d+\.(?:0\.0-|\d+\.\d+-(?:[^+]*\.)?0\.)\d{14}-"
                    r"[A-Za-z0-9]+(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")


def is_semver(v):
    return SEMVER.fullmatch(v) is not None


def is_pseudo(v):
    return is_semver(v) and PSEUDO.fullmatch(v) is not None


def semver_key(v):
    """Sort key in semver precedence (build metadata ignored)."""
    m = SEMVER.fullmatch(v)
    if not m:
        return ((-1,),)
    major, minor, patch, pre, _ = m.groups()
    if pre is None:
        prek = (1,)
    else:
        parts = []
        for p in pre.split("."):
            parts.append((0, int(p), "") if p.isdigit() else (1, 0, p))
        prek = (0, tuple(parts))
    return (int(major), int(minor), int(patch), prek)


def major_of(v):
    return int(SEMVER.fullmatch(v).group(1))


def path_major(path):
    """The major version a module path demands: /vN suffix (N >= 2) or
    gopkg.in's .vN; None when the path has no suffix."""
    m = re.search(r"/v(\d+)$", path)
    if m and int(m.group(1)) >= 2 and not path.startswith("gopkg.in/"):
        return int(m.group(1))
    m = re.fullmatch(r"gopkg\.in/.*\.v(\d+)(?:-unstable)?", path)
    if m:
        return int(m.group(1))
    return None


def debian_to_module_version(upstream, path, has_gomod):
    """Module version for a Debian upstream version of `path`, or
    (None, reason).  1.64.0 -> v1.64.0; 0.4.51+ds1 -> v0.4.51;
    1.0~rc1 -> v1.0.0-rc1; 0.0~git20210119.5f4716e -> the pseudo-version
    v0.0.0-20210119000000-5f4716e00000 (Debian keeps the date and a short
    hash only: the time is midnight and the hash is padded with zeros, so
    it names no real commit); major >= 2 without /vN and without go.mod ->
    +incompatible."""
    u = upstream
    # "A+reallyB": Debian's way to ship B under a higher version number.
    if "+really" in u:
        u = u.split("+really", 1)[1]
    # Debian repack markers: +ds, +dfsg, +repack, ~ds..., possibly numbered.
    u = re.sub(r"[+~](?:ds|dfsg|repack|really)\d*(?:\.\d+)*$", "", u)
    u = re.sub(r"[+~](?:ds|dfsg|repack)\d*(?=[+~])", "", u)
    snap = re.fullmatch(r"(\d+(?:\.\d+)*)[~+]git(\d{8})\.([0-9a-f]{7,40})"
                        r"(?:[+~].*)?", u)
    nums = None
    if snap:
        base, date, rev = snap.groups()
        nums = [int(x) for x in base.split(".")] + [0, 0]
        rev12 = (rev + "0" * 12)[:12]
        stamp = date + "000000"
        if nums[:3] == [0, 0, 0]:
            major = path_major(path) or 0
            v = f"v{major}.0.0-{stamp}-{rev12}"
        elif "~git" in u:
            v = f"v{nums[0]}.{nums[1]}.{nums[2]}-0.{stamp}-{rev12}"
        else:
            v = f"v{nums[0]}.{nums[1]}.{nums[2] + 1}-0.{stamp}-{rev12}"
    else:
        # Other Debian-only suffixes (+patch1, +b2, ...): not upstream's.
        u = re.sub(r"\+[A-Za-z][A-Za-z0-9.]*$", "", u)
        m = re.fullmatch(r"(\d+(?:\.\d+){0,2})(?:~(rc|beta|alpha|pre)\.?"
                         r"(\d+))?", u)
        if not m:
            return None, f"Debian version {upstream!r} is not a release"
        nums = [int(x) for x in m.group(1).split(".")] + [0, 0]
        v = f"v{nums[0]}.{nums[1]}.{nums[2]}"
        if m.group(2):
            v += f"-{m.group(2)}{m.group(3)}"
    want = path_major(path)
    major = major_of(v)
    if want is not None:
        if major != want:
            return None, (f"{path} needs major v{want}, Debian's {upstream} "
                          f"gives {v}")
    elif major >= 2:
        if has_gomod:
            return None, (f"{path} has a go.mod but Debian's {upstream} is "
                          "v2+ without a /vN path")
        v += "+incompatible"
    if not is_semver(v):
        return None, f"{v} (from {upstream!r}) is not valid semver"
    return v, None


def pseudo_time(v):
    m = re.search(r"(\d{14})-[0-9a-f]{12}", v)
    if not m:
        return None
    s = m.group(1)
    return f"{s[0:4]}-{s[4:6]}-{s[6:8]}T{s[8:10]}:{s[10:12]}:{s[12:14]}Z"


def escape(s):
    """Proxy escaping: an upper-case letter becomes '!' + lower case."""
    return re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), s)


# ------------------------------------------------------------ go.mod

def _strip_comment(line):
    i = line.find("//")
    return line[:i] if i >= 0 else line


def _unquote(tok):
    if len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in "\"`":
        return tok[1:-1]
    return tok


def parse_gomod(text):
    """{"module": path, "go": "1.21", "require": [(path, version)]}; only
    the directives the mirror needs."""
    out = {"module": None, "go": None, "require": []}
    block = None
    for raw in text.splitlines():
        line = _strip_comment(raw).strip()
        if not line:
            continue
        if block:
            if line == ")":
                block = None
                continue
            toks = line.split()
            if block == "require" and len(toks) >= 2:
                out["require"].append((_unquote(toks[0]), _unquote(toks[1])))
            continue
        toks = line.split()
        verb = toks[0]
        if len(toks) >= 2 and toks[1] == "(":
            block = verb
            continue
        if verb == "module" and len(toks) >= 2:
            out["module"] = _unquote(toks[1])
        elif verb == "go" and len(toks) >= 2:
            out["go"] = toks[1]
        elif verb == "require" and len(toks) >= 3:
            out["require"].append((_unquote(toks[1]), _unquote(toks[2])))
    return out


def go_version_key(v):
    return tuple(int(x) for x in re.findall(r"\d+", v or "0"))


# ------------------------------------------------------------ zip rules

MAX_ZIP = 500 << 20
MAX_GOMOD = 16 << 20
MAX_LICENSE = 16 << 20
_ALLOWED = set("!#$%&()+,-.=@[]^_{}~ ")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"COM{i}" for i in range(1, 10)} \
    | {f"LPT{i}" for i in range(1, 10)}


def _elem_ok(elem):
    if elem in ("", ".", ".."):
        return False
    if elem.endswith("."):
        return False
    for ch in elem:
        if ch < "\x80":
            if not (ch.isalnum() or ch in _ALLOWED):
                return False
        elif not ch.isalpha():
            return False
    short = elem.split(".", 1)[0]
    if short.upper() in _RESERVED:
        return False
    t = short.rfind("~")
    if 0 <= t < len(short) - 1 and short[t + 1:].isdigit():
        return False
    return True


def file_path_ok(rel):
    """A file path a module zip may hold (golang.org/x/mod CheckFilePath)."""
    if not rel or rel.startswith("/") or "\\" in rel:
        return False
    return all(_elem_ok(e) for e in rel.split("/"))


def vendored(rel):
    """golang.org/x/mod/zip's isVendoredPackage, offsets and all (its
    "/vendor/" branch measures from the start of the path; Go keeps that
    for checksum compatibility)."""
    if rel.startswith("vendor/"):
        i = len("vendor/")
    elif "/vendor/" in rel:
        i = len("/vendor/")
    else:
        return False
    return "/" in rel[i:]


VCS_DIRS = {".bzr", ".git", ".hg", ".svn"}


# ------------------------------------------------------------ h1 hash

def hash1(files):
    """dirhash.Hash1: files is [(name, bytes)], names already prefixed as
    the go command does ("<module>@<version>/..." for a zip, "go.mod" for
    a .mod)."""
    return hash1_digests([(n, hashlib.sha256(d).hexdigest())
                          for n, d in files])


def hash1_digests(digests):
    """dirhash.Hash1 from [(name, sha256 hex of the file)]."""
    summary = hashlib.sha256()
    for name, hexd in sorted(digests):
        if "\n" in name:
            raise ValueError(f"file name with newline: {name!r}")
        summary.update(f"{hexd}  {name}\n".encode())
    return "h1:" + base64.b64encode(summary.digest()).decode()


# ------------------------------------------------------------ zip writer

_DOS_DATE = (0 << 9) | (1 << 5) | 1     # 1980-01-01
_DOS_TIME = 0


def write_zip(out, entries):
    """Write a stored zip of entries [(name, path)] in the given order:
    no compression, DOS time 1980-01-01 00:00, mode 0644, no extra
    fields.  Returns [(name, sha256 hex of the content)] for hash1."""
    if len(entries) >= 0xFFFF:
        raise ValueError(f"{len(entries)} files: more than a zip without "
                         "ZIP64 holds")
    central = bytearray()
    digests = []
    off = 0
    for name, path in entries:
        bname = name.encode()
        flags = 0x800 if any(c > 0x7F for c in bname) else 0
        with open(path, "rb") as f:
            data = f.read()
        digests.append((name, hashlib.sha256(data).hexdigest()))
        crc = zlib.crc32(data) & 0xFFFFFFFF
        size = len(data)
        if off + size > 0xFFFFFFFF:
            raise ValueError("zip larger than 4 GB")
        local = (b"PK\x03\x04" + (20).to_bytes(2, "little") +
                 flags.to_bytes(2, "little") + (0).to_bytes(2, "little") +
                 _DOS_TIME.to_bytes(2, "little") +
                 _DOS_DATE.to_bytes(2, "little") +
                 crc.to_bytes(4, "little") + size.to_bytes(4, "little") +
                 size.to_bytes(4, "little") +
                 len(bname).to_bytes(2, "little") +
                 (0).to_bytes(2, "little") + bname)
        out.write(local)
        out.write(data)
        central += (b"PK\x01\x02" + (0x0314).to_bytes(2, "little") +
                    (20).to_bytes(2, "little") +
                    flags.to_bytes(2, "little") + (0).to_bytes(2, "little") +
                    _DOS_TIME.to_bytes(2, "little") +
                    _DOS_DATE.to_bytes(2, "little") +
                    crc.to_bytes(4, "little") + size.to_bytes(4, "little") +
                    size.to_bytes(4, "little") +
                    len(bname).to_bytes(2, "little") +
                    (0).to_bytes(2, "little") * 3 +
                    (0).to_bytes(2, "little") +
                    (0o100644 << 16).to_bytes(4, "little") +
                    off.to_bytes(4, "little") + bname)
        off += len(local) + size
    out.write(central)
    eocd = (b"PK\x05\x06" + (0).to_bytes(2, "little") * 2 +
            len(entries).to_bytes(2, "little") * 2 +
            len(central).to_bytes(4, "little") +
            off.to_bytes(4, "little") + (0).to_bytes(2, "little"))
    out.write(eocd)
    return digests
