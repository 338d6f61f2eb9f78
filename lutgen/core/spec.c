/* SPDX-License-Identifier: MIT */
/* Table specs: load lutgen/specs/<name>.json and validate every key. */
#include "lutgen/core/spec.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rungo/goproxy.h"

/* GOARCH values `go build` accepts with GOOS=linux. */
static const char *const linux_arches[] = {
	"386",     "amd64",  "arm",      "arm64",  "loong64",
	"mips",    "mipsle", "mips64",   "mips64le", "ppc64",
	"ppc64le", "riscv64", "s390x",
};

/* C11 keywords and common macros a generated function must not be. */
static const char *const c_reserved[] = {
	"auto",     "break",    "case",     "char",     "const",
	"continue", "default",  "do",       "double",   "else",
	"enum",     "extern",   "float",    "for",      "goto",
	"if",       "inline",   "int",      "long",     "register",
	"restrict", "return",   "short",    "signed",   "sizeof",
	"static",   "struct",   "switch",   "typedef",  "union",
	"unsigned", "void",     "volatile", "while",    "bool",
	"true",     "false",    "_Alignas", "_Alignof", "_Atomic",
	"_Bool",    "_Complex", "_Generic", "_Imaginary", "_Noreturn",
	"_Static_assert", "_Thread_local",
};

