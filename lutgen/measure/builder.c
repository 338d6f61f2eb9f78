/* SPDX-License-Identifier: MIT */
/* The builder: one hermetic `go build` of a test program per (toolchain,
 * GOARCH), spawned without a shell from an environment built from nothing. */
#include "lutgen/measure/builder.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/sb.h"
#include "common/sha256.h"

/* Keep at most this much of a build's output (a failing build of a small
 * program prints far less; this bounds a runaway one). */
#define OUTPUT_MAX (4u << 20)
#define MAX_PROGRAM_FILES 256

/* ---- strings ------------------------------------------------------------ */

/* Append `s` quoted for a POSIX shell when it needs quoting. */
static void sb_add_quoted(struct common_sb *b, const char *s)
{
	const char *p;
	bool plain = *s != '\0';

	for (p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_./=:,+-@%",
			    *p)) {
			plain = false;
			break;
		}
	if (plain) {
		common_sb_puts(b, s);
		return;
	}
	common_sb_puts(b, "'");
	for (p = s; *p; p++) {
		if (*p == '\'')
			common_sb_puts(b, "'\\''");
		else
			common_sb_putn(b, p, 1);
	}
	common_sb_puts(b, "'");
}

/* ---- small helpers ------------------------------------------------------ */

static int join(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s/%s", a, b);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const void *data, size_t len,
		      struct common_err *err)
{
	const char *p = data;
	int fd, rc = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return common_err_set(err, -errno, "create %s: %s", path,
				      strerror(errno));
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			rc = common_err_set(err, -errno, "write %s: %s", path,
					    strerror(errno));
			goto out;
		}
		p += w;
		len -= (size_t)w;
	}
out:
	if (close(fd) != 0 && rc == 0)
		rc = common_err_set(err, -errno, "write %s: %s", path,
				    strerror(errno));
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Sorted names of the program dir's regular files, without go.mod and
 * go.sum (the builder writes its own go.mod). */
static int list_program(const char *dir, char ***out, size_t *nout,
			struct common_err *err)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (!d)
		return common_err_set(err, -errno, "program directory %s: %s",
				      dir, strerror(errno));
	names = calloc(MAX_PROGRAM_FILES, sizeof(*names));
	if (!names) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, "go.mod") == 0 ||
		    strcmp(de->d_name, "go.sum") == 0)
			continue;
		if (join(path, sizeof(path), dir, de->d_name) != 0) {
			rc = common_err_set(err, -ENAMETOOLONG,
					    "path too long: %s/%s", dir,
					    de->d_name);
			goto out;
		}
		if (lstat(path, &st) != 0) {
			rc = common_err_set(err, -errno, "stat %s: %s", path,
					    strerror(errno));
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			rc = common_err_set(err, -EINVAL,
					    "program directory %s: %s is not a regular file (test programs are one flat directory)",
					    dir, de->d_name);
			goto out;
		}
		if (n == MAX_PROGRAM_FILES) {
			rc = common_err_set(err, -E2BIG,
					    "program directory %s: more than %d files",
					    dir, MAX_PROGRAM_FILES);
			goto out;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			rc = common_err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (n == 0) {
		rc = common_err_set(err, -ENOENT,
				    "program directory %s has no files", dir);
		goto out;
	}
	qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*nout = n;
	names = NULL;
out:
	if (names)
		free_names(names, n);
	closedir(d);
	return rc;
}

/* ---- public helpers ----------------------------------------------------- */

int lutgen_build_gomod(const struct rungo_version *v, char *buf, size_t size)
{
	int n = snprintf(buf, size, "module lutgenprobe\n\ngo %d.%d\n",
			 v->major, v->minor);

	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int lutgen_build_program_hash(const char *program_dir, char out[65],
			      struct common_err *err)
{
	struct common_sb all = { 0 };
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	rc = list_program(program_dir, &names, &n, err);
	if (rc)
		return rc;
	/* name NUL length NUL content, per file: unambiguous. */
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];
		char *data = NULL;
		size_t len = 0;

		rc = join(path, sizeof(path), program_dir, names[i]);
		if (rc) {
			common_err_set(err, rc, "path too long: %s", names[i]);
			goto out;
		}
		rc = common_fs_read_file(path, 0, &data, &len, err);
		if (rc)
			goto out;
		common_sb_putn(&all, names[i], strlen(names[i]) + 1);
		common_sb_printf(&all, "%zu", len);
		common_sb_putn(&all, "", 1);
		common_sb_putn(&all, data, len);
		free(data);
	}
	if (all.oom) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	common_sha256_buf(all.p ? all.p : "", all.len, out);
