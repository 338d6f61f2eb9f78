/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/value_json.c - the one JSON spelling of a measured value
 * (lutgen/core/value.h), used by the result cache, results files and the
 * generated JSON.
 */
#include "lutgen/core/value.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/core/json.h"

cJSON *lutgen_value_to_json(const struct lutgen_value *v)
{
	cJSON *arr = NULL, *p, *pieces, *pc;
	size_t i, j;

	if (!v)
		return NULL;
	if (v->absent)
		return cJSON_CreateNull();
	if (v->kind == LUTGEN_LOOKUP_CONST)
		return cJSON_CreateNumber((double)(int64_t)v->u);
	if (!lutgen_lookup_kind_is_locations(v->kind))
		return cJSON_CreateNumber((double)v->u);
	arr = cJSON_CreateArray();
	if (!arr)
		return NULL;
	for (i = 0; i < v->nparams; i++) {
		const struct lutgen_param *pa = &v->params[i];

		p = cJSON_CreateObject();
		if (!p || !cJSON_AddItemToArray(arr, p))
			goto oom_p;
		if (!cJSON_AddStringToObject(p, "name",
					     pa->name ? pa->name : "") ||
		    !cJSON_AddNumberToObject(p, "size", (double)pa->size))
			goto oom;
		pieces = cJSON_AddArrayToObject(p, "pieces");
		if (!pieces)
			goto oom;
		for (j = 0; j < pa->npieces; j++) {
			const struct lutgen_piece *x = &pa->pieces[j];

			pc = cJSON_CreateObject();
			if (!pc || !cJSON_AddItemToArray(pieces, pc)) {
				cJSON_Delete(pc);
				goto oom;
			}
			if (x->kind == LUTGEN_PIECE_REG) {
				if (!cJSON_AddStringToObject(pc, "kind", "reg") ||
				    !cJSON_AddNumberToObject(pc, "reg", x->reg) ||
				    !cJSON_AddStringToObject(pc, "reg_name",
							     x->reg_name))
					goto oom;
			} else if (!cJSON_AddStringToObject(pc, "kind",
							    x->kind == LUTGEN_PIECE_TLS ?
							    "tls" : "stack") ||
				   !cJSON_AddNumberToObject(
					   pc, "stack_offset",
					   (double)x->stack_offset)) {
				goto oom;
			}
			if (!cJSON_AddNumberToObject(pc, "size",
						     (double)x->size))
				goto oom;
		}
	}
	return arr;
oom_p:
	cJSON_Delete(p);
oom:
	cJSON_Delete(arr);
	return NULL;
}

static int parse_piece(const cJSON *j, const char *where,
		       struct lutgen_piece *pc, struct common_err *err)
{
	const char *kind = cJSON_IsObject(j) ? lutgen_json_str(j, "kind") : NULL;
	const char *name;
	int64_t reg;
	int rc, w;

	memset(pc, 0, sizeof(*pc));
	if (!kind)
		return common_err_set(err, -EINVAL,
				      "%s: expected a piece {\"kind\": \"reg\"|\"stack\"|\"tls\", ...}",
				      where);
	if (strcmp(kind, "reg") == 0) {
		pc->kind = LUTGEN_PIECE_REG;
		rc = lutgen_json_int(j, "reg", where, &reg, err);
		if (rc)
			return rc;
		if (reg < 0 || reg > 65535)
			return common_err_set(err, -EINVAL,
					      "%s: register number %" PRId64 " out of range",
					      where, reg);
		pc->reg = (int)reg;
		name = lutgen_json_str(j, "reg_name");
		if (!name)
			return common_err_set(err, -EINVAL,
					      "%s: missing key 'reg_name'", where);
		w = snprintf(pc->reg_name, sizeof(pc->reg_name), "%s", name);
		if (w < 0 || (size_t)w >= sizeof(pc->reg_name))
			return common_err_set(err, -EINVAL,
					      "%s: register name '%s' too long",
					      where, name);
	} else if (strcmp(kind, "stack") == 0 || strcmp(kind, "tls") == 0) {
		pc->kind = kind[0] == 't' ? LUTGEN_PIECE_TLS : LUTGEN_PIECE_STACK;
		pc->reg = -1;
		rc = lutgen_json_int(j, "stack_offset", where, &pc->stack_offset, err);
		if (rc)
			return rc;
	} else {
		return common_err_set(err, -EINVAL,
				      "%s: piece kind '%s' (expected reg, stack or tls)",
				      where, kind);
	}
	return lutgen_json_uint(j, "size", where, &pc->size, err);
}

/* {"name", "size", "pieces": [...]} into pa (the caller frees it). */
static int parse_param(const cJSON *p, const char *where,
		       struct lutgen_param *pa, struct common_err *err)
{
	const char *name = cJSON_IsObject(p) ? lutgen_json_str(p, "name") : NULL;
	const cJSON *pcs, *pc;
	size_t k = 0;
	int rc;

