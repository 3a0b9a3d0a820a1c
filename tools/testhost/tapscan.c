// SPDX-License-Identifier: GPL-2.0-only
/*
 * tapscan - judge the two logs of one emulated-host boot (see README.md).
 *
 *   tapscan --tap TAP.log --console CONSOLE.log [--label L] [--counts FILE]
 *
 * Prints the result table, one "problem:" line per problem and a summary
 * line "L: N passed, N failed, N skipped"; --counts also writes
 * "passed failed skipped" to FILE.  A log that cannot be opened is a
 * failure (the host never booted), not an error.
 * Exit: 0 all passed, 1 any failure, 2 usage or I/O error.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

struct opts {
	const char *tap;
	const char *console;
	const char *label;
	const char *counts;
};

typedef int (*feed_fn)(void *obj, const char *line, size_t len);

static int feed_tap(void *obj, const char *line, size_t len)
{
	return tap_run_feed(obj, line, len);
}

static int feed_console(void *obj, const char *line, size_t len)
{
	return tap_console_feed(obj, line, len);
}

static void usage(FILE *f)
{
	fputs("usage: tapscan --tap TAP.log --console CONSOLE.log [--label LABEL] [--counts FILE]\n",
	      f);
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "tap", required_argument, NULL, 't' },
		{ "console", required_argument, NULL, 'c' },
		{ "label", required_argument, NULL, 'l' },
		{ "counts", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->tap = optarg;
			break;
		case 'c':
			o->console = optarg;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'n':
			o->counts = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			return -1;
		}
	}
	if (optind != argc || !o->tap || !o->console)
		return -1;
	return 0;
}

/* Feed a log line by line: 0 done (or reported unreadable), -1 error. */
static int read_log(const char *what, const char *path, feed_fn feed,
		    void *obj, struct tap_verdict *v)
{
	char buf[TAP_LINE_MAX];
	int ret = 0;
	long len;
	FILE *f;

	f = fopen(path, "rb");
	if (!f)
		return tap_verdict_problem(v, "cannot open the %s log %s: %s",
					   what, path, strerror(errno));
	while (!ret && (len = tap_getline(f, buf, sizeof(buf))) >= 0)
		ret = feed(obj, buf, (size_t)len);
	if (ret) {
		fprintf(stderr, "tapscan: out of memory\n");
	} else if (ferror(f)) {
		fprintf(stderr, "tapscan: reading %s: %s\n", path,
			strerror(errno));
		ret = -1;
	}
	fclose(f);
	return ret;
}

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* A cell padded to the column width, except in the last column. */
static void print_cell(const char *text, size_t width, bool last)
{
	if (last)
		printf("  %s", text);
	else
		printf("  %-*s", (int)width, text);
}

/* The header row if row is NULL. */
static void print_row(const struct tap_table *tab, size_t w,
		      const struct tap_row *row)
{
	size_t c, len;

	if (row) {
		len = strlen(row->suite) + 1 + strlen(row->name);
		printf("%s.%s%*s", row->suite, row->name, (int)(w - len), "");
	} else {
		printf("%-*s", (int)w, "test");
	}
	for (c = 0; c < tab->ncols; c++)
		print_cell(row ? tap_status_cell(row->cells[c]) : tab->cols[c],
			   max_size(strlen(tab->cols[c]), 4),
			   c + 1 == tab->ncols);
	putchar('\n');
}

static void print_table(const struct tap_table *tab)
{
	size_t r, w = strlen("test");

	if (!tab->ncols)
		return;
	for (r = 0; r < tab->nrows; r++)
		w = max_size(w, strlen(tab->rows[r].suite) + 1 +
			     strlen(tab->rows[r].name));
	print_row(tab, w, NULL);
	for (r = 0; r < tab->nrows; r++)
		print_row(tab, w, &tab->rows[r]);
}

/* One line per failing cell, for summaries that keep only the tail. */
static void print_failures(const struct tap_table *tab)
{
	const struct tap_row *row;
	size_t r, c;

	for (r = 0; r < tab->nrows; r++) {
		row = &tab->rows[r];
		for (c = 0; c < tab->ncols; c++)
			if (row->cells[c] == TAP_FAIL)
				printf("failed: %s.%s [%s]\n", row->suite,
				       row->name, tab->cols[c]);
	}
}

static int write_counts(const char *path, const struct tap_verdict *v)
{
	FILE *f = fopen(path, "w");
	int bad;

	if (!f) {
		fprintf(stderr, "tapscan: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "%lu %lu %lu\n", v->passed, v->failed, v->skipped);
	bad = ferror(f);
	if (fclose(f) || bad) {
		fprintf(stderr, "tapscan: writing %s failed\n", path);
		return -1;
	}
	return 0;
}

static char *default_label(const struct tap_run *run, const char *path)
{
	const char *target = tap_run_header(run, "target");
	const char *kernel = tap_run_header(run, "kernel");
	char *s;

	if (!target || !kernel || asprintf(&s, "%s-%s", target, kernel) < 0)
		return strdup(path);
	return s;
}

static int report(const struct opts *o, const struct tap_run *run,
		  const struct tap_verdict *v)
{
	struct tap_table tab;
	char *label = NULL;
	size_t i;

	if (tap_table_build(&tab, run) < 0)
		return -1;
	print_table(&tab);
	print_failures(&tab);
	tap_table_free(&tab);
	for (i = 0; i < v->nproblems; i++)
		printf("problem: %s\n", v->problems[i]);
	if (!o->label)
		label = default_label(run, o->tap);
	printf("%s: %lu passed, %lu failed, %lu skipped\n",
	       o->label ? o->label : label ? label : o->tap,
	       v->passed, v->failed, v->skipped);
	free(label);
	if (fflush(stdout) || ferror(stdout))
		return -1;
	return o->counts ? write_counts(o->counts, v) : 0;
}

static int judge(const struct opts *o, struct tap_run *run,
		 struct tap_console *con, struct tap_verdict *v)
{
	if (read_log("TAP", o->tap, feed_tap, run, v) < 0 ||
	    read_log("console", o->console, feed_console, con, v) < 0)
		return -1;
	if (tap_verdict_compute(v, run, con) < 0) {
		fprintf(stderr, "tapscan: out of memory\n");
		return -1;
	}
	return report(o, run, v);
}

int main(int argc, char **argv)
{
	struct tap_console con;
	struct tap_verdict v;
	struct tap_run run;
	struct opts o;
	int ret;

	if (parse_opts(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	tap_run_init(&run);
	tap_console_init(&con);
	tap_verdict_init(&v);
	ret = judge(&o, &run, &con, &v) < 0 ? 2 : v.failed ? 1 : 0;
	tap_verdict_free(&v);
	tap_console_free(&con);
	tap_run_free(&run);
	return ret;
}
