/* SPDX-License-Identifier: MIT */
/*
 * rungo/cache.c - the shared toolchain cache (layout in rungo/cache.h).
 *
 * Protocol for one toolchain id ("go1.22.4.linux-amd64"):
 *   0. locks/<id>.use is taken shared and held as long as the caller uses
 *      the toolchain (rungo_cache_acquire .. rungo_cache_release); prune
 *      takes it exclusively without waiting, so it never removes a tree
 *      in use, and a user never sees a tree half removed;
 *   1. toolchains/<id> exists and passes verify_tree -> done; a damaged
 *      one nobody else uses is moved to tmp/ and removed;
 *   then under the exclusive flock(2) of locks/<id>.lock:
 *   2. leftovers tmp/<id>.* of an interrupted run are removed (nobody else
 *      can own them: we hold the lock);
 *   3. downloads/<archive> is fetched (a .part is resumed) and verified
 *      against the index's size and sha256;
 *   4. extracted into tmp/<id>.XXXXXX, bin/go version checked, then
 *      .lutgen-toolchain.json (with bin/go's stamp) written inside,
 *      synced, renamed to toolchains/<id>; the archive is removed.
 * A crash at any point leaves either no toolchains/<id> or a complete one.
 * Lock order: .use before .lock; prune takes both without waiting.
 */
#include "rungo/cache.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/goarch.h"
#include "common/sha256.h"
#include "rungo/archive.h"

#define META_NAME ".lutgen-toolchain.json"
#define ID_MAX 128

extern char **environ;

struct rungo_cache {
	char root[PATH_MAX];
	char *download_url;
	bool no_trim;
	bool readonly;                    /* serves installed trees only */
	uint64_t max_files, max_bytes;    /* extraction limits (0: default) */
	struct rungo_fetch_opts fetch;
	common_progress_fn extract_progress;
	void *extract_progress_ctx;
	common_log_fn log;
	void *log_ctx;
	pthread_mutex_t lock;             /* guards locals */
	struct rungo_toolchain *locals;   /* registered GOROOTs */
	size_t nlocals;
};

static const char *const subdirs[] = {
	"toolchains", "downloads", "locks", "tmp", "gocache", "results",
};

/* A plain file name: no '/', not "." or "..", not empty. */
static bool plain_name(const char *s)
{
	return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 &&
	       strcmp(s, "..") != 0;
}

/* ---- opening ----------------------------------------------------------- */

static int default_root(char *buf, size_t size, struct common_err *err)
{
	const char *e = getenv("LUTGEN_CACHE");
	const char *home;

	if (e && *e)
		return common_pathf(buf, size, "%s", e) ?
			common_err_set(err, -ENAMETOOLONG,
				       "LUTGEN_CACHE is too long") : 0;
	e = getenv("XDG_CACHE_HOME");
	if (e && e[0] == '/')
		return common_pathf(buf, size, "%s/lutgen", e) ?
			common_err_set(err, -ENAMETOOLONG,
				       "XDG_CACHE_HOME is too long") : 0;
	home = getenv("HOME");
	if (!home || !*home) {
		struct passwd *pw = getpwuid(getuid());

		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || !*home)
		return common_err_set(err, -ENOENT,
				      "no cache directory: set LUTGEN_CACHE or HOME, or pass --cache");
	return common_pathf(buf, size, "%s/.cache/lutgen", home) ?
		common_err_set(err, -ENAMETOOLONG, "HOME is too long") : 0;
}

/* Could not write here: a read-only mount or no permission. */
static bool write_denied(int e)
{
	return e == EROFS || e == EACCES || e == EPERM;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int rungo_cache_open(const struct rungo_cache_opts *opts,
		     struct rungo_cache **out, struct common_err *err)
{
	struct rungo_cache *c;
	char want[PATH_MAX], sub[PATH_MAX + 16];
	const char *url;
	size_t i;
	int rc;

	c = calloc(1, sizeof(*c));
	if (!c)
		return common_err_set(err, -ENOMEM, "out of memory");
	pthread_mutex_init(&c->lock, NULL);
	if (opts) {
		c->no_trim = opts->no_trim;
		c->fetch = opts->fetch;
		c->extract_progress = opts->extract_progress;
		c->extract_progress_ctx = opts->extract_progress_ctx;
		c->log = opts->log;
		c->log_ctx = opts->log_ctx;
		c->max_files = opts->max_extract_files;
		c->max_bytes = opts->max_extract_bytes;
	}
	if (opts && opts->dir && *opts->dir)
		rc = common_pathf(want, sizeof(want), "%s", opts->dir) ?
			common_err_set(err, -ENAMETOOLONG,
				       "cache directory name too long") : 0;
	else
		rc = default_root(want, sizeof(want), err);
	if (rc)
		goto fail;
	rc = common_fs_mkdir_p(want, err);
	if (rc) {
		/* An existing cache we may not write still serves. */
		if (!write_denied(-rc) || !is_dir(want))
			goto fail;
		c->readonly = true;
		rc = 0;
	}
	if (!realpath(want, c->root)) {
		rc = common_err_set(err, -errno, "cache directory %s: %s", want,
				    strerror(errno));
		goto fail;
	}
	if (!c->readonly && access(c->root, W_OK) != 0 && write_denied(errno))
		c->readonly = true;
	for (i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]) && !c->readonly;
	     i++) {
		if (common_pathf(sub, sizeof(sub), "%s/%s", c->root, subdirs[i])) {
			rc = common_err_set(err, -ENAMETOOLONG,
					    "cache directory name too long");
			goto fail;
		}
		rc = common_fs_mkdir_p(sub, err);
		if (rc && write_denied(-rc)) {
			c->readonly = true;
			rc = 0;
		} else if (rc) {
			goto fail;
		}
	}
	if (c->readonly)
		common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG,
			    "cache %s is read-only: only installed toolchains are available",
			    c->root);
	url = opts && opts->download_url && *opts->download_url ?
		      opts->download_url : RUNGO_DEFAULT_DOWNLOAD_URL;
	c->download_url = strdup(url);
	if (!c->download_url) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto fail;
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

