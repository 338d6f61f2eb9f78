/* SPDX-License-Identifier: MIT */
/* lutgen/refresh/drift.c - what regenerating would change (see drift.h). */
#include "lutgen/refresh/drift.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/sb.h"
#include "lutgen/emit/emit.h"
#include "lutgen/emit/render.h"
#include "lutgen/refresh/results.h"

struct lutgen_drift {
	char **lines;
	size_t nlines, cap;
	cJSON *specs;        /* array of per-spec objects */
	enum lutgen_drift_level level;   /* worst over the specs */
};

/* ---- the committed table ---- */

struct old_entry {
	struct rungo_version v;
	const char *arch;          /* borrowed from the document */
	const char *sha;
	struct lutgen_value val;
};

struct old_lookup {
	const char *name;
	const char *kind_name;
	enum lutgen_lookup_kind kind;
	bool kind_known;
	bool seen;                 /* matched by a new lookup */
	struct old_entry *e;
	size_t n;
};

struct old_table {
	cJSON *doc;
	struct old_lookup *l;
	size_t n;
};

static void old_free(struct old_table *o)
{
	size_t i, j;

	for (i = 0; i < o->n; i++) {
		for (j = 0; j < o->l[i].n; j++)
			lutgen_value_free(&o->l[i].e[j].val);
		free(o->l[i].e);
	}
	free(o->l);
	cJSON_Delete(o->doc);
	memset(o, 0, sizeof(*o));
}

static const char *jstr(const cJSON *j, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, key);

	return cJSON_IsString(x) && x->valuestring ? x->valuestring : NULL;
}

/* One entry of an old lookup ({"version", "arch", "toolchain_sha256",
 * "value"}) appended to ol->e. */
static int old_parse_entry(struct old_lookup *ol, const cJSON *en,
			   char *why, size_t why_size)
{
	struct old_entry *e = &ol->e[ol->n];
	const char *v = jstr(en, "version");
	struct common_err err = { 0 };
	char where[256];

	e->arch = jstr(en, "arch");
	e->sha = jstr(en, "toolchain_sha256");
	if (!v || !e->arch || rungo_version_parse(v, &e->v, NULL) != 0) {
		snprintf(why, why_size,
			 "lookup %s: entry %zu lacks a version or arch",
			 ol->name, ol->n);
		return -EINVAL;
	}
	if (!e->sha)
		e->sha = "";
	snprintf(where, sizeof(where), "%s %s/%s", ol->name, v, e->arch);
	if (lutgen_value_from_json(cJSON_GetObjectItemCaseSensitive(en, "value"),
				   ol->kind, &e->val, where, &err) != 0) {
		snprintf(why, why_size, "%s", err.msg);
		return -EINVAL;
	}
	ol->n++;
	return 0;
}

/* lookups[idx] of an old table: name, kind and every entry. */
static int old_parse_lookup(struct old_lookup *ol, const cJSON *lk,
			    size_t idx, char *why, size_t why_size)
{
	const cJSON *entries, *en;
	int rc;

	ol->name = jstr(lk, "name");
	ol->kind_name = jstr(lk, "kind");
	if (!ol->name || !ol->kind_name) {
		snprintf(why, why_size,
			 "lookups[%zu] lacks \"name\" or \"kind\"", idx);
		return -EINVAL;
	}
	if (lutgen_lookup_kind_parse(ol->kind_name, &ol->kind) == 0)
		ol->kind_known = true;
	entries = cJSON_GetObjectItemCaseSensitive(lk, "entries");
	if (!ol->kind_known || !cJSON_IsArray(entries)) {
		snprintf(why, why_size,
			 "lookup %s: unknown kind or no \"entries\"", ol->name);
		return -EINVAL;
	}
	ol->e = calloc((size_t)cJSON_GetArraySize(entries) + 1, sizeof(*ol->e));
	if (!ol->e)
		return -ENOMEM;
	cJSON_ArrayForEach(en, entries) {
		rc = old_parse_entry(ol, en, why, why_size);
		if (rc)
			return rc;
	}
	return 0;
}

/* Parse the committed JSON (what emit wrote) into o; on failure `why`
 * says what is wrong and o holds what was read (old_free releases it). */
static int old_parse(const char *text, size_t len, struct old_table *o,
		     char *why, size_t why_size)
{
	const cJSON *lookups, *lk;
	size_t i = 0;
	int rc;

	o->doc = cJSON_ParseWithLength(text, len);
	if (!o->doc) {
		snprintf(why, why_size, "not valid JSON");
		return -EINVAL;
	}
	lookups = cJSON_GetObjectItemCaseSensitive(o->doc, "lookups");
	if (!cJSON_IsArray(lookups)) {
		snprintf(why, why_size, "no \"lookups\" array");
		return -EINVAL;
	}
	o->n = (size_t)cJSON_GetArraySize(lookups);
	o->l = calloc(o->n ? o->n : 1, sizeof(*o->l));
	if (!o->l) {
		o->n = 0;
		return -ENOMEM;
	}
	cJSON_ArrayForEach(lk, lookups) {
		rc = old_parse_lookup(&o->l[i], lk, i, why, why_size);
		if (rc)
			return rc;
		i++;
	}
	return 0;
}

static struct old_lookup *old_find(struct old_table *o, const char *name)
{
	size_t i;

	for (i = 0; i < o->n; i++)
		if (strcmp(o->l[i].name, name) == 0)
			return &o->l[i];
	return NULL;
}

static const struct old_entry *old_entry_at(const struct old_lookup *ol,
					    const char *arch,
					    const struct rungo_version *v)
{
	size_t i;

	for (i = 0; i < ol->n; i++)
		if (strcmp(ol->e[i].arch, arch) == 0 &&
		    rungo_version_cmp(&ol->e[i].v, v) == 0)
			return &ol->e[i];
	return NULL;
}

/* ---- version sets ---- */

struct vset {
	struct rungo_version *v;
	size_t n, cap;
};

