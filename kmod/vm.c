// SPDX-License-Identifier: GPL-2.0-only
/* VM objects and the VM fd. */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "ioctl.h"
#include "virt.h"
#include "vm.h"

static void mv_vm_free(struct kref *ref)
{
	struct mv_vm *vm = container_of(ref, struct mv_vm, ref);

	mmdrop(vm->mm);
	mv_virt_put();
	kfree(vm);
}

static void mv_vm_put(struct mv_vm *vm)
{
	kref_put(&vm->ref, mv_vm_free);
}

static long mv_vm_check_extension(void *vm, unsigned long arg, void *karg)
{
	return mv_check_extension(vm, arg);
}

static const struct mv_ioctl mv_vm_ioctls[] = {
	MV_IOCTL_SCALAR(KVM_CHECK_EXTENSION, mv_vm_check_extension),
};

static long mv_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct mv_vm *vm = filp->private_data;

	/* As kvm_vm_ioctl(): a VM answers only the process that created it. */
	if (vm->mm != current->mm)
		return -EIO;
	return mv_ioctl_dispatch(mv_vm_ioctls, ARRAY_SIZE(mv_vm_ioctls), vm,
				 cmd, arg);
}

static int mv_vm_release(struct inode *inode, struct file *filp)
{
	mv_vm_put(filp->private_data);
	return 0;
}

static const struct file_operations mv_vm_fops = {
	.owner		= THIS_MODULE,
	.release	= mv_vm_release,
	.unlocked_ioctl	= mv_vm_ioctl,
	.compat_ioctl	= mv_vm_ioctl,
	.llseek		= noop_llseek,
};

int mv_vm_create(unsigned long type)
{
	struct mv_vm *vm;
	int r;

	/* KVM_X86_DEFAULT_VM only; like KVM, check the type before the hardware. */
	if (type)
		return -EINVAL;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);

	r = mv_virt_get();
	if (r)
		goto err_free_vm;

	mmgrab(current->mm);
	vm->mm = current->mm;

	r = anon_inode_getfd("minivirt-vm", &mv_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_drop_mm;
	return r;

err_drop_mm:
	mmdrop(vm->mm);
	mv_virt_put();
err_free_vm:
	kfree(vm);
	return r;
}
