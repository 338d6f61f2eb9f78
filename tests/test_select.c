/* SPDX-License-Identifier: MIT */
/* rungo/select: policies, prerelease, bounds and os/arch filters on the
 * hand-written tests/fixtures/index/selection.json.  Its versions, sorted:
 *   go1 (bootstrap source only)
 *   go1.9 go1.9.1 go1.9.2rc2 go1.9.2
 *   go1.20beta1 go1.20rc1 go1.20 go1.20.1
 *   go1.21rc1 go1.21rc2 go1.21.1 go1.21.3          (no go1.21.0)
 *   go1.22rc1 go1.22.0 go1.22.1 go1.22.2
 *   go1.23rc1 go1.23rc2                             (prereleases only)
 * linux-arm64 archives: go1.20.1 go1.21.1 go1.21.3 go1.22.0 go1.22.2
 * go1.23rc2; go1.20 has a linux-arm64 installer only; every release but go1
 * has a linux-amd64 archive.  The expected lists below are written by hand
 * from that table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rungo/select.h"

static struct rungo_index *load(void)
{
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };
	char path[4096];
	char *buf;
	FILE *f;
	long n;

	if (!root || !*root)
		fail_msg("LUTGEN_SOURCE_ROOT is not set (run through meson test)");
	assert_true((size_t)snprintf(path, sizeof(path),
				     "%s/tests/fixtures/index/selection.json",
				     root) < sizeof(path));
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	if (rungo_index_parse(buf, (size_t)n, &idx, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	free(buf);
	assert_int_equal(idx->nreleases, 19);
	return idx;
}

static int setup(void **state)
{
	*state = load();
	return 0;
}

static int teardown(void **state)
{
	rungo_index_free(*state);
	return 0;
}

static struct rungo_version ver(const char *s)
{
	struct rungo_version v;
	struct common_err err = { 0, "" };

	if (rungo_version_parse(s, &v, &err) != 0)
		fail_msg("%s", err.msg);
	return v;
}

/* Run a selection and compare with `want`, a space-separated list. */
static void expect(const struct rungo_index *idx,
		   const struct rungo_select_opts *o, const char *want)
{
	struct rungo_version *out = NULL;
	struct common_err err = { 0, "" };
	char got[1024] = "";
	size_t n = 99, i, len = 0;

	if (rungo_select(idx, o, &out, &n, &err) != 0)
		fail_msg("select: %s", err.msg);
	for (i = 0; i < n; i++) {
		char v[RUNGO_VERSION_STR_MAX];
		int w;

		assert_true(rungo_version_format(&out[i], v, sizeof(v)) > 0);
		w = snprintf(got + len, sizeof(got) - len, "%s%s",
			     i ? " " : "", v);
		assert_true(w > 0 && (size_t)w < sizeof(got) - len);
		len += (size_t)w;
	}
	if (n == 0)
		assert_null(out);
	free(out);
	if (strcmp(got, want) != 0)
		fail_msg("policy %s prerelease %d:\n  got:  %s\n  want: %s",
			 rungo_policy_name(o->policy), o->prerelease, got,
			 want);
}

static void test_minor(void **state)
{
	struct rungo_select_opts o = { 0 };

	o.policy = RUNGO_POLICY_MINOR;
	expect(*state, &o, "go1 go1.9 go1.20 go1.21.3 go1.22.0");
	/* Defaults (opts NULL) are the minor policy without prereleases. */
	expect(*state, NULL, "go1 go1.9 go1.20 go1.21.3 go1.22.0");
	o.prerelease = true;
	expect(*state, &o, "go1 go1.9 go1.20 go1.21.3 go1.22.0 go1.23rc2");
}

static void test_latest_patch(void **state)
{
	struct rungo_select_opts o = { 0 };

	o.policy = RUNGO_POLICY_LATEST_PATCH;
	expect(*state, &o, "go1 go1.9.2 go1.20.1 go1.21.3 go1.22.2");
	o.prerelease = true;
	expect(*state, &o,
	       "go1 go1.9.2 go1.20.1 go1.21.3 go1.22.2 go1.23rc2");
}

