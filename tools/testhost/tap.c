// SPDX-License-Identifier: GPL-2.0-only
/*
 * tap.c - parse the test stream and the console of one emulated-host boot
 * and judge them.  The protocol is in README.md; the rules enforced here:
 *
 *  - a case counts once per (suite, case, column); a failure of any of its
 *    results wins, a "# TODO" case is never a failure;
 *  - "not ok ... # SKIP" is a failure (as in TAP::Parser);
 *  - a suite fails if its result count differs from its plan (or it has no
 *    plan), if its end marker is missing, or if its rc is non-zero (or
 *    unreadable) while none of its cases failed;
 *  - the run fails without "# testhost: done" or without any suite;
 *  - nothing but diagnostics may follow "# testhost: done" (a second run
 *    appended to the log must not hide behind the first one's marker);
 *  - protocol errors (results or plans outside a suite, out-of-sequence
 *    numbers, a second plan, a stray end marker, "Bail out!") are failures;
 *  - every distinct console line matching a kernel problem is a failure.
 */
#define _POSIX_C_SOURCE 200809L

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tap.h"

#define FNV_INIT	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL

/* ---- small helpers ---- */

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return p;
	ncap = *cap ? *cap * 2 : 8;
	if (ncap < *cap || ncap > SIZE_MAX / size)
		return NULL;
	p = realloc(p, ncap * size);
	if (p)
		*cap = ncap;
	return p;
}

