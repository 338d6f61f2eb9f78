/* SPDX-License-Identifier: MIT */
/*
 * tests/test_modtable.c - module tables (lutgen/core/table.h module API,
 * templates/modtable.*.tmpl): two hand-built tables, one not keyed by Go
 * and one keyed by Go, emitted, compiled as C99 and C++11 with
 * tests/generated/modemit_driver.c (expectations written by hand from the
 * coverage rules), emitted twice for byte-identical output, and their JSON
 * read back.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "lutgen/core/spec.h"
#include "lutgen/core/table.h"
#include "lutgen/emit/emit.h"
#include "common/fs.h"

#ifndef TEST_CC
#define TEST_CC "cc"
#endif
#ifndef TEST_CXX
#define TEST_CXX "c++"
#endif

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H1_A "h1:uX88+8a+T4LXDZkxhc6ubP/YsPjmcihLeRVLcpG3ySs="
#define H1_B "h1:HJvkLKdMzp53HtGRT8+PftEp5XEvGmbA+52zUp2fTlk="

#define LOOKUPS                                                              \
	"  \"lookups\": [\n"                                                 \
	"    {\"name\": \"%s_off\", \"kind\": \"struct_offset\",\n"          \
	"     \"type\": \"example.com/m.T\", \"field\": \"f\"},\n"           \
	"    {\"name\": \"%s_opt\", \"kind\": \"struct_offset\",\n"          \
	"     \"type\": \"example.com/m.T\", \"field\": [\"a\", \"b\"],\n"   \
	"     \"optional\": true},\n"                                        \
	"    {\"name\": \"%s_params\", \"kind\": \"func_params\",\n"         \
	"     \"function\": \"example.com/m.(*T).Do\"}\n"                    \
	"  ]\n"

struct fx {
	struct lutgen_spec *spec[2];
	struct lutgen_table *t[2];
	char dir[4096];
};

static struct lutgen_spec *mkspec(const char *name)
{
	char json[4096];
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	char origin[256];

	snprintf(json, sizeof(json),
		 "{\n  \"name\": \"%s\",\n  \"doc\": \"Module test table %s.\",\n"
		 "  \"program\": \"%s\",\n"
		 "  \"module\": {\"path\": \"example.com/m\", \"min_version\": \"v1.0.0\"},\n"
		 "  \"arches\": [\"amd64\", \"arm64\", \"riscv64\"],\n" LOOKUPS "}\n",
		 name, name, name, name, name, name);
	snprintf(origin, sizeof(origin), "/nowhere/lutgen/specs/%s.json", name);
	if (lutgen_spec_parse(json, strlen(json), origin, &s, &err) != 0)
		fail_msg("spec: %s\n%s", err.msg, json);
	return s;
}

static void add(struct lutgen_table *t, size_t l, const char *arch,
		const char *mod, const char *go, bool absent, uint64_t u,
		const char *match)
{
	static struct lutgen_piece pc[2] = {
		{ LUTGEN_PIECE_REG, 0, "RAX", 0, 8 },
		{ LUTGEN_PIECE_REG, 3, "RBX", 0, 8 },
	};
	static struct lutgen_param ps[2] = {
		{ (char *)"t", 8, &pc[0], 1 },
		{ (char *)"ctx", 8, &pc[1], 1 },
	};
	struct lutgen_value v;
	struct rungo_modver mv;
	struct rungo_version gv;
	struct common_err err = { 0 };

	memset(&v, 0, sizeof(v));
	v.kind = l == 2 ? LUTGEN_LOOKUP_FUNC_PARAMS : LUTGEN_LOOKUP_STRUCT_OFFSET;
	v.absent = absent;
	v.u = u;
	v.match_field = (char *)match;
	if (l == 2 && !absent) {
		v.params = ps;
		v.nparams = u == 2 ? 2 : 1;
	}
	assert_int_equal(rungo_modver_parse(mod, &mv, NULL), 0);
	assert_int_equal(rungo_version_parse(go, &gv, NULL), 0);
	if (lutgen_table_add_module(t, l, arch, &mv,
				    mv.major == 2 ? H1_B : H1_A, &gv, SHA_A, &v,
				    &err) != 0)
		fail_msg("add %s %s %s: %s", arch, mod, go, err.msg);
}

/* mtst: not keyed by Go.  Everything measured with go1.27.4, v1.0.0 also
 * with go1.21.13 (same values: the proof). */
