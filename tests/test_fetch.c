/* SPDX-License-Identifier: MIT */
/*
 * tests/test_fetch.c - rungo/fetch against the loopback test server.
 *
 * Expected digests come from OpenSSL's one-shot SHA256() on the bytes the
 * test serves, or from constants computed with sha256sum(1) by hand; never
 * from rungo's own hashing.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/sha.h>

#include "common/sha256.h"
#include "httpd.h"
#include "rungo/fetch.h"

/* printf 'hello world\n' | sha256sum */
#define HELLO "hello world\n"
#define HELLO_SHA "a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447"
/* printf '' | sha256sum */
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define FILE_NAME "go1.22.4.linux-amd64.tar.gz"
#define BIG_LEN 300000

struct fx {
	struct test_httpd *srv;
	char dir[256];
	char dest[512];
	char part[600];
	unsigned char *big;       /* BIG_LEN pseudo-random bytes */
	char big_sha[65];
	int warns;
	int infos;
	char last_warn[1024];
	unsigned long long last_done, last_total;
	int progress_calls;
	int complete_calls;     /* done == total > 0 */
};

static void hex(const unsigned char *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void on_log(void *ctx, enum common_log_level lvl, const char *msg)
{
	struct fx *f = ctx;

	if (lvl == COMMON_LOG_WARN) {
		f->warns++;
		snprintf(f->last_warn, sizeof(f->last_warn), "%s", msg);
	}
	else
		f->infos++;
}

static void on_progress(void *ctx, const char *what, unsigned long long done,
			unsigned long long total)
{
	struct fx *f = ctx;

	assert_string_equal(what, FILE_NAME);
	f->progress_calls++;
	if (total && done == total)
		f->complete_calls++;
	assert_true(total == 0 || done <= total);
	f->last_done = done;
	f->last_total = total;
}

static struct rungo_fetch_opts fast_opts(struct fx *f)
{
	struct rungo_fetch_opts o;

	memset(&o, 0, sizeof(o));
	o.connect_timeout_ms = 2000;
	o.stall_timeout_s = 2;
	o.total_timeout_s = 20;
	o.max_attempts = 3;
	o.retry_base_ms = 20;
	o.log = on_log;
	o.log_ctx = f;
	return o;
}

static bool exists(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0;
}

static unsigned char *slurp(const char *p, size_t *len)
{
	FILE *fp = fopen(p, "rb");
	unsigned char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static void write_file(const char *p, const void *data, size_t len)
{
	FILE *fp = fopen(p, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

static void assert_file_is(const char *p, const void *data, size_t len)
{
	size_t got_len = 0;
	unsigned char *got = slurp(p, &got_len);

	assert_non_null(got);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, data, len);
	free(got);
}

static int rm_cb(const char *p, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("TMPDIR");
	unsigned char d[SHA256_DIGEST_LENGTH];
	uint32_t x = 12345;
	size_t i;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "%s/lutgen-test-fetch-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->dest, sizeof(f->dest), "%s/%s", f->dir, FILE_NAME);
	snprintf(f->part, sizeof(f->part), "%s.part", f->dest);
	f->big = malloc(BIG_LEN);
	if (!f->big)
		return -1;
	for (i = 0; i < BIG_LEN; i++) {
		x = x * 1103515245u + 12345u;
		f->big[i] = (unsigned char)(x >> 16);
	}
	SHA256(f->big, BIG_LEN, d);
	hex(d, sizeof(d), f->big_sha);
	if (test_httpd_start(&f->srv) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	test_httpd_stop(f->srv);
	nftw(f->dir, rm_cb, 8, FTW_DEPTH | FTW_PHYS);
	free(f->big);
	free(f);
	return 0;
}

static void url_of(struct fx *f, const char *path, char *buf, size_t size)
{
	assert_int_equal(test_httpd_url(f->srv, path, buf, size), 0);
}

/* Assert success, showing the library's message when it fails. */
#define assert_ok(call)                                                  \
	do {                                                             \
		int ret_ = (call);                                       \
		if (ret_ != 0)                                           \
			fail_msg("%s returned %d: %s", #call, ret_,      \
				 err.msg);                               \
	} while (0)

/* The last request for FILE_NAME asked for this Range. */
static void assert_last_range(struct fx *f, const char *want)
{
	char range[64];

	assert_int_equal(test_httpd_last_header(f->srv, "/dl/" FILE_NAME,
						"Range", range, sizeof(range)),
			 0);
	assert_string_equal(range, want);
}

/* Fetch FILE_NAME from the server with o: it must arrive intact. */
static void fetch_big_ok(struct fx *f, const struct rungo_fetch_opts *o)
{
	struct common_err err = { 0 };
	char url[256];

	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_ok(rungo_fetch_file(url, f->dest, FILE_NAME, BIG_LEN,
				   f->big_sha, o, &err));
	assert_file_is(f->dest, f->big, BIG_LEN);
}

/* ---- tests ------------------------------------------------------------- */

static void test_sha256_helpers(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	char out[65];
	char p[600];

	common_sha256_buf(HELLO, strlen(HELLO), out);
	assert_string_equal(out, HELLO_SHA);
	common_sha256_buf("", 0, out);
	assert_string_equal(out, EMPTY_SHA);

	snprintf(p, sizeof(p), "%s/hello.txt", f->dir);
	write_file(p, HELLO, strlen(HELLO));
	assert_int_equal(common_sha256_file(p, out, &err), 0);
	assert_string_equal(out, HELLO_SHA);
	unlink(p);

	assert_int_equal(common_sha256_file(p, out, &err), -ENOENT);
	assert_non_null(strstr(err.msg, p));
}

static void test_ok_plain(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	char ua[64];

	o.progress = on_progress;
	o.progress_ctx = f;
	assert_int_equal(test_httpd_add_body(f->srv, "/dl/" FILE_NAME, f->big,
					     BIG_LEN), 0);
	fetch_big_ok(f, &o);
	assert_false(exists(f->part));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
	assert_int_equal(test_httpd_range_hits(f->srv, "/dl/" FILE_NAME), 0);
	assert_int_equal(test_httpd_last_header(f->srv, "/dl/" FILE_NAME,
						"User-Agent", ua, sizeof(ua)),
			 0);
	assert_string_equal(ua, "lutgen/0.1");
	assert_true(f->progress_calls > 0);
	/* 100% once, last, after verification (common/err.h). */
	assert_int_equal(f->complete_calls, 1);
	assert_int_equal(f->last_done, BIG_LEN);
	assert_int_equal(f->last_total, BIG_LEN);
	assert_int_equal(f->warns, 0);
}

static void test_sha_mismatch(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256], want[512];
	int ret;

	assert_int_equal(test_httpd_add_body(f->srv, "/dl/" FILE_NAME, f->big,
					     BIG_LEN), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	ret = rungo_fetch_file(url, f->dest, FILE_NAME, BIG_LEN, HELLO_SHA, &o,
			       &err);
	assert_int_equal(ret, -EPROTO);
	assert_int_equal(err.code, -EPROTO);
	snprintf(want, sizeof(want),
		 "download " FILE_NAME ": sha256 mismatch: expected " HELLO_SHA
		 ", got %s (the file was removed; the mirror or the index is wrong)",
		 f->big_sha);
	assert_string_equal(err.msg, want);
	assert_false(exists(f->dest));
	assert_false(exists(f->part));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
}

static void test_drop_resumes_with_range(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = f->big, .body_len = BIG_LEN,
		.drop_first = 1, .drop_after = 100000,
	};

	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	fetch_big_ok(f, &o);
	assert_false(exists(f->part));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 2);
	assert_int_equal(test_httpd_range_hits(f->srv, "/dl/" FILE_NAME), 1);
	assert_last_range(f, "bytes=100000-");
	assert_int_equal(f->warns, 1);
	assert_non_null(strstr(f->last_warn,
				"transfer closed with 200000 bytes remaining"));
}

static void test_reset_resumes_with_range(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = f->big, .body_len = BIG_LEN,
		.drop_first = 2, .drop_after = 120000, .drop_reset = true,
	};

	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	fetch_big_ok(f, &o);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 3);
	/* A reset may lose bytes in flight; with any received the client
	 * resumes. */
	assert_true(test_httpd_range_hits(f->srv, "/dl/" FILE_NAME) >= 1);
	assert_int_equal(f->warns, 2);
	assert_non_null(strstr(f->last_warn, "Connection reset by peer"));
	assert_non_null(strstr(f->last_warn, "retrying in 40 ms (attempt 3 of 3)"));
}

