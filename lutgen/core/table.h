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
 *
 * A module spec's table (spec->module set) holds entries keyed by the
 * module version and the Go toolchain that built it (lutgen_table_add_
 * module); its ranges run over module versions within "slices" of Go
 * versions (lutgen_table_mod_slices): one slice per Go minor when the table
 * keys on Go (lutgen_table_set_keys_go), else one slice with the first
 * entry of every module version (its entries with other toolchains agree:
 * that is what not keying on Go means).
 */
#ifndef LUTGEN_TABLE_H
#define LUTGEN_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/core/layer.h"
#include "lutgen/core/spec.h"
#include "lutgen/core/value.h"
#include "rungo/dirhash.h"
#include "rungo/modversion.h"
#include "rungo/version.h"

struct lutgen_table;

struct lutgen_entry {
	struct rungo_version version;    /* of the Go toolchain */
	char goarch[16];
	char toolchain_sha256[65];   /* "" for a local GOROOT */
	struct lutgen_value value;
	/* Module tables only (has_module): the module version measured and
	 * the h1 hash of its zip. */
	bool has_module;
	struct rungo_modver module;
	char module_h1[RUNGO_H1_SIZE];
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
	/* Module tables: the neighbouring module versions (before/after
	 * above are then zero). */
	bool module;
	struct rungo_modver mod_before, mod_after;
	char message[256];           /* "goid_offset/amd64: 160 in go1.24.4 -> 152 in go1.25.12, back to the value of go1.22.12" */
};

/* A run of module versions with one value (module tables). */
struct lutgen_modrange {
	struct rungo_modver from, to;
	const struct lutgen_value *value;  /* borrowed from the table */
	const char *from_h1;               /* h1 of `from`'s zip (borrowed) */
};

/* The module ranges measured with one Go minor (go_from .. go_to are the
 * toolchains of the slice's entries), or with any toolchain when the table
 * does not key on Go. */
struct lutgen_goslice {
	struct rungo_version go_from, go_to;
	struct lutgen_modrange *ranges;
	size_t nranges;
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

/* ---- module tables ---- */

/* Record a measurement of module version `mod` (zip hash mod_h1) built
 * with Go toolchain `go`.  -EINVAL on a table of a spec without a module,
 * -EEXIST for the same (lookup, arch, module version, Go version) twice. */
int lutgen_table_add_module(struct lutgen_table *t, size_t lookup_idx,
			    const char *goarch, const struct rungo_modver *mod,
			    const char *mod_h1, const struct rungo_version *go,
			    const char *toolchain_sha256,
			    const struct lutgen_value *value,
			    struct common_err *err);

bool lutgen_table_is_module(const struct lutgen_table *t);
/* One line saying why the table does or does not key on Go ("v1.27.1 and
 * v1.81.1 with go1.21.13 and go1.27.4: every value agrees"); copied. */
int lutgen_table_set_go_evidence(struct lutgen_table *t, const char *text);
/* Borrowed, "" when unset. */
const char *lutgen_table_go_evidence(const struct lutgen_table *t);
void lutgen_table_set_keys_go(struct lutgen_table *t, bool keys_go);
bool lutgen_table_keys_go(const struct lutgen_table *t);

/* The Go-version slices of (lookup, arch), oldest first; *out malloc'd
 * (lutgen_goslices_free), values borrowed from the table. */
int lutgen_table_mod_slices(const struct lutgen_table *t, size_t lookup_idx,
			    const char *goarch, struct lutgen_goslice **out,
			    size_t *n, struct common_err *err);
void lutgen_goslices_free(struct lutgen_goslice *s, size_t n);

/* Newest measured module version (false if empty or not a module
 * table). */
bool lutgen_table_newest_module(const struct lutgen_table *t,
				struct rungo_modver *out);

#endif
