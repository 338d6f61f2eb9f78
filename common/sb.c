/* SPDX-License-Identifier: MIT */
/* common/sb.c - the growable string of common/sb.h. */
#include "common/sb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void common_sb_putn(struct common_sb *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *np;

		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void common_sb_puts(struct common_sb *b, const char *s)
{
	common_sb_putn(b, s, strlen(s));
}

void common_sb_printf(struct common_sb *b, const char *fmt, ...)
{
	char small[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		common_sb_putn(b, small, (size_t)n);
		return;
	}
	common_sb_putn(b, "", 0);
	if (b->oom || b->len + (size_t)n + 1 > b->cap) {
		char *np;

		if (b->oom)
			return;
		np = realloc(b->p, b->len + (size_t)n + 1);
		if (!np) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = b->len + (size_t)n + 1;
	}
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void common_sb_reset(struct common_sb *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

const char *common_sb_str(const struct common_sb *b)
{
	return b->p && !b->oom ? b->p : "";
}

char *common_strf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
