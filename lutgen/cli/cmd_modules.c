/* SPDX-License-Identifier: MIT */
/*
 * lutgen modules: Go module versions from the module proxy.
 *
 *   lutgen modules list PATH [--min V] [--max V] [--policy P] [--prerelease]
 *     the versions the proxy lists that the policy selects, oldest first;
 *     --json: {"goproxy": "...", "path": "...", "policy": "minor",
 *              "prerelease": false, "min": null, "max": null,
 *              "versions": ["v1.27.1", ...]}
 *   lutgen modules download PATH@VERSION... [--sum FILE]
 *     download into the cache, verify (h1, against FILE's go.sum lines
 *     when given, which records new ones) and print go.sum lines;
 *     --json: {"goproxy": "...", "modules": [{"path", "version", "h1",
 *              "gomod_h1", "zip", "time", "downloaded", "recorded"}]}
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/cli/cli.h"

#define CMD "modules"

enum {
	OPT_MIN = LUTGEN_OPT_FIRST_FREE,
	OPT_MAX,
	OPT_POLICY,
	OPT_PRERELEASE,
	OPT_SUM,
};

static void usage(FILE *f)
{
	fputs("Usage: lutgen modules list PATH [OPTIONS]\n"
	      "       lutgen modules download PATH@VERSION... [--sum FILE]\n"
	      "\n"
	      "list: the versions of module PATH the module proxy lists that "
	      "the policy\n"
	      "selects, oldest first.  download: fetch module versions into "
	      "the cache,\n"
	      "verify their zips (h1) and print their go.sum lines.\n"
	      "\n"
	      "Options:\n"
	      "      --min VERSION       list: oldest version (inclusive), "
	      "e.g. v1.27.0\n"
	      "      --max VERSION       list: newest version (inclusive)\n"
	      "      --policy POLICY     list: minor (default, each vX.Y.0, "
	      "else the minor's\n"
	      "                          newest), latest-patch, ends or "
	      "all\n"
	      "      --prerelease        list: include pre-releases\n"
	      "      --sum FILE          download: go.sum-style records to "
	      "verify against;\n"
	      "                          versions not in it are added\n"
	      "  -h, --help              show this help\n"
	      "\n"
	      "GOPROXY (or --goproxy), GONOPROXY, GOPRIVATE, GONOSUMDB and "
	      "GOSUMDB are\n"
	      "honoured as by the go command; \"direct\" is not supported "
	      "(offline).\n"
	      LUTGEN_CLI_COMMON_HELP,
	      f);
}

static cJSON *str_or_null(cJSON *o, const char *k, const char *s)
{
	return s ? cJSON_AddStringToObject(o, k, s) :
		   cJSON_AddNullToObject(o, k);
}

static int do_list(struct lutgen_cli *cli, const char *path,
		   const struct rungo_modver_select_opts *so)
{
	struct rungo_goproxy *p = NULL;
	struct rungo_modver *all = NULL, *sel = NULL;
	struct common_err err = { 0 };
	size_t nall = 0, nsel = 0, i;
	int rc;

	rc = lutgen_cli_open_goproxy(cli, &p, &err);
	if (rc)
		return lutgen_cli_fail(cli, &err);
	rc = rungo_goproxy_list(p, path, &all, &nall, &err);
	if (rc == 0)
		rc = rungo_modver_select(all, nall, so, &sel, &nsel, &err);
	if (rc) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (cli->json) {
		cJSON *doc = cJSON_CreateObject(), *arr;

		if (!doc ||
		    !cJSON_AddStringToObject(doc, "goproxy",
					     rungo_goproxy_string(p)) ||
		    !cJSON_AddStringToObject(doc, "path", path) ||
		    !cJSON_AddStringToObject(doc, "policy",
					     rungo_policy_name(so->policy)) ||
		    !cJSON_AddBoolToObject(doc, "prerelease", so->prerelease) ||
		    !str_or_null(doc, "min", so->min ? so->min->str : NULL) ||
		    !str_or_null(doc, "max", so->max ? so->max->str : NULL) ||
		    !(arr = cJSON_AddArrayToObject(doc, "versions"))) {
			cJSON_Delete(doc);
			lutgen_cli_err(cli, "out of memory building JSON");
			rc = LUTGEN_EXIT_FAIL;
			goto out;
		}
		for (i = 0; i < nsel; i++) {
			cJSON *s = cJSON_CreateString(sel[i].str);

			if (!s || !cJSON_AddItemToArray(arr, s)) {
				cJSON_Delete(s);
				cJSON_Delete(doc);
				lutgen_cli_err(cli, "out of memory building JSON");
				rc = LUTGEN_EXIT_FAIL;
				goto out;
			}
		}
		rc = lutgen_cli_json_out(cli, doc);
	} else {
		rc = LUTGEN_EXIT_OK;
		for (i = 0; i < nsel && rc == LUTGEN_EXIT_OK; i++)
			if (puts(sel[i].str) == EOF)
				rc = LUTGEN_EXIT_FAIL;
	}
	if (rc == LUTGEN_EXIT_OK && nsel == 0)
		lutgen_cli_info(cli, "no version of %s matches", path);
out:
	free(all);
	free(sel);
	rungo_goproxy_free(p);
	return rc;
}

static int module_json(cJSON *arr, const struct rungo_module *m)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o)) {
		cJSON_Delete(o);
		return -1;
	}
	if (!cJSON_AddStringToObject(o, "path", m->path) ||
	    !cJSON_AddStringToObject(o, "version", m->version.str) ||
	    !cJSON_AddStringToObject(o, "h1", m->h1) ||
	    !cJSON_AddStringToObject(o, "gomod_h1", m->gomod_h1) ||
	    !cJSON_AddStringToObject(o, "zip", m->zip) ||
	    !cJSON_AddStringToObject(o, "time", m->time) ||
	    !cJSON_AddBoolToObject(o, "downloaded", m->downloaded) ||
	    !cJSON_AddBoolToObject(o, "recorded", m->recorded))
		return -1;
	return 0;
}

static int do_download(struct lutgen_cli *cli, char **args, int nargs,
		       const char *sum_file)
{
	struct rungo_goproxy *p = NULL;
	struct rungo_cache *c = NULL;
	struct rungo_gosum *sums = NULL;
	struct rungo_modcache_opts mo;
	struct common_err err = { 0 };
	cJSON *doc = NULL, *arr = NULL;
	bool recorded = false;
	int i, rc;

	/* Check every argument before fetching anything. */
	for (i = 0; i < nargs; i++) {
		const char *at = strrchr(args[i], '@');
		struct rungo_modver v;
		char path[RUNGO_MODPATH_MAX];

		if (!at || at == args[i] || (size_t)(at - args[i]) >= sizeof(path))
			return lutgen_cli_usage_error(cli, CMD,
						      "'%s' is not PATH@VERSION",
						      args[i]);
		memcpy(path, args[i], (size_t)(at - args[i]));
		path[at - args[i]] = '\0';
		if (rungo_modpath_check(path, &err) != 0 ||
		    rungo_modver_parse_canonical(at + 1, &v, &err) != 0 ||
		    rungo_modpath_check_version(path, &v, &err) != 0)
			return lutgen_cli_usage_error(cli, CMD, "%s", err.msg);
	}
	if ((rc = lutgen_cli_open_goproxy(cli, &p, &err)) ||
	    (rc = lutgen_cli_open_cache(cli, &c, &err)) ||
	    (rc = sum_file ? rungo_gosum_load(sum_file, &sums, &err) : 0)) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (cli->json) {
		doc = cJSON_CreateObject();
		if (!doc ||
		    !cJSON_AddStringToObject(doc, "goproxy",
					     rungo_goproxy_string(p)) ||
		    !(arr = cJSON_AddArrayToObject(doc, "modules"))) {
			lutgen_cli_err(cli, "out of memory building JSON");
			rc = LUTGEN_EXIT_FAIL;
			goto out;
		}
	}
	memset(&mo, 0, sizeof(mo));
	mo.cache = c;
	mo.proxy = p;
	mo.sums = sums;
	mo.log = lutgen_cli_log;
	mo.log_ctx = cli;
	rc = LUTGEN_EXIT_OK;
	for (i = 0; i < nargs; i++) {
		const char *at = strrchr(args[i], '@');
		char path[RUNGO_MODPATH_MAX];
		struct rungo_modver v;
		struct rungo_module m;

		memcpy(path, args[i], (size_t)(at - args[i]));
		path[at - args[i]] = '\0';
		rungo_modver_parse_canonical(at + 1, &v, NULL);
		if (rungo_modcache_download(&mo, path, &v, &m, &err) != 0) {
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		recorded |= m.recorded;
		if (doc) {
			if (module_json(arr, &m) != 0) {
				lutgen_cli_err(cli, "out of memory building JSON");
				rc = LUTGEN_EXIT_FAIL;
				goto out;
			}
		} else if (printf("%s %s %s\n%s %s/go.mod %s\n", m.path,
				  m.version.str, m.h1, m.path, m.version.str,
				  m.gomod_h1) < 0) {
			rc = LUTGEN_EXIT_FAIL;
			goto out;
		}
	}
	if (sums && recorded) {
		if (rungo_gosum_write(sums, sum_file, &err) != 0) {
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		lutgen_cli_info(cli, "recorded new hashes in %s", sum_file);
	}
	if (doc) {
		rc = lutgen_cli_json_out(cli, doc);
		doc = NULL;
	}
out:
	cJSON_Delete(doc);
	rungo_gosum_free(sums);
	rungo_cache_free(c);
	rungo_goproxy_free(p);
	return rc;
}

int lutgen_cmd_modules(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "min", required_argument, NULL, OPT_MIN },
		{ "max", required_argument, NULL, OPT_MAX },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "prerelease", no_argument, NULL, OPT_PRERELEASE },
		{ "sum", required_argument, NULL, OPT_SUM },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rungo_modver_select_opts so;
	struct rungo_modver min, max;
	struct common_err err = { 0 };
	const char *sum_file = NULL, *action;
	bool list_opts = false;
	int opt;

	memset(&so, 0, sizeof(so));
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return LUTGEN_EXIT_OK;
		case OPT_MIN:
		case OPT_MAX:
			if (rungo_modver_parse(optarg, opt == OPT_MIN ? &min : &max,
					       &err) != 0)
				return lutgen_cli_usage_error(cli, CMD, "--%s: %s",
							      opt == OPT_MIN ? "min" : "max",
							      err.msg);
			if (opt == OPT_MIN)
				so.min = &min;
			else
				so.max = &max;
			list_opts = true;
			break;
		case OPT_POLICY:
			if (rungo_policy_parse(optarg, &so.policy, &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--policy: %s",
							      err.msg);
			list_opts = true;
			break;
		case OPT_PRERELEASE:
			so.prerelease = true;
			list_opts = true;
			break;
		case OPT_SUM:
			sum_file = optarg;
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
					      "missing action (list or download)");
	action = argv[optind++];
	if (strcmp(action, "list") == 0) {
		if (sum_file)
			return lutgen_cli_usage_error(cli, CMD,
						      "--sum applies to download");
		if (optind + 1 != argc)
			return lutgen_cli_usage_error(cli, CMD,
						      "list takes one module path");
		if (rungo_modpath_check(argv[optind], &err) != 0)
			return lutgen_cli_usage_error(cli, CMD, "%s", err.msg);
		if (so.min && so.max && rungo_modver_cmp(&min, &max) > 0)
			return lutgen_cli_usage_error(cli, CMD,
						      "--min %s is above --max %s",
						      min.str, max.str);
		return do_list(cli, argv[optind], &so);
	}
	if (strcmp(action, "download") == 0) {
		if (list_opts)
			return lutgen_cli_usage_error(cli, CMD,
						      "--min, --max, --policy and --prerelease apply to list");
		if (optind >= argc)
			return lutgen_cli_usage_error(cli, CMD,
						      "download takes PATH@VERSION...");
		return do_download(cli, argv + optind, argc - optind, sum_file);
	}
	return lutgen_cli_usage_error(cli, CMD,
				      "unknown action '%s' (use list or download)",
				      action);
}