static int vset_add(struct vset *s, const struct rungo_version *v)
{
	size_t pos;

	for (pos = s->n; pos > 0; pos--) {
		int c = rungo_version_cmp(&s->v[pos - 1], v);

		if (c == 0)
			return 0;
		if (c < 0)
			break;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct rungo_version *nv = realloc(s->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		s->v = nv;
		s->cap = cap;
	}
	memmove(&s->v[pos + 1], &s->v[pos], (s->n - pos) * sizeof(*s->v));
	s->v[pos] = *v;
	s->n++;
	return 0;
}

static bool vset_has(const struct vset *s, const struct rungo_version *v)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (rungo_version_cmp(&s->v[i], v) == 0)
			return true;
	return false;
}

static void valstr(const struct lutgen_value *v, char *buf, size_t size)
{
	if (lutgen_value_format(v, buf, size) != 0)
		snprintf(buf, size, "(a value too long to show)");
}

/* <out_dir>/<name>.json */
static int json_path(const char *out_dir, const char *name, char *buf,
		     size_t size, struct common_err *err)
{
	if (common_pathf(buf, size, "%s/%s.json", out_dir, name))
		return common_err_set(err, -ENAMETOOLONG,
				      "drift: path %s/%s.json too long",
				      out_dir, name);
	return 0;
}

/* ---- the per-spec check ---- */

struct ctx {
	struct lutgen_drift *d;
	const struct lutgen_table *t;
	const struct lutgen_spec *s;
	cJSON *js;           /* the spec's JSON object */
	cJSON *jlines;
	enum lutgen_drift_level level;   /* worst line so far */
	int rc;
};

static void add_line(struct ctx *c, enum lutgen_drift_level level,
		     const char *fmt, ...) COMMON_PRINTF(3, 4);

static void add_line(struct ctx *c, enum lutgen_drift_level level,
		     const char *fmt, ...)
{
	struct lutgen_drift *d = c->d;
	char *line;
	va_list ap;
	int n;

	if (c->rc)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		c->rc = -EINVAL;
		return;
	}
	line = malloc((size_t)n + 1);
	if (!line) {
		c->rc = -ENOMEM;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(line, (size_t)n + 1, fmt, ap);
	va_end(ap);
	if (d->nlines == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 32;
		char **nl = realloc(d->lines, cap * sizeof(*nl));

		if (!nl) {
			free(line);
			c->rc = -ENOMEM;
			return;
		}
		d->lines = nl;
		d->cap = cap;
	}
	d->lines[d->nlines++] = line;
	if (!cJSON_AddItemToArray(c->jlines, cJSON_CreateString(line)))
		c->rc = -ENOMEM;
	if (level > c->level)
		c->level = level;
}

static void jcheck(struct ctx *c, const void *p)
{
	if (!p && !c->rc)
		c->rc = -ENOMEM;
}

static cJSON *jversions(struct ctx *c, const struct rungo_version *v, size_t n)
{
	char vs[RUNGO_VERSION_STR_MAX];
	cJSON *arr = cJSON_CreateArray();
	size_t i;

	jcheck(c, arr);
	for (i = 0; arr && i < n; i++) {
		rungo_version_str(&v[i], vs);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(vs)))
			c->rc = -ENOMEM;
	}
	return arr;
}

/* "V1 V2 ..." of a version list into b. */
static void sb_versions(struct common_sb *b, const struct rungo_version *v,
			size_t n)
{
	char vs[RUNGO_VERSION_STR_MAX];
	size_t i;

	for (i = 0; i < n; i++) {
		rungo_version_str(&v[i], vs);
		common_sb_printf(b, "%s%s", i ? " " : "", vs);
	}
}

/* Lookups added, removed, or of another kind. */
static void check_lookups(struct ctx *c, struct old_table *o)
{
	cJSON *jnew = cJSON_AddArrayToObject(c->js, "new_lookups");
	cJSON *jrem = cJSON_AddArrayToObject(c->js, "removed_lookups");
	size_t l;

	jcheck(c, jnew);
	jcheck(c, jrem);
	if (c->rc)
		return;
	for (l = 0; l < c->s->nlookups; l++) {
		const struct lutgen_lookup *lk = &c->s->lookups[l];
		struct old_lookup *ol = old_find(o, lk->name);

		if (!ol) {
			add_line(c, LUTGEN_DRIFT_VALUES, "%s: new lookup: %s",
				 c->s->name, lk->name);
			jcheck(c, cJSON_AddItemToArray(
					  jnew, cJSON_CreateString(lk->name))
					  ? jnew
					  : NULL);
			continue;
		}
		ol->seen = true;
		if (ol->kind != lk->kind)
			add_line(c, LUTGEN_DRIFT_VALUES,
				 "%s: %s: kind changed from %s to %s",
				 c->s->name, lk->name, ol->kind_name,
				 lutgen_lookup_kind_name(lk->kind));
	}
	for (l = 0; l < o->n; l++) {
		if (o->l[l].seen)
			continue;
		add_line(c, LUTGEN_DRIFT_VALUES, "%s: removed lookup: %s",
			 c->s->name, o->l[l].name);
		jcheck(c, cJSON_AddItemToArray(jrem,
					       cJSON_CreateString(o->l[l].name))
				  ? jrem
				  : NULL);
	}
}

