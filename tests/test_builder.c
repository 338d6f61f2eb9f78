/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lutgen/measure/builder.c on real toolchains (the extracted Debian
 * GOROOTs that `scripts/go-mirror goroots` lists; exit 77 without them,
 * a failure under CI=true).
 * Independent readings: the ELF header, libelf section names, and
 * `go version -m` of the toolchain itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/fs.h"
#include "lutgen/measure/builder.h"

struct goroot {
	char version[32];
	char path[4096];
	struct rungo_version v;
};

static struct goroot oldest, newest;
static char scratch[4096];

static void make_program(const char *dir, const char *main_go)
{
	char path[4200];
	FILE *f;

	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/main.go", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(main_go, f);
	assert_int_equal(fclose(f), 0);
}

static bool dir_is_empty(const char *dir)
{
	char cmd[4200];
	FILE *p;
	int c;

	snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	c = fgetc(p);
	pclose(p);
	return c == EOF;
}

/* Output of `go version -m BIN` run by that toolchain in a clean env. */
static char *go_version_m(const struct goroot *g, const char *bin)
{
	char cmd[9000];
	char *buf = calloc(1, 65536);
	size_t n;
	FILE *p;

	assert_non_null(buf);
	snprintf(cmd, sizeof(cmd),
		 "env -i GOROOT='%s' HOME=/nonexistent GOTOOLCHAIN=local '%s/bin/go' version -m '%s' 2>&1",
		 g->path, g->path, bin);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(buf, 1, 65535, p);
	buf[n] = '\0';
	pclose(p);
	return buf;
}

static int elf_machine(const char *bin)
{
	unsigned char h[20];
	int fd = open(bin, O_RDONLY);
	ssize_t r;

	assert_true(fd >= 0);
	r = read(fd, h, sizeof(h));
	close(fd);
	assert_int_equal(r, (ssize_t)sizeof(h));
	assert_memory_equal(h, "\177ELF", 4);
	assert_int_equal(h[5], 1); /* little endian on amd64 and arm64 */
	return h[18] | (h[19] << 8);
}

static bool has_debug_info(const char *bin)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	bool found = false;
	Elf *e;
	int fd;

	elf_version(EV_CURRENT);
	fd = open(bin, O_RDONLY);
	assert_true(fd >= 0);
	e = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(e);
	assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;

		gelf_getshdr(scn, &sh);
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (name && (strcmp(name, ".debug_info") == 0 ||
			     strcmp(name, ".zdebug_info") == 0))
			found = true;
	}
	elf_end(e);
	close(fd);
	return found;
}

static const char hello_go[] =
	"package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hi\") }\n";

