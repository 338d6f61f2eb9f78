/* SPDX-License-Identifier: MIT */
/*
 * lutgen merge: combine the result files of sharded `lutgen generate
 * --shard K/N --results-out FILE` runs and render what an unsharded run
 * would (byte-identical), or with --check only report the drift against
 * OUT_DIR.
 *
 * stdout: one line per spec
 *   "goid: 3 results files, 22 measurements -> generated/goid.{c,h,json} (changed)"
 * or with --check the drift summary (lutgen/refresh/drift.h), exit 3 on drift.
 * With --json one document:
 *   {"ok": true, "out_dir": "...", "check": false, "files": [...],
 *    "shards": N, "specs": [{"name", "path", "versions", "measurements",
 *                            "changed"}]}
 *   with --check: {"ok": true, "check": true, "drift": bool,
 *                  "specs": [<lutgen_drift_json specs>], ...}
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "lutgen/cli/cli.h"
#include "lutgen/core/table.h"
#include "lutgen/emit/emit.h"
#include "lutgen/refresh/drift.h"
#include "lutgen/refresh/results.h"

#define CMD "merge"

enum {
	OPT_OUT_DIR = LUTGEN_OPT_FIRST_FREE,
	OPT_CHECK,
};

static void usage(FILE *f)
{
	fputs("Usage: lutgen merge FILE... [OPTIONS]\n"
	      "\n"
	      "Merge the results files of a sharded run (lutgen generate "
	      "--shard K/N\n"
	      "--results-out FILE, one file per shard) and write "
	      "OUT_DIR/<name>.{c,h,json}\n"
	      "and OUT_DIR/lutgen_go.{c,h}, byte-identical to an unsharded "
	      "run.  Every shard\n"
	      "1..N must be given exactly once, all measured from the same "
	      "specs.\n"
	      "\n"
	      "Options:\n"
	      "      --out-dir DIR       where generated files are (default: "
	      "generated)\n"
	      "      --check             write nothing; print what would "
	      "change and exit 3\n"
	      "                          when anything would (0: up to "
	      "date)\n"
	      "  -h, --help              show this help\n" LUTGEN_CLI_COMMON_HELP
	      "\n"
	      "Exit codes: 0 ok (--check: up to date), 1 failure, 2 usage "
	      "error,\n"
	      "3 (--check) the tables in OUT_DIR are out of date.\n",
	      f);
}

static size_t count_entries(const struct lutgen_table *t)
{
	const struct lutgen_spec *s = lutgen_table_spec(t);
	size_t l, a, n, total = 0;

	for (l = 0; l < s->nlookups; l++)
		for (a = 0; a < s->narches; a++) {
			lutgen_table_entries(t, l, s->arches[a], &n);
			total += n;
		}
	return total;
}

/* Emit every spec of `m`; fills doc's "specs" when doc != NULL. */
static int do_emit(struct lutgen_cli *cli, const struct lutgen_results *m,
		   const char *out_dir, size_t nfiles, cJSON *doc,
		   struct common_err *err)
{
	cJSON *specs = NULL;
	size_t i, k;
	int rc;

	rc = common_fs_mkdir_p(out_dir, err);
	if (rc)
		return rc;
	if (doc) {
		specs = cJSON_AddArrayToObject(doc, "specs");
		if (!specs)
			return common_err_set(err, -ENOMEM, "out of memory");
	}
	for (i = 0; i < lutgen_results_nspecs(m); i++) {
		const struct lutgen_table *t = lutgen_results_table(m, i);
		const struct lutgen_spec *s = lutgen_results_spec(m, i);
		struct lutgen_emit_opts eo = { 0 };
		struct lutgen_note *notes = NULL;
		size_t nnotes = 0, nv = 0, nm = count_entries(t);
		bool changed = false;

		lutgen_results_versions(m, i, &nv);
		rc = lutgen_table_notes(t, &notes, &nnotes, err);
		if (rc)
			return rc;
		for (k = 0; k < nnotes; k++)
			lutgen_cli_warn(cli, "%s: %s", s->name,
					notes[k].message);
		free(notes);
		eo.changed = &changed;
		rc = lutgen_emit(t, out_dir, &eo, err);
		if (rc)
			return common_err_prefix(err, rc, "%s", s->name);
		if (specs) {
			cJSON *o = cJSON_CreateObject();

			if (!o || !cJSON_AddItemToArray(specs, o) ||
			    !cJSON_AddStringToObject(o, "name", s->name) ||
			    !cJSON_AddStringToObject(o, "path", s->path) ||
			    !cJSON_AddNumberToObject(o, "versions", (double)nv) ||
			    !cJSON_AddNumberToObject(o, "measurements",
						     (double)nm) ||
			    !cJSON_AddBoolToObject(o, "changed", changed))
				return common_err_set(err, -ENOMEM,
						      "out of memory");
		} else {
			printf("%s: %zu results file%s, %zu measurements -> %s/%s.{c,h,json} (%s)\n",
			       s->name, nfiles, nfiles == 1 ? "" : "s", nm,
			       out_dir, s->name,
			       changed ? "changed" : "unchanged");
		}
	}
	return 0;
}

