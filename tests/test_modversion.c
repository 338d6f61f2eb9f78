/* SPDX-License-Identifier: MIT */
/*
 * rungo/modversion: module versions.  Expected values are written by hand
 * from the semver 2.0.0 rules as golang.org/x/mod/semver implements them
 * (the go command's order) and from the pseudo-version forms documented in
 * golang.org/x/mod/module; the ordered list below was also checked with
 * `go list -m -versions` semantics (sort by semver, then spelling).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rungo/modversion.h"

struct good {
	const char *in;
	unsigned long long major, minor, patch;
	const char *pre;
	int incompatible;
	const char *canonical;
};

static const struct good goods[] = {
	{ "v0.0.0", 0, 0, 0, "", 0, "v0.0.0" },
	{ "v1.27.1", 1, 27, 1, "", 0, "v1.27.1" },
	{ "v1.2.3-rc.1", 1, 2, 3, "rc.1", 0, "v1.2.3-rc.1" },
	{ "v2.0.0-dev", 2, 0, 0, "dev", 0, "v2.0.0-dev" },
	{ "v1.0.0-0", 1, 0, 0, "0", 0, "v1.0.0-0" },
	{ "v1.0.0-x-y-z.--", 1, 0, 0, "x-y-z.--", 0, "v1.0.0-x-y-z.--" },
	{ "v1.0.0-alpha.0valid", 1, 0, 0, "alpha.0valid", 0,
	  "v1.0.0-alpha.0valid" },
	{ "v0.0.0-20210119123456-5f4716e94777", 0, 0, 0,
	  "20210119123456-5f4716e94777", 0,
	  "v0.0.0-20210119123456-5f4716e94777" },
	{ "v1.4.1-0.20230101000000-abcdefabcdef", 1, 4, 1,
	  "0.20230101000000-abcdefabcdef", 0,
	  "v1.4.1-0.20230101000000-abcdefabcdef" },
	{ "v2.3.0+incompatible", 2, 3, 0, "", 1, "v2.3.0+incompatible" },
	{ "v4.0.0-rc.2+incompatible", 4, 0, 0, "rc.2", 1,
	  "v4.0.0-rc.2+incompatible" },
	{ "v1", 1, 0, 0, "", 0, "v1.0.0" },
	{ "v1.27", 1, 27, 0, "", 0, "v1.27.0" },
	{ "v123456789012345678.0.0", 123456789012345678ull, 0, 0, "", 0,
	  "v123456789012345678.0.0" },
};

static const char *const garbage[] = {
	"", "v", "1.2.3", "V1.2.3", "v1.", "v1.2.", "v1.2.3.4", "v01.2.3",
	"v1.02.3", "v1.2.03", "v1.2.3-", "v1.2.3-01", "v1.2.3-a..b",
	"v1.2.3-a_b", "v1.2.3+", "v1.2.3+build", "v1.2.3+incompatible",
	"v2.0.0+build.1", "v1.2-rc.1", "v1+incompatible", "v1.2.3 ",
	" v1.2.3", "v1.2.3-rc.1+", "v1234567890123456789.0.0", "vx.y.z",
	"v1.2.3-é",
};

static void test_parse_good(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		struct rungo_modver v;
		struct common_err err = { 0 };

		if (rungo_modver_parse(goods[i].in, &v, &err) != 0)
			fail_msg("%s: %s", goods[i].in, err.msg);
		assert_int_equal(v.major, goods[i].major);
		assert_int_equal(v.minor, goods[i].minor);
		assert_int_equal(v.patch, goods[i].patch);
		assert_string_equal(v.pre, goods[i].pre);
		assert_int_equal(v.incompatible, goods[i].incompatible);
		assert_string_equal(v.str, goods[i].canonical);
	}
}

static void test_parse_garbage(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		struct rungo_modver v;
		struct common_err err = { 0 };

		if (rungo_modver_parse(garbage[i], &v, &err) == 0)
			fail_msg("\"%s\" was accepted as %s", garbage[i], v.str);
		assert_int_equal(err.code, -EINVAL);
		assert_non_null(strstr(err.msg, "is not a Go module version"));
	}
}

static void test_canonical_only(void **state)
{
	struct rungo_modver v;
	struct common_err err = { 0 };

	(void)state;
	assert_int_equal(rungo_modver_parse_canonical("v1.27", &v, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "vMAJOR.MINOR.PATCH"));
	assert_int_equal(rungo_modver_parse_canonical("v1.27.0", &v, &err), 0);
	assert_int_equal(rungo_modver_parse(NULL, &v, &err), -EINVAL);
}

/* Ascending, as the go command sorts. */
static const char *const ordered[] = {
	"v0.0.0-20190101000000-aaaaaaaaaaaa",
	"v0.0.0-20200101000000-aaaaaaaaaaaa",
	"v0.0.0",
	"v0.0.1",
	"v0.1.0",
	"v0.9.0",
	"v0.10.0",
	"v1.0.0-1",
	"v1.0.0-2",
	"v1.0.0-10",
	"v1.0.0-alpha",
	"v1.0.0-alpha.1",
	"v1.0.0-alpha.beta",
	"v1.0.0-beta",
	"v1.0.0-beta.2",
	"v1.0.0-beta.11",
	"v1.0.0-rc.1",
	"v1.0.0-rc.1.0.20200101000000-cccccccccccc",
	"v1.0.0-rc.1.1",
	"v1.0.0-rc.2",
	"v1.0.0",
	"v1.0.1-0.20200101000000-bbbbbbbbbbbb",
	"v1.0.1-0.20210101000000-aaaaaaaaaaaa",
	"v1.0.1-rc.1",
	"v1.0.1",
	"v1.2.0",
	"v1.10.0",
	"v1.27.1",
	"v2.0.0",
	"v2.0.0+incompatible",
	"v2.0.1+incompatible",
	"v10.0.0",
};

