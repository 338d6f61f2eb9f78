/* SPDX-License-Identifier: MIT */
/* rungo/modcache.c - verified module zips and go.mod files in the shared
 * cache (protocol in rungo/modcache.h). */
#include "rungo/modcache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/sha256.h"
#include "rungo/fetch.h"

#define INFO_MAX (1u << 20)
#define GOMOD_MAX (16u << 20)

/* Paths of one module version. */
struct paths {
	char id[40];          /* "mod-<32 hex>" */
	char dir[PATH_MAX];   /* modules/<path>/@v */
	char mod[PATH_MAX];
	char info[PATH_MAX];
	char zip[PATH_MAX];
	char ziphash[PATH_MAX];
	char dl[PATH_MAX];    /* downloads/<id>.zip */
	char lock[PATH_MAX];
};

int rungo_modcache_dir(const struct rungo_cache *c, char *buf, size_t size)
{
	return rungo_cache_subdir(c, "modules", buf, size);
}

static int make_paths(const struct rungo_modcache_opts *o, const char *path,
		      const struct rungo_modver *v, struct paths *p,
		      struct common_err *err)
{
	char ep[RUNGO_MODPATH_MAX * 2], ev[RUNGO_MODVER_MAX * 2];
	char root[PATH_MAX], key[RUNGO_MODPATH_MAX + RUNGO_MODVER_MAX + 2];
	char sha[65];
	const char *r = rungo_cache_root(o->cache);
	int rc;

	rc = rungo_modpath_check(path, err);
	if (rc)
		return rc;
	rc = rungo_modpath_check_version(path, v, err);
	if (rc)
		return rc;
	if (rungo_modpath_escape(path, ep, sizeof(ep)) ||
	    rungo_modpath_escape(v->str, ev, sizeof(ev)) ||
	    rungo_modcache_dir(o->cache, root, sizeof(root)) ||
	    common_pathf(key, sizeof(key), "%s@%s", path, v->str))
		return common_err_set(err, -ENAMETOOLONG, "%s@%s: name too long",
				      path, v->str);
	common_sha256_buf(key, strlen(key), sha);
	sha[32] = '\0';
	if (common_pathf(p->id, sizeof(p->id), "mod-%s", sha) ||
	    common_pathf(p->dir, sizeof(p->dir), "%s/%s/@v", root, ep) ||
	    common_pathf(p->mod, sizeof(p->mod), "%s/%s.mod", p->dir, ev) ||
	    common_pathf(p->info, sizeof(p->info), "%s/%s.info", p->dir, ev) ||
	    common_pathf(p->zip, sizeof(p->zip), "%s/%s.zip", p->dir, ev) ||
	    common_pathf(p->ziphash, sizeof(p->ziphash), "%s/%s.ziphash", p->dir, ev) ||
	    common_pathf(p->dl, sizeof(p->dl), "%s/downloads/%s.zip", r, p->id) ||
	    common_pathf(p->lock, sizeof(p->lock), "%s/locks/%s.lock", r, p->id))
		return common_err_set(err, -ENAMETOOLONG, "%s@%s: path too long",
				      path, v->str);
	return 0;
}

static int lock_file(const char *path, struct common_err *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);

	if (fd < 0)
		return common_err_set(err, -errno, "lock %s: %s", path,
				      strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		int e = errno;

		if (e == EINTR)
			continue;
		close(fd);
		return common_err_set(err, -e, "lock %s: %s", path, strerror(e));
	}
	return fd;
}

/* Compare h1 with the record in sums, or record it.  *recorded: added. */
static int check_sum(const struct rungo_modcache_opts *o, const char *path,
		     const struct rungo_modver *v, bool gomod, const char *h1,
		     const char *what, bool *recorded, struct common_err *err)
{
	char want[RUNGO_H1_SIZE];

	if (recorded)
		*recorded = false;
	if (!o->sums)
		return 0;
	if (rungo_gosum_lookup(o->sums, path, v, gomod, want)) {
		if (strcmp(want, h1) == 0)
			return 0;
		return common_err_set(err, -EPROTO,
				      "module %s@%s: checksum mismatch: %s has %s, but the recorded go.sum line says %s; the proxy or a cache serves different content than when this version was first measured (if the version was re-published on purpose, delete its lines from the sum file and run again)",
				      path, v->str, what, h1, want);
	}
	if (recorded)
		*recorded = true;
	return rungo_gosum_add(o->sums, path, v, gomod, h1, err);
}