bool rungo_cache_writable(const struct rungo_cache *c)
{
	return !c->readonly;
}

int rungo_cache_subdir(const struct rungo_cache *c, const char *name,
		       char *buf, size_t size)
{
	return common_pathf(buf, size, "%s/%s", c->root, name);
}

int rungo_cache_gocache_dir(const struct rungo_cache *c,
			    const struct rungo_toolchain *tc, char *buf,
			    size_t size)
{
	const char *slash;

	if (tc->local)
		return common_pathf(buf, size, "%s/gocache/%s.local", c->root,
				    tc->version_str);
	slash = strrchr(tc->goroot, '/');
	return common_pathf(buf, size, "%s/gocache/%s", c->root,
			    slash ? slash + 1 : tc->goroot);
}

/* ---- locks ------------------------------------------------------------- */

/* flock(2) locks/<id>.<kind>: kind "lock" is held exclusively while
 * installing, "use" shared while a toolchain is in use (exclusively by
 * prune and by the replacement of a damaged tree).  `op` is LOCK_EX or
 * LOCK_SH, | LOCK_NB.  Returns the fd (>= 0), -EWOULDBLOCK when LOCK_NB
 * and somebody holds it, -ENOENT when the cache is read-only and the lock
 * file does not exist (nobody can remove anything then), or another
 * negative errno (err set). */
static int lock_open(const struct rungo_cache *c, const char *id,
		     const char *kind, int op, struct common_err *err)
{
	char path[PATH_MAX];
	int fd = -1;

	if (common_pathf(path, sizeof(path), "%s/locks/%s.%s", c->root, id, kind))
		return common_err_set(err, -ENAMETOOLONG, "lock %s: name too long",
				      id);
	if (!c->readonly)
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0 && (c->readonly || write_denied(errno))) {
		/* flock(2) works on a descriptor opened read-only. */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			return -ENOENT;
	}
	if (fd < 0)
		return common_err_set(err, -errno, "lock %s: %s", path,
				      strerror(errno));
	for (;;) {
		int e;

		if (flock(fd, op) == 0)
			return fd;
		e = errno;
		if (e == EINTR)
			continue;
		close(fd);
		if (e == EWOULDBLOCK)
			return -EWOULDBLOCK;
		return common_err_set(err, -e, "lock %s: %s", path, strerror(e));
	}
}