static void test_order(void **state)
{
	size_t n = sizeof(ordered) / sizeof(ordered[0]), i, j;
	struct rungo_modver *v = calloc(n, sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (i = 0; i < n; i++)
		assert_int_equal(rungo_modver_parse(ordered[i], &v[i], NULL), 0);
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int c = rungo_modver_cmp(&v[i], &v[j]);
			int want = (i > j) - (i < j);

			if ((c > 0) - (c < 0) != want)
				fail_msg("cmp(%s, %s) = %d, want %d",
					 ordered[i], ordered[j], c, want);
		}
	/* +incompatible does not change semver precedence. */
	assert_int_equal(rungo_modver_cmp_semver(&v[n - 4], &v[n - 3]), 0);
	free(v);
}

struct pseudo {
	const char *in;
	int is_pseudo;
	int has_base;
	const char *base;
};

static const struct pseudo pseudos[] = {
	{ "v0.0.0-20210119123456-5f4716e94777", 1, 0, NULL },
	{ "v2.0.0-20210119123456-5f4716e94777", 1, 0, NULL },
	{ "v1.4.1-0.20230101000000-abcdefabcdef", 1, 1, "v1.4.0" },
	{ "v1.4.0-rc.1.0.20230101000000-abcdefabcdef", 1, 1, "v1.4.0-rc.1" },
	{ "v1.4.0-pre.0.20230101000000-abcdefabcdef", 1, 1, "v1.4.0-pre" },
	{ "v3.4.6-0.20230101000000-abcdefabcdef+incompatible", 1, 1,
	  "v3.4.5+incompatible" },
	{ "v1.4.0", 0, 0, NULL },
	{ "v1.4.0-rc.1", 0, 0, NULL },
	{ "v1.4.1-0.2023010100000-abcdefabcdef", 0, 0, NULL },   /* 13 digits */
	{ "v1.4.1-1.20230101000000-abcdefabcdef", 0, 0, NULL },
	{ "v1.4.1-20230101000000-abcdefabcdef", 0, 0, NULL },  /* not X.0.0 */
	{ "v1.4.1-x0.20230101000000-abcdefabcdef", 0, 0, NULL },
};

static void test_pseudo(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pseudos) / sizeof(pseudos[0]); i++) {
		struct rungo_modver v, base;
		bool has = false;

		if (rungo_modver_parse(pseudos[i].in, &v, NULL) != 0)
			fail_msg("%s does not parse", pseudos[i].in);
		if ((int)rungo_modver_pseudo(&v, &base, &has) !=
		    pseudos[i].is_pseudo)
			fail_msg("%s: pseudo should be %d", pseudos[i].in,
				 pseudos[i].is_pseudo);
		if (!pseudos[i].is_pseudo)
			continue;
		assert_int_equal(has, pseudos[i].has_base);
		if (has) {
			assert_string_equal(base.str, pseudos[i].base);
			/* Just after its base, before the next release. */
			assert_true(rungo_modver_cmp(&base, &v) < 0);
		}
	}
}

