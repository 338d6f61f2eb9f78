/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/rcache.h - the result cache of the generate pipeline.
 *
 * One JSON file per measurement, <dir>/<key>.json, where dir is
 * rungo_cache_subdir(cache, "results") and key the sha256 of
 *   - the toolchain: the index's archive sha256, or for a local GOROOT the
 *     sha256 of its real path and VERSION file (lutgen_rcache_local_key),
 *   - the version and GOARCH,
 *   - the test program: every file of its directory plus the go.mod the
 *     builder writes,
 *   - the lookup set: lutgen_spec_lookups_canonical (a doc does not
 *     change a measurement),
 *   - for a module spec: the module version, its zip's h1 and the
 *     go.mod/go.sum the build gets,
 *   - LUTGEN_RESULT_FORMAT.
 * A file is {"format", "spec", "version", "goarch", "toolchain_key",
 * "toolchain_sha256", "program_hash", "values": [{"name", "kind",
 * "value", "matched"?}]}, values in the spelling of lutgen_value_to_json;
 * a (version, GOARCH) the toolchain cannot target is "unsupported": true
 * with no values.
 * Files are written atomically; an unreadable or mismatching file is a
 * miss, never an error.
 */
#ifndef LUTGEN_RCACHE_H
#define LUTGEN_RCACHE_H

#include <stdbool.h>

#include "common/err.h"
#include "lutgen/core/spec.h"
#include "lutgen/core/value.h"
#include "lutgen/measure/layer.h"
#include "rungo/version.h"

/* Bump when the inspector's readings or the file format change: every
 * cached result becomes a miss. */
#define LUTGEN_RESULT_FORMAT 3

/* Largest result file read back (a bound against a damaged cache). */
#define LUTGEN_RCACHE_FILE_MAX (64u << 20)

/* What a measurement depends on. */
struct lutgen_rcache_key {
	const char *toolchain;     /* archive sha256 or local GOROOT key */
	const char *version;       /* "go1.22.4" */
	const char *goarch;
	const char *program_hash;  /* lutgen_build_program_hash */
	const char *gomod_hash;    /* sha256 of lutgen_build_gomod */
	const char *lookups;       /* lutgen_spec_lookups_canonical */
	/* Module specs (NULL otherwise): "path@version", the zip's h1 and the
	 * sha256 of the go.mod lines and go.sum the build gets. */
	const char *module;
	const char *module_h1;
	const char *buildmod_hash;
};

/* The file stem of a measurement.  0 or -ENOMEM. */
int lutgen_rcache_key(const struct lutgen_rcache_key *k, char out[65]);

/* The toolchain key of a local GOROOT (its real path and VERSION file);
 * v (may be NULL) gets the version VERSION names.  0 or negative errno. */
int lutgen_rcache_local_key(const char *goroot, char key[65],
			    struct rungo_version *v);

/* A hit: *values (spec->nlookups of them; caller frees with
 * lutgen_values_free) and the toolchain sha256, or, for a measurement the
 * toolchain could not build (its GOARCH unsupported), *values NULL and
 * *unsupported true.  false on a miss. */
bool lutgen_rcache_load(const char *dir, const char *key,
			const struct lutgen_spec *spec,
			struct lutgen_value **values, bool *unsupported,
			char sha256[65]);

/* What a file records besides the values. */
struct lutgen_rcache_entry {
	const char *version;
	const char *goarch;
	const char *toolchain_key;
	const char *toolchain_sha256;
	const char *program_hash;
	const struct lutgen_value *values;   /* spec->nlookups; NULL: the
						toolchain cannot target
						the GOARCH */
};

/* Write <dir>/<key>.json atomically. */
int lutgen_rcache_store(const char *dir, const char *key,
			const struct lutgen_spec *spec,
			const struct lutgen_rcache_entry *e,
			struct common_err *err);

#endif
