/* SPDX-License-Identifier: MIT */
/*
 * rungo/fetch.c - downloads with libcurl: redirects, retries with
 * exponential backoff, Range resume of "<dest>.part", size and sha256
 * verification (hashed while writing), fsync + rename into place.
 *
 * Policy, in one place:
 *  - transient (retried after retry_base_ms, doubling, at most
 *    max_attempts, within total_timeout_s): HTTP 5xx/408/429 (Retry-After
 *    honoured, capped at 60 s), connection refused/reset, dropped
 *    mid-file, no data for stall_timeout_s, curl timeouts;
 *  - resume: the next attempt asks for "Range: bytes=<have>-"; a 200
 *    answer restarts from byte 0, a 416 or a 206 from the wrong offset
 *    truncates the .part and starts over (once for free);
 *  - permanent: other 4xx, bad URL/protocol, a host name that does not
 *    resolve (offline, or a typo: waiting does not help), file:// errors,
 *    local I/O, size or sha256 mismatch (the .part is removed).  A
 *    mismatch after resuming a .part left by an earlier run is retried
 *    once from 0.
 *  - limits: total_timeout_s bounds the whole call (attempts and backoff
 *    included); a file never grows past its ceiling, min(expected size,
 *    max_size), so an endless body with an unknown size ("size": 0 in the
 *    index) stops there and its .part is removed.
 *  - the stall check is ours (progress callback: no new byte for
 *    stall_timeout_s); curl's LOW_SPEED_LIMIT/TIME stays as a backstop.
 *
 * Each call owns its easy handle; nothing here is process-wide except
 * curl_global_init (rungo_fetch_global_init).  Concurrent downloads into
 * the same .part are refused (flock) rather than interleaved.
 */
#include "rungo/fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/fs.h"
#include "common/sha256.h"

#define FETCH_USER_AGENT "lutgen/0.1"
#define FETCH_MAX_REDIRS 10L
#define FETCH_MEM_MAX ((size_t)256 << 20)   /* fetch_memory cap */
#define FETCH_BACKOFF_MAX_MS 60000L

#define DEF_CONNECT_TIMEOUT_MS 15000L
#define DEF_STALL_TIMEOUT_S 30L
#define DEF_MAX_ATTEMPTS 5
#define DEF_RETRY_BASE_MS 500L

/* Effective options (defaults applied). */
struct fopts {
	long connect_timeout_ms;
	long stall_timeout_s;
	long total_timeout_s;
	uint64_t max_size;
	int max_attempts;
	long retry_base_ms;
	common_progress_fn progress;
	void *progress_ctx;
	common_log_fn log;
	void *log_ctx;
};

/* Where the body goes: a file (with a running sha256) or memory. */
struct sink {
	const char *label;
	const struct fopts *o;
	CURL *curl;
	char errbuf[CURL_ERROR_SIZE];   /* lives as long as the handle */

	/* file mode */
	int fd;
	struct common_sha256 *md;
	uint64_t expected_size;
	uint64_t ceiling;       /* never more bytes than this */

	/* memory mode */
	bool is_mem;
	char *buf;
	size_t cap;

	uint64_t have;          /* bytes held by the sink */
	uint64_t offset;        /* bytes held when this attempt started */

	/* per attempt */
	bool body_started;
	bool discard;           /* error response: body ignored */
	bool ignored_range;     /* server answered 200 to a Range request */
	bool bad_range;         /* 206 starting somewhere unexpected */
	int werr;               /* local write error (-errno) */
	bool too_big;           /* file: more data than expected_size */
	long long range_start;  /* from Content-Range, -1 when absent */
	long long last_data_ms; /* when dlnow last moved (or connected) */
	curl_off_t last_dlnow;
	bool stalled;           /* aborted: no data for stall_timeout_s */
};

enum outcome { OUT_OK, OUT_RETRY, OUT_FAIL, OUT_RESTART };

static const char *url_basename(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash && slash[1] ? slash + 1 : s;
}