static void test_gomod(void **state)
{
	struct rungo_version v = { 1, 22, 12, RUNGO_PRE_NONE, 0 };
	char buf[64];

	(void)state;
	assert_int_equal(lutgen_build_gomod(&v, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "module lutgenprobe\n\ngo 1.22\n");
	assert_int_equal(lutgen_build_gomod(&v, buf, 10), -ENOSPC);
}

/* The caller's Go settings must not reach the build. */
static void test_env_pinned(void **state)
{
	struct lutgen_build_opts o = { 0 };
	struct lutgen_build *b = NULL;
	struct common_err err = { 0 };
	char prog[4200], gocache[4200], phome[4200], pgopath[4200];
	const char *old_path = getenv("PATH");
	char *saved_path = strdup(old_path ? old_path : "/usr/bin:/bin");
	char *vm, *dir;
	int rc;

	(void)state;
	snprintf(prog, sizeof(prog), "%s/hello", scratch);
	snprintf(gocache, sizeof(gocache), "%s/gocache-env", scratch);
	snprintf(phome, sizeof(phome), "%s/parent-home", scratch);
	snprintf(pgopath, sizeof(pgopath), "%s/parent-gopath", scratch);
	make_program(prog, hello_go);
	assert_int_equal(mkdir(phome, 0755), 0);
	assert_int_equal(mkdir(pgopath, 0755), 0);

	/* A hostile parent environment: any of these reaching `go` breaks
	 * or changes the build. */
	setenv("HOME", phome, 1);
	setenv("GOPATH", pgopath, 1);
	setenv("GOFLAGS", "-definitely-not-a-flag", 1);
	setenv("GOPROXY", "http://127.0.0.1:1/", 1);
	setenv("GOOS", "windows", 1);
	setenv("GOARCH", "386", 1);
	setenv("CGO_ENABLED", "1", 1);
	setenv("GOTOOLCHAIN", "go1.99.0", 1);
	setenv("GOENV", "/nonexistent/go/env", 1);
	setenv("GOCACHE", "/nonexistent/gocache", 1);
	setenv("GOWORK", "/nonexistent/go.work", 1);
	setenv("GO111MODULE", "off", 1);
	setenv("GOEXPERIMENT", "no-such-experiment", 1);
	setenv("GOROOT", "/nonexistent/goroot", 1);
	setenv("PATH", "/nonexistent/bin", 1);

	o.goroot = newest.path;
	o.version = &newest.v;
	o.goarch = "amd64";
	o.program_dir = prog;
	o.gocache = gocache;
	o.tmp_dir = scratch;
	rc = lutgen_build_run(&o, &b, &err);
	setenv("PATH", saved_path, 1); /* popen below needs a shell */
	free(saved_path);
	if (rc) {
		char *rep = b ? lutgen_build_report(b) : NULL;

		fail_msg("%s\n%s", err.msg, rep ? rep : "");
	}
	assert_int_equal(b->exit_status, 0);
	assert_int_equal(elf_machine(b->binary), 62 /* EM_X86_64 */);
	assert_true(has_debug_info(b->binary));
	assert_true(b->wall_s > 0);
	assert_true(b->cpu_s > 0);

	/* The toolchain's own account of how the binary was built. */
	vm = go_version_m(&newest, b->binary);
	assert_non_null(strstr(vm, "\tpath\tlutgenprobe\n"));
	assert_non_null(strstr(vm, "\tbuild\tGOARCH=amd64\n"));
	assert_non_null(strstr(vm, "\tbuild\tGOOS=linux\n"));
	assert_non_null(strstr(vm, "\tbuild\tCGO_ENABLED=0\n"));
	assert_non_null(strstr(vm, "\tbuild\t-trimpath=true\n"));
	assert_null(strstr(vm, "GOEXPERIMENT"));
	free(vm);

	/* The command line tells the whole environment and nothing else. */
	assert_non_null(strstr(b->command, " && env -i PATH="));
	assert_non_null(strstr(b->command, " GOPROXY=off "));
	assert_non_null(strstr(b->command, " GOTOOLCHAIN=local "));
	assert_non_null(strstr(b->command, " GOFLAGS=-mod=mod "));
	assert_non_null(strstr(b->command, " CGO_ENABLED=0 "));
	assert_non_null(strstr(b->command, " GOOS=linux "));
	assert_non_null(strstr(b->command, " GOENV=off "));
	assert_non_null(strstr(b->command, " build -trimpath"));
	assert_null(strstr(b->command, "GOEXPERIMENT"));
	assert_null(strstr(b->command, "nonexistent"));
	assert_null(strstr(b->command, phome));
	assert_null(strstr(b->command, pgopath));

	/* GOCACHE was the one given; HOME/GOPATH of the parent untouched. */
	assert_false(dir_is_empty(gocache));
	assert_true(dir_is_empty(phome));
	assert_true(dir_is_empty(pgopath));

	dir = strdup(b->dir);
	assert_non_null(dir);
	lutgen_build_free(b);
	assert_int_equal(access(dir, F_OK), -1);
	free(dir);
}

/* Cross build with the oldest toolchain (stack ABI era). */
static void test_arm64_oldest(void **state)
{
	struct lutgen_build_opts o = { 0 };
	struct lutgen_build *b = NULL;
	struct common_err err = { 0 };
	char prog[4200], gocache[4200];
	char *vm;
	int rc;

	(void)state;
	snprintf(prog, sizeof(prog), "%s/hello2", scratch);
	snprintf(gocache, sizeof(gocache), "%s/gocache-old", scratch);
	make_program(prog, hello_go);
	o.goroot = oldest.path;
	o.version = &oldest.v;
	o.goarch = "arm64";
	o.program_dir = prog;
	o.gocache = gocache;
	o.tmp_dir = scratch;
	rc = lutgen_build_run(&o, &b, &err);
	if (rc) {
		char *rep = b ? lutgen_build_report(b) : NULL;

		fail_msg("%s\n%s", err.msg, rep ? rep : "");
	}
	assert_int_equal(elf_machine(b->binary), 183 /* EM_AARCH64 */);
	assert_true(has_debug_info(b->binary));
	vm = go_version_m(&oldest, b->binary);
	/* "BIN: go1.15.15" first line, then "\tpath\tlutgenprobe". */
	assert_non_null(strstr(vm, oldest.version));
	assert_non_null(strstr(vm, "\tpath\tlutgenprobe"));
	free(vm);
	lutgen_build_free(b);
}

/* A program needing a module: GOPROXY=off must refuse, offline. */
static void test_missing_module_reports(void **state)
{
	struct lutgen_build_opts o = { 0 };
	struct lutgen_build *b = NULL;
	struct common_err err = { 0 };
	char prog[4200], gocache[4200], want[256];
	char *rep;

	(void)state;
	snprintf(prog, sizeof(prog), "%s/needsnet", scratch);
	snprintf(gocache, sizeof(gocache), "%s/gocache-env", scratch);
	make_program(prog, "package main\n\nimport \"example.com/nothere/pkg\"\n\n"
			   "func main() { pkg.Do() }\n");
	o.goroot = newest.path;
	o.version = &newest.v;
	o.goarch = "arm64";
	o.program_dir = prog;
	o.gocache = gocache;
	o.tmp_dir = scratch;
	assert_int_equal(lutgen_build_run(&o, &b, &err), -EIO);
	assert_non_null(b);
	assert_int_not_equal(b->exit_status, 0);
	snprintf(want, sizeof(want), "with %s for linux/arm64 failed",
		 newest.version);
	assert_non_null(strstr(err.msg, want));
	rep = lutgen_build_report(b);
	assert_non_null(rep);
	assert_non_null(strstr(rep, "command: cd "));
	assert_non_null(strstr(rep, "env -i PATH="));
	assert_non_null(strstr(rep, "GOARCH=arm64"));
	assert_non_null(strstr(rep, "\noutput:\n"));
	/* go's own words: it did not look the module up. */
	assert_non_null(strstr(rep, "example.com/nothere/pkg"));
	assert_non_null(strstr(b->output, "GOPROXY=off"));
	free(rep);
	lutgen_build_free(b);
}

/* A compile error: the report carries the complete output. */
static void test_compile_error_reports(void **state)
{
	struct lutgen_build_opts o = { 0 };
	struct lutgen_build *b = NULL;
	struct common_err err = { 0 };
	char prog[4200], gocache[4200];
	char *rep;

	(void)state;
	snprintf(prog, sizeof(prog), "%s/broken", scratch);
	snprintf(gocache, sizeof(gocache), "%s/gocache-env", scratch);
	make_program(prog, "package main\n\nfunc main() {\n\tx := undefinedOne\n"
			   "\ty := undefinedTwo\n}\n");
	o.goroot = newest.path;
	o.version = &newest.v;
	o.goarch = "amd64";
	o.program_dir = prog;
	o.gocache = gocache;
	o.tmp_dir = scratch;
	assert_int_equal(lutgen_build_run(&o, &b, &err), -EIO);
	assert_non_null(b);
	rep = lutgen_build_report(b);
	assert_non_null(rep);
	assert_non_null(strstr(rep, "main.go:4"));
	assert_non_null(strstr(rep, "undefinedOne"));
	assert_non_null(strstr(rep, "main.go:5"));
	assert_non_null(strstr(rep, "undefinedTwo"));
	assert_non_null(strstr(rep, "exit status 1"));
	free(rep);
	lutgen_build_free(b);
}

static void test_program_hash(void **state)
{
	struct common_err err = { 0 };
	char a[4200], b[4200], c[4200], sub[4300];
	char ha[65], hb[65], hc[65];

	(void)state;
	snprintf(a, sizeof(a), "%s/hash-a", scratch);
	snprintf(b, sizeof(b), "%s/hash-b", scratch);
	snprintf(c, sizeof(c), "%s/hash-c", scratch);
	make_program(a, hello_go);
	make_program(b, hello_go);
	make_program(c, "package main\n\nfunc main() {}\n");
	assert_int_equal(lutgen_build_program_hash(a, ha, &err), 0);
	assert_int_equal(lutgen_build_program_hash(b, hb, &err), 0);
	assert_int_equal(lutgen_build_program_hash(c, hc, &err), 0);
	assert_int_equal(strlen(ha), 64);
	assert_string_equal(ha, hb);          /* location does not matter */
	assert_string_not_equal(ha, hc);      /* content does */
	snprintf(sub, sizeof(sub), "%s/sub", c);
	assert_int_equal(mkdir(sub, 0755), 0);
	assert_int_equal(lutgen_build_program_hash(c, hc, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "sub is not a regular file"));
	assert_int_equal(lutgen_build_program_hash("/nonexistent/prog", hc,
						   &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/prog"));
}

/* A go that hangs, and whose children (as compile and link would) hang
 * too: the build is killed at the limit, its whole process group with it,
 * and the error names the version and arch. */
static void test_timeout_kills_group(void **state)
{
	struct lutgen_build_opts o = { 0 };
	struct lutgen_build *b = NULL;
	struct common_err err = { 0 };
	struct rungo_version v = { 1, 21, 3, RUNGO_PRE_NONE, 0 };
	char goroot[4200], bin[4300], gobin[4400], prog[4200], gocache[4200],
		pids[4200], script[9000], line[64];
	struct timespec t0, t1;
	FILE *f;
	int n = 0;

	(void)state;
	snprintf(goroot, sizeof(goroot), "%s/hanging-goroot", scratch);
	snprintf(bin, sizeof(bin), "%s/bin", goroot);
	snprintf(gobin, sizeof(gobin), "%s/go", bin);
	snprintf(pids, sizeof(pids), "%s/hanging-pids", scratch);
	snprintf(prog, sizeof(prog), "%s/hanging-prog", scratch);
	snprintf(gocache, sizeof(gocache), "%s/gocache-hang", scratch);
	assert_int_equal(mkdir(goroot, 0755), 0);
	assert_int_equal(mkdir(bin, 0755), 0);
	snprintf(script, sizeof(script),
		 "#!/bin/sh\nsleep 300 &\necho $! >> '%s'\n"
		 "sh -c 'sleep 300' &\necho $! >> '%s'\n"
		 "echo starting the build\nwait\n", pids, pids);
	f = fopen(gobin, "w");
	assert_non_null(f);
	fputs(script, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(gobin, 0755), 0);
	make_program(prog, hello_go);
	o.goroot = goroot;
	o.version = &v;
	o.goarch = "arm64";
	o.program_dir = prog;
	o.gocache = gocache;
	o.tmp_dir = scratch;
	o.timeout_s = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(lutgen_build_run(&o, &b, &err), -ETIMEDOUT);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 10);
	if (!strstr(err.msg, "go1.21.3") || !strstr(err.msg, "linux/arm64") ||
	    !strstr(err.msg, "did not finish within 1 s") ||
	    !strstr(err.msg, "--build-timeout"))
		fail_msg("%s", err.msg);
	assert_non_null(b);
	assert_true(b->timed_out);
	assert_non_null(strstr(b->output, "starting the build"));
	{
		char *rep = lutgen_build_report(b);

		assert_non_null(rep);
		assert_non_null(strstr(rep, "timed out"));
		free(rep);
	}
	lutgen_build_free(b);
	/* Every process of the group is gone (reaped or a zombie at most
	 * until init reaps it). */
	f = fopen(pids, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char stat[64], buf[512];
		FILE *sf;
		int tries;

		snprintf(stat, sizeof(stat), "/proc/%d/stat", atoi(line));
		for (tries = 0; tries < 100; tries++) {
			sf = fopen(stat, "r");
			if (!sf)
				break;
			buf[0] = '\0';
			if (!fgets(buf, sizeof(buf), sf))
				buf[0] = '\0';
			fclose(sf);
			if (strstr(buf, ") Z "))
				break;
			usleep(20000);
		}
		assert_true(tries < 100);
		n++;
	}
	fclose(f);
	assert_int_equal(n, 2);
}

/* A prerequisite the suite provides is missing: skip (77), or under CI
 * (CI=true), where scripts/test builds the mirror first, fail. */
static int missing(const char *why)
{
	const char *ci = getenv("CI");

	if (ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0) {
		fprintf(stderr, "FAIL (CI): %s\n", why);
		return 1;
	}
	fprintf(stderr, "SKIP: %s\n", why);
	return 77;
}

static int read_goroots(void)
{
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	char cmd[4200], line[8300];
	bool any = false;
	FILE *p;

	if (!root)
		return missing("LUTGEN_SOURCE_ROOT not set (run through meson test)");
	snprintf(cmd, sizeof(cmd), "'%s/scripts/go-mirror' --quiet goroots",
		 root);
	p = popen(cmd, "r");
	if (!p)
		return missing("cannot run scripts/go-mirror");
	while (fgets(line, sizeof(line), p)) {
		struct goroot g;

		memset(&g, 0, sizeof(g));
		if (sscanf(line, "%31s %4095s", g.version, g.path) != 2 ||
		    rungo_version_parse(g.version, &g.v, NULL) != 0)
			continue;
		if (!any || rungo_version_cmp(&g.v, &oldest.v) < 0)
			oldest = g;
		if (!any || rungo_version_cmp(&g.v, &newest.v) > 0)
			newest = g;
		any = true;
	}
	if (pclose(p) != 0 || !any)
		return missing("'scripts/go-mirror goroots' listed no toolchains (build the mirror: scripts/go-mirror build)");
	if (newest.v.minor < 18)
		return missing("the mirror has no toolchain >= go1.18");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gomod),
		cmocka_unit_test(test_program_hash),
		cmocka_unit_test(test_env_pinned),
		cmocka_unit_test(test_arm64_oldest),
		cmocka_unit_test(test_missing_module_reports),
		cmocka_unit_test(test_compile_error_reports),
		cmocka_unit_test(test_timeout_kills_group),
	};
	const char *tmp = getenv("TMPDIR");
	int rc;

	rc = read_goroots();
	if (rc)
		return rc;
	snprintf(scratch, sizeof(scratch), "%s/lutgen-test-builder-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	common_fs_rmtree(scratch, NULL, NULL);
	return rc;
}
