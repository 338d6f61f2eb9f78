/* SPDX-License-Identifier: MIT */
/* Unit tests of lutgen/core/spec.c: every error names the key (and lookup). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "skip.h"

#include "lutgen/core/spec.h"
#include "rungo/index.h"

#define VALID                                                               \
	"{\n"                                                               \
	"  \"name\": \"net\",\n"                                            \
	"  \"doc\": \"Network offsets.\",\n"                                \
	"  \"program\": \"netprobe\",\n"                                    \
	"  \"min_version\": \"go1.17\",\n"                                  \
	"  \"arches\": [\"amd64\", \"arm64\"],\n"                           \
	"  \"policy\": \"latest-patch\",\n"                                 \
	"  \"lookups\": [\n"                                                \
	"    {\"name\": \"fd_sysfd\", \"doc\": \"d1\", \"kind\": "          \
	"\"struct_offset\", \"type\": \"internal/poll.FD\", \"field\": "    \
	"\"Sysfd\"},\n"                                                     \
	"    {\"name\": \"g_size\", \"kind\": \"type_size\", \"type\": "     \
	"\"runtime.g\"},\n"                                                 \
	"    {\"name\": \"tls_write\", \"doc\": \"d3\", \"kind\": "         \
	"\"func_params\", \"function\": \"crypto/tls.(*Conn).Write\"}\n"    \
	"  ]\n"                                                             \
	"}\n"

static int parse(const char *json, struct lutgen_spec **out,
		 struct common_err *err)
{
	return lutgen_spec_parse(json, strlen(json), "t.json", out, err);
}

/* Parse `json`, expect -EINVAL and a message equal to `want`. */
static void expect_error(const char *json, const char *want)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	int rc;

	rc = parse(json, &s, &err);
	if (rc != -EINVAL || strcmp(err.msg, want) != 0)
		fail_msg("rc %d, message\n  got:  %s\n  want: %s\nfor %s", rc,
			 err.msg, want, json);
	assert_null(s);
}

/* Replace the first occurrence of `from` in VALID by `to`. */
static char *edit(const char *from, const char *to)
{
	const char *base = VALID;
	const char *p = strstr(base, from);
	size_t n;
	char *out;

	assert_non_null(p);
	n = strlen(base) - strlen(from) + strlen(to) + 1;
	out = malloc(n);
	assert_non_null(out);
	memcpy(out, base, (size_t)(p - base));
	memcpy(out + (p - base), to, strlen(to));
	memcpy(out + (p - base) + strlen(to), p + strlen(from),
	       strlen(p + strlen(from)) + 1);
	return out;
}

static void expect_edit_error(const char *from, const char *to,
			      const char *want)
{
	char *json = edit(from, to);

	expect_error(json, want);
	free(json);
}

static void test_valid(void **state)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };

	(void)state;
	assert_int_equal(parse(VALID, &s, &err), 0);
	assert_string_equal(s->path, "t.json");
	assert_string_equal(s->name, "net");
	assert_string_equal(s->doc, "Network offsets.");
	assert_string_equal(s->program, "netprobe");
	assert_int_equal(s->min_version.major, 1);
	assert_int_equal(s->min_version.minor, 17);
	assert_int_equal(s->min_version.patch, 0);
	assert_int_equal(s->narches, 2);
	assert_string_equal(s->arches[0], "amd64");
	assert_string_equal(s->arches[1], "arm64");
	assert_int_equal(s->policy, RUNGO_POLICY_LATEST_PATCH);
	assert_int_equal(s->nlookups, 3);
	assert_string_equal(s->lookups[0].name, "fd_sysfd");
	assert_string_equal(s->lookups[0].doc, "d1");
	assert_int_equal(s->lookups[0].kind, LUTGEN_LOOKUP_STRUCT_OFFSET);
	assert_string_equal(s->lookups[0].type, "internal/poll.FD");
	assert_string_equal(s->lookups[0].field, "Sysfd");
	assert_null(s->lookups[0].function);
	assert_string_equal(s->lookups[1].name, "g_size");
	assert_string_equal(s->lookups[1].doc, "");
	assert_int_equal(s->lookups[1].kind, LUTGEN_LOOKUP_TYPE_SIZE);
	assert_string_equal(s->lookups[1].type, "runtime.g");
	assert_null(s->lookups[1].field);
	assert_int_equal(s->lookups[2].kind, LUTGEN_LOOKUP_FUNC_PARAMS);
	assert_string_equal(s->lookups[2].function,
			    "crypto/tls.(*Conn).Write");
	assert_null(s->lookups[2].type);
	lutgen_spec_free(s);
}

static void test_policy_default(void **state)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	char *json = edit("\"policy\": \"latest-patch\",", "");

	(void)state;
	assert_int_equal(parse(json, &s, &err), 0);
	assert_int_equal(s->policy, RUNGO_POLICY_MINOR);
	lutgen_spec_free(s);
	free(json);
}

static void test_goid_spec_file(void **state)
{
	const char *root = getenv("LUTGEN_SOURCE_ROOT");
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	char path[4096];

	(void)state;
	if (!root)
		test_skip("LUTGEN_SOURCE_ROOT unset (run through meson test)");
	snprintf(path, sizeof(path), "%s/lutgen/specs/goid.json", root);
	if (lutgen_spec_load(path, &s, &err) != 0)
		fail_msg("%s", err.msg);
	assert_string_equal(s->name, "goid");
	assert_string_equal(s->program, "goid");
	assert_int_equal(s->min_version.minor, 13);
	assert_int_equal(s->narches, 2);
	assert_string_equal(s->arches[0], "amd64");
	assert_string_equal(s->arches[1], "arm64");
	assert_int_equal(s->policy, RUNGO_POLICY_MINOR);
	assert_int_equal(s->nlookups, 1);
	assert_string_equal(s->lookups[0].name, "goid_offset");
	assert_int_equal(s->lookups[0].kind, LUTGEN_LOOKUP_STRUCT_OFFSET);
	assert_string_equal(s->lookups[0].type, "runtime.g");
	assert_string_equal(s->lookups[0].field, "goid");
	lutgen_spec_free(s);
}

