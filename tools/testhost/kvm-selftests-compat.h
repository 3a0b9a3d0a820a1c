/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kvm-selftests-compat.h - force-included (gcc -include) into Linux's KVM
 * selftests by kvm-selftests-build.sh, only for a source tree whose
 * include/test_util.h lacks TEST_ASSERT_EQ: Debian's linux-source-6.1
 * (6.1.192), where two stable backports break the build as shipped.
 *
 * - dirty_log_test.c ("Ensure the previous iteration didn't leave a dangling
 *   semaphore") calls TEST_ASSERT_EQ(), a macro upstream added to
 *   test_util.h only in 6.5: the test does not link.  Below is that macro's
 *   meaning, written over TEST_ASSERT (expanded where it is used, after
 *   test_util.h is in).
 * - The uapi asm/kvm.h declares its flexible arrays with
 *   __DECLARE_FLEX_ARRAY() from <linux/stddef.h>, but includes only
 *   <linux/types.h>, which the selftests take from tools/include (it does
 *   not include stddef.h): steal_time.c, which includes <asm/kvm.h> before
 *   anything else, does not compile.  The definition below is the uapi
 *   header's, token for token, so that its later definition is a valid
 *   identical redefinition.
 */
#ifndef KVM_SELFTESTS_COMPAT_H
#define KVM_SELFTESTS_COMPAT_H

#define TEST_ASSERT_EQ(a, b)						\
	TEST_ASSERT((a) == (b), "%s == %s: %#lx != %#lx", #a, #b,	\
		    (unsigned long)(a), (unsigned long)(b))

#ifndef __DECLARE_FLEX_ARRAY
#define __DECLARE_FLEX_ARRAY(TYPE, NAME)	\
	struct { \
		struct { } __empty_ ## NAME; \
		TYPE NAME[]; \
	}
#endif

#endif /* KVM_SELFTESTS_COMPAT_H */
