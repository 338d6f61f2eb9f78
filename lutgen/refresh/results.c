/* SPDX-License-Identifier: MIT */
/* lutgen/refresh/results.c - result files of (sharded) generate runs. */
#include "lutgen/refresh/results.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/sha256.h"
#include "lutgen/core/json.h"
#include "lutgen/refresh/shard.h"
#include "rungo/select.h"

#define RESULTS_MAGIC "lutgen-results"

struct rspec {
	struct lutgen_spec *spec;          /* owned, parsed from `canon` */
	char *canon;                       /* canonical spec JSON */
	char sha256[65];
	struct rungo_version *versions;    /* full selection, sorted */
	size_t nversions;
	struct lutgen_table *table;        /* owned, on `spec` */
};

struct lutgen_results {
	int k, n;
	char *origin;
	struct rspec *specs;
	size_t nspecs;
};

int lutgen_results_new(int shard_k, int shard_n, struct lutgen_results **out,
		       struct common_err *err)
{
	struct lutgen_results *r;

	if (!out)
		return common_err_set(err, -EINVAL, "results: NULL argument");
	if (shard_n < 1 || shard_n > LUTGEN_MAX_SHARDS || shard_k < 1 ||
	    shard_k > shard_n)
		return common_err_set(err, -EINVAL,
				      "results: shard %d/%d: need 1 <= K <= N <= %d",
				      shard_k, shard_n, LUTGEN_MAX_SHARDS);
	r = calloc(1, sizeof(*r));
	if (!r || !(r->origin = strdup(""))) {
		free(r);
		return common_err_set(err, -ENOMEM, "results: out of memory");
	}
	r->k = shard_k;
	r->n = shard_n;
	*out = r;
	return 0;
}

void lutgen_results_free(struct lutgen_results *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nspecs; i++) {
		lutgen_table_free(r->specs[i].table);
		lutgen_spec_free(r->specs[i].spec);
		free(r->specs[i].canon);
		free(r->specs[i].versions);
	}
	free(r->specs);
	free(r->origin);
	free(r);
}

/* ---- specs ---- */

static struct rspec *find_spec(const struct lutgen_results *r,
			       const char *name)
{
	size_t i;

	for (i = 0; i < r->nspecs; i++)
		if (strcmp(r->specs[i].spec->name, name) == 0)
			return &r->specs[i];
	return NULL;
}

static int cmp_version(const void *a, const void *b)
{
	return rungo_version_cmp(a, b);
}

/* Append an empty rspec for a copy of `spec` with the given selection. */
static int add_rspec(struct lutgen_results *r, const struct lutgen_spec *spec,
		     const struct rungo_version *versions, size_t nversions,
		     struct rspec **out, struct common_err *err)
{
	struct rspec *ns, *rs;
	size_t i;
	int rc;

	if (find_spec(r, spec->name))
		return common_err_set(err, -EINVAL,
				      "results: spec '%s' added twice",
				      spec->name);
	ns = realloc(r->specs, (r->nspecs + 1) * sizeof(*ns));
	if (!ns)
		return common_err_set(err, -ENOMEM, "results: out of memory");
	r->specs = ns;
	rs = &ns[r->nspecs];
	memset(rs, 0, sizeof(*rs));
	r->nspecs++;  /* from here lutgen_results_free owns rs */
	rc = lutgen_spec_canonical(spec, &rs->canon, rs->sha256, err);
	if (rc)
		return rc;
	rc = lutgen_spec_copy(spec, &rs->spec, err);
	if (rc)
		return rc;
	rc = lutgen_table_new(rs->spec, &rs->table, err);
	if (rc)
		return rc;
	if (nversions) {
		rs->versions = malloc(nversions * sizeof(*rs->versions));
		if (!rs->versions)
			return common_err_set(err, -ENOMEM,
					      "results: out of memory");
		memcpy(rs->versions, versions,
		       nversions * sizeof(*rs->versions));
		qsort(rs->versions, nversions, sizeof(*rs->versions),
		      cmp_version);
		for (i = 1; i < nversions; i++)
			if (rungo_version_cmp(&rs->versions[i - 1],
					      &rs->versions[i]) == 0) {
				char v[RUNGO_VERSION_STR_MAX];

				rungo_version_str(&rs->versions[i], v);
				return common_err_set(err, -EINVAL,
						      "results: spec %s: version %s selected twice",
						      spec->name, v);
			}
	}
	rs->nversions = nversions;
	*out = rs;
	return 0;
}

/* Is v among rs's selection? */
static bool selected(const struct rspec *rs, const struct rungo_version *v)
{
	return rs->nversions &&
	       bsearch(v, rs->versions, rs->nversions, sizeof(*rs->versions),
		       cmp_version) != NULL;
}

/* Copy every entry of `from` into rs->table. */
static int copy_entries(struct rspec *rs, const struct lutgen_table *from,
			struct common_err *err)
{
	const struct lutgen_spec *s = rs->spec;
	size_t l, a, i, n;
	int rc;

