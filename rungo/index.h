/* SPDX-License-Identifier: MIT */
/*
 * rungo/index.h - the go.dev download index (?mode=json&include=all).
 *
 * Schema: a JSON array of releases, newest first:
 *   {"version":"go1.22.4","stable":true,"files":[
 *     {"filename":"go1.22.4.linux-amd64.tar.gz","os":"linux","arch":"amd64",
 *      "version":"go1.22.4","sha256":"<64 hex or empty>","size":68958123,
 *      "kind":"archive"|"installer"|"source"}]}
 * Every field's type is validated; odd real entries (arch "bootstrap",
 * "armv6l", size 0, empty sha256, os "") parse fine.
 *
 * The index and everything in it is owned by the struct rungo_index; all
 * pointers stay valid until rungo_index_free().
 */
#ifndef RUNGO_INDEX_H
#define RUNGO_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "rungo/version.h"

#define RUNGO_DEFAULT_INDEX_URL "https://go.dev/dl/?mode=json&include=all"

struct rungo_file {
	char *filename;
	char *os;
	char *arch;
	char *kind;                     /* "archive", "installer", "source" */
	char *version_str;              /* as spelled in the index */
	struct rungo_version version;
	char sha256[65];                /* lowercase hex, "" when unknown */
	uint64_t size;                  /* 0 when unknown */
};

struct rungo_release {
	char *version_str;
	struct rungo_version version;
	bool stable;
	struct rungo_file *files;
	size_t nfiles;
};

struct rungo_index {
	struct rungo_release *releases; /* in the order of the document */
	size_t nreleases;
};

struct rungo_fetch_opts;

/* Parse an index document. On success *out is owned by the caller
 * (rungo_index_free). On error *out is untouched. */
int rungo_index_parse(const char *json, size_t len, struct rungo_index **out,
		      struct common_err *err);

/* Total time limit of an index fetch when fopts does not set one: the
 * index is small, and a server that trickles it must not hold a run. */
#define RUNGO_INDEX_TIMEOUT_DEFAULT_S 60

/* Fetch `url` (http, https or file://) and parse it.  fopts may be NULL;
 * its total_timeout_s 0 means RUNGO_INDEX_TIMEOUT_DEFAULT_S here. */
int rungo_index_fetch(const char *url, const struct rungo_fetch_opts *fopts,
		      struct rungo_index **out, struct common_err *err);

void rungo_index_free(struct rungo_index *idx);

/* Borrowed pointers into idx, NULL when absent. */
const struct rungo_release *
rungo_index_find_release(const struct rungo_index *idx,
			 const struct rungo_version *v);
const struct rungo_file *
rungo_index_find_file(const struct rungo_index *idx,
		      const struct rungo_version *v, const char *os,
		      const char *arch, const char *kind);

#endif
