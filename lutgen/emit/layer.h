/* SPDX-License-Identifier: MIT */
/*
 * lutgen/emit/ - from a table to files.
 *
 * Owns: the mustache-like template renderer and the templates embedded from
 * templates/ (render.h), the emitter of generated/<name>.{c,h,json} and
 * lutgen_go.{c,h} (emit.h).
 * May use: common/, rungo/ (versions), lutgen/core/.
 *
 * Internal to the lutgen library: every header of this folder includes
 * this one, which refuses to compile in a target that does not depend on
 * lutgen_emit_dep (lutgen/emit/meson.build), so a wrong include fails the
 * build.
 */
#ifndef LUTGEN_EMIT_LAYER_H
#define LUTGEN_EMIT_LAYER_H

#ifndef LUTGEN_LAYER_EMIT
#error "lutgen/emit/ included by a target that does not depend on lutgen_emit_dep: a lower stage (or the CLI) may not use it; see lutgen/meson.build"
#endif

#endif
