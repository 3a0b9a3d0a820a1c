/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the interrupts suite. Interrupts (vectors 32-255) go through the
 * stubs of guest/idt.S, which record vector, return RIP and a count and
 * return; NMIs go to int_nmi's own handler, which the test puts in the IDT.
 */
#include "guest.h"

#define R		GUEST_REPORT_GPA

/*
 * Interrupts off while it reports 1; then STI, and the instruction in STI's
 * shadow sets R = 1; the next one R = 2. R is written first, so that the
 * instruction in the shadow cannot exit (a nested page fault) and lose the
 * shadow to the emulated host (interrupts.c, irq_window_after_sti).
 */
GUEST_BEGIN(int_sti)
	.code64
	movq $0, R
	cli
	mov $1, %eax
	GUEST_REPORT_EAX
	sti
GUEST_LABEL(int_sti, shadow)
	movq $1, R
GUEST_LABEL(int_sti, after)
	movq $2, R
	hlt
GUEST_END(int_sti)

/* An OUT in STI's shadow (reports 2), then R = 2. */
GUEST_BEGIN(int_sti_out)
	.code64
	cli
	mov $GUEST_PORT_REPORT, %edx
	mov $2, %eax
	sti
GUEST_LABEL(int_sti_out, out)
	out %eax, %dx
GUEST_LABEL(int_sti_out, after)
	movq $2, R
	hlt
GUEST_END(int_sti_out)

/* Interrupts on: R = 1, HLT; after it R = 2, HLT. */
GUEST_BEGIN(int_open)
	.code64
	sti
	movq $1, R
	hlt
GUEST_LABEL(int_open, after_hlt)
	movq $2, R
	hlt
GUEST_END(int_open)

/*
 * A handler that runs long with IF = 0 and no exit (interrupts.c,
 * interrupt_delivered_once_long_handler): it counts its runs in
 * INT_LONG_COUNT, spins INT_LONG_SPIN times and returns; the main line
 * halts for the next interrupt, round after round.
 */
#define INT_LONG_COUNT		(GUEST_DATA_GPA + 0x100)
#define INT_LONG_SPIN		200000
GUEST_BEGIN(int_long)
	.code64
	sti
	nop			/* the HLT outside STI's shadow */
1:	hlt
	jmp 1b
GUEST_LABEL(int_long, handler)
	incq INT_LONG_COUNT
	push %rcx
	mov $INT_LONG_SPIN, %ecx
2:	dec %ecx
	jnz 2b
	pop %rcx
	iretq
GUEST_END(int_long)

/* Interrupts off: R = 1, HLT; after it R = 2, RFLAGS to R + 8, HLT. */
GUEST_BEGIN(int_closed)
	.code64
	cli
	movq $1, R
	hlt
GUEST_LABEL(int_closed, after_hlt)
	movq $2, R
	pushfq
	popq R + 8
	hlt
GUEST_END(int_closed)

/*
 * NMIs. Interrupts off; the host sends NMIs at the first HLT. The handler
 * counts (INT_NMI_COUNT), tracks how deeply it is nested (INT_NMI_MAXDEPTH),
 * records the RIP each NMI interrupted (INT_NMI_RIPS + 8 * n for the n-th),
 * and reports 0x100 + n from inside, before its IRET. The main line reports
 * 0x200 and halts at b.
 */
#define INT_NMI_COUNT		(GUEST_DATA_GPA + 0x00)
#define INT_NMI_DEPTH		(GUEST_DATA_GPA + 0x08)
#define INT_NMI_MAXDEPTH	(GUEST_DATA_GPA + 0x10)
#define INT_NMI_RIPS		(GUEST_DATA_GPA + 0x20)
GUEST_BEGIN(int_nmi)
	.code64
	jmp 1f
/* Started here, the guest has used its stack (the handler's) before. */
GUEST_LABEL(int_nmi, warm)
	push %rax
	pop %rax
1:	cli
	hlt
GUEST_LABEL(int_nmi, a)
	mov $0x200, %eax
	GUEST_REPORT_EAX
