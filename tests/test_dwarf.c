/* SPDX-License-Identifier: MIT */
/*
 * tests/test_dwarf.c - the DWARF inspector (lutgen/measure/dwarf.c) and the value
 * type (lutgen/core/value.c).
 *
 * Builds tests/programs/dwarfshapes with real Go toolchains (one stack-ABI
 * go < 1.17, one register-ABI, one DWARF 5 go >= 1.25; GOARCH amd64 and
 * arm64), then checks the inspector against independent readings of the
 * same binaries:
 *   - struct offsets and sizes: `pahole -C TYPE BIN` and gdb
 *     `ptype/o struct 'TYPE'` (parsed here);
 *   - parameter locations: a hand-written fixture from Go's ABI
 *     (ABI0: arguments from 8(SP) on amd64 and arm64; ABIInternal: RAX RBX
 *     RCX RDI RSI R8 R9 ... / R0..R15), cross-checked on amd64 with gdb's
 *     `info scope`, whose DW_OP_fbreg offsets are converted with the CFA
 *     rule that `readelf --debug-dump=frames` prints for the binary.
 *
 * Toolchains: `scripts/go-mirror goroots` (lines "<version> <GOROOT>");
 * for development without it, LUTGEN_TEST_GOROOTS may hold the same lines
 * (';'-separated).  Neither: exit 77 saying why.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdbool.h>
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

#include "lutgen/core/value.h"
#include "lutgen/measure/dwarf.h"
/* white box: the DIE walker is checked against libdw's own walk */
#include "lutgen/measure/dwarf_internal.h"
#include "skip.h"

#define SKIP 77

enum abi_class { ABI_STACK, ABI_REG, ABI_DWARF5, ABI_NCLASSES };

static const char *const class_names[] = { "stack-abi", "register-abi",
					   "dwarf5" };

struct toolchain {
	char version[64];
	char goroot[1024];
	int minor;
};

struct bin {
	char name[128];          /* "go1.15.15-amd64" */
	char path[1200];
	char goarch[16];
	enum abi_class cls;
	int minor;
};

#define MAX_BINS 8

static struct bin bins[MAX_BINS];
static size_t nbins;
/* Built only to check the DIE walker where the byte layout differs: a
 * 32-bit little-endian DWARF 4 binary and a 64-bit big-endian DWARF 5
 * one. */
static struct bin walk_bins[2];
static size_t nwalk_bins;
static char stripped_path[1200];
static char workdir[1024];
static char srcdir[1024];

/* ---- helpers ---- */

/* Run argv (execvp) with extra env (NULL-terminated "K=V"), capture
 * stdout (stderr to /dev/null unless keep_stderr).  Returns exit status or
 * -1; *out is malloc'd (caller frees). */
static int run_capture(const char *const argv[], const char *const env[],
		       const char *cwd, char **out)
{
	int pfd[2];
	pid_t pid;
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int status = 0;

	*out = NULL;
	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		int dn = open("/dev/null", O_WRONLY);

		dup2(pfd[1], 1);
		if (dn >= 0)
			dup2(dn, 2);
		close(pfd[0]);
		close(pfd[1]);
		if (cwd && chdir(cwd) != 0)
			_exit(126);
		for (; env && *env; env++)
			putenv((char *)*env);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		ssize_t n;

		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 262144);

			if (!nb)
				break;
			buf = nb;
			cap += 262144;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pfd[0]);
	if (buf)
		buf[len] = '\0';
	if (waitpid(pid, &status, 0) < 0) {
		free(buf);
		return -1;
	}
	*out = buf;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Memoized run_capture for the readers (pahole, gdb, readelf): the same
 * question is asked about the same binary several times.  *out is a copy
 * (caller frees). */
#define MEMO_MAX 128
static struct memo {
	char *key;
	char *out;
	int status;
} memo[MEMO_MAX];
static size_t nmemo;

static int run_memo(const char *const argv[], char **out)
{
	char key[4096];
	size_t len = 0, i;
	int st;

	*out = NULL;
	key[0] = '\0';
	for (i = 0; argv[i]; i++) {
		int n = snprintf(key + len, sizeof(key) - len, "%s\x1f",
				 argv[i]);

		if (n < 0 || (size_t)n >= sizeof(key) - len)
			return run_capture(argv, NULL, NULL, out);
		len += (size_t)n;
	}
	for (i = 0; i < nmemo; i++) {
		if (strcmp(memo[i].key, key) == 0) {
			*out = memo[i].out ? strdup(memo[i].out) : NULL;
			return memo[i].status;
		}
	}
	st = run_capture(argv, NULL, NULL, out);
	if (nmemo < MEMO_MAX) {
		memo[nmemo].key = strdup(key);
		memo[nmemo].out = *out ? strdup(*out) : NULL;
		memo[nmemo].status = st;
		if (memo[nmemo].key)
			nmemo++;
	}
	return st;
}

static void memo_free(void)
{
	size_t i;

	for (i = 0; i < nmemo; i++) {
		free(memo[i].key);
		free(memo[i].out);
	}
	nmemo = 0;
}

static int parse_minor(const char *v)
{
	int maj = 0, min = 0;

	if (strncmp(v, "go", 2) == 0)
		v += 2;
	if (sscanf(v, "%d.%d", &maj, &min) != 2 || maj != 1)
		return -1;
	return min;
}

/* Fill tc[cls] with the newest toolchain of each class. */
static int pick_toolchains(const char *lines, struct toolchain tc[ABI_NCLASSES])
{
	const char *p = lines;
	int found = 0;

	while (p && *p) {
		const char *e = strpbrk(p, "\n;");
		size_t l = e ? (size_t)(e - p) : strlen(p);
		char line[1200], ver[64], root[1024];
		int minor, cls;

		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = '\0';
			if (sscanf(line, "%63s %1023[^\n]", ver, root) == 2 &&
			    (minor = parse_minor(ver)) > 0) {
				cls = minor < 17 ? ABI_STACK :
				      minor < 25 ? ABI_REG : ABI_DWARF5;
				if (minor >= 18 || minor < 17) {
					if (tc[cls].minor == 0)
						found++;
					if (minor >= tc[cls].minor ||
					    (cls == ABI_STACK &&
					     minor < tc[cls].minor)) {
						snprintf(tc[cls].version,
							 sizeof(tc[cls].version),
							 "%s", ver);
						snprintf(tc[cls].goroot,
							 sizeof(tc[cls].goroot),
							 "%s", root);
						tc[cls].minor = minor;
					}
				}
			}
		}
		p = e ? e + 1 : NULL;
	}
	return found;
}

