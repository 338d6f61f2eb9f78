/* SPDX-License-Identifier: MIT */
/* lutgen/run/run_json.c - the JSON report of a run (lutgen_run_json). */
#include "lutgen/run/run_internal.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

static bool add_strings(cJSON *o, const char *key, const char *const *v,
			size_t n)
{
	cJSON *arr = cJSON_AddArrayToObject(o, key);
	size_t i;

	for (i = 0; arr && i < n; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(v[i])))
			return false;
	return arr != NULL;
}

static bool add_versions(cJSON *o, const struct run_spec *rs)
{
	char buf[RUNGO_VERSION_STR_MAX];
	cJSON *arr = cJSON_AddArrayToObject(o, "versions");
	size_t i;

	if (rs->spec->module) {
		/* A module spec: its module versions, the module and whether
		 * the table keys on Go. */
		for (i = 0; arr && i < rs->nmodvers; i++)
			if (!cJSON_AddItemToArray(arr, cJSON_CreateString(
					rs->modvers[i].str)))
				return false;
		return arr &&
		       cJSON_AddStringToObject(o, "module",
					       rs->spec->module->path) &&
		       cJSON_AddBoolToObject(o, "keys_go", rs->stats.keys_go);
	}
	for (i = 0; arr && i < rs->nversions; i++)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(
				rungo_version_str(&rs->versions[i], buf))))
			return false;
	return arr != NULL;
}

/* The generated files of an emitted spec. */
static bool add_files(cJSON *o, const struct lutgen_run *r,
		      const struct run_spec *rs)
{
	static const char *const ext[] = { "c", "h", "json" };
	cJSON *arr = cJSON_AddArrayToObject(o, "files");
	char path[PATH_MAX];
	size_t k;

	if (!arr || !rs->emitted)
		return arr != NULL;
	for (k = 0; k < 3; k++) {
		snprintf(path, sizeof(path), "%s/%s.%s", r->out_dir,
			 rs->spec->name, ext[k]);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(path)))
			return false;
	}
	for (k = 0; k < 2; k++) {
		snprintf(path, sizeof(path), "%s/lutgen_go.%s", r->out_dir,
			 ext[k]);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(path)))
			return false;
	}
	return true;
}

static cJSON *spec_json(const struct lutgen_run *r, const struct run_spec *rs)
{
	const struct lutgen_generate_stats *st = &rs->stats;
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "name", rs->spec->name) ||
	    !cJSON_AddStringToObject(o, "path",
				     rs->spec->path ? rs->spec->path : "") ||
	    !add_versions(o, rs) ||
	    !add_strings(o, "arches", (const char *const *)rs->spec->arches,
			 rs->spec->narches) ||
	    !cJSON_AddNumberToObject(o, "builds", (double)st->measurements) ||
	    !cJSON_AddNumberToObject(o, "cached", (double)st->cached) ||
	    !cJSON_AddNumberToObject(o, "built", (double)st->built) ||
	    !cJSON_AddNumberToObject(o, "failed", (double)st->failed) ||
	    !cJSON_AddNumberToObject(o, "skipped", (double)st->skipped) ||
	    !cJSON_AddNumberToObject(o, "build_cpu_s", st->build_cpu_s) ||
	    !cJSON_AddNumberToObject(o, "build_wall_s", st->build_wall_s) ||
	    !cJSON_AddNumberToObject(o, "measurements", (double)rs->entries) ||
	    !add_strings(o, "notes", (const char *const *)rs->notes.v,
			 rs->notes.n) ||
	    !add_files(o, r, rs) ||
	    !cJSON_AddBoolToObject(o, "changed", rs->changed)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static const char *state_name(enum lutgen_measure_state s)
{
	switch (s) {
	case LUTGEN_MEASURE_CACHED:
		return "cached";
	case LUTGEN_MEASURE_BUILT:
		return "built";
	case LUTGEN_MEASURE_FAILED:
		return "failed";
	case LUTGEN_MEASURE_UNSUPPORTED:
		return "unsupported";
	case LUTGEN_MEASURE_PENDING:
		break;
	}
	return "skipped";
}

