/* SPDX-License-Identifier: MIT */
/*
 * lutgen_gobin.h - read a Go ELF binary at run time: its Go version,
 * GOARCH, build settings, modules (replacements applied), function
 * addresses and file offsets for uprobes, and what lutgen's tables answer
 * for it.
 *
 * Generated from templates/lutgen_gobin.h.tmpl by lutgen; do not edit.
 * Self-contained: C99 or C++11, the C standard library and POSIX (open,
 * fstat, pread, mmap), plus lutgen_go.{h,c}.  No global state.
 *
 * Vendoring: copy lutgen_gobin.{h,c}, lutgen_go.{h,c} and the tables you
 * need (e.g. goid.{h,c}) into your tree.
 *
 *   struct lutgen_gobin *bin;
 *   struct lutgen_gobin_err err;
 *   const struct lutgen_gobin_info *info;
 *   struct lutgen_gobin_func fn;
 *   char ver[64];
 *   uint64_t goid_off;
 *
 *   if (lutgen_gobin_open_pid(pid, NULL, &bin, &err) < 0)
 *           fail(err.msg);             // "no such process", "permission denied"
 *   info = lutgen_gobin_info(bin);
 *   printf("%s %s\n", info->go_version, info->goarch);  // go1.22.3 amd64
 *   if (lutgen_gobin_module_version(bin, "google.golang.org/grpc", ver,
 *                                   sizeof(ver)) == 0)
 *           printf("grpc %s\n", ver);
 *   if (lutgen_gobin_lookup(bin, &lutgen_go_table_goid, "goid_offset",
 *                           &goid_off) >= 0)
 *           printf("goid at %llu\n", (unsigned long long)goid_off);
 *   if (lutgen_gobin_func_find(bin, "runtime.casgstatus", &fn) == 0)
 *           attach_uprobe(path, fn.offset);
 *   lutgen_gobin_free(bin);
 *
 * What is read, and from where:
 *  - The ELF headers (both classes, both byte orders); files whose section
 *    headers were removed are read through their program headers.
 *  - The build information `go version -m` shows: the .go.buildinfo
 *    section, else the "\xff Go buildinf:" header in a writable segment,
 *    else the runtime.buildVersion symbol; the go1.18+ inline layout and the
 *    older pointer layout (relocations of PIE honoured).
 *  - Functions: .symtab (and .dynsym) when present, else the Go pc-line
 *    table (go1.2, go1.16, go1.18, go1.20 and go1.26+ layouts), which
 *    survives `-ldflags=-s -w` and `strip`.
 *
 * Cost: nothing but the headers and the build information is read at open;
 * symbol tables and the pc-line table are mapped (mmap, read-only) and
 * only the pages a query touches are read.  A 2 GB binary costs what is
 * touched, not 2 GB.  Non-regular files (FIFOs, devices) are refused after
 * fstat(2) without blocking; a non-ELF is refused after its first bytes.
 * Caveat of mapping: if another process truncates the file while the
 * handle is open, touching a vanished page raises SIGBUS (as with any
 * mmap-based reader).  Pass LUTGEN_GOBIN_NO_MMAP to read with pread(2)
 * into memory instead (bounded by LUTGEN_GOBIN_MAX_READ per table).
 * /proc/PID/exe of a running process cannot be truncated.
 *
 * Threads: an open handle is immutable; any number of threads may query
 * one handle at the same time.  Different handles are independent.
 *
 * Errors: functions return 0 (or a documented positive code) on success
 * and a negative errno on failure; those taking a struct lutgen_gobin_err
 * (may be NULL) fill it with one line naming the file and what is wrong:
 * "open /x: no such file or directory", "/x: not an ELF file",
 * "/x: not a regular file (a FIFO)", "/x: permission denied".
 */
#ifndef LUTGEN_GOBIN_H
#define LUTGEN_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lutgen_go.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits (a hostile file costs at most these) ---- */

