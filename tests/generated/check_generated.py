#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Compile the COMMITTED generated/*.c and *.h as C99 and as C++11.

Every header must compile on its own; all sources link together with a
driver that walks every table found (lutgen_go_table_<name> declared in
generated/<name>.h): each measured range must answer LUTGEN_OK with its
own value at its first and last measured version, through the string API.
Where generated/goid.h exists, goid_offset is asked for every Go minor
from go1.10 to go1.30 (patch 0 and 99) on amd64, arm64 and an arch the
table lacks, and both the return code and the value are checked:
  - the value against the known goid offsets of runtime.g on 64-bit
    arches (Go's runtime/runtime2.go history: 152 up to go1.22, 160 in
    go1.23 and go1.24, 152 again from go1.25);
  - the code against the rules documented in lutgen_go.h, applied here in
    Python to the measured versions listed in goid.h's comment (older than
    every measured minor: LUTGEN_E_TOO_OLD, out untouched; newer:
    LUTGEN_EXTRAPOLATED with the newest value; an unmeasured minor between
    agreeing neighbours: LUTGEN_OK; between disagreeing ones:
    LUTGEN_UNCERTAIN with the older one's value; unknown arch:
    LUTGEN_E_ARCH).

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
	int rc, want;

	if (lutgen_go_version_format(v, ver, sizeof(ver)) < 0 || !an) {
		printf("%%s/%%s: unformattable version or arch\n", t->name,
		       l->name);
		failures++;
		return;
	}
	/* an optional lookup measured absent answers LUTGEN_ABSENT */
	want = r->absent ? LUTGEN_ABSENT : LUTGEN_OK;
	if (l->kind == LUTGEN_GO_LOOKUP_U64) {
		uint64_t out = 0;

		rc = l->u64(ver, an, &out);
		if (rc != want || (want == LUTGEN_OK && out != r->u)) {
			printf("%%s/%%s(%%s, %%s): rc %%d value %%llu, range "
			       "says %%llu\n", t->name, l->name, ver, an, rc,
			       (unsigned long long)out,
			       (unsigned long long)r->u);
			failures++;
		}
	} else if (l->kind == LUTGEN_GO_LOOKUP_I64) {
		int64_t out = 0;

		rc = l->i64(ver, an, &out);
		if (rc != want || (want == LUTGEN_OK && (uint64_t)out != r->u)) {
			printf("%%s/%%s(%%s, %%s): rc %%d value %%lld, range "
			       "says %%llu\n", t->name, l->name, ver, an, rc,
			       (long long)out, (unsigned long long)r->u);
			failures++;
		}
	} else {
		const struct lutgen_go_params *out = NULL;

		rc = l->params(ver, an, &out);
		if (rc != want || (want == LUTGEN_OK &&
				   !lutgen_go_params_equal(out, r->params))) {
			printf("%%s/%%s(%%s, %%s): rc %%d or other params\n",
			       t->name, l->name, ver, an, rc);
			failures++;
		}
	}
}

/* A module table's range: its first and last module version, with the
 * first and last Go toolchain of its slice, answer its value (or
 * LUTGEN_ABSENT). */
static void check_mod_range(const struct lutgen_go_table_desc *t,
			    const struct lutgen_go_lookup_desc *l,
			    enum lutgen_goarch arch,
			    const struct lutgen_mod_slice *s,
			    const struct lutgen_mod_range *r)
{
	const struct lutgen_mod_version *mv[2];
	const struct lutgen_go_version *gv[2];
	int i, j, rc, want = r->absent ? LUTGEN_ABSENT : LUTGEN_OK;

	mv[0] = &r->from;
	mv[1] = &r->to;
	gv[0] = &s->go_from;
	gv[1] = &s->go_to;
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 2; j++) {
			const struct lutgen_go_version *g =
				l->mod_lut->keys_go ? gv[j] : NULL;
			char ver[LUTGEN_MOD_VERSION_STR_MAX];

			lutgen_mod_version_format(mv[i], ver, sizeof(ver));
			if (l->kind == LUTGEN_GO_LOOKUP_U64) {
				uint64_t out = 0;

				rc = l->mod_u64_v(mv[i], g, arch, &out);
				if (rc != want ||
				    (want == LUTGEN_OK && out != r->u)) {
					printf("%%s/%%s(%%s, %%s): rc %%d value "
					       "%%llu, range says %%llu%%s\n",
					       t->name, l->name, ver,
					       lutgen_goarch_name(arch), rc,
					       (unsigned long long)out,
					       (unsigned long long)r->u,
					       r->absent ? " (absent)" : "");
					failures++;
				}
			} else {
				const struct lutgen_go_params *out = NULL;

				rc = l->mod_params_v(mv[i], g, arch, &out);
				if (rc != want ||
				    (want == LUTGEN_OK &&
				     !lutgen_go_params_equal(out, r->params))) {
					printf("%%s/%%s(%%s, %%s): rc %%d or other "
					       "params\n", t->name, l->name,
					       ver, lutgen_goarch_name(arch), rc);
					failures++;
				}
			}
		}
	}
}

