/* SPDX-License-Identifier: MIT */
/* lutgen/core/table.c - measurements of one spec, turned into version ranges. */
#include "lutgen/core/table.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The measurements of one (lookup, arch), sorted by version. */
struct series {
	size_t lookup;
	const char *goarch;          /* borrowed from the spec */
	struct lutgen_entry *e;
	size_t n, cap;
};

struct lutgen_table {
	const struct lutgen_spec *spec;
	struct series *s;            /* nlookups * narches, lookup-major */
	size_t ns;
	bool keys_go;                /* module tables */
	char *go_evidence;           /* module tables, owned */
};

int lutgen_table_new(const struct lutgen_spec *spec, struct lutgen_table **out,
		     struct common_err *err)
{
	struct lutgen_table *t = NULL;
	size_t l, a;
	int rc = 0;

	if (!spec || !out)
		return common_err_set(err, -EINVAL, "table: NULL argument");
	t = calloc(1, sizeof(*t));
	if (!t)
		goto oom;
	t->spec = spec;
	t->ns = spec->nlookups * spec->narches;
	if (t->ns > 0) {
		t->s = calloc(t->ns, sizeof(*t->s));
		if (!t->s)
			goto oom;
	}
	for (l = 0; l < spec->nlookups; l++) {
		for (a = 0; a < spec->narches; a++) {
			struct series *s = &t->s[l * spec->narches + a];

			s->lookup = l;
			s->goarch = spec->arches[a];
		}
	}
	*out = t;
	return 0;
oom:
	rc = common_err_set(err, -ENOMEM, "table %s: out of memory",
			    spec->name ? spec->name : "?");
	lutgen_table_free(t);
	return rc;
}

void lutgen_table_free(struct lutgen_table *t)
{
	size_t i, j;

	if (!t)
		return;
	for (i = 0; i < t->ns; i++) {
		for (j = 0; j < t->s[i].n; j++)
			lutgen_value_free(&t->s[i].e[j].value);
		free(t->s[i].e);
	}
	free(t->s);
	free(t->go_evidence);
	free(t);
}

const struct lutgen_spec *lutgen_table_spec(const struct lutgen_table *t)
{
	return t ? t->spec : NULL;
}

static struct series *find_series(const struct lutgen_table *t,
				  size_t lookup_idx, const char *goarch)
{
	size_t a;

	if (!t || !goarch || lookup_idx >= t->spec->nlookups)
		return NULL;
	for (a = 0; a < t->spec->narches; a++)
		if (strcmp(t->spec->arches[a], goarch) == 0)
			return &t->s[lookup_idx * t->spec->narches + a];
	return NULL;
}

static void version_str(const struct rungo_version *v,
			char buf[RUNGO_VERSION_STR_MAX])
{
	if (rungo_version_format(v, buf, RUNGO_VERSION_STR_MAX) < 0)
		snprintf(buf, RUNGO_VERSION_STR_MAX, "go?");
}

/* "" (a local GOROOT) or 64 lowercase hex digits. */
static bool sha256_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 0 || i == 64;
}

