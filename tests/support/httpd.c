/* SPDX-License-Identifier: MIT */
/*
 * tests/support/httpd.c - loopback HTTP/1.1 server for tests (see httpd.h).
 *
 * One acceptor thread; one thread per connection.  Sleeps wait on a "stop"
 * pipe so test_httpd_stop() interrupts them; blocked writes are interrupted
 * by shutting the connection sockets down.
 */
#include "httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#define REQ_MAX 16384
#define IO_TIMEOUT_MS 10000
#define CHUNK 16384

/* Body shared by a route and the requests in flight. */
struct body {
	atomic_int refs;
	size_t len;
	unsigned char data[];
};

struct entry {
	struct entry *next;
	char *path;
	bool has_route;
	struct test_httpd_route r;   /* path/body/content_type/location unused */
	char *content_type;
	char *location;
	char *headers;
	struct body *body;
	int hits;
	int range_hits;
	char *last_req;              /* raw headers of the latest request */
};

struct conn {
	struct conn *next;
	struct test_httpd *h;
	pthread_t thread;
	int fd;
	atomic_bool done;
};

struct test_httpd {
	int listen_fd;
	int stop_pipe[2];
	unsigned short port;
	pthread_t acceptor;
	bool acceptor_started;
	atomic_bool stopping;
	pthread_mutex_t lock;        /* entries, conns, total */
	struct entry *entries;
	struct conn *conns;
	int total;
};

static struct body *body_new(const void *data, size_t len)
{
	struct body *b = malloc(sizeof(*b) + len + 1);

	if (!b)
		return NULL;
	atomic_init(&b->refs, 1);
	b->len = len;
	if (len)
		memcpy(b->data, data, len);
	b->data[len] = '\0';
	return b;
}

static void body_put(struct body *b)
{
	if (b && atomic_fetch_sub(&b->refs, 1) == 1)
		free(b);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void entry_clear_route(struct entry *e)
{
	free(e->content_type);
	free(e->location);
	free(e->headers);
	body_put(e->body);
	e->content_type = NULL;
	e->location = NULL;
	e->headers = NULL;
	e->body = NULL;
	e->has_route = false;
}

static void entry_free(struct entry *e)
{
	if (!e)
		return;
	entry_clear_route(e);
	free(e->path);
	free(e->last_req);
	free(e);
}

/* Caller holds h->lock. */
static struct entry *entry_get(struct test_httpd *h, const char *path,
			       bool create)
{
	struct entry *e;

	for (e = h->entries; e; e = e->next)
		if (strcmp(e->path, path) == 0)
			return e;
	if (!create)
		return NULL;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->path = strdup(path);
	if (!e->path) {
		free(e);
		return NULL;
	}
	e->next = h->entries;
	h->entries = e;
	return e;
}

/* Sleep up to ms, waking early when the server stops.  Returns false when
 * stopping. */
static bool nap(struct test_httpd *h, long ms)
{
	struct pollfd p = { .fd = h->stop_pipe[0], .events = POLLIN };

	while (ms > 0) {
		int chunk = ms > 1000 ? 1000 : (int)ms;
		int rc = poll(&p, 1, chunk);

		if (rc > 0 || atomic_load(&h->stopping))
			return false;
		if (rc < 0 && errno != EINTR)
			return false;
		ms -= chunk;
	}
	return !atomic_load(&h->stopping);
}

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read the request head (through the blank line).  Returns its length. */
static ssize_t read_head(struct test_httpd *h, int fd, char *buf, size_t size)
{
	size_t used = 0;

	while (used + 1 < size) {
		struct pollfd p[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = h->stop_pipe[0], .events = POLLIN },
		};
		ssize_t n;
		int rc = poll(p, 2, IO_TIMEOUT_MS);

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0 || p[1].revents)
			return -1;
		n = recv(fd, buf + used, size - 1 - used, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		used += (size_t)n;
		buf[used] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return (ssize_t)used;
	}
	return -1;
}

/* Find header `name` in a raw request head; copies the trimmed value. */
static bool header_value(const char *head, const char *name, char *out,
			 size_t size)
{
	size_t nlen = strlen(name);
	const char *line = strstr(head, "\r\n");

	while (line) {
		const char *end;

		line += 2;
		end = strstr(line, "\r\n");
		if (!end || end == line)
			return false;
		if ((size_t)(end - line) > nlen && line[nlen] == ':' &&
		    strncasecmp(line, name, nlen) == 0) {
			const char *v = line + nlen + 1;
			size_t vlen;

			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			vlen = (size_t)(end - v);
			while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
				vlen--;
			if (vlen + 1 > size)
				return false;
			memcpy(out, v, vlen);
			out[vlen] = '\0';
			return true;
		}
		line = end;
	}
	return false;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "Status";
	}
}

