/* SPDX-License-Identifier: MIT */
/*
 * The go.dev download index: parsing with cJSON, strict validation of every
 * field, and fetching through rungo_fetch_memory().
 *
 * Every key go.dev emits is required (its Go struct has no omitempty);
 * unknown keys are ignored so that go.dev may add fields.  Releases and
 * files are numbered from 0 in errors, in document order, e.g.
 *   index: release 3 (go1.21.0) file 2: "size" must be a number, got a string
 */
#include "rungo/index.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rungo/fetch.h"
#include "rungo/json.h"

/* Largest size accepted: integers above 2^53 are not exact in JSON. */
#define RUNGO_INDEX_SIZE_MAX 9007199254740992.0

/* Where we are, for error messages. */
struct where {
	size_t release;
	const char *release_version; /* NULL until known */
	size_t file;
	bool in_file;
};

static const char *type_name(const cJSON *j)
{
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "an invalid value";
}

static int where_err(struct common_err *err, const struct where *w,
		     const char *fmt, ...) COMMON_PRINTF(3, 4);

static int where_err(struct common_err *err, const struct where *w,
		     const char *fmt, ...)
{
	char what[COMMON_ERR_MSG_SIZE];
	char rel[64] = "";
	char file[32] = "";
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (w->release_version)
		snprintf(rel, sizeof(rel), " (%s)", w->release_version);
	if (w->in_file)
		snprintf(file, sizeof(file), " file %zu", w->file);
	return common_err_set(err, -EPROTO, "index: release %zu%s%s: %s",
			      w->release, rel, file, what);
}

/* The member `key` of object `obj`, which must be present. */
static const cJSON *member(const cJSON *obj, const char *key,
			   const struct where *w, struct common_err *err)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (!j)
		where_err(err, w, "\"%s\" is missing", key);
	return j;
}

/* Copy the string member `key`.  `nonempty` rejects "". */
static int get_string(const cJSON *obj, const char *key, bool nonempty,
		      char **out, const struct where *w, struct common_err *err)
{
	const cJSON *j = member(obj, key, w, err);

	if (!j)
		return -EPROTO;
	if (!cJSON_IsString(j) || !j->valuestring)
		return where_err(err, w, "\"%s\" must be a string, got %s", key,
				 type_name(j));
	if (nonempty && j->valuestring[0] == '\0')
		return where_err(err, w, "\"%s\" must not be empty", key);
	{
		const unsigned char *c = (const unsigned char *)j->valuestring;
		size_t i;

		for (i = 0; c[i]; i++)
			if (c[i] < 0x20 || c[i] == 0x7f) {
				char ex[128];

				rungo_json_excerpt(j->valuestring,
						   strlen(j->valuestring), i,
						   ex, sizeof(ex));
				return where_err(err, w,
						 "\"%s\" holds control character 0x%02x: \"%s\"",
						 key, c[i], ex);
			}
	}
	*out = strdup(j->valuestring);
	if (!*out)
		return common_err_set(err, -ENOMEM, "index: out of memory");
	return 0;
}

static int get_version(const cJSON *obj, char **str,
		       struct rungo_version *v, const struct where *w,
		       struct common_err *err)
{
	struct common_err verr;
	int rc;

	rc = get_string(obj, "version", true, str, w, err);
	if (rc)
		return rc;
	if (rungo_version_parse(*str, v, &verr) != 0)
		return where_err(err, w, "\"version\": %s", verr.msg);
	return 0;
}

static int parse_sha256(const cJSON *obj, char out[65], const struct where *w,
			struct common_err *err)
{
	const cJSON *j = member(obj, "sha256", w, err);
	const char *s;
	size_t i, n;

	if (!j)
		return -EPROTO;
	if (!cJSON_IsString(j) || !j->valuestring)
		return where_err(err, w, "\"sha256\" must be a string, got %s",
				 type_name(j));
	s = j->valuestring;
	n = strlen(s);
	if (n != 0 && n != 64)
		return where_err(err, w,
				 "\"sha256\" must be 64 hex digits or empty, "
				 "got %zu characters", n);
	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return where_err(err, w,
					 "\"sha256\" must be 64 hex digits or "
					 "empty, got a non-hex character at %zu",
					 i);
		out[i] = (char)tolower((unsigned char)s[i]);
	}
	out[n] = '\0';
	return 0;
}

