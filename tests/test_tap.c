// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_tap.c - unit tests of tools/testhost/tap.c, the judge of a boot.
 * Every rule is tested both ways: the bad log fails, the good one passes.
 */
#define _GNU_SOURCE

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

#define HDR	"# testhost: target=svm kernel=6.1.0-56-amd64\n"
#define DONE	"# testhost: done\n"
/* A complete suite, then its variants. */
#define SUITE(body, rc) \
	"# suite: s column=minivirt\nTAP version 13\n" body \
	"# end-suite: s rc=" rc "\n"
#define GOOD_BODY "1..3\nok 1 a\nok 2 - b\nok 3 c # SKIP no /dev/kvm\n"

#define N(a) ((int)(sizeof(a) / sizeof(*(a))))

/* Feed text (lines split at '\n', kept with any '\r'). */
static void feed_text(void *obj, const char *text, bool console)
{
	const char *p = text, *nl;
	size_t len;
	int ret;

	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		ret = console ? tap_console_feed(obj, p, len)
			      : tap_run_feed(obj, p, len);
		ck_assert_int_eq(ret, 0);
		p += len + (nl != NULL);
	}
}

static void judge(struct tap_verdict *v, const char *tap, const char *console)
{
	struct tap_console con;
	struct tap_run run;

	tap_run_init(&run);
	tap_console_init(&con);
	feed_text(&run, tap, false);
	feed_text(&con, console, true);
	tap_verdict_init(v);
	ck_assert_int_eq(tap_verdict_compute(v, &run, &con), 0);
	tap_console_free(&con);
	tap_run_free(&run);
}

static bool has_problem(const struct tap_verdict *v, const char *sub)
{
	size_t i;

	for (i = 0; i < v->nproblems; i++)
		if (strstr(v->problems[i], sub))
			return true;
	return false;
}

/* Judge a TAP log with a clean console, check failed count, free. */
static void expect_failed(const char *tap, unsigned long failed,
			  const char *problem)
{
	struct tap_verdict v;

	judge(&v, tap, "");
	ck_assert_uint_eq(v.failed, failed);
	if (problem)
		ck_assert_msg(has_problem(&v, problem), "no problem '%s'",
			      problem);
	tap_verdict_free(&v);
}

/* ---- parsing ---- */

START_TEST(test_readme_example)
{
	struct tap_run run;
	struct tap_suite *s;

	tap_run_init(&run);
	feed_text(&run, HDR "# suite: system_ioctls column=minivirt\n"
		  "TAP version 13\n1..3\nok 1 api_version\n"
		  "not ok 2 check_extension # expected 0, got 1\n"
		  "ok 3 mmap_size # SKIP no /dev/kvm\n"
		  "# end-suite: system_ioctls rc=1\n", false);
	ck_assert_uint_eq(run.nsuites, 1);
	s = &run.suites[0];
	ck_assert_str_eq(s->name, "system_ioctls");
	ck_assert_str_eq(s->column, "minivirt");
	ck_assert(s->has_plan);
	ck_assert_uint_eq(s->plan, 3);
	ck_assert_uint_eq(s->nres, 3);
	ck_assert_uint_eq(s->res[0].num, 1);
	ck_assert_str_eq(s->res[0].name, "api_version");
	ck_assert_int_eq(s->res[0].status, TAP_OK);
	ck_assert_str_eq(s->res[1].name, "check_extension");
	ck_assert_int_eq(s->res[1].status, TAP_FAIL);
	ck_assert_str_eq(s->res[2].name, "mmap_size");
	ck_assert_int_eq(s->res[2].status, TAP_SKIP);
	ck_assert(s->ended);
	ck_assert(s->rc_valid);
	ck_assert_int_eq(s->rc, 1);
	ck_assert(!run.open);
	ck_assert_str_eq(tap_run_header(&run, "target"), "svm");
	ck_assert_str_eq(tap_run_header(&run, "kernel"), "6.1.0-56-amd64");
	ck_assert_ptr_null(tap_run_header(&run, "done"));
	ck_assert(!run.done);
	ck_assert_uint_eq(run.notes_total, 0);
	tap_run_free(&run);
}
END_TEST

static const struct {
	const char *line;
	bool done;
} done_cases[] = {
	{ "# testhost: done", true },
	{ "# testhost: done\r", true },
	{ "# testhost:   done  ", true },
	{ "# testhost: done?", false },
	{ "# testhost: donex", false },
	{ "x# testhost: done", false },
	{ " # testhost: done", false },
	{ "#testhost: done", false },
	{ "# testhost: target=done", false },
};

START_TEST(test_done_marker)
{
	struct tap_run run;

	tap_run_init(&run);
	feed_text(&run, done_cases[_i].line, false);
	ck_assert_msg(run.done == done_cases[_i].done, "'%s'",
		      done_cases[_i].line);
	tap_run_free(&run);
}
END_TEST