	if (!name)
		return common_err_set(err, -EINVAL,
				      "%s: expected {\"name\", \"size\", \"pieces\"}",
				      where);
	pa->name = strdup(name);
	if (!pa->name)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = lutgen_json_uint(p, "size", where, &pa->size, err);
	if (rc)
		return rc;
	pcs = cJSON_GetObjectItemCaseSensitive(p, "pieces");
	if (!cJSON_IsArray(pcs))
		return common_err_set(err, -EINVAL,
				      "%s: key 'pieces': expected an array",
				      where);
	pa->npieces = (size_t)cJSON_GetArraySize(pcs);
	if (pa->npieces) {
		pa->pieces = calloc(pa->npieces, sizeof(*pa->pieces));
		if (!pa->pieces) {
			pa->npieces = 0;
			return common_err_set(err, -ENOMEM, "out of memory");
		}
	}
	cJSON_ArrayForEach(pc, pcs) {
		rc = parse_piece(pc, where, &pa->pieces[k++], err);
		if (rc)
			return rc;
	}
	return 0;
}

/* A location value (func_params, func_results, g_location): the list. */
static int parse_params(const cJSON *j, const char *where,
			struct lutgen_value *v, struct common_err *err)
{
	const cJSON *p;
	char pwhere[512];
	size_t i = 0;
	int rc;

	if (!cJSON_IsArray(j))
		return common_err_set(err, -EINVAL,
				      "%s: expected the location list of a %s value",
				      where, lutgen_lookup_kind_name(v->kind));
	v->nparams = (size_t)cJSON_GetArraySize(j);
	if (v->nparams) {
		v->params = calloc(v->nparams, sizeof(*v->params));
		if (!v->params) {
			v->nparams = 0;
			return common_err_set(err, -ENOMEM, "out of memory");
		}
	}
	cJSON_ArrayForEach(p, j) {
		snprintf(pwhere, sizeof(pwhere), "%s: parameter %zu", where, i);
		rc = parse_param(p, pwhere, &v->params[i++], err);
		if (rc)
			return rc;
	}
	return 0;
}

int lutgen_value_from_json(const cJSON *j, enum lutgen_lookup_kind kind,
			   struct lutgen_value *out, const char *where,
			   struct common_err *err)
{
	struct lutgen_value v;
	int rc = 0;

	if (!out)
		return common_err_set(err, -EINVAL, "value: NULL argument");
	memset(&v, 0, sizeof(v));
	memset(out, 0, sizeof(*out));
	v.kind = kind;
	if (cJSON_IsNull(j)) {
		v.absent = true;
	} else if (kind == LUTGEN_LOOKUP_CONST) {
		int64_t c = 0;

		rc = lutgen_json_int(j, NULL, where, &c, err);
		v.u = (uint64_t)c;
	} else if (!lutgen_lookup_kind_is_locations(kind)) {
		rc = lutgen_json_uint(j, NULL, where, &v.u, err);
	} else {
		rc = parse_params(j, where, &v, err);
	}
	if (rc) {
		lutgen_value_free(&v);
		return rc;
	}
	*out = v;
	return 0;
}

int lutgen_value_matched_to_json(const struct lutgen_value *v, cJSON **out)
{
	cJSON *o;

	*out = NULL;
	if (!v->match_type && !v->match_field && !v->match_function &&
	    !v->match_const)
		return 0;
	o = cJSON_CreateObject();
	if (!o ||
	    (v->match_type &&
	     !cJSON_AddStringToObject(o, "type", v->match_type)) ||
	    (v->match_field &&
	     !cJSON_AddStringToObject(o, "field", v->match_field)) ||
	    (v->match_function &&
	     !cJSON_AddStringToObject(o, "function", v->match_function)) ||
	    (v->match_const &&
	     !cJSON_AddStringToObject(o, "const", v->match_const))) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	*out = o;
	return 0;
}

int lutgen_value_matched_from_json(const cJSON *j, struct lutgen_value *v)
{
	static const char *const keys[] = { "type", "field", "function",
					    "const" };
	char **dst[] = { &v->match_type, &v->match_field, &v->match_function,
			 &v->match_const };
	const cJSON *it;
	size_t k;

	if (!j)
		return 0;
	if (!cJSON_IsObject(j))
		return -EINVAL;
	for (it = j->child; it; it = it->next) {
		for (k = 0; k < 4; k++)
			if (strcmp(it->string, keys[k]) == 0)
				break;
		if (k == 4 || !cJSON_IsString(it) || *dst[k])
			return -EINVAL;
		*dst[k] = strdup(it->valuestring);
		if (!*dst[k])
			return -ENOMEM;
	}
	return 0;
}