/* Parse "bytes=A-" / "bytes=A-B" / "bytes=-N".  Returns 1 satisfiable,
 * 0 unsatisfiable, -1 malformed (ignored, like most servers do). */
static int parse_range(const char *v, size_t len, size_t *from, size_t *to)
{
	unsigned long long a = 0, b = 0;
	char *end;

	if (strncmp(v, "bytes=", 6) != 0)
		return -1;
	v += 6;
	if (*v == '-') {
		b = strtoull(v + 1, &end, 10);
		if (end == v + 1 || *end)
			return -1;
		if (b == 0 || len == 0)
			return 0;
		*from = b >= len ? 0 : len - (size_t)b;
		*to = len - 1;
		return 1;
	}
	a = strtoull(v, &end, 10);
	if (end == v || *end != '-')
		return -1;
	v = end + 1;
	if (*v) {
		b = strtoull(v, &end, 10);
		if (*end || b < a)
			return -1;
	} else {
		b = len ? len - 1 : 0;
	}
	if (a >= len)
		return 0;
	if (b >= len)
		b = len - 1;
	*from = (size_t)a;
	*to = (size_t)b;
	return 1;
}

struct plan {
	bool has_route;
	int ordinal;            /* 0-based index of this request on the route */
	struct test_httpd_route r;
	char content_type[128];
	char location[2048];
	char headers[2048];
	struct body *body;      /* reference held */
};

/* Send the response.  Returns true when the connection must be reset. */
static bool respond(struct test_httpd *h, int fd, const char *head,
		    struct plan *pl)
{
	const struct test_httpd_route *r = &pl->r;
	char hdr[8192];
	char range[256];
	const unsigned char *data = pl->body ? pl->body->data : NULL;
	size_t len = pl->body ? pl->body->len : 0;
	size_t from = 0, count = len;
	size_t limit = SIZE_MAX;
	int status;
	bool slow = r->stall_first == 0 || pl->ordinal < r->stall_first;
	bool is_head = strncmp(head, "HEAD ", 5) == 0;
	char extra[2200] = "";
	int n;

	if (!pl->has_route) {
		static const char msg[] = "not found\n";

		status = 404;
		data = (const unsigned char *)msg;
		len = count = sizeof(msg) - 1;
	} else if (pl->ordinal < r->fail_first) {
		static const char msg[] = "programmed failure\n";

		status = r->fail_status ? r->fail_status : 500;
		data = (const unsigned char *)msg;
		len = count = sizeof(msg) - 1;
	} else if (r->status && r->status != 200 && r->status != 206) {
		status = r->status;
		if (pl->location[0]) {
			n = snprintf(extra, sizeof(extra), "Location: %s\r\n",
				     pl->location);
			if (n < 0 || (size_t)n >= sizeof(extra))
				return false;
		}
	} else {
		int rr = -1;

		status = 200;
		if (!r->ignore_range &&
		    header_value(head, "Range", range, sizeof(range)))
			rr = parse_range(range, len, &from, &count);
		if (rr == 1) {
			size_t to = count;

			count = to - from + 1;
			status = 206;
			n = snprintf(extra, sizeof(extra),
				     "Content-Range: bytes %zu-%zu/%zu\r\n",
				     from, to, len);
			if (n < 0 || (size_t)n >= sizeof(extra))
				return false;
		} else if (rr == 0) {
			status = 416;
			n = snprintf(extra, sizeof(extra),
				     "Content-Range: bytes */%zu\r\n", len);
			if (n < 0 || (size_t)n >= sizeof(extra))
				return false;
			from = 0;
			count = 0;
		}
		if (pl->ordinal >= r->fail_first &&
		    pl->ordinal < r->fail_first + r->drop_first)
			limit = r->drop_after;
	}

	if (slow && r->delay_ms > 0 && !nap(h, r->delay_ms))
		return false;

