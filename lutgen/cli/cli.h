/* SPDX-License-Identifier: MIT */
/*
 * lutgen/cli/ - the `lutgen` command.
 *
 * Owns: main.c (global options, the subcommand table), one file per
 * subcommand (cmd_<name>.c), the tables compiled in for `lutgen inspect`
 * (tables.h), and this header: the shared state and helpers of the
 * command line.
 * May use: lutgen/lutgen.h and rungo/rungo.h only, like any client of
 * the libraries (and the generated tables it compiles in).  `inspect` is
 * the exception until it has a library API: it still reads binaries with
 * lutgen/binary/ and lutgen/measure/dwarf.h (lutgen/cli/meson.build).
 *
 * Every subcommand is one file lutgen/cli/cmd_<name>.c exporting
 *   int lutgen_cmd_<name>(struct lutgen_cli *cli, int argc, char **argv);
 * argv[0] is the subcommand name.  It returns an exit code: LUTGEN_EXIT_OK,
 * LUTGEN_EXIT_FAIL or LUTGEN_EXIT_USAGE.  Data goes to stdout; diagnostics
 * go through lutgen_cli_err/warn/info to stderr.  With --json, stdout
 * carries exactly one JSON document: print it with lutgen_cli_json_out(),
 * and report failures with lutgen_cli_fail(), which adds {"error": ...}.
 */
#ifndef LUTGEN_CLI_H
#define LUTGEN_CLI_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "lutgen/lutgen.h"
#include "rungo/rungo.h"

struct cJSON;

enum {
	LUTGEN_EXIT_OK = 0,
	LUTGEN_EXIT_FAIL = 1,
	LUTGEN_EXIT_USAGE = 2,
	/* --check (generate, merge): the committed tables are out of date;
	 * the summary is on stdout. */
	LUTGEN_EXIT_DRIFT = 3,
};

#define LUTGEN_MAX_GOROOTS 64

/* What long work shows on stderr (lutgen/cli/progress.c). */
enum lutgen_cli_progress_mode {
	LUTGEN_PROGRESS_OFF = 0,    /* --quiet, --json */
	LUTGEN_PROGRESS_BARS,       /* stderr is a terminal and $CI unset */
	LUTGEN_PROGRESS_LINES,      /* else: a line per finished item */
};

struct lutgen_cli_progress {
	enum lutgen_cli_progress_mode mode;
	double interval;            /* LINES: seconds between two lines
				     * ($LUTGEN_PROGRESS_INTERVAL, default 3) */
	double (*clock)(void);      /* seconds; NULL: CLOCK_MONOTONIC (tests) */
	double last_line;           /* LINES: when the last line went out */
	bool any_line;
	char pending[256];          /* LINES: a line held back, "" none */
	int kind;                   /* the download or extraction under way */
	char item[128];
	double item_start;
	bool item_complete;         /* its 100% was shown */
	double last_draw;           /* BARS: last redraw */
	bool line_open;             /* BARS: a bar is drawn without newline */
};

struct lutgen_cli {
	const char *prog;          /* "lutgen" */
	bool json;
	bool quiet;
	int verbose;
	/* Common settings: option > environment > default. */
	const char *cache_dir;     /* --cache / LUTGEN_CACHE */
	const char *index_url;     /* --index-url / LUTGEN_INDEX_URL */
	const char *download_url;  /* --download-url / LUTGEN_DOWNLOAD_URL */
	const char *goproxy;       /* --goproxy / GOPROXY (module proxies) */
	const char *timeout;       /* --timeout / LUTGEN_TIMEOUT (seconds) */
	const char *index_timeout; /* --index-timeout / LUTGEN_INDEX_TIMEOUT */
	bool no_trim;              /* --no-trim */
	const char *goroots[LUTGEN_MAX_GOROOTS];  /* --goroot (repeatable) */
	size_t ngoroots;
	bool json_error_emitted;
	pthread_mutex_t lock;      /* serialises stderr output from threads */
	struct lutgen_cli_progress pg;  /* under lock */
};

/*
 * Options every subcommand accepts (also accepted before the subcommand).
 * Use LUTGEN_CLI_COMMON_LONGOPTS inside a getopt_long option table and pass
 * unknown option values to lutgen_cli_common_option().
 */
enum {
	LUTGEN_OPT_CACHE = 0x1000,
	LUTGEN_OPT_INDEX_URL,
	LUTGEN_OPT_DOWNLOAD_URL,
	LUTGEN_OPT_GOROOT,
	LUTGEN_OPT_NO_TRIM,
	LUTGEN_OPT_JSON,
	LUTGEN_OPT_QUIET,
	LUTGEN_OPT_GOPROXY,
	LUTGEN_OPT_TIMEOUT,
	LUTGEN_OPT_INDEX_TIMEOUT,
	LUTGEN_OPT_FIRST_FREE = 0x1100, /* subcommands number theirs from here */
};

