/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The I/O port space: devices register a port range and handlers, as with
 * kvmtool's kvm__register_iotrap(). An access wider than a device takes is
 * split into byte accesses at consecutive ports (as QEMU does), so a
 * byte-register device such as the UART sees "outw 0x3f8" as two writes.
 * Unclaimed ports read as all ones and ignore writes; they are counted.
 */
#ifndef VMRUN_IOPORT_H
#define VMRUN_IOPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define IOPORT_SPACE		0x10000u
#define IOPORT_MAX_DEVS		32
#define IOPORT_MAX_UNCLAIMED	16	/* distinct ports counted one by one */

enum io_action {
	IO_CONTINUE,
	IO_STOP,	/* the device stopped the machine (struct vm_stop says how) */
};

/* Handlers get the offset into the device's range and a 1, 2 or 4 byte access. */
typedef enum io_action (*io_in_fn)(void *opaque, uint16_t off, unsigned int size,
				   uint32_t *val);
typedef enum io_action (*io_out_fn)(void *opaque, uint16_t off, unsigned int size,
				    uint32_t val);

struct ioport_dev {
	const char *name;
	uint16_t base;
	uint32_t len;
	unsigned int widths;	/* access sizes taken whole: bit n for n bytes */
	io_in_fn in;		/* NULL: reads as all ones */
	io_out_fn out;		/* NULL: writes ignored */
	void *opaque;
};

#define IO_WIDTH(n)		(1u << (n))

struct ioport_unclaimed {
	uint16_t port;
	unsigned long reads, writes;
};

struct ioport_table {
	struct ioport_dev devs[IOPORT_MAX_DEVS];	/* sorted by base */
	unsigned int ndevs;
	struct ioport_unclaimed unclaimed[IOPORT_MAX_UNCLAIMED];
	unsigned int nunclaimed;
	unsigned long unclaimed_other;	/* accesses to further ports */
};

void ioport_init(struct ioport_table *t);

/* 0, or -EINVAL (empty/past 0xffff), -EEXIST (overlap, named), -ENOSPC. */
int ioport_register(struct ioport_table *t, const struct ioport_dev *d,
		    struct err *e);

/* The device whose range holds port, or NULL. */
const struct ioport_dev *ioport_find(const struct ioport_table *t, uint16_t port);

/* One access of size 1, 2 or 4 bytes; *val is zero-extended. */
enum io_action ioport_in(struct ioport_table *t, uint16_t port,
			 unsigned int size, uint32_t *val);
enum io_action ioport_out(struct ioport_table *t, uint16_t port,
			  unsigned int size, uint32_t val);

/* The unclaimed-port summary of --verbose; nothing if there were none. */
void ioport_print_unclaimed(const struct ioport_table *t, FILE *out);

#endif /* VMRUN_IOPORT_H */