static void unlock_fd(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

/* ---- metadata ---------------------------------------------------------- */

/* Read META_NAME of goroot without ever blocking (a FIFO in its place is
 * refused, not opened for reading).  *out is a JSON object. */
static int read_meta_doc(const char *goroot, cJSON **out, char *why,
			 size_t whysize)
{
	char path[PATH_MAX];
	char *buf = NULL;
	struct stat st;
	size_t n = 0;
	int fd, rc = -EINVAL;

	*out = NULL;
	if (common_pathf(path, sizeof(path), "%s/%s", goroot, META_NAME)) {
		snprintf(why, whysize, "name too long");
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(why, whysize, "%s: %s", META_NAME, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > (1 << 20)) {
		snprintf(why, whysize, "%s is not a regular file of at most 1 MiB",
			 META_NAME);
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		snprintf(why, whysize, "out of memory");
		goto out;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*out = cJSON_ParseWithLength(buf, n);
	if (!cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		snprintf(why, whysize, "%s is not a JSON object", META_NAME);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

static int write_meta_doc(const char *goroot, const cJSON *doc,
			  struct common_err *err)
{
	char path[PATH_MAX];
	char *text = cJSON_Print(doc);
	size_t len;
	int rc;

	if (!text)
		return common_err_set(err, -ENOMEM, "out of memory");
	if (common_pathf(path, sizeof(path), "%s/%s", goroot, META_NAME)) {
		free(text);
		return common_err_set(err, -ENAMETOOLONG, "%s: name too long",
				      goroot);
	}
	len = strlen(text);
	text[len] = '\n';  /* replaces the NUL; written by length */
	rc = common_fs_write_atomic(path, text, len + 1, err);
	free(text);
	return rc;
}

static const char *json_str(const cJSON *doc, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(doc, key);

	return cJSON_IsString(x) ? x->valuestring : NULL;
}

static uint64_t json_u64(const cJSON *doc, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(doc, key);

	return cJSON_IsNumber(x) && x->valuedouble > 0 ?
		       (uint64_t)x->valuedouble : 0;
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

/* Fill tc from toolchains/<id> and its META_NAME.  A missing or bad
 * META_NAME leaves its fields at their defaults (a warning is logged);
 * only a bad id fails. */
static int fill_entry(const struct rungo_cache *c, const char *id,
		      struct rungo_toolchain *tc)
{
	char why[256];
	cJSON *doc = NULL;
	const char *sha;

	memset(tc, 0, sizeof(*tc));
	if (parse_id(id, &tc->version) != 0)
		return -EINVAL;
	if (rungo_version_format(&tc->version, tc->version_str,
				 sizeof(tc->version_str)) < 0)
		return -EINVAL;
	if (common_pathf(tc->goroot, sizeof(tc->goroot), "%s/toolchains/%s", c->root,
			 id))
		return -ENAMETOOLONG;
	if (read_meta_doc(tc->goroot, &doc, why, sizeof(why)) != 0) {
		common_logf(c->log, c->log_ctx, COMMON_LOG_WARN,
			    "%s: %s", tc->goroot, why);
		return 0;
	}
	sha = json_str(doc, "sha256");
	if (sha && strlen(sha) < sizeof(tc->sha256))
		memcpy(tc->sha256, sha, strlen(sha) + 1);
	tc->trimmed = cJSON_IsTrue(
		cJSON_GetObjectItemCaseSensitive(doc, "trimmed"));
	tc->disk_bytes = json_u64(doc, "disk_bytes");
	tc->saved_bytes = json_u64(doc, "saved_bytes");
	cJSON_Delete(doc);
	return 0;
}

/* ---- running bin/go ---------------------------------------------------- */

#define GO_VERSION_TIMEOUT_MS 60000

/* Environment of the child: ours with GOTOOLCHAIN=local, GOROOT=dir. */
static char **child_env(const char *goroot, char *gorootvar, size_t size)
{
	size_t n = 0, i, j = 0;
	char **env;

	if (common_pathf(gorootvar, size, "GOROOT=%s", goroot))
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

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start DIR/bin/go version (gobin) without a shell, in a process group
 * of its own, stdin and stderr on /dev/null, stdout into *outfd (caller
 * closes). */
static int spawn_go_version(const char *dir, char *gobin, pid_t *pid,
			    int *outfd, char *why, size_t whysize)
{
	char gorootvar[PATH_MAX + 8];
	char *argv[] = { gobin, (char *)"version", NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipefd[2] = { -1, -1 };
	char **env;
	int rc;

	env = child_env(dir, gorootvar, sizeof(gorootvar));
	if (!env || pipe2(pipefd, O_CLOEXEC) != 0) {
		free(env);
		snprintf(why, whysize, "out of memory or descriptors");
		return -ENOMEM;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null",
					 O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
					 O_RDONLY, 0);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	rc = posix_spawn(pid, gobin, &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	free(env);
	if (rc != 0) {
		close(pipefd[0]);
		snprintf(why, whysize, "run bin/go: %s", strerror(rc));
		return -rc;
	}
	*outfd = pipefd[0];
	return 0;
}

/* Read fd into out (NUL-terminated) until end of file, a full buffer or
 * the deadline (mono_ms); true when the deadline came first. */
static bool read_until(int fd, char *out, size_t size, long long deadline)
{
	size_t len = 0;
	bool timed_out = false;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - mono_ms();
		ssize_t r;

		if (left <= 0) {
			timed_out = true;
			break;
		}
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			timed_out = r == 0;
			break;
		}
		r = read(fd, out + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == size - 1)
			break;
	}
	out[len] = '\0';
	return timed_out;
}

/* Reap pid into *status.  Its process group is killed when the deadline
 * has passed (timed_out) or passes while waiting for it to exit; true
 * when it was. */
static bool reap_go(pid_t pid, int *status, bool timed_out,
		    long long deadline)
{
	if (timed_out)
		kill(-pid, SIGKILL);   /* before a wait that would block */
	for (;;) {
		pid_t w = waitpid(pid, status, timed_out ? 0 : WNOHANG);

		if (w == pid || (w < 0 && errno != EINTR))
			return timed_out;
		if (w == 0 && mono_ms() >= deadline) {
			timed_out = true;
			kill(-pid, SIGKILL);
		} else if (w == 0) {
			usleep(2000);
		}
	}
}

/* Run DIR/bin/go version (at most GO_VERSION_TIMEOUT_MS) and copy its
 * first output line to `line`. */
static int run_go_version(const char *dir, char *line, size_t size, char *why,
			  size_t whysize)
{
	char gobin[PATH_MAX], out[512];
	long long deadline;
	int fd = -1, rc, status = 0;
	pid_t pid = -1;
	bool timed_out;

	if (common_pathf(gobin, sizeof(gobin), "%s/bin/go", dir))
		return -ENAMETOOLONG;
	if (access(gobin, X_OK) != 0) {
		rc = -errno;
		snprintf(why, whysize, "bin/go: %s", strerror(errno));
		return rc;
	}
	rc = spawn_go_version(dir, gobin, &pid, &fd, why, whysize);
	if (rc)
		return rc;
	deadline = mono_ms() + GO_VERSION_TIMEOUT_MS;
	timed_out = read_until(fd, out, sizeof(out), deadline);
	close(fd);
	if (reap_go(pid, &status, timed_out, deadline)) {
		snprintf(why, whysize, "'bin/go version' did not finish within %d s",
			 GO_VERSION_TIMEOUT_MS / 1000);
		return -ETIMEDOUT;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(why, whysize, "'bin/go version' failed (%s %d)",
			 WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) :
					     WTERMSIG(status));
		return -EIO;
	}
	out[strcspn(out, "\r\n")] = '\0';
	snprintf(line, size, "%s", out);
	return 0;
}

/* GOARCH of an index arch name ("armv6l" archives hold GOARCH=arm). */
static const char *goarch_of(const char *arch)
{
	return strcmp(arch, "armv6l") == 0 ? "arm" : arch;
}

/* Does `bin/go version` of the tree at dir say "go version <vs>
 * <os>/<goarch>"?  A toolchain for another architecture than this
 * machine's cannot run here: then bin/go must be an executable file. */
static int check_go(const char *dir, const char *vs, const char *os,
		    const char *arch, char *line, size_t size, char *why,
		    size_t whysize)
{
	const char *host = common_host_arch();
	char buf[512], want[64], *tok, *save = NULL, *ver = NULL, *last = NULL;
	int i, rc;

	line[0] = '\0';
	if (!host || strcmp(goarch_of(host), goarch_of(arch)) != 0 ||
	    strcmp(os, "linux") != 0) {
		char gobin[PATH_MAX];
		struct stat st;

		if (common_pathf(gobin, sizeof(gobin), "%s/bin/go", dir))
			return -ENAMETOOLONG;
		if (stat(gobin, &st) != 0 || !S_ISREG(st.st_mode) ||
		    !(st.st_mode & S_IXUSR)) {
			snprintf(why, whysize, "bin/go is missing or not an executable file");
			return -ENOENT;
		}
		return 0;
	}
	rc = run_go_version(dir, line, size, why, whysize);
	if (rc)
		return rc;
	snprintf(buf, sizeof(buf), "%s", line);
	for (i = 0, tok = strtok_r(buf, " \t", &save); tok;
	     i++, tok = strtok_r(NULL, " \t", &save)) {
		if (i == 2)
			ver = tok;
		last = tok;
	}
	snprintf(want, sizeof(want), "%s/%s", os, goarch_of(arch));
	if (!ver || strncmp(line, "go version ", 11) != 0 ||
	    strcmp(ver, vs) != 0 || i < 4 || strcmp(last, want) != 0) {
		snprintf(why, whysize,
			 "'bin/go version' says '%.200s', expected 'go version %s %s'",
			 line, vs, want);
		return -EINVAL;
	}
	return 0;
}

/* Identity of bin/go: changes when it is replaced, rewritten or touched. */
static int go_stamp(const char *dir, char *buf, size_t size)
{
	char gobin[PATH_MAX];
	struct stat st;

	if (common_pathf(gobin, sizeof(gobin), "%s/bin/go", dir))
		return -ENAMETOOLONG;
	if (lstat(gobin, &st) != 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	return common_pathf(buf, size, "ino=%llu size=%lld mtime=%lld.%09ld ctime=%lld.%09ld",
			    (unsigned long long)st.st_ino, (long long)st.st_size,
			    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			    (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
}

/* Is toolchains/<id> at `dir` intact?  Its META_NAME must describe it,
 * and bin/go must carry the stamp recorded when it was last checked, or
 * pass the check again (the new stamp is then recorded when the cache is
 * writable).  *why says what is wrong. */
static int verify_tree(const struct rungo_cache *c, const char *dir,
		       const char *vs, const char *os, const char *arch,
		       char *why, size_t whysize)
{
	char stamp[256], line[512];
	const char *s;
	cJSON *doc = NULL;
	int rc;

	rc = read_meta_doc(dir, &doc, why, whysize);
	if (rc)
		return rc;
	rc = -EINVAL;
	if (!(s = json_str(doc, "version")) || strcmp(s, vs) != 0 ||
	    !(s = json_str(doc, "os")) || strcmp(s, os) != 0 ||
	    !(s = json_str(doc, "arch")) || strcmp(s, arch) != 0 ||
	    !(s = json_str(doc, "sha256")) || strlen(s) != 64) {
		snprintf(why, whysize, "%s does not describe %s %s/%s",
			 META_NAME, vs, os, arch);
		goto out;
	}
	rc = go_stamp(dir, stamp, sizeof(stamp));
	if (rc) {
		snprintf(why, whysize, "bin/go: %s",
			 rc == -EINVAL ? "not a regular file" : strerror(-rc));
		goto out;
	}
	s = json_str(doc, "go_stamp");
	if (s && strcmp(s, stamp) == 0) {
		rc = 0;
		goto out;
	}
	rc = check_go(dir, vs, os, arch, line, sizeof(line), why, whysize);
	if (rc)
		goto out;
	common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG,
		    "%s: bin/go changed since it was checked; '%s' is fine",
		    dir, line);
	if (!c->readonly && go_stamp(dir, stamp, sizeof(stamp)) == 0) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "go_stamp");
		if (cJSON_AddStringToObject(doc, "go_stamp", stamp))
			(void)write_meta_doc(dir, doc, NULL);
	}
out:
	cJSON_Delete(doc);
	return rc;
}

/* ---- registered GOROOTs ------------------------------------------------ */

static int version_from_file(const char *dir, struct rungo_version *v)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	size_t n;

	if (common_pathf(path, sizeof(path), "%s/VERSION", dir))
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

/* Parse "go version goX.Y os/arch" from DIR/bin/go. */
static int version_from_go(const char *dir, struct rungo_version *v,
			   char *why, size_t whysize)
{
	char line[512], *tok, *save = NULL;
	int rc;

	rc = run_go_version(dir, line, sizeof(line), why, whysize);
	if (rc)
		return rc;
	tok = strtok_r(line, " \t", &save);
	if (tok && strcmp(tok, "go") == 0)
		tok = strtok_r(NULL, " \t", &save);
	if (tok && strcmp(tok, "version") == 0)
		tok = strtok_r(NULL, " \t", &save);
	if (!tok || rungo_version_parse(tok, v, NULL) != 0) {
		snprintf(why, whysize, "'%s/bin/go version' printed no release version",
			 dir);
		return -EINVAL;
	}
	return 0;
}

int rungo_cache_add_goroot(struct rungo_cache *c, const char *dir,
			   struct common_err *err)
{
	struct rungo_toolchain tc;
	char why[PATH_MAX + 64] = "";
	size_t i;
	int rc;

	memset(&tc, 0, sizeof(tc));
	if (!realpath(dir, tc.goroot))
		return common_err_set(err, -errno, "GOROOT %s: %s", dir,
				      strerror(errno));
	if (version_from_file(tc.goroot, &tc.version) != 0) {
		rc = version_from_go(tc.goroot, &tc.version, why, sizeof(why));
		if (rc)
			return common_err_set(err, rc < 0 ? rc : -EINVAL,
					      "GOROOT %s: no usable VERSION file and cannot ask its go command (%s)",
					      dir, why[0] ? why : strerror(-rc));
	}
	if (rungo_version_format(&tc.version, tc.version_str,
				 sizeof(tc.version_str)) < 0)
		return common_err_set(err, -EINVAL, "GOROOT %s: bad version", dir);
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
			return common_err_set(err, -ENOMEM, "out of memory");
		}
		c->locals = n;
		c->nlocals++;
	}
	c->locals[i] = tc;
	pthread_mutex_unlock(&c->lock);
	common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG,
		    "registered GOROOT %s as %s", tc.goroot,
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

struct rungo_cache_hold {
	int fd;   /* shared flock on locks/<id>.use; -1: none needed */
};

/* Remove tmp/<id>.* left by an interrupted run (caller holds id's lock). */
static void clean_tmp_for(const struct rungo_cache *c, const char *id)
{
	char dir[PATH_MAX], path[PATH_MAX * 2];
	size_t idlen = strlen(id);
	struct dirent *de;
	DIR *d;

	if (common_pathf(dir, sizeof(dir), "%s/tmp", c->root))
		return;
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, id, idlen) != 0 ||
		    de->d_name[idlen] != '.' || strchr(de->d_name + idlen + 1, '.'))
			continue;
		if (common_pathf(path, sizeof(path), "%s/%s", dir, de->d_name))
			continue;
		common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG,
			    "removing leftover %s", path);
		common_fs_rmtree(path, NULL, NULL);
	}
	closedir(d);
}

static int archive_url(const struct rungo_cache *c, const char *filename,
		       char *buf, size_t size)
{
	size_t n = strlen(c->download_url);
	bool slash = n > 0 && c->download_url[n - 1] == '/';

	return common_pathf(buf, size, "%s%s%s", c->download_url, slash ? "" : "/",
			    filename);
}

/* Make downloads/<filename> a verified copy of the archive. */
static int download(struct rungo_cache *c, const struct rungo_file *f,
		    const char *dest, struct common_err *err)
{
	char url[PATH_MAX], sum[65];
	struct stat st;
	int rc;

	if (stat(dest, &st) == 0) {
		/* Finished by an interrupted run: verify, else start over. */
		if (common_sha256_file(dest, sum, NULL) == 0 &&
		    strcmp(sum, f->sha256) == 0 &&
		    (f->size == 0 || (uint64_t)st.st_size == f->size))
			return 0;
		common_logf(c->log, c->log_ctx, COMMON_LOG_WARN,
			    "%s does not match the index; downloading again",
			    dest);
		unlink(dest);
	}
	if (archive_url(c, f->filename, url, sizeof(url)))
		return common_err_set(err, -ENAMETOOLONG,
				      "download %s: URL too long", f->filename);
	common_logf(c->log, c->log_ctx, COMMON_LOG_INFO, "downloading %s", url);
	rc = rungo_fetch_file(url, dest, f->filename, f->size, f->sha256,
			      &c->fetch, err);
	return rc;
}

/* The metadata of a tree about to be published. */
static cJSON *new_meta(const char *vs, const char *os, const char *arch,
		       const struct rungo_file *f, bool trimmed,
		       const struct rungo_extract_stats *st,
		       const char *go_version, const char *stamp)
{
	cJSON *doc = cJSON_CreateObject();

	if (!doc ||
	    !cJSON_AddStringToObject(doc, "version", vs) ||
	    !cJSON_AddStringToObject(doc, "os", os) ||
	    !cJSON_AddStringToObject(doc, "arch", arch) ||
	    !cJSON_AddStringToObject(doc, "sha256", f->sha256) ||
	    !cJSON_AddStringToObject(doc, "archive", f->filename) ||
	    !cJSON_AddBoolToObject(doc, "trimmed", trimmed) ||
	    !cJSON_AddNumberToObject(doc, "files", (double)st->files_written) ||
	    !cJSON_AddNumberToObject(doc, "disk_bytes",
				     (double)st->bytes_written) ||
	    !cJSON_AddNumberToObject(doc, "skipped_files",
				     (double)st->files_skipped) ||
	    !cJSON_AddNumberToObject(doc, "saved_bytes",
				     (double)st->bytes_skipped) ||
	    !cJSON_AddStringToObject(doc, "go_version", go_version) ||
	    !cJSON_AddStringToObject(doc, "go_stamp", stamp)) {
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}

/* Caller holds locks/<id>.use (shared) and locks/<id>.lock. */
/* The archive the index offers for (v, os, arch), with a sha256 to
 * verify it against. */
static int find_archive(const struct rungo_index *idx,
			const struct rungo_version *v, const char *vs,
			const char *os, const char *arch,
			const struct rungo_file **out, struct common_err *err)
{
	const struct rungo_file *f;

	if (!idx)
		return common_err_set(err, -ENOENT,
				      "%s for %s/%s is not installed and no release index was given",
				      vs, os, arch);
	f = rungo_index_find_file(idx, v, os, arch, "archive");
	if (!f)
		return common_err_set(err, -ENOENT,
				      "no %s archive for %s/%s in the release index",
				      vs, os, arch);
	if (!plain_name(f->filename))
		return common_err_set(err, -EPROTO,
				      "release index names a bad archive file '%s' for %s",
				      f->filename ? f->filename : "", vs);
	if (!f->sha256[0])
		return common_err_set(err, -EPROTO,
				      "%s: the release index has no sha256 for it, so there is nothing to verify it against; refusing to install",
				      f->filename);
	*out = f;
	return 0;
}

/* Extract archive `dl` into `tmp`, check that it is the toolchain the
 * index promised and record it there (.lutgen-toolchain.json). */
static int extract_checked(struct rungo_cache *c, const struct rungo_file *f,
			   const char *dl, const char *tmp, const char *vs,
			   const char *os, const char *arch,
			   struct rungo_extract_stats *st,
			   struct common_err *err)
{
	struct rungo_extract_opts xo;
	char why[PATH_MAX + 256], line[512], stamp[256];
	cJSON *meta;
	int rc;

	memset(&xo, 0, sizeof(xo));
	xo.strip_prefix = "go/";
	xo.trim = !c->no_trim;
	xo.max_files = c->max_files;
	xo.max_bytes = c->max_bytes;
	xo.progress = c->extract_progress;
	xo.progress_ctx = c->extract_progress_ctx;
	common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG, "extracting %s%s",
		    f->filename, xo.trim ? " (trimmed)" : "");
	rc = rungo_archive_extract(dl, tmp, &xo, st, err);
	if (rc)
		return rc;
	rc = check_go(tmp, vs, os, arch, line, sizeof(line), why, sizeof(why));
	if (rc) {
		unlink(dl);
		return common_err_set(err, rc < 0 ? rc : -EINVAL,
				      "%s: the extracted toolchain fails its check: %s; not installed (the archive is removed; the mirror or the index is wrong)",
				      f->filename, why);
	}
	rc = go_stamp(tmp, stamp, sizeof(stamp));
	if (rc)
		return common_err_set(err, rc, "%s/bin/go: %s", tmp,
				      strerror(-rc));
	meta = new_meta(vs, os, arch, f, xo.trim, st, line, stamp);
	if (!meta)
		return common_err_set(err, -ENOMEM, "out of memory");
	rc = write_meta_doc(tmp, meta, err);
	cJSON_Delete(meta);
	return rc;
}

/* Everything on disk, then the tree becomes toolchains/<id>. */
static int publish_tree(const char *tmp, const char *final, const char *dir,
			struct common_err *err)
{
	int fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || syncfs(fd) != 0) {
		int rc = common_err_set(err, -errno, "sync %s: %s", tmp,
					strerror(errno));

		if (fd >= 0)
			close(fd);
		return rc;
	}
	close(fd);
	if (rename(tmp, final) != 0)
		return common_err_set(err, -errno, "rename %s to %s: %s", tmp,
				      final, strerror(errno));
	common_fs_sync_dir(dir);
	return 0;
}

