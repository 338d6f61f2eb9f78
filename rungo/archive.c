/* SPDX-License-Identifier: MIT */
/*
 * rungo/archive.c - safe extraction of toolchain archives.
 *
 * Defence in depth: every entry name is normalised and checked here
 * (absolute paths, "..", paths through symlinks, symlink/hardlink targets
 * leaving the tree, special files) before libarchive's disk writer sees it,
 * and the writer runs with ARCHIVE_EXTRACT_SECURE_SYMLINKS and
 * ARCHIVE_EXTRACT_SECURE_NODOTDOT too.  Entries are written under the
 * realpath of the destination (libarchive writes relative to the cwd, which
 * a library must not change), so SECURE_NOABSOLUTEPATHS cannot be used;
 * absolute entry names are rejected by our own check instead.  After the
 * last entry every symlink is resolved again, because a later entry can
 * change what an earlier link's target walks through.
 *
 * libarchive's disk writer reports a failed write(2) (ENOSPC, EIO) as
 * ARCHIVE_WARN and pads the file with a hole at the end, so every writer
 * call must return ARCHIVE_OK here; anything else stops the extraction
 * with archive_errno()'s reason.  The entry and byte limits are checked
 * against each entry's declared size before anything is written, and
 * against the data actually delivered while it is written (a zip entry may
 * not declare its size).
 */
#include "rungo/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LINK_HOPS 40

