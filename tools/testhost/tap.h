/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * tap.h - judge the two logs of one emulated-host boot (see README.md).
 *
 * The TAP stream (ttyS1) is fed line by line into a struct tap_run, the
 * console (ttyS0) into a struct tap_console; tap_verdict_compute() turns
 * both into pass/fail/skip counts and a list of problems.  Nothing here
 * keeps global state; every object is owned by the caller and released
 * with its *_free() function.
 */
#ifndef TAP_H
#define TAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TAP_LINE_MAX		4096	/* longer lines are truncated */
#define TAP_NOTES_MAX		32	/* protocol errors kept for listing */
#define TAP_CONSOLE_LIST_MAX	20	/* console problem lines listed */

/* Ordered: merging two results of one case keeps the larger. */
enum tap_status {
	TAP_NONE,	/* no result (table cell "-") */
	TAP_TODO,	/* "# TODO": never a failure, counted as skipped */
	TAP_SKIP,
	TAP_OK,
	TAP_FAIL,
};

struct tap_result {
	unsigned long num;
	char *name;		/* the number in decimal if none was given */
	enum tap_status status;
};

struct tap_suite {
	char *name;
	char *column;
	bool has_plan;
	unsigned long plan;
	bool ended;		/* "# end-suite:" seen for this suite */
	bool rc_valid;		/* rc parsed from the end marker */
	int rc;
	struct tap_result *res;
	size_t nres, capres;
};

struct tap_kv {
	char *key;
	char *val;
};

/* Internal: open-addressing hash index, values are 1-based. */
struct tap_slot {
	uint64_t hash;
	size_t val;
};

struct tap_index {
	struct tap_slot *slot;
	size_t cap, len;
};

struct tap_run {
	struct tap_suite *suites;
	size_t nsuites, capsuites;
	bool open;		/* the last suite still awaits its end marker */
	struct tap_kv *hdr;	/* "# testhost: key=value ..." */
	size_t nhdr, caphdr;
	bool done;		/* "# testhost: done" seen */
	unsigned long lineno;
	/* protocol errors (each is a failure), the first TAP_NOTES_MAX kept */
	char **notes;
	size_t nnotes;
	unsigned long notes_total;
};

struct tap_console_line {
	unsigned long lineno;
	const char *pattern;	/* static string from tap_console_match() */
	char *text;
};

struct tap_console {
	unsigned long lineno;
	unsigned long distinct;	/* distinct problem lines */
	struct tap_console_line list[TAP_CONSOLE_LIST_MAX];
	size_t nlist;
	struct tap_index seen;
};

struct tap_row {
	const char *suite;	/* borrowed from the run */
	const char *name;
	enum tap_status *cells;	/* one per column */
};

struct tap_table {
	const char **cols;	/* in order of first appearance */
	size_t ncols, capcols;
	struct tap_row *rows;	/* in order of first appearance */
	size_t nrows, caprows;
	struct tap_index index;
};

struct tap_verdict {
	unsigned long passed, failed, skipped;
	char **problems;
	size_t nproblems, capproblems;
};

/* Lines: read one line of at most size - 1 bytes (rest dropped). */
long tap_getline(FILE *f, char *buf, size_t size);

/* TAP stream. Functions returning int give 0, or -1 if out of memory. */
void tap_run_init(struct tap_run *run);
void tap_run_free(struct tap_run *run);
int tap_run_feed(struct tap_run *run, const char *line, size_t len);
const char *tap_run_header(const struct tap_run *run, const char *key);

/* Console: the pattern a line matches, or NULL if it is harmless. */
const char *tap_console_match(const char *line);
void tap_console_init(struct tap_console *con);
void tap_console_free(struct tap_console *con);
int tap_console_feed(struct tap_console *con, const char *line, size_t len);

/* Result table: one row per suite.case, one column per column name. */
int tap_table_build(struct tap_table *tab, const struct tap_run *run);
void tap_table_free(struct tap_table *tab);
const char *tap_status_cell(enum tap_status st);

/* Verdict: con may be NULL (no console judged). */
void tap_verdict_init(struct tap_verdict *v);
void tap_verdict_free(struct tap_verdict *v);
int tap_verdict_compute(struct tap_verdict *v, const struct tap_run *run,
			const struct tap_console *con);
int tap_verdict_problem(struct tap_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* TAP_H */