static void test_load_missing_file(void **state)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };

	(void)state;
	assert_int_equal(lutgen_spec_load("/nonexistent/x.json", &s, &err),
			 -ENOENT);
	assert_string_equal(err.msg,
			    "spec /nonexistent/x.json: No such file or directory");
}

static void test_not_json(void **state)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };

	/* The line is exact; cJSON reports the column near the bad token. */
	assert_int_equal(parse("{\n  \"name\": \"x\",\n  oops\n}", &s, &err),
			 -EINVAL);
	assert_null(s);
	assert_true(strncmp(err.msg, "t.json:3:", 9) == 0);
	assert_non_null(strstr(err.msg, ": not valid JSON"));
	(void)state;
	expect_error("[1, 2]", "t.json: expected a JSON object, got an array");
}

static void test_unknown_key(void **state)
{
	(void)state;
	expect_edit_error("\"policy\"", "\"colour\": 1, \"policy\"",
			  "t.json: unknown key 'colour'");
	expect_edit_error("\"kind\": \"type_size\"",
			  "\"kind\": \"type_size\", \"offset\": 3",
			  "t.json: lookups[1] (g_size): unknown key 'offset'");
	expect_edit_error("\"doc\": \"Network", "\"name\": \"y\", \"doc\": \"Network",
			  "t.json: key 'name' appears twice");
}

