/* SPDX-License-Identifier: MIT */
/* placeholder until implemented */
#include "lutgen/cli.h"

int lutgen_cmd_versions(struct lutgen_cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	lutgen_cli_err(cli, "versions: not implemented yet");
	return LUTGEN_EXIT_FAIL;
}