out:
	free(all.p);
	free_names(names, n);
	return rc;
}

/* ---- the build ---------------------------------------------------------- */

#define MAX_ENV 32

struct strv {
	char *v[MAX_ENV + 1];
	size_t n;
	bool oom;
};

static void strv_addf(struct strv *s, const char *fmt, ...) COMMON_PRINTF(2, 3);
static void strv_addf(struct strv *s, const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;
	int n;

	if (s->n >= MAX_ENV) {
		s->oom = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0)
		p = malloc((size_t)n + 1);
	if (!p) {
		s->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	s->v[s->n++] = p;
	s->v[s->n] = NULL;
}

static void strv_free(struct strv *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	s->n = 0;
}

static bool at_least(const struct rungo_version *v, int minor)
{
	return v->major > 1 || (v->major == 1 && v->minor >= minor);
}

static int copy_program(const char *src, const char *dst,
			struct common_err *err)
{
	char **names = NULL;
	size_t n = 0, i;
	int rc;

	rc = list_program(src, &names, &n, err);
	if (rc)
		return rc;
	for (i = 0; i < n && rc == 0; i++) {
		char from[PATH_MAX], to[PATH_MAX];
		char *data = NULL;
		size_t len = 0;

		if (join(from, sizeof(from), src, names[i]) ||
		    join(to, sizeof(to), dst, names[i])) {
			rc = common_err_set(err, -ENAMETOOLONG,
					    "path too long: %s", names[i]);
			break;
		}
		rc = common_fs_read_file(from, 0, &data, &len, err);
		if (rc == 0)
			rc = write_file(to, data, len, err);
		free(data);
	}
	free_names(names, n);
	return rc;
}

/* Read the child's output until EOF, keeping at most OUTPUT_MAX bytes.
 * At `deadline` (now_s() seconds) the child's process group is killed
 * (go build runs compile, asm and link as its children) and *timed_out
 * set; reading goes on until the pipe closes. */
static void drain(int fd, struct common_sb *out, pid_t pgid, double deadline,
		  bool *timed_out)
{
	char buf[8192];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		double left = deadline - now_s();
		ssize_t r;
		int pr;

		if (!*timed_out && left <= 0) {
			*timed_out = true;
			kill(-pgid, SIGKILL);
		}
		pr = poll(&p, 1, *timed_out ? -1 :
				 left > 3600 ? 3600000 : (int)(left * 1000) + 1);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr == 0)
			continue;
		r = read(fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out->len < OUTPUT_MAX)
			common_sb_putn(out, buf,
				out->len + (size_t)r > OUTPUT_MAX
					? OUTPUT_MAX - out->len
					: (size_t)r);
	}
}

