/* SPDX-License-Identifier: MIT */
/*
 * lutgen generate: measure specs over Go versions and arches and emit
 * generated/<name>.{c,h,json} + generated/lutgen_go.{c,h}.
 *
 * stdout: one summary line per spec
 *   "goid: 18 builds (0 cached), 9 versions x 2 arches -> generated/goid.{c,h,json}"
 * or with --json one document:
 *   {"ok": true, "out_dir": "...", "jobs": 2, "cores": 2, "wall_s": 41.2,
 *    "build_cpu_s": 70.3, "floor_s": 35.1, "builds": 18, "cached": 0,
 *    "specs": [{"name", "path", "versions": [...], "arches": [...],
 *               "builds", "cached", "built", "failed", "skipped",
 *               "build_cpu_s", "build_wall_s", "files": [...], "notes": [...]}],
 *    "measurements": [{"spec", "version", "goarch", "state", "wall_s",
 *                      "cpu_s", "error"?, "report"?}],
 *    "error": "..."?}
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "lutgen/cli/cli.h"
#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/emit/emit.h"
#include "lutgen/measure/generate.h"
#include "lutgen/refresh/drift.h"
#include "lutgen/refresh/results.h"
#include "lutgen/refresh/shard.h"

#define CMD "generate"

enum {
	OPT_OUT_DIR = LUTGEN_OPT_FIRST_FREE,
	OPT_KEEP_GOING,
	OPT_REBUILD,
	OPT_SHARD,
	OPT_RESULTS_OUT,
	OPT_CHECK,
	OPT_POLICY,
};

static void usage(FILE *f)
{
	fputs("Usage: lutgen generate SPEC... [OPTIONS]\n"
	      "\n"
	      "Build each spec's test program with every selected Go version "
	      "for each of\n"
	      "its arches, read the lookups from the binaries' DWARF and "
	      "write\n"
	      "OUT_DIR/<name>.{c,h,json} and OUT_DIR/lutgen_go.{c,h}.\n"
	      "SPEC is a spec file, or a name resolved as "
	      "lutgen/specs/<name>.json\n"
	      "relative to the current directory.\n"
	      "\n"
	      "Options:\n"
	      "      --out-dir DIR       where generated files go (default: "
	      "generated)\n"
	      "  -j, --jobs N            parallel builds (default: number of "
	      "cores)\n"
	      "      --keep-going        run every build and report all "
	      "failures\n"
	      "                          (default: stop at the first)\n"
	      "      --rebuild           ignore the result cache\n"
	      "      --shard K/N         measure only shard K of N of the "
	      "(version, arch)\n"
	      "                          jobs (round robin; needs "
	      "--results-out)\n"
	      "      --results-out FILE  write the measurements to FILE "
	      "instead of\n"
	      "                          generating (lutgen merge renders "
	      "them)\n"
	      "      --check             write nothing; print what would "
	      "change in OUT_DIR\n"
	      "                          and exit 3 when anything would "
	      "(0: up to date)\n"
	      "      --policy P          override the specs' version policy:\n"
	      "                          minor, latest-patch or all (env\n"
	      "                          LUTGEN_POLICY)\n"
	      "  -h, --help              show this help\n" LUTGEN_CLI_COMMON_HELP,
	      f);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "builds 5/18" on stderr when it is a TTY (counts, not bytes). */
static void build_progress(void *ctx, const char *what,
			   unsigned long long done, unsigned long long total)
{
	struct lutgen_cli *cli = ctx;

	if (!cli->progress)
		return;
	pthread_mutex_lock(&cli->lock);
	fprintf(stderr, "\r\033[K%s: %s %llu/%llu", cli->prog, what, done,
		total);
	cli->progress_line_open = true;
	if (done >= total) {
		fputs("\r\033[K", stderr);
		cli->progress_line_open = false;
	}
	fflush(stderr);
	pthread_mutex_unlock(&cli->lock);
}

/* SPEC argument -> path. */
static int resolve_spec(const char *arg, char *buf, size_t size)
{
	size_t n = strlen(arg);
	int w;

	if (strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".json") == 0))
		w = snprintf(buf, size, "%s", arg);
	else
		w = snprintf(buf, size, "lutgen/specs/%s.json", arg);
	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
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
	case LUTGEN_MEASURE_PENDING:
		break;
	}
	return "skipped";
}

