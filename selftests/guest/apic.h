/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The local APIC's architectural constants, for C and assembly alike (plain
 * #defines): register offsets in the xAPIC page (SDM vol 3A 10.4.1 Table
 * 10-1 "Local APIC Register Address Map"; x2APIC MSR = 0x800 + offset / 16,
 * 10.12.1.2 Table 10-6), ICR and LVT fields (10.6.1 Figure 10-12, 10.5.1
 * Figure 10-8), IA32_APIC_BASE bits (10.4.4 Figure 10-5, 10.12.1). Names
 * follow Linux's <asm/apicdef.h>, which userspace cannot include.
 */
#ifndef MINIVIRT_GUEST_APIC_H
#define MINIVIRT_GUEST_APIC_H

#define APIC_DEFAULT_GPA	0xfee00000

/* IA32_APIC_BASE (MSR 0x1b). */
#define APIC_BASE_BSP		0x100
#define APIC_BASE_EXTD		0x400	/* x2APIC mode */
#define APIC_BASE_EN		0x800

/* Register offsets in the xAPIC page. */
#define APIC_ID			0x020
#define APIC_LVR		0x030
#define APIC_TASKPRI		0x080
#define APIC_ARBPRI		0x090
#define APIC_PROCPRI		0x0a0
#define APIC_EOI		0x0b0
#define APIC_LDR		0x0d0
#define APIC_DFR		0x0e0
#define APIC_SPIV		0x0f0
#define APIC_ISR		0x100	/* 8 registers, 0x10 apart */
#define APIC_TMR		0x180
#define APIC_IRR		0x200
#define APIC_ESR		0x280
#define APIC_LVTCMCI		0x2f0
#define APIC_ICR		0x300
#define APIC_ICR2		0x310
#define APIC_LVTT		0x320
#define APIC_LVTTHMR		0x330
#define APIC_LVTPC		0x340
#define APIC_LVT0		0x350
#define APIC_LVT1		0x360
#define APIC_LVTERR		0x370
#define APIC_TMICT		0x380
#define APIC_TMCCT		0x390
#define APIC_TDCR		0x3e0
#define APIC_SELF_IPI		0x3f0	/* x2APIC only */

/* The IRR/ISR/TMR register holding vector v, and its bit there. */
#define APIC_VEC_REG(base, v)	((base) + 0x10 * ((v) >> 5))
#define APIC_VEC_BIT(v)		(1U << ((v) & 31))

/* x2APIC: the MSR of a register offset. */
#define X2APIC_MSR(reg)		(0x800 + ((reg) >> 4))
#define MSR_IA32_TSC_DEADLINE	0x6e0

/* SVR. */
#define APIC_SPIV_ENABLED	0x100

/* ICR (low half) and the delivery mode of LVTs. */
#define APIC_DM_FIXED		0x000
#define APIC_DM_LOWEST		0x100
#define APIC_DM_SMI		0x200
#define APIC_DM_NMI		0x400
#define APIC_DM_INIT		0x500
#define APIC_DM_STARTUP		0x600
#define APIC_DM_EXTINT		0x700
#define APIC_DEST_LOGICAL	0x800
#define APIC_ICR_BUSY		0x1000
#define APIC_INT_ASSERT		0x4000
#define APIC_INT_LEVELTRIG	0x8000
#define APIC_DEST_SELF		0x40000
#define APIC_DEST_ALLINC	0x80000
#define APIC_DEST_ALLBUT	0xc0000

/* LVT. */
#define APIC_LVT_MASKED			0x10000
#define APIC_LVT_TIMER_PERIODIC		0x20000
#define APIC_LVT_TIMER_TSCDEADLINE	0x40000

/* TDCR: the divide value's encoding (SDM vol 3A 10.5.4 Figure 10-10). */
#define APIC_TDR_DIV_1		0xb
#define APIC_TDR_DIV_2		0x0
#define APIC_TDR_DIV_128	0xa

/* CPUID.1:ECX. */
#define CPUID_1_ECX_X2APIC		(1U << 21)
#define CPUID_1_ECX_TSC_DEADLINE	(1U << 24)

#endif /* MINIVIRT_GUEST_APIC_H */
