/* SPDX-License-Identifier: MIT */
/* lutgen toolchain: install, list and prune cached Go toolchains. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lutgen/cli/cli.h"

#define MAX_KEEP 256

enum {
	OPT_HELP = 'h',
	OPT_ALL = LUTGEN_OPT_FIRST_FREE,
	OPT_KEEP,
};

static const char toolchain_help[] =
	"Usage: lutgen toolchain COMMAND [OPTIONS] [ARGS...]\n"
	"\n"
	"Manage the shared cache of Go toolchains (for this host: linux and\n"
	"the machine's architecture).\n"
	"\n"
	"Commands:\n"
	"  install VERSION...  download, verify and extract toolchains; print\n"
	"                      each GOROOT, one per line\n"
	"  list                installed toolchains, oldest first\n"
	"  prune               remove leftovers (unfinished downloads and\n"
	"                      extractions, GOCACHEs of removed toolchains)\n"
	"\n"
	"Run 'lutgen toolchain COMMAND --help' for a command's options.\n";

static const char install_help[] =
	"Usage: lutgen toolchain install [OPTIONS] VERSION...\n"
	"\n"
	"Make each Go VERSION (go1.22.4, 1.22.4, go1.21rc2...) available in the\n"
	"cache: a --goroot registered for it, an installed toolchain, or a\n"
	"download verified against the release index's sha256 and extracted\n"
	"(trimmed unless --no-trim).  Prints each GOROOT, one per line; with\n"
	"--json an array of {version, goroot, sha256, trimmed, local,\n"
	"disk_bytes, saved_bytes}.\n"
	"\n"
	"  -h, --help              show this help\n"
	LUTGEN_CLI_COMMON_HELP;

static const char list_help[] =
	"Usage: lutgen toolchain list [OPTIONS]\n"
	"\n"
	"List installed toolchains (cache entries, then --goroot ones), oldest\n"
	"first: version, size on disk, trimmed/full/local, GOROOT; when there\n"
	"is none, stdout stays empty and stderr says so.  With --json an array\n"
	"of {version, goroot, sha256, trimmed, local, disk_bytes, saved_bytes}.\n"
	"\n"
	"  -h, --help              show this help\n"
	LUTGEN_CLI_COMMON_HELP;

static const char prune_help[] =
	"Usage: lutgen toolchain prune [OPTIONS]\n"
	"\n"
	"Remove what nobody is using: unfinished extractions and downloads,\n"
	"and the GOCACHE of toolchains no longer installed.  Toolchains in use\n"
	"(a running generate) or being installed are kept and counted.\n"
	"\n"
	"      --keep VERSION[,VERSION...]  also remove every installed\n"
	"                          toolchain except these (repeatable)\n"
	"      --all               also remove every installed toolchain\n"
	"                          (except --keep ones)\n"
	"  -h, --help              show this help\n"
	LUTGEN_CLI_COMMON_HELP;

static cJSON *toolchain_json(const struct rungo_toolchain *tc)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddStringToObject(o, "version", tc->version_str) ||
	    !cJSON_AddStringToObject(o, "goroot", tc->goroot) ||
	    !cJSON_AddStringToObject(o, "sha256", tc->sha256) ||
	    !cJSON_AddBoolToObject(o, "trimmed", tc->trimmed) ||
	    !cJSON_AddBoolToObject(o, "local", tc->local) ||
	    !cJSON_AddNumberToObject(o, "disk_bytes", (double)tc->disk_bytes) ||
	    !cJSON_AddNumberToObject(o, "saved_bytes",
				     (double)tc->saved_bytes)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* getopt over argv (argv[0] = the action's name) with the common options;
 * options may follow operands, except at the "toolchain" level, which
 * stops at the action.  Returns -1 when done, 0 after help or a usage
 * error (exit code in *rc), else the option. */
static int parse_opts(struct lutgen_cli *cli, const char *cmd, int argc,
		      char **argv, const struct option *longopts,
		      const char *help, int *rc)
{
	const char *optstring = strcmp(cmd, "toolchain") == 0 ? "+:h" : ":h";
	int opt;

	opterr = 0; /* usage errors are reported below, in our words */
	for (;;) {
		opt = getopt_long(argc, argv, optstring, longopts, NULL);
		if (opt == -1)
			return -1;
		if (opt == 'h') {
			fputs(help, stdout);
			*rc = LUTGEN_EXIT_OK;
			return 0;
		}
		if (lutgen_cli_common_option(cli, opt, optarg))
			continue;
		if (opt == '?' || opt == ':') {
			*rc = lutgen_cli_bad_option(cli, cmd, opt, argv);
			return 0;
		}
		return opt;
	}
}

