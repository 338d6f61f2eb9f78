/* SPDX-License-Identifier: MIT */
/*
 * tests/test_cache.c - the toolchain cache against a loopback HTTP server
 * serving a small synthetic "toolchain" archive (written here with
 * libarchive) and a hand-written index whose sha256 is computed here with
 * OpenSSL.  Covers install (trimmed and not), reuse, sha256 mismatch, an
 * index without sha256, resuming an interrupted install, two processes
 * installing at once, registered GOROOTs, list, prune and path helpers.
 * Hardening: a full disk during extraction (small tmpfs in a mount
 * namespace), archive bomb limits, modes under the umask, the download
 * and extraction progress hooks, archives whose bin/go is missing or
 * names another version, damaged trees on reuse, the bin/go stamp, a FIFO
 * as metadata, toolchains in use kept by prune, a read-only cache.
 *
 * The concurrency test re-executes this binary with
 * "--child-install" so each child is a fresh process.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/goarch.h"
#include "httpd.h"
#include "rungo/cache.h"
#include "rungo/fetch.h"
#include "rungo/index.h"
#include "skip.h"
#include "tmpfs.h"

#define PATHF(buf, ...)                                                     \
	assert_true(snprintf((buf), sizeof(buf), __VA_ARGS__) <             \
		    (int)sizeof(buf))

/* This executable, for re-running it as a child (argv[0] resolved at
 * start: under valgrind /proc/self/exe names valgrind's tool). */
static char self_exe[PATH_MAX] = "/proc/self/exe";

#define VERSION_STR "go1.22.12"
#define ID VERSION_STR ".linux-amd64"
#define FILENAME ID ".tar.gz"
#define ROUTE "/dl/" FILENAME

struct fx {
	char top[PATH_MAX];
	char cache[PATH_MAX];
	char ar[PATH_MAX];
	char sha[65];
	size_t size;
	struct test_httpd *h;
	char base[256];         /* http://127.0.0.1:P/dl/ */
	struct rungo_version v;
};

/* The synthetic toolchain: name, contents (NULL = directory), mode. */
static const struct {
	const char *name;
	const char *data;
	unsigned mode;
} tree[] = {
	{ "go/", NULL, 0755 },
	{ "go/VERSION", VERSION_STR "\ntime 2025-02-04T20:58:07Z\n", 0644 },
	{ "go/bin/go", "#!/bin/sh\necho go version " VERSION_STR
		       " linux/amd64\n", 0755 },
	{ "go/src/runtime/proc.go", "package runtime\n", 0644 },
	{ "go/src/runtime/proc_test.go", "package runtime\n// test\n", 0644 },
	{ "go/src/runtime/testdata/x.go", "package x\n", 0644 },
	{ "go/test/fixedbugs/bug1.go", "package main\n", 0644 },
	{ "go/pkg/tool/linux_amd64/compile", "compile-binary", 0755 },
	{ "go/pkg/tool/linux_amd64/link", "link-binary", 0755 },
	{ "go/pkg/tool/linux_amd64/vet", "vet-binary", 0755 },
};

static int rm_cb(const char *p, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	int i;

	assert_int_equal(EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL),
			 1);
	assert_int_equal(mdlen, 32);
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* The tree above, plus `big` bytes of incompressible data in
 * go/pkg/big.bin when big > 0. */
static void write_toolchain_archive(const char *path, size_t big)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	size_t i;

	assert_non_null(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		size_t len = tree[i].data ? strlen(tree[i].data) : 0;

		e = archive_entry_new();
		archive_entry_set_pathname(e, tree[i].name);
		archive_entry_set_filetype(e, tree[i].data ? AE_IFREG : AE_IFDIR);
		archive_entry_set_perm(e, tree[i].mode);
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			archive_write_data(a, tree[i].data, len);
		archive_entry_free(e);
	}
	if (big) {
		unsigned char *buf = malloc(big);
		uint32_t x = 12345;

		assert_non_null(buf);
		for (i = 0; i < big; i++) {
			x = x * 1103515245u + 12345u;
			buf[i] = (unsigned char)(x >> 24);
		}
		e = archive_entry_new();
		archive_entry_set_pathname(e, "go/pkg/big.bin");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)big);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, buf, big), (la_ssize_t)big);
		archive_entry_free(e);
		free(buf);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* A go.dev style index with one release and one archive. */
static struct rungo_index *make_index(const char *sha, size_t size)
{
	char json[2048];
	struct rungo_index *idx = NULL;
	struct common_err err = { 0 };

	PATHF(json,
	      "[{\"version\":\"" VERSION_STR "\",\"stable\":true,\"files\":["
	      "{\"filename\":\"" VERSION_STR ".src.tar.gz\",\"os\":\"\","
	      "\"arch\":\"\",\"version\":\"" VERSION_STR "\",\"sha256\":\"%s\","
	      "\"size\":10,\"kind\":\"source\"},"
	      "{\"filename\":\"" FILENAME "\",\"os\":\"linux\","
	      "\"arch\":\"amd64\",\"version\":\"" VERSION_STR "\","
	      "\"sha256\":\"%s\",\"size\":%zu,\"kind\":\"archive\"}]}]",
	      sha, sha, size);
	if (rungo_index_parse(json, strlen(json), &idx, &err) != 0)
		fail_msg("index: %s", err.msg);
	return idx;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *data;