static void fopts_fill(struct fopts *o, const struct rungo_fetch_opts *in)
{
	memset(o, 0, sizeof(*o));
	if (in) {
		o->connect_timeout_ms = in->connect_timeout_ms;
		o->stall_timeout_s = in->stall_timeout_s;
		o->total_timeout_s = in->total_timeout_s;
		o->max_size = in->max_size;
		o->max_attempts = in->max_attempts;
		o->retry_base_ms = in->retry_base_ms;
		o->progress = in->progress;
		o->progress_ctx = in->progress_ctx;
		o->log = in->log;
		o->log_ctx = in->log_ctx;
	}
	if (o->connect_timeout_ms <= 0)
		o->connect_timeout_ms = DEF_CONNECT_TIMEOUT_MS;
	if (o->stall_timeout_s <= 0)
		o->stall_timeout_s = DEF_STALL_TIMEOUT_S;
	if (o->total_timeout_s == 0)
		o->total_timeout_s = RUNGO_FETCH_TOTAL_TIMEOUT_DEFAULT_S;
	else if (o->total_timeout_s < 0)
		o->total_timeout_s = 0;  /* none */
	if (o->max_size == 0)
		o->max_size = RUNGO_FETCH_MAX_SIZE_DEFAULT;
	if (o->max_attempts <= 0)
		o->max_attempts = DEF_MAX_ATTEMPTS;
	if (o->retry_base_ms <= 0)
		o->retry_base_ms = DEF_RETRY_BASE_MS;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000,
			       .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- global ------------------------------------------------------------ */

int rungo_fetch_global_init(struct common_err *err)
{
	CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);

	if (rc != CURLE_OK)
		return common_err_set(err, -EIO, "libcurl initialisation: %s",
				      curl_easy_strerror(rc));
	return 0;
}

void rungo_fetch_global_cleanup(void)
{
	curl_global_cleanup();
}

/* ---- sink -------------------------------------------------------------- */

static int sink_truncate(struct sink *s)
{
	s->have = 0;
	s->offset = 0;
	if (s->is_mem)
		return 0;
	if (ftruncate(s->fd, 0) != 0 || lseek(s->fd, 0, SEEK_SET) != 0)
		return -errno;
	return common_sha256_reset(s->md);
}

static int sink_write(struct sink *s, const char *data, size_t n)
{
	if (s->is_mem) {
		if (s->have + n + 1 > FETCH_MEM_MAX)
			return -EFBIG;
		if (s->have + n + 1 > s->cap) {
			size_t ncap = s->cap ? s->cap : 16384;
			char *nb;

			while (ncap < s->have + n + 1)
				ncap *= 2;
			nb = realloc(s->buf, ncap);
			if (!nb)
				return -ENOMEM;
			s->buf = nb;
			s->cap = ncap;
		}
		memcpy(s->buf + s->have, data, n);
		s->have += n;
		s->buf[s->have] = '\0';
		return 0;
	}
	{
		const char *p = data;
		size_t left = n;
		off_t at = (off_t)s->have;

		/* pwrite at the hashed length: a failed write can never leave
		 * the file and the digest out of step for a later attempt. */
		while (left) {
			ssize_t w = pwrite(s->fd, p, left, at);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				return -errno;
			}
			p += w;
			at += w;
			left -= (size_t)w;
		}
		if (common_sha256_update(s->md, data, n) != 0)
			return -EIO;
		s->have += n;
	}
	return 0;
}

