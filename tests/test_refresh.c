/* SPDX-License-Identifier: MIT */
/*
 * tests/test_refresh.c - nightly refresh support: shard assignment,
 * results files (write/load round trip, merge of shard files renders
 * byte-identical output, rejected shard sets), the drift summary on
 * hand-built old/new tables, and the exit codes of `lutgen merge`.
 *
 * Expected values are written down by hand from the hand-built tables
 * below; nothing is computed by the code under test.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/emit/emit.h"
#include "lutgen/refresh/drift.h"
#include "lutgen/refresh/results.h"
#include "lutgen/refresh/shard.h"
#include "rungo/index.h"
#include "skip.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static const char spec_json[] =
	"{\"name\": \"tst\", \"doc\": \"Refresh test table.\",\n"
	" \"program\": \"tst\", \"min_version\": \"go1.20\",\n"
	" \"arches\": [\"amd64\", \"arm64\"], \"policy\": \"all\",\n"
	" \"lookups\": [\n"
	"  {\"name\": \"goid_offset\", \"doc\": \"goid in g.\",\n"
	"   \"kind\": \"struct_offset\", \"type\": \"runtime.g\", \"field\": \"goid\"},\n"
	"  {\"name\": \"g_size\", \"doc\": \"Size of g.\",\n"
	"   \"kind\": \"type_size\", \"type\": \"runtime.g\"},\n"
	"  {\"name\": \"fn_params\", \"doc\": \"Args of f.\",\n"
	"   \"kind\": \"func_params\", \"function\": \"main.f\"}\n"
	" ]}\n";

/* The versions of the hand-built table (sorted). */
static const char *const versions[] = { "go1.20", "go1.21.0", "go1.22.0",
					"go1.23.0", "go1.23.1" };
#define NVERSIONS (sizeof(versions) / sizeof(versions[0]))

struct fx {
	char dir[256];
	struct lutgen_spec *spec;
	struct lutgen_table *t;
};

static struct lutgen_spec *load_spec(const char *json)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };

	if (lutgen_spec_parse(json, strlen(json), "lutgen/specs/tst.json", &s,
			      &err) != 0)
		fail_msg("spec: %s", err.msg);
	return s;
}

static struct rungo_version ver(const char *s)
{
	struct rungo_version v;

	assert_int_equal(rungo_version_parse(s, &v, NULL), 0);
	return v;
}

static void add_u(struct lutgen_table *t, size_t l, const char *arch,
		  const char *v, const char *sha, uint64_t u,
		  enum lutgen_lookup_kind kind)
{
	struct lutgen_value val = { 0 };
	struct rungo_version vv = ver(v);
	struct common_err err = { 0 };

	val.kind = kind;
	val.u = u;
	if (lutgen_table_add(t, l, arch, &vv, sha, &val, &err) != 0)
		fail_msg("add: %s", err.msg);
}

/* fn_params: c in one register (reg >= 0) or on the stack at 8(SP), and
 * b as three register pieces. */
static void add_params(struct lutgen_table *t, const char *arch,
		       const char *v, const char *sha, int creg,
		       const char *cname)
{
	struct lutgen_piece cp = { 0 }, bp[3];
	struct lutgen_param p[2];
	struct lutgen_value val = { 0 };
	struct rungo_version vv = ver(v);
	struct common_err err = { 0 };
	int i;

	memset(bp, 0, sizeof(bp));
	memset(p, 0, sizeof(p));
	if (creg >= 0) {
		cp.kind = LUTGEN_PIECE_REG;
		cp.reg = creg;
		snprintf(cp.reg_name, sizeof(cp.reg_name), "%s", cname);
	} else {
		cp.kind = LUTGEN_PIECE_STACK;
		cp.stack_offset = 8;
	}
	cp.size = 8;
	for (i = 0; i < 3; i++) {
		bp[i].kind = LUTGEN_PIECE_REG;
		bp[i].reg = i + 1;
		snprintf(bp[i].reg_name, sizeof(bp[i].reg_name), "R%d", i + 1);
		bp[i].size = 8;
	}
	p[0].name = (char *)"c";
	p[0].size = 8;
	p[0].pieces = &cp;
	p[0].npieces = 1;
	p[1].name = (char *)"b";
	p[1].size = 24;
	p[1].pieces = bp;
	p[1].npieces = 3;
	val.kind = LUTGEN_LOOKUP_FUNC_PARAMS;
	val.params = p;
	val.nparams = 2;
	if (lutgen_table_add(t, 2, arch, &vv, sha, &val, &err) != 0)
		fail_msg("add params: %s", err.msg);
}

