/* SPDX-License-Identifier: MIT */
/*
 * rungo module support against hand-written modules served over real HTTP
 * on 127.0.0.1 (tests/support/httpd.h) and file://: the proxy client
 * (rungo/goproxy.h), h1 hashes (rungo/dirhash.h), go.sum records
 * (rungo/gosum.h) and the module cache (rungo/modcache.h).
 *
 * The fixtures and their expected h1 hashes come from
 * tests/support/modfixture.py, an independent Python implementation of the
 * go command's Hash1 (checked against `go mod download -json` by
 * tests/e2e_modules.py); nothing expected here is computed by rungo.
 */
#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "common/fs.h"
#include "httpd.h"
#include "rungo/cache.h"
#include "rungo/dirhash.h"
#include "rungo/fetch.h"
#include "rungo/gomod.h"
#include "rungo/goproxy.h"
#include "rungo/gosum.h"
#include "rungo/modgraph.h"
#include "rungo/modcache.h"
#include "rungo/modmirror.h"
#include "rungo/modversion.h"

#ifndef TEST_PYTHON
#define TEST_PYTHON "python3"
#endif

struct fx {
	char top[256];
	char proxy_dir[320];
	char cache_dir[320];
	char base[128];            /* http://127.0.0.1:PORT/p */
	struct test_httpd *h;
	cJSON *expected;
};

static struct fx *g_fx;        /* set up once for the group */

#define PATHF(buf, ...)                                                     \
	do {                                                                \
		int n_ = snprintf((buf), sizeof(buf), __VA_ARGS__);         \
		assert_true(n_ > 0 && (size_t)n_ < sizeof(buf));            \
	} while (0)

static int rm_cb(const char *p, const struct stat *sb, int flag,
		 struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	chmod(p, 0755);
	return remove(p);
}

static int serve_cb(const char *p, const struct stat *sb, int flag,
		    struct FTW *ftw)
{
	char route[1024];

	(void)sb;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	/* /p/<path relative to the proxy dir> */
	snprintf(route, sizeof(route), "/p%s", p + strlen(g_fx->proxy_dir));
	return test_httpd_add_file(g_fx->h, route, p) == 0 ? 0 : 1;
}

static int group_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char cmd[1024], path[512];
	char *text = NULL;
	size_t len = 0;
	const char *src = getenv("LUTGEN_SOURCE_ROOT");

	if (!f || !src)
		return -1;
	g_fx = f;
	snprintf(f->top, sizeof(f->top), "/tmp/lutgen-test-modules.XXXXXX");
	if (!mkdtemp(f->top))
		return -1;
	snprintf(f->proxy_dir, sizeof(f->proxy_dir), "%s/proxy", f->top);
	snprintf(f->cache_dir, sizeof(f->cache_dir), "%s/cache", f->top);
	snprintf(cmd, sizeof(cmd), "'%s' '%s/tests/support/modfixture.py' '%s'",
		 TEST_PYTHON, src, f->top);
	if (system(cmd) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/expected.json", f->top);
	if (common_fs_read_file(path, 0, &text, &len, NULL) != 0)
		return -1;
	f->expected = cJSON_Parse(text);
	free(text);
	if (!f->expected || test_httpd_start(&f->h) != 0 ||
	    nftw(f->proxy_dir, serve_cb, 16, FTW_PHYS) != 0 ||
	    test_httpd_url(f->h, "/p", f->base, sizeof(f->base)) != 0)
		return -1;
	if (rungo_fetch_global_init(NULL) != 0)
		return -1;
	*state = f;
	return 0;
}

static int group_teardown(void **state)
{
	struct fx *f = *state;

	test_httpd_stop(f->h);
	cJSON_Delete(f->expected);
	nftw(f->top, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	rungo_fetch_global_cleanup();
	return 0;
}

static const char *expected(struct fx *f, const char *key, const char *what)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(f->expected, key);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, what);

	if (!cJSON_IsString(s))
		fail_msg("no expected %s for %s", what, key);
	return s->valuestring;
}

static struct rungo_goproxy *proxy(const char *list, const char *nonproxy,
				   struct common_err *err)
{
	struct rungo_goproxy_opts o;
	struct rungo_goproxy *p = NULL;

	memset(&o, 0, sizeof(o));
	o.goproxy = list;
	o.gonoproxy = nonproxy ? nonproxy : "";
	o.goprivate = "";
	o.gonosumdb = "";
	o.gosumdb = "";
	o.fetch.max_attempts = 1;
	o.fetch.retry_base_ms = 1;
	if (rungo_goproxy_new(&o, &p, err) != 0)
		return NULL;
	return p;
}

static char *list_str(struct rungo_goproxy *p, const char *path, int *rc,
		      struct common_err *err)
{
	static char buf[1024];
	struct rungo_modver *v = NULL;
	size_t n = 0, i, at = 0;

	buf[0] = '\0';
	*rc = rungo_goproxy_list(p, path, &v, &n, err);
	for (i = 0; i < n; i++)
		at += (size_t)snprintf(buf + at, sizeof(buf) - at, "%s%s",
				       i ? " " : "", v[i].str);
	free(v);
	return buf;
}

/* ---- module paths ---- */

