/* SPDX-License-Identifier: MIT */
/* rungo/index: parsing the go.dev index (valid, odd, malformed, truncated,
 * wrongly typed) and fetching it from a file:// URL.  Expected values are
 * written by hand from the fixtures in tests/fixtures/index/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rungo/fetch.h"
#include "rungo/index.h"

static char *fixture_path(const char *name)
{
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	char *p;
	size_t n;

	if (!root || !*root)
		fail_msg("LUTGEN_SOURCE_ROOT is not set (run through meson test)");
	n = strlen(root) + strlen(name) + 64;
	p = malloc(n);
	assert_non_null(p);
	assert_true((size_t)snprintf(p, n, "%s/tests/fixtures/index/%s", root,
				     name) < n);
	return p;
}

static char *read_fixture(const char *name, size_t *len)
{
	char *path = fixture_path(name);
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	free(path);
	*len = (size_t)n;
	return buf;
}

static struct rungo_index *parse_ok(const char *json)
{
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };

	if (rungo_index_parse(json, strlen(json), &idx, &err) != 0)
		fail_msg("parse failed: %s\n%s", err.msg, json);
	assert_non_null(idx);
	return idx;
}

/* Parsing fails with -EPROTO and exactly `msg`. */
static void parse_fails(const char *json, const char *msg)
{
	struct rungo_index *idx = (struct rungo_index *)&idx; /* sentinel */
	struct common_err err = { 0, "" };
	int rc = rungo_index_parse(json, strlen(json), &idx, &err);

	if (rc != -EPROTO)
		fail_msg("rc %d (%s) for\n%s", rc, err.msg, json);
	assert_true(idx == (struct rungo_index *)&idx);
	assert_int_equal(err.code, -EPROTO);
	if (strcmp(err.msg, msg) != 0)
		fail_msg("message\n  got:  %s\n  want: %s", err.msg, msg);
}

static const struct rungo_file *file_named(const struct rungo_release *r,
					   const char *filename)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		if (strcmp(r->files[i].filename, filename) == 0)
			return &r->files[i];
	fail_msg("%s has no file %s", r->version_str, filename);
	return NULL;
}

static void test_realistic(void **state)
{
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };
	const struct rungo_release *r;
	const struct rungo_file *f;
	size_t len;
	char *json = read_fixture("realistic.json", &len);

	(void)state;
	assert_int_equal(rungo_index_parse(json, len, &idx, &err), 0);
	assert_int_equal(idx->nreleases, 7);

	r = &idx->releases[0];
	assert_string_equal(r->version_str, "go1.23rc1");
	assert_false(r->stable);
	assert_int_equal(r->version.pre, RUNGO_PRE_RC);
	assert_int_equal(r->nfiles, 6);
	f = file_named(r, "go1.23rc1.darwin-arm64.pkg");
	assert_string_equal(f->kind, "installer");

	r = &idx->releases[1];
	assert_string_equal(r->version_str, "go1.22.4");
	assert_true(r->stable);
	assert_int_equal(r->version.minor, 22);
	assert_int_equal(r->version.patch, 4);
	assert_int_equal(r->nfiles, 14);
	f = &r->files[6];
	assert_string_equal(f->filename, "go1.22.4.linux-amd64.tar.gz");
	assert_string_equal(f->os, "linux");
	assert_string_equal(f->arch, "amd64");
	assert_string_equal(f->version_str, "go1.22.4");
	assert_int_equal(f->version.patch, 4);
	assert_string_equal(f->sha256, "ba79d4526102575196273416239cca418a65"
				       "1e049c2b099f3159db85e7bade7d");
	assert_int_equal(f->size, 68958123);
	assert_string_equal(f->kind, "archive");
	f = file_named(r, "go1.22.4.src.tar.gz");
	assert_string_equal(f->os, "");
	assert_string_equal(f->arch, "");
	assert_string_equal(f->kind, "source");
	f = file_named(r, "go1.22.4.linux-armv6l.tar.gz");
	assert_string_equal(f->arch, "armv6l");
	assert_int_equal(f->size, 65835616);

	r = &idx->releases[3];
	assert_string_equal(r->version_str, "go1.20");
	assert_int_equal(r->version.minor, 20);
	assert_int_equal(r->version.patch, 0);
	assert_int_equal(r->version.pre, RUNGO_PRE_NONE);

	r = &idx->releases[4];
	assert_string_equal(r->version_str, "go1.9.2rc2");
	assert_int_equal(r->version.patch, 2);
	assert_int_equal(r->version.pre, RUNGO_PRE_RC);
	assert_int_equal(r->version.pre_num, 2);

	r = &idx->releases[5];
	assert_string_equal(r->version_str, "go1.2.2");
	f = file_named(r, "go1.2.2.darwin-amd64-osx10.8.tar.gz");
	assert_string_equal(f->sha256, "");
	assert_int_equal(f->size, 0);
	f = file_named(r, "go1.2.2.linux-amd64.tar.gz");
	assert_string_equal(f->sha256, "");
	assert_int_equal(f->size, 54154312);

	r = &idx->releases[6];
	assert_string_equal(r->version_str, "go1");
	assert_int_equal(r->version.major, 1);
	assert_int_equal(r->version.minor, 0);
	assert_int_equal(r->nfiles, 2);
	f = &r->files[1];
	assert_string_equal(f->filename, "go1.4-bootstrap-20171003.tar.gz");
	assert_string_equal(f->os, "");
	assert_string_equal(f->arch, "bootstrap");
	assert_string_equal(f->kind, "source");
	assert_string_equal(f->sha256, "f4ff5b5eb3a3cae1c993723f3eab519c5bae"
				       "18866b5e5f96fe1102f0cb5c3e52");
	assert_int_equal(f->size, 11009739);

	rungo_index_free(idx);
	free(json);
}

