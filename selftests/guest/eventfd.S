/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the eventfd suite (selftests/eventfd.c), all 64-bit. The host
 * sets the registers each one uses before it runs it: the port in DX, the
 * MMIO address in RBX, the value in RAX, the count in RCX. Each ends with an
 * OUT to EV_PORT_DONE (a HLT would stay in the kernel with an in-kernel
 * irqchip), so the first exit a test sees after the accesses under test is
 * that one if none of them exited.
 */
#include "guest.h"

#define EV_PORT_DONE	0x0510
#define EV_COUNT	GUEST_DATA_GPA		/* ev_irq's handler runs */
#define APIC_SVR	0xfee000f0
#define APIC_EOI	0xfee000b0
#define IOAPIC_REGSEL	0xfec00000
#define IOAPIC_WIN	0xfec00010

#define DONE				\
	mov $EV_PORT_DONE, %dx;		\
	out %al, %dx;			\
	9997: hlt;			\
	jmp 9997b

/* RCX times OUT of AL/AX/EAX to port DX. */
GUEST_BEGIN(ev_outb)
	.code64
1:	out %al, %dx
	dec %ecx
	jnz 1b
	DONE
GUEST_END(ev_outb)

GUEST_BEGIN(ev_outl)
	.code64
1:	out %eax, %dx
	dec %ecx
	jnz 1b
	DONE
GUEST_END(ev_outl)

/* One OUT of each size to port DX. */
GUEST_BEGIN(ev_out_sizes)
	.code64
	out %al, %dx
	out %ax, %dx
	out %eax, %dx
	DONE
GUEST_END(ev_out_sizes)

/* REP OUTSB: RCX bytes from RSI to port DX. */
GUEST_BEGIN(ev_rep_outsb)
	.code64
	cld
	rep outsb
	DONE
GUEST_END(ev_rep_outsb)

/* RCX times a store of EAX/RAX to [RBX]. */
GUEST_BEGIN(ev_movl)
	.code64
1:	mov %eax, (%rbx)
	dec %ecx
	jnz 1b
	DONE
GUEST_END(ev_movl)

GUEST_BEGIN(ev_movq)
	.code64
1:	mov %rax, (%rbx)
	dec %ecx
	jnz 1b
	DONE
GUEST_END(ev_movq)

/* One store of each size to [RBX]. */
GUEST_BEGIN(ev_mov_sizes)
	.code64
	mov %al, (%rbx)
	mov %ax, (%rbx)
	mov %eax, (%rbx)
	mov %rax, (%rbx)
	DONE
GUEST_END(ev_mov_sizes)

/* A load from [RBX] (an ioeventfd takes only writes). */
GUEST_BEGIN(ev_load)
	.code64
	mov (%rbx), %eax
	DONE
GUEST_END(ev_load)

/* REP STOSL: RCX dwords of EAX to [RDI] on. */
GUEST_BEGIN(ev_rep_stosl)
	.code64
	cld
	rep stosl
	DONE
GUEST_END(ev_rep_stosl)

/*
 * Interrupts through the in-kernel LAPIC and IOAPIC: the LAPIC on (SVR, SDM
 * vol 3A 10.9: software enable, spurious vector 0xff), then IOAPIC pin RBX's
 * redirection entry (82093AA datasheet 3.2.4: IOREGSEL 0x10 + 2 * pin, its
 * low dword ESI: vector, trigger mode; unmasked; destination APIC ID 0).
 * Then, round after round: report EV_COUNT with interrupts off, and spin
 * with interrupts on until the handler, at the vector's gate, has counted
 * (and EOIed) the next one.
 */
GUEST_BEGIN(ev_irq)
	.code64
	mov $APIC_SVR, %ecx
	movl $0x1ff, (%rcx)
	lea 0x10(,%rbx,2), %eax
	mov $IOAPIC_REGSEL, %ecx
	mov $IOAPIC_WIN, %edi
	mov %eax, (%rcx)
	mov %esi, (%rdi)
	inc %eax
	mov %eax, (%rcx)
	movl $0, (%rdi)
/*
 * Reports the count, then spins with interrupts on until it moves (not
 * STI; HLT: the QEMU-TCG host now and then delivers an L2 interrupt inside
 * STI's shadow, and the HLT after its handler would sleep for good).
 */
1:	cli
	mov EV_COUNT, %eax
	mov %eax, %r8d
	GUEST_REPORT_EAX
	sti
2:	pause
	cmp EV_COUNT, %r8d
	je 2b
	jmp 1b
GUEST_LABEL(ev_irq, handler)
	push %rax
	incq EV_COUNT
	mov $APIC_EOI, %eax
	movl $0, (%rax)
	pop %rax
	iretq
GUEST_END(ev_irq)

	.section .note.GNU-stack, "", @progbits
