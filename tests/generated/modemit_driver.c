/* SPDX-License-Identifier: MIT */
/*
 * tests/generated/modemit_driver.c - drives the C that tests/test_modtable.c
 * emits for its two hand-built module tables, "mtst" (not keyed by Go) and
 * "mgo" (keyed by Go), compiled as C99 and as C++11.  Every expectation is
 * written by hand from the fixtures and the coverage rules in lutgen_go.h.
 * Exit 0 when all checks pass.
 */
#include <stdio.h>
#include <string.h>

#include "mgo.h"
#include "mtst.h"

static int failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("%s:%d: check failed: %s\n", __FILE__,      \
			       __LINE__, #cond);                           \
			failures++;                                        \
		}                                                          \
	} while (0)

typedef int (*mod_u64_fn)(const char *, const char *, const char *,
			  uint64_t *);

static void u64_case(int line, mod_u64_fn fn, const char *mv, const char *gv,
		     const char *arch, int want_rc, uint64_t want)
{
	uint64_t out = 777777u;
	int rc = fn(mv, gv, arch, &out);

	if (rc != want_rc) {
		printf("%s:%d: (%s, %s, %s): rc %d (%s), want %d (%s)\n",
		       __FILE__, line, mv ? mv : "NULL", gv ? gv : "NULL",
		       arch ? arch : "NULL", rc, lutgen_go_strerror(rc),
		       want_rc, lutgen_go_strerror(want_rc));
		failures++;
		return;
	}
	if (rc >= 0 && out != want) {
		printf("%s:%d: (%s, %s, %s): value %llu, want %llu\n", __FILE__,
		       line, mv, gv ? gv : "NULL", arch,
		       (unsigned long long)out, (unsigned long long)want);
		failures++;
	}
	if (rc < 0 && out != 777777u) {
		printf("%s:%d: (%s): out written on error\n", __FILE__, line,
		       mv ? mv : "NULL");
		failures++;
	}
}

#define U64(fn, mv, gv, arch, rc, want) \
	u64_case(__LINE__, fn, mv, gv, arch, rc, want)