/* The complete hand-built table: 5 versions x 2 arches x 3 lookups. */
static void fill_table(struct lutgen_table *t)
{
	static const uint64_t goid[NVERSIONS] = { 152, 152, 160, 160, 168 };
	size_t i;

	for (i = 0; i < NVERSIONS; i++) {
		const char *sha = i == 4 ? "" : SHA_A;

		add_u(t, 0, "amd64", versions[i], sha[0] ? sha : NULL, goid[i],
		      LUTGEN_LOOKUP_STRUCT_OFFSET);
		add_u(t, 0, "arm64", versions[i], SHA_B, goid[i],
		      LUTGEN_LOOKUP_STRUCT_OFFSET);
		add_u(t, 1, "amd64", versions[i], sha[0] ? sha : NULL,
		      400 + 8 * (i / 2), LUTGEN_LOOKUP_TYPE_SIZE);
		add_u(t, 1, "arm64", versions[i], SHA_B, 400 + 8 * (i / 2),
		      LUTGEN_LOOKUP_TYPE_SIZE);
		add_params(t, "amd64", versions[i], sha[0] ? sha : NULL,
			   i < 2 ? -1 : 0, "RAX");
		add_params(t, "arm64", versions[i], SHA_B, 0, "R0");
	}
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct common_err err = { 0 };

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s/lutgen-refresh-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	f->spec = load_spec(spec_json);
	assert_int_equal(lutgen_table_new(f->spec, &f->t, &err), 0);
	fill_table(f->t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
	lutgen_table_free(f->t);
	lutgen_spec_free(f->spec);
	free(f);
	return 0;
}

static char *path_in(const struct fx *f, const char *name)
{
	static char buf[4][512];
	static int next;
	char *p = buf[next++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", f->dir, name);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	if (!fp)
		return NULL;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (len)
		*len = (size_t)n;
	return buf;
}

static void write_text(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* ---- shards ---- */

static void test_shard_parse(void **state)
{
	struct common_err err = { 0 };
	int k = 0, n = 0;

	(void)state;
	assert_int_equal(lutgen_shard_parse("2/4", &k, &n, &err), 0);
	assert_int_equal(k, 2);
	assert_int_equal(n, 4);
	assert_int_equal(lutgen_shard_parse("1/1", &k, &n, &err), 0);
	assert_int_equal(k, 1);
	assert_int_equal(n, 1);
	assert_int_equal(lutgen_shard_parse("0/4", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "'0/4'"));
	assert_int_equal(lutgen_shard_parse("5/4", &k, &n, &err), -EINVAL);
	assert_int_equal(lutgen_shard_parse("2", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "expected K/N"));
	assert_int_equal(lutgen_shard_parse("a/4", &k, &n, &err), -EINVAL);
	assert_int_equal(lutgen_shard_parse("2/4x", &k, &n, &err), -EINVAL);
	assert_int_equal(lutgen_shard_parse("-1/4", &k, &n, &err), -EINVAL);
	assert_int_equal(lutgen_shard_parse("1/", &k, &n, &err), -EINVAL);
}

static void test_shard_job_order(void **state)
{
	struct lutgen_shard_job *jobs = NULL;
	size_t n = 0;
	struct rungo_version v[3];
	char *a1[] = { (char *)"arm64", (char *)"amd64" };
	char *a2[] = { (char *)"riscv64", (char *)"amd64" };
	char vs[RUNGO_VERSION_STR_MAX];
	/* Written down by hand: version order (go1.9.2 < go1.10), then
	 * arch by name; the second spec adds riscv64 and go1.10 twice. */
	static const char *const want[][2] = {
		{ "go1.9.2", "amd64" },	 { "go1.9.2", "arm64" },
		{ "go1.10", "amd64" },	 { "go1.10", "arm64" },
		{ "go1.10", "riscv64" }, { "go1.21.0", "amd64" },
		{ "go1.21.0", "arm64" },
	};
	size_t i;

	(void)state;
	v[0] = ver("go1.10");
	v[1] = ver("go1.9.2");
	v[2] = ver("go1.21.0");
	assert_int_equal(lutgen_shard_jobs_add(&jobs, &n, v, 3, a1, 2, NULL), 0);
	assert_int_equal(lutgen_shard_jobs_add(&jobs, &n, v, 1, a2, 2, NULL), 0);
	assert_int_equal(n, 7);
	for (i = 0; i < n; i++) {
		rungo_version_format(&jobs[i].version, vs, sizeof(vs));
		assert_string_equal(vs, want[i][0]);
		assert_string_equal(jobs[i].goarch, want[i][1]);
	}
	v[0] = ver("go1.10");
	assert_int_equal(lutgen_shard_jobs_find(jobs, n, &v[0], "riscv64"), 4);
	assert_int_equal(lutgen_shard_jobs_find(jobs, n, &v[0], "386"), -1);
	free(jobs);
}

static void test_shard_balanced_complete(void **state)
{
	/* 22 jobs (11 versions x 2 arches, as in the mirror).  Shard sizes
	 * written down by hand: ceil/floor of 22/N. */
	static const size_t want[6][5] = {
		{ 0 },
		{ 22 },
		{ 11, 11 },
		{ 8, 7, 7 },
		{ 6, 6, 5, 5 },
		{ 5, 5, 4, 4, 4 },
	};
	size_t j, owners, size[5];
	int n, k;

	(void)state;
	for (n = 1; n <= 5; n++) {
		memset(size, 0, sizeof(size));
		for (j = 0; j < 22; j++) {
			owners = 0;
			for (k = 1; k <= n; k++)
				if (lutgen_shard_owns(k, n, j)) {
					owners++;
					size[k - 1]++;
				}
			assert_int_equal(owners, 1);
		}
		for (k = 1; k <= n; k++)
			assert_int_equal(size[k - 1], want[n][k - 1]);
	}
	/* Round robin: job 7 of 3 shards is shard 2's (7 = 2*3 + 1). */
	assert_true(lutgen_shard_owns(2, 3, 7));
	assert_false(lutgen_shard_owns(1, 3, 7));
	assert_false(lutgen_shard_owns(0, 3, 0));
	assert_false(lutgen_shard_owns(4, 3, 0));
}

static void test_shard_plan(void **state)
{
	struct fx *f = *state;
	struct lutgen_shard_plan *p = NULL;
	struct rungo_version v[NVERSIONS];
	struct rungo_version g = ver("go1.21.0");
	size_t i;

	for (i = 0; i < NVERSIONS; i++)
		v[i] = ver(versions[i]);
	assert_int_equal(lutgen_shard_plan_new(2, 3, &p, NULL), 0);
	assert_int_equal(lutgen_shard_plan_add_versions(p, f->spec, v,
							NVERSIONS, NULL),
			 0);
	/* Jobs: 0 go1.20/amd64 1 go1.20/arm64 2 go1.21.0/amd64
	 * 3 go1.21.0/arm64 4 go1.22.0/amd64 ...; shard 2/3 owns 1, 4, 7. */
	assert_false(lutgen_shard_plan_owns(p, &g, "amd64"));
	assert_false(lutgen_shard_plan_owns(p, &g, "arm64"));
	assert_false(lutgen_shard_plan_owns_version(p, &g));
	g = ver("go1.20");
	assert_true(lutgen_shard_plan_owns(p, &g, "arm64"));
	assert_true(lutgen_shard_plan_owns_version(p, &g));
	g = ver("go1.22.0");
	assert_true(lutgen_shard_plan_owns(p, &g, "amd64"));
	assert_int_equal(lutgen_shard_plan_spec_jobs(p, 0), 3);
	lutgen_shard_plan_free(p);
}

/* The plan selects like generate: tests/fixtures/index/realistic.json,
 * min go1.20, policy minor, linux/amd64 -> go1.20 go1.21.0 go1.22.4
 * (go1.23 has only rc1: left out), read by hand from the fixture. */
static const char minor_spec_json[] =
	"{\"name\": \"tst\", \"program\": \"tst\", \"min_version\": \"go1.20\",\n"
	" \"arches\": [\"arm64\", \"amd64\"], \"policy\": \"minor\",\n"
	" \"lookups\": [{\"name\": \"g_size\", \"kind\": \"type_size\",\n"
	"              \"type\": \"runtime.g\"}]}\n";

static void test_shard_plan_select(void **state)
{
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	struct lutgen_shard_plan *p = NULL;
	struct rungo_index *idx = NULL;
	struct lutgen_spec *s;
	struct common_err err = { 0 };
	const struct rungo_version *v;
	const struct lutgen_shard_job *jobs;
	char path[1024], vs[RUNGO_VERSION_STR_MAX], *text;
	size_t n, len;

	(void)state;
	if (!root)
		test_skip("LUTGEN_SOURCE_ROOT unset (run through meson test)");
	snprintf(path, sizeof(path), "%s/tests/fixtures/index/realistic.json",
		 root);
	text = slurp(path, &len);
	assert_non_null(text);
	if (rungo_index_parse(text, len, &idx, &err) != 0)
		fail_msg("index: %s", err.msg);
	free(text);
	s = load_spec(minor_spec_json);
	assert_int_equal(s->policy, RUNGO_POLICY_MINOR);
	assert_int_equal(lutgen_shard_plan_new(1, 1, &p, NULL), 0);
	if (lutgen_shard_plan_add_spec(p, idx, s, "linux", "amd64", &err) != 0)
		fail_msg("plan: %s", err.msg);
	v = lutgen_shard_plan_versions(p, 0, &n);
	assert_int_equal(n, 3);
	rungo_version_format(&v[0], vs, sizeof(vs));
	assert_string_equal(vs, "go1.20");
	rungo_version_format(&v[1], vs, sizeof(vs));
	assert_string_equal(vs, "go1.21.0");
	rungo_version_format(&v[2], vs, sizeof(vs));
	assert_string_equal(vs, "go1.22.4");
	jobs = lutgen_shard_plan_jobs(p, &n);
	assert_int_equal(n, 6);
	assert_string_equal(jobs[5].goarch, "arm64");
	lutgen_shard_plan_free(p);
	lutgen_spec_free(s);
	rungo_index_free(idx);
}

/* ---- results ---- */

static void assert_tables_equal(const struct lutgen_table *a,
				const struct lutgen_table *b)
{
	const struct lutgen_spec *s = lutgen_table_spec(a);
	size_t l, x, i, na, nb;

	for (l = 0; l < s->nlookups; l++)
		for (x = 0; x < s->narches; x++) {
			const struct lutgen_entry *ea = lutgen_table_entries(
				a, l, s->arches[x], &na);
			const struct lutgen_entry *eb = lutgen_table_entries(
				b, l, s->arches[x], &nb);

			assert_int_equal(na, nb);
			for (i = 0; i < na; i++) {
				assert_int_equal(rungo_version_cmp(
							 &ea[i].version,
							 &eb[i].version),
						 0);
				assert_string_equal(ea[i].toolchain_sha256,
						    eb[i].toolchain_sha256);
				assert_int_equal(lutgen_value_cmp(
							 &ea[i].value,
							 &eb[i].value),
						 0);
			}
		}
}

static void test_results_round_trip(void **state)
{
	struct fx *f = *state;
	struct lutgen_results *r = NULL, *back = NULL;
	struct common_err err = { 0 };
	const struct lutgen_spec *s;
	const struct lutgen_entry *e;
	cJSON *doc, *sp, *m, *val;
	char *text, vs[RUNGO_VERSION_STR_MAX];
	size_t n;
	int k, nn;

	assert_int_equal(lutgen_results_new(1, 1, &r, &err), 0);
	assert_int_equal(lutgen_results_add(r, f->spec, f->t, NULL, 0, &err),
			 0);
	if (lutgen_results_write(r, path_in(f, "r.json"), &err) != 0)
		fail_msg("write: %s", err.msg);
	if (lutgen_results_load(path_in(f, "r.json"), &back, &err) != 0)
		fail_msg("load: %s", err.msg);
	lutgen_results_shard(back, &k, &nn);
	assert_int_equal(k, 1);
	assert_int_equal(nn, 1);
	assert_int_equal(lutgen_results_nspecs(back), 1);
	s = lutgen_results_spec(back, 0);
	assert_string_equal(s->name, "tst");
	assert_string_equal(s->path, "lutgen/specs/tst.json");
	assert_string_equal(s->doc, "Refresh test table.");
	assert_int_equal(s->nlookups, 3);
	assert_string_equal(s->lookups[2].function, "main.f");
	assert_int_equal(s->lookups[2].kind, LUTGEN_LOOKUP_FUNC_PARAMS);
	lutgen_results_versions(back, 0, &n);
	assert_int_equal(n, NVERSIONS);
	assert_tables_equal(f->t, lutgen_results_table(back, 0));

	/* The func_params value read back, piece by piece (by hand). */
	e = lutgen_table_entries(lutgen_results_table(back, 0), 2, "amd64", &n);
	assert_int_equal(n, 5);
	assert_int_equal(e[0].value.nparams, 2);
	assert_string_equal(e[0].value.params[0].name, "c");
	assert_int_equal(e[0].value.params[0].pieces[0].kind,
			 LUTGEN_PIECE_STACK);
	assert_int_equal(e[0].value.params[0].pieces[0].stack_offset, 8);
	assert_int_equal(e[4].value.params[0].pieces[0].kind, LUTGEN_PIECE_REG);
	assert_string_equal(e[4].value.params[0].pieces[0].reg_name, "RAX");
	assert_int_equal(e[4].value.params[1].npieces, 3);
	assert_string_equal(e[4].value.params[1].pieces[2].reg_name, "R3");
	assert_int_equal(e[4].value.params[1].size, 24);
	assert_string_equal(e[4].toolchain_sha256, "");
	rungo_version_format(&e[4].version, vs, sizeof(vs));
	assert_string_equal(vs, "go1.23.1");

	/* The document's shape. */
	text = slurp(path_in(f, "r.json"), NULL);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	assert_string_equal(cJSON_GetObjectItem(doc, "format")->valuestring,
			    "lutgen-results");
	assert_int_equal(cJSON_GetObjectItem(doc, "format_version")->valueint,
			 1);
	sp = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "specs"), 0);
	assert_string_equal(cJSON_GetObjectItem(sp, "path")->valuestring,
			    "lutgen/specs/tst.json");
	assert_int_equal(strlen(cJSON_GetObjectItem(sp, "sha256")->valuestring),
			 64);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(sp, "jobs")),
			 10);
	/* 10 jobs x 3 lookups. */
	m = cJSON_GetObjectItem(sp, "measurements");
	assert_int_equal(cJSON_GetArraySize(m), 30);
	/* First measurement: go1.20/amd64 goid_offset = 152. */
	val = cJSON_GetArrayItem(m, 0);
	assert_string_equal(cJSON_GetObjectItem(val, "lookup")->valuestring,
			    "goid_offset");
	assert_string_equal(cJSON_GetObjectItem(val, "version")->valuestring,
			    "go1.20");
	assert_int_equal(cJSON_GetObjectItem(val, "value")->valueint, 152);
	cJSON_Delete(doc);
	free(text);
	lutgen_results_free(back);
	lutgen_results_free(r);
}

