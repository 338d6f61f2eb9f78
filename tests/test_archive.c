/* SPDX-License-Identifier: MIT */
/*
 * tests/test_archive.c - rungo_archive_extract against archives written
 * here with libarchive's writer: benign trees, malicious entries (absolute
 * paths, "..", symlink and hardlink escapes, special files), trimming.
 * Every malicious case checks a sentinel directory next to the destination
 * stays empty.  Limits: archive bombs by file count and by bytes (declared
 * or not), and a full disk (a small tmpfs mounted in a mount namespace of
 * a child process; see tests/support/tmpfs.h).
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
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rungo/archive.h"
#include "skip.h"
#include "tmpfs.h"

/* snprintf that fails the test on truncation. */
#define PATHF(buf, ...)                                                     \
	assert_true(snprintf((buf), sizeof(buf), __VA_ARGS__) <             \
		    (int)sizeof(buf))

enum kind { F, D, L, H, CHR, FIFO };

struct ent {
	enum kind kind;
	const char *name;
	const char *data;   /* file contents, or symlink/hardlink target */
	unsigned mode;      /* 0 = default */
};

struct fixture {
	char top[PATH_MAX];       /* mkdtemp */
	char dest[PATH_MAX];      /* top/dest */
	char sentinel[PATH_MAX];  /* top/sentinel: must stay empty */
	char ar[PATH_MAX];        /* top/x.tar.gz */
};

