#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hand-written Go modules in the GOPROXY file layout, for tests.

    modfixture.py OUTDIR

writes OUTDIR/proxy/<escaped path>/@v/{list,<v>.info,<v>.mod,<v>.zip} and
OUTDIR/expected.json with the h1 hashes of every zip and go.mod, computed
here by an independent reimplementation of golang.org/x/mod/sumdb/dirhash
Hash1 (sha256 per file, "<hex>  <name>\\n" lines sorted by name, sha256 of
those, base64) -- never by lutgen.  tests/e2e_modules.py checks this
reimplementation against `go mod download -json` of a real toolchain.

Zips are deterministic (fixed timestamps, fixed order).  Some fixtures are
broken on purpose (an entry outside the module prefix, names differing only
in case, a list with nothing valid).
"""
import base64
import hashlib
import json
import os
import sys
import zipfile

STAMP = (2020, 1, 1, 0, 0, 0)


def escape(s):
    return "".join("!" + c.lower() if c.isupper() else c for c in s)


def h1_of_files(files):
    """files: iterable of (name, bytes)."""
    lines = "".join("%s  %s\n" % (hashlib.sha256(data).hexdigest(), name)
                    for name, data in sorted(files, key=lambda f: f[0].encode()))
    return "h1:" + base64.b64encode(
        hashlib.sha256(lines.encode()).digest()).decode()


def h1_of_zip(path):
    with zipfile.ZipFile(path) as z:
        return h1_of_files((n, z.read(n)) for n in z.namelist())


def h1_of_gomod(data):
    return h1_of_files([("go.mod", data)])


def write_zip(path, entries):
    """entries: list of (name, bytes or None for a directory entry)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, STAMP)
            if data is None:
                info.external_attr = 0o40755 << 16 | 0x10
                z.writestr(info, b"")
            else:
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                z.writestr(info, data)


def gomod(path, go="1.13", requires=()):
    text = "module %s\n\ngo %s\n" % (path, go)
    if requires:
        text += "\nrequire (\n" + "".join(
            "\t%s %s\n" % r for r in requires) + ")\n"
    return text.encode()


def source(pkg, body):
    return ("package %s\n\n%s\n" % (pkg, body)).encode()


# A method that stays a real function in the binary (func_params).
GREET = ("\n//go:noinline\nfunc (g *Greeter) Greet(n int, s string) string {\n"
         "\tfor i := 0; i < n; i++ {\n\t\tg.Name += s\n\t}\n"
         "\treturn g.Name\n}\n")

