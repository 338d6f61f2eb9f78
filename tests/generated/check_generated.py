#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile the COMMITTED generated/*.c and *.h as C99 and as C++11.

Every header must compile on its own; all sources link together with a
driver that walks every table found (lutgen_go_table_<name> declared in
generated/<name>.h): each measured range must answer LUTGEN_OK with its
own value at its first and last measured version, through the string API.
Where generated/goid.h exists, the known goid offsets of runtime.g on
64-bit arches (from Go's runtime/runtime2.go history: 152 up to go1.22,
160 in go1.23 and go1.24, 152 again from go1.25) are checked wherever the
table answers LUTGEN_OK.

Usage: check_generated.py CC CXX   (LUTGEN_SOURCE_ROOT, LUTGEN_BUILD_ROOT)
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

FLAGS = {
    "c": ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"],
    "c++": ["-std=c++11", "-Wall", "-Wextra", "-Werror", "-pedantic",
            "-x", "c++"],
}

DRIVER = r"""
#include <stdio.h>
#include <string.h>

%(includes)s

static int failures;

static const struct lutgen_go_table_desc *const tables[] = {
%(tables)s	NULL
};

static void check_range(const struct lutgen_go_table_desc *t,
			const struct lutgen_go_lookup_desc *l,
			enum lutgen_goarch arch,
			const struct lutgen_go_range *r,
			const struct lutgen_go_version *v)
{
	char ver[LUTGEN_GO_VERSION_STR_MAX];
	const char *an = lutgen_goarch_name(arch);
	int rc;

	if (lutgen_go_version_format(v, ver, sizeof(ver)) < 0 || !an) {
		printf("%%s/%%s: unformattable version or arch\n", t->name,
		       l->name);
		failures++;
		return;
	}
	if (l->kind == LUTGEN_GO_LOOKUP_U64) {
		uint64_t out = 0;

		rc = l->u64(ver, an, &out);
		if (rc != LUTGEN_OK || out != r->u) {
			printf("%%s/%%s(%%s, %%s): rc %%d value %%llu, range "
			       "says %%llu\n", t->name, l->name, ver, an, rc,
			       (unsigned long long)out,
			       (unsigned long long)r->u);
			failures++;
		}
	} else {
		const struct lutgen_go_params *out = NULL;

		rc = l->params(ver, an, &out);
		if (rc != LUTGEN_OK || !lutgen_go_params_equal(out, r->params)) {
			printf("%%s/%%s(%%s, %%s): rc %%d or other params\n",
			       t->name, l->name, ver, an, rc);
			failures++;
		}
	}
}

%(known_fn)sint main(void)
{
	size_t i;
	uint32_t k, a, n;

	for (i = 0; tables[i]; i++) {
		const struct lutgen_go_table_desc *t = tables[i];

		for (k = 0; k < t->nlookups; k++) {
			const struct lutgen_go_lookup_desc *l = &t->lookups[k];

			for (a = 0; a < l->lut->narches; a++) {
				const struct lutgen_go_arch_ranges *ar =
					&l->lut->arches[a];

				for (n = 0; n < ar->nranges; n++) {
					check_range(t, l, ar->arch,
						    &ar->ranges[n],
						    &ar->ranges[n].from);
					check_range(t, l, ar->arch,
						    &ar->ranges[n],
						    &ar->ranges[n].to);
				}
			}
		}
	}
%(known)s
	printf("%%zu table(s), %%d failure(s)\n", i, failures);
	return failures ? 1 : 0;
}
"""

KNOWN_FN = r"""
/* Known answers where the table is certain. */
static void known(int (*fn)(const char *, const char *, uint64_t *),
		  const char *ver, const char *arch, uint64_t want)
{
	uint64_t out = 0;
	int rc = fn(ver, arch, &out);

	if (rc == LUTGEN_OK && out != want) {
		printf("known answer %s %s: %llu, want %llu\n", ver, arch,
		       (unsigned long long)out, (unsigned long long)want);
		failures++;
	}
}

"""

