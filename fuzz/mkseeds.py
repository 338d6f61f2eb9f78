#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write small hand-made Go-like ELF files: the fuzz seed corpus and the
fixtures of tests/test_gobin.c.  Every value the unit test expects is
written down here by hand (FIXTURES), independent of lutgen's readers.

    fuzz/mkseeds.py [OUTDIR]   (default: fuzz/corpus/inspect)
"""
import os
import struct
import sys

TEXT_VA, RO_VA, DATA_VA = 0x401000, 0x402000, 0x403000
TEXT_OFF, RO_OFF, DATA_OFF = 0x1000, 0x2000, 0x3000
START = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6"
END = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2"
MODINFO = (b"path\texample.com/fix\n"
           b"mod\texample.com/fix\t(devel)\t\n"
           b"build\t-buildmode=exe\n"
           b"build\tCGO_ENABLED=0\n"
           b"build\t-ldflags=\"-s -w\"\n"
           b"build\tGOARCH=amd64\n"
           b"build\tGOAMD64=v3\n")
# What cmd/go writes for a module with replacements (runtime/debug's
# BuildInfo.String: a replaced module's line ends after its version, the
# "=>" line follows, then an empty line) and quoted settings.
MODULES = (b"path\texample.com/app/cmd/agent\n"
           b"mod\texample.com/app\t(devel)\t\n"
           b"dep\tgithub.com/google/uuid\tv1.6.0\th1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n"
           b"dep\tgoogle.golang.org/grpc\tv1.62.0\n"
           b"=>\tgoogle.golang.org/grpc\tv1.60.1\th1:26+wFr+cNqSGFcOXcabYC0lUVJVRa2Sb2ortSK7WrEI=\n"
           b"\n"
           b"dep\tgolang.org/x/net\tv0.20.0\n"
           b"=>\t../net\t\t\n"
           b"\n"
           b"dep\tgolang.org/x/sys\tv0.16.0\th1:xWw16ngr6ZMtmxDyKyIgsE93KNKz5HKmMa3b8ALHidU=\n"
           b"dep\texample.com/local\tv0.0.0\n"
           b"=>\t./local\t(devel)\t\n"
           b"\n"
           b"dep\tgithub.com/foo/bar\tv1.2.0\n"
           b"=>\tgithub.com/myorg/bar\tv1.2.1-fork\th1:abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG=\n"
           b"\n"
           b"build\t-buildmode=pie\n"
           b"build\t-compiler=gc\n"
           b"build\t-ldflags=\"-s -w -X \\\"main.version=1.2.3\\\"\"\n"
           b"build\t\"weird key\"=x\n"
           b"build\tCGO_ENABLED=1\n"
           b"build\t-race=true\n"
           b"build\t-trimpath=true\n"
           b"build\tGOARCH=amd64\n"
           b"build\tGOAMD64=v3\n"
           b"build\tvcs.modified=true\n"
           b"build\tesc=\"tab\\there\\x01\\u00e9\\\\\"\n")

# amd64: main.main = nop; ret; int3 padding.  main.Target = mov rbx,rax;
# ret; nop; ret  -> returns at +3 and +5.
AMD64_TEXT = (b"\x90\xc3" + b"\xcc" * 14 +
              b"\x48\x89\xc3\xc3\x90\xc3" + b"\xcc" * 26)
# arm64: main.main = ret; main.Target = nop; ret; nop; ret x1
ARM64_TEXT = (struct.pack("<4I", 0xd65f03c0, 0, 0, 0) +
              struct.pack("<8I", 0xd503201f, 0xd65f03c0, 0xd503201f,
                          0xd65f0020, 0, 0, 0, 0))
FUNCS = [(b"main.main", 0x0), (b"main.Target", 0x10)]
TEXT_END = 0x30


def uvarint(n):
    out = b""
    while True:
        b = n & 0x7f
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def pclntab(layout, text_start):
    names = b"".join(n + b"\0" for n, _ in FUNCS)
    name_offs = []
    o = 0
    for n, _ in FUNCS:
        name_offs.append(o)
        o += len(n) + 1
    if layout == 12:
        # header, nfunc, functab (entry, funcoff)*n + end, filetab off
        hdr = struct.pack("<IBBBBQ", 0xfffffffb, 0, 0, 1, 8, len(FUNCS))
        ftab_len = (len(FUNCS) * 2 + 1) * 8 + 4
        names_at = len(hdr) + ftab_len
        funcs_at = (names_at + len(names) + 7) & ~7
        ftab = b""
        for i, (_, e) in enumerate(FUNCS):
            ftab += struct.pack("<QQ", TEXT_VA + e, funcs_at + 16 * i)
        ftab += struct.pack("<Q", TEXT_VA + TEXT_END)
        ftab += struct.pack("<I", 0)
        body = hdr + ftab + names
        body += b"\0" * (funcs_at - len(body))
        for i, (_, e) in enumerate(FUNCS):
            body += struct.pack("<QiI", TEXT_VA + e, names_at + name_offs[i], 0)
        return body
    if layout == 116:
        # go1.16/1.17: header words nfunc, nfiles, funcnameOffset,
        # cuOffset, filetabOffset, pctabOffset, pclnOffset; functab of
        # (entry pc, funcoff) uintptr pairs at pclnOffset, funcoff relative
        # to it; _func = entry uintptr, nameoff int32 into funcnametab.
        hdr_len = 8 + 7 * 8
        names_at = hdr_len
        pcln_at = (names_at + len(names) + 7) & ~7
        funcs_at = (len(FUNCS) * 2 + 1) * 8
        ftab = b""
        for i, (_, e) in enumerate(FUNCS):
            ftab += struct.pack("<QQ", TEXT_VA + e, funcs_at + 48 * i)
        ftab += struct.pack("<Q", TEXT_VA + TEXT_END)
        fn = b""
        for i, (_, e) in enumerate(FUNCS):
            fn += struct.pack("<Qi", TEXT_VA + e, name_offs[i]) + b"\0" * 36
        hdr = struct.pack("<IBBBB", 0xfffffffa, 0, 0, 1, 8)
        hdr += struct.pack("<7Q", len(FUNCS), 0, names_at, pcln_at, pcln_at,
                           pcln_at, pcln_at)
        body = hdr + names
        body += b"\0" * (pcln_at - len(body))
        return body + ftab + fn
    magic = 0xfffffff1 if layout == 120 else 0xfffffff0
    hdr_len = 8 + 8 * 8
    names_at = hdr_len
    tail = (names_at + len(names) + 7) & ~7
    pcln_at = tail
    ftab = b""
    funcs_at = (len(FUNCS) * 2 + 1) * 4
    funcs_at = (funcs_at + 7) & ~7
    for i, (_, e) in enumerate(FUNCS):
        ftab += struct.pack("<II", e, funcs_at + 44 * i)
    ftab += struct.pack("<I", TEXT_END)
    ftab += b"\0" * (funcs_at - len(ftab))
    fn = b""
    for i, (_, e) in enumerate(FUNCS):
        fn += struct.pack("<Ii", e, name_offs[i]) + b"\0" * 36
    hdr = struct.pack("<IBBBB", magic, 0, 0, 1, 8)
    hdr += struct.pack("<8Q", len(FUNCS), 0, text_start, names_at, tail,
                       tail, tail, pcln_at)
    body = hdr + names
    body += b"\0" * (tail - len(body))
    return body + ftab + fn


def buildinfo(inline, version, modinfo=MODINFO):
    mod = START + modinfo + END
    if inline:
        return (b"\xff Go buildinf:" + bytes([8, 2]) + b"\0" * 16 +
                uvarint(len(version)) + version + uvarint(len(mod)) + mod)
    # pre-go1.18: pointers to Go string headers at +0x100 / +0x110
    hdr = (b"\xff Go buildinf:" + bytes([8, 0]) +
           struct.pack("<QQ", DATA_VA + 0x100, DATA_VA + 0x110))
    blob = bytearray(0x400)
    blob[0:len(hdr)] = hdr
    blob[0x100:0x110] = struct.pack("<QQ", DATA_VA + 0x180, len(version))
    blob[0x110:0x120] = struct.pack("<QQ", DATA_VA + 0x1c0, len(mod))
    blob[0x180:0x180 + len(version)] = version
    blob[0x1c0:0x1c0 + len(mod)] = mod
    return bytes(blob)


def elf(machine=62, layout=120, text_start=TEXT_VA, sections=True,
        inline=True, version=b"go1.22.4", moduledata=False, pie_rela=False,
        modinfo=MODINFO, symtab=False):
    """pie_rela: ET_DYN with DF_1_PIE; the moduledata words are zero in the
    file and set by R_X86_64_RELATIVE relocations (PT_DYNAMIC/DT_RELA).
    symtab: as before go1.13: no build info blob (its magic cleared, the
    section is .data); .symtab/.strtab name runtime.buildVersion and
    runtime.modinfo (the Go string headers of the pointer layout) and the
    functions with their exact sizes (main.main 2 bytes, main.Target 6)."""
    text = ARM64_TEXT if machine == 183 else AMD64_TEXT
    ro = pclntab(layout, text_start)
    data = bytearray(buildinfo(inline, version, modinfo))
    if symtab:
        data[0:14] = b"\0" * 14
    data += b"\0" * (0x400 - len(data)) if len(data) < 0x400 else b""
    if moduledata:
        md = [0] * 24
        md[0] = RO_VA
        md[1] = RO_VA + 72
        md[22] = TEXT_VA
        md_at = 0x800
        data += b"\0" * (md_at - len(data))
        if pie_rela:
            rela = b"".join(struct.pack("<QQQ", DATA_VA + md_at + 8 * w, 8,
                                        md[w]) for w in (0, 1, 22))
            md = [0] * 24
        data += struct.pack("<24Q", *md)
        if pie_rela:
            rela_at = len(data)
            data += rela
            dyn_at = len(data)
            data += struct.pack("<10Q", 7, DATA_VA + rela_at, 8, len(rela),
                                9, 24, 0x6ffffffb, 0x08000000, 0, 0)
    names = [b".text", b".gopclntab", b".data" if symtab else b".go.buildinfo",
             b".shstrtab"] + ([b".symtab", b".strtab"] if symtab else [])
    shstr, name_at = b"\0", []
    for n in names:
        name_at.append(len(shstr))
        shstr += n + b"\0"
    nsh = len(names) + 1
    sh_off = DATA_OFF + len(data)
    sh_off = (sh_off + 7) & ~7
    shstr_off = sh_off + nsh * 64
    strtab, syms = b"\0", [b"\0" * 24]
    if symtab:
        for name, typ, shndx, value, size in (
                (b"runtime.text", 2, 1, TEXT_VA, 0),
                (b"main.main", 2, 1, TEXT_VA, 2),
                (b"main.Target", 2, 1, TEXT_VA + 0x10, 6),
                (b"runtime.buildVersion", 1, 3, DATA_VA + 0x100, 16),
                (b"runtime.modinfo", 1, 3, DATA_VA + 0x110, 16)):
            syms.append(struct.pack("<IBBHQQ", len(strtab), 0x10 | typ, 0,
                                    shndx, value, size))
            strtab += name + b"\0"
    symtab_off = (shstr_off + len(shstr) + 7) & ~7
    strtab_off = symtab_off + 24 * len(syms)
    end = strtab_off + len(strtab) if symtab else shstr_off + len(shstr)
    f = bytearray(end if sections else sh_off)
    phdrs = [
        (1, 5, TEXT_OFF, TEXT_VA, len(text)),
        (1, 4, RO_OFF, RO_VA, len(ro)),
        (1, 6, DATA_OFF, DATA_VA, len(data)),
    ]
    if pie_rela:
        phdrs.append((2, 6, DATA_OFF + dyn_at, DATA_VA + dyn_at, 80))
    f[0:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", f, 16, 3 if pie_rela else 2, machine, 1, TEXT_VA, 64,
                     sh_off if sections else 0, 0, 64, 56, len(phdrs),
                     64, nsh if sections else 0, 4 if sections else 0)
    for i, (t, fl, off, va, sz) in enumerate(phdrs):
        struct.pack_into("<IIQQQQQQ", f, 64 + 56 * i, t, fl, off, va, va,
                         sz, sz, 0x1000)
    f[TEXT_OFF:TEXT_OFF + len(text)] = text
    f[RO_OFF:RO_OFF + len(ro)] = ro
    f[DATA_OFF:DATA_OFF + len(data)] = data
    if sections:
        def sh(i, typ, flags, addr, off, size, link=0, info=0, entsize=0):
            struct.pack_into("<IIQQQQIIQQ", f, sh_off + 64 * i,
                             name_at[i - 1], typ, flags, addr, off, size,
                             link, info, 1, entsize)
        sh(1, 1, 6, TEXT_VA, TEXT_OFF, len(text))
        sh(2, 1, 2, RO_VA, RO_OFF, len(ro))
        sh(3, 1, 3, DATA_VA, DATA_OFF, len(data))
        sh(4, 3, 0, 0, shstr_off, len(shstr))
        f[shstr_off:shstr_off + len(shstr)] = shstr
        if symtab:
            sh(5, 2, 0, 0, symtab_off, 24 * len(syms), link=6, info=1,
               entsize=24)
            sh(6, 3, 0, 0, strtab_off, len(strtab))
            f[symtab_off:symtab_off + 24 * len(syms)] = b"".join(syms)
            f[strtab_off:strtab_off + len(strtab)] = strtab
    return bytes(f)


# name -> (bytes, expectations written by hand)
FIXTURES = {
    "go120_amd64.elf": elf(),
    "go116_amd64.elf": elf(layout=116),
    "go118_amd64.elf": elf(layout=118),
    "go126_moduledata.elf": elf(text_start=0, moduledata=True),
    "go120_nosections.elf": elf(sections=False),
    "go115_ptrinfo.elf": elf(layout=12, inline=False, version=b"go1.15.15"),
    "go120_arm64.elf": elf(machine=183),
    "go126_pie_rela.elf": elf(text_start=0, moduledata=True, pie_rela=True),
    # version "go1.20.7 X:boringcrypto,loopvar", MODULES above
    "go120_modules.elf": elf(version=b"go1.20.7 X:boringcrypto,loopvar",
                             modinfo=MODULES),
    "go121rc2.elf": elf(version=b"go1.21rc2"),
    "godevel.elf": elf(version=b"devel go1.23-4f0b2e3 Tue Jan 2 15:04:05 2024 +0000"),
    # before go1.13: version and module info only through the symbols
    "go112_symbols.elf": elf(layout=12, inline=False, version=b"go1.12.17",
                             symtab=True),
}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "inspect")
    os.makedirs(out, exist_ok=True)
    for name, data in FIXTURES.items():
        with open(os.path.join(out, name), "wb") as fh:
            fh.write(data)
    mdir = os.path.join(os.path.dirname(out), "modinfo")
    os.makedirs(mdir, exist_ok=True)
    with open(os.path.join(mdir, "modinfo.txt"), "wb") as fh:
        fh.write(MODINFO)
    with open(os.path.join(mdir, "modules.txt"), "wb") as fh:
        fh.write(MODULES)


if __name__ == "__main__":
    main()
