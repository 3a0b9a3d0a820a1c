/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the lapic suite: one blob, lapic, whose programs the host starts
 * at their labels (RIP = GUEST_ADDR(lapic, NAME)), in long mode, with R15 =
 * the vCPU's own area and R12-R14 as parameters (guest/lapic.h). Programs
 * store results in the area (RES) for the host, report on GUEST_PORT_REPORT
 * where the host must act, and end by reporting LT_DONE: with an in-kernel
 * irqchip HLT does not exit to userspace.
 *
 * The LAPIC is reached through the xAPIC page at 0xfee00000 or, when the
 * area's PC_X2APIC flag is set, through the x2APIC MSRs (apic_read,
 * apic_write, send_ipi). Interrupt vectors 32-255 go through lapic_stubs
 * to irq_common, which logs the vector, whether its ISR bit is set and PPR
 * (guest/lapic.h, LT_LOG), counts, and writes EOI (SDM vol 3A 10.8.5)
 * unless PC_NO_EOI is set; NMIs go to the nmi handler, which logs
 * LT_LOG_NMI. The host points the IDT's gates at them.
 *
 * lapic_ap is the real-mode code an AP runs after INIT/SIPI.
 */
#include "guest.h"
#include "apic.h"
#include "lapic.h"

#define MSR_APICBASE	0x1b
#define APICBASE_XAPIC	(APIC_DEFAULT_GPA | APIC_BASE_EN)
#define APICBASE_X2APIC	(APIC_DEFAULT_GPA | APIC_BASE_EN | APIC_BASE_EXTD)

/* ECX = register, EAX = value; clobber RCX, RDX (and RAX for reads). */
#define APIC_WR(reg, val)	mov $(reg), %ecx; mov $(val), %eax; call apic_write
#define APIC_WR_R(reg, r32)	mov r32, %eax; mov $(reg), %ecx; call apic_write
#define APIC_RD(reg)		mov $(reg), %ecx; call apic_read
/* Result k for the host. */
#define RES(k)			mov %rax, (PC_RES + 8 * (k))(%r15)
#define COUNT_RES(k)		mov PC_COUNT(%r15), %rax; RES(k)
#define SELF_IPI(vec)		mov $(APIC_DEST_SELF | (vec)), %eax; xor %edx, %edx; call send_ipi
#define IPI(icr, dest)		mov $(icr), %eax; mov $(dest), %edx; call send_ipi
#define WAIT_COUNT(n)		mov $(n), %esi; call wait_count
#define REPORT(v)		mov $(v), %eax; GUEST_REPORT_EAX
#define WRMSR(msr, lo, hi)	mov $(msr), %ecx; mov $(lo), %eax; mov $(hi), %edx; wrmsr
#define RDMSR_RES(msr, k)	mov $(msr), %ecx; rdmsr; shl $32, %rdx; or %rdx, %rax; RES(k)
/* Interrupts on for two instructions: whatever is pending is taken. */
#define OPEN_WINDOW		sti; nop; nop; cli
#define DONE			REPORT(LT_DONE); 7770: hlt; jmp 7770b

/* The instructions must raise #GP (guest/idt.S fixup); else check n fails. */
#define EXPECT_GP(n, ...)						\
	movq $ABS(lapic, 7771f), EXC_FIXUP;				\
	__VA_ARGS__;							\
	GUEST_FAIL(n);							\
7771:	cmpq $GP_VECTOR, EXC_VECTOR;					\
	je 7772f;							\
	GUEST_FAIL(n);							\
7772:

#define GP_VECTOR	13

GUEST_BEGIN(lapic)
	.code64
	jmp lt_no_program

/* --- Accessors --- */

/* EAX = the register at offset ECX. Clobbers RCX, RDX. */
apic_read:
	cmpq $0, PC_X2APIC(%r15)
	jne 1f
	mov $APIC_DEFAULT_GPA, %edx
	mov (%rdx,%rcx), %eax
	ret
1:	shr $4, %ecx
	add $0x800, %ecx
	rdmsr
	ret

/* The register at offset ECX = EAX. Clobbers RCX, RDX. */
apic_write:
	cmpq $0, PC_X2APIC(%r15)
	jne 1f
	mov $APIC_DEFAULT_GPA, %edx
	mov %eax, (%rdx,%rcx)
	ret
1:	shr $4, %ecx
	add $0x800, %ecx
	xor %edx, %edx
	wrmsr
	ret

/*
 * An IPI: ICR low half EAX, destination EDX (xAPIC: ICR2 bits 31:24, the
 * half written first, SDM vol 3A 10.6.1; x2APIC: one 64-bit ICR write,
 * 10.12.9). Clobbers RAX, RCX, RDX.
 */
