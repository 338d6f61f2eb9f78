/* SPDX-License-Identifier: MIT */
/*
 * lutgen/emit/render.h - a small mustache-like template renderer.
 *
 * Template syntax:
 *   {{name}}              the string (or "true"/"false") `name`; no escaping
 *                         of any kind (callers pre-escape for C or JSON).
 *   {{#name}}..{{/name}}  a list: the body once per item, the item's names
 *                         visible inside; a bool/string: the body once when
 *                         true / non-empty.
 *   {{^name}}..{{/name}}  the body once when `name` is false, "" or an
 *                         empty list.
 *   {{! comment }}        nothing.
 * Inside a list body `@first`, `@last` (bools) and `@index` (0-based) refer
 * to the innermost list.  Names are looked up in the innermost item first,
 * then outwards.  An unknown name is an error (typos don't vanish silently).
 * A line holding nothing but a section, close or comment tag (and blanks)
 * disappears entirely, newline included.  "{{{name}}}" is read as
 * "{{name}}", so write "{ {{name}}" when a brace must precede a tag.
 *
 * Errors name the template and line: "table.c.tmpl:12: unknown name 'x'".
 *
 * The view: a tree of objects (string, bool and list-of-object fields),
 * built with the functions below.  Builder errors (out of memory) are
 * sticky: builders take and return NULL harmlessly once something failed,
 * and lutgen_render() then fails with -ENOMEM.  Convention: 0 or negative
 * errno; `err` may be NULL.
 */
#ifndef LUTGEN_RENDER_H
#define LUTGEN_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/emit/layer.h"

struct lutgen_rview;   /* owns every object below it */
struct lutgen_robj;    /* an object: named fields */

/* NULL when out of memory.  lutgen_rview_free accepts NULL. */
struct lutgen_rview *lutgen_rview_new(void);
void lutgen_rview_free(struct lutgen_rview *v);
/* The root object (NULL if v is NULL). */
struct lutgen_robj *lutgen_rview_root(struct lutgen_rview *v);
/* 0, or -ENOMEM when a builder failed. */
int lutgen_rview_status(const struct lutgen_rview *v);

/* Set a field (replacing one of the same name).  `o` may be NULL (no-op). */
void lutgen_robj_str(struct lutgen_robj *o, const char *key, const char *val);
void lutgen_robj_fmt(struct lutgen_robj *o, const char *key,
		     const char *fmt, ...) COMMON_PRINTF(3, 4);
void lutgen_robj_bool(struct lutgen_robj *o, const char *key, bool val);
/* Make `key` an (empty) list if it is not one yet. */
void lutgen_robj_list(struct lutgen_robj *o, const char *key);
/* Append a new, empty object to list `key` (created if needed); returns it,
 * or NULL when out of memory (recorded in the view). */
struct lutgen_robj *lutgen_robj_add(struct lutgen_robj *o, const char *key);

/* Render template text `tmpl` (len bytes; `name` is used in errors) with
 * the view into *out (NUL-terminated, caller frees with free()); *out_len
 * (may be NULL) gets its length.  -EINVAL for template errors, -ENOMEM. */
int lutgen_render(const char *name, const char *tmpl, size_t len,
		  const struct lutgen_rview *view, char **out, size_t *out_len,
		  struct common_err *err);

/* Templates embedded at build time from templates/ (templates/embed.c). */
struct lutgen_template {
	const char *name;   /* file name, "table.c.tmpl" */
	const char *text;   /* NUL-terminated */
	size_t len;
};

extern const struct lutgen_template lutgen_templates[];
extern const size_t lutgen_ntemplates;

/* The embedded template `name`, or NULL. */
const struct lutgen_template *lutgen_template_find(const char *name);

#endif