static void test_ends(void **state)
{
	struct rungo_select_opts o = { 0 };

	o.policy = RUNGO_POLICY_ENDS;
	/* go1.21 has no go1.21.0: its ends are 1.21.1 and 1.21.3. */
	expect(*state, &o,
	       "go1 go1.9 go1.9.2 go1.20 go1.20.1 go1.21.1 go1.21.3 go1.22.0 "
	       "go1.22.2");
	o.prerelease = true;
	expect(*state, &o,
	       "go1 go1.9 go1.9.2 go1.20 go1.20.1 go1.21.1 go1.21.3 go1.22.0 "
	       "go1.22.2 go1.23rc2");
}

static void test_all(void **state)
{
	struct rungo_select_opts o = { 0 };

	o.policy = RUNGO_POLICY_ALL;
	expect(*state, &o,
	       "go1 go1.9 go1.9.1 go1.9.2 go1.20 go1.20.1 go1.21.1 go1.21.3 "
	       "go1.22.0 go1.22.1 go1.22.2");
	o.prerelease = true;
	expect(*state, &o,
	       "go1 go1.9 go1.9.1 go1.9.2rc2 go1.9.2 go1.20beta1 go1.20rc1 "
	       "go1.20 go1.20.1 go1.21rc1 go1.21rc2 go1.21.1 go1.21.3 "
	       "go1.22rc1 go1.22.0 go1.22.1 go1.22.2 go1.23rc1 go1.23rc2");
}

static void test_bounds(void **state)
{
	struct rungo_select_opts o = { 0 };
	struct rungo_version min, max;

	o.min = &min;
	o.max = &max;
	o.policy = RUNGO_POLICY_ALL;
	min = ver("go1.20");
	max = ver("go1.22.1");
	expect(*state, &o,
	       "go1.20 go1.20.1 go1.21.1 go1.21.3 go1.22.0 go1.22.1");
	/* Inclusive on both ends, go1.20 == go1.20.0. */
	min = ver("go1.20.0");
	max = ver("1.20");
	expect(*state, &o, "go1.20");
	/* Bounds narrow what the policy picks from. */
	o.policy = RUNGO_POLICY_MINOR;
	min = ver("go1.21.2");
	max = ver("go1.30");
	expect(*state, &o, "go1.21.3 go1.22.0");
	o.policy = RUNGO_POLICY_LATEST_PATCH;
	min = ver("go1");
	max = ver("go1.22.1");
	expect(*state, &o, "go1 go1.9.2 go1.20.1 go1.21.3 go1.22.1");
	/* A prerelease bound with prereleases on. */
	o.policy = RUNGO_POLICY_MINOR;
	o.prerelease = true;
	min = ver("go1.9.2rc2");
	max = ver("go1.22rc1");
	expect(*state, &o, "go1.9.2 go1.20 go1.21.3 go1.22rc1");
	/* Only a max. */
	o.min = NULL;
	o.prerelease = false;
	max = ver("go1.9.1");
	expect(*state, &o, "go1 go1.9");
	/* Nothing in range. */
	o.min = &min;
	min = ver("go1.23rc1");
	max = ver("go1.30");
	expect(*state, &o, "");
}

static void test_min_above_max(void **state)
{
	struct rungo_select_opts o = { 0 };
	struct rungo_version min = ver("go1.22.0"), max = ver("go1.21.0");
	struct rungo_version *out = (struct rungo_version *)&o;
	struct common_err err = { 0, "" };
	size_t n = 42;

	o.min = &min;
	o.max = &max;
	assert_int_equal(rungo_select(*state, &o, &out, &n, &err), -EINVAL);
	assert_string_equal(err.msg, "select: minimum version go1.22.0 is "
				     "above the maximum go1.21.0");
	assert_true(out == (struct rungo_version *)&o);
	assert_int_equal(n, 42);
}

