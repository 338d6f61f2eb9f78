/* SPDX-License-Identifier: MIT */
/*
 * lutgen merge: combine the result files of sharded `lutgen generate
 * --shard K/N --results-out FILE` runs and render what an unsharded run
 * would (byte-identical), or with --check only report the drift against
 * OUT_DIR.
 *
 * stdout: one line per spec
 *   "goid: 3 results files, 22 measurements -> generated/goid.{c,h,json} (changed)"
 * or with --check the drift summary (lutgen/refresh/drift.h): exit 3 on
 * value drift (provenance drift too with --strict-provenance).  With
 * --json the run's report (lutgen_run_json in lutgen/lutgen.h), the same
 * shape as generate's, with "ok" and "error".
 */
#include <getopt.h>
#include <stdio.h>

#include "lutgen/cli/cli.h"

#define CMD "merge"

enum {
	OPT_OUT_DIR = LUTGEN_OPT_FIRST_FREE,
	OPT_CHECK,
	OPT_STRICT_PROVENANCE,
	OPT_KEEP_PROVENANCE,
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
	      "                          when a value would (0: up to date, "
	      "or only\n"
	      "                          toolchain hashes differ)\n"
	      "      --strict-provenance with --check: exit 3 also when only "
	      "toolchain\n"
	      "                          hashes differ\n"
	      "      --keep-provenance   keep the committed toolchain sha256 "
	      "of every\n"
	      "                          entry whose value is unchanged (files "
	      "change\n"
	      "                          for values only)\n"
	      "  -h, --help              show this help\n" LUTGEN_CLI_COMMON_HELP
	      "\n"
	      "Exit codes: 0 ok (--check: up to date), 1 failure, 2 usage "
	      "error,\n"
	      "3 (--check) the tables in OUT_DIR are out of date.\n",
	      f);
}

int lutgen_cmd_merge(struct lutgen_cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "strict-provenance", no_argument, NULL,
		  OPT_STRICT_PROVENANCE },
		{ "keep-provenance", no_argument, NULL, OPT_KEEP_PROVENANCE },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct common_err err = { 0 };
	struct lutgen_run_opts o = { 0 };
	struct lutgen_run *r = NULL;
	bool strict = false;
	int opt, rc = 0, i;

	o.mode = LUTGEN_RUN_EMIT;
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
			o.out_dir = optarg;
			break;
		case OPT_CHECK:
			o.mode = LUTGEN_RUN_CHECK;
			break;
		case OPT_STRICT_PROVENANCE:
			strict = true;
			break;
		case OPT_KEEP_PROVENANCE:
			o.keep_provenance = true;
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
	if (strict && o.mode != LUTGEN_RUN_CHECK)
		return lutgen_cli_usage_error(
			cli, CMD, "--strict-provenance goes with --check");
	if (o.keep_provenance && o.mode == LUTGEN_RUN_CHECK)
		return lutgen_cli_usage_error(
			cli, CMD, "--keep-provenance is for writing tables, not with --check");
	if (lutgen_run_new(&o, &r, &err) != 0)
		return lutgen_cli_fail(cli, &err);
	for (i = optind; rc == 0 && i < argc; i++)
		rc = lutgen_run_add_results(r, argv[i], &err);
	if (rc == 0) {
		rc = lutgen_run_merge(r, &err);
		if (rc == 0)
			lutgen_cli_info(cli, "merged %d results file%s",
					argc - optind,
					argc - optind == 1 ? "" : "s");
	}
	rc = lutgen_cli_run_report(cli, r, rc, &err, strict);
	lutgen_run_free(r);
	return rc;
}
