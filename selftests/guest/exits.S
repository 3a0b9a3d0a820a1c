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

/* Spins until the host interrupts KVM_RUN. */
GUEST_BEGIN(exits_spin)
	.code64
1:	incq R
	jmp 1b
GUEST_END(exits_spin)

	.section .note.GNU-stack, "", @progbits