#define LUTGEN_CLI_COMMON_LONGOPTS                                          \
	{ "cache", required_argument, NULL, LUTGEN_OPT_CACHE },             \
	{ "index-url", required_argument, NULL, LUTGEN_OPT_INDEX_URL },     \
	{ "download-url", required_argument, NULL, LUTGEN_OPT_DOWNLOAD_URL }, \
	{ "goroot", required_argument, NULL, LUTGEN_OPT_GOROOT },           \
	{ "no-trim", no_argument, NULL, LUTGEN_OPT_NO_TRIM },               \
	{ "json", no_argument, NULL, LUTGEN_OPT_JSON },                     \
	{ "quiet", no_argument, NULL, LUTGEN_OPT_QUIET },                   \
	{ "goproxy", required_argument, NULL, LUTGEN_OPT_GOPROXY },         \
	{ "timeout", required_argument, NULL, LUTGEN_OPT_TIMEOUT },         \
	{ "index-timeout", required_argument, NULL, LUTGEN_OPT_INDEX_TIMEOUT }

#define LUTGEN_STR_(x) #x
#define LUTGEN_STR(x) LUTGEN_STR_(x)

#define LUTGEN_CLI_COMMON_HELP                                               \
	"Common options:\n"                                                  \
	"      --cache DIR         toolchain cache (env LUTGEN_CACHE;\n"      \
	"                          default $XDG_CACHE_HOME/lutgen)\n"         \
	"      --index-url URL     Go release index (env LUTGEN_INDEX_URL;\n" \
	"                          default " RUNGO_DEFAULT_INDEX_URL ")\n"    \
	"      --download-url URL  where archives are fetched from\n"         \
	"                          (env LUTGEN_DOWNLOAD_URL; default "        \
	RUNGO_DEFAULT_DOWNLOAD_URL ")\n"                                     \
	"      --goroot DIR        use this local GOROOT for its version\n"   \
	"                          (repeatable)\n"                            \
	"      --no-trim           extract complete toolchains\n"             \
	"      --goproxy LIST      Go module proxies, GOPROXY syntax (env\n"  \
	"                          GOPROXY; default " RUNGO_DEFAULT_GOPROXY ")\n" \
	"      --timeout SECONDS   total time limit of one download, retries\n" \
	"                          included (env LUTGEN_TIMEOUT; default "    \
	LUTGEN_STR(RUNGO_FETCH_TOTAL_TIMEOUT_DEFAULT_S) "; 0: none)\n"       \
	"      --index-timeout SECONDS  the same for the release index (env\n" \
	"                          LUTGEN_INDEX_TIMEOUT; default "            \
	LUTGEN_STR(RUNGO_INDEX_TIMEOUT_DEFAULT_S) ")\n"                      \
	"      --json              one JSON document on stdout\n"             \
	"      --quiet             no progress or info messages\n"

/* Returns 1 if `opt` was a common option (handled), 0 otherwise. */
int lutgen_cli_common_option(struct lutgen_cli *cli, int opt,
			     const char *arg);

/* Diagnostics to stderr ("lutgen: error: ..."). */
void lutgen_cli_err(struct lutgen_cli *cli, const char *fmt, ...)
	COMMON_PRINTF(2, 3);
void lutgen_cli_warn(struct lutgen_cli *cli, const char *fmt, ...)
	COMMON_PRINTF(2, 3);
/* Suppressed by --quiet. */
void lutgen_cli_info(struct lutgen_cli *cli, const char *fmt, ...)
	COMMON_PRINTF(2, 3);

/* Report a failure from a library call: stderr, and with --json the one
 * stdout document {"error": "..."} (escaped with lutgen_cli_escape).
 * Returns LUTGEN_EXIT_FAIL. */
int lutgen_cli_fail(struct lutgen_cli *cli, const struct common_err *err);
/* Usage error: message + "try '<prog> <cmd> --help'"; returns
 * LUTGEN_EXIT_USAGE. */
int lutgen_cli_usage_error(struct lutgen_cli *cli, const char *cmd,
			   const char *fmt, ...) COMMON_PRINTF(3, 4);

/* Usage error for what getopt_long returned as '?' (unknown option) or ':'
 * (missing value), naming the option.  Use with opterr = 0 and an
 * optstring starting with ':' (after any '+'), so getopt prints nothing. */
int lutgen_cli_bad_option(struct lutgen_cli *cli, const char *cmd, int opt,
			  char **argv);

/* Print `doc` (consumed: deleted here) as the stdout JSON document.
 * Returns LUTGEN_EXIT_OK or LUTGEN_EXIT_FAIL on write error. */