	n = snprintf(hdr, sizeof(hdr),
		     "HTTP/1.1 %d %s\r\n"
		     "Content-Type: %s\r\n"
		     "Content-Length: %zu\r\n"
		     "Accept-Ranges: %s\r\n"
		     "%s%s"
		     "Connection: close\r\n"
		     "\r\n",
		     status, reason(status),
		     pl->content_type[0] ? pl->content_type :
					   "application/octet-stream",
		     count, r->ignore_range ? "none" : "bytes", extra,
		     pl->headers);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return false;
	if (send_all(fd, hdr, (size_t)n) < 0 || is_head)
		return false;

	{
		size_t sent = 0;
		bool stalled = false;

		while (sent < count && sent < limit) {
			size_t want = count - sent;

			if (want > CHUNK)
				want = CHUNK;
			if (limit - sent < want)
				want = limit - sent;
			if (slow && r->stall_ms > 0 && !stalled) {
				if (sent >= r->stall_after) {
					stalled = true;
					if (!nap(h, r->stall_ms))
						return false;
				} else if (r->stall_after - sent < want) {
					want = r->stall_after - sent;
				}
			}
			if (r->trickle_ms > 0)
				want = 1;
			if (atomic_load(&h->stopping))
				return false;
			if (send_all(fd, data + from + sent, want) < 0)
				return false;
			sent += want;
			if (r->trickle_ms > 0 && !nap(h, r->trickle_ms))
				return false;
		}
		return sent < count && r->drop_reset;
	}
}

static void plan_request(struct test_httpd *h, const char *head,
			 struct plan *pl)
{
	char path[2048];
	const char *sp = strchr(head, ' ');
	const char *sp2;
	size_t plen;
	struct entry *e;
	char tmp[256];

	memset(pl, 0, sizeof(*pl));
	pl->ordinal = -1;
	if (!sp)
		return;
	sp++;
	sp2 = strpbrk(sp, " ?\r");
	if (!sp2)
		return;
	plen = (size_t)(sp2 - sp);
	if (plen >= sizeof(path))
		plen = sizeof(path) - 1;
	memcpy(path, sp, plen);
	path[plen] = '\0';

	pthread_mutex_lock(&h->lock);
	h->total++;
	e = entry_get(h, path, true);
	if (e) {
		pl->ordinal = e->hits++;
		if (header_value(head, "Range", tmp, sizeof(tmp)))
			e->range_hits++;
		free(e->last_req);
		e->last_req = strdup(head);
		pl->has_route = e->has_route;
		if (e->has_route) {
			pl->r = e->r;
			pl->r.path = NULL;
			pl->r.body = NULL;
			pl->r.content_type = NULL;
			pl->r.location = NULL;
			pl->r.headers = NULL;
			if (e->headers)
				snprintf(pl->headers, sizeof(pl->headers),
					 "%s", e->headers);
			if (e->content_type)
				snprintf(pl->content_type,
					 sizeof(pl->content_type), "%s",
					 e->content_type);
			if (e->location) {
				if (e->location[0] == '/')
					snprintf(pl->location,
						 sizeof(pl->location),
						 "http://127.0.0.1:%u%s",
						 (unsigned)h->port,
						 e->location);
				else
					snprintf(pl->location,
						 sizeof(pl->location), "%s",
						 e->location);
			}
			pl->body = e->body;
			if (pl->body)
				atomic_fetch_add(&pl->body->refs, 1);
		}
	}
	pthread_mutex_unlock(&h->lock);
}

static void *conn_main(void *arg)
{
	struct conn *c = arg;
	struct test_httpd *h = c->h;
	char *head = malloc(REQ_MAX);
	struct plan pl;
	bool reset = false;

	if (head && read_head(h, c->fd, head, REQ_MAX) > 0) {
		plan_request(h, head, &pl);
		if (pl.ordinal >= 0)
			reset = respond(h, c->fd, head, &pl);
		body_put(pl.body);
	}
	free(head);
	if (reset) {
		/* close() with a zero linger time sends a RST. */
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	} else {
		/* Graceful close: the client sees EOF (a short body when
		 * dropped).  Drain briefly so close() does not send a RST. */
		char sink[512];
		struct pollfd p = { .fd = c->fd, .events = POLLIN };

		shutdown(c->fd, SHUT_WR);
		while (!atomic_load(&h->stopping) && poll(&p, 1, 200) > 0 &&
		       recv(c->fd, sink, sizeof(sink), 0) > 0)
			;
	}
	pthread_mutex_lock(&h->lock);
	close(c->fd);
	c->fd = -1;
	pthread_mutex_unlock(&h->lock);
	atomic_store(&c->done, true);
	return NULL;
}