static int spawn_build(struct lutgen_build *b, char *const argv[],
		       char *const envp[], const char *cwd, double timeout_s,
		       struct common_err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct common_sb out = { 0 };
	struct rusage ru;
	int pipefd[2] = { -1, -1 };
	bool fa_init = false, attr_init = false, timed_out = false;
	double t0;
	pid_t pid, w;
	int rc, status = 0;

	if (pipe2(pipefd, O_CLOEXEC) != 0)
		return common_err_set(err, -errno, "pipe: %s", strerror(errno));
	rc = posix_spawn_file_actions_init(&fa);
	if (rc) {
		rc = common_err_set(err, -rc, "posix_spawn: %s", strerror(rc));
		goto out;
	}
	fa_init = true;
	if ((rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO,
						   "/dev/null", O_RDONLY, 0)) ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, pipefd[1],
						   STDOUT_FILENO)) ||
	    (rc = posix_spawn_file_actions_adddup2(&fa, pipefd[1],
						   STDERR_FILENO)) ||
	    (rc = posix_spawn_file_actions_addchdir_np(&fa, cwd))) {
		rc = common_err_set(err, -rc, "posix_spawn: %s", strerror(rc));
		goto out;
	}
	/* Its own process group, so that a timeout kills the tools too. */
	rc = posix_spawnattr_init(&attr);
	if (rc == 0) {
		attr_init = true;
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	}
	if (rc == 0)
		rc = posix_spawnattr_setpgroup(&attr, 0);
	if (rc) {
		rc = common_err_set(err, -rc, "posix_spawn: %s", strerror(rc));
		goto out;
	}
	t0 = now_s();
	rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, envp);
	if (rc) {
		rc = common_err_set(err, -rc, "run %s: %s", argv[0],
				    strerror(rc));
		goto out;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	drain(pipefd[0], &out, pid, t0 + timeout_s, &timed_out);
	if (timed_out)
		kill(-pid, SIGKILL);  /* also what closed its output early */
	do {
		w = wait4(pid, &status, 0, &ru);
	} while (w < 0 && errno == EINTR);
	b->timed_out = timed_out;
	if (w < 0) {
		rc = common_err_set(err, -errno, "wait for %s: %s", argv[0],
				    strerror(errno));
		goto out;
	}
	b->wall_s = now_s() - t0;
	/* wait4 reports the child's usage including the children it reaped
	 * (compile, link, asm). */
	b->cpu_s = (double)ru.ru_utime.tv_sec +
		   (double)ru.ru_utime.tv_usec / 1e6 +
		   (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	if (WIFEXITED(status))
		b->exit_status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		b->exit_status = 128 + WTERMSIG(status);
	else
		b->exit_status = 255;
	if (out.oom) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	b->output = out.p ? out.p : strdup("");
	out.p = NULL;
	if (!b->output)
		rc = common_err_set(err, -ENOMEM, "out of memory");
out:
	free(out.p);
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_init)
		posix_spawnattr_destroy(&attr);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return rc;
}

static char *render_command(const char *cwd, char *const argv[],
			    char *const envp[])
{
	struct common_sb s = { 0 };
	size_t i;

	common_sb_puts(&s, "cd ");
	sb_add_quoted(&s, cwd);
	common_sb_puts(&s, " && env -i");
	for (i = 0; envp[i]; i++) {
		common_sb_puts(&s, " ");
		sb_add_quoted(&s, envp[i]);
	}
	for (i = 0; argv[i]; i++) {
		common_sb_puts(&s, " ");
		sb_add_quoted(&s, argv[i]);
	}
	if (s.oom) {
		free(s.p);
		return NULL;
	}
	return s.p;
}

/* First non-empty line of `s` into buf (for one-line error messages). */
static void first_line(const char *s, char *buf, size_t size)
{
	size_t n;

	while (*s == '\n' || *s == ' ')
		s++;
	n = strcspn(s, "\n");
	if (n >= size)
		n = size - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
}

/* The directories of one build, all under b->dir except gobin. */
struct build_paths {
	char mod[PATH_MAX], home[PATH_MAX], gopath[PATH_MAX], tmp[PATH_MAX];
	char bin[PATH_MAX], gobin[PATH_MAX];
};

static double build_timeout(const struct lutgen_build_opts *o)
{
	return o->timeout_s > 0 ? o->timeout_s : LUTGEN_BUILD_TIMEOUT_DEFAULT_S;
}

/* b->goversion, b->goarch and a fresh b->dir under `parent`. */
static int make_build_dir(struct lutgen_build *b,
			  const struct lutgen_build_opts *o, const char *parent,
			  struct common_err *err)
{
	char tmpl[PATH_MAX];
	int n;

	if (rungo_version_format(o->version, b->goversion,
				 sizeof(b->goversion)) < 0 ||
	    snprintf(b->goarch, sizeof(b->goarch), "%s", o->goarch) >=
		    (int)sizeof(b->goarch))
		return common_err_set(err, -EINVAL,
				      "build: bad version or arch %s",
				      o->goarch);
	n = snprintf(tmpl, sizeof(tmpl), "%s/lutgen-build-%s-%s-XXXXXX",
		     parent, b->goversion, o->goarch);
	if (n < 0 || (size_t)n >= sizeof(tmpl))
		return common_err_set(err, -ENAMETOOLONG, "path too long: %s",
				      parent);
	if (!mkdtemp(tmpl))
		return common_err_set(err, -errno,
				      "create a build directory in %s: %s",
				      parent, strerror(errno));
	b->dir = strdup(tmpl);
	return b->dir ? 0 : common_err_set(err, -ENOMEM, "out of memory");
}

