/* SPDX-License-Identifier: MIT */
#include "common/err.h"

#include <stdio.h>
#include <string.h>

int common_err_vset(struct common_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int common_err_set(struct common_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	common_err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int common_err_prefix(struct common_err *err, int code, const char *fmt, ...)
{
	char buf[COMMON_ERR_MSG_SIZE];
	size_t len, old_len;
	va_list ap;
	int n;

	if (!err)
		return code;
	if (err->code == 0)
		err->code = code;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return err->code;
	/* "<prefix>: <old message>", cut at the buffer's end. */
	len = strlen(buf);
	if (len + 2 < sizeof(buf)) {
		memcpy(buf + len, ": ", 2);
		len += 2;
		old_len = strnlen(err->msg, sizeof(err->msg));
		if (old_len > sizeof(buf) - 1 - len)
			old_len = sizeof(buf) - 1 - len;
		memcpy(buf + len, err->msg, old_len);
		len += old_len;
	}
	buf[len] = '\0';
	memcpy(err->msg, buf, len + 1);
	return err->code;
}

void common_err_clear(struct common_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

void common_logf(common_log_fn log, void *ctx, enum common_log_level level,
		 const char *fmt, ...)
{
	char msg[COMMON_ERR_MSG_SIZE];
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log(ctx, level, msg);
}