static void test_results_value_json(void **state)
{
	struct lutgen_value v = { 0 };
	struct common_err err = { 0 };
	cJSON *j;

	(void)state;
	j = cJSON_Parse("[{\"name\": \"x\", \"size\": 16, \"pieces\": ["
			"{\"kind\": \"reg\", \"reg\": 3, \"reg_name\": \"RBX\", \"size\": 8},"
			"{\"kind\": \"stack\", \"stack_offset\": 24, \"size\": 8}]}]");
	assert_int_equal(lutgen_value_from_json(
				 j, LUTGEN_LOOKUP_FUNC_PARAMS, &v, "t", &err),
			 0);
	assert_int_equal(v.nparams, 1);
	assert_int_equal(v.params[0].pieces[0].reg, 3);
	assert_int_equal(v.params[0].pieces[1].stack_offset, 24);
	lutgen_value_free(&v);
	cJSON_Delete(j);
	j = cJSON_Parse("1.5");
	assert_int_equal(lutgen_value_from_json(
				 j, LUTGEN_LOOKUP_TYPE_SIZE, &v, "t", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "whole number"));
	cJSON_Delete(j);
	j = cJSON_Parse("[{\"name\": \"x\", \"size\": 8, \"pieces\": [{\"kind\": \"mem\"}]}]");
	assert_int_equal(lutgen_value_from_json(
				 j, LUTGEN_LOOKUP_FUNC_PARAMS, &v, "t", &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "mem"));
	cJSON_Delete(j);
}