/* go.mod (the caller's or the default for the version) and go.sum. */
static int write_module(const struct lutgen_build_opts *o, const char *mod,
			struct common_err *err)
{
	char p[PATH_MAX], gomod[128];
	const char *text = o->gomod;
	int rc;

	if (!text) {
		if (lutgen_build_gomod(o->version, gomod, sizeof(gomod)) != 0)
			return common_err_set(err, -ENOSPC, "go.mod too long");
		text = gomod;
	}
	if (join(p, sizeof(p), mod, "go.mod"))
		return common_err_set(err, -ENAMETOOLONG, "path too long: %s",
				      mod);
	rc = write_file(p, text, strlen(text), err);
	if (rc || !o->gosum)
		return rc;
	if (join(p, sizeof(p), mod, "go.sum"))
		return common_err_set(err, -ENAMETOOLONG, "path too long: %s",
				      mod);
	return write_file(p, o->gosum, strlen(o->gosum), err);
}

/* The build tree: directories, the program, its module files. */
static int prepare_tree(const struct lutgen_build_opts *o,
			struct lutgen_build *b, struct build_paths *p,
			struct common_err *err)
{
	int rc;

	if (join(p->mod, sizeof(p->mod), b->dir, "mod") ||
	    join(p->home, sizeof(p->home), b->dir, "home") ||
	    join(p->gopath, sizeof(p->gopath), b->dir, "gopath") ||
	    join(p->tmp, sizeof(p->tmp), b->dir, "tmp") ||
	    join(p->bin, sizeof(p->bin), b->dir, "probe") ||
	    join(p->gobin, sizeof(p->gobin), o->goroot, "bin/go"))
		return common_err_set(err, -ENAMETOOLONG, "path too long: %s",
				      b->dir);
	if ((rc = common_fs_mkdir_p(p->mod, err)) ||
	    (rc = common_fs_mkdir_p(p->home, err)) ||
	    (rc = common_fs_mkdir_p(p->gopath, err)) ||
	    (rc = common_fs_mkdir_p(p->tmp, err)) ||
	    (rc = common_fs_mkdir_p(o->gocache, err)))
		return rc;
	rc = copy_program(o->program_dir, p->mod, err);
	if (!rc)
		rc = write_module(o, p->mod, err);
	if (!rc && o->gomodcache)
		rc = common_fs_mkdir_p(o->gomodcache, err);
	if (rc)
		return rc;
	b->binary = strdup(p->bin);
	return b->binary ? 0 : common_err_set(err, -ENOMEM, "out of memory");
}

/* The complete environment of go build: nothing is inherited. */
static void build_env(const struct lutgen_build_opts *o,
		      const struct build_paths *p, struct strv *env)
{
	strv_addf(env, "PATH=%s/bin:/usr/bin:/bin", o->goroot);
	strv_addf(env, "GOROOT=%s", o->goroot);
	strv_addf(env, "GOOS=linux");
	strv_addf(env, "GOARCH=%s", o->goarch);
	strv_addf(env, "CGO_ENABLED=0");
	strv_addf(env, "GO111MODULE=on");
	strv_addf(env, "GOTOOLCHAIN=local");
	strv_addf(env, "GOPROXY=%s", o->goproxy ? o->goproxy : "off");
	strv_addf(env, "GOSUMDB=off");
	strv_addf(env, "GONOSUMDB=*");
	if (at_least(o->version, 14))
		strv_addf(env, "GOFLAGS=-mod=mod%s",
			  o->gomodcache ? " -modcacherw" : "");
	else
		strv_addf(env, "GOFLAGS=");
	if (o->gomodcache)
		strv_addf(env, "GOMODCACHE=%s", o->gomodcache);
	strv_addf(env, "GOTELEMETRY=off");
	strv_addf(env, "GOENV=off");
	strv_addf(env, "GOWORK=off");
	strv_addf(env, "GOCACHE=%s", o->gocache);
	strv_addf(env, "GOPATH=%s", p->gopath);
	strv_addf(env, "HOME=%s", p->home);
	strv_addf(env, "TMPDIR=%s", p->tmp);
}

