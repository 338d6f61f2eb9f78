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

/* The function or constant spellings of a lookup (one of the two). */
static const struct lutgen_alts *symbols(const struct lutgen_lookup *l)
{
	return l->consts.n ? &l->consts : &l->functions;
}

int lutgen_measure_lookup(struct lutgen_dwarf *d, const struct lutgen_lookup *l,
			  struct lutgen_value *out, struct common_err *err)
{
	struct common_err first = { 0 }, last = { 0 };
	const struct lutgen_alts *sym;
	size_t t, f, fn, tried = 0;
	int rc;

	if (!d || !l || !out)
		return common_err_set(err, -EINVAL,
				     "lutgen_measure_lookup: NULL argument");
	sym = symbols(l);
	for (t = 0; t < count(&l->types); t++)
		for (f = 0; f < count(&l->fields); f++)
			for (fn = 0; fn < count(sym); fn++) {
				struct common_err *e = tried ? &last : &first;

				common_err_clear(e);
				rc = lutgen_dwarf_lookup(d, l->kind,
							 pick(&l->types, t),
							 pick(&l->fields, f),
							 pick(sym, fn), out, e);
				if (rc == 0) {
					if (set_match(&out->match_type,
						      &l->types, t) ||
					    set_match(&out->match_field,
						      &l->fields, f) ||
					    set_match(sym == &l->consts ?
						      &out->match_const :
						      &out->match_function,
						      sym, fn)) {
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

int lutgen_measure_prefetch(struct lutgen_dwarf *d,
			    const struct lutgen_lookup *ls, size_t n,
			    struct common_err *err)
{
	struct lutgen_dwarf_name *names;
	size_t i, j, k = 0, total = 0;
	int rc;

	for (i = 0; i < n; i++)
		total += count(&ls[i].types) * count(symbols(&ls[i]));
	names = calloc(total ? total : 1, sizeof(*names));
	if (!names)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		size_t ns = count(symbols(&ls[i]));

		for (j = 0; j < count(&ls[i].types) * ns; j++) {
			names[k].kind = ls[i].kind;
			names[k].type = pick(&ls[i].types, j / ns);
			names[k++].symbol = pick(symbols(&ls[i]), j % ns);
		}
	}
	rc = lutgen_dwarf_prefetch(d, names, k, err);
	free(names);
	return rc;
}

int lutgen_measure_lookups(struct lutgen_dwarf *d,
			   const struct lutgen_lookup *ls, size_t n,
			   struct lutgen_value *out, size_t *failed,
			   struct common_err *err)
{
	size_t i;
	int rc;

	*failed = 0;
	rc = lutgen_measure_prefetch(d, ls, n, err);
	for (i = 0; rc == 0 && i < n; i++) {
		rc = lutgen_measure_lookup(d, &ls[i], &out[i], err);
		if (rc) {
			*failed = i;
			while (i-- > 0)
				lutgen_value_free(&out[i]);
		}
	}
	return rc;
}

unsigned lutgen_measure_needs(const struct lutgen_lookup *ls, size_t n)
{
	unsigned need = 0;
	size_t i;

	for (i = 0; i < n; i++)
		need |= lutgen_dwarf_need_of(ls[i].kind);
	return need;
}