int lutgen_table_add(struct lutgen_table *t, size_t lookup_idx,
		     const char *goarch, const struct rungo_version *v,
		     const char *toolchain_sha256,
		     const struct lutgen_value *value, struct common_err *err)
{
	char vs[RUNGO_VERSION_STR_MAX];
	const struct lutgen_lookup *lk;
	struct lutgen_entry *e;
	struct series *s;
	size_t pos;
	int c;

	if (!t || !goarch || !v || !value)
		return common_err_set(err, -EINVAL, "table add: NULL argument");
	if (t->spec->module)
		return common_err_set(err, -EINVAL,
				     "table %s: a module table takes lutgen_table_add_module",
				     t->spec->name);
	if (lookup_idx >= t->spec->nlookups)
		return common_err_set(err, -EINVAL,
				      "table %s: no lookup #%zu (spec has %zu)",
				      t->spec->name, lookup_idx,
				      t->spec->nlookups);
	lk = &t->spec->lookups[lookup_idx];
	version_str(v, vs);
	s = find_series(t, lookup_idx, goarch);
	if (!s)
		return common_err_set(err, -EINVAL,
				      "table %s: arch '%s' (%s, %s) is not among "
				      "the spec's arches",
				      t->spec->name, goarch, lk->name, vs);
	if (value->kind != lk->kind)
		return common_err_set(err, -EINVAL,
				      "table %s: %s/%s %s: a %s value for a %s "
				      "lookup",
				      t->spec->name, lk->name, goarch, vs,
				      lutgen_lookup_kind_name(value->kind),
				      lutgen_lookup_kind_name(lk->kind));
	if (toolchain_sha256 && !sha256_ok(toolchain_sha256))
		return common_err_set(err, -EINVAL,
				      "table %s: %s/%s %s: toolchain sha256 '%s' "
				      "is not 64 lowercase hex digits",
				      t->spec->name, lk->name, goarch, vs,
				      toolchain_sha256);

	/* Keep the series sorted: find the insertion point. */
	for (pos = s->n; pos > 0; pos--) {
		c = rungo_version_cmp(&s->e[pos - 1].version, v);
		if (c == 0)
			return common_err_set(err, -EEXIST,
					      "table %s: %s/%s %s measured twice",
					      t->spec->name, lk->name, goarch,
					      vs);
		if (c < 0)
			break;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct lutgen_entry *ne = realloc(s->e, cap * sizeof(*ne));

		if (!ne)
			return common_err_set(err, -ENOMEM,
					      "table %s: out of memory",
					      t->spec->name);
		s->e = ne;
		s->cap = cap;
	}
	memmove(&s->e[pos + 1], &s->e[pos], (s->n - pos) * sizeof(*s->e));
	e = &s->e[pos];
	memset(e, 0, sizeof(*e));
	if (lutgen_value_copy(&e->value, value) != 0) {
		memmove(&s->e[pos], &s->e[pos + 1],
			(s->n - pos) * sizeof(*s->e));
		return common_err_set(err, -ENOMEM, "table %s: out of memory",
				      t->spec->name);
	}
	e->version = *v;
	snprintf(e->goarch, sizeof(e->goarch), "%s", goarch);
	snprintf(e->toolchain_sha256, sizeof(e->toolchain_sha256), "%s",
		 toolchain_sha256 ? toolchain_sha256 : "");
	s->n++;
	return 0;
}

const struct lutgen_entry *lutgen_table_entries(const struct lutgen_table *t,
						size_t lookup_idx,
						const char *goarch, size_t *n)
{
	const struct series *s = find_series(t, lookup_idx, goarch);

	if (n)
		*n = s ? s->n : 0;
	return s && s->n > 0 ? s->e : NULL;
}

int lutgen_table_ranges(const struct lutgen_table *t, size_t lookup_idx,
			const char *goarch, struct lutgen_range **out,
			size_t *n, struct common_err *err)
{
	const struct series *s;
	struct lutgen_range *r;
	size_t i, nr = 0;

	if (!t || !goarch || !out || !n)
		return common_err_set(err, -EINVAL, "table ranges: NULL argument");
	*out = NULL;
	*n = 0;
	if (t->spec->module)
		return common_err_set(err, -EINVAL,
				     "table %s: a module table has slices (lutgen_table_mod_slices), not ranges",
				     t->spec->name);
	s = find_series(t, lookup_idx, goarch);
	if (!s)
		return common_err_set(err, -EINVAL,
				      "table %s: no lookup #%zu on arch '%s'",
				      t->spec->name, lookup_idx, goarch);
	if (s->n == 0)
		return 0;
	r = calloc(s->n, sizeof(*r));
	if (!r)
		return common_err_set(err, -ENOMEM, "table %s: out of memory",
				      t->spec->name);
	for (i = 0; i < s->n; i++) {
		const struct lutgen_entry *e = &s->e[i];

		if (nr > 0 && lutgen_value_cmp(r[nr - 1].value, &e->value) == 0) {
			r[nr - 1].to = e->version;
			continue;
		}
		r[nr].from = e->version;
		r[nr].to = e->version;
		r[nr].value = &e->value;
		r[nr].from_sha256 = e->toolchain_sha256;
		nr++;
	}
	*out = r;
	*n = nr;
	return 0;
}

/* "152", or a shortened rendering of a long value. */
static void value_str(const struct lutgen_value *v, char *buf, size_t size)
{
	if (lutgen_value_format(v, buf, size) != 0)
		snprintf(buf, size, "(a value too long to show)");
}

struct note_list {
	struct lutgen_note *a;
	size_t n, cap;
};

static struct lutgen_note *note_push(struct note_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct lutgen_note *na = realloc(l->a, cap * sizeof(*na));

		if (!na)
			return NULL;
		l->a = na;
		l->cap = cap;
	}
	memset(&l->a[l->n], 0, sizeof(l->a[0]));
	return &l->a[l->n++];
}

