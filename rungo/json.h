/* SPDX-License-Identifier: MIT */
/*
 * rungo/json.h - strict checks around cJSON for documents from outside
 * (the release index, specs).
 *
 * cJSON is lenient where a careless or hostile document can do harm: it
 * takes any byte below 0x20 (NUL included) between tokens as whitespace,
 * keeps raw control characters inside strings, turns "\u0000" into a
 * NUL that silently cuts the string short, lets the first of two equal
 * keys win, and reports its nesting limit as a plain syntax error.
 * rungo_json_scan() finds the first four before cJSON runs;
 * rungo_json_duplicate_key() the fifth after.  The caller words the
 * message with its own context; rungo_json_excerpt() quotes the spot.
 *
 * Nothing here allocates, prints or keeps state.
 */
#ifndef RUNGO_JSON_H
#define RUNGO_JSON_H

#include <stddef.h>

struct cJSON;

/* cJSON's own nesting limit (CJSON_NESTING_LIMIT). */
#define RUNGO_JSON_DEPTH_MAX 1000

/* Scan text[0..len): 0 when nothing above is found; else -EINVAL, *off
 * set to the offending byte and `why` to what is wrong ("raw control
 * character 0x00 between tokens", "\u0000 inside a string", "nested
 * more than 1000 levels deep", ...).  Linear, never reads past len. */
int rungo_json_scan(const char *text, size_t len, size_t *off, char *why,
		    size_t whysize);

/* The first key that appears twice in one object anywhere in the tree:
 * 0 when none; else -EINVAL with `why` naming the key and the object's
 * path ("key \"size\" appears twice in $[3].files[0]"). */
int rungo_json_duplicate_key(const struct cJSON *root, char *why,
			     size_t whysize);

/* A quotable excerpt of text around byte `off` (up to 24 bytes before and
 * after, control and non-ASCII bytes as \xNN), NUL-terminated in buf. */
void rungo_json_excerpt(const char *text, size_t len, size_t off, char *buf,
			size_t size);

/* 1-based line and column of byte off. */
void rungo_json_line_col(const char *text, size_t len, size_t off,
			 size_t *line, size_t *col);

#endif