GUEST_LABEL(int_nmi, b)
	hlt
	hlt
GUEST_LABEL(int_nmi, handler)
	push %rax
	push %rdx
	incq INT_NMI_DEPTH
	mov INT_NMI_DEPTH, %rax
	cmp INT_NMI_MAXDEPTH, %rax
	jbe 1f
	mov %rax, INT_NMI_MAXDEPTH
1:	incq INT_NMI_COUNT
	mov INT_NMI_COUNT, %rax
	and $7, %eax
	mov 16(%rsp), %rdx
	mov %rdx, INT_NMI_RIPS(,%rax,8)
	mov INT_NMI_COUNT, %eax
	add $0x100, %eax
	mov $GUEST_PORT_REPORT, %edx
	out %eax, %dx
	decq INT_NMI_DEPTH
	pop %rdx
	pop %rax
	iretq
GUEST_END(int_nmi)

/*
 * Deliveries that fault first. RBX: the pages to touch before the HLT
 * (interrupts.c, WARM_*): each one touched now is mapped when the event
 * comes, each one left alone faults during its delivery (a shadow page
 * fault or a nested page fault). RDI = 1: interrupts on. After the HLT,
 * RSI says what the guest raises itself: 0 nothing (the host injects at
 * after_hlt), 1 #UD (UD2), 2 #GP (RDMSR of an MSR no one has), 3 INT 0x47.
 */
GUEST_BEGIN(int_cold)
	.code64
	test $1, %ebx
	jz 1f
	mov GUEST_IDT_GPA, %rax
1:	test $2, %ebx
	jz 1f
	mov GUEST_GDT_GPA, %rax
1:	test $4, %ebx
	jz 1f
	push %rax
	pop %rax
1:	test $8, %ebx
	jz 1f
	mov GUEST_STUBS_GPA, %rax
1:	test $16, %ebx
	jz 1f
	mov GUEST_STUBS_GPA + 0x1000, %rax
1:	test $32, %ebx
	jz 1f
	movq $0, EXC_ERROR
1:	cli
	test %edi, %edi
	jz 1f
	sti
1:	hlt
GUEST_LABEL(int_cold, after_hlt)
	cmp $1, %esi
	jne 1f
GUEST_LABEL(int_cold, ud)
	ud2
1:	cmp $2, %esi
	jne 1f
	mov $0xdeadbeef, %ecx
GUEST_LABEL(int_cold, rdmsr)
	rdmsr
1:	cmp $3, %esi
	jne 1f
	int $0x47
GUEST_LABEL(int_cold, after_int)
1:
GUEST_LABEL(int_cold, done)
	hlt
GUEST_END(int_cold)

/*
 * Interrupts on; reads PT_STACK_VA, which the test maps through a page
 * table in the stack's page: the stack's page is now also a page table.
 * R = 1, HLT; after it R = 2, HLT.
 */
GUEST_BEGIN(int_pt_stack)
	.code64
	sti
	mov 0x40000000, %rax
	movq $1, R
	hlt
GUEST_LABEL(int_pt_stack, after_hlt)
	movq $2, R
	hlt
GUEST_END(int_pt_stack)

/* A load from MMIO at RBX (set with TF and IF by the test), then HLT. */
GUEST_BEGIN(int_tf_mmio)
	.code64
	mov (%rbx), %eax
GUEST_LABEL(int_tf_mmio, after)
	hlt
GUEST_END(int_tf_mmio)

/*
 * TPR (CR8): reads it to R, raises it to 9, halts; reads it to R + 8, lowers
 * it to 2, reads it to R + 16, halts.
 */
GUEST_BEGIN(int_cr8)
	.code64
	mov %cr8, %rax
	mov %rax, R
	mov $9, %eax
	mov %rax, %cr8
	hlt
	mov %cr8, %rax
	mov %rax, R + 8
	mov $2, %eax
GUEST_LABEL(int_cr8, lower)
	mov %rax, %cr8
	mov %cr8, %rax
	mov %rax, R + 16
	hlt
GUEST_END(int_cr8)

	.section .note.GNU-stack, "", @progbits
