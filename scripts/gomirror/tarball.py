# SPDX-License-Identifier: MIT
"""Reproducible .tar.gz writer whose every byte is decided here.

The archive must have the same sha256 on every machine that packs the same
tree, whatever Python or zlib build it runs: zlib's deflate output is not
part of any contract (zlib-ng, a different level or strategy, a different
zlib release all change it).  So nothing here compresses:

  - the tar stream is ustar, written field by field (no tarfile module,
    whose PAX output changed between Python releases), entries sorted by
    their byte path, owner 0/0 without names, one fixed mtime, modes as
    given by the caller;
  - paths that do not fit ustar's name/prefix fields get a PAX 'x' record;
  - the gzip container (RFC 1952) has a fixed header (no name, mtime 0,
    OS 255) and the deflate stream (RFC 1951) holds only stored blocks of
    exactly 65535 bytes (the last one shorter, BFINAL set);
  - CRC-32 is a fixed function of the data (any implementation agrees).

Any gzip reader (libarchive, GNU tar, Go's compress/gzip) reads it.  The
price is size: the archive is as large as the tar.
"""

import hashlib
import os
import stat
import zlib

BLOCK = 512
STORED_MAX = 65535
GZIP_HEADER = bytes([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255])
# 11 octal digits: the largest size a plain ustar header holds.
USTAR_SIZE_MAX = 0o77777777777


class TarballError(Exception):
    pass


class StoredGzip:
    """A file-like sink that wraps bytes in a gzip member made of stored
    deflate blocks; tracks the sha256 and size of what reaches `raw`."""

    def __init__(self, raw):
        self.raw = raw
        self.pending = bytearray()
        self.crc = 0
        self.isize = 0
        self.sha = hashlib.sha256()
        self.size = 0
        self._out(GZIP_HEADER)

    def _out(self, data):
        self.raw.write(data)
        self.sha.update(data)
        self.size += len(data)

    def _blocks(self, data, final):
        # Header byte: BFINAL in bit 0, BTYPE 00; the block starts on a
        # byte boundary, so the rest of that byte is padding (zero).
        out = bytearray()
        n = len(data)
        out += bytes([1 if final else 0])
        out += n.to_bytes(2, "little")
        out += (n ^ 0xFFFF).to_bytes(2, "little")
        out += data
        return out

    def write(self, data):
        self.crc = zlib.crc32(data, self.crc)
        self.isize += len(data)
        self.pending += data
        if len(self.pending) < STORED_MAX * 16:
            return
        full = len(self.pending) // STORED_MAX * STORED_MAX
        # Keep at least one byte back so the final block is never empty
        # unless the whole stream is.
        if full == len(self.pending):
            full -= STORED_MAX
        out = bytearray()
        view = memoryview(self.pending)
        for off in range(0, full, STORED_MAX):
            out += self._blocks(view[off:off + STORED_MAX], False)
        view.release()
        del self.pending[:full]
        self._out(out)

    def close(self):
        out = bytearray()
        view = memoryview(self.pending)
        n = len(self.pending)
        off = 0
        while n - off > STORED_MAX:
            out += self._blocks(view[off:off + STORED_MAX], False)
            off += STORED_MAX
        out += self._blocks(view[off:n], True)
        view.release()
        self.pending = bytearray()
        out += (self.crc & 0xFFFFFFFF).to_bytes(4, "little")
        out += (self.isize & 0xFFFFFFFF).to_bytes(4, "little")
        self._out(out)


def _octal(value, width):
    s = b"%0*o" % (width - 1, value)
    if len(s) > width - 1:
        raise TarballError(f"value {value} does not fit a {width}-byte field")
    return s + b"\0"


def _split_ustar(path):
    """(prefix, name) for ustar, or None when the path needs PAX."""
    if len(path) <= 100:
        return b"", path
    # The prefix holds everything before some '/', at most 155 bytes; the
    # name what follows, at most 100.
    cut = path.rfind(b"/", 0, 156)
    while cut > 0:
        if len(path) - cut - 1 <= 100:
            return path[:cut], path[cut + 1:]
        cut = path.rfind(b"/", 0, cut)
    return None


def _header(name, prefix, mode, size, mtime, typeflag, linkname=b""):
    h = bytearray(BLOCK)
    h[0:len(name)] = name
    h[100:108] = _octal(mode, 8)
    h[108:116] = _octal(0, 8)
    h[116:124] = _octal(0, 8)
    h[124:136] = _octal(size, 12)
    h[136:148] = _octal(mtime, 12)
    h[148:156] = b" " * 8
    h[156:157] = typeflag
    h[157:157 + len(linkname)] = linkname
    h[257:263] = b"ustar\0"
    h[263:265] = b"00"
    h[329:337] = _octal(0, 8)
    h[337:345] = _octal(0, 8)
    h[345:345 + len(prefix)] = prefix
    chk = sum(h)
    h[148:156] = b"%06o\0 " % chk
    return bytes(h)


