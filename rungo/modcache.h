/* SPDX-License-Identifier: MIT */
/*
 * rungo/modcache.h - verified Go modules in the shared cache.
 *
 * Layout under the cache root (rungo/cache.h), the GOPROXY file layout so
 * that file://<root>/modules is itself a module proxy:
 *   modules/<escaped path>/@v/<escaped version>.mod      go.mod
 *   modules/<escaped path>/@v/<escaped version>.info     .info of the proxy
 *   modules/<escaped path>/@v/<escaped version>.zip      the module zip
 *   modules/<escaped path>/@v/<escaped version>.ziphash  its h1 (last)
 *   downloads/mod-<id>.zip[.part]   a zip being downloaded
 *   locks/mod-<id>.lock             flock(2) per module version
 * (<id>: the first 32 hex digits of sha256("<path>@<version>").)
 *
 * Protocol for one module version, under its lock (like toolchains): a
 * complete entry (zip and ziphash present) is used as is; otherwise the
 * zip is downloaded into downloads/ (a .part is resumed), hashed (h1, with
 * the go command's zip checks) and compared with the record in `sums`;
 * then .mod and .info are written atomically, the zip renamed into place
 * and the .ziphash written last.  A crash leaves no entry with a ziphash
 * that was not verified.  Any number of threads and processes may share
 * the cache.
 *
 * Integrity: when `sums` holds a line for the version (or its go.mod) and
 * the hash differs, the call fails with -EPROTO and a message naming
 * module@version, both hashes and what to do; the downloaded file is
 * removed.  A cached entry is checked against `sums` too.  A version not
 * yet in `sums` is added to it (trust on first use; rungo_gosum_write
 * persists it).
 *
 * Convention: 0 / negative errno, details in err.
 */
#ifndef RUNGO_MODCACHE_H
#define RUNGO_MODCACHE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "rungo/cache.h"
#include "rungo/dirhash.h"
#include "rungo/goproxy.h"
#include "rungo/gosum.h"
#include "rungo/modversion.h"

struct rungo_modcache_opts {
	struct rungo_cache *cache;           /* required */
	const struct rungo_goproxy *proxy;   /* NULL: cached entries only */
	struct rungo_gosum *sums;            /* NULL: nothing checked/recorded */
	common_log_fn log;                    /* NULL: silent */
	void *log_ctx;
};

struct rungo_module {
	char path[RUNGO_MODPATH_MAX];
	struct rungo_modver version;
	char zip[PATH_MAX];                  /* the verified zip in the cache */
	char h1[RUNGO_H1_SIZE];              /* of the zip */
	char gomod_h1[RUNGO_H1_SIZE];        /* of its go.mod */
	char time[64];                       /* from .info; "" */
	bool downloaded;                     /* fetched now (not cached) */
	bool recorded;                       /* new to `sums`, added now */
};

/* Make path@v available and verified; fills *out. */
int rungo_modcache_download(const struct rungo_modcache_opts *o,
			    const char *path, const struct rungo_modver *v,
			    struct rungo_module *out, struct common_err *err);

/* The go.mod of path@v (cached in modules/ after the first fetch, checked
 * against and recorded in `sums` as the "/go.mod" line).  *text malloc'd,
 * NUL-terminated (free()); h1 may be NULL. */
int rungo_modcache_gomod(const struct rungo_modcache_opts *o,
			 const char *path, const struct rungo_modver *v,
			 char **text, size_t *len, char h1[RUNGO_H1_SIZE],
			 struct common_err *err);

/* "<root>/modules" into buf (0 or -ENAMETOOLONG). */
int rungo_modcache_dir(const struct rungo_cache *c, char *buf, size_t size);

#endif