static void test_complete_part_not_fetched(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);

	write_file(f->part, f->big, BIG_LEN);
	fetch_big_ok(f, &o);
	assert_false(exists(f->part));
	assert_int_equal(test_httpd_total_hits(f->srv), 0);
}

static void test_bad_part_prefix_refetched(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	unsigned char junk[1000];

	/* A .part with wrong bytes: the resume gives a bad digest, so the
	 * whole file is fetched once more from the start. */
	memset(junk, 'J', sizeof(junk));
	write_file(f->part, junk, sizeof(junk));
	assert_int_equal(test_httpd_add_body(f->srv, "/dl/" FILE_NAME, f->big,
					     BIG_LEN), 0);
	fetch_big_ok(f, &o);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 2);
	assert_int_equal(test_httpd_range_hits(f->srv, "/dl/" FILE_NAME), 1);
}

static void test_part_locked_by_other(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256];
	int fd;

	fd = open(f->part, O_RDWR | O_CREAT, 0644);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -EBUSY);
	assert_non_null(strstr(err.msg, f->part));
	assert_int_equal(test_httpd_total_hits(f->srv), 0);
	close(fd);
}

static void test_resume_existing_part(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);

	/* An earlier run left the first 1234 bytes. */
	write_file(f->part, f->big, 1234);
	assert_int_equal(test_httpd_add_body(f->srv, "/dl/" FILE_NAME, f->big,
					     BIG_LEN), 0);
	fetch_big_ok(f, &o);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
	assert_last_range(f, "bytes=1234-");
}

