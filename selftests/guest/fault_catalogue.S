/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the fault_catalogue suite (fault_catalogue.c). */
#include "guest.h"
#include "fault_catalogue.h"

#define R	GUEST_REPORT_GPA

/* A #UD in each code size: the faults the tests make undeliverable. */
GUEST_INSN(fc_ud16, .code16, ud2)
GUEST_INSN(fc_ud32, .code32, ud2)
GUEST_INSN(fc_ud64, .code64, ud2)
/* A HLT for the invalid-state cases: the same bytes in every mode. */
GUEST_INSN(fc_hlt, .code32, hlt)

/*
 * A #UD whose delivery faults: the exception that reaches a working gate
 * (guest/idt.S records it) returns to the fixup, which halts.
 */
GUEST_BEGIN(fc_fixup32)
	.code32
	movl $ABS(fc_fixup32, 1f), EXC_FIXUP
	ud2
1:	hlt
GUEST_END(fc_fixup32)

GUEST_BEGIN(fc_fixup64)
	.code64
	movq $ABS(fc_fixup64, 1f), EXC_FIXUP
	ud2
1:	hlt
GUEST_END(fc_fixup64)

/*
 * The same on the stack at RBX (the host leaves its page unmapped); the
 * handler's IRET restores that RSP, so the fixup takes a good one first.
 * After the HLT it starts over (the host changed the IDT meanwhile).
 */
GUEST_BEGIN(fc_bad_stack64)
	.code64
1:	movq $ABS(fc_bad_stack64, 2f), EXC_FIXUP
	mov %rbx, %rsp
	ud2
2:	mov $GUEST_STACK_TOP, %rsp
	hlt
	jmp 1b
GUEST_END(fc_bad_stack64)

/* A jump to RBX (a GPA without a memslot, identity-mapped). */
GUEST_INSN(fc_jmp_rbx, .code64, jmp *%rbx)

/*
 * A load through the host's mapping of FC_WALK_GVA, whose page table is
 * where no memslot is; a #PF returns to the fixup with RAX untouched.
 */
GUEST_BEGIN(fc_walk_mmio)
	.code64
	movq $ABS(fc_walk_mmio, 1f), EXC_FIXUP
	mov $FC_POISON, %rax
GUEST_LABEL(fc_walk_mmio, load)
	mov FC_WALK_GVA, %rax
1:	mov %rax, R
	hlt
GUEST_END(fc_walk_mmio)

/*
 * FC_ROUNDS times: point the PTE at RBX (FC_WINDOW's) to data page i % 4,
 * INVLPG, add the first word seen through FC_WINDOW to RSI and increment it.
 * The sum goes to R.
 */
GUEST_BEGIN(fc_pt_rewrite)
	.code64
	xor %ecx, %ecx
	xor %esi, %esi
1:	mov %ecx, %eax
	and $3, %eax
	shl $12, %eax
	add $(FC_PAGES | 3), %eax	/* present, writable */
	mov %rax, (%rbx)
	invlpg FC_WINDOW
	add FC_WINDOW, %rsi
	incq FC_WINDOW
	inc %ecx
	cmp $FC_ROUNDS, %ecx
	jne 1b
	mov %rsi, R
	hlt
GUEST_END(fc_pt_rewrite)

/*
 * Exits on GUEST_PORT_REPORT until the host sets FC_STOP; its NMI handler
 * counts in FC_NMIS.
 */
GUEST_BEGIN(fc_nmi)
	.code64
	mov $GUEST_PORT_REPORT, %dx
1:	out %eax, %dx
	cmpq $0, FC_STOP
	je 1b
	hlt
GUEST_LABEL(fc_nmi, handler)
	incq FC_NMIS
	iretq
GUEST_END(fc_nmi)

/* Reads the first word of each of RCX GPAs listed at RSI, into RDI[i]. */
GUEST_BEGIN(fc_slots)
	.code64
1:	mov (%rsi), %rax
	mov (%rax), %rax
	mov %rax, (%rdi)
	add $8, %rsi
	add $8, %rdi
	dec %ecx
	jnz 1b
	hlt
GUEST_END(fc_slots)

	.section .note.GNU-stack, "", @progbits