static void fill_mtst(struct lutgen_table *t)
{
	add(t, 0, "amd64", "v1.0.0", "go1.27.4", false, 8, NULL);
	add(t, 0, "amd64", "v1.0.0", "go1.21.13", false, 8, NULL);
	add(t, 0, "amd64", "v1.1.0", "go1.27.4", false, 8, NULL);
	add(t, 0, "amd64", "v1.2.0", "go1.27.4", false, 16, NULL);
	add(t, 0, "amd64", "v1.2.3", "go1.27.4", false, 24, NULL);
	add(t, 0, "amd64", "v2.0.0+incompatible", "go1.27.4", false, 24, NULL);
	add(t, 0, "arm64", "v1.1.0", "go1.27.4", false, 8, NULL);

	add(t, 1, "amd64", "v1.0.0", "go1.27.4", true, 0, NULL);
	add(t, 1, "amd64", "v1.0.0", "go1.21.13", true, 0, NULL);
	add(t, 1, "amd64", "v1.1.0", "go1.27.4", false, 32, "b");
	add(t, 1, "amd64", "v1.2.0", "go1.27.4", false, 32, "a");
	add(t, 1, "amd64", "v1.2.3", "go1.27.4", false, 32, "a");
	add(t, 1, "amd64", "v2.0.0+incompatible", "go1.27.4", true, 0, NULL);

	add(t, 2, "amd64", "v1.0.0", "go1.27.4", false, 1, NULL);
	add(t, 2, "amd64", "v1.0.0", "go1.21.13", false, 1, NULL);
	add(t, 2, "amd64", "v1.2.0", "go1.27.4", false, 2, NULL);
	lutgen_table_set_keys_go(t, false);
	assert_int_equal(lutgen_table_set_go_evidence(t,
		"v1.0.0 with go1.21.13 and go1.27.4: every value agrees"), 0);
}

/* mgo: keyed by Go. */
static void fill_mgo(struct lutgen_table *t)
{
	add(t, 0, "amd64", "v1.0.0", "go1.15.15", false, 8, NULL);
	add(t, 0, "amd64", "v1.0.0", "go1.27.4", false, 16, NULL);
	add(t, 0, "amd64", "v1.1.0", "go1.15.15", false, 8, NULL);
	add(t, 0, "amd64", "v1.1.0", "go1.21.13", false, 24, NULL);
	add(t, 0, "amd64", "v1.1.0", "go1.27.4", false, 24, NULL);
	add(t, 1, "amd64", "v1.1.0", "go1.27.4", false, 40, "a");
	add(t, 2, "amd64", "v1.1.0", "go1.27.4", false, 1, NULL);
	lutgen_table_set_keys_go(t, true);
	assert_int_equal(lutgen_table_set_go_evidence(t,
		"mgo_off/amd64 v1.0.0: 8 with go1.15.15, 16 with go1.27.4"), 0);
}