static void test_paths(void **state)
{
	struct rungo_modver v;
	struct common_err err = { 0 };
	char buf[64];

	(void)state;
	assert_int_equal(rungo_modpath_escape("github.com/Shopify/sarama",
					      buf, sizeof(buf)), 0);
	assert_string_equal(buf, "github.com/!shopify/sarama");
	assert_int_equal(rungo_modpath_escape("ABC", buf, 6), -ENOSPC);
	assert_int_equal(rungo_modpath_escape("ABC", buf, 7), 0);
	assert_string_equal(buf, "!a!b!c");

	assert_int_equal(rungo_modpath_check("google.golang.org/grpc", &err), 0);
	assert_int_equal(rungo_modpath_check("github.com/IBM/sarama", &err), 0);
	assert_int_equal(rungo_modpath_check("grpc", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "domain name"));
	assert_int_equal(rungo_modpath_check("example.com//x", &err), -EINVAL);
	assert_int_equal(rungo_modpath_check("example.com/../x", &err), -EINVAL);
	assert_int_equal(rungo_modpath_check("/example.com/x", &err), -EINVAL);
	assert_int_equal(rungo_modpath_check("example.com/x/", &err), -EINVAL);
	assert_int_equal(rungo_modpath_check("example.com/a b", &err), -EINVAL);
	assert_int_equal(rungo_modpath_check("example.com/a!b", &err), -EINVAL);

	assert_true(rungo_modpath_match("*.corp.example.com,github.com/acme",
					"git.corp.example.com/x/y"));
	assert_true(rungo_modpath_match("*.corp.example.com,github.com/acme",
					"github.com/acme/tool"));
	assert_true(rungo_modpath_match("github.com/acme/", "github.com/acme"));
	assert_false(rungo_modpath_match("github.com/acme",
					 "github.com/acmex/tool"));
	assert_false(rungo_modpath_match("*.corp.example.com",
					 "corp.example.com/x"));
	assert_true(rungo_modpath_match("github.com/*/private",
					"github.com/x/private/sub"));
	assert_false(rungo_modpath_match("", "github.com/x"));
	assert_false(rungo_modpath_match(",,", "github.com/x"));

	assert_int_equal(rungo_modver_parse("v2.1.0", &v, NULL), 0);
	assert_int_equal(rungo_modpath_check_version("example.com/m/v2", &v,
						     &err), 0);
	assert_int_equal(rungo_modpath_check_version("example.com/m", &v, &err),
			 -EINVAL);
	assert_non_null(strstr(err.msg, "v0 or v1"));
	assert_int_equal(rungo_modpath_check_version("example.com/m/v3", &v,
						     &err), -EINVAL);
	assert_int_equal(rungo_modpath_check_version("gopkg.in/yaml.v2", &v,
						     &err), 0);
	assert_int_equal(rungo_modver_parse("v2.1.0+incompatible", &v, NULL), 0);
	assert_int_equal(rungo_modpath_check_version("example.com/m", &v, &err),
			 0);
	assert_int_equal(rungo_modpath_check_version("example.com/m/v2", &v,
						     &err), -EINVAL);
	assert_int_equal(rungo_modver_parse("v1.0.0", &v, NULL), 0);
	/* "/v1" and "/v0" are no major suffix. */
	assert_int_equal(rungo_modpath_check_version("example.com/m/v1", &v,
						     &err), 0);
}

/* ---- GOPROXY settings ---- */

static void test_goproxy_settings(void **state)
{
	struct rungo_goproxy *p;
	struct common_err err = { 0 };

	(void)state;
	p = proxy("", NULL, &err);
	assert_non_null(p);
	assert_string_equal(rungo_goproxy_string(p),
			    "https://proxy.golang.org,direct");
	assert_string_equal(rungo_goproxy_first_url(p),
			    "https://proxy.golang.org");
	rungo_goproxy_free(p);

	p = proxy("proxy.example.com/,http://127.0.0.1:1/|off", NULL, &err);
	assert_non_null(p);
	assert_string_equal(rungo_goproxy_string(p),
			    "https://proxy.example.com,http://127.0.0.1:1|off");
	rungo_goproxy_free(p);

	{
		char buf[256];

		p = proxy("http://a.example|file:///x,direct", NULL, &err);
		assert_non_null(p);
		assert_int_equal(rungo_goproxy_build_list(p, "file:///cache/modules",
							  buf, sizeof(buf)), 0);
		assert_string_equal(buf,
				    "file:///cache/modules,http://a.example|file:///x,off");
		assert_int_equal(rungo_goproxy_build_list(p, NULL, buf, 10),
				 -ENOSPC);
		rungo_goproxy_free(p);
		p = proxy("off", NULL, &err);
		assert_int_equal(rungo_goproxy_build_list(p, NULL, buf, sizeof(buf)),
				 0);
		assert_string_equal(buf, "off");
		rungo_goproxy_free(p);
	}
	assert_null(proxy("nonsense", NULL, &err));
	assert_non_null(strstr(err.msg, "neither a URL nor"));
	assert_null(proxy("ftp://example.com", NULL, &err));
	assert_non_null(strstr(err.msg, "only http://, https:// and file://"));
	assert_null(proxy("/srv/proxy", NULL, &err));
	assert_non_null(strstr(err.msg, "file:///srv/proxy"));

	{
		struct rungo_goproxy_opts o;

		memset(&o, 0, sizeof(o));
		o.goproxy = "off";
		o.goprivate = "*.corp.example.com";
		o.gosumdb = "";
		assert_int_equal(rungo_goproxy_new(&o, &p, &err), 0);
		assert_true(rungo_goproxy_nosumdb(p, "git.corp.example.com/a"));
		assert_false(rungo_goproxy_nosumdb(p, "github.com/a/b"));
		rungo_goproxy_free(p);
		o.gosumdb = "off";
		assert_int_equal(rungo_goproxy_new(&o, &p, &err), 0);
		assert_true(rungo_goproxy_nosumdb(p, "github.com/a/b"));
		rungo_goproxy_free(p);
		o.gosumdb = NULL;
		o.gonosumdb = "github.com/a";
		assert_int_equal(rungo_goproxy_new(&o, &p, &err), 0);
		assert_true(rungo_goproxy_nosumdb(p, "github.com/a/b"));
		assert_false(rungo_goproxy_nosumdb(p, "git.corp.example.com/a"));
		rungo_goproxy_free(p);
	}
}

/* ---- @v/list ---- */

