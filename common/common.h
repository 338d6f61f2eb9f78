/* SPDX-License-Identifier: MIT */
/*
 * common/ - small helpers every library of the tree may use.
 *
 * Owns: errors and the log/progress hook types (err.h), a growable string
 * (sb.h), filesystem helpers: mkdir -p, whole-file read, atomic write,
 * tree removal (fs.h), SHA-256 (sha256.h), machine names to Go
 * architecture names (goarch.h).
 * May use: the C library and OpenSSL's libcrypto, nothing else of the tree.
 * Public names: common_* (functions, types), COMMON_* (macros).
 *
 * This header includes all of them; a file of the tree includes the ones
 * it uses.
 */
#ifndef COMMON_COMMON_H
#define COMMON_COMMON_H

#include "common/err.h"
#include "common/fs.h"
#include "common/goarch.h"
#include "common/sb.h"
#include "common/sha256.h"

#endif
