/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the qemu_msrs suite. Input at GUEST_DATA_GPA, output on the
 * report page (R).
 */
#include "guest.h"

#define R		GUEST_REPORT_GPA
#define NO_FAULT	0xff

/*
 * Tries each entry of a list: u32 count at GUEST_DATA_GPA, entries of
 * { u32 index, u32 op, u64 value } from GUEST_DATA_GPA + 8; op 0: RDMSR,
 * 1: WRMSR then RDMSR, 2: WRMSR only. For entry i stores at R + 16 * i what
 * RDMSR returned (0 if none) and at R + 16 * i + 8 the vector of the
 * exception that stopped it (NO_FAULT if none).
 */
GUEST_BEGIN(msr_try)
	.code64
	mov GUEST_DATA_GPA, %r8d
	mov $GUEST_DATA_GPA + 8, %rsi
	mov $R, %rdi
1:	test %r8d, %r8d
	jz 6f
	movq $0, (%rdi)
	movq $NO_FAULT, 8(%rdi)
	movq $ABS(msr_try, 4f), EXC_FIXUP
	mov (%rsi), %ecx
	cmpl $0, 4(%rsi)
	je 2f
	mov 8(%rsi), %eax
	mov 12(%rsi), %edx
	wrmsr
	cmpl $2, 4(%rsi)
	je 3f
2:	rdmsr
	mov %eax, (%rdi)
	mov %edx, 4(%rdi)
3:	movq $0, EXC_FIXUP
	jmp 5f
4:	mov EXC_VECTOR, %rax
	mov %rax, 8(%rdi)
5:	add $16, %rsi
	add $16, %rdi
	dec %r8d
	jmp 1b
6:	hlt
GUEST_END(msr_try)

/*
 * Exits of each kind with known IF and TPR: an OUT with IF set and TPR 5,
 * a HLT with IF clear, an MMIO write with IF set and TPR 0, then a HLT.
 */
GUEST_BEGIN(run_fields)
	.code64
	mov $5, %eax
	mov %rax, %cr8
	sti
	nop
	out %al, $0x10
	cli
	hlt
	xor %eax, %eax
	mov %rax, %cr8
	mov $GUEST_MMIO_GPA, %rbx
	sti
	nop
	movl $1, (%rbx)
	hlt
GUEST_END(run_fields)

	.section .note.GNU-stack, "", @progbits