static int rm_cb(const char *p, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	PATHF(f->top, "/tmp/lutgen-test-archive.XXXXXX");
	assert_non_null(mkdtemp(f->top));
	PATHF(f->dest, "%s/dest", f->top);
	PATHF(f->sentinel, "%s/sentinel", f->top);
	PATHF(f->ar, "%s/x.tar.gz", f->top);
	assert_int_equal(mkdir(f->dest, 0755), 0);
	assert_int_equal(mkdir(f->sentinel, 0755), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->top, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

static void write_archive(const char *path, const struct ent *ents, size_t n)
{
	struct archive *a = archive_write_new();
	size_t i;

	assert_non_null(a);
	assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_format_pax_restricted(a),
			 ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		const struct ent *x = &ents[i];
		size_t len = 0;

		archive_entry_set_pathname(e, x->name);
		switch (x->kind) {
		case F:
			len = x->data ? strlen(x->data) : 0;
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, x->mode ? x->mode : 0644);
			archive_entry_set_size(e, (la_int64_t)len);
			break;
		case D:
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, x->mode ? x->mode : 0755);
			break;
		case L:
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_perm(e, 0777);
			archive_entry_set_symlink(e, x->data);
			break;
		case H:
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_perm(e, 0644);
			archive_entry_set_hardlink(e, x->data);
			archive_entry_set_size(e, 0);
			break;
		case CHR:
			archive_entry_set_filetype(e, AE_IFCHR);
			archive_entry_set_perm(e, 0666);
			archive_entry_set_rdevmajor(e, 1);
			archive_entry_set_rdevminor(e, 3);
			break;
		case FIFO:
			archive_entry_set_filetype(e, AE_IFIFO);
			archive_entry_set_perm(e, 0644);
			break;
		}
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (len)
			assert_int_equal(archive_write_data(a, x->data, len),
					 (la_ssize_t)len);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static bool exists_in(const char *dir, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	PATHF(p, "%s/%s", dir, rel);
	return lstat(p, &st) == 0;
}

static void read_file(const char *dir, const char *rel, char *buf, size_t size)
{
	char p[PATH_MAX];
	FILE *fp;
	size_t n;

	PATHF(p, "%s/%s", dir, rel);
	fp = fopen(p, "r");
	assert_non_null(fp);
	n = fread(buf, 1, size - 1, fp);
	buf[n] = '\0';
	fclose(fp);
}

/* The top directory holds exactly dest, sentinel and the archive, and the
 * sentinel is empty. */
static void assert_nothing_outside(const struct fixture *f)
{
	assert_int_equal(count_entries(f->sentinel), 0);
	assert_int_equal(count_entries(f->top), 3);
}

static void expect_rejected(struct fixture *f, const struct ent *ents,
			    size_t n, const char *prefix, const char *entry,
			    const char *why)
{
	struct rungo_extract_opts o = { .strip_prefix = prefix };
	struct common_err err = { 0 };
	int rc;

	write_archive(f->ar, ents, n);
	rc = rungo_archive_extract(f->ar, f->dest, &o, NULL, &err);
	assert_true(rc < 0);
	assert_int_equal(err.code, rc);
	if (!strstr(err.msg, entry) || (why && !strstr(err.msg, why)))
		fail_msg("message '%s' should name '%s' (%s)", err.msg, entry,
			 why ? why : "");
	assert_nothing_outside(f);
}

static void test_benign(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ D, "go/", NULL, 0 },
		{ F, "go/VERSION", "go1.22.4\ntime 2024\n", 0 },
		{ D, "go/bin/", NULL, 0 },
		{ F, "go/bin/go", "#!/bin/sh\n", 0755 },
		{ F, "go/bin/suid", "x", 06755 },
		{ D, "go/src/runtime", NULL, 0 },
		{ F, "go/src/runtime/proc.go", "package runtime\n", 0 },
		{ F, "./go/src/./runtime//extra.go", "package runtime\n", 0 },
		{ L, "go/src/link", "runtime/proc.go", 0 },
		{ L, "go/src/runtime/up", "../../VERSION", 0 },
		{ H, "go/src/hard.go", "go/src/runtime/proc.go", 0 },
	};
	struct rungo_extract_opts o = { .strip_prefix = "go/" };
	struct rungo_extract_stats st;
	struct common_err err = { 0 };
	char buf[256], tgt[256];
	struct stat sb, sb2;
	char p[PATH_MAX];
	ssize_t n;

	write_archive(f->ar, ents, sizeof(ents) / sizeof(ents[0]));
	if (rungo_archive_extract(f->ar, f->dest, &o, &st, &err) != 0)
		fail_msg("%s", err.msg);
	read_file(f->dest, "VERSION", buf, sizeof(buf));
	assert_string_equal(buf, "go1.22.4\ntime 2024\n");
	read_file(f->dest, "src/runtime/extra.go", buf, sizeof(buf));
	assert_string_equal(buf, "package runtime\n");
	PATHF(p, "%s/bin/go", f->dest);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	PATHF(p, "%s/bin/suid", f->dest);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755); /* setuid/setgid gone */
	PATHF(p, "%s/src/link", f->dest);
	n = readlink(p, tgt, sizeof(tgt) - 1);
	assert_true(n > 0);
	tgt[n] = '\0';
	assert_string_equal(tgt, "runtime/proc.go");
	read_file(f->dest, "src/runtime/up", buf, sizeof(buf));
	assert_string_equal(buf, "go1.22.4\ntime 2024\n");
	PATHF(p, "%s/src/hard.go", f->dest);
	assert_int_equal(stat(p, &sb), 0);
	PATHF(p, "%s/src/runtime/proc.go", f->dest);
	assert_int_equal(stat(p, &sb2), 0);
	assert_true(sb.st_ino == sb2.st_ino);
	assert_false(exists_in(f->dest, "go"));
	/* 5 regular files, 2 symlinks, 1 hardlink; bytes of the 5 files. */
	assert_int_equal(st.files_written, 8);
	assert_int_equal(st.bytes_written, 19 + 10 + 1 + 16 + 16);
	assert_int_equal(st.files_skipped, 0);
	assert_nothing_outside(f);
}

static void test_absolute_path(void **state)
{
	struct fixture *f = *state;
	char evil[PATH_MAX];
	struct ent ents[] = {
		{ F, "ok.txt", "fine", 0 },
		{ F, evil, "pwned", 0 },
	};

	PATHF(evil, "%s/evil", f->sentinel);
	expect_rejected(f, ents, 2, NULL, evil, "absolute path");
}

static void test_dotdot(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ F, "go/ok.txt", "fine", 0 },
		{ F, "go/../sentinel/evil", "pwned", 0 },
	};

	expect_rejected(f, ents, 2, "go/", "go/../sentinel/evil", "'..'");
}

static void test_dotdot_no_prefix(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ F, "a/../../sentinel/evil", "pwned", 0 },
	};

	expect_rejected(f, ents, 1, NULL, "a/../../sentinel/evil", "'..'");
}

static void test_symlink_escape(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ D, "go/sub", NULL, 0 },
		{ L, "go/sub/esc", "../../sentinel", 0 },
		{ F, "go/sub/esc/evil", "pwned", 0 },
	};

	expect_rejected(f, ents, 3, "go/", "go/sub/esc",
			"points outside");
	assert_false(exists_in(f->dest, "sub/esc"));
}