# path -> {version: files}; files: list of (relative name, bytes or None).
MODULES = {
    "example.com/hello": {
        "v1.0.0": [("go.mod", gomod("example.com/hello")),
                   ("hello.go", source("hello", "type Greeter struct {\n"
                                       "\tName  string\n}\n" + GREET))],
        "v1.1.0": [("go.mod", gomod("example.com/hello")),
                   ("LICENSE", b"Public domain, for tests.\n"),
                   ("sub/", None),
                   ("sub/sub.go", source("sub", "const X = 1")),
                   ("hello.go", source("hello", "type Greeter struct {\n"
                                       "\tName  string\n\tcount int\n}\n" + GREET))],
        "v1.1.1": [("go.mod", gomod("example.com/hello")),
                   ("hello.go", source("hello", "type Greeter struct {\n"
                                       "\tcount int\n\tName  string\n}\n" + GREET))],
        "v1.2.0-rc.1": [("go.mod", gomod("example.com/hello", "1.18")),
                        ("hello.go", source("hello", "type Greeter struct {\n"
                                            "\tName string\n}\n"))],
    },
    "github.com/Upper/Case": {
        "v0.1.0": [("go.mod", gomod("github.com/Upper/Case")),
                   ("Case.go", source("Case", "type T struct{ A, B int }"))],
    },
    "example.com/mod/v2": {
        "v2.0.0": [("go.mod", gomod("example.com/mod/v2")),
                   ("m.go", source("mod", "type M struct{ X int }"))],
        "v2.1.0": [("go.mod", gomod("example.com/mod/v2")),
                   ("m.go", source("mod", "type M struct{ Y, X int }"))],
    },
    "example.com/old": {
        "v1.5.0": [("go.mod", gomod("example.com/old")),
                   ("o.go", source("old", "type O int"))],
        # No go.mod in the zip: the proxy synthesises "module <path>".
        "v2.0.0+incompatible": [("o.go", source("old", "type O int64"))],
    },
    # Requires versions the proxy lacks (replaced by the resolver) and a
    # module it does not know at all.
    "example.com/needs": {
        "v1.0.0": [("go.mod", gomod("example.com/needs", "1.16",
                                    [("example.com/hello", "v1.0.5"),
                                     ("example.com/mod/v2", "v2.0.1"),
                                     ("example.com/ghost", "v1.0.0"),
                                     ("github.com/Upper/Case", "v0.1.0"),
                                     ("example.com/uses", "v1.0.0")])),
                   ("needs.go", source("needs", "type N struct{ A int }"))],
    },
    # Builds, but only through replacements: it requires hello v1.0.5 and
    # mod/v2 v2.0.1, which the proxy does not have; R embeds the Greeter.
    "example.com/repl": {
        "v1.0.0": [("go.mod", gomod("example.com/repl", "1.17",
                                    [("example.com/hello", "v1.0.5"),
                                     ("example.com/mod/v2", "v2.0.1")])),
                   ("repl.go", source("repl",
                                      "import (\n\t\"example.com/hello\"\n"
                                      "\tm \"example.com/mod/v2\"\n)\n\n"
                                      "type R struct {\n\thello.Greeter\n"
                                      "\tM m.M\n\tX int\n}\n"))],
    },
    # Debian's tree of example.com/big holds big/sub, which upstream split
    # into a module of its own; needsplit requires that one.  big requires
    # example.com/lint, which no proxy has (genproto and golang.org/x/lint),
    # and example.com/hello, which the proxy has (genproto's x/tools).
    "example.com/big": {
        "v1.0.0": [("go.mod", gomod("example.com/big", "1.14",
                                    [("example.com/hello", "v1.1.0"),
                                     ("example.com/lint", "v0.0.1")])),
                   ("big.go", source("big", "type B int")),
                   ("sub/sub.go", source("sub", "type S int"))],
    },
    "example.com/needsplit": {
        "v1.0.0": [("go.mod", gomod("example.com/needsplit", "1.13",
                                    [("example.com/big/sub", "v0.1.0")])),
                   ("n.go", source("needsplit", "import _ \"example.com/big/sub\""))],
    },
    "example.com/uses": {
        "v1.0.0": [("go.mod", gomod("example.com/uses", "1.13",
                                    [("example.com/hello", "v1.1.0")])),
                   ("uses.go", source("uses", "import _ \"example.com/hello\""))],
    },
}

# Extra lines of @v/list (skipped by clients: not valid for the path, or
# pseudo-versions).
LIST_EXTRA = {
    "example.com/hello": ["not-a-version", "v1.1.2-0.20240101000000-abcdefabcdef"],
    "example.com/mod/v2": ["v1.0.0", "v3.0.0"],
}


def write_module(proxy, path, version, files, expected):
    d = os.path.join(proxy, escape(path), "@v")
    os.makedirs(d, exist_ok=True)
    prefix = "%s@%s/" % (path, version)
    entries = [(prefix + name, data) for name, data in files]
    zpath = os.path.join(d, escape(version) + ".zip")
    write_zip(zpath, entries)
    mod = dict(files).get("go.mod") or ("module %s\n" % path).encode()
    with open(os.path.join(d, escape(version) + ".mod"), "wb") as f:
        f.write(mod)
    with open(os.path.join(d, escape(version) + ".info"), "w") as f:
        json.dump({"Version": version, "Time": "2020-01-01T00:00:00Z"}, f)
    expected[path + "@" + version] = {
        "h1": h1_of_zip(zpath),
        "gomod_h1": h1_of_gomod(mod),
        "zip": zpath,
    }


