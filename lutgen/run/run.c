/* SPDX-License-Identifier: MIT */
/* lutgen/run/run.c - a run: setup, its specs or results files, getters. */
#include "lutgen/run/run_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/sb.h"

int run_strv_add(struct run_strv *s, const char *fmt, ...)
{
	char **nv, *p;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	p = malloc((size_t)n + 1);
	nv = p ? realloc(s->v, (s->n + 1) * sizeof(*nv)) : NULL;
	if (!nv) {
		free(p);
		return -ENOMEM;
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->v = nv;
	s->v[s->n++] = p;
	return 0;
}

void run_strv_free(struct run_strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

double run_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int check_opts(const struct lutgen_run_opts *o, struct common_err *err)
{
	if (o->mode == LUTGEN_RUN_RESULTS && (!o->results_out || !*o->results_out))
		return common_err_set(err, -EINVAL,
				      "run: a results run needs a results file");
	if (o->mode != LUTGEN_RUN_RESULTS && (o->shard_n > 1 || o->results_out))
		return common_err_set(err, -EINVAL,
				      "run: --shard and --results-out go together (a shard's tables are incomplete; merge renders them)");
	if (o->shard_n < 0 || o->shard_k < 0 || o->shard_n > LUTGEN_MAX_SHARDS ||
	    (o->shard_n && (o->shard_k < 1 || o->shard_k > o->shard_n)))
		return common_err_set(err, -EINVAL,
				      "run: shard %d/%d: need 1 <= K <= N <= %d",
				      o->shard_k, o->shard_n, LUTGEN_MAX_SHARDS);
	if (o->jobs < 0 || o->jobs > LUTGEN_MAX_JOBS)
		return common_err_set(err, -EINVAL,
				      "run: %d jobs: need 0 to %d", o->jobs,
				      LUTGEN_MAX_JOBS);
	return 0;
}

int lutgen_run_new(const struct lutgen_run_opts *opts,
		   struct lutgen_run **out, struct common_err *err)
{
	struct lutgen_run *r;
	int rc;

	*out = NULL;
	if (!opts)
		return common_err_set(err, -EINVAL, "run: no options");
	rc = check_opts(opts, err);
	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return common_err_set(err, -ENOMEM, "out of memory");
	r->o = *opts;
	r->t0 = run_now();
	atomic_init(&r->live_gen, NULL);
	atomic_init(&r->cancelled, false);
	r->out_dir = strdup(opts->out_dir ? opts->out_dir : "generated");
	r->results_out = opts->results_out ? strdup(opts->results_out) : NULL;
	if (!r->out_dir || (opts->results_out && !r->results_out))
		goto oom;
	if (opts->mode == LUTGEN_RUN_CHECK && lutgen_drift_new(&r->drift, err))
		goto fail;
	*out = r;
	return 0;
oom:
	common_err_set(err, -ENOMEM, "out of memory");
fail:
	lutgen_run_free(r);
	return err ? err->code : -ENOMEM;
}

void lutgen_run_free(struct lutgen_run *r)
{
	size_t i;

	if (!r)
		return;
	/* What borrows the specs (pipeline, tables, drift) goes first. */
	atomic_store(&r->live_gen, NULL);
	lutgen_generate_free(r->gen);
	lutgen_shard_plan_free(r->plan);
	lutgen_drift_free(r->drift);
	for (i = 0; i < r->nspecs; i++) {
		free(r->specs[i].versions);
		free(r->specs[i].modvers);
		run_strv_free(&r->specs[i].notes);
		lutgen_table_free(r->specs[i].kept);
		if (r->own_specs)
			lutgen_spec_free(r->own_specs[i]);
	}
	free(r->specs);
	free(r->own_specs);
	free(r->gen_idx);
	rungo_gosum_free(r->sums);
	free(r->sum_file);
	rungo_modmirror_free(r->mirror);
	lutgen_results_free(r->merged);
	for (i = 0; i < r->nfiles; i++)
		lutgen_results_free(r->files[i]);
	free(r->files);
	run_strv_free(&r->file_names);
	run_strv_free(&r->lines);
	run_strv_free(&r->notes);
	run_strv_free(&r->failures);
	free(r->out_dir);
	free(r->results_out);
	free(r);
}

/* Room for one more spec; returns it, zeroed. */
static struct run_spec *grow_specs(struct lutgen_run *r)
{
	struct run_spec *ns = realloc(r->specs, (r->nspecs + 1) * sizeof(*ns));
	struct lutgen_spec **no;

	if (!ns)
		return NULL;
	r->specs = ns;
	no = realloc(r->own_specs, (r->nspecs + 1) * sizeof(*no));
	if (!no)
		return NULL;
	r->own_specs = no;
	no[r->nspecs] = NULL;
	memset(&ns[r->nspecs], 0, sizeof(*ns));
	return &ns[r->nspecs];
}

/* The run's specs, and `extra` when not NULL, must compile and link into
 * one program (lutgen_spec_check_run). */
static int check_specs(const struct lutgen_run *r,
		       const struct lutgen_spec *extra, struct common_err *err)
{
	const struct lutgen_spec **all;
	size_t k, n = 0;
	int rc;

	all = malloc((r->nspecs + 1) * sizeof(*all));
	if (!all)
		return common_err_set(err, -ENOMEM, "out of memory");
	for (k = 0; k < r->nspecs; k++)
		all[n++] = r->specs[k].spec;
	if (extra)
		all[n++] = extra;
	rc = lutgen_spec_check_run(all, n, err);
	free(all);
	return rc;
}

int lutgen_run_add_spec(struct lutgen_run *r, const char *path,
			struct common_err *err)
{
	struct lutgen_spec *s = NULL;
	struct run_spec *rs;
	int rc;

	if (r->nfiles)
		return common_err_set(err, -EINVAL,
				      "run: specs and results files do not mix");
	rc = lutgen_spec_load(path, &s, err);
	if (rc)
		return rc;
	/* Before any work: the run's files must compile and link together
	 * (no spec name twice, no C function twice). */
	rc = check_specs(r, s, err);
	if (rc) {
		lutgen_spec_free(s);
		return rc;
	}
	/* Another policy measures other versions than the spec names; the
	 * emitted table says which policy it was measured with. */
	if (r->o.override_policy)
		s->policy = r->o.policy;
	rs = grow_specs(r);
	if (!rs) {
		lutgen_spec_free(s);
		return common_err_set(err, -ENOMEM, "out of memory");
	}
	rs->spec = s;
	r->own_specs[r->nspecs++] = s;
	return 0;
}

int lutgen_run_add_results(struct lutgen_run *r, const char *path,
			   struct common_err *err)
{
	struct lutgen_results **nf;
	int rc;

	if (r->nspecs)
		return common_err_set(err, -EINVAL,
				      "run: specs and results files do not mix");
	nf = realloc(r->files, (r->nfiles + 1) * sizeof(*nf));
	if (!nf)
		return common_err_set(err, -ENOMEM, "out of memory");
	r->files = nf;
	rc = lutgen_results_load(path, &nf[r->nfiles], err);
	if (rc)
		return rc;
	r->nfiles++;
	if (run_strv_add(&r->file_names, "%s", path))
		return common_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* The specs of the merged results, as the run's specs. */
static int take_merged_specs(struct lutgen_run *r, struct common_err *err)
{
	size_t i, n;

	for (i = 0; i < lutgen_results_nspecs(r->merged); i++) {
		struct run_spec *rs = grow_specs(r);
		const struct rungo_version *v;

		if (!rs)
			return common_err_set(err, -ENOMEM, "out of memory");
		r->nspecs++;
		rs->spec = lutgen_results_spec(r->merged, i);
		rs->table = lutgen_results_table(r->merged, i);
		v = lutgen_results_versions(r->merged, i, &n);
		rs->versions = malloc((n ? n : 1) * sizeof(*v));
		if (!rs->versions)
			return common_err_set(err, -ENOMEM, "out of memory");
		memcpy(rs->versions, v, n * sizeof(*v));
		rs->nversions = n;
	}
	return 0;
}

int lutgen_run_merge(struct lutgen_run *r, struct common_err *err)
{
	int rc;

	if (r->o.mode == LUTGEN_RUN_RESULTS || r->merged || r->nspecs)
		return common_err_set(err, -EINVAL,
				      "run: merge takes results files, once, and emits or checks");
	if (r->nfiles == 0)
		return common_err_set(err, -EINVAL, "run: no results file");
	r->merging = true;
	rc = lutgen_results_merge((const struct lutgen_results *const *)r->files,
				  r->nfiles, &r->merged, err);
	if (rc == 0)
		rc = take_merged_specs(r, err);
	if (rc == 0)
		rc = check_specs(r, NULL, err);
	if (rc == 0)
		rc = run_finish(r, err);
	r->wall_s = run_now() - r->t0;
	return rc;
}

void lutgen_run_cancel(struct lutgen_run *r)
{
	if (!r)
		return;
	atomic_store(&r->cancelled, true);
	lutgen_generate_cancel(atomic_load(&r->live_gen));
}

enum lutgen_drift_level lutgen_run_drift(const struct lutgen_run *r)
{
	return r->drift ? lutgen_drift_level(r->drift) : LUTGEN_DRIFT_NONE;
}

const char *const *lutgen_run_lines(const struct lutgen_run *r, size_t *n)
{
	*n = r->lines.n;
	return (const char *const *)r->lines.v;
}

const char *const *lutgen_run_notes(const struct lutgen_run *r, size_t *n)
{
	*n = r->notes.n;
	return (const char *const *)r->notes.v;
}

const char *const *lutgen_run_failures(const struct lutgen_run *r, size_t *n)
{
	*n = r->failures.n;
	return (const char *const *)r->failures.v;
}

size_t lutgen_run_skipped(const struct lutgen_run *r)
{
	return r->skipped;
}
