/* SPDX-License-Identifier: MIT */
/* lutgen/cli/report.c - what `generate` and `merge` print about a run. */
#include <cjson/cJSON.h>
#include <stdio.h>

#include "lutgen/cli/cli.h"

/* stderr: every failure in full (what ran, with which environment, and
 * what it said). */
static void report_diagnostics(struct lutgen_cli *cli,
			       const struct lutgen_run *r)
{
	const char *const *v;
	size_t n, i;

	v = lutgen_run_failures(r, &n);
	for (i = 0; i < n; i++)
		lutgen_cli_err(cli, "%s", v[i]);
	if (lutgen_run_skipped(r))
		lutgen_cli_info(cli,
				"stopped after the first failure: %zu builds not run (--keep-going runs them)",
				lutgen_run_skipped(r));
}

static int report_json(struct lutgen_cli *cli, const struct lutgen_run *r,
		       int rc, const struct common_err *err)
{
	cJSON *doc = lutgen_run_json(r);

	if (!doc || !cJSON_AddBoolToObject(doc, "ok", rc == 0) ||
	    (rc && !cJSON_AddStringToObject(doc, "error", err->msg))) {
		cJSON_Delete(doc);
		lutgen_cli_err(cli, "out of memory");
		return LUTGEN_EXIT_FAIL;
	}
	cli->json_error_emitted = true;
	return lutgen_cli_json_out(cli, doc);
}

int lutgen_cli_run_report(struct lutgen_cli *cli, const struct lutgen_run *r,
			  int rc, const struct common_err *err,
			  bool strict_provenance)
{
	enum lutgen_drift_level drift = lutgen_run_drift(r);
	const char *const *lines;
	size_t n, i;
	int exit_code;

	report_diagnostics(cli, r);
	if (rc)
		lutgen_cli_err(cli, "%s", err->msg);
	if (cli->json) {
		exit_code = report_json(cli, r, rc, err);
	} else {
		lines = lutgen_run_lines(r, &n);
		for (i = 0; i < n; i++)
			puts(lines[i]);
		/* Notes belong to the summary: worth a look, nothing to act
		 * on, so not warnings; --quiet leaves them out. */
		lines = lutgen_run_notes(r, &n);
		for (i = 0; !cli->quiet && i < n; i++)
			printf("note: %s\n", lines[i]);
		exit_code = LUTGEN_EXIT_OK;
	}
	if (rc)
		return LUTGEN_EXIT_FAIL;
	if (drift == LUTGEN_DRIFT_VALUES ||
	    (drift == LUTGEN_DRIFT_PROVENANCE && strict_provenance))
		return exit_code == LUTGEN_EXIT_OK ? LUTGEN_EXIT_DRIFT
						   : exit_code;
	if (drift == LUTGEN_DRIFT_PROVENANCE)
		lutgen_cli_info(cli,
				"only toolchain hashes differ (provenance); --strict-provenance makes that fail");
	return exit_code;
}