/* Arches to report on: the spec's, then those only the old file has. */
static int arch_list(const struct lutgen_spec *s, const struct old_table *o,
		     const char ***out, size_t *n)
{
	const char **a = NULL, **na;
	size_t i, j, k, cnt = 0;

	a = malloc((s->narches + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	for (i = 0; i < s->narches; i++)
		a[cnt++] = s->arches[i];
	for (i = 0; i < o->n; i++)
		for (j = 0; j < o->l[i].n; j++) {
			const char *arch = o->l[i].e[j].arch;

			for (k = 0; k < cnt; k++)
				if (strcmp(a[k], arch) == 0)
					break;
			if (k < cnt)
				continue;
			na = realloc(a, (cnt + 1) * sizeof(*a));
			if (!na) {
				free(a);
				return -ENOMEM;
			}
			a = na;
			a[cnt++] = arch;
		}
	*out = a;
	*n = cnt;
	return 0;
}

/* The line "<spec>: <what> (<arch>): v1 v2 ..." and obj[arch] = [v1, v2,
 * ...], when vs is not empty.  b is scratch space. */
static void report_versions(struct ctx *c, struct common_sb *b,
			    const char *what, enum lutgen_drift_level level,
			    cJSON *obj, const char *arch,
			    const struct vset *vs)
{
	if (!vs->n)
		return;
	common_sb_reset(b);
	sb_versions(b, vs->v, vs->n);
	add_line(c, level, "%s: %s (%s): %s", c->s->name, what, arch,
		 common_sb_str(b));
	jcheck(c, cJSON_AddItemToObject(obj, arch, jversions(c, vs->v, vs->n))
			  ? obj
			  : NULL);
}

/* New and removed versions per arch; toolchain changes. */
static void check_versions(struct ctx *c, struct old_table *o)
{
	const char **arches = NULL;
	size_t na = 0, a, l, i;
	cJSON *jnew = cJSON_AddObjectToObject(c->js, "new_versions");
	cJSON *jrem = cJSON_AddObjectToObject(c->js, "removed_versions");
	cJSON *jtc = cJSON_AddObjectToObject(c->js, "toolchain_changed");

	jcheck(c, jnew);
	jcheck(c, jrem);
	jcheck(c, jtc);
	if (c->rc || arch_list(c->s, o, &arches, &na) != 0) {
		c->rc = c->rc ? c->rc : -ENOMEM;
		return;
	}
	for (a = 0; a < na && !c->rc; a++) {
		struct vset ov = { 0 }, nv = { 0 }, added = { 0 },
			    removed = { 0 }, tc = { 0 };
		struct common_sb b = { 0 };
		int rc = 0;

		for (l = 0; l < o->n; l++)
			for (i = 0; i < o->l[l].n; i++)
				if (strcmp(o->l[l].e[i].arch, arches[a]) == 0)
					rc |= vset_add(&ov, &o->l[l].e[i].v);
		for (l = 0; l < c->s->nlookups; l++) {
			size_t n;
			const struct lutgen_entry *e = lutgen_table_entries(
				c->t, l, arches[a], &n);
			const struct old_lookup *ol =
				old_find(o, c->s->lookups[l].name);

			for (i = 0; i < n; i++) {
				const struct old_entry *oe;

				rc |= vset_add(&nv, &e[i].version);
				oe = ol ? old_entry_at(ol, arches[a],
						       &e[i].version)
					: NULL;
				if (oe && strcmp(oe->sha, e[i].toolchain_sha256))
					rc |= vset_add(&tc, &e[i].version);
			}
		}
		for (i = 0; i < nv.n; i++)
			if (!vset_has(&ov, &nv.v[i]))
				rc |= vset_add(&added, &nv.v[i]);
		for (i = 0; i < ov.n; i++)
			if (!vset_has(&nv, &ov.v[i]))
				rc |= vset_add(&removed, &ov.v[i]);
		if (rc)
			c->rc = -ENOMEM;
		report_versions(c, &b, "new versions", LUTGEN_DRIFT_VALUES,
				jnew, arches[a], &added);
		report_versions(c, &b, "removed versions", LUTGEN_DRIFT_VALUES,
				jrem, arches[a], &removed);
		report_versions(c, &b, "toolchain changed",
				LUTGEN_DRIFT_PROVENANCE, jtc, arches[a], &tc);
		if (b.oom)
			c->rc = -ENOMEM;
		free(b.p);
		free(ov.v);
		free(nv.v);
		free(added.v);
		free(removed.v);
		free(tc.v);
	}
	free(arches);
}

struct change {
	const struct lutgen_value *oldv, *newv;  /* borrowed */
	struct vset vs;
};

/* Same version, other value; and values that new versions start. */
/* The committed entries of (lookup, arch) whose value changed, grouped
 * by (old, new) value; *out malloc'd (caller frees each vs.v, then it). */
static int collect_changes(const struct old_lookup *ol, const char *arch,
			   const struct lutgen_entry *e, size_t n,
			   struct change **out, size_t *nout)
{
	struct change *ch = NULL, *nc;
	size_t nch = 0, i, k;

	for (i = 0; i < n; i++) {
		const struct old_entry *oe = old_entry_at(ol, arch,
							  &e[i].version);

		if (!oe || lutgen_value_cmp(&oe->val, &e[i].value) == 0)
			continue;
		for (k = 0; k < nch; k++)
			if (lutgen_value_cmp(ch[k].oldv, &oe->val) == 0 &&
			    lutgen_value_cmp(ch[k].newv, &e[i].value) == 0)
				break;
		if (k == nch) {
			nc = realloc(ch, (nch + 1) * sizeof(*ch));
			if (!nc)
				goto oom;
			ch = nc;
			memset(&ch[nch], 0, sizeof(ch[nch]));
			ch[nch].oldv = &oe->val;
			ch[nch].newv = &e[i].value;
			nch++;
		}
		if (vset_add(&ch[k].vs, &e[i].version))
			goto oom;
	}
	*out = ch;
	*nout = nch;
	return 0;
oom:
	for (k = 0; k < nch; k++)
		free(ch[k].vs.v);
	free(ch);
	return -ENOMEM;
}

/* "NAME: LOOKUP/ARCH: OLD -> NEW in V1 V2 ..." per change. */
static void report_changes(struct ctx *c, cJSON *jch, const char *lookup,
			   const char *arch, const struct change *ch,
			   size_t nch)
{
	char va[512], vb[512];
	size_t k;

	for (k = 0; k < nch && !c->rc; k++) {
		struct common_sb b = { 0 };
		cJSON *jo;

		valstr(ch[k].oldv, vb, sizeof(vb));
		valstr(ch[k].newv, va, sizeof(va));
		sb_versions(&b, ch[k].vs.v, ch[k].vs.n);
		add_line(c, LUTGEN_DRIFT_VALUES, "%s: %s/%s: %s -> %s in %s",
			 c->s->name, lookup, arch, vb, va, common_sb_str(&b));
		jo = cJSON_CreateObject();
		if (b.oom || !jo || !cJSON_AddItemToArray(jch, jo) ||
		    !cJSON_AddStringToObject(jo, "lookup", lookup) ||
		    !cJSON_AddStringToObject(jo, "arch", arch) ||
		    !cJSON_AddStringToObject(jo, "old", vb) ||
		    !cJSON_AddStringToObject(jo, "new", va) ||
		    !cJSON_AddItemToObject(jo, "versions",
					   jversions(c, ch[k].vs.v, ch[k].vs.n)))
			c->rc = -ENOMEM;
		free(b.p);
	}
}

/* "NAME: LOOKUP/ARCH: NEW from V (was OLD in PREV)": a version the
 * committed file lacks that starts a value. */
static void report_new_values(struct ctx *c, cJSON *jnv,
			      const struct old_lookup *ol, const char *lookup,
			      const char *arch, const struct lutgen_entry *e,
			      size_t n)
{
	char va[512], vb[512], vv[RUNGO_VERSION_STR_MAX],
		vp[RUNGO_VERSION_STR_MAX];
	size_t i;

	for (i = 1; i < n && !c->rc; i++) {
		cJSON *jo;

		if (old_entry_at(ol, arch, &e[i].version) ||
		    lutgen_value_cmp(&e[i - 1].value, &e[i].value) == 0)
			continue;
		valstr(&e[i].value, va, sizeof(va));
		valstr(&e[i - 1].value, vb, sizeof(vb));
		rungo_version_str(&e[i].version, vv);
		rungo_version_str(&e[i - 1].version, vp);
		add_line(c, LUTGEN_DRIFT_VALUES,
			 "%s: %s/%s: %s from %s (was %s in %s)", c->s->name,
			 lookup, arch, va, vv, vb, vp);
		jo = cJSON_CreateObject();
		if (!jo || !cJSON_AddItemToArray(jnv, jo) ||
		    !cJSON_AddStringToObject(jo, "lookup", lookup) ||
		    !cJSON_AddStringToObject(jo, "arch", arch) ||
		    !cJSON_AddStringToObject(jo, "value", va) ||
		    !cJSON_AddStringToObject(jo, "from", vv) ||
		    !cJSON_AddStringToObject(jo, "was", vb) ||
		    !cJSON_AddStringToObject(jo, "was_in", vp))
			c->rc = -ENOMEM;
	}
}

static void check_values(struct ctx *c, struct old_table *o)
{
	cJSON *jch = cJSON_AddArrayToObject(c->js, "changed");
	cJSON *jnv = cJSON_AddArrayToObject(c->js, "new_values");
	size_t l, a, k;

	jcheck(c, jch);
	jcheck(c, jnv);
	for (l = 0; l < c->s->nlookups && !c->rc; l++) {
		const struct lutgen_lookup *lk = &c->s->lookups[l];
		const struct old_lookup *ol = old_find(o, lk->name);

		if (!ol || ol->kind != lk->kind)
			continue;
		for (a = 0; a < c->s->narches && !c->rc; a++) {
			const char *arch = c->s->arches[a];
			const struct lutgen_entry *e;
			struct change *ch = NULL;
			size_t nch = 0, n;

			e = lutgen_table_entries(c->t, l, arch, &n);
			if (collect_changes(ol, arch, e, n, &ch, &nch) != 0) {
				c->rc = -ENOMEM;
				break;
			}
			report_changes(c, jch, lk->name, arch, ch, nch);
			report_new_values(c, jnv, ol, lk->name, arch, e, n);
			for (k = 0; k < nch; k++)
				free(ch[k].vs.v);
			free(ch);
		}
	}
}

static const char *note_kind(enum lutgen_note_kind k)
{
	return k == LUTGEN_NOTE_REVERT ? "revert" : "patch-change";
}

static bool old_has_note(const struct old_table *o,
			 const struct lutgen_note *n)
{
	const cJSON *notes = cJSON_GetObjectItemCaseSensitive(o->doc, "notes");
	char before[RUNGO_VERSION_STR_MAX], after[RUNGO_VERSION_STR_MAX];
	const cJSON *it;

	rungo_version_str(&n->before, before);
	rungo_version_str(&n->after, after);
	cJSON_ArrayForEach(it, notes) {
		const char *k = jstr(it, "kind"), *l = jstr(it, "lookup"),
			   *a = jstr(it, "arch"), *b = jstr(it, "before"),
			   *f = jstr(it, "after");

		if (k && l && a && b && f && strcmp(k, note_kind(n->kind)) == 0 &&
		    strcmp(l, n->lookup) == 0 && strcmp(a, n->goarch) == 0 &&
		    strcmp(b, before) == 0 && strcmp(f, after) == 0)
			return true;
	}
	return false;
}

static const struct lutgen_value *value_at(const struct lutgen_table *t,
					   const struct lutgen_spec *s,
					   const char *lookup, const char *arch,
					   const struct rungo_version *v)
{
	size_t l, i, n;

	for (l = 0; l < s->nlookups; l++) {
		const struct lutgen_entry *e;

		if (strcmp(s->lookups[l].name, lookup) != 0)
			continue;
		e = lutgen_table_entries(t, l, arch, &n);
		for (i = 0; i < n; i++)
			if (rungo_version_cmp(&e[i].version, v) == 0)
				return &e[i].value;
	}
	return NULL;
}

/* Notes the committed file doesn't have yet (all of them without one). */
static void check_notes(struct ctx *c, const struct old_table *o)
{
	struct lutgen_note *notes = NULL;
	struct common_err err = { 0 };
	size_t n = 0, i;
	cJSON *jn = cJSON_AddArrayToObject(c->js, "notes");

	jcheck(c, jn);
	if (c->rc)
		return;
	if (lutgen_table_notes(c->t, &notes, &n, &err) != 0) {
		c->rc = err.code ? err.code : -ENOMEM;
		return;
	}
	for (i = 0; i < n && !c->rc; i++) {
		const struct lutgen_note *nt = &notes[i];
		const struct lutgen_value *vb, *va;
		char before[RUNGO_VERSION_STR_MAX], after[RUNGO_VERSION_STR_MAX];
		char sb[512], sa[512];
		cJSON *jo;

		if (o->doc && old_has_note(o, nt))
			continue;
		rungo_version_str(&nt->before, before);
		rungo_version_str(&nt->after, after);
		vb = value_at(c->t, c->s, nt->lookup, nt->goarch, &nt->before);
		va = value_at(c->t, c->s, nt->lookup, nt->goarch, &nt->after);
		if (vb)
			valstr(vb, sb, sizeof(sb));
		else
			snprintf(sb, sizeof(sb), "?");
		if (va)
			valstr(va, sa, sizeof(sa));
		else
			snprintf(sa, sizeof(sa), "?");
		if (nt->kind == LUTGEN_NOTE_PATCH_CHANGE)
			add_line(c, LUTGEN_DRIFT_VALUES,
				 "%s: layout change within go%d.%d patch releases: look at it: %s/%s %s in %s -> %s in %s",
				 c->s->name, nt->after.major, nt->after.minor,
				 nt->lookup, nt->goarch, sb, before, sa, after);
		else
			add_line(c, LUTGEN_DRIFT_VALUES,
				 "%s: revert: %s/%s %s in %s -> %s in %s, back to an earlier value",
				 c->s->name, nt->lookup, nt->goarch, sb, before,
				 sa, after);
		jo = cJSON_CreateObject();
		if (!jo || !cJSON_AddItemToArray(jn, jo) ||
		    !cJSON_AddStringToObject(jo, "kind", note_kind(nt->kind)) ||
		    !cJSON_AddStringToObject(jo, "lookup", nt->lookup) ||
		    !cJSON_AddStringToObject(jo, "arch", nt->goarch) ||
		    !cJSON_AddStringToObject(jo, "before", before) ||
		    !cJSON_AddStringToObject(jo, "after", after) ||
		    !cJSON_AddStringToObject(jo, "message", nt->message))
			c->rc = -ENOMEM;
	}
	free(notes);
}

/* Which rendered files differ from out_dir's: their names into b,
 * *json_only when NAME.json is the only one. */
static int check_files(struct ctx *c, const char *out_dir,
		       struct common_sb *b, bool *json_only,
		       struct common_err *err)
{
	static const char *const which[] = { "c", "h", "json", "go.c", "go.h" };
	cJSON *jf = cJSON_AddArrayToObject(c->js, "files_changed");
	size_t i, nchanged = 0;
	int rc = 0;

	*json_only = false;
	if (!jf)
		return -ENOMEM;
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		char file[512], path[4096];
		char *text = NULL, *old;
		size_t olen = 0;
		bool same;
		int w;

		if (strncmp(which[i], "go.", 3) == 0)
			w = snprintf(file, sizeof(file), "lutgen_go.%s",
				     which[i] + 3);
		else
			w = snprintf(file, sizeof(file), "%s.%s", c->s->name,
				     which[i]);
		if (w < 0 || (size_t)w >= sizeof(file)) {
			rc = common_err_set(err, -ENAMETOOLONG,
					    "drift: spec name %s too long",
					    c->s->name);
			break;
		}
		w = snprintf(path, sizeof(path), "%s/%s", out_dir, file);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			rc = common_err_set(err, -ENAMETOOLONG,
					    "drift: path %s/%s too long",
					    out_dir, file);
			break;
		}
		rc = lutgen_emit_render(c->t, which[i], &text, err);
		if (rc)
			break;
		/* Missing or unreadable: the file would change. */
		(void)common_fs_read_file(path, 0, &old, &olen, NULL);
		same = old && olen == strlen(text) &&
		       memcmp(old, text, olen) == 0;
		free(old);
		free(text);
		if (same)
			continue;
		nchanged++;
		*json_only = nchanged == 1 && strcmp(which[i], "json") == 0;
		common_sb_printf(b, "%s%s", b->len ? " " : "", file);
		if (!cJSON_AddItemToArray(jf, cJSON_CreateString(file)))
			rc = -ENOMEM;
	}
	if (rc == 0 && b->oom)
		rc = -ENOMEM;
	if (rc == -ENOMEM)
		common_err_set(err, rc, "drift: out of memory");
	return rc;
}

