/* SPDX-License-Identifier: MIT */
/*
 * rungo/fetch.h - HTTP(S)/file downloads with libcurl.
 *
 * Redirects are followed.  Transient failures (HTTP 5xx, 408, 429,
 * connection reset/refused mid-transfer, timeouts, partial transfers) are
 * retried with exponential backoff; a partial file is resumed with a Range
 * request.  Permanent failures (4xx, bad URL, a host name that does not
 * resolve, sha256/size mismatch) are not retried.
 *
 * Every transfer has a total time limit (total_timeout_s, default
 * RUNGO_FETCH_TOTAL_TIMEOUT_DEFAULT_S, retries included), so a server that
 * trickles a byte now and then cannot hold a run forever, and every file
 * download a size ceiling (max_size), also when the expected size is
 * unknown.  Error messages name the file, the URL and the cause, e.g.
 * "download go1.22.4.linux-amd64.tar.gz: HTTP 404 from http://...".
 *
 * The caller must call rungo_fetch_global_init() once before any threads
 * are started (wraps curl_global_init); that is the only process-wide state.
 */
#ifndef RUNGO_FETCH_H
#define RUNGO_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

#define RUNGO_FETCH_TOTAL_TIMEOUT_DEFAULT_S 1800
#define RUNGO_FETCH_MAX_SIZE_DEFAULT (1ULL << 30)

struct rungo_fetch_opts {
	long connect_timeout_ms;   /* 0 = 15000 */
	long stall_timeout_s;      /* abort when < 1 byte/s for this long; 0 = 30 */
	long total_timeout_s;      /* 0 = RUNGO_FETCH_TOTAL_TIMEOUT_DEFAULT_S;
				    * < 0 = none */
	uint64_t max_size;         /* files: never more bytes than this, whatever
				    * the expected size; a .part past it is
				    * removed; 0 = RUNGO_FETCH_MAX_SIZE_DEFAULT */
	int max_attempts;          /* 0 = 5 */
	long retry_base_ms;        /* first backoff; doubles; 0 = 500 */
	common_progress_fn progress;/* NULL = silent */
	void *progress_ctx;
	common_log_fn log;          /* retries etc.; NULL = silent */
	void *log_ctx;
};

int rungo_fetch_global_init(struct common_err *err);
void rungo_fetch_global_cleanup(void);

/* Download `url` to `dest_path`.  Data goes to "<dest_path>.part" first
 * (resumed if present); when complete and verified against expected_size
 * (0 = don't check) and expected_sha256 (NULL or "" = don't check) it is
 * renamed to dest_path.  On a mismatch the .part file is removed, and on
 * any failure a .part larger than the size ceiling (opts.max_size, or
 * expected_size when smaller) is removed too.
 * `label` names the thing in errors and progress (e.g. the filename). */
int rungo_fetch_file(const char *url, const char *dest_path, const char *label,
		     uint64_t expected_size, const char *expected_sha256,
		     const struct rungo_fetch_opts *opts, struct common_err *err);

/* Download `url` into memory. *out is malloc'd and NUL-terminated
 * (caller frees with free()), *len excludes the NUL. */
int rungo_fetch_memory(const char *url, const char *label,
		       const struct rungo_fetch_opts *opts, char **out,
		       size_t *len, struct common_err *err);

#endif
