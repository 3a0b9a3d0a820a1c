/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * msr_list, a guest of the guest library (suites cpuid_msr and kvmclock):
 * WRMSR then RDMSR for each entry of the list: u32 count at GUEST_DATA_GPA,
 * entries of { u32 index, u32 write, u64 value } from GUEST_DATA_GPA + 8
 * (write 0: RDMSR only). Stores what RDMSR returned (u64) at
 * GUEST_REPORT_GPA + 8 * i.
 */
#include "guest.h"

#define R		GUEST_REPORT_GPA

GUEST_BEGIN(msr_list)
	.code64
	mov GUEST_DATA_GPA, %r8d
	mov $GUEST_DATA_GPA + 8, %rsi
	mov $R, %rdi
1:	test %r8d, %r8d
	jz 3f
	mov (%rsi), %ecx
	cmpl $0, 4(%rsi)
	je 2f
	mov 8(%rsi), %eax
	mov 12(%rsi), %edx
	wrmsr
2:	rdmsr
	mov %eax, (%rdi)
	mov %edx, 4(%rdi)
	add $16, %rsi
	add $8, %rdi
	dec %r8d
	jmp 1b
3:	hlt
GUEST_END(msr_list)

	.section .note.GNU-stack, "", @progbits
