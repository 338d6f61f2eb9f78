/* SPDX-License-Identifier: MIT */
/*
 * rungo/archive.h - safe extraction of toolchain archives with libarchive.
 *
 * Rejected (error naming the entry, extraction aborted): absolute paths,
 * ".." components, symlinks whose target resolves outside the destination,
 * hardlinks to anything outside it, device nodes, FIFOs, sockets.  Modes
 * are the archive's minus setuid/setgid and minus the process's umask
 * (directories keep u+rwx so the cache can remove them).
 *
 * Limits: an archive that expands to more than max_files entries or
 * max_bytes bytes (every entry counts, also those trimming skips) is an
 * archive bomb; extraction stops with an error before writing past the
 * limit.  Any failed or short write (ENOSPC, EIO, EDQUOT) stops it too,
 * with the system's reason ("No space left on device") in the message and
 * the error code as -errno.
 */
#ifndef RUNGO_ARCHIVE_H
#define RUNGO_ARCHIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

/* Defaults of the limits: far above a Go toolchain (about 15,000 files and
 * 500 MB unpacked), far below what fills a disk. */
#define RUNGO_EXTRACT_MAX_FILES_DEFAULT 100000ULL
#define RUNGO_EXTRACT_MAX_BYTES_DEFAULT (4ULL << 30)

struct rungo_extract_opts {
	/* Leading path component to strip ("go/" for go.dev archives); an
	 * entry outside it is an error.  NULL = keep paths. */
	const char *strip_prefix;
	/* Skip what `go build` with CGO_ENABLED=0 never reads: *_test.go,
	 * testdata/, test/, misc/, api/, doc/, and pkg/tool/<os_arch>/ tools
	 * other than compile, asm, link, buildid, pack, cgo. */
	bool trim;
	/* Limits (0 = the defaults above). */
	uint64_t max_files;
	uint64_t max_bytes;
	common_progress_fn progress;
	void *progress_ctx;
};

struct rungo_extract_stats {
	uint64_t files_written;
	uint64_t bytes_written;
	uint64_t files_skipped;   /* by trim */
	uint64_t bytes_skipped;
};

/* Extract `archive_path` (any format libarchive reads: .tar.gz, .zip)
 * into `dest_dir`, which must exist and be empty.  On error dest_dir may
 * hold a partial tree; the caller (rungo_cache) extracts into a temporary
 * directory and renames it into place.  stats may be NULL. */
int rungo_archive_extract(const char *archive_path, const char *dest_dir,
			  const struct rungo_extract_opts *opts,
			  struct rungo_extract_stats *stats,
			  struct common_err *err);

#endif