static cJSON *measurement_json(const struct lutgen_run *r,
			       const struct lutgen_measurement *m)
{
	const char *spec = "";
	cJSON *o = cJSON_CreateObject();
	size_t i;

	for (i = 0; i < r->nspecs; i++)
		if (r->gen_idx[i] == (long)m->spec)
			spec = r->specs[i].spec->name;
	if (!o || !cJSON_AddStringToObject(o, "spec", spec) ||
	    !cJSON_AddStringToObject(o, "version", m->version_str) ||
	    !cJSON_AddStringToObject(o, "goarch", m->goarch) ||
	    !cJSON_AddStringToObject(o, "state", state_name(m->state)) ||
	    !cJSON_AddNumberToObject(o, "wall_s", m->wall_s) ||
	    !cJSON_AddNumberToObject(o, "cpu_s", m->cpu_s) ||
	    (m->error && !cJSON_AddStringToObject(o, "error", m->error)) ||
	    (m->report && !cJSON_AddStringToObject(o, "report", m->report))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* jobs, cores, CPU, counts and every measurement of a generate. */
static bool add_generate(cJSON *doc, const struct lutgen_run *r)
{
	const struct lutgen_measurement *m;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n, i, built = 0, cached = 0;
	cJSON *arr;

	m = lutgen_generate_measurements(r->gen, &n);
	for (i = 0; i < n; i++) {
		built += m[i].state == LUTGEN_MEASURE_BUILT;
		cached += m[i].state == LUTGEN_MEASURE_CACHED;
	}
	if (cores < 1)
		cores = 1;
	if (!cJSON_AddNumberToObject(doc, "jobs", lutgen_generate_jobs(r->gen)) ||
	    !cJSON_AddNumberToObject(doc, "cores", (double)cores) ||
	    !cJSON_AddNumberToObject(doc, "build_cpu_s", r->build_cpu_s) ||
	    !cJSON_AddNumberToObject(doc, "floor_s",
				     r->build_cpu_s / (double)cores) ||
	    !cJSON_AddNumberToObject(doc, "builds", (double)n) ||
	    !cJSON_AddNumberToObject(doc, "built", (double)built) ||
	    !cJSON_AddNumberToObject(doc, "cached", (double)cached))
		return false;
	arr = cJSON_AddArrayToObject(doc, "measurements");
	for (i = 0; arr && i < n; i++)
		if (!cJSON_AddItemToArray(arr, measurement_json(r, &m[i])))
			return false;
	return arr != NULL;
}

static bool add_check(cJSON *doc, const struct lutgen_run *r)
{
	enum lutgen_drift_level level = lutgen_run_drift(r);
	cJSON *dj = lutgen_drift_json(r->drift);
	cJSON *ds = dj ? cJSON_DetachItemFromObject(dj, "specs") : NULL;
	bool ok = ds &&
		  cJSON_AddBoolToObject(doc, "drift", level != LUTGEN_DRIFT_NONE) &&
		  cJSON_AddStringToObject(doc, "drift_kind",
					  lutgen_drift_name(level)) &&
		  cJSON_AddItemToObject(doc, "drift_specs", ds);

	if (!ok)
		cJSON_Delete(ds);
	cJSON_Delete(dj);
	return ok;
}

static bool add_mode(cJSON *doc, const struct lutgen_run *r)
{
	cJSON *sh;
	int k = 1, n = 1;

	if (r->o.mode == LUTGEN_RUN_CHECK && !add_check(doc, r))
		return false;
	if (r->o.mode == LUTGEN_RUN_RESULTS) {
		if (r->plan)
			lutgen_shard_plan_shard(r->plan, &k, &n);
		sh = cJSON_AddObjectToObject(doc, "shard");
		if (!cJSON_AddStringToObject(doc, "results_out",
					     r->results_out) ||
		    !sh || !cJSON_AddNumberToObject(sh, "k", k) ||
		    !cJSON_AddNumberToObject(sh, "n", n))
			return false;
	}
	if (r->merging) {
		if (r->nfiles)
			lutgen_results_shard(r->files[0], &k, &n);
		if (!add_strings(doc, "files",
				 (const char *const *)r->file_names.v,
				 r->file_names.n) ||
		    !cJSON_AddNumberToObject(doc, "shards", n))
			return false;
	}
	return !r->gen || add_generate(doc, r);
}

cJSON *lutgen_run_json(const struct lutgen_run *r)
{
	cJSON *doc = cJSON_CreateObject(), *arr;
	size_t i;

	if (!doc || !cJSON_AddStringToObject(doc, "out_dir", r->out_dir) ||
	    !cJSON_AddBoolToObject(doc, "check",
				   r->o.mode == LUTGEN_RUN_CHECK) ||
	    !cJSON_AddNumberToObject(doc, "wall_s", r->wall_s))
		goto fail;
	arr = cJSON_AddArrayToObject(doc, "specs");
	for (i = 0; arr && i < r->nspecs; i++)
		if (!cJSON_AddItemToArray(arr, spec_json(r, &r->specs[i])))
			goto fail;
	if (!arr || !add_mode(doc, r))
		goto fail;
	return doc;
fail:
	cJSON_Delete(doc);
	return NULL;
}
