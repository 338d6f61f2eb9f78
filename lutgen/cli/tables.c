/* SPDX-License-Identifier: MIT */
/*
 * Registry of the generated tables compiled into lutgen.
 *
 * To add a table NAME: list it in `lutgen_table_names` in
 * lutgen/meson.build and in TABLES below.  A table whose generated files
 * do not exist yet is skipped on both sides (meson: fs.exists, here:
 * __has_include), so a fresh tree builds with no tables.
 */
#include "lutgen/cli/tables.h"

#if defined(__has_include)
#if defined(LUTGEN_TABLE_GOID) && __has_include("generated/goid.h")
#include "generated/goid.h"
#define HAVE_TABLE_GOID 1
#endif
#if defined(LUTGEN_TABLE_GOROUTINE) && __has_include("generated/goroutine.h")
#include "generated/goroutine.h"
#define HAVE_TABLE_GOROUTINE 1
#endif
#if defined(LUTGEN_TABLE_GOTLS) && __has_include("generated/gotls.h")
#include "generated/gotls.h"
#define HAVE_TABLE_GOTLS 1
#endif
#if defined(LUTGEN_TABLE_NETHTTP) && __has_include("generated/nethttp.h")
#include "generated/nethttp.h"
#define HAVE_TABLE_NETHTTP 1
#endif
#if defined(LUTGEN_TABLE_HTTP2STD) && __has_include("generated/http2std.h")
#include "generated/http2std.h"
#define HAVE_TABLE_HTTP2STD 1
#endif
#if defined(LUTGEN_TABLE_SQL) && __has_include("generated/sql.h")
#include "generated/sql.h"
#define HAVE_TABLE_SQL 1
#endif
#endif

static const struct lutgen_go_table_desc *const tables[] = {
#ifdef HAVE_TABLE_GOID
	&lutgen_go_table_goid,
#endif
#ifdef HAVE_TABLE_GOROUTINE
	&lutgen_go_table_goroutine,
#endif
#ifdef HAVE_TABLE_GOTLS
	&lutgen_go_table_gotls,
#endif
#ifdef HAVE_TABLE_NETHTTP
	&lutgen_go_table_nethttp,
#endif
#ifdef HAVE_TABLE_HTTP2STD
	&lutgen_go_table_http2std,
#endif
#ifdef HAVE_TABLE_SQL
	&lutgen_go_table_sql,
#endif
	NULL, /* keeps the array non-empty */
};

size_t lutgen_tables_count(void)
{
	return sizeof(tables) / sizeof(tables[0]) - 1;
}

const struct lutgen_go_table_desc *lutgen_tables_get(size_t i)
{
	return i < lutgen_tables_count() ? tables[i] : NULL;
}

const char *lutgen_tables_status_name(int rc)
{
	switch (rc) {
	case LUTGEN_OK: return "ok";
	case LUTGEN_UNCERTAIN: return "uncertain";
	case LUTGEN_EXTRAPOLATED: return "extrapolated";
	case LUTGEN_E_VERSION: return "LUTGEN_E_VERSION";
	case LUTGEN_E_TOO_OLD: return "LUTGEN_E_TOO_OLD";
	case LUTGEN_E_ARCH: return "LUTGEN_E_ARCH";
	case LUTGEN_E_INVAL: return "LUTGEN_E_INVAL";
	case LUTGEN_ABSENT: return "absent";
	case LUTGEN_GOBIN_E_NOT_GO: return "LUTGEN_GOBIN_E_NOT_GO";
	case LUTGEN_GOBIN_E_LOOKUP: return "LUTGEN_GOBIN_E_LOOKUP";
	case LUTGEN_GOBIN_E_MODULE: return "LUTGEN_GOBIN_E_MODULE";
	case LUTGEN_GOBIN_E_LOCAL: return "LUTGEN_GOBIN_E_LOCAL";
	case LUTGEN_GOBIN_E_DEVEL: return "LUTGEN_GOBIN_E_DEVEL";
	case LUTGEN_GOBIN_E_FORK: return "LUTGEN_GOBIN_E_FORK";
	default: return rc < 0 ? "LUTGEN_E_UNKNOWN" : "unknown";
	}
}