static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nitems;

	if (n >= 5 && strncmp(buf, "HTTP/", 5) == 0) {
		s->range_start = -1;            /* a new response begins */
	} else if (n > 14 && strncasecmp(buf, "Content-Range:", 14) == 0) {
		const char *p = buf + 14;
		const char *end = buf + n;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (end - p > 6 && strncasecmp(p, "bytes ", 6) == 0 &&
		    isdigit((unsigned char)p[6])) {
			char num[32];
			size_t k = 0;

			p += 6;
			while (p < end && isdigit((unsigned char)*p) &&
			       k + 1 < sizeof(num))
				num[k++] = *p++;
			num[k] = '\0';
			s->range_start = strtoll(num, NULL, 10);
		}
	}
	return n;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	size_t n = size * nmemb;
	int ret;

	if (!s->body_started) {
		long code = 0;

		s->body_started = true;
		curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code >= 300) {
			s->discard = true;
		} else if (s->offset > 0 && code == 200) {
			/* The server ignored our Range: start again. */
			s->ignored_range = true;
			ret = sink_truncate(s);
			if (ret < 0) {
				s->werr = ret;
				return 0;
			}
		} else if (s->offset > 0 && code == 206 &&
			   s->range_start != (long long)s->offset) {
			s->bad_range = true;
			return 0;
		}
	}
	if (s->discard)
		return n;
	if (!s->is_mem && s->have + n > s->ceiling) {
		/* More than the index promised, or than any file may be:
		 * stop early, it is wrong. */
		s->werr = -EFBIG;
		return 0;
	}
	ret = sink_write(s, data, n);
	if (ret < 0) {
		s->werr = ret;
		return 0;
	}
	return n;
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct sink *s = ud;
	unsigned long long total = 0, done;
	curl_off_t connected = 0;
	long long now = now_ms();

	(void)ultotal;
	(void)ulnow;
	/* Our own stall check: curl's LOW_SPEED averages over a window of
	 * several seconds, so a burst followed by silence is noticed late. */
	curl_easy_getinfo(s->curl, CURLINFO_CONNECT_TIME_T, &connected);
	if (connected == 0 || dlnow != s->last_dlnow) {
		s->last_dlnow = dlnow;
		s->last_data_ms = now;
	} else if (now - s->last_data_ms >= s->o->stall_timeout_s * 1000LL) {
		s->stalled = true;
		return 1;
	}
	if (!s->o->progress)
		return 0;
	if (s->expected_size)
		total = s->expected_size;
	else if (dltotal > 0)
		total = s->offset + (unsigned long long)dltotal;
	done = s->offset + (unsigned long long)(dlnow > 0 ? dlnow : 0);
	/* done == total only once, after verification (common/err.h). */
	if (total && done >= total)
		done = total - 1;
	s->o->progress(s->o->progress_ctx, s->label, done, total);
	return 0;
}

/* ---- one transfer ------------------------------------------------------ */

static int http_status_errno(long code)
{
	switch (code) {
	case 404:
	case 410:
		return -ENOENT;
	case 401:
	case 403:
		return -EACCES;
	case 408:
		return -ETIMEDOUT;
	default:
		return code >= 500 ? -EIO : -EPROTO;
	}
}

static bool http_status_transient(long code)
{
	return code >= 500 || code == 408 || code == 429;
}

static bool curl_transient(CURLcode rc)
{
	switch (rc) {
	/* Not CURLE_COULDNT_RESOLVE_*: a name that does not resolve now
	 * (offline, a typo) will not resolve in a few seconds either. */
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_WEIRD_SERVER_REPLY:
		return true;
	default:
		return false;
	}
}

static int curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return -EINVAL;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_FILE_COULDNT_READ_FILE:
		return -ENOENT;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* The state of one transfer attempt, turned into words. */
struct result {
	enum outcome outcome;
	int code;
	bool timeout;
	long retry_after_ms;    /* server's Retry-After, 0 when none */
	char cause[768];        /* may be truncated, like common_err.msg */
};

static void cause_set(struct result *r, int code, const char *fmt, ...)
	COMMON_PRINTF(3, 4);

static void cause_set(struct result *r, int code, const char *fmt, ...)
{
	va_list ap;

	r->code = code;
	va_start(ap, fmt);
	vsnprintf(r->cause, sizeof(r->cause), fmt, ap);
	va_end(ap);
}

