/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The in-kernel I/O buses: devices the kernel emulates (PIC, IOAPIC, PIT,
 * ioeventfds) at port-I/O and MMIO ranges, consulted by the exit path before
 * an access goes to userspace (KVM's kvm_io_bus). The per-vCPU xAPIC page is
 * not on the bus: the MMIO path asks the vCPU's own LAPIC first, as KVM's
 * vcpu_mmio_write() does.
 *
 * Readers hold vm->srcu (every exit handler does); a bus is an immutable
 * sorted array replaced as a whole under vm->lock, the old one freed after
 * synchronize_srcu(). Device callbacks run in the vCPU thread, preemptible,
 * with vm->srcu held.
 */
#ifndef MINIVIRT_IOBUS_H
#define MINIVIRT_IOBUS_H

#include <linux/types.h>

struct mv_vcpu;
struct mv_vm;
struct mv_io_device;

enum mv_bus {
	MV_PIO_BUS,
	MV_MMIO_BUS,
	MV_NR_BUSES,
};

struct mv_io_device_ops {
	/*
	 * 0 when the device took the access; -EOPNOTSUPP when it does not
	 * take it (an ioeventfd whose datamatch differs): the next device at
	 * that address is asked, then userspace.
	 */
	int (*read)(struct mv_vcpu *vcpu, struct mv_io_device *dev, u64 addr,
		    unsigned int len, void *val);
	int (*write)(struct mv_vcpu *vcpu, struct mv_io_device *dev, u64 addr,
		     unsigned int len, const void *val);
};

struct mv_io_device {
	const struct mv_io_device_ops *ops;
};

/*
 * Under vm->lock. [addr, addr + len) may overlap another device's range
 * (ioeventfds with different datamatch); len 0 matches any length at addr
 * (KVM_IOEVENTFD with len 0). -ENOSPC past the bus's device limit.
 */
int mv_io_bus_register(struct mv_vm *vm, enum mv_bus bus, u64 addr,
		       unsigned int len, struct mv_io_device *dev);
/* Under vm->lock; returns after no reader can reach the device any more. */
void mv_io_bus_unregister(struct mv_vm *vm, enum mv_bus bus,
			  struct mv_io_device *dev);

/* Under vm->srcu. 0 if a device took it, -EOPNOTSUPP if none did. */
int mv_io_bus_write(struct mv_vcpu *vcpu, enum mv_bus bus, u64 addr,
		    unsigned int len, const void *val);
int mv_io_bus_read(struct mv_vcpu *vcpu, enum mv_bus bus, u64 addr,
		   unsigned int len, void *val);

/* At VM destruction, after every device unregistered itself. */
void mv_io_bus_free(struct mv_vm *vm);

#endif /* MINIVIRT_IOBUS_H */
