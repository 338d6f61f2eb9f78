/* SPDX-License-Identifier: MIT */
/*
 * lutgen/binary/ - what `lutgen inspect` adds to the vendorable Go binary
 * reader (generated/lutgen_gobin.{h,c}, which reads ELF, build info and
 * pclntab and stands alone).
 *
 * Owns: the offsets of a function's return instructions (disasm.h).
 * May use: common/, capstone.  Nothing of rungo/ or the rest of lutgen/.
 *
 * Internal to the lutgen library: every header of this folder includes
 * this one, which refuses to compile in a target that does not depend on
 * lutgen_binary_dep (lutgen/binary/meson.build), so a wrong include fails the
 * build.
 */
#ifndef LUTGEN_BINARY_LAYER_H
#define LUTGEN_BINARY_LAYER_H

#ifndef LUTGEN_LAYER_BINARY
#error "lutgen/binary/ included by a target that does not depend on lutgen_binary_dep: a lower stage (or the CLI) may not use it; see lutgen/meson.build"
#endif

#endif
