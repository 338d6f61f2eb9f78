/* SPDX-License-Identifier: MIT */
/*
 * lutgen/measure/builder.h - build a spec's test program with one toolchain for one
 * GOARCH, hermetically.
 *
 * A job makes a private directory (under opts.tmp_dir, default $TMPDIR or
 * /tmp) holding:
 *   mod/     go.mod ("module lutgenprobe", "go 1.N" of the toolchain's
 *            minor) and a copy of every regular file of the program dir
 *   home/, gopath/, tmp/   HOME, GOPATH and TMPDIR of the build
 *   probe    the binary (DWARF kept: no -ldflags=-w)
 * and runs, without a shell (posix_spawn), in mod/:
 *   <GOROOT>/bin/go build -trimpath [-buildvcs=false] -o <dir>/probe .
 * with an environment built from nothing (the caller's environment is
 * never passed on):
 *   PATH=<GOROOT>/bin:/usr/bin:/bin GOROOT GOARCH GOOS=linux CGO_ENABLED=0
 *   GO111MODULE=on GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GONOSUMDB=*
 *   GOFLAGS=-mod=mod (go1.14+) GOTELEMETRY=off GOENV=off GOWORK=off
 *   GOCACHE=<opts.gocache> GOPATH HOME TMPDIR (private)
 * so nothing reaches the network or the user's settings.  Flags a
 * toolchain does not know are left out (-trimpath before go1.13,
 * -buildvcs before go1.18, -mod=mod before go1.14).
 *
 * Module builds (a program importing a third-party module) pass the whole
 * go.mod (opts.gomod, requiring the measured module version and replacing
 * what the proxy lacks), the go.sum lines that pin the measured module
 * (opts.gosum), the module proxies (opts.goproxy, e.g.
 * "file://<cache>/modules,http://127.0.0.1:8080,off": no "direct", so
 * nothing but those proxies is reached) and a module cache shared between
 * builds (opts.gomodcache); GOFLAGS then adds -modcacherw so the shared
 * cache stays removable.  The go command checks the module's zip and
 * go.mod against the go.sum lines.
 *
 * Convention: 0 / negative errno, details in `err`.  Functions are
 * thread-safe: any number of jobs may run at once (they share nothing but
 * GOCACHE, which `go` locks itself).
 */
#ifndef LUTGEN_BUILDER_H
#define LUTGEN_BUILDER_H

#include <stdbool.h>
#include <stddef.h>

#include "common/err.h"
#include "lutgen/measure/layer.h"
#include "rungo/version.h"

struct lutgen_build_opts {
	const char *goroot;                   /* toolchain root */
	const struct rungo_version *version;  /* of that toolchain */
	const char *goarch;                   /* "amd64", "arm64", ... */
	const char *program_dir;              /* lutgen/programs/<program> */
	const char *gocache;                  /* GOCACHE (created if absent) */
	const char *tmp_dir;                  /* NULL: $TMPDIR, else /tmp */
	/* Module builds (all NULL otherwise). */
	const char *gomod;       /* the complete go.mod (NULL: the default) */
	const char *gosum;       /* go.sum written beside it (NULL: none) */
	const char *goproxy;     /* GOPROXY (NULL: off) */
	const char *gomodcache;  /* GOMODCACHE (NULL: private, in the job) */
	/* Wall-clock limit of go build; past it the build's process group
	 * (go and its compile/link children) is killed and the build fails
	 * with -ETIMEDOUT.  0: LUTGEN_BUILD_TIMEOUT_DEFAULT_S. */
	double timeout_s;
};

/* Far above a cold build of a test program on a busy 2-core machine. */
#define LUTGEN_BUILD_TIMEOUT_DEFAULT_S 900

struct lutgen_build {
	char goversion[RUNGO_VERSION_STR_MAX];  /* "go1.22.12" */
	char goarch[16];
	char *dir;          /* the job directory (removed by lutgen_build_free) */
	char *binary;       /* <dir>/probe; exists when the build succeeded */
	char *command;      /* shell-quoted: "cd DIR && env -i K=V ... go build ..." */
	char *output;       /* combined stdout + stderr of go build */
	int exit_status;    /* exit code, or 128 + signal number */
	bool timed_out;     /* killed at opts.timeout_s (then -ETIMEDOUT) */
	double wall_s;      /* elapsed time of go build */
	double cpu_s;       /* user + system CPU of go build and its children */
};

/* go.mod written for toolchain `v` into buf ("module lutgenprobe\n\ngo
 * 1.22\n").  Returns 0 or -ENOSPC. */
int lutgen_build_gomod(const struct rungo_version *v, char *buf,
		       size_t size);

/* sha256 (64 hex + NUL) over the program dir's regular files (sorted
 * names and contents) — the files a build copies.  A subdirectory or any
 * other file type is an error (-EINVAL) naming it. */
int lutgen_build_program_hash(const char *program_dir, char out[65],
			      struct common_err *err);

/*
 * Run one build.  On success (exit status 0 and a binary) returns 0 and
 * *out (caller frees with lutgen_build_free, which removes the directory).
 * When `go build` fails, returns -EIO with err naming toolchain and arch
 * (-ETIMEDOUT when it ran past opts.timeout_s and was killed), and still
 * hands back *out so the caller can show lutgen_build_report().
 * Other failures (cannot create the directory, spawn, ...) return their
 * code with *out set to NULL.
 */
int lutgen_build_run(const struct lutgen_build_opts *opts,
		     struct lutgen_build **out, struct common_err *err);

/* Multi-line account of a build for humans: toolchain, arch, exit status,
 * the command line with its complete environment, and the full output.
 * Caller frees with free(); NULL on out-of-memory. */
char *lutgen_build_report(const struct lutgen_build *b);

void lutgen_build_free(struct lutgen_build *b);

#endif