/* Join finished connection threads.  Caller holds no lock. */
static void reap(struct test_httpd *h, bool all)
{
	for (;;) {
		struct conn **pp, *c = NULL;

		pthread_mutex_lock(&h->lock);
		for (pp = &h->conns; *pp; pp = &(*pp)->next) {
			if (all || atomic_load(&(*pp)->done)) {
				c = *pp;
				*pp = c->next;
				break;
			}
		}
		pthread_mutex_unlock(&h->lock);
		if (!c)
			return;
		pthread_join(c->thread, NULL);
		free(c);
	}
}

static void *acceptor_main(void *arg)
{
	struct test_httpd *h = arg;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = h->listen_fd, .events = POLLIN },
			{ .fd = h->stop_pipe[0], .events = POLLIN },
		};
		struct conn *c;
		int fd, rc;

		reap(h, false);
		rc = poll(p, 2, 500);
		if (atomic_load(&h->stopping) || p[1].revents)
			break;
		if (rc <= 0 || !(p[0].revents & POLLIN))
			continue;
		fd = accept4(h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->h = h;
		c->fd = fd;
		atomic_init(&c->done, false);
		pthread_mutex_lock(&h->lock);
		if (pthread_create(&c->thread, NULL, conn_main, c) != 0) {
			pthread_mutex_unlock(&h->lock);
			close(fd);
			free(c);
			continue;
		}
		c->next = h->conns;
		h->conns = c;
		pthread_mutex_unlock(&h->lock);
	}
	return NULL;
}

int test_httpd_start(struct test_httpd **out)
{
	struct test_httpd *h;
	struct sockaddr_in sa;
	socklen_t salen = sizeof(sa);
	int one = 1;
	int ret;

	*out = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->listen_fd = -1;
	h->stop_pipe[0] = h->stop_pipe[1] = -1;
	atomic_init(&h->stopping, false);
	pthread_mutex_init(&h->lock, NULL);
	if (pipe2(h->stop_pipe, O_CLOEXEC) != 0) {
		ret = -errno;
		goto fail;
	}
	h->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (h->listen_fd < 0) {
		ret = -errno;
		goto fail;
	}
	setsockopt(h->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(h->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(h->listen_fd, 64) != 0 ||
	    getsockname(h->listen_fd, (struct sockaddr *)&sa, &salen) != 0) {
		ret = -errno;
		goto fail;
	}
	h->port = ntohs(sa.sin_port);
	ret = -pthread_create(&h->acceptor, NULL, acceptor_main, h);
	if (ret)
		goto fail;
	h->acceptor_started = true;
	*out = h;
	return 0;
fail:
	test_httpd_stop(h);
	return ret;
}

void test_httpd_stop(struct test_httpd *h)
{
	struct conn *c;
	struct entry *e;

	if (!h)
		return;
	atomic_store(&h->stopping, true);
	if (h->stop_pipe[1] >= 0) {
		ssize_t wr = write(h->stop_pipe[1], "x", 1);

		(void)wr;
	}
	if (h->acceptor_started)
		pthread_join(h->acceptor, NULL);
	pthread_mutex_lock(&h->lock);
	for (c = h->conns; c; c = c->next)
		if (c->fd >= 0)
			shutdown(c->fd, SHUT_RDWR);
	pthread_mutex_unlock(&h->lock);
	reap(h, true);
	while ((e = h->entries)) {
		h->entries = e->next;
		entry_free(e);
	}
	if (h->listen_fd >= 0)
		close(h->listen_fd);
	if (h->stop_pipe[0] >= 0)
		close(h->stop_pipe[0]);
	if (h->stop_pipe[1] >= 0)
		close(h->stop_pipe[1]);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

unsigned short test_httpd_port(const struct test_httpd *h)
{
	return h->port;
}

int test_httpd_url(const struct test_httpd *h, const char *path, char *buf,
		   size_t size)
{
	int n = snprintf(buf, size, "http://127.0.0.1:%u%s", (unsigned)h->port,
			 path ? path : "");

	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return 0;
}

int test_httpd_add(struct test_httpd *h, const struct test_httpd_route *r)
{
	struct body *b;
	char *ct = NULL, *loc = NULL, *hdrs = NULL;
	struct entry *e;
	int ret = 0;

	if (!r || !r->path || r->path[0] != '/' || (r->body_len && !r->body) ||
	    (r->headers && strlen(r->headers) >= sizeof(((struct plan *)0)->headers)) ||
	    (r->location && strlen(r->location) >= 2000) ||
	    (r->content_type && strlen(r->content_type) >= 128))
		return -EINVAL;
	b = body_new(r->body, r->body_len);
	ct = dup_or_null(r->content_type);
	loc = dup_or_null(r->location);
	hdrs = dup_or_null(r->headers);
	if (!b || (r->content_type && !ct) || (r->location && !loc) ||
	    (r->headers && !hdrs)) {
		ret = -ENOMEM;
		goto out;
	}
	pthread_mutex_lock(&h->lock);
	e = entry_get(h, r->path, true);
	if (!e) {
		pthread_mutex_unlock(&h->lock);
		ret = -ENOMEM;
		goto out;
	}
	entry_clear_route(e);
	e->r = *r;
	e->has_route = true;
	e->body = b;
	e->content_type = ct;
	e->location = loc;
	e->headers = hdrs;
	e->hits = 0;
	e->range_hits = 0;
	free(e->last_req);
	e->last_req = NULL;
	pthread_mutex_unlock(&h->lock);
	return 0;
out:
	body_put(b);
	free(ct);
	free(loc);
	free(hdrs);
	return ret;
}

int test_httpd_add_body(struct test_httpd *h, const char *path,
			const void *body, size_t len)
{
	struct test_httpd_route r = { .path = path, .body = body,
				      .body_len = len };

	return test_httpd_add(h, &r);
}

int test_httpd_add_file(struct test_httpd *h, const char *path,
			const char *file_path)
{
	FILE *f = fopen(file_path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int ret;

	if (!f)
		return -errno;
	for (;;) {
		size_t n;

		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 65536 * 4);

			if (!nb) {
				ret = -ENOMEM;
				goto out;
			}
			buf = nb;
			cap += 65536 * 4;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				ret = -EIO;
				goto out;
			}
			break;
		}
	}
	ret = test_httpd_add_body(h, path, buf, len);
out:
	free(buf);
	fclose(f);
	return ret;
}