send_ipi:
	cmpq $0, PC_X2APIC(%r15)
	jne 1f
	push %rax
	shl $24, %edx
	mov %edx, %eax
	mov $APIC_ICR2, %ecx
	call apic_write
	pop %rax
	mov $APIC_ICR, %ecx
	jmp apic_write
1:	mov $X2APIC_MSR(APIC_ICR), %ecx
	wrmsr
	ret

/* EAX = this LAPIC's ID (xAPIC: bits 31:24 of the ID register). */
apic_id:
	APIC_RD(APIC_ID)
	cmpq $0, PC_X2APIC(%r15)
	jne 1f
	shr $24, %eax
1:	ret

/* x2APIC mode if the area asks for it (IA32_APIC_BASE.EXTD, 10.12.1). */
apic_mode:
	cmpq $0, PC_X2APIC(%r15)
	je 1f
	mov $MSR_APICBASE, %ecx
	rdmsr
	or $(APIC_BASE_EN | APIC_BASE_EXTD), %eax
	wrmsr
1:	ret

/* Software enable: SVR = 0x1ff (10.9.2). */
apic_enable:
	APIC_WR(APIC_SPIV, APIC_SPIV_ENABLED | 0xff)
	ret

apic_init:
	call apic_mode
	jmp apic_enable

/* xAPIC: DFR = R12, LDR = R13 (x2APIC: the LDR is fixed, 10.12.10.2). */
set_logical:
	cmpq $0, PC_X2APIC(%r15)
	jne 1f
	APIC_WR_R(APIC_DFR, %r12d)
	APIC_WR_R(APIC_LDR, %r13d)
1:	ret

/* Spins until the interrupt count reaches RSI. */
wait_count:
1:	cmp %rsi, PC_COUNT(%r15)
	jae 2f
	pause
	jmp 1b
2:	ret

/*
 * HLTs with interrupts on until the count reaches RSI; returns with
 * interrupts off. STI; HLT: an interrupt that comes after the check ends
 * the HLT (STI's shadow, SDM vol 2B "STI"; where an emulator delivers
 * inside the shadow, the handlers' SKIP_PENDING_HLT does it).
 */
hlt_count:
	cli
1:	cmp %rsi, PC_COUNT(%r15)
	jae 2f
	sti
	hlt
	cli
	jmp 1b
2:	ret

/* --- Handlers --- */

	.balign 16
GUEST_LABEL(lapic, stubs)
	.set vec, 32
	.rept 224
	.balign 16
	pushq $vec
	jmp irq_common
	.set vec, vec + 1
	.endr

irq_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	SKIP_PENDING_HLT(40)
	mov 32(%rsp), %rsi		/* the vector */
	mov %esi, %ecx
	shr $5, %ecx
	shl $4, %ecx
	add $APIC_ISR, %ecx
	call apic_read
	mov %esi, %ecx
	and $31, %ecx
	shr %cl, %eax
	and $1, %eax
	shl $8, %eax
	or %eax, %esi			/* | ISR bit << 8 */
	APIC_RD(APIC_PROCPRI)
	shl $16, %eax
	or %eax, %esi			/* | PPR << 16 */
	mov PC_COUNT(%r15), %rax
	cmp $LT_LOG_MAX, %rax
	jae 1f
	mov %rsi, PC_LOG(%r15,%rax,8)
1:	incq PC_COUNT(%r15)
	cmpq $0, PC_NO_EOI(%r15)
	jne 2f
	APIC_WR(APIC_EOI, 0)
2:	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $8, %rsp
	iretq

GUEST_LABEL(lapic, nmi)
	push %rax
	SKIP_PENDING_HLT(8)
	mov PC_COUNT(%r15), %rax
	cmp $LT_LOG_MAX, %rax
	jae 1f
	movq $LT_LOG_NMI, PC_LOG(%r15,%rax,8)
1:	incq PC_COUNT(%r15)
	incq PC_NMIS(%r15)
	pop %rax
	iretq

lt_no_program:
	GUEST_FAIL(0xdead)		/* the host sets RIP to a program */

/* --- Programs --- */

/*
 * xAPIC register semantics (SDM vol 3A 10.4-10.9 as KVM's
 * kvm_lapic_reg_write() applies them): reset values, what each register
 * keeps of a write of all ones, LVTs forced masked while software-disabled.
 */