static void test_find(void **state)
{
	struct rungo_index *idx = NULL;
	struct rungo_version v;
	const struct rungo_file *f;
	size_t len;
	char *json = read_fixture("realistic.json", &len);

	(void)state;
	assert_int_equal(rungo_index_parse(json, len, &idx, NULL), 0);
	assert_int_equal(rungo_version_parse("go1.20.0", &v, NULL), 0);
	assert_non_null(rungo_index_find_release(idx, &v));
	assert_string_equal(rungo_index_find_release(idx, &v)->version_str,
			    "go1.20");
	f = rungo_index_find_file(idx, &v, "linux", "amd64", "archive");
	assert_non_null(f);
	assert_string_equal(f->filename, "go1.20.linux-amd64.tar.gz");
	assert_null(rungo_index_find_file(idx, &v, "linux", "arm64",
					  "archive"));
	assert_int_equal(rungo_version_parse("go1.22.4", &v, NULL), 0);
	f = rungo_index_find_file(idx, &v, "windows", "amd64", "installer");
	assert_non_null(f);
	assert_string_equal(f->filename, "go1.22.4.windows-amd64.msi");
	f = rungo_index_find_file(idx, &v, NULL, NULL, "source");
	assert_non_null(f);
	assert_string_equal(f->filename, "go1.22.4.src.tar.gz");
	assert_int_equal(rungo_version_parse("go1.22.5", &v, NULL), 0);
	assert_null(rungo_index_find_release(idx, &v));
	assert_null(rungo_index_find_file(idx, &v, "linux", "amd64", NULL));
	rungo_index_free(idx);
	rungo_index_free(NULL);
	free(json);
}

static void test_empty_array(void **state)
{
	static const char *const docs[] = { "[]", " [ ]\n", "\n[\r\n\t]\n\n" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		struct rungo_index *idx = parse_ok(docs[i]);

		assert_int_equal(idx->nreleases, 0);
		rungo_index_free(idx);
	}
}

static void test_empty_document(void **state)
{
	const char *want = "index: empty document (expected a JSON array of "
			   "releases)";
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };

	(void)state;
	parse_fails("", want);
	parse_fails(" \n\t\r\n", want);
	assert_int_equal(rungo_index_parse(NULL, 0, &idx, &err), -EPROTO);
	assert_string_equal(err.msg, want);
	assert_null(idx);
}

static void test_not_array(void **state)
{
	(void)state;
	parse_fails("{}", "index: the document must be an array of releases, "
			  "got an object");
	parse_fails("{\"version\": \"go1.22.4\", \"stable\": true, "
		    "\"files\": []}",
		    "index: the document must be an array of releases, "
		    "got an object");
	parse_fails("42", "index: the document must be an array of releases, "
			  "got a number");
	parse_fails("\"go1.22.4\"", "index: the document must be an array of "
				    "releases, got a string");
	parse_fails("null", "index: the document must be an array of "
			    "releases, got null");
	parse_fails("true", "index: the document must be an array of "
			    "releases, got a boolean");
}