static void test_symlink_absolute(void **state)
{
	struct fixture *f = *state;
	struct ent ents[] = {
		{ L, "go/abs", f->sentinel, 0 },
		{ F, "go/abs/evil", "pwned", 0 },
	};

	expect_rejected(f, ents, 2, "go/", "go/abs", "points outside");
}

/* "a" -> "." is harmless and "b" -> "a/.." looks harmless lexically,
 * but physically b is the destination's parent. */
static void test_symlink_escape_through_link(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ L, "go/a", ".", 0 },
		{ L, "go/b", "a/..", 0 },
		{ F, "go/b/sentinel/evil", "pwned", 0 },
	};

	expect_rejected(f, ents, 3, "go/", "go/b", "points outside");
}

/* The same, with the links in the other order: caught by the final
 * re-check, and the bad link is not left behind. */
static void test_symlink_escape_late(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ L, "go/b", "a/..", 0 },
		{ L, "go/a", ".", 0 },
	};

	expect_rejected(f, ents, 2, "go/", "b", "points outside");
	assert_false(exists_in(f->dest, "b"));
}

/* Writing through an inside symlink is refused as well. */
static void test_write_through_symlink(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ D, "go/real", NULL, 0 },
		{ L, "go/lnk", "real", 0 },
		{ F, "go/lnk/file", "data", 0 },
	};

	expect_rejected(f, ents, 3, "go/", "go/lnk/file", "symlink");
	assert_false(exists_in(f->dest, "real/file"));
}

static void test_hardlink_escape(void **state)
{
	struct fixture *f = *state;
	char target[PATH_MAX];
	struct ent ents[] = {
		{ H, "go/h", target, 0 },
	};

	/* A file outside that a hardlink could expose or overwrite. */
	PATHF(target, "%s/x.tar.gz", f->top);
	expect_rejected(f, ents, 1, "go/", "go/h", "hardlink");
	ents[0].data = "go/../x.tar.gz";
	expect_rejected(f, ents, 1, "go/", "go/h", "'..'");
	assert_false(exists_in(f->dest, "h"));
}

static void test_hardlink_to_symlink(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ D, "go/a/b", NULL, 0 },
		{ L, "go/a/b/l", "../x", 0 },
		{ H, "go/h", "go/a/b/l", 0 },
	};

	expect_rejected(f, ents, 3, "go/", "go/h", "regular file");
}

static void test_device_node(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ F, "go/ok", "fine", 0 },
		{ CHR, "go/null", NULL, 0 },
	};

	expect_rejected(f, ents, 2, "go/", "go/null", "device node");
	assert_false(exists_in(f->dest, "null"));
}

static void test_fifo(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ FIFO, "go/pipe", NULL, 0 },
	};

	expect_rejected(f, ents, 1, "go/", "go/pipe", "FIFO");
}

static void test_outside_prefix(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ F, "go/ok", "fine", 0 },
		{ F, "other/file", "x", 0 },
	};

	expect_rejected(f, ents, 2, "go/", "other/file", "go/");
}

static void test_dest_not_empty(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = { { F, "a", "x", 0 } };
	struct common_err err = { 0 };
	char p[PATH_MAX];
	FILE *fp;

	PATHF(p, "%s/existing", f->dest);
	fp = fopen(p, "w");
	assert_non_null(fp);
	fclose(fp);
	write_archive(f->ar, ents, 1);
	assert_int_equal(rungo_archive_extract(f->ar, f->dest, NULL, NULL,
					       &err), -EEXIST);
	assert_non_null(strstr(err.msg, "not empty"));
}

static void test_corrupt_archive(void **state)
{
	struct fixture *f = *state;
	struct common_err err = { 0 };
	FILE *fp = fopen(f->ar, "w");

	assert_non_null(fp);
	fputs("this is not an archive at all", fp);
	fclose(fp);
	assert_true(rungo_archive_extract(f->ar, f->dest, NULL, NULL, &err) <
		    0);
	assert_non_null(strstr(err.msg, "x.tar.gz"));
}

