/* SPDX-License-Identifier: MIT */
/*
 * tests/test_emit.c - emit a hand-built table, compile the output as C99
 * and C++11 with tests/generated/emit_driver.c (which checks the answers
 * written down by hand), emit twice for byte-identical output, and check
 * the JSON and the committed generated/lutgen_go.{c,h}.
 */
#include <dirent.h>
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

#include "lutgen_go.h"   /* generated/: the runtime the tables use */

#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/emit/emit.h"
#include "lutgen/emit/render.h"
#include "skip.h"

#ifndef TEST_CC
#define TEST_CC "cc"
#endif
#ifndef TEST_CXX
#define TEST_CXX "c++"
#endif

static const char spec_json[] =
	"{\n"
	"  \"name\": \"tst\",\n"
	"  \"doc\": \"A \\\"test\\\" table \\\\ with ?\?) quotes.\",\n"
	"  \"program\": \"tst\",\n"
	"  \"min_version\": \"go1.13\",\n"
	"  \"arches\": [\"amd64\", \"arm64\", \"riscv64\"],\n"
	"  \"policy\": \"all\",\n"
	"  \"lookups\": [\n"
	"    {\"name\": \"goid_offset\", \"doc\": \"Offset of goid */ in g /* x.\",\n"
	"     \"kind\": \"struct_offset\", \"type\": \"runtime.g\", \"field\": \"goid\"},\n"
	"    {\"name\": \"g_size\", \"doc\": \"Size of g.\",\n"
	"     \"kind\": \"type_size\", \"type\": \"runtime.g\"},\n"
	"    {\"name\": \"write_params\", \"doc\": \"Where Write's args are.\",\n"
	"     \"kind\": \"func_params\", \"function\": \"crypto/tls.(*Conn).Write\"},\n"
	"    {\"name\": \"big_value\", \"doc\": \"Large numbers.\",\n"
	"     \"kind\": \"type_size\", \"type\": \"runtime.big\"},\n"
	"    {\"name\": \"empty_size\", \"doc\": \"Never measured.\",\n"
	"     \"kind\": \"type_size\", \"type\": \"runtime.none\"},\n"
	"    {\"name\": \"opt_field\", \"doc\": \"Comes and goes.\",\n"
	"     \"kind\": \"struct_offset\", \"type\": \"runtime.g\",\n"
	"     \"field\": [\"newname\", \"oldname\"], \"optional\": true},\n"
	"    {\"name\": \"opt_params\", \"doc\": \"Appears.\",\n"
	"     \"kind\": \"func_params\", \"function\": \"runtime.newfunc\",\n"
	"     \"optional\": true}\n"
	"  ]\n"
	"}\n";

/* A machine path that must not leak into the output. */
#define SPEC_ORIGIN "/nonexistent/machine/dir/lutgen/specs/tst.json"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

struct fixture {
	struct lutgen_spec *spec;
	struct lutgen_table *t;
	char dir[4096];
};

static void add_u64(struct lutgen_table *t, size_t lookup, const char *arch,
		    const char *ver, uint64_t u, const char *sha)
{
	struct lutgen_value v;
	struct rungo_version rv;
	struct common_err err = { 0, "" };

	memset(&v, 0, sizeof(v));
	v.kind = lookup == 0 || lookup == 5 ? LUTGEN_LOOKUP_STRUCT_OFFSET
					    : LUTGEN_LOOKUP_TYPE_SIZE;
	v.u = u;
	assert_int_equal(rungo_version_parse(ver, &rv, NULL), 0);
	if (lutgen_table_add(t, lookup, arch, &rv, sha, &v, &err) != 0)
		fail_msg("add %s %s: %s", arch, ver, err.msg);
}

static struct lutgen_piece reg_piece(int reg, const char *name)
{
	struct lutgen_piece p;

	memset(&p, 0, sizeof(p));
	p.kind = LUTGEN_PIECE_REG;
	p.reg = reg;
	snprintf(p.reg_name, sizeof(p.reg_name), "%s", name);
	p.size = 8;
	return p;
}

static struct lutgen_piece stack_piece(int64_t off)
{
	struct lutgen_piece p;

	memset(&p, 0, sizeof(p));
	p.kind = LUTGEN_PIECE_STACK;
	p.stack_offset = off;
	p.size = 8;
	return p;
}

static void add_params(struct lutgen_table *t, const char *arch,
		       const char *ver, struct lutgen_param *ps, size_t n)
{
	struct lutgen_value v;
	struct rungo_version rv;
	struct common_err err = { 0, "" };

	memset(&v, 0, sizeof(v));
	v.kind = LUTGEN_LOOKUP_FUNC_PARAMS;
	v.params = ps;
	v.nparams = n;
	assert_int_equal(rungo_version_parse(ver, &rv, NULL), 0);
	if (lutgen_table_add(t, 2, arch, &rv, SHA_B, &v, &err) != 0)
		fail_msg("add params %s %s: %s", arch, ver, err.msg);
}

/* An absent measurement of an optional lookup, or a present one that
 * matched alternative `match` (NULL: none recorded). */
static void add_opt(struct lutgen_table *t, size_t lookup, const char *ver,
		    bool absent, uint64_t u, const char *match,
		    struct lutgen_param *ps, size_t n)
{
	struct lutgen_value v;
	struct rungo_version rv;
	struct common_err err = { 0, "" };

