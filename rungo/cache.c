/* SPDX-License-Identifier: MIT */
/*
 * rungo/cache.c - the shared toolchain cache (layout in rungo/cache.h).
 *
 * Protocol for one toolchain id ("go1.22.4.linux-amd64"), all under the
 * flock(2) of locks/<id>.lock:
 *   1. toolchains/<id> exists -> done (it is complete by construction);
 *   2. leftovers tmp/<id>.* of an interrupted run are removed (nobody else
 *      can own them: we hold the lock);
 *   3. downloads/<archive> is fetched (a .part is resumed) and verified
 *      against the index's size and sha256;
 *   4. extracted into tmp/<id>.XXXXXX with .lutgen-toolchain.json inside,
 *      synced, renamed to toolchains/<id>; the archive is removed.
 * A crash at any point leaves either no toolchains/<id> or a complete one.
 */
#include "rungo/cache.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rungo/archive.h"

#define META_NAME ".lutgen-toolchain.json"
#define ID_MAX 128

extern char **environ;

struct rungo_cache {
	char root[PATH_MAX];
	char *download_url;
	bool no_trim;
	struct rungo_fetch_opts fetch;
	rungo_log_fn log;
	void *log_ctx;
	pthread_mutex_t lock;             /* guards locals */
	struct rungo_toolchain *locals;   /* registered GOROOTs */
	size_t nlocals;
};

static const char *const subdirs[] = {
	"toolchains", "downloads", "locks", "tmp", "gocache", "results",
};

static void logmsg(const struct rungo_cache *c, enum rungo_log_level level,
		   const char *fmt, ...) RUNGO_PRINTF(3, 4);

static void logmsg(const struct rungo_cache *c, enum rungo_log_level level,
		   const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!c->log)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->log(c->log_ctx, level, buf);
}

static int pathf(char *buf, size_t size, const char *fmt, ...)
	RUNGO_PRINTF(3, 4);

static int pathf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* A plain file name: no '/', not "." or "..", not empty. */
static bool plain_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

static int fsync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_RDONLY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* ---- filesystem helpers shared by rungo and lutgen (rungo/cache.h) ---- */

int rungo_fs_mkdir_p(const char *path, struct rungo_err *err)
{
	char buf[PATH_MAX];
	size_t i;

	if (!path || !*path)
		return rungo_err_set(err, -EINVAL, "create directory: empty name");
	if (pathf(buf, sizeof(buf), "%s", path))
		return rungo_err_set(err, -ENAMETOOLONG,
				     "create %s: name too long", path);
	for (i = 1; buf[i]; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return rungo_err_set(err, -errno, "create %s: %s", buf,
					     strerror(errno));
		buf[i] = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return rungo_err_set(err, -errno, "create %s: %s", buf,
				     strerror(errno));
	return 0;
}

int rungo_fs_read_file(const char *path, size_t max, char **out, size_t *len,
		       struct rungo_err *err)
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
		return rungo_err_set(err, -errno, "read %s: %s", path,
				     strerror(errno));
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				rc = rungo_err_set(err, -ENOMEM,
						   "read %s: out of memory",
						   path);
				goto out;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (max && n > max) {
			rc = rungo_err_set(err, -EFBIG,
					   "read %s: larger than %zu bytes",
					   path, max);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = rungo_err_set(err, errno ? -errno : -EIO, "read %s: %s",
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

int rungo_fs_write_atomic(const char *path, const void *data, size_t len,
			  struct rungo_err *err)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t off = 0;
	int fd = -1, rc = 0;

	if (!*base)
		return rungo_err_set(err, -EINVAL, "write %s: not a file name",
				     path);
	if (pathf(dir, sizeof(dir), "%.*s",
		  slash ? (int)(slash - path + (slash == path)) : 1,
		  slash ? path : ".") ||
	    pathf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base))
		return rungo_err_set(err, -ENAMETOOLONG,
				     "write %s: name too long", path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return rungo_err_set(err, -errno,
				     "write %s: create a temporary file in %s: %s",
				     path, dir, strerror(errno));
	while (off < len) {
		ssize_t w = write(fd, (const char *)data + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rc = rungo_err_set(err, -errno, "write %s: %s", tmp,
					   strerror(errno));
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		rc = rungo_err_set(err, -errno, "write %s: %s", tmp,
				   strerror(errno));
		goto out;
	}
	rc = close(fd);
	fd = -1;
	if (rc != 0) {
		rc = rungo_err_set(err, -errno, "write %s: %s", tmp,
				   strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rc = rungo_err_set(err, -errno, "rename %s to %s: %s", tmp,
				   path, strerror(errno));
		goto out;
	}
	fsync_path(dir, O_DIRECTORY);  /* best effort: the rename is durable */
out:
	if (fd >= 0)
		close(fd);
	if (rc)
		unlink(tmp);
	return rc;
}

/* Remove `name` under dirfd recursively; adds the size of removed regular
 * files to *bytes.  Directories lacking u+rwx are fixed up first. */
static int rm_tree_at(int dirfd, const char *name, uint64_t *bytes)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd, rc = 0, r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) != 0)
			return errno == ENOENT ? 0 : -errno;
		if (S_ISREG(st.st_mode) && bytes)
			*bytes += (uint64_t)st.st_size;
		return 0;
	}
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		fchmodat(dirfd, name, (st.st_mode & 07777) | S_IRWXU, 0);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
					 O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = rm_tree_at(fd, de->d_name, bytes);
		if (r && !rc)
			rc = r;
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT &&
	    !rc)
		rc = -errno;
	return rc;
}

