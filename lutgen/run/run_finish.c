/* SPDX-License-Identifier: MIT */
/*
 * lutgen/run/run_finish.c - the one way a run ends, for generate and merge
 * alike: per spec the table's notes, then emit the generated files, or
 * compare them with out_dir (check), or - for a shard - write the
 * measurements to a results file; and the summary lines.
 */
#include "lutgen/run/run_internal.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/fs.h"
#include "lutgen/emit/emit.h"

static size_t count_entries(const struct lutgen_table *t)
{
	const struct lutgen_spec *s = lutgen_table_spec(t);
	size_t l, a, n, total = 0;

	for (l = 0; l < s->nlookups; l++)
		for (a = 0; a < s->narches; a++) {
			lutgen_table_entries(t, l, s->arches[a], &n);
			total += n;
		}
	return total;
}

/* The part of a note's message after "lookup/goarch: ", or NULL when
 * the message is not shaped so. */
static const char *note_rest(const struct lutgen_note *n)
{
	size_t ll = strlen(n->lookup), al = strlen(n->goarch);

	if (strncmp(n->message, n->lookup, ll) != 0 || n->message[ll] != '/' ||
	    strncmp(n->message + ll + 1, n->goarch, al) != 0 ||
	    strncmp(n->message + ll + 1 + al, ": ", 2) != 0)
		return NULL;
	return n->message + ll + 1 + al + 2;
}

/* notes[k] said once for every arch it holds for: "lookup/amd64,arm64:
 * rest" (the same lookup and the same words after the arch), into the
 * run's notes; notes merged into an earlier one are marked in `said`. */
static int add_run_note(struct lutgen_run *r, const char *spec,
			const struct lutgen_note *notes, size_t n, size_t k,
			bool *said)
{
	const char *rest = note_rest(&notes[k]);
	char arches[256];
	size_t j, len;

	if (!rest)
		return run_strv_add(&r->notes, "%s: %s", spec, notes[k].message);
	len = (size_t)snprintf(arches, sizeof(arches), "%s", notes[k].goarch);
	for (j = k + 1; j < n; j++) {
		const char *other = note_rest(&notes[j]);

		if (said[j] || !other || strcmp(other, rest) != 0 ||
		    strcmp(notes[j].lookup, notes[k].lookup) != 0 ||
		    len + 1 + strlen(notes[j].goarch) >= sizeof(arches))
			continue;
		len += (size_t)snprintf(arches + len, sizeof(arches) - len,
					",%s", notes[j].goarch);
		said[j] = true;
	}
	return run_strv_add(&r->notes, "%s: %s/%s: %s", spec, notes[k].lookup,
			    arches, rest);
}

static int add_notes(struct lutgen_run *r, struct run_spec *rs,
		     struct common_err *err)
{
	struct lutgen_note *notes = NULL;
	bool *said = NULL;
	size_t n = 0, k;
	int rc;

	rc = lutgen_table_notes(rs->table, &notes, &n, err);
	if (rc == 0 && n && !(said = calloc(n, sizeof(*said))))
		rc = common_err_set(err, -ENOMEM, "out of memory");
	for (k = 0; rc == 0 && k < n; k++)
		if (run_strv_add(&rs->notes, "%s", notes[k].message) ||
		    (!said[k] && add_run_note(r, rs->spec->name, notes, n, k,
					      said)))
			rc = common_err_set(err, -ENOMEM, "out of memory");
	free(said);
	free(notes);
	return rc;
}

static int emit_spec(struct lutgen_run *r, struct run_spec *rs,
		     struct common_err *err)
{
	const char *name = rs->spec->name;
	struct lutgen_emit_opts eo = { 0 };
	size_t nf = r->nfiles;
	int rc;