static int go_build(const struct toolchain *tc, const char *goarch,
		    const char *out, int strip)
{
	char gobin[1200], e_goroot[1100], e_goarch[32], e_cache[1100],
		e_path[1100], e_home[1100];
	const char *env[] = { e_goroot, e_goarch, e_cache, e_path, e_home,
			"GOTOOLCHAIN=local", "GOPROXY=off", "GOFLAGS=-mod=mod",
			"CGO_ENABLED=0", "GO111MODULE=off", "GOOS=linux",
			"PATH=/usr/bin:/bin", NULL };
	const char *argv_plain[] = { gobin, "build", "-o", out, "main.go",
			       NULL };
	const char *argv_strip[] = { gobin, "build", "-ldflags=-s -w", "-o",
			       out, "main.go", NULL };
	char *o = NULL;
	int st;

	snprintf(gobin, sizeof(gobin), "%s/bin/go", tc->goroot);
	snprintf(e_goroot, sizeof(e_goroot), "GOROOT=%s", tc->goroot);
	snprintf(e_goarch, sizeof(e_goarch), "GOARCH=%s", goarch);
	snprintf(e_cache, sizeof(e_cache), "GOCACHE=%s/gocache", workdir);
	snprintf(e_path, sizeof(e_path), "GOPATH=%s/gopath", workdir);
	snprintf(e_home, sizeof(e_home), "HOME=%s/home", workdir);
	st = run_capture(strip ? argv_strip : argv_plain, env, srcdir, &o);
	free(o);
	return st;
}

/* pahole -C TYPE BIN: offset of member NAME (or -1); *size = struct size */
static long pahole_member(const char *bin, const char *type, const char *name,
			  long *size)
{
	const char *argv[] = { "pahole", "-C", type, bin, NULL };
	char *out = NULL, *line, *save = NULL;
	char needle[128], needle2[128];
	long off = -1;

	*size = -1;
	snprintf(needle, sizeof(needle), " %s;", name);
	snprintf(needle2, sizeof(needle2), " %s[", name); /* arrays */
	if (run_memo(argv, &out) != 0 || !out) {
		free(out);
		return -2;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c = strstr(line, needle);
		char *s = strstr(line, "/* size: ");

		if (!c && (c = strstr(line, needle2)) != NULL &&
		    !strchr(c, ';'))
			c = NULL;

		if (c && off < 0 && line[0] == '\t' && line[1] != '\t') {
			char *cm = strstr(c, "/*");

			if (cm)
				off = strtol(cm + 2, NULL, 10);
		}
		if (s && *size < 0)
			*size = strtol(s + 9, NULL, 10);
	}
	free(out);
	return off;
}

/* gdb ptype/o: offset of top-level member NAME of struct TYPE (or -1) */
static long gdb_member(const char *bin, const char *type, const char *name)
{
	char cmd[256];
	const char *argv[] = { "gdb", "-nx", "-batch", "-ex", "set language c",
			 "-ex", cmd, bin, NULL };
	char *out = NULL, *line, *save = NULL;
	char needle[128];
	long off = -1;

	snprintf(cmd, sizeof(cmd), "ptype/o struct '%s'", type);
	snprintf(needle, sizeof(needle), " %s;", name);
	if (run_memo(argv, &out) != 0 || !out) {
		free(out);
		return -2;
	}
	/* top-level members are indented by exactly 4 after the offset
	 * comment: `/<star>  152  |  8 <star>/    uint64 goid;` */
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *c = strstr(line, needle);
		char *bar = strchr(line, '|');
		char *end = bar ? strstr(bar, "*/") : NULL;

		if (c && end && strncmp(line, "/*", 2) == 0 &&
		    strncmp(end + 2, "    ", 4) == 0 && end[6] != ' ') {
			off = strtol(line + 2, NULL, 10);
			break;
		}
	}
	free(out);
	return off;
}

static struct lutgen_dwarf *open_bin(const struct bin *b)
{
	struct common_err err = { 0 };
	struct lutgen_dwarf *d = NULL;
	int rc = lutgen_dwarf_open(b->path, &d, &err);

	if (rc != 0)
		fail_msg("open %s: %s", b->path, err.msg);
	return d;
}

static uint64_t offset_of(struct lutgen_dwarf *d, const char *type,
			  const char *path)
{
	struct common_err err = { 0 };
	uint64_t v = 0;
	int rc = lutgen_dwarf_struct_offset(d, type, path, &v, &err);

	if (rc != 0)
		fail_msg("%s.%s: %s", type, path, err.msg);
	return v;
}

static void check_member(const struct bin *b, struct lutgen_dwarf *d,
			 const char *type, const char *field)
{
	long size;
	long want = pahole_member(b->path, type, field, &size);

	if (want < 0)
		fail_msg("pahole found no %s.%s in %s", type, field, b->path);
	assert_int_equal(offset_of(d, type, field), (uint64_t)want);
}

/* ---- struct offsets / sizes ---- */

static void test_struct_offsets(void **state)
{
	const struct bin *b = *state;
	struct lutgen_dwarf *d = open_bin(b);
	long size, pfd, sysfd, inner, c, nested, bb;
	long g_goid;

	assert_string_equal(lutgen_dwarf_goarch(d), b->goarch);
	check_member(b, d, "runtime.g", "goid");
	check_member(b, d, "runtime.g", "atomicstatus");
	check_member(b, d, "internal/poll.FD", "Sysfd");
	check_member(b, d, "main.Outer", "Tail");

	/* second independent reader */
	g_goid = gdb_member(b->path, "runtime.g", "goid");
	assert_true(g_goid > 0);
	assert_int_equal(offset_of(d, "runtime.g", "goid"), (uint64_t)g_goid);
	assert_int_equal(offset_of(d, "runtime.g", "atomicstatus"),
			 (uint64_t)gdb_member(b->path, "runtime.g",
					      "atomicstatus"));

	/* nested: net.netFD pfd.Sysfd = netFD.pfd + FD.Sysfd */
	pfd = pahole_member(b->path, "net.netFD", "pfd", &size);
	sysfd = pahole_member(b->path, "internal/poll.FD", "Sysfd", &size);
	assert_true(pfd >= 0 && sysfd >= 0);
	assert_int_equal(offset_of(d, "net.netFD", "pfd.Sysfd"),
			 (uint64_t)(pfd + sysfd));

	/* embedded (main.Outer embeds main.Inner) and promoted */
	inner = pahole_member(b->path, "main.Outer", "Inner", &size);
	c = pahole_member(b->path, "main.Inner", "C", &size);
	nested = pahole_member(b->path, "main.Outer", "Nested", &size);
	bb = pahole_member(b->path, "main.Inner", "B", &size);
	assert_true(inner > 0 && c > 0 && nested > 0 && bb > 0);
	assert_int_equal(offset_of(d, "main.Outer", "Inner.C"),
			 (uint64_t)(inner + c));
	assert_int_equal(offset_of(d, "main.Outer", "C"),
			 (uint64_t)(inner + c));
	assert_int_equal(offset_of(d, "main.Outer", "Nested.B"),
			 (uint64_t)(nested + bb));
	lutgen_dwarf_close(d);
}