static int rm_tree(const char *path, uint64_t *bytes)
{
	return rm_tree_at(AT_FDCWD, path, bytes);
}

/* ---- opening ----------------------------------------------------------- */

static int default_root(char *buf, size_t size, struct rungo_err *err)
{
	const char *e = getenv("LUTGEN_CACHE");
	const char *home;

	if (e && *e)
		return pathf(buf, size, "%s", e) ?
			rungo_err_set(err, -ENAMETOOLONG,
				      "LUTGEN_CACHE is too long") : 0;
	e = getenv("XDG_CACHE_HOME");
	if (e && e[0] == '/')
		return pathf(buf, size, "%s/lutgen", e) ?
			rungo_err_set(err, -ENAMETOOLONG,
				      "XDG_CACHE_HOME is too long") : 0;
	home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || !*home)
		return rungo_err_set(err, -ENOENT,
				     "no cache directory: set LUTGEN_CACHE or HOME, or pass --cache");
	return pathf(buf, size, "%s/.cache/lutgen", home) ?
		rungo_err_set(err, -ENAMETOOLONG, "HOME is too long") : 0;
}

int rungo_cache_open(const struct rungo_cache_opts *opts,
		     struct rungo_cache **out, struct rungo_err *err)
{
	struct rungo_cache *c;
	char want[PATH_MAX], sub[PATH_MAX + 16];
	const char *url;
	size_t i;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c)
		return rungo_err_set(err, -ENOMEM, "out of memory");
	pthread_mutex_init(&c->lock, NULL);
	if (opts && opts->dir && *opts->dir)
		rc = pathf(want, sizeof(want), "%s", opts->dir) ?
			rungo_err_set(err, -ENAMETOOLONG,
				      "cache directory name too long") : 0;
	else
		rc = default_root(want, sizeof(want), err);
	if (rc)
		goto fail;
	rc = rungo_fs_mkdir_p(want, err);
	if (rc)
		goto fail;
	if (!realpath(want, c->root)) {
		rc = rungo_err_set(err, -errno, "cache directory %s: %s", want,
				   strerror(errno));
		goto fail;
	}
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		if (pathf(sub, sizeof(sub), "%s/%s", c->root, subdirs[i])) {
			rc = rungo_err_set(err, -ENAMETOOLONG,
					   "cache directory name too long");
			goto fail;
		}
		rc = rungo_fs_mkdir_p(sub, err);
		if (rc)
			goto fail;
	}
	url = opts && opts->download_url && *opts->download_url ?
		      opts->download_url : RUNGO_DEFAULT_DOWNLOAD_URL;
	c->download_url = strdup(url);
	if (!c->download_url) {
		rc = rungo_err_set(err, -ENOMEM, "out of memory");
		goto fail;
	}
	if (opts) {
		c->no_trim = opts->no_trim;
		c->fetch = opts->fetch;
		c->log = opts->log;
		c->log_ctx = opts->log_ctx;
	}
	*out = c;
	return 0;
fail:
	rungo_cache_free(c);
	return rc;
}

