/* SPDX-License-Identifier: MIT */
/* Shared helpers of the lutgen command line: diagnostics, JSON output,
 * and the common settings (progress: progress.c). */
#include "lutgen/cli/cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rungo/archive.h"

static void vdiag(struct lutgen_cli *cli, const char *kind, const char *fmt,
		  va_list ap) COMMON_PRINTF(3, 0);

static void vdiag(struct lutgen_cli *cli, const char *kind, const char *fmt,
		  va_list ap)
{
	pthread_mutex_lock(&cli->lock);
	lutgen_cli_progress_interrupt_locked(cli);
	fprintf(stderr, "%s: %s", cli->prog, kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&cli->lock);
}

void lutgen_cli_err(struct lutgen_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(cli, "error: ", fmt, ap);
	va_end(ap);
}

void lutgen_cli_warn(struct lutgen_cli *cli, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(cli, "warning: ", fmt, ap);
	va_end(ap);
}

void lutgen_cli_info(struct lutgen_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli->quiet)
		return;
	va_start(ap, fmt);
	vdiag(cli, "", fmt, ap);
	va_end(ap);
}

/* With --json, the one stdout document {"error": msg} (once). */
static void json_error(struct lutgen_cli *cli, const char *msg)
{
	cJSON *doc;

	if (!cli->json || cli->json_error_emitted)
		return;
	doc = cJSON_CreateObject();
	if (doc && cJSON_AddStringToObject(doc, "error", msg))
		lutgen_cli_json_out(cli, doc);
	else
		cJSON_Delete(doc);
	cli->json_error_emitted = true;
}

int lutgen_cli_fail(struct lutgen_cli *cli, const struct common_err *err)
{
	const char *msg = err && err->msg[0] ? err->msg : "unknown error";
	char *esc = lutgen_cli_escape(msg); /* names may come from files */

	lutgen_cli_err(cli, "%s", esc ? esc : msg);
	json_error(cli, esc ? esc : msg);
	free(esc);
	return LUTGEN_EXIT_FAIL;
}

int lutgen_cli_usage_error(struct lutgen_cli *cli, const char *cmd,
			   const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cmd)
		lutgen_cli_err(cli, "%s (try '%s %s --help')", msg, cli->prog,
			       cmd);
	else
		lutgen_cli_err(cli, "%s (try '%s --help')", msg, cli->prog);
	json_error(cli, msg);
	return LUTGEN_EXIT_USAGE;
}

int lutgen_cli_bad_option(struct lutgen_cli *cli, const char *cmd, int opt,
			  char **argv)
{
	char name[256];
	int n;

	if (optopt > 0 && optopt < 0x100)
		n = snprintf(name, sizeof(name), "-%c", optopt);
	else if (optind > 0 && argv[optind - 1])
		n = snprintf(name, sizeof(name), "%s", argv[optind - 1]);
	else
		return lutgen_cli_usage_error(cli, cmd, "bad option");
	if (n < 0 || (size_t)n >= sizeof(name))
		memcpy(name + sizeof(name) - 4, "...", 4);
	if (opt == ':')
		return lutgen_cli_usage_error(cli, cmd,
					      "option '%s' needs a value", name);
	return lutgen_cli_usage_error(cli, cmd, "unknown option '%s'", name);
}

/* Length of the printable UTF-8 character at s (1-4), or 0 when the byte
 * at s must be escaped. */
static size_t printable_utf8(const unsigned char *s)
{
	unsigned cp;
	size_t n, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range, surrogate */
	if (cp <= 0x9f ||                        /* C1 controls */
	    (cp >= 0x202a && cp <= 0x202e) ||    /* bidi embeddings */
	    (cp >= 0x2066 && cp <= 0x2069))      /* bidi isolates */
		return 0;
	return n;
}

