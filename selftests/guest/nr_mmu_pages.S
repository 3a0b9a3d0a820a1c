/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest of the nr_mmu_pages suite, 64-bit: RCX pages, 2 MiB apart from RDI
 * (each behind its own page table), get their index written, then are read
 * back and summed into RAX; halts.
 */
#include "guest.h"

#define STRIDE	0x200000

GUEST_BEGIN(many_tables)
	.code64
	mov %rdi, %rsi
	xor %eax, %eax
1:	mov %rax, (%rsi)
	add $STRIDE, %rsi
	inc %rax
	cmp %rcx, %rax
	jb 1b
	mov %rdi, %rsi
	xor %edx, %edx
	xor %eax, %eax
2:	add (%rsi), %rdx
	add $STRIDE, %rsi
	inc %rax
	cmp %rcx, %rax
	jb 2b
	mov %rdx, %rax
	hlt
GUEST_END(many_tables)

	.section .note.GNU-stack, "", @progbits