static void test_type_sizes(void **state)
{
	const struct bin *b = *state;
	struct lutgen_dwarf *d = open_bin(b);
	struct common_err err = { 0 };
	const char *types[] = { "runtime.g", "internal/poll.FD", "main.Outer",
				"main.Inner" };
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		long size;
		uint64_t got = 0;

		pahole_member(b->path, types[i], "-", &size);
		assert_true(size > 0);
		assert_int_equal(lutgen_dwarf_type_size(d, types[i], &got,
							&err), 0);
		assert_int_equal(got, (uint64_t)size);
	}
	lutgen_dwarf_close(d);
}

/* ---- parameters ---- */

struct want_piece {
	const char *reg;      /* NULL: stack */
	int64_t off;
	uint64_t size;
};

struct want_param {
	const char *name;
	uint64_t size;
	struct want_piece p[3];
	size_t n;
};

static void check_params(struct lutgen_dwarf *d, const char *fn,
			 const struct want_param *w, size_t nw)
{
	struct common_err err = { 0 };
	struct lutgen_param *ps = NULL;
	size_t n = 0, i, j;
	struct lutgen_value v = { 0 };

	if (lutgen_dwarf_func_params(d, fn, &ps, &n, &err) != 0)
		fail_msg("%s: %s", fn, err.msg);
	v.kind = LUTGEN_LOOKUP_FUNC_PARAMS;
	v.params = ps;
	v.nparams = n;
	assert_int_equal(n, nw);
	for (i = 0; i < nw; i++) {
		assert_string_equal(ps[i].name, w[i].name);
		assert_int_equal(ps[i].size, w[i].size);
		assert_int_equal(ps[i].npieces, w[i].n);
		for (j = 0; j < w[i].n; j++) {
			const struct lutgen_piece *pc = &ps[i].pieces[j];

			assert_int_equal(pc->size, w[i].p[j].size);
			if (w[i].p[j].reg) {
				assert_int_equal(pc->kind, LUTGEN_PIECE_REG);
				assert_string_equal(pc->reg_name, w[i].p[j].reg);
			} else {
				assert_int_equal(pc->kind, LUTGEN_PIECE_STACK);
				assert_int_equal(pc->stack_offset, w[i].p[j].off);
			}
		}
	}
	lutgen_value_free(&v);
}

/* Fixture from Go's calling conventions (ABI0 / ABIInternal), not from the
 * code under test.  ABI0 on amd64 and arm64: arguments laid out in order
 * from 8(SP) at entry (amd64: 0(SP) return address; arm64: 0(SP) is the
 * caller's saved-LR slot), each aligned to its size. */
static void test_params_fixture(void **state)
{
	const struct bin *b = *state;
	struct lutgen_dwarf *d = open_bin(b);
	bool arm = strcmp(b->goarch, "arm64") == 0;

	if (b->cls == ABI_STACK) {
		const struct want_param shapes[] = {
			{ "n", 8, { { NULL, 8, 8 } }, 1 },
			{ "s", 16, { { NULL, 16, 8 }, { NULL, 24, 8 } }, 2 },
			{ "b", 24, { { NULL, 32, 8 }, { NULL, 40, 8 },
				     { NULL, 48, 8 } }, 3 },
			{ "p", 8, { { NULL, 56, 8 } }, 1 },
		};
		const struct want_param method[] = {
			{ "o", 8, { { NULL, 8, 8 } }, 1 },
			{ "x", 4, { { NULL, 16, 4 } }, 1 },
			{ "name", 16, { { NULL, 24, 8 }, { NULL, 32, 8 } }, 2 },
		};

		struct common_err err = { 0 };
		struct lutgen_param *ps = NULL;
		size_t n = 0;

		check_params(d, "main.Shapes", shapes, 4);
		check_params(d, "main.(*Outer).Method", method, 3);
		/* go1.15 describes s by its live length word at SP+24 alone;
		 * the inspector must refuse rather than answer SP+24 */
		assert_int_equal(lutgen_dwarf_func_params(d, "main.DeadWords",
							  &ps, &n, &err),
				 -EPROTO);
		assert_null(ps);
		assert_non_null(strstr(err.msg, "parameter 's' of main.DeadWords"));
	} else {
		const struct want_param shapes_amd64[] = {
			{ "n", 8, { { "RAX", 0, 8 } }, 1 },
			{ "s", 16, { { "RBX", 0, 8 }, { "RCX", 0, 8 } }, 2 },
			{ "b", 24, { { "RDI", 0, 8 }, { "RSI", 0, 8 },
				     { "R8", 0, 8 } }, 3 },
			{ "p", 8, { { "R9", 0, 8 } }, 1 },
		};
		const struct want_param shapes_arm64[] = {
			{ "n", 8, { { "R0", 0, 8 } }, 1 },
			{ "s", 16, { { "R1", 0, 8 }, { "R2", 0, 8 } }, 2 },
			{ "b", 24, { { "R3", 0, 8 }, { "R4", 0, 8 },
				     { "R5", 0, 8 } }, 3 },
			{ "p", 8, { { "R6", 0, 8 } }, 1 },
		};
		const struct want_param method_amd64[] = {
			{ "o", 8, { { "RAX", 0, 8 } }, 1 },
			{ "x", 4, { { "RBX", 0, 4 } }, 1 },
			{ "name", 16, { { "RCX", 0, 8 }, { "RDI", 0, 8 } }, 2 },
		};
		const struct want_param method_arm64[] = {
			{ "o", 8, { { "R0", 0, 8 } }, 1 },
			{ "x", 4, { { "R1", 0, 4 } }, 1 },
			{ "name", 16, { { "R2", 0, 8 }, { "R3", 0, 8 } }, 2 },
		};

		check_params(d, "main.Shapes", arm ? shapes_arm64 : shapes_amd64,
			     4);
		check_params(d, "main.(*Outer).Method",
			     arm ? method_arm64 : method_amd64, 3);
		/* at entry every word is still in its register */
		check_params(d, "main.DeadWords",
			     arm ? shapes_arm64 : shapes_amd64, 4);
	}
	lutgen_dwarf_close(d);
}