static const char *const kind_names[] = {
	[LUTGEN_LOOKUP_STRUCT_OFFSET] = "struct_offset",
	[LUTGEN_LOOKUP_TYPE_SIZE] = "type_size",
	[LUTGEN_LOOKUP_FUNC_PARAMS] = "func_params",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *json_type_name(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "an invalid value";
}

bool lutgen_spec_is_c_identifier(const char *s)
{
	size_t i;

	if (!s || !s[0] || !((s[0] >= 'a' && s[0] <= 'z') ||
		       (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_'))
		return false;
	for (i = 1; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	for (i = 0; i < ARRAY_LEN(c_reserved); i++)
		if (strcmp(s, c_reserved[i]) == 0)
			return false;
	return true;
}

/* A Go type, field path or function name: printable, no spaces. */
static bool is_go_name(const char *s)
{
	size_t i;

	if (!s[0])
		return false;
	for (i = 0; s[i]; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
			return false;
	return true;
}

/* A program directory name: one path component, no dot files. */
static bool is_dir_name(const char *s)
{
	size_t i;

	if (!s[0] || s[0] == '.')
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		      s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

static bool is_linux_arch(const char *s)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(linux_arches); i++)
		if (strcmp(s, linux_arches[i]) == 0)
			return true;
	return false;
}

/* `where` is "<origin>" or "<origin>: lookup 2 (name)". */
static int check_no_duplicate_keys(const cJSON *obj, const char *where,
				   struct common_err *err)
{
	const cJSON *a, *b;

	for (a = obj->child; a; a = a->next)
		for (b = a->next; b; b = b->next)
			if (strcmp(a->string, b->string) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: key '%s' appears twice",
						      where, a->string);
	return 0;
}

static int check_known_keys(const cJSON *obj, const char *const *known,
			    size_t nknown, const char *where,
			    struct common_err *err)
{
	const cJSON *it;
	size_t i;

	for (it = obj->child; it; it = it->next) {
		for (i = 0; i < nknown; i++)
			if (strcmp(it->string, known[i]) == 0)
				break;
		if (i == nknown)
			return common_err_set(err, -EINVAL,
					      "%s: unknown key '%s'", where,
					      it->string);
	}
	return check_no_duplicate_keys(obj, where, err);
}

/* Fetch string member `key`: -ENOENT when absent and !required (and *out
 * left NULL), -EINVAL on a wrong type or a missing required key. */
static int get_string(const cJSON *obj, const char *key, bool required,
		      const char *where, const char **out,
		      struct common_err *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!j) {
		if (required)
			return common_err_set(err, -EINVAL,
					      "%s: missing key '%s'", where, key);
		return -ENOENT;
	}
	if (!cJSON_IsString(j) || !j->valuestring)
		return common_err_set(err, -EINVAL,
				      "%s: key '%s': expected a string, got %s",
				      where, key, json_type_name(j));
	*out = j->valuestring;
	return 0;
}

static int dup_into(char **dst, const char *src, struct common_err *err)
{
	*dst = strdup(src ? src : "");
	if (!*dst)
		return common_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

static int kind_parse(const char *s, enum lutgen_lookup_kind *out)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(kind_names); i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum lutgen_lookup_kind)i;
			return 0;
		}
	return -EINVAL;
}

static void alts_free(struct lutgen_alts *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Key `key` as a string or a non-empty list of distinct strings, each a Go
 * name (`what` says which kind in errors).  Absent: a->n == 0. */
static int get_alts(const cJSON *obj, const char *key, const char *what,
		    const char *where, struct lutgen_alts *a,
		    struct common_err *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);
	const cJSON *it;
	size_t n, i;

	if (!j)
		return 0;
	if (cJSON_IsString(j) && j->valuestring) {
		n = 1;
	} else if (cJSON_IsArray(j)) {
		n = (size_t)cJSON_GetArraySize(j);
		if (n == 0)
			return common_err_set(err, -EINVAL,
					      "%s: key '%s': an empty list (give at least one %s)",
					      where, key, what);
	} else {
		return common_err_set(err, -EINVAL,
				      "%s: key '%s': expected a string or a list of strings, got %s",
				      where, key, json_type_name(j));
	}
	a->v = calloc(n, sizeof(*a->v));
	if (!a->v)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (it = cJSON_IsArray(j) ? j->child : j; it && a->n < n;
	     it = it->next) {
		if (!cJSON_IsString(it) || !it->valuestring)
			return common_err_set(err, -EINVAL,
					      "%s: key '%s': element %zu: expected a string, got %s",
					      where, key, a->n, json_type_name(it));
		if (!is_go_name(it->valuestring))
			return common_err_set(err, -EINVAL,
					      "%s: key '%s': \"%s\" is not a %s",
					      where, key, it->valuestring, what);
		for (i = 0; i < a->n; i++)
			if (strcmp(a->v[i], it->valuestring) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: key '%s': \"%s\" listed twice",
						      where, key, it->valuestring);
		a->v[a->n] = strdup(it->valuestring);
		if (!a->v[a->n])
			return common_err_set(err, -ENOMEM, "out of memory");
		a->n++;
	}
	return 0;
}

static int parse_lookup(const cJSON *j, size_t idx, const char *origin,
			struct lutgen_lookup *l, struct common_err *err)
{
	static const char *const known[] = { "name", "doc", "kind", "type",
					     "field", "function", "optional" };
	char where[512];
	const char *name = NULL, *doc = NULL, *kind = NULL;
	const cJSON *nm, *opt;
	bool type, field, function;
	int rc;

	/* Name the lookup by its name when it has a usable one. */
	nm = cJSON_IsObject(j) ? cJSON_GetObjectItemCaseSensitive(j, "name")
			       : NULL;
	if (nm && cJSON_IsString(nm) && nm->valuestring)
		rc = snprintf(where, sizeof(where), "%s: lookups[%zu] (%s)",
			      origin, idx, nm->valuestring);
	else
		rc = snprintf(where, sizeof(where), "%s: lookups[%zu]", origin,
			      idx);
	if (rc < 0 || (size_t)rc >= sizeof(where))
		where[sizeof(where) - 1] = '\0'; /* truncated name is fine */

	if (!cJSON_IsObject(j))
		return common_err_set(err, -EINVAL,
				      "%s: expected an object, got %s", where,
				      json_type_name(j));
	rc = check_known_keys(j, known, ARRAY_LEN(known), where, err);
	if (rc)
		return rc;
	if ((rc = get_string(j, "name", true, where, &name, err)) ||
	    (rc = get_string(j, "kind", true, where, &kind, err)))
		return rc;
	if ((rc = get_string(j, "doc", false, where, &doc, err)) == -EINVAL)
		return rc;
	if ((rc = get_alts(j, "type", "Go type name", where, &l->types, err)) ||
	    (rc = get_alts(j, "field", "field path", where, &l->fields, err)) ||
	    (rc = get_alts(j, "function", "Go function name", where,
			   &l->functions, err)))
		return rc;
	opt = cJSON_GetObjectItemCaseSensitive(j, "optional");
	if (opt && !cJSON_IsBool(opt))
		return common_err_set(err, -EINVAL,
				      "%s: key 'optional': expected true or false, got %s",
				      where, json_type_name(opt));
	l->optional = opt && cJSON_IsTrue(opt);
	type = l->types.n > 0;
	field = l->fields.n > 0;
	function = l->functions.n > 0;

	if (!lutgen_spec_is_c_identifier(name))
		return common_err_set(err, -EINVAL,
				      "%s: key 'name': \"%s\" is not a C identifier",
				      where, name);
	if (kind_parse(kind, &l->kind) != 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'kind': unknown kind \"%s\" (use struct_offset, type_size or func_params)",
				      where, kind);

	switch (l->kind) {
	case LUTGEN_LOOKUP_STRUCT_OFFSET:
		if (!type || !field)
			return common_err_set(err, -EINVAL,
					      "%s: missing key '%s' (kind struct_offset needs 'type' and 'field')",
					      where, type ? "field" : "type");
		if (function)
			return common_err_set(err, -EINVAL,
					      "%s: key 'function' does not apply to kind struct_offset",
					      where);
		break;
	case LUTGEN_LOOKUP_TYPE_SIZE:
		if (!type)
			return common_err_set(err, -EINVAL,
					      "%s: missing key 'type' (kind type_size needs it)",
					      where);
		if (field || function)
			return common_err_set(err, -EINVAL,
					      "%s: key '%s' does not apply to kind type_size",
					      where, field ? "field" : "function");
		break;
	case LUTGEN_LOOKUP_FUNC_PARAMS:
		if (!function)
			return common_err_set(err, -EINVAL,
					      "%s: missing key 'function' (kind func_params needs it)",
					      where);
		if (type || field)
			return common_err_set(err, -EINVAL,
					      "%s: key '%s' does not apply to kind func_params",
					      where, type ? "type" : "field");
		break;
	}
	l->type = type ? l->types.v[0] : NULL;
	l->field = field ? l->fields.v[0] : NULL;
	l->function = function ? l->functions.v[0] : NULL;

	if ((rc = dup_into(&l->name, name, err)) ||
	    (rc = dup_into(&l->doc, doc, err)))
		return rc;
	return 0;
}

static int alts_to_json(const struct lutgen_alts *a, const char *key,
			cJSON *obj)
{
	cJSON *arr;
	size_t i;

	if (a->n == 0)
		return 0;
	if (a->n == 1)
		return cJSON_AddStringToObject(obj, key, a->v[0]) ? 0 : -ENOMEM;
	arr = cJSON_AddArrayToObject(obj, key);
	if (!arr)
		return -ENOMEM;
	for (i = 0; i < a->n; i++) {
		cJSON *s = cJSON_CreateString(a->v[i]);

		if (!s || !cJSON_AddItemToArray(arr, s)) {
			cJSON_Delete(s);
			return -ENOMEM;
		}
	}
	return 0;
}

int lutgen_lookup_keys_to_json(const struct lutgen_lookup *l, cJSON *obj)
{
	if (alts_to_json(&l->types, "type", obj) ||
	    alts_to_json(&l->fields, "field", obj) ||
	    alts_to_json(&l->functions, "function", obj))
		return -ENOMEM;
	if (l->optional && !cJSON_AddBoolToObject(obj, "optional", 1))
		return -ENOMEM;
	return 0;
}

static int parse_arches(const cJSON *j, const char *origin,
			struct lutgen_spec *s, struct common_err *err)
{
	const cJSON *it;
	size_t n = 0, i;

	if (!cJSON_IsArray(j))
		return common_err_set(err, -EINVAL,
				      "%s: key 'arches': expected an array of strings, got %s",
				      origin, json_type_name(j));
	n = (size_t)cJSON_GetArraySize(j);
	if (n == 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'arches': empty (list at least one GOARCH)",
				      origin);
	s->arches = calloc(n, sizeof(*s->arches));
	if (!s->arches)
		return common_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, j) {
		if (!cJSON_IsString(it) || !it->valuestring)
			return common_err_set(err, -EINVAL,
					      "%s: key 'arches': element %zu: expected a string, got %s",
					      origin, s->narches,
					      json_type_name(it));
		if (!is_linux_arch(it->valuestring))
			return common_err_set(err, -EINVAL,
					      "%s: key 'arches': unknown arch \"%s\" (a linux GOARCH such as amd64 or arm64)",
					      origin, it->valuestring);
		for (i = 0; i < s->narches; i++)
			if (strcmp(s->arches[i], it->valuestring) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: key 'arches': \"%s\" listed twice",
						      origin, it->valuestring);
		s->arches[s->narches] = strdup(it->valuestring);
		if (!s->arches[s->narches])
			return common_err_set(err, -ENOMEM, "out of memory");
		s->narches++;
	}
	return 0;
}

static int parse_lookups(const cJSON *j, const char *origin,
			 struct lutgen_spec *s, struct common_err *err)
{
	const cJSON *it;
	size_t n, i;
	int rc;

	if (!cJSON_IsArray(j))
		return common_err_set(err, -EINVAL,
				      "%s: key 'lookups': expected an array of objects, got %s",
				      origin, json_type_name(j));
	n = (size_t)cJSON_GetArraySize(j);
	if (n == 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'lookups': empty (a spec needs at least one lookup)",
				      origin);
	s->lookups = calloc(n, sizeof(*s->lookups));
	if (!s->lookups)
		return common_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, j) {
		struct lutgen_lookup *l = &s->lookups[s->nlookups];

		s->nlookups++; /* counted first so that free sees partial ones */
		rc = parse_lookup(it, s->nlookups - 1, origin, l, err);
		if (rc)
			return rc;
		for (i = 0; i + 1 < s->nlookups; i++)
			if (strcmp(s->lookups[i].name, l->name) == 0)
				return common_err_set(err, -EINVAL,
						      "%s: lookups[%zu] (%s): duplicate name (also lookups[%zu])",
						      origin, s->nlookups - 1,
						      l->name, i);
		if (strcmp(l->name, s->name) == 0)
			return common_err_set(err, -EINVAL,
					      "%s: lookups[%zu] (%s): name equals the spec's name",
					      origin, s->nlookups - 1, l->name);
	}
	return 0;
}