	memset(&v, 0, sizeof(v));
	v.kind = lookup == 5 ? LUTGEN_LOOKUP_STRUCT_OFFSET
			     : LUTGEN_LOOKUP_FUNC_PARAMS;
	v.absent = absent;
	v.u = u;
	v.params = ps;
	v.nparams = n;
	v.match_field = (char *)match;
	assert_int_equal(rungo_version_parse(ver, &rv, NULL), 0);
	if (lutgen_table_add(t, lookup, "amd64", &rv, SHA_A, &v, &err) != 0)
		fail_msg("add optional %s: %s", ver, err.msg);
}

/* The table the driver's expectations are written for. */
static void fill_table(struct lutgen_table *t)
{
	static const char *const goid_152[] = {
		"go1.13.15", "go1.14.15", "go1.16.15", "go1.18.10",
		"go1.20.14", "go1.22.12",
	};
	struct lutgen_piece c_stack[1], b_stack[3], c_reg[1], b_reg[3];
	struct lutgen_piece c_arm[1], b_arm[3];
	struct lutgen_param stack_ps[2], reg_ps[2], arm_ps[3];
	size_t i;

	for (i = 0; i < sizeof(goid_152) / sizeof(goid_152[0]); i++)
		add_u64(t, 0, "amd64", goid_152[i], 152, SHA_A);
	add_u64(t, 0, "amd64", "go1.23.12", 160, SHA_A);
	add_u64(t, 0, "amd64", "go1.24.4", 160, SHA_A);
	add_u64(t, 0, "amd64", "go1.25.0", 152, "");
	add_u64(t, 0, "arm64", "go1.25.0", 152, SHA_B);  /* out of order */
	add_u64(t, 0, "arm64", "go1.20.14", 152, SHA_B);
	add_u64(t, 0, "arm64", "go1.24.4", 160, SHA_B);
	add_u64(t, 0, "arm64", "go1.22.12", 152, SHA_B);

	add_u64(t, 1, "amd64", "go1.20.14", 400, SHA_A);
	add_u64(t, 1, "amd64", "go1.21.1", 400, SHA_A);
	add_u64(t, 1, "amd64", "go1.21.3", 400, SHA_A);
	add_u64(t, 1, "amd64", "go1.21.5", 408, SHA_A);
	add_u64(t, 1, "amd64", "go1.21.9", 408, SHA_A);
	add_u64(t, 1, "amd64", "go1.22.0", 408, SHA_A);

	add_u64(t, 3, "amd64", "go1.18.0", 1099511627776ull, SHA_A);
	add_u64(t, 3, "amd64", "go1.19.0", UINT64_MAX, SHA_A);

	c_stack[0] = stack_piece(8);
	b_stack[0] = stack_piece(16);
	b_stack[1] = stack_piece(24);
	b_stack[2] = stack_piece(32);
	stack_ps[0] = (struct lutgen_param){ (char *)"c", 8, c_stack, 1 };
	stack_ps[1] = (struct lutgen_param){ (char *)"b", 24, b_stack, 3 };
	add_params(t, "amd64", "go1.16.15", stack_ps, 2);

	c_reg[0] = reg_piece(0, "RAX");
	b_reg[0] = reg_piece(3, "RBX");
	b_reg[1] = reg_piece(2, "RCX");
	b_reg[2] = reg_piece(5, "RDI");
	reg_ps[0] = (struct lutgen_param){ (char *)"c", 8, c_reg, 1 };
	reg_ps[1] = (struct lutgen_param){ (char *)"b", 24, b_reg, 3 };
	add_params(t, "amd64", "go1.18.10", reg_ps, 2);
	add_params(t, "amd64", "go1.17.13", reg_ps, 2);

	c_arm[0] = reg_piece(0, "R0");
	b_arm[0] = reg_piece(1, "R1");
	b_arm[1] = reg_piece(2, "R2");
	b_arm[2] = reg_piece(3, "R3");
	arm_ps[0] = (struct lutgen_param){ (char *)"c", 8, c_arm, 1 };
	arm_ps[1] = (struct lutgen_param){ (char *)"b", 24, b_arm, 3 };
	arm_ps[2] = (struct lutgen_param){ (char *)"x", 8, NULL, 0 };
	add_params(t, "arm64", "go1.18.10", arm_ps, 3);

	/* opt_field amd64: absent in 1.18.10, 40 in 1.20.14 (as oldname) and
	 * 1.22.12 (as newname), absent again in 1.24.4. */
	add_opt(t, 5, "go1.18.10", true, 0, NULL, NULL, 0);
	add_opt(t, 5, "go1.20.14", false, 40, "oldname", NULL, 0);
	add_opt(t, 5, "go1.22.12", false, 40, "newname", NULL, 0);
	add_opt(t, 5, "go1.24.4", true, 0, NULL, NULL, 0);
	/* opt_params amd64: absent in 1.20.14, the register list from
	 * 1.22.12 on. */
	add_opt(t, 6, "go1.20.14", true, 0, NULL, NULL, 0);
	add_opt(t, 6, "go1.22.12", false, 0, NULL, reg_ps, 2);
}

static const char *build_root(void)
{
	const char *r = getenv("LUTGEN_BUILD_ROOT");

	return r && r[0] ? r : NULL;
}

static const char *source_root(void)
{
	const char *r = getenv("LUTGEN_SOURCE_ROOT");

	return r && r[0] ? r : NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct common_err err = { 0, "" };

	assert_non_null(f);
	if (lutgen_spec_parse(spec_json, strlen(spec_json), SPEC_ORIGIN,
			      &f->spec, &err) != 0)
		fail_msg("spec: %s", err.msg);
	assert_int_equal(lutgen_table_new(f->spec, &f->t, &err), 0);
	fill_table(f->t);
	snprintf(f->dir, sizeof(f->dir), "%s/tests/emit-XXXXXX", build_root());
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	struct dirent *de;
	DIR *d = opendir(f->dir);

	while (d && (de = readdir(d)) != NULL) {
		char p[8192];

		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || strcmp(de->d_name, "..") == 0))
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	lutgen_table_free(f->t);
	lutgen_spec_free(f->spec);
	free(f);
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, fp) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = '\0';
			if (len)
				*len = (size_t)n;
		}
	}
	fclose(fp);
	return buf;
}

