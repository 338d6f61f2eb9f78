/* SPDX-License-Identifier: MIT */
/* rungo/modmirror.c - suite pins of scripts/go-mirror's module mirror
 * (format in rungo/modmirror.h). */
#include "rungo/modmirror.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/sb.h"
#include "rungo/version.h"

#define MODULES_JSON_MAX (64u << 20)
#define REPLACE_MAX (16u << 20)

struct rungo_modmirror {
	char *dir;
	cJSON *root;
};

void rungo_modmirror_free(struct rungo_modmirror *mm)
{
	if (!mm)
		return;
	cJSON_Delete(mm->root);
	free(mm->dir);
	free(mm);
}

int rungo_modmirror_open(const char *dir, struct rungo_modmirror **out,
			 struct common_err *err)
{
	struct rungo_modmirror *mm;
	char *path, *text = NULL;
	size_t len = 0;
	const cJSON *t;
	int rc;

	if (!dir || !*dir || !out)
		return common_err_set(err, -EINVAL,
				     "module mirror: no directory");
	path = common_strf("%s/modules.json", dir);
	if (!path)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = common_fs_read_file(path, MODULES_JSON_MAX, &text, &len, err);
	if (rc) {
		common_err_prefix(err, rc,
				 "module mirror %s (a generation directory of scripts/go-mirror, as `go-mirror moddir` prints)",
				 dir);
		free(path);
		return rc;
	}
	mm = calloc(1, sizeof(*mm));
	if (!mm) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	mm->root = cJSON_ParseWithLength(text, len);
	t = mm->root ? cJSON_GetObjectItemCaseSensitive(mm->root, "targets") :
		       NULL;
	if (!cJSON_IsObject(t)) {
		rc = common_err_set(err, -EPROTO,
				   "%s: not a module mirror index (no \"targets\" object)",
				   path);
		goto out;
	}
	mm->dir = strdup(dir);
	if (!mm->dir) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	*out = mm;
	mm = NULL;
out:
	rungo_modmirror_free(mm);
	free(text);
	free(path);
	return rc;
}

void rungo_modmirror_build_free(struct rungo_modmirror_build *b)
{
	if (!b)
		return;
	free(b->suite);
	free(b->pins);
	rungo_gomod_free(b->fragment);
	free(b);
}

/* The entry of targets[path] for v with the oldest "go"; NULL if none. */
static const char *pick_suite(const cJSON *list, const struct rungo_modver *v,
			      const char *origin, struct common_err *err,
			      int *rc)
{
	const cJSON *e;
	const char *best = NULL;
	struct rungo_version best_go = { 0 };
	bool best_has_go = true;

	*rc = 0;
	cJSON_ArrayForEach(e, list) {
		const cJSON *ver = cJSON_GetObjectItemCaseSensitive(e, "version");
		const cJSON *suite = cJSON_GetObjectItemCaseSensitive(e, "suite");
		const cJSON *go = cJSON_GetObjectItemCaseSensitive(e, "go");
		struct rungo_version g = { 0 };
		struct common_err e2 = { 0 };
		bool has_go = cJSON_IsString(go);

		if (!cJSON_IsString(ver) || !cJSON_IsString(suite) ||
		    (!has_go && !cJSON_IsNull(go) && go)) {
			*rc = common_err_set(err, -EPROTO,
					    "%s: a target entry needs \"version\" and \"suite\" strings and \"go\" string or null",
					    origin);
			return NULL;
		}
		if (strcmp(ver->valuestring, v->str) != 0)
			continue;
		if (has_go &&
		    rungo_version_parse(go->valuestring, &g, &e2) != 0) {
			*rc = common_err_set(err, -EPROTO, "%s: go %s: %s",
					    origin, go->valuestring, e2.msg);
			return NULL;
		}
		if (!best || (best_has_go && !has_go) ||
		    (best_has_go && has_go &&
		     rungo_version_cmp(&g, &best_go) < 0)) {
			best = suite->valuestring;
			best_go = g;
			best_has_go = has_go;
		}
	}
	return best;
}

static bool safe_suite(const char *s)
{
	if (!*s || s[0] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '-' || *s == '.' || *s == '_'))
			return false;
	return true;
}

int rungo_modmirror_build(const struct rungo_modmirror *mm, const char *path,
			  const struct rungo_modver *v,
			  struct rungo_modmirror_build **out,
			  struct common_err *err)
{
	struct rungo_modmirror_build *b = NULL;
	const cJSON *list;
	const char *suite;
	char *origin = NULL, *file = NULL, *text = NULL;
	size_t len = 0, i;
	int rc = 0;

	if (!mm || !path || !v || !out)
		return common_err_set(err, -EINVAL,
				     "module mirror: missing argument");
	origin = common_strf("%s/modules.json", mm->dir);
	if (!origin)
		return common_err_set(err, -ENOMEM, "out of memory");
	list = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(mm->root, "targets"), path);
	suite = cJSON_IsArray(list) ? pick_suite(list, v, origin, err, &rc) :
				      NULL;
	if (!suite) {
		if (!cJSON_IsArray(list) || rc == 0)
			rc = common_err_set(err, -ENOENT,
					   "%s: %s@%s is not a target", origin,
					   path, v->str);
		goto out;
	}
	if (!safe_suite(suite)) {
		rc = common_err_set(err, -EPROTO, "%s: bad suite name \"%.40s\"",
				   origin, suite);
		goto out;
	}
	file = common_strf("%s/suites/%s.replace", mm->dir, suite);
	b = calloc(1, sizeof(*b));
	if (!file || !b) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	b->suite = strdup(suite);
	if (!b->suite) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = common_fs_read_file(file, REPLACE_MAX, &text, &len, err);
	if (rc == 0)
		rc = rungo_gomod_parse(text, len, file, &b->fragment, err);
	if (rc)
		goto out;
	b->pins = calloc(b->fragment->nreplaces ? b->fragment->nreplaces : 1,
			 sizeof(*b->pins));
	if (!b->pins) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < b->fragment->nreplaces; i++) {
		const struct rungo_gomod_replace *r = &b->fragment->replaces[i];

		if (r->has_from || !r->has_to ||
		    strcmp(r->path, r->to_path) != 0) {
			rc = common_err_set(err, -EPROTO,
					   "%s: replacement of %s is not \"P => P version\"",
					   file, r->path);
			goto out;
		}
		b->pins[i].path = r->path;
		b->pins[i].version = r->to;
	}
	b->npins = b->fragment->nreplaces;
	*out = b;
	b = NULL;
out:
	rungo_modmirror_build_free(b);
	free(text);
	free(file);
	free(origin);
	return rc;
}
