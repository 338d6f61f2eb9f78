/* SPDX-License-Identifier: MIT */
/* lutgen/measure/lookup.c - a spec lookup with alternatives and optional,
 * answered by the DWARF inspector. */
#include "lutgen/measure/lookup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Spellings of one key; a key that is not set is one NULL spelling. */
static size_t count(const struct lutgen_alts *a)
{
	return a->n ? a->n : 1;
}

static const char *pick(const struct lutgen_alts *a, size_t i)
{
	return a->n ? a->v[i] : NULL;
}

/* Record the spelling that answered when the key had several. */
static int set_match(char **dst, const struct lutgen_alts *a, size_t i)
{
	if (a->n < 2)
		return 0;
	*dst = strdup(a->v[i]);
	return *dst ? 0 : -ENOMEM;
}

int lutgen_measure_lookup(struct lutgen_dwarf *d, const struct lutgen_lookup *l,
			  struct lutgen_value *out, struct common_err *err)
{
	struct common_err first = { 0 }, last = { 0 };
	size_t t, f, fn, tried = 0;
	int rc;

	if (!d || !l || !out)
		return common_err_set(err, -EINVAL,
				      "lutgen_measure_lookup: NULL argument");
	for (t = 0; t < count(&l->types); t++)
		for (f = 0; f < count(&l->fields); f++)
			for (fn = 0; fn < count(&l->functions); fn++) {
				struct common_err *e = tried ? &last : &first;

				common_err_clear(e);
				rc = lutgen_dwarf_lookup(d, l->kind,
							 pick(&l->types, t),
							 pick(&l->fields, f),
							 pick(&l->functions, fn),
							 out, e);
				if (rc == 0) {
					if (set_match(&out->match_type,
						      &l->types, t) ||
					    set_match(&out->match_field,
						      &l->fields, f) ||
					    set_match(&out->match_function,
						      &l->functions, fn)) {
						lutgen_value_free(out);
						return common_err_set(err, -ENOMEM,
								      "out of memory");
					}
					return 0;
				}
				if (rc != -ENOENT)
					return common_err_set(err, rc, "%s",
							      e->msg);
				lutgen_value_free(out);
				tried++;
			}
	memset(out, 0, sizeof(*out));
	out->kind = l->kind;
	if (l->optional) {
		out->absent = true;
		return 0;
	}
	if (tried == 1)
		return common_err_set(err, -ENOENT, "%s", first.msg);
	return common_err_set(err, -ENOENT,
			      "none of the %zu spellings exists (first: %.400s; last: %.400s)",
			      tried, first.msg, last.msg);
}
