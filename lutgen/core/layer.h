/* SPDX-License-Identifier: MIT */
/*
 * lutgen/core/ - what a table is made of.
 *
 * Owns: table specs (spec.h: parse and validate lutgen/specs/NAME.json), the
 * measured value of a lookup (value.h), the measurements of one spec turned
 * into version ranges and notes (table.h).
 * May use: common/, rungo/ (versions, selection policies), cJSON.  Nothing
 * else of lutgen/.
 *
 * Internal to the lutgen library: every header of this folder includes
 * this one, which refuses to compile in a target that does not depend on
 * lutgen_core_dep (lutgen/core/meson.build), so a wrong include fails the
 * build.
 */
#ifndef LUTGEN_CORE_LAYER_H
#define LUTGEN_CORE_LAYER_H

#ifndef LUTGEN_LAYER_CORE
#error "lutgen/core/ included by a target that does not depend on lutgen_core_dep: a lower stage (or the CLI) may not use it; see lutgen/meson.build"
#endif

#endif