struct run {
	struct lutgen_cli *cli;
	const char *out_dir;
	struct lutgen_spec **specs;
	size_t nspecs;
	struct lutgen_generate *gen;
	bool *emitted;
	cJSON *doc;      /* --json document being built */
	cJSON *jspecs;
	/* Refresh hooks. */
	struct lutgen_shard_plan *plan;  /* --shard / --results-out */
	const char *results_out;
	bool check;
	struct lutgen_drift *drift;      /* --check */
	long *gen_idx;   /* spec i -> its index in the run, -1: no job */
	size_t *gen_spec;  /* run index -> spec i */
};

static int add_measurements_json(struct run *r)
{
	const struct lutgen_measurement *m;
	cJSON *arr;
	size_t n, i;

	arr = cJSON_AddArrayToObject(r->doc, "measurements");
	if (!arr)
		return -ENOMEM;
	m = lutgen_generate_measurements(r->gen, &n);
	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o || !cJSON_AddItemToArray(arr, o))
			return -ENOMEM;
		if (!cJSON_AddStringToObject(o, "spec",
					     r->specs[r->gen_spec[m[i].spec]]->name) ||
		    !cJSON_AddStringToObject(o, "version", m[i].version_str) ||
		    !cJSON_AddStringToObject(o, "goarch", m[i].goarch) ||
		    !cJSON_AddStringToObject(o, "state",
					     state_name(m[i].state)) ||
		    !cJSON_AddNumberToObject(o, "wall_s", m[i].wall_s) ||
		    !cJSON_AddNumberToObject(o, "cpu_s", m[i].cpu_s))
			return -ENOMEM;
		if (m[i].error &&
		    !cJSON_AddStringToObject(o, "error", m[i].error))
			return -ENOMEM;
		if (m[i].report &&
		    !cJSON_AddStringToObject(o, "report", m[i].report))
			return -ENOMEM;
	}
	return 0;
}