/* Every key with a value of the wrong type. */
static void test_wrong_type(void **state)
{
	static const struct {
		const char *from, *to, *want;
	} cases[] = {
		{ "\"name\": \"net\"", "\"name\": 7",
		  "t.json: key 'name': expected a string, got a number" },
		{ "\"doc\": \"Network offsets.\"", "\"doc\": [\"x\"]",
		  "t.json: key 'doc': expected a string, got an array" },
		{ "\"program\": \"netprobe\"", "\"program\": null",
		  "t.json: key 'program': expected a string, got null" },
		{ "\"min_version\": \"go1.17\"", "\"min_version\": 1.17",
		  "t.json: key 'min_version': expected a string, got a number" },
		{ "\"arches\": [\"amd64\", \"arm64\"]", "\"arches\": \"amd64\"",
		  "t.json: key 'arches': expected an array of strings, got a string" },
		{ "[\"amd64\", \"arm64\"]", "[\"amd64\", 64]",
		  "t.json: key 'arches': element 1: expected a string, got a number" },
		{ "\"policy\": \"latest-patch\"", "\"policy\": true",
		  "t.json: key 'policy': expected a string, got a boolean" },
		{ "\"lookups\": [", "\"lookups\": {\"a\": [",
		  NULL /* invalid JSON then; covered below */ },
		{ "\"name\": \"fd_sysfd\"", "\"name\": 3",
		  "t.json: lookups[0]: key 'name': expected a string, got a number" },
		{ "\"doc\": \"d1\"", "\"doc\": {}",
		  "t.json: lookups[0] (fd_sysfd): key 'doc': expected a string, got an object" },
		{ "\"kind\": \"struct_offset\"", "\"kind\": 1",
		  "t.json: lookups[0] (fd_sysfd): key 'kind': expected a string, got a number" },
		{ "\"type\": \"internal/poll.FD\"", "\"type\": false",
		  "t.json: lookups[0] (fd_sysfd): key 'type': expected a string or a list of strings, got a boolean" },
		{ "\"field\": \"Sysfd\"", "\"field\": {\"pfd\": \"Sysfd\"}",
		  "t.json: lookups[0] (fd_sysfd): key 'field': expected a string or a list of strings, got an object" },
		{ "\"function\": \"crypto/tls.(*Conn).Write\"", "\"function\": 0",
		  "t.json: lookups[2] (tls_write): key 'function': expected a string or a list of strings, got a number" },
		{ "\"field\": \"Sysfd\"", "\"field\": [\"pfd\", 3]",
		  "t.json: lookups[0] (fd_sysfd): key 'field': element 1: expected a string, got a number" },
		{ "\"field\": \"Sysfd\"", "\"field\": []",
		  "t.json: lookups[0] (fd_sysfd): key 'field': an empty list (give at least one field path)" },
		{ "\"field\": \"Sysfd\"", "\"field\": [\"Sysfd\", \"Sysfd\"]",
		  "t.json: lookups[0] (fd_sysfd): key 'field': \"Sysfd\" listed twice" },
		{ "\"field\": \"Sysfd\"", "\"field\": [\"Sysfd\", \"a b\"]",
		  "t.json: lookups[0] (fd_sysfd): key 'field': \"a b\" is not a field path" },
		{ "\"field\": \"Sysfd\"", "\"field\": \"Sysfd\", \"optional\": 1",
		  "t.json: lookups[0] (fd_sysfd): key 'optional': expected true or false, got a number" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (cases[i].want)
			expect_edit_error(cases[i].from, cases[i].to,
					  cases[i].want);
	expect_error("{\"name\": \"a\", \"program\": \"p\", \"min_version\": \"go1.13\", "
		     "\"arches\": [\"amd64\"], \"lookups\": {\"x\": 1}}",
		     "t.json: key 'lookups': expected an array of objects, got an object");
	expect_error("{\"name\": \"a\", \"program\": \"p\", \"min_version\": \"go1.13\", "
		     "\"arches\": [\"amd64\"], \"lookups\": [\"x\"]}",
		     "t.json: lookups[0]: expected an object, got a string");
}

static void test_missing_key(void **state)
{
	(void)state;
	expect_edit_error("\"program\": \"netprobe\",", "",
			  "t.json: missing key 'program'");
	expect_edit_error("\"arches\": [\"amd64\", \"arm64\"],", "",
			  "t.json: missing key 'arches'");
	expect_edit_error("\"field\": \"Sysfd\"", "\"fiel\": \"Sysfd\"",
			  "t.json: lookups[0] (fd_sysfd): unknown key 'fiel'");
	expect_edit_error(", \"field\": \"Sysfd\"", "",
			  "t.json: lookups[0] (fd_sysfd): missing key 'field' (kind struct_offset needs it)");
	expect_edit_error(", \"function\": \"crypto/tls.(*Conn).Write\"", "",
			  "t.json: lookups[2] (tls_write): missing key 'function' (kind func_params needs it)");
	expect_edit_error("\"kind\": \"type_size\",", "",
			  "t.json: lookups[1] (g_size): missing key 'kind'");
	expect_edit_error("\"type\": \"runtime.g\"",
			  "\"type\": \"runtime.g\", \"field\": \"goid\"",
			  "t.json: lookups[1] (g_size): key 'field' does not apply to kind type_size");
}

static void test_bad_kind(void **state)
{
	(void)state;
	expect_edit_error("\"kind\": \"type_size\"", "\"kind\": \"typesize\"",
			  "t.json: lookups[1] (g_size): key 'kind': unknown kind \"typesize\" (use struct_offset, field_size, type_size, const, func_params, func_results or g_location)");
}

static void test_bad_arch(void **state)
{
	(void)state;
	expect_edit_error("\"arm64\"]", "\"aarch64\"]",
			  "t.json: key 'arches': unknown arch \"aarch64\" (a linux GOARCH such as amd64 or arm64)");
	expect_edit_error("\"arm64\"]", "\"amd64\"]",
			  "t.json: key 'arches': \"amd64\" listed twice");
	expect_edit_error("[\"amd64\", \"arm64\"]", "[]",
			  "t.json: key 'arches': empty (list at least one GOARCH)");
}

static void test_duplicate_name(void **state)
{
	(void)state;
	expect_edit_error("\"name\": \"tls_write\"", "\"name\": \"fd_sysfd\"",
			  "t.json: lookups[2] (fd_sysfd): duplicate name (also lookups[0])");
}

static void test_bad_identifiers(void **state)
{
	(void)state;
	expect_edit_error("\"name\": \"net\"", "\"name\": \"net-offsets\"",
			  "t.json: key 'name': \"net-offsets\" is not a C identifier");
	expect_edit_error("\"name\": \"g_size\"", "\"name\": \"2size\"",
			  "t.json: lookups[1] (2size): key 'name': \"2size\" is not a C identifier");
	expect_edit_error("\"name\": \"g_size\"", "\"name\": \"int\"",
			  "t.json: lookups[1] (int): key 'name': \"int\" is a C keyword");
	expect_edit_error("\"name\": \"g_size\"", "\"name\": \"\"",
			  "t.json: lookups[1] (): key 'name': \"\" is not a C identifier");
	expect_edit_error("\"program\": \"netprobe\"", "\"program\": \"../etc\"",
			  "t.json: key 'program': \"../etc\" is not a directory name under lutgen/programs/");
}

static void test_bad_values(void **state)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	char *json;

	(void)state;
	expect_edit_error("\"policy\": \"latest-patch\"", "\"policy\": \"newest\"",
			  "t.json: key 'policy': unknown policy \"newest\" (use minor, latest-patch, ends or all)");
	json = edit("\"min_version\": \"go1.17\"", "\"min_version\": \"1.x\"");
	assert_int_equal(parse(json, &s, &err), -EINVAL);
	assert_null(s);
	/* The version parser's own text follows the key. */
	assert_true(strncmp(err.msg, "t.json: key 'min_version': ",
			    strlen("t.json: key 'min_version': ")) == 0);
	assert_non_null(strstr(err.msg, "1.x"));
	free(json);
	expect_edit_error("\"lookups\": [\n", "\"lookups\": [], \"x\": [\n",
			  "t.json: unknown key 'x'");
}

/* Alternatives and optional, and their one JSON spelling. */
static void test_alternatives(void **state)
{
	static const char json[] =
		"{\"name\": \"a\", \"program\": \"p\", \"min_version\": \"go1.13\", "
		"\"arches\": [\"amd64\"], \"lookups\": ["
		"{\"name\": \"hdr\", \"kind\": \"struct_offset\", "
		"\"type\": [\"net/http.http2FrameHeader\", \"net/http/internal/http2.FrameHeader\"], "
		"\"field\": [\"clientHeaders\", \"headerFrame\"], \"optional\": true},"
		"{\"name\": \"w\", \"kind\": \"func_params\", "
		"\"function\": [\"a.F\"], \"optional\": false},"
		"{\"name\": \"s\", \"kind\": \"type_size\", \"type\": \"runtime.g\"}]}";
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	cJSON *o;
	char *text;
	size_t i;

	(void)state;
	if (parse(json, &s, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(s->lookups[0].types.n, 2);
	assert_int_equal(s->lookups[0].fields.n, 2);
	assert_string_equal(s->lookups[0].type, "net/http.http2FrameHeader");
	assert_string_equal(s->lookups[0].fields.v[1], "headerFrame");
	assert_string_equal(s->lookups[0].field, "clientHeaders");
	assert_null(s->lookups[0].function);
	assert_true(s->lookups[0].optional);
	assert_int_equal(s->lookups[1].functions.n, 1);
	assert_string_equal(s->lookups[1].function, "a.F");
	assert_false(s->lookups[1].optional);
	assert_false(s->lookups[2].optional);
	assert_int_equal(s->lookups[2].types.n, 1);
	assert_int_equal(s->lookups[2].fields.n, 0);

	{
		static const char *const want[] = {
			"{\"type\":[\"net/http.http2FrameHeader\",\"net/http/internal/http2.FrameHeader\"],"
			"\"field\":[\"clientHeaders\",\"headerFrame\"],\"optional\":true}",
			"{\"function\":\"a.F\"}",
			"{\"type\":\"runtime.g\"}",
		};

		for (i = 0; i < 3; i++) {
			o = cJSON_CreateObject();
			assert_int_equal(lutgen_lookup_keys_to_json(&s->lookups[i], o),
					 0);
			text = cJSON_PrintUnformatted(o);
			assert_string_equal(text, want[i]);
			free(text);
			cJSON_Delete(o);
		}
	}
	lutgen_spec_free(s);
}

#define MOD_SPEC(mod)                                                       \
	"{\"name\": \"grpc\", \"program\": \"grpc\", \"module\": " mod ", "  \
	"\"arches\": [\"amd64\"], \"lookups\": [{\"name\": \"t\", "        \
	"\"kind\": \"type_size\", \"type\": \"google.golang.org/grpc.ClientConn\"}]}"

static void test_module(void **state)
{
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	char buf[64];
	cJSON *o;
	char *text;

	(void)state;
	if (parse(MOD_SPEC("{\"path\": \"google.golang.org/grpc\", "
			   "\"min_version\": \"v1.27\", \"policy\": \"all\", "
			   "\"prerelease\": true, \"go\": \"go1.24.4\"}"),
		  &s, &err) != 0)
		fail_msg("%s", err.msg);
	assert_non_null(s->module);
	assert_string_equal(s->module->path, "google.golang.org/grpc");
	assert_true(s->module->has_min);
	assert_string_equal(s->module->min_version.str, "v1.27.0");
	assert_false(s->module->has_max);
	assert_int_equal(s->module->policy, RUNGO_POLICY_ALL);
	assert_true(s->module->prerelease);
	assert_int_equal(s->module->go, LUTGEN_MOD_GO_FIXED);
	assert_string_equal(lutgen_mod_go_name(s->module, buf, sizeof(buf)),
			    "go1.24.4");
	/* The Go floor defaults for module specs. */
	assert_int_equal(s->min_version.minor, 13);
	o = cJSON_CreateObject();
	assert_int_equal(lutgen_spec_module_to_json(s, o), 0);
	text = cJSON_PrintUnformatted(o);
	assert_string_equal(text,
			    "{\"module\":{\"path\":\"google.golang.org/grpc\","
			    "\"min_version\":\"v1.27.0\",\"policy\":\"all\","
			    "\"prerelease\":true,\"go\":\"go1.24.4\"}}");
	free(text);
	cJSON_Delete(o);
	lutgen_spec_free(s);

	assert_int_equal(parse(MOD_SPEC("{\"path\": \"example.com/m\"}"), &s,
			       &err), 0);
	assert_int_equal(s->module->go, LUTGEN_MOD_GO_NEWEST);
	assert_int_equal(s->module->policy, RUNGO_POLICY_MINOR);
	assert_int_equal(s->module->nskip, 0);
	lutgen_spec_free(s);

	/* skip: sorted by module version, kept by a copy, in the JSON. */
	if (parse(MOD_SPEC("{\"path\": \"example.com/m\", \"skip\": "
			   "{\"v1.64.0\": \"refused\", \"v1.2.0\": \"broken\"}}"),
		  &s, &err) != 0)
		fail_msg("%s", err.msg);
	{
		struct lutgen_spec *c = NULL;
		struct rungo_modver v;

		assert_int_equal(s->module->nskip, 2);
		assert_string_equal(s->module->skip[0].version.str, "v1.2.0");
		assert_int_equal(lutgen_spec_copy(s, &c, &err), 0);
		lutgen_spec_free(s);
		assert_int_equal(rungo_modver_parse("v1.64.0", &v, NULL), 0);
		assert_string_equal(lutgen_spec_mod_skip(c->module, &v),
				    "refused");
		assert_int_equal(rungo_modver_parse("v1.64.1", &v, NULL), 0);
		assert_null(lutgen_spec_mod_skip(c->module, &v));
		o = cJSON_CreateObject();
		assert_int_equal(lutgen_spec_module_to_json(c, o), 0);
		text = cJSON_PrintUnformatted(o);
		if (!strstr(text, ",\"skip\":{\"v1.2.0\":\"broken\","
				  "\"v1.64.0\":\"refused\"}}}"))
			fail_msg("%s", text);
		free(text);
		cJSON_Delete(o);
		lutgen_spec_free(c);
	}
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"skip\": [1]}"),
		     "t.json: key 'module': key 'skip': expected an object {\"module version\": \"why\"}, got an array");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"skip\": {\"v1.0.0\": \"\"}}"),
		     "t.json: key 'module': key 'skip': v1.0.0: expected a string saying why");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"skip\": {\"v1\": \"a\", \"v1.0.0\": \"b\"}}"),
		     "t.json: key 'module': key 'skip': v1.0.0 given twice");

	/* Module tables keep unsigned values: no const lookups. */
	assert_int_not_equal(parse("{\"name\": \"m\", \"program\": \"m\", "
				   "\"module\": {\"path\": \"example.com/m\"}, "
				   "\"arches\": [\"amd64\"], \"lookups\": [{"
				   "\"name\": \"c\", \"kind\": \"const\", "
				   "\"const\": \"example.com/m.K\"}]}", &s, &err), 0);
	assert_non_null(strstr(err.msg, "const lookups are for Go tables"));

	expect_error(MOD_SPEC("{}"), "t.json: key 'module': missing key 'path'");
	expect_error(MOD_SPEC("\"x\""),
		     "t.json: key 'module': expected an object, got a string");
	expect_error(MOD_SPEC("{\"path\": \"grpc\"}"),
		     "t.json: key 'module': key 'path': module path \"grpc\": the first element must be a domain name (contain a dot)");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"min_version\": \"v2\", \"max_version\": \"v1.0.0\"}"),
		     "t.json: key 'module': min_version v2.0.0 is above max_version v1.0.0");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"min_version\": \"v2.0.0\"}"),
		     "t.json: key 'module': a.b/c@v2.0.0: a module path without a /vN suffix takes v0 or v1 versions (or vN+incompatible)");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"go\": \"latest\"}"),
		     "t.json: key 'module': key 'go': \"latest\" is neither newest, oldest nor a Go version (\"latest\" is not a Go version: expected a number)");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"policy\": \"some\"}"),
		     "t.json: key 'module': key 'policy': unknown policy \"some\" (use minor, latest-patch, ends or all)");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"prerelease\": 1}"),
		     "t.json: key 'module': key 'prerelease': expected true or false, got a number");
	expect_error(MOD_SPEC("{\"path\": \"a.b/c\", \"x\": 1}"),
		     "t.json: key 'module': unknown key 'x'");
}

