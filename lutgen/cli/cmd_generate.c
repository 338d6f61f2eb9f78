/* SPDX-License-Identifier: MIT */
/*
 * lutgen generate: measure specs over Go versions and arches and emit
 * generated/<name>.{c,h,json} + generated/lutgen_go.{c,h}.
 *
 * stdout: one summary line per spec
 *   "goid: 18 builds (0 cached), 9 versions x 2 arches -> generated/goid.{c,h,json}"
 * with --check the drift lines, with --results-out one line naming the
 * file; or with --json the run's report (lutgen_run_json in
 * lutgen/lutgen.h) with "ok" and "error".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lutgen/cli/cli.h"

#define CMD "generate"

enum {
	OPT_OUT_DIR = LUTGEN_OPT_FIRST_FREE,
	OPT_KEEP_GOING,
	OPT_REBUILD,
	OPT_SHARD,
	OPT_RESULTS_OUT,
	OPT_CHECK,
	OPT_POLICY,
	OPT_STRICT_PROVENANCE,
	OPT_KEEP_PROVENANCE,
	OPT_SUM,
	OPT_MODULE_MIRROR,
	OPT_BUILD_TIMEOUT,
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
	      "(lutgen/modspecs/<name>.json for module tables) "
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
	      "                          and exit 3 when a value would "
	      "(0: up to date,\n"
	      "                          or only toolchain hashes differ)\n"
	      "      --strict-provenance with --check: exit 3 also when only "
	      "toolchain\n"
	      "                          hashes differ\n"
	      "      --sum FILE          go.sum-style hashes module zips are "
	      "checked\n"
	      "                          against, new versions recorded "
	      "(default:\n"
	      "                          modules.sum beside the spec's "
	      "directory)\n"
	      "      --module-mirror DIR scripts/go-mirror's module mirror "
	      "(`go-mirror\n"
	      "                          moddir`): module versions build with "
	      "the\n"
	      "                          versions of their Debian suite "
	      "(default:\n"
	      "                          $LUTGEN_MODULE_MIRROR, set by "
	      "`go-mirror run\n"
	      "                          --modules`)\n"
	      "      --keep-provenance   keep the committed toolchain sha256 "
	      "of every\n"
	      "                          entry whose value is unchanged (files "
	      "change\n"
	      "                          for values only)\n"
	      "      --policy P          override the specs' version policy:\n"
	      "                          minor, latest-patch, ends or all "
	      "(env\n"
	      "                          LUTGEN_POLICY)\n"
	      "      --build-timeout SECONDS  kill a go build (and its tools) "
	      "running\n"
	      "                          longer (env LUTGEN_BUILD_TIMEOUT; "
	      "default " LUTGEN_STR(LUTGEN_RUN_BUILD_TIMEOUT_DEFAULT_S) ")\n"
	      "  -h, --help              show this help\n" LUTGEN_CLI_COMMON_HELP,
	      f);
}

/* SPEC argument -> path. */
static int resolve_spec(const char *arg, char *buf, size_t size)
{
	size_t n = strlen(arg);
	int w;

	if (strchr(arg, '/') || (n > 5 && strcmp(arg + n - 5, ".json") == 0)) {
		w = snprintf(buf, size, "%s", arg);
	} else {
		/* Go specs, then module specs. */
		w = snprintf(buf, size, "lutgen/specs/%s.json", arg);
		if (w >= 0 && (size_t)w < size && access(buf, F_OK) != 0 &&
		    snprintf(NULL, 0, "lutgen/modspecs/%s.json", arg) < (int)size) {
			char mod[PATH_MAX];

			snprintf(mod, sizeof(mod), "lutgen/modspecs/%s.json", arg);
			if (access(mod, F_OK) == 0)
				w = snprintf(buf, size, "%s", mod);
		}
	}
	return w < 0 || (size_t)w >= size ? -ENAMETOOLONG : 0;
}

struct gen_args {
	struct lutgen_run_opts o;
	bool check, strict_provenance;
	const char *policy_env;
	bool have_policy;
	const char *timeout, *timeout_from;  /* --build-timeout or its env */
};

