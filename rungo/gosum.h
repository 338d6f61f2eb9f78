/* SPDX-License-Identifier: MIT */
/*
 * rungo/gosum.h - go.sum-style records of module hashes.
 *
 * Lines as in a go.sum file:
 *   <module path> <version> h1:<base64>           the module zip
 *   <module path> <version>/go.mod h1:<base64>    its go.mod alone
 * lutgen keeps such a file (lutgen/modules.sum) of every module version it
 * has measured, so a proxy or a cache that serves different bytes for a
 * version already measured is caught (trust on first use, as the go
 * command does without a checksum database).  Formatting is deterministic:
 * sorted by path, then version in the go command's order, the zip line
 * before the go.mod line, one '\n' per line (as `go mod tidy` writes).
 *
 * Convention: 0 / negative errno, details in err.  A set may be used by
 * several threads at once (it locks itself).
 */
#ifndef RUNGO_GOSUM_H
#define RUNGO_GOSUM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "rungo/dirhash.h"
#include "rungo/modversion.h"

struct rungo_gosum;

int rungo_gosum_new(struct rungo_gosum **out, struct common_err *err);
void rungo_gosum_free(struct rungo_gosum *s);

/* Parse go.sum text; `origin` names it in errors ("lutgen/modules.sum:3:
 * ...").  Two different hashes for one line key are an error. */
int rungo_gosum_parse(const char *text, size_t len, const char *origin,
		      struct rungo_gosum **out, struct common_err *err);
/* Load a file; a missing file is an empty set. */
int rungo_gosum_load(const char *path, struct rungo_gosum **out,
		     struct common_err *err);

/* The recorded hash of path@version (gomod: its "/go.mod" line) copied
 * into out; false when none is recorded. */
bool rungo_gosum_lookup(const struct rungo_gosum *s, const char *path,
			const struct rungo_modver *v, bool gomod,
			char out[RUNGO_H1_SIZE]);

/* Record a hash.  Recording the same hash again is fine; a different one
 * is -EEXIST with a message naming the module, version and both hashes. */
int rungo_gosum_add(struct rungo_gosum *s, const char *path,
		    const struct rungo_modver *v, bool gomod, const char *h1,
		    struct common_err *err);

size_t rungo_gosum_count(const struct rungo_gosum *s);

/* The set as go.sum text; *out malloc'd, NUL-terminated (free()). */
int rungo_gosum_format(const struct rungo_gosum *s, char **out, size_t *len,
		       struct common_err *err);

/* Write the set to `path` atomically (common_fs_write_atomic). */
int rungo_gosum_write(const struct rungo_gosum *s, const char *path,
		      struct common_err *err);

#endif