/* Finish note->message from fmt; a truncated message ends in "...". */
static void note_message(struct lutgen_note *note, const char *fmt, ...)
	COMMON_PRINTF(2, 3);

static void note_message(struct lutgen_note *note, const char *fmt, ...)
{
	size_t size = sizeof(note->message);
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(note->message, size, fmt, ap);
	va_end(ap);
	if (len < 0)
		snprintf(note->message, size, "(unprintable note)");
	else if ((size_t)len >= size)
		memcpy(note->message + size - 4, "...", 4);
}

/* The notes of one series, appended to l. */
static int series_notes(const struct lutgen_table *t, const struct series *s,
			struct note_list *l, struct common_err *err)
{
	const char *lookup = t->spec->lookups[s->lookup].name;
	struct lutgen_range *r = NULL;
	size_t nr = 0, k, j;
	int rc;

	rc = lutgen_table_ranges(t, s->lookup, s->goarch, &r, &nr, err);
	if (rc < 0)
		return rc;
	for (k = 1; k < nr; k++) {
		char before[RUNGO_VERSION_STR_MAX], after[RUNGO_VERSION_STR_MAX];
		char vb[96], va[96];
		struct lutgen_note *note;

		version_str(&r[k - 1].to, before);
		version_str(&r[k].from, after);
		value_str(r[k - 1].value, vb, sizeof(vb));
		value_str(r[k].value, va, sizeof(va));

		if (rungo_version_same_minor(&r[k - 1].to, &r[k].from)) {
			note = note_push(l);
			if (!note)
				goto oom;
			note->kind = LUTGEN_NOTE_PATCH_CHANGE;
			note_message(note,
				     "%s/%s: %s in %s -> %s in %s, a change "
				     "between patch releases of go%d.%d",
				     lookup, s->goarch, vb, before, va, after,
				     r[k].from.major, r[k].from.minor);
			note->lookup = lookup;
			snprintf(note->goarch, sizeof(note->goarch), "%s",
				 s->goarch);
			note->before = r[k - 1].to;
			note->after = r[k].from;
		}
		for (j = k - 1; j-- > 0;) {
			char was[RUNGO_VERSION_STR_MAX];

			if (lutgen_value_cmp(r[j].value, r[k].value) != 0)
				continue;
			note = note_push(l);
			if (!note)
				goto oom;
			version_str(&r[j].to, was);
			note->kind = LUTGEN_NOTE_REVERT;
			note_message(note,
				     "%s/%s: %s in %s -> %s in %s, back to the "
				     "value of %s",
				     lookup, s->goarch, vb, before, va, after,
				     was);
			note->lookup = lookup;
			snprintf(note->goarch, sizeof(note->goarch), "%s",
				 s->goarch);
			note->before = r[k - 1].to;
			note->after = r[k].from;
			break;
		}
	}
	free(r);
	return 0;
oom:
	free(r);
	return common_err_set(err, -ENOMEM, "table %s: out of memory",
			      t->spec->name);
}

/* ---- module tables ---- */

bool lutgen_table_is_module(const struct lutgen_table *t)
{
	return t && t->spec->module;
}

int lutgen_table_set_go_evidence(struct lutgen_table *t, const char *text)
{
	char *p = strdup(text ? text : "");

	if (!p)
		return -ENOMEM;
	free(t->go_evidence);
	t->go_evidence = p;
	return 0;
}

const char *lutgen_table_go_evidence(const struct lutgen_table *t)
{
	return t && t->go_evidence ? t->go_evidence : "";
}

void lutgen_table_set_keys_go(struct lutgen_table *t, bool keys_go)
{
	if (t)
		t->keys_go = keys_go;
}

bool lutgen_table_keys_go(const struct lutgen_table *t)
{
	return t && t->keys_go;
}

static int entry_cmp_mod(const struct lutgen_entry *e,
			 const struct rungo_modver *mod,
			 const struct rungo_version *go)
{
	int c = rungo_modver_cmp(&e->module, mod);

	return c ? c : rungo_version_cmp(&e->version, go);
}

int lutgen_table_add_module(struct lutgen_table *t, size_t lookup_idx,
			    const char *goarch, const struct rungo_modver *mod,
			    const char *mod_h1, const struct rungo_version *go,
			    const char *toolchain_sha256,
			    const struct lutgen_value *value,
			    struct common_err *err)
{
	char vs[RUNGO_VERSION_STR_MAX];
	const struct lutgen_lookup *lk;
	struct lutgen_entry *e;
	struct series *s;
	size_t pos;
	int c;

