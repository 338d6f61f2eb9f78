/* SPDX-License-Identifier: MIT */
/* tests/test_render.c - the mustache-like renderer (lutgen/emit/render.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lutgen/emit/render.h"

/* Render `tmpl` with `v`; returns the output (caller frees) or fails. */
static char *render_ok(const char *tmpl, const struct lutgen_rview *v)
{
	struct common_err err = { 0, "" };
	char *out = NULL;
	size_t len = 0;

	if (lutgen_render("t.tmpl", tmpl, strlen(tmpl), v, &out, &len, &err) !=
	    0)
		fail_msg("render failed: %s", err.msg);
	assert_int_equal(len, strlen(out));
	return out;
}

/* Render expecting -EINVAL; the message must contain `want`. */
static void render_err(const char *tmpl, const struct lutgen_rview *v,
		       const char *want)
{
	struct common_err err = { 0, "" };
	char *out = NULL;

	assert_int_equal(lutgen_render("t.tmpl", tmpl, strlen(tmpl), v, &out,
				       NULL, &err),
			 -EINVAL);
	assert_null(out);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' lacks '%s'", err.msg, want);
}

static void expect(const char *tmpl, const struct lutgen_rview *v,
		   const char *want)
{
	char *out = render_ok(tmpl, v);

	assert_string_equal(out, want);
	free(out);
}

static void test_variables(void **state)
{
	struct lutgen_rview *v = lutgen_rview_new();
	struct lutgen_robj *r = lutgen_rview_root(v);

	(void)state;
	lutgen_robj_str(r, "name", "world");
	lutgen_robj_str(r, "raw", "<a href=\"x\">&amp;</a> \\n");
	lutgen_robj_fmt(r, "num", "%d-%s", 42, "x");
	lutgen_robj_bool(r, "yes", true);
	lutgen_robj_bool(r, "no", false);
	expect("Hello {{name}}!", v, "Hello world!");
	expect("{{ name }}", v, "world");
	expect("{{raw}}", v, "<a href=\"x\">&amp;</a> \\n");  /* no escaping */
	expect("{{num}}", v, "42-x");
	expect("{{yes}}/{{no}}", v, "true/false");
	expect("{ {{name}} }", v, "{ world }");
	expect("{{{name}}}", v, "world");
	expect("", v, "");
	expect("no tags\n", v, "no tags\n");
	expect("a{{! a comment }}b", v, "ab");
	expect("} single { braces }", v, "} single { braces }");
	/* Replacing a field keeps the last value. */
	lutgen_robj_str(r, "name", "again");
	expect("{{name}}", v, "again");
	assert_int_equal(lutgen_rview_status(v), 0);
	lutgen_rview_free(v);
}

static void test_lists(void **state)
{
	struct lutgen_rview *v = lutgen_rview_new();
	struct lutgen_robj *r = lutgen_rview_root(v);
	const char *names[] = { "a", "b", "c" };
	size_t i;

	(void)state;
	lutgen_robj_str(r, "outer", "O");
	for (i = 0; i < 3; i++) {
		struct lutgen_robj *it = lutgen_robj_add(r, "xs");
		struct lutgen_robj *in;

		lutgen_robj_str(it, "v", names[i]);
		in = lutgen_robj_add(it, "ys");
		lutgen_robj_fmt(in, "w", "%zu", i * 10);
		in = lutgen_robj_add(it, "ys");
		lutgen_robj_fmt(in, "w", "%zu", i * 10 + 1);
	}
	lutgen_robj_list(r, "empty");
	expect("[{{#xs}}{{v}}{{^@last}}, {{/@last}}{{/xs}}]", v, "[a, b, c]");
	expect("{{#xs}}{{#@first}}<{{/@first}}{{@index}}{{/xs}}", v, "<012");
	/* Outer names are visible inside items; nested lists. */
	expect("{{#xs}}{{outer}}{{v}}({{#ys}}{{v}}{{w}}{{@index}} {{/ys}}){{/xs}}",
	       v, "Oa(a00 a11 )Ob(b100 b111 )Oc(c200 c211 )");
	expect("{{#empty}}never{{/empty}}{{^empty}}none{{/empty}}", v, "none");
	expect("{{^xs}}never{{/xs}}", v, "");
	lutgen_rview_free(v);
}

static void test_sections(void **state)
{
	struct lutgen_rview *v = lutgen_rview_new();
	struct lutgen_robj *r = lutgen_rview_root(v);

	(void)state;
	lutgen_robj_bool(r, "t", true);
	lutgen_robj_bool(r, "f", false);
	lutgen_robj_str(r, "s", "x");
	lutgen_robj_str(r, "e", "");
	expect("{{#t}}T{{/t}}{{#f}}F{{/f}}{{^f}}!F{{/f}}{{^t}}!T{{/t}}", v,
	       "T!F");
	expect("{{#s}}S{{/s}}{{#e}}E{{/e}}{{^e}}!E{{/e}}", v, "S!E");
	expect("{{#t}}{{#s}}{{s}}{{/s}}{{/t}}", v, "x");
	lutgen_rview_free(v);
}