/* A local write error (s->werr): never worth a retry. */
static void classify_write_error(struct sink *s, const char *from,
				 struct result *r)
{
	r->outcome = OUT_FAIL;
	if (s->werr == -EFBIG && !s->is_mem && s->expected_size &&
	    s->expected_size <= s->ceiling) {
		s->too_big = true;
		cause_set(r, -EPROTO,
			  "size mismatch: expected %" PRIu64
			  " bytes, but %s sent more "
			  "(the file was removed; the mirror or the index is wrong)",
			  s->expected_size, from);
	} else if (s->werr == -EFBIG && !s->is_mem) {
		s->too_big = true;
		cause_set(r, -EFBIG,
			  "%s sent more than %" PRIu64 " bytes, the most "
			  "a download may have (its size is unknown); "
			  "stopped and removed the file",
			  from, s->ceiling);
	} else if (s->werr == -EFBIG) {
		cause_set(r, -EFBIG, "response from %s is larger than %zu MiB",
			  from, FETCH_MEM_MAX >> 20);
	} else {
		cause_set(r, s->werr, "cannot write the data: %s",
			  strerror(-s->werr));
	}
}

/* What the server answered, when curl itself is fine; false when the
 * curl code still has to be looked at. */
static bool classify_http(struct sink *s, const char *from, CURLcode rc,
			  long code, struct result *r)
{
	if (code == 416 && s->offset > 0) {
		r->outcome = OUT_RESTART;
		cause_set(r, -EPROTO,
			  "HTTP 416 for a resume from byte %" PRIu64 " from %s",
			  s->offset, from);
		return true;
	}
	if (code >= 300) {
		r->outcome = http_status_transient(code) ? OUT_RETRY : OUT_FAIL;
		cause_set(r, http_status_errno(code), "HTTP %ld from %s", code,
			  from);
		return true;
	}
	if (rc != CURLE_OK)
		return false;
	r->outcome = OUT_OK;
	r->code = 0;
	r->cause[0] = '\0';
	return true;
}

/* A timeout: no connection, or no data (our stall check aborted the
 * transfer: `ours`, or curl's). */
static void classify_timeout(struct sink *s, const char *from,
			     const char *errbuf, bool ours, struct result *r)
{
	r->outcome = OUT_RETRY;
	r->timeout = true;
	if (ours || strncmp(errbuf, "Operation too slow", 18) == 0)
		cause_set(r, -ETIMEDOUT, "no data for %ld s from %s",
			  s->o->stall_timeout_s, from);
	else if (strncmp(errbuf, "Connection timed out", 20) == 0 ||
		 strncmp(errbuf, "Failed to connect", 17) == 0)
		cause_set(r, -ETIMEDOUT, "no connection within %ld ms to %s",
			  s->o->connect_timeout_ms, from);
	else
		cause_set(r, -ETIMEDOUT, "%s from %s",
			  errbuf[0] ? errbuf : "timed out", from);
}

/* "URL" or "URL (redirected from URL)", and a Retry-After. */
static void describe_source(struct sink *s, const char *url, char *from,
			    size_t size, struct result *r)
{
	curl_off_t ra = 0;
	char *eff = NULL;

	curl_easy_getinfo(s->curl, CURLINFO_EFFECTIVE_URL, &eff);
	if (eff && strcmp(eff, url) != 0)
		snprintf(from, size, "%s (redirected from %s)", eff, url);
	else
		snprintf(from, size, "%s", url);
	r->timeout = false;
	r->retry_after_ms = 0;
	if (curl_easy_getinfo(s->curl, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after_ms = ra > FETCH_BACKOFF_MAX_MS / 1000
					    ? FETCH_BACKOFF_MAX_MS
					    : (long)ra * 1000;
}

static void classify(struct sink *s, const char *url, CURLcode rc,
		     const char *errbuf, struct result *r)
{
	long code = 0;
	char from[600];

	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	describe_source(s, url, from, sizeof(from), r);
	if (s->werr) {
		classify_write_error(s, from, r);
		return;
	}
	if (s->bad_range) {
		r->outcome = OUT_RESTART;
		cause_set(r, -EPROTO,
			  "%s answered a Range request from byte %" PRIu64
			  " with bytes from %lld", from, s->offset,
			  s->range_start);
		return;
	}
	if ((rc == CURLE_OK || rc == CURLE_WRITE_ERROR) &&
	    classify_http(s, from, rc, code, r))
		return;
	if (rc == CURLE_BAD_DOWNLOAD_RESUME || rc == CURLE_RANGE_ERROR) {
		r->outcome = s->offset > 0 ? OUT_RESTART : OUT_FAIL;
		cause_set(r, -EPROTO, "cannot resume %s: %s", from,
			  errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return;
	}
	if (rc == CURLE_ABORTED_BY_CALLBACK && s->stalled) {
		classify_timeout(s, from, errbuf, true, r);
		return;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		classify_timeout(s, from, errbuf, false, r);
		r->outcome = curl_transient(rc) ? OUT_RETRY : OUT_FAIL;
		return;
	}
	r->outcome = curl_transient(rc) ? OUT_RETRY : OUT_FAIL;
	cause_set(r, curl_errno(rc), "%s from %s",
		  errbuf[0] ? errbuf : curl_easy_strerror(rc), from);
}

static int setup_handle(CURL *c, const char *url, struct sink *s,
			char *errbuf)
{
	const struct fopts *o = s->o;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_URL, url);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_USERAGENT, FETCH_USER_AGENT);
	SET(CURLOPT_FOLLOWLOCATION, 1L);
	SET(CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS);
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	SET(CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS | CURLPROTO_FILE));
	SET(CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, o->stall_timeout_s);
	SET(CURLOPT_WRITEFUNCTION, on_write);
	SET(CURLOPT_WRITEDATA, s);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, s);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, s);
	SET(CURLOPT_NOPROGRESS, 0L);