GUEST_LABEL(lapic, regs)
	APIC_RD(APIC_ID);	RES(0)
	APIC_RD(APIC_LVR);	RES(1)
	APIC_RD(APIC_SPIV);	RES(2)
	APIC_RD(APIC_LVT0);	RES(3)
	APIC_WR(APIC_LVTT, 0x40)
	APIC_RD(APIC_LVTT);	RES(4)		/* masked: software-disabled */
	APIC_WR(APIC_SPIV, 0x1ff)
	APIC_RD(APIC_SPIV);	RES(5)
	APIC_WR(APIC_LVTT, 0xffffffff)
	APIC_RD(APIC_LVTT);	RES(6)
	APIC_WR(APIC_LVTTHMR, 0xffffffff)
	APIC_RD(APIC_LVTTHMR);	RES(7)
	APIC_WR(APIC_LVTPC, 0xffffffff)
	APIC_RD(APIC_LVTPC);	RES(8)
	APIC_WR(APIC_LVT0, 0xffffffff)
	APIC_RD(APIC_LVT0);	RES(9)
	APIC_WR(APIC_LVT1, 0xffffffff)
	APIC_RD(APIC_LVT1);	RES(10)
	APIC_WR(APIC_LVTERR, 0xffffffff)
	APIC_RD(APIC_LVTERR);	RES(11)
	APIC_WR(APIC_TDCR, 0xffffffff)
	APIC_RD(APIC_TDCR);	RES(12)
	APIC_WR(APIC_TASKPRI, 0xffffffff)
	APIC_RD(APIC_TASKPRI);	RES(13)
	APIC_RD(APIC_PROCPRI);	RES(14)
	APIC_WR(APIC_TASKPRI, 0)
	APIC_RD(APIC_PROCPRI);	RES(15)
	APIC_WR(APIC_DFR, 0)
	APIC_RD(APIC_DFR);	RES(16)
	APIC_WR(APIC_DFR, 0xffffffff)
	APIC_RD(APIC_DFR);	RES(17)
	APIC_WR(APIC_LDR, 0xffffffff)
	APIC_RD(APIC_LDR);	RES(18)
	APIC_WR(APIC_LDR, 0)
	APIC_WR(APIC_ICR2, 0xffffffff)
	APIC_RD(APIC_ICR2);	RES(19)
	APIC_WR(APIC_ICR2, 0)
	APIC_WR(APIC_ID, 0x05000000)
	APIC_RD(APIC_ID);	RES(20)
	APIC_WR(APIC_ID, 0)
	APIC_RD(APIC_ID);	RES(21)
	APIC_WR(APIC_SPIV, 0xffffffff)
	APIC_RD(APIC_SPIV);	RES(22)
	APIC_RD(APIC_ESR);	RES(23)
	APIC_RD(APIC_ARBPRI);	RES(24)
	APIC_WR(APIC_SPIV, 0x1ff)
	APIC_WR(APIC_LVTERR, 0xe0)
	APIC_RD(APIC_LVTERR);	RES(25)
	APIC_WR(APIC_SPIV, 0xff)		/* software disable masks every LVT */
	APIC_RD(APIC_LVTERR);	RES(26)
	APIC_RD(APIC_LVT1);	RES(27)
	APIC_WR(APIC_SPIV, 0x1ff)		/* and enabling leaves them masked */
	APIC_RD(APIC_LVTERR);	RES(28)
	APIC_RD(APIC_TMCCT);	RES(29)
	APIC_RD(APIC_TMICT);	RES(30)
	DONE

/*
 * IA32_APIC_BASE transitions from the guest (SDM vol 3A 10.12.5 Figure
 * 10-27; KVM's kvm_set_apic_base()): what is refused raises #GP.
 */