static void test_empty_lookups(void **state)
{
	(void)state;
	expect_error("{\"name\": \"a\", \"program\": \"p\", \"min_version\": \"go1.13\", "
		     "\"arches\": [\"amd64\"], \"lookups\": []}",
		     "t.json: key 'lookups': empty (a spec needs at least one lookup)");
}

/* Canonical JSON written by hand: key order, no whitespace, docs kept,
 * defaults ("doc", "policy") spelled out; the lookups' form leaves docs
 * out. */
static const char canon_in[] =
	"{ \"name\": \"c\", \"program\": \"p\",\n"
	"  \"min_version\": \"1.20\", \"arches\": [\"arm64\", \"amd64\"],\n"
	"  \"lookups\": [\n"
	"    {\"name\": \"a\", \"kind\": \"struct_offset\", \"doc\": \"d\",\n"
	"     \"type\": \"runtime.g\", \"field\": [\"goid\", \"id\"]},\n"
	"    {\"name\": \"f\", \"kind\": \"func_params\", \"optional\": true,\n"
	"     \"function\": \"main.f\"}]}";
static const char canon_want[] =
	"{\"name\":\"c\",\"doc\":\"\",\"program\":\"p\","
	"\"min_version\":\"go1.20\",\"arches\":[\"arm64\",\"amd64\"],"
	"\"policy\":\"minor\",\"lookups\":["
	"{\"name\":\"a\",\"doc\":\"d\",\"kind\":\"struct_offset\","
	"\"type\":\"runtime.g\",\"field\":[\"goid\",\"id\"]},"
	"{\"name\":\"f\",\"doc\":\"\",\"kind\":\"func_params\","
	"\"function\":\"main.f\",\"optional\":true}]}";