	assert_non_null(f);
	PATHF(f->top, "/tmp/lutgen-test-cache.XXXXXX");
	assert_non_null(mkdtemp(f->top));
	PATHF(f->cache, "%s/cache", f->top);
	PATHF(f->ar, "%s/%s", f->top, FILENAME);
	write_toolchain_archive(f->ar, 0);
	data = slurp(f->ar, &f->size);
	sha256_hex(data, f->size, f->sha);
	free(data);
	assert_int_equal(test_httpd_start(&f->h), 0);
	assert_int_equal(test_httpd_add_file(f->h, ROUTE, f->ar), 0);
	assert_int_equal(test_httpd_url(f->h, "/dl/", f->base,
					sizeof(f->base)), 0);
	assert_int_equal(rungo_version_parse(VERSION_STR, &f->v, NULL), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	test_httpd_stop(f->h);
	chmod(f->top, 0755);
	nftw(f->top, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static struct rungo_cache *open_cache(struct fx *f, const char *url,
				      bool no_trim)
{
	struct rungo_cache_opts o;
	struct rungo_cache *c = NULL;
	struct common_err err = { 0 };

	memset(&o, 0, sizeof(o));
	o.dir = f->cache;
	o.download_url = url ? url : f->base;
	o.no_trim = no_trim;
	o.fetch.retry_base_ms = 10;
	o.fetch.max_attempts = 2;
	if (rungo_cache_open(&o, &c, &err) != 0)
		fail_msg("open: %s", err.msg);
	return c;
}

static bool exists(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	PATHF(p, "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static size_t count_sub(const struct fx *f, const char *sub)
{
	char p[PATH_MAX];

	PATHF(p, "%s/%s", f->cache, sub);
	return count_entries(p);
}

static void expect_goroot(const struct fx *f, const struct rungo_toolchain *tc)
{
	char want[PATH_MAX], real[PATH_MAX];

	assert_non_null(realpath(f->cache, real));
	PATHF(want, "%s/toolchains/%s", real, ID);
	assert_string_equal(tc->goroot, want);
}

static void test_install_and_reuse(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_toolchain tc, tc2, *list = NULL;
	struct common_err err = { 0 };
	char meta[PATH_MAX];
	size_t n = 0, mlen;
	char *mtext;

	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	expect_goroot(f, &tc);
	assert_string_equal(tc.version_str, VERSION_STR);
	assert_string_equal(tc.sha256, f->sha);
	assert_false(tc.local);
	assert_true(tc.trimmed);
	assert_true(exists(tc.goroot, "VERSION"));
	assert_true(exists(tc.goroot, "bin/go"));
	assert_true(exists(tc.goroot, "src/runtime/proc.go"));
	assert_true(exists(tc.goroot, "pkg/tool/linux_amd64/compile"));
	assert_true(exists(tc.goroot, "pkg/tool/linux_amd64/link"));
	assert_false(exists(tc.goroot, "src/runtime/proc_test.go"));
	assert_false(exists(tc.goroot, "src/runtime/testdata"));
	assert_false(exists(tc.goroot, "test"));
	assert_false(exists(tc.goroot, "pkg/tool/linux_amd64/vet"));
	/* Kept: VERSION, bin/go, proc.go, compile, link; skipped:
	 * proc_test.go, testdata/x.go, test/.../bug1.go, vet. */
	assert_int_equal(tc.disk_bytes,
			 strlen(tree[1].data) + strlen(tree[2].data) +
				 strlen(tree[3].data) + strlen(tree[7].data) +
				 strlen(tree[8].data));
	assert_int_equal(tc.saved_bytes,
			 strlen(tree[4].data) + strlen(tree[5].data) +
				 strlen(tree[6].data) + strlen(tree[9].data));
	/* The metadata file names version, sha256 and archive. */
	PATHF(meta, "%s/.lutgen-toolchain.json", tc.goroot);
	mtext = slurp(meta, &mlen);
	assert_non_null(strstr(mtext, "\"" VERSION_STR "\""));
	assert_non_null(strstr(mtext, f->sha));
	assert_non_null(strstr(mtext, "\"" FILENAME "\""));
	free(mtext);
	/* Nothing left in flight. */
	assert_int_equal(count_sub(f, "downloads"), 0);
	assert_int_equal(count_sub(f, "tmp"), 0);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);

	/* Second time: from the cache, no request. */
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc2, &err))
		fail_msg("reinstall: %s", err.msg);
	assert_string_equal(tc2.goroot, tc.goroot);
	assert_string_equal(tc2.sha256, f->sha);
	assert_int_equal(tc2.disk_bytes, tc.disk_bytes);
	/* Even without an index. */
	if (rungo_cache_install(c, NULL, &f->v, "linux", "amd64", &tc2, &err))
		fail_msg("reinstall without index: %s", err.msg);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);

	assert_int_equal(rungo_cache_list(c, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].goroot, tc.goroot);
	assert_true(list[0].trimmed);
	free(list);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* ---- modes under the umask, and the progress hooks ---------------------- */

static mode_t walk_umask;            /* nftw has no context argument */
static size_t walk_entries, walk_bad;

static int check_mode_cb(const char *p, const struct stat *st, int flag,
			 struct FTW *ftw)
{
	mode_t perm = st->st_mode & 07777;

	(void)ftw;
	if (flag == FTW_SL)
		return 0;
	walk_entries++;
	/* Nothing the umask forbids; group-readable whenever the umask
	 * allows it (a shared cache), directories also searchable. */
	if ((perm & walk_umask) ||
	    (!(walk_umask & S_IRGRP) && !(perm & S_IRGRP)) ||
	    (flag == FTW_D && !(walk_umask & S_IXGRP) && !(perm & S_IXGRP))) {
		print_error("%s: mode %04o under umask %03o\n", p,
			    (unsigned)perm, (unsigned)walk_umask);
		walk_bad++;
	}
	return 0;
}

static void expect_mode(const char *dir, const char *rel, mode_t want)
{
	char p[PATH_MAX];
	struct stat st;

	PATHF(p, "%s/%s", dir, rel);
	assert_int_equal(lstat(p, &st), 0);
	if ((st.st_mode & 07777) != want)
		fail_msg("%s: mode %04o, want %04o", p,
			 (unsigned)(st.st_mode & 07777), (unsigned)want);
}

struct progress_seen {
	char what[64];
	unsigned long long calls, complete, last_done, last_total;
	bool past_total;       /* done > total, or a call after 100% */
};

static void seen_progress(void *ctx, const char *what, unsigned long long done,
			  unsigned long long total)
{
	struct progress_seen *s = ctx;

	snprintf(s->what, sizeof(s->what), "%s", what);
	if ((total && done > total) || s->complete)
		s->past_total = true;
	s->calls++;
	s->complete += total && done == total;
	s->last_done = done;
	s->last_total = total;
}

/* A shared cache (umask 002) and a group-private one (027): every
 * directory and file the install makes - the cache's own directories,
 * lock files, the toolchain tree and its metadata - keeps what the umask
 * allows, and the toolchain root is not mkdtemp's 0700.  The download
 * and the extraction report through their own hooks, 100% once each. */
static void test_umask_and_progress(void **state)
{
	static const mode_t masks[] = { 002, 027 };
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	size_t i;

	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct progress_seen dl, ex;
		struct rungo_cache_opts o;
		struct rungo_cache *c = NULL;
		struct rungo_toolchain tc;
		struct common_err err = { 0 };
		mode_t m = masks[i], old;

		memset(&dl, 0, sizeof(dl));
		memset(&ex, 0, sizeof(ex));
		PATHF(f->cache, "%s/cache-%03o", f->top, (unsigned)m);
		old = umask(m);
		memset(&o, 0, sizeof(o));
		o.dir = f->cache;
		o.download_url = f->base;
		o.fetch.progress = seen_progress;
		o.fetch.progress_ctx = &dl;
		o.extract_progress = seen_progress;
		o.extract_progress_ctx = &ex;
		if (rungo_cache_open(&o, &c, &err) != 0)
			fail_msg("open: %s", err.msg);
		if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc,
					&err))
			fail_msg("install: %s", err.msg);
		rungo_cache_free(c);
		umask(old);

		expect_mode(f->cache, ".", 0777 & ~m);
		expect_mode(f->cache, "toolchains", 0777 & ~m);
		expect_mode(f->cache, "locks", 0777 & ~m);
		expect_mode(f->cache, "toolchains/" ID, 0777 & ~m);
		expect_mode(f->cache, "locks/" ID ".lock", 0666 & ~m);
		expect_mode(f->cache, "toolchains/" ID "/.lutgen-toolchain.json",
			    0666 & ~m);
		expect_mode(tc.goroot, "bin/go", 0755 & ~m);
		expect_mode(tc.goroot, "VERSION", 0644 & ~m);
		/* Not in the archive: made on the way to proc.go. */
		expect_mode(tc.goroot, "src/runtime", 0777 & ~m);
		walk_umask = m;
		walk_entries = walk_bad = 0;
		assert_int_equal(nftw(f->cache, check_mode_cb, 16, FTW_PHYS), 0);
		assert_true(walk_entries > 15);
		assert_int_equal(walk_bad, 0);

