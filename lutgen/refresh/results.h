/* SPDX-License-Identifier: MIT */
/*
 * lutgen/refresh/results.h - result files: the measurements of one or more specs,
 * written by a (sharded) `lutgen generate --results-out FILE` and merged
 * by `lutgen merge FILE...` into the tables an unsharded run would build.
 *
 * File format (JSON, written atomically: temporary file + rename):
 * {
 *   "format": "lutgen-results",
 *   "format_version": 1,
 *   "shard": {"k": 2, "n": 4},
 *   "specs": [{
 *     "name": "goid",
 *     "path": "lutgen/specs/goid.json",         spec path as given
 *     "sha256": "<64 hex>",                     of the canonical spec JSON
 *     "spec": {...},                            the spec, canonical
 *     "versions": ["go1.15.15", ...],           the spec's selection, all shards
 *     "jobs": [{"version": "go1.22.12", "goarch": "amd64"}, ...],
 *                                               what this shard measured
 *     "measurements": [{"lookup": "goid_offset", "goarch": "amd64",
 *                       "version": "go1.22.12", "toolchain_sha256": "...",
 *                       "value": 152 | [{"name", "size", "pieces": [...]}]}]
 *   }]
 * }
 * The canonical spec is the parsed spec printed back (name, doc, program,
 * min_version, arches, policy, lookups): a whitespace change of the spec
 * file does not change its hash, any change that could change the output
 * does.  Values are spelled as in generated/<name>.json.
 *
 * Jobs and shards: see lutgen/refresh/shard.h.  A loaded file is checked on its
 * own (its jobs are exactly the ones its shard owns of the job list built
 * from its specs' versions and arches; every lookup of every job measured
 * once, nothing else); lutgen_results_merge checks the set (same specs
 * with the same hashes and versions, same N, every K from 1 to N once).
 *
 * Convention: 0 / negative errno, one-line details in `err`.
 */
#ifndef LUTGEN_RESULTS_H
#define LUTGEN_RESULTS_H

#include <stddef.h>

#include "common/err.h"
#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/core/value.h"
#include "lutgen/refresh/layer.h"
#include "rungo/version.h"

struct cJSON;

#define LUTGEN_RESULTS_FORMAT 1

struct lutgen_results;

/* Empty results of shard k of n (1/1: unsharded).  *out owned by caller. */
int lutgen_results_new(int shard_k, int shard_n, struct lutgen_results **out,
		       struct common_err *err);
void lutgen_results_free(struct lutgen_results *r);

/* Add a spec (deep-copied) and the measurements of `t` (copied; NULL: none,
 * e.g. the shard owns no job of the spec).  `versions` is the spec's full
 * selection over all shards (lutgen_shard_plan_versions); NULL: the
 * versions measured in `t`.  Measurements of jobs other shards own are
 * left out when writing.  Specs must have distinct names. */
int lutgen_results_add(struct lutgen_results *r, const struct lutgen_spec *spec,
		       const struct lutgen_table *t,
		       const struct rungo_version *versions, size_t nversions,
		       struct common_err *err);

/* Write `path` atomically.  Fails (-ENOENT, naming the spec, lookup,
 * version and arch) when a job this shard owns lacks a measurement. */
int lutgen_results_write(const struct lutgen_results *r, const char *path,
			 struct common_err *err);
/* Same into memory (caller frees *out with free()). */
int lutgen_results_print(const struct lutgen_results *r, char **out,
			 struct common_err *err);

/* Load and check one file.  *out owned by caller. */
int lutgen_results_load(const char *path, struct lutgen_results **out,
			struct common_err *err);
/* Same from a string; `origin` names it in errors. */
int lutgen_results_parse(const char *json, size_t len, const char *origin,
			 struct lutgen_results **out, struct common_err *err);

/* Merge the files of one sharded run into complete results (shard 1/1).
 * Refuses (-EINVAL, naming the files) different spec sets or contents,
 * different selections or shard counts, a shard given twice, a missing
 * shard, and any job not measured exactly once. */
int lutgen_results_merge(const struct lutgen_results *const *files, size_t n,
			 struct lutgen_results **out, struct common_err *err);

/* Where the results were loaded from ("" when built in memory). */
const char *lutgen_results_origin(const struct lutgen_results *r);
void lutgen_results_shard(const struct lutgen_results *r, int *k, int *n);
size_t lutgen_results_nspecs(const struct lutgen_results *r);
/* Spec i (owned by the results) and its table of every measurement the
 * results hold; both borrowed, valid until lutgen_results_free. */
const struct lutgen_spec *lutgen_results_spec(const struct lutgen_results *r,
					      size_t i);
const struct lutgen_table *lutgen_results_table(const struct lutgen_results *r,
						size_t i);
/* The spec's selection over all shards; borrowed. */
const struct rungo_version *
lutgen_results_versions(const struct lutgen_results *r, size_t i, size_t *n);
/* sha256 of spec i's canonical JSON; borrowed. */
const char *lutgen_results_spec_sha256(const struct lutgen_results *r,
				       size_t i);

#endif