static int install_locked(struct rungo_cache *c, const struct rungo_index *idx,
			  const struct rungo_version *v, const char *vs,
			  const char *os, const char *arch, const char *id,
			  struct rungo_toolchain *out, struct common_err *err)
{
	const struct rungo_file *f = NULL;
	struct rungo_extract_stats st;
	char final[PATH_MAX], dl[PATH_MAX], tmp[PATH_MAX], dir[PATH_MAX];
	char why[PATH_MAX + 256];
	long long t0;
	int rc;

	if (common_pathf(final, sizeof(final), "%s/toolchains/%s", c->root, id))
		return common_err_set(err, -ENAMETOOLONG, "%s: name too long", id);
	if (is_dir(final)) {
		/* Installed meanwhile by someone else. */
		if (verify_tree(c, final, vs, os, arch, why, sizeof(why)) != 0)
			return common_err_set(err, -EIO,
					      "toolchain %s is damaged (%s)", final,
					      why);
		return fill_entry(c, id, out) == 0 ? 0 :
			common_err_set(err, -EINVAL, "bad cache entry %s", final);
	}
	rc = find_archive(idx, v, vs, os, arch, &f, err);
	if (rc)
		return rc;
	if (common_pathf(dl, sizeof(dl), "%s/downloads/%s", c->root,
			 f->filename) ||
	    common_pathf(tmp, sizeof(tmp), "%s/tmp/%s.XXXXXX", c->root, id) ||
	    common_pathf(dir, sizeof(dir), "%s/toolchains", c->root))
		return common_err_set(err, -ENAMETOOLONG, "%s: name too long", id);
	clean_tmp_for(c, id);
	rc = download(c, f, dl, err);
	if (rc)
		return rc;
	t0 = mono_ms();
	rc = common_fs_mkdtemp(tmp);   /* honours the umask; mkdtemp: 0700 */
	if (rc)
		return common_err_set(err, rc, "create %s: %s", tmp,
				      strerror(-rc));
	rc = extract_checked(c, f, dl, tmp, vs, os, arch, &st, err);
	if (rc == 0)
		rc = publish_tree(tmp, final, dir, err);
	if (rc) {
		common_fs_rmtree(tmp, NULL, NULL);
		return rc;
	}
	if (unlink(dl) != 0)
		common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG,
			    "remove %s: %s", dl, strerror(errno));
	common_logf(c->log, c->log_ctx, COMMON_LOG_INFO,
		    "installed %s (%llu files, %.1f MB; trimming saved %.1f MB; extracted and checked in %.1f s)",
		    id, (unsigned long long)st.files_written,
		    (double)st.bytes_written / 1e6, (double)st.bytes_skipped / 1e6,
		    (double)(mono_ms() - t0) / 1000.0);
	rc = fill_entry(c, id, out);
	if (rc)
		rc = common_err_set(err, rc, "bad cache entry %s", final);
	return rc;
}