struct extract_ctx {
	const char *label;           /* archive basename, for messages */
	char root[PATH_MAX];         /* realpath of the destination */
	char prefix[256];            /* normalised strip prefix, "" = none */
	const struct rungo_extract_opts *opts;
	uint64_t max_files, max_bytes;  /* effective limits */
	uint64_t entries, bytes;        /* counted against them */
	unsigned long long archive_size;  /* for progress; 0 unknown */
	char **links;                /* symlinks written (relative names) */
	size_t nlinks, caplinks;
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* Normalise an entry name: drop empty and "." components.  Rejects
 * absolute names and ".." components; *why says which. */
static int normalise(const char *in, char *out, size_t size, const char **why)
{
	size_t len = 0;
	const char *p = in;

	if (in[0] == '/') {
		*why = "absolute path";
		return -EINVAL;
	}
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*why = "path contains '..'";
			return -EINVAL;
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (len + n + 2 > size) {
				*why = "path too long";
				return -ENAMETOOLONG;
			}
			if (len)
				out[len++] = '/';
			memcpy(out + len, p, n);
			len += n;
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (size)
		out[len] = '\0';
	return 0;
}

/* Strip ctx->prefix from `rel` in place.  Returns 0, 1 when the entry is
 * the prefix directory itself (skip it), -EINVAL when outside it. */
static int strip(const struct extract_ctx *ctx, char *rel)
{
	size_t n = strlen(ctx->prefix);

	if (n == 0)
		return 0;
	if (strncmp(rel, ctx->prefix, n) != 0 ||
	    (rel[n] != '\0' && rel[n] != '/'))
		return -EINVAL;
	if (rel[n] == '\0')
		return 1;
	memmove(rel, rel + n + 1, strlen(rel + n + 1) + 1);
	return 0;
}

/* Tools under pkg/tool/<goos_goarch>/ that `go build` runs with
 * CGO_ENABLED=0 (cgo is kept for builds that enable it). */
static const char *const kept_tools[] = {
	"compile", "asm", "link", "buildid", "pack", "cgo",
};

static const char *const top_dirs_trimmed[] = {
	"test", "misc", "api", "doc",
};

/* Would trimming skip `rel` (already stripped and normalised)? */
static bool trim_skips(const char *rel, bool is_dir)
{
	const char *slash = strchr(rel, '/');
	size_t first = slash ? (size_t)(slash - rel) : strlen(rel);
	const char *p, *last;
	size_t i, n, ncomp = 0;

	/* test/, misc/, api/, doc/ at the top only. */
	for (i = 0; i < sizeof(top_dirs_trimmed) / sizeof(top_dirs_trimmed[0]);
	     i++) {
		const char *d = top_dirs_trimmed[i];

		if (first == strlen(d) && strncmp(rel, d, first) == 0 &&
		    (slash || is_dir))
			return true;
	}
	/* A directory component named exactly "testdata". */
	p = rel;
	last = rel;
	while (*p) {
		const char *end = strchr(p, '/');

		n = end ? (size_t)(end - p) : strlen(p);
		ncomp++;
		last = p;
		if (n == 8 && strncmp(p, "testdata", 8) == 0 && (end || is_dir))
			return true;
		p += n;
		if (*p == '/')
			p++;
	}
	if (is_dir)
		return false;
	/* *_test.go files. */
	n = strlen(last);
	if (n > 8 && strcmp(last + n - 8, "_test.go") == 0)
		return true;
	/* pkg/tool/<goos_goarch>/<tool>. */
	if (ncomp == 4 && strncmp(rel, "pkg/tool/", 9) == 0) {
		char name[NAME_MAX + 1];

		if (snprintf(name, sizeof(name), "%s", last) >=
		    (int)sizeof(name))
			return false;
		n = strlen(name);
		if (n > 4 && strcmp(name + n - 4, ".exe") == 0)
			name[n - 4] = '\0';
		for (i = 0; i < sizeof(kept_tools) / sizeof(kept_tools[0]); i++)
			if (strcmp(name, kept_tools[i]) == 0)
				return false;
		return true;
	}
	return false;
}

static int join(char *buf, size_t size, const char *root, const char *rel)
{
	int n = rel[0] ? snprintf(buf, size, "%s/%s", root, rel)
		       : snprintf(buf, size, "%s", root);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Does the symlink `linkrel` (relative to root) with `target` resolve to
 * something outside root?  Resolution is physical: symlinks met on the
 * way (already on disk) are followed, also confined to root. */
static bool link_escapes(const char *root, const char *linkrel,
			 const char *target)
{
	char cur[PATH_MAX], rest[PATH_MAX], tmp[PATH_MAX], full[PATH_MAX];
	const char *slash;
	size_t curlen, restoff = 0;
	int hops = 0;

	if (target[0] == '/' || target[0] == '\0')
		return true;
	slash = strrchr(linkrel, '/');
	curlen = slash ? (size_t)(slash - linkrel) : 0;
	memcpy(cur, linkrel, curlen);
	cur[curlen] = '\0';
	if (snprintf(rest, sizeof(rest), "%s", target) >= (int)sizeof(rest))
		return true;
	while (rest[restoff]) {
		const char *p = rest + restoff;
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t old = curlen;
		struct stat st;
		ssize_t ln;

		restoff += n + (end ? 1 : 0);
		if (n == 0 || (n == 1 && p[0] == '.'))
			continue;
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			const char *s;

			if (curlen == 0)
				return true;
			s = memrchr(cur, '/', curlen);
			curlen = s ? (size_t)(s - cur) : 0;
			cur[curlen] = '\0';
			continue;
		}
		if (curlen + n + 2 > sizeof(cur))
			return true;
		if (curlen)
			cur[curlen++] = '/';
		memcpy(cur + curlen, p, n);
		curlen += n;
		cur[curlen] = '\0';
		if (join(full, sizeof(full), root, cur) != 0)
			return true;
		if (lstat(full, &st) != 0 || !S_ISLNK(st.st_mode))
			continue;
		/* Follow a link on the way: its target replaces this
		 * component, relative to the directory holding it. */
		if (++hops > MAX_LINK_HOPS)
			return true;
		ln = readlink(full, tmp, sizeof(tmp) - 1);
		if (ln <= 0)
			return true;
		tmp[ln] = '\0';
		if (tmp[0] == '/')
			return true;
		curlen = old;
		cur[curlen] = '\0';
		{
			char next[PATH_MAX];
			int w = snprintf(next, sizeof(next), "%s/%s", tmp,
					 rest + restoff);

			if (w < 0 || (size_t)w >= sizeof(next))
				return true;
			memcpy(rest, next, (size_t)w + 1);
			restoff = 0;
		}
	}
	return false;
}

/* Refuse to write `rel` when a directory on its way is a symlink, or when
 * the entry would replace an existing symlink. */
static int check_no_symlink_on_path(const struct extract_ctx *ctx,
				    const char *rel, bool check_final,
				    const char **why)
{
	char full[PATH_MAX];
	size_t rootlen = strlen(ctx->root);
	size_t i;
	struct stat st;

	if (join(full, sizeof(full), ctx->root, rel) != 0) {
		*why = "path too long";
		return -ENAMETOOLONG;
	}
	for (i = rootlen + 1; full[i]; i++) {
		if (full[i] != '/')
			continue;
		full[i] = '\0';
		if (lstat(full, &st) == 0 && !S_ISDIR(st.st_mode)) {
			full[i] = '/';
			*why = S_ISLNK(st.st_mode) ?
				"path goes through a symlink" :
				"path goes through a non-directory";
			return -EINVAL;
		}
		full[i] = '/';
	}
	if (check_final && lstat(full, &st) == 0 && S_ISLNK(st.st_mode)) {
		*why = "entry would replace a symlink";
		return -EINVAL;
	}
	return 0;
}

static int remember_link(struct extract_ctx *ctx, const char *rel)
{
	char *dup;

	if (ctx->nlinks == ctx->caplinks) {
		size_t cap = ctx->caplinks ? ctx->caplinks * 2 : 16;
		char **n = realloc(ctx->links, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		ctx->links = n;
		ctx->caplinks = cap;
	}
	dup = strdup(rel);
	if (!dup)
		return -ENOMEM;
	ctx->links[ctx->nlinks++] = dup;
	return 0;
}

/* Check a symlink written earlier again, now that the tree is complete. */
static int recheck_links(struct extract_ctx *ctx, struct common_err *err)
{
	char full[PATH_MAX], target[PATH_MAX];
	size_t i;

	for (i = 0; i < ctx->nlinks; i++) {
		ssize_t n;

		if (join(full, sizeof(full), ctx->root, ctx->links[i]) != 0)
			continue;
		n = readlink(full, target, sizeof(target) - 1);
		if (n < 0)
			continue; /* replaced by a later entry */
		target[n] = '\0';
		if (link_escapes(ctx->root, ctx->links[i], target)) {
			unlink(full);
			return common_err_set(err, -EPERM,
					      "extract %s: entry '%s': symlink to '%s' points outside the destination",
					      ctx->label, ctx->links[i], target);
		}
	}
	return 0;
}

static int check_dest_empty(const char *dest, struct common_err *err)
{
	DIR *d = opendir(dest);
	struct dirent *de;
	int rc = 0;

	if (!d)
		return common_err_set(err, -errno,
				      "extract into %s: %s (the directory must exist)",
				      dest, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = common_err_set(err, -EEXIST,
				    "extract into %s: directory is not empty",
				    dest);
		break;
	}
	closedir(d);
	return rc;
}

/* A writer call that did not return ARCHIVE_OK, in words.  name NULL:
 * the final fix-ups (directory modes and times) after the last entry. */
static int write_error(const struct extract_ctx *ctx, const char *name,
		       struct archive *out, struct common_err *err)
{
	int e = archive_errno(out);
	const char *what = archive_error_string(out);
	char where[PATH_MAX + 16];

	if (name)
		snprintf(where, sizeof(where), "entry '%s'", name);
	else
		snprintf(where, sizeof(where), "finishing the tree");
	if (!what)
		what = "write failed";
	if (e <= 0)
		return common_err_set(err, -EIO, "extract %s: %s: %s",
				      ctx->label, where, what);
	if (e == ENOSPC || e == EDQUOT)
		return common_err_set(err, -e,
				      "extract %s: %s: %s: %s (free some space under %s and run again)",
				      ctx->label, where, what, strerror(e),
				      ctx->root);
	return common_err_set(err, -e, "extract %s: %s: %s: %s", ctx->label,
			      where, what, strerror(e));
}

static int too_many_bytes(const struct extract_ctx *ctx, const char *name,
			  struct common_err *err)
{
	return common_err_set(err, -EFBIG,
			      "extract %s: entry '%s': the archive expands to more than %llu bytes; stopped (an archive bomb? raise the limit, LUTGEN_EXTRACT_MAX_BYTES for lutgen, only for an archive you trust)",
			      ctx->label, name,
			      (unsigned long long)ctx->max_bytes);
}

static int copy_data(struct archive *in, struct archive *out,
		     struct extract_ctx *ctx, const char *name,
		     uint64_t declared, struct common_err *err)
{
	const void *buf;
	size_t size;
	la_int64_t off;
	uint64_t end, counted = declared;
	int r;

	for (;;) {
		r = archive_read_data_block(in, &buf, &size, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r != ARCHIVE_OK)
			return common_err_set(err, -EIO, "extract %s: entry '%s': %s",
					      ctx->label, name,
					      archive_error_string(in));
		/* Data beyond the declared size counts against the limit
		 * before it is written. */
		end = off < 0 ? counted : (uint64_t)off + size;
		if (end > counted) {
			if (end - counted > ctx->max_bytes - ctx->bytes)
				return too_many_bytes(ctx, name, err);
			ctx->bytes += end - counted;
			counted = end;
		}
		if (archive_write_data_block(out, buf, size, off) != ARCHIVE_OK)
			return write_error(ctx, name, out, err);
	}
}

static int entry_error(const struct extract_ctx *ctx, const char *name,
		       const char *why, struct common_err *err)
{
	return common_err_set(err, -EPERM,
			      "extract %s: entry '%s' rejected: %s",
			      ctx->label, name, why);
}

/* One entry: check, rewrite its names under root, write it. */
/* Only regular files, directories, links; the archive bomb limits. */
static int check_entry_kind(struct extract_ctx *ctx, struct archive_entry *e,
			    const char *name, struct common_err *err)
{
	const char *hard = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	uint64_t sz;

	if (!hard && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
		return entry_error(ctx, name,
				   type == AE_IFCHR || type == AE_IFBLK ?
					   "device node" :
				   type == AE_IFIFO ? "FIFO" :
				   type == AE_IFSOCK ? "socket" :
						       "unsupported file type",
				   err);
	if (++ctx->entries > ctx->max_files)
		return common_err_set(err, -EFBIG,
				      "extract %s: entry '%s': the archive holds more than %llu files; stopped (an archive bomb? raise the limit, LUTGEN_EXTRACT_MAX_FILES for lutgen, only for an archive you trust)",
				      ctx->label, name,
				      (unsigned long long)ctx->max_files);
	if (type == AE_IFREG && !hard && archive_entry_size(e) > 0) {
		sz = (uint64_t)archive_entry_size(e);
		if (sz > ctx->max_bytes - ctx->bytes)
			return too_many_bytes(ctx, name, err);
		ctx->bytes += sz;
	}
	return 0;
}

/* The entry's name relative to the destination, in rel: 0, 1 to skip it
 * (the top directory itself), or an error. */
static int entry_rel(struct extract_ctx *ctx, const char *orig,
		     const char *name, bool is_dir, char *rel, size_t size,
		     struct common_err *err)
{
	const char *why = NULL;
	char msg[300];
	int rc;

	rc = normalise(orig, rel, size, &why);
	if (rc)
		return entry_error(ctx, name, why, err);
	rc = strip(ctx, rel);
	if (rc < 0) {
		snprintf(msg, sizeof(msg), "outside the top directory '%s/'",
			 ctx->prefix);
		return entry_error(ctx, name, msg, err);
	}
	if (rc == 1 || rel[0] == '\0') {
		if (is_dir)
			return 1;
		return entry_error(ctx, name, "names the destination itself",
				   err);
	}
	return 0;
}

/* A hardlink must point at a regular file extracted before it, inside. */
static int resolve_hardlink(struct extract_ctx *ctx, struct archive_entry *e,
			    const char *name, struct common_err *err)
{
	const char *hard = archive_entry_hardlink(e);
	char hrel[PATH_MAX], hfull[PATH_MAX], msg[400];
	const char *why = NULL;
	struct stat hst;
	int rc;

	rc = normalise(hard, hrel, sizeof(hrel), &why);
	if (rc == 0 && strip(ctx, hrel) != 0)
		rc = -EINVAL, why = "hardlink target outside the top directory";
	if (rc == 0 && hrel[0] == '\0')
		rc = -EINVAL, why = "hardlink to the destination itself";
	if (rc == 0)
		rc = check_no_symlink_on_path(ctx, hrel, false, &why);
	if (rc) {
		snprintf(msg, sizeof(msg), "hardlink to '%s': %s", hard, why);
		return entry_error(ctx, name, msg, err);
	}
	if (join(hfull, sizeof(hfull), ctx->root, hrel) != 0 ||
	    lstat(hfull, &hst) != 0 || !S_ISREG(hst.st_mode)) {
		snprintf(msg, sizeof(msg),
			 "hardlink to '%s', which is not a regular file extracted before it",
			 hard);
		return entry_error(ctx, name, msg, err);
	}
	archive_entry_copy_hardlink(e, hfull);
	return 0;
}

/* Write the checked entry (already renamed to its full path). */
static int write_entry(struct extract_ctx *ctx, struct archive *in,
		       struct archive *out, struct archive_entry *e,
		       const char *name, const char *rel,
		       struct rungo_extract_stats *st, struct common_err *err)
{
	bool hard = archive_entry_hardlink(e) != NULL;
	mode_t type = archive_entry_filetype(e);
	bool is_dir = !hard && type == AE_IFDIR;
	int rc;

	if (type != AE_IFLNK) {
		mode_t perm = archive_entry_perm(e) & 07777;

		perm &= (mode_t)~(S_ISUID | S_ISGID);
		if (is_dir)
			perm |= S_IRWXU; /* so the cache can remove it */
		archive_entry_set_perm(e, perm);
	}
	if (archive_write_header(out, e) != ARCHIVE_OK)
		return write_error(ctx, name, out, err);
	if (type == AE_IFLNK && !hard && (rc = remember_link(ctx, rel)) != 0)
		return common_err_set(err, rc, "extract %s: out of memory",
				      ctx->label);
	if (!hard && type == AE_IFREG &&
	    (archive_entry_size(e) > 0 || !archive_entry_size_is_set(e))) {
		rc = copy_data(in, out, ctx, name,
			       (uint64_t)archive_entry_size(e), err);
		if (rc)
			return rc;
	}
	if (archive_write_finish_entry(out) != ARCHIVE_OK)
		return write_error(ctx, name, out, err);
	if (!is_dir) {
		st->files_written++;
		if (type == AE_IFREG && !hard)
			st->bytes_written += (uint64_t)archive_entry_size(e);
	}
	return 0;
}

static int extract_entry(struct extract_ctx *ctx, struct archive *in,
			 struct archive *out, struct archive_entry *e,
			 struct rungo_extract_stats *st, struct common_err *err)
{
	const char *orig = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	char name[PATH_MAX];   /* for messages: the entry's own name, which
				* archive_entry_copy_pathname replaces below */
	const char *why = NULL, *target;
	char rel[PATH_MAX], full[PATH_MAX], msg[400];
	mode_t type = archive_entry_filetype(e);
	bool is_dir = !hard && type == AE_IFDIR;
	int rc;

	if (!orig || !*orig)
		return entry_error(ctx, "(unnamed)", "entry has no usable name",
				   err);
	snprintf(name, sizeof(name), "%s", orig);
	rc = check_entry_kind(ctx, e, name, err);
	if (rc == 0)
		rc = entry_rel(ctx, orig, name, is_dir, rel, sizeof(rel), err);
	if (rc)
		return rc == 1 ? 0 : rc;  /* 1: the top directory itself */
	if (ctx->opts && ctx->opts->trim && trim_skips(rel, is_dir)) {
		st->files_skipped += is_dir ? 0 : 1;
		if (type == AE_IFREG && !hard)
			st->bytes_skipped += (uint64_t)archive_entry_size(e);
		return 0;
	}
	rc = check_no_symlink_on_path(ctx, rel, true, &why);
	if (rc)
		return entry_error(ctx, name, why, err);
	if (hard) {
		rc = resolve_hardlink(ctx, e, name, err);
		if (rc)
			return rc;
	} else if (type == AE_IFLNK) {
		target = archive_entry_symlink(e);
		if (!target || link_escapes(ctx->root, rel, target)) {
			snprintf(msg, sizeof(msg),
				 "symlink to '%s' points outside the destination",
				 target ? target : "");
			return entry_error(ctx, name, msg, err);
		}
	}
	if (join(full, sizeof(full), ctx->root, rel) != 0)
		return entry_error(ctx, name, "path too long", err);
	archive_entry_copy_pathname(e, full);
	return write_entry(ctx, in, out, e, name, rel, st, err);
}

/* Limits, strip prefix and destination of one extraction. */
static int ctx_init(struct extract_ctx *ctx, const char *archive_path,
		    const char *dest_dir, const struct rungo_extract_opts *opts,
		    struct common_err *err)
{
	const char *why = NULL;
	struct stat ast;
	int rc;

	memset(ctx, 0, sizeof(*ctx));
	ctx->label = base_name(archive_path);
	ctx->opts = opts;
	ctx->max_files = opts && opts->max_files ? opts->max_files :
			 RUNGO_EXTRACT_MAX_FILES_DEFAULT;
	ctx->max_bytes = opts && opts->max_bytes ? opts->max_bytes :
			 RUNGO_EXTRACT_MAX_BYTES_DEFAULT;
	if (opts && opts->strip_prefix && *opts->strip_prefix &&
	    normalise(opts->strip_prefix, ctx->prefix, sizeof(ctx->prefix),
		      &why) != 0)
		return common_err_set(err, -EINVAL,
				      "extract %s: bad strip prefix '%s': %s",
				      ctx->label, opts->strip_prefix, why);
	rc = check_dest_empty(dest_dir, err);
	if (rc)
		return rc;
	if (!realpath(dest_dir, ctx->root))
		return common_err_set(err, -errno, "extract into %s: %s",
				      dest_dir, strerror(errno));
	if (stat(archive_path, &ast) == 0)
		ctx->archive_size = (unsigned long long)ast.st_size;
	return 0;
}

static void ctx_fini(struct extract_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nlinks; i++)
		free(ctx->links[i]);
	free(ctx->links);
}

/* The archive reader and the disk writer. */
static int open_archives(struct extract_ctx *ctx, const char *archive_path,
			 struct archive **in, struct archive **out,
			 struct common_err *err)
{
	*in = archive_read_new();
	*out = archive_write_disk_new();
	if (!*in || !*out)
		return common_err_set(err, -ENOMEM, "extract %s: out of memory",
				      ctx->label);
	archive_read_support_filter_all(*in);
	archive_read_support_format_all(*in);
	/* Not ARCHIVE_EXTRACT_PERM: modes are the archive's minus the
	 * umask, so a shared cache (umask 002) is group-readable and a
	 * private one (077) private. */
	archive_write_disk_set_options(*out, ARCHIVE_EXTRACT_TIME |
					     ARCHIVE_EXTRACT_SECURE_SYMLINKS |
					     ARCHIVE_EXTRACT_SECURE_NODOTDOT);
	if (archive_read_open_filename(*in, archive_path, 64 * 1024) !=
	    ARCHIVE_OK)
		return common_err_set(err, -EIO, "extract %s: %s", archive_path,
				      archive_error_string(*in));
	return 0;
}

/* Bytes of the archive read so far; its size only once, at the end. */
static void report_progress(const struct extract_ctx *ctx, struct archive *in,
			    bool complete)
{
	unsigned long long done, total = ctx->archive_size;

	if (!ctx->opts || !ctx->opts->progress)
		return;
	if (complete) {
		if (total)
			ctx->opts->progress(ctx->opts->progress_ctx, ctx->label,
					    total, total);
		return;
	}
	done = (unsigned long long)archive_filter_bytes(in, -1);
	if (total && done >= total)
		done = total - 1;
	ctx->opts->progress(ctx->opts->progress_ctx, ctx->label, done, total);
}

/* Every entry, then the checks that need the whole tree. */
static int extract_all(struct extract_ctx *ctx, struct archive *in,
		       struct archive *out, struct rungo_extract_stats *st,
		       struct common_err *err)
{
	struct archive_entry *e;
	int r, rc;

	for (;;) {
		r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return common_err_set(err, -EIO, "extract %s: %s",
					      ctx->label,
					      archive_error_string(in));
		rc = extract_entry(ctx, in, out, e, st, err);
		if (rc)
			return rc;
		report_progress(ctx, in, false);
	}
	if (archive_write_close(out) != ARCHIVE_OK)
		return write_error(ctx, NULL, out, err);
	return recheck_links(ctx, err);
}

int rungo_archive_extract(const char *archive_path, const char *dest_dir,
			  const struct rungo_extract_opts *opts,
			  struct rungo_extract_stats *stats,
			  struct common_err *err)
{
	struct extract_ctx ctx;
	struct rungo_extract_stats st;
	struct archive *in = NULL, *out = NULL;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = ctx_init(&ctx, archive_path, dest_dir, opts, err);
	if (rc == 0)
		rc = open_archives(&ctx, archive_path, &in, &out, err);
	if (rc == 0)
		rc = extract_all(&ctx, in, out, &st, err);
	if (rc == 0) {
		report_progress(&ctx, in, true);
		if (stats)
			*stats = st;
	}
	ctx_fini(&ctx);
	if (out)
		archive_write_free(out);
	if (in)
		archive_read_free(in);
	return rc;
}