static void test_malformed(void **state)
{
	(void)state;
	parse_fails("[1,]", "index: malformed JSON at line 1 column 4 "
			    "(byte 3)");
	parse_fails("[\n {\"version\" \"go1\"}\n]",
		    "index: malformed JSON at line 2 column 13 (byte 14)");
	parse_fails("nul", "index: malformed JSON at line 1 column 1 (byte 0)");
	parse_fails("<html>404</html>",
		    "index: malformed JSON at line 1 column 1 (byte 0)");
	parse_fails("[] []", "index: unexpected data after the JSON document "
			     "at byte 3");
	parse_fails("[]x", "index: unexpected data after the JSON document "
			   "at byte 2");
	parse_fails("[}", "index: malformed JSON at line 1 column 2 (byte 1)");
	/* Unclosed but broken before its end: malformed, not truncated. */
	parse_fails("[1,,2", "index: malformed JSON at line 1 column 4 "
			     "(byte 3)");
	parse_fails("[{\"version\": go1", "index: malformed JSON at line 1 "
					 "column 14 (byte 13)");
	parse_fails("[1;", "index: malformed JSON at line 1 column 3 (byte 2)");
	/* Cut inside a literal, a string, after a key. */
	parse_fails("[tru", "index: JSON document is truncated (it ends after "
			    "4 bytes inside an unclosed string, array or "
			    "object)");
	parse_fails("[\"go1", "index: JSON document is truncated (it ends "
			      "after 5 bytes inside an unclosed string, array "
			      "or object)");
	parse_fails("[{\"a\\\"\": ", "index: JSON document is truncated (it "
				    "ends after 9 bytes inside an unclosed "
				    "string, array or object)");
}

/* A NUL inside the buffer is data, not the end of the document. */
static void test_embedded_nul(void **state)
{
	static const char doc[] = "[]\0[]";
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };

	(void)state;
	assert_int_equal(rungo_index_parse(doc, sizeof(doc) - 1, &idx, &err),
			 -EPROTO);
	assert_string_equal(err.msg, "index: raw control character 0x00 "
				     "between tokens at line 1 column 3 (byte "
				     "2), near \"[]\\x00[]\"");
	assert_null(idx);
}

/* Parsing fails with -EPROTO and a message starting with `prefix`. */
static void expect_fails_with(const char *json, const char *prefix)
{
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };

	assert_int_equal(rungo_index_parse(json, strlen(json), &idx, &err),
			 -EPROTO);
	assert_null(idx);
	if (strncmp(err.msg, prefix, strlen(prefix)) != 0)
		fail_msg("message\n  got:  %s\n  want: %s...", err.msg, prefix);
}

#define FILE_OK(name)                                                        \
	"{\"filename\":\"" name "\",\"os\":\"linux\",\"arch\":\"amd64\","  \
	"\"version\":\"go1.22.0\",\"sha256\":\"\",\"size\":1,"             \
	"\"kind\":\"archive\"}"

/* What cJSON alone lets through (issue 8 item 11): each is an error that
 * quotes a bounded excerpt. */