static char *slurp_in(const char *dir, const char *name, size_t *len)
{
	char p[8192];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return slurp(p, len);
}

/* Run argv; 0 when it exits 0.  Output goes to `log`. */
static int run(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *l = freopen(log, "w", stdout);

		if (!l || dup2(fileno(stdout), 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void emit_ok(struct fixture *f, bool *changed)
{
	struct common_err err = { 0, "" };
	struct lutgen_emit_opts o = { false, changed };

	if (lutgen_emit(f->t, f->dir, &o, &err) != 0)
		fail_msg("emit: %s", err.msg);
}

/* Compile the emitted code plus the driver with `compiler`, run it. */
static void compile_and_run(struct fixture *f, bool cxx)
{
	char driver[4096], c1[8192], c2[8192], inc[8192], exe[8192],
		log[8192];
	char *argv[24];
	int n = 0, rc;
	char *text;

	snprintf(driver, sizeof(driver), "%s/tests/generated/emit_driver.c",
		 source_root());
	snprintf(c1, sizeof(c1), "%s/tst.c", f->dir);
	snprintf(c2, sizeof(c2), "%s/lutgen_go.c", f->dir);
	snprintf(inc, sizeof(inc), "-I%s", f->dir);
	snprintf(exe, sizeof(exe), "%s/driver-%s", f->dir, cxx ? "cxx" : "c");
	snprintf(log, sizeof(log), "%s/log-%s.txt", f->dir,
		 cxx ? "cxx" : "c");
	argv[n++] = (char *)(cxx ? TEST_CXX : TEST_CC);
	argv[n++] = (char *)(cxx ? "-std=c++11" : "-std=c99");
	argv[n++] = (char *)"-Wall";
	argv[n++] = (char *)"-Wextra";
	argv[n++] = (char *)"-Werror";
	argv[n++] = (char *)"-pedantic";
	if (cxx) {
		argv[n++] = (char *)"-x";
		argv[n++] = (char *)"c++";
	}
	argv[n++] = inc;
	argv[n++] = (char *)"-o";
	argv[n++] = exe;
	argv[n++] = driver;
	argv[n++] = c1;
	argv[n++] = c2;
	argv[n] = NULL;
	rc = run(argv, log);
	if (rc != 0) {
		text = slurp(log, NULL);
		fail_msg("%s failed (%d):\n%s", argv[0], rc, text ? text : "");
	}
	argv[0] = exe;
	argv[1] = NULL;
	rc = run(argv, log);
	text = slurp(log, NULL);
	if (rc != 0)
		fail_msg("driver (%s) failed (%d):\n%s", cxx ? "C++" : "C99",
			 rc, text ? text : "");
	assert_non_null(text);
	assert_non_null(strstr(text, "all checks passed"));
	free(text);
	unlink(exe);
	unlink(log);
}

static void test_compile_c99(void **state)
{
	struct fixture *f = *state;

	emit_ok(f, NULL);
	compile_and_run(f, false);
}

static void test_compile_cxx(void **state)
{
	struct fixture *f = *state;

	emit_ok(f, NULL);
	compile_and_run(f, true);
}

static const char *const outputs[] = {
	"tst.c", "tst.h", "tst.json", "lutgen_go.c", "lutgen_go.h",
	"lutgen_gobin.c", "lutgen_gobin.h",
};
#define NOUT (sizeof(outputs) / sizeof(outputs[0]))

static void test_rerun_identical(void **state)
{
	struct fixture *f = *state;
	char *first[NOUT];
	size_t len[NOUT], len2, i;
	struct stat st1[NOUT], st2;
	bool changed = false;
	struct dirent *de;
	DIR *d;
	int nfiles = 0;

	emit_ok(f, &changed);
	assert_true(changed);
	for (i = 0; i < NOUT; i++) {
		char p[8192];

		first[i] = slurp_in(f->dir, outputs[i], &len[i]);
		assert_non_null(first[i]);
		snprintf(p, sizeof(p), "%s/%s", f->dir, outputs[i]);
		assert_int_equal(stat(p, &st1[i]), 0);
		assert_int_equal(st1[i].st_mode & 0777, 0644);
	}
	/* Nothing but the outputs (no temporary files left behind). */
	d = opendir(f->dir);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			nfiles++;
		else
			assert_true(strcmp(de->d_name, ".") == 0 ||
				    strcmp(de->d_name, "..") == 0);
	closedir(d);
	assert_int_equal(nfiles, (int)NOUT);

	/* Second run: same bytes, nothing rewritten. */
	emit_ok(f, &changed);
	assert_false(changed);
	for (i = 0; i < NOUT; i++) {
		char p[8192];
		char *again = slurp_in(f->dir, outputs[i], &len2);

		assert_non_null(again);
		assert_int_equal(len2, len[i]);
		assert_memory_equal(again, first[i], len[i]);
		free(again);
		snprintf(p, sizeof(p), "%s/%s", f->dir, outputs[i]);
		assert_int_equal(stat(p, &st2), 0);
		assert_int_equal(st2.st_ino, st1[i].st_ino);
	}

	/* A table built again from scratch renders the same bytes. */
	{
		struct lutgen_table *t2 = NULL;
		char *c = NULL;

		assert_int_equal(lutgen_table_new(f->spec, &t2, NULL), 0);
		fill_table(t2);
		assert_int_equal(lutgen_emit_render(t2, "c", &c, NULL), 0);
		assert_string_equal(c, first[0]);
		free(c);
		lutgen_table_free(t2);
	}

	/* No machine paths. */
	for (i = 0; i < NOUT; i++) {
		assert_null(strstr(first[i], "/nonexistent"));
		assert_null(strstr(first[i], f->dir));
		assert_null(strstr(first[i], build_root()));
	}
	assert_non_null(strstr(first[1], "lutgen/specs/tst.json"));
	for (i = 0; i < NOUT; i++)
		free(first[i]);
}

static void test_dry_run(void **state)
{
	struct fixture *f = *state;
	struct common_err err = { 0, "" };
	bool changed = true;
	struct lutgen_emit_opts o = { true, &changed };
	char p[8192], *before, *after;
	FILE *fp;

	/* Dry run on an empty directory: would change, writes nothing. */
	assert_int_equal(lutgen_emit(f->t, f->dir, &o, &err), 0);
	assert_true(changed);
	snprintf(p, sizeof(p), "%s/tst.h", f->dir);
	assert_int_not_equal(access(p, F_OK), 0);

	emit_ok(f, NULL);
	before = slurp(p, NULL);
	fp = fopen(p, "a");
	assert_non_null(fp);
	fputs("/* local edit */\n", fp);
	fclose(fp);
	changed = false;
	assert_int_equal(lutgen_emit(f->t, f->dir, &o, &err), 0);
	assert_true(changed);
	after = slurp(p, NULL);
	assert_non_null(strstr(after, "local edit"));
	free(after);
	emit_ok(f, &changed);
	assert_true(changed);
	after = slurp(p, NULL);
	assert_string_equal(after, before);
	free(after);
	free(before);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!j)
		fail_msg("JSON: no member '%s'", k);
	return j;
}

static void test_json(void **state)
{
	struct fixture *f = *state;
	const cJSON *lookups, *l0, *ranges, *amd, *e, *notes, *n;
	char *text;
	cJSON *j;
	int i, reverts = 0, patch_changes = 0;

	emit_ok(f, NULL);
	text = slurp_in(f->dir, "tst.json", NULL);
	assert_non_null(text);
	j = cJSON_Parse(text);
	if (!j)
		fail_msg("tst.json is not JSON:\n%s", text);
	assert_string_equal(get(j, "name")->valuestring, "tst");
	assert_string_equal(get(j, "doc")->valuestring,
			    "A \"test\" table \\ with ?\?) quotes.");
	assert_string_equal(get(j, "spec")->valuestring,
			    "lutgen/specs/tst.json");
	assert_string_equal(get(j, "newest_measured")->valuestring,
			    "go1.25.0");
	assert_string_equal(get(j, "min_version")->valuestring, "go1.13");
	assert_int_equal(cJSON_GetArraySize(get(j, "arches")), 3);
	lookups = get(j, "lookups");
	assert_int_equal(cJSON_GetArraySize(lookups), 7);
	l0 = cJSON_GetArrayItem(lookups, 0);
	assert_string_equal(get(l0, "name")->valuestring, "goid_offset");
	assert_string_equal(get(l0, "kind")->valuestring, "struct_offset");
	assert_string_equal(get(l0, "type")->valuestring, "runtime.g");
	assert_string_equal(get(l0, "field")->valuestring, "goid");
	assert_string_equal(get(l0, "doc")->valuestring,
			    "Offset of goid */ in g /* x.");
	/* Every measurement with its provenance: 9 amd64 + 4 arm64. */
	assert_int_equal(cJSON_GetArraySize(get(l0, "entries")), 13);
	e = cJSON_GetArrayItem(get(l0, "entries"), 0);
	assert_string_equal(get(e, "version")->valuestring, "go1.13.15");
	assert_string_equal(get(e, "arch")->valuestring, "amd64");
	assert_int_equal((int)get(e, "value")->valuedouble, 152);
	assert_string_equal(get(e, "toolchain_sha256")->valuestring, SHA_A);
	e = cJSON_GetArrayItem(get(l0, "entries"), 8);
	assert_string_equal(get(e, "version")->valuestring, "go1.25.0");
	assert_string_equal(get(e, "toolchain_sha256")->valuestring, "");
	e = cJSON_GetArrayItem(get(l0, "entries"), 9);
	assert_string_equal(get(e, "version")->valuestring, "go1.20.14");
	assert_string_equal(get(e, "arch")->valuestring, "arm64");
	ranges = get(l0, "ranges");
	amd = get(ranges, "amd64");
	assert_int_equal(cJSON_GetArraySize(amd), 3);
	assert_string_equal(get(cJSON_GetArrayItem(amd, 0), "from")->valuestring,
			    "go1.13.15");
	assert_string_equal(get(cJSON_GetArrayItem(amd, 0), "to")->valuestring,
			    "go1.22.12");
	assert_string_equal(get(cJSON_GetArrayItem(amd, 1), "from")->valuestring,
			    "go1.23.12");
	assert_int_equal((int)get(cJSON_GetArrayItem(amd, 1), "value")
				 ->valuedouble,
			 160);
	assert_null(cJSON_GetObjectItemCaseSensitive(ranges, "riscv64"));

	/* func_params values are arrays of {name, size, pieces}. */
	e = cJSON_GetArrayItem(get(cJSON_GetArrayItem(lookups, 2), "entries"),
			       0);
	assert_string_equal(get(e, "version")->valuestring, "go1.16.15");
	e = get(e, "value");
	assert_true(cJSON_IsArray(e));
	assert_string_equal(get(cJSON_GetArrayItem(e, 1), "name")->valuestring,
			    "b");
	n = cJSON_GetArrayItem(get(cJSON_GetArrayItem(e, 1), "pieces"), 2);
	assert_string_equal(get(n, "kind")->valuestring, "stack");
	assert_int_equal((int)get(n, "stack_offset")->valuedouble, 32);
	assert_string_equal(get(cJSON_GetArrayItem(lookups, 2),
				"function")->valuestring,
			    "crypto/tls.(*Conn).Write");

	/* Alternatives are spelled as lists, absent as null, and the entries
	 * say which spelling matched. */
	{
		const cJSON *lo = cJSON_GetArrayItem(lookups, 5);
		const cJSON *fld = get(lo, "field"), *ents = get(lo, "entries");

		assert_true(cJSON_IsArray(fld));
		assert_string_equal(cJSON_GetArrayItem(fld, 1)->valuestring,
				    "oldname");
		assert_true(cJSON_IsTrue(get(lo, "optional")));
		assert_null(cJSON_GetObjectItemCaseSensitive(l0, "optional"));
		assert_int_equal(cJSON_GetArraySize(ents), 4);
		assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(ents, 0), "value")));
		assert_null(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(ents, 0), "matched"));
		e = cJSON_GetArrayItem(ents, 1);
		assert_int_equal((int)get(e, "value")->valuedouble, 40);
		assert_string_equal(get(get(e, "matched"), "field")->valuestring,
				    "oldname");
		e = cJSON_GetArrayItem(ents, 2);
		assert_string_equal(get(get(e, "matched"), "field")->valuestring,
				    "newname");
		assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(ents, 3), "value")));
		/* absent, 40, absent: three ranges. */
		amd = get(get(lo, "ranges"), "amd64");
		assert_int_equal(cJSON_GetArraySize(amd), 3);
		assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(amd, 2), "value")));
	}

	notes = get(j, "notes");
	for (i = 0; i < cJSON_GetArraySize(notes); i++) {
		n = cJSON_GetArrayItem(notes, i);
		if (strcmp(get(n, "kind")->valuestring, "revert") == 0 &&
		    strcmp(get(n, "lookup")->valuestring, "opt_field") == 0) {
			assert_string_equal(get(n, "after")->valuestring,
					    "go1.24.4");
			continue;
		}
		if (strcmp(get(n, "kind")->valuestring, "revert") == 0) {
			reverts++;
			assert_string_equal(get(n, "lookup")->valuestring,
					    "goid_offset");
			assert_string_equal(get(n, "after")->valuestring,
					    "go1.25.0");
		} else {
			assert_string_equal(get(n, "kind")->valuestring,
					    "patch-change");
			patch_changes++;
			assert_string_equal(get(n, "lookup")->valuestring,
					    "g_size");
			assert_string_equal(get(n, "before")->valuestring,
					    "go1.21.3");
			assert_string_equal(get(n, "after")->valuestring,
					    "go1.21.5");
		}
	}
	assert_int_equal(reverts, 2);   /* amd64 and arm64 */
	assert_int_equal(patch_changes, 1);
	cJSON_Delete(j);
	free(text);
}