#define LUTGEN_GOBIN_MAX_PHDRS 4096u       /* program headers */
#define LUTGEN_GOBIN_MAX_SHDRS 65536u      /* section headers */
#define LUTGEN_GOBIN_MAX_MODINFO (4u << 20) /* module information bytes */
#define LUTGEN_GOBIN_MAX_VERSION 256u      /* Go version string bytes */
#define LUTGEN_GOBIN_MAX_MODULES 65536u    /* dependencies kept */
#define LUTGEN_GOBIN_MAX_SETTINGS 4096u    /* build settings kept */
#define LUTGEN_GOBIN_MAX_NEEDED 64u        /* DT_NEEDED entries kept */
/* One table read into memory (LUTGEN_GOBIN_NO_MMAP, or when mmap fails). */
#define LUTGEN_GOBIN_MAX_READ ((uint64_t)1 << 30)

/* ---- opening ---- */

struct lutgen_gobin;

#define LUTGEN_GOBIN_ERR_SIZE 256

struct lutgen_gobin_err {
	int code;                        /* the negative errno returned */
	char msg[LUTGEN_GOBIN_ERR_SIZE]; /* one line, no trailing newline */
};

/* Options (zero-initialise; NULL means all defaults). */
#define LUTGEN_GOBIN_NO_MMAP 0x1u     /* pread into memory, never mmap */
#define LUTGEN_GOBIN_NO_SYMBOLS 0x2u  /* skip symbol tables and pclntab */
#define LUTGEN_GOBIN_REQUIRE_GO 0x4u  /* fail unless Go build info is found */

struct lutgen_gobin_opts {
	unsigned flags;  /* LUTGEN_GOBIN_* above */
};

/* Open the ELF file at `path`.  *out is owned by the caller
 * (lutgen_gobin_free).  Errors: -ENOENT, -EACCES, ... as open(2) says;
 * -EINVAL not a regular file; -ENOEXEC not an ELF file or a corrupt one;
 * with LUTGEN_GOBIN_REQUIRE_GO, -ENODATA no Go build information and
 * -ENOTSUP built by gccgo. */
int lutgen_gobin_open(const char *path, const struct lutgen_gobin_opts *opts,
		      struct lutgen_gobin **out, struct lutgen_gobin_err *err);
/* The same from an open file descriptor (duplicated: the caller keeps and
 * closes `fd`).  `name` (may be NULL) names the file in messages. */
int lutgen_gobin_open_fd(int fd, const char *name,
			 const struct lutgen_gobin_opts *opts,
			 struct lutgen_gobin **out, struct lutgen_gobin_err *err);
/* The same from the caller's bytes [data, data+size), which must stay
 * valid and unchanged until lutgen_gobin_free (nothing is copied). */
int lutgen_gobin_open_mem(const void *data, size_t size, const char *name,
			  const struct lutgen_gobin_opts *opts,
			  struct lutgen_gobin **out, struct lutgen_gobin_err *err);
/* The executable of a running process (/proc/PID/exe; reading another
 * user's process needs ptrace access).  -ESRCH: no such process. */
int lutgen_gobin_open_pid(int pid, const struct lutgen_gobin_opts *opts,
			  struct lutgen_gobin **out, struct lutgen_gobin_err *err);
/* Accepts NULL. */
void lutgen_gobin_free(struct lutgen_gobin *bin);

/* ---- what the binary is ---- */

struct lutgen_gobin_setting {
	const char *key;    /* "-buildmode", "CGO_ENABLED", "vcs.revision" */
	const char *value;  /* unquoted */
};

