/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pit suite's guest: a port proxy. It runs with interrupts off and
 * carries out one operation at a time from a mailbox the host fills
 * (selftests/pit.c), then reports on GUEST_PORT_REPORT and waits for the
 * next one:
 *   PIT_OP_OUT    OUT value (a byte) to port; reports 0
 *   PIT_OP_IN     IN a byte from port; reports it
 *   PIT_OP_WAIT   interrupts on until PIT_TICKS >= value; CLI; reports the ticks
 *   PIT_OP_WINDOW STI while polling channel 2's OUT (Read-Back status) until
 *                 it is high; CLI; reports the ticks
 *   PIT_OP_WRITE  a 32-bit MMIO write of value at address port; reports 0
 *   PIT_OP_READ   a 32-bit MMIO read at address port; reports it
 * The interrupt handler (pit_proxy_isr; the test puts it in the IDT) counts
 * PIT_TICKS and ends with what PIT_EOI says: a non-specific EOI to the
 * master PIC (PIT_EOI_PIC), none (PIT_EOI_NONE), or a write to the local
 * APIC's EOI register (PIT_EOI_LAPIC).
 */
#include "guest.h"

#define PIT_MBOX_OP	(GUEST_DATA_GPA + 0x00)
#define PIT_MBOX_PORT	(GUEST_DATA_GPA + 0x04)
#define PIT_MBOX_VALUE	(GUEST_DATA_GPA + 0x08)
#define PIT_TICKS	(GUEST_DATA_GPA + 0x10)
#define PIT_EOI		(GUEST_DATA_GPA + 0x18)
#define PIT_EOI_NONE	1
#define PIT_EOI_LAPIC	2
#define LAPIC_EOI	0xfee000b0

#define PIT_OP_OUT	1
#define PIT_OP_IN	2
#define PIT_OP_WAIT	3
#define PIT_OP_WINDOW	4
#define PIT_OP_WRITE	5
#define PIT_OP_READ	6

GUEST_BEGIN(pit_proxy)
	.code64
	cli
next:
	mov PIT_MBOX_OP, %eax
	mov PIT_MBOX_PORT, %edx
	mov PIT_MBOX_VALUE, %ecx
	cmp $PIT_OP_OUT, %eax
	je do_out
	cmp $PIT_OP_IN, %eax
	je do_in
	cmp $PIT_OP_WAIT, %eax
	je do_wait
	cmp $PIT_OP_WINDOW, %eax
	je do_window
	cmp $PIT_OP_WRITE, %eax
	je do_write
	cmp $PIT_OP_READ, %eax
	je do_read
	GUEST_FAIL(1)

do_write:
	mov %ecx, (%rdx)
	xor %eax, %eax
	jmp report

do_read:
	mov (%rdx), %eax
	jmp report

do_out:
	mov %ecx, %eax
	out %al, %dx
	xor %eax, %eax
	jmp report

do_in:
	xor %eax, %eax
	in %dx, %al
	jmp report

/*
 * Spins with interrupts on rather than STI; HLT: the QEMU-TCG host now and
 * then delivers an L2 interrupt inside STI's shadow (on KVM and minivirt
 * alike), and a handler that returns to the HLT sleeps through its own
 * wake-up, for good when no other interrupt follows (PIT_EOI_NONE).
 */
do_wait:
	cli
	mov PIT_TICKS, %rax
	cmp %rcx, %rax
	jae ticks
	sti
	pause
	jmp do_wait

do_window:
	sti
1:	mov $0xe8, %al		/* Read-Back: status of counter 2 only */
	out %al, $0x43
	in $0x42, %al
	test $0x80, %al		/* OUT */
	jz 1b
	cli

ticks:
	mov PIT_TICKS, %eax

report:
	GUEST_REPORT_EAX
	jmp next

GUEST_LABEL(pit_proxy, isr)
	push %rax
	incq PIT_TICKS
	mov PIT_EOI, %eax
	cmp $PIT_EOI_NONE, %eax
	je 2f
	cmp $PIT_EOI_LAPIC, %eax
	je 1f
	mov $0x20, %al		/* OCW2: non-specific EOI */
	out %al, $0x20
	jmp 2f
1:	mov $LAPIC_EOI, %eax	/* above 2 GiB: no disp32 form */
	movl $0, (%rax)
2:	pop %rax
	iretq
GUEST_END(pit_proxy)

	.section .note.GNU-stack, "", @progbits