	for (l = 0; l < s->nlookups; l++)
		for (a = 0; a < s->narches; a++) {
			const struct lutgen_entry *e =
				lutgen_table_entries(from, l, s->arches[a], &n);

			for (i = 0; i < n; i++) {
				rc = lutgen_table_add(rs->table, l, e[i].goarch,
						      &e[i].version,
						      e[i].toolchain_sha256[0]
							      ? e[i].toolchain_sha256
							      : NULL,
						      &e[i].value, err);
				if (rc)
					return rc;
			}
		}
	return 0;
}

int lutgen_results_add(struct lutgen_results *r, const struct lutgen_spec *spec,
		       const struct lutgen_table *t,
		       const struct rungo_version *versions, size_t nversions,
		       struct common_err *err)
{
	struct rungo_version *vs = NULL;
	struct rspec *rs;
	size_t nv = 0, l, a, i, n;
	int rc;

	if (!r || !spec || (nversions && !versions))
		return common_err_set(err, -EINVAL, "results: NULL argument");
	if (t && lutgen_table_spec(t) != spec)
		return common_err_set(err, -EINVAL,
				      "results: the table of spec %s belongs to another spec",
				      spec->name);
	if (!versions && t) {
		/* The versions measured anywhere in the table. */
		for (l = 0; l < spec->nlookups; l++)
			for (a = 0; a < spec->narches; a++) {
				const struct lutgen_entry *e = lutgen_table_entries(
					t, l, spec->arches[a], &n);
				struct rungo_version *nvs;

				if (n == 0)
					continue;
				nvs = realloc(vs, (nv + n) * sizeof(*vs));
				if (!nvs) {
					free(vs);
					return common_err_set(
						err, -ENOMEM,
						"results: out of memory");
				}
				vs = nvs;
				for (i = 0; i < n; i++)
					vs[nv++] = e[i].version;
			}
		if (nv)
			qsort(vs, nv, sizeof(*vs), cmp_version);
		for (i = 0, n = 0; i < nv; i++)
			if (n == 0 || rungo_version_cmp(&vs[n - 1], &vs[i]))
				vs[n++] = vs[i];
		nv = n;
		versions = vs;
		nversions = nv;
	}
	rc = add_rspec(r, spec, versions, nversions, &rs, err);
	if (rc == 0 && t)
		rc = copy_entries(rs, t, err);
	free(vs);
	return rc;
}

/* ---- jobs ---- */

/* The job list of all specs' selections x arches. */
static int all_jobs(const struct lutgen_results *r,
		    struct lutgen_shard_job **jobs, size_t *n,
		    struct common_err *err)
{
	size_t i;
	int rc;

	*jobs = NULL;
	*n = 0;
	for (i = 0; i < r->nspecs; i++) {
		rc = lutgen_shard_jobs_add(jobs, n, r->specs[i].versions,
					   r->specs[i].nversions,
					   r->specs[i].spec->arches,
					   r->specs[i].spec->narches, err);
		if (rc) {
			free(*jobs);
			*jobs = NULL;
			*n = 0;
			return rc;
		}
	}
	return 0;
}

static bool owns(const struct lutgen_results *r,
		 const struct lutgen_shard_job *jobs, size_t njobs,
		 const struct rungo_version *v, const char *goarch)
{
	long i = lutgen_shard_jobs_find(jobs, njobs, v, goarch);

	return i >= 0 && lutgen_shard_owns(r->k, r->n, (size_t)i);
}

