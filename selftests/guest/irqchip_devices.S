/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest of the irqchip_devices suite (64-bit): a command loop the host
 * drives, and interrupt handlers that count, log, report and EOI
 * (guest/irqchip_devices.h has the protocol). Starts with IF = 0.
 */
#include "guest.h"
#include "irqchip_devices.h"

GUEST_BEGIN(irqc)
	.code64
1:	mov $IRQC_IDLE, %eax
	GUEST_REPORT_EAX
	mov IRQC_CMD_OP, %rax
	mov IRQC_CMD_ADDR, %rdx
	mov IRQC_CMD_VAL, %rcx
	cmp $IRQC_OP_OUTB, %eax
	jne 2f
	mov %ecx, %eax
	out %al, %dx
	jmp 1b
2:	cmp $IRQC_OP_INB, %eax
	jne 2f
	xor %eax, %eax
	in %dx, %al
	mov %rax, IRQC_CMD_RESULT
	jmp 1b
2:	cmp $IRQC_OP_OUTW, %eax
	jne 2f
	mov %ecx, %eax
	out %ax, %dx
	jmp 1b
2:	cmp $IRQC_OP_INW, %eax
	jne 2f
	xor %eax, %eax
	in %dx, %ax
	mov %rax, IRQC_CMD_RESULT
	jmp 1b
2:	cmp $IRQC_OP_WRITE8, %eax
	jne 2f
	mov %cl, (%rdx)
	jmp 1b
2:	cmp $IRQC_OP_READ8, %eax
	jne 2f
	movzbl (%rdx), %eax
	mov %rax, IRQC_CMD_RESULT
	jmp 1b
2:	cmp $IRQC_OP_WRITE32, %eax
	jne 2f
	mov %ecx, (%rdx)
	jmp 1b
2:	cmp $IRQC_OP_READ32, %eax
	jne 2f
	mov (%rdx), %eax
	mov %rax, IRQC_CMD_RESULT
	jmp 1b
2:	cmp $IRQC_OP_WRITE64, %eax
	jne 2f
	mov %rcx, (%rdx)
	jmp 1b
2:	cmp $IRQC_OP_READ64, %eax
	jne 2f
	mov (%rdx), %rax
	mov %rax, IRQC_CMD_RESULT
	jmp 1b
2:	cmp $IRQC_OP_STI, %eax
	jne 2f
	sti
	jmp 1b
2:	cmp $IRQC_OP_CLI, %eax
	jne 1b
	cli
	jmp 1b

/* One stub per vector: the vector on the stack, then the common handler. */
	.balign IRQC_STUB_SIZE
GUEST_LABEL(irqc, stubs)
	.set vec, IRQC_FIRST_VECTOR
	.rept IRQC_NR_STUBS
	.balign IRQC_STUB_SIZE
	pushq $vec
	jmp irqc_common
	.set vec, vec + 1
	.endr
GUEST_LABEL(irqc, nmi_stub)
	pushq $2
	jmp irqc_common

irqc_common:
	push %rax
	push %rbx
	push %rcx
	push %rdx
	mov 32(%rsp), %rbx		/* the vector */
	incq IRQC_COUNTS(, %rbx, 8)
	mov IRQC_LOG_N, %rax
	cmp $IRQC_LOG_MAX, %rax
	jae 1f
	mov %rbx, IRQC_LOG(, %rax, 8)
1:	incq IRQC_LOG_N
	cmpq $0, IRQC_HREPORT
	je 1f
	mov %ebx, %eax
	or $IRQC_HANDLER, %eax
	GUEST_REPORT_EAX
1:	cmp $2, %ebx			/* an NMI takes no EOI */
	je 3f
	mov IRQC_EOI_MODE, %rcx
	test $IRQC_EOI_SLAVE, %ecx
	jz 1f
	mov $0x20, %al			/* OCW2: non-specific EOI */
	out %al, $0xa0
1:	test $IRQC_EOI_MASTER, %ecx
	jz 1f
	mov $0x20, %al
	out %al, $0x20
1:	test $IRQC_EOI_LAPIC, %ecx
	jz 3f
	mov $IRQC_LAPIC_EOI, %eax
	movl $0, (%rax)
3:	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $8, %rsp
	iretq
GUEST_END(irqc)

	.section .note.GNU-stack, "", @progbits
