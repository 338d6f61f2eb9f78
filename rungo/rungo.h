/* SPDX-License-Identifier: MIT */
/*
 * rungo/ - Go toolchains on demand.
 *
 * Owns: release versions (version.h), the go.dev download index
 * (index.h), choosing versions from it (select.h), downloads with retries,
 * resume and verification (fetch.h), safe extraction (archive.h, internal
 * to rungo), the shared toolchain cache (cache.h).
 * May use: common/, libcurl, cJSON, libarchive, pthreads.  Nothing of
 * lutgen/.
 *
 * This is rungo's public header: it includes every public part.
 * Convention: 0 / negative errno, one-line details in a struct common_err
 * (common/err.h).
 */
#ifndef RUNGO_RUNGO_H
#define RUNGO_RUNGO_H

#include "common/err.h"
#include "rungo/cache.h"
#include "rungo/fetch.h"
#include "rungo/index.h"
#include "rungo/select.h"
#include "rungo/version.h"

#endif
