/* SPDX-License-Identifier: MIT */
/* placeholder until implemented */
#include "lutgen/cli.h"

int lutgen_cmd_inspect(struct lutgen_cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	lutgen_cli_err(cli, "inspect: not implemented yet");
	return LUTGEN_EXIT_FAIL;
}