		assert_string_equal(dl.what, FILENAME);
		assert_string_equal(ex.what, FILENAME);
		assert_int_equal(dl.complete, 1);
		assert_int_equal(ex.complete, 1);
		assert_false(dl.past_total);
		assert_false(ex.past_total);
		assert_int_equal(dl.last_done, f->size);
		assert_int_equal(ex.last_total, f->size);
	}
	rungo_index_free(idx);
}

/* A base URL without the trailing slash, and --no-trim. */
static void test_no_slash_no_trim(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct rungo_cache *c;
	char url[256];

	assert_int_equal(test_httpd_url(f->h, "/dl", url, sizeof(url)), 0);
	c = open_cache(f, url, true);
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	assert_false(tc.trimmed);
	assert_int_equal(tc.saved_bytes, 0);
	assert_true(exists(tc.goroot, "src/runtime/proc_test.go"));
	assert_true(exists(tc.goroot, "test/fixedbugs/bug1.go"));
	assert_true(exists(tc.goroot, "pkg/tool/linux_amd64/vet"));
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

static void test_sha_mismatch(void **state)
{
	struct fx *f = *state;
	char bad[65];
	struct rungo_index *idx;
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct rungo_cache *c = open_cache(f, NULL, false);

	memcpy(bad, f->sha, sizeof(bad));
	bad[0] = bad[0] == '0' ? '1' : '0';
	idx = make_index(bad, f->size);
	assert_true(rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc,
					&err) < 0);
	assert_non_null(strstr(err.msg, FILENAME));
	assert_int_equal(count_sub(f, "toolchains"), 0);
	assert_int_equal(count_sub(f, "downloads"), 0);
	assert_int_equal(count_sub(f, "tmp"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

static void test_no_sha_refused(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index("", f->size);
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct rungo_cache *c = open_cache(f, NULL, false);

	assert_true(rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc,
					&err) < 0);
	assert_non_null(strstr(err.msg, "nothing to verify it against"));
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 0);
	assert_int_equal(count_sub(f, "toolchains"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

static void test_not_in_index(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct rungo_cache *c = open_cache(f, NULL, false);

	assert_int_equal(rungo_cache_install(c, idx, &f->v, "linux", "arm64",
					     &tc, &err), -ENOENT);
	assert_non_null(strstr(err.msg, VERSION_STR));
	assert_non_null(strstr(err.msg, "arm64"));
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* An earlier run died mid-download and mid-extraction. */
static void test_resume_interrupted(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct rungo_cache *c = open_cache(f, NULL, false);
	char part[PATH_MAX], junk[PATH_MAX];
	size_t len;
	char *data = slurp(f->ar, &len);
	FILE *fp;

	PATHF(part, "%s/downloads/%s.part", f->cache, FILENAME);
	fp = fopen(part, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len / 2, fp), len / 2);
	fclose(fp);
	free(data);
	PATHF(junk, "%s/tmp/%s.Ab12Cd", f->cache, ID);
	assert_int_equal(mkdir(junk, 0755), 0);
	PATHF(junk, "%s/tmp/%s.Ab12Cd/VERSION", f->cache, ID);
	fp = fopen(junk, "w");
	assert_non_null(fp);
	fclose(fp);

	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	assert_true(exists(tc.goroot, "src/runtime/proc.go"));
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);
	assert_int_equal(test_httpd_range_hits(f->h, ROUTE), 1);
	assert_int_equal(count_sub(f, "tmp"), 0);
	assert_int_equal(count_sub(f, "downloads"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* A finished download whose extraction was interrupted: reused. */
static void test_resume_after_download(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct rungo_cache *c = open_cache(f, NULL, false);
	char dl[PATH_MAX];
	size_t len;
	char *data = slurp(f->ar, &len);
	FILE *fp;

	PATHF(dl, "%s/downloads/%s", f->cache, FILENAME);
	fp = fopen(dl, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
	free(data);
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	assert_true(exists(tc.goroot, "VERSION"));
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 0);
	assert_int_equal(count_sub(f, "downloads"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

static pid_t spawn_child(struct fx *f, const char *index_path, int *outfd);
static void write_index_file(const char *path, const char *sha, size_t size);

/* A real interruption: a child installing is SIGKILLed mid-download
 * (holding the lock, with a .part on disk); the next install resumes the
 * download and completes. */
static void test_killed_install(void **state)
{
	struct fx *f = *state;
	struct test_httpd_route r;
	struct rungo_index *idx;
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct rungo_cache *c;
	char index_path[PATH_MAX], part[PATH_MAX], sha[65];
	size_t len;
	char *data;
	struct stat st;
	int fd, status, i;
	pid_t pid;

	/* 1 MB of noise: the child writes well past stdio buffers. */
	write_toolchain_archive(f->ar, 1 << 20);
	data = slurp(f->ar, &len);
	sha256_hex(data, len, sha);
	memset(&r, 0, sizeof(r));
	r.path = ROUTE;
	r.body = data;
	r.body_len = len;
	r.stall_after = len / 2;
	r.stall_ms = 60000;
	r.stall_first = 1;
	assert_int_equal(test_httpd_add(f->h, &r), 0);
	free(data);
	PATHF(index_path, "%s/index.json", f->top);
	write_index_file(index_path, sha, len);
	PATHF(part, "%s/downloads/%s.part", f->cache, FILENAME);

	pid = spawn_child(f, index_path, &fd);
	for (i = 0; i < 1000; i++) {
		if (stat(part, &st) == 0 && (size_t)st.st_size >= len / 4)
			break;
		usleep(10000);
	}
	assert_true(i < 1000);
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	close(fd);
	assert_int_equal(count_sub(f, "toolchains"), 0);

	idx = make_index(sha, len);
	c = open_cache(f, NULL, false);
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install after kill: %s", err.msg);
	assert_true(exists(tc.goroot, "pkg/big.bin"));
	assert_true(exists(tc.goroot, "src/runtime/proc.go"));
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 2);
	assert_int_equal(test_httpd_range_hits(f->h, ROUTE), 1);
	assert_int_equal(count_sub(f, "tmp"), 0);
	assert_int_equal(count_sub(f, "downloads"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* Child mode: install with the given cache/base/index file; print the
 * GOROOT on stdout.  Exit 0 on success. */
static int child_install(const char *cache, const char *base,
			 const char *index_path)
{
	struct rungo_cache_opts o;
	struct rungo_cache *c = NULL;
	struct rungo_index *idx = NULL;
	struct rungo_toolchain tc;
	struct rungo_version v;
	struct common_err err = { 0 };
	size_t len;
	char *json;
	FILE *fp = fopen(index_path, "rb");
	long n;
	int rc = 1;

	if (!fp)
		return 2;
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	json = malloc((size_t)n + 1);
	len = json ? fread(json, 1, (size_t)n, fp) : 0;
	fclose(fp);
	if (!json || rungo_fetch_global_init(&err) != 0 ||
	    rungo_index_parse(json, len, &idx, &err) != 0)
		goto out;
	memset(&o, 0, sizeof(o));
	o.dir = cache;
	o.download_url = base;
	if (rungo_cache_open(&o, &c, &err) != 0 ||
	    rungo_version_parse(VERSION_STR, &v, &err) != 0 ||
	    rungo_cache_install(c, idx, &v, "linux", "amd64", &tc, &err) != 0)
		goto out;
	printf("%s\n", tc.goroot);
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "child: %s\n", err.msg);
	rungo_cache_free(c);
	rungo_index_free(idx);
	free(json);
	rungo_fetch_global_cleanup();
	return rc;
}

static void write_index_file(const char *path, const char *sha, size_t size)
{
	char json[2048];
	FILE *fp;

	PATHF(json,
	      "[{\"version\":\"" VERSION_STR "\",\"stable\":true,\"files\":["
	      "{\"filename\":\"" FILENAME "\",\"os\":\"linux\","
	      "\"arch\":\"amd64\",\"version\":\"" VERSION_STR "\","
	      "\"sha256\":\"%s\",\"size\":%zu,\"kind\":\"archive\"}]}]",
	      sha, size);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(json, fp);
	fclose(fp);
}

static pid_t spawn_child(struct fx *f, const char *index_path, int *outfd)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execl(self_exe, "test_cache", "--child-install",
		      f->cache, f->base, index_path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	*outfd = p[0];
	return pid;
}

static void read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t r;

	while (len + 1 < size && (r = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	close(fd);
}

static void test_two_processes(void **state)
{
	struct fx *f = *state;
	struct test_httpd_route r;
	char index_path[PATH_MAX], out1[PATH_MAX], out2[PATH_MAX];
	char want[PATH_MAX], real[PATH_MAX];
	int fd1, fd2, st1, st2;
	pid_t p1, p2;
	size_t len;
	char *data = slurp(f->ar, &len);

	/* A slow archive, so the second process arrives mid-download. */
	memset(&r, 0, sizeof(r));
	r.path = ROUTE;
	r.body = data;
	r.body_len = len;
	r.delay_ms = 400;
	assert_int_equal(test_httpd_add(f->h, &r), 0);
	free(data);
	PATHF(index_path, "%s/index.json", f->top);
	write_index_file(index_path, f->sha, f->size);

	p1 = spawn_child(f, index_path, &fd1);
	p2 = spawn_child(f, index_path, &fd2);
	read_all(fd1, out1, sizeof(out1));
	read_all(fd2, out2, sizeof(out2));
	assert_int_equal(waitpid(p1, &st1, 0), p1);
	assert_int_equal(waitpid(p2, &st2, 0), p2);
	assert_true(WIFEXITED(st1) && WEXITSTATUS(st1) == 0);
	assert_true(WIFEXITED(st2) && WEXITSTATUS(st2) == 0);
	assert_non_null(realpath(f->cache, real));
	PATHF(want, "%s/toolchains/%s\n", real, ID);
	assert_string_equal(out1, want);
	assert_string_equal(out2, want);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);
	assert_int_equal(count_sub(f, "tmp"), 0);
	assert_int_equal(count_sub(f, "downloads"), 0);
}

struct thread_arg {
	struct rungo_cache *c;
	const struct rungo_index *idx;
	const struct rungo_version *v;
	struct rungo_toolchain tc;
	struct common_err err;
	int rc;
};

static void *install_thread(void *p)
{
	struct thread_arg *a = p;

	a->rc = rungo_cache_install(a->c, a->idx, a->v, "linux", "amd64",
				    &a->tc, &a->err);
	return NULL;
}

/* Several threads sharing one cache object: one download. */
static void test_threads(void **state)
{
	struct fx *f = *state;
	struct test_httpd_route r;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct thread_arg args[4];
	pthread_t th[4];
	size_t len, i;
	char *data = slurp(f->ar, &len);

	memset(&r, 0, sizeof(r));
	r.path = ROUTE;
	r.body = data;
	r.body_len = len;
	r.delay_ms = 300;
	assert_int_equal(test_httpd_add(f->h, &r), 0);
	free(data);
	memset(args, 0, sizeof(args));
	for (i = 0; i < 4; i++) {
		args[i].c = c;
		args[i].idx = idx;
		args[i].v = &f->v;
		assert_int_equal(pthread_create(&th[i], NULL, install_thread,
						&args[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		if (args[i].rc != 0)
			fail_msg("thread %zu: %s", i, args[i].err.msg);
		expect_goroot(f, &args[i].tc);
	}
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

static void write_text(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_add_goroot(void **state)
{
	struct fx *f = *state;
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_toolchain tc, *list = NULL;
	struct common_err err = { 0 };
	struct rungo_version v;
	char a[PATH_MAX], b[PATH_MAX], p[PATH_MAX], none[PATH_MAX];
	char real[PATH_MAX];
	size_t n = 0;

	/* a: VERSION file (first line counts). */
	PATHF(a, "%s/goroot-a", f->top);
	assert_int_equal(mkdir(a, 0755), 0);
	PATHF(p, "%s/VERSION", a);
	write_text(p, "go1.21.5\ntime 2023-12-01T20:00:00Z\n", 0644);
	/* b: no VERSION; bin/go answers `go version`. */
	PATHF(b, "%s/goroot-b", f->top);
	assert_int_equal(mkdir(b, 0755), 0);
	PATHF(p, "%s/bin", b);
	assert_int_equal(mkdir(p, 0755), 0);
	PATHF(p, "%s/bin/go", b);
	write_text(p, "#!/bin/sh\n[ \"$1\" = version ] || exit 3\n"
		      "[ \"$GOTOOLCHAIN\" = local ] || exit 4\n"
		      "echo 'go version go1.20.3 linux/amd64'\n", 0755);
	/* none: neither. */
	PATHF(none, "%s/goroot-none", f->top);
	assert_int_equal(mkdir(none, 0755), 0);

	if (rungo_cache_add_goroot(c, a, &err) != 0)
		fail_msg("add a: %s", err.msg);
	if (rungo_cache_add_goroot(c, b, &err) != 0)
		fail_msg("add b: %s", err.msg);
	assert_true(rungo_cache_add_goroot(c, none, &err) < 0);
	assert_non_null(strstr(err.msg, none));

	assert_int_equal(rungo_version_parse("go1.21.5", &v, NULL), 0);
	if (rungo_cache_install(c, NULL, &v, "linux", "amd64", &tc, &err))
		fail_msg("install local: %s", err.msg);
	assert_non_null(realpath(a, real));
	assert_string_equal(tc.goroot, real);
	assert_true(tc.local);
	assert_string_equal(tc.sha256, "");
	assert_string_equal(tc.version_str, "go1.21.5");
	assert_int_equal(rungo_version_parse("1.20.3", &v, NULL), 0);
	if (rungo_cache_install(c, NULL, &v, "linux", "amd64", &tc, &err))
		fail_msg("install local b: %s", err.msg);
	assert_non_null(realpath(b, real));
	assert_string_equal(tc.goroot, real);
	assert_int_equal(test_httpd_total_hits(f->h), 0);

	/* Local GOROOTs are listed after cache entries, oldest first. */
	assert_int_equal(rungo_cache_list(c, &list, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].version_str, "go1.20.3");
	assert_string_equal(list[1].version_str, "go1.21.5");
	free(list);

	/* gocache of a local GOROOT. */
	PATHF(p, "%s/gocache/go1.20.3.local", rungo_cache_root(c));
	assert_int_equal(rungo_cache_gocache_dir(c, &tc, a, sizeof(a)), 0);
	assert_string_equal(a, p);
	rungo_cache_free(c);
}

static void make_dir_with_file(const char *dir, const char *file)
{
	char p[PATH_MAX];

	assert_int_equal(mkdir(dir, 0755), 0);
	PATHF(p, "%s/%s", dir, file);
	write_text(p, "0123456789", 0644);
}

static void test_prune(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_toolchain tc;
	struct rungo_prune_stats st;
	struct common_err err = { 0 };
	struct rungo_version other;
	char p[PATH_MAX], lock[PATH_MAX], gc[PATH_MAX];
	int lfd;

	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	/* Leftovers: a tmp tree, a partial download, a GOCACHE of a
	 * toolchain that is not installed; the installed one's GOCACHE. */
	PATHF(p, "%s/tmp/go1.21.0.linux-amd64.XyZ123", f->cache);
	make_dir_with_file(p, "f");
	PATHF(p, "%s/downloads/go1.21.0.linux-amd64.tar.gz.part", f->cache);
	write_text(p, "0123456789", 0644);
	PATHF(p, "%s/gocache/go1.21.0.linux-amd64", f->cache);
	make_dir_with_file(p, "f");
	assert_int_equal(rungo_cache_gocache_dir(c, &tc, gc, sizeof(gc)), 0);
	make_dir_with_file(gc, "f");
	/* A busy one: its lock is held (as by a running install). */
	PATHF(p, "%s/tmp/go1.19.0.linux-amd64.Busy01", f->cache);
	make_dir_with_file(p, "f");
	PATHF(lock, "%s/locks/go1.19.0.linux-amd64.lock", f->cache);
	lfd = open(lock, O_RDWR | O_CREAT, 0644);
	assert_true(lfd >= 0);
	assert_int_equal(flock(lfd, LOCK_EX), 0);

	assert_int_equal(rungo_cache_prune(c, NULL, 0, false, &st, &err), 0);
	assert_int_equal(st.entries_removed, 3);
	assert_int_equal(st.bytes_freed, 30);
	assert_true(exists(f->cache, "tmp/go1.19.0.linux-amd64.Busy01"));
	assert_false(exists(f->cache, "tmp/go1.21.0.linux-amd64.XyZ123"));
	assert_false(exists(f->cache, "gocache/go1.21.0.linux-amd64"));
	assert_true(exists(f->cache, "gocache/" ID "/f"));
	assert_true(exists(f->cache, "toolchains/" ID "/VERSION"));
	close(lfd);

	/* Keeping this version removes nothing installed. */
	assert_int_equal(rungo_cache_prune(c, &f->v, 1, false, &st, &err), 0);
	assert_int_equal(st.entries_removed, 1); /* the no longer busy tmp */
	assert_true(exists(f->cache, "toolchains/" ID "/VERSION"));
	/* Keeping another version removes it, and then its GOCACHE. */
	assert_int_equal(rungo_version_parse("go1.21.0", &other, NULL), 0);
	assert_int_equal(rungo_cache_prune(c, &other, 1, false, &st, &err), 0);
	assert_int_equal(st.entries_removed, 2);
	assert_true(st.bytes_freed >= 10 + tc.disk_bytes);
	assert_int_equal(count_sub(f, "toolchains"), 0);
	assert_int_equal(count_sub(f, "gocache"), 0);
	assert_int_equal(count_sub(f, "tmp"), 0);

	/* --all. */
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	assert_int_equal(count_sub(f, "toolchains"), 1);
	assert_int_equal(rungo_cache_prune(c, NULL, 0, true, &st, &err), 0);
	assert_int_equal(st.entries_removed, 1);
	assert_int_equal(count_sub(f, "toolchains"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

static void test_root_resolution(void **state)
{
	struct fx *f = *state;
	struct rungo_cache *c = NULL;
	struct common_err err = { 0 };
	char want[PATH_MAX], buf[PATH_MAX], real[PATH_MAX];
	char *old_cache = getenv("LUTGEN_CACHE");
	char *old_xdg = getenv("XDG_CACHE_HOME");
	char *old_home = getenv("HOME");
	char *saved[3] = {
		old_cache ? strdup(old_cache) : NULL,
		old_xdg ? strdup(old_xdg) : NULL,
		old_home ? strdup(old_home) : NULL,
	};

	/* $LUTGEN_CACHE */
	PATHF(want, "%s/env-cache", f->top);
	setenv("LUTGEN_CACHE", want, 1);
	assert_int_equal(rungo_cache_open(NULL, &c, &err), 0);
	assert_non_null(realpath(want, real));
	assert_string_equal(rungo_cache_root(c), real);
	assert_true(exists(real, "toolchains"));
	assert_true(exists(real, "downloads"));
	assert_true(exists(real, "locks"));
	assert_true(exists(real, "tmp"));
	assert_true(exists(real, "gocache"));
	assert_true(exists(real, "results"));
	assert_int_equal(rungo_cache_subdir(c, "results", buf, sizeof(buf)), 0);
	PATHF(want, "%s/results", real);
	assert_string_equal(buf, want);
	assert_int_equal(rungo_cache_subdir(c, "results", buf, 8),
			 -ENAMETOOLONG);
	rungo_cache_free(c);
	/* $XDG_CACHE_HOME/lutgen */
	unsetenv("LUTGEN_CACHE");
	PATHF(want, "%s/xdg", f->top);
	setenv("XDG_CACHE_HOME", want, 1);
	assert_int_equal(rungo_cache_open(NULL, &c, &err), 0);
	PATHF(want, "%s/xdg/lutgen", f->top);
	assert_non_null(realpath(want, real));
	assert_string_equal(rungo_cache_root(c), real);
	rungo_cache_free(c);
	/* ~/.cache/lutgen */
	unsetenv("XDG_CACHE_HOME");
	PATHF(want, "%s/home", f->top);
	setenv("HOME", want, 1);
	assert_int_equal(rungo_cache_open(NULL, &c, &err), 0);
	PATHF(want, "%s/home/.cache/lutgen", f->top);
	assert_non_null(realpath(want, real));
	assert_string_equal(rungo_cache_root(c), real);
	rungo_cache_free(c);
	/* opts.dir wins over the environment. */
	setenv("LUTGEN_CACHE", "/nonexistent/should/not/be/used", 1);
	c = open_cache(f, NULL, false);
	assert_non_null(realpath(f->cache, real));
	assert_string_equal(rungo_cache_root(c), real);
	rungo_cache_free(c);

	if (saved[0])
		setenv("LUTGEN_CACHE", saved[0], 1);
	else
		unsetenv("LUTGEN_CACHE");
	if (saved[1])
		setenv("XDG_CACHE_HOME", saved[1], 1);
	if (saved[2])
		setenv("HOME", saved[2], 1);
	free(saved[0]);
	free(saved[1]);
	free(saved[2]);
}

/* The filesystem helpers: results checked with plain stdio/stat. */
static void test_fs_helpers(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	char dir[PATH_MAX], path[PATH_MAX], *got = NULL;
	size_t len = 99;
	struct stat st;

	PATHF(dir, "%s/a/b//c", f->top);
	assert_int_equal(common_fs_mkdir_p(dir, &err), 0);
	assert_int_equal(common_fs_mkdir_p(dir, &err), 0); /* exists: fine */
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));

	PATHF(path, "%s/f.txt", dir);
	assert_int_equal(common_fs_write_atomic(path, "old", 3, &err), 0);
	assert_int_equal(common_fs_write_atomic(path, "hello\n", 6, &err), 0);
	got = slurp(path, &len);
	assert_int_equal(len, 6);
	assert_memory_equal(got, "hello\n", 6);
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal(count_entries(dir), 1); /* no temporary left */

	got = NULL;
	assert_int_equal(common_fs_read_file(path, 0, &got, &len, &err), 0);
	assert_int_equal(len, 6);
	assert_string_equal(got, "hello\n");
	free(got);
	got = (char *)"x";
	assert_int_equal(common_fs_read_file(path, 5, &got, &len, &err),
			 -EFBIG);
	assert_null(got);
	assert_non_null(strstr(err.msg, path));

	PATHF(path, "%s/missing/f.txt", f->top);
	assert_int_equal(common_fs_read_file(path, 0, &got, NULL, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(common_fs_write_atomic(path, "x", 1, &err), -ENOENT);
	assert_non_null(strstr(err.msg, path));

	PATHF(path, "%s/f.txt/sub", dir);  /* a file in the way */
	assert_int_equal(common_fs_mkdir_p(path, &err), -ENOTDIR);
}


/* ---- hardening ---------------------------------------------------------- */

/* The tree above with bin/go replaced by `gobin` (NULL: no bin/go), plus
 * `zeros` bytes of zeros in go/pkg/zero.bin; served at ROUTE, f->sha and
 * f->size updated. */
static void serve_variant(struct fx *f, const char *gobin, size_t zeros)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	char *data;
	size_t i;

	assert_non_null(a);
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_filename(a, f->ar), ARCHIVE_OK);
	for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		const char *d = tree[i].data;
		size_t len;

		if (strcmp(tree[i].name, "go/bin/go") == 0) {
			if (!gobin)
				continue;
			d = gobin;
		}
		len = d ? strlen(d) : 0;
		e = archive_entry_new();
		archive_entry_set_pathname(e, tree[i].name);
		archive_entry_set_filetype(e, d ? AE_IFREG : AE_IFDIR);
		archive_entry_set_perm(e, tree[i].mode);
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			archive_write_data(a, d, len);
		archive_entry_free(e);
	}
	if (zeros) {
		char *z = calloc(1, zeros);

		assert_non_null(z);
		e = archive_entry_new();
		archive_entry_set_pathname(e, "go/pkg/zero.bin");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)zeros);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, z, zeros),
				 (la_ssize_t)zeros);
		archive_entry_free(e);
		free(z);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	data = slurp(f->ar, &f->size);
	sha256_hex(data, f->size, f->sha);
	free(data);
	assert_int_equal(test_httpd_add_file(f->h, ROUTE, f->ar), 0);
}

/* Is the test machine one whose toolchains the cache runs (amd64)?  The
 * synthetic bin/go answers for linux/amd64. */
static bool runs_amd64(void)
{
	const char *h = common_host_arch();

	return h && strcmp(h, "amd64") == 0;
}

struct full_ctx {
	struct fx *f;
	struct rungo_index *idx;
	char mnt[PATH_MAX];
};

static int full_disk_child(void *p, char *msg, size_t size)
{
	struct full_ctx *x = p;
	struct rungo_cache_opts o;
	struct rungo_cache *c = NULL;
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	char path[PATH_MAX + 64];
	struct stat st;
	int rc;

	memset(&o, 0, sizeof(o));
	o.dir = x->mnt;
	o.download_url = x->f->base;
	o.fetch.retry_base_ms = 10;
	o.fetch.max_attempts = 2;
	if (rungo_cache_open(&o, &c, &err) != 0) {
		snprintf(msg, size, "open: %s", err.msg);
		return -1000;
	}
	rc = rungo_cache_install(c, x->idx, &x->f->v, "linux", "amd64", &tc,
				 &err);
	if (rc != -ENOSPC) {
		snprintf(msg, size, "first install: rc %d: %s", rc, err.msg);
		rc = -1001;
		goto out;
	}
	snprintf(msg, size, "%s", err.msg);
	/* Nothing half-done visible; the verified download is kept. */
	snprintf(path, sizeof(path), "%s/toolchains/%s", x->mnt, ID);
	if (stat(path, &st) == 0) {
		snprintf(msg, size, "%s exists after ENOSPC", path);
		rc = -1002;
		goto out;
	}
	snprintf(path, sizeof(path), "%s/tmp", x->mnt);
	if (rmdir(path) != 0 || mkdir(path, 0755) != 0) {
		snprintf(msg, size, "tmp/ is not empty after ENOSPC");
		rc = -1003;
		goto out;
	}
	/* Space comes back: the next run finishes the job. */
	if (test_tmpfs_resize(x->mnt, "16m") != 0) {
		snprintf(msg + strlen(msg), size - strlen(msg), " | resize: %s",
			 strerror(errno));
		rc = -1004;
		goto out;
	}
	if (rungo_cache_install(c, x->idx, &x->f->v, "linux", "amd64", &tc,
				&err) != 0) {
		snprintf(msg, size, "install after resize: %s", err.msg);
		rc = -1005;
		goto out;
	}
	rc = -ENOSPC;
out:
	rungo_cache_free(c);
	return rc;
}

/* A disk that fills during extraction: a 1 MiB tmpfs as the cache and a
 * toolchain with 4 MiB of zeros (the download itself is tiny). */
static void test_full_disk(void **state)
{
	struct fx *f = *state;
	struct test_tmpfs_result res;
	struct full_ctx x;

	serve_variant(f, tree[2].data, 4 << 20);
	x.f = f;
	x.idx = make_index(f->sha, f->size);
	PATHF(x.mnt, "%s/small", f->top);
	assert_int_equal(mkdir(x.mnt, 0755), 0);
	if (test_tmpfs_run(x.mnt, "1m", full_disk_child, &x, &res) != 0) {
		rungo_index_free(x.idx);
		test_skip("no small filesystem for the full-disk test: %s", res.msg);
	}
	rungo_index_free(x.idx);
	if (res.rc != -ENOSPC)
		fail_msg("rc %d: %s", res.rc, res.msg);
	if (!strstr(res.msg, "No space left on device") ||
	    !strstr(res.msg, "go/pkg/zero.bin"))
		fail_msg("%s", res.msg);
	/* Downloaded once: the second install reused the archive. */
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);
}

static void test_extract_limits(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache_opts o;
	struct rungo_cache *c = NULL;
	struct rungo_toolchain tc;
	struct common_err err = { 0 };

	memset(&o, 0, sizeof(o));
	o.dir = f->cache;
	o.download_url = f->base;
	o.max_extract_files = 4;
	assert_int_equal(rungo_cache_open(&o, &c, &err), 0);
	assert_int_equal(rungo_cache_install(c, idx, &f->v, "linux", "amd64",
					     &tc, &err), -EFBIG);
	if (!strstr(err.msg, "more than 4 files"))
		fail_msg("%s", err.msg);
	assert_int_equal(count_sub(f, "toolchains"), 0);
	assert_int_equal(count_sub(f, "tmp"), 0);
	rungo_cache_free(c);
	o.max_extract_files = 0;
	o.max_extract_bytes = 20;
	assert_int_equal(rungo_cache_open(&o, &c, &err), 0);
	assert_int_equal(rungo_cache_install(c, idx, &f->v, "linux", "amd64",
					     &tc, &err), -EFBIG);
	if (!strstr(err.msg, "more than 20 bytes"))
		fail_msg("%s", err.msg);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* An archive without bin/go, or whose bin/go is another version or
 * another platform, is never published. */
static void test_bad_gobin(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *gobin;
		const char *why;
	} cases[] = {
		{ NULL, "bin/go: No such file" },
		{ "#!/bin/sh\necho go version go1.21.0 linux/amd64\n",
		  "says 'go version go1.21.0 linux/amd64'" },
		{ "#!/bin/sh\necho go version " VERSION_STR " linux/arm64\n",
		  "expected 'go version " VERSION_STR " linux/amd64'" },
		{ "#!/bin/sh\nexit 2\n", "exit status 2" },
	};
	size_t i;

	if (!runs_amd64())
		test_skip("the synthetic bin/go answers for linux/amd64; this host is %s",
			  common_host_arch() ? common_host_arch() : "unknown");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rungo_cache *c = open_cache(f, NULL, false);
		struct rungo_toolchain tc;
		struct common_err err = { 0 };
		struct rungo_index *idx;

		serve_variant(f, cases[i].gobin, 0);
		idx = make_index(f->sha, f->size);
		assert_true(rungo_cache_install(c, idx, &f->v, "linux", "amd64",
						&tc, &err) < 0);
		if (!strstr(err.msg, cases[i].why) ||
		    !strstr(err.msg, FILENAME) ||
		    !strstr(err.msg, "fails its check"))
			fail_msg("case %zu: %s", i, err.msg);
		assert_int_equal(count_sub(f, "toolchains"), 0);
		assert_int_equal(count_sub(f, "tmp"), 0);
		assert_int_equal(count_sub(f, "downloads"), 0);
		rungo_cache_free(c);
		rungo_index_free(idx);
	}
}

/* Reuse checks the tree: bin/ deleted by hand, a bin/go of another
 * version, metadata gone.  Without an index: an error naming the damage;
 * with one: installed again. */
static void test_damaged_reuse(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	char p[PATH_MAX];
	int round;

	if (!runs_amd64())
		test_skip("the synthetic bin/go answers for linux/amd64; this host is %s",
			  common_host_arch() ? common_host_arch() : "unknown");
	for (round = 0; round < 3; round++) {
		if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc,
					&err))
			fail_msg("install: %s", err.msg);
		assert_int_equal(test_httpd_hits(f->h, ROUTE), round + 1);
		if (round == 0) {
			PATHF(p, "%s/bin/go", tc.goroot);
			assert_int_equal(unlink(p), 0);
			PATHF(p, "%s/bin", tc.goroot);
			assert_int_equal(rmdir(p), 0);
		} else if (round == 1) {
			PATHF(p, "%s/bin/go", tc.goroot);
			assert_int_equal(unlink(p), 0);
			write_text(p, "#!/bin/sh\necho go version go1.9 linux/amd64\n",
				   0755);
		} else {
			PATHF(p, "%s/.lutgen-toolchain.json", tc.goroot);
			assert_int_equal(unlink(p), 0);
		}
		assert_int_equal(rungo_cache_install(c, NULL, &f->v, "linux",
						     "amd64", &tc, &err),
				 -ENOENT);
		if (!strstr(err.msg, "is damaged") || !strstr(err.msg, ID))
			fail_msg("round %d: %s", round, err.msg);
	}
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("reinstall: %s", err.msg);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 4);
	assert_true(exists(tc.goroot, "bin/go"));
	assert_int_equal(count_sub(f, "tmp"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* The index offers another archive for an installed release (a mirror
 * repacked it): the tree is installed again from the new archive, so the
 * recorded sha256 is the one the index vouches for; while another holder
 * uses the old tree it is kept, with a warning, and replaced later. */
static void repack(struct fx *f, size_t big)
{
	char *data;

	write_toolchain_archive(f->ar, big);
	data = slurp(f->ar, &f->size);
	sha256_hex(data, f->size, f->sha);
	free(data);
	/* Replaces the route and resets its hit counter. */
	assert_int_equal(test_httpd_add_file(f->h, ROUTE, f->ar), 0);
}

static void test_superseded(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_cache_hold *hold = NULL;
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	char first[65], second[65];

	if (!runs_amd64())
		test_skip("the synthetic bin/go answers for linux/amd64; this host is %s",
			  common_host_arch() ? common_host_arch() : "unknown");
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	assert_string_equal(tc.sha256, f->sha);
	snprintf(first, sizeof(first), "%s", f->sha);
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("reuse: %s", err.msg);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);

	repack(f, 4096);
	assert_string_not_equal(f->sha, first);
	rungo_index_free(idx);
	idx = make_index(f->sha, f->size);
	/* Without an index there is nothing to compare: the tree stays. */
	if (rungo_cache_install(c, NULL, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("no index: %s", err.msg);
	assert_string_equal(tc.sha256, first);
	if (rungo_cache_acquire(c, idx, &f->v, "linux", "amd64", &tc, &hold,
				&err))
		fail_msg("repacked: %s", err.msg);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);
	assert_string_equal(tc.sha256, f->sha);
	assert_true(exists(tc.goroot, "bin/go"));
	snprintf(second, sizeof(second), "%s", f->sha);

	/* Repacked again while the tree is held: kept until released. */
	repack(f, 8192);
	rungo_index_free(idx);
	idx = make_index(f->sha, f->size);
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("busy: %s", err.msg);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 0);
	assert_string_equal(tc.sha256, second);
	rungo_cache_release(hold);
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("released: %s", err.msg);
	assert_int_equal(test_httpd_hits(f->h, ROUTE), 1);
	assert_string_equal(tc.sha256, f->sha);
	assert_int_equal(count_sub(f, "tmp"), 0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* bin/go runs again only when its stamp changed: a bin/go that counts its
 * runs in a file. */
static void test_stamp(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx;
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	char gobin[1024], counter[PATH_MAX], p[PATH_MAX];
	size_t len;
	char *text;
	int i;

	if (!runs_amd64())
		test_skip("the synthetic bin/go answers for linux/amd64; this host is %s",
			  common_host_arch() ? common_host_arch() : "unknown");
	PATHF(counter, "%s/runs", f->top);
	PATHF(gobin, "#!/bin/sh\necho run >> %s\necho go version "
	      VERSION_STR " linux/amd64\n", counter);
	serve_variant(f, gobin, 0);
	idx = make_index(f->sha, f->size);
	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	for (i = 0; i < 3; i++)
		if (rungo_cache_install(c, NULL, &f->v, "linux", "amd64", &tc,
					&err))
			fail_msg("reuse: %s", err.msg);
	text = slurp(counter, &len);
	text[len] = '\0';
	assert_string_equal(text, "run\n");   /* before publishing only */
	free(text);
	/* Touched: checked once more, then the new stamp holds. */
	PATHF(p, "%s/bin/go", tc.goroot);
	assert_int_equal(chmod(p, 0700), 0);
	for (i = 0; i < 3; i++)
		if (rungo_cache_install(c, NULL, &f->v, "linux", "amd64", &tc,
					&err))
			fail_msg("reuse: %s", err.msg);
	text = slurp(counter, &len);
	text[len] = '\0';
	assert_string_equal(text, "run\nrun\n");
	free(text);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

static void on_alarm(int sig)
{
	(void)sig;
	_exit(3);
}

/* A FIFO in place of the metadata: list and install return at once. */
static void test_meta_fifo(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_toolchain tc, *list = NULL;
	struct common_err err = { 0 };
	char p[PATH_MAX];
	size_t n = 0;

	if (rungo_cache_install(c, idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	PATHF(p, "%s/.lutgen-toolchain.json", tc.goroot);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(mkfifo(p, 0644), 0);
	signal(SIGALRM, on_alarm);
	alarm(20);
	assert_int_equal(rungo_cache_list(c, &list, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].sha256, "");
	free(list);
	assert_int_equal(rungo_cache_install(c, NULL, &f->v, "linux", "amd64",
					     &tc, &err), -ENOENT);
	if (!strstr(err.msg, "not a regular file"))
		fail_msg("%s", err.msg);
	alarm(0);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

/* A held toolchain survives prune --all (counted as in use); released,
 * it goes. */
static void test_prune_in_use(void **state)
{
	struct fx *f = *state;
	struct rungo_index *idx = make_index(f->sha, f->size);
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct rungo_cache *c2 = open_cache(f, NULL, false);
	struct rungo_cache_hold *hold = NULL;
	struct rungo_prune_stats st;
	struct rungo_toolchain tc;
	struct common_err err = { 0 };

	if (rungo_cache_acquire(c, idx, &f->v, "linux", "amd64", &tc, &hold,
				&err))
		fail_msg("acquire: %s", err.msg);
	assert_non_null(hold);
	assert_int_equal(rungo_cache_prune(c2, NULL, 0, true, &st, &err), 0);
	assert_int_equal(st.in_use, 1);
	assert_int_equal(st.entries_removed, 0);
	assert_true(exists(tc.goroot, "bin/go"));
	/* Two holders at once are fine. */
	{
		struct rungo_cache_hold *h2 = NULL;
		struct rungo_toolchain tc2;

		if (rungo_cache_acquire(c2, NULL, &f->v, "linux", "amd64", &tc2,
					&h2, &err))
			fail_msg("second acquire: %s", err.msg);
		rungo_cache_release(h2);
	}
	rungo_cache_release(hold);
	assert_int_equal(rungo_cache_prune(c2, NULL, 0, true, &st, &err), 0);
	assert_int_equal(st.in_use, 0);
	assert_int_equal(st.entries_removed, 1);
	assert_int_equal(count_sub(f, "toolchains"), 0);
	rungo_cache_release(NULL);
	rungo_cache_free(c2);
	rungo_cache_free(c);
	rungo_index_free(idx);
}

struct ro_ctx {
	struct fx *f;
	struct rungo_index *idx;
	char goroot[PATH_MAX];
};

static int readonly_child(void *p, char *msg, size_t size)
{
	struct ro_ctx *x = p;
	struct rungo_cache_opts o;
	struct rungo_cache *c = NULL;
	struct rungo_cache_hold *hold = NULL;
	struct rungo_toolchain tc, *list = NULL;
	struct rungo_version other;
	struct common_err err = { 0 };
	size_t n = 0;
	int rc = -1100;

	/* The cache, bind-mounted read-only onto itself. */
	if (mount(x->f->cache, x->f->cache, NULL, MS_BIND, NULL) != 0 ||
	    mount(NULL, x->f->cache, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
		  NULL) != 0) {
		snprintf(msg, size, "bind mount read-only: %s", strerror(errno));
		return -1099;
	}
	memset(&o, 0, sizeof(o));
	o.dir = x->f->cache;
	o.download_url = x->f->base;
	if (rungo_cache_open(&o, &c, &err) != 0) {
		snprintf(msg, size, "open: %s", err.msg);
		return rc;
	}
	if (rungo_cache_writable(c)) {
		snprintf(msg, size, "the cache should be read-only");
		goto out;
	}
	/* Installed: served, with or without index, held or not. */
	if (rungo_cache_install(c, NULL, &x->f->v, "linux", "amd64", &tc,
				&err) != 0 ||
	    rungo_cache_acquire(c, x->idx, &x->f->v, "linux", "amd64", &tc,
				&hold, &err) != 0) {
		snprintf(msg, size, "installed toolchain: %s", err.msg);
		goto out;
	}
	rungo_cache_release(hold);
	if (strcmp(tc.goroot, x->goroot) != 0) {
		snprintf(msg, size, "goroot %s, expected %s", tc.goroot,
			 x->goroot);
		goto out;
	}
	if (rungo_cache_list(c, &list, &n, &err) != 0 || n != 1) {
		snprintf(msg, size, "list: %zu entries: %s", n, err.msg);
		goto out;
	}
	/* Not installed: a clear error. */
	rungo_version_parse("go1.21.0", &other, NULL);
	if (rungo_cache_install(c, x->idx, &other, "linux", "amd64", &tc,
				&err) != -EROFS) {
		snprintf(msg, size, "install of a missing one: %s", err.msg);
		goto out;
	}
	snprintf(msg, size, "%s", err.msg);
	rc = 0;
out:
	free(list);
	rungo_cache_free(c);
	return rc;
}

static void test_readonly_cache(void **state)
{
	struct fx *f = *state;
	struct rungo_cache *c = open_cache(f, NULL, false);
	struct test_tmpfs_result res;
	struct rungo_toolchain tc;
	struct common_err err = { 0 };
	struct ro_ctx x;
	char p[PATH_MAX];

	x.f = f;
	x.idx = make_index(f->sha, f->size);
	if (rungo_cache_install(c, x.idx, &f->v, "linux", "amd64", &tc, &err))
		fail_msg("install: %s", err.msg);
	rungo_cache_free(c);
	PATHF(x.goroot, "%s", tc.goroot);
	/* A changed stamp on a read-only cache: checked, not recorded. */
	PATHF(p, "%s/bin/go", tc.goroot);
	assert_int_equal(chmod(p, 0700), 0);
	/* No lock files either: nothing is created in a read-only cache. */
	PATHF(p, "%s/locks/%s.use", f->cache, ID);
	unlink(p);
	PATHF(p, "%s/small", f->top);
	assert_int_equal(mkdir(p, 0755), 0);
	if (test_tmpfs_run(p, "1m", readonly_child, &x, &res) != 0) {
		rungo_index_free(x.idx);
		test_skip("no mount namespace for the read-only test: %s", res.msg);
	}
	rungo_index_free(x.idx);
	if (res.rc != 0)
		fail_msg("%d: %s", res.rc, res.msg);
	if (!strstr(res.msg, "read-only") || !strstr(res.msg, "go1.21.0"))
		fail_msg("%s", res.msg);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_umask_and_progress, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_install_and_reuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_slash_no_trim, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sha_mismatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_sha_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_not_in_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resume_interrupted, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_resume_after_download,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_killed_install, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_processes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_goroot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_extract_limits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_gobin, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_damaged_reuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_superseded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_meta_fifo, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prune_in_use, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_readonly_cache, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fs_helpers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_root_resolution, setup,
						teardown),
	};
	struct common_err err = { 0 };
	int rc;

	if (argc == 5 && strcmp(argv[1], "--child-install") == 0)
		return child_install(argv[2], argv[3], argv[4]);
	if (strchr(argv[0], '/') && !realpath(argv[0], self_exe))
		snprintf(self_exe, sizeof(self_exe), "/proc/self/exe");
	if (rungo_fetch_global_init(&err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rungo_fetch_global_cleanup();
	return test_exit(rc);
}