GOID_KNOWN = r"""
	{
		static const char *const arches[] = { "amd64", "arm64" };
		size_t j;

		for (j = 0; j < 2; j++) {
			known(goid_offset, "go1.13.0", arches[j], 152);
			known(goid_offset, "go1.20.0", arches[j], 152);
			known(goid_offset, "go1.22.0", arches[j], 152);
			known(goid_offset, "go1.23.0", arches[j], 160);
			known(goid_offset, "go1.24.0", arches[j], 160);
			known(goid_offset, "go1.25.0", arches[j], 152);
		}
	}
"""


def run(cmd, log):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    if p.returncode != 0:
        log.append("$ " + " ".join(cmd) + "\n" + p.stdout)
    return p.returncode == 0, p.stdout


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    cc, cxx = sys.argv[1], sys.argv[2]
    src = os.environ.get("LUTGEN_SOURCE_ROOT")
    build = os.environ.get("LUTGEN_BUILD_ROOT")
    if not src or not build:
        print("LUTGEN_SOURCE_ROOT/LUTGEN_BUILD_ROOT unset; run via meson test")
        return 77
    for c in (cc, cxx):
        if not shutil.which(c):
            print("compiler %s not found" % c)
            return 77
    gen = os.path.join(src, "generated")
    headers = sorted(glob.glob(os.path.join(gen, "*.h")))
    sources = sorted(glob.glob(os.path.join(gen, "*.c")))
    if os.path.join(gen, "lutgen_go.h") not in headers:
        print("generated/lutgen_go.h missing")
        return 1
    tables = []
    for h in headers:
        with open(h) as f:
            m = re.search(r"extern const struct lutgen_go_table_desc "
                          r"lutgen_go_table_(\w+);", f.read())
        if m:
            tables.append((os.path.basename(h), m.group(1)))
    print("headers: %s" % ", ".join(os.path.basename(h) for h in headers))
    print("tables: %s" % (", ".join(t for _, t in tables) or "(none)"))

    tmp = tempfile.mkdtemp(prefix="generated-", dir=os.path.join(build, "tests"))
    log = []
    ok = True
    try:
        known = GOID_KNOWN if ("goid.h", "goid") in tables else ""
        if known:
            with open(os.path.join(gen, "goid.h")) as f:
                if not re.search(r"\bint goid_offset\(", f.read()):
                    known = ""
        driver = os.path.join(tmp, "driver.c")
        with open(driver, "w") as f:
            f.write(DRIVER % {
                "includes": "\n".join('#include "%s"' % os.path.basename(h)
                                      for h in headers),
                "tables": "".join("\t&lutgen_go_table_%s,\n" % t
                                  for _, t in tables),
                "known": known,
                "known_fn": KNOWN_FN if known else "",
            })
        for lang, compiler in (("c", cc), ("c++", cxx)):
            # Each header on its own.
            for h in headers:
                tu = os.path.join(tmp, "only_" + os.path.basename(h) + ".c")
                with open(tu, "w") as f:
                    f.write('#include "%s"\n' % os.path.basename(h))
                good, _ = run([compiler] + FLAGS[lang] +
                              ["-I", gen, "-c", tu, "-o", os.devnull], log)
                ok &= good
                print("%s %-5s %s" % ("ok  " if good else "FAIL", lang,
                                      os.path.basename(h)))
            exe = os.path.join(tmp, "driver-" + lang.replace("+", "x"))
            good, _ = run([compiler] + FLAGS[lang] +
                          ["-I", gen, "-o", exe, driver] + sources, log)
            print("%s %-5s link %s" % ("ok  " if good else "FAIL", lang,
                                       " ".join(os.path.basename(s)
                                                for s in sources)))
            ok &= good
            if good:
                good, out = run([exe], log)
                print("%s %-5s run: %s" % ("ok  " if good else "FAIL", lang,
                                           out.strip().splitlines()[-1]
                                           if out.strip() else ""))
                ok &= good
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for entry in log:
        print(entry)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
