/* SPDX-License-Identifier: MIT */
/*
 * tests/support/tmpfs.h - run a piece of a test on a small tmpfs.
 *
 * test_tmpfs_run() forks; the child enters a mount namespace of its own
 * (unshare(CLONE_NEWNS) as root, else a user namespace where the kernel
 * allows one), mounts a tmpfs of the given size on `dir` and runs `fn`
 * there.  The mount exists only in the child's namespace, so it disappears
 * with the child however the test ends: nothing to unmount, nothing left
 * mounted on the machine.  `fn` may remount (test_tmpfs_resize) to give
 * space back.
 *
 * The child must not use cmocka's assertions (they would unwind into the
 * parent's copy of the test); fn returns a status and a message instead.
 */
#ifndef TEST_TMPFS_H
#define TEST_TMPFS_H

#include <stddef.h>

/* What fn reports: rc (its return value) and a message. */
struct test_tmpfs_result {
	int rc;
	char msg[2048];
};

typedef int (*test_tmpfs_fn)(void *ctx, char *msg, size_t msgsize);

/* 0 with *res filled when fn ran; -EPERM (or another negative errno) when
 * no namespace or mount could be set up here (a reason is in res->msg). */
int test_tmpfs_run(const char *dir, const char *size, test_tmpfs_fn fn,
		   void *ctx, struct test_tmpfs_result *res);

/* Inside fn: change the size of the tmpfs on dir ("8m"). 0 or -errno. */
int test_tmpfs_resize(const char *dir, const char *size);

#endif
