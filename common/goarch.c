/* SPDX-License-Identifier: MIT */
/* common/goarch.c - the host's architecture in Go's spelling. */
#include "common/goarch.h"

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