/* Options; returns -1 to go on, else an exit code. */
static int parse_args(struct lutgen_cli *cli, int argc, char **argv,
		      struct gen_args *a)
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
		{ "strict-provenance", no_argument, NULL,
		  OPT_STRICT_PROVENANCE },
		{ "keep-provenance", no_argument, NULL, OPT_KEEP_PROVENANCE },
		{ "sum", required_argument, NULL, OPT_SUM },
		{ "module-mirror", required_argument, NULL, OPT_MODULE_MIRROR },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "build-timeout", required_argument, NULL, OPT_BUILD_TIMEOUT },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_err err = { 0 };
	char *end;
	long v;
	int opt;

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
			a->o.out_dir = optarg;
			break;
		case 'j':
			v = strtol(optarg, &end, 10);
			if (*end || end == optarg || v < 1 || v > LUTGEN_MAX_JOBS)
				return lutgen_cli_usage_error(
					cli, CMD,
					"-j: expected a number from 1 to %d, got '%s'",
					LUTGEN_MAX_JOBS, optarg);
			a->o.jobs = (int)v;
			break;
		case OPT_KEEP_GOING:
			a->o.keep_going = true;
			break;
		case OPT_REBUILD:
			a->o.rebuild = true;
			break;
		case OPT_SHARD:
			if (lutgen_shard_parse(optarg, &a->o.shard_k,
					       &a->o.shard_n, &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--shard: %s",
							      err.msg);
			break;
		case OPT_RESULTS_OUT:
			if (!*optarg)
				return lutgen_cli_usage_error(
					cli, CMD, "--results-out: empty");
			a->o.results_out = optarg;
			break;
		case OPT_CHECK:
			a->check = true;
			break;
		case OPT_STRICT_PROVENANCE:
			a->strict_provenance = true;
			break;
		case OPT_SUM:
			if (!*optarg)
				return lutgen_cli_usage_error(cli, CMD,
							      "--sum: empty");
			a->o.sum_file = optarg;
			break;
		case OPT_MODULE_MIRROR:
			if (!*optarg)
				return lutgen_cli_usage_error(
					cli, CMD, "--module-mirror: empty");
			a->o.module_mirror = optarg;
			break;
		case OPT_KEEP_PROVENANCE:
			a->o.keep_provenance = true;
			break;
		case OPT_POLICY:
			if (rungo_policy_parse(optarg, &a->o.policy, &err) != 0)
				return lutgen_cli_usage_error(cli, CMD,
							      "--policy: %s",
							      err.msg);
			a->have_policy = true;
			break;
		case OPT_BUILD_TIMEOUT:
			a->timeout = optarg;
			a->timeout_from = "--build-timeout";
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
	return -1;
}

/* What the options mean together; returns -1 to go on, else an exit
 * code. */
static int settle_args(struct lutgen_cli *cli, int argc, struct gen_args *a)
{
	struct common_err err = { 0 };

	if (optind >= argc)
		return lutgen_cli_usage_error(cli, CMD, "no SPEC given");
	if (!a->have_policy && a->policy_env && *a->policy_env) {
		if (rungo_policy_parse(a->policy_env, &a->o.policy, &err) != 0)
			return lutgen_cli_usage_error(cli, CMD,
						      "LUTGEN_POLICY: %s",
						      err.msg);
		a->have_policy = true;
	}
	a->o.override_policy = a->have_policy;
	if (a->timeout) {
		char *end;
		long v = strtol(a->timeout, &end, 10);

		if (*end || end == a->timeout || v < 1 || v > 86400 * 7)
			return lutgen_cli_usage_error(
				cli, CMD,
				"%s: expected a number of seconds from 1 to 604800, got '%.40s'",
				a->timeout_from, a->timeout);
		a->o.build_timeout_s = (double)v;
	}
	if (a->o.shard_n > 1 && !a->o.results_out)
		return lutgen_cli_usage_error(
			cli, CMD,
			"--shard %d/%d needs --results-out FILE (a shard's tables are incomplete; lutgen merge renders them)",
			a->o.shard_k, a->o.shard_n);
	if (a->check && a->o.results_out)
		return lutgen_cli_usage_error(
			cli, CMD, "--check and --results-out/--shard exclude each other");
	if (a->strict_provenance && !a->check)
		return lutgen_cli_usage_error(
			cli, CMD, "--strict-provenance goes with --check");
	if (a->o.keep_provenance && (a->check || a->o.results_out))
		return lutgen_cli_usage_error(
			cli, CMD,
			"--keep-provenance is for writing tables, not with --check or --results-out");
	a->o.mode = a->check ? LUTGEN_RUN_CHECK
		    : a->o.results_out ? LUTGEN_RUN_RESULTS : LUTGEN_RUN_EMIT;
	a->o.goroots = cli->goroots;
	a->o.ngoroots = cli->ngoroots;
	a->o.progress = lutgen_cli_builds_progress;
	a->o.progress_ctx = cli;
	a->o.build_done = lutgen_cli_build_done;
	a->o.build_done_ctx = cli;
	a->o.log = lutgen_cli_log;
	a->o.log_ctx = cli;
	return -1;
}