struct lutgen_gobin_module {
	const char *path;     /* "google.golang.org/grpc", "../grpc" */
	/* "v1.62.0"; "(devel)" for the main module built from a work tree
	 * and (go1.18+) for a local directory, "" for one before go1.18. */
	const char *version;
	const char *sum;      /* "h1:..."; "" when none */
	/* What the module was replaced with (`=> path version` or
	 * `=> ./local`), NULL when not replaced. */
	const struct lutgen_gobin_module *replace;
	/* This is a replacement by a local directory: path is a file path
	 * ("./x", "../x", "/x"), there is no version. */
	bool local;
};

enum lutgen_gobin_kind {
	LUTGEN_GOBIN_EXECUTABLE = 0,  /* ET_EXEC */
	LUTGEN_GOBIN_PIE = 1,         /* ET_DYN executable */
	LUTGEN_GOBIN_SHARED = 2,      /* ET_DYN library (c-shared) */
	LUTGEN_GOBIN_OTHER = 3        /* relocatable object, core, ... */
};

enum lutgen_gobin_bisource {
	LUTGEN_GOBIN_BI_NONE = 0,     /* no Go build information */
	LUTGEN_GOBIN_BI_SECTION = 1,  /* the .go.buildinfo section */
	LUTGEN_GOBIN_BI_SEGMENT = 2,  /* its header found in a data segment */
	LUTGEN_GOBIN_BI_SYMBOL = 3    /* the runtime.buildVersion symbol */
};

/* Everything known about the binary.  Strings are borrowed: they live as
 * long as the handle.  Strings come from the file as they are (the
 * build settings unquoted): they may hold any byte but NUL, so escape them
 * before printing.  Tri-state ints: 1 yes, 0 no, -1 unknown. */
struct lutgen_gobin_info {
	const char *name;            /* the path, or the name given */
	uint64_t file_size;
	/* Bytes the ELF headers describe; more than file_size: truncated. */
	uint64_t described_size;
	bool truncated;

	/* ELF */
	const char *goarch;          /* "amd64"; NULL: no Go port for it */
	unsigned ptr_size;           /* 4 or 8 */
	bool big_endian;
	uint16_t elf_type;           /* ET_* */
	uint16_t elf_machine;        /* EM_* */
	enum lutgen_gobin_kind kind;
	bool pie;
	bool is_static;              /* no PT_INTERP and no DT_NEEDED */
	const char *interp;          /* PT_INTERP, "" when none */
	size_t nneeded;              /* DT_NEEDED entries (all counted) */
	const char *const *needed;   /* the first LUTGEN_GOBIN_MAX_NEEDED */
	bool has_sections;           /* section headers present */
	bool has_symtab;             /* .symtab with symbols */
	bool has_dwarf;              /* .debug_info or .zdebug_info */

	/* Go build information (`go version -m`) */
	enum lutgen_gobin_bisource buildinfo_source;
	bool buildinfo_inline;       /* go1.18+ layout */
	/* Exactly as the toolchain wrote it: "go1.20.7 X:boringcrypto",
	 * "devel go1.23-4f0b2e3 ...".  NULL: not a gc-built Go binary. */
	const char *go_version_raw;
	/* Its version word: "go1.20.7" (what tables take); NULL likewise. */
	const char *go_version;
	/* go_version parsed (false for devel and unknown spellings). */
	bool version_ok;
	struct lutgen_go_version version;
	/* Experiments of " X:a,b" suffixes: "boringcrypto". */
	size_t nexperiments;
	const char *const *experiments;
	/* Module information, framing removed; "" when absent. */
	const char *modinfo;
	bool modinfo_truncated;      /* more modules/settings than kept */
	const char *path;            /* main package, "cmd/go"; NULL */
	const struct lutgen_gobin_module *main_module;  /* NULL: none */
	size_t ndeps;
	const struct lutgen_gobin_module *deps;  /* in the binary's order */
	size_t nsettings;
	const struct lutgen_gobin_setting *settings;  /* in order */

