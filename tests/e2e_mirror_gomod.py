#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""scripts/gomirror/gomod.py against hand-written expectations taken from
the Go module reference (go.dev/ref/mod) and Debian's version rules: the
Debian -> module version mapping, proxy escaping, semver order, the zip
file-name and vendor rules, go.mod reading, Debian version comparison, and
the stored zip read back by Python's zipfile (an independent reader)."""

import io
import os
import sys
import tempfile
import zipfile

SRC = os.environ.get("LUTGEN_SOURCE_ROOT") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(SRC, "scripts"))
sys.dont_write_bytecode = True

from gomirror import debian, gomod  # noqa: E402

FAILS = []


def eq(got, want, what):
    if got != want:
        FAILS.append(what)
        print(f"FAIL: {what}: got {got!r}, want {want!r}", file=sys.stderr)


def main():
    V = gomod.debian_to_module_version
    cases = [
        # (Debian upstream version, module path, has go.mod, expected)
        ("1.64.0", "google.golang.org/grpc", True, "v1.64.0"),
        ("0.62.0", "golang.org/x/net", True, "v0.62.0"),
        ("0.7.0+dfsg", "golang.org/x/net", True, "v0.7.0"),
        ("0.4.51+ds1", "github.com/segmentio/kafka-go", True, "v0.4.51"),
        ("1.17.9+ds1", "go.mongodb.org/mongo-driver", True, "v1.17.9"),
        ("1.8", "github.com/x/y", True, "v1.8.0"),
        ("1.0~rc1", "github.com/x/y", True, "v1.0.0-rc1"),
        ("1.4.5+patch1", "github.com/DataDog/zstd", False, "v1.4.5"),
        ("5.0.0+really4.5.2", "github.com/golang-jwt/jwt/v4", True,
         "v4.5.2"),
        ("9.17.2", "github.com/redis/go-redis/v9", True, "v9.17.2"),
        ("5.9.2", "github.com/jackc/pgx/v5", True, "v5.9.2"),
        ("6.15.0", "github.com/go-redis/redis", False,
         "v6.15.0+incompatible"),
        ("2.4.0", "gopkg.in/yaml.v2", True, "v2.4.0"),
        ("0.0+git20210119.5f4716e+dfsg", "golang.org/x/net", True,
         "v0.0.0-20210119000000-5f4716e00000"),
        ("0.0~git20161208.20d25e2", "gopkg.in/check.v1", False,
         "v1.0.0-20161208000000-20d25e200000"),
        ("1.2.3+git20200101.abc1234", "example.com/m", True,
         "v1.2.4-0.20200101000000-abc123400000"),
    ]
    for up, path, has, want in cases:
        eq(V(up, path, has)[0], want, f"version of {path} {up}")
    for up, path, has in [("2012-01-27", "github.com/ajstarks/svgo", False),
                          ("2.14.1", "github.com/googleapis/gax-go", True),
                          ("0.123.0", "cloud.google.com/go/pubsub/v2", True)]:
        eq(V(up, path, has)[0], None, f"{path} {up} must be refused")

    eq(gomod.escape("github.com/IBM/sarama"), "github.com/!i!b!m/sarama",
       "escape")
    eq(gomod.escape("github.com/Shopify/sarama"),
       "github.com/!shopify/sarama", "escape")
    order = ["v0.9.0", "v1.0.0-rc1", "v1.0.0", "v1.2.0", "v1.10.0",
             "v2.0.0+incompatible"]
    eq(sorted(reversed(order), key=gomod.semver_key), order, "semver order")
    for v, p in [("v0.0.0-20210119000000-5f4716e00000", True),
                 ("v1.2.4-0.20200101000000-abc123400000", True),
                 ("v1.0.0-rc.1.0.20200101000000-abc123400000", True),
                 ("v1.64.0", False), ("v1.0.0-rc1", False)]:
        eq(gomod.is_pseudo(v), p, f"is_pseudo({v})")

    # x/mod/zip's isVendoredPackage, quirk included
    for rel, want in [("vendor/modules.txt", False),
                      ("vendor/a/b.go", True),
                      ("x/vendor/a.go", True),    # offset quirk
                      ("x/vendor/a/b.go", True),
                      ("abcdefgh/vendor/a.go", True),
                      ("vendored/a/b.go", False)]:
        eq(gomod.vendored(rel), want, f"vendored({rel})")
    for rel, want in [("a/b.go", True), (".travis.yml", True),
                      ("a b/c.go", True), ("a/CON.go", False),
                      ("a/b~1/c.go", False), ("a/b./c", False),
                      ("a/*.go", False), ("a//b", False), ("", False)]:
        eq(gomod.file_path_ok(rel), want, f"file_path_ok({rel!r})")

    mod = gomod.parse_gomod('''module "example.com/m" // comment

go 1.21.0
toolchain go1.22.1

require example.com/a v1.2.3
require (
	example.com/b v0.1.0 // indirect
	"example.com/c" v2.0.0+incompatible
)
replace example.com/a => ../a
''')
    eq(mod, {"module": "example.com/m", "go": "1.21.0",
             "require": [("example.com/a", "v1.2.3"),
                         ("example.com/b", "v0.1.0"),
                         ("example.com/c", "v2.0.0+incompatible")]},
       "parse_gomod")

    C = debian.compare_versions
    for a, b, sign in [("1.22.12-3~bpo12+1", "1.22.12-3", -1),
                       ("1:0.7.0+dfsg-1", "0.62.0-1", 1),
                       ("1.10.9-3", "1.10.9-2", 1),
                       ("0.0~git20210119.5f4716e+dfsg-4", "0.0-1", -1),
                       ("1.2~rc1-1", "1.2-1", -1),
                       ("2.0", "2.0", 0)]:
        c = C(a, b)
        eq((c > 0) - (c < 0), sign, f"compare_versions({a}, {b})")

    # the stored zip, read back by Python's zipfile
    with tempfile.TemporaryDirectory() as d:
        files = {"m@v1.0.0/go.mod": b"module m\n",
                 "m@v1.0.0/a/\u00e9.go": b"package a\n" * 5000,
                 "m@v1.0.0/empty": b""}
        entries = []
        for i, (name, data) in enumerate(sorted(files.items())):
            p = os.path.join(d, str(i))
            with open(p, "wb") as f:
                f.write(data)
            entries.append((name, p))
        buf = io.BytesIO()
        digests = gomod.write_zip(buf, entries)
        z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
        eq(z.testzip(), None, "zip CRCs")
        eq({i.filename: z.read(i) for i in z.infolist()}, files,
           "zip contents")
        eq({i.date_time for i in z.infolist()}, {(1980, 1, 1, 0, 0, 0)},
           "zip times")
        eq({i.compress_type for i in z.infolist()}, {zipfile.ZIP_STORED},
           "zip method")
        eq(gomod.hash1_digests(digests), gomod.hash1(list(files.items())),
           "hash1 from digests")
    if FAILS:
        print(f"{len(FAILS)} check(s) failed", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
