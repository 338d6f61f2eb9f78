/* SPDX-License-Identifier: MIT */
/*
 * rungo/cache.h - the shared toolchain cache.
 *
 * Layout under the cache root (default $XDG_CACHE_HOME/lutgen, else
 * ~/.cache/lutgen; overridden by LUTGEN_CACHE or opts.dir):
 *   toolchains/go1.22.4.linux-amd64/   a complete GOROOT (+ .lutgen-toolchain.json)
 *   downloads/go1.22.4.linux-amd64.tar.gz[.part]   archives in flight
 *   locks/go1.22.4.linux-amd64.lock    flock(2): held (exclusive) while installing
 *   locks/go1.22.4.linux-amd64.use     flock(2): held (shared) while in use
 *   tmp/                               extraction in progress (renamed into toolchains/)
 *   gocache/go1.22.4.linux-amd64/      GOCACHE shared by every build with that toolchain
 *   results/                           lutgen's per-build result cache
 * A toolchain directory exists only once complete: extraction happens in
 * tmp/, `bin/go version` must name the expected version and GOOS/GOARCH,
 * and the tree is renamed into place under the lock.  Any number of
 * processes may share one cache; two that need the same toolchain
 * download it once.
 *
 * Reuse checks the tree again: its .lutgen-toolchain.json must be intact
 * and bin/go must be the file that was checked (inode, size, times; else
 * `bin/go version` runs again and the new stamp is recorded).  A damaged
 * tree nobody uses is replaced when an index is given.
 *
 * In use: rungo_cache_acquire() holds a shared lock until
 * rungo_cache_release(); prune skips (and counts) toolchains held so.
 *
 * A cache that cannot be written (read-only mount, no permission) still
 * serves the toolchains it holds: reading a published tree needs no lock
 * file to be created.  Only an install fails, saying so.
 */
#ifndef RUNGO_CACHE_H
#define RUNGO_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "rungo/fetch.h"
#include "rungo/index.h"
#include "rungo/version.h"

/* Default download base: archives are fetched from <base>/<filename>
 * (go.dev redirects to its storage). */
#define RUNGO_DEFAULT_DOWNLOAD_URL "https://go.dev/dl/"

struct rungo_cache;

struct rungo_cache_opts {
	const char *dir;           /* NULL = $LUTGEN_CACHE, XDG default */
	const char *download_url;  /* NULL = RUNGO_DEFAULT_DOWNLOAD_URL */
	bool no_trim;              /* keep the full tree (default: trimmed) */
	struct rungo_fetch_opts fetch;  /* progress/log/timeouts for downloads */
	/* Extraction of a downloaded archive: (archive file name, bytes of
	 * the archive read, its size).  NULL = silent. */
	common_progress_fn extract_progress;
	void *extract_progress_ctx;
	/* Archive bomb limits (0 = RUNGO_EXTRACT_MAX_*_DEFAULT). */
	uint64_t max_extract_files;
	uint64_t max_extract_bytes;
	common_log_fn log;          /* NULL = silent */
	void *log_ctx;
};

struct rungo_toolchain {
	struct rungo_version version;
	char version_str[RUNGO_VERSION_STR_MAX];
	char goroot[4096];
	char sha256[65];    /* of the archive; "" for a local GOROOT */
	bool local;         /* registered with rungo_cache_add_goroot */
	bool trimmed;
	uint64_t disk_bytes;     /* size of the tree (0 if unknown) */
	uint64_t saved_bytes;    /* skipped by trimming */
};

/* Resolve the cache root and create it.  *out owned by caller. */
int rungo_cache_open(const struct rungo_cache_opts *opts,
		     struct rungo_cache **out, struct common_err *err);
void rungo_cache_free(struct rungo_cache *c);

/* Borrowed, valid until rungo_cache_free. */
const char *rungo_cache_root(const struct rungo_cache *c);

/* Register an existing GOROOT (version from DIR/VERSION, else
 * `DIR/bin/go version`); later installs of that version return it. */
int rungo_cache_add_goroot(struct rungo_cache *c, const char *dir,
			   struct common_err *err);

/* Make toolchain `v` for host os/arch ("linux", "amd64") available: a
 * registered GOROOT, an existing (checked) cache entry, or download +
 * verify + extract + check.  Safe to call concurrently from several
 * threads/processes.  idx may be NULL: then only registered or installed
 * toolchains are found, and anything else (also a damaged entry, which
 * needs the index to be replaced) fails with -ENOENT. */
int rungo_cache_install(struct rungo_cache *c, const struct rungo_index *idx,
			const struct rungo_version *v, const char *os,
			const char *arch, struct rungo_toolchain *out,
			struct common_err *err);

/* A toolchain kept in use: prune leaves it alone while held. */
struct rungo_cache_hold;

/* rungo_cache_install, and hold the toolchain (a shared flock on
 * locks/<id>.use) until rungo_cache_release(*hold).  *hold is NULL for a
 * registered GOROOT (nothing to hold).  The hold does not borrow c. */
int rungo_cache_acquire(struct rungo_cache *c, const struct rungo_index *idx,
			const struct rungo_version *v, const char *os,
			const char *arch, struct rungo_toolchain *out,
			struct rungo_cache_hold **hold, struct common_err *err);
/* NULL accepted. */
void rungo_cache_release(struct rungo_cache_hold *hold);

/* Is the cache writable?  false after rungo_cache_open found it read-only
 * (it still serves installed toolchains). */
bool rungo_cache_writable(const struct rungo_cache *c);

/* Installed toolchains (cache entries, then registered GOROOTs), oldest
 * first.  *out malloc'd, caller frees with free(). */
int rungo_cache_list(struct rungo_cache *c, struct rungo_toolchain **out,
		     size_t *n, struct common_err *err);

struct rungo_prune_stats {
	uint64_t entries_removed;
	uint64_t bytes_freed;
	uint64_t in_use;          /* toolchains kept: held or being installed */
};

/* Remove leftovers nobody holds a lock on: tmp/ trees, partial and
 * finished downloads, GOCACHE dirs of toolchains no longer installed.
 * With `keep` (n_keep entries) also remove installed toolchains not in
 * it (n_keep == 0 and all == true removes every toolchain), except those
 * in use (held with rungo_cache_acquire, or being installed): they are
 * kept, counted in in_use and named through the log callback. */
int rungo_cache_prune(struct rungo_cache *c, const struct rungo_version *keep,
		      size_t n_keep, bool all, struct rungo_prune_stats *stats,
		      struct common_err *err);

/* Path helpers: write "<root>/gocache/<toolchain-id>" etc. into buf.
 * Return 0 or -ENAMETOOLONG. */
int rungo_cache_gocache_dir(const struct rungo_cache *c,
			    const struct rungo_toolchain *tc, char *buf,
			    size_t size);
int rungo_cache_subdir(const struct rungo_cache *c, const char *name,
		       char *buf, size_t size);

#endif
