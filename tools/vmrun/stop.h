/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Why the machine stopped and with which exit status: set once, by the exit
 * handlers or by a device (isa-debug-exit), on the vCPU thread.
 */
#ifndef VMRUN_STOP_H
#define VMRUN_STOP_H

#include <stdbool.h>

struct vm_stop {
	bool stopped;
	int status;		/* enum vmrun_status or a debug-exit status */
	char why[160];
};

/* The first call wins: later ones (a HLT after debug-exit) change nothing. */
void vm_stop_set(struct vm_stop *s, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* VMRUN_STOP_H */