GUEST_LABEL(lapic, base)
	mov $MSR_APICBASE, %ecx
	rdmsr
	RES(0)
	mov %edx, %eax
	RES(1)
	WRMSR(MSR_APICBASE, APICBASE_X2APIC | APIC_BASE_BSP, 0)
	RDMSR_RES(MSR_APICBASE, 2)
	RDMSR_RES(X2APIC_MSR(APIC_ID), 3)
	RDMSR_RES(X2APIC_MSR(APIC_LVR), 4)
	RDMSR_RES(X2APIC_MSR(APIC_LDR), 5)
	EXPECT_GP(1, mov $X2APIC_MSR(APIC_DFR), %ecx; rdmsr)
	/* The xAPIC page in x2APIC mode: reads all ones, writes dropped. */
	mov $APIC_DEFAULT_GPA, %edx
	mov APIC_LVR(%rdx), %eax
	RES(6)
	movl $0x50, APIC_TASKPRI(%rdx)
	RDMSR_RES(X2APIC_MSR(APIC_TASKPRI), 7)
	/* x2APIC -> xAPIC, EXTD without EN, reserved bits: #GP. */
	EXPECT_GP(2, WRMSR(MSR_APICBASE, APICBASE_XAPIC | APIC_BASE_BSP, 0))
	EXPECT_GP(3, WRMSR(MSR_APICBASE, APIC_DEFAULT_GPA | APIC_BASE_BSP | APIC_BASE_EXTD, 0))
	EXPECT_GP(4, WRMSR(MSR_APICBASE, APICBASE_X2APIC | APIC_BASE_BSP | 0x1, 0))
	EXPECT_GP(5, WRMSR(MSR_APICBASE, APICBASE_X2APIC | APIC_BASE_BSP | 0x200, 0))
	EXPECT_GP(6, WRMSR(MSR_APICBASE, APICBASE_X2APIC | APIC_BASE_BSP, 0x80000000))
	RDMSR_RES(MSR_APICBASE, 8)
	/* x2APIC -> disabled: the page reads all ones, the MSRs #GP. */
	WRMSR(MSR_APICBASE, APIC_DEFAULT_GPA | APIC_BASE_BSP, 0)
	RDMSR_RES(MSR_APICBASE, 9)
	mov $APIC_DEFAULT_GPA, %edx
	mov APIC_LVR(%rdx), %eax
	RES(10)
	EXPECT_GP(7, mov $X2APIC_MSR(APIC_ID), %ecx; rdmsr)
	/* disabled -> x2APIC: #GP; disabled -> xAPIC. */
	EXPECT_GP(8, WRMSR(MSR_APICBASE, APICBASE_X2APIC | APIC_BASE_BSP, 0))
	WRMSR(MSR_APICBASE, APICBASE_XAPIC | APIC_BASE_BSP, 0)
	RDMSR_RES(MSR_APICBASE, 11)
	mov $APIC_DEFAULT_GPA, %edx
	mov APIC_LVR(%rdx), %eax
	RES(12)
	mov APIC_ID(%rdx), %eax
	RES(13)
	/* The x2APIC MSRs in xAPIC mode: #GP. */
	EXPECT_GP(9, mov $X2APIC_MSR(APIC_ID), %ecx; rdmsr)
	EXPECT_GP(10, WRMSR(X2APIC_MSR(APIC_SELF_IPI), 0x40, 0))
	DONE

/* The vCPU's CPUID lacks x2APIC: EXTD is a reserved bit. */
GUEST_LABEL(lapic, base_nox2apic)
	EXPECT_GP(1, WRMSR(MSR_APICBASE, APICBASE_X2APIC | APIC_BASE_BSP, 0))
	RDMSR_RES(MSR_APICBASE, 0)
	DONE

/*
 * Self-IPIs (SDM vol 3A 10.6.1, 10.12.11): the handler runs once per IPI
 * with the vector's ISR bit set, EOI clears it; an IPI to a
 * software-disabled LAPIC is dropped; two IPIs of one vector while
 * interrupts are off are one (IRR is a bit); a lower vector waits for a
 * higher one. x2APIC: the SELF IPI MSR and what raises #GP.
 */
GUEST_LABEL(lapic, selfipi)
	call apic_mode
	SELF_IPI(0x3e)				/* software-disabled: dropped */
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x3e));	RES(10)
	call apic_enable
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x3e));	RES(11)
	sti
	SELF_IPI(0x41)
	WAIT_COUNT(1)
	APIC_RD(APIC_VEC_REG(APIC_ISR, 0x41));	RES(0)
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x41));	RES(1)
	APIC_RD(APIC_PROCPRI);			RES(2)
	call apic_id				/* to itself by its ID */
	mov %eax, %edx
	mov $0x42, %eax
	call send_ipi
	WAIT_COUNT(2)
	cli
	SELF_IPI(0x43)
	SELF_IPI(0x43)
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x43));	RES(3)
	SELF_IPI(0x32)
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x32));	RES(4)
	COUNT_RES(5)
	sti
	WAIT_COUNT(4)
	APIC_RD(APIC_ICR);			RES(6)
	cmpq $0, PC_X2APIC(%r15)
	je 1f
	WRMSR(X2APIC_MSR(APIC_SELF_IPI), 0x44, 0)
	WAIT_COUNT(5)
	EXPECT_GP(1, WRMSR(X2APIC_MSR(APIC_SELF_IPI), 0x144, 0))
	EXPECT_GP(2, WRMSR(X2APIC_MSR(APIC_ICR), APIC_DEST_SELF | 0x2000 | 0x45, 0))
	EXPECT_GP(3, WRMSR(X2APIC_MSR(APIC_ESR), 1, 0))
	WRMSR(X2APIC_MSR(APIC_ESR), 0, 0)
	EXPECT_GP(4, WRMSR(X2APIC_MSR(APIC_ID), 0, 0))
	EXPECT_GP(5, WRMSR(X2APIC_MSR(APIC_LDR), 0, 0))
	EXPECT_GP(6, mov $X2APIC_MSR(APIC_ARBPRI), %ecx; rdmsr)
	EXPECT_GP(7, mov $X2APIC_MSR(APIC_ICR2), %ecx; rdmsr)
	EXPECT_GP(8, mov $X2APIC_MSR(APIC_EOI), %ecx; rdmsr)
	EXPECT_GP(9, mov $X2APIC_MSR(APIC_SELF_IPI), %ecx; rdmsr)
	EXPECT_GP(10, WRMSR(X2APIC_MSR(APIC_TASKPRI), 0, 1))
	RDMSR_RES(X2APIC_MSR(APIC_ICR), 7)