	/* Derived: the -buildmode setting, else from the ELF type ("exe",
	 * "pie", "c-shared"; buildmode_derived then true). */
	const char *buildmode;
	bool buildmode_derived;
	int cgo;                     /* CGO_ENABLED, else symbols */
	int race;                    /* -race, else __tsan symbols */
	int trimpath;                /* -trimpath */
	/* The GOARCH level setting: GOAMD64=v3, GOARM64=v8.0, GOARM=7,
	 * GO386, GOMIPS, GOMIPS64, GOPPC64, GORISCV64; NULL when absent. */
	const char *goarch_level_key;
	const char *goarch_level;
	/* Built by gccgo (not readable here): gccgo_why names the evidence. */
	bool gccgo;
	const char *gccgo_why;

	/* Functions */
	int pclntab_layout;          /* 0 none, 12, 116, 118 or 120 */
	uint64_t pclntab_addr;
	const char *pclntab_found_by; /* "section", "symbol", "scan", NULL */
	uint64_t text_start;         /* go1.18+: base of function offsets */
	const char *text_start_source; /* "runtime.text symbol", ... */
	size_t nfuncs;               /* pclntab functions */
};

/* Borrowed; lives as the handle. */
const struct lutgen_gobin_info *lutgen_gobin_info(const struct lutgen_gobin *bin);

/* ---- modules ---- */

#define LUTGEN_GOBIN_LOCAL 1   /* replaced by a local directory */
#define LUTGEN_GOBIN_DEVEL 2   /* version "(devel)": built from a work tree */
#define LUTGEN_GOBIN_FORK 3    /* replaced by another module path's version */

/* The main module or dependency `path` (exact), NULL when absent. */
const struct lutgen_gobin_module *
lutgen_gobin_module_find(const struct lutgen_gobin *bin, const char *path);

/* The version the code of module `path` actually came from, into buf:
 * the replacement's version when it was replaced by another module
 * version, else its own.  Returns 0; LUTGEN_GOBIN_LOCAL when it was
 * replaced by a local directory (buf = "": there is no version, do not
 * trust a table keyed by one); LUTGEN_GOBIN_FORK when another module
 * path replaced it (`=> github.com/fork/x v1.2.3`: buf = that version,
 * which need not follow the original's numbering); LUTGEN_GOBIN_DEVEL
 * when there is no
 * version either ("(devel)": the main module built from a work tree;
 * buf = "(devel)"); -ENOENT when the binary has no such module; -ERANGE
 * when buf is too small (truncated, NUL-terminated); -EINVAL. */
int lutgen_gobin_module_version(const struct lutgen_gobin *bin,
				const char *path, char *buf, size_t size);

/* Value of build setting `key` ("-buildmode"), NULL when absent. */
const char *lutgen_gobin_setting(const struct lutgen_gobin *bin,
				 const char *key);

/* ---- functions (uprobes, stack walking) ---- */

enum lutgen_gobin_symsrc {
	LUTGEN_GOBIN_SYM_SYMTAB = 0,  /* .symtab */
	LUTGEN_GOBIN_SYM_DYNSYM = 1,  /* .dynsym */
	LUTGEN_GOBIN_SYM_PCLNTAB = 2  /* Go pc-line table */
};

#define LUTGEN_GOBIN_NO_OFFSET UINT64_MAX

struct lutgen_gobin_func {
	const char *name;      /* borrowed, lives as the handle */
	uint64_t addr;         /* link-time virtual address of the entry */
	/* Bytes: the symbol's size, or (pclntab) up to the next function,
	 * alignment padding included. */
	uint64_t size;
	/* File offset of addr (through its PT_LOAD): the offset a uprobe is
	 * attached at; LUTGEN_GOBIN_NO_OFFSET when not file-backed. */
	uint64_t offset;
	enum lutgen_gobin_symsrc source;
};

