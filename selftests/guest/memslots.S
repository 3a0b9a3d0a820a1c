/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the memslots suite. RBX is the address they read (set by the host). */
#include "guest.h"

#define MS_MAILBOX	(GUEST_DATA_GPA + 0x00)
#define MS_STOP		(GUEST_DATA_GPA + 0x08)
#define MS_TABLE	(GUEST_FREE_GPA)
#define MS_OUT		(GUEST_FREE_GPA + 0x10000)

/*
 * Reads the 32-bit word at RBX over and over, without exits of its own;
 * after each read publishes (iteration << 32 | value) at MS_MAILBOX in one
 * store; halts once the host sets MS_STOP.
 */
GUEST_BEGIN(ms_reader)
	.code64
	xor %ecx, %ecx
1:	mov (%rbx), %eax
	inc %rcx
	mov %rcx, %rdx
	shl $32, %rdx
	or %rax, %rdx
	mov %rdx, MS_MAILBOX
	cmpq $0, MS_STOP
	je 1b
	hlt
GUEST_END(ms_reader)

/* Reports the word at RBX, stores ESI there, halts; again when run again. */
GUEST_BEGIN(ms_rw)
	.code64
1:	mov (%rbx), %eax
	GUEST_REPORT_EAX
	mov %esi, (%rbx)
	hlt
	jmp 1b
GUEST_END(ms_rw)

/*
 * For each address of the table at MS_TABLE (a count, then addresses):
 * reads the quadword there into MS_OUT + 8 * i and writes its complement
 * back. Then halts.
 */
GUEST_BEGIN(ms_table)
	.code64
	mov $MS_TABLE, %rsi
	mov (%rsi), %rcx
	add $8, %rsi
	mov $MS_OUT, %rdi
1:	test %rcx, %rcx
	jz 2f
	mov (%rsi), %rbx
	mov (%rbx), %rax
	mov %rax, (%rdi)
	not %rax
	mov %rax, (%rbx)
	add $8, %rsi
	add $8, %rdi
	dec %rcx
	jmp 1b
2:	hlt
GUEST_END(ms_table)

	.section .note.GNU-stack, "", @progbits
