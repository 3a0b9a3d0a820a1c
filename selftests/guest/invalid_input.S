/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the invalid_input suite. */
#include "guest.h"

#define R	GUEST_REPORT_GPA

/* Real mode: CPUID leaves 0, 1 and 0x80000000 into the report page. */
GUEST_BEGIN(ii_cpuid16)
	.code16
	xor %eax, %eax
	xor %ecx, %ecx
	cpuid
	mov %eax, R
	mov %ebx, R + 4
	mov %ecx, R + 8
	mov %edx, R + 12
	mov $1, %eax
	xor %ecx, %ecx
	cpuid
	mov %eax, R + 16
	mov %ebx, R + 20
	mov %ecx, R + 24
	mov %edx, R + 28
	mov $0x80000000, %eax
	xor %ecx, %ecx
	cpuid
	mov %eax, R + 32
	mov %ebx, R + 36
	mov %ecx, R + 40
	mov %edx, R + 44
	hlt
GUEST_END(ii_cpuid16)

/* Halts, and halts again each time it runs. */
GUEST_BEGIN(ii_hlt)
	.code64
1:	hlt
	jmp 1b
GUEST_END(ii_hlt)

	.section .note.GNU-stack, "", @progbits
