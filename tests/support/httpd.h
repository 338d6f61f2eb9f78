/* SPDX-License-Identifier: MIT */
/*
 * tests/support/httpd.h - a small HTTP/1.1 server on 127.0.0.1 for tests.
 *
 * Not part of the libraries: it is linked only into test executables
 * (meson: testsupport_dep).  The server listens on an ephemeral port of
 * 127.0.0.1 and runs in its own thread; every connection is served by its
 * own thread, so concurrent clients (parallel downloads) work.  Every
 * response carries "Connection: close".
 *
 * Routes are matched by exact path (a query string is ignored).  A request
 * for a path without a route answers 404 and is still counted, so tests can
 * assert that a client did NOT ask for something.  Routes may be added or
 * replaced while the server runs; all functions are thread-safe.
 *
 * Include as "httpd.h" (testsupport_dep adds tests/support to the include
 * path) or "tests/support/httpd.h".
 *
 * Convention: functions returning int return 0 on success and a negative
 * errno on failure.  Nothing here prints or exits.
 */
#ifndef TEST_HTTPD_H
#define TEST_HTTPD_H

#include <stdbool.h>
#include <stddef.h>

struct test_httpd;

/* Behaviour of one route.  Zero-initialise and set what you need. */
struct test_httpd_route {
	const char *path;          /* "/dl/go1.22.4.linux-amd64.tar.gz" */

	/* What a normal request gets. */
	int status;                /* 0 = 200 (206 for a satisfiable Range) */
	const void *body;          /* copied; may be NULL with body_len 0 */
	size_t body_len;
	const char *content_type;  /* NULL = "application/octet-stream" */
	const char *location;      /* Location header (for status 3xx);
				    * a path starting with '/' is made
				    * absolute on this server */
	bool ignore_range;         /* answer 200 + full body even to Range */
	const char *headers;       /* extra header lines, each ending in
				    * "\r\n" (e.g. "Retry-After: 1\r\n");
				    * sent with every response of the route,
				    * failures included; NULL = none */

	/* Programmed failures, counted from this route's first request. */
	int fail_first;            /* first N requests answer fail_status */
	int fail_status;           /* 0 = 500 */
	int drop_first;            /* the next M requests (after fail_first)
				    * send headers announcing the whole body
				    * (or range), then only drop_after body
				    * bytes, then close */
	size_t drop_after;
	bool drop_reset;           /* drop with a TCP RST (connection reset
				    * by peer) instead of a clean close */

	/* Slowness (interrupted promptly by test_httpd_stop). */
	long delay_ms;             /* wait before sending the response */
	long stall_ms;             /* pause after stall_after body bytes */
	size_t stall_after;
	int stall_first;           /* delay/stall only the first N
				    * requests; 0 = every request */
	long trickle_ms;           /* send the body one byte at a time,
				    * pausing this long after each (a slow
				    * server that never quite stalls) */
};

/* Start a server on 127.0.0.1:<ephemeral>.  *out owned by the caller. */
int test_httpd_start(struct test_httpd **out);

/* Stop the server, close every connection, join all threads, free.
 * NULL accepted. */
void test_httpd_stop(struct test_httpd *h);

unsigned short test_httpd_port(const struct test_httpd *h);

/* "http://127.0.0.1:PORT" followed by `path` into buf.  -ENOSPC when it
 * does not fit. */
int test_httpd_url(const struct test_httpd *h, const char *path, char *buf,
		   size_t size);

/* Add a route, or replace the route with the same path (its counters are
 * reset).  Everything in *r is copied.  -EINVAL for a path not starting
 * with '/', location >= 2000, headers >= 2048 or content_type >= 128
 * characters. */
int test_httpd_add(struct test_httpd *h, const struct test_httpd_route *r);

/* Shorthand: 200 with `body`. */
int test_httpd_add_body(struct test_httpd *h, const char *path,
			const void *body, size_t len);

/* Shorthand: 200 with the contents of the file at `file_path`. */
int test_httpd_add_file(struct test_httpd *h, const char *path,
			const char *file_path);

/* Shorthand: 302 to `location` (absolute URL or a path on this server). */
int test_httpd_add_redirect(struct test_httpd *h, const char *path,
			    const char *location);

/* Requests seen for `path` (with or without a route); 0 if none. */
int test_httpd_hits(const struct test_httpd *h, const char *path);

/* Of those, how many carried a Range header. */
int test_httpd_range_hits(const struct test_httpd *h, const char *path);

/* All requests seen by the server. */
int test_httpd_total_hits(const struct test_httpd *h);

/* Value of header `name` (case-insensitive) in the most recent request for
 * `path`, copied into buf.  -ENOENT when there was no such request or
 * header, -ENOSPC when it does not fit. */
int test_httpd_last_header(const struct test_httpd *h, const char *path,
			   const char *name, char *buf, size_t size);

/* Zero every counter (routes stay). */
void test_httpd_reset_hits(struct test_httpd *h);

#endif