/* Remove the damaged tree `final` so that it can be installed again.
 * Needs the use lock exclusively: a tree somebody else uses stays. */
static int discard_damaged(struct rungo_cache *c, const char *id,
			   const char *final, int usefd, const char *state,
			   const char *why, struct common_err *err)
{
	char to[PATH_MAX];
	int rc = 0;

	if (usefd >= 0 && flock(usefd, LOCK_EX | LOCK_NB) != 0) {
		while (flock(usefd, LOCK_SH) != 0 && errno == EINTR)
			;
		return common_err_set(err, -EBUSY,
				      "toolchain %s is %s (%s) but in use by another process; run again once it is done",
				      final, state, why);
	}
	common_logf(c->log, c->log_ctx, COMMON_LOG_WARN,
		    "toolchain %s is %s (%s); installing it again",
		    final, state, why);
	if (common_pathf(to, sizeof(to), "%s/tmp/%s.XXXXXX", c->root, id))
		rc = common_err_set(err, -ENAMETOOLONG, "%s: name too long", id);
	else if (!mkdtemp(to) || rename(final, to) != 0)
		rc = common_err_set(err, -errno, "remove damaged %s: %s", final,
				    strerror(errno));
	else
		common_fs_rmtree(to, NULL, NULL);
	if (rc && to[0])
		rmdir(to);
	if (usefd >= 0)
		while (flock(usefd, LOCK_SH) != 0 && errno == EINTR)
			;
	return rc;
}

