/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Table-driven ioctl dispatch (after FreeBSD bhyve's vmmdev_ioctls[]): one table
 * per kind of fd, an entry per implemented ioctl. The dispatcher looks the
 * command up (-ENOTTY if absent), takes the lock the entry names, copies a
 * fixed-size argument in and out, and calls the handler, so handlers never
 * touch user memory for fixed arguments.
 */
#ifndef MINIVIRT_IOCTL_H
#define MINIVIRT_IOCTL_H

#include <linux/build_bug.h>
#include <linux/ioctl.h>
#include <linux/mutex.h>

/* The largest argument the dispatcher copies (struct kvm_sregs is 312 bytes). */
#define MV_IOCTL_ARG_MAX	512

/*
 * obj: the fd's object (NULL for /dev/minivirt); arg: the raw ioctl argument;
 * karg: the kernel copy of a fixed-size argument, NULL for scalar ioctls.
 * Returns >= 0 for success (the ioctl's return value) or -errno.
 */
typedef long (*mv_ioctl_fn)(void *obj, unsigned long arg, void *karg);

/*
 * The lock column: what an ioctl holds while its handler runs.
 *   NONE     no VM-wide lock: the handler reads what cannot change, or keeps
 *            to the lock of the device it drives (named at the handler).
 *            Injection (KVM_IRQ_LINE, KVM_SIGNAL_MSI; irqfd is no ioctl)
 *            is NONE, so that any thread injects while vCPUs run.
 *   VM       vm->lock, taken by the dispatcher (a VM fd's table only).
 *   VCPU     vcpu->mutex, taken by the dispatcher (a vCPU fd's table only):
 *            every vCPU ioctl, as kvm_vcpu_ioctl().
 *   VM_PART  vm->lock, taken by the handler around part of its work: it
 *            allocates, waits for SRCU readers or flushes work outside it.
 */
enum mv_ioctl_lock {
	MV_LOCK_NONE,
	MV_LOCK_VM,
	MV_LOCK_VCPU,
	MV_LOCK_VM_PART,
};

struct mv_ioctl {
	unsigned int cmd;
	unsigned int arg_size;	/* bytes to copy; 0: scalar or handler copies */
	bool needs_guests;	/* absent (-ENOTTY) if the backend runs no guests */
	enum mv_ioctl_lock lock;
	mv_ioctl_fn fn;
};

#define MV_IOCTL_ARG_SIZE(c, type)					\
	(sizeof(type) +							\
	 BUILD_BUG_ON_ZERO(_IOC_SIZE(c) != sizeof(type)) +		\
	 BUILD_BUG_ON_ZERO(sizeof(type) > MV_IOCTL_ARG_MAX))

/*
 * An ioctl whose argument is a value (or a pointer the handler follows),
 * and one with a fixed-size struct argument, copied per _IOC_DIR(cmd).
 * lock: NONE, VM, VCPU or VM_PART (above).
 */
#define MV_IOCTL_SCALAR(c, lk, handler)					\
	{ .cmd = (c), .lock = MV_LOCK_##lk, .fn = (handler) }
#define MV_IOCTL_STRUCT(c, type, lk, handler)				\
	{ .cmd = (c), .arg_size = MV_IOCTL_ARG_SIZE(c, type),		\
	  .lock = MV_LOCK_##lk, .fn = (handler) }

/* The same, for ioctls that exist only where the backend can run guests. */
#define MV_GUEST_IOCTL_SCALAR(c, lk, handler)				\
	{ .cmd = (c), .needs_guests = true, .lock = MV_LOCK_##lk,	\
	  .fn = (handler) }
#define MV_GUEST_IOCTL_STRUCT(c, type, lk, handler)			\
	{ .cmd = (c), .arg_size = MV_IOCTL_ARG_SIZE(c, type),		\
	  .needs_guests = true, .lock = MV_LOCK_##lk, .fn = (handler) }

/* Can the chosen backend run guests (until every backend can)? */
bool mv_backend_runs_guests(void);

/*
 * fd_lock: the fd's mutex for VM and VCPU entries (vm->lock on a VM fd,
 * vcpu->mutex on a vCPU fd), NULL for /dev/minivirt, whose table has none.
 */
long mv_ioctl_dispatch(const struct mv_ioctl *table, unsigned int n,
		       void *obj, struct mutex *fd_lock, unsigned int cmd,
		       unsigned long arg);

#endif /* MINIVIRT_IOCTL_H */