/* Read a small file whose first line is an h1 hash. */
static int read_ziphash(const char *file, char out[RUNGO_H1_SIZE])
{
	char *text = NULL;
	size_t len = 0, n;
	int rc = common_fs_read_file(file, 4096, &text, &len, NULL);

	if (rc)
		return rc;
	n = strcspn(text, "\r\n");
	if (n == 0 || n >= RUNGO_H1_SIZE || strncmp(text, "h1:", 3) != 0) {
		free(text);
		return -EPROTO;
	}
	memcpy(out, text, n);
	out[n] = '\0';
	free(text);
	return 0;
}

static int fetch_gomod(const struct rungo_modcache_opts *o, const char *path,
		       const struct rungo_modver *v, const struct paths *p,
		       char **text, size_t *len, char h1[RUNGO_H1_SIZE],
		       struct common_err *err)
{
	char sum[RUNGO_H1_SIZE];
	int rc;

	*text = NULL;
	rc = common_fs_read_file(p->mod, GOMOD_MAX, text, len, NULL);
	if (rc == 0) {
		rungo_dirhash_gomod(*text, *len, sum);
		rc = check_sum(o, path, v, true, sum, "the cached go.mod", NULL,
			       err);
		goto out;
	}
	if (!o->proxy)
		return common_err_set(err, -ENOENT,
				      "module %s@%s: go.mod is not cached and no proxy was given",
				      path, v->str);
	rc = rungo_goproxy_mod(o->proxy, path, v, text, len, err);
	if (rc)
		return rc;
	rungo_dirhash_gomod(*text, *len, sum);
	rc = check_sum(o, path, v, true, sum, "the proxy's go.mod", NULL, err);
	if (rc)
		goto out;
	rc = common_fs_mkdir_p(p->dir, err);
	if (rc == 0)
		rc = common_fs_write_atomic(p->mod, *text, *len, err);
out:
	if (rc) {
		free(*text);
		*text = NULL;
		return rc;
	}
	if (h1)
		memcpy(h1, sum, sizeof(sum));
	return 0;
}

int rungo_modcache_gomod(const struct rungo_modcache_opts *o,
			 const char *path, const struct rungo_modver *v,
			 char **text, size_t *len, char h1[RUNGO_H1_SIZE],
			 struct common_err *err)
{
	struct paths p;
	size_t l = 0;
	int rc;

	*text = NULL;
	if (!o || !o->cache || !path || !v)
		return common_err_set(err, -EINVAL, "module cache: missing argument");
	rc = make_paths(o, path, v, &p, err);
	if (rc)
		return rc;
	rc = fetch_gomod(o, path, v, &p, text, &l, h1, err);
	if (len)
		*len = l;
	return rc;
}

static int write_info(const struct paths *p, const struct rungo_modinfo *mi,
		      struct common_err *err)
{
	char buf[RUNGO_MODVER_MAX + 128];
	int n;

	if (mi->time[0])
		n = snprintf(buf, sizeof(buf),
			     "{\"Version\":\"%s\",\"Time\":\"%s\"}\n",
			     mi->version.str, mi->time);
	else
		n = snprintf(buf, sizeof(buf), "{\"Version\":\"%s\"}\n",
			     mi->version.str);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return common_err_set(err, -EINVAL, "%s: .info too long", p->info);
	return common_fs_write_atomic(p->info, buf, (size_t)n, err);
}

/* Time of a cached .info ("" when absent or odd). */
static void read_info_time(const char *file, char *out, size_t size)
{
	char *text = NULL, *t, *end;
	size_t len = 0;

	out[0] = '\0';
	if (common_fs_read_file(file, INFO_MAX, &text, &len, NULL) != 0)
		return;
	t = strstr(text, "\"Time\":\"");
	if (t) {
		t += 8;
		end = strchr(t, '"');
		if (end && (size_t)(end - t) < size) {
			memcpy(out, t, (size_t)(end - t));
			out[end - t] = '\0';
		}
	}
	free(text);
}