1:	nop
	OPEN_WINDOW
	COUNT_RES(8)
	APIC_RD(APIC_VEC_REG(APIC_ISR, 0x41));	RES(9)
	DONE

/*
 * Priority (SDM vol 3A 10.8.3.1): pending vectors go highest first; with
 * no EOI the vector stays in ISR and holds back its own class, not a
 * higher one; each EOI clears the highest ISR bit.
 */
GUEST_LABEL(lapic, prio)
	call apic_init
	cli
	SELF_IPI(0x50)
	SELF_IPI(0x90)
	SELF_IPI(0x70)
	sti
	WAIT_COUNT(3)
	movq $1, PC_NO_EOI(%r15)
	SELF_IPI(0x60)
	WAIT_COUNT(4)
	APIC_RD(APIC_PROCPRI);			RES(0)
	APIC_RD(APIC_VEC_REG(APIC_ISR, 0x60));	RES(1)
	SELF_IPI(0x65)				/* same class: waits */
	nop
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x65));	RES(2)
	COUNT_RES(3)
	SELF_IPI(0x70)				/* higher class: nests */
	WAIT_COUNT(5)
	APIC_RD(APIC_VEC_REG(APIC_ISR, 0x60));	RES(4)
	movq $0, PC_NO_EOI(%r15)
	APIC_WR(APIC_EOI, 0)			/* clears 0x70 */
	APIC_RD(APIC_VEC_REG(APIC_ISR, 0x60));	RES(5)
	APIC_RD(APIC_PROCPRI);			RES(6)
	APIC_WR(APIC_EOI, 0)			/* clears 0x60: 0x65 comes */
	WAIT_COUNT(6)
	APIC_RD(APIC_VEC_REG(APIC_ISR, 0x60));	RES(7)
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x60));	RES(8)
	OPEN_WINDOW
	COUNT_RES(9)
	DONE

/*
 * TPR and PPR (SDM vol 3A 10.8.3.1, 10.8.6.1): TPR holds back the vectors
 * of its class and below until lowered, through the register or CR8; PPR
 * is TPR or the class of the highest ISR vector, whichever is higher.
 */
GUEST_LABEL(lapic, tpr)
	call apic_init
	sti
	APIC_WR(APIC_TASKPRI, 0x50)
	APIC_RD(APIC_PROCPRI);			RES(0)
	SELF_IPI(0x45)
	SELF_IPI(0x5f)
	SELF_IPI(0x61)
	WAIT_COUNT(1)
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x45));	RES(1)
	COUNT_RES(2)
	APIC_WR(APIC_TASKPRI, 0x40)		/* 0x5f comes, 0x45 waits */
	WAIT_COUNT(2)
	APIC_RD(APIC_VEC_REG(APIC_IRR, 0x45));	RES(3)
	mov %cr8, %rax;				RES(4)
	xor %eax, %eax
	mov %rax, %cr8				/* 0x45 comes */
	WAIT_COUNT(3)
	APIC_RD(APIC_TASKPRI);			RES(5)
	mov $3, %eax
	mov %rax, %cr8
	APIC_RD(APIC_TASKPRI);			RES(6)
	APIC_RD(APIC_PROCPRI);			RES(7)
	APIC_WR(APIC_TASKPRI, 0x7f)
	mov %cr8, %rax;				RES(8)
	APIC_RD(APIC_PROCPRI);			RES(9)
	/* PPR with a vector in service. */
	movq $1, PC_NO_EOI(%r15)
	APIC_WR(APIC_TASKPRI, 0x35)
	SELF_IPI(0x61)
	WAIT_COUNT(4)
	APIC_RD(APIC_PROCPRI);			RES(10)
	APIC_WR(APIC_TASKPRI, 0x75)
	APIC_RD(APIC_PROCPRI);			RES(11)
	APIC_WR(APIC_TASKPRI, 0x65)
	APIC_RD(APIC_PROCPRI);			RES(12)
	APIC_WR(APIC_TASKPRI, 0x5f)
	APIC_RD(APIC_PROCPRI);			RES(13)
	movq $0, PC_NO_EOI(%r15)
	APIC_WR(APIC_EOI, 0)
	APIC_RD(APIC_PROCPRI);			RES(14)
	APIC_WR(APIC_TASKPRI, 0)
	APIC_RD(APIC_PROCPRI);			RES(15)
	OPEN_WINDOW
	COUNT_RES(16)
	DONE