static int cmp_go_max(const void *a, const void *b)
{
	return rungo_modver_cmp(&((const struct lutgen_mod_go_max *)a)->version,
				&((const struct lutgen_mod_go_max *)b)->version);
}

/* module.go_max: {"vX.Y.Z": "go1.N", ...}. */
static int parse_go_max(const cJSON *j, const char *where,
			struct lutgen_spec_module *m, struct common_err *err)
{
	const cJSON *it;
	size_t n = 0, i;

	if (!j)
		return 0;
	if (!cJSON_IsObject(j))
		return common_err_set(err, -EINVAL,
				     "%s: key 'go_max': expected an object {\"module version\": \"go1.N\"}, got %s",
				     where, json_type_name(j));
	cJSON_ArrayForEach(it, j)
		n++;
	if (n == 0)
		return 0;
	m->go_max = calloc(n, sizeof(*m->go_max));
	if (!m->go_max)
		return common_err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, j) {
		struct lutgen_mod_go_max *g = &m->go_max[m->ngo_max];
		struct common_err e = { 0 };

		if (rungo_modver_parse(it->string, &g->version, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'go_max': \"%s\": %s",
					     where, it->string, e.msg);
		if (!cJSON_IsString(it) ||
		    rungo_version_parse(it->valuestring, &g->go, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'go_max': %s: expected a Go version such as \"go1.25\"",
					     where, it->string);
		m->ngo_max++;
	}
	qsort(m->go_max, m->ngo_max, sizeof(*m->go_max), cmp_go_max);
	for (i = 1; i < m->ngo_max; i++)
		if (cmp_go_max(&m->go_max[i - 1], &m->go_max[i]) == 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'go_max': %s given twice",
					     where, m->go_max[i].version.str);
	return 0;
}

static int parse_module(const cJSON *j, const char *origin,
			struct lutgen_spec *s, struct common_err *err)
{
	static const char *const known[] = { "path", "min_version",
					     "max_version", "policy",
					     "prerelease", "go", "go_max" };
	char where[512];
	const char *path = NULL, *minv = NULL, *maxv = NULL, *policy = NULL,
		   *go = NULL;
	const cJSON *pre;
	struct lutgen_spec_module *m;
	struct common_err e = { 0 };
	int rc;

	snprintf(where, sizeof(where), "%s: key 'module'", origin);
	if (!cJSON_IsObject(j))
		return common_err_set(err, -EINVAL,
				     "%s: expected an object, got %s", where,
				     json_type_name(j));
	rc = check_known_keys(j, known, ARRAY_LEN(known), where, err);
	if (rc)
		return rc;
	if ((rc = get_string(j, "path", true, where, &path, err)))
		return rc;
	if ((rc = get_string(j, "min_version", false, where, &minv, err)) ==
		    -EINVAL ||
	    (rc = get_string(j, "max_version", false, where, &maxv, err)) ==
		    -EINVAL ||
	    (rc = get_string(j, "policy", false, where, &policy, err)) ==
		    -EINVAL ||
	    (rc = get_string(j, "go", false, where, &go, err)) == -EINVAL)
		return rc;
	m = calloc(1, sizeof(*m));
	if (!m)
		return common_err_set(err, -ENOMEM, "out of memory");
	s->module = m;
	if (rungo_modpath_check(path, &e) != 0)
		return common_err_set(err, -EINVAL, "%s: key 'path': %s", where,
				     e.msg);
	if ((rc = dup_into(&m->path, path, err)))
		return rc;
	if (minv) {
		if (rungo_modver_parse(minv, &m->min_version, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'min_version': %s", where,
					     e.msg);
		m->has_min = true;
	}
	if (maxv) {
		if (rungo_modver_parse(maxv, &m->max_version, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'max_version': %s", where,
					     e.msg);
		m->has_max = true;
	}
	if (m->has_min && m->has_max &&
	    rungo_modver_cmp(&m->min_version, &m->max_version) > 0)
		return common_err_set(err, -EINVAL,
				     "%s: min_version %s is above max_version %s",
				     where, m->min_version.str,
				     m->max_version.str);
	if ((m->has_min &&
	     rungo_modpath_check_version(path, &m->min_version, &e) != 0) ||
	    (m->has_max &&
	     rungo_modpath_check_version(path, &m->max_version, &e) != 0))
		return common_err_set(err, -EINVAL, "%s: %s", where, e.msg);
	m->policy = RUNGO_POLICY_MINOR;
	if (policy && rungo_policy_parse(policy, &m->policy, NULL) != 0)
		return common_err_set(err, -EINVAL,
				     "%s: key 'policy': unknown policy \"%s\" (use minor, latest-patch or all)",
				     where, policy);
	pre = cJSON_GetObjectItemCaseSensitive(j, "prerelease");
	if (pre && !cJSON_IsBool(pre))
		return common_err_set(err, -EINVAL,
				     "%s: key 'prerelease': expected true or false, got %s",
				     where, json_type_name(pre));
	m->prerelease = pre && cJSON_IsTrue(pre);
	m->go = LUTGEN_MOD_GO_NEWEST;
	if (go && strcmp(go, "oldest") == 0) {
		m->go = LUTGEN_MOD_GO_OLDEST;
	} else if (go && strcmp(go, "newest") != 0) {
		if (rungo_version_parse(go, &m->go_fixed, &e) != 0)
			return common_err_set(err, -EINVAL,
					     "%s: key 'go': \"%s\" is neither newest, oldest nor a Go version (%s)",
					     where, go, e.msg);
		m->go = LUTGEN_MOD_GO_FIXED;
	}
	return parse_go_max(cJSON_GetObjectItemCaseSensitive(j, "go_max"),
			    where, m, err);
}

const struct rungo_version *
lutgen_spec_mod_go_max(const struct lutgen_spec_module *m,
		       const struct rungo_modver *v)
{
	size_t i;

	for (i = 0; m && i < m->ngo_max; i++)
		if (rungo_modver_cmp(&m->go_max[i].version, v) == 0)
			return &m->go_max[i].go;
	return NULL;
}

const char *lutgen_mod_go_name(const struct lutgen_spec_module *m, char *buf,
			       size_t size)
{
	switch (m->go) {
	case LUTGEN_MOD_GO_OLDEST:
		return "oldest";
	case LUTGEN_MOD_GO_FIXED:
		if (rungo_version_format(&m->go_fixed, buf, size) > 0)
			return buf;
		return "?";
	case LUTGEN_MOD_GO_NEWEST:
		break;
	}
	return "newest";
}

int lutgen_spec_module_to_json(const struct lutgen_spec *s, cJSON *obj)
{
	const struct lutgen_spec_module *m = s->module;
	char go[RUNGO_VERSION_STR_MAX];
	cJSON *o;

	if (!m)
		return 0;
	o = cJSON_AddObjectToObject(obj, "module");
	if (!o || !cJSON_AddStringToObject(o, "path", m->path) ||
	    (m->has_min &&
	     !cJSON_AddStringToObject(o, "min_version", m->min_version.str)) ||
	    (m->has_max &&
	     !cJSON_AddStringToObject(o, "max_version", m->max_version.str)) ||
	    !cJSON_AddStringToObject(o, "policy", rungo_policy_name(m->policy)) ||
	    !cJSON_AddBoolToObject(o, "prerelease", m->prerelease) ||
	    !cJSON_AddStringToObject(o, "go", lutgen_mod_go_name(m, go, sizeof(go))))
		return -ENOMEM;
	if (m->ngo_max) {
		cJSON *gm = cJSON_AddObjectToObject(o, "go_max");
		size_t i;

		for (i = 0; gm && i < m->ngo_max; i++) {
			/* A minor: "go1.25" covers every go1.25.x. */
			snprintf(go, sizeof(go), "go%d.%d",
				 m->go_max[i].go.major, m->go_max[i].go.minor);
			if (!cJSON_AddStringToObject(gm,
						     m->go_max[i].version.str,
						     go))
				return -ENOMEM;
		}
		if (!gm)
			return -ENOMEM;
	}
	return 0;
}

static int parse_root(const cJSON *root, const char *origin,
		      struct lutgen_spec *s, struct common_err *err)
{
	static const char *const known[] = { "name",	"doc",	  "program",
					     "min_version", "arches",
					     "policy",	"lookups", "module" };
	const char *name, *doc, *program, *minv, *policy;
	int rc;

	if (!cJSON_IsObject(root))
		return common_err_set(err, -EINVAL,
				      "%s: expected a JSON object, got %s", origin,
				      json_type_name(root));
	rc = check_known_keys(root, known, ARRAY_LEN(known), origin, err);
	if (rc)
		return rc;
	const cJSON *module = cJSON_GetObjectItemCaseSensitive(root, "module");

	if ((rc = get_string(root, "name", true, origin, &name, err)) ||
	    (rc = get_string(root, "program", true, origin, &program, err)))
		return rc;
	/* A module spec's Go floor is optional. */
	rc = get_string(root, "min_version", !module, origin, &minv, err);
	if (rc == -EINVAL)
		return rc;
	if (!minv)
		minv = "go1.13";
	if ((rc = get_string(root, "doc", false, origin, &doc, err)) ==
		    -EINVAL ||
	    (rc = get_string(root, "policy", false, origin, &policy, err)) ==
		    -EINVAL)
		return rc;
	if (!cJSON_GetObjectItemCaseSensitive(root, "arches"))
		return common_err_set(err, -EINVAL, "%s: missing key 'arches'",
				      origin);
	if (!cJSON_GetObjectItemCaseSensitive(root, "lookups"))
		return common_err_set(err, -EINVAL, "%s: missing key 'lookups'",
				      origin);

	if (!lutgen_spec_is_c_identifier(name))
		return common_err_set(err, -EINVAL,
				      "%s: key 'name': \"%s\" is not a C identifier",
				      origin, name);
	if (strcmp(name, "lutgen_go") == 0)
		return common_err_set(err, -EINVAL,
				      "%s: key 'name': \"lutgen_go\" is reserved for the shared generated files",
				      origin);
	if (!is_dir_name(program))
		return common_err_set(err, -EINVAL,
				      "%s: key 'program': \"%s\" is not a directory name under lutgen/programs/",
				      origin, program);
	if ((rc = dup_into(&s->name, name, err)) ||
	    (rc = dup_into(&s->doc, doc, err)) ||
	    (rc = dup_into(&s->program, program, err)))
		return rc;

	{
		struct common_err verr = { 0 };

		if (rungo_version_parse(minv, &s->min_version, &verr) != 0)
			return common_err_set(err, -EINVAL,
					      "%s: key 'min_version': %s", origin,
					      verr.msg);
	}
	s->policy = RUNGO_POLICY_MINOR;
	if (policy) {
		struct common_err perr = { 0 };

		if (rungo_policy_parse(policy, &s->policy, &perr) != 0)
			return common_err_set(err, -EINVAL,
					      "%s: key 'policy': unknown policy \"%s\" (use minor, latest-patch or all)",
					      origin, policy);
	}
	if (module) {
		rc = parse_module(module, origin, s, err);
		if (rc)
			return rc;
	}
	rc = parse_arches(cJSON_GetObjectItemCaseSensitive(root, "arches"),
			  origin, s, err);
	if (rc)
		return rc;
	return parse_lookups(cJSON_GetObjectItemCaseSensitive(root, "lookups"),
			     origin, s, err);
}

/* 1-based line and column of byte `off` in `text`. */
static void line_col(const char *text, size_t len, size_t off, size_t *line,
		     size_t *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

int lutgen_spec_parse(const char *json, size_t len, const char *origin,
		      struct lutgen_spec **out, struct common_err *err)
{
	struct lutgen_spec *s = NULL;
	const char *end = NULL;
	cJSON *root = NULL;
	int rc;

	if (!origin)
		origin = "spec";
	root = cJSON_ParseWithLengthOpts(json, len, &end, false);
	if (!root) {
		size_t line, col, off = end ? (size_t)(end - json) : 0;

		line_col(json, len, off, &line, &col);
		rc = common_err_set(err, -EINVAL,
				    "%s:%zu:%zu: not valid JSON", origin, line,
				    col);
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = dup_into(&s->path, origin, err);
	if (rc)
		goto out;
	rc = parse_root(root, origin, s, err);
	if (rc)
		goto out;
	*out = s;
	s = NULL;
out:
	lutgen_spec_free(s);
	cJSON_Delete(root);
	return rc;
}

int lutgen_spec_load(const char *path, struct lutgen_spec **out,
		     struct common_err *err)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int rc = 0;

	f = fopen(path, "rb");
	if (!f)
		return common_err_set(err, -errno, "spec %s: %s", path,
				      strerror(errno));
	for (;;) {
		size_t got;

		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *nb;

			if (ncap > (16u << 20)) {
				rc = common_err_set(err, -EFBIG,
						    "spec %s: larger than 16 MiB",
						    path);
				goto out;
			}
			nb = realloc(buf, ncap);
			if (!nb) {
				rc = common_err_set(err, -ENOMEM,
						    "out of memory");
				goto out;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				rc = common_err_set(err, -EIO,
						    "spec %s: read error", path);
				goto out;
			}
			break;
		}
	}
	rc = lutgen_spec_parse(buf ? buf : "", len, path, out, err);
out:
	free(buf);
	fclose(f);
	return rc;
}

void lutgen_spec_free(struct lutgen_spec *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nlookups; i++) {
		free(s->lookups[i].name);
		free(s->lookups[i].doc);
		alts_free(&s->lookups[i].types);
		alts_free(&s->lookups[i].fields);
		alts_free(&s->lookups[i].functions);
	}
	free(s->lookups);
	if (s->arches)
		for (i = 0; i < s->narches; i++)
			free(s->arches[i]);
	free(s->arches);
	if (s->module) {
		free(s->module->path);
		free(s->module->go_max);
	}
	free(s->module);
	free(s->path);
	free(s->name);
	free(s->doc);
	free(s->program);
	free(s);
}
