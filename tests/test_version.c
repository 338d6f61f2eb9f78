/* SPDX-License-Identifier: MIT */
/* rungo/version: parsing every spelling, garbage, order and formatting.
 * Expected values are written by hand from the go.dev index's spellings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "rungo/version.h"

#define B RUNGO_PRE_BETA
#define R RUNGO_PRE_RC
#define N RUNGO_PRE_NONE

struct good {
	const char *in;
	int major, minor, patch;
	enum rungo_prerelease pre;
	int pre_num;
	const char *formatted; /* the index's spelling */
};

static const struct good goods[] = {
	{ "go1", 1, 0, 0, N, 0, "go1" },
	{ "1", 1, 0, 0, N, 0, "go1" },
	{ "go1.0", 1, 0, 0, N, 0, "go1" },
	{ "go1.0.3", 1, 0, 3, N, 0, "go1.0.3" },
	{ "go1.2.2", 1, 2, 2, N, 0, "go1.2.2" },
	{ "go1.3rc1", 1, 3, 0, R, 1, "go1.3rc1" },
	{ "go1.4beta1", 1, 4, 0, B, 1, "go1.4beta1" },
	{ "go1.9beta1", 1, 9, 0, B, 1, "go1.9beta1" },
	{ "go1.9", 1, 9, 0, N, 0, "go1.9" },
	{ "go1.9.2rc2", 1, 9, 2, R, 2, "go1.9.2rc2" },
	{ "go1.10", 1, 10, 0, N, 0, "go1.10" },
	{ "go1.20", 1, 20, 0, N, 0, "go1.20" },
	{ "go1.20.0", 1, 20, 0, N, 0, "go1.20" },
	{ "1.20", 1, 20, 0, N, 0, "go1.20" },
	{ "go1.20.14", 1, 20, 14, N, 0, "go1.20.14" },
	{ "go1.21rc2", 1, 21, 0, R, 2, "go1.21rc2" },
	{ "go1.21rc10", 1, 21, 0, R, 10, "go1.21rc10" },
	{ "go1.21.0", 1, 21, 0, N, 0, "go1.21.0" },
	{ "go1.21", 1, 21, 0, N, 0, "go1.21.0" },
	{ "1.22.3", 1, 22, 3, N, 0, "go1.22.3" },
	{ "go1.22.4", 1, 22, 4, N, 0, "go1.22.4" },
	{ "go1.23beta2", 1, 23, 0, B, 2, "go1.23beta2" },
	{ "go1.99999.99999", 1, 99999, 99999, N, 0, "go1.99999.99999" },
	{ "go2.0.0", 2, 0, 0, N, 0, "go2.0.0" },
	{ "go2", 2, 0, 0, N, 0, "go2.0.0" },
	{ "go99999.99999.99999beta99999", 99999, 99999, 99999, B, 99999,
	  "go99999.99999.99999beta99999" },
};

static const char *const garbage[] = {
	"", "go", "gogo1", "go1.", "go1.x", "go1.2.", "go1.2.3.4",
	"go1.21rc", "go1.21rc0", "go1.21rc01", "go1.21beta", "go1.21alpha1",
	"go1.21.0rc1", "go1.022", "go01.2", "go1.2.03", "go0", "go0.1",
	"go2beta1", "go1rc1", "go1.21rc2x", "go1.21 ", " go1.21", "go1.21\n",
	"GO1.21", "Go1.21", "v1.21.0", "go-1.2", "go+1.2", "go1.-2",
	"go1.100000", "go99999999999999999999", "go1.2.99999999999",
	"go1.21rc4294967297", "go1.21.0.linux-amd64.tar.gz", "go1,21",
	"go1.21_rc1", "go1.21RC1", "go1.2rc2.1", "go1.2beta1rc1",
	"go\xff", "go1.2\t",
};

static void test_parse_good(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		const struct good *g = &goods[i];
		struct rungo_version v;
		struct common_err err = { 0, "" };
		char buf[RUNGO_VERSION_STR_MAX];

		if (rungo_version_parse(g->in, &v, &err) != 0)
			fail_msg("parse \"%s\": %s", g->in, err.msg);
		assert_int_equal(v.major, g->major);
		assert_int_equal(v.minor, g->minor);
		assert_int_equal(v.patch, g->patch);
		assert_int_equal(v.pre, g->pre);
		assert_int_equal(v.pre_num, g->pre_num);
		assert_int_equal(rungo_version_format(&v, buf, sizeof(buf)),
				 (int)strlen(g->formatted));
		assert_string_equal(buf, g->formatted);
		assert_int_equal(rungo_version_is_stable(&v), g->pre == N);
	}
}

static void test_parse_garbage(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		struct rungo_version v = { 7, 7, 7, N, 7 };
		struct common_err err = { 0, "" };
		char quoted[64];

		if (rungo_version_parse(garbage[i], &v, &err) != -EINVAL)
			fail_msg("\"%s\" was accepted", garbage[i]);
		assert_int_equal(err.code, -EINVAL);
		/* The message quotes the input (printable inputs only; others
		 * are shown with '?'). */
		snprintf(quoted, sizeof(quoted), "\"%s\"", garbage[i]);
		if (strspn(garbage[i], "abcdefghijklmnopqrstuvwxyz"
				       "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "0123456789.-+_, ") ==
		    strlen(garbage[i]) &&
		    !strstr(err.msg, quoted))
			fail_msg("message for \"%s\" does not quote it: %s",
				 garbage[i], err.msg);
		assert_non_null(strstr(err.msg, "is not a Go version"));
		/* *out is untouched on error. */
		assert_int_equal(v.major, 7);
		assert_int_equal(v.pre_num, 7);
	}
}