static void test_header_docs(void **state)
{
	struct fixture *f = *state;
	char *h = NULL;

	assert_int_equal(lutgen_emit_render(f->t, "h", &h, NULL), 0);
	/* Return codes, coverage, measured versions, the lookups' docs. */
	assert_non_null(strstr(h, "LUTGEN_UNCERTAIN"));
	assert_non_null(strstr(h, "LUTGEN_EXTRAPOLATED"));
	assert_non_null(strstr(h, "go1.13.15 go1.14.15 go1.16.15"));
	assert_non_null(strstr(h, "Size of g."));
	assert_non_null(strstr(h, "Offset of goid * / in g / * x."));
	assert_non_null(strstr(h, "go1.24.4 -> 152 in go1.25.0, back to the\n"
				  " *     value of go1.22.12"));
	assert_non_null(strstr(h, "extern const struct lutgen_go_table_desc "
				  "lutgen_go_table_tst;"));
	assert_non_null(strstr(h, "int goid_offset(const char *go_version, "
				  "const char *goarch, uint64_t *out);"));
	free(h);
}

static void test_errors(void **state)
{
	struct fixture *f = *state;
	struct common_err err = { 0, "" };
	char p[8192], *out = NULL;

	assert_int_equal(lutgen_emit_render(f->t, "pdf", &out, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "pdf"));
	assert_null(out);
	snprintf(p, sizeof(p), "%s/missing", f->dir);
	assert_int_equal(lutgen_emit(f->t, p, NULL, &err), -ENOENT);
	assert_non_null(strstr(err.msg, p));
	assert_int_equal(lutgen_emit(NULL, f->dir, NULL, NULL), -EINVAL);
}

