/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the exits suite. */
#include "guest.h"

#define R	GUEST_REPORT_GPA

/* Three HLTs; between them the guest marks its progress in R. */
GUEST_BEGIN(exits_hlt)
	.code64
	movq $0, R
GUEST_LABEL(exits_hlt, hlt1)
	hlt
	movq $1, R
GUEST_LABEL(exits_hlt, hlt2)
	hlt
	movq $2, R
GUEST_LABEL(exits_hlt, hlt3)
	hlt
GUEST_END(exits_hlt)

/* EXITS_HLT_N HLTs in a loop, counted in R. */
#define EXITS_HLT_N	500
GUEST_BEGIN(exits_hlt_loop)
	.code64
	movq $0, R
1:	incq R
	hlt
	cmpq $EXITS_HLT_N, R
	jne 1b
	movq $0xd0e, R + 8
	hlt
GUEST_END(exits_hlt_loop)

/* #UD in 64-bit mode. */
GUEST_INSN(exits_ud2, .code64, ud2)

/* #DE in 32-bit mode. */
GUEST_BEGIN(exits_div0)
	.code32
	xor %edx, %edx
	mov $1, %eax
	xor %ecx, %ecx
	div %ecx
	hlt
GUEST_END(exits_div0)

/* An x87 load from MMIO: an instruction KVM's emulator does not know. */
GUEST_INSN(exits_fld_mmio, .code64, fldl (%rbx))

/*
 * Spins, counting in R, until the host interrupts KVM_RUN; gives up and
 * halts after EXITS_SPIN_MAX rounds (so that a host whose timer never
 * interrupts the guest fails the test instead of hanging).
 */
#define EXITS_SPIN_MAX	(1 << 28)
GUEST_BEGIN(exits_spin)
	.code64
	mov $EXITS_SPIN_MAX, %ecx
1:	incq R
	dec %ecx
	jnz 1b
	hlt
GUEST_END(exits_spin)

	.section .note.GNU-stack, "", @progbits