	if (!t || !goarch || !mod || !go || !value)
		return common_err_set(err, -EINVAL, "table add: NULL argument");
	if (!t->spec->module)
		return common_err_set(err, -EINVAL,
				     "table %s: not a module table", t->spec->name);
	if (lookup_idx >= t->spec->nlookups)
		return common_err_set(err, -EINVAL,
				     "table %s: no lookup #%zu (spec has %zu)",
				     t->spec->name, lookup_idx,
				     t->spec->nlookups);
	lk = &t->spec->lookups[lookup_idx];
	version_str(go, vs);
	s = find_series(t, lookup_idx, goarch);
	if (!s)
		return common_err_set(err, -EINVAL,
				     "table %s: arch '%s' (%s, %s %s) is not among the spec's arches",
				     t->spec->name, goarch, lk->name, mod->str, vs);
	if ((value->kind == LUTGEN_LOOKUP_FUNC_PARAMS) !=
	    (lk->kind == LUTGEN_LOOKUP_FUNC_PARAMS))
		return common_err_set(err, -EINVAL,
				     "table %s: %s/%s %s: a %s value for a %s lookup",
				     t->spec->name, lk->name, goarch, mod->str,
				     lutgen_lookup_kind_name(value->kind),
				     lutgen_lookup_kind_name(lk->kind));
	if (toolchain_sha256 && !sha256_ok(toolchain_sha256))
		return common_err_set(err, -EINVAL,
				     "table %s: %s/%s %s: toolchain sha256 '%s' is not 64 lowercase hex digits",
				     t->spec->name, lk->name, goarch, mod->str,
				     toolchain_sha256);
	if (mod_h1 && strlen(mod_h1) >= RUNGO_H1_SIZE)
		return common_err_set(err, -EINVAL,
				     "table %s: %s: bad h1 '%.60s'", t->spec->name,
				     mod->str, mod_h1);
	for (pos = s->n; pos > 0; pos--) {
		c = entry_cmp_mod(&s->e[pos - 1], mod, go);
		if (c == 0)
			return common_err_set(err, -EEXIST,
					     "table %s: %s/%s %s with %s measured twice",
					     t->spec->name, lk->name, goarch,
					     mod->str, vs);
		if (c < 0)
			break;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct lutgen_entry *ne = realloc(s->e, cap * sizeof(*ne));

		if (!ne)
			return common_err_set(err, -ENOMEM, "table %s: out of memory",
					     t->spec->name);
		s->e = ne;
		s->cap = cap;
	}
	memmove(&s->e[pos + 1], &s->e[pos], (s->n - pos) * sizeof(*s->e));
	e = &s->e[pos];
	memset(e, 0, sizeof(*e));
	if (lutgen_value_copy(&e->value, value) != 0) {
		memmove(&s->e[pos], &s->e[pos + 1],
			(s->n - pos) * sizeof(*s->e));
		return common_err_set(err, -ENOMEM, "table %s: out of memory",
				     t->spec->name);
	}
	e->version = *go;
	e->has_module = true;
	e->module = *mod;
	snprintf(e->module_h1, sizeof(e->module_h1), "%s", mod_h1 ? mod_h1 : "");
	snprintf(e->goarch, sizeof(e->goarch), "%s", goarch);
	snprintf(e->toolchain_sha256, sizeof(e->toolchain_sha256), "%s",
		 toolchain_sha256 ? toolchain_sha256 : "");
	s->n++;
	return 0;
}

void lutgen_goslices_free(struct lutgen_goslice *sl, size_t n)
{
	size_t i;

	for (i = 0; sl && i < n; i++)
		free(sl[i].ranges);
	free(sl);
}

/* Ranges over pick[0..n) (one entry per module version, sorted): equal
 * neighbours merged, except that a module minor whose patch releases
 * differ starts a new range at its oldest measured patch (the split the
 * generated C's coverage rules expect). */
static int mod_ranges(const struct lutgen_entry *const *pick, size_t n,
		      struct lutgen_goslice *out)
{
	size_t i, k, start = 0;

