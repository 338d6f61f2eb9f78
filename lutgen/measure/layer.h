/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/ - from a spec to measurements.
 *
 * Owns: the hermetic builder of a spec's test program (builder.h), the
 * DWARF inspector (dwarf.h), the generate pipeline with its installer and
 * worker threads and its result cache (generate.h).
 * May use: common/, rungo/ (toolchains), lutgen/core/, libelf, libdw,
 * cJSON, pthreads.
 *
 * Internal to the lutgen library: every header of this folder includes
 * this one, which refuses to compile in a target that does not depend on
 * lutgen_measure_dep (lutgen/measure/meson.build), so a wrong include fails the
 * build.
 */
#ifndef LUTGEN_MEASURE_LAYER_H
#define LUTGEN_MEASURE_LAYER_H

#ifndef LUTGEN_LAYER_MEASURE
#error "lutgen/measure/ included by a target that does not depend on lutgen_measure_dep: a lower stage (or the CLI) may not use it; see lutgen/meson.build"
#endif

#endif
