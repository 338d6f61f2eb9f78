/* SPDX-License-Identifier: MIT */
/*
 * tests/nightly_fixture.c - a results file (lutgen/refresh/results.h, shard
 * 1/1) holding exactly the measurements of a committed
 * generated/<name>.json, for feeding scripts/nightly-refresh
 * --from-results without a toolchain (tests/e2e_nightly.sh).
 *
 *   nightly_fixture ROOT NAME OUT [--resha HEX64] [--bump]
 *
 * --resha replaces every toolchain sha256 (the same Go releases repacked
 * with other bytes); --bump adds 8 to the first entry of the first lookup
 * (a value change).
 */
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/refresh/results.h"

static int die(const char *what, const struct common_err *err)
{
	fprintf(stderr, "nightly_fixture: %s: %s\n", what,
		err ? err->msg : "bad input");
	return 1;
}

/* Add every entry of the committed lookup `lk` (index li) to t. */
static int add_entries(struct lutgen_table *t, const struct lutgen_spec *s,
		       size_t li, const cJSON *lk, const char *resha,
		       bool *bump, struct common_err *err)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(lk, "entries")) {
		struct rungo_version v;
		struct lutgen_value val;
		const char *sha =
			cJSON_GetObjectItem(e, "toolchain_sha256")->valuestring;
		int rc;

		if (rungo_version_parse(
			    cJSON_GetObjectItem(e, "version")->valuestring, &v,
			    err) ||
		    lutgen_value_from_json(cJSON_GetObjectItem(e, "value"),
					   s->lookups[li].kind, &val, "entry",
					   err) ||
		    lutgen_value_matched_from_json(
			    cJSON_GetObjectItem(e, "matched"), &val))
			return -1;
		if (*bump && !val.absent) {
			val.u += 8;
			*bump = false;
		}
		rc = lutgen_table_add(t, li,
				      cJSON_GetObjectItem(e, "arch")->valuestring,
				      &v, resha && *sha ? resha : sha, &val, err);
		lutgen_value_free(&val);
		if (rc)
			return rc;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct common_err err = { 0 };
	struct lutgen_spec *s = NULL;
	struct lutgen_table *t = NULL;
	struct lutgen_results *r = NULL;
	const char *resha = NULL;
	bool bump = false;
	char path[4096], *text = NULL;
	const cJSON *lk;
	cJSON *doc;
	size_t li = 0;
	int i;

	if (argc < 4) {
		fprintf(stderr, "usage: nightly_fixture ROOT NAME OUT [--resha HEX64] [--bump]\n");
		return 2;
	}
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--resha") == 0 && i + 1 < argc)
			resha = argv[++i];
		else if (strcmp(argv[i], "--bump") == 0)
			bump = true;
		else
			return die(argv[i], NULL);
	}
	snprintf(path, sizeof(path), "%s/lutgen/specs/%s.json", argv[1],
		 argv[2]);
	if (lutgen_spec_load(path, &s, &err))
		return die(path, &err);
	snprintf(path, sizeof(path), "%s/generated/%s.json", argv[1], argv[2]);
	if (common_fs_read_file(path, 0, &text, NULL, &err))
		return die(path, &err);
	doc = cJSON_Parse(text);
	if (!doc || rungo_policy_parse(cJSON_GetObjectItem(doc, "policy")->valuestring,
				       &s->policy, &err) ||
	    lutgen_table_new(s, &t, &err))
		return die(path, &err);
	cJSON_ArrayForEach(lk, cJSON_GetObjectItem(doc, "lookups"))
		if (li >= s->nlookups ||
		    add_entries(t, s, li++, lk, resha, &bump, &err))
			return die(path, &err);
	if (lutgen_results_new(1, 1, &r, &err) ||
	    lutgen_results_add(r, s, t, NULL, 0, &err) ||
	    lutgen_results_write(r, argv[3], &err))
		return die(argv[3], &err);
	lutgen_results_free(r);
	lutgen_table_free(t);
	lutgen_spec_free(s);
	cJSON_Delete(doc);
	free(text);
	return 0;
}