/* The committed generated/lutgen_go.{c,h} and lutgen_gobin.{c,h} are what
 * the templates render. */
static void test_committed_runtime(void **state)
{
	static const char *const which[] = { "go.c", "go.h", "gobin.c",
					     "gobin.h" };
	static const char *const file[] = { "lutgen_go.c", "lutgen_go.h",
					    "lutgen_gobin.c", "lutgen_gobin.h" };
	char p[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		char *rendered = NULL, *committed;

		assert_int_equal(lutgen_emit_render(NULL, which[i], &rendered,
						    NULL),
				 0);
		snprintf(p, sizeof(p), "%s/generated/%s", source_root(),
			 file[i]);
		committed = slurp(p, NULL);
		assert_non_null(committed);
		if (strcmp(committed, rendered) != 0)
			fail_msg("%s differs from templates/%s.tmpl; "
				 "regenerate it: meson compile -C build gen-runtime",
				 p, file[i]);
		free(committed);
		free(rendered);
	}
}

/* Rebuild the table of a committed generated/<name>.json from its own
 * entries (the spec from lutgen/specs/<name>.json, the policy it was
 * measured with from the JSON) and render it: every committed file of the
 * table must come out byte for byte.  Proves that a change of the value
 * codec, the emitter or the templates leaves generated/ unchanged. */
