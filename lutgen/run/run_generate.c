/* SPDX-License-Identifier: MIT */
/* lutgen/run/run_generate.c - measuring a run's specs through the
 * pipeline (lutgen/measure/generate.h), sharded or not. */
#include "lutgen/run/run_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "common/sb.h"

/* RESULTS: the whole job list first, with the selection the run makes,
 * so that the pipeline measures only this shard's jobs. */
static int plan_shard(struct lutgen_run *r, const struct rungo_index *index,
		      struct lutgen_generate_opts *go, struct common_err *err)
{
	size_t i;
	int rc;

	rc = lutgen_shard_plan_new(r->o.shard_n ? r->o.shard_k : 1,
				   r->o.shard_n ? r->o.shard_n : 1, &r->plan,
				   err);
	for (i = 0; rc == 0 && i < r->nspecs; i++)
		rc = lutgen_shard_plan_add_spec(r->plan, index,
						r->specs[i].spec, NULL, NULL,
						err);
	if (rc)
		return rc;
	go->version_filter = lutgen_shard_plan_owns_version;
	go->job_filter = lutgen_shard_plan_owns_job;
	go->filter_ctx = r->plan;
	return 0;
}

/* Module specs: the go.sum records their zips are checked against. */
static int load_sums(struct lutgen_run *r, struct common_err *err)
{
	const struct lutgen_spec *s = NULL;
	const char *slash;
	size_t i;

	for (i = 0; i < r->nspecs && !s; i++)
		if (r->specs[i].spec->module)
			s = r->specs[i].spec;
	if (!s)
		return 0;
	if (!r->o.proxy)
		return common_err_set(err, -EINVAL,
				      "spec %s measures module %s: a module proxy is needed (--goproxy or GOPROXY)",
				      s->name, s->module->path);
	if (r->o.sum_file) {
		r->sum_file = strdup(r->o.sum_file);
	} else {
		/* lutgen/modspecs/x.json -> lutgen/modules.sum */
		slash = s->path ? strrchr(s->path, '/') : NULL;
		r->sum_file = slash ? common_strf("%.*s/../modules.sum",
						  (int)(slash - s->path),
						  s->path)
				    : strdup("../modules.sum");
	}
	if (!r->sum_file)
		return common_err_set(err, -ENOMEM, "out of memory");
	if (r->o.module_mirror) {
		int rc = rungo_modmirror_open(r->o.module_mirror, &r->mirror,
					      err);

		if (rc)
			return rc;
	}
	return rungo_gosum_load(r->sum_file, &r->sums, err);
}

/* New module hashes are kept (they were verified, even in a failed run),
 * except by a check, which writes nothing. */
static int save_sums(struct lutgen_run *r, struct common_err *err)
{
	char *now = NULL, *before = NULL;
	size_t nlen = 0, blen = 0;
	int rc;

	if (!r->sums || r->o.mode == LUTGEN_RUN_CHECK)
		return 0;
	rc = rungo_gosum_format(r->sums, &now, &nlen, err);
	if (rc)
		return rc;
	if (common_fs_read_file(r->sum_file, 0, &before, &blen, NULL) != 0)
		before = NULL;
	if (!before || blen != nlen || memcmp(before, now, nlen) != 0) {
		rc = common_fs_write_atomic(r->sum_file, now, nlen, err);
		if (rc == 0 && r->o.log)
			r->o.log(r->o.log_ctx, COMMON_LOG_INFO,
				 "module hashes recorded in the sum file");
	}
	free(now);
	free(before);
	return rc;
}

/* The pipeline with the run's options, every spec with a job added. */
static int setup_pipeline(struct lutgen_run *r, struct rungo_cache *cache,
			  const struct rungo_index *index,
			  struct common_err *err)
{
	struct lutgen_generate_opts go;
	size_t i, ngen = 0;
	int rc;

	memset(&go, 0, sizeof(go));
	go.cache = cache;
	go.index = index;
	go.goroots = r->o.goroots;
	go.ngoroots = r->o.ngoroots;
	go.jobs = r->o.jobs;
	go.keep_going = r->o.keep_going;
	go.rebuild = r->o.rebuild;
	go.build_timeout_s = r->o.build_timeout_s;
	_Static_assert(LUTGEN_RUN_BUILD_TIMEOUT_DEFAULT_S ==
			       LUTGEN_BUILD_TIMEOUT_DEFAULT_S,
		       "lutgen.h names the builder's default");
	go.progress = r->o.progress;
	go.progress_ctx = r->o.progress_ctx;
	go.build_done = r->o.build_done;
	go.build_done_ctx = r->o.build_done_ctx;
	go.log = r->o.log;
	go.log_ctx = r->o.log_ctx;
	rc = load_sums(r, err);
	if (rc)
		return rc;
	go.proxy = r->o.proxy;
	go.sums = r->sums;
	go.mirror = r->mirror;
	if (r->o.mode == LUTGEN_RUN_RESULTS) {
		rc = plan_shard(r, index, &go, err);
		if (rc)
			return rc;
	}
	rc = lutgen_generate_new(&go, &r->gen, err);
	if (rc)
		return rc;
	atomic_store(&r->live_gen, r->gen);
	if (atomic_load(&r->cancelled))
		lutgen_generate_cancel(r->gen);
	for (i = 0; i < r->nspecs; i++) {
		r->gen_idx[i] = -1;   /* no job of this shard */
		if (r->plan && lutgen_shard_plan_spec_jobs(r->plan, i) == 0)
			continue;
		rc = lutgen_generate_add_spec(r->gen, r->specs[i].spec, NULL,
					      err);
		if (rc)
			return rc;
		r->gen_idx[i] = (long)ngen++;
	}
	return 0;
}