/* Hand-written list of what trimming keeps and skips. */
static void test_trim(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ F, "go/VERSION", "go1.22.4", 0 },
		{ F, "go/go.env", "GOTOOLCHAIN=auto\n", 0 },
		{ D, "go/test", NULL, 0 },
		{ F, "go/test/fixedbugs.go", "12345", 0 },
		{ F, "go/misc/wasm/x.js", "12", 0 },
		{ F, "go/api/go1.txt", "123", 0 },
		{ F, "go/doc/go_spec.html", "1", 0 },
		{ F, "go/src/runtime/proc.go", "package runtime", 0 },
		{ F, "go/src/runtime/proc_test.go", "1234567", 0 },
		{ F, "go/src/runtime/test.go", "package runtime", 0 },
		{ F, "go/src/runtime/testdata/x.go", "12", 0 },
		{ D, "go/src/cmd/go/testdata", NULL, 0 },
		{ F, "go/src/cmd/go/testdata/script/a.txt", "1", 0 },
		{ F, "go/src/cmd/go/internal/test/test.go", "package test", 0 },
		{ F, "go/src/cmd/go/internal/test/testflag.go", "package test", 0 },
		{ F, "go/src/cmd/go/internal/test/flagdefs_test.go", "1", 0 },
		{ F, "go/src/cmd/api/main.go", "package main", 0 },
		{ F, "go/src/testdatax/a.go", "package a", 0 },
		{ F, "go/src/misc/a.go", "package a", 0 },
		{ F, "go/src/test/a.go", "package a", 0 },
		{ F, "go/lib/time/zoneinfo.zip", "zip", 0 },
		{ F, "go/pkg/tool/linux_amd64/compile", "c", 0755 },
		{ F, "go/pkg/tool/linux_amd64/asm", "a", 0755 },
		{ F, "go/pkg/tool/linux_amd64/link", "l", 0755 },
		{ F, "go/pkg/tool/linux_amd64/buildid", "b", 0755 },
		{ F, "go/pkg/tool/linux_amd64/pack", "p", 0755 },
		{ F, "go/pkg/tool/linux_amd64/cgo", "g", 0755 },
		{ F, "go/pkg/tool/linux_amd64/vet", "1234", 0755 },
		{ F, "go/pkg/tool/linux_amd64/pprof", "12345", 0755 },
		{ F, "go/pkg/tool/linux_amd64/trace", "123456", 0755 },
		{ F, "go/pkg/tool/linux_amd64/cover", "1", 0755 },
		{ F, "go/pkg/tool/linux_amd64/objdump", "1", 0755 },
		{ F, "go/pkg/tool/linux_amd64/test2json", "1", 0755 },
		{ F, "go/pkg/linux_amd64/runtime.a", "!<arch>", 0 },
		{ F, "go/pkg/include/textflag.h", "#define", 0 },
		{ F, "go/bin/go", "go", 0755 },
	};
	static const char *const kept[] = {
		"VERSION", "go.env", "src/runtime/proc.go", "src/runtime/test.go",
		"src/cmd/go/internal/test/test.go",
		"src/cmd/go/internal/test/testflag.go", "src/cmd/api/main.go",
		"src/testdatax/a.go", "src/misc/a.go", "src/test/a.go",
		"lib/time/zoneinfo.zip", "pkg/tool/linux_amd64/compile",
		"pkg/tool/linux_amd64/asm", "pkg/tool/linux_amd64/link",
		"pkg/tool/linux_amd64/buildid", "pkg/tool/linux_amd64/pack",
		"pkg/tool/linux_amd64/cgo", "pkg/linux_amd64/runtime.a",
		"pkg/include/textflag.h", "bin/go",
	};
	static const char *const skipped[] = {
		"test", "misc", "api", "doc", "src/runtime/proc_test.go",
		"src/runtime/testdata", "src/cmd/go/testdata",
		"src/cmd/go/internal/test/flagdefs_test.go",
		"pkg/tool/linux_amd64/vet", "pkg/tool/linux_amd64/pprof",
		"pkg/tool/linux_amd64/trace", "pkg/tool/linux_amd64/cover",
		"pkg/tool/linux_amd64/objdump", "pkg/tool/linux_amd64/test2json",
	};
	struct rungo_extract_opts o = { .strip_prefix = "go", .trim = true };
	struct rungo_extract_stats st;
	struct common_err err = { 0 };
	size_t i;

	write_archive(f->ar, ents, sizeof(ents) / sizeof(ents[0]));
	if (rungo_archive_extract(f->ar, f->dest, &o, &st, &err) != 0)
		fail_msg("%s", err.msg);
	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (!exists_in(f->dest, kept[i]))
			fail_msg("trim dropped %s", kept[i]);
	for (i = 0; i < sizeof(skipped) / sizeof(skipped[0]); i++)
		if (exists_in(f->dest, skipped[i]))
			fail_msg("trim kept %s", skipped[i]);
	/* Skipped files: test/fixedbugs.go(5) misc(2) api(3) doc(1)
	 * proc_test.go(7) testdata/x.go(2) script/a.txt(1)
	 * flagdefs_test.go(1) vet(4) pprof(5) trace(6) cover objdump
	 * test2json (1 each). */
	assert_int_equal(st.files_skipped, 14);
	assert_int_equal(st.bytes_skipped, 5 + 2 + 3 + 1 + 7 + 2 + 1 + 1 + 4 +
						   5 + 6 + 1 + 1 + 1);
	assert_int_equal(st.files_written, 20);
}