	out->ranges = calloc(n ? n : 1, sizeof(*out->ranges));
	if (!out->ranges)
		return -ENOMEM;
	out->nranges = 0;
	for (i = 1; i <= n; i++) {
		bool split = i == n;

		if (!split &&
		    lutgen_value_cmp(&pick[i]->value, &pick[i - 1]->value) != 0)
			split = true;
		if (!split && !rungo_modver_same_minor(&pick[i]->module,
						       &pick[i - 1]->module))
			for (k = i + 1; k < n && rungo_modver_same_minor(
						 &pick[k]->module,
						 &pick[i]->module);
			     k++)
				if (lutgen_value_cmp(&pick[k]->value,
						     &pick[k - 1]->value) != 0) {
					split = true;
					break;
				}
		if (!split)
			continue;
		out->ranges[out->nranges].from = pick[start]->module;
		out->ranges[out->nranges].to = pick[i - 1]->module;
		out->ranges[out->nranges].value = &pick[start]->value;
		out->ranges[out->nranges].from_h1 = pick[start]->module_h1;
		out->nranges++;
		start = i;
	}
	return 0;
}

int lutgen_table_mod_slices(const struct lutgen_table *t, size_t lookup_idx,
			    const char *goarch, struct lutgen_goslice **out,
			    size_t *n, struct common_err *err)
{
	const struct series *s;
	const struct lutgen_entry **pick = NULL;
	struct lutgen_goslice *sl = NULL;
	struct rungo_version *minors = NULL;
	size_t nsl = 0, nminors = 0, i, j, k, np;
	int rc = 0;

	if (!t || !goarch || !out || !n)
		return common_err_set(err, -EINVAL, "table slices: NULL argument");
	*out = NULL;
	*n = 0;
	if (!t->spec->module)
		return common_err_set(err, -EINVAL, "table %s: not a module table",
				     t->spec->name);
	s = find_series(t, lookup_idx, goarch);
	if (!s)
		return common_err_set(err, -EINVAL,
				     "table %s: no lookup #%zu on arch '%s'",
				     t->spec->name, lookup_idx, goarch);
	if (s->n == 0)
		return 0;
	pick = calloc(s->n, sizeof(*pick));
	minors = calloc(s->n, sizeof(*minors));
	if (!pick || !minors)
		goto oom;
	/* The Go minors present, sorted (one slice when not keyed on Go). */
	for (i = 0; i < s->n; i++) {
		const struct rungo_version *g = &s->e[i].version;

		for (j = 0; j < nminors; j++)
			if (!t->keys_go || rungo_version_same_minor(&minors[j], g))
				break;
		if (j == nminors)
			minors[nminors++] = *g;
	}
	for (i = 1; i < nminors; i++)
		for (j = i; j > 0 && rungo_version_cmp(&minors[j - 1],
						       &minors[j]) > 0; j--) {
			struct rungo_version tmp = minors[j];

			minors[j] = minors[j - 1];
			minors[j - 1] = tmp;
		}
	sl = calloc(nminors, sizeof(*sl));
	if (!sl)
		goto oom;
	for (k = 0; k < nminors; k++) {
		struct lutgen_goslice *g = &sl[nsl];
		bool first = true;

		/* Entries are sorted by (module, Go): per module version the
		 * last matching entry is the newest Go toolchain. */
		np = 0;
		for (i = 0; i < s->n; i++) {
			const struct lutgen_entry *e = &s->e[i];

			if (t->keys_go &&
			    !rungo_version_same_minor(&e->version, &minors[k]))
				continue;
			if (first || rungo_version_cmp(&e->version, &g->go_from) < 0)
				g->go_from = e->version;
			if (first || rungo_version_cmp(&e->version, &g->go_to) > 0)
				g->go_to = e->version;
			first = false;
			if (np > 0 && rungo_modver_cmp(&pick[np - 1]->module,
						       &e->module) == 0)
				pick[np - 1] = e;
			else
				pick[np++] = e;
		}
		if (np == 0)
			continue;
		if (mod_ranges(pick, np, g) != 0)
			goto oom;
		nsl++;
	}
	*out = sl;
	*n = nsl;
	sl = NULL;
	goto out;
oom:
	rc = common_err_set(err, -ENOMEM, "table %s: out of memory",
			   t->spec->name);
out:
	lutgen_goslices_free(sl, nsl);
	free(pick);
	free(minors);
	return rc;
}

bool lutgen_table_newest_module(const struct lutgen_table *t,
				struct rungo_modver *out)
{
	const struct rungo_modver *best = NULL;
	size_t i;