/* Drift of every spec of `m`; *drift set.  Prints the lines unless doc. */
static int do_check(const struct lutgen_results *m, const char *out_dir,
		    cJSON *doc, bool *drift, struct common_err *err)
{
	struct lutgen_drift *d = NULL;
	const char *const *lines;
	cJSON *dj = NULL, *specs;
	size_t i, n;
	int rc;

	rc = lutgen_drift_new(&d, err);
	if (rc)
		return rc;
	for (i = 0; i < lutgen_results_nspecs(m); i++) {
		rc = lutgen_drift_check(d, lutgen_results_table(m, i), out_dir,
					err);
		if (rc)
			goto out;
	}
	*drift = lutgen_drift_any(d);
	if (doc) {
		dj = lutgen_drift_json(d);
		specs = dj ? cJSON_DetachItemFromObject(dj, "specs") : NULL;
		if (!specs || !cJSON_AddBoolToObject(doc, "drift", *drift) ||
		    !cJSON_AddItemToObject(doc, "specs", specs)) {
			cJSON_Delete(specs);
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
	} else {
		lines = lutgen_drift_lines(d, &n);
		for (i = 0; i < n; i++)
			puts(lines[i]);
	}
out:
	cJSON_Delete(dj);
	lutgen_drift_free(d);
	return rc;
}

int lutgen_cmd_merge(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
		{ "check", no_argument, NULL, OPT_CHECK },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_err err = { 0 };
	struct lutgen_results **files = NULL, *merged = NULL;
	const char *out_dir = "generated";
	cJSON *doc = NULL, *arr;
	bool check = false, drift = false;
	size_t nfiles = 0, i;
	int opt, rc = LUTGEN_EXIT_OK, lrc = 0, k, n;

	opterr = 0; /* usage errors are reported below, in our words */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return LUTGEN_EXIT_OK;
		case OPT_OUT_DIR:
			if (!*optarg)
				return lutgen_cli_usage_error(cli, CMD,
							      "--out-dir: empty");
			out_dir = optarg;
			break;
		case OPT_CHECK:
			check = true;
			break;
		case ':':
		case '?':
			return lutgen_cli_bad_option(cli, CMD, opt, argv);
		default:
			if (lutgen_cli_common_option(cli, opt, optarg))
				break;
			return lutgen_cli_usage_error(cli, CMD,
						      "unhandled option");
		}
	}
	if (optind >= argc)
		return lutgen_cli_usage_error(cli, CMD,
					      "no results FILE given");
	nfiles = (size_t)(argc - optind);
	files = calloc(nfiles, sizeof(*files));
	if (!files) {
		common_err_set(&err, -ENOMEM, "out of memory");
		return lutgen_cli_fail(cli, &err);
	}
	if (cli->json) {
		doc = cJSON_CreateObject();
		arr = doc ? cJSON_AddArrayToObject(doc, "files") : NULL;
		if (!arr || !cJSON_AddStringToObject(doc, "out_dir", out_dir) ||
		    !cJSON_AddBoolToObject(doc, "check", check)) {
			common_err_set(&err, -ENOMEM, "out of memory");
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		for (i = 0; i < nfiles; i++)
			if (!cJSON_AddItemToArray(
				    arr, cJSON_CreateString(argv[optind + (int)i]))) {
				common_err_set(&err, -ENOMEM, "out of memory");
				rc = lutgen_cli_fail(cli, &err);
				goto out;
			}
	}
	for (i = 0; i < nfiles; i++) {
		lrc = lutgen_results_load(argv[optind + (int)i], &files[i],
					  &err);
		if (lrc)
			goto done;
	}
	lrc = lutgen_results_merge((const struct lutgen_results *const *)files,
				   nfiles, &merged, &err);
	if (lrc)
		goto done;
	lutgen_results_shard(files[0], &k, &n);
	if (doc && !cJSON_AddNumberToObject(doc, "shards", n)) {
		lrc = common_err_set(&err, -ENOMEM, "out of memory");
		goto done;
	}
	lutgen_cli_info(cli, "merged %zu results file%s of %d shard%s", nfiles,
			nfiles == 1 ? "" : "s", n, n == 1 ? "" : "s");
	if (check)
		lrc = do_check(merged, out_dir, doc, &drift, &err);
	else
		lrc = do_emit(cli, merged, out_dir, nfiles, doc, &err);
done:
	if (lrc) {
		rc = LUTGEN_EXIT_FAIL;
		lutgen_cli_err(cli, "%s", err.msg);
	} else if (drift) {
		rc = LUTGEN_EXIT_DRIFT;
	}
	if (doc) {
		if (!cJSON_AddBoolToObject(doc, "ok", lrc == 0) ||
		    (lrc && !cJSON_AddStringToObject(doc, "error", err.msg))) {
			rc = LUTGEN_EXIT_FAIL;
		}
		cli->json_error_emitted = true;
		if (lutgen_cli_json_out(cli, doc) != LUTGEN_EXIT_OK)
			rc = LUTGEN_EXIT_FAIL;
		doc = NULL;
	}
out:
	cJSON_Delete(doc);
	for (i = 0; files && i < nfiles; i++)
		lutgen_results_free(files[i]);
	free(files);
	lutgen_results_free(merged);
	return rc;
}