static void test_leniency(void **state)
{
	static const char nul_between[] =
		"[{\"version\":\"go1.22.0\",\0\"stable\":true,\"files\":[]}]";
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };
	char *deep;
	size_t i;

	(void)state;
	/* Duplicate keys: the first no longer wins silently. */
	parse_fails("[{\"version\":\"go1.22.0\",\"stable\":true,"
		    "\"files\":[],\"stable\":false}]",
		    "index: key \"stable\" appears twice in $[0]");
	parse_fails("[{\"version\":\"go1.22.0\",\"stable\":true,\"files\":["
		    "{\"filename\":\"a.tar.gz\",\"os\":\"linux\",\"arch\":\"amd64\","
		    "\"version\":\"go1.22.0\",\"sha256\":\"\",\"size\":1,"
		    "\"size\":0,\"kind\":\"archive\"}]}]",
		    "index: key \"size\" appears twice in $[0].files[0]");
	/* Duplicate releases: a bad first entry cannot shadow a second. */
	parse_fails("[{\"version\":\"go1.22.0\",\"stable\":true,\"files\":[]},"
		    "{\"version\":\"go1.22.0\",\"stable\":true,\"files\":[]}]",
		    "index: release 1 (go1.22.0): the same version as release 0 "
		    "(go1.22.0)");
	/* A raw NUL between tokens (cJSON skips it as whitespace). */
	assert_int_equal(rungo_index_parse(nul_between, sizeof(nul_between) - 1,
					   &idx, &err), -EPROTO);
	assert_null(idx);
	assert_non_null(strstr(err.msg, "raw control character 0x00 between "
				       "tokens at line 1 column 24 (byte 23)"));
	/* \u0000 would cut the file name short (the backslash is byte 68:
	 * the 68 characters of the prefix come before it). */
	expect_fails_with("[{\"version\":\"go1.22.0\",\"stable\":true,\"files\":["
			  FILE_OK("go.tar.gz\\u0000../../x") "]}]",
			  "index: \\u0000 inside a string (it would cut the "
			  "string short) at line 1 column 69 (byte 68), near "
			  "\":[{\"filename\":\"go.tar.gz\\x5cu0000../../x\"");
	/* A newline in a file name: escaped (in the string after parsing),
	 * or raw (not JSON at all). */
	parse_fails("[{\"version\":\"go1.22.0\",\"stable\":true,\"files\":["
		    FILE_OK("go.tar.gz\\nx") "]}]",
		    "index: release 0 (go1.22.0) file 0: \"filename\" holds "
		    "control character 0x0a: \"go.tar.gz\\x0ax\"");
	expect_fails_with("[{\"version\":\"go1.22.0\",\"stable\":true,\"files\":["
			  FILE_OK("go.tar.gz\nx") "]}]",
			  "index: raw control character 0x0a inside a string "
			  "(write it as an escape) at line 1 column 69 (byte "
			  "68), near \":[{\"filename\":\"go.tar.gz\\x0ax\"");
	/* cJSON's nesting limit, in words. */
	deep = malloc(3000);
	assert_non_null(deep);
	for (i = 0; i < 1200; i++)
		deep[i] = '[';
	deep[i] = '\0';
	assert_int_equal(rungo_index_parse(deep, strlen(deep), &idx, &err),
			 -EPROTO);
	assert_non_null(strstr(err.msg, "index: nested too deeply (more than "
				       "1000 levels of arrays and objects) at "
				       "line 1 column 1001"));
	free(deep);
}

static void check_truncations(const char *fixture, size_t step)
{
	size_t len, cut, end;
	char *json = read_fixture(fixture, &len);

	/* Every cut before the closing ']' leaves an unclosed array. */
	end = (size_t)(strrchr(json, ']') - json);
	for (cut = 1; cut < end; cut += step) {
		struct rungo_index *idx = NULL;
		struct common_err err = { 0, "" };
		char want[160];

		assert_int_equal(rungo_index_parse(json, cut, &idx, &err),
				 -EPROTO);
		assert_null(idx);
		snprintf(want, sizeof(want),
			 "index: JSON document is truncated (it ends after %zu "
			 "bytes inside an unclosed string, array or object)",
			 cut);
		if (strcmp(err.msg, want) != 0)
			fail_msg("%s cut at %zu: %s", fixture, cut, err.msg);
	}
	free(json);
}

static void test_truncated(void **state)
{
	(void)state;
	check_truncations("selection.json", 1);
	check_truncations("realistic.json", 5);
}

/*
 * A two-release document whose release 1 (go1.21.0) file 2 or release 1
 * itself has one field replaced by raw JSON text `value` (NULL: the key is
 * left out).  `where` is "release" or "file".
 */
struct field {
	const char *key;
	const char *value;
};

static void append(char *buf, size_t size, const char *fmt, ...)
	COMMON_PRINTF(3, 4);

static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
	assert_true(w >= 0 && (size_t)w < size - n);
}

static void append_object(char *buf, size_t size, const struct field *f,
			  size_t n, const char *key, const char *value)
{
	const char *sep = "";
	size_t i;

	append(buf, size, "{");
	for (i = 0; i < n; i++) {
		const char *v = f[i].value;

		if (key && strcmp(f[i].key, key) == 0)
			v = value;
		if (!v)
			continue;
		append(buf, size, "%s\"%s\": %s", sep, f[i].key, v);
		sep = ", ";
	}
	append(buf, size, "}");
}

