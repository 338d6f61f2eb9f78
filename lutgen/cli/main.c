/* SPDX-License-Identifier: MIT */
/* lutgen: entry point, global options and the subcommand table. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lutgen/cli/cli.h"

#ifndef LUTGEN_VERSION
#define LUTGEN_VERSION "unknown"
#endif

struct command {
	const char *name;
	int (*run)(struct lutgen_cli *cli, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "versions", lutgen_cmd_versions,
	  "list Go releases of the index, oldest first" },
	{ "toolchain", lutgen_cmd_toolchain,
	  "install, list and prune cached Go toolchains" },
	{ "generate", lutgen_cmd_generate,
	  "build, inspect and emit lookup tables from specs" },
	{ "inspect", lutgen_cmd_inspect,
	  "tell a Go ELF's version, arch and the tables' answers" },
	{ "merge", lutgen_cmd_merge,
	  "render tables from sharded generate results" },
	{ "modules", lutgen_cmd_modules,
	  "list, download and verify Go module versions" },
};

static void usage(FILE *f, const char *prog)
{
	size_t i;

	fprintf(f,
		"Usage: %s [OPTIONS] COMMAND [ARGS...]\n"
		"\n"
		"Generate verified lookup tables of Go runtime layouts.\n"
		"\n"
		"Commands:\n",
		prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s  %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "  %-10s  %s\n", "help", "show this help or a command's");
	fprintf(f,
		"\n"
		"Options:\n"
		"  -h, --help       show this help\n"
		"  -V, --version    print lutgen's version\n"
		"  -v, --verbose    more diagnostics\n" LUTGEN_CLI_COMMON_HELP
		"\n"
		"Run '%s COMMAND --help' for a command's options.\n",
		prog);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int finish(struct lutgen_cli *cli, int rc)
{
	lutgen_cli_progress_end(cli);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		lutgen_cli_err(cli, "writing to stdout failed");
		return LUTGEN_EXIT_FAIL;
	}
	return rc;
}

/* --json anywhere before "--", also after a bad option that stops getopt
 * (ours or the subcommand's): every exit then prints one JSON document. */
static bool wants_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		if (strcmp(argv[i], "--json") == 0)
			return true;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		LUTGEN_CLI_COMMON_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	struct lutgen_cli cli;
	const struct command *cmd;
	struct common_err err = { 0 };
	const char *ci;
	int opt, rc;

	memset(&cli, 0, sizeof(cli));
	cli.prog = "lutgen";
	pthread_mutex_init(&cli.lock, NULL);
	ci = getenv("CI");
	lutgen_cli_progress_init(&cli, isatty(STDERR_FILENO) && !(ci && *ci));
	if (wants_json(argc, argv))
		lutgen_cli_common_option(&cli, LUTGEN_OPT_JSON, NULL);

	/* "+": stop at the first non-option, the subcommand; ":" and opterr
	 * 0: usage errors are reported below, in our words. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:hVv", longopts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout, cli.prog);
			return finish(&cli, LUTGEN_EXIT_OK);
		case 'V':
			printf("lutgen %s\n", LUTGEN_VERSION);
			return finish(&cli, LUTGEN_EXIT_OK);
		case 'v':
			cli.verbose++;
			break;
		case ':':
		case '?':
			return finish(&cli, lutgen_cli_bad_option(&cli, NULL,
								  opt, argv));
		default:
			if (lutgen_cli_common_option(&cli, opt, optarg))
				break;
			return finish(&cli, lutgen_cli_usage_error(
						    &cli, NULL,
						    "unhandled option"));
		}
	}
	opterr = 1; /* subcommands may rely on getopt's own messages */
	if (optind >= argc) {
		if (cli.json)
			return finish(&cli, lutgen_cli_usage_error(
						    &cli, NULL, "no COMMAND given"));
		usage(stderr, cli.prog);
		return LUTGEN_EXIT_USAGE;
	}
	if (strcmp(argv[optind], "help") == 0) {
		if (optind + 1 >= argc ||
		    strcmp(argv[optind + 1], "help") == 0) {
			usage(stdout, cli.prog);
			return finish(&cli, LUTGEN_EXIT_OK);
		}
		cmd = find_command(argv[optind + 1]);
		if (!cmd)
			return finish(&cli, lutgen_cli_usage_error(
						    &cli, NULL,
						    "unknown command '%s'",
						    argv[optind + 1]));
		{
			char *hargv[] = { (char *)cmd->name, (char *)"--help",
					  NULL };

			optind = 0;
			return finish(&cli, cmd->run(&cli, 2, hargv));
		}
	}
	cmd = find_command(argv[optind]);
	if (!cmd)
		return finish(&cli, lutgen_cli_usage_error(&cli, NULL,
							   "unknown command '%s'",
							   argv[optind]));
	if (rungo_fetch_global_init(&err) != 0)
		return finish(&cli, lutgen_cli_fail(&cli, &err));
	argc -= optind;
	argv += optind;
	optind = 0; /* reset getopt for the subcommand (GNU: full reinit) */
	rc = cmd->run(&cli, argc, argv);
	rc = finish(&cli, rc);
	rungo_fetch_global_cleanup();
	return rc;
}