static int cmd_install(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_err err = { 0 };
	struct rungo_cache *cache = NULL;
	struct rungo_index *idx = NULL;
	struct rungo_version *vs = NULL;
	cJSON *arr = NULL;
	const char *arch = common_host_arch();
	int opt, rc = -1, i, nv;

	optind = 0;
	while ((opt = parse_opts(cli, "toolchain install", argc, argv,
				 longopts, install_help, &rc)) > 0)
		;
	if (opt == 0)
		return rc;
	nv = argc - optind;
	if (nv <= 0)
		return lutgen_cli_usage_error(cli, "toolchain install",
					      "no VERSION given");
	if (!arch) {
		err.code = -ENOTSUP;
		snprintf(err.msg, sizeof(err.msg),
			 "this machine's architecture has no Go release name");
		return lutgen_cli_fail(cli, &err);
	}
	vs = calloc((size_t)nv, sizeof(*vs));
	if (!vs) {
		common_err_set(&err, -ENOMEM, "out of memory");
		return lutgen_cli_fail(cli, &err);
	}
	for (i = 0; i < nv; i++) {
		if (rungo_version_parse(argv[optind + i], &vs[i], &err) != 0) {
			rc = lutgen_cli_usage_error(cli, "toolchain install",
						    "%s", err.msg);
			goto out;
		}
	}
	if (cli->json) {
		arr = cJSON_CreateArray();
		if (!arr) {
			common_err_set(&err, -ENOMEM, "out of memory");
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
	}
	if (lutgen_cli_open_cache(cli, &cache, &err) != 0) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	for (i = 0; i < nv; i++) {
		struct rungo_toolchain tc;
		int r;

		/* The index is only needed for what is not installed yet. */
		r = rungo_cache_install(cache, idx, &vs[i], "linux", arch, &tc,
					&err);
		if (r == -ENOENT && !idx) {
			/* Why the index is needed, in case it cannot be had. */
			struct common_err why = err;

			if (lutgen_cli_load_index(cli, &idx, &err) != 0) {
				lutgen_cli_err(cli, "%s", why.msg);
				rc = lutgen_cli_fail(cli, &err);
				goto out;
			}
			r = rungo_cache_install(cache, idx, &vs[i], "linux",
						arch, &tc, &err);
		}
		if (r != 0) {
			/* The archive's server cannot be reached. */
			if (err.code == -EHOSTUNREACH ||
			    err.code == -ECONNREFUSED)
				lutgen_cli_fetch_hint(&err,
						      "another server: --download-url or LUTGEN_DOWNLOAD_URL");
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		if (arr) {
			cJSON *o = toolchain_json(&tc);

			if (!o) {
				common_err_set(&err, -ENOMEM, "out of memory");
				rc = lutgen_cli_fail(cli, &err);
				goto out;
			}
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("%s\n", tc.goroot);
		}
	}
	if (arr) {
		rc = lutgen_cli_json_out(cli, arr);
		arr = NULL;
	} else {
		rc = LUTGEN_EXIT_OK;
	}
out:
	cJSON_Delete(arr);
	rungo_index_free(idx);
	rungo_cache_free(cache);
	free(vs);
	return rc;
}

static int cmd_list(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_err err = { 0 };
	struct rungo_cache *cache = NULL;
	struct rungo_toolchain *tcs = NULL;
	size_t n = 0, i;
	cJSON *arr = NULL;
	int opt, rc = -1;

	optind = 0;
	while ((opt = parse_opts(cli, "toolchain list", argc, argv, longopts,
				 list_help, &rc)) > 0)
		;
	if (opt == 0)
		return rc;
	if (optind < argc)
		return lutgen_cli_usage_error(cli, "toolchain list",
					      "unexpected argument '%s'",
					      argv[optind]);
	if (lutgen_cli_open_cache(cli, &cache, &err) != 0 ||
	    rungo_cache_list(cache, &tcs, &n, &err) != 0) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (cli->json) {
		arr = cJSON_CreateArray();
		for (i = 0; arr && i < n; i++) {
			cJSON *o = toolchain_json(&tcs[i]);

			if (!o) {
				cJSON_Delete(arr);
				arr = NULL;
				break;
			}
			cJSON_AddItemToArray(arr, o);
		}
		if (!arr) {
			common_err_set(&err, -ENOMEM, "out of memory");
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		rc = lutgen_cli_json_out(cli, arr);
		goto out;
	}
	if (n == 0)
		lutgen_cli_info(cli,
				"no toolchains in %s (install one with 'lutgen toolchain install VERSION')",
				rungo_cache_root(cache));
	for (i = 0; i < n; i++) {
		const struct rungo_toolchain *tc = &tcs[i];

		printf("%-14s %9.1f MB  %-7s  %s\n", tc->version_str,
		       (double)tc->disk_bytes / 1e6,
		       tc->local ? "local" : tc->trimmed ? "trimmed" : "full",
		       tc->goroot);
	}
	rc = LUTGEN_EXIT_OK;
out:
	free(tcs);
	rungo_cache_free(cache);
	return rc;
}

/* Add the comma-separated versions of `arg` to keep[]. */
static int add_keep(struct lutgen_cli *cli, const char *arg,
		    struct rungo_version *keep, size_t *n)
{
	char buf[256], *tok, *save = NULL;
	struct common_err err = { 0 };

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return lutgen_cli_usage_error(cli, "toolchain prune",
					      "--keep value too long");
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n >= MAX_KEEP)
			return lutgen_cli_usage_error(cli, "toolchain prune",
						      "too many --keep versions");
		if (rungo_version_parse(tok, &keep[*n], &err) != 0)
			return lutgen_cli_usage_error(cli, "toolchain prune",
						      "%s", err.msg);
		(*n)++;
	}
	return 0;
}

static int cmd_prune(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "keep", required_argument, NULL, OPT_KEEP },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct rungo_version keep[MAX_KEEP];
	struct rungo_prune_stats st = { 0, 0, 0 };
	struct common_err err = { 0 };
	struct rungo_cache *cache = NULL;
	size_t nkeep = 0;
	bool all = false;
	int opt, rc = -1;

	optind = 0;
	while ((opt = parse_opts(cli, "toolchain prune", argc, argv, longopts,
				 prune_help, &rc)) > 0) {
		if (opt == OPT_ALL) {
			all = true;
		} else if (opt == OPT_KEEP) {
			rc = add_keep(cli, optarg, keep, &nkeep);
			if (rc)
				return rc;
		}
	}
	if (opt == 0)
		return rc;
	if (optind < argc)
		return lutgen_cli_usage_error(cli, "toolchain prune",
					      "unexpected argument '%s'",
					      argv[optind]);
	if (lutgen_cli_open_cache(cli, &cache, &err) != 0 ||
	    rungo_cache_prune(cache, keep, nkeep, all, &st, &err) != 0) {
		rc = lutgen_cli_fail(cli, &err);
		goto out;
	}
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();

		if (!o ||
		    !cJSON_AddNumberToObject(o, "entries_removed",
					     (double)st.entries_removed) ||
		    !cJSON_AddNumberToObject(o, "bytes_freed",
					     (double)st.bytes_freed) ||
		    !cJSON_AddNumberToObject(o, "in_use",
					     (double)st.in_use)) {
			cJSON_Delete(o);
			common_err_set(&err, -ENOMEM, "out of memory");
			rc = lutgen_cli_fail(cli, &err);
			goto out;
		}
		rc = lutgen_cli_json_out(cli, o);
	} else {
		printf("removed %llu entries, freed %.1f MB",
		       (unsigned long long)st.entries_removed,
		       (double)st.bytes_freed / 1e6);
		if (st.in_use)
			printf("; kept %llu toolchain%s in use",
			       (unsigned long long)st.in_use,
			       st.in_use == 1 ? "" : "s");
		putchar('\n');
		rc = LUTGEN_EXIT_OK;
	}
out:
	rungo_cache_free(cache);
	return rc;
}

int lutgen_cmd_toolchain(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct lutgen_cli *, int, char **);
	} actions[] = {
		{ "install", cmd_install },
		{ "list", cmd_list },
		{ "prune", cmd_prune },
	};
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc = -1;
	size_t i;

	/* Options before the action ("toolchain --json list"). */
	optind = 0;
	while ((opt = parse_opts(cli, "toolchain", argc, argv, longopts,
				 toolchain_help, &rc)) > 0)
		;
	if (opt == 0)
		return rc;
	if (optind >= argc)
		return lutgen_cli_usage_error(cli, "toolchain",
					      "missing command (install, list or prune)");
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(argv[optind], actions[i].name) == 0)
			return actions[i].run(cli, argc - optind, argv + optind);
	return lutgen_cli_usage_error(cli, "toolchain", "unknown command '%s'",
				      argv[optind]);
}
