/* SPDX-License-Identifier: MIT */
/*
 * lutgen/emit/emit.h - render a table into generated/<name>.{c,h,json} plus the
 * shared generated/lutgen_go.{h,c} (the tables' runtime) and
 * generated/lutgen_gobin.{h,c} (the Go binary reader that answers them).
 *
 * Output is deterministic (no timestamps, no machine paths) and written
 * atomically (temporary file in the same directory, then rename), so an
 * interrupted run never leaves a half-written file.  Templates come from
 * templates/ (embedded in the binary at build time).
 *
 * Generated C API (see templates/): for a struct_offset/type_size lookup
 *   int NAME(const char *go_version, const char *goarch, uint64_t *out);
 * returning 0 (measured minor, or unmeasured minor whose measured
 * neighbours agree), LUTGEN_UNCERTAIN (>0, neighbours disagree; older
 * neighbour's value), LUTGEN_EXTRAPOLATED (>0, newer than every measured
 * minor; newest value), or a negative LUTGEN_E_* (*out untouched).
 */
#ifndef LUTGEN_EMIT_H
#define LUTGEN_EMIT_H

#include <stdbool.h>

#include "common/err.h"
#include "lutgen/core/table.h"
#include "lutgen/emit/layer.h"

struct lutgen_emit_opts {
	bool dry_run;      /* render but don't write; see `changed` */
	/* Out: set to true when any file would change / changed. */
	bool *changed;
};

/* Write <out_dir>/<spec name>.{c,h,json}, <out_dir>/lutgen_go.{c,h} and
 * <out_dir>/lutgen_gobin.{c,h}. */
int lutgen_emit(const struct lutgen_table *t, const char *out_dir,
		const struct lutgen_emit_opts *opts, struct common_err *err);

/* Render one file into memory (caller frees *out with free()).
 * `which` is "c", "h", "json" (need t), "go.c", "go.h", "gobin.c" or
 * "gobin.h" (t may be NULL). */
int lutgen_emit_render(const struct lutgen_table *t, const char *which,
		       char **out, struct common_err *err);

#endif
