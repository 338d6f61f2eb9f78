/* SPDX-License-Identifier: MIT */
/*
 * tests/test_common.c - common/: tree removal, atomic write and whole-file
 * read, modes under several umasks, SHA-256 (expected digests from FIPS 180-2's examples and
 * `sha256sum`), the growable string, error prefixes.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/common.h"

static char scratch[4096];

static void test_rmtree_readonly(void **state)
{
	struct common_err err = { 0 };
	char top[4200], d1[4300], f1[4400], l1[4300];
	uint64_t bytes = 0;
	FILE *f;

	(void)state;
	snprintf(top, sizeof(top), "%s/rm", scratch);
	snprintf(d1, sizeof(d1), "%s/ro", top);
	snprintf(f1, sizeof(f1), "%s/file", d1);
	snprintf(l1, sizeof(l1), "%s/etc-link", top);
	assert_int_equal(mkdir(top, 0755), 0);
	assert_int_equal(mkdir(d1, 0755), 0);
	f = fopen(f1, "w");
	assert_non_null(f);
	fputs("12345", f);
	fclose(f);
	assert_int_equal(symlink("/etc", l1), 0);
	assert_int_equal(chmod(f1, 0444), 0);
	assert_int_equal(chmod(d1, 0555), 0);
	assert_int_equal(common_fs_rmtree(top, &bytes, &err), 0);
	assert_int_equal(access(top, F_OK), -1);
	assert_int_equal(access("/etc/passwd", F_OK), 0);
	assert_int_equal(bytes, 5);   /* the file; the link is not followed */
	assert_int_equal(common_fs_rmtree(top, NULL, &err), 0);
}