int lutgen_cli_json_out(struct lutgen_cli *cli, struct cJSON *doc);

/*
 * A string read from an untrusted file (a binary's build settings, symbol
 * names, paths) made safe for a terminal and for JSON: printable UTF-8 is
 * kept as it is; every other byte - control characters, DEL, C1 controls,
 * bidirectional overrides, bytes that are not valid UTF-8 - is written as
 * the four characters \xNN.  Returns a malloc'd string (caller frees), or
 * NULL when out of memory; NULL in gives NULL out.
 */
char *lutgen_cli_escape(const char *s);

/* Progress (lutgen/cli/progress.c).  Init picks BARS when `tty`, else
 * LINES; --quiet and --json turn it OFF.  The hooks take the cli as ctx:
 * downloads and extractions of rungo's cache, the builds count and each
 * build that ended of a generate run. */
void lutgen_cli_progress_init(struct lutgen_cli *cli, bool tty);
void lutgen_cli_download_progress(void *ctx, const char *what,
				  unsigned long long done,
				  unsigned long long total);
void lutgen_cli_extract_progress(void *ctx, const char *what,
				 unsigned long long done,
				 unsigned long long total);
void lutgen_cli_builds_progress(void *ctx, const char *what,
				unsigned long long done,
				unsigned long long total);
void lutgen_cli_build_done(void *ctx, const struct lutgen_build_event *e);
/* Before other output on stderr (cli->lock held): close an open bar,
 * print a held-back line. */
void lutgen_cli_progress_interrupt_locked(struct lutgen_cli *cli);
/* At the end of a command: the same, taking the lock. */
void lutgen_cli_progress_end(struct lutgen_cli *cli);
/* Log callback for rungo/lutgen libraries; ctx = cli. */
void lutgen_cli_log(void *ctx, enum common_log_level level, const char *msg);

/* Effective settings (option > env > default). */
const char *lutgen_cli_index_url(const struct lutgen_cli *cli);
const char *lutgen_cli_download_url(const struct lutgen_cli *cli);

/* --timeout / LUTGEN_TIMEOUT as rungo_fetch_opts.total_timeout_s. */
int lutgen_cli_download_timeout(const struct lutgen_cli *cli, long *out,
				struct common_err *err);

/* Open the cache with the CLI's settings, progress and log hooks, and
 * register every --goroot.  *out owned by caller. */
int lutgen_cli_open_cache(struct lutgen_cli *cli, struct rungo_cache **out,
			  struct common_err *err);
/* Append to a failed fetch's message the way out: `other` ("another
 * index: --index-url or LUTGEN_INDEX_URL") or, offline, the Debian-built
 * mirror (scripts/go-mirror run).  Nothing when out of memory; the end
 * of a long message gives way to the hint. */
void lutgen_cli_fetch_hint(struct common_err *err, const char *other);
/* Fetch the index from lutgen_cli_index_url() within --index-timeout.  A
 * failure's message ends with lutgen_cli_fetch_hint's way out. */
int lutgen_cli_load_index(struct lutgen_cli *cli, struct rungo_index **out,
			  struct common_err *err);

/* The module proxy client with --goproxy (else GOPROXY and the other Go
 * settings from the environment), log hook set.  *out owned by caller. */
int lutgen_cli_open_goproxy(struct lutgen_cli *cli,
			    struct rungo_goproxy **out, struct common_err *err);

/* Report a `generate` or `merge` run (rc, err: what lutgen_run_generate
 * or lutgen_run_merge returned): failures as errors on stderr, the run's
 * lines and then its notes ("note: ...", not with --quiet) on stdout
 * or, with --json, its report with "ok" and "error".  Returns the exit code: LUTGEN_EXIT_FAIL when the run
 * failed; with --check LUTGEN_EXIT_DRIFT on value drift, and on
 * provenance drift only when strict_provenance; else LUTGEN_EXIT_OK. */
int lutgen_cli_run_report(struct lutgen_cli *cli, const struct lutgen_run *r,
			  int rc, const struct common_err *err,
			  bool strict_provenance);

/* Subcommands. */
int lutgen_cmd_versions(struct lutgen_cli *cli, int argc, char **argv);
int lutgen_cmd_toolchain(struct lutgen_cli *cli, int argc, char **argv);
int lutgen_cmd_generate(struct lutgen_cli *cli, int argc, char **argv);
int lutgen_cmd_inspect(struct lutgen_cli *cli, int argc, char **argv);
int lutgen_cmd_merge(struct lutgen_cli *cli, int argc, char **argv);
int lutgen_cmd_modules(struct lutgen_cli *cli, int argc, char **argv);

#endif