static const char *root(const char *env)
{
	const char *r = getenv(env);

	return r && r[0] ? r : ".";
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct common_err err = { 0 };

	assert_non_null(f);
	f->spec[0] = mkspec("mtst");
	f->spec[1] = mkspec("mgo");
	assert_int_equal(lutgen_table_new(f->spec[0], &f->t[0], &err), 0);
	assert_int_equal(lutgen_table_new(f->spec[1], &f->t[1], &err), 0);
	fill_mtst(f->t[0]);
	fill_mgo(f->t[1]);
	snprintf(f->dir, sizeof(f->dir), "%s/tests/modtable-XXXXXX",
		 root("LUTGEN_BUILD_ROOT"));
	assert_non_null(mkdtemp(f->dir));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	struct dirent *de;
	DIR *d = opendir(f->dir);

	while (d && (de = readdir(d)) != NULL) {
		char p[8192];

		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(f->dir);
	lutgen_table_free(f->t[0]);
	lutgen_table_free(f->t[1]);
	lutgen_spec_free(f->spec[0]);
	lutgen_spec_free(f->spec[1]);
	free(f);
	return 0;
}

static char *slurp(const char *dir, const char *name)
{
	char p[8192];
	char *text = NULL;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (common_fs_read_file(p, 0, &text, NULL, NULL) != 0)
		return NULL;
	return text;
}

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

static void emit_both(struct fx *f, bool *changed)
{
	struct common_err err = { 0 };
	bool ch = false;
	struct lutgen_emit_opts o = { false, &ch };
	int i;

	if (changed)
		*changed = false;
	for (i = 0; i < 2; i++) {
		if (lutgen_emit(f->t[i], f->dir, &o, &err) != 0)
			fail_msg("emit: %s", err.msg);
		if (changed)
			*changed |= ch;
	}
}

static void compile_and_run(struct fx *f, bool cxx)
{
	char driver[4096], c1[8192], c2[8192], c3[8192], inc[8192], exe[8192],
		log[8192];
	char *argv[24], *text;
	int n = 0, rc;

	snprintf(driver, sizeof(driver), "%s/tests/generated/modemit_driver.c",
		 root("LUTGEN_SOURCE_ROOT"));
	snprintf(c1, sizeof(c1), "%s/mtst.c", f->dir);
	snprintf(c2, sizeof(c2), "%s/mgo.c", f->dir);
	snprintf(c3, sizeof(c3), "%s/lutgen_go.c", f->dir);
	snprintf(inc, sizeof(inc), "-I%s", f->dir);
	snprintf(exe, sizeof(exe), "%s/driver-%s", f->dir, cxx ? "cxx" : "c");
	snprintf(log, sizeof(log), "%s/log-%s.txt", f->dir, cxx ? "cxx" : "c");
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
	argv[n++] = c3;
	argv[n] = NULL;
	rc = run(argv, log);
	if (rc != 0) {
		text = slurp(f->dir, cxx ? "log-cxx.txt" : "log-c.txt");
		fail_msg("%s failed (%d):\n%s", argv[0], rc, text ? text : "");
	}
	argv[0] = exe;
	argv[1] = NULL;
	rc = run(argv, log);
	if (rc != 0) {
		text = slurp(f->dir, cxx ? "log-cxx.txt" : "log-c.txt");
		fail_msg("driver (%s) failed (%d):\n%s", cxx ? "C++" : "C99", rc,
			 text ? text : "");
	}
}

static void test_compile(void **state)
{
	struct fx *f = *state;

	emit_both(f, NULL);
	compile_and_run(f, false);
	compile_and_run(f, true);
}

static void test_rerun_identical(void **state)
{
	static const char *const files[] = { "mtst.c", "mtst.h", "mtst.json",
					      "mgo.c", "mgo.h", "mgo.json" };
	struct fx *f = *state;
	char *before[6];
	bool changed = true;
	size_t i;

	emit_both(f, NULL);
	for (i = 0; i < 6; i++)
		assert_non_null(before[i] = slurp(f->dir, files[i]));
	emit_both(f, &changed);
	assert_false(changed);
	for (i = 0; i < 6; i++) {
		char *now = slurp(f->dir, files[i]);

		assert_string_equal(now, before[i]);
		free(now);
		free(before[i]);
	}
	/* No machine path leaks into the output. */
	before[0] = slurp(f->dir, "mtst.h");
	assert_null(strstr(before[0], "/nowhere"));
	assert_non_null(strstr(before[0], "lutgen/specs/mtst.json"));
	free(before[0]);
}

static const cJSON *get(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);

	if (!j)
		fail_msg("no key %s", k);
	return j;
}