/* Notes, emission and the summary of spec `i`. */
static int finish_spec(struct run *r, size_t i, struct common_err *err)
{
	struct lutgen_cli *cli = r->cli;
	const struct lutgen_spec *s = r->specs[i];
	long gi = r->gen_idx[i];
	const struct lutgen_table *t =
		gi >= 0 ? lutgen_generate_table(r->gen, (size_t)gi) : NULL;
	const struct lutgen_measurement *m;
	struct lutgen_generate_stats st;
	struct lutgen_note *notes = NULL;
	cJSON *js = NULL, *arr;
	size_t nnotes = 0, k, n;
	int rc = 0;

	memset(&st, 0, sizeof(st));
	if (gi >= 0)
		lutgen_generate_stats(r->gen, (size_t)gi, &st);
	if (r->doc) {
		js = cJSON_CreateObject();
		if (!js || !cJSON_AddItemToArray(r->jspecs, js))
			goto oom;
		if (!cJSON_AddStringToObject(js, "name", s->name) ||
		    !cJSON_AddStringToObject(js, "path", s->path) ||
		    !cJSON_AddNumberToObject(js, "builds",
					     (double)st.measurements) ||
		    !cJSON_AddNumberToObject(js, "cached", (double)st.cached) ||
		    !cJSON_AddNumberToObject(js, "built", (double)st.built) ||
		    !cJSON_AddNumberToObject(js, "failed", (double)st.failed) ||
		    !cJSON_AddNumberToObject(js, "skipped",
					     (double)st.skipped) ||
		    !cJSON_AddNumberToObject(js, "build_cpu_s",
					     st.build_cpu_s) ||
		    !cJSON_AddNumberToObject(js, "build_wall_s",
					     st.build_wall_s))
			goto oom;
		arr = cJSON_AddArrayToObject(js, "versions");
		if (!arr)
			goto oom;
		m = lutgen_generate_measurements(r->gen, &n);
		for (k = 0; k < n; k++) {
			/* Measurements are grouped by version: the first arch
			 * of each version names it once. */
			if (gi < 0 || m[k].spec != (size_t)gi ||
			    strcmp(m[k].goarch, s->arches[0]) != 0)
				continue;
			if (!cJSON_AddItemToArray(
				    arr, cJSON_CreateString(m[k].version_str)))
				goto oom;
		}
		arr = cJSON_AddArrayToObject(js, "arches");
		if (!arr)
			goto oom;
		for (k = 0; k < s->narches; k++)
			if (!cJSON_AddItemToArray(
				    arr, cJSON_CreateString(s->arches[k])))
				goto oom;
	}
	if (!t)
		return 0;  /* failures were reported, or no job in this shard */
	if (r->results_out)
		return 0;  /* written after every spec (write_results) */

	rc = lutgen_table_notes(t, &notes, &nnotes, err);
	if (rc)
		return rc;
	arr = js ? cJSON_AddArrayToObject(js, "notes") : NULL;
	if (js && !arr)
		goto oom;
	for (k = 0; k < nnotes; k++) {
		lutgen_cli_warn(cli, "%s: %s", s->name, notes[k].message);
		if (arr && !cJSON_AddItemToArray(
				   arr, cJSON_CreateString(notes[k].message)))
			goto oom;
	}
	if (r->check) {
		rc = lutgen_drift_check(r->drift, t, r->out_dir, err);
		goto out;
	}
	rc = common_fs_mkdir_p(r->out_dir, err);
	if (rc)
		goto out;
	rc = lutgen_emit(t, r->out_dir, NULL, err);
	if (rc) {
		common_err_prefix(err, rc, "%s", s->name);
		goto out;
	}
	r->emitted[i] = true;
	if (js) {
		static const char *const ext[] = { "c", "h", "json" };
		char path[PATH_MAX];

		arr = cJSON_AddArrayToObject(js, "files");
		if (!arr)
			goto oom;
		for (k = 0; k < 3; k++) {
			snprintf(path, sizeof(path), "%s/%s.%s", r->out_dir,
				 s->name, ext[k]);
			if (!cJSON_AddItemToArray(arr, cJSON_CreateString(path)))
				goto oom;
		}
		snprintf(path, sizeof(path), "%s/lutgen_go.c", r->out_dir);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(path)))
			goto oom;
		snprintf(path, sizeof(path), "%s/lutgen_go.h", r->out_dir);
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(path)))
			goto oom;
	} else {
		printf("%s: %zu builds (%zu cached), %zu versions x %zu arches -> %s/%s.{c,h,json}\n",
		       s->name, st.measurements, st.cached, st.versions,
		       st.arches, r->out_dir, s->name);
	}
	goto out;
oom:
	rc = common_err_set(err, -ENOMEM, "out of memory");
out:
	free(notes);
	return rc;
}

/* --results-out: the measurements of this shard's jobs, every spec. */
static int write_results(struct run *r, struct common_err *err)
{
	struct lutgen_results *res = NULL;
	const struct rungo_version *vs;
	size_t i, nv;
	int rc, k, n;

	lutgen_shard_plan_shard(r->plan, &k, &n);
	rc = lutgen_results_new(k, n, &res, err);
	for (i = 0; rc == 0 && i < r->nspecs; i++) {
		vs = lutgen_shard_plan_versions(r->plan, i, &nv);
		rc = lutgen_results_add(
			res, r->specs[i],
			r->gen_idx[i] >= 0
				? lutgen_generate_table(r->gen,
							(size_t)r->gen_idx[i])
				: NULL,
			vs, nv, err);
	}
	if (rc == 0)
		rc = lutgen_results_write(res, r->results_out, err);
	if (rc == 0 && !r->doc)
		printf("shard %d/%d: results of %zu spec%s -> %s\n", k, n,
		       r->nspecs, r->nspecs == 1 ? "" : "s", r->results_out);
	lutgen_results_free(res);
	return rc;
}