static void check_committed_table(const char *name)
{
	static const char *const which[] = { "c", "h", "json" };
	struct common_err err = { 0 };
	struct lutgen_spec *spec = NULL;
	struct lutgen_table *t = NULL;
	const cJSON *lk, *e;
	cJSON *doc;
	char p[4096], *text;
	size_t i, li = 0;

	snprintf(p, sizeof(p), "%s/lutgen/specs/%s.json", source_root(), name);
	if (lutgen_spec_load(p, &spec, &err) != 0)
		fail_msg("%s", err.msg);
	snprintf(p, sizeof(p), "%s/generated/%s.json", source_root(), name);
	text = slurp(p, NULL);
	assert_non_null(text);
	doc = cJSON_Parse(text);
	free(text);
	assert_non_null(doc);
	assert_int_equal(rungo_policy_parse(
				 cJSON_GetObjectItem(doc, "policy")->valuestring,
				 &spec->policy, NULL),
			 0);
	assert_int_equal(lutgen_table_new(spec, &t, NULL), 0);
	cJSON_ArrayForEach(lk, cJSON_GetObjectItem(doc, "lookups")) {
		assert_true(li < spec->nlookups);
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(lk, "entries")) {
			struct rungo_version v;
			struct lutgen_value val;

			assert_int_equal(rungo_version_parse(
				cJSON_GetObjectItem(e, "version")->valuestring,
				&v, NULL), 0);
			if (lutgen_value_from_json(cJSON_GetObjectItem(e, "value"),
						   spec->lookups[li].kind, &val,
						   p, &err) != 0)
				fail_msg("%s", err.msg);
			assert_int_equal(lutgen_value_matched_from_json(
				cJSON_GetObjectItem(e, "matched"), &val), 0);
			assert_int_equal(lutgen_table_add(t, li,
				cJSON_GetObjectItem(e, "arch")->valuestring, &v,
				cJSON_GetObjectItem(e, "toolchain_sha256")->valuestring,
				&val, NULL), 0);
			lutgen_value_free(&val);
		}
		li++;
	}
	assert_int_equal(li, spec->nlookups);
	for (i = 0; i < sizeof(which) / sizeof(which[0]); i++) {
		char *rendered = NULL, *committed;

		assert_int_equal(lutgen_emit_render(t, which[i], &rendered,
						    NULL), 0);
		snprintf(p, sizeof(p), "%s/generated/%s.%s", source_root(),
			 name, which[i]);
		committed = slurp(p, NULL);
		assert_non_null(committed);
		if (strcmp(committed, rendered) != 0)
			fail_msg("%s is not what its own measurements render",
				 p);
		free(committed);
		free(rendered);
	}
	lutgen_table_free(t);
	lutgen_spec_free(spec);
	cJSON_Delete(doc);
}