#undef SET
	return rc == CURLE_OK ? 0 : -EINVAL;
}

/* Run attempts until success, a permanent error, or the attempts/time run
 * out.  On failure err holds "<cause> (...)" without the "download X: "
 * prefix, which the caller adds. */
/* Reset the per-attempt state; ask for the rest of a partial file; bound
 * the attempt by what is left of the total time. */
static void start_attempt(struct sink *s, long long deadline)
{
	char range[48];

	s->offset = s->have;
	s->body_started = false;
	s->discard = false;
	s->ignored_range = false;
	s->bad_range = false;
	s->werr = 0;
	s->range_start = -1;
	s->last_data_ms = now_ms();
	s->last_dlnow = 0;
	s->stalled = false;
	s->errbuf[0] = '\0';
	if (s->offset > 0) {
		snprintf(range, sizeof(range), "%" PRIu64 "-", s->offset);
		curl_easy_setopt(s->curl, CURLOPT_RANGE, range);
	} else {
		curl_easy_setopt(s->curl, CURLOPT_RANGE, (char *)NULL);
	}
	if (deadline) {
		long long left = deadline - now_ms();

		if (left < 1)
			left = 1;
		curl_easy_setopt(s->curl, CURLOPT_TIMEOUT_MS, (long)left);
	}
}

