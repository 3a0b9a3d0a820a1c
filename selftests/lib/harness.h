/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small kselftest-style harness producing TAP 13.
 *
 * Each TEST() runs in its own forked child with a timeout, so a crash, hang or
 * failed ASSERT in one test cannot take the others down. EXPECT_* records a
 * failure and goes on; ASSERT_* records it and ends the test. Every selftest
 * takes --dev PATH (default /dev/minivirt): the same binary tests minivirt and
 * KVM, and knows which it faces (th_is_kvm) only where their documented answers
 * differ (uapi/minivirt.h).
 */
#ifndef MINIVIRT_SELFTEST_HARNESS_H
#define MINIVIRT_SELFTEST_HARNESS_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TH_EXIT_PASS	0
#define TH_EXIT_FAIL	1
#define TH_EXIT_SKIP	4	/* KSFT_SKIP */

struct th_test {
	const char *name;
	void (*fn)(void);
	unsigned int timeout_s;
	struct th_test *next;
};

void th_register(struct th_test *t);

/* The device under test and, for coexistence tests, the other hypervisor. */
extern const char *th_dev;
extern const char *th_other;
extern bool th_is_kvm;		/* th_dev is KVM's /dev/kvm (misc 10:232) */
extern bool th_other_is_kvm;

/* Is the node at path KVM's own /dev/kvm (misc 10:232), not minivirt's? */
bool th_path_is_kvm(const char *path);

/* Set by EXPECT_* in the running test (in the child). */
extern bool th_failed;

#define TEST_TIMEOUT(name_, secs)					\
	static void th_fn_##name_(void);				\
	static struct th_test th_t_##name_ = {				\
		.name = #name_, .fn = th_fn_##name_, .timeout_s = (secs) \
	};								\
	__attribute__((constructor)) static void th_reg_##name_(void)	\
	{								\
		th_register(&th_t_##name_);				\
	}								\
	static void th_fn_##name_(void)

#define TEST(name_)	TEST_TIMEOUT(name_, 60)

/*
 * A suite's own option, --name N (a number, strtoull base 0), beside the
 * harness's: TH_OPTION(calls, "calls to make", 100000) declares
 * unsigned long long th_opt_calls with that default.
 */
struct th_option {
	const char *name;
	const char *help;
	unsigned long long *val;
	struct th_option *next;
};

void th_register_option(struct th_option *o);

#define TH_OPTION(name_, help_, default_)				\
	static unsigned long long th_opt_##name_ = (default_);		\
	static struct th_option th_o_##name_ = {			\
		.name = #name_, .help = (help_), .val = &th_opt_##name_	\
	};								\
	__attribute__((constructor)) static void th_reg_o_##name_(void)	\
	{								\
		th_register_option(&th_o_##name_);			\
	}

#define TH_LOG(fmt, ...)						\
	do {								\
		printf("# %s:%d: " fmt "\n", __FILE__, __LINE__,	\
		       ##__VA_ARGS__);					\
		fflush(stdout);						\
	} while (0)

#define TH_FAIL(fmt, ...)						\
	do {								\
		TH_LOG(fmt, ##__VA_ARGS__);				\
		th_failed = true;					\
	} while (0)

#define SKIP(fmt, ...)							\
	do {								\
		printf("# SKIP " fmt "\n", ##__VA_ARGS__);		\
		fflush(stdout);						\
		exit(th_failed ? TH_EXIT_FAIL : TH_EXIT_SKIP);		\
	} while (0)

#define TH_END_IF_FAILED()						\
	do {								\
		if (th_failed)						\
			exit(TH_EXIT_FAIL);				\
	} while (0)

#define TH_CMP(a, op, b, fatal)						\
	do {								\
		long long th_a_ = (long long)(a);			\
		long long th_b_ = (long long)(b);			\
		if (!(th_a_ op th_b_)) {				\
			TH_FAIL("%s %s %s: %lld vs %lld (%#llx vs %#llx)", \
				#a, #op, #b, th_a_, th_b_,		\
				(unsigned long long)th_a_,		\
				(unsigned long long)th_b_);		\
			if (fatal)					\
				exit(TH_EXIT_FAIL);			\
		}							\
	} while (0)

#define EXPECT_EQ(a, b)		TH_CMP(a, ==, b, false)
#define EXPECT_NE(a, b)		TH_CMP(a, !=, b, false)
#define EXPECT_GE(a, b)		TH_CMP(a, >=, b, false)
#define EXPECT_LE(a, b)		TH_CMP(a, <=, b, false)
#define EXPECT_TRUE(c)		TH_CMP(!!(c), ==, 1, false)
#define ASSERT_EQ(a, b)		TH_CMP(a, ==, b, true)
#define ASSERT_NE(a, b)		TH_CMP(a, !=, b, true)
#define ASSERT_GE(a, b)		TH_CMP(a, >=, b, true)
#define ASSERT_TRUE(c)		TH_CMP(!!(c), ==, 1, true)

/* A call that must fail with -1 and errno err. */
#define TH_ERRNO(expr, err, fatal)					\
	do {								\
		long th_r_;						\
		errno = 0;						\
		th_r_ = (long)(expr);					\
		if (th_r_ != -1 || errno != (err)) {			\
			TH_FAIL("%s: returned %ld errno %d (%s), expected -1 errno %d (%s)", \
				#expr, th_r_, errno, strerror(errno),	\
				(err), strerror(err));			\
			if (fatal)					\
				exit(TH_EXIT_FAIL);			\
		}							\
	} while (0)

#define EXPECT_ERRNO(expr, err)	TH_ERRNO(expr, err, false)
#define ASSERT_ERRNO(expr, err)	TH_ERRNO(expr, err, true)

/* A call that must succeed (return >= 0); evaluates to its result. */
#define ASSERT_OK(expr)							\
	({								\
		long th_r_;						\
		errno = 0;						\
		th_r_ = (long)(expr);					\
		if (th_r_ < 0) {					\
			TH_FAIL("%s: returned %ld errno %d (%s)", #expr,	\
				th_r_, errno, strerror(errno));		\
			exit(TH_EXIT_FAIL);				\
		}							\
		th_r_;							\
	})

#endif /* MINIVIRT_SELFTEST_HARNESS_H */