static void test_platform(void **state)
{
	struct rungo_select_opts o = { 0 };

	o.os = "linux";
	o.arch = "arm64";
	o.policy = RUNGO_POLICY_MINOR;
	expect(*state, &o, "go1.20.1 go1.21.3 go1.22.0");
	o.policy = RUNGO_POLICY_ALL;
	o.prerelease = true;
	expect(*state, &o,
	       "go1.20.1 go1.21.1 go1.21.3 go1.22.0 go1.22.2 go1.23rc2");
	o.arch = "amd64";
	o.prerelease = false;
	o.policy = RUNGO_POLICY_MINOR;
	expect(*state, &o, "go1.9 go1.20 go1.21.3 go1.22.0");
	/* os alone, arch alone. */
	o.arch = NULL;
	expect(*state, &o, "go1.9 go1.20 go1.21.3 go1.22.0");
	o.os = NULL;
	o.arch = "arm64";
	expect(*state, &o, "go1.20.1 go1.21.3 go1.22.0");
	o.os = "windows";
	o.arch = "amd64";
	expect(*state, &o, "");
	/* go1's bootstrap is a source file, not an archive. */
	o.os = "";
	o.arch = "bootstrap";
	expect(*state, &o, "");
}

static void test_duplicates_and_empty(void **state)
{
	/* go1.20.0 and go1.20 are one release: an index naming it twice is
	 * refused (a bad first entry would shadow a good second one), so
	 * selection never sees duplicates. */
	static const char dup[] =
		"[{\"version\": \"go1.20.0\", \"stable\": true, \"files\": []},"
		" {\"version\": \"go1.20\", \"stable\": true, \"files\": []},"
		" {\"version\": \"go1.19.2\", \"stable\": true, \"files\": []}]";
	struct rungo_index *idx = NULL;
	struct rungo_version *out = NULL;
	struct common_err err = { 0 };
	size_t n = 7;

	(void)state;
	assert_int_equal(rungo_index_parse(dup, sizeof(dup) - 1, &idx, &err),
			 -EPROTO);
	assert_null(idx);
	assert_string_equal(err.msg, "index: release 1 (go1.20): the same "
				     "version as release 0 (go1.20.0)");

	assert_int_equal(rungo_index_parse("[]", 2, &idx, NULL), 0);
	assert_int_equal(rungo_select(idx, NULL, &out, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(out);
	rungo_index_free(idx);
}

static void test_policy_names(void **state)
{
	static const char *const names[] = { "minor", "latest-patch", "all",
					     "ends" };
	static const enum rungo_policy policies[] = {
		RUNGO_POLICY_MINOR, RUNGO_POLICY_LATEST_PATCH, RUNGO_POLICY_ALL,
		RUNGO_POLICY_ENDS
	};
	static const char *const bad[] = { "", "Minor", "latest", "latest_patch",
					   "all ", "patch" };
	struct common_err err = { 0, "" };
	enum rungo_policy p;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(rungo_policy_parse(names[i], &p, &err), 0);
		assert_int_equal(p, policies[i]);
		assert_string_equal(rungo_policy_name(policies[i]), names[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[128];

		p = RUNGO_POLICY_ALL;
		assert_int_equal(rungo_policy_parse(bad[i], &p, &err), -EINVAL);
		assert_int_equal(p, RUNGO_POLICY_ALL);
		snprintf(want, sizeof(want),
			 "unknown version policy \"%s\" (use minor, "
			 "latest-patch, ends or all)", bad[i]);
		assert_string_equal(err.msg, want);
	}
	assert_string_equal(rungo_policy_name((enum rungo_policy)9), "unknown");
}

static void test_bad_args(void **state)
{
	struct rungo_select_opts o = { 0 };
	struct rungo_version *out = NULL;
	size_t n = 0;

	assert_int_equal(rungo_select(NULL, NULL, &out, &n, NULL), -EINVAL);
	o.policy = (enum rungo_policy)9;
	assert_int_equal(rungo_select(*state, &o, &out, &n, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minor),
		cmocka_unit_test(test_latest_patch),
		cmocka_unit_test(test_ends),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_min_above_max),
		cmocka_unit_test(test_platform),
		cmocka_unit_test(test_duplicates_and_empty),
		cmocka_unit_test(test_policy_names),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
