/* SPDX-License-Identifier: MIT */
/*
 * lutgen/cli/progress.c - what long work shows on stderr.
 *
 * Three modes (struct lutgen_cli_progress, chosen in main.c):
 *   BARS   stderr is a terminal (and $CI is not set): a bar redrawn in
 *          place for the download or extraction under way ("download",
 *          "extract"), left on screen at 100% with its time; a count for
 *          the builds, cleared when they are done;
 *   LINES  anything else (CI logs, meson's console, a pipe): one line per
 *          finished download and build, at most one every `interval`
 *          seconds - a line that comes too soon is held back and replaced
 *          by the next one, and printed when the interval is over (next
 *          callback), before any diagnostic, or at the end; the line of
 *          the last build is never held back;
 *   OFF    --quiet or --json: nothing.
 * Everything runs under cli->lock, like the diagnostics of cli.c.
 */
#include "lutgen/cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BAR_WIDTH 30
#define REDRAW_S 0.1             /* BARS: at most ten redraws a second */
#define DEFAULT_INTERVAL_S 3.0   /* LINES: seconds between two lines */

enum item_kind { ITEM_NONE, ITEM_DOWNLOAD, ITEM_EXTRACT };

static const char *const item_verb[] = { "", "download", "extract" };

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(const struct lutgen_cli *cli)
{
	return cli->pg.clock ? cli->pg.clock() : mono_s();
}

void lutgen_cli_progress_init(struct lutgen_cli *cli, bool tty)
{
	const char *e = getenv("LUTGEN_PROGRESS_INTERVAL");
	char *end = NULL;
	double v;

	cli->pg.mode = tty ? LUTGEN_PROGRESS_BARS : LUTGEN_PROGRESS_LINES;
	cli->pg.interval = DEFAULT_INTERVAL_S;
	if (e && *e) {
		v = strtod(e, &end);
		if (end && !*end && v >= 0 && v <= 86400)
			cli->pg.interval = v;
	}
}

/* "4.2 s", "31 s". */
static void fmt_secs(char *buf, size_t size, double s)
{
	snprintf(buf, size, s < 10 ? "%.1f s" : "%.0f s", s);
}

/* "0.4 MB", "131 MB". */
static void fmt_mb(char *buf, size_t size, unsigned long long bytes)
{
	double mb = (double)bytes / 1e6;

	snprintf(buf, size, mb < 10 ? "%.1f MB" : "%.0f MB", mb);
}

/* ---- LINES ----------------------------------------------------------------- */

static void print_line_locked(struct lutgen_cli *cli, const char *text,
			      double now)
{
	fprintf(stderr, "%s\n", text);
	fflush(stderr);
	cli->pg.last_line = now;
	cli->pg.any_line = true;
	cli->pg.pending[0] = '\0';
}

/* A finished item's line: now, or held back until the interval is over
 * (`last`: never held back). */
static void line_locked(struct lutgen_cli *cli, const char *text, bool last)
{
	double now = now_s(cli);

	if (last || !cli->pg.any_line ||
	    now - cli->pg.last_line >= cli->pg.interval)
		print_line_locked(cli, text, now);
	else
		snprintf(cli->pg.pending, sizeof(cli->pg.pending), "%s", text);
}

/* A held-back line whose time has come. */
static void pending_due_locked(struct lutgen_cli *cli)
{
	double now;

	if (!cli->pg.pending[0])
		return;
	now = now_s(cli);
	if (now - cli->pg.last_line >= cli->pg.interval)
		print_line_locked(cli, cli->pg.pending, now);
}

/* ---- BARS ------------------------------------------------------------------ */

static void close_bar_locked(struct lutgen_cli *cli)
{
	if (cli->pg.line_open) {
		fputs("\r\033[K", stderr);
		cli->pg.line_open = false;
	}
}