void rungo_cache_free(struct rungo_cache *c)
{
	if (!c)
		return;
	free(c->download_url);
	free(c->locals);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

const char *rungo_cache_root(const struct rungo_cache *c)
{
	return c->root;
}

int rungo_cache_subdir(const struct rungo_cache *c, const char *name,
		       char *buf, size_t size)
{
	return pathf(buf, size, "%s/%s", c->root, name);
}

int rungo_cache_gocache_dir(const struct rungo_cache *c,
			    const struct rungo_toolchain *tc, char *buf,
			    size_t size)
{
	const char *slash;

	if (tc->local)
		return pathf(buf, size, "%s/gocache/%s.local", c->root,
			     tc->version_str);
	slash = strrchr(tc->goroot, '/');
	return pathf(buf, size, "%s/gocache/%s", c->root,
		     slash ? slash + 1 : tc->goroot);
}

/* ---- locks ------------------------------------------------------------- */

/* Lock locks/<id>.lock.  Returns the fd (>= 0), -EWOULDBLOCK when
 * `nonblock` and somebody holds it, or another negative errno. */
static int lock_id(const struct rungo_cache *c, const char *id, bool nonblock,
		   struct rungo_err *err)
{
	char path[PATH_MAX];
	int fd;

	if (pathf(path, sizeof(path), "%s/locks/%s.lock", c->root, id))
		return rungo_err_set(err, -ENAMETOOLONG, "lock %s: name too long",
				     id);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return rungo_err_set(err, -errno, "lock %s: %s", path,
				     strerror(errno));
	for (;;) {
		if (flock(fd, LOCK_EX | (nonblock ? LOCK_NB : 0)) == 0)
			return fd;
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			close(fd);
			return -EWOULDBLOCK;
		}
		{
			int e = errno;

			close(fd);
			return rungo_err_set(err, -e, "lock %s: %s", path,
					     strerror(e));
		}
	}
}

static void unlock_id(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

/* ---- metadata ---------------------------------------------------------- */

struct meta {
	const char *version;
	const char *os;
	const char *arch;
	const char *sha256;
	const char *archive;
	bool trimmed;
	const struct rungo_extract_stats *st;
};

static int write_meta(const char *dir, const struct meta *m,
		      struct rungo_err *err)
{
	char path[PATH_MAX];
	cJSON *doc = cJSON_CreateObject();
	char *text = NULL;
	size_t len;
	int fd = -1, rc = 0;

	if (!doc ||
	    !cJSON_AddStringToObject(doc, "version", m->version) ||
	    !cJSON_AddStringToObject(doc, "os", m->os) ||
	    !cJSON_AddStringToObject(doc, "arch", m->arch) ||
	    !cJSON_AddStringToObject(doc, "sha256", m->sha256) ||
	    !cJSON_AddStringToObject(doc, "archive", m->archive) ||
	    !cJSON_AddBoolToObject(doc, "trimmed", m->trimmed) ||
	    !cJSON_AddNumberToObject(doc, "files", (double)m->st->files_written) ||
	    !cJSON_AddNumberToObject(doc, "disk_bytes",
				     (double)m->st->bytes_written) ||
	    !cJSON_AddNumberToObject(doc, "skipped_files",
				     (double)m->st->files_skipped) ||
	    !cJSON_AddNumberToObject(doc, "saved_bytes",
				     (double)m->st->bytes_skipped)) {
		rc = rungo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	text = cJSON_Print(doc);
	if (!text) {
		rc = rungo_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	if (pathf(path, sizeof(path), "%s/%s", dir, META_NAME)) {
		rc = rungo_err_set(err, -ENAMETOOLONG, "%s: name too long", dir);
		goto out;
	}
	/* Ours, even if the archive shipped something by that name. */
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0644);
	if (fd < 0) {
		rc = rungo_err_set(err, -errno, "write %s: %s", path,
				   strerror(errno));
		goto out;
	}
	len = strlen(text);
	if (write(fd, text, len) != (ssize_t)len || write(fd, "\n", 1) != 1 ||
	    fsync(fd) != 0) {
		rc = rungo_err_set(err, -EIO, "write %s: %s", path,
				   strerror(errno));
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	free(text);
	cJSON_Delete(doc);
	return rc;
}

static uint64_t json_u64(const cJSON *doc, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(doc, key);

	return cJSON_IsNumber(x) && x->valuedouble > 0 ?
		       (uint64_t)x->valuedouble : 0;
}

/* Fill tc from toolchains/<id>/META_NAME.  Returns 0 even when the file
 * is missing or bad (fields then stay at their defaults). */
static void read_meta(const struct rungo_cache *c, const char *goroot,
		      struct rungo_toolchain *tc)
{
	char path[PATH_MAX];
	char *buf = NULL;
	cJSON *doc = NULL;
	const cJSON *x;
	size_t n;

	if (pathf(path, sizeof(path), "%s/%s", goroot, META_NAME))
		return;
	if (rungo_fs_read_file(path, 1 << 20, &buf, &n, NULL) != 0)
		goto bad;
	doc = cJSON_ParseWithLength(buf, n);
	if (!cJSON_IsObject(doc))
		goto bad;
	x = cJSON_GetObjectItemCaseSensitive(doc, "sha256");
	if (cJSON_IsString(x) && strlen(x->valuestring) < sizeof(tc->sha256))
		memcpy(tc->sha256, x->valuestring, strlen(x->valuestring) + 1);
	tc->trimmed = cJSON_IsTrue(
		cJSON_GetObjectItemCaseSensitive(doc, "trimmed"));
	tc->disk_bytes = json_u64(doc, "disk_bytes");
	tc->saved_bytes = json_u64(doc, "saved_bytes");
	goto out;
bad:
	logmsg(c, RUNGO_LOG_WARN, "%s is missing or unreadable", path);
out:
	cJSON_Delete(doc);
	free(buf);
}

/* Split "go1.22.4.linux-amd64" into version and "linux-amd64". */
static int parse_id(const char *id, struct rungo_version *v)
{
	char vs[ID_MAX];
	const char *dot = strrchr(id, '.');

	if (!dot || !strchr(dot, '-') || (size_t)(dot - id) >= sizeof(vs))
		return -EINVAL;
	memcpy(vs, id, (size_t)(dot - id));
	vs[dot - id] = '\0';
	return rungo_version_parse(vs, v, NULL);
}

static int fill_entry(const struct rungo_cache *c, const char *id,
		      struct rungo_toolchain *tc)
{
	memset(tc, 0, sizeof(*tc));
	if (parse_id(id, &tc->version) != 0)
		return -EINVAL;
	if (rungo_version_format(&tc->version, tc->version_str,
				 sizeof(tc->version_str)) < 0)
		return -EINVAL;
	if (pathf(tc->goroot, sizeof(tc->goroot), "%s/toolchains/%s", c->root,
		  id))
		return -ENAMETOOLONG;
	read_meta(c, tc->goroot, tc);
	return 0;
}

/* ---- registered GOROOTs ------------------------------------------------ */

static int version_from_file(const char *dir, struct rungo_version *v)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	size_t n;

	if (pathf(path, sizeof(path), "%s/VERSION", dir))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		return -EINVAL;
	}
	fclose(f);
	n = strcspn(line, "\r\n \t");
	line[n] = '\0';
	return rungo_version_parse(line, v, NULL);
}

/* Environment of the child: ours with GOTOOLCHAIN=local, GOROOT=dir. */
static char **child_env(const char *goroot, char *gorootvar, size_t size)
{
	size_t n = 0, i, j = 0;
	char **env;

	if (pathf(gorootvar, size, "GOROOT=%s", goroot))
		return NULL;
	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "GOTOOLCHAIN=", 12) != 0 &&
		    strncmp(environ[i], "GOROOT=", 7) != 0)
			env[j++] = environ[i];
	env[j++] = (char *)"GOTOOLCHAIN=local";
	env[j++] = gorootvar;
	env[j] = NULL;
	return env;
}