static void test_standalone_lines(void **state)
{
	struct lutgen_rview *v = lutgen_rview_new();
	struct lutgen_robj *r = lutgen_rview_root(v);

	(void)state;
	lutgen_robj_bool(r, "t", true);
	lutgen_robj_bool(r, "f", false);
	lutgen_robj_add(r, "one");
	/* Section/comment tags alone on a line vanish with the line. */
	expect("a\n{{#t}}\nx\n{{/t}}\nc\n", v, "a\nx\nc\n");
	expect("a\n  {{#f}}  \nx\n  {{/f}}\t\nc\n", v, "a\nc\n");
	expect("a\n{{! note }}\nb\n", v, "a\nb\n");
	expect("{{#one}}\nitem\n{{/one}}", v, "item\n");
	expect("a\r\n{{#t}}\r\nb\r\n{{/t}}\r\n", v, "a\r\nb\r\n");
	/* Not standalone: other text on the line stays. */
	expect("a {{#t}}x{{/t}} b\n", v, "a x b\n");
	/* Variables are never standalone. */
	lutgen_robj_str(r, "e", "");
	expect("a\n{{e}}\nb\n", v, "a\n\nb\n");
	lutgen_rview_free(v);
}

static void test_errors(void **state)
{
	struct lutgen_rview *v = lutgen_rview_new();
	struct lutgen_robj *r = lutgen_rview_root(v);

	(void)state;
	lutgen_robj_str(r, "x", "1");
	lutgen_robj_add(r, "xs");
	render_err("line1\nline2\n{{nope}}\n", v, "t.tmpl:3: unknown name 'nope'");
	render_err("\n{{#nope}}{{/nope}}", v, "t.tmpl:2: unknown name 'nope'");
	render_err("a\n{{#x}}\nb\n", v, "t.tmpl:2: section 'x' is never closed");
	render_err("{{#x}}\n{{#xs}}\n{{/x}}\n{{/xs}}", v,
		   "t.tmpl:3: {{/x}} closes 'xs' opened on line 2");
	render_err("\n\n\n{{/x}}", v, "t.tmpl:4: {{/x}} without an open section");
	render_err("ok\n{{x", v, "t.tmpl:2: '{{' without '}}'");
	render_err("{{}}", v, "t.tmpl:1: empty tag name");
	render_err("{{a b}}", v, "t.tmpl:1: bad tag name 'a b'");
	render_err("{{@last}}", v, "'@last' outside a list");
	render_err("{{xs}}", v, "t.tmpl:1: 'xs' is a list");
	lutgen_rview_free(v);
}

static void test_bounded_length(void **state)
{
	struct lutgen_rview *v = lutgen_rview_new();
	const char tmpl[] = "abc{{x}}";
	char *out = NULL;

	(void)state;
	/* Only the first 3 bytes are the template: no tag, no error. */
	assert_int_equal(lutgen_render("t", tmpl, 3, v, &out, NULL, NULL), 0);
	assert_string_equal(out, "abc");
	free(out);
	/* A NUL inside the template is refused. */
	assert_int_equal(lutgen_render("t", "a\0b", 3, v, &out, NULL, NULL),
			 -EINVAL);
	assert_int_equal(lutgen_render("t", "a", 1, NULL, &out, NULL, NULL),
			 -EINVAL);
	lutgen_rview_free(v);
}

static void test_null_safety(void **state)
{
	(void)state;
	/* Builders take NULL (what they return after a failure). */
	lutgen_robj_str(NULL, "a", "b");
	lutgen_robj_fmt(NULL, "a", "%d", 1);
	lutgen_robj_bool(NULL, "a", true);
	lutgen_robj_list(NULL, "a");
	assert_null(lutgen_robj_add(NULL, "a"));
	assert_null(lutgen_rview_root(NULL));
	lutgen_rview_free(NULL);
}

static void test_embedded_templates(void **state)
{
	static const char *const names[] = {
		"table.c.tmpl", "table.h.tmpl", "table.json.tmpl",
		"lutgen_go.c.tmpl", "lutgen_go.h.tmpl",
		"lutgen_gobin.c.tmpl", "lutgen_gobin.h.tmpl",
		"modtable.c.tmpl", "modtable.h.tmpl", "modtable.json.tmpl",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct lutgen_template *t = lutgen_template_find(names[i]);

		assert_non_null(t);
		assert_string_equal(t->name, names[i]);
		assert_true(t->len > 100);
		assert_int_equal(strlen(t->text), t->len);
	}
	assert_null(lutgen_template_find("nope.tmpl"));
	assert_null(lutgen_template_find(NULL));
	/* templates/meson.build embeds exactly these. */
	assert_int_equal(lutgen_ntemplates, sizeof(names) / sizeof(names[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_standalone_lines),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bounded_length),
		cmocka_unit_test(test_null_safety),
		cmocka_unit_test(test_embedded_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