static const struct lutgen_entry *find_entry(const struct lutgen_table *t,
					     size_t l, const char *goarch,
					     const struct rungo_version *v)
{
	size_t n, lo = 0, hi;
	const struct lutgen_entry *e = lutgen_table_entries(t, l, goarch, &n);

	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = rungo_version_cmp(&e[mid].version, v);

		if (c == 0)
			return &e[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Every lookup of every job rs owns is measured. */
static int check_owned_measured(const struct lutgen_results *r,
				const struct rspec *rs,
				const struct lutgen_shard_job *jobs,
				size_t njobs, struct common_err *err)
{
	const struct lutgen_spec *s = rs->spec;
	char v[RUNGO_VERSION_STR_MAX];
	size_t i, a, l;

	for (i = 0; i < rs->nversions; i++)
		for (a = 0; a < s->narches; a++) {
			if (!owns(r, jobs, njobs, &rs->versions[i],
				  s->arches[a]))
				continue;
			for (l = 0; l < s->nlookups; l++) {
				if (find_entry(rs->table, l, s->arches[a],
					       &rs->versions[i]))
					continue;
				rungo_version_str(&rs->versions[i], v);
				return common_err_set(err, -ENOENT,
						      "results%s%s: spec %s: no measurement of %s for %s/%s (shard %d/%d owns it)",
						      r->origin[0] ? " " : "",
						      r->origin, s->name,
						      s->lookups[l].name, v,
						      s->arches[a], r->k, r->n);
			}
		}
	return 0;
}

/* ---- writing ---- */

static int job_json(cJSON *arr, const struct rungo_version *v,
		    const char *goarch)
{
	char vs[RUNGO_VERSION_STR_MAX];
	cJSON *o = cJSON_CreateObject();

	rungo_version_str(v, vs);
	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	if (!cJSON_AddStringToObject(o, "version", vs) ||
	    !cJSON_AddStringToObject(o, "goarch", goarch))
		return -ENOMEM;
	return 0;
}

static int spec_json(const struct lutgen_results *r, const struct rspec *rs,
		     const struct lutgen_shard_job *jobs, size_t njobs,
		     cJSON *o)
{
	const struct lutgen_spec *s = rs->spec;
	char vs[RUNGO_VERSION_STR_MAX];
	cJSON *arr, *jarr, *marr, *canon;
	size_t i, a, l;

	canon = cJSON_Parse(rs->canon);
	if (!canon)
		return -ENOMEM;
	if (!cJSON_AddStringToObject(o, "name", s->name) ||
	    !cJSON_AddStringToObject(o, "path", s->path) ||
	    !cJSON_AddStringToObject(o, "sha256", rs->sha256) ||
	    !cJSON_AddItemToObject(o, "spec", canon)) {
		cJSON_Delete(canon);
		return -ENOMEM;
	}
	arr = cJSON_AddArrayToObject(o, "versions");
	jarr = cJSON_AddArrayToObject(o, "jobs");
	marr = cJSON_AddArrayToObject(o, "measurements");
	if (!arr || !jarr || !marr)
		return -ENOMEM;
	for (i = 0; i < rs->nversions; i++) {
		rungo_version_str(&rs->versions[i], vs);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(vs)))
			return -ENOMEM;
	}
	/* Jobs in job-list order: version, then arch by name. */
	for (i = 0; i < njobs; i++) {
		if (!lutgen_shard_owns(r->k, r->n, i) ||
		    !selected(rs, &jobs[i].version))
			continue;
		for (a = 0; a < s->narches; a++)
			if (strcmp(s->arches[a], jobs[i].goarch) == 0)
				break;
		if (a == s->narches)
			continue;
		if (job_json(jarr, &jobs[i].version, jobs[i].goarch))
			return -ENOMEM;
		for (l = 0; l < s->nlookups; l++) {
			const struct lutgen_entry *e = find_entry(
				rs->table, l, jobs[i].goarch, &jobs[i].version);
			cJSON *m, *val;

			if (!e)
				return -ENOENT;  /* checked before */
			m = cJSON_CreateObject();
			if (!m || !cJSON_AddItemToArray(marr, m)) {
				cJSON_Delete(m);
				return -ENOMEM;
			}
			rungo_version_str(&e->version, vs);
			val = lutgen_value_to_json(&e->value);
			if (!cJSON_AddStringToObject(m, "lookup",
						     s->lookups[l].name) ||
			    !cJSON_AddStringToObject(m, "goarch", e->goarch) ||
			    !cJSON_AddStringToObject(m, "version", vs) ||
			    !cJSON_AddStringToObject(m, "toolchain_sha256",
						     e->toolchain_sha256) ||
			    !val || !cJSON_AddItemToObject(m, "value", val)) {
				cJSON_Delete(val);
				return -ENOMEM;
			}
			{
				cJSON *mt = NULL;

				if (lutgen_value_matched_to_json(&e->value, &mt) ||
				    (mt && !cJSON_AddItemToObject(m, "matched",
								  mt))) {
					cJSON_Delete(mt);
					return -ENOMEM;
				}
			}
		}
	}
	return 0;
}

int lutgen_results_print(const struct lutgen_results *r, char **out,
			 struct common_err *err)
{
	struct lutgen_shard_job *jobs = NULL;
	cJSON *doc = NULL, *sh, *arr;
	size_t njobs = 0, i;
	char *text = NULL;
	int rc;

	if (!r || !out)
		return common_err_set(err, -EINVAL, "results: NULL argument");
	rc = all_jobs(r, &jobs, &njobs, err);
	if (rc)
		return rc;
	for (i = 0; i < r->nspecs; i++) {
		rc = check_owned_measured(r, &r->specs[i], jobs, njobs, err);
		if (rc)
			goto out;
	}
	rc = -ENOMEM;
	doc = cJSON_CreateObject();
	if (!doc || !cJSON_AddStringToObject(doc, "format", RESULTS_MAGIC) ||
	    !cJSON_AddNumberToObject(doc, "format_version",
				     LUTGEN_RESULTS_FORMAT))
		goto oom;
	sh = cJSON_AddObjectToObject(doc, "shard");
	if (!sh || !cJSON_AddNumberToObject(sh, "k", r->k) ||
	    !cJSON_AddNumberToObject(sh, "n", r->n))
		goto oom;
	arr = cJSON_AddArrayToObject(doc, "specs");
	if (!arr)
		goto oom;
	for (i = 0; i < r->nspecs; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o)) {
			cJSON_Delete(o);
			goto oom;
		}
		if (spec_json(r, &r->specs[i], jobs, njobs, o))
			goto oom;
	}
	text = cJSON_Print(doc);
	if (!text)
		goto oom;
	*out = text;
	rc = 0;
	goto out;
