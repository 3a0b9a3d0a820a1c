/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * isa-debug-exit, as QEMU's: a guest write of value v to the port stops the
 * machine, and vmrun exits with status (v << 1) | 1 (the shell sees its low 8
 * bits). Writes of 1, 2 or 4 bytes are taken whole (QEMU's iosize); reads
 * return 0.
 */
#ifndef VMRUN_DEBUG_EXIT_H
#define VMRUN_DEBUG_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "ioport.h"
#include "stop.h"

#define DEBUG_EXIT_PORT		0xf4

struct debug_exit {
	struct vm_stop *stop;
	bool written;
	uint32_t value;
};

void debug_exit_init(struct debug_exit *d, struct vm_stop *stop);
int debug_exit_register(struct debug_exit *d, struct ioport_table *t,
			uint16_t port, struct err *e);

enum io_action debug_exit_in(void *opaque, uint16_t off, unsigned int size,
			     uint32_t *val);
enum io_action debug_exit_out(void *opaque, uint16_t off, unsigned int size,
			      uint32_t val);

#endif /* VMRUN_DEBUG_EXIT_H */