static void test_list(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_goproxy *p = proxy(f->base, NULL, &err);
	int rc;

	assert_non_null(p);
	/* Garbage and pseudo-versions skipped, sorted. */
	assert_string_equal(list_str(p, "example.com/hello", &rc, &err),
			    "v1.0.0 v1.1.0 v1.1.1 v1.2.0-rc.1");
	assert_int_equal(rc, 0);
	/* Only versions valid for the /v2 path. */
	assert_string_equal(list_str(p, "example.com/mod/v2", &rc, &err),
			    "v2.0.0 v2.1.0");
	assert_string_equal(list_str(p, "example.com/old", &rc, &err),
			    "v1.5.0 v2.0.0+incompatible");
	/* Case-escaped on the wire. */
	test_httpd_reset_hits(f->h);
	assert_string_equal(list_str(p, "github.com/Upper/Case", &rc, &err),
			    "v0.1.0");
	assert_int_equal(test_httpd_hits(f->h, "/p/github.com/!upper/!case/@v/list"),
			 1);

	list_str(p, "example.com/bad", &rc, &err);
	assert_int_equal(rc, -EPROTO);
	assert_non_null(strstr(err.msg, "no valid version"));

	list_str(p, "example.com/nothere", &rc, &err);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err.msg, "HTTP 404"));
	assert_non_null(strstr(err.msg, "example.com/nothere"));
	rungo_goproxy_free(p);

	/* file:// proxies work the same. */
	{
		char url[512];

		PATHF(url, "file://%s", f->proxy_dir);
		p = proxy(url, NULL, &err);
		assert_non_null(p);
		assert_string_equal(list_str(p, "example.com/hello", &rc, &err),
				    "v1.0.0 v1.1.0 v1.1.1 v1.2.0-rc.1");
		list_str(p, "example.com/nothere", &rc, &err);
		assert_int_equal(rc, -ENOENT);
		rungo_goproxy_free(p);
	}
}

/* ---- fallbacks: ',' only on not-found, '|' on any error ---- */

static void test_fallback(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_goproxy *p;
	struct test_httpd_route r;
	char list[1024], broken[256], missing[256];
	int rc;

	memset(&r, 0, sizeof(r));
	r.path = "/broken/example.com/hello/@v/list";
	r.fail_first = 1000;
	r.fail_status = 500;
	assert_int_equal(test_httpd_add(f->h, &r), 0);
	assert_int_equal(test_httpd_url(f->h, "/broken", broken, sizeof(broken)), 0);
	assert_int_equal(test_httpd_url(f->h, "/missing", missing, sizeof(missing)), 0);

	PATHF(list, "%s,%s", missing, f->base);
	p = proxy(list, NULL, &err);
	assert_string_equal(list_str(p, "example.com/hello", &rc, &err),
			    "v1.0.0 v1.1.0 v1.1.1 v1.2.0-rc.1");
	rungo_goproxy_free(p);

	PATHF(list, "%s,%s", broken, f->base);
	p = proxy(list, NULL, &err);
	list_str(p, "example.com/hello", &rc, &err);
	assert_int_equal(rc, -EIO);
	assert_non_null(strstr(err.msg, "HTTP 500"));
	rungo_goproxy_free(p);

	PATHF(list, "%s|%s", broken, f->base);
	p = proxy(list, NULL, &err);
	assert_string_equal(list_str(p, "example.com/hello", &rc, &err),
			    "v1.0.0 v1.1.0 v1.1.1 v1.2.0-rc.1");
	rungo_goproxy_free(p);

	/* Connection refused is an error, not "not found". */
	p = proxy("http://127.0.0.1:1,file:///nonexistent", NULL, &err);
	list_str(p, "example.com/hello", &rc, &err);
	assert_true(rc < 0 && rc != -ENOENT);
	rungo_goproxy_free(p);

	PATHF(list, "%s,off", missing);
	p = proxy(list, NULL, &err);
	list_str(p, "example.com/hello", &rc, &err);
	assert_int_equal(rc, -EPERM);
	assert_non_null(strstr(err.msg, "disabled by GOPROXY=off"));
	assert_non_null(strstr(err.msg, "HTTP 404"));
	rungo_goproxy_free(p);

	PATHF(list, "%s,direct", missing);
	p = proxy(list, NULL, &err);
	list_str(p, "example.com/hello", &rc, &err);
	assert_int_equal(rc, -ENOTSUP);
	assert_non_null(strstr(err.msg, "\"direct\""));
	assert_non_null(strstr(err.msg, "--goproxy"));
	rungo_goproxy_free(p);

	/* GONOPROXY: the go command would go direct. */
	p = proxy(f->base, "example.com/hel*", &err);
	list_str(p, "example.com/hello", &rc, &err);
	assert_int_equal(rc, -ENOTSUP);
	assert_non_null(strstr(err.msg, "GONOPROXY"));
	assert_string_equal(list_str(p, "example.com/mod/v2", &rc, &err),
			    "v2.0.0 v2.1.0");
	rungo_goproxy_free(p);
}

static void test_info_mod(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_goproxy *p = proxy(f->base, NULL, &err);
	struct rungo_modinfo mi;
	struct rungo_modver v;
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(rungo_modver_parse("v1.1.0", &v, NULL), 0);
	assert_int_equal(rungo_goproxy_info(p, "example.com/hello", &v, &mi,
					    &err), 0);
	assert_string_equal(mi.version.str, "v1.1.0");
	assert_string_equal(mi.time, "2020-01-01T00:00:00Z");
	assert_int_equal(rungo_goproxy_mod(p, "example.com/hello", &v, &text,
					   &len, &err), 0);
	assert_string_equal(text, "module example.com/hello\n\ngo 1.13\n");
	free(text);

	assert_int_equal(rungo_modver_parse("v1.0.0", &v, NULL), 0);
	assert_int_equal(rungo_goproxy_info(p, "example.com/liar", &v, &mi,
					    &err), -EPROTO);
	assert_non_null(strstr(err.msg, "names version v1.0.1"));
	rungo_goproxy_free(p);
}

/* ---- h1 ---- */