static int transfer(struct sink *s, const char *url, struct common_err *err)
{
	const struct fopts *o = s->o;
	char *errbuf = s->errbuf;
	long long deadline = 0;
	long backoff = o->retry_base_ms;
	bool restarted = false;
	struct result r;
	int attempt;
	int ret;

	if (o->total_timeout_s > 0)
		deadline = now_ms() + o->total_timeout_s * 1000LL;
	errbuf[0] = '\0';
	if (setup_handle(s->curl, url, s, errbuf) < 0)
		return common_err_set(err, -EINVAL,
				      "cannot set up libcurl for %s", url);

	for (attempt = 1;; attempt++) {
		CURLcode rc;

		start_attempt(s, deadline);
		rc = curl_easy_perform(s->curl);
		classify(s, url, rc, errbuf, &r);
		if (s->ignored_range)
			common_logf(o->log, o->log_ctx, COMMON_LOG_INFO,
				    "download %s: %s ignored the Range request; "
				    "downloaded from the start", s->label, url);

		if (r.outcome == OUT_OK)
			return 0;
		if (r.outcome == OUT_FAIL)
			return common_err_set(err, r.code, "%s", r.cause);
		if (r.outcome == OUT_RESTART) {
			ret = sink_truncate(s);
			if (ret < 0)
				return common_err_set(err, ret,
						      "cannot truncate the partial file: %s",
						      strerror(-ret));
			if (!restarted) {
				restarted = true;
				attempt--;
				common_logf(o->log, o->log_ctx, COMMON_LOG_INFO,
					    "download %s: %s; starting over",
					    s->label, r.cause);
				continue;
			}
		}
		/* transient */
		if (r.retry_after_ms > backoff)
			backoff = r.retry_after_ms;
		if (attempt >= o->max_attempts)
			return common_err_set(err, r.code, "%s (%s after %d attempt%s)",
					      r.cause,
					      r.timeout ? "timed out" : "gave up",
					      attempt, attempt == 1 ? "" : "s");
		if (deadline && now_ms() + backoff >= deadline)
			return common_err_set(err, r.timeout ? -ETIMEDOUT : r.code,
					      "%s (gave up: total time limit of %ld s "
					      "reached after %d attempt%s)",
					      r.cause, o->total_timeout_s, attempt,
					      attempt == 1 ? "" : "s");
		common_logf(o->log, o->log_ctx, COMMON_LOG_WARN,
			    "download %s: %s; retrying in %ld ms (attempt %d of %d)",
			    s->label, r.cause, backoff, attempt + 1, o->max_attempts);
		sleep_ms(backoff);
		backoff = backoff > FETCH_BACKOFF_MAX_MS / 2 ? FETCH_BACKOFF_MAX_MS :
							      backoff * 2;
	}
}

/* ---- public: downloads ------------------------------------------------- */

static bool hex_equal(const char *a, const char *b)
{
	return strlen(a) == strlen(b) && strcasecmp(a, b) == 0;
}

/* Best effort: make a rename durable. */
static void fsync_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;
	int fd;

	if (!slash) {
		n = 1;
		dir[0] = '.';
	} else {
		n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof(dir))
			return;
		memcpy(dir, path, n);
	}
	dir[n] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* One rungo_fetch_file call. */
struct fetch_file {
	const char *url, *dest, *label, *expected_sha256;
	uint64_t expected_size;
	char part[PATH_MAX];
	bool resumed;        /* the .part held bytes of an earlier run */
	bool fresh_retry;    /* already restarted from byte 0 once */
	bool remove_part;    /* on failure: the .part is known bad */
};

/* Arguments, the .part path, the size ceiling, curl and the hash. */
static int file_setup(struct fetch_file *f, struct sink *s, struct fopts *o,
		      struct common_err *err)
{
	if (!f->url || !*f->url || !f->dest || !*f->dest)
		return common_err_set(err, -EINVAL,
				      "download %s: no URL or destination given",
				      f->label);
	if (f->expected_sha256 && *f->expected_sha256 &&
	    strlen(f->expected_sha256) != 64)
		return common_err_set(err, -EINVAL,
				      "download %s: expected sha256 \"%s\" is not 64 hex digits",
				      f->label, f->expected_sha256);
	if (common_pathf(f->part, sizeof(f->part), "%s.part", f->dest))
		return common_err_set(err, -ENAMETOOLONG,
				      "download %s: destination path too long",
				      f->label);
	if (f->expected_size > o->max_size)
		return common_err_set(err, -EFBIG,
				      "download %s: the index says it has %" PRIu64
				      " bytes, more than the limit of %" PRIu64
				      " for one download; refusing it",
				      f->label, f->expected_size, o->max_size);
	s->label = f->label;
	s->o = o;
	s->expected_size = f->expected_size;
	s->ceiling = f->expected_size && f->expected_size < o->max_size
			     ? f->expected_size : o->max_size;
	s->curl = curl_easy_init();
	if (common_sha256_new(&s->md) < 0 || !s->curl)
		return common_err_set(err, -ENOMEM,
				      "download %s: cannot set up libcurl/OpenSSL",
				      f->label);
	return 0;
}

/* Hash what an earlier run left in the .part (st_size bytes) and go on
 * from there. */