oom:
	rc = common_err_set(err, -ENOMEM, "results: out of memory");
out:
	cJSON_Delete(doc);
	free(jobs);
	return rc;
}

int lutgen_results_write(const struct lutgen_results *r, const char *path,
			 struct common_err *err)
{
	char *text = NULL, *nt;
	size_t len;
	int rc;

	if (!r || !path || !*path)
		return common_err_set(err, -EINVAL, "results: NULL argument");
	rc = lutgen_results_print(r, &text, err);
	if (rc)
		return rc;
	len = strlen(text);
	nt = realloc(text, len + 2);
	if (!nt) {
		rc = common_err_set(err, -ENOMEM, "results: out of memory");
		goto out;
	}
	text = nt;
	text[len++] = '\n';
	text[len] = '\0';
	rc = common_fs_write_atomic(path, text, len, err);
	if (rc)
		common_err_prefix(err, rc, "results");
out:
	free(text);
	return rc;
}

/* ---- loading ---- */

static int parse_version(const char *s, const char *where,
			 struct rungo_version *v, struct common_err *err)
{
	struct common_err verr = { 0 };

	if (!s)
		return common_err_set(err, -EINVAL, "%s: missing version",
				      where);
	if (rungo_version_parse(s, v, &verr) != 0)
		return common_err_set(err, -EINVAL, "%s: %s", where, verr.msg);
	return 0;
}

static long lookup_index(const struct lutgen_spec *s, const char *name)
{
	size_t i;

	for (i = 0; name && i < s->nlookups; i++)
		if (strcmp(s->lookups[i].name, name) == 0)
			return (long)i;
	return -1;
}

static bool has_arch(const struct lutgen_spec *s, const char *goarch)
{
	size_t i;

	for (i = 0; goarch && i < s->narches; i++)
		if (strcmp(s->arches[i], goarch) == 0)
			return true;
	return false;
}

/* One element of "specs": spec, versions, measurements; the file's jobs
 * go to *fjobs for checking. */
/* The spec embedded in specs[idx] of a file, checked against its name. */
static int parse_embedded_spec(const struct lutgen_results *r,
			       const cJSON *o, const char *where,
			       struct lutgen_spec **out,
			       struct common_err *err)
{
	const char *name = lutgen_json_str(o, "name");
	const char *path = lutgen_json_str(o, "path");
	const cJSON *canon = cJSON_GetObjectItemCaseSensitive(o, "spec");
	char *text;
	int rc;

	if (!name || !path || !lutgen_json_str(o, "sha256") ||
	    !cJSON_IsObject(canon))
		return common_err_set(err, -EINVAL,
				      "%s: needs 'name', 'path', 'sha256' and 'spec'",
				      where);
	text = cJSON_PrintUnformatted(canon);
	if (!text)
		return common_err_set(err, -ENOMEM, "results: out of memory");
	rc = lutgen_spec_parse(text, strlen(text), path, out, err);
	free(text);
	if (rc)
		return common_err_prefix(err, rc, "results %s", r->origin);
	if (strcmp((*out)->name, name) != 0)
		return common_err_set(err, -EINVAL,
				      "%s: the embedded spec is named '%s'",
				      where, (*out)->name);
	return 0;
}

/* The "versions" list: the spec's selection over all shards. */
static int parse_versions(const cJSON *o, const char *where,
			  struct rungo_version **out, size_t *n,
			  struct common_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "versions");
	const cJSON *it;
	size_t i = 0;
	int rc;

	if (!cJSON_IsArray(arr))
		return common_err_set(err, -EINVAL,
				      "%s: key 'versions': expected an array",
				      where);
	*n = (size_t)cJSON_GetArraySize(arr);
	*out = calloc(*n ? *n : 1, sizeof(**out));
	if (!*out)
		return common_err_set(err, -ENOMEM, "results: out of memory");
	cJSON_ArrayForEach(it, arr) {
		rc = parse_version(cJSON_IsString(it) ? it->valuestring : NULL,
				   where, &(*out)[i++], err);
		if (rc)
			return rc;
	}
	return 0;
}

/* "jobs": what this shard measured, each among the spec's versions and
 * arches, merged into the file's job list. */
static int parse_jobs(const cJSON *o, const struct rspec *rs,
		      const char *where, struct lutgen_shard_job **fjobs,
		      size_t *nfjobs, struct common_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "jobs");
	const cJSON *it;
	int rc;

	if (!cJSON_IsArray(arr))
		return common_err_set(err, -EINVAL,
				      "%s: key 'jobs': expected an array", where);
	cJSON_ArrayForEach(it, arr) {
		const char *vs = cJSON_IsObject(it) ? lutgen_json_str(it, "version")
						    : NULL;
		const char *goarch = cJSON_IsObject(it)
					     ? lutgen_json_str(it, "goarch")
					     : NULL;
		struct rungo_version v;
		char *arches[1];

		rc = parse_version(vs, where, &v, err);
		if (rc)
			return rc;
		if (!has_arch(rs->spec, goarch) || !selected(rs, &v))
			return common_err_set(err, -EINVAL,
					      "%s: job %s/%s is not among the spec's versions and arches",
					      where, vs, goarch ? goarch : "(none)");
		arches[0] = (char *)goarch;
		rc = lutgen_shard_jobs_add(fjobs, nfjobs, &v, 1, arches, 1,
					   err);
		if (rc)
			return rc;
		/* A job listed twice is caught by check_file_jobs (count). */
	}
	return 0;
}