static void build_doc(char *buf, size_t size, const char *where,
		      const char *key, const char *value)
{
	const struct field file[] = {
		{ "filename", "\"go1.21.0.linux-amd64.tar.gz\"" },
		{ "os", "\"linux\"" },
		{ "arch", "\"amd64\"" },
		{ "version", "\"go1.21.0\"" },
		{ "sha256", "\"d0398903a16ba2232b389fb31032ddf57cac34efda306a0e"
			    "ebac34f0965a0742\"" },
		{ "size", "66601111" },
		{ "kind", "\"archive\"" },
	};
	const size_t nfile = sizeof(file) / sizeof(file[0]);
	bool in_file = strcmp(where, "file") == 0;
	int i;

	buf[0] = '\0';
	append(buf, size, "[{\"version\": \"go1.22.0\", \"stable\": true, "
			  "\"files\": [");
	append_object(buf, size, file, nfile, NULL, NULL);
	append(buf, size, "]},\n {");
	if (!in_file && strcmp(key, "version") == 0) {
		if (value)
			append(buf, size, "\"version\": %s, ", value);
	} else {
		append(buf, size, "\"version\": \"go1.21.0\", ");
	}
	if (!in_file && strcmp(key, "stable") == 0) {
		if (value)
			append(buf, size, "\"stable\": %s, ", value);
	} else {
		append(buf, size, "\"stable\": true, ");
	}
	if (!in_file && strcmp(key, "files") == 0) {
		if (value)
			append(buf, size, "\"files\": %s", value);
		else
			append(buf, size, "\"x\": 1");
	} else {
		append(buf, size, "\"files\": [");
		for (i = 0; i < 3; i++) {
			if (i)
				append(buf, size, ", ");
			append_object(buf, size, file, nfile,
				      in_file && i == 2 ? key : NULL, value);
		}
		append(buf, size, "]");
	}
	append(buf, size, "}]");
}

struct bad_field {
	const char *where;  /* "release" or "file" */
	const char *key;
	const char *value;  /* raw JSON, NULL = key missing */
	const char *msg;
};

#define REL "index: release 1: "
#define REL21 "index: release 1 (go1.21.0): "
#define FILE2 "index: release 1 (go1.21.0) file 2: "

