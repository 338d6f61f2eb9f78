/* SPDX-License-Identifier: MIT */
/*
 * tests/test_table.c - measurements -> ranges and notes (lutgen/core/table.h),
 * with hand-written measurements, among them the real goid story: 152 in
 * go1.13..go1.22, 160 in go1.23..go1.24, 152 again from go1.25.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"

static const char spec_json[] =
	"{\"name\": \"t\", \"doc\": \"test\", \"program\": \"p\","
	" \"min_version\": \"go1.13\", \"arches\": [\"amd64\", \"arm64\"],"
	" \"lookups\": ["
	"  {\"name\": \"goid_offset\", \"doc\": \"d\", \"kind\": \"struct_offset\","
	"   \"type\": \"runtime.g\", \"field\": \"goid\"},"
	"  {\"name\": \"g_size\", \"doc\": \"d\", \"kind\": \"type_size\","
	"   \"type\": \"runtime.g\"},"
	"  {\"name\": \"w\", \"doc\": \"d\", \"kind\": \"func_params\","
	"   \"function\": \"crypto/tls.(*Conn).Write\"}"
	" ]}";

#define SHA1 "1111111111111111111111111111111111111111111111111111111111111111"
#define SHA2 "2222222222222222222222222222222222222222222222222222222222222222"

struct fx {
	struct lutgen_spec *spec;
	struct lutgen_table *t;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct common_err err = { 0, "" };

	assert_non_null(f);
	if (lutgen_spec_parse(spec_json, strlen(spec_json), "test.json",
			      &f->spec, &err) != 0)
		fail_msg("spec: %s", err.msg);
	assert_int_equal(lutgen_table_new(f->spec, &f->t, &err), 0);
	assert_ptr_equal(lutgen_table_spec(f->t), f->spec);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	lutgen_table_free(f->t);
	lutgen_spec_free(f->spec);
	free(f);
	return 0;
}

static struct rungo_version ver(const char *s)
{
	struct rungo_version v;

	if (rungo_version_parse(s, &v, NULL) != 0)
		fail_msg("bad version %s", s);
	return v;
}

static int add(struct lutgen_table *t, size_t lookup, const char *arch,
	       const char *v, uint64_t u, const char *sha,
	       struct common_err *err)
{
	struct lutgen_value val;
	struct rungo_version rv = ver(v);

	memset(&val, 0, sizeof(val));
	val.kind = lookup == 0 ? LUTGEN_LOOKUP_STRUCT_OFFSET
			       : LUTGEN_LOOKUP_TYPE_SIZE;
	val.u = u;
	return lutgen_table_add(t, lookup, arch, &rv, sha, &val, err);
}

static void add_ok(struct lutgen_table *t, size_t lookup, const char *arch,
		   const char *v, uint64_t u)
{
	struct common_err err = { 0, "" };

	if (add(t, lookup, arch, v, u, SHA1, &err) != 0)
		fail_msg("add %s: %s", v, err.msg);
}

static void assert_version(const struct rungo_version *v, const char *want)
{
	char buf[RUNGO_VERSION_STR_MAX];

	assert_true(rungo_version_format(v, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, want);
}

/* The goid story, measured at the latest patch of each minor, added in a
 * scrambled order. */
static void add_goid_story(struct lutgen_table *t, const char *arch)
{
	static const struct {
		const char *v;
		uint64_t u;
	} m[] = {
		{ "go1.25.12", 152 }, { "go1.13.15", 152 }, { "go1.24.4", 160 },
		{ "go1.14.15", 152 }, { "go1.15.15", 152 }, { "go1.16.15", 152 },
		{ "go1.17.13", 152 }, { "go1.18.10", 152 }, { "go1.19.13", 152 },
		{ "go1.20.14", 152 }, { "go1.21.13", 152 }, { "go1.23.12", 160 },
		{ "go1.22.12", 152 },
	};
	size_t i;

	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		add_ok(t, 0, arch, m[i].v, m[i].u);
}

