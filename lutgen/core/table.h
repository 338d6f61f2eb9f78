/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/table.h - measurements of one spec, turned into version ranges.
 *
 * A table holds, per (lookup, arch), the measured (version, value,
 * toolchain sha256) entries.  Ranges merge equal neighbours (sorted by
 * version): each range is [first measured version, last measured version]
 * with one value; adjacent ranges always differ.  Findings worth a human's
 * look are reported as notes: a value that returns to an earlier value
 * ("revert"), and a value that changes between patch releases of one minor
 * ("patch-change").
 */
#ifndef LUTGEN_TABLE_H
#define LUTGEN_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/core/layer.h"
#include "lutgen/core/spec.h"
#include "lutgen/core/value.h"
#include "rungo/version.h"

struct lutgen_table;

struct lutgen_entry {
	struct rungo_version version;
	char goarch[16];
	char toolchain_sha256[65];   /* "" for a local GOROOT */
	struct lutgen_value value;
};

struct lutgen_range {
	struct rungo_version from;   /* first measured version */
	struct rungo_version to;     /* last measured version */
	const struct lutgen_value *value;  /* borrowed from the table */
	const char *from_sha256;     /* provenance of `from` (borrowed) */
};

enum lutgen_note_kind { LUTGEN_NOTE_REVERT, LUTGEN_NOTE_PATCH_CHANGE };

struct lutgen_note {
	enum lutgen_note_kind kind;
	const char *lookup;          /* borrowed */
	char goarch[16];
	struct rungo_version before, after;  /* the two neighbouring versions */
	char message[256];           /* "goid_offset/amd64: 160 in go1.24.4 -> 152 in go1.25.12, back to the value of go1.22.12" */
};

/* The table borrows `spec`, which must outlive it. */
int lutgen_table_new(const struct lutgen_spec *spec, struct lutgen_table **out,
		     struct common_err *err);
void lutgen_table_free(struct lutgen_table *t);
const struct lutgen_spec *lutgen_table_spec(const struct lutgen_table *t);

/* Record a measurement (value deep-copied).  Re-adding the same
 * (lookup, arch, version) is -EEXIST. */
int lutgen_table_add(struct lutgen_table *t, size_t lookup_idx,
		     const char *goarch, const struct rungo_version *v,
		     const char *toolchain_sha256,
		     const struct lutgen_value *value, struct common_err *err);

/* Entries of (lookup, arch) sorted by version; borrowed array. */
const struct lutgen_entry *lutgen_table_entries(const struct lutgen_table *t,
						size_t lookup_idx,
						const char *goarch, size_t *n);

/* Ranges of (lookup, arch); *out malloc'd (free()), values borrowed. */
int lutgen_table_ranges(const struct lutgen_table *t, size_t lookup_idx,
			const char *goarch, struct lutgen_range **out,
			size_t *n, struct common_err *err);

/* All notes over the table; *out malloc'd (free()). */
int lutgen_table_notes(const struct lutgen_table *t, struct lutgen_note **out,
		       size_t *n, struct common_err *err);

/* Newest measured version over all lookups/arches (false if empty). */
bool lutgen_table_newest(const struct lutgen_table *t,
			 struct rungo_version *out);

#endif