/* The new table with the toolchain sha256 of every entry the committed
 * file also has, with the same value, taken from that file. */
static int table_with_old_shas(const struct ctx *c, struct old_table *o,
			       struct lutgen_table **out,
			       struct common_err *err)
{
	const struct lutgen_entry *e;
	const struct old_entry *oe;
	const struct old_lookup *ol;
	size_t l, a, i, n;
	int rc;

	rc = lutgen_table_new(c->s, out, err);
	for (l = 0; rc == 0 && l < c->s->nlookups; l++) {
		ol = o ? old_find(o, c->s->lookups[l].name) : NULL;
		for (a = 0; rc == 0 && a < c->s->narches; a++) {
			e = lutgen_table_entries(c->t, l, c->s->arches[a], &n);
			for (i = 0; rc == 0 && i < n; i++) {
				oe = ol ? old_entry_at(ol, c->s->arches[a],
						       &e[i].version)
					: NULL;
				if (oe && lutgen_value_cmp(&oe->val,
							   &e[i].value) != 0)
					oe = NULL;   /* a new value: new hash */
				rc = lutgen_table_add(*out, l, c->s->arches[a],
						      &e[i].version,
						      oe ? oe->sha
							 : e[i].toolchain_sha256,
						      &e[i].value, err);
			}
		}
	}
	return rc;
}

