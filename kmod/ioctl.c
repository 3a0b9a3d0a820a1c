// SPDX-License-Identifier: GPL-2.0-only
/* Table-driven ioctl dispatch; see ioctl.h. */
#include <linux/errno.h>
#include <linux/uaccess.h>

#include "backend.h"
#include "ioctl.h"

bool mv_backend_runs_guests(void)
{
	return mv_backend->run;
}

static const struct mv_ioctl *mv_ioctl_find(const struct mv_ioctl *table,
					    unsigned int n, unsigned int cmd)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (table[i].cmd == cmd)
			return table[i].needs_guests && !mv_backend_runs_guests() ?
			       NULL : &table[i];
	return NULL;
}

static long mv_ioctl_call(const struct mv_ioctl *ent, void *obj,
			  unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u8 karg[MV_IOCTL_ARG_MAX];
	long r;

	if (!ent->arg_size)
		return ent->fn(obj, arg, NULL);

	if (_IOC_DIR(cmd) & _IOC_WRITE) {
		if (copy_from_user(karg, uarg, ent->arg_size))
			return -EFAULT;
	} else {
		memset(karg, 0, ent->arg_size);
	}

	r = ent->fn(obj, arg, karg);
	if (r >= 0 && (_IOC_DIR(cmd) & _IOC_READ) &&
	    copy_to_user(uarg, karg, ent->arg_size))
		return -EFAULT;
	return r;
}

long mv_ioctl_dispatch(const struct mv_ioctl *table, unsigned int n,
		       void *obj, struct mutex *fd_lock, unsigned int cmd,
		       unsigned long arg)
{
	const struct mv_ioctl *ent;
	long r;

	ent = mv_ioctl_find(table, n, cmd);
	if (!ent)
		return -ENOTTY;
	if (ent->lock != MV_LOCK_VM && ent->lock != MV_LOCK_VCPU)
		return mv_ioctl_call(ent, obj, cmd, arg);

	/* kvm_vcpu_ioctl(): a killed task does not wait for its vCPU. */
	if (mutex_lock_killable(fd_lock))
		return -EINTR;
	r = mv_ioctl_call(ent, obj, cmd, arg);
	mutex_unlock(fd_lock);
	return r;
}
