/* SPDX-License-Identifier: MIT */
/* common/goarch.h - machine names (uname, ELF) to Go's architecture
 * names. */
#ifndef COMMON_GOARCH_H
#define COMMON_GOARCH_H

#include <stdbool.h>

/* This machine's architecture as go.dev's index spells it ("amd64",
 * "arm64", "armv6l", ...); NULL when unknown. Static string. */
const char *common_host_arch(void);

/* The GOARCH of an ELF file from its header: e_machine, ELFCLASS64 or
 * not, big-endian or not; NULL when Go has no such arch (e.g. 32-bit
 * x86-64).  Static string. */
const char *common_goarch_from_elf(unsigned machine, bool is64,
				   bool big_endian);

#endif