static void test_parse_messages(void **state)
{
	struct rungo_version v;
	struct common_err err = { 0, "" };

	(void)state;
	assert_int_equal(rungo_version_parse(NULL, &v, &err), -EINVAL);
	assert_int_equal(rungo_version_parse(NULL, &v, NULL), -EINVAL);
	assert_int_equal(rungo_version_parse("go1.21rc0", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "\"go1.21rc0\" is not a Go version: "
				     "prerelease numbers start at 1");
	assert_int_equal(rungo_version_parse("go1.022", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "\"go1.022\" is not a Go version: "
				     "a number has a leading zero");
	assert_int_equal(rungo_version_parse("go1.21rc01", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "\"go1.21rc01\" is not a Go version: "
				     "a number has a leading zero");
	assert_int_equal(rungo_version_parse("go1.21rc", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "\"go1.21rc\" is not a Go version: "
				     "\"rc\" must be followed by its number "
				     "(rc1, rc2, ...)");
	assert_int_equal(rungo_version_parse("go1.21.0rc1", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "\"go1.21.0rc1\" is not a Go version: "
				     "a prerelease of x.y.0 is spelled x.yrcN "
				     "or x.ybetaN");
	assert_int_equal(rungo_version_parse("go2beta1", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "\"go2beta1\" is not a Go version: "
				     "a prerelease needs a minor version "
				     "(go1.21rc1)");
	assert_int_equal(rungo_version_parse("go1.2.100000", &v, &err),
			 -EINVAL);
	assert_string_equal(err.msg, "\"go1.2.100000\" is not a Go version: "
				     "a number is too large");
	assert_int_equal(rungo_version_parse("go1\n2", &v, &err), -EINVAL);
	assert_string_equal(err.msg, "\"go1?2\" is not a Go version: "
				     "unexpected text after the version");
	/* Long garbage is cut in the message. */
	assert_int_equal(rungo_version_parse(
				 "go1.2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
				 &v, &err),
			 -EINVAL);
	assert_true(strlen(err.msg) < 200);
	assert_non_null(strstr(err.msg, "...\""));
}

/* Strictly ascending, by hand. */
static const char *const ascending[] = {
	"go1", "go1.0.1", "go1.2.2", "go1.3beta1", "go1.3beta2", "go1.3rc1",
	"go1.3rc2", "go1.3", "go1.3.1", "go1.9beta1", "go1.9rc1", "go1.9",
	"go1.9.1", "go1.9.2rc2", "go1.9.2", "go1.9.3", "go1.10beta1",
	"go1.10", "go1.20rc1", "go1.20", "go1.20.1", "go1.20.10",
	"go1.21rc1", "go1.21rc2", "go1.21rc10", "go1.21.0", "go1.21.1",
	"go1.22.0", "go1.22.1", "go2.0.0",
};

static void test_order(void **state)
{
	size_t n = sizeof(ascending) / sizeof(ascending[0]);
	size_t i, j;

	(void)state;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			struct rungo_version a, b;
			int c, want = (i > j) - (i < j);

			assert_int_equal(rungo_version_parse(ascending[i], &a,
							     NULL), 0);
			assert_int_equal(rungo_version_parse(ascending[j], &b,
							     NULL), 0);
			c = rungo_version_cmp(&a, &b);
			c = (c > 0) - (c < 0);
			if (c != want)
				fail_msg("cmp(%s, %s) = %d, want %d",
					 ascending[i], ascending[j], c, want);
		}
	}
}

static void test_equal_spellings(void **state)
{
	static const char *const pairs[][2] = {
		{ "go1.20", "go1.20.0" }, { "go1.21", "go1.21.0" },
		{ "go1", "go1.0.0" },     { "go1", "1.0" },
		{ "1.22.3", "go1.22.3" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		struct rungo_version a, b;

		assert_int_equal(rungo_version_parse(pairs[i][0], &a, NULL), 0);
		assert_int_equal(rungo_version_parse(pairs[i][1], &b, NULL), 0);
		assert_int_equal(rungo_version_cmp(&a, &b), 0);
	}
}

static void test_same_minor(void **state)
{
	struct rungo_version a, b, c, d;

	(void)state;
	assert_int_equal(rungo_version_parse("go1.21rc1", &a, NULL), 0);
	assert_int_equal(rungo_version_parse("go1.21.5", &b, NULL), 0);
	assert_int_equal(rungo_version_parse("go1.2.1", &c, NULL), 0);
	assert_int_equal(rungo_version_parse("go2.21.5", &d, NULL), 0);
	assert_true(rungo_version_same_minor(&a, &b));
	assert_false(rungo_version_same_minor(&a, &c));
	assert_false(rungo_version_same_minor(&b, &d));
}

static void test_format_space(void **state)
{
	struct rungo_version v;
	char buf[RUNGO_VERSION_STR_MAX];

	(void)state;
	assert_int_equal(rungo_version_parse("go1.21.10", &v, NULL), 0);
	/* "go1.21.10" is 9 characters: needs 10 bytes. */
	assert_int_equal(rungo_version_format(&v, buf, 9), -ENOSPC);
	assert_int_equal(rungo_version_format(&v, buf, 10), 9);
	assert_string_equal(buf, "go1.21.10");
	v.pre = (enum rungo_prerelease)7;
	assert_int_equal(rungo_version_format(&v, buf, sizeof(buf)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_messages),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_equal_spellings),
		cmocka_unit_test(test_same_minor),
		cmocka_unit_test(test_format_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