/* CFA offset from SP at entry, as readelf prints the CIE's def_cfa. */
static long readelf_cfa_offset(const char *bin)
{
	const char *argv[] = { "readelf", "--debug-dump=frames", bin, NULL };
	char *out = NULL, *p;
	long off = -1;

	if (run_memo(argv, &out) == 0 && out &&
	    (p = strstr(out, "DW_CFA_def_cfa: ")) && (p = strstr(p, " ofs ")))
		off = strtol(p + 5, NULL, 10);
	free(out);
	return off;
}

/*
 * gdb `info scope FN`: for each symbol, the first range's pieces, rendered
 * like lutgen_value_format ("RAX(8)", "SP+16(8)").  arm64 binaries are
 * read statically by gdb-multiarch (Debian's gdb names arm64 registers
 * wrongly); its x0..x30 are Go's R0..R30.
 */
static void gdb_scope(const char *bin, bool arm64, const char *fn, long cfa,
		      const char *sym, char *buf, size_t size)
{
	char cmd[256], head[128];
	const char *argv[] = { arm64 ? "gdb-multiarch" : "gdb", "-nx",
			       "-batch", "-ex", cmd, bin, NULL };
	char *out = NULL, *s, *end, *p;
	size_t len = 0;

	buf[0] = '\0';
	snprintf(cmd, sizeof(cmd), "info scope %s", fn);
	snprintf(head, sizeof(head), "Symbol %s is ", sym);
	if (run_memo(argv, &out) != 0 || !out)
		goto out;
	s = strstr(out, head);
	if (!s)
		goto out;
	/* the first range ends at the next "\n  Range" or ", length" */
	end = strstr(s, ", length");
	p = strstr(s, "\n  Range");
	if (p && (!end || p < end))
		end = p;
	if (!end)
		goto out;
	*end = '\0';
	for (p = s; *p;) {
		char *reg = strstr(p, "a variable in $");
		char *fb = strstr(p, "DW_OP_fbreg ");
		char *cf = strstr(p, "DW_OP_call_frame_cfa");
		char *next = NULL, *pc;
		char item[64];
		long psize;
		int n;

		if (reg && (!fb || reg < fb) && (!cf || reg < cf)) {
			char r[16];
			size_t k;

			if (sscanf(reg + 15, "%15[a-z0-9]", r) != 1)
				break;
			for (k = 0; r[k]; k++)
				r[k] = (char)(r[k] >= 'a' && r[k] <= 'z' ?
					      r[k] - 32 : r[k]);
			if (arm64 && r[0] == 'X' && r[1] >= '0' && r[1] <= '9')
				r[0] = 'R';
			n = snprintf(item, sizeof(item), "%s", r);
			next = reg + 15;
		} else if (fb && (!cf || fb < cf)) {
			n = snprintf(item, sizeof(item), "SP%+ld",
				     strtol(fb + 12, NULL, 10) + cfa);
			next = fb + 12;
		} else if (cf) {
			n = snprintf(item, sizeof(item), "SP%+ld", cfa);
			next = cf + 20;
		} else {
			break;
		}
		if (n < 0 || (size_t)n >= sizeof(item))
			break;
		pc = strstr(next, "-byte piece]");
		if (pc) {
			char *q = pc;

			while (q > next && q[-1] >= '0' && q[-1] <= '9')
				q--;
			psize = strtol(q, NULL, 10);
			next = pc + 12;
		} else {
			psize = -1; /* whole symbol: caller fills */
			next += strlen(next);
		}
		n = snprintf(buf + len, size - len, "%s%s(%ld)",
			     len ? "+" : "", item, psize);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
		p = next;
	}
out:
	free(out);
}

static void test_params_vs_gdb(void **state)
{
	const struct bin *b = *state;
	struct lutgen_dwarf *d;
	const char *fns[] = { "main.Shapes", "main.(*Outer).Method",
			      "runtime.casgstatus", "main.DeadWords" };
	bool arm64 = strcmp(b->goarch, "arm64") == 0;
	long cfa;
	size_t f, i, j;

	if (arm64) {
		const char *g[] = { "gdb-multiarch", "--version", NULL };
		char *o = NULL;
		int ok = run_memo(g, &o) == 0;

		free(o);
		if (!ok)
			test_skip("gdb-multiarch missing: the arm64 gdb cross-check cannot run (apt-get install gdb-multiarch)");
	}
	cfa = readelf_cfa_offset(b->path);
	assert_true(cfa >= 0);
	/* The CFA at entry: amd64 SP+8 (the return address), arm64 SP+0
	 * (the link register holds it). */
	assert_int_equal(cfa, arm64 ? 0 : 8);
	d = open_bin(b);
	for (f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
		struct common_err err = { 0 };
		struct lutgen_param *ps = NULL;
		size_t n = 0;
		struct lutgen_value v = { 0 };

		/* go1.15's DWARF for DeadWords is wrong (test_params_fixture) */
		if (b->cls == ABI_STACK && strcmp(fns[f], "main.DeadWords") == 0)
			continue;
		if (lutgen_dwarf_func_params(d, fns[f], &ps, &n, &err) != 0)
			fail_msg("%s: %s", fns[f], err.msg);
		v.kind = LUTGEN_LOOKUP_FUNC_PARAMS;
		v.params = ps;
		v.nparams = n;
		assert_true(n > 0);
		for (i = 0; i < n; i++) {
			char want[256], got[256];
			size_t len = 0;

			gdb_scope(b->path, arm64, fns[f], cfa, ps[i].name,
				  want, sizeof(want));
			/* gdb prints no piece size for a single location */
			if (ps[i].npieces == 1) {
				char *q = strstr(want, "(-1)");

				if (q)
					snprintf(q, sizeof(want) - (size_t)(q - want),
						 "(%llu)",
						 (unsigned long long)ps[i].size);
			}
			got[0] = '\0';
			for (j = 0; j < ps[i].npieces; j++) {
				const struct lutgen_piece *pc = &ps[i].pieces[j];
				int k;

				if (pc->kind == LUTGEN_PIECE_REG)
					k = snprintf(got + len, sizeof(got) - len,
						     "%s%s(%llu)", j ? "+" : "",
						     pc->reg_name,
						     (unsigned long long)pc->size);
				else
					k = snprintf(got + len, sizeof(got) - len,
						     "%sSP%+lld(%llu)", j ? "+" : "",
						     (long long)pc->stack_offset,
						     (unsigned long long)pc->size);
				assert_true(k > 0 && (size_t)k < sizeof(got) - len);
				len += (size_t)k;
			}
			if (strcmp(want, got) != 0)
				fail_msg("%s %s param %s: gdb says '%s', lutgen '%s'",
					 b->name, fns[f], ps[i].name, want, got);
		}
		lutgen_value_free(&v);
	}
	lutgen_dwarf_close(d);
}