/* Run DIR/bin/go version (no shell) and parse "go version goX.Y os/arch". */
static int version_from_go(const char *dir, struct rungo_version *v,
			   char *why, size_t whysize)
{
	char gobin[PATH_MAX], gorootvar[PATH_MAX + 8], out[512];
	char *argv[] = { gobin, (char *)"version", NULL };
	posix_spawn_file_actions_t fa;
	char **env = NULL;
	int pipefd[2] = { -1, -1 };
	size_t len = 0;
	pid_t pid = -1;
	int rc, status;
	char *tok, *save = NULL;

	if (pathf(gobin, sizeof(gobin), "%s/bin/go", dir))
		return -ENAMETOOLONG;
	if (access(gobin, X_OK) != 0) {
		snprintf(why, whysize, "%s: %s", gobin, strerror(errno));
		return -ENOENT;
	}
	env = child_env(dir, gorootvar, sizeof(gorootvar));
	if (!env || pipe2(pipefd, O_CLOEXEC) != 0) {
		free(env);
		return -ENOMEM;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
					 O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	rc = posix_spawn(&pid, gobin, &fa, NULL, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	free(env);
	if (rc != 0) {
		close(pipefd[0]);
		snprintf(why, whysize, "run %s: %s", gobin, strerror(rc));
		return -rc;
	}
	for (;;) {
		ssize_t r = read(pipefd[0], out + len, sizeof(out) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(out) - 1)
			break;
	}
	out[len] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, whysize, "'%s version' failed", gobin);
		return -EIO;
	}
	/* "go version go1.22.4 linux/amd64" */
	tok = strtok_r(out, " \t\n", &save);
	if (tok && strcmp(tok, "go") == 0)
		tok = strtok_r(NULL, " \t\n", &save);
	if (tok && strcmp(tok, "version") == 0)
		tok = strtok_r(NULL, " \t\n", &save);
	if (!tok || rungo_version_parse(tok, v, NULL) != 0) {
		snprintf(why, whysize, "'%s version' printed no release version",
			 gobin);
		return -EINVAL;
	}
	return 0;
}

int rungo_cache_add_goroot(struct rungo_cache *c, const char *dir,
			   struct rungo_err *err)
{
	struct rungo_toolchain tc;
	char why[PATH_MAX + 64] = "";
	size_t i;
	int rc;