/* Is the committed JSON what the new table renders once the toolchain
 * hashes are put back?  Then only provenance changed. */
static int only_provenance(const struct ctx *c, struct old_table *o,
			   const char *old_text, size_t old_len, bool *yes,
			   struct common_err *err)
{
	struct lutgen_table *t = NULL;
	char *text = NULL;
	int rc;

	*yes = false;
	rc = table_with_old_shas(c, o, &t, err);
	if (rc == 0)
		rc = lutgen_emit_render(t, "json", &text, err);
	if (rc == 0)
		*yes = strlen(text) == old_len &&
		       memcmp(text, old_text, old_len) == 0;
	free(text);
	lutgen_table_free(t);
	return rc;
}

/* The files line, as provenance drift when nothing but toolchain hashes
 * in NAME.json would change. */
static int report_files(struct ctx *c, struct old_table *o, bool have_old,
			const char *old_text, size_t old_len,
			const char *out_dir, struct common_err *err)
{
	enum lutgen_drift_level level = LUTGEN_DRIFT_VALUES;
	struct common_sb b = { 0 };
	bool json_only = false, prov = false;
	int rc;

	rc = check_files(c, out_dir, &b, &json_only, err);
	if (rc == 0 && b.len && json_only && have_old &&
	    c->level <= LUTGEN_DRIFT_PROVENANCE)
		rc = only_provenance(c, o, old_text, old_len, &prov, err);
	if (prov)
		level = LUTGEN_DRIFT_PROVENANCE;
	if (rc == 0 && b.len)
		add_line(c, level, "%s: files that would change: %s",
			 c->s->name, common_sb_str(&b));
	if (rc == 0 && prov)
		add_line(c, level,
			 "%s: provenance only: the same values, measured with toolchain archives of other sha256",
			 c->s->name);
	free(b.p);
	return rc;
}