/*
 * Does the index offer another archive for this release than the one the
 * installed tree `tc` came from?  go.dev never re-publishes a release, but
 * a mirror that repacks (scripts/go-mirror after Debian rebuilt a package)
 * does: keeping the old tree would record a toolchain sha256 the index no
 * longer vouches for.  Without an index, or when the index does not offer
 * this release, there is nothing to compare and the tree stays.
 */
static bool superseded(const struct rungo_index *idx,
		       const struct rungo_version *v, const char *os,
		       const char *arch, const struct rungo_toolchain *tc,
		       char *why, size_t size)
{
	const struct rungo_file *f;

	if (!idx || !tc->sha256[0])
		return false;
	f = rungo_index_find_file(idx, v, os, arch, "archive");
	if (!f || !f->sha256[0] || strcmp(f->sha256, tc->sha256) == 0)
		return false;
	snprintf(why, size,
		 "installed from an archive with sha256 %.12s..., the release index now offers %.12s...",
		 tc->sha256, f->sha256);
	return true;
}

/* Caller holds locks/<id>.use shared (usefd; -1 in a read-only cache). */
static int acquire_used(struct rungo_cache *c, const struct rungo_index *idx,
			const struct rungo_version *v, const char *vs,
			const char *os, const char *arch, const char *id,
			int usefd, struct rungo_toolchain *out,
			struct common_err *err)
{
	char final[PATH_MAX], why[PATH_MAX + 256];
	const char *state;
	int rc, fd;

