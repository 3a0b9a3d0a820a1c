/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the signals suite. */
#include "guest.h"

#define R		GUEST_REPORT_GPA
#define SIG_FLAG	GUEST_DATA_GPA
/* Rounds before a spinning guest gives up (check 1): several seconds. */
#define SIG_SPIN_MAX	(1 << 30)

/*
 * Counts in R until the host sets SIG_FLAG, then halts (and starts over
 * when run again).
 */
GUEST_BEGIN(sig_spin)
	.code64
0:	mov $SIG_SPIN_MAX, %ecx
1:	incq R
	cmpq $0, SIG_FLAG
	jne 2f
	dec %ecx
	jnz 1b
	GUEST_FAIL(1)
2:	hlt
	jmp 0b
GUEST_END(sig_spin)

/*
 * One I/O or MMIO instruction at each label (the host points RIP there),
 * each followed by a mark in R and a HLT; "elsewhere" marks 6.
 */
GUEST_BEGIN(sig_io)
	.code64
GUEST_LABEL(sig_io, out)
	out %eax, $0xe0
GUEST_LABEL(sig_io, after_out)
	movq $1, R
	hlt
GUEST_LABEL(sig_io, in)
	in $0xe2, %eax
GUEST_LABEL(sig_io, after_in)
	movq $2, R
	hlt
GUEST_LABEL(sig_io, inb)
	in $0xe4, %al
GUEST_LABEL(sig_io, after_inb)
	movq $3, R
	hlt
GUEST_LABEL(sig_io, mmio)
	mov (%rbx), %eax
GUEST_LABEL(sig_io, after_mmio)
	movq $4, R
	hlt
GUEST_LABEL(sig_io, outs)
	rep outsb
GUEST_LABEL(sig_io, after_outs)
	movq $5, R
	hlt
GUEST_LABEL(sig_io, alu)
	add %eax, (%rbx)
GUEST_LABEL(sig_io, after_alu)
	movq $7, R
	hlt
GUEST_LABEL(sig_io, elsewhere)
	movq $6, R
	hlt
GUEST_END(sig_io)

	.section .note.GNU-stack, "", @progbits