static const char lookups_want[] =
	"[{\"name\":\"a\",\"kind\":\"struct_offset\",\"type\":\"runtime.g\","
	"\"field\":[\"goid\",\"id\"]},"
	"{\"name\":\"f\",\"kind\":\"func_params\",\"function\":\"main.f\","
	"\"optional\":true}]";

static void test_copy_canonical(void **state)
{
	struct lutgen_spec *s = NULL, *c = NULL;
	char sha_s[65], sha_c[65], *js = NULL, *jc = NULL, *lk;

	(void)state;
	assert_int_equal(lutgen_spec_parse(canon_in, strlen(canon_in), "x.json",
					   &s, NULL), 0);
	assert_int_equal(lutgen_spec_canonical(s, &js, sha_s, NULL), 0);
	assert_string_equal(js, canon_want);
	lk = lutgen_spec_lookups_canonical(s);
	assert_non_null(lk);
	assert_string_equal(lk, lookups_want);
	free(lk);

	assert_int_equal(lutgen_spec_copy(s, &c, NULL), 0);
	lutgen_spec_free(s);   /* the copy owns everything it points to */
	assert_string_equal(c->path, "x.json");
	assert_string_equal(c->lookups[0].field, "goid");
	assert_int_equal(c->lookups[0].fields.n, 2);
	assert_true(c->lookups[1].optional);
	assert_int_equal(lutgen_spec_canonical(c, &jc, sha_c, NULL), 0);
	assert_string_equal(jc, canon_want);
	assert_string_equal(sha_c, sha_s);
	free(jc);

	/* A doc is part of the spec's identity, not of what it measures. */
	free(c->lookups[0].doc);
	c->lookups[0].doc = strdup("other");
	assert_int_equal(lutgen_spec_canonical(c, &jc, sha_c, NULL), 0);
	assert_string_not_equal(sha_c, sha_s);
	lk = lutgen_spec_lookups_canonical(c);
	assert_string_equal(lk, lookups_want);
	free(lk);
	free(jc);
	free(js);
	lutgen_spec_free(c);
}

