/* SPDX-License-Identifier: MIT */
/*
 * lutgen/refresh/drift.h - what regenerating would change: a freshly computed
 * table against the committed <out_dir>/<name>.json (the format of
 * templates/table.json.tmpl) and the files lutgen_emit would write.
 *
 * Per spec, lines in this order (each "NAME: " prefixed):
 *   NAME: up to date                                  (alone: no drift)
 *   NAME: new table (DIR/NAME.json does not exist)
 *   NAME: DIR/NAME.json unreadable (REASON): it will be rewritten
 *   NAME: new lookup: LOOKUP                          (spec order; with
 *   NAME: LOOKUP: kind changed from OLD to NEW         kind changes)
 *   NAME: removed lookup: LOOKUP
 *   per arch (spec's arches, then arches only the old file has):
 *   NAME: new versions (ARCH): V1 V2 ...
 *   NAME: removed versions (ARCH): V1 ...
 *   NAME: toolchain changed (ARCH): V1 ...            (same version, other sha256)
 *   per lookup, then arch:
 *   NAME: LOOKUP/ARCH: OLD -> NEW in V1 V2 ...        (same version, new value)
 *   NAME: LOOKUP/ARCH: NEW from V (was OLD in PREV)   (a new version starts a value)
 *   notes the committed file lacks, in lutgen_table_notes order:
 *   NAME: revert: LOOKUP/ARCH A in V1 -> B in V2, back to an earlier value
 *   NAME: layout change within goX.Y patch releases: look at it: LOOKUP/ARCH A in V1 -> B in V2
 *   NAME: files that would change: NAME.c NAME.h NAME.json lutgen_go.c lutgen_go.h
 *   NAME: provenance only: the same values, measured with toolchain ...
 * Module tables (templates/modtable.json.tmpl) instead get:
 *   NAME: now keyed by the Go version (EVIDENCE) / no longer keyed ...
 *   NAME: new module versions (ARCH): v1.64.0 ...
 *   NAME: removed module versions (ARCH): ...
 *   NAME: module zip changed (ARCH): V: H1 -> H1    (same version, other zip)
 *   NAME: LOOKUP/ARCH: OLD -> NEW in V with GOVERSION
 *   NAME: files that would change: ...
 * (all value drift: their provenance is part of the table).
 * Notes (revert, patch change) are listed when the committed file does not
 * have them yet.  Values are spelled as lutgen_value_format does.
 *
 * Levels (lutgen/lutgen.h): there is drift when any rendered file would
 * differ or any data line above (all but "up to date") is present.  It is
 * provenance drift when the only data lines are "toolchain changed", the
 * only file that would change is NAME.json, and that file is exactly what
 * the new table renders with the committed toolchain sha256s put back:
 * the same values, measured with archives of other hashes (e.g. repacked
 * on another machine).  Anything else is value drift.
 *
 * Convention: 0 / negative errno, one-line details in `err`.
 */
#ifndef LUTGEN_DRIFT_H
#define LUTGEN_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/core/table.h"
#include "lutgen/lutgen.h"
#include "lutgen/refresh/layer.h"

struct cJSON;
struct lutgen_drift;

int lutgen_drift_new(struct lutgen_drift **out, struct common_err *err);
void lutgen_drift_free(struct lutgen_drift *d);

/* Compare table `t` with what `out_dir` holds; adds the spec's lines.
 * A missing or unreadable <name>.json is drift, not an error; errors are
 * rendering failures and out of memory. */
int lutgen_drift_check(struct lutgen_drift *d, const struct lutgen_table *t,
		       const char *out_dir, struct common_err *err);

/* Any drift over every checked spec? */
bool lutgen_drift_any(const struct lutgen_drift *d);
/* The worst drift over every checked spec. */
enum lutgen_drift_level lutgen_drift_level(const struct lutgen_drift *d);

/* A copy of `t` (*out, caller frees with lutgen_table_free) in which every
 * entry the committed <out_dir>/<name>.json also has, with the same value,
 * keeps the committed toolchain sha256: emitting it changes values only,
 * never provenance (a missing or unreadable file: *out is a plain copy). */
int lutgen_drift_keep_provenance(const struct lutgen_table *t,
				 const char *out_dir,
				 struct lutgen_table **out,
				 struct common_err *err);

/* All lines so far (borrowed, valid until the next check or free). */
const char *const *lutgen_drift_lines(const struct lutgen_drift *d,
				      size_t *n);

/* {"drift": bool, "drift_kind": "none"|"provenance"|"values",
 *  "specs": [{"name", "json_file", "drift", "drift_kind",
 *   "old_exists", "new_lookups": [...], "removed_lookups": [...],
 *   "new_versions": {ARCH: [...]}, "removed_versions": {ARCH: [...]},
 *   "changed": [{"lookup", "arch", "old", "new", "versions": [...]}],
 *   "new_values": [{"lookup", "arch", "value", "from", "was", "was_in"}],
 *   "toolchain_changed": {ARCH: [...]},
 *   "notes": [{"kind", "lookup", "arch", "before", "after", "message"}],
 *   "files_changed": [...], "lines": [...]}]}
 * A new cJSON (caller deletes) or NULL when out of memory. */
struct cJSON *lutgen_drift_json(const struct lutgen_drift *d);

#endif
