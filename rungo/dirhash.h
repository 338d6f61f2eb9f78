/* SPDX-License-Identifier: MIT */
/*
 * rungo/dirhash.h - the "h1:" hashes of go.sum lines.
 *
 * h1 (golang.org/x/mod/sumdb/dirhash Hash1): for every file of the module
 * (names sorted bytewise), the line "<sha256 hex of the content>  <name>\n";
 * the hash is "h1:" followed by the standard base64 of the sha256 of those
 * lines.  For a zip the names are the entry names as stored
 * ("golang.org/x/net@v0.7.0/http2/frame.go"); for a go.mod line
 * ("<path> <version>/go.mod h1:...") it is the single file "go.mod".
 *
 * Convention: 0 / negative errno, details in err.
 */
#ifndef RUNGO_DIRHASH_H
#define RUNGO_DIRHASH_H

#include <stddef.h>

#include "common/err.h"

/* "h1:" + 44 base64 characters + NUL. */
#define RUNGO_H1_SIZE 48

/*
 * h1 of a module zip.  When `prefix` ("<path>@<version>/") is not NULL the
 * zip is also checked the way the go command checks a module zip: every
 * entry under the prefix, no duplicate names (also none differing only in
 * case), only files and directories, at most 500 MiB uncompressed.  A bad
 * zip is -EPROTO naming the zip and the entry.
 */
int rungo_dirhash_zip(const char *zip_path, const char *prefix,
		      char out[RUNGO_H1_SIZE], struct common_err *err);

/* h1 of a go.mod's bytes (the "/go.mod" line of go.sum). */
void rungo_dirhash_gomod(const void *data, size_t len,
			 char out[RUNGO_H1_SIZE]);

#endif