/* Without trim nothing is skipped. */
static void test_no_trim(void **state)
{
	struct fixture *f = *state;
	static const struct ent ents[] = {
		{ F, "go/test/a.go", "1", 0 },
		{ F, "go/src/x_test.go", "1", 0 },
		{ F, "go/pkg/tool/linux_amd64/vet", "1", 0755 },
	};
	struct rungo_extract_opts o = { .strip_prefix = "go/" };
	struct rungo_extract_stats st;
	struct common_err err = { 0 };

	write_archive(f->ar, ents, 3);
	if (rungo_archive_extract(f->ar, f->dest, &o, &st, &err) != 0)
		fail_msg("%s", err.msg);
	assert_true(exists_in(f->dest, "test/a.go"));
	assert_true(exists_in(f->dest, "src/x_test.go"));
	assert_true(exists_in(f->dest, "pkg/tool/linux_amd64/vet"));
	assert_int_equal(st.files_skipped, 0);
	assert_int_equal(st.files_written, 3);
}


/* A tar.gz (or zip) of `n` files "go/f<i>" of `size` bytes each; data is
 * incompressible unless `zeros`.  size_unset: do not declare the size
 * (zip only: libarchive then writes a data descriptor). */
static void write_bulk(const char *path, bool zip, size_t n, size_t size,
		       bool zeros, bool size_unset)
{
	struct archive *a = archive_write_new();
	unsigned char *buf = calloc(1, size ? size : 1);
	uint32_t x = 2463534242u;
	size_t i, k;

	assert_non_null(a);
	assert_non_null(buf);
	if (zip) {
		assert_int_equal(archive_write_set_format_zip(a), ARCHIVE_OK);
	} else {
		assert_int_equal(archive_write_add_filter_gzip(a), ARCHIVE_OK);
		assert_int_equal(archive_write_set_format_pax_restricted(a),
				 ARCHIVE_OK);
	}
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		char name[64];

		snprintf(name, sizeof(name), "go/f%zu", i);
		for (k = 0; !zeros && k < size; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[k] = (unsigned char)x;
		}
		archive_entry_set_pathname(e, name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		if (size_unset)
			archive_entry_unset_size(e);
		else
			archive_entry_set_size(e, (la_int64_t)size);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (size)
			assert_int_equal(archive_write_data(a, buf, size),
					 (la_ssize_t)size);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	free(buf);
}

static void test_limit_files(void **state)
{
	struct fixture *f = *state;
	struct rungo_extract_opts o = { .strip_prefix = "go/",
					.max_files = 5 };
	struct common_err err = { 0 };

	write_bulk(f->ar, false, 6, 1, false, false);
	assert_int_equal(rungo_archive_extract(f->ar, f->dest, &o, NULL, &err),
			 -EFBIG);
	if (!strstr(err.msg, "more than 5 files") ||
	    !strstr(err.msg, "go/f5"))
		fail_msg("%s", err.msg);
	assert_false(exists_in(f->dest, "f5"));
	/* Exactly at the limit is fine. */
	write_bulk(f->ar, false, 5, 1, false, false);
	o.max_files = 5;
	assert_int_equal(teardown(state), 0);
	assert_int_equal(setup(state), 0);
	f = *state;
	write_bulk(f->ar, false, 5, 1, false, false);
	if (rungo_archive_extract(f->ar, f->dest, &o, NULL, &err) != 0)
		fail_msg("%s", err.msg);
}

/* Declared sizes count before anything is written, also for entries that
 * trimming skips. */
static void test_limit_bytes(void **state)
{
	struct fixture *f = *state;
	struct rungo_extract_opts o = { .strip_prefix = "go/",
					.max_bytes = 3000 };
	struct common_err err = { 0 };
	static const struct ent trimmed[] = {
		{ F, "go/test/a.go", "0123456789", 0 },
		{ F, "go/VERSION", "go1.22.4", 0 },
	};

	write_bulk(f->ar, false, 2, 2000, true, false);
	assert_int_equal(rungo_archive_extract(f->ar, f->dest, &o, NULL, &err),
			 -EFBIG);
	if (!strstr(err.msg, "more than 3000 bytes") ||
	    !strstr(err.msg, "go/f1"))
		fail_msg("%s", err.msg);
	assert_true(exists_in(f->dest, "f0"));
	assert_false(exists_in(f->dest, "f1"));

	assert_int_equal(teardown(state), 0);
	assert_int_equal(setup(state), 0);
	f = *state;
	o.trim = true;
	o.max_bytes = 15;
	write_archive(f->ar, trimmed, 2);
	assert_int_equal(rungo_archive_extract(f->ar, f->dest, &o, NULL, &err),
			 -EFBIG);
	if (!strstr(err.msg, "go/VERSION"))
		fail_msg("%s", err.msg);
}

/* A zip entry without a declared size is counted as its data arrives. */
static void test_limit_bytes_undeclared(void **state)
{
	struct fixture *f = *state;
	struct rungo_extract_opts o = { .strip_prefix = "go/",
					.max_bytes = 100000 };
	struct common_err err = { 0 };
	char zip[PATH_MAX];

	PATHF(zip, "%s/sentinel/../x.zip", f->top);
	write_bulk(zip, true, 1, 300000, true, true);
	assert_int_equal(rungo_archive_extract(zip, f->dest, &o, NULL, &err),
			 -EFBIG);
	if (!strstr(err.msg, "more than 100000 bytes"))
		fail_msg("%s", err.msg);
	unlink(zip);
}

struct enospc_ctx {
	const char *ar;
	char dest[PATH_MAX];
};

static int enospc_child(void *p, char *msg, size_t size)
{
	struct enospc_ctx *c = p;
	struct rungo_extract_opts o = { .strip_prefix = "go/" };
	struct common_err err = { 0 };
	int rc;

	if (mkdir(c->dest, 0755) != 0) {
		snprintf(msg, size, "mkdir %s: %s", c->dest, strerror(errno));
		return -1000;
	}
	rc = rungo_archive_extract(c->ar, c->dest, &o, NULL, &err);
	snprintf(msg, size, "%s", err.msg);
	return rc;
}

/* 2 files of 300 KiB into a 256 KiB tmpfs: the second write fails with
 * ENOSPC, which libarchive reports as a mere warning. */
static void test_enospc(void **state)
{
	struct fixture *f = *state;
	struct test_tmpfs_result res;
	struct enospc_ctx c;
	char mnt[PATH_MAX];
	int rc;

	PATHF(mnt, "%s/sentinel", f->top);
	c.ar = f->ar;
	PATHF(c.dest, "%s/dest", mnt);
	write_bulk(f->ar, false, 2, 300 << 10, false, false);
	rc = test_tmpfs_run(mnt, "256k", enospc_child, &c, &res);
	if (rc != 0) {
		test_skip("no small filesystem for the ENOSPC test: %s", res.msg);
	}
	assert_int_equal(res.rc, -ENOSPC);
	if (!strstr(res.msg, "No space left on device") ||
	    !strstr(res.msg, "'go/f"))
		fail_msg("%s", res.msg);
	/* The mount is gone with the child. */
	assert_int_equal(count_entries(mnt), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_benign, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dotdot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_no_prefix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink_escape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink_absolute, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symlink_escape_through_link,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_escape_late, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_write_through_symlink,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_escape, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hardlink_to_symlink, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_device_node, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_prefix, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dest_not_empty, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_archive, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_trim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limit_files, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limit_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_limit_bytes_undeclared,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_enospc, setup, teardown),
	};

	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