/* ---- module tables ---- */

/* One committed entry of a module table. */
struct old_modentry {
	const char *lookup, *arch, *mod, *go, *h1;   /* borrowed */
	const cJSON *value;
};

struct old_mod {
	cJSON *doc;
	bool keys_go;
	struct old_modentry *e;
	size_t n;
};

/* Parse a committed module table JSON; false when it is not one. */
static bool old_mod_parse(const char *text, size_t len, struct old_mod *o)
{
	const cJSON *lookups, *l, *e;
	size_t n = 0;

	memset(o, 0, sizeof(*o));
	o->doc = cJSON_ParseWithLength(text, len);
	if (!o->doc || !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(o->doc,
									 "module")))
		return false;
	o->keys_go = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o->doc,
								    "keys_go"));
	lookups = cJSON_GetObjectItemCaseSensitive(o->doc, "lookups");
	cJSON_ArrayForEach(l, lookups)
		n += (size_t)cJSON_GetArraySize(
			cJSON_GetObjectItemCaseSensitive(l, "entries"));
	o->e = calloc(n ? n : 1, sizeof(*o->e));
	if (!o->e)
		return false;
	cJSON_ArrayForEach(l, lookups) {
		const char *name = jstr(l, "name");

		cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(l, "entries")) {
			struct old_modentry *x = &o->e[o->n];

			x->lookup = name;
			x->arch = jstr(e, "arch");
			x->mod = jstr(e, "module_version");
			x->go = jstr(e, "go_version");
			x->h1 = jstr(e, "module_h1");
			x->value = cJSON_GetObjectItemCaseSensitive(e, "value");
			if (!x->lookup || !x->arch || !x->mod || !x->go ||
			    !x->value)
				return false;
			o->n++;
		}
	}
	return true;
}

static void old_mod_free(struct old_mod *o)
{
	free(o->e);
	cJSON_Delete(o->doc);
}

/* Module versions of `arch` present on one side only. */
static void mod_versions_diff(struct ctx *c, const struct old_mod *o,
			      const char *arch, bool new_side)
{
	struct common_sb b = { 0 };
	size_t l, i, k, n;

	for (l = 0; l < c->s->nlookups; l++) {
		const struct lutgen_entry *e =
			lutgen_table_entries(c->t, l, arch, &n);

		if (new_side) {
			for (i = 0; i < n; i++) {
				bool found = false;

				if (i > 0 && rungo_modver_cmp(&e[i - 1].module,
							      &e[i].module) == 0)
					continue;
				for (k = 0; k < o->n && !found; k++)
					found = strcmp(o->e[k].arch, arch) == 0 &&
						strcmp(o->e[k].mod, e[i].module.str) == 0;
				if (!found && !strstr(common_sb_str(&b), e[i].module.str))
					common_sb_printf(&b, " %s", e[i].module.str);
			}
		} else if (l == 0) {
			for (k = 0; k < o->n; k++) {
				bool found = false;

				if (strcmp(o->e[k].arch, arch) != 0 ||
				    strstr(common_sb_str(&b), o->e[k].mod))
					continue;
				for (i = 0; i < n && !found; i++)
					found = strcmp(e[i].module.str, o->e[k].mod) == 0;
				if (!found)
					common_sb_printf(&b, " %s", o->e[k].mod);
			}
		}
	}
	if (b.oom)
		c->rc = -ENOMEM;
	else if (b.len)
		add_line(c, LUTGEN_DRIFT_VALUES, "%s: %s module versions (%s):%s", c->s->name,
			 new_side ? "new" : "removed", arch, common_sb_str(&b));
	free(b.p);
}

/* Values and zip hashes of (lookup, arch, module version, Go version) on
 * both sides. */