static int resume_part(struct fetch_file *f, struct sink *s, uint64_t size,
		       struct common_err *err)
{
	uint64_t got_bytes = 0;
	int ret;

	ret = common_sha256_fd(s->md, s->fd, size, &got_bytes);
	if (ret < 0)
		return common_err_set(err, ret, "download %s: read %s: %s",
				      f->label, f->part, strerror(-ret));
	s->have = got_bytes;
	f->resumed = s->have > 0;
	if (lseek(s->fd, (off_t)s->have, SEEK_SET) < 0 ||
	    ftruncate(s->fd, (off_t)s->have) != 0)
		return common_err_set(err, -errno, "download %s: seek %s: %s",
				      f->label, f->part, strerror(errno));
	if (f->resumed)
		common_logf(s->o->log, s->o->log_ctx, COMMON_LOG_INFO,
			    "download %s: resuming %s at byte %" PRIu64,
			    f->label, f->part, s->have);
	return 0;
}

/* Open and lock the .part; resume it unless it cannot be right. */
static int open_part(struct fetch_file *f, struct sink *s,
		     struct common_err *err)
{
	struct stat st;
	int ret;

	s->fd = open(f->part, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (s->fd < 0)
		return common_err_set(err, -errno,
				      "download %s: cannot open %s: %s",
				      f->label, f->part, strerror(errno));
	/* Two downloads into one .part would interleave their bytes. */
	if (flock(s->fd, LOCK_EX | LOCK_NB) != 0)
		return common_err_set(err,
				      errno == EWOULDBLOCK ? -EBUSY : -errno,
				      "download %s: %s is being written by another download; "
				      "wait for it or remove the file",
				      f->label, f->part);
	if (fstat(s->fd, &st) != 0)
		return common_err_set(err, -errno, "download %s: stat %s: %s",
				      f->label, f->part, strerror(errno));
	if (st.st_size > 0 && (uint64_t)st.st_size <= s->ceiling)
		return resume_part(f, s, (uint64_t)st.st_size, err);
	if (st.st_size > 0) {
		ret = sink_truncate(s);
		if (ret < 0)
			return common_err_set(err, ret,
					      "download %s: truncate %s: %s",
					      f->label, f->part, strerror(-ret));
	}
	return 0;
}

/* Size and sha256 of what arrived: 0 good, 1 start over from byte 0 (a
 * resumed .part may have been the bad bit), < 0 bad (f->remove_part). */
static int verify(struct fetch_file *f, struct sink *s, struct common_err *err)
{
	char got[COMMON_SHA256_HEX_SIZE];
	int ret;

	f->remove_part = true;
	if (f->expected_size && s->have != f->expected_size)
		return common_err_set(err, -EPROTO,
				      "size mismatch: expected %" PRIu64
				      " bytes, got %" PRIu64
				      " from %s (the file was removed; the mirror or the index is wrong)",
				      f->expected_size, s->have, f->url);
	ret = common_sha256_final(s->md, got);
	if (ret < 0) {
		f->remove_part = false;
		return common_err_set(err, ret, "OpenSSL sha256 failed");
	}
	if (!f->expected_sha256 || !*f->expected_sha256 ||
	    hex_equal(got, f->expected_sha256))
		return 0;
	if (f->resumed && !f->fresh_retry) {
		common_logf(s->o->log, s->o->log_ctx, COMMON_LOG_WARN,
			    "download %s: sha256 mismatch after resuming; "
			    "downloading again from the start", f->label);
		f->fresh_retry = true;
		f->resumed = false;
		ret = sink_truncate(s);
		if (ret < 0)
			return common_err_set(err, ret, "truncate %s: %s",
					      f->part, strerror(-ret));
		return 1;
	}
	return common_err_set(err, -EPROTO,
			      "sha256 mismatch: expected %s, got %s "
			      "(the file was removed; the mirror or the index is wrong)",
			      f->expected_sha256, got);
}

/* The verified .part becomes dest, durably. */
static int publish(struct fetch_file *f, struct sink *s,
		   struct common_err *err)
{
	f->remove_part = false;
	if (ftruncate(s->fd, (off_t)s->have) != 0 || fsync(s->fd) != 0)
		return common_err_set(err, -errno, "write %s: %s", f->part,
				      strerror(errno));
	if (close(s->fd) != 0) {
		s->fd = -1;
		return common_err_set(err, -errno, "close %s: %s", f->part,
				      strerror(errno));
	}
	s->fd = -1;
	if (rename(f->part, f->dest) != 0)
		return common_err_set(err, -errno, "rename %s to %s: %s",
				      f->part, f->dest, strerror(errno));
	fsync_parent(f->dest);
	return 0;
}

/* Transfer and verify until good, bad, or restarted once. */
static int fetch_verified(struct fetch_file *f, struct sink *s,
			  struct common_err *err)
{
	int ret;