static void test_server_ignores_range(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = f->big, .body_len = BIG_LEN,
		.ignore_range = true,
	};
	unsigned char junk[4000];

	/* Garbage in the .part: only a restart from byte 0 gives the right
	 * file. */
	memset(junk, 'Z', sizeof(junk));
	write_file(f->part, junk, sizeof(junk));
	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	fetch_big_ok(f, &o);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
	assert_int_equal(test_httpd_range_hits(f->srv, "/dl/" FILE_NAME), 1);
}

static void test_range_not_satisfiable(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	unsigned char junk[BIG_LEN / 100];
	char url[256];

	/* A .part longer than the file (no size known): 416, then from 0. */
	memset(junk, 'Q', sizeof(junk));
	write_file(f->part, junk, sizeof(junk));
	assert_int_equal(test_httpd_add_body(f->srv, "/small", HELLO,
					     strlen(HELLO)), 0);
	url_of(f, "/small", url, sizeof(url));
	assert_ok(rungo_fetch_file(url, f->dest, FILE_NAME, 0, HELLO_SHA,
					  &o, &err));
	assert_file_is(f->dest, HELLO, strlen(HELLO));
	assert_int_equal(test_httpd_hits(f->srv, "/small"), 2);
	assert_int_equal(test_httpd_range_hits(f->srv, "/small"), 1);
}