static void test_committed_tables(void **state)
{
	static const char *const names[] = { "goid", "goroutine", "gotls",
					     "nethttp", "http2std", "sql" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_committed_table(names[i]);
}

/* The coverage rules of lutgen_go.c on ranges written by hand. */
#define V(mi, pa) { 1, mi, pa, LUTGEN_GO_PRE_NONE, 0 }
#define RC(mi, n) { 1, mi, 0, LUTGEN_GO_PRE_RC, n }

static int find(const struct lutgen_go_lut *lut, const char *ver,
		uint64_t *u)
{
	struct lutgen_go_version v;
	const struct lutgen_go_range *r = NULL;
	int rc;

	assert_int_equal(lutgen_go_version_parse(ver, &v), LUTGEN_OK);
	rc = lutgen_go_lut_find(lut, &v, LUTGEN_GOARCH_AMD64, &r);
	if (rc >= 0) {
		assert_non_null(r);
		*u = r->u;
	}
	return rc;
}

static void test_lut_rules(void **state)
{
	/* 1.19 -> 1 (measured at 1.19.2); 1.21 changes at 1.21.5 (split at its
	 * oldest measured patch 1.21.1, same value as 1.19); 1.23 measured
	 * only as rc1. */
	static const struct lutgen_go_range r[] = {
		{ V(19, 2), V(19, 2), 1, NULL, 0 },
		{ V(21, 1), V(21, 3), 1, NULL, 0 },
		{ V(21, 5), V(22, 0), 2, NULL, 0 },
		{ RC(23, 1), RC(23, 1), 3, NULL, 0 },
	};
	static const struct lutgen_go_arch_ranges a[] = {
		{ LUTGEN_GOARCH_AMD64, 4, r },
	};
	static const struct lutgen_go_lut lut = { 1, a };
	/* A minor whose patches differ, as the very first range. */
	static const struct lutgen_go_range r2[] = {
		{ V(21, 1), V(21, 3), 7, NULL, 0 },
		{ V(21, 5), V(21, 5), 8, NULL, 0 },
	};
	static const struct lutgen_go_arch_ranges a2[] = {
		{ LUTGEN_GOARCH_AMD64, 2, r2 },
	};
	static const struct lutgen_go_lut lut2 = { 1, a2 };
	uint64_t u = 0;

	(void)state;
	assert_int_equal(find(&lut, "go1.19.0", &u), LUTGEN_OK);
	assert_int_equal(u, 1);
	assert_int_equal(find(&lut, "go1.19.9", &u), LUTGEN_OK);
	/* Unmeasured 1.20 between 1.19 and 1.21.1, which agree. */
	assert_int_equal(find(&lut, "go1.20.3", &u), LUTGEN_OK);
	assert_int_equal(u, 1);
	assert_int_equal(find(&lut, "go1.21.0", &u), LUTGEN_UNCERTAIN);
	assert_int_equal(u, 1);
	assert_int_equal(find(&lut, "go1.21.3", &u), LUTGEN_OK);
	assert_int_equal(u, 1);
	/* Between measured 1.21.3 (1) and 1.21.5 (2): not exact. */
	assert_int_equal(find(&lut, "go1.21.4", &u), LUTGEN_UNCERTAIN);
	assert_int_equal(u, 1);
	assert_int_equal(find(&lut, "go1.21.5", &u), LUTGEN_OK);
	assert_int_equal(u, 2);
	assert_int_equal(find(&lut, "go1.22.7", &u), LUTGEN_OK);
	assert_int_equal(u, 2);
	/* Prereleases of a minor measured only as a prerelease. */
	assert_int_equal(find(&lut, "go1.23beta1", &u), LUTGEN_OK);
	assert_int_equal(u, 3);
	assert_int_equal(find(&lut, "go1.23rc2", &u), LUTGEN_OK);
	assert_int_equal(find(&lut, "go1.23.4", &u), LUTGEN_OK);
	assert_int_equal(u, 3);
	assert_int_equal(find(&lut, "go1.24rc1", &u), LUTGEN_EXTRAPOLATED);
	assert_int_equal(u, 3);
	assert_int_equal(find(&lut, "go1.18.10", &u), LUTGEN_E_TOO_OLD);

	assert_int_equal(find(&lut2, "go1.21.0", &u), LUTGEN_UNCERTAIN);
	assert_int_equal(u, 7);
	assert_int_equal(find(&lut2, "go1.21rc1", &u), LUTGEN_UNCERTAIN);
	assert_int_equal(find(&lut2, "go1.21.2", &u), LUTGEN_OK);
	assert_int_equal(u, 7);
	assert_int_equal(find(&lut2, "go1.21.4", &u), LUTGEN_UNCERTAIN);
	assert_int_equal(u, 7);
	assert_int_equal(find(&lut2, "go1.21.6", &u), LUTGEN_OK);
	assert_int_equal(u, 8);
	assert_int_equal(find(&lut2, "go1.22.0", &u), LUTGEN_EXTRAPOLATED);
	assert_int_equal(find(&lut2, "go1.20.0", &u), LUTGEN_E_TOO_OLD);
}


/* ---- one run of several specs: everything links together ---------- */

/* Names at the edge of what a spec may use (each close to one the spec
 * parser refuses: off/off_v, NULL, uint64_t, main, class, lutgen_*). */
static const char edge_a[] =
	"{\"name\": \"edge\", \"program\": \"p\", \"min_version\": \"go1.20\","
	" \"arches\": [\"amd64\"], \"lookups\": ["
	"{\"name\": \"off\", \"kind\": \"type_size\", \"type\": \"t.a\"},"
	"{\"name\": \"Off\", \"kind\": \"type_size\", \"type\": \"t.b\"},"
	"{\"name\": \"offv\", \"kind\": \"type_size\", \"type\": \"t.c\"},"
	"{\"name\": \"off_V\", \"kind\": \"type_size\", \"type\": \"t.d\"},"
	"{\"name\": \"Null\", \"kind\": \"type_size\", \"type\": \"t.e\"},"
	"{\"name\": \"uint64\", \"kind\": \"type_size\", \"type\": \"t.f\"},"
	"{\"name\": \"main2\", \"kind\": \"type_size\", \"type\": \"t.g\"},"
	"{\"name\": \"class_\", \"kind\": \"type_size\", \"type\": \"t.h\"},"
	"{\"name\": \"lutgenx\", \"kind\": \"type_size\", \"type\": \"t.i\"}]}";
static const char edge_b[] =
	"{\"name\": \"Edge2\", \"program\": \"p\", \"min_version\": \"go1.20\","
	" \"arches\": [\"amd64\"], \"lookups\": ["
	"{\"name\": \"off2\", \"kind\": \"type_size\", \"type\": \"t.a\"},"
	"{\"name\": \"Offv\", \"kind\": \"type_size\", \"type\": \"t.b\"},"
	"{\"name\": \"params\", \"kind\": \"func_params\", \"function\": \"f\"}]}";

static const char edge_driver[] =
	"#include <stdio.h>\n"
	"#include \"edge.h\"\n"
	"#include \"Edge2.h\"\n"
	"#define CHECK(fn, want) do { uint64_t v = 0; \\\n"
	"  if (fn(\"go1.21.3\", \"amd64\", &v) != LUTGEN_OK || v != (want) ||\\\n"
	"      fn##_v(&ver, LUTGEN_GOARCH_AMD64, &v) != LUTGEN_OK || v != (want)) {\\\n"
	"    printf(\"%s: %llu\\n\", #fn, (unsigned long long)v); return 1; } } while (0)\n"
	"int main(void)\n"
	"{\n"
	"  struct lutgen_go_version ver;\n"
	"  const struct lutgen_go_params *p = NULL;\n"
	"  if (lutgen_go_version_parse(\"go1.21.3\", &ver) != 0) return 2;\n"
	"  CHECK(off, 1); CHECK(Off, 2); CHECK(offv, 3); CHECK(off_V, 4);\n"
	"  CHECK(Null, 5); CHECK(uint64, 6); CHECK(main2, 7);\n"
	"  CHECK(class_, 8); CHECK(lutgenx, 9); CHECK(off2, 10);\n"
	"  CHECK(Offv, 11);\n"
	"  if (params(\"go1.21.3\", \"amd64\", &p) != LUTGEN_OK || !p ||\n"
	"      p->nparams != 1 || params_v(&ver, LUTGEN_GOARCH_AMD64, &p) != 0)\n"
	"    return 3;\n"
	"  if (lutgen_go_table_edge.nlookups != 9 ||\n"
	"      lutgen_go_table_Edge2.nlookups != 3) return 4;\n"
	"  puts(\"all checks passed\");\n"
	"  return 0;\n"
	"}\n";

static struct lutgen_table *edge_table(const char *json,
				       struct lutgen_spec **spec)
{
	struct common_err err = { 0, "" };
	struct lutgen_table *t = NULL;
	struct rungo_version rv;
	size_t i;

	if (lutgen_spec_parse(json, strlen(json), "edge.json", spec, &err))
		fail_msg("spec: %s", err.msg);
	assert_int_equal(lutgen_table_new(*spec, &t, &err), 0);
	assert_int_equal(rungo_version_parse("go1.21.3", &rv, NULL), 0);
	for (i = 0; i < (*spec)->nlookups; i++) {
		struct lutgen_value v;
		struct lutgen_piece pc = reg_piece(0, "RAX");
		struct lutgen_param pa = { (char *)"c", 8, &pc, 1 };

		memset(&v, 0, sizeof(v));
		v.kind = (*spec)->lookups[i].kind;
		if (v.kind == LUTGEN_LOOKUP_FUNC_PARAMS) {
			v.params = &pa;
			v.nparams = 1;
		} else {
			/* 1.. for edge, 10.. for Edge2 */
			v.u = i + ((*spec)->name[0] == 'E' ? 10 : 1);
		}
		if (lutgen_table_add(t, i, "amd64", &rv, SHA_A, &v, &err))
			fail_msg("add: %s", err.msg);
	}
	return t;
}

/* Every generated file of a run (two specs with names at the edge of the
 * rules, and lutgen_go) compiles and links into one program, as C99 and
 * as C++, with -Wall -Wextra -Werror -pedantic. */
static void test_run_links_together(void **state)
{
	struct fixture *f = *state;
	struct lutgen_spec *sa = NULL, *sb = NULL;
	struct lutgen_table *ta, *tb;
	const struct lutgen_spec *both[2];
	struct common_err err = { 0, "" };
	char drv[8192], a[8192], b[8192], c[8192], inc[8192], exe[8192],
		log[8192];
	int pass;
	FILE *fp;

	ta = edge_table(edge_a, &sa);
	tb = edge_table(edge_b, &sb);
	both[0] = sa;
	both[1] = sb;
	if (lutgen_spec_check_run(both, 2, &err) != 0)
		fail_msg("check_run: %s", err.msg);
	if (lutgen_emit(ta, f->dir, NULL, &err) != 0 ||
	    lutgen_emit(tb, f->dir, NULL, &err) != 0)
		fail_msg("emit: %s", err.msg);
	snprintf(drv, sizeof(drv), "%s/edge_driver.c", f->dir);
	fp = fopen(drv, "w");
	assert_non_null(fp);
	fputs(edge_driver, fp);
	assert_int_equal(fclose(fp), 0);
	snprintf(a, sizeof(a), "%s/edge.c", f->dir);
	snprintf(b, sizeof(b), "%s/Edge2.c", f->dir);
	snprintf(c, sizeof(c), "%s/lutgen_go.c", f->dir);
	snprintf(inc, sizeof(inc), "-I%s", f->dir);
	for (pass = 0; pass < 2; pass++) {
		bool cxx = pass == 1;
		char *argv[] = {
			(char *)(cxx ? TEST_CXX : TEST_CC),
			(char *)(cxx ? "-std=c++11" : "-std=c99"),
			(char *)"-Wall", (char *)"-Wextra", (char *)"-Werror",
			(char *)"-pedantic", (char *)"-x",
			(char *)(cxx ? "c++" : "c"), inc, (char *)"-o", exe,
			drv, a, b, c, NULL,
		};
		char *run_argv[2] = { exe, NULL };
		char *text;
		int rc;

		snprintf(exe, sizeof(exe), "%s/edge-%d", f->dir, pass);
		snprintf(log, sizeof(log), "%s/edge-log-%d.txt", f->dir, pass);
		rc = run(argv, log);
		if (rc != 0) {
			text = slurp(log, NULL);
			fail_msg("%s failed (%d):\n%s", argv[0], rc,
				 text ? text : "");
		}
		rc = run(run_argv, log);
		text = slurp(log, NULL);
		if (rc != 0 || !text || !strstr(text, "all checks passed"))
			fail_msg("edge driver (%s) exit %d:\n%s",
				 cxx ? "C++" : "C99", rc, text ? text : "");
		free(text);
		unlink(exe);
		unlink(log);
	}
	unlink(drv);
	lutgen_table_free(ta);
	lutgen_table_free(tb);
	lutgen_spec_free(sa);
	lutgen_spec_free(sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compile_c99, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_compile_cxx, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rerun_identical, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_docs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_links_together, setup,
						teardown),
		cmocka_unit_test(test_committed_runtime),
		cmocka_unit_test(test_committed_tables),
		cmocka_unit_test(test_lut_rules),
	};

	if (!build_root() || !source_root()) {
		fprintf(stderr, "LUTGEN_BUILD_ROOT/LUTGEN_SOURCE_ROOT unset; "
				"run through meson test\n");
		return test_under_ci() ? 1 : 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