/* Each failure in full, and the count of builds not run. */
static int collect_failures(struct lutgen_run *r, size_t *failed,
			    size_t *total)
{
	const struct lutgen_measurement *m;
	size_t i, n;
	int rc = 0;

	m = lutgen_generate_measurements(r->gen, &n);
	*failed = 0;
	*total = n;
	for (i = 0; i < n && rc == 0; i++) {
		r->build_cpu_s += m[i].cpu_s;
		if (m[i].state == LUTGEN_MEASURE_PENDING)
			r->skipped++;
		if (m[i].state != LUTGEN_MEASURE_FAILED)
			continue;
		(*failed)++;
		rc = m[i].report ? run_strv_add(&r->failures, "%s\n%s",
						m[i].error, m[i].report)
				 : run_strv_add(&r->failures, "%s", m[i].error);
	}
	return rc;
}

/* The versions of spec i, from its measurements (all shards' selection
 * comes from the plan). */
static int spec_versions(struct lutgen_run *r, size_t i)
{
	struct run_spec *rs = &r->specs[i];
	const struct lutgen_measurement *m;
	const struct rungo_version *pv;
	size_t n, k;

	if (r->plan) {
		pv = lutgen_shard_plan_versions(r->plan, i, &n);
		rs->versions = malloc((n ? n : 1) * sizeof(*pv));
		if (!rs->versions)
			return -ENOMEM;
		memcpy(rs->versions, pv, n * sizeof(*pv));
		rs->nversions = n;
		return 0;
	}
	m = lutgen_generate_measurements(r->gen, &n);
	rs->versions = malloc((n ? n : 1) * sizeof(*rs->versions));
	if (!rs->versions)
		return -ENOMEM;
	if (rs->spec->module) {
		/* Module versions, each once, oldest first. */
		size_t j;

		rs->modvers = malloc((n ? n : 1) * sizeof(*rs->modvers));
		if (!rs->modvers)
			return -ENOMEM;
		for (k = 0; k < n; k++) {
			if (r->gen_idx[i] < 0 || m[k].spec != (size_t)r->gen_idx[i])
				continue;
			for (j = 0; j < rs->nmodvers; j++)
				if (rungo_modver_cmp(&rs->modvers[j],
						     &m[k].modver) == 0)
					break;
			if (j < rs->nmodvers)
				continue;
			for (j = rs->nmodvers; j > 0 &&
			     rungo_modver_cmp(&rs->modvers[j - 1],
					      &m[k].modver) > 0; j--)
				rs->modvers[j] = rs->modvers[j - 1];
			rs->modvers[j] = m[k].modver;
			rs->nmodvers++;
		}
		return 0;
	}
	/* Measurements are grouped by version: the spec's first arch names
	 * each version once. */
	for (k = 0; k < n; k++)
		if (r->gen_idx[i] >= 0 && m[k].spec == (size_t)r->gen_idx[i] &&
		    strcmp(m[k].goarch, rs->spec->arches[0]) == 0)
			rs->versions[rs->nversions++] = m[k].version;
	return 0;
}

/* Tables and statistics of every spec. */
static int take_tables(struct lutgen_run *r)
{
	size_t i;
	int rc;

	for (i = 0; i < r->nspecs; i++) {
		long gi = r->gen_idx[i];

		if (gi >= 0) {
			r->specs[i].table =
				lutgen_generate_table(r->gen, (size_t)gi);
			lutgen_generate_stats(r->gen, (size_t)gi,
					      &r->specs[i].stats);
		}
		rc = spec_versions(r, i);
		if (rc)
			return rc;
	}
	return 0;
}

int lutgen_run_generate(struct lutgen_run *r, struct rungo_cache *cache,
			const struct rungo_index *index,
			struct common_err *err)
{
	size_t failed = 0, total = 0;
	int rc, run_rc;

	if (r->nfiles || r->gen)
		return common_err_set(err, -EINVAL,
				      "run: generate takes specs, once");
	if (!cache || !index)
		return common_err_set(err, -EINVAL,
				      "run: generate needs a cache and an index");
	r->gen_idx = calloc(r->nspecs ? r->nspecs : 1, sizeof(*r->gen_idx));
	if (!r->gen_idx)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = setup_pipeline(r, cache, index, err);
	if (rc)
		goto out;
	run_rc = lutgen_generate_run(r->gen, err);
	if (run_rc && run_rc != -EIO && run_rc != -ECANCELED) {
		rc = run_rc;
		goto out;
	}
	rc = collect_failures(r, &failed, &total);
	if (rc == 0)
		rc = take_tables(r);
	if (rc) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = run_finish(r, err);
	if (rc == 0)
		rc = save_sums(r, err);
	if (rc)
		goto out;
	if (failed)
		rc = common_err_set(err, -EIO, "%zu of %zu builds failed%s",
				    failed, total,
				    failed == 1 && !r->o.keep_going
					    ? " (stopped at the first failure)"
					    : "");
	else if (run_rc == -ECANCELED)
		rc = common_err_set(err, -ECANCELED,
				    "cancelled: %zu builds not run",
				    r->skipped);
out:
	r->wall_s = run_now() - r->t0;
	return rc;
}
