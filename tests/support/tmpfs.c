/* SPDX-License-Identifier: MIT */
/* tests/support/tmpfs.c - see tmpfs.h. */
#include "tmpfs.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* Enter a private mount namespace; as non-root through a user namespace
 * mapping our uid to root. */
static int enter_namespace(char *why, size_t size)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (unshare(CLONE_NEWNS) == 0)
		goto private;
	if (errno != EPERM) {
		snprintf(why, size, "unshare(CLONE_NEWNS): %s", strerror(errno));
		return -errno;
	}
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
		snprintf(why, size,
			 "not root and no user namespaces (unshare: %s)",
			 strerror(errno));
		return -EPERM;
	}
	write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_file("/proc/self/uid_map", map) != 0) {
		snprintf(why, size, "cannot write uid_map");
		return -EPERM;
	}
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	write_file("/proc/self/gid_map", map);
private:
	/* Our mounts must not propagate back to the machine. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		snprintf(why, size, "make / private: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

int test_tmpfs_run(const char *dir, const char *size, test_tmpfs_fn fn,
		   void *ctx, struct test_tmpfs_result *res)
{
	int pipefd[2];
	pid_t pid;
	int status;
	size_t got = 0;

	memset(res, 0, sizeof(*res));
	if (pipe(pipefd) != 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -errno;
	}
	if (pid == 0) {
		struct test_tmpfs_result r;
		char opts[64];
		ssize_t w;
		size_t off = 0;
		int setup;

		close(pipefd[0]);
		memset(&r, 0, sizeof(r));
		setup = enter_namespace(r.msg, sizeof(r.msg));
		if (setup == 0) {
			snprintf(opts, sizeof(opts), "size=%s,mode=0755", size);
			if (mount("tmpfs", dir, "tmpfs", 0, opts) != 0) {
				setup = -errno;
				snprintf(r.msg, sizeof(r.msg),
					 "mount tmpfs on %s: %s", dir,
					 strerror(errno));
			}
		}
		if (setup == 0)
			r.rc = fn(ctx, r.msg, sizeof(r.msg));
		else
			r.rc = setup;
		while (off < sizeof(r)) {
			w = write(pipefd[1], (char *)&r + off, sizeof(r) - off);
			if (w <= 0)
				break;
			off += (size_t)w;
		}
		_exit(setup == 0 ? 0 : 77);
	}
	close(pipefd[1]);
	while (got < sizeof(*res)) {
		ssize_t n = read(pipefd[0], (char *)res + got,
				 sizeof(*res) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got != sizeof(*res)) {
		snprintf(res->msg, sizeof(res->msg),
			 "the tmpfs child died (status 0x%x)", status);
		return -ECHILD;
	}
	res->msg[sizeof(res->msg) - 1] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		return res->rc < 0 ? res->rc : -EPERM;
	return 0;
}

int test_tmpfs_resize(const char *dir, const char *size)
{
	char opts[64];

	snprintf(opts, sizeof(opts), "size=%s", size);
	return mount("tmpfs", dir, "tmpfs", MS_REMOUNT, opts) == 0 ? 0 : -errno;
}
