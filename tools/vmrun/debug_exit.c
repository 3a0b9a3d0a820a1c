// SPDX-License-Identifier: GPL-2.0-only
/* isa-debug-exit: the guest chooses vmrun's exit status. */
#include <string.h>

#include "debug_exit.h"
#include "vmrun.h"

void debug_exit_init(struct debug_exit *d, struct vm_stop *stop)
{
	memset(d, 0, sizeof(*d));
	d->stop = stop;
}

enum io_action debug_exit_in(void *opaque, uint16_t off, unsigned int size,
			     uint32_t *val)
{
	(void)opaque;
	(void)off;
	(void)size;
	*val = 0;
	return IO_CONTINUE;
}

enum io_action debug_exit_out(void *opaque, uint16_t off, unsigned int size,
			      uint32_t val)
{
	struct debug_exit *d = opaque;

	(void)off;
	d->written = true;
	d->value = val;
	vm_stop_set(d->stop, VMRUN_DEBUG_EXIT_STATUS(val),
		    "the guest wrote 0x%x to isa-debug-exit (a %u-byte write)", val, size);
	return IO_STOP;
}

int debug_exit_register(struct debug_exit *d, struct ioport_table *t,
			uint16_t port, struct err *e)
{
	const struct ioport_dev dev = {
		.name = "isa-debug-exit",
		.base = port,
		.len = 1,
		.widths = IO_WIDTH(1) | IO_WIDTH(2) | IO_WIDTH(4),
		.in = debug_exit_in,
		.out = debug_exit_out,
		.opaque = d,
	};

	return ioport_register(t, &dev, e);
}
