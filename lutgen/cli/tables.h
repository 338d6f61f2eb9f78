/* SPDX-License-Identifier: MIT */
/*
 * lutgen/cli/tables.h - the generated tables compiled into the lutgen
 * executable (generated/<name>.{c,h}), for `lutgen inspect`.
 *
 * A table is compiled in when its generated/<name>.c exists at configure
 * time (lutgen/meson.build adds it to generated_table_sources) and its
 * header is found by tables.c; with none, the registry is empty.
 */
#ifndef LUTGEN_TABLES_H
#define LUTGEN_TABLES_H

#include <stddef.h>

#include "generated/lutgen_gobin.h"

/* Number of compiled-in tables, and the i-th (static, borrowed). */
size_t lutgen_tables_count(void);
const struct lutgen_go_table_desc *lutgen_tables_get(size_t i);

/* Name of a generated-code or lutgen_gobin_lookup return code: "ok",
 * "uncertain", "extrapolated", "LUTGEN_E_TOO_OLD",
 * "LUTGEN_GOBIN_E_LOCAL", ... (static). */
const char *lutgen_tables_status_name(int rc);

#endif