static void test_json(void **state)
{
	struct fx *f = *state;
	char *text;
	cJSON *j;
	const cJSON *l, *e, *r;

	emit_both(f, NULL);
	text = slurp(f->dir, "mtst.json");
	j = cJSON_Parse(text);
	if (!j)
		fail_msg("mtst.json is not JSON:\n%s", text);
	assert_string_equal(get(get(j, "module"), "path")->valuestring,
			    "example.com/m");
	assert_string_equal(get(get(j, "module"), "min_version")->valuestring,
			    "v1.0.0");
	assert_true(cJSON_IsFalse(get(j, "keys_go")));
	assert_string_equal(get(j, "newest_measured")->valuestring,
			    "v2.0.0+incompatible");
	assert_int_equal(cJSON_GetArraySize(get(j, "go_versions")), 2);
	assert_string_equal(cJSON_GetArrayItem(get(j, "go_versions"), 0)->valuestring,
			    "go1.21.13");
	assert_non_null(strstr(get(j, "go_evidence")->valuestring, "agrees"));
	l = cJSON_GetArrayItem(get(j, "lookups"), 0);
	/* 7 entries: every (module version, Go version, arch). */
	assert_int_equal(cJSON_GetArraySize(get(l, "entries")), 7);
	e = cJSON_GetArrayItem(get(l, "entries"), 0);
	assert_string_equal(get(e, "module_version")->valuestring, "v1.0.0");
	assert_string_equal(get(e, "go_version")->valuestring, "go1.21.13");
	assert_string_equal(get(e, "module_h1")->valuestring, H1_A);
	assert_string_equal(get(e, "toolchain_sha256")->valuestring, SHA_A);
	/* amd64: [v1.0.0..v1.1.0] 8, [v1.2.0] 16, [v1.2.3..v2.0.0+inc] 24. */
	r = get(get(l, "ranges"), "amd64");
	assert_int_equal(cJSON_GetArraySize(r), 3);
	assert_string_equal(get(cJSON_GetArrayItem(r, 2), "to")->valuestring,
			    "v2.0.0+incompatible");
	assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(r, 2), "go")));
	assert_string_equal(get(cJSON_GetArrayItem(r, 2), "from_h1")->valuestring,
			    H1_A);
	l = cJSON_GetArrayItem(get(j, "lookups"), 1);
	e = cJSON_GetArrayItem(get(l, "entries"), 2);
	assert_string_equal(get(get(e, "matched"), "field")->valuestring, "b");
	assert_true(cJSON_IsNull(get(cJSON_GetArrayItem(get(l, "entries"), 0),
				     "value")));
	cJSON_Delete(j);
	free(text);

	text = slurp(f->dir, "mgo.json");
	j = cJSON_Parse(text);
	assert_non_null(j);
	assert_true(cJSON_IsTrue(get(j, "keys_go")));
	r = get(get(cJSON_GetArrayItem(get(j, "lookups"), 0), "ranges"), "amd64");
	/* go1.15: [v1.0.0..v1.1.0] 8; go1.21: [v1.1.0] 24; go1.27: 16, 24. */
	assert_int_equal(cJSON_GetArraySize(r), 4);
	assert_string_equal(get(cJSON_GetArrayItem(r, 0), "go")->valuestring,
			    "go1.15");
	assert_string_equal(get(cJSON_GetArrayItem(r, 3), "go")->valuestring,
			    "go1.27");
	cJSON_Delete(j);
	free(text);
}

static void test_table_api(void **state)
{
	struct fx *f = *state;
	struct lutgen_goslice *sl = NULL;
	struct lutgen_note *notes = NULL;
	struct common_err err = { 0 };
	struct rungo_modver mv;
	struct rungo_version gv;
	struct lutgen_value v;
	size_t n = 0, i, reverts = 0, patches = 0;

	assert_int_equal(lutgen_table_mod_slices(f->t[1], 0, "amd64", &sl, &n,
						 &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(sl[1].nranges, 1);
	assert_string_equal(sl[1].ranges[0].from.str, "v1.1.0");
	lutgen_goslices_free(sl, n);
	/* Re-adding one (module, Go, arch) is refused. */
	memset(&v, 0, sizeof(v));
	v.kind = LUTGEN_LOOKUP_STRUCT_OFFSET;
	rungo_modver_parse("v1.0.0", &mv, NULL);
	rungo_version_parse("go1.15.15", &gv, NULL);
	assert_int_equal(lutgen_table_add_module(f->t[1], 0, "amd64", &mv, H1_A,
						 &gv, SHA_A, &v, &err), -EEXIST);
	assert_int_equal(lutgen_table_add(f->t[1], 0, "amd64", &gv, SHA_A, &v,
					  &err), -EINVAL);
	assert_true(lutgen_table_newest_module(f->t[0], &mv));
	assert_string_equal(mv.str, "v2.0.0+incompatible");
	/* Notes: m_off's patch change in v1.2, m_opt's return to absent. */
	assert_int_equal(lutgen_table_notes(f->t[0], &notes, &n, &err), 0);
	for (i = 0; i < n; i++) {
		assert_true(notes[i].module);
		if (notes[i].kind == LUTGEN_NOTE_PATCH_CHANGE) {
			patches++;
			assert_string_equal(notes[i].mod_before.str, "v1.2.0");
			assert_string_equal(notes[i].mod_after.str, "v1.2.3");
		} else {
			reverts++;
			assert_string_equal(notes[i].lookup, "mtst_opt");
		}
	}
	assert_int_equal(patches, 1);
	assert_int_equal(reverts, 1);
	free(notes);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_compile, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rerun_identical, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_api, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