/* Optional lookups and alternatives survive a results file: absent is
 * "value": null, the matched spelling is "matched". */
static void test_results_optional(void **state)
{
	static const char json[] =
		"{\"name\": \"opt\", \"program\": \"tst\", \"min_version\": \"go1.20\",\n"
		" \"arches\": [\"amd64\"], \"policy\": \"all\", \"lookups\": [\n"
		"  {\"name\": \"f\", \"kind\": \"struct_offset\", \"type\": \"runtime.g\",\n"
		"   \"field\": [\"a\", \"b\"], \"optional\": true}]}\n";
	struct fx *f = *state;
	struct lutgen_spec *spec = load_spec(json);
	struct lutgen_table *t = NULL;
	struct lutgen_results *r = NULL, *back = NULL;
	struct lutgen_value v = { 0 };
	struct rungo_version v1 = ver("go1.20"), v2 = ver("go1.21.0");
	struct common_err err = { 0 };
	const struct lutgen_entry *e;
	char *text;
	size_t n;

	assert_int_equal(lutgen_table_new(spec, &t, &err), 0);
	v.kind = LUTGEN_LOOKUP_STRUCT_OFFSET;
	v.absent = true;
	assert_int_equal(lutgen_table_add(t, 0, "amd64", &v1, SHA_A, &v, &err), 0);
	v.absent = false;
	v.u = 48;
	v.match_field = (char *)"b";
	assert_int_equal(lutgen_table_add(t, 0, "amd64", &v2, SHA_A, &v, &err), 0);
	assert_int_equal(lutgen_results_new(1, 1, &r, &err), 0);
	assert_int_equal(lutgen_results_add(r, spec, t, NULL, 0, &err), 0);
	if (lutgen_results_write(r, path_in(f, "o.json"), &err) != 0)
		fail_msg("write: %s", err.msg);
	text = slurp(path_in(f, "o.json"), NULL);
	assert_non_null(strstr(text, "\"value\":\tnull"));
	assert_non_null(strstr(text, "\"matched\":\t{"));
	assert_non_null(strstr(text, "\"optional\":\ttrue"));
	if (lutgen_results_load(path_in(f, "o.json"), &back, &err) != 0)
		fail_msg("load: %s", err.msg);
	e = lutgen_table_entries(lutgen_results_table(back, 0), 0, "amd64", &n);
	assert_int_equal(n, 2);
	assert_true(e[0].value.absent);
	assert_null(e[0].value.match_field);
	assert_false(e[1].value.absent);
	assert_int_equal(e[1].value.u, 48);
	assert_string_equal(e[1].value.match_field, "b");
	assert_true(lutgen_results_spec(back, 0)->lookups[0].optional);
	assert_int_equal(lutgen_results_spec(back, 0)->lookups[0].fields.n, 2);
	lutgen_results_free(back);

	free(text);
	lutgen_results_free(r);
	lutgen_table_free(t);
	lutgen_spec_free(spec);
}

/* Write shard k/n of the full table to dir/shard-k.json; with
 * `only_owned`, the table given holds only the shard's own jobs (as a
 * filtered generate run measures them). */
static void write_shard(struct fx *f, int k, int n, bool only_owned,
			const char *name)
{
	struct lutgen_results *r = NULL;
	struct lutgen_table *t = NULL;
	struct lutgen_shard_plan *p = NULL;
	struct rungo_version v[NVERSIONS];
	struct common_err err = { 0 };
	size_t i, l, a, ne;

	for (i = 0; i < NVERSIONS; i++)
		v[i] = ver(versions[i]);
	assert_int_equal(lutgen_results_new(k, n, &r, &err), 0);
	if (only_owned) {
		assert_int_equal(lutgen_shard_plan_new(k, n, &p, NULL), 0);
		assert_int_equal(lutgen_shard_plan_add_versions(
					 p, f->spec, v, NVERSIONS, NULL),
				 0);
		assert_int_equal(lutgen_table_new(f->spec, &t, NULL), 0);
		for (l = 0; l < f->spec->nlookups; l++)
			for (a = 0; a < f->spec->narches; a++) {
				const struct lutgen_entry *e =
					lutgen_table_entries(
						f->t, l, f->spec->arches[a], &ne);

				for (i = 0; i < ne; i++)
					if (lutgen_shard_plan_owns(
						    p, &e[i].version,
						    e[i].goarch))
						assert_int_equal(
							lutgen_table_add(
								t, l, e[i].goarch,
								&e[i].version,
								e[i].toolchain_sha256[0]
									? e[i].toolchain_sha256
									: NULL,
								&e[i].value, NULL),
							0);
			}
	}
	if (lutgen_results_add(r, f->spec, t ? t : f->t, v, NVERSIONS, &err))
		fail_msg("add: %s", err.msg);
	if (lutgen_results_write(r, path_in(f, name), &err) != 0)
		fail_msg("write: %s", err.msg);
	lutgen_results_free(r);
	lutgen_table_free(t);
	lutgen_shard_plan_free(p);
}

static void emit_to(const struct lutgen_table *t, const char *dir)
{
	struct common_err err = { 0 };

	assert_int_equal(mkdir(dir, 0755), 0);
	if (lutgen_emit(t, dir, NULL, &err) != 0)
		fail_msg("emit: %s", err.msg);
}

static void assert_same_files(const char *a, const char *b)
{
	static const char *const files[] = { "tst.c", "tst.h", "tst.json",
					     "lutgen_go.c", "lutgen_go.h" };
	size_t i, la, lb;
	char pa[600], pb[600];

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *ta, *tb;

		snprintf(pa, sizeof(pa), "%s/%s", a, files[i]);
		snprintf(pb, sizeof(pb), "%s/%s", b, files[i]);
		ta = slurp(pa, &la);
		tb = slurp(pb, &lb);
		assert_non_null(ta);
		assert_non_null(tb);
		if (la != lb || memcmp(ta, tb, la) != 0)
			fail_msg("%s and %s differ", pa, pb);
		free(ta);
		free(tb);
	}
}

