/* SPDX-License-Identifier: MIT */
/* Go build information (.go.buildinfo) and gccgo detection. */
#include "lutgen/binary/buildinfo.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC "\xff Go buildinf:"
#define MAGIC_LEN 14
#define HEADER_SIZE 32
#define ALIGN 16
#define MAX_MODINFO (16u << 20)

enum { X_PT_LOAD = 1, X_PF_X = 1, X_PF_W = 2 };

static char *xstrndup(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Decode a uvarint from [p, p+avail); 0 bytes consumed on error. */
static size_t uvarint(const uint8_t *p, size_t avail, uint64_t *out)
{
	uint64_t v = 0;
	unsigned shift = 0;
	size_t i;

	for (i = 0; i < avail && i < 10; i++) {
		if (shift == 63 && p[i] > 1)
			return 0; /* overflow */
		v |= (uint64_t)(p[i] & 0x7f) << shift;
		if (!(p[i] & 0x80)) {
			*out = v;
			return i + 1;
		}
		shift += 7;
	}
	return 0;
}

/* Read a Go string header (ptr, len) at vaddr; *s points into the file. */
static int read_gostring(const struct lutgen_elf *e, uint64_t vaddr,
			 const uint8_t **s, size_t *len)
{
	unsigned ps = lutgen_elf_ptrsize(e);
	uint64_t ptr, n;
	const uint8_t *p;
	size_t avail;

	if (lutgen_elf_read_ptr(e, vaddr, &ptr) != 0 ||
	    lutgen_elf_read_ptr(e, vaddr + ps, &n) != 0)
		return -ENOENT;
	if (n == 0 || n > MAX_MODINFO)
		return -ENOENT;
	if (lutgen_elf_vaddr_data(e, ptr, &p, &avail) != 0 || avail < n)
		return -ENOENT;
	*s = p;
	*len = (size_t)n;
	return 0;
}

static int set_version(struct lutgen_buildinfo *bi, const uint8_t *s,
		       size_t len)
{
	size_t i;

	if (len == 0 || len >= sizeof(bi->go_version))
		return -ENOENT;
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return -ENOENT;
	memcpy(bi->go_version, s, len);
	bi->go_version[len] = '\0';
	return 0;
}

static int set_modinfo(struct lutgen_buildinfo *bi, const uint8_t *s,
		       size_t len)
{
	/* Strip the 16-byte sentinels cmd/go wraps module info in. */
	if (len < 33 || s[len - 17] != '\n')
		return 0;
	free(bi->modinfo);
	bi->modinfo = xstrndup((const char *)s + 16, len - 32);
	if (!bi->modinfo)
		return -ENOMEM;
	return lutgen_buildinfo_parse_modinfo(bi, bi->modinfo,
					      strlen(bi->modinfo));
}

/* Decode the blob whose header starts at p (avail bytes to the end of its
 * segment/section). */
static int decode_blob(const struct lutgen_elf *e, const uint8_t *p,
		       size_t avail, uint64_t vaddr,
		       struct lutgen_buildinfo *bi)
{
	uint8_t flags;
	size_t off, k;
	uint64_t len;
	int rc;

	if (avail < HEADER_SIZE)
		return -ENOENT;
	flags = p[15];
	if (flags & 2) {
		/* go1.18+: two uvarint-prefixed strings after the header */
		bi->inline_layout = true;
		off = HEADER_SIZE;
		k = uvarint(p + off, avail - off, &len);
		if (!k || len > avail - off - k)
			return -ENOENT;
		rc = set_version(bi, p + off + k, (size_t)len);
		if (rc)
			return rc;
		off += k + (size_t)len;
		k = uvarint(p + off, avail - off, &len);
		if (!k || len > avail - off - k)
			return 0; /* version is enough */
		return set_modinfo(bi, p + off + k, (size_t)len);
	}
	/* before go1.18: pointers to two Go strings */
	{
		unsigned ps = p[14];
		uint64_t vptr, mptr;
		const uint8_t *s;
		size_t slen;

		if (ps != lutgen_elf_ptrsize(e))
			return -ENOENT;
		/* The header's own words may be relocated (PIE). */
		if (lutgen_elf_read_ptr(e, vaddr + 16, &vptr) != 0)
			vptr = lutgen_elf_uptr(e, p + 16);
		if (lutgen_elf_read_ptr(e, vaddr + 16 + ps, &mptr) != 0)
			mptr = lutgen_elf_uptr(e, p + 16 + ps);
		bi->inline_layout = false;
		if (read_gostring(e, vptr, &s, &slen) != 0)
			return -ENOENT;
		rc = set_version(bi, s, slen);
		if (rc)
			return rc;
		if (read_gostring(e, mptr, &s, &slen) == 0)
			return set_modinfo(bi, s, slen);
		return 0;
	}
}

/* Find the aligned magic in [p, p+size) whose vaddr is `vaddr`. */
static const uint8_t *search_magic(const uint8_t *p, size_t size,
				   uint64_t vaddr)
{
	size_t i = (size_t)((ALIGN - (vaddr % ALIGN)) % ALIGN);

	for (; i + HEADER_SIZE <= size; i += ALIGN)
		if (memcmp(p + i, MAGIC, MAGIC_LEN) == 0)
			return p + i;
	return NULL;
}

static int from_section(const struct lutgen_elf *e,
			struct lutgen_buildinfo *bi)
{
	const struct lutgen_elf_section *s = lutgen_elf_section(e, ".go.buildinfo");
	const uint8_t *d, *m;
	size_t size;

	if (!s || lutgen_elf_section_data(e, s, &d, &size) != 0)
		return -ENOENT;
	m = search_magic(d, size, s->addr);
	if (!m)
		return -ENOENT;
	return decode_blob(e, m, size - (size_t)(m - d),
			   s->addr + (uint64_t)(m - d), bi);
}

static int from_segment(const struct lutgen_elf *e,
			struct lutgen_buildinfo *bi)
{
	const struct lutgen_elf_segment *segs;
	const uint8_t *data, *m;
	size_t n, i, fsize;

	segs = lutgen_elf_segments(e, &n);
	data = lutgen_elf_data(e, &fsize);
	for (i = 0; i < n; i++) {
		const struct lutgen_elf_segment *s = &segs[i];

		if (s->type != X_PT_LOAD || !(s->flags & X_PF_W) ||
		    (s->flags & X_PF_X))
			continue;
		/* Older debug/buildinfo looked at the first such segment only;
		 * PIE puts RELRO data first, so try each in order. */
		m = search_magic(data + s->offset, (size_t)s->filesz, s->vaddr);
		if (!m)
			continue;
		return decode_blob(e, m,
				   (size_t)s->filesz -
					   (size_t)(m - (data + s->offset)),
				   s->vaddr + (uint64_t)(m - (data + s->offset)),
				   bi);
	}
	return -ENOENT;
}

static int from_symbol(const struct lutgen_elf *e,
		       struct lutgen_buildinfo *bi)
{
	struct lutgen_elf_sym sym;
	const uint8_t *s;
	size_t len;

	if (lutgen_elf_symbol(e, "runtime.buildVersion", &sym) != 0 ||
	    read_gostring(e, sym.value, &s, &len) != 0)
		return -ENOENT;
	bi->inline_layout = false;
	return set_version(bi, s, len);
}

int lutgen_buildinfo_read(const struct lutgen_elf *e,
			  struct lutgen_buildinfo **out, struct common_err *err)
{
	struct lutgen_buildinfo *bi;
	int rc;

	bi = calloc(1, sizeof(*bi));
	if (!bi)
		return common_err_set(err, -ENOMEM, "out of memory");
	bi->source = LUTGEN_BUILDINFO_SECTION;
	rc = from_section(e, bi);
	if (rc == -ENOENT && !lutgen_elf_section(e, ".go.buildinfo")) {
		bi->source = LUTGEN_BUILDINFO_SEGMENT_SCAN;
		rc = from_segment(e, bi);
	}
	if (rc == -ENOENT) {
		bi->source = LUTGEN_BUILDINFO_SYMBOL;
		rc = from_symbol(e, bi);
	}
	if (rc) {
		lutgen_buildinfo_free(bi);
		if (rc == -ENOMEM)
			return common_err_set(err, rc, "out of memory");
		return common_err_set(err, -ENOENT,
				      "no Go build information (no .go.buildinfo, no \"\\xff Go buildinf:\" in the data segment, no runtime.buildVersion): not a binary built by the gc Go toolchain");
	}
	*out = bi;
	return 0;
}

static void free_settings(struct lutgen_buildinfo *bi)
{
	size_t i;

	for (i = 0; i < bi->nsettings; i++) {
		free(bi->settings[i].key);
		free(bi->settings[i].value);
	}
	free(bi->settings);
	bi->settings = NULL;
	bi->nsettings = 0;
}

void lutgen_buildinfo_free(struct lutgen_buildinfo *bi)
{
	if (!bi)
		return;
	free_settings(bi);
	free(bi->modinfo);
	free(bi->path);
	free(bi->main_module);
	free(bi->main_version);
	free(bi);
}

/* Undo strconv.Quote for the escapes cmd/go produces; returns a malloc'd
 * string or NULL. */
static char *unquote(const char *s, size_t n)
{
	char *d, *o;
	size_t i;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return xstrndup(s, n);
	d = malloc(n);
	if (!d)
		return NULL;
	o = d;
	for (i = 1; i + 1 < n; i++) {
		if (s[i] == '\\' && i + 2 < n) {
			i++;
			switch (s[i]) {
			case 'n': *o++ = '\n'; break;
			case 't': *o++ = '\t'; break;
			default: *o++ = s[i]; break;
			}
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return d;
}

static int add_setting(struct lutgen_buildinfo *bi, const char *kv, size_t n)
{
	const char *eq = memchr(kv, '=', n);
	struct lutgen_buildinfo_setting *ns;
	char *k, *v;

	if (!eq || eq == kv)
		return 0; /* not key=value: ignore */
	k = xstrndup(kv, (size_t)(eq - kv));
	v = unquote(eq + 1, n - (size_t)(eq - kv) - 1);
	ns = realloc(bi->settings, (bi->nsettings + 1) * sizeof(*ns));
	if (!k || !v || !ns) {
		free(k);
		free(v);
		if (ns)
			bi->settings = ns;
		return -ENOMEM;
	}
	bi->settings = ns;
	ns[bi->nsettings].key = k;
	ns[bi->nsettings].value = v;
	bi->nsettings++;
	return 0;
}

/* Field `idx` (tab-separated) of line [l, l+n) as a new string, or NULL. */
static char *field(const char *l, size_t n, int idx)
{
	const char *end = l + n, *p = l, *q;

	while (idx-- > 0) {
		p = memchr(p, '\t', (size_t)(end - p));
		if (!p)
			return NULL;
		p++;
	}
	q = memchr(p, '\t', (size_t)(end - p));
	if (!q)
		q = end;
	return xstrndup(p, (size_t)(q - p));
}

int lutgen_buildinfo_parse_modinfo(struct lutgen_buildinfo *bi,
				   const char *modinfo, size_t len)
{
	const char *p = modinfo, *end = modinfo + len;

	free_settings(bi);
	free(bi->path);
	free(bi->main_module);
	free(bi->main_version);
	bi->path = bi->main_module = bi->main_version = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 5 && memcmp(p, "path\t", 5) == 0 && !bi->path) {
			bi->path = field(p, n, 1);
			if (!bi->path)
				return -ENOMEM;
		} else if (n > 4 && memcmp(p, "mod\t", 4) == 0 &&
			   !bi->main_module) {
			bi->main_module = field(p, n, 1);
			bi->main_version = field(p, n, 2);
			if (!bi->main_module)
				return -ENOMEM;
		} else if (n > 6 && memcmp(p, "build\t", 6) == 0) {
			if (add_setting(bi, p + 6, n - 6) != 0)
				return -ENOMEM;
		}
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

const char *lutgen_buildinfo_setting(const struct lutgen_buildinfo *bi,
				     const char *key)
{
	size_t i;

	for (i = 0; i < bi->nsettings; i++)
		if (strcmp(bi->settings[i].key, key) == 0)
			return bi->settings[i].value;
	return NULL;
}

const char *lutgen_buildinfo_source_name(enum lutgen_buildinfo_source s)
{
	switch (s) {
	case LUTGEN_BUILDINFO_SECTION: return ".go.buildinfo section";
	case LUTGEN_BUILDINFO_SEGMENT_SCAN: return "data segment scan";
	case LUTGEN_BUILDINFO_SYMBOL: return "runtime.buildVersion symbol";
	}
	return "?";
}

bool lutgen_buildinfo_is_gccgo(const struct lutgen_elf *e, char *why,
			       size_t why_size)
{
	struct lutgen_elf_facts f;
	const char *reason = NULL;
	const uint8_t *d;
	size_t size, i;

	lutgen_elf_facts(e, &f);
	if (lutgen_elf_section(e, ".go_export"))
		reason = "has a .go_export section";
	for (i = 0; !reason && i < f.nneeded && i < 8; i++)
		if (strncmp(f.needed[i], "libgo.so", 8) == 0)
			reason = "links libgo.so";
	if (!reason && lutgen_elf_has_symbol_prefix(e, "__go_"))
		reason = "has __go_ symbols";
	if (!reason) {
		d = lutgen_elf_data(e, &size);
		if (memmem(d, size, " gccgo (", 8))
			reason = "carries a gccgo version string";
	}
	if (reason && why && why_size)
		snprintf(why, why_size, "%s", reason);
	return reason != NULL;
}