/* The binaries cover what the inspector must read: .zdebug_* (go1.15),
 * SHF_COMPRESSED .debug_* (newer), DWARF 5 (.debug_addr, go >= 1.25). */
static void test_sections(void **state)
{
	const struct bin *b = *state;
	const char *argv[] = { "readelf", "-S", "-W", b->path, NULL };
	char *out = NULL;

	assert_int_equal(run_memo(argv, &out), 0);
	assert_non_null(out);
	if (b->cls == ABI_DWARF5) /* a DWARF 5 only section */
		assert_non_null(strstr(out, ".debug_addr"));
	if (b->cls == ABI_STACK) {
		assert_non_null(strstr(out, ".zdebug_info"));
	} else {
		char *p = strstr(out, " .debug_info ");

		assert_non_null(p);
		/* flags column holds C (SHF_COMPRESSED) */
		p = strchr(p, '\n');
		assert_non_null(p);
		*p = '\0';
		assert_non_null(strstr(strstr(out, " .debug_info "), " C "));
	}
	free(out);
}

/* ---- parameters at run time ----
 *
 * Run the binary (no arguments) under gdb, stop at the first instruction
 * of main.Shapes and read what is really there: n == len(os.Args) == 1 and
 * len(s) == len(b) == strlen(path).  amd64 natively with gdb; arm64 under
 * qemu-aarch64's gdb stub with gdb-multiarch.  This is the ground truth
 * for the SP-at-entry convention on both arches.
 */

struct machine {
	uint64_t sp_words[16]; /* x/16gx $sp */
	char regs[8192];       /* "info registers" output */
};

static bool reg_value(const struct machine *m, const char *goarch,
		      const char *reg_name, uint64_t *v)
{
	char want[16], *p;
	size_t k;

	/* Go spelling -> gdb's: RAX -> rax, R8 -> r8; arm64 R3 -> x3 */
	if (strcmp(goarch, "arm64") == 0 && reg_name[0] == 'R')
		snprintf(want, sizeof(want), "\nx%s ", reg_name + 1);
	else {
		snprintf(want, sizeof(want), "\n%s ", reg_name);
		for (k = 0; want[k]; k++)
			if (want[k] >= 'A' && want[k] <= 'Z')
				want[k] = (char)(want[k] + 32);
	}
	p = strstr(m->regs, want);
	if (!p)
		return false;
	*v = strtoull(p + strlen(want), NULL, 0);
	return true;
}

static bool piece_value(const struct machine *m, const char *goarch,
			const struct lutgen_piece *pc, uint64_t *v)
{
	if (pc->kind == LUTGEN_PIECE_REG)
		return reg_value(m, goarch, pc->reg_name, v);
	if (pc->stack_offset < 0 || pc->stack_offset % 8 ||
	    pc->stack_offset / 8 >= 16)
		return false;
	*v = m->sp_words[pc->stack_offset / 8];
	return true;
}

/* One try of stop_at_entry; gdb is bounded by timeout(1) (GDB_TIMEOUT). */
#define GDB_TIMEOUT "90"

static int stop_at_entry_once(const struct bin *b, uint64_t entry,
			      struct machine *m, int attempt)
{
	char brk[64], port[16], remote[64];
	const char *gdb_native[] = { "timeout", "-k", "5", GDB_TIMEOUT,
		"gdb", "-nx", "-batch",
		"-ex", "set startup-with-shell off", "-ex", brk, "-ex", "run",
		"-ex", "x/16gx $sp", "-ex", "echo REGS\\n",
		"-ex", "info registers", "-ex", "kill", b->path, NULL };
	const char *gdb_remote[] = { "timeout", "-k", "5", GDB_TIMEOUT,
		"gdb-multiarch", "-nx", "-batch",
		"-ex", "set architecture aarch64", "-ex", remote, "-ex", brk,
		"-ex", "continue", "-ex", "x/16gx $sp", "-ex", "echo REGS\\n",
		"-ex", "info registers", "-ex", "kill", b->path, NULL };
	char *out = NULL, *p, *regs;
	pid_t qemu = -1;
	int st, i;

	snprintf(brk, sizeof(brk), "break *0x%llx", (unsigned long long)entry);
	if (strcmp(b->goarch, "arm64") == 0) {
		int pno = 20000 + (int)((getpid() * 3 + attempt) % 20000);

		snprintf(port, sizeof(port), "%d", pno);
		snprintf(remote, sizeof(remote), "target remote 127.0.0.1:%d",
			 pno);
		qemu = fork();
		if (qemu == 0) {
			int dn = open("/dev/null", O_WRONLY);

			if (dn >= 0) {
				dup2(dn, 1);
				dup2(dn, 2);
			}
			execlp("qemu-aarch64", "qemu-aarch64", "-g", port,
			       b->path, (char *)NULL);
			_exit(127);
		}
		if (qemu < 0)
			return -1;
		usleep(500000);
		st = run_capture(gdb_remote, NULL, NULL, &out);
		kill(qemu, SIGKILL);
		waitpid(qemu, NULL, 0);
	} else {
		st = run_capture(gdb_native, NULL, NULL, &out);
	}
	if (st != 0 || !out || !(regs = strstr(out, "REGS\n"))) {
		free(out);
		return -1;
	}
	snprintf(m->regs, sizeof(m->regs), "\n%s", regs + 5);
	*regs = '\0';
	/* "0x...:\t0x...\t0x..." lines */
	p = out;
	for (i = 0; i < 16 && p;) {
		char *colon = strstr(p, ":\t0x");

		if (!colon)
			break;
		p = colon + 1;
		while (i < 16 && *p == '\t') {
			m->sp_words[i++] = strtoull(p + 1, &p, 16);
		}
	}
	free(out);
	return i == 16 ? 0 : -1;
}