static struct lutgen_results *load(struct fx *f, const char *name)
{
	struct lutgen_results *r = NULL;
	struct common_err err = { 0 };

	if (lutgen_results_load(path_in(f, name), &r, &err) != 0)
		fail_msg("load %s: %s", name, err.msg);
	return r;
}

static void test_merge_byte_identical(void **state)
{
	struct fx *f = *state;
	struct lutgen_results *r[3], *m = NULL;
	struct common_err err = { 0 };
	cJSON *doc;
	char *text;
	int k;

	/* Shards 1 and 3 from the whole table (unowned entries dropped at
	 * write), shard 2 from a table of its own jobs only. */
	write_shard(f, 1, 3, false, "s1.json");
	write_shard(f, 2, 3, true, "s2.json");
	write_shard(f, 3, 3, false, "s3.json");
	/* 10 jobs: 0 go1.20/amd64 1 go1.20/arm64 2 go1.21.0/amd64 ...
	 * shard 1 owns 0 3 6 9 (4 jobs), 2 owns 1 4 7, 3 owns 2 5 8. */
	text = slurp(path_in(f, "s1.json"), NULL);
	doc = cJSON_Parse(text);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
				 cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "specs"), 0),
				 "measurements")),
			 12);
	cJSON_Delete(doc);
	free(text);

	/* Given in another order than 1..3. */
	r[0] = load(f, "s3.json");
	r[1] = load(f, "s1.json");
	r[2] = load(f, "s2.json");
	if (lutgen_results_merge((const struct lutgen_results *const *)r, 3,
				 &m, &err) != 0)
		fail_msg("merge: %s", err.msg);
	assert_tables_equal(f->t, lutgen_results_table(m, 0));
	emit_to(f->t, path_in(f, "direct"));
	emit_to(lutgen_results_table(m, 0), path_in(f, "merged"));
	assert_same_files(path_in(f, "direct"), path_in(f, "merged"));
	lutgen_results_free(m);
	for (k = 0; k < 3; k++)
		lutgen_results_free(r[k]);
}

static void expect_merge_error(struct fx *f, const char *const *names,
			       size_t n, const char *want1, const char *want2)
{
	struct lutgen_results *r[8] = { NULL }, *m = NULL;
	struct common_err err = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		r[i] = load(f, names[i]);
	assert_int_equal(lutgen_results_merge(
				 (const struct lutgen_results *const *)r, n,
				 &m, &err),
			 -EINVAL);
	assert_null(m);
	if (!strstr(err.msg, want1) || (want2 && !strstr(err.msg, want2)))
		fail_msg("error '%s' lacks '%s' / '%s'", err.msg, want1,
			 want2 ? want2 : "");
	for (i = 0; i < n; i++)
		lutgen_results_free(r[i]);
}

static void test_merge_rejects(void **state)
{
	struct fx *f = *state;
	static const char *const incomplete[] = { "s1.json", "s3.json" };
	static const char *const twice[] = { "s1.json", "s2.json", "s2.json",
					     "s3.json" };
	static const char *const mixed_n[] = { "s1.json", "s2.json",
					       "s3.json", "h1.json" };
	static const char *const other_spec[] = { "s1.json", "s2.json",
						  "o3.json" };
	static const char *const other_versions[] = { "s1.json", "s2.json",
						      "v3.json" };
	struct lutgen_results *r = NULL, *bad = NULL;
	struct lutgen_spec *other;
	struct lutgen_table *t = NULL;
	struct rungo_version v[NVERSIONS - 1];
	struct common_err err = { 0 };
	char *text, *p;
	size_t i;

	write_shard(f, 1, 3, false, "s1.json");
	write_shard(f, 2, 3, false, "s2.json");
	write_shard(f, 3, 3, false, "s3.json");
	write_shard(f, 1, 2, false, "h1.json");

	expect_merge_error(f, incomplete, 2, "incomplete", "2/3");
	expect_merge_error(f, twice, 4, "shard 2/3 given twice", "s2.json");
	expect_merge_error(f, mixed_n, 4, "h1.json is shard 1/2",
			   "one run");

	/* Shard 3 measured from a spec with another doc line. */
	text = strdup(spec_json);
	assert_non_null(text);
	p = strstr(text, "Refresh test table.");
	assert_non_null(p);
	memcpy(p, "Refresh TEST table.", strlen("Refresh TEST table."));
	other = load_spec(text);
	free(text);
	assert_int_equal(lutgen_table_new(other, &t, NULL), 0);
	fill_table(t);
	assert_int_equal(lutgen_results_new(3, 3, &r, NULL), 0);
	assert_int_equal(lutgen_results_add(r, other, t, NULL, 0, &err), 0);
	assert_int_equal(lutgen_results_write(r, path_in(f, "o3.json"), &err),
			 0);
	lutgen_results_free(r);
	expect_merge_error(f, other_spec, 3, "spec tst differs between",
			   "same commit");

	/* Shard 3 selected one version less (the index changed). */
	for (i = 0; i < NVERSIONS - 1; i++)
		v[i] = ver(versions[i]);
	assert_int_equal(lutgen_results_new(3, 3, &r, NULL), 0);
	assert_int_equal(lutgen_results_add(r, f->spec, f->t, v,
					    NVERSIONS - 1, &err),
			 0);
	/* go1.23.1 is measured but not selected: write keeps only jobs of
	 * the selection. */
	assert_int_equal(lutgen_results_write(r, path_in(f, "v3.json"), &err),
			 0);
	lutgen_results_free(r);
	expect_merge_error(f, other_versions, 3, "different Go versions",
			   NULL);

	/* A job moved into the wrong shard's file: refused on load. */
	text = slurp(path_in(f, "s2.json"), NULL);
	/* Shard 2/3 owns go1.20/arm64 (job 1); relabel the file 1/3. */
	p = strstr(text, "\"k\":");
	assert_non_null(p);
	p = strchr(p, '2');
	assert_non_null(p);
	*p = '1';
	write_text(path_in(f, "bad.json"), text);
	free(text);
	assert_int_equal(lutgen_results_load(path_in(f, "bad.json"), &bad,
					     &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "belongs to shard 2/3, not 1/3"));

	/* A measurement missing from a shard's own job: refused on write. */
	lutgen_table_free(t);
	t = NULL;
	assert_int_equal(lutgen_table_new(f->spec, &t, NULL), 0);
	add_u(t, 0, "amd64", "go1.20", SHA_A, 152,
	      LUTGEN_LOOKUP_STRUCT_OFFSET);
	assert_int_equal(lutgen_results_new(1, 1, &r, NULL), 0);
	assert_int_equal(lutgen_results_add(r, f->spec, t, NULL, 0, &err), 0);
	assert_int_equal(lutgen_results_write(r, path_in(f, "x.json"), &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg,
			       "no measurement of g_size for go1.20/amd64"));
	assert_int_equal(access(path_in(f, "x.json"), F_OK), -1);
	lutgen_results_free(r);
	lutgen_table_free(t);
	lutgen_spec_free(other);

	/* Not a results file at all. */
	write_text(path_in(f, "junk.json"), "{\"name\": \"tst\"}");
	assert_int_equal(lutgen_results_load(path_in(f, "junk.json"), &bad,
					     &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "not a lutgen results file"));
}