static char *join(const struct rungo_modver *v, size_t n)
{
	static char buf[4096];
	size_t i, at = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s",
				       i ? " " : "", v[i].str);
	return buf;
}

static void check_select(const char *const *in, size_t nin,
			 enum rungo_policy policy, bool pre, const char *min,
			 const char *want)
{
	struct rungo_modver *v = calloc(nin, sizeof(*v)), *out = NULL, mv;
	struct rungo_modver_select_opts o = { 0 };
	size_t i, n = 0;

	assert_non_null(v);
	for (i = 0; i < nin; i++)
		assert_int_equal(rungo_modver_parse(in[i], &v[i], NULL), 0);
	o.policy = policy;
	o.prerelease = pre;
	if (min) {
		assert_int_equal(rungo_modver_parse(min, &mv, NULL), 0);
		o.min = &mv;
	}
	assert_int_equal(rungo_modver_select(v, nin, &o, &out, &n, NULL), 0);
	assert_string_equal(join(out, n), want);
	free(out);
	free(v);
}

static void test_select(void **state)
{
	/* Unsorted, with a duplicate, as a proxy might list them. */
	static const char *const grpc[] = {
		"v1.64.0", "v1.27.1", "v1.33.3", "v1.27.0", "v1.33.0-rc.1",
		"v1.64.1", "v1.64.0", "v1.79.0-dev", "v1.79.3", "v1.81.1",
		"v1.27.1", "v1.82.0-rc.1",
	};
	size_t n = sizeof(grpc) / sizeof(grpc[0]);

	(void)state;
	check_select(grpc, n, RUNGO_POLICY_MINOR, false, NULL,
		     "v1.27.0 v1.33.3 v1.64.0 v1.79.3 v1.81.1");
	check_select(grpc, n, RUNGO_POLICY_LATEST_PATCH, false, NULL,
		     "v1.27.1 v1.33.3 v1.64.1 v1.79.3 v1.81.1");
	check_select(grpc, n, RUNGO_POLICY_ALL, false, NULL,
		     "v1.27.0 v1.27.1 v1.33.3 v1.64.0 v1.64.1 v1.79.3 v1.81.1");
	check_select(grpc, n, RUNGO_POLICY_MINOR, true, NULL,
		     "v1.27.0 v1.33.3 v1.64.0 v1.79.3 v1.81.1 v1.82.0-rc.1");
	check_select(grpc, n, RUNGO_POLICY_LATEST_PATCH, true, "v1.33",
		     "v1.33.3 v1.64.1 v1.79.3 v1.81.1 v1.82.0-rc.1");
	check_select(grpc, n, RUNGO_POLICY_ALL, true, "v1.79.0-dev",
		     "v1.79.0-dev v1.79.3 v1.81.1 v1.82.0-rc.1");
	check_select(grpc, n, RUNGO_POLICY_ENDS, false, NULL,
		     "v1.27.0 v1.27.1 v1.33.3 v1.64.0 v1.64.1 v1.79.3 v1.81.1");
	check_select(grpc, n, RUNGO_POLICY_ENDS, true, "v1.33",
		     "v1.33.3 v1.64.0 v1.64.1 v1.79.3 v1.81.1 v1.82.0-rc.1");
	check_select(grpc, 0, RUNGO_POLICY_MINOR, false, NULL, "");
}

static void test_select_errors(void **state)
{
	struct rungo_modver a, b, *out = NULL;
	struct rungo_modver_select_opts o = { 0 };
	struct common_err err = { 0 };
	size_t n = 0;

	(void)state;
	assert_int_equal(rungo_modver_parse("v1.5.0", &a, NULL), 0);
	assert_int_equal(rungo_modver_parse("v1.2.0", &b, NULL), 0);
	o.min = &a;
	o.max = &b;
	assert_int_equal(rungo_modver_select(&a, 1, &o, &out, &n, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "v1.5.0 is above the maximum v1.2.0"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_canonical_only),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_pseudo),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_select_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
