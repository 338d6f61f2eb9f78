/* SPDX-License-Identifier: MIT */
/*
 * rungo/ - Go toolchains on demand.
 *
 * Owns: release versions (version.h), the go.dev download index
 * (index.h), choosing versions from it (select.h), downloads with retries,
 * resume and verification (fetch.h), safe extraction (archive.h, internal
 * to rungo), the shared toolchain cache (cache.h); for Go modules: module
 * versions (modversion.h), the module proxy client (goproxy.h), h1:
 * directory hashes (dirhash.h), go.sum records (gosum.h) and the module
 * cache (modcache.h).
 * to rungo), the shared toolchain cache (cache.h), strict checks around
 * cJSON for documents from outside (json.h, also used by lutgen's specs).
 * May use: common/, libcurl, cJSON, libarchive, pthreads.  Nothing of
 * lutgen/.
 *
 * This is rungo's public header: it includes every public part (and
 * common/goarch.h: the host's architecture is part of choosing a
 * toolchain).
 * Convention: 0 / negative errno, one-line details in a struct common_err
 * (common/err.h).
 */
#ifndef RUNGO_RUNGO_H
#define RUNGO_RUNGO_H

#include "common/err.h"
#include "common/goarch.h"
#include "rungo/cache.h"
#include "rungo/dirhash.h"
#include "rungo/fetch.h"
#include "rungo/goproxy.h"
#include "rungo/gosum.h"
#include "rungo/index.h"
#include "rungo/modcache.h"
#include "rungo/modversion.h"
#include "rungo/json.h"
#include "rungo/select.h"
#include "rungo/version.h"

#endif