static void test_goid_ranges(void **state)
{
	struct fx *f = *state;
	struct lutgen_range *r = NULL;
	const struct lutgen_entry *e;
	size_t n = 0, i;

	add_goid_story(f->t, "amd64");
	e = lutgen_table_entries(f->t, 0, "amd64", &n);
	assert_int_equal(n, 13);
	for (i = 1; i < n; i++)
		assert_true(rungo_version_cmp(&e[i - 1].version,
					      &e[i].version) < 0);
	assert_version(&e[0].version, "go1.13.15");
	assert_string_equal(e[0].goarch, "amd64");
	assert_string_equal(e[0].toolchain_sha256, SHA1);

	assert_int_equal(lutgen_table_ranges(f->t, 0, "amd64", &r, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_version(&r[0].from, "go1.13.15");
	assert_version(&r[0].to, "go1.22.12");
	assert_int_equal(r[0].value->u, 152);
	assert_string_equal(r[0].from_sha256, SHA1);
	assert_version(&r[1].from, "go1.23.12");
	assert_version(&r[1].to, "go1.24.4");
	assert_int_equal(r[1].value->u, 160);
	assert_version(&r[2].from, "go1.25.12");
	assert_version(&r[2].to, "go1.25.12");
	assert_int_equal(r[2].value->u, 152);
	free(r);

	/* Nothing measured on arm64: no ranges, no error. */
	r = (struct lutgen_range *)&n;
	assert_int_equal(lutgen_table_ranges(f->t, 0, "arm64", &r, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(r);
	assert_null(lutgen_table_entries(f->t, 0, "arm64", &n));
	assert_int_equal(n, 0);
}

static void test_goid_revert_note(void **state)
{
	struct fx *f = *state;
	struct lutgen_note *notes = NULL;
	size_t n = 0;

	add_goid_story(f->t, "amd64");
	assert_int_equal(lutgen_table_notes(f->t, &notes, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(notes[0].kind, LUTGEN_NOTE_REVERT);
	assert_string_equal(notes[0].lookup, "goid_offset");
	assert_string_equal(notes[0].goarch, "amd64");
	assert_version(&notes[0].before, "go1.24.4");
	assert_version(&notes[0].after, "go1.25.12");
	assert_string_equal(notes[0].message,
			    "goid_offset/amd64: 160 in go1.24.4 -> 152 in "
			    "go1.25.12, back to the value of go1.22.12");
	free(notes);
}

static void test_patch_change_note(void **state)
{
	struct fx *f = *state;
	struct lutgen_note *notes = NULL;
	struct lutgen_range *r = NULL;
	size_t n = 0;

	add_ok(f->t, 1, "arm64", "go1.20.14", 400);
	add_ok(f->t, 1, "arm64", "go1.21.1", 400);
	add_ok(f->t, 1, "arm64", "go1.21.3", 400);
	add_ok(f->t, 1, "arm64", "go1.21.5", 408);
	add_ok(f->t, 1, "arm64", "go1.22.0", 408);
	assert_int_equal(lutgen_table_ranges(f->t, 1, "arm64", &r, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_version(&r[0].from, "go1.20.14");
	assert_version(&r[0].to, "go1.21.3");
	assert_version(&r[1].from, "go1.21.5");
	assert_version(&r[1].to, "go1.22.0");
	free(r);

	assert_int_equal(lutgen_table_notes(f->t, &notes, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(notes[0].kind, LUTGEN_NOTE_PATCH_CHANGE);
	assert_string_equal(notes[0].lookup, "g_size");
	assert_string_equal(notes[0].goarch, "arm64");
	assert_version(&notes[0].before, "go1.21.3");
	assert_version(&notes[0].after, "go1.21.5");
	assert_non_null(strstr(notes[0].message, "400 in go1.21.3 -> 408 in "
						 "go1.21.5"));
	free(notes);
}

/* A -> B -> A -> B: two reverts; plus a revert inside one minor, which is
 * both a patch change and a revert. */
static void test_multiple_notes(void **state)
{
	struct fx *f = *state;
	struct lutgen_note *notes = NULL;
	size_t n = 0;

	add_ok(f->t, 0, "arm64", "go1.13", 1);
	add_ok(f->t, 0, "arm64", "go1.14", 2);
	add_ok(f->t, 0, "arm64", "go1.15", 1);
	add_ok(f->t, 0, "arm64", "go1.16", 2);
	add_ok(f->t, 1, "amd64", "go1.20.1", 7);
	add_ok(f->t, 1, "amd64", "go1.20.2", 8);
	add_ok(f->t, 1, "amd64", "go1.20.3", 7);
	assert_int_equal(lutgen_table_notes(f->t, &notes, &n, NULL), 0);
	assert_int_equal(n, 5);
	/* Lookup-major, then spec arch order, then version order. */
	assert_int_equal(notes[0].kind, LUTGEN_NOTE_REVERT);
	assert_string_equal(notes[0].goarch, "arm64");
	assert_string_equal(notes[0].message,
			    "goid_offset/arm64: 2 in go1.14 -> 1 in go1.15, "
			    "back to the value of go1.13");
	assert_int_equal(notes[1].kind, LUTGEN_NOTE_REVERT);
	assert_string_equal(notes[1].message,
			    "goid_offset/arm64: 1 in go1.15 -> 2 in go1.16, "
			    "back to the value of go1.14");
	assert_int_equal(notes[2].kind, LUTGEN_NOTE_PATCH_CHANGE);
	assert_version(&notes[2].after, "go1.20.2");
	assert_int_equal(notes[3].kind, LUTGEN_NOTE_PATCH_CHANGE);
	assert_version(&notes[3].after, "go1.20.3");
	assert_int_equal(notes[4].kind, LUTGEN_NOTE_REVERT);
	assert_version(&notes[4].after, "go1.20.3");
	free(notes);
}

static void test_add_errors(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0, "" };
	struct lutgen_value params;
	struct rungo_version v = ver("go1.22.1");

	add_ok(f->t, 0, "amd64", "go1.22.1", 152);
	assert_int_equal(add(f->t, 0, "amd64", "go1.22.1", 152, SHA1, &err),
			 -EEXIST);
	assert_non_null(strstr(err.msg, "go1.22.1"));
	assert_int_equal(add(f->t, 0, "s390x", "go1.22.1", 152, SHA1, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "s390x"));
	assert_int_equal(add(f->t, 7, "amd64", "go1.22.1", 152, SHA1, &err),
			 -EINVAL);
	assert_int_equal(add(f->t, 0, "amd64", "go1.22.2", 152, "xyz", &err),
			 -EINVAL);
	assert_int_equal(add(f->t, 0, "amd64", "go1.22.2", 152, SHA1 "1", &err),
			 -EINVAL);
	/* A local GOROOT has no sha256. */
	assert_int_equal(add(f->t, 0, "amd64", "go1.22.2", 152, "", &err), 0);
	assert_int_equal(add(f->t, 0, "amd64", "go1.22.3", 152, NULL, &err), 0);
	/* Kind mismatch: params for a u64 lookup and vice versa. */
	memset(&params, 0, sizeof(params));
	params.kind = LUTGEN_LOOKUP_FUNC_PARAMS;
	assert_int_equal(lutgen_table_add(f->t, 0, "amd64", &v, SHA1, &params,
					  &err),
			 -EINVAL);
	assert_int_equal(add(f->t, 2, "amd64", "go1.22.1", 1, SHA1, &err),
			 -EINVAL);
	assert_int_equal(lutgen_table_add(f->t, 0, NULL, &v, SHA1, &params,
					  NULL),
			 -EINVAL);
}

static void test_params_deep_copy(void **state)
{
	struct fx *f = *state;
	struct lutgen_piece pc[2];
	struct lutgen_param p[1];
	struct lutgen_value v;
	struct rungo_version v1 = ver("go1.21.0"), v2 = ver("go1.22.0");
	const struct lutgen_entry *e;
	struct lutgen_range *r = NULL;
	char name[8] = "buf";
	size_t n;

	memset(pc, 0, sizeof(pc));
	pc[0].kind = LUTGEN_PIECE_REG;
	pc[0].reg = 3;
	snprintf(pc[0].reg_name, sizeof(pc[0].reg_name), "RBX");
	pc[0].size = 8;
	pc[1].kind = LUTGEN_PIECE_STACK;
	pc[1].stack_offset = 16;
	pc[1].size = 8;
	p[0].name = name;
	p[0].size = 16;
	p[0].pieces = pc;
	p[0].npieces = 2;
	memset(&v, 0, sizeof(v));
	v.kind = LUTGEN_LOOKUP_FUNC_PARAMS;
	v.params = p;
	v.nparams = 1;
	assert_int_equal(lutgen_table_add(f->t, 2, "amd64", &v1, SHA2, &v, NULL),
			 0);
	assert_int_equal(lutgen_table_add(f->t, 2, "amd64", &v2, SHA2, &v, NULL),
			 0);
	/* Scribble over the caller's copy. */
	name[0] = 'X';
	pc[1].stack_offset = 99;
	e = lutgen_table_entries(f->t, 2, "amd64", &n);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].value.params[0].name, "buf");
	assert_int_equal(e[0].value.params[0].pieces[1].stack_offset, 16);
	assert_int_equal(lutgen_table_ranges(f->t, 2, "amd64", &r, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_version(&r[0].to, "go1.22.0");
	free(r);
}

static void test_newest(void **state)
{
	struct fx *f = *state;
	struct rungo_version v;

	assert_false(lutgen_table_newest(f->t, &v));
	add_ok(f->t, 0, "amd64", "go1.21.3", 1);
	add_ok(f->t, 1, "arm64", "go1.23rc1", 1);
	add_ok(f->t, 1, "arm64", "go1.22.9", 1);
	assert_true(lutgen_table_newest(f->t, &v));
	assert_version(&v, "go1.23rc1");
	assert_true(lutgen_table_newest(f->t, NULL));
}

static void test_bad_args(void **state)
{
	struct common_err err = { 0, "" };
	struct lutgen_table *t = NULL;

	(void)state;
	assert_int_equal(lutgen_table_new(NULL, &t, &err), -EINVAL);
	lutgen_table_free(NULL);
	assert_null(lutgen_table_spec(NULL));
	assert_false(lutgen_table_newest(NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_goid_ranges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_goid_revert_note, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_patch_change_note, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multiple_notes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_add_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_params_deep_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_newest, setup, teardown),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
