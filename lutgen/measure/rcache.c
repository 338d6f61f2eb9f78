/* SPDX-License-Identifier: MIT */
/* lutgen/measure/rcache.c - the result cache (lutgen/measure/rcache.h). */
#include "lutgen/measure/rcache.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/sb.h"
#include "common/sha256.h"
#include "lutgen/core/json.h"

/* A VERSION file is one short line (and maybe a time stamp). */
#define VERSION_FILE_MAX 4096

int lutgen_rcache_key(const struct lutgen_rcache_key *k, char out[65])
{
	char *material;

	if (k->module)
		material = common_strf("lutgen result\nformat=%d\ntoolchain=%s\n"
				       "version=%s\ngoarch=%s\nprogram=%s\n"
				       "module=%s\nh1=%s\nbuildmod=%s\n"
				       "lookups=%s\n",
				       LUTGEN_RESULT_FORMAT, k->toolchain,
				       k->version, k->goarch, k->program_hash,
				       k->module, k->module_h1,
				       k->buildmod_hash, k->lookups);
	else
		material = common_strf("lutgen result\nformat=%d\ntoolchain=%s\n"
				       "version=%s\ngoarch=%s\nprogram=%s\n"
				       "gomod=%s\nlookups=%s\n",
				       LUTGEN_RESULT_FORMAT, k->toolchain,
				       k->version, k->goarch, k->program_hash,
				       k->gomod_hash, k->lookups);

	if (!material)
		return -ENOMEM;
	common_sha256_buf(material, strlen(material), out);
	free(material);
	return 0;
}

/* The first line of a VERSION file as a version. */
static int version_line(const char *text, struct rungo_version *v)
{
	char first[64];
	size_t n = strcspn(text, "\r\n");

	if (n >= sizeof(first))
		return -EINVAL;
	memcpy(first, text, n);
	first[n] = '\0';
	return rungo_version_parse(first, v, NULL) == 0 ? 0 : -EINVAL;
}

int lutgen_rcache_local_key(const char *goroot, char key[65],
			    struct rungo_version *v)
{
	char real[PATH_MAX], vpath[PATH_MAX + 16];
	char *ver = NULL, *material = NULL;
	int rc;

	if (!realpath(goroot, real))
		return -errno;
	if (snprintf(vpath, sizeof(vpath), "%s/VERSION", real) >=
	    (int)sizeof(vpath))
		return -ENAMETOOLONG;
	rc = common_fs_read_file(vpath, VERSION_FILE_MAX, &ver, NULL, NULL);
	if (rc)
		return rc;
	if (v) {
		rc = version_line(ver, v);
		if (rc)
			goto out;
	}
	material = common_strf("local GOROOT\n%s\n%s", real, ver);
	if (!material) {
		rc = -ENOMEM;
		goto out;
	}
	common_sha256_buf(material, strlen(material), key);
out:
	free(material);
	free(ver);
	return rc;
}