char *lutgen_cli_escape(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len, i, o = 0;
	char *out;

	if (!s)
		return NULL;
	len = strlen(s);
	if (len > ((size_t)-1 - 1) / 4)
		return NULL;
	out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len;) {
		size_t n = printable_utf8(p + i);

		if (n) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			snprintf(out + o, 5, "\\x%02x", p[i]);
			o += 4;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

int lutgen_cli_json_out(struct lutgen_cli *cli, cJSON *doc)
{
	char *text = cJSON_Print(doc);
	int rc = LUTGEN_EXIT_OK;

	cJSON_Delete(doc);
	if (!text) {
		lutgen_cli_err(cli, "out of memory rendering JSON");
		return LUTGEN_EXIT_FAIL;
	}
	if (fputs(text, stdout) == EOF || fputc('\n', stdout) == EOF)
		rc = LUTGEN_EXIT_FAIL;
	free(text);
	return rc;
}

int lutgen_cli_common_option(struct lutgen_cli *cli, int opt, const char *arg)
{
	switch (opt) {
	case LUTGEN_OPT_CACHE:
		cli->cache_dir = arg;
		return 1;
	case LUTGEN_OPT_INDEX_URL:
		cli->index_url = arg;
		return 1;
	case LUTGEN_OPT_DOWNLOAD_URL:
		cli->download_url = arg;
		return 1;
	case LUTGEN_OPT_GOROOT:
		if (cli->ngoroots >= LUTGEN_MAX_GOROOTS) {
			lutgen_cli_usage_error(cli, NULL,
					       "too many --goroot options (at "
					       "most %d)",
					       LUTGEN_MAX_GOROOTS);
			fflush(stdout);
			exit(LUTGEN_EXIT_USAGE);
		}
		cli->goroots[cli->ngoroots++] = arg;
		return 1;
	case LUTGEN_OPT_NO_TRIM:
		cli->no_trim = true;
		return 1;
	case LUTGEN_OPT_GOPROXY:
		cli->goproxy = arg;
		return 1;
	case LUTGEN_OPT_TIMEOUT:
	case LUTGEN_OPT_INDEX_TIMEOUT: {
		const char *p = arg;

		while (*p >= '0' && *p <= '9')
			p++;
		if (!*arg || *p || p - arg > 9) {
			lutgen_cli_usage_error(cli, NULL,
					       "%s '%.40s': expected a whole number of seconds (0: no limit)",
					       opt == LUTGEN_OPT_TIMEOUT ?
						       "--timeout" :
						       "--index-timeout",
					       arg);
			fflush(stdout);
			exit(LUTGEN_EXIT_USAGE);
		}
		if (opt == LUTGEN_OPT_TIMEOUT)
			cli->timeout = arg;
		else
			cli->index_timeout = arg;
		return 1;
	}
	case LUTGEN_OPT_JSON:
		cli->json = true;
		cli->pg.mode = LUTGEN_PROGRESS_OFF;
		return 1;
	case LUTGEN_OPT_QUIET:
		cli->quiet = true;
		cli->pg.mode = LUTGEN_PROGRESS_OFF;
		return 1;
	default:
		return 0;
	}
}

void lutgen_cli_log(void *ctx, enum common_log_level level, const char *msg)
{
	struct lutgen_cli *cli = ctx;

	switch (level) {
	case COMMON_LOG_WARN:
		lutgen_cli_warn(cli, "%s", msg);
		break;
	case COMMON_LOG_INFO:
		lutgen_cli_info(cli, "%s", msg);
		break;
	case COMMON_LOG_DEBUG:
		if (cli->verbose > 0)
			lutgen_cli_info(cli, "%s", msg);
		break;
	}
}

static const char *setting(const char *opt, const char *env, const char *def)
{
	const char *e;

	if (opt && *opt)
		return opt;
	e = getenv(env);
	if (e && *e)
		return e;
	return def;
}

const char *lutgen_cli_index_url(const struct lutgen_cli *cli)
{
	return setting(cli->index_url, "LUTGEN_INDEX_URL",
		       RUNGO_DEFAULT_INDEX_URL);
}

const char *lutgen_cli_download_url(const struct lutgen_cli *cli)
{
	return setting(cli->download_url, "LUTGEN_DOWNLOAD_URL",
		       RUNGO_DEFAULT_DOWNLOAD_URL);
}

/* A whole number from option `opt` (named `name`), else the environment
 * variable `env`, else `def`.  0 when set, else -EINVAL with err naming
 * where the bad value came from. */
static int number_setting(const char *opt, const char *name, const char *env,
			  unsigned long long def, unsigned long long max,
			  unsigned long long *out, struct common_err *err)
{
	const char *v = opt, *from = name;
	unsigned long long n;
	char *end;

	if (!v || !*v) {
		v = getenv(env);
		from = env;
	}
	if (!v || !*v) {
		*out = def;
		return 0;
	}
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n > max)
		return common_err_set(err, -EINVAL,
				      "%s '%.40s': expected a whole number from 0 to %llu",
				      from, v, max);
	*out = n;
	return 0;
}

/* Seconds of --timeout / LUTGEN_TIMEOUT (or the index's pair) for
 * rungo_fetch_opts.total_timeout_s: 0 on the command line means none. */