/*
 * An illegal vector (0-15) sent by ICR (SDM vol 3A 10.5.3: the sender's
 * ESR "send illegal vector"): as KVM, which does not model ESR, ESR stays
 * 0, the vector lands in IRR and is never delivered, the error LVT
 * (vector 0xe0) does not fire.
 */
GUEST_LABEL(lapic, illegal)
	call apic_init
	APIC_WR(APIC_LVTERR, 0xe0)
	cmpq $0, PC_X2APIC(%r15)
	jne 1f
	APIC_WR(APIC_ESR, 0)
1:	sti
	SELF_IPI(0x05)
	call apic_id
	mov %eax, %edx
	mov $0x0f, %eax
	call send_ipi
	cmpq $0, PC_X2APIC(%r15)
	je 2f
	WRMSR(X2APIC_MSR(APIC_SELF_IPI), 0x07, 0)
	jmp 3f
2:	APIC_WR(APIC_ESR, 0)			/* latch the errors */
3:	APIC_RD(APIC_ESR);			RES(0)
	APIC_RD(APIC_IRR);			RES(1)
	APIC_RD(APIC_ISR);			RES(2)
	COUNT_RES(3)
	SELF_IPI(0x41)
	WAIT_COUNT(1)
	APIC_RD(APIC_IRR);			RES(4)
	APIC_RD(APIC_PROCPRI);			RES(5)
	OPEN_WINDOW
	COUNT_RES(6)
	DONE

/*
 * IPIs between vCPUs. The receiver (R12 = DFR, R13 = LDR in xAPIC mode)
 * says it is ready and HLTs until it has taken LT_WAKE_VEC; the sender
 * (R14 = the receiver's area) sends the table at LT_SHARED + SH_TABLE,
 * after each IPI waiting for both counts to reach the entry's.
 */
GUEST_LABEL(lapic, ipi_rx)
	call apic_init
	call set_logical
	lock incq LT_SHARED + SH_READY
	cli
1:	mov PC_COUNT(%r15), %rax
	test %rax, %rax
	jz 2f
	cmp $LT_LOG_MAX, %rax
	ja 2f
	mov (PC_LOG - 8)(%r15,%rax,8), %rax
	cmp $LT_WAKE_VEC, %al
	je 3f
2:	sti
	hlt
	cli
	jmp 1b
3:	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	DONE

GUEST_LABEL(lapic, ipi_tx)
	call apic_init
	call set_logical
	sti
1:	cmpq $0, LT_SHARED + SH_READY
	jne 2f
	pause
	jmp 1b
2:	mov $(LT_SHARED + SH_TABLE), %ebx
3:	mov LT_IPI_ICR(%rbx), %eax
	test %eax, %eax
	jz 6f
	mov LT_IPI_DEST(%rbx), %edx
	call send_ipi
	mov LT_IPI_RX(%rbx), %eax
4:	cmp %rax, PC_COUNT(%r14)
	jae 5f
	pause
	jmp 4b
5:	mov LT_IPI_TX(%rbx), %esi
	call wait_count
	incq LT_SHARED + SH_STEP
	add $LT_IPI_SIZE, %rbx
	jmp 3b
6:	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	DONE

/*
 * The BSP brings up the AP (APIC ID 1) as an OS does (SDM vol 3A 8.4.4.1
 * "Typical BSP Initialization Sequence"): INIT, INIT de-assert, SIPI, and
 * a second SIPI with another vector, which the AP, already started,
 * ignores. R12 = 1: reports after each, for the host to look at the AP;
 * R13 = 1: no second SIPI.
 */
GUEST_LABEL(lapic, init_sipi)
	call apic_init
	IPI(APIC_DM_INIT | APIC_INT_ASSERT, 1)
	test %r12, %r12
	jz 1f
	REPORT(1)
1:	IPI(APIC_DM_INIT | APIC_INT_LEVELTRIG, 1)
	test %r12, %r12
	jz 1f
	REPORT(2)
1:	IPI(APIC_DM_STARTUP | LT_SIPI_VEC, 1)
	test %r12, %r12
	jz 1f
	REPORT(3)
1:	test %r13, %r13				/* one SIPI only */
	jnz 1f
	IPI(APIC_DM_STARTUP | (LT_SIPI_VEC + 1), 1)
	test %r12, %r12
	jz 1f
	REPORT(4)
1:	DONE

/*
 * One-shot timer (SDM vol 3A 10.5.4): R12 = initial count, R13 = TDCR.
 * Reports the count once it fired; after the host waited, reports it
 * again (it fires once).
 */
