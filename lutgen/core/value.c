/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/value.c - what a lookup measures: copy, free, compare, format.
 */
#include "lutgen/core/value.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[LUTGEN_LOOKUP_KIND_COUNT] = {
	[LUTGEN_LOOKUP_STRUCT_OFFSET] = "struct_offset",
	[LUTGEN_LOOKUP_TYPE_SIZE] = "type_size",
	[LUTGEN_LOOKUP_FUNC_PARAMS] = "func_params",
	[LUTGEN_LOOKUP_FIELD_SIZE] = "field_size",
	[LUTGEN_LOOKUP_CONST] = "const",
	[LUTGEN_LOOKUP_FUNC_RESULTS] = "func_results",
	[LUTGEN_LOOKUP_G_LOCATION] = "g_location",
};

const char *lutgen_lookup_kind_name(enum lutgen_lookup_kind k)
{
	if ((unsigned)k >= LUTGEN_LOOKUP_KIND_COUNT)
		return "unknown";
	return kind_names[k];
}

int lutgen_lookup_kind_parse(const char *name, enum lutgen_lookup_kind *out)
{
	unsigned i;

	for (i = 0; name && i < LUTGEN_LOOKUP_KIND_COUNT; i++)
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (enum lutgen_lookup_kind)i;
			return 0;
		}
	return -EINVAL;
}

bool lutgen_lookup_kind_is_locations(enum lutgen_lookup_kind k)
{
	return k == LUTGEN_LOOKUP_FUNC_PARAMS ||
	       k == LUTGEN_LOOKUP_FUNC_RESULTS ||
	       k == LUTGEN_LOOKUP_G_LOCATION;
}

void lutgen_params_free(struct lutgen_param *ps, size_t n)
{
	size_t i;

	for (i = 0; ps && i < n; i++) {
		free(ps[i].name);
		free(ps[i].pieces);
	}
	free(ps);
}

void lutgen_value_free(struct lutgen_value *v)
{
	if (!v)
		return;
	lutgen_params_free(v->params, v->nparams);
	v->params = NULL;
	v->nparams = 0;
	free(v->match_type);
	free(v->match_field);
	free(v->match_function);
	free(v->match_const);
	v->match_type = v->match_field = v->match_function = NULL;
	v->match_const = NULL;
}

/* strdup of NULL is NULL; *ok cleared on failure. */
static char *dup_opt(const char *s, bool *ok)
{
	char *p;

	if (!s)
		return NULL;
	p = strdup(s);
	if (!p)
		*ok = false;
	return p;
}

void lutgen_values_free(struct lutgen_value *vs, size_t n)
{
	size_t i;

	if (!vs)
		return;
	for (i = 0; i < n; i++)
		lutgen_value_free(&vs[i]);
	free(vs);
}

int lutgen_value_copy(struct lutgen_value *dst, const struct lutgen_value *src)
{
	struct lutgen_param *ps = NULL;
	size_t i, n = 0;
	int rc = 0;

	if (!dst || !src)
		return -EINVAL;
	if (src->nparams) {
		ps = calloc(src->nparams, sizeof(*ps));
		if (!ps) {
			rc = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < src->nparams; i++) {
		const struct lutgen_param *sp = &src->params[i];
		struct lutgen_param *dp = &ps[i];

		n = i + 1;
		dp->size = sp->size;
		dp->name = strdup(sp->name ? sp->name : "");
		if (!dp->name) {
			rc = -ENOMEM;
			goto out;
		}
		if (sp->npieces) {
			dp->pieces = malloc(sp->npieces * sizeof(*dp->pieces));
			if (!dp->pieces) {
				rc = -ENOMEM;
				goto out;
			}
			memcpy(dp->pieces, sp->pieces,
			       sp->npieces * sizeof(*dp->pieces));
		}
		dp->npieces = sp->npieces;
	}
	{
		bool ok = true;
		char *mt = dup_opt(src->match_type, &ok);
		char *mf = dup_opt(src->match_field, &ok);
		char *mfn = dup_opt(src->match_function, &ok);
		char *mc = dup_opt(src->match_const, &ok);

		if (!ok) {
			free(mt);
			free(mf);
			free(mfn);
			free(mc);
			rc = -ENOMEM;
			goto out;
		}
		dst->match_type = mt;
		dst->match_field = mf;
		dst->match_function = mfn;
		dst->match_const = mc;
	}
	dst->kind = src->kind;
	dst->absent = src->absent;
	dst->u = src->u;
	dst->params = ps;
	dst->nparams = src->nparams;
	ps = NULL;
	n = 0;
out:
	lutgen_params_free(ps, n);
	return rc;
}

static int piece_cmp(const struct lutgen_piece *a, const struct lutgen_piece *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->size != b->size)
		return a->size < b->size ? -1 : 1;
	if (a->kind == LUTGEN_PIECE_REG) {
		if (a->reg != b->reg)
			return a->reg < b->reg ? -1 : 1;
		return 0;
	}
	if (a->stack_offset != b->stack_offset)
		return a->stack_offset < b->stack_offset ? -1 : 1;
	return 0;
}

