/* SPDX-License-Identifier: MIT */
#include "rungo/err.h"

#include <stdio.h>
#include <string.h>

int rungo_err_vset(struct rungo_err *err, int code, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	return code;
}

int rungo_err_set(struct rungo_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rungo_err_vset(err, code, fmt, ap);
	va_end(ap);
	return code;
}

int rungo_err_prefix(struct rungo_err *err, int code, const char *fmt, ...)
{
	char prefix[RUNGO_ERR_MSG_SIZE];
	char old[RUNGO_ERR_MSG_SIZE];
	va_list ap;

	if (!err)
		return code;
	if (err->code == 0)
		err->code = code;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", prefix, old);
	return err->code;
}

void rungo_err_clear(struct rungo_err *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}