/* One of "measurements": a value of one of the file's jobs. */
static int parse_measurement(const cJSON *it, const char *where,
			     const struct rspec *rs,
			     const struct lutgen_shard_job *fjobs,
			     size_t nfjobs, struct common_err *err)
{
	const char *lookup = cJSON_IsObject(it) ? lutgen_json_str(it, "lookup")
						: NULL;
	const char *goarch = cJSON_IsObject(it) ? lutgen_json_str(it, "goarch")
						: NULL;
	const char *tsha = cJSON_IsObject(it)
				   ? lutgen_json_str(it, "toolchain_sha256")
				   : NULL;
	const char *vs = cJSON_IsObject(it) ? lutgen_json_str(it, "version")
					    : NULL;
	long l = lookup_index(rs->spec, lookup);
	struct lutgen_value val;
	struct rungo_version v;
	int rc;

	rc = parse_version(vs, where, &v, err);
	if (rc)
		return rc;
	if (l < 0 || !goarch || !tsha)
		return common_err_set(err, -EINVAL,
				      "%s: needs 'lookup' (one of the spec's), 'goarch', 'version', 'toolchain_sha256' and 'value'",
				      where);
	if (lutgen_shard_jobs_find(fjobs, nfjobs, &v, goarch) < 0)
		return common_err_set(err, -EINVAL,
				      "%s: %s/%s %s is not one of the file's jobs",
				      where, lookup, goarch, vs);
	rc = lutgen_value_from_json(cJSON_GetObjectItemCaseSensitive(it, "value"),
				    rs->spec->lookups[l].kind, &val, where, err);
	if (rc)
		return rc;
	if (val.absent && !rs->spec->lookups[l].optional)
		rc = common_err_set(err, -EINVAL,
				    "%s: %s is not optional, so its value cannot be null (absent)",
				    where, lookup);
	else if ((rc = lutgen_value_matched_from_json(
			  cJSON_GetObjectItemCaseSensitive(it, "matched"),
			  &val)) != 0)
		rc = common_err_set(err, rc == -ENOMEM ? rc : -EINVAL,
				    "%s: 'matched' must be an object of type/field/function strings",
				    where);
	else if ((rc = lutgen_table_add(rs->table, (size_t)l, goarch, &v,
					tsha[0] ? tsha : NULL, &val, err)) != 0)
		common_err_prefix(err, rc, "%s", where);
	lutgen_value_free(&val);
	return rc;
}

