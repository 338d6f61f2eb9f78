/* SPDX-License-Identifier: MIT */
/* common/sb.h - a growable string. */
#ifndef COMMON_SB_H
#define COMMON_SB_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"

/*
 * A growable NUL-terminated string, zero-initialised ({0}).  Appending
 * never fails loudly: after an allocation failure `oom` stays set and
 * further appends do nothing.  p (NULL until the first append) is the
 * caller's to free.
 */
struct common_sb {
	char *p;
	size_t len, cap;
	bool oom;
};

void common_sb_putn(struct common_sb *b, const char *s, size_t n);
void common_sb_puts(struct common_sb *b, const char *s);
void common_sb_printf(struct common_sb *b, const char *fmt, ...)
	COMMON_PRINTF(2, 3);
/* Empty the string (keeps the memory and a sticky oom). */
void common_sb_reset(struct common_sb *b);
/* The string, or "" when empty or after oom; valid until the next append. */
const char *common_sb_str(const struct common_sb *b);

/* printf into a new string; caller frees; NULL when out of memory. */
char *common_strf(const char *fmt, ...) COMMON_PRINTF(1, 2);

#endif