static int parse_size(const cJSON *obj, uint64_t *out, const struct where *w,
		      struct common_err *err)
{
	const cJSON *j = member(obj, "size", w, err);
	double d;

	if (!j)
		return -EPROTO;
	if (!cJSON_IsNumber(j))
		return where_err(err, w, "\"size\" must be a number, got %s",
				 type_name(j));
	d = j->valuedouble;
	if (!isfinite(d) || d < 0 || d > RUNGO_INDEX_SIZE_MAX ||
	    (double)(uint64_t)d != d)
		return where_err(err, w,
				 "\"size\" must be a whole number of bytes "
				 "(0 to 2^53), got %g", d);
	*out = (uint64_t)d;
	return 0;
}

static void file_clear(struct rungo_file *f)
{
	free(f->filename);
	free(f->os);
	free(f->arch);
	free(f->kind);
	free(f->version_str);
}

static int parse_file(const cJSON *j, struct rungo_file *f,
		      const struct where *w, struct common_err *err)
{
	int rc;

	if (!cJSON_IsObject(j))
		return where_err(err, w, "must be an object, got %s",
				 type_name(j));
	rc = get_string(j, "filename", true, &f->filename, w, err);
	if (rc)
		return rc;
	/* The cache stores downloads under this name: keep it a plain name. */
	if (strchr(f->filename, '/') || strchr(f->filename, '\\') ||
	    strcmp(f->filename, ".") == 0 || strcmp(f->filename, "..") == 0)
		return where_err(err, w,
				 "\"filename\" must be a plain file name, "
				 "got \"%.200s\"", f->filename);
	rc = get_string(j, "os", false, &f->os, w, err);
	if (!rc)
		rc = get_string(j, "arch", false, &f->arch, w, err);
	if (!rc)
		rc = get_version(j, &f->version_str, &f->version, w, err);
	if (!rc)
		rc = parse_sha256(j, f->sha256, w, err);
	if (!rc)
		rc = parse_size(j, &f->size, w, err);
	if (!rc)
		rc = get_string(j, "kind", true, &f->kind, w, err);
	return rc;
}

static void release_clear(struct rungo_release *r)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++)
		file_clear(&r->files[i]);
	free(r->files);
	free(r->version_str);
}

static int parse_release(const cJSON *j, struct rungo_release *r,
			 struct where *w, struct common_err *err)
{
	const cJSON *stable, *files, *f;
	int rc, n;

	if (!cJSON_IsObject(j))
		return where_err(err, w, "must be an object, got %s",
				 type_name(j));
	rc = get_version(j, &r->version_str, &r->version, w, err);
	if (rc)
		return rc;
	w->release_version = r->version_str;
	stable = member(j, "stable", w, err);
	if (!stable)
		return -EPROTO;
	if (!cJSON_IsBool(stable))
		return where_err(err, w, "\"stable\" must be a boolean, got %s",
				 type_name(stable));
	r->stable = cJSON_IsTrue(stable);
	files = member(j, "files", w, err);
	if (!files)
		return -EPROTO;
	if (!cJSON_IsArray(files))
		return where_err(err, w, "\"files\" must be an array, got %s",
				 type_name(files));
	n = cJSON_GetArraySize(files);
	if (n > 0) {
		r->files = calloc((size_t)n, sizeof(*r->files));
		if (!r->files)
			return common_err_set(err, -ENOMEM,
					      "index: out of memory");
	}
	w->in_file = true;
	cJSON_ArrayForEach(f, files) {
		if (r->nfiles >= (size_t)n)
			break;
		w->file = r->nfiles;
		/* Count the file first so release_clear frees partial ones. */
		rc = parse_file(f, &r->files[r->nfiles++], w, err);
		if (rc)
			return rc;
	}
	w->in_file = false;
	return 0;
}