/* qemu-user's gdb stub now and then never reports the breakpoint in a
 * multi-threaded Go program (gdb waits forever): each try is bounded and
 * a failed one is retried with a fresh qemu on another port. */
static int stop_at_entry(const struct bin *b, uint64_t entry,
			 struct machine *m)
{
	int attempt;

	for (attempt = 0; attempt < 3; attempt++) {
		if (stop_at_entry_once(b, entry, m, attempt) == 0)
			return 0;
		print_message("%s: no stop at main.Shapes (try %d of 3)\n",
			      b->path, attempt + 1);
	}
	return -1;
}

static uint64_t symbol_addr(const char *bin, const char *sym)
{
	const char *argv[] = { "nm", bin, NULL };
	char *out = NULL, *line, *save = NULL;
	uint64_t a = 0;

	if (run_memo(argv, &out) != 0 || !out) {
		free(out);
		return 0;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sp = strrchr(line, ' ');

		if (sp && strcmp(sp + 1, sym) == 0) {
			a = strtoull(line, NULL, 16);
			break;
		}
	}
	free(out);
	return a;
}

static void test_params_runtime(void **state)
{
	const struct bin *b = *state;
	struct lutgen_dwarf *d = open_bin(b);
	struct common_err err = { 0 };
	struct lutgen_value v = { 0 };
	struct machine *m = calloc(1, sizeof(*m));
	uint64_t entry = symbol_addr(b->path, "main.Shapes"), x = 0;

	assert_non_null(m);
	assert_true(entry != 0);
	if (strcmp(b->goarch, "arm64") == 0) {
		const char *q[] = { "qemu-aarch64", "--version", NULL };
		const char *g[] = { "gdb-multiarch", "--version", NULL };
		char *o = NULL;
		int ok = run_memo(q, &o) == 0;

		free(o);
		o = NULL;
		ok = ok && run_memo(g, &o) == 0;
		free(o);
		if (!ok) {
			free(m);
			lutgen_dwarf_close(d);
			test_skip("qemu-aarch64 or gdb-multiarch missing (apt-get install qemu-user gdb-multiarch)");
		}
	}
	if (stop_at_entry(b, entry, m) != 0)
		fail_msg("could not stop %s at main.Shapes (0x%llx) under %s",
			 b->path, (unsigned long long)entry,
			 strcmp(b->goarch, "arm64") == 0 ?
			 "qemu-aarch64 + gdb-multiarch" : "gdb");
	assert_int_equal(lutgen_dwarf_lookup(d, LUTGEN_LOOKUP_FUNC_PARAMS, NULL,
					     NULL, "main.Shapes", &v, &err), 0);
	assert_int_equal(v.nparams, 4);
	/* n = len(os.Args) = 1 */
	assert_true(piece_value(m, b->goarch, &v.params[0].pieces[0], &x));
	assert_int_equal(x, 1);
	/* s = os.Args[0], b = []byte(os.Args[0]): word 1 is the length */
	assert_int_equal(v.params[1].npieces, 2);
	assert_true(piece_value(m, b->goarch, &v.params[1].pieces[1], &x));
	assert_int_equal(x, strlen(b->path));
	assert_int_equal(v.params[2].npieces, 3);
	assert_true(piece_value(m, b->goarch, &v.params[2].pieces[1], &x));
	assert_int_equal(x, strlen(b->path));
	lutgen_value_free(&v);
	free(m);
	lutgen_dwarf_close(d);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	const struct bin *b = *state;
	struct lutgen_dwarf *d = open_bin(b);
	struct common_err err = { 0 };
	struct lutgen_param *ps = NULL;
	size_t n = 0;
	uint64_t v = 12345;
	char want[1400];

	assert_int_equal(lutgen_dwarf_struct_offset(d, "runtime.g", "goidx",
						    &v, &err), -ENOENT);
	snprintf(want, sizeof(want), "runtime.g has no field 'goidx' in %s",
		 b->path);
	assert_string_equal(err.msg, want);
	assert_int_equal(v, 12345);

	assert_int_equal(lutgen_dwarf_struct_offset(d, "runtime.gx", "goid",
						    &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "runtime.gx"));
	assert_non_null(strstr(err.msg, b->path));

	assert_int_equal(lutgen_dwarf_type_size(d, "main.Nope", &v, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "main.Nope"));

	assert_int_equal(lutgen_dwarf_func_params(d, "main.Nope", &ps, &n,
						  &err), -ENOENT);
	assert_non_null(strstr(err.msg, "main.Nope"));
	assert_non_null(strstr(err.msg, b->path));
	assert_null(ps);

	/* nested miss names the inner struct */
	assert_int_equal(lutgen_dwarf_struct_offset(d, "net.netFD", "pfd.Nope",
						    &v, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "internal/poll.FD has no field 'Nope'"));

	/* a pointer member cannot be walked through */
	assert_int_equal(lutgen_dwarf_struct_offset(d, "main.Outer", "Ptr.B",
						    &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "pointer"));
	assert_int_equal(v, 12345);
	lutgen_dwarf_close(d);
}

/* ---- the DIE walker (dwarf_walk.c) against libdw ---- */

struct walked {
	Dwarf_Off offs[1 << 15];
	const char *names[1 << 15];
	size_t n;
};

static int record_walked(Dwarf_Off off, unsigned tag, const char *name,
			 void *arg)
{
	struct walked *w = arg;

	(void)tag;
	if (w->n == sizeof(w->offs) / sizeof(w->offs[0]))
		return -E2BIG;
	w->offs[w->n] = off;
	w->names[w->n++] = name;
	return 0;
}

/*
 * Every CU of the binary, as the handle lists them: the walker must read
 * it (no fallback), and find exactly the top-level DIEs libdw's
 * dwarf_child/dwarf_siblingof find, at the same offsets, with the names
 * libdw reads.
 */