/* ---- drift ---- */

static const char *const drift_want[] = {
	"tst: new versions (amd64): go1.24.0",
	"tst: new versions (arm64): go1.23.1",
	"tst: goid_offset/amd64: 152 -> 156 in go1.22.0",
	"tst: goid_offset/amd64: 152 from go1.24.0 (was 160 in go1.23.0)",
	"tst: goid_offset/arm64: 168 from go1.23.1 (was 160 in go1.23.0)",
	"tst: fn_params/amd64: c:R0(8) -> c:SP+8(8) in go1.23.0",
	"tst: revert: goid_offset/amd64 160 in go1.23.0 -> 152 in go1.24.0, back to an earlier value",
	"tst: layout change within go1.23 patch releases: look at it: goid_offset/arm64 160 in go1.23.0 -> 168 in go1.23.1",
	"tst: files that would change: tst.c tst.h tst.json",
};

static const char drift_spec_json[] =
	"{\"name\": \"tst\", \"doc\": \"Drift test.\", \"program\": \"tst\",\n"
	" \"min_version\": \"go1.21\", \"arches\": [\"amd64\", \"arm64\"],\n"
	" \"lookups\": [\n"
	"  {\"name\": \"goid_offset\", \"kind\": \"struct_offset\",\n"
	"   \"type\": \"runtime.g\", \"field\": \"goid\"},\n"
	"  {\"name\": \"fn_params\", \"kind\": \"func_params\", \"function\": \"main.f\"}\n"
	" ]}\n";

/* fn_params value: c in R0 (creg 0) or at 8(SP) (creg -1). */
static void add_c(struct lutgen_table *t, const char *arch, const char *v,
		  int creg)
{
	struct lutgen_piece pc = { 0 };
	struct lutgen_param p = { 0 };
	struct lutgen_value val = { 0 };
	struct rungo_version vv = ver(v);

	if (creg >= 0) {
		pc.kind = LUTGEN_PIECE_REG;
		pc.reg = creg;
		snprintf(pc.reg_name, sizeof(pc.reg_name), "R%d", creg);
	} else {
		pc.kind = LUTGEN_PIECE_STACK;
		pc.stack_offset = 8;
	}
	pc.size = 8;
	p.name = (char *)"c";
	p.size = 8;
	p.pieces = &pc;
	p.npieces = 1;
	val.kind = LUTGEN_LOOKUP_FUNC_PARAMS;
	val.params = &p;
	val.nparams = 1;
	assert_int_equal(lutgen_table_add(t, 1, arch, &vv, SHA_A, &val, NULL),
			 0);
}

static void drift_old_table(struct lutgen_table *t)
{
	static const char *const v[] = { "go1.21.0", "go1.22.0", "go1.23.0" };
	static const uint64_t goid[] = { 152, 152, 160 };
	size_t i, a;
	static const char *const arches[] = { "amd64", "arm64" };

	for (a = 0; a < 2; a++)
		for (i = 0; i < 3; i++) {
			add_u(t, 0, arches[a], v[i], SHA_A, goid[i],
			      LUTGEN_LOOKUP_STRUCT_OFFSET);
			add_c(t, arches[a], v[i], 0);
		}
}

static void test_drift_summary(void **state)
{
	struct fx *f = *state;
	struct lutgen_spec *s = load_spec(drift_spec_json);
	struct lutgen_table *old = NULL, *nw = NULL;
	struct lutgen_drift *d = NULL;
	struct common_err err = { 0 };
	const char *const *lines;
	cJSON *j, *sp;
	size_t n, i;

	assert_int_equal(lutgen_table_new(s, &old, NULL), 0);
	drift_old_table(old);
	emit_to(old, path_in(f, "old"));

	/* New: amd64 go1.22.0 152 -> 156, new go1.24.0 back to 152;
	 * arm64 new patch go1.23.1 = 168; fn_params/amd64 go1.23.0 on
	 * the stack. */
	assert_int_equal(lutgen_table_new(s, &nw, NULL), 0);
	add_u(nw, 0, "amd64", "go1.21.0", SHA_A, 152, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_u(nw, 0, "amd64", "go1.22.0", SHA_A, 156, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_u(nw, 0, "amd64", "go1.23.0", SHA_A, 160, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_u(nw, 0, "amd64", "go1.24.0", SHA_A, 152, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_u(nw, 0, "arm64", "go1.21.0", SHA_A, 152, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_u(nw, 0, "arm64", "go1.22.0", SHA_A, 152, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_u(nw, 0, "arm64", "go1.23.0", SHA_A, 160, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_u(nw, 0, "arm64", "go1.23.1", SHA_A, 168, LUTGEN_LOOKUP_STRUCT_OFFSET);
	add_c(nw, "amd64", "go1.21.0", 0);
	add_c(nw, "amd64", "go1.22.0", 0);
	add_c(nw, "amd64", "go1.23.0", -1);
	add_c(nw, "amd64", "go1.24.0", -1);
	add_c(nw, "arm64", "go1.21.0", 0);
	add_c(nw, "arm64", "go1.22.0", 0);
	add_c(nw, "arm64", "go1.23.0", 0);
	add_c(nw, "arm64", "go1.23.1", 0);

	assert_int_equal(lutgen_drift_new(&d, &err), 0);
	if (lutgen_drift_check(d, nw, path_in(f, "old"), &err) != 0)
		fail_msg("drift: %s", err.msg);
	assert_true(lutgen_drift_any(d));
	lines = lutgen_drift_lines(d, &n);
	for (i = 0; i < n && i < sizeof(drift_want) / sizeof(drift_want[0]);
	     i++)
		assert_string_equal(lines[i], drift_want[i]);
	assert_int_equal(n, sizeof(drift_want) / sizeof(drift_want[0]));

	j = lutgen_drift_json(d);
	assert_non_null(j);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(j, "drift")));
	sp = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "specs"), 0);
	assert_string_equal(
		cJSON_GetArrayItem(cJSON_GetObjectItem(
					   cJSON_GetObjectItem(sp, "new_versions"),
					   "amd64"),
				   0)
			->valuestring,
		"go1.24.0");
	assert_string_equal(
		cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(sp, "changed"), 0),
			"new")
			->valuestring,
		"156");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(sp, "notes")),
			 2);
	assert_int_equal(cJSON_GetArraySize(
				 cJSON_GetObjectItem(sp, "files_changed")),
			 3);
	cJSON_Delete(j);
	lutgen_drift_free(d);

	/* Regenerated: no drift. */
	emit_to(nw, path_in(f, "new"));
	assert_int_equal(lutgen_drift_new(&d, &err), 0);
	assert_int_equal(lutgen_drift_check(d, nw, path_in(f, "new"), &err), 0);
	assert_false(lutgen_drift_any(d));
	lines = lutgen_drift_lines(d, &n);
	assert_int_equal(n, 1);
	assert_string_equal(lines[0], "tst: up to date");
	lutgen_drift_free(d);

	/* Nothing committed yet; and a damaged file. */
	assert_int_equal(mkdir(path_in(f, "none"), 0755), 0);
	assert_int_equal(lutgen_drift_new(&d, &err), 0);
	assert_int_equal(lutgen_drift_check(d, nw, path_in(f, "none"), &err),
			 0);
	assert_true(lutgen_drift_any(d));
	lines = lutgen_drift_lines(d, &n);
	assert_non_null(strstr(lines[0], "tst: new table ("));
	assert_non_null(strstr(lines[0], "/none/tst.json does not exist)"));
	write_text(path_in(f, "none/tst.json"), "{\"lookups\": 3}");
	assert_int_equal(lutgen_drift_check(d, nw, path_in(f, "none"), &err),
			 0);
	lines = lutgen_drift_lines(d, &n);
	for (i = 0; i < n; i++)
		if (strstr(lines[i], "unreadable (no \"lookups\" array): it will be rewritten"))
			break;
	assert_true(i < n);
	lutgen_drift_free(d);

	lutgen_table_free(old);
	lutgen_table_free(nw);
	lutgen_spec_free(s);
}

