/* SPDX-License-Identifier: MIT */
/* common/fs.c - mkdir -p, whole-file read, atomic write, tree removal. */
#include "common/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int common_pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int common_fs_sync_dir(const char *dir)
{
	int fd = open(dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

int common_fs_mkdir_p(const char *path, struct common_err *err)
{
	char buf[PATH_MAX];
	size_t i;

	if (!path || !*path)
		return common_err_set(err, -EINVAL, "create directory: empty name");
	if (common_pathf(buf, sizeof(buf), "%s", path))
		return common_err_set(err, -ENAMETOOLONG,
				      "create %s: name too long", path);
	for (i = 1; buf[i]; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST)
			return common_err_set(err, -errno, "create %s: %s", buf,
					      strerror(errno));
		buf[i] = '/';
	}
	if (mkdir(buf, 0777) != 0 && errno != EEXIST)
		return common_err_set(err, -errno, "create %s: %s", buf,
				      strerror(errno));
	return 0;
}

/* Fill the six X's at the end of tmpl with random letters and digits;
 * -EINVAL when tmpl does not end in "XXXXXX". */
static int fill_xs(char *tmpl)
{
	static const char set[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	unsigned char rnd[6];
	size_t len = strlen(tmpl), i;

	if (len < 6 || strcmp(tmpl + len - 6, "XXXXXX") != 0)
		return -EINVAL;
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != (ssize_t)sizeof(rnd)) {
		/* No entropy yet (early boot): time and pid still differ
		 * between tries, and EEXIST makes the caller try again. */
		struct timespec ts;
		unsigned long x;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
		for (i = 0; i < sizeof(rnd); i++, x >>= 5)
			rnd[i] = (unsigned char)x;
	}
	for (i = 0; i < 6; i++)
		tmpl[len - 6 + i] = set[rnd[i] % (sizeof(set) - 1)];
	return 0;
}

#define MKTEMP_TRIES 100

int common_fs_mkdtemp(char *tmpl)
{
	size_t len = strlen(tmpl);
	int i, rc;

	for (i = 0; i < MKTEMP_TRIES; i++) {
		rc = fill_xs(tmpl);
		if (rc)
			return rc;
		if (mkdir(tmpl, 0777) == 0)
			return 0;
		if (errno != EEXIST)
			return -errno;
		memcpy(tmpl + len - 6, "XXXXXX", 6);
	}
	return -EEXIST;
}

int common_fs_mkstemp(char *tmpl, int flags)
{
	size_t len = strlen(tmpl);
	int i, fd, rc;

	for (i = 0; i < MKTEMP_TRIES; i++) {
		rc = fill_xs(tmpl);
		if (rc)
			return rc;
		fd = open(tmpl, flags | O_RDWR | O_CREAT | O_EXCL, 0666);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return -errno;
		memcpy(tmpl + len - 6, "XXXXXX", 6);
	}
	return -EEXIST;
}

int common_fs_read_file(const char *path, size_t max, char **out, size_t *len,
			struct common_err *err)
{
	char *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;
	FILE *f;
	int rc = 0;

	*out = NULL;
	if (len)
		*len = 0;
	f = fopen(path, "rbe");
	if (!f)
		return common_err_set(err, -errno, "read %s: %s", path,
				      strerror(errno));
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = common_err_set(err, -ENOMEM,
						    "read %s: out of memory",
						    path);
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (max && n > max) {
			rc = common_err_set(err, -EFBIG,
					    "read %s: larger than %zu bytes",
					    path, max);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = common_err_set(err, errno ? -errno : -EIO, "read %s: %s",
				    path, errno ? strerror(errno) : "I/O error");
		goto out;
	}
	buf[n] = '\0';
	*out = buf;
	buf = NULL;
	if (len)
		*len = n;
out:
	fclose(f);
	free(buf);
	return rc;
}

int common_fs_write_atomic(const char *path, const void *data, size_t len,
			   struct common_err *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t off = 0;
	int fd = -1, rc = 0;

	if (!*base)
		return common_err_set(err, -EINVAL, "write %s: not a file name",
				      path);
	if (common_pathf(dir, sizeof(dir), "%.*s",
		  slash ? (int)(slash - path + (slash == path)) : 1,
		  slash ? path : ".") ||
	    common_pathf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base))
		return common_err_set(err, -ENAMETOOLONG,
				      "write %s: name too long", path);
	fd = common_fs_mkstemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return common_err_set(err, fd,
				      "write %s: create a temporary file in %s: %s",
				      path, dir, strerror(-fd));
	while (off < len) {
		ssize_t w = write(fd, (const char *)data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = common_err_set(err, -errno, "write %s: %s", tmp,
					    strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0) {
		rc = common_err_set(err, -errno, "write %s: %s", tmp,
				    strerror(errno));
		goto out;
	}
	rc = close(fd);
	fd = -1;
	if (rc != 0) {
		rc = common_err_set(err, -errno, "write %s: %s", tmp,
				    strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = common_err_set(err, -errno, "rename %s to %s: %s", tmp,
				    path, strerror(errno));
		goto out;
	}
	common_fs_sync_dir(dir);  /* best effort: the rename is durable */
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	return rc;
}

/* Remove `name` under `at` (shown as `shown` in messages); see
 * common_fs_rmtree. */
static int rm_at(int at, const char *name, const char *shown, uint64_t *bytes,
		 struct common_err *err)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0, r;

	if (fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 :
		       common_err_set(err, -errno, "stat %s: %s", shown,
				      strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(at, name, 0) != 0)
			return errno == ENOENT ? 0 :
			       common_err_set(err, -errno, "remove %s: %s",
					      shown, strerror(errno));
		if (S_ISREG(st.st_mode) && bytes)
			*bytes += (uint64_t)st.st_size;
		return 0;
	}
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		(void)fchmodat(at, name, (st.st_mode & 07777) | S_IRWXU, 0);
	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return common_err_set(err, -errno, "open %s: %s", shown,
				      strerror(errno));
	d = fdopendir(fd);
	if (!d) {
		rc = common_err_set(err, -errno, "open %s: %s", shown,
				    strerror(errno));
		close(fd);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* Keep going: remove all that can be removed. */
		r = rm_at(dirfd(d), de->d_name, shown, bytes,
			  rc ? NULL : err);
		if (r && !rc)
			rc = r;
	}
	closedir(d);
	if (unlinkat(at, name, AT_REMOVEDIR) != 0 && errno != ENOENT && !rc)
		rc = common_err_set(err, -errno, "remove %s: %s", shown,
				    strerror(errno));
	return rc;
}

int common_fs_rmtree(const char *path, uint64_t *bytes,
		     struct common_err *err)
{
	return rm_at(AT_FDCWD, path, path, bytes, err);
}