/* A function by exact name ("main.main", "crypto/tls.(*Conn).Write"):
 * .symtab, then .dynsym (where any defined symbol of that name is
 * returned, data too), then the pclntab (where, as `go tool nm` spells
 * them, a "." also matches the U+00B7 separator older Go wrote there;
 * out->name is the table's spelling).  Pclntab names are not unique from
 * go1.17 on: a function and its ABI wrapper share one (nm tells them
 * apart as "x" and "x.abi0"), and so do generic instantiations of one
 * shape ("F[...]"); the lowest address is returned.  0, -ENOENT. */
int lutgen_gobin_func_find(const struct lutgen_gobin *bin, const char *name,
			   struct lutgen_gobin_func *out);
/* The function containing link-time address `addr` (pclntab, else the
 * symbol tables).  For a PIE, subtract the load bias first (see
 * lutgen_gobin_offset_to_vaddr).  0, -ENOENT. */
int lutgen_gobin_func_at(const struct lutgen_gobin *bin, uint64_t addr,
			 struct lutgen_gobin_func *out);
/* The i-th pclntab function, in address order (i < info->nfuncs).
 * 0, -EINVAL, -EBADMSG (corrupt entry). */
int lutgen_gobin_func_get(const struct lutgen_gobin *bin, size_t i,
			  struct lutgen_gobin_func *out);

/* Link-time virtual address <-> file offset through the PT_LOADs.
 * 0, -ENOENT (not file-backed). */
int lutgen_gobin_vaddr_to_offset(const struct lutgen_gobin *bin,
				 uint64_t vaddr, uint64_t *offset);
int lutgen_gobin_offset_to_vaddr(const struct lutgen_gobin *bin,
				 uint64_t offset, uint64_t *vaddr);

/* Copy `size` file-backed bytes at link-time address vaddr (code, data).
 * 0, -ENOENT (not all file-backed), -EIO. */
int lutgen_gobin_read(const struct lutgen_gobin *bin, uint64_t vaddr,
		      void *buf, size_t size);

/* ---- answering lutgen tables for this binary ---- */

/* Besides the LUTGEN_* codes of lutgen_go.h, the lookups return: */
#define LUTGEN_GOBIN_E_NOT_GO (-100)  /* no Go version in the binary */
#define LUTGEN_GOBIN_E_LOOKUP (-101)  /* no lookup of that name and kind */
#define LUTGEN_GOBIN_E_MODULE (-102)  /* the table's module is not in it */
#define LUTGEN_GOBIN_E_LOCAL (-103)   /* module replaced by a local dir */
#define LUTGEN_GOBIN_E_DEVEL (-104)   /* module version "(devel)" */
#define LUTGEN_GOBIN_E_FORK (-105)    /* module replaced by another path */

/* The u64 lookup `name` of table `t` (e.g. &lutgen_go_table_goid,
 * "goid_offset") for this binary: its Go version - or, for a table keyed
 * by a module (t->module), that module's version as
 * lutgen_gobin_module_version gives it (a replacement by another version
 * of the same module applied; a local directory, a fork or "(devel)" is
 * an error), and the Go version - and its GOARCH.  Returns a LUTGEN_*
 * code (>= 0: *out set) or one of the codes above (*out untouched). */
int lutgen_gobin_lookup(const struct lutgen_gobin *bin,
			const struct lutgen_go_table_desc *t, const char *name,
			uint64_t *out);
/* The same for location lookups (func_params, func_results,
 * g_location). */
int lutgen_gobin_lookup_params(const struct lutgen_gobin *bin,
			       const struct lutgen_go_table_desc *t,
			       const char *name,
			       const struct lutgen_go_params **out);
/* The same for const lookups (a signed value). */
int lutgen_gobin_lookup_i64(const struct lutgen_gobin *bin,
			    const struct lutgen_go_table_desc *t,
			    const char *name, int64_t *out);
/* A static description of any code the lookups return. */
const char *lutgen_gobin_strerror(int rc);

#ifdef __cplusplus
}
#endif

#endif /* LUTGEN_GOBIN_H */