	memset(&tc, 0, sizeof(tc));
	if (!realpath(dir, tc.goroot))
		return rungo_err_set(err, -errno, "GOROOT %s: %s", dir,
				     strerror(errno));
	if (version_from_file(tc.goroot, &tc.version) != 0) {
		rc = version_from_go(tc.goroot, &tc.version, why, sizeof(why));
		if (rc)
			return rungo_err_set(err, rc < 0 ? rc : -EINVAL,
					     "GOROOT %s: no usable VERSION file and cannot ask its go command (%s)",
					     dir, why[0] ? why : strerror(-rc));
	}
	if (rungo_version_format(&tc.version, tc.version_str,
				 sizeof(tc.version_str)) < 0)
		return rungo_err_set(err, -EINVAL, "GOROOT %s: bad version", dir);
	tc.local = true;
	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nlocals; i++)
		if (rungo_version_cmp(&c->locals[i].version, &tc.version) == 0)
			break;
	if (i == c->nlocals) {
		struct rungo_toolchain *n =
			realloc(c->locals, (c->nlocals + 1) * sizeof(*n));

		if (!n) {
			pthread_mutex_unlock(&c->lock);
			return rungo_err_set(err, -ENOMEM, "out of memory");
		}
		c->locals = n;
		c->nlocals++;
	}
	c->locals[i] = tc;
	pthread_mutex_unlock(&c->lock);
	logmsg(c, RUNGO_LOG_DEBUG, "registered GOROOT %s as %s", tc.goroot,
	       tc.version_str);
	return 0;
}

static bool find_local(struct rungo_cache *c, const struct rungo_version *v,
		       struct rungo_toolchain *out)
{
	bool found = false;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nlocals; i++) {
		if (rungo_version_cmp(&c->locals[i].version, v) == 0) {
			*out = c->locals[i];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return found;
}

/* ---- install ----------------------------------------------------------- */

/* Remove tmp/<id>.* left by an interrupted run (caller holds id's lock). */
static void clean_tmp_for(const struct rungo_cache *c, const char *id)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	size_t idlen = strlen(id);
	struct dirent *de;
	DIR *d;

	if (pathf(dir, sizeof(dir), "%s/tmp", c->root))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, id, idlen) != 0 ||
		    de->d_name[idlen] != '.' || strchr(de->d_name + idlen + 1, '.'))
			continue;
		if (pathf(path, sizeof(path), "%s/%s", dir, de->d_name))
			continue;
		logmsg(c, RUNGO_LOG_DEBUG, "removing leftover %s", path);
		rm_tree(path, NULL);
	}
	closedir(d);
}

static int archive_url(const struct rungo_cache *c, const char *filename,
		       char *buf, size_t size)
{
	size_t n = strlen(c->download_url);
	bool slash = n > 0 && c->download_url[n - 1] == '/';

	return pathf(buf, size, "%s%s%s", c->download_url, slash ? "" : "/",
		     filename);
}

/* Make downloads/<filename> a verified copy of the archive. */
static int download(struct rungo_cache *c, const struct rungo_file *f,
		    const char *dest, struct rungo_err *err)
{
	char url[PATH_MAX], sum[65];
	struct stat st;
	int rc;

	if (stat(dest, &st) == 0) {
		/* Finished by an interrupted run: verify, else start over. */
		if (rungo_sha256_file(dest, sum, NULL) == 0 &&
		    strcmp(sum, f->sha256) == 0 &&
		    (f->size == 0 || (uint64_t)st.st_size == f->size))
			return 0;
		logmsg(c, RUNGO_LOG_WARN, "%s does not match the index; downloading again",
		       dest);
		unlink(dest);
	}
	if (archive_url(c, f->filename, url, sizeof(url)))
		return rungo_err_set(err, -ENAMETOOLONG,
				     "download %s: URL too long", f->filename);
	logmsg(c, RUNGO_LOG_INFO, "downloading %s", url);
	rc = rungo_fetch_file(url, dest, f->filename, f->size, f->sha256,
			      &c->fetch, err);
	return rc;
}

static int install_locked(struct rungo_cache *c, const struct rungo_index *idx,
			  const struct rungo_version *v, const char *vs,
			  const char *os, const char *arch, const char *id,
			  struct rungo_toolchain *out, struct rungo_err *err)
{
	const struct rungo_file *f;
	struct rungo_extract_opts xo;
	struct rungo_extract_stats st;
	struct meta m;
	char final[PATH_MAX], dl[PATH_MAX], tmp[PATH_MAX], dir[PATH_MAX];
	struct stat sb;
	bool have_tmp = false;
	int rc, fd;