static int do_generate(struct run *r, int jobs, bool keep_going,
		       bool rebuild, struct common_err *err)
{
	struct lutgen_cli *cli = r->cli;
	struct lutgen_generate_opts go;
	struct rungo_cache *cache = NULL;
	struct rungo_index *idx = NULL;
	const struct lutgen_measurement *m;
	size_t i, n, failed = 0, skipped = 0;
	double cpu = 0;
	long cores;
	int rc, run_rc;

	rc = lutgen_cli_open_cache(cli, &cache, err);
	if (rc)
		goto out;
	rc = lutgen_cli_load_index(cli, &idx, err);
	if (rc)
		goto out;
	memset(&go, 0, sizeof(go));
	go.cache = cache;
	go.index = idx;
	go.goroots = cli->goroots;
	go.ngoroots = cli->ngoroots;
	go.jobs = jobs;
	go.keep_going = keep_going;
	go.rebuild = rebuild;
	go.progress = build_progress;
	go.progress_ctx = cli;
	go.log = lutgen_cli_log;
	go.log_ctx = cli;
	if (r->plan) {
		/* The whole job list first (same selection as the run). */
		for (i = 0; i < r->nspecs; i++) {
			rc = lutgen_shard_plan_add_spec(r->plan, idx,
							r->specs[i], NULL,
							NULL, err);
			if (rc)
				goto out;
		}
		go.version_filter = lutgen_shard_plan_owns_version;
		go.job_filter = lutgen_shard_plan_owns_job;
		go.filter_ctx = r->plan;
	}
	rc = lutgen_generate_new(&go, &r->gen, err);
	if (rc)
		goto out;
	{
		size_t ngen = 0;

		for (i = 0; i < r->nspecs; i++) {
			if (r->plan &&
			    lutgen_shard_plan_spec_jobs(r->plan, i) == 0) {
				r->gen_idx[i] = -1;  /* nothing to measure */
				continue;
			}
			rc = lutgen_generate_add_spec(r->gen, r->specs[i],
						      NULL, err);
			if (rc)
				goto out;
			r->gen_idx[i] = (long)ngen;
			r->gen_spec[ngen++] = i;
		}
	}
	run_rc = lutgen_generate_run(r->gen, err);
	if (run_rc && run_rc != -EIO) {
		rc = run_rc;
		goto out;
	}

	/* Every failure in full: what ran, with which environment, and what
	 * it said. */
	m = lutgen_generate_measurements(r->gen, &n);
	for (i = 0; i < n; i++) {
		cpu += m[i].cpu_s;
		if (m[i].state == LUTGEN_MEASURE_PENDING)
			skipped++;
		if (m[i].state != LUTGEN_MEASURE_FAILED)
			continue;
		failed++;
		if (m[i].report)
			lutgen_cli_err(cli, "%s\n%s", m[i].error, m[i].report);
		else
			lutgen_cli_err(cli, "%s", m[i].error);
	}
	if (skipped)
		lutgen_cli_info(cli,
				"stopped after the first failure: %zu builds not run (--keep-going runs them)",
				skipped);

	cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (r->doc) {
		if (!cJSON_AddNumberToObject(r->doc, "jobs",
					     lutgen_generate_jobs(r->gen)) ||
		    !cJSON_AddNumberToObject(r->doc, "cores",
					     (double)(cores > 0 ? cores : 1)) ||
		    !cJSON_AddNumberToObject(r->doc, "build_cpu_s", cpu) ||
		    !cJSON_AddNumberToObject(r->doc, "floor_s",
					     cpu / (double)(cores > 0 ? cores : 1)) ||
		    add_measurements_json(r) != 0) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	}
	for (i = 0; i < r->nspecs; i++) {
		rc = finish_spec(r, i, err);
		if (rc)
			goto out;
	}
	if (r->results_out && !failed && !skipped) {
		rc = write_results(r, err);
		if (rc)
			goto out;
	}
	if (failed) {
		rc = common_err_set(err, -EIO,
				    "%zu of %zu builds failed%s", failed, n,
				    failed == 1 && !keep_going
					   ? " (stopped at the first failure)"
					   : "");
		/* The details were printed above. */
	}
out:
	rungo_index_free(idx);
	rungo_cache_free(cache);
	return rc;
}