/* Selection against a hand-written index: min_version, policy (minor
 * keeps x.y.0 when the index has it, else the newest of the minor), os/arch
 * of the archive; an empty selection names the spec. */
static const char select_index[] =
	"[{\"version\": \"go1.22.1\", \"stable\": true, \"files\": ["
	"  {\"filename\": \"go1.22.1.linux-amd64.tar.gz\", \"os\": \"linux\","
	"   \"arch\": \"amd64\", \"version\": \"go1.22.1\", \"sha256\": \"\","
	"   \"size\": 1, \"kind\": \"archive\"}]},"
	" {\"version\": \"go1.22.0\", \"stable\": true, \"files\": ["
	"  {\"filename\": \"go1.22.0.linux-amd64.tar.gz\", \"os\": \"linux\","
	"   \"arch\": \"amd64\", \"version\": \"go1.22.0\", \"sha256\": \"\","
	"   \"size\": 1, \"kind\": \"archive\"}]},"
	" {\"version\": \"go1.21.5\", \"stable\": true, \"files\": ["
	"  {\"filename\": \"go1.21.5.linux-arm64.tar.gz\", \"os\": \"linux\","
	"   \"arch\": \"arm64\", \"version\": \"go1.21.5\", \"sha256\": \"\","
	"   \"size\": 1, \"kind\": \"archive\"}]},"
	" {\"version\": \"go1.20.3\", \"stable\": true, \"files\": ["
	"  {\"filename\": \"go1.20.3.linux-amd64.tar.gz\", \"os\": \"linux\","
	"   \"arch\": \"amd64\", \"version\": \"go1.20.3\", \"sha256\": \"\","
	"   \"size\": 1, \"kind\": \"archive\"}]}]";

static void test_select(void **state)
{
	static const char spec[] =
		"{\"name\": \"s\", \"program\": \"p\", \"min_version\": \"go1.21\","
		" \"arches\": [\"amd64\"], \"lookups\": [{\"name\": \"a\","
		" \"kind\": \"type_size\", \"type\": \"runtime.g\"}]}";
	struct common_err err = { 0 };
	struct rungo_index *idx = NULL;
	struct lutgen_spec *s = NULL;
	struct rungo_version *v = NULL;
	char buf[RUNGO_VERSION_STR_MAX];
	size_t n = 0;

	(void)state;
	assert_int_equal(rungo_index_parse(select_index, strlen(select_index),
					   &idx, NULL), 0);
	assert_int_equal(lutgen_spec_parse(spec, strlen(spec), "s.json", &s,
					   NULL), 0);
	assert_int_equal(lutgen_spec_select(s, idx, "linux", "amd64", &v, &n,
					    &err), 0);
	assert_int_equal(n, 1);   /* go1.21.5 has no amd64 archive */
	rungo_version_format(&v[0], buf, sizeof(buf));
	assert_string_equal(buf, "go1.22.0");
	free(v);
	s->policy = RUNGO_POLICY_ALL;
	assert_int_equal(lutgen_spec_select(s, idx, "linux", "amd64", &v, &n,
					    &err), 0);
	assert_int_equal(n, 2);
	rungo_version_format(&v[1], buf, sizeof(buf));
	assert_string_equal(buf, "go1.22.1");
	free(v);
	assert_int_equal(lutgen_spec_select(s, idx, "linux", "riscv64", &v, &n,
					    &err), -ENOENT);
	assert_null(v);
	assert_non_null(strstr(err.msg, "spec s"));
	assert_non_null(strstr(err.msg, "go1.21"));
	assert_non_null(strstr(err.msg, "linux/riscv64"));
	lutgen_spec_free(s);
	rungo_index_free(idx);
}

/* Names that are C identifiers but break the generated C (issue 8 item
 * 9): each is refused at load with the spec, the key and the clash. */
static void test_generated_name_clashes(void **state)
{
	static const struct {
		const char *name;
		const char *why;
	} cases[] = {
		{ "uint64_t", "ends in _t, the namespace of type names" },
		{ "size_t", "ends in _t" },
		{ "NULL", "has no lower-case letter: that is the macro namespace" },
		{ "LUTGEN_UNCERTAIN", "starts with lutgen_" },
		{ "lutgen_go_strerror", "starts with lutgen_" },
		{ "lutgen_go_table_goid", "starts with lutgen_" },
		{ "main", "is a C library name" },
		{ "printf", "is a C library name" },
		{ "read", "is a C library name" },
		{ "sqrtf", "is a C library name" },
		{ "class", "is a C++ keyword" },
		{ "new", "is a C++ keyword" },
		{ "_private", "is reserved for the compiler" },
		{ "g__size", "is reserved for the compiler" },
	};
	char want[512], to[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lutgen_spec *sp = NULL;
		struct common_err err = { 0 };
		char *json;

		snprintf(to, sizeof(to), "\"name\": \"%s\"", cases[i].name);
		json = edit("\"name\": \"g_size\"", to);
		snprintf(want, sizeof(want),
			 "t.json: lookups[1] (%s): key 'name': \"%s\" %s",
			 cases[i].name, cases[i].name, cases[i].why);
		assert_int_equal(parse(json, &sp, &err), -EINVAL);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s:\n  got:  %s\n  want: %s...",
				 cases[i].name, err.msg, want);
		free(json);
	}
	/* off and off_v: the lookup off defines off_v too. */
	expect_edit_error("\"name\": \"tls_write\"", "\"name\": \"fd_sysfd_v\"",
			  "t.json: lookups[2] (fd_sysfd_v): key 'name': clashes with lookups[0] (fd_sysfd): both would define the C function fd_sysfd_v");
	/* The spec name too: lutgen_* is the support code's. */
	expect_edit_error("\"name\": \"net\"", "\"name\": \"lutgen_net\"",
			  "t.json: key 'name': \"lutgen_net\" starts with lutgen_, which belongs to the generated support code (lutgen_go.h: LUTGEN_OK, lutgen_go_strerror, lutgen_go_table_<spec>, ...)");
}