GUEST_LABEL(lapic, timer_oneshot)
	call apic_init
	APIC_WR_R(APIC_TDCR, %r13d)
	APIC_WR(APIC_LVTT, LT_TIMER_VEC)
	cli
	APIC_WR_R(APIC_TMICT, %r12d)
	APIC_RD(APIC_TMCCT);			RES(0)
	mov $1, %esi
	call hlt_count
	APIC_RD(APIC_TMCCT);			RES(1)
	APIC_RD(APIC_TMICT);			RES(2)
	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	OPEN_WINDOW
	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	DONE

/*
 * Periodic timer, R12 = initial count (divide by 1): LT_PERIODS
 * interrupts, then TMICT = 0 stops it. Reports the count; after the host
 * waited, reports it again.
 */
GUEST_LABEL(lapic, timer_periodic)
	call apic_init
	APIC_WR(APIC_TDCR, APIC_TDR_DIV_1)
	APIC_WR(APIC_LVTT, APIC_LVT_TIMER_PERIODIC | LT_TIMER_VEC)
	cli
	APIC_WR_R(APIC_TMICT, %r12d)
	mov $LT_PERIODS, %esi
	call hlt_count
	APIC_RD(APIC_TMCCT);			RES(0)
	APIC_WR(APIC_TMICT, 0)
	APIC_RD(APIC_TMCCT);			RES(1)
	/* A period that ended before the stop may still be pending. */
	APIC_RD(APIC_VEC_REG(APIC_IRR, LT_TIMER_VEC));	RES(2)
	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	OPEN_WINDOW
	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	DONE

/*
 * Divide configuration (SDM vol 3A 10.5.4 Figure 10-10): a one-shot of
 * R12 counts at each of the eight divide values, each reported when it
 * fired. RES(i): TDCR read back; RES(8 + i): TMCCT right after arming.
 * TMICT = 0 stops the expired one-shot before each TDCR write: KVM re-arms
 * it there (kvm_lapic_reg_write() APIC_TDCR: restart_apic_timer() while
 * lapic_timer.period, set for any mode), an interrupt the SDM does not give.
 */
GUEST_LABEL(lapic, timer_divide)
	call apic_init
	APIC_WR(APIC_LVTT, LT_TIMER_VEC)
	xor %ebx, %ebx
1:	APIC_WR(APIC_TMICT, 0)
	lea divides(%rip), %rax
	movzbl (%rax,%rbx), %eax
	mov $APIC_TDCR, %ecx
	call apic_write
	APIC_RD(APIC_TDCR)
	mov %rax, PC_RES(%r15,%rbx,8)
	cli
	APIC_WR_R(APIC_TMICT, %r12d)
	APIC_RD(APIC_TMCCT)
	mov %rax, (PC_RES + 8 * 8)(%r15,%rbx,8)
	lea 1(%rbx), %esi
	call hlt_count
	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	inc %ebx
	cmp $8, %ebx
	jb 1b
	DONE
divides:
	.byte 0x0, 0x1, 0x2, 0x3, 0x8, 0x9, 0xa, 0xb

/*
 * A masked one-shot still counts (SDM vol 3A 10.5.4). With TDCR = R13 and
 * the largest count: the first TMCCT and the next different one (RES 0,
 * 1), reported. Then at divide by 1 with R12 counts: TMCCT never rises on
 * its way to 0 (RES 2: the first, 3: reads it took), no interrupt (RES 4).
 * (Not checked: unmasking after the count ran out. KVM evaluates the mask
 * when its hrtimer callback's expiry is injected, which may come after a
 * guest already read TMCCT 0 and unmasked.)
 */
GUEST_LABEL(lapic, timer_masked)
	call apic_init
	APIC_WR_R(APIC_TDCR, %r13d)
	APIC_WR(APIC_LVTT, APIC_LVT_MASKED | LT_TIMER_VEC)
	APIC_WR(APIC_TMICT, 0xffffffff)
	APIC_RD(APIC_TMCCT);			RES(0)
	mov %rax, %rbx
1:	APIC_RD(APIC_TMCCT)
	cmp %rax, %rbx
	je 1b
	RES(1)
	REPORT(1)
	APIC_WR(APIC_TDCR, APIC_TDR_DIV_1)
	APIC_WR_R(APIC_TMICT, %r12d)
	APIC_RD(APIC_TMCCT);			RES(2)
	mov %rax, %rbx
	xor %r14d, %r14d
2:	inc %r14
	APIC_RD(APIC_TMCCT)
	cmp %rbx, %rax
	jbe 3f
	GUEST_FAIL(1)				/* it went up */
3:	mov %rax, %rbx
	test %eax, %eax
	jnz 2b
	mov %r14, %rax;				RES(3)
	OPEN_WINDOW
	COUNT_RES(4)
	DONE

