/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vmrun's exit statuses. vmrun's own statuses are even, so that they never
 * collide with the odd statuses (v << 1) | 1 of a guest's isa-debug-exit
 * write. The table is in --help and README.md.
 */
#ifndef VMRUN_H
#define VMRUN_H

enum vmrun_status {
	VMRUN_HALTED	= 0,	/* the guest executed HLT (v0: the guest is done) */
	VMRUN_SHUTDOWN	= 2,	/* KVM_EXIT_SHUTDOWN: triple fault */
	VMRUN_UNHANDLED	= 4,	/* an exit vmrun cannot handle, or KVM_RUN failed */
	VMRUN_TIMEOUT	= 6,	/* --timeout expired */
	VMRUN_SETUP	= 8,	/* the device, a capability, an ioctl or the image */
	VMRUN_USAGE	= 10,	/* bad command line */
	/* SIGINT, SIGTERM: 128 + the signal number, as a shell reports it */
};

/* What isa-debug-exit makes of a guest's write of v (QEMU's rule). */
#define VMRUN_DEBUG_EXIT_STATUS(v)	((int)((((v) << 1) | 1) & 0xff))

#endif /* VMRUN_H */