	if (common_pathf(final, sizeof(final), "%s/toolchains/%s", c->root, id))
		return common_err_set(err, -ENAMETOOLONG, "%s: name too long", id);
	out->version_str[0] = '\0';
	if (is_dir(final)) {
		state = "damaged";
		if (verify_tree(c, final, vs, os, arch, why, sizeof(why)) == 0) {
			state = "out of date";
			if (fill_entry(c, id, out) != 0)
				return common_err_set(err, -EINVAL,
						      "bad cache entry %s",
						      final);
			if (!superseded(idx, v, os, arch, out, why,
					sizeof(why)) || c->readonly)
				return 0;
		}
		if (!idx)
			return common_err_set(err, -ENOENT,
					      "toolchain %s is damaged (%s) and no release index was given to install it again",
					      final, why);
		if (c->readonly)
			return common_err_set(err, -EROFS,
					      "toolchain %s is damaged (%s) and the cache %s is read-only; use a writable cache (--cache or LUTGEN_CACHE)",
					      final, why, c->root);
		rc = discard_damaged(c, id, final, usefd, state, why, err);
		if (rc == -EBUSY && out->version_str[0]) {
			/* Out of date but busy: another run uses it now. */
			common_logf(c->log, c->log_ctx, COMMON_LOG_WARN,
				    "toolchain %s is out of date (%s) but in use by another process; using it as installed",
				    final, why);
			return 0;
		}
		if (rc)
			return rc;
	}
	if (c->readonly)
		return common_err_set(err, idx ? -EROFS : -ENOENT,
				      "%s for %s/%s is not installed, and the cache %s is read-only, so it cannot be installed there; use a writable cache (--cache or LUTGEN_CACHE)",
				      vs, os, arch, c->root);
	fd = lock_open(c, id, "lock", LOCK_EX | LOCK_NB, err);
	if (fd == -EWOULDBLOCK) {
		common_logf(c->log, c->log_ctx, COMMON_LOG_INFO,
			    "waiting for another process installing %s", id);
		fd = lock_open(c, id, "lock", LOCK_EX, err);
	}
	if (fd == -ENOENT)
		return common_err_set(err, -EROFS,
				      "%s: cannot create a lock in %s/locks; is the cache writable?",
				      id, c->root);
	if (fd < 0)
		return fd;
	rc = install_locked(c, idx, v, vs, os, arch, id, out, err);
	unlock_fd(fd);
	return rc;
}

int rungo_cache_acquire(struct rungo_cache *c, const struct rungo_index *idx,
			const struct rungo_version *v, const char *os,
			const char *arch, struct rungo_toolchain *out,
			struct rungo_cache_hold **hold, struct common_err *err)
{
	char vs[RUNGO_VERSION_STR_MAX], id[ID_MAX];
	int usefd, rc;

	if (hold)
		*hold = NULL;
	if (find_local(c, v, out))
		return 0;
	if (rungo_version_format(v, vs, sizeof(vs)) < 0)
		return common_err_set(err, -EINVAL, "bad version");
	if (!plain_name(os) || !plain_name(arch) || strchr(os, '.') ||
	    strchr(arch, '.'))
		return common_err_set(err, -EINVAL, "bad platform '%s/%s'",
				      os ? os : "", arch ? arch : "");
	if (common_pathf(id, sizeof(id), "%s.%s-%s", vs, os, arch))
		return common_err_set(err, -ENAMETOOLONG, "bad platform '%s/%s'",
				      os, arch);
	/* Shared: blocks only while a prune removes this toolchain. */
	usefd = lock_open(c, id, "use", LOCK_SH, err);
	if (usefd < 0 && usefd != -ENOENT)
		return usefd;
	rc = acquire_used(c, idx, v, vs, os, arch, id, usefd, out, err);
	if (rc == 0 && hold && usefd >= 0) {
		*hold = malloc(sizeof(**hold));
		if (!*hold)
			rc = common_err_set(err, -ENOMEM, "out of memory");
		else
			(*hold)->fd = usefd;
	}
	if (rc || !hold || !*hold)
		unlock_fd(usefd);
	return rc;
}

void rungo_cache_release(struct rungo_cache_hold *hold)
{
	if (!hold)
		return;
	unlock_fd(hold->fd);
	free(hold);
}