/* "download go1.22.4.linux-amd64.tar.gz [#####.....]  45.1/131.0 MB" */
static void draw_bar_locked(struct lutgen_cli *cli, const char *verb,
			    const char *what, unsigned long long done,
			    unsigned long long total)
{
	char bar[BAR_WIDTH + 1];
	int fill = 0, i;

	if (total)
		fill = (int)((double)done / (double)total * BAR_WIDTH);
	if (fill > BAR_WIDTH)
		fill = BAR_WIDTH;
	for (i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : (total ? '.' : ' ');
	bar[BAR_WIDTH] = '\0';
	if (total)
		fprintf(stderr, "\r\033[K%-8s %-34.34s [%s] %5.1f/%.1f MB", verb,
			what, bar, (double)done / 1e6, (double)total / 1e6);
	else
		fprintf(stderr, "\r\033[K%-8s %-34.34s %.1f MB", verb, what,
			(double)done / 1e6);
	cli->pg.line_open = true;
}

/* ---- downloads and extractions ------------------------------------------- */

/* The item (kind, what) is the one under way; a new one starts its clock. */
static void track_item_locked(struct lutgen_cli *cli, enum item_kind kind,
			      const char *what)
{
	if ((int)kind == cli->pg.kind && strcmp(what, cli->pg.item) == 0)
		return;
	cli->pg.kind = (int)kind;
	snprintf(cli->pg.item, sizeof(cli->pg.item), "%s", what);
	cli->pg.item_start = now_s(cli);
	cli->pg.item_complete = false;
	cli->pg.last_draw = 0;
}

static void item_done_locked(struct lutgen_cli *cli, enum item_kind kind,
			     const char *what, unsigned long long total)
{
	char secs[32], size[32], text[256];

	fmt_secs(secs, sizeof(secs), now_s(cli) - cli->pg.item_start);
	cli->pg.item_complete = true;
	if (cli->pg.mode == LUTGEN_PROGRESS_BARS) {
		draw_bar_locked(cli, item_verb[kind], what, total, total);
		fprintf(stderr, " in %s\n", secs);
		cli->pg.line_open = false;
		return;
	}
	/* LINES: the cache says "installed ..." after an extraction. */
	if (kind != ITEM_DOWNLOAD)
		return;
	fmt_mb(size, sizeof(size), total);
	snprintf(text, sizeof(text), "%s downloaded (%s) in %s", what, size,
		 secs);
	line_locked(cli, text, false);
}

static void item_progress(struct lutgen_cli *cli, enum item_kind kind,
			  const char *what, unsigned long long done,
			  unsigned long long total)
{
	double now;

	if (!cli || cli->pg.mode == LUTGEN_PROGRESS_OFF || !what)
		return;
	pthread_mutex_lock(&cli->lock);
	track_item_locked(cli, kind, what);
	if (cli->pg.item_complete) {
		/* drawn at 100% once */
	} else if (total && done >= total) {
		item_done_locked(cli, kind, what, total);
	} else if (cli->pg.mode == LUTGEN_PROGRESS_LINES) {
		pending_due_locked(cli);
	} else {
		now = now_s(cli);
		if (now - cli->pg.last_draw >= REDRAW_S) {
			cli->pg.last_draw = now;
			draw_bar_locked(cli, item_verb[kind], what, done, total);
		}
	}
	fflush(stderr);
	pthread_mutex_unlock(&cli->lock);
}

void lutgen_cli_download_progress(void *ctx, const char *what,
				  unsigned long long done,
				  unsigned long long total)
{
	item_progress(ctx, ITEM_DOWNLOAD, what, done, total);
}

void lutgen_cli_extract_progress(void *ctx, const char *what,
				 unsigned long long done,
				 unsigned long long total)
{
	item_progress(ctx, ITEM_EXTRACT, what, done, total);
}

/* ---- builds ---------------------------------------------------------------- */

void lutgen_cli_builds_progress(void *ctx, const char *what,
				unsigned long long done,
				unsigned long long total)
{
	struct lutgen_cli *cli = ctx;

	if (!cli || cli->pg.mode != LUTGEN_PROGRESS_BARS)
		return;
	pthread_mutex_lock(&cli->lock);
	if (done >= total) {
		close_bar_locked(cli);   /* the summary follows */
	} else {
		fprintf(stderr, "\r\033[K%s: %s %llu/%llu", cli->prog, what,
			done, total);
		cli->pg.line_open = true;
	}
	fflush(stderr);
	pthread_mutex_unlock(&cli->lock);
}

void lutgen_cli_build_done(void *ctx, const struct lutgen_build_event *e)
{
	struct lutgen_cli *cli = ctx;
	char secs[32], text[256];

	if (!cli || cli->pg.mode != LUTGEN_PROGRESS_LINES)
		return;
	fmt_secs(secs, sizeof(secs), e->wall_s);
	if (e->ok)
		snprintf(text, sizeof(text), "[%zu/%zu] %s: %s %s built in %s",
			 e->done, e->total, e->spec, e->version, e->goarch,
			 secs);
	else if (e->wall_s > 0)
		snprintf(text, sizeof(text),
			 "[%zu/%zu] %s: %s %s failed after %s", e->done,
			 e->total, e->spec, e->version, e->goarch, secs);
	else
		snprintf(text, sizeof(text), "[%zu/%zu] %s: %s %s failed",
			 e->done, e->total, e->spec, e->version, e->goarch);
	pthread_mutex_lock(&cli->lock);
	line_locked(cli, text, e->done >= e->total);
	pthread_mutex_unlock(&cli->lock);
}

/* ---- interruptions and the end ------------------------------------------ */

void lutgen_cli_progress_interrupt_locked(struct lutgen_cli *cli)
{
	if (cli->pg.mode == LUTGEN_PROGRESS_BARS)
		close_bar_locked(cli);
	else if (cli->pg.pending[0])
		print_line_locked(cli, cli->pg.pending, now_s(cli));
}

void lutgen_cli_progress_end(struct lutgen_cli *cli)
{
	pthread_mutex_lock(&cli->lock);
	lutgen_cli_progress_interrupt_locked(cli);
	fflush(stderr);
	pthread_mutex_unlock(&cli->lock);
}
