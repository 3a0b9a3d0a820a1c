/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lapic suite's guest memory and register conventions, shared by
 * lapic.c and guest/lapic.S (plain constants).
 *
 * Every vCPU starts with R15 = its own area (LT_PCPU(i)), which the
 * interrupt handlers of guest/lapic.S use: a count of interrupts taken, a
 * log of them, flags, and results the programs store for the host. R12,
 * R13 and R14 carry a program's parameters.
 */
#ifndef MINIVIRT_GUEST_LAPIC_H
#define MINIVIRT_GUEST_LAPIC_H

#include "layout.h"

#define LT_PCPU(i)	(GUEST_DATA_GPA + 0x1000 * (i))
#define PC_COUNT	0x000	/* interrupts and NMIs taken */
#define PC_X2APIC	0x008	/* 1: the accessors use the x2APIC MSRs */
#define PC_NO_EOI	0x010	/* 1: the handler does not write EOI */
#define PC_NMIS		0x018	/* NMIs taken */
#define PC_RES		0x100	/* results, 8 bytes each */
#define LT_RES_MAX	64
#define PC_LOG		0x400	/* one entry per interrupt, 8 bytes each */
#define LT_LOG_MAX	128

/*
 * A log entry: the vector, bit 8 set if the vector's ISR bit was set in the
 * handler, PPR in bits 23:16 as the handler read it. An NMI logs LT_LOG_NMI.
 */
#define LT_LOG(vec, ppr)	((vec) | 0x100 | (ppr) << 16)
#define LT_LOG_NMI		0x202

/* Shared by the vCPUs of the IPI tests. */
#define LT_SHARED	(GUEST_DATA_GPA + 0x3000)
#define SH_READY	0x000	/* receivers ready */
#define SH_STOP		0x008	/* the sender is done */
#define SH_STEP		0x010	/* table entries the sender completed */
#define SH_TABLE	0x100	/* IPIs to send, LT_IPI_* fields */
#define LT_IPI_SIZE	16
#define LT_IPI_ICR	0	/* u32 ICR low; 0 ends the table */
#define LT_IPI_DEST	4	/* u32 destination (xAPIC: bits 31:24 of ICR2) */
#define LT_IPI_RX	8	/* u32 receiver's count to wait for */
#define LT_IPI_TX	12	/* u32 sender's own count to wait for */
#define LT_WAKE_VEC	0x3f	/* the sender's last IPI: wakes the receiver */

#define LT_TIMER_VEC	0x50	/* the timer programs' LVT vector */
#define LT_PERIODS	5	/* periodic timer interrupts to wait for */

#define LT_STACK(i)	((i) ? 0x60000 + 0x1000 * (i) : GUEST_STACK_TOP)
#define LT_SIPI_VEC	0x40	/* the AP starts at LT_SIPI_VEC << 12 */
#define LT_DONE		0x600d	/* reported when a program ends */

#endif /* MINIVIRT_GUEST_LAPIC_H */
