/* SPDX-License-Identifier: MIT */
/*
 * tests/generated/emit_driver.c - drives the C emitted by tests/test_emit.c
 * for its hand-built table "tst" (compiled as C99 and as C++11 together
 * with the emitted tst.c and lutgen_go.c).  Every expected value below is
 * written by hand from the fixture in test_emit.c and the coverage rules
 * of the brief, not taken from lutgen.  Exit 0 when all checks pass.
 */
#include <stdio.h>
#include <string.h>

#include "tst.h"

static int failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("%s:%d: check failed: %s\n", __FILE__,      \
			       __LINE__, #cond);                           \
			failures++;                                        \
		}                                                          \
	} while (0)

/* u64 lookup: expect rc and (when rc >= 0) value; *out untouched if < 0. */
static void u64_case(int line,
		     int (*fn)(const char *, const char *, uint64_t *),
		     const char *ver, const char *arch, int want_rc,
		     uint64_t want)
{
	uint64_t out = 777777u;
	int rc = fn(ver, arch, &out);

	if (rc != want_rc) {
		printf("%s:%d: (%s, %s): rc %d (%s), want %d (%s)\n", __FILE__,
		       line, ver ? ver : "NULL", arch ? arch : "NULL", rc,
		       lutgen_go_strerror(rc), want_rc,
		       lutgen_go_strerror(want_rc));
		failures++;
		return;
	}
	if (rc >= 0 && out != want) {
		printf("%s:%d: (%s, %s): value %llu, want %llu\n", __FILE__,
		       line, ver, arch, (unsigned long long)out,
		       (unsigned long long)want);
		failures++;
	}
	if (rc < 0 && out != 777777u) {
		printf("%s:%d: (%s, %s): out written on error\n", __FILE__,
		       line, ver ? ver : "NULL", arch ? arch : "NULL");
		failures++;
	}
}

#define U64(fn, ver, arch, rc, want) u64_case(__LINE__, fn, ver, arch, rc, want)