static char *vformat(const char *fmt, va_list ap)
{
	va_list aq;
	char *s;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static bool is_blank(char c)
{
	return c == ' ';
}

static const char *skip_blanks(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * Copy a raw line into dst (size >= 1) as printable ASCII: drop NUL bytes
 * and the line ending, turn tabs into spaces and any other control or
 * non-ASCII byte into '?', truncate, trim trailing blanks.
 */
static void sanitize(char *dst, size_t size, const char *src, size_t len)
{
	size_t i, n = 0;

	while (len && (src[len - 1] == '\n' || src[len - 1] == '\r'))
		len--;
	for (i = 0; i < len && n + 1 < size; i++) {
		unsigned char c = src[i];

		if (c == '\0')
			continue;
		if (c == '\t')
			c = ' ';
		else if (c < 0x20 || c >= 0x7f)
			c = '?';
		dst[n++] = c;
	}
	while (n && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

long tap_getline(FILE *f, char *buf, size_t size)
{
	bool any = false;
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF) {
		any = true;
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = (char)c;
	}
	if (size)
		buf[n] = '\0';
	return any ? (long)n : -1;
}

/* Next blank-separated token of *s; NULL at the end. */
static const char *next_token(const char **s, size_t *len)
{
	const char *t = skip_blanks(*s);

	if (!*t)
		return NULL;
	*len = 0;
	while (t[*len] && !is_blank(t[*len]))
		(*len)++;
	*s = t + *len;
	return t;
}

/* Is the token "key=value"? If so, *val gets a copy of value. */
static bool token_value(const char *tok, size_t len, const char *key,
			char **val)
{
	size_t klen = strlen(key);

	if (len <= klen || strncmp(tok, key, klen) || tok[klen] != '=')
		return false;
	*val = strndup(tok + klen + 1, len - klen - 1);
	return true;
}

/* Decimal digits, saturating; false if there are none. */
static bool parse_ulong(const char **s, unsigned long *v)
{
	const char *p = *s;

	*v = 0;
	if (!isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		*v = *v > (ULONG_MAX - d) / 10 ? ULONG_MAX : *v * 10 + d;
	}
	*s = p;
	return true;
}

/* ---- hash index (open addressing, load <= 1/2, values 1-based) ---- */

typedef bool (*index_eq_fn)(const void *ctx, size_t val, const void *key);

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= FNV_PRIME;
	}
	return h * FNV_PRIME;	/* also hashes the terminator */
}

static size_t index_find(const struct tap_index *ix, uint64_t h,
			 index_eq_fn eq, const void *ctx, const void *key)
{
	size_t i;

	if (!ix->cap)
		return 0;
	for (i = h & (ix->cap - 1); ix->slot[i].val; i = (i + 1) & (ix->cap - 1))
		if (ix->slot[i].hash == h && (!eq || eq(ctx, ix->slot[i].val, key)))
			return ix->slot[i].val;
	return 0;
}

static void index_put(struct tap_slot *slot, size_t cap, uint64_t h, size_t val)
{
	size_t i = h & (cap - 1);

	while (slot[i].val)
		i = (i + 1) & (cap - 1);
	slot[i].hash = h;
	slot[i].val = val;
}

static int index_add(struct tap_index *ix, uint64_t h, size_t val)
{
	struct tap_slot *slot;
	size_t i, cap;

	if (ix->len + 1 > ix->cap / 2) {
		cap = ix->cap ? ix->cap * 2 : 64;
		if (cap < ix->cap)
			return -1;
		slot = calloc(cap, sizeof(*slot));
		if (!slot)
			return -1;
		for (i = 0; i < ix->cap; i++)
			if (ix->slot[i].val)
				index_put(slot, cap, ix->slot[i].hash,
					  ix->slot[i].val);
		free(ix->slot);
		ix->slot = slot;
		ix->cap = cap;
	}
	index_put(ix->slot, ix->cap, h, val);
	ix->len++;
	return 0;
}

static void index_free(struct tap_index *ix)
{
	free(ix->slot);
	memset(ix, 0, sizeof(*ix));
}

/* ---- the TAP stream ---- */

void tap_run_init(struct tap_run *run)
{
	memset(run, 0, sizeof(*run));
}

static void suite_free(struct tap_suite *s)
{
	size_t i;

	for (i = 0; i < s->nres; i++)
		free(s->res[i].name);
	free(s->res);
	free(s->name);
	free(s->column);
}

void tap_run_free(struct tap_run *run)
{
	size_t i;

	for (i = 0; i < run->nsuites; i++)
		suite_free(&run->suites[i]);
	free(run->suites);
	for (i = 0; i < run->nhdr; i++) {
		free(run->hdr[i].key);
		free(run->hdr[i].val);
	}
	free(run->hdr);
	for (i = 0; i < run->nnotes; i++)
		free(run->notes[i]);
	free(run->notes);
	tap_run_init(run);
}

static struct tap_suite *open_suite(struct tap_run *run)
{
	return run->open ? &run->suites[run->nsuites - 1] : NULL;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = vformat(fmt, ap);
	va_end(ap);
	return s;
}

static int run_note(struct tap_run *run, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a protocol error: always counted, the first few kept. */
static int run_note(struct tap_run *run, const char *fmt, ...)
{
	struct tap_suite *s = open_suite(run);
	char *msg, *note;
	va_list ap;

	run->notes_total++;
	if (run->nnotes >= TAP_NOTES_MAX)
		return 0;
	if (!run->notes) {
		run->notes = calloc(TAP_NOTES_MAX, sizeof(*run->notes));
		if (!run->notes)
			return -1;
	}
	va_start(ap, fmt);
	msg = vformat(fmt, ap);
	va_end(ap);
	if (!msg)
		return -1;
	if (s)
		note = format("tap line %lu (%s[%s]): %s", run->lineno,
			      s->name, s->column, msg);
	else
		note = format("tap line %lu: %s", run->lineno, msg);
	free(msg);
	if (!note)
		return -1;
	run->notes[run->nnotes++] = note;
	return 0;
}

static int add_header(struct tap_run *run, const char *tok, size_t len)
{
	const char *eq = memchr(tok, '=', len);
	struct tap_kv *kv;
	size_t klen = eq ? (size_t)(eq - tok) : len;

	kv = grow(run->hdr, &run->caphdr, run->nhdr, sizeof(*kv));
	if (!kv)
		return -1;
	run->hdr = kv;
	kv = &run->hdr[run->nhdr];
	kv->key = strndup(tok, klen);
	kv->val = eq ? strndup(eq + 1, len - klen - 1) : strdup("");
	if (!kv->key || !kv->val) {
		free(kv->key);
		free(kv->val);
		return -1;
	}
	run->nhdr++;
	return 0;
}

/* "# testhost: done" or "# testhost: key=value ..." */
static int feed_testhost(struct tap_run *run, const char *s)
{
	const char *tok;
	size_t len;

	s = skip_blanks(s);
	if (!strcmp(s, "done")) {
		run->done = true;
		return 0;
	}
	while ((tok = next_token(&s, &len)))
		if (add_header(run, tok, len) < 0)
			return -1;
	return 0;
}

/* "# suite: NAME column=COLUMN" */
static int feed_suite(struct tap_run *run, const char *s)
{
	struct tap_suite *suite;
	const char *tok, *name;
	size_t len, nlen = 0;
	bool has_column = false;
	char *column = NULL;

	suite = grow(run->suites, &run->capsuites, run->nsuites,
		     sizeof(*suite));
	if (!suite)
		return -1;
	run->suites = suite;
	suite = &run->suites[run->nsuites];
	memset(suite, 0, sizeof(*suite));
	name = next_token(&s, &nlen);
	while (!has_column && (tok = next_token(&s, &len)))
		has_column = token_value(tok, len, "column", &column);
	suite->name = name ? strndup(name, nlen) : strdup("?");
	suite->column = has_column ? column : strdup("?");
	if (!suite->name || !suite->column) {
		suite_free(suite);
		return -1;
	}
	run->nsuites++;
	run->open = true;
	if (!name || !has_column)
		return run_note(run, "suite line without %s",
				name ? "column=" : "a name");
	return 0;
}

static bool parse_rc(const char *tok, size_t len, int *rc)
{
	const char *p = tok + 3;
	unsigned long v;
	bool neg;

	if (len < 4 || strncmp(tok, "rc=", 3))
		return false;
	neg = *p == '-';
	p += neg;
	if (!parse_ulong(&p, &v) || p != tok + len || v > INT_MAX)
		return false;
	*rc = neg ? -(int)v : (int)v;
	return true;
}

/* "# end-suite: NAME rc=N" */
static int feed_end(struct tap_run *run, const char *s)
{
	struct tap_suite *suite = open_suite(run);
	const char *name, *tok;
	size_t nlen = 0, len;

	name = next_token(&s, &nlen);
	if (!suite)
		return run_note(run, "end marker outside a suite");
	if (!name || strlen(suite->name) != nlen ||
	    strncmp(suite->name, name, nlen))
		return run_note(run, "end marker names another suite");
	while ((tok = next_token(&s, &len)))
		if (parse_rc(tok, len, &suite->rc))
			suite->rc_valid = true;
	suite->ended = true;
	run->open = false;
	return 0;
}

static int feed_comment(struct tap_run *run, const char *s)
{
	if (starts_with(s, "# testhost:"))
		return feed_testhost(run, s + strlen("# testhost:"));
	if (starts_with(s, "# suite:"))
		return feed_suite(run, s + strlen("# suite:"));
	if (starts_with(s, "# end-suite:"))
		return feed_end(run, s + strlen("# end-suite:"));
	return 0;	/* a diagnostic */
}

/* "1..N", optionally followed by "# directive". */
static bool parse_plan(const char *s, unsigned long *plan)
{
	const char *p = s;

	if (!starts_with(p, "1.."))
		return false;
	p += 3;
	if (!parse_ulong(&p, plan))
		return false;
	p = skip_blanks(p);
	return !*p || *p == '#';
}

static int feed_plan(struct tap_run *run, unsigned long plan)
{
	struct tap_suite *suite = open_suite(run);

	if (!suite)
		return run_note(run, "plan outside a suite");
	if (suite->has_plan)
		return run_note(run, "second plan");
	suite->has_plan = true;
	suite->plan = plan;
	return 0;
}

struct parsed_result {
	bool ok;
	bool has_num;
	unsigned long num;
	char name[TAP_LINE_MAX];
	enum tap_status status;
};

static enum tap_status directive_status(bool ok, const char *dir)
{
	if (dir) {
		dir = skip_blanks(dir);
		if (!strncasecmp(dir, "todo", 4) &&
		    !isalnum((unsigned char)dir[4]))
			return TAP_TODO;
		if (!strncasecmp(dir, "skip", 4))
			return ok ? TAP_SKIP : TAP_FAIL;
	}
	return ok ? TAP_OK : TAP_FAIL;
}

/* Description up to an unescaped '#'; returns the directive or NULL. */
static const char *parse_desc(const char *s, char *name, size_t size)
{
	const char *dir = NULL;
	size_t n = 0;

	for (; *s; s++) {
		if (*s == '\\' && s[1] == '#') {
			s++;
		} else if (*s == '#') {
			dir = s + 1;
			break;
		}
		if (n + 1 < size)
			name[n++] = *s;
	}
	while (n && name[n - 1] == ' ')
		n--;
	name[n] = '\0';
	return dir;
}

/* "ok|not ok [N] [-] [description] [# directive]" */
static bool parse_result(const char *s, struct parsed_result *r)
{
	const char *p;

	r->ok = starts_with(s, "ok");
	if (r->ok)
		s += 2;
	else if (starts_with(s, "not ok"))
		s += 6;
	else
		return false;
	if (*s && !is_blank(*s))
		return false;		/* "okay" */
	s = skip_blanks(s);
	p = s;
	r->has_num = parse_ulong(&p, &r->num) && (!*p || is_blank(*p));
	if (r->has_num)
		s = skip_blanks(p);
	if (*s == '-' && (!s[1] || is_blank(s[1])))
		s = skip_blanks(s + 1);
	r->status = directive_status(r->ok, parse_desc(s, r->name,
							sizeof(r->name)));
	return true;
}

static int add_result(struct tap_suite *suite, struct parsed_result *r)
{
	struct tap_result *res;
	char num[32];

	res = grow(suite->res, &suite->capres, suite->nres, sizeof(*res));
	if (!res)
		return -1;
	suite->res = res;
	res = &suite->res[suite->nres];
	if (!r->name[0]) {
		snprintf(num, sizeof(num), "%lu", r->num);
		res->name = strdup(num);
	} else {
		res->name = strdup(r->name);
	}
	if (!res->name)
		return -1;
	res->num = r->num;
	res->status = r->status;
	suite->nres++;
	return 0;
}

static int feed_result(struct tap_run *run, struct parsed_result *r)
{
	struct tap_suite *suite = open_suite(run);
	unsigned long expect;

	if (!suite)
		return run_note(run, "result outside a suite");
	expect = suite->nres + 1;
	if (!r->has_num)
		r->num = expect;
	if (add_result(suite, r) < 0)
		return -1;
	if (r->num != expect)
		return run_note(run, "result %lu out of sequence (expected %lu)",
				r->num, expect);
	return 0;
}

/* The stream ends at "# testhost: done": no marker may follow it. */
static bool is_marker(const char *s, bool plan, bool result)
{
	return plan || result || starts_with(s, "Bail out!") ||
	       starts_with(s, "# testhost:") || starts_with(s, "# suite:") ||
	       starts_with(s, "# end-suite:");
}

int tap_run_feed(struct tap_run *run, const char *line, size_t len)
{
	struct parsed_result r;
	char buf[TAP_LINE_MAX];
	unsigned long plan;
	bool is_plan, is_result;

	run->lineno++;
	sanitize(buf, sizeof(buf), line, len);
	is_plan = parse_plan(buf, &plan);
	is_result = !is_plan && parse_result(buf, &r);
	if (run->done && is_marker(buf, is_plan, is_result) &&
	    run_note(run, "after '# testhost: done': %.60s", buf) < 0)
		return -1;
	if (buf[0] == '#')
		return feed_comment(run, buf);
	if (starts_with(buf, "Bail out!"))
		return run_note(run, "%s", buf);
	if (is_plan)
		return feed_plan(run, plan);
	if (is_result)
		return feed_result(run, &r);
	return 0;
}

const char *tap_run_header(const struct tap_run *run, const char *key)
{
	size_t i = run->nhdr;

	while (i--)
		if (!strcmp(run->hdr[i].key, key))
			return run->hdr[i].val;
	return NULL;
}

/* ---- the console ---- */

/*
 * Most specific first: a soft lockup line also says "BUG:", and so does
 * KFENCE's report (mm/kfence/report.c: "BUG: KFENCE: use-after-free read
 * in ..."). Page poisoning (page_poison=1) reports with mm/page_poison.c's
 * two lines, which say neither. The sanitizer kernel's other reports say
 * "KASAN:", "UBSAN:", "WARNING:" (lockdep: "WARNING: possible circular
 * locking dependency detected", kernel/locking/lockdep.c) or "BUG:"
 * (might_sleep(): "BUG: sleeping function called from invalid context");
 * kmemleak's, which plan.sh copies to the console, "unreferenced object
 * 0x..." (mm/kmemleak.c's print_unreferenced()).
 */
static const char *const console_patterns[] = {
	"kernel BUG at", "soft lockup", "KASAN:", "KFENCE:", "UBSAN:",
	"pagealloc: memory corruption", "pagealloc: single bit error",
	"unreferenced object 0x",
	"general protection", "Kernel panic", "hung_task",
	"blocked for more than", "Oops", "Call Trace:", "WARNING:", "BUG:",
};

/* What tap_console_match() names a SLUB report. */
static const char slub_pattern[] = "BUG <cache> (<taint>):";

/* pat occurs in line, not glued to a preceding word ("DEBUG:"). */
static bool has_word(const char *line, const char *pat)
{
	const char *p;

	for (p = line; (p = strstr(p, pat)); p++)
		if (p == line || !(isalnum((unsigned char)p[-1]) ||
				   p[-1] == '_'))
			return true;
	return false;
}

/*
 * SLUB's report (slub_debug, and a cache destroyed with objects left):
 * mm/slub.c's slab_bug() prints "BUG %s (%s): %pV", the cache's name and
 * print_tainted(), "Not tainted" or "Tainted: <flags>" (kernel/panic.c),
 * in Linux 6.1 and 6.12 alike. No colon follows "BUG".
 */
static bool is_slub_report(const char *line)
{
	const char *p, *name;

	for (p = line; (p = strstr(p, "BUG ")); p++) {
		if (p != line && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		name = p + 4;
		p = name + strcspn(name, " (");
		if (p == name || !starts_with(p, " ("))
			continue;
		if (starts_with(p + 2, "Not tainted): ") ||
		    starts_with(p + 2, "Tainted: "))
			return true;
	}
	return false;
}

const char *tap_console_match(const char *line)
{
	size_t i;

	/* the command line may well say hung_task_panic=1 */
	if (strstr(line, "Kernel command line:") ||
	    strstr(line, "Command line:"))
		return NULL;
	if (is_slub_report(line))
		return slub_pattern;
	for (i = 0; i < sizeof(console_patterns) / sizeof(*console_patterns);
	     i++)
		if (has_word(line, console_patterns[i]))
			return console_patterns[i];
	return NULL;
}

void tap_console_init(struct tap_console *con)
{
	memset(con, 0, sizeof(*con));
}

void tap_console_free(struct tap_console *con)
{
	size_t i;

	for (i = 0; i < con->nlist; i++)
		free(con->list[i].text);
	index_free(&con->seen);
	tap_console_init(con);
}

int tap_console_feed(struct tap_console *con, const char *line, size_t len)
{
	struct tap_console_line *cl;
	char buf[TAP_LINE_MAX];
	const char *pat;
	uint64_t h;

	con->lineno++;
	sanitize(buf, sizeof(buf), line, len);
	pat = tap_console_match(buf);
	if (!pat)
		return 0;
	h = fnv(FNV_INIT, buf);
	if (index_find(&con->seen, h, NULL, NULL, NULL))
		return 0;
	if (index_add(&con->seen, h, con->distinct + 1) < 0)
		return -1;
	con->distinct++;
	if (con->nlist >= TAP_CONSOLE_LIST_MAX)
		return 0;
	cl = &con->list[con->nlist];
	cl->text = strdup(buf);
	if (!cl->text)
		return -1;
	cl->lineno = con->lineno;
	cl->pattern = pat;
	con->nlist++;
	return 0;
}

/* ---- the table ---- */

struct row_key {
	const char *suite;
	const char *name;
};

static bool row_eq(const void *ctx, size_t val, const void *key)
{
	const struct tap_row *row = &((const struct tap_table *)ctx)->rows[val - 1];
	const struct row_key *k = key;

	return !strcmp(row->suite, k->suite) && !strcmp(row->name, k->name);
}

static long find_col(const struct tap_table *tab, const char *col)
{
	size_t i;

	for (i = 0; i < tab->ncols; i++)
		if (!strcmp(tab->cols[i], col))
			return (long)i;
	return -1;
}

static int add_col(struct tap_table *tab, const char *col)
{
	const char **cols;

	if (find_col(tab, col) >= 0)
		return 0;
	cols = grow(tab->cols, &tab->capcols, tab->ncols, sizeof(*cols));
	if (!cols)
		return -1;
	tab->cols = cols;
	tab->cols[tab->ncols++] = col;
	return 0;
}

static struct tap_row *get_row(struct tap_table *tab, const char *suite,
			       const char *name)
{
	struct row_key key = { suite, name };
	uint64_t h = fnv(fnv(FNV_INIT, suite), name);
	struct tap_row *row;
	size_t val;

	val = index_find(&tab->index, h, row_eq, tab, &key);
	if (val)
		return &tab->rows[val - 1];
	row = grow(tab->rows, &tab->caprows, tab->nrows, sizeof(*row));
	if (!row)
		return NULL;
	tab->rows = row;
	row = &tab->rows[tab->nrows];
	row->suite = suite;
	row->name = name;
	row->cells = calloc(tab->ncols, sizeof(*row->cells));
	if (!row->cells)
		return NULL;
	if (index_add(&tab->index, h, tab->nrows + 1) < 0) {
		free(row->cells);
		return NULL;
	}
	tab->nrows++;
	return row;
}

static int add_suite_rows(struct tap_table *tab, const struct tap_suite *s)
{
	long col = find_col(tab, s->column);
	struct tap_row *row;
	size_t i;

	for (i = 0; i < s->nres; i++) {
		row = get_row(tab, s->name, s->res[i].name);
		if (!row)
			return -1;
		if (s->res[i].status > row->cells[col])
			row->cells[col] = s->res[i].status;
	}
	return 0;
}

int tap_table_build(struct tap_table *tab, const struct tap_run *run)
{
	size_t i;

	memset(tab, 0, sizeof(*tab));
	for (i = 0; i < run->nsuites; i++)
		if (add_col(tab, run->suites[i].column) < 0)
			goto fail;
	for (i = 0; i < run->nsuites; i++)
		if (add_suite_rows(tab, &run->suites[i]) < 0)
			goto fail;
	return 0;
fail:
	tap_table_free(tab);
	return -1;
}

void tap_table_free(struct tap_table *tab)
{
	size_t i;

	for (i = 0; i < tab->nrows; i++)
		free(tab->rows[i].cells);
	free(tab->rows);
	free(tab->cols);
	index_free(&tab->index);
	memset(tab, 0, sizeof(*tab));
}

const char *tap_status_cell(enum tap_status st)
{
	switch (st) {
	case TAP_OK:
		return "ok";
	case TAP_FAIL:
		return "FAIL";
	case TAP_SKIP:
	case TAP_TODO:
		return "skip";
	default:
		return "-";
	}
}

/* ---- the verdict ---- */

void tap_verdict_init(struct tap_verdict *v)
{
	memset(v, 0, sizeof(*v));
}

void tap_verdict_free(struct tap_verdict *v)
{
	size_t i;

	for (i = 0; i < v->nproblems; i++)
		free(v->problems[i]);
	free(v->problems);
	tap_verdict_init(v);
}

static int verdict_vlist(struct tap_verdict *v, const char *fmt, va_list ap)
{
	char **p;

	p = grow(v->problems, &v->capproblems, v->nproblems, sizeof(*p));
	if (!p)
		return -1;
	v->problems = p;
	p[v->nproblems] = vformat(fmt, ap);
	if (!p[v->nproblems])
		return -1;
	v->nproblems++;
	return 0;
}

static int verdict_list(struct tap_verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* List a line without counting a failure (the count is done elsewhere). */
static int verdict_list(struct tap_verdict *v, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = verdict_vlist(v, fmt, ap);
	va_end(ap);
	return ret;
}

int tap_verdict_problem(struct tap_verdict *v, const char *fmt, ...)
{
	va_list ap;
	int ret;

	v->failed++;
	va_start(ap, fmt);
	ret = verdict_vlist(v, fmt, ap);
	va_end(ap);
	return ret;
}

static void count_cells(struct tap_verdict *v, const struct tap_table *tab)
{
	size_t r, c;

	for (r = 0; r < tab->nrows; r++) {
		for (c = 0; c < tab->ncols; c++) {
			switch (tab->rows[r].cells[c]) {
			case TAP_OK:
				v->passed++;
				break;
			case TAP_FAIL:
				v->failed++;
				break;
			case TAP_SKIP:
			case TAP_TODO:
				v->skipped++;
				break;
			default:
				break;
			}
		}
	}
}

static bool has_failing_case(const struct tap_suite *s)
{
	size_t i;

	for (i = 0; i < s->nres; i++)
		if (s->res[i].status == TAP_FAIL)
			return true;
	return false;
}

static int judge_plan(struct tap_verdict *v, const struct tap_suite *s)
{
	if (!s->has_plan)
		return tap_verdict_problem(v, "%s[%s]: no plan (1..N)",
					   s->name, s->column);
	if (s->nres < s->plan)
		return tap_verdict_problem(v, "%s[%s]: only %zu of %lu planned results",
					   s->name, s->column, s->nres, s->plan);
	if (s->nres > s->plan)
		return tap_verdict_problem(v, "%s[%s]: %zu results, but the plan is %lu",
					   s->name, s->column, s->nres, s->plan);
	return 0;
}

static int judge_suite(struct tap_verdict *v, const struct tap_suite *s)
{
	if (judge_plan(v, s) < 0)
		return -1;
	if (!s->ended)
		return tap_verdict_problem(v, "%s[%s]: no end marker (the host died or hung in it)",
					   s->name, s->column);
	if (has_failing_case(s))
		return 0;
	if (!s->rc_valid)
		return tap_verdict_problem(v, "%s[%s]: end marker without a valid rc",
					   s->name, s->column);
	if (s->rc)
		return tap_verdict_problem(v, "%s[%s]: rc=%d but no failing case",
					   s->name, s->column, s->rc);
	return 0;
}

static int judge_run(struct tap_verdict *v, const struct tap_run *run)
{
	size_t i;

	for (i = 0; i < run->nsuites; i++)
		if (judge_suite(v, &run->suites[i]) < 0)
			return -1;
	if (!run->nsuites && tap_verdict_problem(v, "no suite ran") < 0)
		return -1;
	for (i = 0; i < run->nnotes; i++)
		if (verdict_list(v, "%s", run->notes[i]) < 0)
			return -1;
	v->failed += run->notes_total;
	if (run->notes_total > run->nnotes &&
	    verdict_list(v, "... and %lu more protocol errors",
			 run->notes_total - run->nnotes) < 0)
		return -1;
	if (!run->done &&
	    tap_verdict_problem(v, "no '# testhost: done' (the host died or the watchdog fired)") < 0)
		return -1;
	return 0;
}

static int judge_console(struct tap_verdict *v, const struct tap_console *con)
{
	const struct tap_console_line *cl;
	size_t i;

	for (i = 0; i < con->nlist; i++) {
		cl = &con->list[i];
		if (verdict_list(v, "console line %lu (%s): %s", cl->lineno,
				 cl->pattern, cl->text) < 0)
			return -1;
	}
	v->failed += con->distinct;
	if (con->distinct > con->nlist &&
	    verdict_list(v, "... and %lu more console problem lines",
			 con->distinct - (unsigned long)con->nlist) < 0)
		return -1;
	return 0;
}

int tap_verdict_compute(struct tap_verdict *v, const struct tap_run *run,
			const struct tap_console *con)
{
	struct tap_table tab;

	if (tap_table_build(&tab, run) < 0)
		return -1;
	count_cells(v, &tab);
	tap_table_free(&tab);
	if (judge_run(v, run) < 0)
		return -1;
	if (con && judge_console(v, con) < 0)
		return -1;
	return 0;
}