	do {
		if (!f->expected_size || s->have != f->expected_size) {
			ret = transfer(s, f->url, err);
			if (ret < 0) {
				f->remove_part = s->too_big;
				return ret;
			}
		}
		ret = verify(f, s, err);
	} while (ret == 1);
	return ret;
}

int rungo_fetch_file(const char *url, const char *dest_path, const char *label,
		     uint64_t expected_size, const char *expected_sha256,
		     const struct rungo_fetch_opts *opts, struct common_err *err)
{
	struct fetch_file f;
	struct fopts o;
	struct sink s;
	struct stat st;
	int ret;

	memset(&f, 0, sizeof(f));
	memset(&s, 0, sizeof(s));
	s.fd = -1;
	fopts_fill(&o, opts);
	f.url = url;
	f.dest = dest_path;
	f.label = label && *label ? label
		  : dest_path ? url_basename(dest_path) : "(null)";
	f.expected_size = expected_size;
	f.expected_sha256 = expected_sha256;
	ret = file_setup(&f, &s, &o, err);
	if (ret == 0)
		ret = open_part(&f, &s, err);
	if (ret)
		goto out;
	ret = fetch_verified(&f, &s, err);
	if (ret == 0)
		ret = publish(&f, &s, err);
	if (ret == 0) {
		if (o.progress)
			o.progress(o.progress_ctx, f.label, s.have, s.have);
		goto out;
	}
	/* Whatever went wrong, a .part past the ceiling is never kept. */
	if (f.remove_part ||
	    (stat(f.part, &st) == 0 && (uint64_t)st.st_size > s.ceiling))
		unlink(f.part);
	common_err_prefix(err, ret, "download %s", f.label);
out:
	if (s.fd >= 0)
		close(s.fd);
	curl_easy_cleanup(s.curl);
	common_sha256_free(s.md);
	return ret;
}

int rungo_fetch_memory(const char *url, const char *label,
		       const struct rungo_fetch_opts *opts, char **out,
		       size_t *len, struct common_err *err)
{
	struct fopts o;
	struct sink s;
	int ret;

	memset(&s, 0, sizeof(s));
	s.fd = -1;
	*out = NULL;
	if (len)
		*len = 0;
	fopts_fill(&o, opts);
	if (!label || !*label)
		label = url ? url_basename(url) : "(null)";
	if (!url || !*url) {
		ret = common_err_set(err, -EINVAL, "download %s: no URL given",
				     label);
		goto out;
	}
	s.label = label;
	s.o = &o;
	s.is_mem = true;
	s.curl = curl_easy_init();
	if (!s.curl) {
		ret = common_err_set(err, -ENOMEM,
				     "download %s: cannot set up libcurl", label);
		goto out;
	}
	ret = transfer(&s, url, err);
	if (ret < 0) {
		common_err_prefix(err, ret, "download %s", label);
		goto out;
	}
	if (!s.buf) {
		s.buf = malloc(1);
		if (!s.buf) {
			ret = common_err_set(err, -ENOMEM,
					     "download %s: out of memory", label);
			goto out;
		}
		s.buf[0] = '\0';
	}
	*out = s.buf;
	if (len)
		*len = (size_t)s.have;
	s.buf = NULL;
out:
	free(s.buf);
	curl_easy_cleanup(s.curl);
	return ret;
}
