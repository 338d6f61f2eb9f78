/* SPDX-License-Identifier: MIT */
/*
 * Unit test of lutgen_cli_escape (lutgen/cli/cli.c): what `lutgen inspect`
 * does to strings read from a binary before they reach a terminal or a
 * JSON document.  Expected strings are written by hand from the UTF-8
 * rules (RFC 3629) and the escape's contract in cli.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "lutgen/cli/cli.h"

static void expect(const char *in, const char *want)
{
	char *got = lutgen_cli_escape(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_escape(void **state)
{
	(void)state;
	expect("", "");
	expect("-s -w -X main.v=1", "-s -w -X main.v=1");
	expect("C:\\go", "C:\\go");                      /* backslash kept */
	expect("caf\xc3\xa9 \xf0\x9f\x90\xb9", "caf\xc3\xa9 \xf0\x9f\x90\xb9");
	expect("\x1b[31mred", "\\x1b[31mred");          /* ESC */
	expect("a\tb\nc\r\x7f", "a\\x09b\\x0ac\\x0d\\x7f");
	expect("\xc2\x9b" "2J", "\\xc2\\x9b2J");         /* C1 CSI */
	expect("x\xffy", "x\\xffy");                     /* not UTF-8 */
	expect("\xc0\xaf", "\\xc0\\xaf");                /* overlong '/' */
	expect("\xed\xa0\x80", "\\xed\\xa0\\x80");       /* surrogate */
	expect("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"); /* > U+10FFFF */
	expect("ab\xe2\x82", "ab\\xe2\\x82");            /* cut short */
	expect("\xe2\x80\xae" "evil", "\\xe2\\x80\\xae" "evil"); /* RLO override */
	expect("\xe2\x81\xa6x", "\\xe2\\x81\\xa6x");     /* LRI isolate */
	expect("\xe2\x82\xac", "\xe2\x82\xac");          /* euro sign */
	assert_null(lutgen_cli_escape(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