static void test_mtst(void)
{
	const struct lutgen_go_params *p = NULL;

	/* mtst_off amd64: v1.0.0 v1.1.0 -> 8, v1.2.0 -> 16, v1.2.3 and
	 * v2.0.0+incompatible -> 24; go_version does not matter. */
	U64(mtst_off, "v1.0.0", NULL, "amd64", LUTGEN_OK, 8);
	U64(mtst_off, "v1.0.0", "go1.22.3", "amd64", LUTGEN_OK, 8);
	U64(mtst_off, "v1.0.5", NULL, "amd64", LUTGEN_OK, 8);
	U64(mtst_off, "v0.9.0", NULL, "amd64", LUTGEN_E_TOO_OLD, 0);
	U64(mtst_off, "v1.1.0-rc.1", NULL, "amd64", LUTGEN_OK, 8);
	U64(mtst_off, "v1.1.7", NULL, "amd64", LUTGEN_OK, 8);
	U64(mtst_off, "v1.2.0", NULL, "amd64", LUTGEN_OK, 16);
	/* Between measured v1.2.0 (16) and v1.2.3 (24): not exact. */
	U64(mtst_off, "v1.2.1", NULL, "amd64", LUTGEN_UNCERTAIN, 16);
	U64(mtst_off, "v1.2.3", NULL, "amd64", LUTGEN_OK, 24);
	U64(mtst_off, "v1.2.5", NULL, "amd64", LUTGEN_OK, 24);
	/* Below the oldest measured patch of a minor whose patches differ. */
	U64(mtst_off, "v1.2.0-rc.1", NULL, "amd64", LUTGEN_UNCERTAIN, 16);
	/* Pseudo-versions lie just after their base. */
	U64(mtst_off, "v1.2.1-0.20240101000000-abcdefabcdef", NULL, "amd64",
	    LUTGEN_UNCERTAIN, 16);
	U64(mtst_off, "v1.2.4-0.20240101000000-abcdefabcdef", NULL, "amd64",
	    LUTGEN_OK, 24);
	U64(mtst_off, "v0.0.0-20240101000000-abcdefabcdef", NULL, "amd64",
	    LUTGEN_E_TOO_OLD, 0);
	/* Unmeasured minors between agreeing neighbours. */
	U64(mtst_off, "v1.5.0", NULL, "amd64", LUTGEN_OK, 24);
	U64(mtst_off, "v2.0.5+incompatible", NULL, "amd64", LUTGEN_OK, 24);
	U64(mtst_off, "v2.1.0+incompatible", NULL, "amd64", LUTGEN_EXTRAPOLATED,
	    24);
	U64(mtst_off, "v3.0.0+incompatible", NULL, "amd64", LUTGEN_EXTRAPOLATED,
	    24);
	/* arm64: only v1.1.0 measured. */
	U64(mtst_off, "v1.1.0", NULL, "arm64", LUTGEN_OK, 8);
	U64(mtst_off, "v1.0.0", NULL, "arm64", LUTGEN_E_TOO_OLD, 0);
	U64(mtst_off, "v1.4.0", NULL, "arm64", LUTGEN_EXTRAPOLATED, 8);
	U64(mtst_off, "v1.1.0", NULL, "riscv64", LUTGEN_E_ARCH, 0);
	U64(mtst_off, "v1.1.0", NULL, "sparc", LUTGEN_E_ARCH, 0);
	/* Garbage. */
	U64(mtst_off, "1.2.0", NULL, "amd64", LUTGEN_E_VERSION, 0);
	U64(mtst_off, "v1.2", NULL, "amd64", LUTGEN_E_VERSION, 0);
	U64(mtst_off, "v1.2.0+build", NULL, "amd64", LUTGEN_E_VERSION, 0);
	U64(mtst_off, "v1.02.0", NULL, "amd64", LUTGEN_E_VERSION, 0);
	U64(mtst_off, "(devel)", NULL, "amd64", LUTGEN_E_VERSION, 0);
	U64(mtst_off, "v1.2.0", "banana", "amd64", LUTGEN_E_VERSION, 0);
	U64(mtst_off, NULL, NULL, "amd64", LUTGEN_E_INVAL, 0);
	U64(mtst_off, "v1.2.0", NULL, NULL, LUTGEN_E_INVAL, 0);
	CHECK(mtst_off("v1.2.0", NULL, "amd64", NULL) == LUTGEN_E_INVAL);

	/* mtst_opt amd64: v1.0.0 absent, v1.1.0 .. v1.2.3 -> 32,
	 * v2.0.0+incompatible absent. */
	U64(mtst_opt, "v1.0.0", NULL, "amd64", LUTGEN_ABSENT, 0);
	U64(mtst_opt, "v1.1.0", NULL, "amd64", LUTGEN_OK, 32);
	U64(mtst_opt, "v1.2.3", NULL, "amd64", LUTGEN_OK, 32);
	U64(mtst_opt, "v1.5.0", NULL, "amd64", LUTGEN_UNCERTAIN, 32);
	U64(mtst_opt, "v2.0.0+incompatible", NULL, "amd64", LUTGEN_ABSENT, 0);

	/* mtst_params amd64: v1.0.0 one parameter, v1.2.0 two; v1.1 lies
	 * between them. */
	CHECK(mtst_params("v1.0.2", NULL, "amd64", &p) == LUTGEN_OK);
	CHECK(p && p->nparams == 1);
	CHECK(mtst_params("v1.1.4", NULL, "amd64", &p) == LUTGEN_UNCERTAIN);
	CHECK(p && p->nparams == 1 && strcmp(p->params[0].name, "t") == 0);
	CHECK(mtst_params("v1.2.0", NULL, "amd64", &p) == LUTGEN_OK);
	CHECK(p && p->nparams == 2 && strcmp(p->params[1].name, "ctx") == 0 &&
	      p->params[1].pieces[0].reg == 3);
	CHECK(mtst_params("v1.9.0", NULL, "amd64", &p) == LUTGEN_EXTRAPOLATED);
}

static void test_mgo(void)
{
	struct lutgen_mod_version mv;
	struct lutgen_go_version gv;
	uint64_t out = 0;

	/* mgo_off amd64 slices: go1.15: v1.0.0 v1.1.0 -> 8; go1.21: v1.1.0
	 * -> 24; go1.27: v1.0.0 -> 16, v1.1.0 -> 24. */
	U64(mgo_off, "v1.0.0", NULL, "amd64", LUTGEN_E_INVAL, 0);
	U64(mgo_off, "v1.0.0", "go1.15.15", "amd64", LUTGEN_OK, 8);
	U64(mgo_off, "v1.0.0", "go1.15.3", "amd64", LUTGEN_OK, 8);
	U64(mgo_off, "v1.0.0", "go1.27.1", "amd64", LUTGEN_OK, 16);
	U64(mgo_off, "v1.1.0", "go1.27.4", "amd64", LUTGEN_OK, 24);
	/* go1.18 lies between go1.15 (8) and go1.21 (24): they disagree. */
	U64(mgo_off, "v1.1.0", "go1.18.3", "amd64", LUTGEN_UNCERTAIN, 8);
	/* go1.24 between go1.21 and go1.27, which agree on v1.1.0. */
	U64(mgo_off, "v1.1.0", "go1.24.0", "amd64", LUTGEN_OK, 24);
	/* go1.21 measured only v1.1.0. */
	U64(mgo_off, "v1.0.0", "go1.24.0", "amd64", LUTGEN_E_TOO_OLD, 0);
	U64(mgo_off, "v1.1.0", "go1.30", "amd64", LUTGEN_EXTRAPOLATED, 24);
	U64(mgo_off, "v1.3.0", "go1.27.4", "amd64", LUTGEN_EXTRAPOLATED, 24);
	U64(mgo_off, "v1.1.0", "go1.14.2", "amd64", LUTGEN_E_TOO_OLD, 0);
	U64(mgo_off, "v1.1.0", "go1.27.4", "arm64", LUTGEN_E_ARCH, 0);

	CHECK(lutgen_mod_version_parse("v1.1.0", &mv) == LUTGEN_OK);
	CHECK(lutgen_go_version_parse("go1.21.13", &gv) == LUTGEN_OK);
	CHECK(mgo_off_v(&mv, &gv, LUTGEN_GOARCH_AMD64, &out) == LUTGEN_OK);
	CHECK(out == 24);
	CHECK(mgo_off_v(&mv, NULL, LUTGEN_GOARCH_AMD64, &out) == LUTGEN_E_INVAL);
	CHECK(mtst_off_v(&mv, NULL, LUTGEN_GOARCH_AMD64, &out) == LUTGEN_OK);
	CHECK(out == 8);
}