static void test_walk(void **state)
{
	const struct bin *b = *state;
	struct lutgen_dwarf *d = open_bin(b);
	struct lutgen_walk_table *t = NULL;
	struct walked *w = calloc(1, sizeof(*w));
	struct common_err err = { 0 };
	size_t c, ndies = 0;

	assert_non_null(w);
	assert_non_null(d->info);
	/* resolving no names loads the list of CUs */
	if (lutgen_dwarf_resolve(d, NULL, NULL, 0, false, &err) != 0)
		fail_msg("%s: %s", b->path, err.msg);
	for (c = 0; c < d->ncus; c++) {
		const struct lutgen_cu *cu = &d->cus[c];
		Dwarf_Die cudie = cu->die, child;
		size_t i = 0;
		int r, rc;

		if (!t)
			assert_int_equal(lutgen_walk_table_new(cu, d->big_endian,
							       &t), 0);
		w->n = 0;
		rc = lutgen_walk_top_dies(t, d->info, d->info_size, cu,
					  record_walked, w);
		if (rc != 0)
			fail_msg("%s: the walker cannot read the CU at %#llx (%d)",
				 b->path,
				 (unsigned long long)dwarf_dieoffset(&cudie), rc);
		r = dwarf_child(&cudie, &child);
		while (r == 0) {
			const char *name = dwarf_diename(&child);

			if (i >= w->n)
				fail_msg("%s: the walker missed the DIE at %#llx",
					 b->path,
					 (unsigned long long)dwarf_dieoffset(&child));
			assert_int_equal(w->offs[i], dwarf_dieoffset(&child));
			if (w->names[i])
				assert_string_equal(w->names[i],
						    name ? name : "");
			i++;
			r = dwarf_siblingof(&child, &child);
		}
		assert_true(r >= 0);
		assert_int_equal(i, w->n);
		ndies += i;
	}
	/* a Go binary: many CUs, thousands of top-level DIEs */
	assert_true(d->ncus > 10);
	assert_true(ndies > 1000);
	lutgen_walk_table_free(t);
	free(w);
	lutgen_dwarf_close(d);
}

static void test_stripped(void **state)
{
	struct common_err err = { 0 };
	struct lutgen_dwarf *d = NULL;

	(void)state;
	if (!stripped_path[0])
		fail_msg("stripped binary was not built");
	assert_int_equal(lutgen_dwarf_open(stripped_path, &d, &err), -ENODATA);
	assert_null(d);
	assert_non_null(strstr(err.msg, stripped_path));
	assert_non_null(strstr(err.msg, "no DWARF"));
}