	if (!t || !t->spec->module)
		return false;
	for (i = 0; i < t->ns; i++) {
		const struct series *s = &t->s[i];

		if (s->n > 0 &&
		    (!best || rungo_modver_cmp(&s->e[s->n - 1].module, best) > 0))
			best = &s->e[s->n - 1].module;
	}
	if (best && out)
		*out = *best;
	return best != NULL;
}

/* Notes of a module series: reverts and patch changes over module
 * versions, per Go slice ("grpc_x/amd64 (go1.27): 40 in v1.64.0 -> ..."). */
static int mod_series_notes(const struct lutgen_table *t,
			    const struct series *s, struct note_list *l,
			    struct common_err *err)
{
	const char *lookup = t->spec->lookups[s->lookup].name;
	struct lutgen_goslice *sl = NULL;
	size_t nsl = 0, i, k, j;
	int rc;

	rc = lutgen_table_mod_slices(t, s->lookup, s->goarch, &sl, &nsl, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < nsl; i++) {
		const struct lutgen_modrange *r = sl[i].ranges;
		char go[48] = "";

		if (t->keys_go)
			snprintf(go, sizeof(go), " (go%d.%d)", sl[i].go_from.major,
				 sl[i].go_from.minor);
		for (k = 1; k < sl[i].nranges; k++) {
			char vb[96], va[96];
			struct lutgen_note *note;

			value_str(r[k - 1].value, vb, sizeof(vb));
			value_str(r[k].value, va, sizeof(va));
			if (rungo_modver_same_minor(&r[k - 1].to, &r[k].from)) {
				note = note_push(l);
				if (!note)
					goto oom;
				note->kind = LUTGEN_NOTE_PATCH_CHANGE;
				note_message(note,
					     "%s/%s%s: %s in %s -> %s in %s, a change between patch releases of v%llu.%llu",
					     lookup, s->goarch, go, vb,
					     r[k - 1].to.str, va, r[k].from.str,
					     (unsigned long long)r[k].from.major,
					     (unsigned long long)r[k].from.minor);
				note->lookup = lookup;
				note->module = true;
				snprintf(note->goarch, sizeof(note->goarch), "%s",
					 s->goarch);
				note->mod_before = r[k - 1].to;
				note->mod_after = r[k].from;
			}
			for (j = k - 1; j-- > 0;) {
				if (lutgen_value_cmp(r[j].value, r[k].value) != 0)
					continue;
				note = note_push(l);
				if (!note)
					goto oom;
				note->kind = LUTGEN_NOTE_REVERT;
				note_message(note,
					     "%s/%s%s: %s in %s -> %s in %s, back to the value of %s",
					     lookup, s->goarch, go, vb,
					     r[k - 1].to.str, va, r[k].from.str,
					     r[j].to.str);
				note->lookup = lookup;
				note->module = true;
				snprintf(note->goarch, sizeof(note->goarch), "%s",
					 s->goarch);
				note->mod_before = r[k - 1].to;
				note->mod_after = r[k].from;
				break;
			}
		}
	}
	lutgen_goslices_free(sl, nsl);
	return 0;
oom:
	lutgen_goslices_free(sl, nsl);
	return common_err_set(err, -ENOMEM, "table %s: out of memory",
			     t->spec->name);
}

int lutgen_table_notes(const struct lutgen_table *t, struct lutgen_note **out,
		       size_t *n, struct common_err *err)
{
	struct note_list l = { NULL, 0, 0 };
	size_t i;
	int rc;

	if (!t || !out || !n)
		return common_err_set(err, -EINVAL, "table notes: NULL argument");
	for (i = 0; i < t->ns; i++) {
		rc = t->spec->module ? mod_series_notes(t, &t->s[i], &l, err)
				     : series_notes(t, &t->s[i], &l, err);
		if (rc < 0) {
			free(l.a);
			return rc;
		}
	}
	*out = l.a;
	*n = l.n;
	return 0;
}

bool lutgen_table_newest(const struct lutgen_table *t,
			 struct rungo_version *out)
{
	const struct rungo_version *best = NULL;
	size_t i;

	if (!t)
		return false;
	for (i = 0; i < t->ns; i++) {
		const struct series *s = &t->s[i];
		size_t k;

		/* Module series are sorted by module version: look at all. */
		for (k = t->spec->module ? 0 : (s->n ? s->n - 1 : 0); k < s->n;
		     k++)
			if (!best ||
			    rungo_version_cmp(&s->e[k].version, best) > 0)
				best = &s->e[k].version;
	}
	if (best && out)
		*out = *best;
	return best != NULL;
}
