/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the multi suite: several vCPUs of one VM, several VMs. */
#include "guest.h"

#define MU_INC		(GUEST_DATA_GPA + 0x000)
#define MU_XADD		(GUEST_DATA_GPA + 0x040)
#define MU_BARRIER	(GUEST_DATA_GPA + 0x080)
#define MU_N		100000
#define MU_ROUNDS	10
#define MU_SPIN_MAX	(1 << 30)

/*
 * vCPU i of R14 vCPUs (RBX = i, RDI = its own counters): MU_ROUNDS times,
 * MU_N times: count in (RDI), LOCK INC MU_INC, LOCK XADD MU_XADD (8(RDI)
 * counts the times another vCPU's XADD came in between two of its own);
 * then wait at a barrier until all R14 vCPUs finished the round (check 1
 * fails if that takes MU_SPIN_MAX rounds). Reports its own count, halts.
 */
GUEST_BEGIN(mu_count)
	.code64
	xor %r12d, %r12d
	xor %r13d, %r13d
1:	mov $MU_N, %ecx
2:	incq (%rdi)
	lock incq MU_INC
	mov $1, %eax
	lock xadd %rax, MU_XADD
	cmp %r13, %rax
	je 3f
	incq 8(%rdi)
3:	lea 1(%rax), %r13
	dec %ecx
	jnz 2b
	inc %r12
	lock incq MU_BARRIER
	mov %r14, %rax
	imul %r12, %rax
	mov $MU_SPIN_MAX, %ecx
4:	cmp MU_BARRIER, %rax
	jbe 5f
	dec %ecx
	jnz 4b
	GUEST_FAIL(1)
5:	cmp $MU_ROUNDS, %r12
	jne 1b
	mov (%rdi), %rax
	GUEST_REPORT_EAX
	hlt
GUEST_END(mu_count)

/* Reports (RBX << 24 | k) for k = 1 .. MU_EXITS, then halts. */
#define MU_EXITS	300
GUEST_BEGIN(mu_exits)
	.code64
	mov $1, %r12d
1:	mov %ebx, %eax
	shl $24, %eax
	or %r12d, %eax
	GUEST_REPORT_EAX
	inc %r12d
	cmp $MU_EXITS + 1, %r12d
	jne 1b
	hlt
GUEST_END(mu_exits)

/*
 * Canaries: fills RCX quadwords from RSI with (R8 | address), checks them
 * R11 times, reporting the round number after each; then reads the
 * quadword right after them (no memory: the host answers) and reports it,
 * and halts. A mismatch stores address and value in the report page and
 * fails check 2.
 */
GUEST_BEGIN(mu_canary)
	.code64
	xor %r9, %r9
1:	lea (%rsi,%r9,8), %rax
	or %r8, %rax
	mov %rax, (%rsi,%r9,8)
	inc %r9
	cmp %rcx, %r9
	jne 1b
	xor %r10, %r10
2:	xor %r9, %r9
3:	lea (%rsi,%r9,8), %rax
	or %r8, %rax
	cmp %rax, (%rsi,%r9,8)
	jne 9f
	inc %r9
	cmp %rcx, %r9
	jne 3b
	inc %r10
	mov %r10, %rax
	GUEST_REPORT_EAX
	cmp %r11, %r10
	jne 2b
	mov (%rsi,%rcx,8), %rax
	GUEST_REPORT_EAX
	hlt
9:	lea (%rsi,%r9,8), %rax
	mov %rax, GUEST_REPORT_GPA
	mov (%rsi,%r9,8), %rax
	mov %rax, GUEST_REPORT_GPA + 8
	GUEST_FAIL(2)
GUEST_END(mu_canary)

	.section .note.GNU-stack, "", @progbits
