/* SPDX-License-Identifier: MIT */
/*
 * lutgen versions: list the Go releases of the index that a policy selects,
 * oldest first, one per line, or as one JSON document:
 *
 *   {"index_url": "...", "policy": "minor", "prerelease": false,
 *    "min": "go1.20" | null, "max": null, "os": null, "arch": null,
 *    "versions": [{"version": "go1.21.0", "stable": true,
 *                  "archives": {"linux-amd64": {"filename": "...",
 *                               "sha256": "<hex or empty>", "size": N}}}]}
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/cli/cli.h"

#define CMD "versions"

enum {
	OPT_MIN = LUTGEN_OPT_FIRST_FREE,
	OPT_MAX,
	OPT_POLICY,
	OPT_PRERELEASE,
	OPT_OS,
	OPT_ARCH,
};

static void usage(FILE *f)
{
	fputs("Usage: lutgen versions [OPTIONS]\n"
	      "\n"
	      "List the Go releases of the index that the policy selects, "
	      "oldest first,\n"
	      "one per line (or one JSON document with --json).\n"
	      "\n"
	      "Options:\n"
	      "      --min VERSION       oldest version to consider "
	      "(inclusive), e.g. go1.20\n"
	      "      --max VERSION       newest version to consider "
	      "(inclusive)\n"
	      "      --policy POLICY     minor (default): each minor's x.y.0, "
	      "else its newest\n"
	      "                          latest-patch: each minor's newest "
	      "stable release\n"
	      "                          ends: both (x.y.0 and newest) of "
	      "each minor\n"
	      "                          all: every release\n"
	      "      --prerelease        include betas and release "
	      "candidates\n"
	      "      --os OS             only versions with an archive for "
	      "OS (e.g. linux)\n"
	      "      --arch ARCH         only versions with an archive for "
	      "ARCH (e.g. amd64)\n"
	      "  -h, --help              show this help\n"
	      LUTGEN_CLI_COMMON_HELP,
	      f);
}

static cJSON *add_or_null(cJSON *obj, const char *key, const char *s)
{
	return s ? cJSON_AddStringToObject(obj, key, s) :
		   cJSON_AddNullToObject(obj, key);
}

/* {"os-arch": {"filename", "sha256", "size"}} of the release's archives;
 * the first archive of a platform wins (old releases have several). */
static cJSON *archives_json(const struct rungo_release *r)
{
	cJSON *arch = cJSON_CreateObject();
	size_t i;

	if (!arch)
		return NULL;
	for (i = 0; r && i < r->nfiles; i++) {
		const struct rungo_file *f = &r->files[i];
		char key[256];
		cJSON *a;
		int n;

		if (strcmp(f->kind, "archive") != 0)
			continue;
		n = snprintf(key, sizeof(key), "%s-%s", f->os, f->arch);
		if (n < 0 || (size_t)n >= sizeof(key) ||
		    cJSON_GetObjectItemCaseSensitive(arch, key))
			continue;
		a = cJSON_AddObjectToObject(arch, key);
		if (!a || !cJSON_AddStringToObject(a, "filename", f->filename) ||
		    !cJSON_AddStringToObject(a, "sha256", f->sha256) ||
		    !cJSON_AddNumberToObject(a, "size", (double)f->size)) {
			cJSON_Delete(arch);
			return NULL;
		}
	}
	return arch;
}