static void build_argv(const struct lutgen_build_opts *o,
		       const struct build_paths *p, struct strv *argv)
{
	strv_addf(argv, "%s", p->gobin);
	strv_addf(argv, "build");
	if (at_least(o->version, 13))
		strv_addf(argv, "-trimpath");
	if (at_least(o->version, 18))
		strv_addf(argv, "-buildvcs=false");
	strv_addf(argv, "-o");
	strv_addf(argv, "%s", p->bin);
	strv_addf(argv, ".");
}

/* After the build ended: did it time out, fail or leave no binary? */
static int build_outcome(const struct lutgen_build_opts *o,
			 const struct lutgen_build *b, const char *bin,
			 struct common_err *err)
{
	char line[300];

	if (b->timed_out)
		return common_err_set(err, -ETIMEDOUT,
				      "go build of %s with %s for linux/%s did not finish within %.0f s; killed it and its tools (raise the limit with --build-timeout or LUTGEN_BUILD_TIMEOUT)",
				      o->program_dir, b->goversion, o->goarch,
				      build_timeout(o));
	if (b->exit_status == 0 && access(bin, F_OK) == 0)
		return 0;
	first_line(b->output, line, sizeof(line));
	return common_err_set(err, -EIO,
			      "go build of %s with %s for linux/%s failed (exit status %d): %s",
			      o->program_dir, b->goversion, o->goarch,
			      b->exit_status, line[0] ? line : "no output");
}

int lutgen_build_run(const struct lutgen_build_opts *o,
		     struct lutgen_build **out, struct common_err *err)
{
	struct build_paths *p = NULL;
	struct lutgen_build *b = NULL;
	struct strv env = { 0 }, argv = { 0 };
	const char *parent = o->tmp_dir;
	int rc;

	*out = NULL;
	if (!o->goroot || !o->version || !o->goarch || !o->program_dir ||
	    !o->gocache)
		return common_err_set(err, -EINVAL,
				      "build: goroot, version, goarch, program_dir and gocache are required");
	if (!parent || !*parent)
		parent = getenv("TMPDIR");
	if (!parent || !*parent)
		parent = "/tmp";
	b = calloc(1, sizeof(*b));
	p = calloc(1, sizeof(*p));
	if (!b || !p) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = make_build_dir(b, o, parent, err);
	if (!rc)
		rc = prepare_tree(o, b, p, err);
	if (rc)
		goto out;
	build_env(o, p, &env);
	build_argv(o, p, &argv);
	if (env.oom || argv.oom ||
	    !(b->command = render_command(p->mod, argv.v, env.v))) {
		rc = common_err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	rc = spawn_build(b, argv.v, env.v, p->mod, build_timeout(o), err);
	if (rc)
		goto out;
	/* Failed or not, the build goes back for lutgen_build_report. */
	rc = build_outcome(o, b, p->bin, err);
	*out = b;
	b = NULL;
out:
	strv_free(&env);
	strv_free(&argv);
	free(p);
	lutgen_build_free(b);
	return rc;
}

char *lutgen_build_report(const struct lutgen_build *b)
{
	struct common_sb s = { 0 };
	size_t n;

	if (b->timed_out)
		common_sb_printf(&s, "go build with %s for linux/%s: timed out after %.0f s (killed)\n",
			b->goversion, b->goarch, b->wall_s);
	else
		common_sb_printf(&s, "go build with %s for linux/%s: exit status %d\n",
			b->goversion, b->goarch, b->exit_status);
	common_sb_printf(&s, "command: %s\n", b->command ? b->command : "(not run)");
	common_sb_puts(&s, "output:\n");
	if (b->output && b->output[0]) {
		common_sb_puts(&s, b->output);
		n = strlen(b->output);
		if (b->output[n - 1] != '\n')
			common_sb_puts(&s, "\n");
	} else {
		common_sb_puts(&s, "(none)\n");
	}
	if (s.oom) {
		free(s.p);
		return NULL;
	}
	return s.p;
}

void lutgen_build_free(struct lutgen_build *b)
{
	if (!b)
		return;
	if (b->dir)
		(void)common_fs_rmtree(b->dir, NULL, NULL);
	free(b->dir);
	free(b->binary);
	free(b->command);
	free(b->output);
	free(b);
}
