/* SPDX-License-Identifier: MIT */
/*
 * common/fs.h - filesystem helpers shared by rungo and lutgen.
 *
 * Each returns 0 or a negative errno and fills `err` (may be NULL) with a
 * message naming the path.
 */
#ifndef COMMON_FS_H
#define COMMON_FS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* snprintf for paths: 0, or -ENAMETOOLONG when it does not fit (no
 * message: the caller names the path). */
int common_pathf(char *buf, size_t size, const char *fmt, ...)
	COMMON_PRINTF(3, 4);

/*
 * Modes: everything these helpers create asks for 0777 (directories) or
 * 0666 (files) and lets the umask take away, as mkdir(1) and touch(1) do,
 * so a cache shared by a group (umask 002) is group-writable and a private
 * one (umask 077) stays private.  mkdtemp(3)/mkstemp(3) would make 0700 /
 * 0600 whatever the umask: use common_fs_mkdtemp/common_fs_mkstemp.
 */

/* mkdir -p; existing directories are fine. */
int common_fs_mkdir_p(const char *path, struct common_err *err);

/* Read the whole file; *out is NUL-terminated (not counted in *len, which
 * may be NULL) and the caller frees it.  max > 0: -EFBIG past max bytes. */
int common_fs_read_file(const char *path, size_t max, char **out, size_t *len,
			struct common_err *err);

/* Like mkdtemp(3): the trailing "XXXXXX" of tmpl is replaced by random
 * characters and the directory created, with mode 0777 minus the umask.
 * 0 or a negative errno (-EINVAL: no XXXXXX at the end). */
int common_fs_mkdtemp(char *tmpl);

/* Like mkostemp(3) (flags: O_CLOEXEC, O_APPEND...; O_RDWR|O_CREAT|O_EXCL
 * are implied), with mode 0666 minus the umask.  Returns the open file
 * descriptor or a negative errno. */
int common_fs_mkstemp(char *tmpl, int flags);

/* Replace path with data[0..len) atomically (mode 0666 minus the umask): a temporary file
 * ".<name>.XXXXXX" in the same directory, fsync, rename.  Readers see the
 * old or the new content, never a mix; on failure path is untouched. */
int common_fs_write_atomic(const char *path, const void *data, size_t len,
			   struct common_err *err);

/* Remove a tree without following symlinks; directories lacking u+rwx
 * (Go's module cache makes them read-only) are opened up first.  A missing
 * `path` is not an error.  Removes all it can and returns the first
 * failure.  bytes (may be NULL): the sizes of removed regular files are
 * added to it. */
int common_fs_rmtree(const char *path, uint64_t *bytes,
		     struct common_err *err);

/* fsync a directory so that a rename into it is durable.  Best effort:
 * returns 0 or a negative errno, no message. */
int common_fs_sync_dir(const char *dir);

#endif