/* A copy of t with every toolchain sha256 replaced by `sha`; `bump`
 * adds 4 to goid_offset/amd64 of go1.22.0. */
static struct lutgen_table *resha(const struct lutgen_table *t,
				  const char *sha, bool bump)
{
	const struct lutgen_spec *s = lutgen_table_spec(t);
	const struct lutgen_entry *e;
	struct lutgen_table *c = NULL;
	size_t l, a, i, n;

	assert_int_equal(lutgen_table_new(s, &c, NULL), 0);
	for (l = 0; l < s->nlookups; l++)
		for (a = 0; a < s->narches; a++) {
			e = lutgen_table_entries(t, l, s->arches[a], &n);
			for (i = 0; i < n; i++) {
				struct lutgen_value v;

				assert_int_equal(lutgen_value_copy(&v, &e[i].value),
						 0);
				if (bump && l == 0 && a == 0 &&
				    e[i].version.minor == 22)
					v.u += 4;
				assert_int_equal(lutgen_table_add(c, l, s->arches[a],
								  &e[i].version,
								  sha, &v, NULL),
						 0);
				lutgen_value_free(&v);
			}
		}
	return c;
}

/* Same values, other toolchain hashes: provenance drift, and only that. */
static void test_drift_provenance(void **state)
{
	static const char *const want[] = {
		"tst: toolchain changed (amd64): go1.21.0 go1.22.0 go1.23.0",
		"tst: toolchain changed (arm64): go1.21.0 go1.22.0 go1.23.0",
		"tst: files that would change: tst.json",
		"tst: provenance only: the same values, measured with toolchain archives of other sha256",
	};
	struct fx *f = *state;
	struct lutgen_spec *s = load_spec(drift_spec_json);
	struct lutgen_table *old = NULL, *nw, *changed;
	struct lutgen_drift *d = NULL;
	const char *const *lines;
	cJSON *j;
	size_t n, i;

	assert_int_equal(lutgen_table_new(s, &old, NULL), 0);
	drift_old_table(old);
	emit_to(old, path_in(f, "pold"));

	nw = resha(old, SHA_B, false);
	assert_int_equal(lutgen_drift_new(&d, NULL), 0);
	assert_int_equal(lutgen_drift_check(d, nw, path_in(f, "pold"), NULL), 0);
	assert_int_equal(lutgen_drift_level(d), LUTGEN_DRIFT_PROVENANCE);
	assert_true(lutgen_drift_any(d));
	lines = lutgen_drift_lines(d, &n);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < n; i++)
		assert_string_equal(lines[i], want[i]);
	j = lutgen_drift_json(d);
	assert_string_equal(cJSON_GetObjectItem(j, "drift_kind")->valuestring,
			    "provenance");
	assert_string_equal(
		cJSON_GetObjectItem(cJSON_GetArrayItem(
					    cJSON_GetObjectItem(j, "specs"), 0),
				    "drift_kind")->valuestring,
		"provenance");
	cJSON_Delete(j);
	lutgen_drift_free(d);

	/* Other hashes and one value changed: value drift. */
	changed = resha(old, SHA_B, true);
	assert_int_equal(lutgen_drift_new(&d, NULL), 0);
	assert_int_equal(lutgen_drift_check(d, changed, path_in(f, "pold"),
					    NULL), 0);
	assert_int_equal(lutgen_drift_level(d), LUTGEN_DRIFT_VALUES);
	lines = lutgen_drift_lines(d, &n);
	for (i = 0; i < n; i++)
		assert_null(strstr(lines[i], "provenance only"));
	lutgen_drift_free(d);

	/* The same hashes and values: none. */
	assert_int_equal(lutgen_drift_new(&d, NULL), 0);
	assert_int_equal(lutgen_drift_check(d, old, path_in(f, "pold"), NULL), 0);
	assert_int_equal(lutgen_drift_level(d), LUTGEN_DRIFT_NONE);
	lutgen_drift_free(d);

	lutgen_table_free(changed);
	lutgen_table_free(nw);
	lutgen_table_free(old);
	lutgen_spec_free(s);
}

static void test_drift_lookups(void **state)
{
	struct fx *f = *state;
	struct lutgen_spec *s = load_spec(drift_spec_json), *s2;
	struct lutgen_table *old = NULL, *nw = NULL;
	struct lutgen_drift *d = NULL;
	const char *const *lines;
	char *text, *p;
	size_t n;

	assert_int_equal(lutgen_table_new(s, &old, NULL), 0);
	drift_old_table(old);
	emit_to(old, path_in(f, "old"));
	/* Same data, fn_params renamed to fn2_params. */
	text = strdup(drift_spec_json);
	assert_non_null(text);
	p = strstr(text, "\"fn_params\"");
	memcpy(p, "\"fn2params\"", strlen("\"fn2params\""));
	s2 = load_spec(text);
	free(text);
	assert_int_equal(lutgen_table_new(s2, &nw, NULL), 0);
	drift_old_table(nw);
	assert_int_equal(lutgen_drift_new(&d, NULL), 0);
	assert_int_equal(lutgen_drift_check(d, nw, path_in(f, "old"), NULL), 0);
	lines = lutgen_drift_lines(d, &n);
	assert_int_equal(n, 3);
	assert_string_equal(lines[0], "tst: new lookup: fn2params");
	assert_string_equal(lines[1], "tst: removed lookup: fn_params");
	assert_string_equal(lines[2],
			    "tst: files that would change: tst.c tst.h tst.json");
	lutgen_drift_free(d);
	lutgen_table_free(old);
	lutgen_table_free(nw);
	lutgen_spec_free(s);
	lutgen_spec_free(s2);
}