static const struct bad_field bad_fields[] = {
	/* release fields */
	{ "release", "version", NULL, REL "\"version\" is missing" },
	{ "release", "version", "1.21", REL "\"version\" must be a string, "
					"got a number" },
	{ "release", "version", "null", REL "\"version\" must be a string, "
					"got null" },
	{ "release", "version", "\"\"", REL "\"version\" must not be empty" },
	{ "release", "version", "\"go1.x\"",
	  REL "\"version\": \"go1.x\" is not a Go version: expected a number" },
	{ "release", "stable", NULL, REL21 "\"stable\" is missing" },
	{ "release", "stable", "\"true\"", REL21 "\"stable\" must be a "
					 "boolean, got a string" },
	{ "release", "stable", "1", REL21 "\"stable\" must be a boolean, got "
				    "a number" },
	{ "release", "files", NULL, REL21 "\"files\" is missing" },
	{ "release", "files", "{}", REL21 "\"files\" must be an array, got "
				    "an object" },
	{ "release", "files", "\"go1.21.0.src.tar.gz\"",
	  REL21 "\"files\" must be an array, got a string" },
	{ "release", "files", "[null]",
	  "index: release 1 (go1.21.0) file 0: must be an object, got null" },
	{ "release", "files", "[[]]",
	  "index: release 1 (go1.21.0) file 0: must be an object, got an "
	  "array" },
	/* file fields: every one missing and of a wrong type */
	{ "file", "filename", NULL, FILE2 "\"filename\" is missing" },
	{ "file", "filename", "7", FILE2 "\"filename\" must be a string, got "
				   "a number" },
	{ "file", "filename", "\"\"", FILE2 "\"filename\" must not be empty" },
	{ "file", "filename", "\"../go.tar.gz\"",
	  FILE2 "\"filename\" must be a plain file name, got "
		"\"../go.tar.gz\"" },
	{ "file", "filename", "\"..\"",
	  FILE2 "\"filename\" must be a plain file name, got \"..\"" },
	{ "file", "os", NULL, FILE2 "\"os\" is missing" },
	{ "file", "os", "null", FILE2 "\"os\" must be a string, got null" },
	{ "file", "os", "[\"linux\"]", FILE2 "\"os\" must be a string, got an "
					 "array" },
	{ "file", "arch", NULL, FILE2 "\"arch\" is missing" },
	{ "file", "arch", "64", FILE2 "\"arch\" must be a string, got a "
				"number" },
	{ "file", "arch", "false", FILE2 "\"arch\" must be a string, got a "
				   "boolean" },
	{ "file", "version", NULL, FILE2 "\"version\" is missing" },
	{ "file", "version", "1.21", FILE2 "\"version\" must be a string, got "
				     "a number" },
	{ "file", "version", "\"go1.21.0.1\"",
	  FILE2 "\"version\": \"go1.21.0.1\" is not a Go version: unexpected "
		"text after the version" },
	{ "file", "sha256", NULL, FILE2 "\"sha256\" is missing" },
	{ "file", "sha256", "null", FILE2 "\"sha256\" must be a string, got "
				    "null" },
	{ "file", "sha256", "0", FILE2 "\"sha256\" must be a string, got a "
				 "number" },
	{ "file", "sha256", "\"d0398903\"",
	  FILE2 "\"sha256\" must be 64 hex digits or empty, got 8 "
		"characters" },
	{ "file", "sha256",
	  "\"d0398903a16ba2232b389fb31032ddf57cac34efda306a0eebac34f0965a074\"",
	  FILE2 "\"sha256\" must be 64 hex digits or empty, got 63 "
		"characters" },
	{ "file", "sha256",
	  "\"g0398903a16ba2232b389fb31032ddf57cac34efda306a0eebac34f0965a0742\"",
	  FILE2 "\"sha256\" must be 64 hex digits or empty, got a non-hex "
		"character at 0" },
	{ "file", "size", NULL, FILE2 "\"size\" is missing" },
	{ "file", "size", "\"66601111\"", FILE2 "\"size\" must be a number, "
					  "got a string" },
	{ "file", "size", "null", FILE2 "\"size\" must be a number, got null" },
	{ "file", "size", "-1", FILE2 "\"size\" must be a whole number of "
				  "bytes (0 to 2^53), got -1" },
	{ "file", "size", "1.5", FILE2 "\"size\" must be a whole number of "
				   "bytes (0 to 2^53), got 1.5" },
	{ "file", "size", "1e300", FILE2 "\"size\" must be a whole number of "
				     "bytes (0 to 2^53), got 1e+300" },
	{ "file", "kind", NULL, FILE2 "\"kind\" is missing" },
	{ "file", "kind", "{\"archive\": true}",
	  FILE2 "\"kind\" must be a string, got an object" },
	{ "file", "kind", "\"\"", FILE2 "\"kind\" must not be empty" },
};

static void test_bad_fields(void **state)
{
	char doc[4096];
	size_t i;

	(void)state;
	/* The unmodified document is valid. */
	build_doc(doc, sizeof(doc), "file", "none", NULL);
	rungo_index_free(parse_ok(doc));
	for (i = 0; i < sizeof(bad_fields) / sizeof(bad_fields[0]); i++) {
		const struct bad_field *b = &bad_fields[i];

		build_doc(doc, sizeof(doc), b->where, b->key, b->value);
		parse_fails(doc, b->msg);
	}
}

static void test_release_not_object(void **state)
{
	(void)state;
	parse_fails("[1]", "index: release 0: must be an object, got a number");
	parse_fails("[{\"version\": \"go1\", \"stable\": true, \"files\": []},"
		    " \"go1.2\"]",
		    "index: release 1: must be an object, got a string");
}

static void test_good_edge_values(void **state)
{
	static const struct {
		const char *where, *key, *value;
	} goods[] = {
		{ "file", "sha256", "\"\"" },
		{ "file", "size", "0" },
		{ "file", "size", "9007199254740992" },
		{ "file", "size", "6.6601111e7" },
		{ "file", "os", "\"\"" },
		{ "file", "arch", "\"bootstrap\"" },
		{ "file", "kind", "\"installer\"" },
		{ "file", "kind", "\"source\"" },
		{ "release", "files", "[]" },
		{ "release", "stable", "false" },
	};
	char doc[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		build_doc(doc, sizeof(doc), goods[i].where, goods[i].key,
			  goods[i].value);
		rungo_index_free(parse_ok(doc));
	}
}