static void check_mod_lookup(const struct lutgen_go_table_desc *t,
			     const struct lutgen_go_lookup_desc *l)
{
	uint32_t a, s, n;

	for (a = 0; a < l->mod_lut->narches; a++) {
		const struct lutgen_mod_arch *ar = &l->mod_lut->arches[a];

		for (s = 0; s < ar->nslices; s++)
			for (n = 0; n < ar->slices[s].nranges; n++)
				check_mod_range(t, l, ar->arch,
						&ar->slices[s],
						&ar->slices[s].ranges[n]);
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

			if (l->mod_lut) {
				check_mod_lookup(t, l);
				continue;
			}
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
/* goid_offset answers: rc and value of every case (value 0xdead when the
 * rc says out stays untouched). */
struct goid_case {
	const char *ver;
	const char *arch;
	int rc;
	uint64_t value;
};

static const struct goid_case goid_cases[] = {
%(cases)s	{ NULL, NULL, 0, 0 }
};

static void goid_known(void)
{
	size_t i;

	for (i = 0; goid_cases[i].ver; i++) {
		const struct goid_case *c = &goid_cases[i];
		uint64_t out = 0xdead;
		int rc = goid_offset(c->ver, c->arch, &out);

		if (rc != c->rc || out != c->value) {
			printf("goid_offset(%%s, %%s): rc %%d (%%s) value %%llu, "
			       "want rc %%d (%%s) value %%llu\n", c->ver,
			       c->arch, rc, lutgen_go_strerror(rc),
			       (unsigned long long)out, c->rc,
			       lutgen_go_strerror(c->rc),
			       (unsigned long long)c->value);
			failures++;
		}
	}
	printf("goid_offset: %%zu known answers checked (code and value)\n", i);
}

"""

GOID_KNOWN = r"""
	goid_known();
"""

LUTGEN_OK, LUTGEN_UNCERTAIN, LUTGEN_EXTRAPOLATED = 0, 1, 2
LUTGEN_E_TOO_OLD, LUTGEN_E_ARCH = -2, -3
UNTOUCHED = 0xDEAD


def goid_history(minor):
    """runtime.g.goid offset on 64-bit arches, from Go's history."""
    if minor <= 22:
        return 152
    if minor <= 24:
        return 160
    return 152


def measured_versions(header):
    """{arch: [(minor, patch)]} from goid.h's "Measured versions" comment."""
    out, arch, inside = {}, None, False
    for line in header.splitlines():
        if "Measured versions per arch:" in line:
            inside = True
            continue
        if not inside:
            continue
        m = re.match(r"\s\*\s{3}(\w+):\s*$", line)
        if m:
            arch = m.group(1)
            out[arch] = []
            continue
        m = re.match(r"\s\*\s{5}(go\S.*)$", line)
        if m and arch:
            for v in m.group(1).split():
                t = re.fullmatch(r"go1\.(\d+)(?:\.(\d+))?", v)
                out[arch].append((int(t.group(1)), int(t.group(2) or 0)))
            continue
        break
    return out


def goid_cases(header):
    """(version, arch, rc, value) by the rules of lutgen_go.h."""
    measured = measured_versions(header)
    cases = []
    for arch in ("amd64", "arm64", "riscv64"):
        for minor in range(10, 31):
            for patch in (0, 99):
                ver = "go1.%d.%d" % (minor, patch)
                vs = measured.get(arch)
                if not vs:
                    cases.append((ver, arch, LUTGEN_E_ARCH, UNTOUCHED))
                    continue
                minors = sorted({m for m, _ in vs})
                if minor < minors[0]:
                    cases.append((ver, arch, LUTGEN_E_TOO_OLD, UNTOUCHED))
                elif minor > minors[-1]:
                    cases.append((ver, arch, LUTGEN_EXTRAPOLATED,
                                  goid_history(minors[-1])))
                elif minor in minors:
                    patches = sorted(p for m, p in vs if m == minor)
                    values = {goid_history(minor) for _ in patches}
                    rc = (LUTGEN_UNCERTAIN
                          if patch < patches[0] and len(values) > 1
                          else LUTGEN_OK)
                    cases.append((ver, arch, rc, goid_history(minor)))
                else:
                    lo = max(m for m in minors if m < minor)
                    hi = min(m for m in minors if m > minor)
                    if goid_history(lo) == goid_history(hi):
                        cases.append((ver, arch, LUTGEN_OK,
                                      goid_history(lo)))
                    else:
                        cases.append((ver, arch, LUTGEN_UNCERTAIN,
                                      goid_history(lo)))
    return cases


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
    skip = 1 if os.environ.get("CI", "") not in ("", "0", "false") else 77
    if not src or not build:
        print("LUTGEN_SOURCE_ROOT/LUTGEN_BUILD_ROOT unset; run via meson test")
        return skip
    for c in (cc, cxx):
        if not shutil.which(c):
            print("compiler %s not found" % c)
            return skip
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
        known, cases = "", []
        if ("goid.h", "goid") in tables:
            with open(os.path.join(gen, "goid.h")) as f:
                text = f.read()
            if re.search(r"\bint goid_offset\(", text):
                cases = goid_cases(text)
                if not measured_versions(text):
                    print("goid.h lists no measured versions")
                    return 1
                known = GOID_KNOWN
        driver = os.path.join(tmp, "driver.c")
        with open(driver, "w") as f:
            f.write(DRIVER % {
                "includes": "\n".join('#include "%s"' % os.path.basename(h)
                                      for h in headers),
                "tables": "".join("\t&lutgen_go_table_%s,\n" % t
                                  for _, t in tables),
                "known": known,
                "known_fn": (KNOWN_FN % {"cases": "".join(
                    '\t{ "%s", "%s", %d, %du },\n' % c for c in cases)})
                if known else "",
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
