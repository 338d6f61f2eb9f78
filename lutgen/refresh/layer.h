/* SPDX-License-Identifier: MIT */
/*
 * lutgen/refresh/ - keeping committed tables fresh in CI.
 *
 * Owns: results files of (sharded) runs and their merge (results.h), the
 * split of a run over N jobs (shard.h), what regenerating would change
 * (drift.h).
 * May use: common/, rungo/, lutgen/core/, lutgen/emit/, cJSON.  Not
 * lutgen/measure/: a merge needs no builder.
 *
 * Internal to the lutgen library: every header of this folder includes
 * this one, which refuses to compile in a target that does not depend on
 * lutgen_refresh_dep (lutgen/refresh/meson.build), so a wrong include fails the
 * build.
 */
#ifndef LUTGEN_REFRESH_LAYER_H
#define LUTGEN_REFRESH_LAYER_H

#ifndef LUTGEN_LAYER_REFRESH
#error "lutgen/refresh/ included by a target that does not depend on lutgen_refresh_dep: a lower stage (or the CLI) may not use it; see lutgen/meson.build"
#endif

#endif
