/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest of the mmu_select suite, in long mode: writes i to page i of an
 * alias the host mapped at MMU_ALIAS_GVA (16 pages, onto GUEST_FREE_GPA..),
 * reads them back through the identity map, reports the sum (0 + ... + 15 =
 * 120) and halts. Both paths go through the guest's page tables, so a wrong
 * shadow or nested mapping changes the sum or what the host finds.
 */
#include "guest.h"

#define MMU_ALIAS_GVA	0x200000000
#define MMU_PAGES	16

GUEST_BEGIN(guest_mmu)
	.code64
	movabs $MMU_ALIAS_GVA, %rdi
	xor %ecx, %ecx
1:	mov %rcx, (%rdi)
	add $GUEST_PAGE_SIZE, %rdi
	inc %ecx
	cmp $MMU_PAGES, %ecx
	jb 1b

	mov $GUEST_FREE_GPA, %esi
	xor %ecx, %ecx
	xor %eax, %eax
2:	add (%rsi), %rax
	add $GUEST_PAGE_SIZE, %rsi
	inc %ecx
	cmp $MMU_PAGES, %ecx
	jb 2b
	GUEST_REPORT_EAX
	hlt
GUEST_END(guest_mmu)

	.section .note.GNU-stack, "", @progbits