	if (pathf(final, sizeof(final), "%s/toolchains/%s", c->root, id))
		return rungo_err_set(err, -ENAMETOOLONG, "%s: name too long", id);
	if (stat(final, &sb) == 0 && S_ISDIR(sb.st_mode))
		return fill_entry(c, id, out) == 0 ? 0 :
			rungo_err_set(err, -EINVAL, "bad cache entry %s", final);
	if (!idx)
		return rungo_err_set(err, -ENOENT,
				     "%s for %s/%s is not installed and no release index was given",
				     vs, os, arch);
	f = rungo_index_find_file(idx, v, os, arch, "archive");
	if (!f)
		return rungo_err_set(err, -ENOENT,
				     "no %s archive for %s/%s in the release index",
				     vs, os, arch);
	if (!plain_name(f->filename))
		return rungo_err_set(err, -EPROTO,
				     "release index names a bad archive file '%s' for %s",
				     f->filename ? f->filename : "", vs);
	if (!f->sha256[0])
		return rungo_err_set(err, -EPROTO,
				     "%s: the release index has no sha256 for it, so there is nothing to verify it against; refusing to install",
				     f->filename);
	if (pathf(dl, sizeof(dl), "%s/downloads/%s", c->root, f->filename) ||
	    pathf(tmp, sizeof(tmp), "%s/tmp/%s.XXXXXX", c->root, id) ||
	    pathf(dir, sizeof(dir), "%s/toolchains", c->root))
		return rungo_err_set(err, -ENAMETOOLONG, "%s: name too long", id);

	clean_tmp_for(c, id);
	rc = download(c, f, dl, err);
	if (rc)
		return rc;

	if (!mkdtemp(tmp))
		return rungo_err_set(err, -errno, "create %s: %s", tmp,
				     strerror(errno));
	have_tmp = true;
	memset(&xo, 0, sizeof(xo));
	xo.strip_prefix = "go/";
	xo.trim = !c->no_trim;
	xo.progress = c->fetch.progress;
	xo.progress_ctx = c->fetch.progress_ctx;
	logmsg(c, RUNGO_LOG_INFO, "extracting %s%s", f->filename,
	       xo.trim ? " (trimmed)" : "");
	rc = rungo_archive_extract(dl, tmp, &xo, &st, err);
	if (rc)
		goto out;
	memset(&m, 0, sizeof(m));
	m.version = vs;
	m.os = os;
	m.arch = arch;
	m.sha256 = f->sha256;
	m.archive = f->filename;
	m.trimmed = xo.trim;
	m.st = &st;
	rc = write_meta(tmp, &m, err);
	if (rc)
		goto out;
	/* Everything on disk before the tree becomes visible. */
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		syncfs(fd);
		close(fd);
	}
	if (rename(tmp, final) != 0) {
		rc = rungo_err_set(err, -errno, "rename %s to %s: %s", tmp,
				   final, strerror(errno));
		goto out;
	}
	have_tmp = false;
	fsync_path(dir, O_DIRECTORY);
	if (unlink(dl) != 0)
		logmsg(c, RUNGO_LOG_DEBUG, "remove %s: %s", dl, strerror(errno));
	logmsg(c, RUNGO_LOG_INFO,
	       "installed %s (%llu files, %.1f MB; trimming saved %.1f MB)",
	       id, (unsigned long long)st.files_written,
	       (double)st.bytes_written / 1e6, (double)st.bytes_skipped / 1e6);
	rc = fill_entry(c, id, out);
	if (rc)
		rc = rungo_err_set(err, rc, "bad cache entry %s", final);
out:
	if (have_tmp)
		rm_tree(tmp, NULL);
	return rc;
}

int rungo_cache_install(struct rungo_cache *c, const struct rungo_index *idx,
			const struct rungo_version *v, const char *os,
			const char *arch, struct rungo_toolchain *out,
			struct rungo_err *err)
{
	char vs[RUNGO_VERSION_STR_MAX], id[ID_MAX];
	int fd, rc;

	if (find_local(c, v, out))
		return 0;
	if (rungo_version_format(v, vs, sizeof(vs)) < 0)
		return rungo_err_set(err, -EINVAL, "bad version");
	if (!plain_name(os) || !plain_name(arch) || strchr(os, '.') ||
	    strchr(arch, '.'))
		return rungo_err_set(err, -EINVAL, "bad platform '%s/%s'",
				     os ? os : "", arch ? arch : "");
	if (pathf(id, sizeof(id), "%s.%s-%s", vs, os, arch))
		return rungo_err_set(err, -ENAMETOOLONG, "bad platform '%s/%s'",
				     os, arch);
	fd = lock_id(c, id, true, err);
	if (fd == -EWOULDBLOCK) {
		logmsg(c, RUNGO_LOG_INFO,
		       "waiting for another process installing %s", id);
		fd = lock_id(c, id, false, err);
	}
	if (fd < 0)
		return fd;
	rc = install_locked(c, idx, v, vs, os, arch, id, out, err);
	unlock_id(fd);
	return rc;
}