static void test_open_errors(void **state)
{
	struct common_err err = { 0 };
	struct lutgen_dwarf *d = NULL;
	char p[1200];

	(void)state;
	assert_int_equal(lutgen_dwarf_open("/nonexistent/bin", &d, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/bin"));
	snprintf(p, sizeof(p), "%s/main.go", srcdir);
	assert_int_equal(lutgen_dwarf_open(p, &d, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not an ELF"));
	assert_null(d);
	lutgen_dwarf_close(NULL);
}

/* ---- value.c (hand-written values) ---- */

static void test_value(void **state)
{
	struct lutgen_piece s_pieces[2] = {
		{ LUTGEN_PIECE_REG, 3, "RBX", 0, 8 },
		{ LUTGEN_PIECE_REG, 2, "RCX", 0, 8 },
	};
	struct lutgen_piece n_piece = { LUTGEN_PIECE_STACK, -1, "", 8, 8 };
	char nn[] = "n", ns[] = "s", nu[] = "u";
	struct lutgen_param params[3] = {
		{ nn, 8, &n_piece, 1 },
		{ ns, 16, s_pieces, 2 },
		{ nu, 8, NULL, 0 },
	};
	struct lutgen_value a = { .kind = LUTGEN_LOOKUP_FUNC_PARAMS,
				  .params = params, .nparams = 3 };
	struct lutgen_value b = { 0 }, u1 = { .kind = LUTGEN_LOOKUP_STRUCT_OFFSET,
					      .u = 152 };
	struct lutgen_value u2 = u1;
	char buf[128], small[8];

	(void)state;
	assert_int_equal(lutgen_value_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "n:SP+8(8) s:RBX(8)+RCX(8) u:-");
	assert_int_equal(lutgen_value_format(&a, small, sizeof(small)),
			 -ENOSPC);
	assert_int_equal(lutgen_value_format(&u1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "152");

	assert_int_equal(lutgen_value_copy(&b, &a), 0);
	assert_ptr_not_equal(b.params, a.params);
	assert_int_equal(lutgen_value_cmp(&a, &b), 0);
	b.params[1].pieces[1].reg = 1;
	assert_int_not_equal(lutgen_value_cmp(&a, &b), 0);
	b.params[1].pieces[1].reg = 2;
	b.params[0].pieces[0].stack_offset = 16;
	assert_int_not_equal(lutgen_value_cmp(&a, &b), 0);
	lutgen_value_free(&b);
	assert_null(b.params);
	lutgen_value_free(NULL);

	assert_int_equal(lutgen_value_cmp(&u1, &u2), 0);
	u2.u = 160;
	assert_true(lutgen_value_cmp(&u1, &u2) < 0);
	u2.kind = LUTGEN_LOOKUP_TYPE_SIZE;
	u2.u = 152;
	assert_int_not_equal(lutgen_value_cmp(&u1, &u2), 0);

	assert_string_equal(lutgen_lookup_kind_name(LUTGEN_LOOKUP_STRUCT_OFFSET),
			    "struct_offset");
	assert_string_equal(lutgen_lookup_kind_name(LUTGEN_LOOKUP_TYPE_SIZE),
			    "type_size");
	assert_string_equal(lutgen_lookup_kind_name(LUTGEN_LOOKUP_FUNC_PARAMS),
			    "func_params");
}

/* ---- setup ---- */

static char *read_goroots(const char *root, const char **why)
{
	char script[1200];
	const char *argv[] = { script, "goroots", NULL };
	char *out = NULL;
	const char *env = getenv("LUTGEN_TEST_GOROOTS");

	snprintf(script, sizeof(script), "%s/scripts/go-mirror", root);
	if (access(script, X_OK) == 0) {
		if (run_memo(argv, &out) == 0 && out && *out)
			return out;
		free(out);
		*why = "scripts/go-mirror goroots failed or printed nothing";
		return NULL;
	}
	if (env && *env)
		return strdup(env);
	*why = "no scripts/go-mirror and no LUTGEN_TEST_GOROOTS: no Go toolchains to build test binaries";
	return NULL;
}

static int prepare(void)
{
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	const char *broot = getenv("LUTGEN_BUILD_ROOT");
	const char *why = NULL;
	const char *arches[] = { "amd64", "arm64" };
	struct toolchain tc[ABI_NCLASSES];
	char *lines;
	char *probe_out = NULL;
	const char *pahole_argv[] = { "pahole", "--version", NULL };
	const char *gdb_argv[] = { "gdb", "--version", NULL };
	int c, a;

	memset(tc, 0, sizeof(tc));
	if (!root || !broot) {
		fprintf(stderr, "SKIP: LUTGEN_SOURCE_ROOT/LUTGEN_BUILD_ROOT unset (run via meson test)\n");
		return SKIP;
	}
	if (run_capture(pahole_argv, NULL, NULL, &probe_out) != 0) {
		free(probe_out);
		fprintf(stderr, "SKIP: pahole (dwarves) is not installed\n");
		return SKIP;
	}
	free(probe_out);
	if (run_capture(gdb_argv, NULL, NULL, &probe_out) != 0) {
		free(probe_out);
		fprintf(stderr, "SKIP: gdb is not installed\n");
		return SKIP;
	}
	free(probe_out);
	snprintf(srcdir, sizeof(srcdir), "%s/tests/programs/dwarfshapes", root);
	snprintf(workdir, sizeof(workdir), "%s/tests/dwarf-work", broot);
	mkdir(workdir, 0755);
	lines = read_goroots(root, &why);
	if (!lines) {
		fprintf(stderr, "SKIP: %s\n", why);
		return SKIP;
	}
	pick_toolchains(lines, tc);
	free(lines);
	for (c = 0; c < ABI_NCLASSES; c++) {
		if (tc[c].minor == 0) {
			fprintf(stderr, "SKIP: no %s Go toolchain among the available ones\n",
				class_names[c]);
			return SKIP;
		}
	}
	for (c = 0; c < ABI_NCLASSES; c++) {
		for (a = 0; a < 2; a++) {
			struct bin *b = &bins[nbins];

			if (snprintf(b->name, sizeof(b->name), "%s-%s",
				     tc[c].version, arches[a]) >=
				    (int)sizeof(b->name) ||
			    snprintf(b->path, sizeof(b->path),
				     "%s/dwarfshapes-%s-%s", workdir,
				     tc[c].version, arches[a]) >=
				    (int)sizeof(b->path)) {
				fprintf(stderr, "path too long under %s\n",
					workdir);
				return 1;
			}
			snprintf(b->goarch, sizeof(b->goarch), "%s", arches[a]);
			b->cls = (enum abi_class)c;
			b->minor = tc[c].minor;
			fprintf(stderr, "building %s (%s)\n", b->name,
				class_names[c]);
			if (go_build(&tc[c], arches[a], b->path, 0) != 0) {
				fprintf(stderr, "go build with %s for %s failed\n",
					tc[c].goroot, arches[a]);
				return 1;
			}
			nbins++;
		}
	}
	snprintf(stripped_path, sizeof(stripped_path),
		 "%s/dwarfshapes-stripped", workdir);
	if (go_build(&tc[ABI_DWARF5], "amd64", stripped_path, 1) != 0) {
		fprintf(stderr, "stripped go build failed\n");
		return 1;
	}
	{
		static const struct {
			enum abi_class cls;
			const char *goarch;
		} layouts[] = { { ABI_STACK, "386" }, { ABI_DWARF5, "s390x" } };

		for (a = 0; a < 2; a++) {
			struct bin *b = &walk_bins[nwalk_bins];

			c = (int)layouts[a].cls;
			if (snprintf(b->name, sizeof(b->name), "%s-%s",
				     tc[c].version, layouts[a].goarch) >=
				    (int)sizeof(b->name) ||
			    snprintf(b->path, sizeof(b->path),
				     "%s/dwarfshapes-%s-%s", workdir,
				     tc[c].version, layouts[a].goarch) >=
				    (int)sizeof(b->path))
				return 1;
			snprintf(b->goarch, sizeof(b->goarch), "%s",
				 layouts[a].goarch);
			b->cls = layouts[a].cls;
			b->minor = tc[c].minor;
			fprintf(stderr, "building %s (walker check)\n", b->name);
			if (go_build(&tc[c], layouts[a].goarch, b->path, 0) != 0) {
				fprintf(stderr, "go build with %s for %s failed\n",
					tc[c].goroot, layouts[a].goarch);
				return 1;
			}
			nwalk_bins++;
		}
	}
	return 0;
}

int main(void)
{
	struct CMUnitTest tests[4 + MAX_BINS * 8 + 2];
	static char names[MAX_BINS * 8 + 2][200];
	size_t nt = 0, i, k = 0;
	int rc;

	tests[nt++] = (struct CMUnitTest)cmocka_unit_test(test_value);
	rc = prepare();
	if (rc == SKIP) {
		/* value.c still gets tested; under CI a missing prerequisite
		 * the suite provides is a failure */
		rc = _cmocka_run_group_tests("dwarf", tests, nt, NULL, NULL);
		if (test_under_ci()) {
			fprintf(stderr, "FAIL (CI): the prerequisite above is missing\n");
			return 1;
		}
		return rc ? rc : SKIP;
	}
	if (rc != 0)
		return rc;
	tests[nt++] = (struct CMUnitTest)cmocka_unit_test(test_stripped);
	tests[nt++] = (struct CMUnitTest)cmocka_unit_test(test_open_errors);
	for (i = 0; i < nbins; i++) {
		static const struct {
			const char *what;
			CMUnitTestFunction fn;
		} per[] = {
			{ "sections", test_sections },
			{ "struct_offsets", test_struct_offsets },
			{ "type_sizes", test_type_sizes },
			{ "params_fixture", test_params_fixture },
			{ "params_vs_gdb", test_params_vs_gdb },
			{ "params_runtime", test_params_runtime },
			{ "errors", test_errors },
			{ "walk", test_walk },
		};
		size_t j;

		for (j = 0; j < sizeof(per) / sizeof(per[0]); j++) {
			if (snprintf(names[k], sizeof(names[k]), "%s %s",
				     per[j].what, bins[i].name) >=
			    (int)sizeof(names[k]))
				return 1;
			tests[nt].name = names[k++];
			tests[nt].test_func = per[j].fn;
			tests[nt].setup_func = NULL;
			tests[nt].teardown_func = NULL;
			tests[nt].initial_state = &bins[i];
			nt++;
		}
	}
	for (i = 0; i < nwalk_bins; i++) {
		if (snprintf(names[k], sizeof(names[k]), "walk %.120s",
			     walk_bins[i].name) >= (int)sizeof(names[k]))
			return 1;
		tests[nt].name = names[k++];
		tests[nt].test_func = test_walk;
		tests[nt].setup_func = NULL;
		tests[nt].teardown_func = NULL;
		tests[nt].initial_state = &walk_bins[i];
		nt++;
	}
	rc = _cmocka_run_group_tests("dwarf", tests, nt, NULL, NULL);
	memo_free();
	return test_exit(rc);
}
