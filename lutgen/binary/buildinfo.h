/* SPDX-License-Identifier: MIT */
/*
 * lutgen/binary/buildinfo.h - the Go version and module/build settings a gc
 * toolchain embeds in every binary (`go version -m`).
 *
 * Sources, in order: the `.go.buildinfo` section; without section
 * headers, a scan of the writable, non-executable PT_LOADs in order for
 * the 16-byte aligned magic "\xff Go buildinf:" (older debug/buildinfo
 * scanned the first one; PIE puts its RELRO segment first); finally the
 * `runtime.buildVersion` symbol.  Both blob layouts are read: before
 * go1.18 the header holds pointers to two Go strings (relocations of
 * PIE/shared objects are honoured); from go1.18 the strings follow the
 * header inline, each prefixed by a uvarint length.
 *
 * Convention: 0 / negative errno, `err` (may be NULL) gets one line.
 * -ENOENT: no Go build information (not a gc-built Go binary).
 */
#ifndef LUTGEN_BUILDINFO_H
#define LUTGEN_BUILDINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/binary/elf.h"
#include "lutgen/binary/layer.h"

enum lutgen_buildinfo_source {
	LUTGEN_BUILDINFO_SECTION = 0,   /* .go.buildinfo */
	LUTGEN_BUILDINFO_SEGMENT_SCAN,  /* magic found in the data segment */
	LUTGEN_BUILDINFO_SYMBOL,        /* runtime.buildVersion */
};

struct lutgen_buildinfo_setting {
	char *key;    /* "-buildmode", "CGO_ENABLED", "vcs.revision" */
	char *value;  /* unquoted */
};

struct lutgen_buildinfo {
	char go_version[64];     /* "go1.22.4" (as embedded, may carry
				    " X:..." experiments) */
	enum lutgen_buildinfo_source source;
	bool inline_layout;      /* go1.18+ layout */
	char *modinfo;           /* framing stripped; NULL when absent */
	char *path;              /* main package path ("path" line) or NULL */
	char *main_module;       /* "mod" line module path, or NULL */
	char *main_version;      /* its version ("(devel)"), or NULL */
	struct lutgen_buildinfo_setting *settings;  /* "build" lines */
	size_t nsettings;
};

/* Read the build information of `e`; *out owned by caller
 * (lutgen_buildinfo_free). */
int lutgen_buildinfo_read(const struct lutgen_elf *e,
			  struct lutgen_buildinfo **out, struct common_err *err);
void lutgen_buildinfo_free(struct lutgen_buildinfo *bi);

/* Parse a modinfo text (framing already stripped) into bi's path,
 * main_module/main_version and settings (replacing them). */
int lutgen_buildinfo_parse_modinfo(struct lutgen_buildinfo *bi,
				   const char *modinfo, size_t len);

/* Value of build setting `key`, or NULL; borrowed from bi. */
const char *lutgen_buildinfo_setting(const struct lutgen_buildinfo *bi,
				     const char *key);

const char *lutgen_buildinfo_source_name(enum lutgen_buildinfo_source s);

/* Heuristic: was `e` built by gccgo (not supported)?  Looks for a
 * .go_export section, a DT_NEEDED libgo.so, __go_ symbols or the
 * "gccgo" version string.  On true, `why` (may be NULL) names the
 * evidence. */
bool lutgen_buildinfo_is_gccgo(const struct lutgen_elf *e, char *why,
			       size_t why_size);

#endif