/* ---- list -------------------------------------------------------------- */

static int cmp_tc(const void *a, const void *b)
{
	const struct rungo_toolchain *x = a, *y = b;
	int r = rungo_version_cmp(&x->version, &y->version);

	return r ? r : strcmp(x->goroot, y->goroot);
}

int rungo_cache_list(struct rungo_cache *c, struct rungo_toolchain **out,
		     size_t *n, struct rungo_err *err)
{
	struct rungo_toolchain *v = NULL, *nv;
	size_t len = 0, cap = 0, nent;
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (pathf(dir, sizeof(dir), "%s/toolchains", c->root))
		return rungo_err_set(err, -ENAMETOOLONG, "cache root too long");
	d = opendir(dir);
	if (!d)
		return rungo_err_set(err, -errno, "list %s: %s", dir,
				     strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct rungo_toolchain tc;

		if (de->d_name[0] == '.' || fill_entry(c, de->d_name, &tc) != 0)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = rungo_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		v[len++] = tc;
	}
	nent = len;
	if (nent > 1)
		qsort(v, nent, sizeof(*v), cmp_tc);
	pthread_mutex_lock(&c->lock);
	if (c->nlocals) {
		nv = realloc(v, (len + c->nlocals) * sizeof(*v));
		if (!nv) {
			pthread_mutex_unlock(&c->lock);
			rc = rungo_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		v = nv;
		memcpy(v + len, c->locals, c->nlocals * sizeof(*v));
		len += c->nlocals;
	}
	pthread_mutex_unlock(&c->lock);
	if (len - nent > 1)
		qsort(v + nent, len - nent, sizeof(*v), cmp_tc);
	*out = v;
	*n = len;
	v = NULL;
out:
	free(v);
	closedir(d);
	return rc;
}

/* ---- prune ------------------------------------------------------------- */

/* Remove <root>/<sub>/<name> if nobody holds the lock of `id`. */
static void prune_one(struct rungo_cache *c, const char *sub, const char *name,
		      const char *id, struct rungo_prune_stats *st)
{
	char path[PATH_MAX];
	uint64_t bytes = 0;
	int fd;

	if (pathf(path, sizeof(path), "%s/%s/%s", c->root, sub, name))
		return;
	fd = lock_id(c, id, true, NULL);
	if (fd < 0) {
		logmsg(c, RUNGO_LOG_DEBUG, "%s is in use; kept", path);
		return;
	}
	if (rm_tree(path, &bytes) == 0) {
		st->entries_removed++;
		logmsg(c, RUNGO_LOG_DEBUG, "removed %s", path);
	} else {
		logmsg(c, RUNGO_LOG_WARN, "cannot remove %s", path);
	}
	st->bytes_freed += bytes;
	unlock_id(fd);
}

/* id of tmp/<id>.XXXXXX, downloads/<id>.tar.gz[.part] or gocache/<id>. */
static int id_of(const char *sub, const char *name, char *id, size_t size)
{
	static const char *const exts[] = { ".part", ".tar.gz", ".tgz",
					    ".zip" };
	size_t n = strlen(name), i;

	if (n + 1 > size)
		return -ENAMETOOLONG;
	memcpy(id, name, n + 1);
	if (strcmp(sub, "tmp") == 0) {
		char *dot = strrchr(id, '.');

		if (!dot)
			return -EINVAL;
		*dot = '\0';
	} else if (strcmp(sub, "downloads") == 0) {
		for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
			size_t e = strlen(exts[i]);

			n = strlen(id);
			if (n > e && strcmp(id + n - e, exts[i]) == 0)
				id[n - e] = '\0';
		}
	}
	return id[0] ? 0 : -EINVAL;
}

static bool kept(const struct rungo_version *v,
		 const struct rungo_version *keep, size_t n_keep)
{
	size_t i;

	for (i = 0; i < n_keep; i++)
		if (rungo_version_cmp(v, &keep[i]) == 0)
			return true;
	return false;
}

static bool local_gocache(struct rungo_cache *c, const char *name)
{
	char want[RUNGO_VERSION_STR_MAX + 8];
	bool found = false;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->nlocals && !found; i++)
		found = pathf(want, sizeof(want), "%s.local",
			      c->locals[i].version_str) == 0 &&
			strcmp(want, name) == 0;
	pthread_mutex_unlock(&c->lock);
	return found;
}

/* Move toolchains/<id> aside into tmp/ and delete it, under its lock. */
static void prune_toolchain(struct rungo_cache *c, const char *id,
			    struct rungo_prune_stats *st)
{
	char from[PATH_MAX], to[PATH_MAX];
	uint64_t bytes = 0;
	int fd;