static int download_locked(const struct rungo_modcache_opts *o,
			   const char *path, const struct rungo_modver *v,
			   const struct paths *p, struct rungo_module *out,
			   struct common_err *err)
{
	struct rungo_modinfo mi;
	char prefix[RUNGO_MODPATH_MAX + RUNGO_MODVER_MAX + 4];
	char *mod = NULL;
	size_t modlen = 0;
	struct stat st;
	int rc;

	rc = fetch_gomod(o, path, v, p, &mod, &modlen, out->gomod_h1, err);
	free(mod);
	if (rc)
		return rc;
	if (access(p->zip, F_OK) == 0 && access(p->ziphash, F_OK) == 0) {
		rc = read_ziphash(p->ziphash, out->h1);
		if (rc == 0) {
			read_info_time(p->info, out->time, sizeof(out->time));
			return check_sum(o, path, v, false, out->h1,
					 "the cached zip", &out->recorded,
					 err);
		}
		common_logf(o->log, o->log_ctx, COMMON_LOG_WARN,
			    "%s is unreadable; downloading %s@%s again",
			    p->ziphash, path, v->str);
	}
	if (!o->proxy)
		return common_err_set(err, -ENOENT,
				      "module %s@%s is not cached and no proxy was given",
				      path, v->str);
	rc = rungo_goproxy_info(o->proxy, path, v, &mi, err);
	if (rc)
		return rc;
	if (stat(p->dl, &st) != 0) {
		common_logf(o->log, o->log_ctx, COMMON_LOG_INFO,
			    "downloading %s@%s", path, v->str);
		rc = rungo_goproxy_zip(o->proxy, path, v, p->dl, err);
		if (rc)
			return rc;
		out->downloaded = true;
	}
	if (common_pathf(prefix, sizeof(prefix), "%s@%s/", path, v->str))
		return common_err_set(err, -ENAMETOOLONG, "%s@%s: too long", path,
				      v->str);
	rc = rungo_dirhash_zip(p->dl, prefix, out->h1, err);
	if (rc) {
		unlink(p->dl);
		return common_err_prefix(err, rc, "module %s@%s", path, v->str);
	}
	rc = check_sum(o, path, v, false, out->h1, "the downloaded zip",
		       &out->recorded, err);
	if (rc) {
		unlink(p->dl);
		return rc;
	}
	if ((rc = common_fs_mkdir_p(p->dir, err)) || (rc = write_info(p, &mi, err)))
		return rc;
	if (rename(p->dl, p->zip) != 0)
		return common_err_set(err, -errno, "rename %s to %s: %s", p->dl,
				      p->zip, strerror(errno));
	{
		char line[RUNGO_H1_SIZE + 1];
		int n = snprintf(line, sizeof(line), "%s", out->h1);

		rc = common_fs_write_atomic(p->ziphash, line, (size_t)n, err);
		if (rc)
			return rc;
	}
	snprintf(out->time, sizeof(out->time), "%s", mi.time);
	return 0;
}

int rungo_modcache_download(const struct rungo_modcache_opts *o,
			    const char *path, const struct rungo_modver *v,
			    struct rungo_module *out, struct common_err *err)
{
	struct paths p;
	int fd, rc;

	if (!o || !o->cache || !path || !v || !out)
		return common_err_set(err, -EINVAL, "module cache: missing argument");
	memset(out, 0, sizeof(*out));
	rc = make_paths(o, path, v, &p, err);
	if (rc)
		return rc;
	snprintf(out->path, sizeof(out->path), "%s", path);
	out->version = *v;
	snprintf(out->zip, sizeof(out->zip), "%s", p.zip);
	fd = lock_file(p.lock, err);
	if (fd < 0)
		return fd;
	rc = download_locked(o, path, v, &p, out, err);
	close(fd);
	return rc;
}
