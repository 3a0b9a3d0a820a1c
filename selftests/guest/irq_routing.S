/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest of irq_routing's delivery tests: 64-bit, with the in-kernel
 * LAPIC enabled at its default base (SVR bit 8, SDM vol 3A 11.4.3 "Enabling
 * or Disabling the Local APIC"; the xAPIC page is identity-mapped below 4
 * GiB) and logical ID 1 (LDR bit 24 in the reset DFR's flat model, SDM vol
 * 3A 11.6.2.2 "Logical Destination Mode"). The host points the IDT gates of
 * vectors IRQR_VEC_FIRST..+15 at the stubs (vec_stubs + 16 * n) and vector 2
 * at nmi. With an in-kernel irqchip HLT does not exit, so the guest never
 * halts: it reports on GUEST_PORT_REPORT and then spins, interrupts on,
 * until its handlers have run IRQR_TARGET times in all; then reports again.
 *
 * Handlers (interrupt gates: IF = 0 inside) count their runs per vector,
 * log the vectors in the order taken, write EOI (SDM vol 3A 11.8.5
 * "Signaling Interrupt Servicing Completion") and count the EOIs. The NMI
 * handler counts NMIs (no EOI).
 */
#include "guest.h"

#define IRQR_VEC_FIRST		0x40
#define IRQR_COUNTS		(GUEST_DATA_GPA + 0x000)	/* u64 per vector */
#define IRQR_TOTAL		(GUEST_DATA_GPA + 0x800)
#define IRQR_EOIS		(GUEST_DATA_GPA + 0x808)
#define IRQR_NMIS		(GUEST_DATA_GPA + 0x810)
#define IRQR_TARGET		(GUEST_DATA_GPA + 0x818)
#define IRQR_LOG_LEN		(GUEST_DATA_GPA + 0x820)
#define IRQR_LOG		(GUEST_DATA_GPA + 0x900)	/* u64[64] */
#define APIC_BASE		0xfee00000
#define APIC_EOI		0xb0
#define APIC_LDR		0xd0
#define APIC_SVR		0xf0
#define APIC_SVR_ENABLE		0x100
#define SPURIOUS_VECTOR		0xff

GUEST_BEGIN(irqr_guest)
	.code64
	mov $APIC_BASE, %ebx
	movl $(APIC_SVR_ENABLE | SPURIOUS_VECTOR), APIC_SVR(%rbx)
	movl $0x01000000, APIC_LDR(%rbx)	/* logical ID bit 0, flat DFR */
	sti
1:	mov IRQR_TOTAL, %rax
	GUEST_REPORT_EAX
2:	pause
	mov IRQR_TARGET, %rax
	cmp IRQR_TOTAL, %rax
	ja 2b
	jmp 1b

	.balign 16
GUEST_LABEL(irqr_guest, vec_stubs)
	.set vec, IRQR_VEC_FIRST
	.rept 16
	.balign 16
	pushq $vec
	jmp vec_common
	.set vec, vec + 1
	.endr

vec_common:
	push %rax
	push %rbx
	mov 16(%rsp), %rax
	incq IRQR_COUNTS(, %rax, 8)
	mov IRQR_LOG_LEN, %rbx
	and $63, %ebx
	mov %rax, IRQR_LOG(, %rbx, 8)
	incq IRQR_LOG_LEN
	incq IRQR_TOTAL
	mov $APIC_BASE, %ebx
	movl $0, APIC_EOI(%rbx)
	incq IRQR_EOIS
	pop %rbx
	pop %rax
	add $8, %rsp
	iretq

GUEST_LABEL(irqr_guest, nmi)
	incq IRQR_NMIS
	incq IRQR_TOTAL
	iretq
GUEST_END(irqr_guest)

	.section .note.GNU-stack, "", @progbits