static const struct {
	const char *line;
	unsigned long num;
	const char *name;
	enum tap_status status;
} result_cases[] = {
	{ "ok 1 api_version", 1, "api_version", TAP_OK },
	{ "ok 1 - api_version", 1, "api_version", TAP_OK },
	{ "ok 1 -api_version", 1, "-api_version", TAP_OK },
	{ "ok 1 - foo - bar", 1, "foo - bar", TAP_OK },
	{ "ok 1", 1, "1", TAP_OK },
	{ "ok 1 -", 1, "1", TAP_OK },
	{ "ok", 1, "1", TAP_OK },
	{ "ok name_only", 1, "name_only", TAP_OK },
	{ "ok 1foo", 1, "1foo", TAP_OK },
	{ "ok 1 a \\# b", 1, "a # b", TAP_OK },
	{ "ok 1\tname\t", 1, "name", TAP_OK },
	{ "not ok 1 x", 1, "x", TAP_FAIL },
	{ "not ok 1 - x # expected 0, got 1", 1, "x", TAP_FAIL },
	{ "not ok 1", 1, "1", TAP_FAIL },
	{ "ok 1 x # SKIP no /dev/kvm", 1, "x", TAP_SKIP },
	{ "ok 1 x # skip", 1, "x", TAP_SKIP },
	{ "ok 1 x #SKIP", 1, "x", TAP_SKIP },
	{ "ok 1 x # Skipped: no EPT", 1, "x", TAP_SKIP },
	{ "ok 1 # SKIP", 1, "1", TAP_SKIP },
	{ "not ok 1 x # SKIP", 1, "x", TAP_FAIL },
	{ "not ok 1 x # TODO not implemented", 1, "x", TAP_TODO },
	{ "not ok 1 x # todo", 1, "x", TAP_TODO },
	{ "ok 1 x # TODO", 1, "x", TAP_TODO },
	{ "not ok 1 x # TODOS", 1, "x", TAP_FAIL },
	{ "ok 1 x # XFAIL", 1, "x", TAP_OK },
	{ "not ok 1 x\r", 1, "x", TAP_FAIL },
	{ "ok 1 x # SKIP\r", 1, "x", TAP_SKIP },
};

START_TEST(test_result_line)
{
	struct tap_run run;
	struct tap_result *r;

	tap_run_init(&run);
	feed_text(&run, "# suite: s column=c\n", false);
	feed_text(&run, result_cases[_i].line, false);
	ck_assert_msg(run.suites[0].nres == 1, "'%s' not a result",
		      result_cases[_i].line);
	r = &run.suites[0].res[0];
	ck_assert_uint_eq(r->num, result_cases[_i].num);
	ck_assert_str_eq(r->name, result_cases[_i].name);
	ck_assert_msg(r->status == result_cases[_i].status, "'%s': %d",
		      result_cases[_i].line, r->status);
	tap_run_free(&run);
}
END_TEST

static const char *const not_results[] = {
	"okay 1 x", "ok1 x", "notok 1 x", "not  ok 1 x", "not ok1",
	"  ok 1 indented subtest", "    not ok 1 indented subtest",
	"# ok 1 diagnostic", "Ok 1 x", "OK 1 x", "nok 1", "",
	"TAP version 13", "KTAP version 1", "1..", "1..x", "0..3",
	"1..3 extra", "# Totals: pass:1 fail:0",
};

START_TEST(test_not_a_result)
{
	struct tap_run run;

	tap_run_init(&run);
	feed_text(&run, "# suite: s column=c\n", false);
	feed_text(&run, not_results[_i], false);
	ck_assert_msg(run.suites[0].nres == 0, "'%s' taken as a result",
		      not_results[_i]);
	ck_assert_msg(!run.suites[0].has_plan, "'%s' taken as a plan",
		      not_results[_i]);
	ck_assert_uint_eq(run.notes_total, 0);
	tap_run_free(&run);
}
END_TEST

START_TEST(test_plan_forms)
{
	struct tap_run run;

	tap_run_init(&run);
	feed_text(&run, "# suite: a column=c\n1..0 # SKIP no kvm\n"
		  "# suite: b column=c\n1..12\n# suite: c column=c\n"
		  "1..99999999999999999999999\n", false);
	ck_assert(run.suites[0].has_plan);
	ck_assert_uint_eq(run.suites[0].plan, 0);
	ck_assert_uint_eq(run.suites[1].plan, 12);
	ck_assert(run.suites[2].has_plan);	/* saturated, never met */
	tap_run_free(&run);
}
END_TEST

START_TEST(test_crlf)
{
	struct tap_verdict v;
	struct tap_run run;

	tap_run_init(&run);
	feed_text(&run, "# testhost: target=vmx\r\n# suite: s column=kvm\r\n"
		  "1..1\r\nok 1 a\r\n# end-suite: s rc=0\r\n"
		  "# testhost: done\r\n", false);
	ck_assert_str_eq(tap_run_header(&run, "target"), "vmx");
	ck_assert_str_eq(run.suites[0].column, "kvm");
	ck_assert_str_eq(run.suites[0].res[0].name, "a");
	ck_assert(run.suites[0].ended && run.suites[0].rc_valid);
	ck_assert(run.done);
	tap_verdict_init(&v);
	ck_assert_int_eq(tap_verdict_compute(&v, &run, NULL), 0);
	ck_assert_uint_eq(v.failed, 0);
	ck_assert_uint_eq(v.passed, 1);
	tap_verdict_free(&v);
	tap_run_free(&run);
}
END_TEST

