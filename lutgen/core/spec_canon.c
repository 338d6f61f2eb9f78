/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/spec_canon.c - copying a spec and its canonical JSON
 * (lutgen/core/spec.h).
 */
#include "lutgen/core/spec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"

/* ---- copy --------------------------------------------------------------- */

/* strdup that keeps NULL; sets *ok = false when out of memory. */
static char *dup_opt(const char *s, bool *ok)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

static bool alts_copy(struct lutgen_alts *dst, const struct lutgen_alts *src)
{
	bool ok = true;
	size_t i;

	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return true;
	dst->v = calloc(src->n, sizeof(*dst->v));
	if (!dst->v)
		return false;
	dst->n = src->n;
	for (i = 0; i < src->n; i++)
		dst->v[i] = dup_opt(src->v[i], &ok);
	return ok;
}

/* The first spelling of each key points into its list. */
static const char *first(const struct lutgen_alts *a)
{
	return a->n ? a->v[0] : NULL;
}

static bool lookup_copy(struct lutgen_lookup *dst,
			const struct lutgen_lookup *src)
{
	bool ok = true;

	memset(dst, 0, sizeof(*dst));
	dst->name = dup_opt(src->name, &ok);
	dst->doc = dup_opt(src->doc, &ok);
	dst->kind = src->kind;
	dst->optional = src->optional;
	ok = alts_copy(&dst->types, &src->types) && ok;
	ok = alts_copy(&dst->fields, &src->fields) && ok;
	ok = alts_copy(&dst->functions, &src->functions) && ok;
	ok = alts_copy(&dst->consts, &src->consts) && ok;
	dst->type = (char *)first(&dst->types);
	dst->field = (char *)first(&dst->fields);
	dst->function = (char *)first(&dst->functions);
	dst->konst = (char *)first(&dst->consts);
	return ok;
}

int lutgen_spec_copy(const struct lutgen_spec *src, struct lutgen_spec **out,
		     struct common_err *err)
{
	struct lutgen_spec *s;
	bool ok = true;
	size_t i;

	*out = NULL;
	if (!src)
		return common_err_set(err, -EINVAL, "spec copy: NULL spec");
	s = calloc(1, sizeof(*s));
	if (!s)
		return common_err_set(err, -ENOMEM, "out of memory");
	s->path = dup_opt(src->path, &ok);
	s->name = dup_opt(src->name, &ok);
	s->doc = dup_opt(src->doc, &ok);
	s->program = dup_opt(src->program, &ok);
	s->min_version = src->min_version;
	s->policy = src->policy;
	if (src->narches) {
		s->arches = calloc(src->narches, sizeof(*s->arches));
		ok = ok && s->arches;
		for (i = 0; s->arches && i < src->narches; i++, s->narches++)
			s->arches[i] = dup_opt(src->arches[i], &ok);
	}
	if (src->module) {
		s->module = calloc(1, sizeof(*s->module));
		ok = ok && s->module;
		if (s->module) {
			*s->module = *src->module;
			s->module->path = dup_opt(src->module->path, &ok);
			s->module->skip = NULL;
			s->module->nskip = 0;
			if (src->module->nskip) {
				s->module->skip = calloc(
					src->module->nskip,
					sizeof(*s->module->skip));
				ok = ok && s->module->skip;
			}
			for (i = 0; s->module->skip &&
				    i < src->module->nskip;
			     i++, s->module->nskip++) {
				s->module->skip[i].version =
					src->module->skip[i].version;
				s->module->skip[i].why = dup_opt(
					src->module->skip[i].why, &ok);
			}
		}
	}
	if (src->nlookups) {
		s->lookups = calloc(src->nlookups, sizeof(*s->lookups));
		ok = ok && s->lookups;
		for (i = 0; s->lookups && i < src->nlookups; i++, s->nlookups++)
			ok = lookup_copy(&s->lookups[i], &src->lookups[i]) && ok;
	}
	if (!ok) {
		lutgen_spec_free(s);
		return common_err_set(err, -ENOMEM, "out of memory");
	}
	*out = s;
	return 0;
}

/* ---- canonical JSON ----------------------------------------------------- */

/* {"name", "doc"?, "kind", keys...}: with_doc for the spec's identity,
 * without for what a measurement depends on. */
static cJSON *lookup_json(const struct lutgen_lookup *l, bool with_doc)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "name", l->name) ||
	    (with_doc &&
	     !cJSON_AddStringToObject(o, "doc", l->doc ? l->doc : "")) ||
	    !cJSON_AddStringToObject(o, "kind",
				     lutgen_lookup_kind_name(l->kind)) ||
	    lutgen_lookup_keys_to_json(l, o) != 0) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *lookups_json(const struct lutgen_spec *s, bool with_doc)
{
	cJSON *arr = cJSON_CreateArray(), *lo;
	size_t i;

	for (i = 0; arr && i < s->nlookups; i++) {
		lo = lookup_json(&s->lookups[i], with_doc);
		if (!lo || !cJSON_AddItemToArray(arr, lo)) {
			cJSON_Delete(lo);
			cJSON_Delete(arr);
			return NULL;
		}
	}
	return arr;
}

static cJSON *spec_json(const struct lutgen_spec *s)
{
	char minv[RUNGO_VERSION_STR_MAX];
	cJSON *o = cJSON_CreateObject(), *arr, *lo = NULL;
	size_t i;

	rungo_version_format(&s->min_version, minv, sizeof(minv));
	if (!o || !cJSON_AddStringToObject(o, "name", s->name) ||
	    !cJSON_AddStringToObject(o, "doc", s->doc ? s->doc : "") ||
	    !cJSON_AddStringToObject(o, "program", s->program) ||
	    !cJSON_AddStringToObject(o, "min_version", minv))
		goto fail;
	arr = cJSON_AddArrayToObject(o, "arches");
	for (i = 0; arr && i < s->narches; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(s->arches[i])))
			goto fail;
	if (!arr ||
	    !cJSON_AddStringToObject(o, "policy", rungo_policy_name(s->policy)) ||
	    lutgen_spec_module_to_json(s, o) != 0)
		goto fail;
	lo = lookups_json(s, true);
	if (!lo || !cJSON_AddItemToObject(o, "lookups", lo))
		goto fail;
	return o;
fail:
	cJSON_Delete(lo);
	cJSON_Delete(o);
	return NULL;
}

int lutgen_spec_canonical(const struct lutgen_spec *s, char **json,
			  char sha256[COMMON_SHA256_HEX_SIZE],
			  struct common_err *err)
{
	cJSON *o;
	char *text;

	if (!s || !json)
		return common_err_set(err, -EINVAL, "spec canonical: NULL argument");
	o = spec_json(s);
	text = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	if (!text)
		return common_err_set(err, -ENOMEM, "out of memory");
	if (sha256)
		common_sha256_buf(text, strlen(text), sha256);
	*json = text;
	return 0;
}

char *lutgen_spec_lookups_canonical(const struct lutgen_spec *s)
{
	cJSON *arr = lookups_json(s, false);
	char *text = arr ? cJSON_PrintUnformatted(arr) : NULL;

	cJSON_Delete(arr);
	return text;
}