static void test_500_then_ok(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = HELLO,
		.body_len = strlen(HELLO), .fail_first = 1,
	};
	char url[256];

	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_ok(rungo_fetch_file(url, f->dest, FILE_NAME,
					  strlen(HELLO), HELLO_SHA, &o, &err));
	assert_file_is(f->dest, HELLO, strlen(HELLO));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 2);
	assert_int_equal(f->warns, 1);
}

static void test_429_honours_retry_after(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = HELLO,
		.body_len = strlen(HELLO), .fail_first = 1, .fail_status = 429,
		.headers = "Retry-After: 1\r\n",
	};
	struct timespec t0, t1;
	char url[256];

	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_ok(rungo_fetch_file(url, f->dest, FILE_NAME, strlen(HELLO),
				   HELLO_SHA, &o, &err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec * 1000 + t1.tv_nsec / 1000000 -
		    (t0.tv_sec * 1000 + t0.tv_nsec / 1000000) >= 950);
	assert_file_is(f->dest, HELLO, strlen(HELLO));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 2);
	assert_non_null(strstr(f->last_warn, "HTTP 429 from "));
	assert_non_null(strstr(f->last_warn, "retrying in 1000 ms (attempt 2 of 3)"));
}

static void test_503_gives_up(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = HELLO,
		.body_len = strlen(HELLO), .fail_first = 100,
		.fail_status = 503,
	};
	char url[256];

	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -EIO);
	assert_non_null(strstr(err.msg, "HTTP 503 from "));
	assert_non_null(strstr(err.msg, "(gave up after 3 attempts)"));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 3);
	assert_int_equal(f->warns, 2);
	assert_false(exists(f->dest));
}

static void test_404_not_retried(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256], want[512];

	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -ENOENT);
	snprintf(want, sizeof(want),
		 "download " FILE_NAME ": HTTP 404 from http://127.0.0.1:%u/dl/"
		 FILE_NAME, (unsigned)test_httpd_port(f->srv));
	assert_string_equal(err.msg, want);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
	assert_int_equal(f->warns, 0);
	assert_false(exists(f->dest));
}

static double elapsed_s(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void test_stall_before_headers_times_out(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = HELLO,
		.body_len = strlen(HELLO), .delay_ms = 30000,
	};
	struct timespec t0;
	char url[256], want[512];
	double dt;

	o.stall_timeout_s = 1;
	o.max_attempts = 2;
	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -ETIMEDOUT);
	dt = elapsed_s(&t0);
	snprintf(want, sizeof(want),
		 "download " FILE_NAME ": no data for 1 s from "
		 "http://127.0.0.1:%u/dl/" FILE_NAME
		 " (timed out after 2 attempts)",
		 (unsigned)test_httpd_port(f->srv));
	assert_string_equal(err.msg, want);
	assert_true(dt >= 1.5);
	assert_true(dt < 4.5);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 2);
}

static void test_stall_mid_body_times_out(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = f->big, .body_len = BIG_LEN,
		.stall_after = 5000, .stall_ms = 30000,
	};
	struct timespec t0;
	double dt;
	char url[256];

	o.stall_timeout_s = 1;
	o.max_attempts = 1;
	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, BIG_LEN,
					  f->big_sha, &o, &err), -ETIMEDOUT);
	dt = elapsed_s(&t0);
	assert_non_null(strstr(err.msg, "no data for 1 s from"));
	assert_non_null(strstr(err.msg, "(timed out after 1 attempt)"));
	assert_true(dt < 3.5);
	/* What arrived stays for a later resume. */
	assert_true(exists(f->part));
	assert_false(exists(f->dest));
}

static void test_stall_once_then_resume(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = f->big, .body_len = BIG_LEN,
		.stall_after = 50000, .stall_ms = 30000, .stall_first = 1,
	};

	o.stall_timeout_s = 1;
	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	fetch_big_ok(f, &o);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 2);
	assert_last_range(f, "bytes=50000-");
}