static int parse_measurements(const cJSON *o, const char *where,
			      const struct rspec *rs,
			      const struct lutgen_shard_job *fjobs,
			      size_t nfjobs, struct common_err *err)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "measurements");
	const cJSON *it;
	char mwhere[600];
	size_t i = 0;
	int rc;

	if (!cJSON_IsArray(arr))
		return common_err_set(err, -EINVAL,
				      "%s: key 'measurements': expected an array",
				      where);
	cJSON_ArrayForEach(it, arr) {
		snprintf(mwhere, sizeof(mwhere), "%s: measurements[%zu]",
			 where, i++);
		rc = parse_measurement(it, mwhere, rs, fjobs, nfjobs, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_spec(struct lutgen_results *r, const cJSON *o, size_t idx,
		      struct lutgen_shard_job **fjobs, size_t *nfjobs,
		      struct common_err *err)
{
	struct lutgen_spec *tmp = NULL;
	struct rungo_version *vs = NULL;
	struct rspec *rs;
	char where[512];
	size_t nv = 0;
	int rc;

	snprintf(where, sizeof(where), "results %s: specs[%zu]", r->origin,
		 idx);
	if (!cJSON_IsObject(o))
		return common_err_set(err, -EINVAL, "%s: expected an object",
				      where);
	rc = parse_embedded_spec(r, o, where, &tmp, err);
	if (rc)
		goto out;
	snprintf(where, sizeof(where), "results %s: spec %s", r->origin,
		 tmp->name);
	rc = parse_versions(o, where, &vs, &nv, err);
	if (rc == 0)
		rc = add_rspec(r, tmp, vs, nv, &rs, err);
	if (rc)
		goto out;
	if (strcmp(rs->sha256, lutgen_json_str(o, "sha256")) != 0) {
		rc = common_err_set(err, -EINVAL,
				    "%s: sha256 %s does not match its spec (%s): the file was edited or damaged",
				    where, lutgen_json_str(o, "sha256"),
				    rs->sha256);
		goto out;
	}
	rc = parse_jobs(o, rs, where, fjobs, nfjobs, err);
	if (rc == 0)
		rc = parse_measurements(o, where, rs, *fjobs, *nfjobs, err);
out:
	lutgen_spec_free(tmp);
	free(vs);
	return rc;
}

/* The jobs listed for each spec are exactly the ones shard k/n owns, and
 * every one is measured for every lookup. */
static int check_file_jobs(const struct lutgen_results *r,
			   const cJSON *specs, struct common_err *err)
{
	struct lutgen_shard_job *jobs = NULL;
	size_t njobs = 0, i, a, l, idx = 0, listed, owned, n;
	const cJSON *o;
	int rc;

	rc = all_jobs(r, &jobs, &njobs, err);
	if (rc)
		return rc;
	cJSON_ArrayForEach(o, specs) {
		const struct rspec *rs = &r->specs[idx++];
		const struct lutgen_spec *s = rs->spec;
		const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "jobs");
		const cJSON *it;

		listed = (size_t)cJSON_GetArraySize(arr);
		cJSON_ArrayForEach(it, arr) {
			struct rungo_version v;
			long at;

			rungo_version_parse(lutgen_json_str(it, "version"), &v, NULL);
			at = lutgen_shard_jobs_find(jobs, njobs, &v,
						    lutgen_json_str(it, "goarch"));
			if (at >= 0 && lutgen_shard_owns(r->k, r->n, (size_t)at))
				continue;
			rc = common_err_set(err, -EINVAL,
					    "results %s: spec %s: job %s/%s belongs to shard %ld/%d, not %d/%d: the shards were not cut from the same job list",
					    r->origin, s->name,
					    lutgen_json_str(it, "version"),
					    lutgen_json_str(it, "goarch"),
					    at >= 0 ? at % r->n + 1 : 0L, r->n,
					    r->k, r->n);
			goto out;
		}
		owned = 0;
		for (i = 0; i < rs->nversions; i++)
			for (a = 0; a < s->narches; a++)
				owned += owns(r, jobs, njobs, &rs->versions[i],
					      s->arches[a]);
		if (listed != owned) {
			rc = common_err_set(err, -EINVAL,
					    "results %s: spec %s: %zu jobs listed, shard %d/%d owns %zu (a job listed twice or left out)",
					    r->origin, s->name, listed, r->k,
					    r->n, owned);
			goto out;
		}
		rc = check_owned_measured(r, rs, jobs, njobs, err);
		if (rc)
			goto out;
		/* Nothing beyond the owned jobs (extra versions/arches were
		 * refused while parsing, so counting suffices). */
		n = 0;
		for (l = 0; l < s->nlookups; l++)
			for (a = 0; a < s->narches; a++) {
				size_t k;

				lutgen_table_entries(rs->table, l, s->arches[a],
						     &k);
				n += k;
			}
		if (n != owned * s->nlookups) {
			rc = common_err_set(err, -EINVAL,
					    "results %s: spec %s: %zu measurements for %zu jobs x %zu lookups",
					    r->origin, s->name, n, owned,
					    s->nlookups);
			goto out;
		}
	}
out:
	free(jobs);
	return rc;
}

/* "format", "format_version" and "shard" of a results file. */
static int parse_header(const cJSON *o, const char *where, int *k, int *n,
			struct common_err *err)
{
	const char *magic = cJSON_IsObject(o) ? lutgen_json_str(o, "format")
					      : NULL;
	const cJSON *sh;
	uint64_t fv = 0, uk = 0, un = 0;
	int rc;

	if (!magic || strcmp(magic, RESULTS_MAGIC) != 0)
		return common_err_set(err, -EINVAL,
				      "%s: not a lutgen results file (\"format\" is not \"%s\")",
				      where, RESULTS_MAGIC);
	rc = lutgen_json_uint(o, "format_version", where, &fv, err);
	if (rc)
		return rc;
	if (fv != LUTGEN_RESULTS_FORMAT)
		return common_err_set(err, -EINVAL,
				      "%s: format version %" PRIu64 ", this lutgen reads %d: measure and merge with the same lutgen",
				      where, fv, LUTGEN_RESULTS_FORMAT);
	sh = cJSON_GetObjectItemCaseSensitive(o, "shard");
	if (!cJSON_IsObject(sh))
		return common_err_set(err, -EINVAL,
				      "%s: key 'shard': expected {\"k\", \"n\"}",
				      where);
	if ((rc = lutgen_json_uint(sh, "k", where, &uk, err)) ||
	    (rc = lutgen_json_uint(sh, "n", where, &un, err)))
		return rc;
	if (un < 1 || un > LUTGEN_MAX_SHARDS || uk < 1 || uk > un)
		return common_err_set(err, -EINVAL,
				      "%s: shard %" PRIu64 "/%" PRIu64 " out of range",
				      where, uk, un);
	*k = (int)uk;
	*n = (int)un;
	return 0;
}

/* Every spec of the file, then the file's jobs against its shard. */
static int parse_specs(struct lutgen_results *r, const cJSON *o,
		       const char *where, struct common_err *err)
{
	const cJSON *specs = cJSON_GetObjectItemCaseSensitive(o, "specs");
	const cJSON *it;
	struct lutgen_shard_job *fjobs = NULL;
	size_t nfjobs = 0, idx = 0;
	int rc = 0;

	if (!cJSON_IsArray(specs))
		return common_err_set(err, -EINVAL,
				      "%s: key 'specs': expected an array", where);
	cJSON_ArrayForEach(it, specs) {
		free(fjobs);
		fjobs = NULL;
		nfjobs = 0;
		rc = parse_spec(r, it, idx++, &fjobs, &nfjobs, err);
		if (rc)
			break;
	}
	free(fjobs);
	return rc ? rc : check_file_jobs(r, specs, err);
}

int lutgen_results_parse(const char *json, size_t len, const char *origin,
			 struct lutgen_results **out, struct common_err *err)
{
	struct lutgen_results *r = NULL;
	cJSON *doc = NULL;
	char where[512];
	int rc, k = 0, n = 0;

	if (!json || !out)
		return common_err_set(err, -EINVAL, "results: NULL argument");
	if (!origin)
		origin = "(string)";
	snprintf(where, sizeof(where), "results %s", origin);
	doc = cJSON_ParseWithLength(json, len);
	if (!doc)
		return common_err_set(err, -EINVAL,
				      "%s: not valid JSON (near byte %zu)", where,
				      (size_t)(cJSON_GetErrorPtr()
						      ? cJSON_GetErrorPtr() - json
						      : 0));
	rc = parse_header(doc, where, &k, &n, err);
	if (rc == 0)
		rc = lutgen_results_new(k, n, &r, err);
	if (rc == 0) {
		free(r->origin);
		r->origin = strdup(origin);
		if (!r->origin)
			rc = common_err_set(err, -ENOMEM,
					    "results: out of memory");
	}
	if (rc == 0)
		rc = parse_specs(r, doc, where, err);
	if (rc == 0) {
		*out = r;
		r = NULL;
	}
	cJSON_Delete(doc);
	lutgen_results_free(r);
	return rc;
}

int lutgen_results_load(const char *path, struct lutgen_results **out,
			struct common_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	if (!path || !out)
		return common_err_set(err, -EINVAL, "results: NULL argument");
	rc = common_fs_read_file(path, 0, &buf, &len, err);
	if (rc)
		return common_err_prefix(err, rc, "results");
	rc = lutgen_results_parse(buf, len, path, out, err);
	free(buf);
	return rc;
}

/* ---- merging ---- */

static bool same_versions(const struct rspec *a, const struct rspec *b)
{
	size_t i;

	if (a->nversions != b->nversions)
		return false;
	for (i = 0; i < a->nversions; i++)
		if (rungo_version_cmp(&a->versions[i], &b->versions[i]))
			return false;
	return true;
}

static const char *oname(const struct lutgen_results *r)
{
	return r->origin[0] ? r->origin : "(in memory)";
}

/* Do `f` and `first` come from one run: shard count, specs (by hash) and
 * their selections? */
static int check_same_run(const struct lutgen_results *first,
			  const struct lutgen_results *f,
			  struct common_err *err)
{
	size_t j;

	if (f->n != first->n)
		return common_err_set(err, -EINVAL,
				      "merge: %s is shard %d/%d but %s is shard %d/%d: merge the files of one run",
				      oname(f), f->k, f->n, oname(first),
				      first->k, first->n);
	if (f->nspecs != first->nspecs)
		return common_err_set(err, -EINVAL,
				      "merge: %s has %zu specs, %s has %zu: run every shard with the same specs",
				      oname(f), f->nspecs, oname(first),
				      first->nspecs);
	for (j = 0; j < first->nspecs; j++) {
		const struct rspec *a = &first->specs[j];
		const struct rspec *b = find_spec(f, a->spec->name);

		if (!b)
			return common_err_set(err, -EINVAL,
					      "merge: %s has no spec %s (%s has): run every shard with the same specs",
					      oname(f), a->spec->name,
					      oname(first));
		if (strcmp(a->sha256, b->sha256) != 0)
			return common_err_set(err, -EINVAL,
					      "merge: spec %s differs between %s (sha256 %.12s) and %s (sha256 %.12s): measure every shard from the same commit",
					      a->spec->name, oname(first),
					      a->sha256, oname(f), b->sha256);
		if (!same_versions(a, b))
			return common_err_set(err, -EINVAL,
					      "merge: spec %s: %s and %s selected different Go versions (%zu vs %zu): the index changed between shards; rerun them",
					      a->spec->name, oname(first),
					      oname(f), a->nversions,
					      b->nversions);
	}
	return 0;
}

/* "1/4, 3/4": the shards from `from` on that by_k lacks (cnt of them);
 * true when the list did not fit. */
static bool missing_shards(const struct lutgen_results **by_k, int shards,
			   size_t from, char *buf, size_t size, size_t *cnt)
{
	size_t used = 0, j;
	int w;

	buf[0] = '\0';
	*cnt = 0;
	for (j = from; j < (size_t)shards; j++) {
		if (by_k[j])
			continue;
		(*cnt)++;
		if (used >= size)
			continue;
		w = snprintf(buf + used, size - used, "%s%zu/%d",
			     used ? ", " : "", j + 1, shards);
		used = w < 0 || (size_t)w >= size - used ? size : used + (size_t)w;
	}
	return used >= size;
}

/* Each shard 1..N exactly once: by_k[k-1] = its file. */
static int index_shards(const struct lutgen_results *const *files, size_t n,
			int shards, const struct lutgen_results **by_k,
			struct common_err *err)
{
	char missing[256];
	size_t i, cnt;
	bool cut;

	for (i = 0; i < n; i++) {
		const struct lutgen_results *f = files[i];

		if (by_k[f->k - 1])
			return common_err_set(err, -EINVAL,
					      "merge: shard %d/%d given twice (%s and %s)",
					      f->k, f->n, oname(by_k[f->k - 1]),
					      oname(f));
		by_k[f->k - 1] = f;
	}
	for (i = 0; i < (size_t)shards; i++)
		if (!by_k[i]) {
			cut = missing_shards(by_k, shards, i, missing,
					     sizeof(missing), &cnt);
			return common_err_set(err, -EINVAL,
					      "merge: incomplete: %zu of %d shards missing (%s%s): pass every shard's results file",
					      cnt, shards, missing,
					      cut ? ", ..." : "");
		}
	return 0;
}

/* Every spec of the run with every shard's measurements; then complete:
 * every job of every spec, every lookup. */
static int merge_into(struct lutgen_results *m,
		      const struct lutgen_results *first,
		      const struct lutgen_results **by_k, int shards,
		      struct common_err *err)
{
	struct lutgen_shard_job *jobs = NULL;
	size_t i, j, njobs = 0;
	int rc = 0;

	for (j = 0; rc == 0 && j < first->nspecs; j++) {
		const struct rspec *a = &first->specs[j];
		struct rspec *ms;

		rc = add_rspec(m, a->spec, a->versions, a->nversions, &ms,
			       err);
		for (i = 0; rc == 0 && i < (size_t)shards; i++) {
			rc = copy_entries(ms, find_spec(by_k[i],
							a->spec->name)->table,
					  err);
			if (rc)
				common_err_prefix(err, rc,
						  "merge: %s (measured twice)",
						  oname(by_k[i]));
		}
	}
	if (rc == 0)
		rc = all_jobs(m, &jobs, &njobs, err);
	for (j = 0; rc == 0 && j < m->nspecs; j++) {
		rc = check_owned_measured(m, &m->specs[j], jobs, njobs, err);
		if (rc)
			common_err_prefix(err, rc, "merge: incomplete");
	}
	free(jobs);
	return rc;
}

int lutgen_results_merge(const struct lutgen_results *const *files, size_t n,
			 struct lutgen_results **out, struct common_err *err)
{
	const struct lutgen_results **by_k = NULL;
	struct lutgen_results *m = NULL;
	size_t i;
	int rc;

	if (!files || n == 0 || !out)
		return common_err_set(err, -EINVAL,
				      "merge: no results files given");
	for (i = 0; i < n; i++) {
		rc = check_same_run(files[0], files[i], err);
		if (rc)
			return rc;
	}
	by_k = calloc((size_t)files[0]->n, sizeof(*by_k));
	if (!by_k)
		return common_err_set(err, -ENOMEM, "merge: out of memory");
	rc = index_shards(files, n, files[0]->n, by_k, err);
	if (rc == 0)
		rc = lutgen_results_new(1, 1, &m, err);
	if (rc == 0)
		rc = merge_into(m, files[0], by_k, files[0]->n, err);
	if (rc == 0) {
		*out = m;
		m = NULL;
	}
	free(by_k);
	lutgen_results_free(m);
	return rc;
}

/* ---- getters ---- */

const char *lutgen_results_origin(const struct lutgen_results *r)
{
	return r ? r->origin : "";
}

void lutgen_results_shard(const struct lutgen_results *r, int *k, int *n)
{
	if (k)
		*k = r ? r->k : 0;
	if (n)
		*n = r ? r->n : 0;
}

size_t lutgen_results_nspecs(const struct lutgen_results *r)
{
	return r ? r->nspecs : 0;
}

const struct lutgen_spec *lutgen_results_spec(const struct lutgen_results *r,
					      size_t i)
{
	return r && i < r->nspecs ? r->specs[i].spec : NULL;
}

const struct lutgen_table *lutgen_results_table(const struct lutgen_results *r,
						size_t i)
{
	return r && i < r->nspecs ? r->specs[i].table : NULL;
}

const struct rungo_version *
lutgen_results_versions(const struct lutgen_results *r, size_t i, size_t *n)
{
	if (!r || i >= r->nspecs) {
		if (n)
			*n = 0;
		return NULL;
	}
	if (n)
		*n = r->specs[i].nversions;
	return r->specs[i].versions;
}

const char *lutgen_results_spec_sha256(const struct lutgen_results *r,
				       size_t i)
{
	return r && i < r->nspecs ? r->specs[i].sha256 : "";
}
