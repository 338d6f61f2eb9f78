/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/lookup.h - answer one spec lookup from a binary's DWARF,
 * with its alternatives and `optional` (lutgen/core/spec.h).
 *
 * Every combination of the lookup's spellings is tried in order (types,
 * then fields, then functions, the outer list varying slowest) through
 * lutgen_dwarf_lookup (the symbol is the function or the constant); the
 * first that exists answers, and when a key has
 * more than one spelling the value records the one that matched
 * (match_type, match_field, match_function).  "Does not exist" is the
 * inspector's -ENOENT; any other error fails at once.  When no spelling
 * exists, an optional lookup yields an absent value, any other fails with
 * -ENOENT naming what was tried.
 *
 * New lookup kinds add their case to lutgen_dwarf_lookup; this wrapper
 * gives them alternatives and optional for free.
 *
 * Convention: 0 / negative errno, details in err; *out is filled on
 * success (caller frees with lutgen_value_free).
 */
#ifndef LUTGEN_MEASURE_LOOKUP_H
#define LUTGEN_MEASURE_LOOKUP_H

#include "lutgen/core/spec.h"
#include "lutgen/core/value.h"
#include "lutgen/measure/dwarf.h"
#include "lutgen/measure/layer.h"
#include "common/err.h"

int lutgen_measure_lookup(struct lutgen_dwarf *d, const struct lutgen_lookup *l,
			  struct lutgen_value *out, struct common_err *err);

/* Resolve every name any spelling of `ls` uses in one pass over the
 * DWARF (lutgen_dwarf_prefetch), so that answering them scans no more. */
int lutgen_measure_prefetch(struct lutgen_dwarf *d,
			    const struct lutgen_lookup *ls, size_t n,
			    struct common_err *err);

/* All lookups of a binary at once: every name any of their spellings
 * uses is resolved in one pass over the DWARF (lutgen_dwarf_prefetch),
 * then each is answered as above into out[i].  On failure, *failed is the
 * index of the lookup that failed and out[] holds nothing to free. */
int lutgen_measure_lookups(struct lutgen_dwarf *d,
			   const struct lutgen_lookup *ls, size_t n,
			   struct lutgen_value *out, size_t *failed,
			   struct common_err *err);

/* The sections (LUTGEN_DWARF_NEED_*) answering `ls` needs: the argument
 * of lutgen_dwarf_open_for. */
unsigned lutgen_measure_needs(const struct lutgen_lookup *ls, size_t n);

#endif
