/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The protocol between selftests/irqchip_devices.c and its guest,
 * guest/irqchip_devices.S (plain constants: included by C and assembly).
 *
 * The guest runs one command at a time: it reports IRQC_IDLE, then carries
 * out the command the host left at IRQC_CMD_* (a port or MMIO access, STI,
 * CLI), then reports IRQC_IDLE again. Its interrupt handlers (vectors
 * IRQC_FIRST_VECTOR up, and NMI) count each run per vector, log the order of
 * runs, report IRQC_HANDLER | vector when IRQC_HREPORT is set, and send the
 * EOIs IRQC_EOI_MODE names (none for an NMI).
 */
#ifndef MINIVIRT_GUEST_IRQCHIP_DEVICES_H
#define MINIVIRT_GUEST_IRQCHIP_DEVICES_H

#include "layout.h"

#define IRQC_CMD_OP		(GUEST_DATA_GPA + 0x00)
#define IRQC_CMD_ADDR		(GUEST_DATA_GPA + 0x08)
#define IRQC_CMD_VAL		(GUEST_DATA_GPA + 0x10)
#define IRQC_CMD_RESULT		(GUEST_DATA_GPA + 0x18)
#define IRQC_EOI_MODE		(GUEST_DATA_GPA + 0x20)
#define IRQC_HREPORT		(GUEST_DATA_GPA + 0x28)
#define IRQC_LOG_N		(GUEST_DATA_GPA + 0x30)
#define IRQC_LOG		(GUEST_DATA_GPA + 0x100)	/* IRQC_LOG_MAX vectors */
#define IRQC_COUNTS		(GUEST_DATA_GPA + 0x400)	/* 256 counters */
#define IRQC_LOG_MAX		64

/* Commands: ADDR is the port or guest-physical address, VAL the data. */
#define IRQC_OP_NOP		0
#define IRQC_OP_OUTB		1
#define IRQC_OP_INB		2
#define IRQC_OP_OUTW		3
#define IRQC_OP_INW		4
#define IRQC_OP_WRITE8		5
#define IRQC_OP_READ8		6
#define IRQC_OP_WRITE32		7
#define IRQC_OP_READ32		8
#define IRQC_OP_WRITE64		9
#define IRQC_OP_READ64		10
#define IRQC_OP_STI		11
#define IRQC_OP_CLI		12

/* IRQC_EOI_MODE bits: the EOIs a handler sends, in this order. */
#define IRQC_EOI_SLAVE		1	/* non-specific EOI to the slave 8259A */
#define IRQC_EOI_MASTER		2	/* non-specific EOI to the master */
#define IRQC_EOI_LAPIC		4	/* a write to the LAPIC's EOI register */

#define IRQC_IDLE		0x1d1e
#define IRQC_HANDLER		0x4000	/* | vector */

/* Handler stubs: IRQC_NR_STUBS vectors from IRQC_FIRST_VECTOR, 16 bytes each. */
#define IRQC_FIRST_VECTOR	0x20
#define IRQC_NR_STUBS		0x60
#define IRQC_STUB_SIZE		16

#define IRQC_LAPIC_EOI		0xfee000b0

#endif /* MINIVIRT_GUEST_IRQCHIP_DEVICES_H */