static int print_json(struct lutgen_cli *cli, const struct rungo_index *idx,
		      const struct rungo_select_opts *o, const char *min_s,
		      const char *max_s, const struct rungo_version *v,
		      size_t n)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *list;
	size_t i;

	if (!doc ||
	    !cJSON_AddStringToObject(doc, "index_url",
				     lutgen_cli_index_url(cli)) ||
	    !cJSON_AddStringToObject(doc, "policy",
				     rungo_policy_name(o->policy)) ||
	    !cJSON_AddBoolToObject(doc, "prerelease", o->prerelease) ||
	    !add_or_null(doc, "min", min_s) || !add_or_null(doc, "max", max_s) ||
	    !add_or_null(doc, "os", o->os) || !add_or_null(doc, "arch", o->arch))
		goto oom;
	list = cJSON_AddArrayToObject(doc, "versions");
	if (!list)
		goto oom;
	for (i = 0; i < n; i++) {
		char s[RUNGO_VERSION_STR_MAX];
		cJSON *e = cJSON_CreateObject();
		cJSON *a;

		if (!e)
			goto oom;
		if (!cJSON_AddItemToArray(list, e)) {
			cJSON_Delete(e);
			goto oom;
		}
		if (rungo_version_format(&v[i], s, sizeof(s)) < 0)
			goto oom;
		a = archives_json(rungo_index_find_release(idx, &v[i]));
		if (!cJSON_AddStringToObject(e, "version", s) ||
		    !cJSON_AddBoolToObject(e, "stable",
					   rungo_version_is_stable(&v[i])) ||
		    !a || !cJSON_AddItemToObject(e, "archives", a)) {
			cJSON_Delete(a);
			goto oom;
		}
	}
	return lutgen_cli_json_out(cli, doc);
oom:
	cJSON_Delete(doc);
	lutgen_cli_err(cli, "out of memory building JSON");
	return LUTGEN_EXIT_FAIL;
}

static int print_text(const struct rungo_version *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char s[RUNGO_VERSION_STR_MAX];

		if (rungo_version_format(&v[i], s, sizeof(s)) < 0)
			return LUTGEN_EXIT_FAIL;
		if (puts(s) == EOF)
			return LUTGEN_EXIT_FAIL;
	}
	return LUTGEN_EXIT_OK;
}

int lutgen_cmd_versions(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "min", required_argument, NULL, OPT_MIN },
		{ "max", required_argument, NULL, OPT_MAX },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "prerelease", no_argument, NULL, OPT_PRERELEASE },
		{ "os", required_argument, NULL, OPT_OS },
		{ "arch", required_argument, NULL, OPT_ARCH },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rungo_select_opts o;
	struct rungo_version min, max, *v = NULL;
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };
	char min_buf[RUNGO_VERSION_STR_MAX], max_buf[RUNGO_VERSION_STR_MAX];
	const char *min_s = NULL, *max_s = NULL;
	size_t n = 0;
	int opt, rc;

	memset(&o, 0, sizeof(o));
	opterr = 0; /* usage errors are reported below, in our words */
	while ((opt = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return LUTGEN_EXIT_OK;
		case OPT_MIN:
			if (rungo_version_parse(optarg, &min, &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--min: %s",
							      err.msg);
			min_s = optarg;
			o.min = &min;
			break;
		case OPT_MAX:
			if (rungo_version_parse(optarg, &max, &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--max: %s",
							      err.msg);
			max_s = optarg;
			o.max = &max;
			break;
		case OPT_POLICY:
			if (rungo_policy_parse(optarg, &o.policy, &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--policy: %s",
							      err.msg);
			break;
		case OPT_PRERELEASE:
			o.prerelease = true;
			break;
		case OPT_OS:
			o.os = optarg;
			break;
		case OPT_ARCH:
			o.arch = optarg;
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
	if (optind < argc)
		return lutgen_cli_usage_error(cli, CMD,
					      "unexpected argument '%s'",
					      argv[optind]);
	if (o.min && o.max && rungo_version_cmp(&min, &max) > 0)
		return lutgen_cli_usage_error(cli, CMD,
					      "--min %s is above --max %s",
					      min_s, max_s);
	/* Canonical spellings in the JSON document. */
	if (o.min && rungo_version_format(&min, min_buf, sizeof(min_buf)) > 0)
		min_s = min_buf;
	if (o.max && rungo_version_format(&max, max_buf, sizeof(max_buf)) > 0)
		max_s = max_buf;

	rc = lutgen_cli_load_index(cli, &idx, &err);
	if (rc)
		return lutgen_cli_fail(cli, &err);
	rc = rungo_select(idx, &o, &v, &n, &err);
	if (rc) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (cli->json)
		rc = print_json(cli, idx, &o, min_s, max_s, v, n);
	else
		rc = print_text(v, n);
	if (rc == LUTGEN_EXIT_OK && n == 0)
		lutgen_cli_info(cli, "no version of the index matches");
out:
	free(v);
	rungo_index_free(idx);
	return rc;
}