/*
 * TSC-deadline mode (SDM vol 3A 10.5.4.1); the CPUID bit is set. R12: TSC
 * ticks to a near deadline, R13: to a far one. TMICT is ignored; the MSR
 * reads back the armed deadline, 0 once written 0 or fired. Report 1:
 * the far deadline is disarmed, the host waits past it; report 2 (count):
 * the near one fired, then one in the past; the host waits; report 3.
 */
GUEST_LABEL(lapic, tscdeadline)
	call apic_init
	APIC_WR(APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | LT_TIMER_VEC)
	APIC_RD(APIC_LVTT);			RES(0)
	APIC_WR(APIC_TMICT, 1000)
	APIC_RD(APIC_TMICT);			RES(1)
	APIC_RD(APIC_TMCCT);			RES(2)
	cli
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	add %r13, %rax
	mov %rax, %rbx;				RES(3)
	mov %rbx, %rdx
	shr $32, %rdx
	mov $MSR_IA32_TSC_DEADLINE, %ecx
	wrmsr
	RDMSR_RES(MSR_IA32_TSC_DEADLINE, 4)
	WRMSR(MSR_IA32_TSC_DEADLINE, 0, 0)
	RDMSR_RES(MSR_IA32_TSC_DEADLINE, 5)
	APIC_RD(APIC_VEC_REG(APIC_IRR, LT_TIMER_VEC));	RES(6)
	REPORT(1)
	OPEN_WINDOW
	COUNT_RES(7)
	rdtsc
	shl $32, %rdx
	or %rdx, %rax
	add %r12, %rax
	mov %rax, %rdx
	shr $32, %rdx
	mov $MSR_IA32_TSC_DEADLINE, %ecx
	wrmsr
	mov PC_COUNT(%r15), %rsi
	inc %rsi
	call hlt_count
	RDMSR_RES(MSR_IA32_TSC_DEADLINE, 8)
	WRMSR(MSR_IA32_TSC_DEADLINE, 1, 0)	/* in the past: fires at once */
	mov PC_COUNT(%r15), %rsi
	inc %rsi
	call hlt_count
	RDMSR_RES(MSR_IA32_TSC_DEADLINE, 9)
	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	OPEN_WINDOW
	mov PC_COUNT(%r15), %rax
	GUEST_REPORT_EAX
	DONE

/*
 * Without the CPUID bit: the LVT keeps no TSC-deadline mode, the MSR reads
 * 0 and takes writes without #GP (KVM), nothing fires.
 */
GUEST_LABEL(lapic, tscdeadline_off)
	call apic_init
	APIC_WR(APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | LT_TIMER_VEC)
	APIC_RD(APIC_LVTT);			RES(0)
	WRMSR(MSR_IA32_TSC_DEADLINE, 1, 0)
	RDMSR_RES(MSR_IA32_TSC_DEADLINE, 1)
	OPEN_WINDOW
	COUNT_RES(2)
	DONE

/*
 * HLT with a one-shot of R12 counts armed: the interrupt ends it in the
 * kernel. RES(0): the HLTs it took.
 */
GUEST_LABEL(lapic, hlt_timer)
	call apic_init
	APIC_WR(APIC_TDCR, APIC_TDR_DIV_1)
	APIC_WR(APIC_LVTT, LT_TIMER_VEC)
	cli
	APIC_WR_R(APIC_TMICT, %r12d)
	xor %ebx, %ebx
1:	cmpq $1, PC_COUNT(%r15)
	jae 2f
	inc %ebx
	sti
	hlt
	cli
	jmp 1b
2:	mov %rbx, %rax;				RES(0)
	DONE

/* HLT with interrupts on and nothing armed, until an interrupt comes. */
GUEST_LABEL(lapic, halted)
	call apic_init
	cli
1:	cmpq $1, PC_COUNT(%r15)
	jae 2f
	sti
	hlt
GUEST_LABEL(lapic, halted_after)
	cli
	jmp 1b
2:	DONE

/*
 * Reads PPR, takes the interrupts KVM_SET_LAPIC left pending (R12 of
 * them), then EOIs the vector left in service.
 */
GUEST_LABEL(lapic, drain)
	cli
	APIC_RD(APIC_PROCPRI);			RES(0)
	sti
	mov %r12, %rsi
	call wait_count
	cli
	APIC_WR(APIC_EOI, 0)
	DONE
GUEST_END(lapic)

/* The AP after SIPI: real mode at LT_SIPI_VEC << 12; reports CS. */
GUEST_BEGIN(lapic_ap)
	.code16
	mov %cs, %ax
	movzwl %ax, %eax
	GUEST_REPORT_EAX
	mov $LT_DONE, %eax
	GUEST_REPORT_EAX
1:	hlt
	jmp 1b
GUEST_END(lapic_ap)

	.section .note.GNU-stack, "", @progbits
