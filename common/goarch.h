/* SPDX-License-Identifier: MIT */
/* common/goarch.h - machine names to Go's architecture names. */
#ifndef COMMON_GOARCH_H
#define COMMON_GOARCH_H

/* This machine's architecture as go.dev's index spells it ("amd64",
 * "arm64", "armv6l", ...); NULL when unknown. Static string. */
const char *common_host_arch(void);

#endif