static void test_versions(void)
{
	struct lutgen_mod_version a, b;
	char buf[LUTGEN_MOD_VERSION_STR_MAX];

	CHECK(lutgen_mod_version_parse("v1.2.3-rc.1+incompatible", &a) == 0);
	CHECK(a.major == 1 && a.minor == 2 && a.patch == 3 && a.incompatible);
	CHECK(strcmp(a.pre, "rc.1") == 0);
	CHECK(lutgen_mod_version_format(&a, buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "v1.2.3-rc.1+incompatible") == 0);
	CHECK(lutgen_mod_version_format(&a, buf, 5) == -1);
	/* The go command's order. */
	CHECK(lutgen_mod_version_parse("v1.0.0-alpha.beta", &a) == 0);
	CHECK(lutgen_mod_version_parse("v1.0.0-beta", &b) == 0);
	CHECK(lutgen_mod_version_cmp(&a, &b) < 0);
	CHECK(lutgen_mod_version_parse("v1.0.0-beta.11", &a) == 0);
	CHECK(lutgen_mod_version_parse("v1.0.0-beta.2", &b) == 0);
	CHECK(lutgen_mod_version_cmp(&a, &b) > 0);
	CHECK(lutgen_mod_version_parse("v1.0.0-2", &a) == 0);
	CHECK(lutgen_mod_version_parse("v1.0.0-alpha", &b) == 0);
	CHECK(lutgen_mod_version_cmp(&a, &b) < 0);
	CHECK(lutgen_mod_version_parse("v1.0.0", &a) == 0);
	CHECK(lutgen_mod_version_cmp(&a, &b) > 0);
	CHECK(lutgen_mod_version_parse("v1.10.0", &b) == 0);
	CHECK(lutgen_mod_version_parse("v1.9.0", &a) == 0);
	CHECK(lutgen_mod_version_cmp(&a, &b) < 0);
	CHECK(lutgen_mod_version_parse("v2.0.0", &a) == 0);
	CHECK(lutgen_mod_version_parse("v2.0.0+incompatible", &b) == 0);
	CHECK(lutgen_mod_version_cmp(&a, &b) < 0);
	CHECK(lutgen_mod_version_parse("v1.0.0-01", &a) == LUTGEN_E_VERSION);
	CHECK(lutgen_mod_version_parse("v1.0.0-a..b", &a) == LUTGEN_E_VERSION);
	CHECK(lutgen_mod_version_parse("v1234567890123456789.0.0", &a) ==
	      LUTGEN_E_VERSION);
	CHECK(lutgen_mod_version_parse(NULL, &a) == LUTGEN_E_INVAL);
}

static void test_registry(void)
{
	const struct lutgen_go_table_desc *t = &lutgen_go_table_mtst;

	CHECK(strcmp(t->name, "mtst") == 0);
	CHECK(t->module && strcmp(t->module, "example.com/m") == 0);
	CHECK(t->keys_go == 0);
	CHECK(lutgen_go_table_mgo.keys_go == 1);
	CHECK(strcmp(t->newest_measured, "v2.0.0+incompatible") == 0);
	CHECK(t->nlookups == 3);
	if (t->nlookups != 3)
		return;
	CHECK(t->lookups[0].u64 == NULL && t->lookups[0].lut == NULL);
	CHECK(t->lookups[0].mod_u64 == mtst_off);
	CHECK(t->lookups[0].mod_u64_v == mtst_off_v);
	CHECK(t->lookups[2].mod_params == mtst_params);
	CHECK(t->lookups[2].kind == LUTGEN_GO_LOOKUP_PARAMS);
	CHECK(t->lookups[0].mod_lut && t->lookups[0].mod_lut->keys_go == 0);
	CHECK(strcmp(t->lookups[1].measures,
		     "struct_offset example.com/m.T a|b (optional)") == 0);
}

int main(void)
{
	test_mtst();
	test_mgo();
	test_versions();
	test_registry();
	if (failures)
		printf("%d failure(s)\n", failures);
	return failures ? 1 : 0;
}