static void test_total_timeout(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/slow", .body = HELLO, .body_len = strlen(HELLO),
		.delay_ms = 30000,
	};
	struct timespec t0;
	char url[256];
	double dt;

	o.stall_timeout_s = 30;
	o.total_timeout_s = 1;
	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/slow", url, sizeof(url));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -ETIMEDOUT);
	dt = elapsed_s(&t0);
	assert_true(dt < 2.5);
	assert_non_null(strstr(err.msg, "total time limit of 1 s"));
}

static void test_redirect_followed(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);

	assert_int_equal(test_httpd_add_redirect(f->srv, "/dl/" FILE_NAME,
						 "/storage/" FILE_NAME), 0);
	assert_int_equal(test_httpd_add_body(f->srv, "/storage/" FILE_NAME,
					     f->big, BIG_LEN), 0);
	fetch_big_ok(f, &o);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
	assert_int_equal(test_httpd_hits(f->srv, "/storage/" FILE_NAME), 1);
}

static void test_redirect_to_404_names_both(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256];

	assert_int_equal(test_httpd_add_redirect(f->srv, "/dl/" FILE_NAME,
						 "/storage/missing"), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -ENOENT);
	assert_non_null(strstr(err.msg, "HTTP 404 from http://127.0.0.1:"));
	assert_non_null(strstr(err.msg, "/storage/missing (redirected from "));
	assert_non_null(strstr(err.msg, url));
}

static void test_size_mismatch_short(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256];

	assert_int_equal(test_httpd_add_body(f->srv, "/dl/" FILE_NAME, f->big,
					     BIG_LEN), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME,
					  BIG_LEN + 10, NULL, &o, &err),
			 -EPROTO);
	assert_non_null(strstr(err.msg, "download " FILE_NAME ": size mismatch: expected 300010 bytes, got 300000"));
	assert_false(exists(f->dest));
	assert_false(exists(f->part));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
}

static void test_size_mismatch_long(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256];

	assert_int_equal(test_httpd_add_body(f->srv, "/dl/" FILE_NAME, f->big,
					     BIG_LEN), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME,
					  BIG_LEN - 10, NULL, &o, &err),
			 -EPROTO);
	assert_non_null(strstr(err.msg, "size mismatch: expected 299990 bytes"));
	assert_false(exists(f->dest));
	assert_false(exists(f->part));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
}

static void test_fetch_memory(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/index.json", .body = "[{\"version\":\"go1.22.4\"}]",
		.body_len = 24, .fail_first = 1, .fail_status = 502,
	};
	char url[256];
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/index.json", url, sizeof(url));
	assert_ok(rungo_fetch_memory(url, "index", &o, &out, &len,
					    &err));
	assert_int_equal(len, 24);
	assert_string_equal(out, "[{\"version\":\"go1.22.4\"}]");
	assert_int_equal(test_httpd_hits(f->srv, "/index.json"), 2);
	free(out);
	out = NULL;

	/* An empty body is an empty string, not NULL. */
	assert_int_equal(test_httpd_add_body(f->srv, "/empty", NULL, 0), 0);
	url_of(f, "/empty", url, sizeof(url));
	assert_ok(rungo_fetch_memory(url, NULL, &o, &out, &len, &err));
	assert_non_null(out);
	assert_int_equal(len, 0);
	assert_string_equal(out, "");
	free(out);
	out = NULL;

	url_of(f, "/nope.json", url, sizeof(url));
	assert_int_equal(rungo_fetch_memory(url, "index", &o, &out, &len,
					    &err), -ENOENT);
	assert_null(out);
	assert_non_null(strstr(err.msg, "download index: HTTP 404 from "));
	assert_non_null(strstr(err.msg, url));
	assert_int_equal(test_httpd_hits(f->srv, "/nope.json"), 1);
}

static void test_file_url(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char src[600], url[700];
	char *out = NULL;
	size_t len = 0;

	snprintf(src, sizeof(src), "%s/source.bin", f->dir);
	write_file(src, HELLO, strlen(HELLO));
	snprintf(url, sizeof(url), "file://%s", src);
	assert_ok(rungo_fetch_file(url, f->dest, NULL, strlen(HELLO),
					  HELLO_SHA, &o, &err));
	assert_file_is(f->dest, HELLO, strlen(HELLO));
	assert_ok(rungo_fetch_memory(url, NULL, &o, &out, &len, &err));
	assert_int_equal(len, strlen(HELLO));
	assert_string_equal(out, HELLO);
	free(out);

	/* A missing file is permanent, and named. */
	snprintf(url, sizeof(url), "file://%s/missing.bin", f->dir);
	assert_true(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
				     &err) < 0);
	assert_non_null(strstr(err.msg, "download " FILE_NAME ": "));
	assert_non_null(strstr(err.msg, "missing.bin"));
	assert_int_equal(f->warns, 0);
}