def _pax_record(key, value):
    body = b" " + key + b"=" + value + b"\n"
    n = len(body) + 1
    while len(b"%d" % n) + len(body) != n:
        n = len(b"%d" % n) + len(body)
    return b"%d" % n + body


def _pad(n):
    return b"\0" * (-n % BLOCK)


class TarWriter:
    """Writes ustar entries (directories, regular files, symlinks) to a
    sink in the order they are added; the caller sorts."""

    def __init__(self, sink, mtime):
        self.sink = sink
        self.mtime = mtime

    def _entry(self, path, mode, size, typeflag, linkname=b""):
        records = b""
        split = _split_ustar(path)
        if split is None:
            records += _pax_record(b"path", path)
            prefix, name = b"", path[-100:]
        else:
            prefix, name = split
        if len(linkname) > 100:
            records += _pax_record(b"linkpath", linkname)
            linkname = linkname[:100]
        if size > USTAR_SIZE_MAX:
            raise TarballError(f"{path!r}: {size} bytes is too large")
        if records:
            self.sink.write(_header(b"././@PaxHeader", b"", 0o644,
                                    len(records), self.mtime, b"x"))
            self.sink.write(records + _pad(len(records)))
        self.sink.write(_header(name, prefix, mode, size, self.mtime,
                                typeflag, linkname))

    def add_dir(self, path, mode=0o755):
        if not path.endswith(b"/"):
            path += b"/"
        self._entry(path, mode, 0, b"5")

    def add_symlink(self, path, target, mode=0o777):
        self._entry(path, mode, 0, b"2", target)

    def add_file(self, path, mode, src):
        """Add the regular file at `src`, reading it in chunks."""
        with open(src, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            self._entry(path, mode, size, b"0")
            left = size
            while left:
                chunk = f.read(min(left, 1 << 20))
                if not chunk:
                    raise TarballError(f"{src}: file shrank while packing")
                self.sink.write(chunk)
                left -= len(chunk)
            if f.read(1):
                raise TarballError(f"{src}: file grew while packing")
        self.sink.write(_pad(size))

    def add_bytes(self, path, mode, data):
        self._entry(path, mode, len(data), b"0")
        self.sink.write(data + _pad(len(data)))

    def close(self):
        self.sink.write(b"\0" * (2 * BLOCK))


def normal_mode(st_mode):
    """Archive mode of a tree entry: 0755 for directories and executables,
    0644 for other files, 0777 for symlinks; setuid and friends dropped."""
    if stat.S_ISLNK(st_mode):
        return 0o777
    if stat.S_ISDIR(st_mode) or st_mode & 0o111:
        return 0o755
    return 0o644


def tree_entries(root):
    """Sorted (relative byte path, lstat) of everything under root."""
    out = []
    broot = os.fsencode(root)
    for dirpath, dirnames, filenames in os.walk(broot):
        rel = os.path.relpath(dirpath, broot)
        for name in dirnames + filenames:
            r = name if rel == b"." else rel + b"/" + name
            out.append((r, os.lstat(os.path.join(dirpath, name))))
    out.sort(key=lambda e: e[0])
    return out


def pack_tree(root, dest, top, mtime):
    """Write root as dest (.tar.gz), every path under `top`/, atomically
    (dest.tmp, fsync, rename).  Returns (sha256 hex, size)."""
    btop = os.fsencode(top).rstrip(b"/")
    tmp = dest + ".tmp"
    try:
        with open(tmp, "wb") as raw:
            gz = StoredGzip(raw)
            tar = TarWriter(gz, mtime)
            tar.add_dir(btop)
            for rel, st in tree_entries(root):
                path = btop + b"/" + rel
                if stat.S_ISDIR(st.st_mode):
                    tar.add_dir(path, normal_mode(st.st_mode))
                elif stat.S_ISLNK(st.st_mode):
                    tar.add_symlink(path, os.readlink(
                        os.path.join(os.fsencode(root), rel)))
                elif stat.S_ISREG(st.st_mode):
                    tar.add_file(path, normal_mode(st.st_mode),
                                 os.path.join(os.fsencode(root), rel))
                else:
                    raise TarballError(
                        f"{os.fsdecode(rel)}: not a file, directory or "
                        "symlink")
            tar.close()
            gz.close()
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, dest)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return gz.sha.hexdigest(), gz.size