	rc = common_fs_mkdir_p(r->out_dir, err);
	if (rc)
		return rc;
	eo.changed = &rs->changed;
	if (r->o.keep_provenance) {
		rc = lutgen_drift_keep_provenance(rs->table, r->out_dir,
						  &rs->kept, err);
		if (rc)
			return common_err_prefix(err, rc, "%s", name);
	}
	rc = lutgen_emit(rs->kept ? rs->kept : rs->table, r->out_dir, &eo,
			 err);
	if (rc)
		return common_err_prefix(err, rc, "%s", name);
	rs->emitted = true;
	if (r->merging)
		rc = run_strv_add(&r->lines,
				  "%s: %zu results file%s, %zu measurements -> %s/%s.{c,h,json} (%s)",
				  name, nf, nf == 1 ? "" : "s", rs->entries,
				  r->out_dir, name,
				  rs->changed ? "changed" : "unchanged");
	else if (rs->spec->module)
		rc = run_strv_add(&r->lines,
				  "%s: %zu builds (%zu cached), %zu versions of %s x %zu arches, %s -> %s/%s.{c,h,json}",
				  name, rs->stats.measurements,
				  rs->stats.cached, rs->stats.versions,
				  rs->spec->module->path, rs->stats.arches,
				  rs->stats.keys_go
					  ? "keyed by module and Go version"
					  : "keyed by module version (Go does not matter)",
				  r->out_dir, name);
	else
		rc = run_strv_add(&r->lines,
				  "%s: %zu builds (%zu cached), %zu versions x %zu arches -> %s/%s.{c,h,json}",
				  name, rs->stats.measurements,
				  rs->stats.cached, rs->stats.versions,
				  rs->stats.arches, r->out_dir, name);
	return rc ? common_err_set(err, -ENOMEM, "out of memory") : 0;
}

static int finish_spec(struct lutgen_run *r, struct run_spec *rs,
		       struct common_err *err)
{
	int rc;

	if (!rs->table)
		return 0;   /* failures were recorded, or no job in this shard */
	rs->entries = count_entries(rs->table);
	if (r->o.mode == LUTGEN_RUN_RESULTS)
		return 0;   /* written for every spec at once */
	rc = add_notes(r, rs, err);
	if (rc)
		return rc;
	if (r->o.mode == LUTGEN_RUN_CHECK)
		return lutgen_drift_check(r->drift, rs->table, r->out_dir, err);
	return emit_spec(r, rs, err);
}

/* RESULTS: the measurements of this shard's jobs, every spec. */
static int write_results(struct lutgen_run *r, struct common_err *err)
{
	struct lutgen_results *res = NULL;
	size_t i;
	int rc, k, n;

	lutgen_shard_plan_shard(r->plan, &k, &n);
	rc = lutgen_results_new(k, n, &res, err);
	for (i = 0; rc == 0 && i < r->nspecs; i++)
		rc = lutgen_results_add(res, r->specs[i].spec,
					r->specs[i].table, r->specs[i].versions,
					r->specs[i].nversions, err);
	if (rc == 0)
		rc = lutgen_results_write(res, r->results_out, err);
	if (rc == 0 &&
	    run_strv_add(&r->lines, "shard %d/%d: results of %zu spec%s -> %s",
			 k, n, r->nspecs, r->nspecs == 1 ? "" : "s",
			 r->results_out))
		rc = common_err_set(err, -ENOMEM, "out of memory");
	lutgen_results_free(res);
	return rc;
}

static int drift_lines(struct lutgen_run *r, struct common_err *err)
{
	const char *const *lines;
	size_t n, i;

	lines = lutgen_drift_lines(r->drift, &n);
	for (i = 0; i < n; i++)
		if (run_strv_add(&r->lines, "%s", lines[i]))
			return common_err_set(err, -ENOMEM, "out of memory");
	return 0;
}

int run_finish(struct lutgen_run *r, struct common_err *err)
{
	size_t i;
	int rc;

	for (i = 0; i < r->nspecs; i++) {
		rc = finish_spec(r, &r->specs[i], err);
		if (rc)
			return rc;
	}
	if (r->o.mode == LUTGEN_RUN_CHECK)
		return drift_lines(r, err);
	/* A shard's file must hold every job it owns: only a complete run
	 * writes it. */
	if (r->o.mode == LUTGEN_RUN_RESULTS && !r->failures.n && !r->skipped)
		return write_results(r, err);
	return 0;
}
