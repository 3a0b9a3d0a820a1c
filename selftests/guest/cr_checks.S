/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the cr_checks suite: one MOV to a control register from RAX (EAX
 * in 32-bit mode), with a fixup so that a #GP lands on the HLT too. The
 * report word R says whether the MOV went through (1) or faulted (0).
 */
#include "guest.h"

#define R	GUEST_REPORT_GPA

#define CR_GUEST64(name, ...)						\
GUEST_BEGIN(name);							\
	.code64;							\
	movq $0, R;							\
	movq $ABS(name, 1f), EXC_FIXUP;					\
	__VA_ARGS__;								\
	movq $1, R;							\
1:	movq $0, EXC_FIXUP;						\
	hlt;								\
GUEST_END(name)

#define CR_GUEST32(name, ...)						\
GUEST_BEGIN(name);							\
	.code32;							\
	movl $0, R;							\
	movl $ABS(name, 1f), EXC_FIXUP;					\
	__VA_ARGS__;								\
	movl $1, R;							\
1:	movl $0, EXC_FIXUP;						\
	hlt;								\
GUEST_END(name)

CR_GUEST64(cr64_mov_cr4, mov %rax, %cr4)
CR_GUEST64(cr64_mov_cr0, mov %rax, %cr0)
CR_GUEST32(cr32_mov_cr4, mov %eax, %cr4)
CR_GUEST32(cr32_mov_cr0, mov %eax, %cr0)

/*
 * SMSW and LMSW with memory operands: SMSW stores CR0[15:0] at R+16, LMSW
 * loads the word the host put at R+24; then CR0 goes to R+8 and 1 to R.
 */
GUEST_BEGIN(cr64_msw)
	.code64
	movq $0, R
	movq $ABS(cr64_msw, 1f), EXC_FIXUP
	smsw R + 16
	lmsw R + 24
	mov %cr0, %rax
	movq %rax, R + 8
	movq $1, R
1:	movq $0, EXC_FIXUP
	hlt
GUEST_END(cr64_msw)

	.section .note.GNU-stack, "", @progbits
