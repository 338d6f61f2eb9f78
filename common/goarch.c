/* SPDX-License-Identifier: MIT */
/* common/goarch.c - the host's architecture in Go's spelling. */
#include "common/goarch.h"

#include <elf.h>
#include <stddef.h>
#include <string.h>
#include <sys/utsname.h>

const char *common_host_arch(void)
{
	static const struct {
		const char *machine;
		const char *arch;
	} map[] = {
		{ "x86_64", "amd64" },   { "amd64", "amd64" },
		{ "aarch64", "arm64" },  { "arm64", "arm64" },
		{ "i386", "386" },       { "i486", "386" },
		{ "i586", "386" },       { "i686", "386" },
		{ "armv6l", "armv6l" },  { "armv7l", "armv6l" },
		{ "armv8l", "armv6l" },  { "ppc64le", "ppc64le" },
		{ "ppc64", "ppc64" },    { "s390x", "s390x" },
		{ "riscv64", "riscv64" }, { "loongarch64", "loong64" },
		{ "mips64", "mips64" },  { "mips", "mips" },
	};
	struct utsname u;
	size_t i;

	if (uname(&u) != 0)
		return NULL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(u.machine, map[i].machine) == 0)
			return map[i].arch;
	return NULL;
}

/* Not in every <elf.h> yet. */
#define ELF_MACHINE_LOONGARCH 258

const char *common_goarch_from_elf(unsigned machine, bool is64,
				   bool big_endian)
{
	switch (machine) {
	case EM_X86_64:
		return is64 ? "amd64" : NULL;
	case EM_386:
		return is64 ? NULL : "386";
	case EM_AARCH64:
		return is64 ? "arm64" : NULL;
	case EM_ARM:
		return is64 ? NULL : "arm";
	case EM_PPC64:
		return is64 ? (big_endian ? "ppc64" : "ppc64le") : NULL;
	case EM_S390:
		return is64 && big_endian ? "s390x" : NULL;
	case EM_RISCV:
		return is64 ? "riscv64" : NULL;
	case ELF_MACHINE_LOONGARCH:
		return is64 ? "loong64" : NULL;
	case EM_MIPS:
		if (is64)
			return big_endian ? "mips64" : "mips64le";
		return big_endian ? "mips" : "mipsle";
	default:
		return NULL;
	}
}