static void mod_values_diff(struct ctx *c, const struct old_mod *o)
{
	size_t l, a, i, k, n;

	for (l = 0; l < c->s->nlookups && !c->rc; l++) {
		for (a = 0; a < c->s->narches && !c->rc; a++) {
			const char *arch = c->s->arches[a];
			const struct lutgen_entry *e =
				lutgen_table_entries(c->t, l, arch, &n);

			for (i = 0; i < n && !c->rc; i++) {
				char gv[RUNGO_VERSION_STR_MAX], ov[128], nv[128];
				struct lutgen_value old;

				rungo_version_str(&e[i].version, gv);
				for (k = 0; k < o->n; k++)
					if (strcmp(o->e[k].lookup, c->s->lookups[l].name) == 0 &&
					    strcmp(o->e[k].arch, arch) == 0 &&
					    strcmp(o->e[k].mod, e[i].module.str) == 0 &&
					    strcmp(o->e[k].go, gv) == 0)
						break;
				if (k == o->n)
					continue;
				if (l == 0 && o->e[k].h1 &&
				    strcmp(o->e[k].h1, e[i].module_h1) != 0)
					add_line(c, true,
						 "%s: module zip changed (%s): %s: %s -> %s",
						 c->s->name, arch, e[i].module.str,
						 o->e[k].h1, e[i].module_h1);
				if (lutgen_value_from_json(
					    o->e[k].value, c->s->lookups[l].kind,
					    &old, "drift", NULL) != 0)
					continue;
				if (lutgen_value_cmp(&old, &e[i].value) != 0) {
					valstr(&old, ov, sizeof(ov));
					valstr(&e[i].value, nv, sizeof(nv));
					add_line(c, LUTGEN_DRIFT_VALUES, "%s: %s/%s: %s -> %s in %s with %s",
						 c->s->name, c->s->lookups[l].name,
						 arch, ov, nv, e[i].module.str, gv);
				}
				lutgen_value_free(&old);
			}
		}
	}
}

static int mod_drift_check(struct ctx *c, const char *out_dir,
			   const char *path, struct common_err *err)
{
	struct old_mod o;
	struct common_sb b = { 0 };
	char *text = NULL;
	size_t len = 0, a;
	bool json_only = false, have_old = false;
	int rc;

	rc = common_fs_read_file(path, 0, &text, &len, NULL);
	if (rc == -ENOMEM)
		return common_err_set(err, rc, "drift: out of memory");
	memset(&o, 0, sizeof(o));
	if (!text) {
		add_line(c, LUTGEN_DRIFT_VALUES, "%s: new table (%s does not exist)", c->s->name,
			 path);
	} else if (!old_mod_parse(text, len, &o)) {
		add_line(c, LUTGEN_DRIFT_VALUES, "%s: %s is not a readable module table: it will be rewritten",
			 c->s->name, path);
	} else {
		have_old = true;
	}
	if (have_old) {
		if (o.keys_go != lutgen_table_keys_go(c->t))
			add_line(c, LUTGEN_DRIFT_VALUES, "%s: %s keyed by the Go version (%s)",
				 c->s->name,
				 lutgen_table_keys_go(c->t) ? "now" : "no longer",
				 lutgen_table_go_evidence(c->t));
		for (a = 0; a < c->s->narches; a++) {
			mod_versions_diff(c, &o, c->s->arches[a], true);
			mod_versions_diff(c, &o, c->s->arches[a], false);
		}
		mod_values_diff(c, &o);
	}
	old_mod_free(&o);
	free(text);
	if (c->rc)
		return common_err_set(err, c->rc, "drift %s: out of memory",
				      c->s->name);
	rc = check_files(c, out_dir, &b, &json_only, err);
	if (rc == 0 && b.len)
		add_line(c, LUTGEN_DRIFT_VALUES, "%s: files that would change: %s",
			 c->s->name, common_sb_str(&b));
	free(b.p);
	return rc;
}

/* A copy of a module table (its provenance is not kept: a changed
 * toolchain or module zip is a change of the table). */
static int mod_table_copy(const struct lutgen_table *t,
			  struct lutgen_table **out, struct common_err *err)
{
	const struct lutgen_spec *s = lutgen_table_spec(t);
	const struct lutgen_entry *e;
	size_t l, a, i, n;
	int rc;

	rc = lutgen_table_new(s, out, err);
	if (rc)
		return rc;
	lutgen_table_set_keys_go(*out, lutgen_table_keys_go(t));
	if (lutgen_table_set_go_evidence(*out, lutgen_table_go_evidence(t)))
		return common_err_set(err, -ENOMEM, "drift: out of memory");
	for (l = 0; rc == 0 && l < s->nlookups; l++)
		for (a = 0; rc == 0 && a < s->narches; a++) {
			e = lutgen_table_entries(t, l, s->arches[a], &n);
			for (i = 0; rc == 0 && i < n; i++)
				rc = lutgen_table_add_module(
					*out, l, s->arches[a], &e[i].module,
					e[i].module_h1, &e[i].version,
					e[i].toolchain_sha256, &e[i].value, err);
		}
	return rc;
}



int lutgen_drift_keep_provenance(const struct lutgen_table *t,
				 const char *out_dir,
				 struct lutgen_table **out,
				 struct common_err *err)
{
	struct old_table o = { 0 };
	struct ctx c;
	char path[4096], why[COMMON_ERR_MSG_SIZE];
	char *text = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (lutgen_table_is_module(t))
		return mod_table_copy(t, out, err);
	memset(&c, 0, sizeof(c));
	c.t = t;
	c.s = lutgen_table_spec(t);
	if (json_path(out_dir, c.s->name, path, sizeof(path), err))
		return -ENAMETOOLONG;
	rc = common_fs_read_file(path, 0, &text, &len, NULL);
	if (rc == 0)
		rc = old_parse(text, len, &o, why, sizeof(why));
	if (rc == -ENOMEM) {
		rc = common_err_set(err, rc, "drift: out of memory");
		goto out;
	}
	/* Nothing usable committed: every hash is new. */
	rc = table_with_old_shas(&c, rc == 0 ? &o : NULL, out, err);
out:
	old_free(&o);
	free(text);
	return rc;
}

int lutgen_drift_new(struct lutgen_drift **out, struct common_err *err)
{
	struct lutgen_drift *d;

	if (!out)
		return common_err_set(err, -EINVAL, "drift: NULL argument");
	d = calloc(1, sizeof(*d));
	if (!d || !(d->specs = cJSON_CreateArray())) {
		free(d);
		return common_err_set(err, -ENOMEM, "drift: out of memory");
	}
	*out = d;
	return 0;
}