	if (pathf(from, sizeof(from), "%s/toolchains/%s", c->root, id) ||
	    pathf(to, sizeof(to), "%s/tmp/%s.XXXXXX", c->root, id))
		return;
	fd = lock_id(c, id, true, NULL);
	if (fd < 0) {
		logmsg(c, RUNGO_LOG_INFO, "%s is being installed; kept", id);
		return;
	}
	/* rename(2) replaces the empty directory mkdtemp made. */
	if (!mkdtemp(to) || rename(from, to) != 0) {
		logmsg(c, RUNGO_LOG_WARN, "cannot remove %s: %s", from,
		       strerror(errno));
		rmdir(to);
		unlock_id(fd);
		return;
	}
	rm_tree(to, &bytes);
	st->entries_removed++;
	st->bytes_freed += bytes;
	logmsg(c, RUNGO_LOG_INFO, "removed %s", id);
	unlock_id(fd);
}

static int scan(struct rungo_cache *c, const char *sub, char ***names,
		size_t *n, struct rungo_err *err)
{
	char dir[PATH_MAX];
	char **v = NULL, **nv;
	size_t len = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (pathf(dir, sizeof(dir), "%s/%s", c->root, sub))
		return rungo_err_set(err, -ENAMETOOLONG, "cache root too long");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 :
			rungo_err_set(err, -errno, "list %s: %s", dir,
				      strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = rungo_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		v[len] = strdup(de->d_name);
		if (!v[len]) {
			rc = rungo_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		len++;
	}
out:
	closedir(d);
	if (rc) {
		while (len)
			free(v[--len]);
		free(v);
		return rc;
	}
	*names = v;
	*n = len;
	return 0;
}

static void free_names(char **v, size_t n)
{
	if (!v)
		return;
	while (n)
		free(v[--n]);
	free(v);
}

int rungo_cache_prune(struct rungo_cache *c, const struct rungo_version *keep,
		      size_t n_keep, bool all, struct rungo_prune_stats *stats,
		      struct rungo_err *err)
{
	struct rungo_prune_stats st = { 0, 0 };
	static const char *const leftovers[] = { "tmp", "downloads" };
	char id[NAME_MAX + 1], path[PATH_MAX];
	char **names = NULL;
	size_t n = 0, i, k;
	struct stat sb;
	int rc = 0;

	for (k = 0; k < sizeof(leftovers) / sizeof(leftovers[0]); k++) {
		rc = scan(c, leftovers[k], &names, &n, err);
		if (rc)
			goto out;
		for (i = 0; i < n; i++)
			if (id_of(leftovers[k], names[i], id, sizeof(id)) == 0)
				prune_one(c, leftovers[k], names[i], id, &st);
		free_names(names, n);
		names = NULL;
	}
	if (n_keep > 0 || all) {
		rc = scan(c, "toolchains", &names, &n, err);
		if (rc)
			goto out;
		for (i = 0; i < n; i++) {
			struct rungo_version v;

			if (names[i][0] == '.' || parse_id(names[i], &v) != 0 ||
			    kept(&v, keep, n_keep))
				continue;
			prune_toolchain(c, names[i], &st);
		}
		free_names(names, n);
		names = NULL;
	}
	rc = scan(c, "gocache", &names, &n, err);
	if (rc)
		goto out;
	for (i = 0; i < n; i++) {
		if (pathf(path, sizeof(path), "%s/toolchains/%s", c->root,
			  names[i]) == 0 &&
		    stat(path, &sb) == 0)
			continue;
		if (local_gocache(c, names[i]))
			continue;
		prune_one(c, "gocache", names[i], names[i], &st);
	}
	free_names(names, n);
	names = NULL;
out:
	free_names(names, n);
	if (stats)
		*stats = st;
	return rc;
}

const char *rungo_host_arch(void)
{
	static const struct {
		const char *machine;
		const char *arch;
	} map[] = {
		{ "x86_64", "amd64" },   { "amd64", "amd64" },
		{ "aarch64", "arm64" },  { "arm64", "arm64" },
		{ "i386", "386" },       { "i486", "386" },
		{ "i586", "386" },       { "i686", "386" },
		{ "armv6l", "armv6l" },  { "armv7l", "armv6l" },
		{ "armv8l", "armv6l" },  { "ppc64le", "ppc64le" },
		{ "ppc64", "ppc64" },    { "s390x", "s390x" },
		{ "riscv64", "riscv64" }, { "loongarch64", "loong64" },
		{ "mips64", "mips64" },  { "mips", "mips" },
	};
	struct utsname u;
	size_t i;

	if (uname(&u) != 0)
		return NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(u.machine, map[i].machine) == 0)
			return map[i].arch;
	return NULL;
}
