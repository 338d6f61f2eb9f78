/* SPDX-License-Identifier: MIT */
/* tests/support/skip.c - see skip.h. */
#include "skip.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int skipped;   /* test process only */

bool test_under_ci(void)
{
	const char *ci = getenv("CI");

	return ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0;
}

bool test_skip_note(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, test_under_ci() ? "FAIL (CI): " : "SKIP: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	skipped++;
	return test_under_ci();
}

int test_exit(int cmocka_rc)
{
	if (cmocka_rc)
		return cmocka_rc;
	if (skipped) {
		fprintf(stderr, "%d sub-test(s) skipped: exit 77 so that the skip is counted\n",
			skipped);
		return 77;
	}
	return 0;
}
