/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the guest_debug suite (64-bit). */
#include "guest.h"

#define R	GUEST_REPORT_GPA
#define DATA	GUEST_DATA_GPA

/*
 * An INT3 at label bp; if the guest takes the #BP itself, its handler
 * resumes at 1f. Reports 0x33 in R, then halts.
 */
GUEST_BEGIN(gd_int3)
	.code64
	movq $ABS(gd_int3, 1f), EXC_FIXUP
GUEST_LABEL(gd_int3, bp)
	int3
1:	movq $0x33, R
	hlt
GUEST_END(gd_int3)

/*
 * An instruction at label insn (a hardware execute breakpoint's target),
 * then a 4-byte write to DATA (label wr is the instruction, wr_done the
 * one after it), then a read back of DATA into R.
 */
GUEST_BEGIN(gd_hwbp)
	.code64
	nop
GUEST_LABEL(gd_hwbp, insn)
	nop
	mov $0x1234, %eax
GUEST_LABEL(gd_hwbp, wr)
	movl %eax, DATA
GUEST_LABEL(gd_hwbp, wr_done)
	movl DATA, %eax
	movq %rax, R
	hlt
GUEST_END(gd_hwbp)

/*
 * Single-stepped from s0: a plain instruction, CPUID (emulated in the
 * kernel), an OUT (completed by userspace), a jump; from s5 on the guest
 * runs freely and stores the RFLAGS it sees (PUSHF) in R.
 */
GUEST_BEGIN(gd_step)
	.code64
GUEST_LABEL(gd_step, s0)
	nop
GUEST_LABEL(gd_step, s1)
	xor %eax, %eax
GUEST_LABEL(gd_step, s2)
	cpuid
GUEST_LABEL(gd_step, s3)
	mov $GUEST_PORT_REPORT, %dx
GUEST_LABEL(gd_step, s4)
	out %eax, %dx
GUEST_LABEL(gd_step, s5)
	jmp 1f
	hlt
1:
GUEST_LABEL(gd_step, s6)
	mov $1, %ecx
GUEST_LABEL(gd_step, s7)
	pushfq
	popq %rax
	movq %rax, R
	hlt
GUEST_END(gd_step)

/*
 * The guest's own debug registers: sets DR0 to DATA + 8 with a write
 * breakpoint (DR7 L0, R/W0 = 01, LEN0 = 11), writes DATA + 8 (its #DB
 * handler resumes at 1f), reads DR0 and DR7 back into R[1], R[2], the #DB
 * count so far into R[0], and halts.
 */
GUEST_BEGIN(gd_guest_drs)
	.code64
	movq $(DATA + 8), %rax
	mov %rax, %dr0
	movq $0x000d0401, %rax
	mov %rax, %dr7
	movq $ABS(gd_guest_drs, 1f), EXC_FIXUP
	movl $7, DATA + 8
	nop
1:	movq EXC_COUNT, %rax
	movq %rax, R
	mov %dr0, %rax
	movq %rax, R + 8
	mov %dr7, %rax
	movq %rax, R + 16
	movl $8, DATA
	hlt
GUEST_END(gd_guest_drs)

/* Reads DR0-3, DR6, DR7 into R[0..5] and halts. */
GUEST_BEGIN(gd_read_drs)
	.code64
	mov %dr0, %rax
	movq %rax, R
	mov %dr1, %rax
	movq %rax, R + 8
	mov %dr2, %rax
	movq %rax, R + 16
	mov %dr3, %rax
	movq %rax, R + 24
	mov %dr6, %rax
	movq %rax, R + 32
	mov %dr7, %rax
	movq %rax, R + 40
	hlt
GUEST_END(gd_read_drs)

/*
 * For injected exceptions: the handler resumes at 1f; the guest then
 * reads DR6 into R and halts.
 */
GUEST_BEGIN(gd_inject)
	.code64
	movq $ABS(gd_inject, 1f), EXC_FIXUP
GUEST_LABEL(gd_inject, at)
	nop
	nop
1:	mov %dr6, %rax
	movq %rax, R
	hlt
GUEST_END(gd_inject)

/*
 * General detect: with DR7.GD set (by the host), the MOV from DR0 at label
 * mov faults with #DB; the handler resumes at 1f, where GD is clear: DR6
 * and DR7 go to R[1], R[2].
 */
GUEST_BEGIN(gd_gd)
	.code64
	movq $ABS(gd_gd, 1f), EXC_FIXUP
GUEST_LABEL(gd_gd, mov)
	mov %dr0, %rax
	movq $0x99, R
1:	mov %dr6, %rax
	movq %rax, R + 8
	mov %dr7, %rax
	movq %rax, R + 16
	hlt
GUEST_END(gd_gd)

/*
 * INT1 (ICEBP, 0xf1): a trap-like #DB for the guest; its handler resumes at
 * 1f, and the guest puts DR6 in R.
 */
GUEST_BEGIN(gd_icebp)
	.code64
	movq $ABS(gd_icebp, 1f), EXC_FIXUP
	.byte 0xf1
GUEST_LABEL(gd_icebp, after)
	nop
1:	mov %dr6, %rax
	movq %rax, R
	hlt
GUEST_END(gd_icebp)

	.section .note.GNU-stack, "", @progbits