static void test_bad_url(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };

	assert_int_equal(rungo_fetch_file("gopher://example.invalid/x", f->dest,
					  FILE_NAME, 0, NULL, &o, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "gopher://example.invalid/x"));
	assert_int_equal(f->warns, 0);
	assert_int_equal(rungo_fetch_file("http://127.0.0.1:1/x", f->dest,
					  FILE_NAME, 0, NULL, &o, &err),
			 -ECONNREFUSED);
	assert_non_null(strstr(err.msg, "(gave up after 3 attempts)"));
	assert_false(exists(f->dest));
}

struct worker {
	struct fx *f;
	char url[256];
	char dest[600];
	int ret;
	struct common_err err;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct rungo_fetch_opts o;

	memset(&o, 0, sizeof(o));
	o.max_attempts = 3;
	o.retry_base_ms = 20;
	o.stall_timeout_s = 5;
	w->ret = rungo_fetch_file(w->url, w->dest, NULL, BIG_LEN, w->f->big_sha,
				  &o, &w->err);
	return NULL;
}

/* Several threads, each its own handle; the first requests fail so the
 * retries interleave. */
static void test_parallel_downloads(void **state)
{
	struct fx *f = *state;
	struct test_httpd_route r = {
		.path = "/dl/" FILE_NAME, .body = f->big, .body_len = BIG_LEN,
		.fail_first = 2, .drop_first = 2, .drop_after = 70000,
	};
	struct worker w[4];
	pthread_t th[4];
	size_t i;

	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].f = f;
		url_of(f, "/dl/" FILE_NAME, w[i].url, sizeof(w[i].url));
		snprintf(w[i].dest, sizeof(w[i].dest), "%s/par%zu.tar.gz",
			 f->dir, i);
		assert_int_equal(pthread_create(&th[i], NULL, worker_main,
						&w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		if (w[i].ret != 0)
			fail_msg("worker %zu: %s", i, w[i].err.msg);
		assert_file_is(w[i].dest, f->big, BIG_LEN);
	}
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 8);
}


/* A server that sends a byte every 100 ms never stalls, but the total
 * time limit still ends the transfer (in memory and to a file). */
static void test_trickle_total_timeout(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	struct test_httpd_route r = {
		.path = "/trickle", .body = f->big, .body_len = 4096,
		.trickle_ms = 100,
	};
	struct timespec t0;
	char url[256], *mem = NULL;
	size_t len = 0;

	o.stall_timeout_s = 30;
	o.total_timeout_s = 1;
	assert_int_equal(test_httpd_add(f->srv, &r), 0);
	url_of(f, "/trickle", url, sizeof(url));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rungo_fetch_memory(url, "index", &o, &mem, &len, &err),
			 -ETIMEDOUT);
	assert_true(elapsed_s(&t0) < 3.0);
	assert_non_null(strstr(err.msg, "total time limit of 1 s"));
	assert_null(mem);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 4096, NULL,
					  &o, &err), -ETIMEDOUT);
	assert_true(elapsed_s(&t0) < 3.0);
	assert_non_null(strstr(err.msg, "total time limit of 1 s"));
	assert_false(exists(f->dest));
}

