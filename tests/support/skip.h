/* SPDX-License-Identifier: MIT */
/*
 * tests/support/skip.h - skips that show.
 *
 * A cmocka test that calls skip() inside an executable that otherwise
 * passes is reported by meson as a pass: the skip is hidden from
 * scripts/test's closing line.  Tests call test_skip() instead, and end
 * main() with test_exit(): an executable in which something was skipped
 * (and nothing failed) exits 77, so the skip is counted.  Under CI
 * (CI set, not "0"/"false") the suite provides every prerequisite, so
 * test_skip() fails the test instead.
 */
#ifndef TEST_SKIP_H
#define TEST_SKIP_H

#include <stdbool.h>

/* Is this a CI run (CI=true)? */
bool test_under_ci(void);

/* Inside a cmocka test: skip it, saying why (printf-style), and count it;
 * under CI fail it.  Does not return. */
#define test_skip(...)                                                   \
	do {                                                             \
		if (test_skip_note(__VA_ARGS__))                         \
			fail_msg("CI: prerequisite missing (see above)"); \
		skip();                                                  \
	} while (0)

/* Print why and count the skip; returns true under CI (then fail). */
bool test_skip_note(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* main's exit status from cmocka's: failures stay failures; else 77 when
 * anything was skipped, 0 otherwise. */
int test_exit(int cmocka_rc);

#endif
