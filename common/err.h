/* SPDX-License-Identifier: MIT */
/*
 * common/err.h - errors, log and progress hooks shared by every library.
 *
 * Convention for every library function in this tree: return 0 on success
 * and a negative errno-style code on failure (-EINVAL bad input, -EIO I/O,
 * -ENOENT missing, -EPROTO bad data from a server, -ETIMEDOUT, ...).  When a
 * function also takes a `struct common_err *err` (which may be NULL), it fills
 * it with a one-line human readable message naming the thing that failed and,
 * where useful, what to do about it.  Library code never prints and never
 * exits.
 */
#ifndef COMMON_ERR_H
#define COMMON_ERR_H

#include <stdarg.h>
#include <stddef.h>

#define COMMON_ERR_MSG_SIZE 1024

struct common_err {
	int code;                      /* negative errno, 0 when unset */
	char msg[COMMON_ERR_MSG_SIZE];  /* NUL-terminated, may be truncated */
};

#if defined(__GNUC__)
#define COMMON_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define COMMON_PRINTF(a, b)
#endif

/* Record an error; returns `code` so callers can `return common_err_set(...)`.
 * `err` may be NULL. */
int common_err_set(struct common_err *err, int code, const char *fmt, ...)
	COMMON_PRINTF(3, 4);
int common_err_vset(struct common_err *err, int code, const char *fmt,
		    va_list ap) COMMON_PRINTF(3, 0);

/* Prefix the existing message with "<prefix>: " (context while unwinding).
 * Returns err->code (or `code` if err is NULL). */
int common_err_prefix(struct common_err *err, int code, const char *fmt, ...)
	COMMON_PRINTF(3, 4);

/* Clear err (code 0, empty message). NULL accepted. */
void common_err_clear(struct common_err *err);

/* Optional diagnostics hook used by long-running library calls.  NULL means
 * silent.  `level` is one of COMMON_LOG_*. */
enum common_log_level { COMMON_LOG_DEBUG, COMMON_LOG_INFO, COMMON_LOG_WARN };
typedef void (*common_log_fn)(void *ctx, enum common_log_level level,
			      const char *msg);

/* Format a message and pass it to `log` (NULL: nothing), cut at
 * COMMON_ERR_MSG_SIZE. */
void common_logf(common_log_fn log, void *ctx, enum common_log_level level,
		 const char *fmt, ...) COMMON_PRINTF(4, 5);

/* Progress hook: `what` names the item ("go1.22.4.linux-amd64.tar.gz"),
 * done/total in bytes or items (total 0 when unknown).  NULL = silent.
 * A call with done == total (total > 0) comes once per item, when the
 * item is complete (downloaded and verified, extracted and checked);
 * every earlier call has done < total or total 0. */
typedef void (*common_progress_fn)(void *ctx, const char *what,
				   unsigned long long done,
				   unsigned long long total);

#endif