static int timeout_setting(const char *opt, const char *name, const char *env,
			   long def, long *out, struct common_err *err)
{
	unsigned long long n;
	int rc = number_setting(opt, name, env, (unsigned long long)def,
				100000000ULL, &n, err);

	if (rc == 0)
		*out = n == 0 ? -1 : (long)n;
	return rc;
}

int lutgen_cli_download_timeout(const struct lutgen_cli *cli, long *out,
				struct common_err *err)
{
	return timeout_setting(cli->timeout, "--timeout", "LUTGEN_TIMEOUT",
			       RUNGO_FETCH_TOTAL_TIMEOUT_DEFAULT_S, out, err);
}

int lutgen_cli_open_cache(struct lutgen_cli *cli, struct rungo_cache **out,
			  struct common_err *err)
{
	struct rungo_cache_opts o;
	struct rungo_cache *c = NULL;
	unsigned long long files, bytes;
	size_t i;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = lutgen_cli_download_timeout(cli, &o.fetch.total_timeout_s, err);
	if (!rc)
		rc = number_setting(NULL, NULL, "LUTGEN_EXTRACT_MAX_FILES",
				    RUNGO_EXTRACT_MAX_FILES_DEFAULT,
				    1ULL << 40, &files, err);
	if (!rc)
		rc = number_setting(NULL, NULL, "LUTGEN_EXTRACT_MAX_BYTES",
				    RUNGO_EXTRACT_MAX_BYTES_DEFAULT,
				    1ULL << 60, &bytes, err);
	if (rc)
		return rc;
	o.max_extract_files = files;
	o.max_extract_bytes = bytes;
	o.dir = cli->cache_dir;  /* NULL: the cache reads LUTGEN_CACHE */
	o.download_url = lutgen_cli_download_url(cli);
	o.no_trim = cli->no_trim;
	o.fetch.progress = lutgen_cli_download_progress;
	o.fetch.progress_ctx = cli;
	o.extract_progress = lutgen_cli_extract_progress;
	o.extract_progress_ctx = cli;
	o.fetch.log = lutgen_cli_log;
	o.fetch.log_ctx = cli;
	o.log = lutgen_cli_log;
	o.log_ctx = cli;
	rc = rungo_cache_open(&o, &c, err);
	if (rc)
		return rc;
	for (i = 0; i < cli->ngoroots; i++) {
		rc = rungo_cache_add_goroot(c, cli->goroots[i], err);
		if (rc) {
			rungo_cache_free(c);
			return rc;
		}
	}
	*out = c;
	return 0;
}

void lutgen_cli_fetch_hint(struct common_err *err, const char *other)
{
	char hint[384];
	size_t n, h;

	if (!err || err->code == -ENOMEM)
		return;
	h = (size_t)snprintf(hint, sizeof(hint),
			     " (%s; offline, serve Debian's Go packages as a "
			     "mirror with 'scripts/go-mirror run -- COMMAND')",
			     other);
	if (h >= sizeof(hint) || h >= sizeof(err->msg))
		return;
	/* The way out matters more than the end of a long message. */
	n = strlen(err->msg);
	if (n + h >= sizeof(err->msg))
		n = sizeof(err->msg) - h - 1;
	memcpy(err->msg + n, hint, h + 1);
}

int lutgen_cli_load_index(struct lutgen_cli *cli, struct rungo_index **out,
			  struct common_err *err)
{
	struct rungo_fetch_opts fo;
	int rc;

	memset(&fo, 0, sizeof(fo));
	fo.log = lutgen_cli_log;
	fo.log_ctx = cli;
	rc = timeout_setting(cli->index_timeout, "--index-timeout",
			     "LUTGEN_INDEX_TIMEOUT", RUNGO_INDEX_TIMEOUT_DEFAULT_S,
			     &fo.total_timeout_s, err);
	if (rc)
		return rc;
	rc = rungo_index_fetch(lutgen_cli_index_url(cli), &fo, out, err);
	if (rc)   /* also when go.dev cannot be reached at all */
		lutgen_cli_fetch_hint(err,
				      "another index: --index-url or LUTGEN_INDEX_URL");
	return rc;
}

int lutgen_cli_open_goproxy(struct lutgen_cli *cli,
			    struct rungo_goproxy **out, struct common_err *err)
{
	struct rungo_goproxy_opts o;

	memset(&o, 0, sizeof(o));
	if (lutgen_cli_download_timeout(cli, &o.fetch.total_timeout_s, err))
		return -EINVAL;
	o.goproxy = cli->goproxy;   /* NULL: $GOPROXY */
	o.fetch.log = lutgen_cli_log;
	o.fetch.log_ctx = cli;
	return rungo_goproxy_new(&o, out, err);
}