/* Two specs of one run. */
static void test_run_clashes(void **state)
{
	static const char a_json[] =
		"{\"name\": \"a\", \"program\": \"p\", \"min_version\": \"go1.20\","
		" \"arches\": [\"amd64\"], \"lookups\": ["
		"{\"name\": \"goid_offset\", \"kind\": \"type_size\", \"type\": \"t\"}]}";
	static const struct {
		const char *json;
		const char *want;
	} cases[] = {
		{ "{\"name\": \"b\", \"program\": \"p\", \"min_version\": \"go1.20\","
		  " \"arches\": [\"amd64\"], \"lookups\": ["
		  "{\"name\": \"goid_offset\", \"kind\": \"type_size\", \"type\": \"t\"}]}",
		  "b.json: lookups[0] (goid_offset): key 'name': clashes with lookups[0] (goid_offset) of a.json: both would define the C function goid_offset, so the two tables could not be linked together" },
		{ "{\"name\": \"b\", \"program\": \"p\", \"min_version\": \"go1.20\","
		  " \"arches\": [\"amd64\"], \"lookups\": ["
		  "{\"name\": \"x\", \"kind\": \"type_size\", \"type\": \"t\"},"
		  "{\"name\": \"goid_offset_v\", \"kind\": \"type_size\", \"type\": \"t\"}]}",
		  "b.json: lookups[1] (goid_offset_v): key 'name': clashes with lookups[0] (goid_offset) of a.json: both would define the C function goid_offset_v, so the two tables could not be linked together" },
		{ "{\"name\": \"A\", \"program\": \"p\", \"min_version\": \"go1.20\","
		  " \"arches\": [\"amd64\"], \"lookups\": ["
		  "{\"name\": \"y\", \"kind\": \"type_size\", \"type\": \"t\"}]}",
		  "b.json: key 'name': \"A\" differs only in case from the name \"a\" of a.json; two specs of one run need names that differ in more than case (file names, header guards)" },
		{ "{\"name\": \"a\", \"program\": \"p\", \"min_version\": \"go1.20\","
		  " \"arches\": [\"amd64\"], \"lookups\": ["
		  "{\"name\": \"y\", \"kind\": \"type_size\", \"type\": \"t\"}]}",
		  "b.json: key 'name': \"a\" is also the name \"a\" of a.json; two specs of one run need names that differ in more than case (file names, header guards)" },
	};
	struct lutgen_spec *a = NULL;
	struct common_err err = { 0 };
	size_t i;

	(void)state;
	assert_int_equal(lutgen_spec_parse(a_json, strlen(a_json), "a.json",
					   &a, &err), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct lutgen_spec *b = NULL;
		const struct lutgen_spec *run[2];

		if (lutgen_spec_parse(cases[i].json, strlen(cases[i].json),
				      "b.json", &b, &err) != 0)
			fail_msg("case %zu: %s", i, err.msg);
		run[0] = a;
		run[1] = b;
		assert_int_equal(lutgen_spec_check_run(run, 2, &err), -EINVAL);
		assert_string_equal(err.msg, cases[i].want);
		lutgen_spec_free(b);
	}
	{
		const struct lutgen_spec *one[1] = { a };

		assert_int_equal(lutgen_spec_check_run(one, 1, &err), 0);
	}
	lutgen_spec_free(a);
}

