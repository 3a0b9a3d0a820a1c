/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Table-driven ioctl dispatch (after FreeBSD bhyve's vmmdev_ioctls[]): one table
 * per kind of fd, an entry per implemented ioctl. The dispatcher looks the
 * command up (-ENOTTY if absent), copies a fixed-size argument in and out, and
 * calls the handler, so handlers never touch user memory for fixed arguments.
 */
#ifndef MINIVIRT_IOCTL_H
#define MINIVIRT_IOCTL_H

#include <linux/build_bug.h>
#include <linux/ioctl.h>

/* The largest argument the dispatcher copies (struct kvm_sregs is 312 bytes). */
#define MV_IOCTL_ARG_MAX	512

/*
 * obj: the fd's object (NULL for /dev/minivirt); arg: the raw ioctl argument;
 * karg: the kernel copy of a fixed-size argument, NULL for scalar ioctls.
 * Returns >= 0 for success (the ioctl's return value) or -errno.
 */
typedef long (*mv_ioctl_fn)(void *obj, unsigned long arg, void *karg);

struct mv_ioctl {
	unsigned int cmd;
	unsigned int arg_size;	/* bytes to copy; 0: scalar or handler copies */
	bool needs_guests;	/* absent (-ENOTTY) if the backend runs no guests */
	mv_ioctl_fn fn;
};

/* An ioctl whose argument is a value (or a pointer the handler follows). */
#define MV_IOCTL_SCALAR(c, handler)					\
	{ .cmd = (c), .arg_size = 0, .fn = (handler) }

/* An ioctl with a fixed-size struct argument, copied per _IOC_DIR(cmd). */
#define MV_IOCTL_STRUCT(c, type, handler)				\
	{								\
		.cmd = (c) +						\
		       BUILD_BUG_ON_ZERO(_IOC_SIZE(c) != sizeof(type)) +	\
		       BUILD_BUG_ON_ZERO(sizeof(type) > MV_IOCTL_ARG_MAX),	\
		.arg_size = sizeof(type),				\
		.fn = (handler),					\
	}

/* The same, for ioctls that exist only where the backend can run guests. */
#define MV_GUEST_IOCTL_SCALAR(c, handler)				\
	{ .cmd = (c), .needs_guests = true, .fn = (handler) }
#define MV_GUEST_IOCTL_STRUCT(c, type, handler)				\
	{								\
		.cmd = (c) +						\
		       BUILD_BUG_ON_ZERO(_IOC_SIZE(c) != sizeof(type)) +	\
		       BUILD_BUG_ON_ZERO(sizeof(type) > MV_IOCTL_ARG_MAX),	\
		.arg_size = sizeof(type),				\
		.needs_guests = true,					\
		.fn = (handler),					\
	}

/* Can the chosen backend run guests (until every backend can)? */
bool mv_backend_runs_guests(void);

long mv_ioctl_dispatch(const struct mv_ioctl *table, unsigned int n,
		       void *obj, unsigned int cmd, unsigned long arg);

#endif /* MINIVIRT_IOCTL_H */