START_TEST(test_garbage_bytes)
{
	static const char nul_done[] = "\0\0# testhost: done";
	static const char bad[] = "ok 1 a\x01" "b\xff\x80" "c\x7f";
	static const char nul_mid[] = "ok 2 x\0y";
	struct tap_run run;

	tap_run_init(&run);
	feed_text(&run, "# suite: s column=c\n", false);
	ck_assert_int_eq(tap_run_feed(&run, bad, sizeof(bad) - 1), 0);
	ck_assert_int_eq(tap_run_feed(&run, nul_mid, sizeof(nul_mid) - 1), 0);
	ck_assert_int_eq(tap_run_feed(&run, nul_done, sizeof(nul_done) - 1),
			 0);
	ck_assert_uint_eq(run.suites[0].nres, 2);
	ck_assert_str_eq(run.suites[0].res[0].name, "a?b??c?");
	ck_assert_str_eq(run.suites[0].res[1].name, "xy");
	ck_assert(run.done);
	ck_assert_int_eq(tap_run_feed(&run, "", 0), 0);
	ck_assert_int_eq(tap_run_feed(&run, "\r\n\r", 3), 0);
	tap_run_free(&run);
}
END_TEST

START_TEST(test_overlong_line)
{
	size_t n = 100000;
	struct tap_run run;
	char *line = malloc(n);

	ck_assert_ptr_nonnull(line);
	memcpy(line, "ok 1 ", 5);
	memset(line + 5, 'x', n - 5);
	tap_run_init(&run);
	feed_text(&run, "# suite: s column=c\n", false);
	ck_assert_int_eq(tap_run_feed(&run, line, n), 0);
	ck_assert_uint_eq(run.suites[0].nres, 1);
	ck_assert_uint_eq(strlen(run.suites[0].res[0].name),
			  TAP_LINE_MAX - 1 - 5);
	memcpy(line, "# testhost: k=", 14);
	ck_assert_int_eq(tap_run_feed(&run, line, n), 0);
	ck_assert_uint_eq(strlen(tap_run_header(&run, "k")),
			  TAP_LINE_MAX - 1 - 14);
	free(line);
	tap_run_free(&run);
}
END_TEST