void rungo_index_free(struct rungo_index *idx)
{
	size_t i;

	if (!idx)
		return;
	for (i = 0; i < idx->nreleases; i++)
		release_clear(&idx->releases[i]);
	free(idx->releases);
	free(idx);
}

static bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Is s[0..n) the beginning of a JSON literal or number? */
static bool partial_literal(const char *s, size_t n)
{
	static const char *const words[] = { "true", "false", "null" };
	size_t i;

	for (i = 0; i < 3; i++)
		if (n <= strlen(words[i]) && strncmp(s, words[i], n) == 0)
			return true;
	for (i = 0; i < n; i++)
		if (!strchr("0123456789+-.eE", s[i]))
			return false;
	return true;
}

/*
 * After a parse error at `err_off`: was the text cut short rather than
 * malformed?  It is when it ends inside an unclosed string, array or object
 * and the parser stumbled only on the last (possibly partial) token.
 */
static bool json_truncated(const char *s, size_t len, size_t err_off)
{
	bool in_string = false;
	size_t depth = 0, string_start = 0, tail, i;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
			string_start = i;
		} else if (c == '[' || c == '{') {
			depth++;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	if (!in_string && depth == 0)
		return false;
	if (in_string)
		return err_off >= string_start;
	/* A trailing partial literal or number ("tru", "12"). */
	for (tail = len; tail > 0 && s[tail - 1] &&
	     strchr("truefalsnl0123456789+-.E", s[tail - 1]);
	     tail--)
		;
	if (tail < len && !partial_literal(s + tail, len - tail))
		return false;
	if (err_off >= tail)
		return true;
	/* cJSON reports an error at the very end as being at the last byte
	 * (clamped), so a last byte that may be valid JSON counts as the end. */
	if (err_off + 1 == len && s[err_off] &&
	    strchr("\",:[]{}", s[err_off]))
		return true;
	/* cJSON may blame the whitespace before the end, or an opening
	 * bracket with nothing after it. */
	i = err_off;
	if (s[i] == '[' || s[i] == '{')
		i++;
	while (i < tail && is_json_space(s[i]))
		i++;
	return i == tail;
}

static int syntax_error(const char *json, size_t len, const char *at,
			struct common_err *err)
{
	size_t off = at && at >= json && at <= json + len ?
			     (size_t)(at - json) : len;
	size_t line = 1, col = 1, i;