static void test_dirhash(void **state)
{
	static const char *const keys[] = {
		"example.com/hello@v1.0.0", "example.com/hello@v1.1.0",
		"example.com/hello@v1.1.1", "example.com/hello@v1.2.0-rc.1",
		"github.com/Upper/Case@v0.1.0", "example.com/mod/v2@v2.1.0",
		"example.com/old@v2.0.0+incompatible",
	};
	struct fx *f = *state;
	struct common_err err = { 0 };
	char h1[RUNGO_H1_SIZE], path[600], prefix[200];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		PATHF(prefix, "%s/", keys[i]);
		if (rungo_dirhash_zip(expected(f, keys[i], "zip"), prefix, h1,
				      &err) != 0)
			fail_msg("%s: %s", keys[i], err.msg);
		assert_string_equal(h1, expected(f, keys[i], "h1"));
		assert_int_equal(rungo_dirhash_zip(expected(f, keys[i], "zip"),
						   NULL, h1, &err), 0);
		assert_string_equal(h1, expected(f, keys[i], "h1"));
	}
	{
		static const char mod[] = "module example.com/hello\n\ngo 1.13\n";

		rungo_dirhash_gomod(mod, strlen(mod), h1);
	}
	assert_string_equal(h1, expected(f, "example.com/hello@v1.0.0",
					 "gomod_h1"));

	PATHF(path, "%s/example.com/bad/@v/v1.0.0.zip", f->proxy_dir);
	assert_int_equal(rungo_dirhash_zip(path, "example.com/bad@v1.0.0/", h1,
					   &err), -EPROTO);
	assert_non_null(strstr(err.msg, "example.com/evil@v1.0.0/x.go"));
	assert_non_null(strstr(err.msg, "is not under"));
	PATHF(path, "%s/example.com/dup/@v/v1.0.0.zip", f->proxy_dir);
	assert_int_equal(rungo_dirhash_zip(path, "example.com/dup@v1.0.0/", h1,
					   &err), -EPROTO);
	assert_non_null(strstr(err.msg, "differ only in case"));
	PATHF(path, "%s/example.com/hello/@v/v1.0.0.mod", f->proxy_dir);
	assert_int_equal(rungo_dirhash_zip(path, NULL, h1, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "v1.0.0.mod"));
	assert_int_equal(rungo_dirhash_zip("/nonexistent.zip", NULL, h1, &err),
			 -EPROTO);
}

/* ---- go.sum records ---- */

static void test_gosum(void **state)
{
	static const char text[] =
		"example.com/b v1.10.0 h1:HJvkLKdMzp53HtGRT8+PftEp5XEvGmbA+52zUp2fTlk=\n"
		"example.com/b v1.10.0/go.mod h1:C+pxXeJKUMGE9r+qti+cG3QFOcLA9LLeaTaY8XoIVW0=\n"
		"\n"
		"example.com/a v1.2.0/go.mod h1:wDK0/sD5SbdSeIbpU+RXfm1nntz0hqqFz/NcALlANFs=\n"
		"example.com/b v1.9.0 h1:uX88+8a+T4LXDZkxhc6ubP/YsPjmcihLeRVLcpG3ySs=\n";
	static const char sorted[] =
		"example.com/a v1.2.0/go.mod h1:wDK0/sD5SbdSeIbpU+RXfm1nntz0hqqFz/NcALlANFs=\n"
		"example.com/b v1.9.0 h1:uX88+8a+T4LXDZkxhc6ubP/YsPjmcihLeRVLcpG3ySs=\n"
		"example.com/b v1.10.0 h1:HJvkLKdMzp53HtGRT8+PftEp5XEvGmbA+52zUp2fTlk=\n"
		"example.com/b v1.10.0/go.mod h1:C+pxXeJKUMGE9r+qti+cG3QFOcLA9LLeaTaY8XoIVW0=\n";
	struct rungo_gosum *s = NULL;
	struct common_err err = { 0 };
	struct rungo_modver v;
	char h1[RUNGO_H1_SIZE], *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(rungo_gosum_parse(text, strlen(text), "t.sum", &s,
					   &err), 0);
	assert_int_equal(rungo_gosum_count(s), 4);
	assert_int_equal(rungo_gosum_format(s, &out, &len, &err), 0);
	assert_string_equal(out, sorted);
	assert_int_equal(len, strlen(sorted));
	free(out);
	assert_int_equal(rungo_modver_parse("v1.10.0", &v, NULL), 0);
	assert_true(rungo_gosum_lookup(s, "example.com/b", &v, true, h1));
	assert_string_equal(h1, "h1:C+pxXeJKUMGE9r+qti+cG3QFOcLA9LLeaTaY8XoIVW0=");
	assert_false(rungo_gosum_lookup(s, "example.com/a", &v, true, h1));
	/* Same hash again: fine.  Another: refused, naming both. */
	assert_int_equal(rungo_gosum_add(s, "example.com/b", &v, true,
					 "h1:C+pxXeJKUMGE9r+qti+cG3QFOcLA9LLeaTaY8XoIVW0=",
					 &err), 0);
	assert_int_equal(rungo_gosum_add(s, "example.com/b", &v, true,
					 "h1:uX88+8a+T4LXDZkxhc6ubP/YsPjmcihLeRVLcpG3ySs=",
					 &err), -EEXIST);
	assert_non_null(strstr(err.msg, "example.com/b v1.10.0/go.mod"));
	assert_non_null(strstr(err.msg, "h1:C+pxX"));
	assert_non_null(strstr(err.msg, "h1:uX88"));
	assert_int_equal(rungo_gosum_add(s, "example.com/b", &v, false, "md5:x",
					 &err), -EINVAL);
	rungo_gosum_free(s);

	assert_int_equal(rungo_gosum_parse("example.com/a v1.0.0\n", 21, "t.sum",
					   &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "t.sum:1:"));
	assert_int_equal(rungo_gosum_parse("\nexample.com/a v1.0 h1:x\n", 25,
					   "t.sum", &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "t.sum:2:"));
	{
		static const char twice[] =
			"example.com/a v1.0.0 h1:uX88+8a+T4LXDZkxhc6ubP/YsPjmcihLeRVLcpG3ySs=\n"
			"example.com/a v1.0.0 h1:HJvkLKdMzp53HtGRT8+PftEp5XEvGmbA+52zUp2fTlk=\n";

		assert_int_equal(rungo_gosum_parse(twice, strlen(twice), "t.sum",
						   &s, &err), -EEXIST);
		assert_non_null(strstr(err.msg, "t.sum:2:"));
	}
	assert_int_equal(rungo_gosum_load("/nonexistent/modules.sum", &s, &err), 0);
	assert_int_equal(rungo_gosum_count(s), 0);
	rungo_gosum_free(s);
}

