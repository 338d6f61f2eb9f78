/* SPDX-License-Identifier: MIT */
/*
 * rungo/goproxy.h - a client of the Go module proxy protocol.
 *
 * For a module path M and version V (both case-escaped: every upper-case
 * letter becomes '!' and its lower-case letter):
 *   $GOPROXY/M/@v/list      known versions, one per line
 *   $GOPROXY/M/@v/V.info    {"Version": "v1.2.3", "Time": "..."}
 *   $GOPROXY/M/@v/V.mod     the version's go.mod
 *   $GOPROXY/M/@v/V.zip     the module's files under "M@V/"
 * over http, https or file:// (rungo/fetch.h: retries, resume).
 *
 * Settings follow the go command.  GOPROXY is a list of proxy URLs and
 * keywords: after an entry followed by ',' the next entry is tried only
 * when the entry answered 404 or 410 (not found); after '|' on any error.
 * "off" forbids fetching ("module lookup disabled by GOPROXY=off");
 * "direct" (fetch from the version-control system) is not supported by
 * lutgen, which works from proxies only: reaching it is an error naming
 * the module and saying what to set.  Unset or empty GOPROXY means
 * RUNGO_DEFAULT_GOPROXY.  A module matching GONOPROXY (default: GOPRIVATE)
 * would be fetched directly and is refused the same way.  GONOSUMDB
 * (default: GOPRIVATE) and GOSUMDB=off name modules the checksum database
 * is not asked about (rungo_goproxy_nosumdb); lutgen never asks it (the
 * machines it runs on may not reach it) and verifies module zips against
 * the go.sum lines it records instead (rungo/modcache.h).  Patterns are
 * comma-separated globs matched against path prefixes, as in the go
 * command (GOPRIVATE=*.corp.example.com,github.com/acme).
 *
 * Convention: 0 / negative errno (-ENOENT: the module or version does not
 * exist on any proxy tried; -EPERM: GOPROXY=off; -ENOTSUP: direct),
 * details in err.  The object is immutable after rungo_goproxy_new and may
 * be shared by threads.
 */
#ifndef RUNGO_GOPROXY_H
#define RUNGO_GOPROXY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "rungo/fetch.h"
#include "rungo/modversion.h"

#define RUNGO_DEFAULT_GOPROXY "https://proxy.golang.org,direct"

/* Longest module path accepted. */
#define RUNGO_MODPATH_MAX 512

struct rungo_goproxy_opts {
	/* NULL: the environment variable of the same name.  goproxy given
	 * (e.g. from --goproxy) overrides $GOPROXY. */
	const char *goproxy;
	const char *gonoproxy;
	const char *goprivate;
	const char *gonosumdb;
	const char *gosumdb;
	struct rungo_fetch_opts fetch;  /* retries, timeouts, log */
};

struct rungo_goproxy;

struct rungo_modinfo {
	struct rungo_modver version;
	char time[64];                  /* as the proxy spelled it; "" */
};

int rungo_goproxy_new(const struct rungo_goproxy_opts *opts,
		      struct rungo_goproxy **out, struct common_err *err);
void rungo_goproxy_free(struct rungo_goproxy *p);

/* The effective GOPROXY list, normalised ("http://127.0.0.1:8080,off");
 * borrowed. */
const char *rungo_goproxy_string(const struct rungo_goproxy *p);

/* The first proxy URL of the list ("" when it starts with a keyword);
 * borrowed.  What a `go build` of lutgen's gets as its GOPROXY. */
const char *rungo_goproxy_first_url(const struct rungo_goproxy *p);

/* GOPROXY for a go command run by lutgen: `first` (e.g. "file://<cache>/
 * modules"; NULL: none), then this list's proxy URLs up to its first
 * keyword with their ',' / '|' rules, then ",off" - never "direct".
 * 0 or -ENOSPC. */
int rungo_goproxy_build_list(const struct rungo_goproxy *p, const char *first,
			     char *buf, size_t size);

/* True when the checksum database would not be asked about `path`
 * (GOSUMDB=off, or GONOSUMDB / GOPRIVATE matches). */
bool rungo_goproxy_nosumdb(const struct rungo_goproxy *p, const char *path);

/* Versions of `path` the proxy lists that are valid for the path (major
 * version suffix respected, +incompatible only without one), oldest first,
 * without duplicates and without pseudo-versions (as the go command).
 * *out malloc'd (free()); NULL when *n == 0. */
int rungo_goproxy_list(const struct rungo_goproxy *p, const char *path,
		       struct rungo_modver **out, size_t *n,
		       struct common_err *err);

int rungo_goproxy_info(const struct rungo_goproxy *p, const char *path,
		       const struct rungo_modver *v, struct rungo_modinfo *out,
		       struct common_err *err);

/* The go.mod of path@v; *out malloc'd, NUL-terminated (free()). */
int rungo_goproxy_mod(const struct rungo_goproxy *p, const char *path,
		      const struct rungo_modver *v, char **out, size_t *len,
		      struct common_err *err);

/* Download path@v's zip to dest_path (via "<dest_path>.part", resumed).
 * Not verified here: see rungo/modcache.h. */
int rungo_goproxy_zip(const struct rungo_goproxy *p, const char *path,
		      const struct rungo_modver *v, const char *dest_path,
		      struct common_err *err);

/* ---- module paths ---- */

/* Is `path` a module path lutgen accepts (elements of [A-Za-z0-9-._~],
 * none empty, "." or "..", no leading or trailing '/', the first with a
 * dot)?  0 or -EINVAL with a message. */
int rungo_modpath_check(const char *path, struct common_err *err);

/* Case-escape a path or version ("github.com/Shopify/sarama" ->
 * "github.com/!shopify/sarama").  0 or -ENOSPC. */
int rungo_modpath_escape(const char *s, char *buf, size_t size);

/* Does a comma-separated glob list (GOPRIVATE syntax) match a prefix of
 * `path`? */
bool rungo_modpath_match(const char *patterns, const char *path);

/* Is version v allowed for path by its major-version suffix ("/v2",
 * gopkg.in's ".v2"): 0, or -EINVAL with a message naming both. */
int rungo_modpath_check_version(const char *path, const struct rungo_modver *v,
				struct common_err *err);

#endif