	if (json_truncated(json, len, off))
		return common_err_set(err, -EPROTO,
				      "index: JSON document is truncated (it "
				      "ends after %zu bytes inside an unclosed "
				      "string, array or object)", len);
	for (i = 0; i < off; i++) {
		if (json[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return common_err_set(err, -EPROTO,
			      "index: malformed JSON at line %zu column %zu "
			      "(byte %zu)", line, col, off);
}

int rungo_index_parse(const char *json, size_t len, struct rungo_index **out,
		      struct common_err *err)
{
	struct rungo_index *idx = NULL;
	struct where w = { 0, NULL, 0, false };
	const char *end = NULL;
	const cJSON *r;
	cJSON *doc = NULL;
	size_t i;
	int rc = 0, n;

	if (!json && len)
		return common_err_set(err, -EINVAL, "index: no document");
	for (i = 0; i < len && is_json_space(json[i]); i++)
		;
	if (i == len)
		return common_err_set(err, -EPROTO,
				      "index: empty document (expected a JSON "
				      "array of releases)");
	{
		char why[160], ex[128];
		size_t off = 0, line, col;

		if (rungo_json_scan(json, len, &off, why, sizeof(why)) != 0) {
			rungo_json_line_col(json, len, off, &line, &col);
			rungo_json_excerpt(json, len, off, ex, sizeof(ex));
			rc = common_err_set(err, -EPROTO,
					    "index: %s at line %zu column %zu (byte %zu), near \"%s\"",
					    why, line, col, off, ex);
			goto out;
		}
	}
	doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!doc) {
		rc = syntax_error(json, len, end, err);
		goto out;
	}
	{
		char why[400];

		rc = rungo_json_duplicate_key(doc, why, sizeof(why));
		if (rc) {
			rc = common_err_set(err, -EPROTO, "index: %s", why);
			goto out;
		}
	}
	for (i = (size_t)(end - json); i < len && is_json_space(json[i]); i++)
		;
	if (i < len) {
		rc = common_err_set(err, -EPROTO,
				    "index: unexpected data after the JSON "
				    "document at byte %zu", i);
		goto out;
	}
	if (!cJSON_IsArray(doc)) {
		rc = common_err_set(err, -EPROTO,
				    "index: the document must be an array of "
				    "releases, got %s", type_name(doc));
		goto out;
	}
	idx = calloc(1, sizeof(*idx));
	if (!idx) {
		rc = common_err_set(err, -ENOMEM, "index: out of memory");
		goto out;
	}
	n = cJSON_GetArraySize(doc);
	if (n > 0) {
		idx->releases = calloc((size_t)n, sizeof(*idx->releases));
		if (!idx->releases) {
			rc = common_err_set(err, -ENOMEM,
					    "index: out of memory");
			goto out;
		}
	}
	cJSON_ArrayForEach(r, doc) {
		if (idx->nreleases >= (size_t)n)
			break;
		w.release = idx->nreleases;
		w.release_version = NULL;
		w.in_file = false;
		rc = parse_release(r, &idx->releases[idx->nreleases++], &w,
				   err);
		if (rc)
			goto out;
		/* A second entry would be shadowed by the first. */
		for (i = 0; i + 1 < idx->nreleases; i++)
			if (rungo_version_cmp(&idx->releases[i].version,
					      &idx->releases[idx->nreleases - 1]
						       .version) == 0) {
				rc = where_err(err, &w,
					       "the same version as release %zu (%s)",
					       i, idx->releases[i].version_str);
				goto out;
			}
	}
	*out = idx;
	idx = NULL;
out:
	rungo_index_free(idx);
	cJSON_Delete(doc);
	return rc;
}

int rungo_index_fetch(const char *url, const struct rungo_fetch_opts *fopts,
		      struct rungo_index **out, struct common_err *err)
{
	struct rungo_fetch_opts fo;
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!url || !*url)
		return common_err_set(err, -EINVAL, "index: no URL given");
	if (fopts)
		fo = *fopts;
	else
		memset(&fo, 0, sizeof(fo));
	if (fo.total_timeout_s == 0)
		fo.total_timeout_s = RUNGO_INDEX_TIMEOUT_DEFAULT_S;
	rc = rungo_fetch_memory(url, "Go release index", &fo, &text, &len,
				err);
	if (rc == 0)
		rc = rungo_index_parse(text, len, out, err);
	/* Name the URL unless the message does already. */
	if (rc && err && !strstr(err->msg, url))
		common_err_prefix(err, rc, "%s", url);
	free(text);
	return rc;
}

const struct rungo_release *
rungo_index_find_release(const struct rungo_index *idx,
			 const struct rungo_version *v)
{
	size_t i;

	if (!idx || !v)
		return NULL;
	for (i = 0; i < idx->nreleases; i++)
		if (rungo_version_cmp(&idx->releases[i].version, v) == 0)
			return &idx->releases[i];
	return NULL;
}

/* os, arch and kind: NULL matches anything. */
const struct rungo_file *
rungo_index_find_file(const struct rungo_index *idx,
		      const struct rungo_version *v, const char *os,
		      const char *arch, const char *kind)
{
	const struct rungo_release *r = rungo_index_find_release(idx, v);
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < r->nfiles; i++) {
		const struct rungo_file *f = &r->files[i];

		if ((!os || strcmp(f->os, os) == 0) &&
		    (!arch || strcmp(f->arch, arch) == 0) &&
		    (!kind || strcmp(f->kind, kind) == 0))
			return f;
	}
	return NULL;
}