int test_httpd_add_redirect(struct test_httpd *h, const char *path,
			    const char *location)
{
	struct test_httpd_route r = { .path = path, .status = 302,
				      .location = location,
				      .content_type = "text/plain" };

	return test_httpd_add(h, &r);
}

int test_httpd_hits(const struct test_httpd *h, const char *path)
{
	struct test_httpd *m = (struct test_httpd *)h;
	struct entry *e;
	int n;

	pthread_mutex_lock(&m->lock);
	e = entry_get(m, path, false);
	n = e ? e->hits : 0;
	pthread_mutex_unlock(&m->lock);
	return n;
}

int test_httpd_range_hits(const struct test_httpd *h, const char *path)
{
	struct test_httpd *m = (struct test_httpd *)h;
	struct entry *e;
	int n;

	pthread_mutex_lock(&m->lock);
	e = entry_get(m, path, false);
	n = e ? e->range_hits : 0;
	pthread_mutex_unlock(&m->lock);
	return n;
}

int test_httpd_total_hits(const struct test_httpd *h)
{
	struct test_httpd *m = (struct test_httpd *)h;
	int n;

	pthread_mutex_lock(&m->lock);
	n = m->total;
	pthread_mutex_unlock(&m->lock);
	return n;
}

int test_httpd_last_header(const struct test_httpd *h, const char *path,
			   const char *name, char *buf, size_t size)
{
	struct test_httpd *m = (struct test_httpd *)h;
	struct entry *e;
	int ret = -ENOENT;

	pthread_mutex_lock(&m->lock);
	e = entry_get(m, path, false);
	if (e && e->last_req) {
		char *tmp = malloc(REQ_MAX);

		if (!tmp)
			ret = -ENOMEM;
		else if (header_value(e->last_req, name, tmp, REQ_MAX))
			ret = strlen(tmp) + 1 > size ? -ENOSPC : 0;
		if (ret == 0)
			memcpy(buf, tmp, strlen(tmp) + 1);
		free(tmp);
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

void test_httpd_reset_hits(struct test_httpd *h)
{
	struct entry *e;

	pthread_mutex_lock(&h->lock);
	for (e = h->entries; e; e = e->next) {
		e->hits = 0;
		e->range_hits = 0;
		free(e->last_req);
		e->last_req = NULL;
	}
	h->total = 0;
	pthread_mutex_unlock(&h->lock);
}