int lutgen_value_cmp(const struct lutgen_value *a, const struct lutgen_value *b)
{
	size_t i, j;
	int c;

	if (a == b)
		return 0;
	if (!a || !b)
		return a ? 1 : -1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->absent != b->absent)
		return a->absent ? -1 : 1;
	if (a->absent)
		return 0;
	if (!lutgen_lookup_kind_is_locations(a->kind)) {
		if (a->u != b->u)
			return a->u < b->u ? -1 : 1;
		return 0;
	}
	if (a->nparams != b->nparams)
		return a->nparams < b->nparams ? -1 : 1;
	for (i = 0; i < a->nparams; i++) {
		const struct lutgen_param *pa = &a->params[i];
		const struct lutgen_param *pb = &b->params[i];

		c = strcmp(pa->name ? pa->name : "", pb->name ? pb->name : "");
		if (c)
			return c < 0 ? -1 : 1;
		if (pa->size != pb->size)
			return pa->size < pb->size ? -1 : 1;
		if (pa->npieces != pb->npieces)
			return pa->npieces < pb->npieces ? -1 : 1;
		for (j = 0; j < pa->npieces; j++) {
			c = piece_cmp(&pa->pieces[j], &pb->pieces[j]);
			if (c)
				return c;
		}
	}
	return 0;
}

struct out {
	char *buf;
	size_t size;
	size_t len;
	int rc;
};

static void out_add(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->rc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len) {
		o->rc = -ENOSPC;
		return;
	}
	o->len += (size_t)n;
}

/*
 * "152" for u64 lookups, "-1" for a negative constant; for locations
 * "name:PIECE+PIECE name:..." where a PIECE is "RAX(8)" (register, size),
 * "SP+8(8)" (stack slot relative to SP, size) or "TLS-8(8)" (slot
 * relative to the thread pointer, size) and a parameter without a
 * location is "name:-".  No parameters at all: "(none)".
 */
int lutgen_value_format(const struct lutgen_value *v, char *buf, size_t size)
{
	struct out o = { buf, size, 0, 0 };
	size_t i, j;

	if (!v || !buf || size == 0)
		return -EINVAL;
	buf[0] = '\0';
	if (v->absent) {
		out_add(&o, "absent");
		return o.rc;
	}
	if (v->kind == LUTGEN_LOOKUP_CONST) {
		out_add(&o, "%" PRId64, (int64_t)v->u);
		return o.rc;
	}
	if (!lutgen_lookup_kind_is_locations(v->kind)) {
		out_add(&o, "%" PRIu64, v->u);
		return o.rc;
	}
	if (v->nparams == 0)
		out_add(&o, "(none)");
	for (i = 0; i < v->nparams; i++) {
		const struct lutgen_param *p = &v->params[i];

		out_add(&o, "%s%s:", i ? " " : "", p->name ? p->name : "");
		if (p->npieces == 0)
			out_add(&o, "-");
		for (j = 0; j < p->npieces; j++) {
			const struct lutgen_piece *pc = &p->pieces[j];

			if (j)
				out_add(&o, "+");
			if (pc->kind == LUTGEN_PIECE_REG)
				out_add(&o, "%s(%" PRIu64 ")", pc->reg_name,
					pc->size);
			else if (pc->kind == LUTGEN_PIECE_TLS)
				out_add(&o, "TLS%+" PRId64 "(%" PRIu64 ")",
					pc->stack_offset, pc->size);
			else
				out_add(&o, "SP%+" PRId64 "(%" PRIu64 ")",
					pc->stack_offset, pc->size);
		}
	}
	if (o.rc)
		buf[size - 1] = '\0';
	return o.rc;
}