/* Every SPEC argument into the run. */
static int add_specs(struct lutgen_cli *cli, struct lutgen_run *r, int argc,
		     char **argv, struct common_err *err)
{
	char path[PATH_MAX];
	int i, rc;

	for (i = optind; i < argc; i++) {
		if (resolve_spec(argv[i], path, sizeof(path)))
			return lutgen_cli_usage_error(cli, CMD,
						      "SPEC too long: %s",
						      argv[i]);
		rc = lutgen_run_add_spec(r, path, err);
		if (rc == -ENOENT && strcmp(path, argv[i]) != 0)
			common_err_set(err, -ENOENT,
				       "spec %s: not found (a bare SPEC name is looked up as lutgen/specs/<name>.json in the current directory; pass a path otherwise)",
				       path);
		if (rc)
			return lutgen_cli_fail(cli, err);
	}
	return -1;
}

/* Toolchains and the index, then the run. */
static int generate(struct lutgen_cli *cli, struct lutgen_run *r,
		    struct common_err *err)
{
	struct rungo_cache *cache = NULL;
	struct rungo_index *idx = NULL;
	int rc;

	rc = lutgen_cli_open_cache(cli, &cache, err);
	if (rc == 0)
		rc = lutgen_cli_load_index(cli, &idx, err);
	if (rc == 0)
		rc = lutgen_run_generate(r, cache, idx, err);
	rungo_index_free(idx);
	rungo_cache_free(cache);
	return rc;
}

int lutgen_cmd_generate(struct lutgen_cli *cli, int argc, char **argv)
{
	struct common_err err = { 0 };
	struct lutgen_run *r = NULL;
	struct rungo_goproxy *proxy = NULL;
	struct gen_args a;
	int rc;

	memset(&a, 0, sizeof(a));
	a.policy_env = getenv("LUTGEN_POLICY");
	a.timeout = getenv("LUTGEN_BUILD_TIMEOUT");
	a.timeout_from = "LUTGEN_BUILD_TIMEOUT";
	if (a.timeout && !*a.timeout)
		a.timeout = NULL;
	a.o.module_mirror = getenv("LUTGEN_MODULE_MIRROR");
	if (a.o.module_mirror && !*a.o.module_mirror)
		a.o.module_mirror = NULL;
	rc = parse_args(cli, argc, argv, &a);
	if (rc < 0)
		rc = settle_args(cli, argc, &a);
	if (rc >= 0)
		return rc;
	/* Module specs fetch from GOPROXY / --goproxy (parsed now, used only
	 * when a spec names a module). */
	if (lutgen_cli_open_goproxy(cli, &proxy, &err) != 0)
		return lutgen_cli_fail(cli, &err);
	a.o.proxy = proxy;
	if (lutgen_run_new(&a.o, &r, &err) != 0) {
		rungo_goproxy_free(proxy);
		return lutgen_cli_fail(cli, &err);
	}
	rc = add_specs(cli, r, argc, argv, &err);
	if (rc < 0)
		rc = lutgen_cli_run_report(cli, r, generate(cli, r, &err), &err,
					   a.strict_provenance);
	lutgen_run_free(r);
	rungo_goproxy_free(proxy);
	return rc;
}