static int result_path(const char *dir, const char *key, char *buf,
		       size_t size)
{
	int n = snprintf(buf, size, "%s/%s.json", dir, key);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* One value of a file: {"name", "kind", "value"[, "matched"]}. */
static cJSON *entry_to_json(const struct lutgen_lookup *l,
			    const struct lutgen_value *v)
{
	cJSON *o = cJSON_CreateObject(), *val = NULL, *m = NULL;

	if (!o || !cJSON_AddStringToObject(o, "name", l->name) ||
	    !cJSON_AddStringToObject(o, "kind",
				     lutgen_lookup_kind_name(v->kind)))
		goto fail;
	val = lutgen_value_to_json(v);
	if (!val || !cJSON_AddItemToObject(o, "value", val))
		goto fail;
	val = NULL;
	if (lutgen_value_matched_to_json(v, &m) != 0 ||
	    (m && !cJSON_AddItemToObject(o, "matched", m)))
		goto fail;
	return o;
fail:
	cJSON_Delete(m);
	cJSON_Delete(val);
	cJSON_Delete(o);
	return NULL;
}

/* Read one value for lookup `l`; false on any mismatch. */
static bool entry_from_json(const cJSON *o, const struct lutgen_lookup *l,
			    struct lutgen_value *v)
{
	const char *name = lutgen_json_str(o, "name");
	const char *kind = lutgen_json_str(o, "kind");

	memset(v, 0, sizeof(*v));
	if (!name || strcmp(name, l->name) != 0 || !kind ||
	    strcmp(kind, lutgen_lookup_kind_name(l->kind)) != 0)
		return false;
	if (lutgen_value_from_json(cJSON_GetObjectItemCaseSensitive(o, "value"),
				   l->kind, v, "result cache", NULL) != 0)
		return false;
	if ((v->absent && !l->optional) ||
	    lutgen_value_matched_from_json(
		    cJSON_GetObjectItemCaseSensitive(o, "matched"), v) != 0) {
		lutgen_value_free(v);
		memset(v, 0, sizeof(*v));
		return false;
	}
	return true;
}

/* The values of a parsed file, or NULL when it does not fit the spec. */
static struct lutgen_value *values_from_json(const cJSON *root,
					     const struct lutgen_spec *s)
{
	const cJSON *vals = cJSON_GetObjectItemCaseSensitive(root, "values");
	const cJSON *it;
	struct lutgen_value *v;
	uint64_t fmt;
	size_t i = 0;

	if (lutgen_json_uint(root, "format", "result cache", &fmt, NULL) != 0 ||
	    fmt != LUTGEN_RESULT_FORMAT || !cJSON_IsArray(vals) ||
	    (size_t)cJSON_GetArraySize(vals) != s->nlookups)
		return NULL;
	v = calloc(s->nlookups ? s->nlookups : 1, sizeof(*v));
	if (!v)
		return NULL;
	cJSON_ArrayForEach(it, vals) {
		if (!entry_from_json(it, &s->lookups[i], &v[i])) {
			lutgen_values_free(v, s->nlookups);
			return NULL;
		}
		i++;
	}
	return v;
}

bool lutgen_rcache_load(const char *dir, const char *key,
			const struct lutgen_spec *spec,
			struct lutgen_value **values, bool *unsupported,
			char sha256[65])
{
	char path[PATH_MAX];
	char *text = NULL;
	const char *sha;
	size_t len;
	cJSON *root = NULL;

	*values = NULL;
	*unsupported = false;
	if (!key[0] || result_path(dir, key, path, sizeof(path)) != 0 ||
	    common_fs_read_file(path, LUTGEN_RCACHE_FILE_MAX, &text, &len,
				NULL) != 0)
		return false;
	root = cJSON_ParseWithLength(text, len);
	free(text);
	sha = root ? lutgen_json_str(root, "toolchain_sha256") : NULL;
	if (sha && strlen(sha) < 65 &&
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "unsupported"))) {
		uint64_t fmt;

		*unsupported = lutgen_json_uint(root, "format", "result cache",
						&fmt, NULL) == 0 &&
			       fmt == LUTGEN_RESULT_FORMAT;
	} else if (sha && strlen(sha) < 65) {
		*values = values_from_json(root, spec);
		if (*values)
			memcpy(sha256, sha, strlen(sha) + 1);
	}
	cJSON_Delete(root);
	return *values != NULL || *unsupported;
}

static cJSON *file_to_json(const struct lutgen_spec *s,
			   const struct lutgen_rcache_entry *e)
{
	cJSON *root = cJSON_CreateObject(), *vals;
	size_t i;

	if (!root ||
	    !cJSON_AddNumberToObject(root, "format", LUTGEN_RESULT_FORMAT) ||
	    !cJSON_AddStringToObject(root, "spec", s->name) ||
	    !cJSON_AddStringToObject(root, "version", e->version) ||
	    !cJSON_AddStringToObject(root, "goarch", e->goarch) ||
	    !cJSON_AddStringToObject(root, "toolchain_key", e->toolchain_key) ||
	    !cJSON_AddStringToObject(root, "toolchain_sha256",
				     e->toolchain_sha256) ||
	    !cJSON_AddStringToObject(root, "program_hash", e->program_hash))
		goto fail;
	if (!e->values && !cJSON_AddTrueToObject(root, "unsupported"))
		goto fail;
	vals = cJSON_AddArrayToObject(root, "values");
	for (i = 0; vals && e->values && i < s->nlookups; i++) {
		cJSON *v = entry_to_json(&s->lookups[i], &e->values[i]);

		if (!v || !cJSON_AddItemToArray(vals, v)) {
			cJSON_Delete(v);
			goto fail;
		}
	}
	if (vals)
		return root;
fail:
	cJSON_Delete(root);
	return NULL;
}

int lutgen_rcache_store(const char *dir, const char *key,
			const struct lutgen_spec *spec,
			const struct lutgen_rcache_entry *e,
			struct common_err *err)
{
	char path[PATH_MAX];
	cJSON *root;
	char *text;
	int rc;

	if (!key[0])
		return common_err_set(err, -EINVAL,
				      "result cache: the toolchain has no identity");
	if (result_path(dir, key, path, sizeof(path)) != 0)
		return common_err_set(err, -ENAMETOOLONG,
				      "result cache: %s: name too long", dir);
	root = file_to_json(spec, e);
	text = root ? cJSON_Print(root) : NULL;
	cJSON_Delete(root);
	if (!text)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = common_fs_write_atomic(path, text, strlen(text), err);
	free(text);
	return rc;
}
