/* SPDX-License-Identifier: MIT */
/*
 * rungo/err.h - error reporting shared by rungo and lutgen libraries.
 *
 * Convention for every library function in this tree: return 0 on success
 * and a negative errno-style code on failure (-EINVAL bad input, -EIO I/O,
 * -ENOENT missing, -EPROTO bad data from a server, -ETIMEDOUT, ...).  When a
 * function also takes a `struct rungo_err *err` (which may be NULL), it fills
 * it with a one-line human readable message naming the thing that failed and,
 * where useful, what to do about it.  Library code never prints and never
 * exits.
 */
#ifndef RUNGO_ERR_H
#define RUNGO_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define RUNGO_ERR_MSG_SIZE 1024

struct rungo_err {
	int code;                      /* negative errno, 0 when unset */
	char msg[RUNGO_ERR_MSG_SIZE];  /* NUL-terminated, may be truncated */
};

#if defined(__GNUC__)
#define RUNGO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RUNGO_PRINTF(a, b)
#endif

/* Record an error; returns `code` so callers can `return rungo_err_set(...)`.
 * `err` may be NULL. */
int rungo_err_set(struct rungo_err *err, int code, const char *fmt, ...)
	RUNGO_PRINTF(3, 4);
int rungo_err_vset(struct rungo_err *err, int code, const char *fmt,
		   va_list ap) RUNGO_PRINTF(3, 0);

/* Prefix the existing message with "<prefix>: " (context while unwinding).
 * Returns err->code (or `code` if err is NULL). */
int rungo_err_prefix(struct rungo_err *err, int code, const char *fmt, ...)
	RUNGO_PRINTF(3, 4);

/* Clear err (code 0, empty message). NULL accepted. */
void rungo_err_clear(struct rungo_err *err);

/* Optional diagnostics hook used by long-running library calls.  NULL means
 * silent.  `level` is one of RUNGO_LOG_*. */
enum rungo_log_level { RUNGO_LOG_DEBUG, RUNGO_LOG_INFO, RUNGO_LOG_WARN };
typedef void (*rungo_log_fn)(void *ctx, enum rungo_log_level level,
			     const char *msg);

/* Progress hook: `what` names the item ("go1.22.4.linux-amd64.tar.gz"),
 * done/total in bytes or items (total 0 when unknown).  NULL = silent. */
typedef void (*rungo_progress_fn)(void *ctx, const char *what,
				  unsigned long long done,
				  unsigned long long total);

#endif