static void test_sha256_and_size(void **state)
{
	char doc[4096];
	struct rungo_index *idx;

	(void)state;
	/* Upper-case hex is accepted and stored lower-case. */
	build_doc(doc, sizeof(doc), "file", "sha256",
		  "\"D0398903A16BA2232B389FB31032DDF57CAC34EFDA306A0EEBAC34F09"
		  "65A0742\"");
	idx = parse_ok(doc);
	assert_string_equal(idx->releases[1].files[2].sha256,
			    "d0398903a16ba2232b389fb31032ddf57cac34efda306a0"
			    "eebac34f0965a0742");
	rungo_index_free(idx);
	/* Empty sha256 is "unknown", a missing key is an error (above). */
	build_doc(doc, sizeof(doc), "file", "sha256", "\"\"");
	idx = parse_ok(doc);
	assert_string_equal(idx->releases[1].files[2].sha256, "");
	assert_string_equal(idx->releases[1].files[1].sha256,
			    "d0398903a16ba2232b389fb31032ddf57cac34efda306a0"
			    "eebac34f0965a0742");
	rungo_index_free(idx);
	build_doc(doc, sizeof(doc), "file", "size", "9007199254740992");
	idx = parse_ok(doc);
	assert_true(idx->releases[1].files[2].size == 9007199254740992ULL);
	assert_true(idx->releases[1].files[1].size == 66601111);
	rungo_index_free(idx);
}

static void test_extra_keys(void **state)
{
	struct rungo_index *idx = parse_ok(
		"[{\"version\": \"go1.22.4\", \"stable\": true, "
		"\"released\": \"2024-06-04\", \"notes\": {\"url\": \"x\"}, "
		"\"files\": [{\"filename\": \"go1.22.4.linux-amd64.tar.gz\", "
		"\"os\": \"linux\", \"arch\": \"amd64\", \"version\": "
		"\"go1.22.4\", \"sha256\": \"\", \"size\": 1, \"kind\": "
		"\"archive\", \"sha512\": \"abc\", \"signed\": [1, 2]}]}]");

	(void)state;
	assert_int_equal(idx->nreleases, 1);
	assert_int_equal(idx->releases[0].nfiles, 1);
	assert_string_equal(idx->releases[0].files[0].filename,
			    "go1.22.4.linux-amd64.tar.gz");
	rungo_index_free(idx);
}

static void test_fetch_file_url(void **state)
{
	struct rungo_index *idx = NULL;
	struct common_err err = { 0, "" };
	char *path = fixture_path("realistic.json");
	char url[4096];
	int rc;

	(void)state;
	assert_int_equal(rungo_fetch_global_init(&err), 0);
	assert_true((size_t)snprintf(url, sizeof(url), "file://%s", path) <
		    sizeof(url));
	rc = rungo_index_fetch(url, NULL, &idx, &err);
	if (rc != 0)
		fail_msg("fetch %s: %s", url, err.msg);
	assert_int_equal(idx->nreleases, 7);
	assert_string_equal(idx->releases[1].version_str, "go1.22.4");
	rungo_index_free(idx);
	idx = NULL;

	/* A missing file: the error names the URL. */
	assert_true((size_t)snprintf(url, sizeof(url),
				     "file://%s.does-not-exist", path) <
		    sizeof(url));
	common_err_clear(&err);
	assert_true(rungo_index_fetch(url, NULL, &idx, &err) < 0);
	assert_null(idx);
	assert_non_null(strstr(err.msg, url));

	/* A fetched document that is not an index: prefixed with the URL. */
	free(path);
	path = fixture_path("not-an-index.json");
	assert_true((size_t)snprintf(url, sizeof(url), "file://%s", path) <
		    sizeof(url));
	common_err_clear(&err);
	assert_int_equal(rungo_index_fetch(url, NULL, &idx, &err), -EPROTO);
	assert_null(idx);
	{
		char want[4200];

		snprintf(want, sizeof(want),
			 "%s: index: the document must be an array of "
			 "releases, got an object", url);
		assert_string_equal(err.msg, want);
	}
	free(path);
	rungo_fetch_global_cleanup();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realistic),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_empty_array),
		cmocka_unit_test(test_empty_document),
		cmocka_unit_test(test_not_array),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_leniency),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_bad_fields),
		cmocka_unit_test(test_release_not_object),
		cmocka_unit_test(test_good_edge_values),
		cmocka_unit_test(test_sha256_and_size),
		cmocka_unit_test(test_extra_keys),
		cmocka_unit_test(test_fetch_file_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