int rungo_cache_install(struct rungo_cache *c, const struct rungo_index *idx,
			const struct rungo_version *v, const char *os,
			const char *arch, struct rungo_toolchain *out,
			struct common_err *err)
{
	return rungo_cache_acquire(c, idx, v, os, arch, out, NULL, err);
}

/* ---- list -------------------------------------------------------------- */

static int cmp_tc(const void *a, const void *b)
{
	const struct rungo_toolchain *x = a, *y = b;
	int r = rungo_version_cmp(&x->version, &y->version);

	return r ? r : strcmp(x->goroot, y->goroot);
}

int rungo_cache_list(struct rungo_cache *c, struct rungo_toolchain **out,
		     size_t *n, struct common_err *err)
{
	struct rungo_toolchain *v = NULL, *nv;
	size_t len = 0, cap = 0, nent;
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int rc = 0;

	if (common_pathf(dir, sizeof(dir), "%s/toolchains", c->root))
		return common_err_set(err, -ENAMETOOLONG, "cache root too long");
	d = opendir(dir);
	if (!d && errno != ENOENT)
		return common_err_set(err, -errno, "list %s: %s", dir,
				      strerror(errno));
	while (d && (de = readdir(d)) != NULL) {
		struct rungo_toolchain tc;

		if (de->d_name[0] == '.' || fill_entry(c, de->d_name, &tc) != 0)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 8;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = common_err_set(err, -ENOMEM, "out of memory");
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
			rc = common_err_set(err, -ENOMEM, "out of memory");
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
	if (d)
		closedir(d);
	return rc;
}

/* ---- prune ------------------------------------------------------------- */

/* Both locks of `id` without waiting, in the usual order.  Returns 0 with
 * *usefd and *lockfd set (-1 where a read-only cache has no lock file),
 * or -EWOULDBLOCK when somebody uses or installs it. */
static int lock_both_nb(const struct rungo_cache *c, const char *id,
			int *usefd, int *lockfd)
{
	*usefd = lock_open(c, id, "use", LOCK_EX | LOCK_NB, NULL);
	if (*usefd < 0 && *usefd != -ENOENT)
		return *usefd;
	*lockfd = lock_open(c, id, "lock", LOCK_EX | LOCK_NB, NULL);
	if (*lockfd < 0 && *lockfd != -ENOENT) {
		int rc = *lockfd;

		unlock_fd(*usefd);
		return rc;
	}
	return 0;
}

/* Remove <root>/<sub>/<name> if nobody uses or installs `id`. */
static void prune_one(struct rungo_cache *c, const char *sub, const char *name,
		      const char *id, struct rungo_prune_stats *st)
{
	char path[PATH_MAX];
	uint64_t bytes = 0;
	int usefd, fd;

	if (common_pathf(path, sizeof(path), "%s/%s/%s", c->root, sub, name))
		return;
	if (lock_both_nb(c, id, &usefd, &fd) != 0) {
		common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG,
			    "%s is in use; kept", path);
		return;
	}
	if (common_fs_rmtree(path, &bytes, NULL) == 0) {
		st->entries_removed++;
		common_logf(c->log, c->log_ctx, COMMON_LOG_DEBUG,
			    "removed %s", path);
	} else {
		common_logf(c->log, c->log_ctx, COMMON_LOG_WARN,
			    "cannot remove %s", path);
	}
	st->bytes_freed += bytes;
	unlock_fd(fd);
	unlock_fd(usefd);
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
		found = common_pathf(want, sizeof(want), "%s.local",
				     c->locals[i].version_str) == 0 &&
			strcmp(want, name) == 0;
	pthread_mutex_unlock(&c->lock);
	return found;
}

/* Move toolchains/<id> aside into tmp/ and delete it, under both its
 * locks; a toolchain in use or being installed is kept and counted. */
static void prune_toolchain(struct rungo_cache *c, const char *id,
			    struct rungo_prune_stats *st)
{
	char from[PATH_MAX], to[PATH_MAX];
	uint64_t bytes = 0;
	int usefd, fd;

	if (common_pathf(from, sizeof(from), "%s/toolchains/%s", c->root, id) ||
	    common_pathf(to, sizeof(to), "%s/tmp/%s.XXXXXX", c->root, id))
		return;
	if (lock_both_nb(c, id, &usefd, &fd) != 0) {
		st->in_use++;
		common_logf(c->log, c->log_ctx, COMMON_LOG_INFO,
			    "%s is in use; kept", id);
		return;
	}
	/* rename(2) replaces the empty directory mkdtemp made. */
	if (!mkdtemp(to) || rename(from, to) != 0) {
		common_logf(c->log, c->log_ctx, COMMON_LOG_WARN,
			    "cannot remove %s: %s", from,
			    strerror(errno));
		rmdir(to);
		goto out;
	}
	common_fs_rmtree(to, &bytes, NULL);
	st->entries_removed++;
	st->bytes_freed += bytes;
	common_logf(c->log, c->log_ctx, COMMON_LOG_INFO, "removed %s", id);
out:
	unlock_fd(fd);
	unlock_fd(usefd);
}

static int scan(struct rungo_cache *c, const char *sub, char ***names,
		size_t *n, struct common_err *err)
{
	char dir[PATH_MAX];
	char **v = NULL, **nv;
	size_t len = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (common_pathf(dir, sizeof(dir), "%s/%s", c->root, sub))
		return common_err_set(err, -ENAMETOOLONG, "cache root too long");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 :
			common_err_set(err, -errno, "list %s: %s", dir,
				       strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (len == cap) {
			cap = cap ? cap * 2 : 16;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				rc = common_err_set(err, -ENOMEM, "out of memory");
				goto out;
			}
			v = nv;
		}
		v[len] = strdup(de->d_name);
		if (!v[len]) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
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
		      struct common_err *err)
{
	struct rungo_prune_stats st = { 0, 0, 0 };
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
		if (common_pathf(path, sizeof(path), "%s/toolchains/%s", c->root,
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