/* What cJSON alone would accept (issue 8 item 11). */
static void test_parser_leniency(void **state)
{
	static const char raw_nul[] =
		"{\"name\": \"net\0x\", \"program\": \"p\"}";
	struct lutgen_spec *sp = NULL;
	struct common_err err = { 0 };
	char *json, *big, *deep;
	size_t i;

	(void)state;
	/* Trailing garbage after the object. */
	json = malloc(strlen(VALID) + 16);
	assert_non_null(json);
	snprintf(json, strlen(VALID) + 16, "%sgarbage", VALID);
	assert_int_equal(parse(json, &sp, &err), -EINVAL);
	/* VALID is 13 lines ending in a newline: line 14, column 1. */
	assert_string_equal(err.msg, "t.json:14:1: unexpected data after the spec's JSON object, near \"s.(*Conn).Write\"}\\x0a  ]\\x0a}\\x0agarbage\"");
	free(json);
	/* \u0000 would cut the name to "goid_". */
	expect_edit_error("\"name\": \"g_size\"", "\"name\": \"goid_\\u0000x\"",
			  "t.json:10:20: \\u0000 inside a string (it would cut the string short), near \"d\"},\\x0a    {\"name\": \"goid_\\x5cu0000x\", \"kind\": \"type_\"");
	/* A raw NUL in a name (the buffer is longer than the C string). */
	assert_int_equal(lutgen_spec_parse(raw_nul, sizeof(raw_nul) - 1,
					   "t.json", &sp, &err), -EINVAL);
	assert_string_equal(err.msg, "t.json:1:14: raw control character 0x00 inside a string (write it as an escape), near \"{\"name\": \"net\\x00x\", \"program\": \"p\"}\"");
	/* A 100 kB name keeps its reason. */
	big = malloc(100001);
	assert_non_null(big);
	memset(big, 'a', 100000);
	big[100000] = '\0';
	json = malloc(100100);
	assert_non_null(json);
	snprintf(json, 100100, "\"name\": \"%s\"", big);
	{
		char *spec = edit("\"name\": \"g_size\"", json);

		assert_int_equal(parse(spec, &sp, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "... (100000 characters)"));
		assert_non_null(strstr(err.msg, "is longer than 128 characters"));
		free(spec);
		snprintf(json, 100100, "\"program\": \"%s/x\"", big);
		spec = edit("\"program\": \"netprobe\"", json);
		assert_int_equal(parse(spec, &sp, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "is not a directory name under lutgen/programs/"));
		free(spec);
	}
	free(json);
	free(big);
	/* Nesting past cJSON's limit, in words. */
	deep = malloc(4000);
	assert_non_null(deep);
	strcpy(deep, "{\"doc\": ");
	for (i = 0; i < 1100; i++)
		strcat(deep, "[");
	assert_int_equal(parse(deep, &sp, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "t.json:1:1008: nested too deeply (more than 1000 levels of arrays and objects)"));
	free(deep);
	assert_null(sp);
}

/* field_size, const, func_results and g_location: their keys, the
 * keys they refuse, and "const" in the canonical JSON. */
static void test_new_kinds(void **state)
{
	static const char *const json =
		"{\"name\": \"rt\", \"program\": \"std\", \"min_version\": \"go1.15\","
		" \"arches\": [\"386\", \"riscv64\", \"loong64\"], \"lookups\": ["
		"{\"name\": \"sp_size\", \"kind\": \"field_size\", \"type\": \"runtime.g\","
		" \"field\": \"sched.sp\"},"
		"{\"name\": \"running\", \"kind\": \"const\", \"const\": [\"runtime._Grunning\","
		" \"runtime._Grunning2\"], \"optional\": true},"
		"{\"name\": \"rd\", \"kind\": \"func_results\", \"function\":"
		" \"crypto/tls.(*Conn).Read\"},"
		"{\"name\": \"gl\", \"kind\": \"g_location\", \"function\": \"runtime.execute\"}]}";
	struct lutgen_spec *s = NULL;
	struct common_err err = { 0 };
	cJSON *o;
	char *text;

	(void)state;
	assert_int_equal(parse(json, &s, &err), 0);
	assert_int_equal(s->lookups[0].kind, LUTGEN_LOOKUP_FIELD_SIZE);
	assert_string_equal(s->lookups[0].field, "sched.sp");
	assert_int_equal(s->lookups[1].kind, LUTGEN_LOOKUP_CONST);
	assert_string_equal(s->lookups[1].konst, "runtime._Grunning");
	assert_int_equal(s->lookups[1].consts.n, 2);
	assert_true(s->lookups[1].optional);
	assert_int_equal(s->lookups[2].kind, LUTGEN_LOOKUP_FUNC_RESULTS);
	assert_int_equal(s->lookups[3].kind, LUTGEN_LOOKUP_G_LOCATION);
	assert_string_equal(s->lookups[3].function, "runtime.execute");
	o = cJSON_CreateObject();
	assert_int_equal(lutgen_lookup_keys_to_json(&s->lookups[1], o), 0);
	text = cJSON_PrintUnformatted(o);
	assert_string_equal(text, "{\"const\":[\"runtime._Grunning\","
				  "\"runtime._Grunning2\"],\"optional\":true}");
	free(text);
	cJSON_Delete(o);
	lutgen_spec_free(s);

	expect_edit_error("\"kind\": \"func_params\", \"function\": \"crypto/tls.(*Conn).Write\"",
			  "\"kind\": \"const\", \"function\": \"x.y\"",
			  "t.json: lookups[2] (tls_write): missing key 'const' (kind const needs it)");
	expect_edit_error("\"kind\": \"func_params\", \"function\": \"crypto/tls.(*Conn).Write\"",
			  "\"kind\": \"func_results\", \"function\": \"a.b\", \"const\": \"x.y\"",
			  "t.json: lookups[2] (tls_write): key 'const' does not apply to kind func_results");
	expect_edit_error("\"kind\": \"type_size\"", "\"kind\": \"field_size\"",
			  "t.json: lookups[1] (g_size): missing key 'field' (kind field_size needs it)");
	expect_edit_error("\"kind\": \"func_params\"", "\"kind\": \"g_location\", \"type\": \"t.T\"",
			  "t.json: lookups[2] (tls_write): key 'type' does not apply to kind g_location");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_policy_default),
		cmocka_unit_test(test_goid_spec_file),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_not_json),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_bad_kind),
		cmocka_unit_test(test_bad_arch),
		cmocka_unit_test(test_duplicate_name),
		cmocka_unit_test(test_bad_identifiers),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_empty_lookups),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_new_kinds),
		cmocka_unit_test(test_copy_canonical),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_module),
		cmocka_unit_test(test_generated_name_clashes),
		cmocka_unit_test(test_run_clashes),
		cmocka_unit_test(test_parser_leniency),
	};

	return test_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