int lutgen_cmd_generate(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
		{ "jobs", required_argument, NULL, 'j' },
		{ "keep-going", no_argument, NULL, OPT_KEEP_GOING },
		{ "rebuild", no_argument, NULL, OPT_REBUILD },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "results-out", required_argument, NULL, OPT_RESULTS_OUT },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "policy", required_argument, NULL, OPT_POLICY },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_err err = { 0 };
	struct run r;
	bool keep_going = false, rebuild = false, have_policy = false;
	enum rungo_policy policy = RUNGO_POLICY_MINOR;
	const char *policy_env = getenv("LUTGEN_POLICY");
	int opt, jobs = 0, rc = LUTGEN_EXIT_OK, lrc, shard_k = 1, shard_n = 1;
	double t0 = now_s();
	size_t i;

	memset(&r, 0, sizeof(r));
	r.cli = cli;
	r.out_dir = "generated";
	opterr = 0; /* usage errors are reported below, in our words */
	while ((opt = getopt_long(argc, argv, ":hj:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return LUTGEN_EXIT_OK;
		case OPT_OUT_DIR:
			if (!*optarg)
				return lutgen_cli_usage_error(cli, CMD,
							      "--out-dir: empty");
			r.out_dir = optarg;
			break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || end == optarg || v < 1 || v > 256)
				return lutgen_cli_usage_error(
					cli, CMD,
					"-j: expected a number from 1 to 256, got '%s'",
					optarg);
			jobs = (int)v;
			break;
		}
		case OPT_KEEP_GOING:
			keep_going = true;
			break;
		case OPT_REBUILD:
			rebuild = true;
			break;
		case OPT_SHARD:
			if (lutgen_shard_parse(optarg, &shard_k, &shard_n,
					       &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--shard: %s",
							      err.msg);
			break;
		case OPT_RESULTS_OUT:
			if (!*optarg)
				return lutgen_cli_usage_error(
					cli, CMD, "--results-out: empty");
			r.results_out = optarg;
			break;
		case OPT_CHECK:
			r.check = true;
			break;
		case OPT_POLICY:
			if (rungo_policy_parse(optarg, &policy, &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--policy: %s",
							      err.msg);
			have_policy = true;
			break;
		case ':':
		case '?':
			return lutgen_cli_bad_option(cli, CMD, opt, argv);
		default:
			if (lutgen_cli_common_option(cli, opt, optarg))
				break;
			return lutgen_cli_usage_error(cli, CMD,
						      "unknown option");
		}
	}
	if (optind >= argc)
		return lutgen_cli_usage_error(cli, CMD, "no SPEC given");
	if (!have_policy && policy_env && *policy_env) {
		if (rungo_policy_parse(policy_env, &policy, &err) != 0)
			return lutgen_cli_usage_error(cli, CMD,
						      "LUTGEN_POLICY: %s",
						      err.msg);
		have_policy = true;
	}
	if (shard_n > 1 && !r.results_out)
		return lutgen_cli_usage_error(
			cli, CMD,
			"--shard %d/%d needs --results-out FILE (a shard's tables are incomplete; lutgen merge renders them)",
			shard_k, shard_n);
	if (r.check && r.results_out)
		return lutgen_cli_usage_error(
			cli, CMD, "--check and --results-out/--shard exclude each other");

	r.nspecs = (size_t)(argc - optind);
	r.specs = calloc(r.nspecs, sizeof(*r.specs));
	r.emitted = calloc(r.nspecs, sizeof(*r.emitted));
	r.gen_idx = calloc(r.nspecs, sizeof(*r.gen_idx));
	r.gen_spec = calloc(r.nspecs, sizeof(*r.gen_spec));
	if (r.results_out &&
	    lutgen_shard_plan_new(shard_k, shard_n, &r.plan, &err) != 0) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (r.check && lutgen_drift_new(&r.drift, &err) != 0) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (!r.specs || !r.emitted || !r.gen_idx || !r.gen_spec) {
		common_err_set(&err, -ENOMEM, "out of memory");
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	for (i = 0; i < r.nspecs; i++) {
		char path[PATH_MAX];
		size_t k;

		if (resolve_spec(argv[optind + (int)i], path, sizeof(path))) {
			rc = lutgen_cli_usage_error(cli, CMD,
						    "SPEC too long: %s",
						    argv[optind + (int)i]);
			goto out;
		}
		if (lutgen_spec_load(path, &r.specs[i], &err) != 0) {
			if (err.code == -ENOENT &&
			    strcmp(path, argv[optind + (int)i]) != 0)
				common_err_set(&err, -ENOENT,
					       "spec %s: not found (a bare SPEC name is looked up as lutgen/specs/<name>.json in the current directory; pass a path otherwise)",
					       path);
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		/* --policy measures other versions than the spec names; the
		 * emitted table says which policy it was measured with. */
		if (have_policy)
			r.specs[i]->policy = policy;
		for (k = 0; k < i; k++)
			if (strcmp(r.specs[k]->name, r.specs[i]->name) == 0) {
				rc = lutgen_cli_usage_error(
					cli, CMD,
					"two specs named '%s' (%s, %s)",
					r.specs[i]->name, r.specs[k]->path,
					r.specs[i]->path);
				goto out;
			}
	}

	if (cli->json) {
		r.doc = cJSON_CreateObject();
		r.jspecs = r.doc ? cJSON_AddArrayToObject(r.doc, "specs") : NULL;
		if (!r.jspecs ||
		    !cJSON_AddStringToObject(r.doc, "out_dir", r.out_dir)) {
			common_err_set(&err, -ENOMEM, "out of memory");
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
	}
	lrc = do_generate(&r, jobs, keep_going, rebuild, &err);
	if (lrc) {
		lutgen_cli_err(cli, "%s", err.msg);
		rc = LUTGEN_EXIT_FAIL;
	} else if (r.check) {
		if (r.doc) {
			cJSON *dj = lutgen_drift_json(r.drift);
			cJSON *ds = dj ? cJSON_DetachItemFromObject(dj, "specs")
				       : NULL;

			if (!ds || !cJSON_AddBoolToObject(
					   r.doc, "drift",
					   lutgen_drift_any(r.drift)) ||
			    !cJSON_AddItemToObject(r.doc, "drift_specs", ds)) {
				cJSON_Delete(ds);
				rc = LUTGEN_EXIT_FAIL;
			}
			cJSON_Delete(dj);
		} else {
			const char *const *lines;
			size_t nl, li;

			lines = lutgen_drift_lines(r.drift, &nl);
			for (li = 0; li < nl; li++)
				puts(lines[li]);
		}
		if (rc == LUTGEN_EXIT_OK && lutgen_drift_any(r.drift))
			rc = LUTGEN_EXIT_DRIFT;
	}
	if (r.doc) {
		size_t built = 0, cached = 0, nm = 0, k;
		const struct lutgen_measurement *m =
			r.gen ? lutgen_generate_measurements(r.gen, &nm) : NULL;

		for (k = 0; k < nm; k++) {
			built += m[k].state == LUTGEN_MEASURE_BUILT;
			cached += m[k].state == LUTGEN_MEASURE_CACHED;
		}
		cJSON_AddBoolToObject(r.doc, "ok", lrc == 0);
		cJSON_AddNumberToObject(r.doc, "wall_s", now_s() - t0);
		cJSON_AddNumberToObject(r.doc, "builds", (double)nm);
		cJSON_AddNumberToObject(r.doc, "built", (double)built);
		cJSON_AddNumberToObject(r.doc, "cached", (double)cached);
		if (lrc)
			cJSON_AddStringToObject(r.doc, "error", err.msg);
		cli->json_error_emitted = true;
		if (lutgen_cli_json_out(cli, r.doc) != LUTGEN_EXIT_OK)
			rc = LUTGEN_EXIT_FAIL;
		r.doc = NULL;
	}
out:
	cJSON_Delete(r.doc);
	lutgen_generate_free(r.gen);
	if (r.specs)
		for (i = 0; i < r.nspecs; i++)
			lutgen_spec_free(r.specs[i]);
	free(r.specs);
	free(r.emitted);
	free(r.gen_idx);
	free(r.gen_spec);
	lutgen_shard_plan_free(r.plan);
	lutgen_drift_free(r.drift);
	return rc;
}