static void test_write_read(void **state)
{
	struct common_err err = { 0 };
	char dir[4200], path[4300];
	char *got = NULL;
	size_t len = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/a/b/c", scratch);
	snprintf(path, sizeof(path), "%s/file", dir);
	assert_int_equal(common_fs_mkdir_p(dir, &err), 0);
	assert_int_equal(common_fs_mkdir_p(dir, &err), 0);
	assert_int_equal(common_fs_write_atomic(path, "hello", 5, &err), 0);
	assert_int_equal(common_fs_write_atomic(path, "bye\n", 4, &err), 0);
	assert_int_equal(common_fs_read_file(path, 0, &got, &len, &err), 0);
	assert_int_equal(len, 4);
	assert_string_equal(got, "bye\n");
	free(got);
	assert_int_equal(common_fs_read_file(path, 3, &got, &len, &err),
			 -EFBIG);
	assert_null(got);
	assert_non_null(strstr(err.msg, path));
	assert_int_equal(common_fs_read_file("/nonexistent/x", 0, &got, NULL,
					     &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/x"));
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	return st.st_mode & 07777;
}

/* What the helpers create gets 0777/0666 minus the umask: a group cache
 * (002) is group-writable, a private one (077) private; mkdtemp(3) and
 * mkstemp(3) would give 0700/0600 either way. */
static void test_umask_modes(void **state)
{
	static const mode_t masks[] = { 002, 022, 027, 077 };
	struct common_err err = { 0 };
	char dir[4200], sub[4300], path[4300], tmpl[4300];
	mode_t old;
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		mode_t m = masks[i];

		snprintf(dir, sizeof(dir), "%s/umask-%03o", scratch, (unsigned)m);
		snprintf(sub, sizeof(sub), "%s/a/b", dir);
		old = umask(m);
		assert_int_equal(common_fs_mkdir_p(sub, &err), 0);
		assert_int_equal(mode_of(dir), 0777 & ~m);
		assert_int_equal(mode_of(sub), 0777 & ~m);
		snprintf(path, sizeof(path), "%s/file", dir);
		assert_int_equal(common_fs_write_atomic(path, "x", 1, &err), 0);
		assert_int_equal(mode_of(path), 0666 & ~m);
		snprintf(tmpl, sizeof(tmpl), "%s/d.XXXXXX", dir);
		assert_int_equal(common_fs_mkdtemp(tmpl), 0);
		assert_null(strstr(tmpl, "XXXXXX"));
		assert_int_equal(mode_of(tmpl), 0777 & ~m);
		snprintf(tmpl, sizeof(tmpl), "%s/f.XXXXXX", dir);
		fd = common_fs_mkstemp(tmpl, O_CLOEXEC);
		assert_true(fd >= 0);
		close(fd);
		assert_int_equal(mode_of(tmpl), 0666 & ~m);
		umask(old);
	}
	/* A template without the six X's is refused, nothing created. */
	snprintf(tmpl, sizeof(tmpl), "%s/no-xs", scratch);
	assert_int_equal(common_fs_mkdtemp(tmpl), -EINVAL);
	assert_int_equal(common_fs_mkstemp(tmpl, 0), -EINVAL);
	assert_int_equal(access(tmpl, F_OK), -1);
	/* Many at once: all distinct (EEXIST makes it try another name). */
	for (i = 0; i < 50; i++) {
		snprintf(tmpl, sizeof(tmpl), "%s/many.XXXXXX", scratch);
		assert_int_equal(common_fs_mkdtemp(tmpl), 0);
	}
}

/* FIPS 180-2, appendix B.1 and B.2; the empty string from sha256sum. */
static const char abc_sha[] =
	"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
static const char two_block_sha[] =
	"248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
static const char empty_sha[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
static const char two_block[] =
	"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

static void test_sha256(void **state)
{
	struct common_err err = { 0 };
	struct common_sha256 *h = NULL;
	char out[COMMON_SHA256_HEX_SIZE], path[4200];
	FILE *f;

	(void)state;
	common_sha256_buf("abc", 3, out);
	assert_string_equal(out, abc_sha);
	common_sha256_buf("", 0, out);
	assert_string_equal(out, empty_sha);

	assert_int_equal(common_sha256_new(&h), 0);
	assert_int_equal(common_sha256_update(h, "junk", 4), 0);
	assert_int_equal(common_sha256_reset(h), 0);
	assert_int_equal(common_sha256_update(h, two_block, 20), 0);
	assert_int_equal(common_sha256_update(h, two_block + 20,
					      strlen(two_block) - 20), 0);
	assert_int_equal(common_sha256_final(h, out), 0);
	assert_string_equal(out, two_block_sha);
	/* final starts over */
	assert_int_equal(common_sha256_update(h, "abc", 3), 0);
	assert_int_equal(common_sha256_final(h, out), 0);
	assert_string_equal(out, abc_sha);
	common_sha256_free(h);

	snprintf(path, sizeof(path), "%s/two-block", scratch);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(two_block, f);
	fclose(f);
	assert_int_equal(common_sha256_file(path, out, &err), 0);
	assert_string_equal(out, two_block_sha);
	assert_int_equal(common_sha256_file("/nonexistent/y", out, &err),
			 -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/y"));
}

static void test_sb(void **state)
{
	struct common_sb b = { 0 };
	char big[300];

	(void)state;
	assert_string_equal(common_sb_str(&b), "");
	common_sb_puts(&b, "a");
	common_sb_printf(&b, "%d-%s", 42, "x");
	common_sb_putn(&b, "yz!", 2);
	assert_string_equal(common_sb_str(&b), "a42-xyz");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	common_sb_reset(&b);
	common_sb_printf(&b, "<%s>", big);   /* longer than the small buffer */
	assert_int_equal(b.len, sizeof(big) + 1);
	assert_int_equal(common_sb_str(&b)[0], '<');
	assert_int_equal(common_sb_str(&b)[b.len - 1], '>');
	free(b.p);
}

static void test_err_prefix(void **state)
{
	struct common_err err = { 0 };

	(void)state;
	assert_int_equal(common_err_set(&err, -ENOENT, "open %s", "x"),
			 -ENOENT);
	assert_int_equal(common_err_prefix(&err, -EIO, "spec %s", "goid"),
			 -ENOENT);
	assert_string_equal(err.msg, "spec goid: open x");
	common_err_clear(&err);
	assert_int_equal(err.code, 0);
	assert_string_equal(err.msg, "");
	assert_int_equal(common_err_set(NULL, -EINVAL, "ignored"), -EINVAL);
}

/* e_machine numbers from the ELF processor supplements; GOARCH names
 * from Go's cmd/dist list. */
static void test_goarch_from_elf(void **state)
{
	(void)state;
	assert_string_equal(common_goarch_from_elf(62, true, false), "amd64");
	assert_null(common_goarch_from_elf(62, false, false));
	assert_string_equal(common_goarch_from_elf(183, true, false), "arm64");
	assert_string_equal(common_goarch_from_elf(3, false, false), "386");
	assert_string_equal(common_goarch_from_elf(40, false, false), "arm");
	assert_string_equal(common_goarch_from_elf(21, true, false), "ppc64le");
	assert_string_equal(common_goarch_from_elf(21, true, true), "ppc64");
	assert_string_equal(common_goarch_from_elf(22, true, true), "s390x");
	assert_null(common_goarch_from_elf(22, true, false));
	assert_string_equal(common_goarch_from_elf(243, true, false),
			    "riscv64");
	assert_string_equal(common_goarch_from_elf(258, true, false),
			    "loong64");
	assert_string_equal(common_goarch_from_elf(8, true, false),
			    "mips64le");
	assert_string_equal(common_goarch_from_elf(8, false, true), "mips");
	assert_null(common_goarch_from_elf(0, true, false));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rmtree_readonly),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_umask_modes),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_sb),
		cmocka_unit_test(test_err_prefix),
		cmocka_unit_test(test_goarch_from_elf),
	};
	const char *tmp = getenv("TMPDIR");
	int rc;

	snprintf(scratch, sizeof(scratch), "%s/lutgen-test-common-XXXXXX",
		 tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(scratch)) {
		perror("mkdtemp");
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	common_fs_rmtree(scratch, NULL, NULL);
	return rc;
}