# A module mirror index as scripts/go-mirror writes it (README "The module
# mirror"): example.com/repl v1.0.0 is in two suites; "old" (no go
# directive in its closure) pins the oldest versions, "new" the newest.
MIRROR_TARGETS = {
    "example.com/repl": [
        {"version": "v1.0.0", "suite": "new", "go": "1.17"},
        {"version": "v1.0.0", "suite": "old", "go": None},
    ],
    "example.com/hello": [
        {"version": "v1.1.0", "suite": "new", "go": "1.13"},
    ],
}
MIRROR_SUITES = {
    "old": [("example.com/hello", "v1.0.0"), ("example.com/mod/v2", "v2.0.0"),
            ("example.com/repl", "v1.0.0")],
    "new": [("example.com/hello", "v1.1.1"), ("example.com/mod/v2", "v2.1.0"),
            ("example.com/repl", "v1.0.0")],
}


def write_mirror(d):
    os.makedirs(os.path.join(d, "suites"), exist_ok=True)
    with open(os.path.join(d, "modules.json"), "w") as f:
        json.dump({"format": "1", "goproxy": "proxy", "notes": [],
                   "targets": MIRROR_TARGETS}, f, indent=1, sort_keys=True)
    for suite, pins in MIRROR_SUITES.items():
        with open(os.path.join(d, "suites", suite + ".replace"), "w") as f:
            f.write("replace (\n" + "".join(
                "\t%s => %s %s\n" % (p, p, v) for p, v in pins) + ")\n")


def main():
    out = sys.argv[1]
    proxy = os.path.join(out, "proxy")
    expected = {}
    for path, versions in MODULES.items():
        for version, files in versions.items():
            write_module(proxy, path, version, files, expected)
        lines = list(versions) + LIST_EXTRA.get(path, [])
        with open(os.path.join(proxy, escape(path), "@v", "list"), "w") as f:
            f.write("".join(v + "\n" for v in reversed(lines)))

    # Broken on purpose.
    d = os.path.join(proxy, "example.com", "bad", "@v")
    os.makedirs(d, exist_ok=True)
    write_zip(os.path.join(d, "v1.0.0.zip"),
              [("example.com/bad@v1.0.0/go.mod", gomod("example.com/bad")),
               ("example.com/evil@v1.0.0/x.go", b"package x\n")])
    with open(os.path.join(d, "v1.0.0.mod"), "wb") as f:
        f.write(gomod("example.com/bad"))
    with open(os.path.join(d, "v1.0.0.info"), "w") as f:
        json.dump({"Version": "v1.0.0"}, f)
    with open(os.path.join(d, "list"), "w") as f:
        f.write("garbage\nalso garbage\n")

    d = os.path.join(proxy, "example.com", "dup", "@v")
    os.makedirs(d, exist_ok=True)
    write_zip(os.path.join(d, "v1.0.0.zip"),
              [("example.com/dup@v1.0.0/A.go", b"package dup\n"),
               ("example.com/dup@v1.0.0/a.go", b"package dup\n")])
    with open(os.path.join(d, "v1.0.0.mod"), "wb") as f:
        f.write(gomod("example.com/dup"))
    with open(os.path.join(d, "v1.0.0.info"), "w") as f:
        json.dump({"Version": "v1.0.0"}, f)

    # .info naming another version.
    d = os.path.join(proxy, "example.com", "liar", "@v")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "v1.0.0.info"), "w") as f:
        json.dump({"Version": "v1.0.1"}, f)

    write_mirror(os.path.join(out, "mirror"))

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
