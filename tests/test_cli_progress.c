/* SPDX-License-Identifier: MIT */
/*
 * Unit test of what `lutgen` prints about long work (lutgen/cli/progress.c)
 * with a clock the test moves by hand and stderr captured in a file:
 *   LINES (no terminal): one line per finished download and build, at most
 *     one per interval, a held-back line replaced by a newer one, printed
 *     when its time comes, before a diagnostic or at the end; the last
 *     build never held back; nothing for an extraction (the cache says
 *     "installed");
 *   BARS (terminal): "download" and "extract" bars, 100% drawn once even
 *     when the hook reports it twice;
 *   OFF (--quiet / --json): nothing.
 * Expected texts are written by hand from the formats in progress.c's
 * header comment and the issue (`[7/22] go1.22.12 arm64 built in 31 s`).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>

#include "lutgen/cli/cli.h"

static double fake_now;

static double fake_clock(void)
{
	return fake_now;
}

static char capture_path[] = "/tmp/lutgen-test-cli-progress.XXXXXX";
static int saved_stderr = -1;

/* stderr (fd 2) -> the capture file, emptied (truncate) or not. */
static void capture_to_file(bool truncate)
{
	int fd;

	fflush(stderr);
	fd = open(capture_path, O_WRONLY | O_APPEND | (truncate ? O_TRUNC : 0));
	assert_true(fd >= 0);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

/* stderr back to where it was (so cmocka's messages are seen). */
static void capture_pause(void)
{
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
}

static void capture_start(void)
{
	capture_to_file(true);
}

/* What was written to stderr since capture_start (caller frees). */
static char *capture_text(void)
{
	FILE *f;
	long n;
	char *buf;

	fflush(stderr);
	f = fopen(capture_path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void expect_stderr(const char *want)
{
	char *got = capture_text();
	int same = strcmp(got, want) == 0;

	capture_pause();
	if (!same) {
		print_error("stderr:\n%s\nwant:\n%s\n", got, want);
		free(got);
		fail();
	}
	free(got);
	capture_to_file(false);
}

static void cli_init(struct lutgen_cli *cli, bool tty)
{
	memset(cli, 0, sizeof(*cli));
	cli->prog = "lutgen";
	pthread_mutex_init(&cli->lock, NULL);
	unsetenv("LUTGEN_PROGRESS_INTERVAL");
	lutgen_cli_progress_init(cli, tty);
	cli->pg.clock = fake_clock;
	fake_now = 1000.0;
}

static void build(struct lutgen_cli *cli, double at, size_t done,
		  size_t total, const char *version, const char *arch,
		  bool ok, double wall)
{
	struct lutgen_build_event e = { "goid", version, arch, ok, wall,
					done, total };

	fake_now = at;
	lutgen_cli_build_done(cli, &e);
}

static void test_lines_builds(void **state)
{
	struct lutgen_cli cli;

	(void)state;
	cli_init(&cli, false);
	assert_int_equal(cli.pg.mode, LUTGEN_PROGRESS_LINES);
	assert_true(cli.pg.interval == 3.0);
	capture_start();
	/* The first line goes out at once. */
	build(&cli, 1000.0, 1, 5, "go1.22.12", "amd64", true, 31.2);
	/* 1 s and 2 s later: held back, the second replaces the first. */
	build(&cli, 1001.0, 2, 5, "go1.22.12", "arm64", true, 4.25);
	build(&cli, 1002.0, 3, 5, "go1.23.5", "amd64", false, 2.0);
	expect_stderr("[1/5] goid: go1.22.12 amd64 built in 31 s\n");
	/* 3 s after the last line: this one goes out, [3/5] is dropped. */
	build(&cli, 1003.0, 4, 5, "go1.23.5", "arm64", false, 0);
	/* The last build is never held back, 0.5 s later or not. */
	build(&cli, 1003.5, 5, 5, "go1.24.4", "amd64", true, 9.96);
	lutgen_cli_progress_end(&cli);
	expect_stderr("[1/5] goid: go1.22.12 amd64 built in 31 s\n"
		      "[4/5] goid: go1.23.5 arm64 failed\n"
		      "[5/5] goid: go1.24.4 amd64 built in 10.0 s\n");
	capture_pause();
}

static void test_lines_held_back(void **state)
{
	struct lutgen_cli cli;

	(void)state;
	cli_init(&cli, false);
	capture_start();
	build(&cli, 1000.0, 1, 9, "go1.22.12", "amd64", true, 5);
	build(&cli, 1001.0, 2, 9, "go1.22.12", "arm64", false, 3);
	/* A diagnostic prints the held-back line first: lines stay in the
	 * order things happened. */
	lutgen_cli_warn(&cli, "something");
	build(&cli, 1001.5, 3, 9, "go1.23.5", "amd64", true, 5);
	/* The run stops (a failure, a cancel): the end prints it. */
	lutgen_cli_progress_end(&cli);
	lutgen_cli_progress_end(&cli);   /* once */
	expect_stderr("[1/9] goid: go1.22.12 amd64 built in 5.0 s\n"
		      "[2/9] goid: go1.22.12 arm64 failed after 3.0 s\n"
		      "lutgen: warning: something\n"
		      "[3/9] goid: go1.23.5 amd64 built in 5.0 s\n");
	capture_pause();
}

static void test_lines_downloads(void **state)
{
	struct lutgen_cli cli;

	(void)state;
	cli_init(&cli, false);
	setenv("LUTGEN_PROGRESS_INTERVAL", "10", 1);
	lutgen_cli_progress_init(&cli, false);
	assert_true(cli.pg.interval == 10.0);
	capture_start();
	/* A download: nothing until it is complete, then its line with the
	 * size and the time since its first report. */
	fake_now = 1000.0;
	lutgen_cli_download_progress(&cli, "go1.22.12.linux-amd64.tar.gz", 0,
				     131000000);
	fake_now = 1003.0;
	lutgen_cli_download_progress(&cli, "go1.22.12.linux-amd64.tar.gz",
				     130999999, 131000000);
	expect_stderr("");
	fake_now = 1004.2;
	lutgen_cli_download_progress(&cli, "go1.22.12.linux-amd64.tar.gz",
				     131000000, 131000000);
	/* Reported complete a second time: nothing more. */
	lutgen_cli_download_progress(&cli, "go1.22.12.linux-amd64.tar.gz",
				     131000000, 131000000);
	/* An extraction: no line of its own in LINES. */
	lutgen_cli_extract_progress(&cli, "go1.22.12.linux-amd64.tar.gz", 5,
				    10);
	lutgen_cli_extract_progress(&cli, "go1.22.12.linux-amd64.tar.gz", 10,
				    10);
	/* A second download, 2 s after the first line: held back... */
	fake_now = 1005.0;
	lutgen_cli_download_progress(&cli, "go1.23.5.linux-amd64.tar.gz", 0,
				     0);
	fake_now = 1006.2;
	lutgen_cli_download_progress(&cli, "go1.23.5.linux-amd64.tar.gz",
				     450000, 450000);
	expect_stderr("go1.22.12.linux-amd64.tar.gz downloaded (131 MB) in 4.2 s\n");
	/* ... until a later report comes after the interval. */
	fake_now = 1014.3;
	lutgen_cli_download_progress(&cli, "go1.24.4.linux-amd64.tar.gz", 0,
				     100);
	expect_stderr("go1.22.12.linux-amd64.tar.gz downloaded (131 MB) in 4.2 s\n"
		      "go1.23.5.linux-amd64.tar.gz downloaded (0.5 MB) in 1.2 s\n");
	unsetenv("LUTGEN_PROGRESS_INTERVAL");
	capture_pause();
}

static void test_bars(void **state)
{
	struct lutgen_cli cli;
	struct lutgen_build_event e = { "goid", "go1.22.12", "amd64", true,
					1.0, 1, 2 };
	char *got;
	const char *p;

	(void)state;
	cli_init(&cli, true);
	assert_int_equal(cli.pg.mode, LUTGEN_PROGRESS_BARS);
	capture_start();
	fake_now = 1000.0;
	lutgen_cli_download_progress(&cli, "x.tar.gz", 0, 2000000);
	fake_now = 1001.0;
	lutgen_cli_download_progress(&cli, "x.tar.gz", 1000000, 2000000);
	fake_now = 1002.0;
	lutgen_cli_download_progress(&cli, "x.tar.gz", 2000000, 2000000);
	lutgen_cli_download_progress(&cli, "x.tar.gz", 2000000, 2000000);
	fake_now = 1003.0;
	lutgen_cli_extract_progress(&cli, "x.tar.gz", 1000000, 2000000);
	fake_now = 1004.5;
	lutgen_cli_extract_progress(&cli, "x.tar.gz", 2000000, 2000000);
	lutgen_cli_build_done(&cli, &e);   /* no line with a terminal */
	got = capture_text();
	capture_pause();
	assert_non_null(strstr(got,
		"\r\033[Kdownload x.tar.gz                           "
		"[###############...............]   1.0/2.0 MB"));
	assert_non_null(strstr(got,
		"\r\033[Kdownload x.tar.gz                           "
		"[##############################]   2.0/2.0 MB in 2.0 s\n"));
	assert_non_null(strstr(got,
		"\r\033[Kextract  x.tar.gz                           "
		"[##############################]   2.0/2.0 MB in 1.5 s\n"));
	/* 100% once per bar, whatever the hook says. */
	p = strstr(got, "2.0/2.0 MB");
	assert_non_null(p);
	p = strstr(p + 1, "2.0/2.0 MB");
	assert_non_null(p);
	assert_null(strstr(p + 1, "2.0/2.0 MB"));
	assert_null(strstr(got, "[1/2]"));
	free(got);
}

static void test_off(void **state)
{
	struct lutgen_cli cli;
	struct lutgen_build_event e = { "goid", "go1.22.12", "amd64", true,
					1.0, 1, 1 };

	(void)state;
	cli_init(&cli, false);
	lutgen_cli_common_option(&cli, LUTGEN_OPT_QUIET, NULL);
	capture_start();
	lutgen_cli_download_progress(&cli, "x.tar.gz", 5, 5);
	lutgen_cli_build_done(&cli, &e);
	lutgen_cli_builds_progress(&cli, "builds", 0, 1);
	lutgen_cli_progress_end(&cli);
	cli_init(&cli, true);
	lutgen_cli_common_option(&cli, LUTGEN_OPT_JSON, NULL);
	lutgen_cli_download_progress(&cli, "x.tar.gz", 1, 5);
	lutgen_cli_builds_progress(&cli, "builds", 0, 1);
	lutgen_cli_progress_end(&cli);
	expect_stderr("");
	capture_pause();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_builds),
		cmocka_unit_test(test_lines_held_back),
		cmocka_unit_test(test_lines_downloads),
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_off),
	};
	int fd, rc;

	fd = mkstemp(capture_path);
	if (fd < 0) {
		perror("mkstemp");
		return 1;
	}
	close(fd);
	saved_stderr = dup(STDERR_FILENO);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	unlink(capture_path);
	return rc;
}