/* Size 0 (unknown) no longer means "no bound": an endless body stops at
 * the ceiling and its .part is removed. */
static void test_unknown_size_ceiling(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256];

	o.max_size = 100000;
	assert_int_equal(test_httpd_add_body(f->srv, "/dl/" FILE_NAME, f->big,
					     BIG_LEN), 0);
	url_of(f, "/dl/" FILE_NAME, url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -EFBIG);
	if (!strstr(err.msg, "more than 100000 bytes") ||
	    !strstr(err.msg, FILE_NAME))
		fail_msg("%s", err.msg);
	assert_false(exists(f->dest));
	assert_false(exists(f->part));
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
	/* A size above the ceiling is refused before any request. */
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 100001,
					  NULL, &o, &err), -EFBIG);
	if (!strstr(err.msg, "100001") || !strstr(err.msg, "limit"))
		fail_msg("%s", err.msg);
	assert_int_equal(test_httpd_hits(f->srv, "/dl/" FILE_NAME), 1);
	/* Within the ceiling, size 0 works as before. */
	o.max_size = 0;
	assert_ok(rungo_fetch_file(url, f->dest, FILE_NAME, 0, f->big_sha, &o,
				   &err));
	assert_file_is(f->dest, f->big, BIG_LEN);
}

/* A .part larger than the ceiling left by an older run is removed when
 * the download then fails. */
static void test_oversized_part_removed(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char url[256];

	o.max_size = 1000;
	write_file(f->part, f->big, 5000);
	url_of(f, "/dl/missing", url, sizeof(url));
	assert_int_equal(rungo_fetch_file(url, f->dest, FILE_NAME, 0, NULL, &o,
					  &err), -ENOENT);
	if (exists(f->part)) {
		size_t len = 0;
		unsigned char *d = slurp(f->part, &len);

		free(d);
		assert_true(len <= 1000);
	}
}

/* A host name that does not resolve is not retried: offline, the error
 * comes at once. */
static void test_dns_not_retried(void **state)
{
	struct fx *f = *state;
	struct rungo_fetch_opts o = fast_opts(f);
	struct common_err err = { 0 };
	char *mem = NULL;
	size_t len;

	o.retry_base_ms = 2000;
	assert_int_equal(rungo_fetch_memory("http://lutgen-test.invalid/dl/",
					    "index", &o, &mem, &len, &err),
			 -EHOSTUNREACH);
	assert_int_equal(f->warns, 0);   /* no "retrying" */
	assert_non_null(strstr(err.msg, "lutgen-test.invalid"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sha256_helpers),
		T(test_ok_plain),
		T(test_sha_mismatch),
		T(test_drop_resumes_with_range),
		T(test_reset_resumes_with_range),
		T(test_complete_part_not_fetched),
		T(test_bad_part_prefix_refetched),
		T(test_part_locked_by_other),
		T(test_resume_existing_part),
		T(test_server_ignores_range),
		T(test_range_not_satisfiable),
		T(test_500_then_ok),
		T(test_429_honours_retry_after),
		T(test_503_gives_up),
		T(test_404_not_retried),
		T(test_stall_before_headers_times_out),
		T(test_stall_mid_body_times_out),
		T(test_stall_once_then_resume),
		T(test_total_timeout),
		T(test_redirect_followed),
		T(test_redirect_to_404_names_both),
		T(test_size_mismatch_short),
		T(test_size_mismatch_long),
		T(test_fetch_memory),
		T(test_file_url),
		T(test_bad_url),
		T(test_parallel_downloads),
		T(test_trickle_total_timeout),
		T(test_unknown_size_ceiling),
		T(test_oversized_part_removed),
		T(test_dns_not_retried),
	};
	struct common_err err = { 0 };
	int rc;

	if (rungo_fetch_global_init(&err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rungo_fetch_global_cleanup();
	return rc;
}