/* ---- module cache ---- */

static struct rungo_cache *open_cache(const char *dir)
{
	struct rungo_cache_opts o;
	struct rungo_cache *c = NULL;
	struct common_err err = { 0 };

	memset(&o, 0, sizeof(o));
	o.dir = dir;
	if (rungo_cache_open(&o, &c, &err) != 0)
		fail_msg("%s", err.msg);
	return c;
}

static void test_modcache(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_goproxy *p = proxy(f->base, NULL, &err);
	struct rungo_gosum *sums = NULL;
	struct rungo_modcache_opts o;
	struct rungo_module m;
	struct rungo_modver v;
	struct stat st;
	char dir[600], path[900], *text = NULL;
	const char *zip_route = "/p/example.com/hello/@v/v1.1.0.zip";

	PATHF(dir, "%s/c1", f->cache_dir);
	assert_int_equal(rungo_gosum_new(&sums, &err), 0);
	memset(&o, 0, sizeof(o));
	o.cache = open_cache(dir);
	o.proxy = p;
	o.sums = sums;
	assert_int_equal(rungo_modver_parse("v1.1.0", &v, NULL), 0);
	test_httpd_reset_hits(f->h);
	if (rungo_modcache_download(&o, "example.com/hello", &v, &m, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(m.h1, expected(f, "example.com/hello@v1.1.0", "h1"));
	assert_string_equal(m.gomod_h1,
			    expected(f, "example.com/hello@v1.1.0", "gomod_h1"));
	assert_string_equal(m.time, "2020-01-01T00:00:00Z");
	assert_true(m.downloaded);
	assert_true(m.recorded);
	assert_int_equal(rungo_gosum_count(sums), 2);
	/* The GOPROXY layout in the cache. */
	PATHF(path, "%s/modules/example.com/hello/@v/v1.1.0.zip", dir);
	assert_string_equal(m.zip, path);
	assert_int_equal(stat(path, &st), 0);
	PATHF(path, "%s/modules/example.com/hello/@v/v1.1.0.mod", dir);
	assert_int_equal(stat(path, &st), 0);
	PATHF(path, "%s/modules/example.com/hello/@v/v1.1.0.info", dir);
	assert_int_equal(stat(path, &st), 0);
	PATHF(path, "%s/modules/example.com/hello/@v/v1.1.0.ziphash", dir);
	assert_int_equal(common_fs_read_file(path, 0, &text, NULL, NULL), 0);
	assert_string_equal(text, expected(f, "example.com/hello@v1.1.0", "h1"));
	free(text);
	assert_int_equal(test_httpd_hits(f->h, zip_route), 1);

	/* Cached: no request at all, even without a proxy. */
	test_httpd_reset_hits(f->h);
	o.proxy = NULL;
	assert_int_equal(rungo_modcache_download(&o, "example.com/hello", &v,
						 &m, &err), 0);
	assert_false(m.downloaded);
	assert_false(m.recorded);
	assert_string_equal(m.h1, expected(f, "example.com/hello@v1.1.0", "h1"));
	assert_int_equal(test_httpd_total_hits(f->h), 0);
	assert_int_equal(rungo_modver_parse("v1.0.0", &v, NULL), 0);
	assert_int_equal(rungo_modcache_download(&o, "example.com/hello", &v,
						 &m, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "no proxy"));

	/* Case-escaped module, go.mod only. */
	o.proxy = p;
	assert_int_equal(rungo_modver_parse("v0.1.0", &v, NULL), 0);
	{
		char h1[RUNGO_H1_SIZE];
		size_t len = 0;

		assert_int_equal(rungo_modcache_gomod(&o, "github.com/Upper/Case",
						      &v, &text, &len, h1, &err), 0);
		assert_string_equal(h1, expected(f, "github.com/Upper/Case@v0.1.0",
						 "gomod_h1"));
		free(text);
		PATHF(path, "%s/modules/github.com/!upper/!case/@v/v0.1.0.mod", dir);
		assert_int_equal(stat(path, &st), 0);
	}

	/* A bad zip is refused, nothing is left behind. */
	assert_int_equal(rungo_modver_parse("v1.0.0", &v, NULL), 0);
	assert_int_equal(rungo_modcache_download(&o, "example.com/bad", &v, &m,
						 &err), -EPROTO);
	assert_non_null(strstr(err.msg, "module example.com/bad@v1.0.0"));
	PATHF(path, "%s/modules/example.com/bad/@v/v1.0.0.zip", dir);
	assert_int_not_equal(stat(path, &st), 0);

	rungo_cache_free(o.cache);
	rungo_gosum_free(sums);
	rungo_goproxy_free(p);
}

/* A record that disagrees with what the proxy serves (a re-tagged version
 * or a poisoned proxy): an error naming both hashes, nothing cached. */
static void test_modcache_mismatch(void **state)
{
	static const char wrong[] =
		"example.com/hello v1.1.1 h1:uX88+8a+T4LXDZkxhc6ubP/YsPjmcihLeRVLcpG3ySs=\n";
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_goproxy *p = proxy(f->base, NULL, &err);
	struct rungo_gosum *sums = NULL;
	struct rungo_modcache_opts o;
	struct rungo_module m;
	struct rungo_modver v;
	struct stat st;
	char dir[600], path[900];

	PATHF(dir, "%s/c2", f->cache_dir);
	assert_int_equal(rungo_gosum_parse(wrong, strlen(wrong), "m.sum", &sums,
					   &err), 0);
	memset(&o, 0, sizeof(o));
	o.cache = open_cache(dir);
	o.proxy = p;
	o.sums = sums;
	assert_int_equal(rungo_modver_parse("v1.1.1", &v, NULL), 0);
	assert_int_equal(rungo_modcache_download(&o, "example.com/hello", &v,
						 &m, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "example.com/hello@v1.1.1"));
	assert_non_null(strstr(err.msg, "checksum mismatch"));
	assert_non_null(strstr(err.msg, expected(f, "example.com/hello@v1.1.1",
						 "h1")));
	assert_non_null(strstr(err.msg,
			       "h1:uX88+8a+T4LXDZkxhc6ubP/YsPjmcihLeRVLcpG3ySs="));
	PATHF(path, "%s/modules/example.com/hello/@v/v1.1.1.zip", dir);
	assert_int_not_equal(stat(path, &st), 0);
	PATHF(path, "%s/modules/example.com/hello/@v/v1.1.1.ziphash", dir);
	assert_int_not_equal(stat(path, &st), 0);

	/* A cache entry that does not match the record is refused too. */
	rungo_gosum_free(sums);
	assert_int_equal(rungo_gosum_new(&sums, &err), 0);
	o.sums = sums;
	assert_int_equal(rungo_modcache_download(&o, "example.com/hello", &v,
						 &m, &err), 0);
	rungo_gosum_free(sums);
	assert_int_equal(rungo_gosum_parse(wrong, strlen(wrong), "m.sum", &sums,
					   &err), 0);
	o.sums = sums;
	o.proxy = NULL;
	assert_int_equal(rungo_modcache_download(&o, "example.com/hello", &v,
						 &m, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "the cached zip"));

	rungo_cache_free(o.cache);
	rungo_gosum_free(sums);
	rungo_goproxy_free(p);
}

struct racer {
	struct rungo_modcache_opts *o;
	int rc;
	char h1[RUNGO_H1_SIZE];
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct rungo_module m;
	struct rungo_modver v;

	rungo_modver_parse("v2.1.0", &v, NULL);
	r->rc = rungo_modcache_download(r->o, "example.com/mod/v2", &v, &m, NULL);
	memcpy(r->h1, m.h1, sizeof(r->h1));
	return NULL;
}

static void test_modcache_concurrent(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_goproxy *p = proxy(f->base, NULL, &err);
	struct rungo_gosum *sums = NULL;
	struct rungo_modcache_opts o;
	struct racer r[6];
	pthread_t t[6];
	char dir[600];
	int i;

	PATHF(dir, "%s/c3", f->cache_dir);
	assert_int_equal(rungo_gosum_new(&sums, &err), 0);
	memset(&o, 0, sizeof(o));
	o.cache = open_cache(dir);
	o.proxy = p;
	o.sums = sums;
	test_httpd_reset_hits(f->h);
	for (i = 0; i < 6; i++) {
		r[i].o = &o;
		assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < 6; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(r[i].rc, 0);
		assert_string_equal(r[i].h1,
				    expected(f, "example.com/mod/v2@v2.1.0", "h1"));
	}
	assert_int_equal(test_httpd_hits(f->h, "/p/example.com/mod/v2/@v/v2.1.0.zip"),
			 1);
	assert_int_equal(rungo_gosum_count(sums), 2);
	rungo_cache_free(o.cache);
	rungo_gosum_free(sums);
	rungo_goproxy_free(p);
}

/* ---- go.mod ---- */

static void test_gomod(void **state)
{
	static const char text[] =
		"// a comment\n"
		"module \"example.com/x\" // trailing\n"
		"\n"
		"go 1.21.3\n"
		"toolchain go1.22.0\n"
		"require example.com/a v1.2.3\n"
		"require (\n"
		"\tgolang.org/x/net v0.0.0-20190620200207-3b0461eec859 // indirect\n"
		"\t\"example.com/q\" v2.0.0+incompatible\n"
		"\n"
		"\t// nothing\n"
		")\n"
		"replace example.com/a => ../a\n"
		"replace (\n"
		"\texample.com/b v1.0.0 => example.com/c v1.1.0\n"
		"\t\"example.com/d\" => example.com/d v0.0.0-20210119000000-5f4716e00000 // pin\n"
		")\n"
		"exclude (\n\texample.com/a v1.0.0\n)\n"
		"retract [v1.0.0, v1.1.0] // broken\n"
		"retract (\n\tv1.0.1 // oops\n)\n";
	struct rungo_gomod *m = NULL;
	struct common_err err = { 0 };

	(void)state;
	if (rungo_gomod_parse(text, strlen(text), "x/go.mod", &m, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(m->module, "example.com/x");
	assert_true(m->has_go);
	assert_int_equal(m->go.minor, 21);
	assert_int_equal(m->go.patch, 3);
	assert_int_equal(m->nrequires, 3);
	assert_string_equal(m->requires[0].path, "example.com/a");
	assert_string_equal(m->requires[0].version.str, "v1.2.3");
	assert_false(m->requires[0].indirect);
	assert_string_equal(m->requires[1].path, "golang.org/x/net");
	assert_true(m->requires[1].indirect);
	assert_string_equal(m->requires[2].path, "example.com/q");
	assert_true(m->requires[2].version.incompatible);
	assert_int_equal(m->nreplaces, 3);
	assert_string_equal(m->replaces[0].path, "example.com/a");
	assert_false(m->replaces[0].has_from);
	assert_string_equal(m->replaces[0].to_path, "../a");
	assert_false(m->replaces[0].has_to);
	assert_true(m->replaces[1].has_from);
	assert_string_equal(m->replaces[1].from.str, "v1.0.0");
	assert_string_equal(m->replaces[1].to_path, "example.com/c");
	assert_string_equal(m->replaces[1].to.str, "v1.1.0");
	assert_string_equal(m->replaces[2].path, "example.com/d");
	assert_false(m->replaces[2].has_from);
	assert_true(m->replaces[2].has_to);
	assert_true(rungo_modver_pseudo(&m->replaces[2].to, NULL, NULL));
	rungo_gomod_free(m);

	/* A module replacement needs a version; only directories have none. */
	assert_int_equal(rungo_gomod_parse("replace a.b/c => d.e/f\n", 23,
					   "r/go.mod", &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "r/go.mod:1: replacement d.e/f needs a version"));
	assert_int_equal(rungo_gomod_parse("replace a.b/c v1.0.0\n", 21,
					   "s/go.mod", &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "s/go.mod:1: a replacement is"));

	assert_int_equal(rungo_gomod_parse("module a.b\nfrobnicate x\n", 24,
					   "y/go.mod", &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "y/go.mod:2: unknown directive"));
	assert_int_equal(rungo_gomod_parse("require (\na.b/c v1.0.0\n", 23,
					   "z/go.mod", &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "not closed"));
	assert_int_equal(rungo_gomod_parse("require a.b/c v1\n", 17, "w/go.mod",
					   &m, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "w/go.mod:1:"));
	assert_int_equal(rungo_gomod_parse("go banana\n", 10, "v/go.mod", &m,
					   &err), -EINVAL);
}

/* ---- module graph with versions the proxy lacks ---- */

static void test_modgraph(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_goproxy *p = proxy(f->base, NULL, &err);
	struct rungo_modcache_opts o;
	struct rungo_modgraph *g = NULL;
	struct rungo_modver v;
	char dir[600];

	PATHF(dir, "%s/c4", f->cache_dir);
	memset(&o, 0, sizeof(o));
	o.cache = open_cache(dir);
	o.proxy = p;
	assert_int_equal(rungo_modver_parse("v1.0.0", &v, NULL), 0);
	if (rungo_modgraph_resolve(&o, NULL, "example.com/needs", &v, &g, &err) != 0)
		fail_msg("%s", err.msg);
	/* hello v1.0.5 is missing: the oldest listed version above it;
	 * mod/v2 v2.0.1: v2.1.0; ghost is unknown. */
	assert_int_equal(g->nreplaces, 2);
	assert_string_equal(g->replaces[0].path, "example.com/hello");
	assert_string_equal(g->replaces[0].from.str, "v1.0.5");
	assert_string_equal(g->replaces[0].to.str, "v1.1.0");
	assert_string_equal(g->replaces[1].path, "example.com/mod/v2");
	assert_string_equal(g->replaces[1].from.str, "v2.0.1");
	assert_string_equal(g->replaces[1].to.str, "v2.1.0");
	assert_int_equal(g->nmissing, 1);
	assert_string_equal(g->missing[0], "example.com/ghost");
	assert_true(g->has_go);
	assert_int_equal(g->go.minor, 16);
	/* needs, hello v1.1.0, mod/v2 v2.1.0, Case, uses. */
	assert_int_equal(g->nodes, 5);
	rungo_modgraph_free(g);

	/* A module whose graph is complete needs no replacement. */
	assert_int_equal(rungo_modgraph_resolve(&o, NULL, "example.com/uses", &v, &g,
						&err), 0);
	assert_int_equal(g->nreplaces, 0);
	assert_int_equal(g->nmissing, 0);
	assert_int_equal(g->nodes, 2);
	rungo_modgraph_free(g);

	/* Pins win over the requirement and over the proxy's listing:
	 * hello v1.0.5 -> v1.0.0 (not the v1.1.0 the rule would pick), and
	 * once per path, without a "from" version. */
	{
		struct rungo_modpin pins[2];
		struct rungo_modgraph_opts po;

		memset(pins, 0, sizeof(pins));
		memset(&po, 0, sizeof(po));
		pins[0].path = "example.com/hello";
		assert_int_equal(rungo_modver_parse("v1.0.0", &pins[0].version,
						    NULL), 0);
		pins[1].path = "example.com/mod/v2";
		assert_int_equal(rungo_modver_parse("v2.0.0", &pins[1].version,
						    NULL), 0);
		po.pins = pins;
		po.npins = 2;
		if (rungo_modgraph_resolve(&o, &po, "example.com/needs", &v,
					   &g, &err) != 0)
			fail_msg("%s", err.msg);
		/* uses v1.0.0 requires hello v1.1.0: pinned as well. */
		assert_int_equal(g->nreplaces, 2);
		assert_string_equal(g->replaces[0].path, "example.com/hello");
		assert_false(g->replaces[0].has_from);
		assert_string_equal(g->replaces[0].to.str, "v1.0.0");
		assert_string_equal(g->replaces[1].path, "example.com/mod/v2");
		assert_false(g->replaces[1].has_from);
		assert_string_equal(g->replaces[1].to.str, "v2.0.0");
		assert_int_equal(g->nmissing, 1);
		/* needs, hello v1.0.0, mod/v2 v2.0.0, Case, uses. */
		assert_int_equal(g->nodes, 5);
		rungo_modgraph_free(g);

		/* big/sub, unknown to the proxy, lies under the pinned big:
		 * big is required (and walked), with its go directive. */
		{
			struct rungo_modpin bp[1];
			struct rungo_modgraph_opts bo;

			memset(bp, 0, sizeof(bp));
			memset(&bo, 0, sizeof(bo));
			bp[0].path = "example.com/big";
			assert_int_equal(rungo_modver_parse("v1.0.0",
							    &bp[0].version,
							    NULL), 0);
			bo.pins = bp;
			bo.npins = 1;
			if (rungo_modgraph_resolve(&o, &bo,
						   "example.com/needsplit", &v,
						   &g, &err) != 0)
				fail_msg("%s", err.msg);
			assert_int_equal(g->nrequires, 1);
			assert_string_equal(g->requires[0].path,
					    "example.com/big");
			assert_string_equal(g->requires[0].version.str,
					    "v1.0.0");
			assert_string_equal(g->requires[0].encloses,
					    "example.com/big/sub");
			assert_int_equal(g->nmissing, 1);
			assert_string_equal(g->missing[0],
					    "example.com/big/sub");
			/* What big requires beyond the pins is excluded,
			 * whether the proxy has it (hello) or not (lint). */
			assert_int_equal(g->nexcludes, 2);
			assert_string_equal(g->excludes[0].path,
					    "example.com/hello");
			assert_string_equal(g->excludes[0].version.str,
					    "v1.1.0");
			assert_string_equal(g->excludes[1].path,
					    "example.com/lint");
			assert_string_equal(g->excludes[1].version.str,
					    "v0.0.1");
			assert_int_equal(g->go.minor, 14);
			assert_int_equal(g->nreplaces, 1);
			rungo_modgraph_free(g);
			/* Without pins nothing is required. */
			assert_int_equal(rungo_modgraph_resolve(
						 &o, NULL, "example.com/needsplit",
						 &v, &g, &err), 0);
			assert_int_equal(g->nrequires, 0);
			assert_int_equal(g->nexcludes, 0);
			rungo_modgraph_free(g);
		}

		/* A pin to a version the proxy lacks is an error naming it. */
		assert_int_equal(rungo_modver_parse("v1.0.7", &pins[0].version,
						    NULL), 0);
		assert_int_equal(rungo_modgraph_resolve(&o, &po,
							"example.com/needs",
							&v, &g, &err),
				 -ENOENT);
		assert_non_null(strstr(err.msg, "pinned example.com/hello@v1.0.7"));
	}

	/* The root itself must exist. */
	assert_int_equal(rungo_modgraph_resolve(&o, NULL, "example.com/ghost", &v, &g,
						&err), -ENOENT);
	rungo_cache_free(o.cache);
	rungo_goproxy_free(p);
}

/* ---- the module mirror's suite pins (tests/support/modfixture.py) ---- */

static void test_modmirror(void **state)
{
	struct fx *f = *state;
	struct common_err err = { 0 };
	struct rungo_modmirror *mm = NULL;
	struct rungo_modmirror_build *b = NULL;
	struct rungo_modver v;
	char dir[600], path[700];

	PATHF(dir, "%s/mirror", f->top);
	if (rungo_modmirror_open(dir, &mm, &err) != 0)
		fail_msg("%s", err.msg);
	/* In two suites: "old" has no go directive, so it wins. */
	assert_int_equal(rungo_modver_parse("v1.0.0", &v, NULL), 0);
	if (rungo_modmirror_build(mm, "example.com/repl", &v, &b, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(b->suite, "old");
	assert_int_equal(b->npins, 3);
	assert_string_equal(b->pins[0].path, "example.com/hello");
	assert_string_equal(b->pins[0].version.str, "v1.0.0");
	assert_string_equal(b->pins[1].path, "example.com/mod/v2");
	assert_string_equal(b->pins[1].version.str, "v2.0.0");
	rungo_modmirror_build_free(b);
	b = NULL;
	/* Not a target (another version, another module): no pins. */
	assert_int_equal(rungo_modver_parse("v1.1.1", &v, NULL), 0);
	assert_int_equal(rungo_modmirror_build(mm, "example.com/hello", &v, &b,
					       &err), -ENOENT);
	assert_int_equal(rungo_modmirror_build(mm, "example.com/nope", &v, &b,
					       &err), -ENOENT);
	assert_null(b);
	rungo_modmirror_free(mm);

	/* Damaged mirrors: errors naming the file. */
	PATHF(dir, "%s/mirror-bad", f->top);
	PATHF(path, "%s/suites", dir);
	assert_int_equal(common_fs_mkdir_p(path, &err), 0);
	assert_int_equal(rungo_modmirror_open(dir, &mm, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "modules.json"));
	PATHF(path, "%s/modules.json", dir);
	assert_int_equal(common_fs_write_atomic(path, "{}", 2, &err), 0);
	assert_int_equal(rungo_modmirror_open(dir, &mm, &err), -EPROTO);
	assert_non_null(strstr(err.msg, "not a module mirror index"));
	{
		static const char idx[] =
			"{\"targets\": {\"a.b/c\": [{\"version\": \"v1.0.0\", "
			"\"suite\": \"s\", \"go\": \"1.20\"}]}}";
		static const char frag[] = "replace a.b/c v1.0.0 => a.b/c v1.0.1\n";

		assert_int_equal(common_fs_write_atomic(path, idx, strlen(idx),
							&err), 0);
		if (rungo_modmirror_open(dir, &mm, &err) != 0)
			fail_msg("%s", err.msg);
		assert_int_equal(rungo_modver_parse("v1.0.0", &v, NULL), 0);
		assert_int_equal(rungo_modmirror_build(mm, "a.b/c", &v, &b,
						       &err), -ENOENT);
		assert_non_null(strstr(err.msg, "s.replace"));
		PATHF(path, "%s/suites/s.replace", dir);
		assert_int_equal(common_fs_write_atomic(path, frag,
							strlen(frag), &err), 0);
		assert_int_equal(rungo_modmirror_build(mm, "a.b/c", &v, &b,
						       &err), -EPROTO);
		assert_non_null(strstr(err.msg, "is not \"P => P version\""));
		rungo_modmirror_free(mm);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_goproxy_settings),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_info_mod),
		cmocka_unit_test(test_dirhash),
		cmocka_unit_test(test_gosum),
		cmocka_unit_test(test_modcache),
		cmocka_unit_test(test_modcache_mismatch),
		cmocka_unit_test(test_modcache_concurrent),
		cmocka_unit_test(test_gomod),
		cmocka_unit_test(test_modgraph),
		cmocka_unit_test(test_modmirror),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