/* ---- the CLI's exit codes ---- */

static int run_lutgen(const char *args, const char *out)
{
	const char *exe = getenv("LUTGEN_EXE");
	char cmd[4096];
	int st;

	snprintf(cmd, sizeof(cmd), "'%s' %s >'%s' 2>'%s.err'", exe, args, out,
		 out);
	st = system(cmd);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

/* Copy the generated files of `from` into `to`, every SHA_A in them
 * turned into SHA_B: the committed files of a machine whose toolchain
 * archives hash differently. */
static void copy_resha(const char *from, const char *to)
{
	static const char *const names[] = { "tst.c", "tst.h", "tst.json",
					     "lutgen_go.c", "lutgen_go.h" };
	char src[4200], dst[4200], *text, *p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(src, sizeof(src), "%s/%s", from, names[i]);
		snprintf(dst, sizeof(dst), "%s/%s", to, names[i]);
		text = slurp(src, NULL);
		assert_non_null(text);
		for (p = strstr(text, SHA_A); p; p = strstr(p, SHA_A))
			memcpy(p, SHA_B, strlen(SHA_B));
		write_text(dst, text);
		free(text);
	}
}

static void test_merge_cli(void **state)
{
	struct fx *f = *state;
	const char *exe = getenv("LUTGEN_EXE");
	char args[3000], *text;
	cJSON *doc;

	if (!exe || access(exe, X_OK) != 0)
		test_skip("LUTGEN_EXE not set or not built: the CLI part cannot run");
	write_shard(f, 1, 2, false, "c1.json");
	write_shard(f, 2, 2, true, "c2.json");
	emit_to(f->t, path_in(f, "direct"));

	/* Up to date against the directly emitted files: 0. */
	snprintf(args, sizeof(args), "--quiet merge --check --out-dir '%s' '%s' '%s'",
		 path_in(f, "direct"), path_in(f, "c1.json"), path_in(f, "c2.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out1")), 0);
	text = slurp(path_in(f, "out1"), NULL);
	assert_string_equal(text, "tst: up to date\n");
	free(text);

	/* Against an empty directory: drift, 3, summary on stdout. */
	assert_int_equal(mkdir(path_in(f, "gen"), 0755), 0);
	snprintf(args, sizeof(args), "--quiet merge --check --out-dir '%s' '%s' '%s'",
		 path_in(f, "gen"), path_in(f, "c1.json"), path_in(f, "c2.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out2")), 3);
	text = slurp(path_in(f, "out2"), NULL);
	assert_non_null(strstr(text, "tst: new table ("));
	free(text);
	/* --check wrote nothing. */
	assert_int_equal(access(path_in(f, "gen/tst.c"), F_OK), -1);

	/* Merge for real: byte-identical to emitting directly; then 0. */
	snprintf(args, sizeof(args), "--quiet merge --out-dir '%s' '%s' '%s'",
		 path_in(f, "gen"), path_in(f, "c2.json"), path_in(f, "c1.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out3")), 0);
	assert_same_files(path_in(f, "direct"), path_in(f, "gen"));
	snprintf(args, sizeof(args), "--json merge --check --out-dir '%s' '%s' '%s'",
		 path_in(f, "gen"), path_in(f, "c1.json"), path_in(f, "c2.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out4")), 0);
	text = slurp(path_in(f, "out4"), NULL);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	assert_true(cJSON_IsFalse(cJSON_GetObjectItem(doc, "drift")));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "ok")));
	assert_int_equal(cJSON_GetObjectItem(doc, "shards")->valueint, 2);
	cJSON_Delete(doc);
	free(text);

	/* The committed JSON from toolchain archives of other hashes: the
	 * same values, so exit 0 unless --strict-provenance. */
	assert_int_equal(mkdir(path_in(f, "prov"), 0755), 0);
	copy_resha(path_in(f, "gen"), path_in(f, "prov"));
	snprintf(args, sizeof(args), "--quiet merge --check --out-dir '%s' '%s' '%s'",
		 path_in(f, "prov"), path_in(f, "c1.json"), path_in(f, "c2.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out7")), 0);
	text = slurp(path_in(f, "out7"), NULL);
	assert_non_null(strstr(text, "tst: provenance only:"));
	free(text);
	snprintf(args, sizeof(args), "--quiet merge --check --strict-provenance --out-dir '%s' '%s' '%s'",
		 path_in(f, "prov"), path_in(f, "c1.json"), path_in(f, "c2.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out8")), 3);
	snprintf(args, sizeof(args), "--json merge --check --out-dir '%s' '%s' '%s'",
		 path_in(f, "prov"), path_in(f, "c1.json"), path_in(f, "c2.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out9")), 0);
	text = slurp(path_in(f, "out9"), NULL);
	doc = cJSON_Parse(text);
	assert_non_null(doc);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(doc, "drift")));
	assert_string_equal(cJSON_GetObjectItem(doc, "drift_kind")->valuestring,
			    "provenance");
	assert_non_null(cJSON_GetObjectItem(doc, "drift_specs"));
	cJSON_Delete(doc);
	free(text);

	/* One shard missing: 1 with a clear error. */
	snprintf(args, sizeof(args), "merge --check --out-dir '%s' '%s'",
		 path_in(f, "gen"), path_in(f, "c1.json"));
	assert_int_equal(run_lutgen(args, path_in(f, "out5")), 1);
	text = slurp(path_in(f, "out5.err"), NULL);
	assert_non_null(strstr(text, "incomplete: 1 of 2 shards missing (2/2)"));
	free(text);
	/* No file: usage error. */
	assert_int_equal(run_lutgen("merge", path_in(f, "out6")), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shard_parse),
		cmocka_unit_test(test_shard_job_order),
		cmocka_unit_test(test_shard_balanced_complete),
		cmocka_unit_test_setup_teardown(test_shard_plan, setup, teardown),
		cmocka_unit_test(test_shard_plan_select),
		cmocka_unit_test_setup_teardown(test_results_optional, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_results_round_trip, setup,
						teardown),
		cmocka_unit_test(test_results_value_json),
		cmocka_unit_test_setup_teardown(test_merge_byte_identical, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_rejects, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_drift_summary, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_drift_provenance, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_drift_lookups, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_merge_cli, setup, teardown),
	};

	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