START_TEST(test_getline)
{
	static const char text[] = "abc\r\n0123456789012345678901234\n"
				   "a\0b\n\nlast";
	char buf[16];
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(tap_getline(f, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "abc\r");
	ck_assert_int_eq(tap_getline(f, buf, sizeof(buf)), 15);
	ck_assert_str_eq(buf, "012345678901234");	/* rest dropped */
	ck_assert_int_eq(tap_getline(f, buf, sizeof(buf)), 3);
	ck_assert(!memcmp(buf, "a\0b", 4));
	ck_assert_int_eq(tap_getline(f, buf, sizeof(buf)), 0);
	ck_assert_int_eq(tap_getline(f, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "last");
	ck_assert_int_eq(tap_getline(f, buf, sizeof(buf)), -1);
	fclose(f);
}
END_TEST

/* Any input: no crash, no leak, no invalid read (run under valgrind). */
START_TEST(test_fuzz)
{
	static const char *const frag[] = {
		"ok ", "not ok ", "1..", "# suite: ", "# end-suite: ",
		"# testhost: ", "done", "column=", "rc=", "Bail out!", "#",
		"\\", " - ", "SKIP", "TODO", "-", "=", " ", "\r", "s", "c",
		"18446744073709551616", "4294967296", "-2147483649", "0",
	};
	unsigned int seed = 1, i, j, n;
	struct tap_console con;
	struct tap_verdict v;
	struct tap_table tab;
	struct tap_run run;
	char line[256];
	size_t len;

	tap_run_init(&run);
	tap_console_init(&con);
	for (i = 0; i < 20000; i++) {
		len = 0;
		n = rand_r(&seed) % 8;
		for (j = 0; j < n; j++) {
			const char *f = frag[rand_r(&seed) % N(frag)];
			size_t fl = strlen(f);

			if (rand_r(&seed) % 4 == 0) {
				line[len++] = (char)rand_r(&seed);
				continue;
			}
			memcpy(line + len, f, fl);
			len += fl;
		}
		ck_assert_int_eq(tap_run_feed(&run, line, len), 0);
		ck_assert_int_eq(tap_console_feed(&con, line, len), 0);
	}
	ck_assert_int_eq(tap_table_build(&tab, &run), 0);
	tap_table_free(&tab);
	tap_verdict_init(&v);
	ck_assert_int_eq(tap_verdict_compute(&v, &run, &con), 0);
	ck_assert_uint_gt(v.failed, 0);
	tap_verdict_free(&v);
	tap_console_free(&con);
	tap_run_free(&run);
}
END_TEST

/* ---- verdict ---- */

START_TEST(test_clean_run)
{
	struct tap_verdict v;

	judge(&v, HDR SUITE(GOOD_BODY, "0") DONE, "[ 0.0] Linux version 6.1\n");
	ck_assert_uint_eq(v.passed, 2);
	ck_assert_uint_eq(v.failed, 0);
	ck_assert_uint_eq(v.skipped, 1);
	ck_assert_uint_eq(v.nproblems, 0);
	tap_verdict_free(&v);
}
END_TEST

START_TEST(test_failing_case)
{
	expect_failed(HDR SUITE("1..2\nok 1 a\nnot ok 2 b\n", "1") DONE, 1,
		      NULL);
	expect_failed(HDR SUITE("1..2\nok 1 a\nnot ok 2 b # SKIP\n", "1")
		      DONE, 1, NULL);
}
END_TEST

START_TEST(test_todo_is_not_failure)
{
	struct tap_verdict v;

	judge(&v, HDR SUITE("1..2\nok 1 a\nnot ok 2 b # TODO later\n", "0")
	      DONE, "");
	ck_assert_uint_eq(v.failed, 0);
	ck_assert_uint_eq(v.passed, 1);
	ck_assert_uint_eq(v.skipped, 1);
	tap_verdict_free(&v);
	/* a TODO failure is not the failing case a non-zero rc needs */
	expect_failed(HDR SUITE("1..1\nnot ok 1 b # TODO\n", "1") DONE, 1,
		      "rc=1 but no failing case");
}
END_TEST

START_TEST(test_fewer_results_than_plan)
{
	expect_failed(HDR SUITE("1..3\nok 1 a\nok 2 b\n", "0") DONE, 1,
		      "only 2 of 3");
	expect_failed(HDR SUITE("1..3\n", "0") DONE, 1, "only 0 of 3");
	/* trailing plan is fine */
	expect_failed(HDR SUITE("ok 1 a\nok 2 b\n1..2\n", "0") DONE, 0, NULL);
}
END_TEST

START_TEST(test_more_results_than_plan)
{
	expect_failed(HDR SUITE("1..1\nok 1 a\nok 2 b\n", "0") DONE, 1,
		      "2 results, but the plan is 1");
}
END_TEST

START_TEST(test_no_plan)
{
	expect_failed(HDR SUITE("ok 1 a\n", "0") DONE, 1, "no plan");
	expect_failed(HDR SUITE("", "0") DONE, 1, "no plan");
	expect_failed(HDR SUITE("1..0 # SKIP no kvm\n", "0") DONE, 0, NULL);
}
END_TEST

START_TEST(test_missing_end_marker)
{
	expect_failed(HDR "# suite: s column=c\n1..1\nok 1 a\n" DONE, 1,
		      "no end marker");
	expect_failed(HDR "# suite: s column=c\n1..1\nok 1 a\n"
		      "# end-suite: s rc=0\n" DONE, 0, NULL);
	/* a new suite does not end the previous one */
	expect_failed(HDR "# suite: s column=c\n1..1\nok 1 a\n"
		      "# suite: t column=c\n1..1\nok 1 a\n"
		      "# end-suite: t rc=0\n" DONE, 1, "s[c]: no end marker");
}
END_TEST

START_TEST(test_end_marker_of_another_suite)
{
	expect_failed(HDR "# suite: s column=c\n1..1\nok 1 a\n"
		      "# end-suite: t rc=0\n" DONE, 2, "another suite");
	expect_failed(HDR "# suite: s column=c\n1..1\nok 1 a\n"
		      "# end-suite: s rc=0\n# end-suite: s rc=0\n" DONE, 1,
		      "end marker outside a suite");
	expect_failed(HDR "# suite: s column=c\n1..1\nok 1 a\n"
		      "# end-suite:\n" DONE, 2, "another suite");
}
END_TEST

START_TEST(test_rc_without_failing_case)
{
	expect_failed(HDR SUITE(GOOD_BODY, "1") DONE, 1,
		      "rc=1 but no failing case");
	expect_failed(HDR SUITE(GOOD_BODY, "-11") DONE, 1, "rc=-11");
	expect_failed(HDR SUITE(GOOD_BODY, "139") DONE, 1, "rc=139");
	/* the failing case explains the rc: one failure, not two */
	expect_failed(HDR SUITE("1..1\nnot ok 1 a\n", "1") DONE, 1, NULL);
	/* a failing case with rc=0 still fails */
	expect_failed(HDR SUITE("1..1\nnot ok 1 a\n", "0") DONE, 1, NULL);
}
END_TEST

START_TEST(test_bad_rc)
{
	expect_failed(HDR SUITE(GOOD_BODY, "x") DONE, 1, "without a valid rc");
	expect_failed(HDR SUITE(GOOD_BODY, "") DONE, 1, "without a valid rc");
	expect_failed(HDR SUITE(GOOD_BODY, "1x") DONE, 1, "valid rc");
	expect_failed(HDR SUITE(GOOD_BODY, "99999999999") DONE, 1, "valid rc");
	expect_failed(HDR "# suite: s column=c\n" GOOD_BODY
		      "# end-suite: s\n" DONE, 1, "valid rc");
}
END_TEST

START_TEST(test_missing_done)
{
	expect_failed(HDR SUITE(GOOD_BODY, "0"), 1, "testhost: done");
	expect_failed(HDR SUITE(GOOD_BODY, "0") "# testhost: don\n", 1,
		      "testhost: done");
}
END_TEST

START_TEST(test_output_after_done)
{
	/* a second run appended to the log: each of its 8 markers fails */
	expect_failed(HDR SUITE(GOOD_BODY, "0") DONE HDR SUITE(GOOD_BODY, "0")
		      DONE, 8, "after '# testhost: done'");
	/* a run that died at once, appended to a complete one */
	expect_failed(HDR SUITE(GOOD_BODY, "0") DONE HDR, 1,
		      "after '# testhost: done': # testhost: target=svm");
	expect_failed(HDR SUITE(GOOD_BODY, "0") DONE "ok 4 late\n", 2,
		      "outside a suite");
	expect_failed(HDR SUITE(GOOD_BODY, "0") DONE "Bail out!\n", 2, NULL);
	/* diagnostics and other output are not judged */
	expect_failed(HDR SUITE(GOOD_BODY, "0") DONE "# bye\nreboot: x\n\n",
		      0, NULL);
}
END_TEST

START_TEST(test_truncated_run)
{
	/* the host died during case 2: plan, end marker and done missing */
	expect_failed(HDR "# suite: s column=c\n1..3\nok 1 a\nok 2", 3, NULL);
	expect_failed("", 2, "no suite ran");
}
END_TEST

START_TEST(test_no_suite)
{
	expect_failed(HDR DONE, 1, "no suite ran");
}
END_TEST

START_TEST(test_bail_out)
{
	expect_failed(HDR SUITE(GOOD_BODY "Bail out! no /dev/kvm\n", "0")
		      DONE, 1, "Bail out! no /dev/kvm");
	expect_failed(HDR SUITE(GOOD_BODY, "0") "Bail out!\n" DONE, 1,
		      "Bail out!");
	expect_failed(HDR SUITE(GOOD_BODY "Bail out\n", "0") DONE, 0, NULL);
}
END_TEST

START_TEST(test_protocol_errors)
{
	expect_failed(HDR "ok 1 a\n" SUITE(GOOD_BODY, "0") DONE, 1,
		      "result outside a suite");
	expect_failed(HDR SUITE(GOOD_BODY, "0") "not ok 4 late\n" DONE, 1,
		      "result outside a suite");
	expect_failed(HDR SUITE(GOOD_BODY "1..3\n", "0") DONE, 1,
		      "second plan");
	expect_failed(HDR "1..3\n" SUITE(GOOD_BODY, "0") DONE, 1,
		      "plan outside a suite");
	expect_failed(HDR SUITE("1..3\nok 1 a\nok 3 b\nok 3 c\n", "0") DONE, 1,
		      "result 3 out of sequence (expected 2)");
	expect_failed(HDR "# suite: s\n" GOOD_BODY "# end-suite: s rc=0\n" DONE,
		      1, "without column=");
	expect_failed(HDR "# suite:\n" GOOD_BODY "# end-suite: ? rc=0\n" DONE,
		      1, "without a name");
}
END_TEST

START_TEST(test_notes_capped)
{
	struct tap_verdict v;
	char *tap = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&tap, &len);
	int i;

	ck_assert_ptr_nonnull(f);
	fputs(HDR SUITE(GOOD_BODY, "0"), f);
	for (i = 0; i < 100; i++)
		fprintf(f, "ok %d stray\n", i);
	fputs(DONE, f);
	fclose(f);
	judge(&v, tap, "");
	ck_assert_uint_eq(v.failed, 100);
	ck_assert_uint_eq(v.nproblems, TAP_NOTES_MAX + 1);
	ck_assert(has_problem(&v, "and 68 more protocol errors"));
	tap_verdict_free(&v);
	free(tap);
}
END_TEST

START_TEST(test_case_counts_once)
{
	struct tap_verdict v;

	/* same case twice in one suite and column: once */
	judge(&v, HDR SUITE("1..2\nok 1 a\nok 2 a\n", "0") DONE, "");
	ck_assert_uint_eq(v.passed, 1);
	ck_assert_uint_eq(v.failed, 0);
	tap_verdict_free(&v);
	/* a failure of any of its results wins */
	judge(&v, HDR SUITE("1..3\nok 1 a\nnot ok 2 a\nok 3 a\n", "1") DONE, "");
	ck_assert_uint_eq(v.passed, 0);
	ck_assert_uint_eq(v.failed, 1);
	tap_verdict_free(&v);
	/* the same suite in two columns: twice */
	judge(&v, HDR SUITE("1..1\nok 1 a\n", "0")
	      "# suite: s column=kvm\n1..1\nok 1 a\n# end-suite: s rc=0\n"
	      DONE, "");
	ck_assert_uint_eq(v.passed, 2);
	tap_verdict_free(&v);
	/* the same suite and column run twice: once */
	judge(&v, HDR SUITE("1..1\nok 1 a\n", "0") SUITE("1..1\nok 1 a\n", "0")
	      DONE, "");
	ck_assert_uint_eq(v.passed, 1);
	ck_assert_uint_eq(v.failed, 0);
	tap_verdict_free(&v);
}
END_TEST

START_TEST(test_problem_from_caller)
{
	struct tap_verdict v;

	judge(&v, HDR SUITE(GOOD_BODY, "0") DONE, "");
	ck_assert_int_eq(tap_verdict_problem(&v, "cannot open %s", "x.log"),
			 0);
	ck_assert_uint_eq(v.failed, 1);
	ck_assert_str_eq(v.problems[0], "cannot open x.log");
	tap_verdict_free(&v);
}
END_TEST

/* ---- console ---- */

static const struct {
	const char *line;
	const char *pattern;	/* NULL: harmless */
} console_cases[] = {
	{ "[   12.345678] Oops: 0000 [#1] PREEMPT SMP NOPTI", "Oops" },
	{ "[    1.0] BUG: unable to handle page fault for address: 0", "BUG:" },
	{ "[    1.0] WARNING: CPU: 0 PID: 1 at arch/x86/kvm/x.c:1 f+0x1/0x2",
	  "WARNING:" },
	{ "[    1.0] general protection fault, probably for non-canonical "
	  "address 0xdead: 0000 [#1] SMP", "general protection" },
	{ "[    1.0] Oops: general protection fault: 0000 [#1] SMP",
	  "general protection" },
	{ "[    1.0] traps: vmtest[99] general protection fault ip:4010",
	  "general protection" },
	{ "[    1.0] Kernel panic - not syncing: Fatal exception",
	  "Kernel panic" },
	{ "[    1.0]  Call Trace:", "Call Trace:" },
	{ "[    1.0] Call Trace:\r", "Call Trace:" },
	{ "[   30.0] watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [t:9]",
	  "soft lockup" },
	{ "[  120.0] INFO: task vmtest:99 blocked for more than 120 seconds.",
	  "blocked for more than" },
	{ "[  120.0] \"echo 0 > /proc/sys/kernel/hung_task_timeout_secs\" "
	  "disables this message.", "hung_task" },
	{ "[    1.0] UBSAN: shift-out-of-bounds in arch/x86/kvm/x.c:12:3",
	  "UBSAN:" },
	{ "[    1.0] BUG: KASAN: slab-out-of-bounds in f+0x1/0x2", "KASAN:" },
	{ "[    1.0] kernel BUG at arch/x86/kvm/mmu.c:123!", "kernel BUG at" },
	{ "\x01\xff[ 1.0] Oops\x80", "Oops" },
	/* the memory detectors run.sh turns on (slub_debug, page_poison, kfence) */
	{ "[   10.0] BUG kmalloc-64 (Tainted: G           OE     ): Right "
	  "Redzone overwritten", "BUG <cache> (<taint>):" },
	{ "[   10.0] BUG kvm_vcpu (Not tainted): Poison overwritten",
	  "BUG <cache> (<taint>):" },
	{ "[   10.0] BUG kmalloc-cg-64 (Tainted: G    B   O      ): Objects "
	  "remaining in kmalloc-cg-64 on __kmem_cache_shutdown()",
	  "BUG <cache> (<taint>):" },
	{ "[   10.0] pagealloc: memory corruption",
	  "pagealloc: memory corruption" },
	{ "[   10.0] pagealloc: single bit error",
	  "pagealloc: single bit error" },
	{ "[   10.0] BUG: KFENCE: use-after-free read in f+0x1/0x2", "KFENCE:" },
	/* the sanitizer kernel's (sanitizer.config) */
	{ "[   10.0] WARNING: possible circular locking dependency detected",
	  "WARNING:" },
	{ "[   10.0] WARNING: suspicious RCU usage", "WARNING:" },
	{ "[   10.0] BUG: sleeping function called from invalid context at "
	  "mm/slab.h:742", "BUG:" },
	{ "[   10.0] BUG: KASAN: use-after-free in f+0x1/0x2", "KASAN:" },
	{ "[   10.0] UBSAN: array-index-out-of-bounds in kmod/x.c:12:3",
	  "UBSAN:" },
	{ "unreferenced object 0xffff888003a1c000 (size 64):",
	  "unreferenced object 0x" },
	{ "[   10.0] kmemleak: Kernel memory leak detector initialized "
	  "(mem pool available: 15678)", NULL },
	{ "[    0.0] Linux version 6.1.0-56-amd64", NULL },
	{ "[    0.0] DEBUG: nothing", NULL },
	{ "[    0.0] DEBUG kmalloc-64 (Not tainted): glued", NULL },
	{ "[    0.0] BUG (Not tainted): no cache", NULL },
	{ "[    0.0] BUG kmalloc-64 (tainted): no such taint", NULL },
	{ "[    0.0] kfence: initialized - using 2097152 bytes for 255 objects "
	  "at 0x(____ptrval____)-0x(____ptrval____)", NULL },
	{ "[    0.0] mem auto-init: SLAB_POISON will take precedence over "
	  "init_on_alloc/init_on_free", NULL },
	{ "[    0.0] mem auto-init: CONFIG_PAGE_POISONING is on, will take "
	  "precedence over init_on_alloc and init_on_free", NULL },
	{ "[    0.0] PCI BUGS: none", NULL },
	{ "[    0.0] warning: lower case is not the kernel's WARNING", NULL },
	{ "[    0.0] ACPI Warning: something benign", NULL },
	{ "[    0.0] WARNINGS: 0", NULL },
	{ "[    0.0] khung_task stuff", NULL },
	{ "[    0.0] oops=panic", NULL },
	{ "[    0.0] Kernel command line: console=ttyS0 hung_task_panic=1 "
	  "softlockup_panic=1", NULL },
	{ "[    0.0] Command line: console=ttyS0 hung_task_panic=1", NULL },
	{ "", NULL },
};

START_TEST(test_console_match)
{
	const char *got;
	char buf[TAP_LINE_MAX];
	size_t i, n = 0;

	/* tap_console_match() sees sanitized text: mimic it for the table */
	for (i = 0; console_cases[_i].line[i]; i++) {
		unsigned char c = console_cases[_i].line[i];

		buf[n++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	buf[n] = '\0';
	got = tap_console_match(buf);
	if (!console_cases[_i].pattern)
		ck_assert_msg(!got, "'%s' matched %s", buf, got);
	else
		ck_assert_msg(got && !strcmp(got, console_cases[_i].pattern),
			      "'%s': got %s", buf, got ? got : "nothing");
}
END_TEST

START_TEST(test_console_distinct)
{
	struct tap_console con;
	struct tap_verdict v;
	struct tap_run run;

	tap_console_init(&con);
	feed_text(&con, "[ 1.0] Linux\n[ 2.0] WARNING: x\n[ 2.0] WARNING: x\r\n"
		  "[ 2.0] WARNING: x \n[ 3.0] WARNING: x\n[ 3.1] Call Trace:\n"
		  "[ 4.0] normal\n", true);
	ck_assert_uint_eq(con.lineno, 7);
	ck_assert_uint_eq(con.distinct, 3);
	ck_assert_uint_eq(con.nlist, 3);
	ck_assert_uint_eq(con.list[0].lineno, 2);
	ck_assert_str_eq(con.list[0].pattern, "WARNING:");
	ck_assert_str_eq(con.list[0].text, "[ 2.0] WARNING: x");
	ck_assert_uint_eq(con.list[2].lineno, 6);
	/* the console alone fails an otherwise clean run */
	tap_run_init(&run);
	feed_text(&run, HDR SUITE(GOOD_BODY, "0") DONE, false);
	tap_verdict_init(&v);
	ck_assert_int_eq(tap_verdict_compute(&v, &run, &con), 0);
	ck_assert_uint_eq(v.failed, 3);
	ck_assert_uint_eq(v.passed, 2);
	ck_assert(has_problem(&v, "console line 6 (Call Trace:)"));
	tap_verdict_free(&v);
	tap_run_free(&run);
	tap_console_free(&con);
}
END_TEST

START_TEST(test_console_listing_capped)
{
	struct tap_console con;
	struct tap_verdict v;
	struct tap_run run;
	char line[64];
	int i, n;

	tap_console_init(&con);
	for (i = 0; i < 3000; i++) {
		n = snprintf(line, sizeof(line), "[ %d.0] BUG: bad %d", i, i);
		ck_assert_int_eq(tap_console_feed(&con, line, n), 0);
		ck_assert_int_eq(tap_console_feed(&con, line, n), 0);
	}
	ck_assert_uint_eq(con.distinct, 3000);
	ck_assert_uint_eq(con.nlist, TAP_CONSOLE_LIST_MAX);
	tap_run_init(&run);
	feed_text(&run, HDR SUITE(GOOD_BODY, "0") DONE, false);
	tap_verdict_init(&v);
	ck_assert_int_eq(tap_verdict_compute(&v, &run, &con), 0);
	ck_assert_uint_eq(v.failed, 3000);
	ck_assert_uint_eq(v.nproblems, TAP_CONSOLE_LIST_MAX + 1);
	ck_assert(has_problem(&v, "and 2980 more console problem lines"));
	tap_verdict_free(&v);
	tap_run_free(&run);
	tap_console_free(&con);
}
END_TEST

/* ---- table ---- */

START_TEST(test_table)
{
	struct tap_table tab;
	struct tap_run run;

	tap_run_init(&run);
	feed_text(&run, "# suite: s column=minivirt\n1..2\nok 1 a\n"
		  "not ok 2 b\n# suite: s column=kvm\n1..3\nok 1 a\n"
		  "ok 2 b # TODO\nok 3 c # SKIP\n# suite: a.b column=kvm\n"
		  "ok 1 c\n# suite: a column=minivirt\nok 1 b.c\n", false);
	ck_assert_int_eq(tap_table_build(&tab, &run), 0);
	ck_assert_uint_eq(tab.ncols, 2);
	ck_assert_str_eq(tab.cols[0], "minivirt");
	ck_assert_str_eq(tab.cols[1], "kvm");
	ck_assert_uint_eq(tab.nrows, 5);
	ck_assert_str_eq(tab.rows[0].name, "a");
	ck_assert_int_eq(tab.rows[0].cells[0], TAP_OK);
	ck_assert_int_eq(tab.rows[0].cells[1], TAP_OK);
	ck_assert_str_eq(tab.rows[1].name, "b");
	ck_assert_int_eq(tab.rows[1].cells[0], TAP_FAIL);
	ck_assert_int_eq(tab.rows[1].cells[1], TAP_TODO);
	ck_assert_str_eq(tab.rows[2].name, "c");
	ck_assert_int_eq(tab.rows[2].cells[0], TAP_NONE);
	ck_assert_int_eq(tab.rows[2].cells[1], TAP_SKIP);
	ck_assert_str_eq(tab.rows[3].suite, "a.b");
	ck_assert_str_eq(tab.rows[3].name, "c");
	ck_assert_str_eq(tab.rows[4].suite, "a");
	ck_assert_str_eq(tab.rows[4].name, "b.c");
	ck_assert_str_eq(tap_status_cell(TAP_OK), "ok");
	ck_assert_str_eq(tap_status_cell(TAP_FAIL), "FAIL");
	ck_assert_str_eq(tap_status_cell(TAP_SKIP), "skip");
	ck_assert_str_eq(tap_status_cell(TAP_TODO), "skip");
	ck_assert_str_eq(tap_status_cell(TAP_NONE), "-");
	tap_table_free(&tab);
	tap_run_free(&run);
}
END_TEST

START_TEST(test_table_many_rows)
{
	struct tap_table tab;
	struct tap_run run;
	char line[64];
	int i, n;

	tap_run_init(&run);
	feed_text(&run, "# suite: s column=c\n", false);
	for (i = 1; i <= 5000; i++) {
		n = snprintf(line, sizeof(line), "ok %d case%d", i, i % 2500);
		ck_assert_int_eq(tap_run_feed(&run, line, n), 0);
	}
	ck_assert_int_eq(tap_table_build(&tab, &run), 0);
	ck_assert_uint_eq(tab.nrows, 2500);
	tap_table_free(&tab);
	tap_run_free(&run);
}
END_TEST

static Suite *tap_suite(void)
{
	Suite *s = suite_create("tap");
	TCase *tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_readme_example);
	tcase_add_loop_test(tc, test_done_marker, 0, N(done_cases));
	tcase_add_loop_test(tc, test_result_line, 0, N(result_cases));
	tcase_add_loop_test(tc, test_not_a_result, 0, N(not_results));
	tcase_add_test(tc, test_plan_forms);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_garbage_bytes);
	tcase_add_test(tc, test_overlong_line);
	tcase_add_test(tc, test_getline);
	tcase_add_test(tc, test_fuzz);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("verdict");
	tcase_add_test(tc, test_clean_run);
	tcase_add_test(tc, test_failing_case);
	tcase_add_test(tc, test_todo_is_not_failure);
	tcase_add_test(tc, test_fewer_results_than_plan);
	tcase_add_test(tc, test_more_results_than_plan);
	tcase_add_test(tc, test_no_plan);
	tcase_add_test(tc, test_missing_end_marker);
	tcase_add_test(tc, test_end_marker_of_another_suite);
	tcase_add_test(tc, test_rc_without_failing_case);
	tcase_add_test(tc, test_bad_rc);
	tcase_add_test(tc, test_missing_done);
	tcase_add_test(tc, test_output_after_done);
	tcase_add_test(tc, test_truncated_run);
	tcase_add_test(tc, test_no_suite);
	tcase_add_test(tc, test_bail_out);
	tcase_add_test(tc, test_protocol_errors);
	tcase_add_test(tc, test_notes_capped);
	tcase_add_test(tc, test_case_counts_once);
	tcase_add_test(tc, test_problem_from_caller);
	suite_add_tcase(s, tc);

	tc = tcase_create("console");
	tcase_add_loop_test(tc, test_console_match, 0, N(console_cases));
	tcase_add_test(tc, test_console_distinct);
	tcase_add_test(tc, test_console_listing_capped);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("table");
	tcase_add_test(tc, test_table);
	tcase_add_test(tc, test_table_many_rows);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tap_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
