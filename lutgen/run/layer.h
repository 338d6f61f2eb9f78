/* SPDX-License-Identifier: MIT */
/*
 * lutgen/run/ - the library's front: a run of generate or merge, the
 * implementation of lutgen/lutgen.h.
 *
 * Owns: run setup and its specs or results files (run.c), measuring
 * through the pipeline (run_generate.c), the one way a run finishes: notes,
 * then emit, check or results file, then the summary (run_finish.c), and
 * the JSON report (run_json.c).
 * May use: every stage below (core, emit, measure, refresh), common/,
 * rungo/, cJSON.
 *
 * Internal to the lutgen library (see lutgen/core/layer.h for how a wrong
 * include fails the build).
 */
#ifndef LUTGEN_RUN_LAYER_H
#define LUTGEN_RUN_LAYER_H

#ifndef LUTGEN_LAYER_RUN
#error "lutgen/run/ included by a target that does not depend on lutgen_run_dep: a lower stage (or the CLI) may not use it; see lutgen/meson.build"
#endif

#endif