void lutgen_drift_free(struct lutgen_drift *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->nlines; i++)
		free(d->lines[i]);
	free(d->lines);
	cJSON_Delete(d->specs);
	free(d);
}

/* The spec's JSON object in d->specs, with its lines array. */
static int start_spec(struct ctx *c, const char *path)
{
	c->js = cJSON_CreateObject();
	if (!c->js || !cJSON_AddItemToArray(c->d->specs, c->js)) {
		cJSON_Delete(c->js);
		return -ENOMEM;
	}
	c->jlines = cJSON_AddArrayToObject(c->js, "lines");
	if (!c->jlines || !cJSON_AddStringToObject(c->js, "name", c->s->name) ||
	    !cJSON_AddStringToObject(c->js, "json_file", path))
		return -ENOMEM;
	return 0;
}

/* Read the committed <name>.json: *text (NULL when missing), and *have_old
 * when it parsed into o; a missing or damaged file is drift, not an
 * error. */
static int load_old(struct ctx *c, const char *path, struct old_table *o,
		    char **text, size_t *len, bool *have_old)
{
	char why[COMMON_ERR_MSG_SIZE];
	int rc;

	*have_old = false;
	if (common_fs_read_file(path, 0, text, len, NULL) == -ENOMEM)
		return -ENOMEM;
	if (!*text) {
		add_line(c, LUTGEN_DRIFT_VALUES,
			 "%s: new table (%s does not exist)", c->s->name, path);
	} else {
		why[0] = '\0';
		rc = old_parse(*text, *len, o, why, sizeof(why));
		if (rc == -ENOMEM)
			return rc;
		if (rc) {
			add_line(c, LUTGEN_DRIFT_VALUES,
				 "%s: %s unreadable (%s): it will be rewritten",
				 c->s->name, path, why);
			old_free(o);
		} else {
			*have_old = true;
		}
	}
	if (!cJSON_AddBoolToObject(c->js, "old_exists", *text != NULL))
		return -ENOMEM;
	return c->rc;
}

/* The spec's verdict: "up to date" when nothing differs, its level. */
static int finish_spec(struct ctx *c)
{
	if (c->level == LUTGEN_DRIFT_NONE)
		add_line(c, LUTGEN_DRIFT_NONE, "%s: up to date", c->s->name);
	if (c->rc ||
	    !cJSON_AddBoolToObject(c->js, "drift",
				   c->level != LUTGEN_DRIFT_NONE) ||
	    !cJSON_AddStringToObject(c->js, "drift_kind",
				     lutgen_drift_name(c->level)))
		return c->rc ? c->rc : -ENOMEM;
	if (c->level > c->d->level)
		c->d->level = c->level;
	return 0;
}

int lutgen_drift_check(struct lutgen_drift *d, const struct lutgen_table *t,
		       const char *out_dir, struct common_err *err)
{
	struct old_table o = { 0 };
	struct ctx c;
	char path[4096];
	char *text = NULL;
	size_t len = 0;
	bool have_old = false;
	int rc;

	if (!d || !t || !out_dir || !lutgen_table_spec(t))
		return common_err_set(err, -EINVAL, "drift: NULL argument");
	memset(&c, 0, sizeof(c));
	c.d = d;
	c.t = t;
	c.s = lutgen_table_spec(t);
	if (json_path(out_dir, c.s->name, path, sizeof(path), err))
		return -ENAMETOOLONG;
	rc = start_spec(&c, path);
	if (rc == 0 && lutgen_table_is_module(t)) {
		rc = mod_drift_check(&c, out_dir, path, err);
		if (rc)
			return rc;
		rc = finish_spec(&c);
		return rc ? common_err_set(err, rc, "drift %s: out of memory",
					   c.s->name) : 0;
	}
	if (rc == 0)
		rc = load_old(&c, path, &o, &text, &len, &have_old);
	if (rc == 0 && have_old) {
		check_lookups(&c, &o);
		check_versions(&c, &o);
		check_values(&c, &o);
	}
	if (rc == 0) {
		check_notes(&c, &o);
		rc = c.rc;
	}
	if (rc == 0) {
		/* Fills err itself. */
		rc = report_files(&c, &o, have_old, text, len, out_dir, err);
		if (rc == 0)
			rc = finish_spec(&c);
		else
			goto out;
	}
	if (rc)
		common_err_set(err, rc, "drift %s: %s", c.s->name,
			       rc == -ENOMEM ? "out of memory" : strerror(-rc));
out:
	old_free(&o);
	free(text);
	return rc;
}

bool lutgen_drift_any(const struct lutgen_drift *d)
{
	return d && d->level != LUTGEN_DRIFT_NONE;
}

const char *lutgen_drift_name(enum lutgen_drift_level d)
{
	switch (d) {
	case LUTGEN_DRIFT_NONE:
		return "none";
	case LUTGEN_DRIFT_PROVENANCE:
		return "provenance";
	case LUTGEN_DRIFT_VALUES:
		break;
	}
	return "values";
}

enum lutgen_drift_level lutgen_drift_level(const struct lutgen_drift *d)
{
	return d ? d->level : LUTGEN_DRIFT_NONE;
}

const char *const *lutgen_drift_lines(const struct lutgen_drift *d, size_t *n)
{
	if (n)
		*n = d ? d->nlines : 0;
	return d ? (const char *const *)d->lines : NULL;
}

cJSON *lutgen_drift_json(const struct lutgen_drift *d)
{
	cJSON *o, *specs;

	if (!d)
		return NULL;
	o = cJSON_CreateObject();
	specs = cJSON_Duplicate(d->specs, 1);
	if (!o || !specs ||
	    !cJSON_AddBoolToObject(o, "drift", d->level != LUTGEN_DRIFT_NONE) ||
	    !cJSON_AddStringToObject(o, "drift_kind",
				     lutgen_drift_name(d->level)) ||
	    !cJSON_AddItemToObject(o, "specs", specs)) {
		cJSON_Delete(specs);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}