static void test_goid(void)
{
	/* amd64 measured: 1.13.15 1.14.15 1.16.15 1.18.10 1.20.14 1.22.12
	 * -> 152, 1.23.12 1.24.4 -> 160, 1.25.0 -> 152. */
	U64(goid_offset, "go1.13.15", "amd64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.13", "amd64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.13rc1", "amd64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.15.3", "amd64", LUTGEN_OK, 152);   /* between agreeing */
	U64(goid_offset, "go1.21rc2", "amd64", LUTGEN_OK, 152);  /* between agreeing */
	U64(goid_offset, "1.22.3", "amd64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.22.3 X:boringcrypto", "amd64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.22.3 Y", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go1.22.20", "amd64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.23.0", "amd64", LUTGEN_OK, 160);   /* measured minor */
	U64(goid_offset, "go1.23rc1", "amd64", LUTGEN_OK, 160);
	U64(goid_offset, "go1.24.9", "amd64", LUTGEN_OK, 160);
	U64(goid_offset, "go1.25.0", "amd64", LUTGEN_OK, 152);   /* the revert */
	U64(goid_offset, "go1.25.7", "amd64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.26.1", "amd64", LUTGEN_EXTRAPOLATED, 152);
	U64(goid_offset, "go1.30", "amd64", LUTGEN_EXTRAPOLATED, 152);
	U64(goid_offset, "go2.0.0", "amd64", LUTGEN_EXTRAPOLATED, 152);
	U64(goid_offset, "go1.12.17", "amd64", LUTGEN_E_TOO_OLD, 0);
	U64(goid_offset, "go1", "amd64", LUTGEN_E_TOO_OLD, 0);
	U64(goid_offset, "go1.20", "amd64", LUTGEN_OK, 152);

	/* arm64 measured: 1.20.14 1.22.12 -> 152, 1.24.4 -> 160, 1.25.0 ->
	 * 152: 1.23 lies between disagreeing neighbours. */
	U64(goid_offset, "go1.23.5", "arm64", LUTGEN_UNCERTAIN, 152);
	U64(goid_offset, "go1.23rc2", "arm64", LUTGEN_UNCERTAIN, 152);
	U64(goid_offset, "go1.21.0", "arm64", LUTGEN_OK, 152);
	U64(goid_offset, "go1.24.0", "arm64", LUTGEN_OK, 160);
	U64(goid_offset, "go1.19.13", "arm64", LUTGEN_E_TOO_OLD, 0);
	U64(goid_offset, "go1.27.0", "arm64", LUTGEN_EXTRAPOLATED, 152);

	/* riscv64 is in the spec but was never measured; sparc is no arch. */
	U64(goid_offset, "go1.22.3", "riscv64", LUTGEN_E_ARCH, 0);
	U64(goid_offset, "go1.22.3", "sparc", LUTGEN_E_ARCH, 0);
	U64(goid_offset, "go1.22.3", "", LUTGEN_E_ARCH, 0);
	U64(goid_offset, "go1.22.3", "AMD64", LUTGEN_E_ARCH, 0);

	/* Garbage versions. */
	U64(goid_offset, "", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "banana", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go1.x", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go1.22.3.4", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go1.21rc", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go1.22 ", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go1.22.", "amd64", LUTGEN_E_VERSION, 0);
	U64(goid_offset, "go1.99999999", "amd64", LUTGEN_E_VERSION, 0);

	/* NULL arguments. */
	U64(goid_offset, NULL, "amd64", LUTGEN_E_INVAL, 0);
	U64(goid_offset, "go1.22.3", NULL, LUTGEN_E_INVAL, 0);
	CHECK(goid_offset("go1.22.3", "amd64", NULL) == LUTGEN_E_INVAL);
}

static void test_patch_boundary(void)
{
	/* g_size amd64: 1.20.14 -> 400; 1.21.1, 1.21.3 -> 400; 1.21.5,
	 * 1.21.9, 1.22.0 -> 408.  arm64: never measured. */
	U64(g_size, "go1.20.1", "amd64", LUTGEN_OK, 400);
	U64(g_size, "go1.21.0", "amd64", LUTGEN_UNCERTAIN, 400);
	U64(g_size, "go1.21rc2", "amd64", LUTGEN_UNCERTAIN, 400);
	U64(g_size, "go1.21.1", "amd64", LUTGEN_OK, 400);
	U64(g_size, "go1.21.2", "amd64", LUTGEN_OK, 400);
	U64(g_size, "go1.21.3", "amd64", LUTGEN_OK, 400);
	/* Between measured 1.21.3 (400) and 1.21.5 (408): not exact. */
	U64(g_size, "go1.21.4", "amd64", LUTGEN_UNCERTAIN, 400);
	U64(g_size, "go1.21.5", "amd64", LUTGEN_OK, 408);
	U64(g_size, "go1.21.7", "amd64", LUTGEN_OK, 408);
	U64(g_size, "go1.21.12", "amd64", LUTGEN_OK, 408);
	U64(g_size, "go1.22.5", "amd64", LUTGEN_OK, 408);
	U64(g_size, "go1.23.0", "amd64", LUTGEN_EXTRAPOLATED, 408);
	U64(g_size, "go1.19.0", "amd64", LUTGEN_E_TOO_OLD, 0);
	U64(g_size, "go1.21.5", "arm64", LUTGEN_E_ARCH, 0);

	/* big_value amd64: 1.18.0 -> 2^40, 1.19.0 -> 18446744073709551615 */
	U64(big_value, "go1.18.3", "amd64", LUTGEN_OK, 1099511627776ull);
	U64(big_value, "go1.19.3", "amd64", LUTGEN_OK, 18446744073709551615ull);

	/* empty_size: nothing measured at all. */
	U64(empty_size, "go1.22.0", "amd64", LUTGEN_E_ARCH, 0);
}

static void check_piece(const struct lutgen_go_param *p, uint32_t i,
			int kind, int reg, const char *reg_name, int off,
			uint32_t size, int line)
{
	const struct lutgen_go_loc_piece *pc;

	if (i >= p->npieces) {
		printf("%s:%d: %s has no piece %u\n", __FILE__, line, p->name,
		       (unsigned)i);
		failures++;
		return;
	}
	pc = &p->pieces[i];
	if ((int)pc->kind != kind || pc->reg != reg ||
	    strcmp(pc->reg_name, reg_name) != 0 || pc->stack_offset != off ||
	    pc->size != size) {
		printf("%s:%d: %s piece %u: kind %d reg %d '%s' off %d size "
		       "%u\n",
		       __FILE__, line, p->name, (unsigned)i, (int)pc->kind,
		       pc->reg, pc->reg_name, (int)pc->stack_offset,
		       (unsigned)pc->size);
		failures++;
	}
}

static void test_params(void)
{
	const struct lutgen_go_params *ps = NULL;
	const struct lutgen_go_params *sentinel =
		(const struct lutgen_go_params *)&failures;
	int rc;

	/* amd64 1.16.15: stack ABI; c at 8(SP), b = 16/24/32(SP). */
	rc = write_params("go1.16.3", "amd64", &ps);
	CHECK(rc == LUTGEN_OK);
	CHECK(ps && ps->nparams == 2);
	if (ps && ps->nparams == 2) {
		CHECK(strcmp(ps->params[0].name, "c") == 0);
		CHECK(ps->params[0].size == 8);
		CHECK(ps->params[0].npieces == 1);
		check_piece(&ps->params[0], 0, LUTGEN_GO_LOC_STACK, -1, "", 8,
			    8, __LINE__);
		CHECK(strcmp(ps->params[1].name, "b") == 0);
		CHECK(ps->params[1].size == 24);
		CHECK(ps->params[1].npieces == 3);
		check_piece(&ps->params[1], 0, LUTGEN_GO_LOC_STACK, -1, "", 16,
			    8, __LINE__);
		check_piece(&ps->params[1], 2, LUTGEN_GO_LOC_STACK, -1, "", 32,
			    8, __LINE__);
	}
	/* amd64 1.17.13 and 1.18.10: register ABI. */
	ps = NULL;
	rc = write_params("go1.17", "amd64", &ps);
	CHECK(rc == LUTGEN_OK);
	CHECK(ps && ps->nparams == 2);
	if (ps && ps->nparams == 2) {
		check_piece(&ps->params[0], 0, LUTGEN_GO_LOC_REG, 0, "RAX", 0,
			    8, __LINE__);
		check_piece(&ps->params[1], 0, LUTGEN_GO_LOC_REG, 3, "RBX", 0,
			    8, __LINE__);
		check_piece(&ps->params[1], 1, LUTGEN_GO_LOC_REG, 2, "RCX", 0,
			    8, __LINE__);
		check_piece(&ps->params[1], 2, LUTGEN_GO_LOC_REG, 5, "RDI", 0,
			    8, __LINE__);
	}
	{
		const struct lutgen_go_params *a = NULL, *b = NULL;

		CHECK(write_params("go1.18.1", "amd64", &a) == LUTGEN_OK);
		CHECK(write_params("go1.17.2", "amd64", &b) == LUTGEN_OK);
		CHECK(a && b && lutgen_go_params_equal(a, b));
		CHECK(write_params("go1.19.2", "amd64", &a) ==
		      LUTGEN_EXTRAPOLATED);
		CHECK(a && lutgen_go_params_equal(a, b));
		CHECK(write_params("go1.16.2", "amd64", &a) == LUTGEN_OK);
		CHECK(a && !lutgen_go_params_equal(a, b));
	}
	/* arm64 1.18.10: c in R0, b in R1..R3, x has no location. */
	ps = NULL;
	rc = write_params("1.18.10", "arm64", &ps);
	CHECK(rc == LUTGEN_OK);
	CHECK(ps && ps->nparams == 3);
	if (ps && ps->nparams == 3) {
		check_piece(&ps->params[0], 0, LUTGEN_GO_LOC_REG, 0, "R0", 0, 8,
			    __LINE__);
		check_piece(&ps->params[1], 2, LUTGEN_GO_LOC_REG, 3, "R3", 0, 8,
			    __LINE__);
		CHECK(strcmp(ps->params[2].name, "x") == 0);
		CHECK(ps->params[2].npieces == 0);
	}
	ps = sentinel;
	CHECK(write_params("go1.15.0", "amd64", &ps) == LUTGEN_E_TOO_OLD);
	CHECK(write_params("go1.17.0", "arm64", &ps) == LUTGEN_E_TOO_OLD);
	CHECK(write_params("nope", "arm64", &ps) == LUTGEN_E_VERSION);
	CHECK(write_params("go1.18.0", "mips", &ps) == LUTGEN_E_ARCH);
	CHECK(write_params("go1.18.0", "arm64", NULL) == LUTGEN_E_INVAL);
	CHECK(ps == sentinel);
}

static void test_optional(void)
{
	const struct lutgen_go_params *ps = NULL;
	const struct lutgen_go_params *sentinel =
		(const struct lutgen_go_params *)&failures;

	/* opt_field amd64: 1.18.10 absent, 1.20.14 and 1.22.12 -> 40,
	 * 1.24.4 absent. */
	U64(opt_field, "go1.18.3", "amd64", LUTGEN_ABSENT, 0);
	U64(opt_field, "go1.17.0", "amd64", LUTGEN_E_TOO_OLD, 0);
	/* Between absent and present: the older neighbour decides. */
	U64(opt_field, "go1.19.5", "amd64", LUTGEN_ABSENT, 0);
	U64(opt_field, "go1.20.14", "amd64", LUTGEN_OK, 40);
	U64(opt_field, "go1.21.0", "amd64", LUTGEN_OK, 40);
	U64(opt_field, "go1.22.12", "amd64", LUTGEN_OK, 40);
	U64(opt_field, "go1.23.1", "amd64", LUTGEN_UNCERTAIN, 40);
	U64(opt_field, "go1.24.4", "amd64", LUTGEN_ABSENT, 0);
	U64(opt_field, "go1.26.0", "amd64", LUTGEN_ABSENT, 0);
	U64(opt_field, "go1.22.12", "arm64", LUTGEN_E_ARCH, 0);
	CHECK(LUTGEN_ABSENT < 0);
	CHECK(strstr(lutgen_go_strerror(LUTGEN_ABSENT), "absent") != NULL);

	/* opt_params amd64: 1.20.14 absent, 1.22.12 registers. */
	ps = sentinel;
	CHECK(opt_params("go1.20.14", "amd64", &ps) == LUTGEN_ABSENT);
	CHECK(ps == sentinel);
	CHECK(opt_params("go1.21.3", "amd64", &ps) == LUTGEN_ABSENT);
	CHECK(ps == sentinel);
	CHECK(opt_params("go1.22.1", "amd64", &ps) == LUTGEN_OK);
	CHECK(ps && ps != sentinel && ps->nparams == 2);
	CHECK(opt_params("go1.23.1", "amd64", &ps) == LUTGEN_EXTRAPOLATED);
	CHECK(ps && ps != sentinel && ps->nparams == 2);
}

static void test_struct_keyed(void)
{
	struct lutgen_go_version v;
	uint64_t out = 1;

	CHECK(lutgen_go_version_parse("go1.21rc2", &v) == LUTGEN_OK);
	CHECK(v.major == 1 && v.minor == 21 && v.patch == 0 &&
	      v.pre == LUTGEN_GO_PRE_RC && v.pre_num == 2);
	CHECK(g_size_v(&v, LUTGEN_GOARCH_AMD64, &out) == LUTGEN_UNCERTAIN);
	CHECK(out == 400);
	CHECK(lutgen_go_version_parse("1.22.3", &v) == LUTGEN_OK);
	CHECK(v.major == 1 && v.minor == 22 && v.patch == 3 &&
	      v.pre == LUTGEN_GO_PRE_NONE);
	CHECK(goid_offset_v(&v, LUTGEN_GOARCH_ARM64, &out) == LUTGEN_OK);
	CHECK(out == 152);
	CHECK(goid_offset_v(&v, LUTGEN_GOARCH_S390X, &out) == LUTGEN_E_ARCH);
	CHECK(goid_offset_v(&v, LUTGEN_GOARCH_COUNT, &out) == LUTGEN_E_ARCH);
	CHECK(goid_offset_v(NULL, LUTGEN_GOARCH_AMD64, &out) ==
	      LUTGEN_E_INVAL);
	CHECK(goid_offset_v(&v, LUTGEN_GOARCH_AMD64, NULL) == LUTGEN_E_INVAL);
	CHECK(lutgen_go_version_parse("go1.20", &v) == LUTGEN_OK);
	CHECK(v.minor == 20 && v.patch == 0 && v.pre == LUTGEN_GO_PRE_NONE);
	CHECK(lutgen_go_version_parse("go1", &v) == LUTGEN_OK);
	CHECK(v.major == 1 && v.minor == 0 && v.patch == 0);
	CHECK(lutgen_go_version_parse(NULL, &v) == LUTGEN_E_INVAL);
	CHECK(lutgen_go_version_parse("go1.2", NULL) == LUTGEN_E_INVAL);
}

static void test_helpers(void)
{
	struct lutgen_go_version a, b;
	char buf[LUTGEN_GO_VERSION_STR_MAX];

	CHECK(lutgen_goarch_parse("amd64") == LUTGEN_GOARCH_AMD64);
	CHECK(lutgen_goarch_parse("arm64") == LUTGEN_GOARCH_ARM64);
	CHECK(lutgen_goarch_parse("386") == LUTGEN_GOARCH_386);
	CHECK(lutgen_goarch_parse("ppc64le") == LUTGEN_GOARCH_PPC64LE);
	CHECK(lutgen_goarch_parse("riscv64") == LUTGEN_GOARCH_RISCV64);
	CHECK(lutgen_goarch_parse("s390x") == LUTGEN_GOARCH_S390X);
	CHECK(lutgen_goarch_parse("x86_64") == LUTGEN_E_ARCH);
	CHECK(lutgen_goarch_parse(NULL) == LUTGEN_E_INVAL);
	CHECK(strcmp(lutgen_goarch_name(LUTGEN_GOARCH_ARM), "arm") == 0);
	CHECK(lutgen_goarch_name(LUTGEN_GOARCH_COUNT) == NULL);

	CHECK(lutgen_go_version_parse("go1.21rc2", &a) == 0);
	CHECK(lutgen_go_version_parse("go1.21.0", &b) == 0);
	CHECK(lutgen_go_version_cmp(&a, &b) < 0);
	CHECK(lutgen_go_version_parse("go1.9beta1", &a) == 0);
	CHECK(lutgen_go_version_parse("go1.9rc1", &b) == 0);
	CHECK(lutgen_go_version_cmp(&a, &b) < 0);
	CHECK(lutgen_go_version_parse("go1.20", &a) == 0);
	CHECK(lutgen_go_version_parse("1.20.0", &b) == 0);
	CHECK(lutgen_go_version_cmp(&a, &b) == 0);
	CHECK(lutgen_go_version_parse("go1.10.2", &b) == 0);
	CHECK(lutgen_go_version_cmp(&a, &b) > 0);

	CHECK(lutgen_go_version_parse("go1.21", &a) == 0);
	CHECK(lutgen_go_version_format(&a, buf, sizeof(buf)) == 8);
	CHECK(strcmp(buf, "go1.21.0") == 0);
	CHECK(lutgen_go_version_parse("1.20.0", &a) == 0);
	CHECK(lutgen_go_version_format(&a, buf, sizeof(buf)) == 6);
	CHECK(strcmp(buf, "go1.20") == 0);
	CHECK(lutgen_go_version_parse("go1.21rc2", &a) == 0);
	CHECK(lutgen_go_version_format(&a, buf, sizeof(buf)) > 0);
	CHECK(strcmp(buf, "go1.21rc2") == 0);
	CHECK(lutgen_go_version_format(&a, buf, 4) == -1);
	CHECK(strcmp(buf, "go1") == 0);

	CHECK(strcmp(lutgen_go_strerror(LUTGEN_OK), "ok") == 0);
	CHECK(lutgen_go_strerror(LUTGEN_UNCERTAIN) != NULL);
	CHECK(lutgen_go_strerror(LUTGEN_E_TOO_OLD) != NULL);
	CHECK(lutgen_go_strerror(12345) != NULL);
	CHECK(LUTGEN_UNCERTAIN > 0 && LUTGEN_EXTRAPOLATED > 0);
	CHECK(LUTGEN_E_VERSION < 0 && LUTGEN_E_TOO_OLD < 0 &&
	      LUTGEN_E_ARCH < 0 && LUTGEN_E_INVAL < 0);
}

static void test_registry(void)
{
	const struct lutgen_go_table_desc *t = &lutgen_go_table_tst;
	uint64_t out = 0;
	const struct lutgen_go_params *ps = NULL;

	CHECK(strcmp(t->name, "tst") == 0);
	CHECK(strcmp(t->doc, "A \"test\" table \\ with ?\?) quotes.") == 0);
	CHECK(strcmp(t->newest_measured, "go1.25.0") == 0);
	CHECK(t->nlookups == 7);
	if (t->nlookups != 7)
		return;
	CHECK(strcmp(t->lookups[0].name, "goid_offset") == 0);
	CHECK(t->lookups[0].kind == LUTGEN_GO_LOOKUP_U64);
	CHECK(strcmp(t->lookups[0].measures, "struct_offset runtime.g goid") ==
	      0);
	CHECK(t->lookups[0].u64 != NULL && t->lookups[0].params == NULL);
	CHECK(t->lookups[0].u64("go1.23.1", "amd64", &out) == LUTGEN_OK &&
	      out == 160);
	CHECK(t->lookups[0].lut->narches == 2);
	CHECK(t->lookups[0].lut->arches[0].arch == LUTGEN_GOARCH_AMD64);
	CHECK(t->lookups[0].lut->arches[0].nranges == 3);
	CHECK(strcmp(t->lookups[1].name, "g_size") == 0);
	CHECK(strcmp(t->lookups[1].measures, "type_size runtime.g") == 0);
	CHECK(strcmp(t->lookups[2].name, "write_params") == 0);
	CHECK(t->lookups[2].kind == LUTGEN_GO_LOOKUP_PARAMS);
	CHECK(strcmp(t->lookups[2].measures,
		     "func_params crypto/tls.(*Conn).Write") == 0);
	CHECK(t->lookups[2].u64 == NULL && t->lookups[2].params != NULL &&
	      t->lookups[2].params_v != NULL);
	CHECK(t->lookups[2].params("go1.18.0", "arm64", &ps) == LUTGEN_OK);
	CHECK(ps && ps->nparams == 3);
	CHECK(t->lookups[4].lut->narches == 0);
}

int main(void)
{
	test_goid();
	test_patch_boundary();
	test_params();
	test_optional();
	test_struct_keyed();
	test_helpers();
	test_registry();
	if (failures) {
		printf("%d check(s) failed\n", failures);
		return 1;
	}
	printf("all checks passed\n");
	return 0;
}
