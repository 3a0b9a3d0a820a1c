// SPDX-License-Identifier: GPL-2.0-only
/* /dev/minivirt: the KVM system ioctls. */
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/uaccess.h>

#include "cpuid.h"
#include "dev.h"
#include "ioctl.h"
#include "mce.h"
#include "msr.h"
#include "vm.h"

/*
 * The vCPU mmap: struct kvm_run, then the PIO data page at
 * KVM_PIO_PAGE_OFFSET (KVM's x86 layout). No coalesced-MMIO ring page.
 */
#define MV_VCPU_MMAP_SIZE	((KVM_PIO_PAGE_OFFSET + 1) * PAGE_SIZE)

/* KVM answers -EINVAL when these argument-less ioctls get an argument. */
static long mv_dev_get_api_version(void *obj, unsigned long arg, void *karg)
{
	return arg ? -EINVAL : KVM_API_VERSION;
}

static long mv_dev_get_vcpu_mmap_size(void *obj, unsigned long arg, void *karg)
{
	return arg ? -EINVAL : MV_VCPU_MMAP_SIZE;
}

static long mv_dev_check_extension(void *obj, unsigned long arg, void *karg)
{
	return mv_check_extension(NULL, arg);
}

static long mv_dev_create_vm(void *obj, unsigned long arg, void *karg)
{
	return mv_vm_create(arg);
}

static long mv_dev_get_supported_cpuid(void *obj, unsigned long arg, void *karg)
{
	struct kvm_cpuid2 __user *u = (void __user *)arg;

	return mv_get_supported_cpuid(karg, u->entries);
}

/* KVM copies the count back even when the list does not fit (-E2BIG). */
static long mv_dev_get_msr_index_list(void *obj, unsigned long arg, void *karg)
{
	struct kvm_msr_list __user *u = (void __user *)arg;
	struct kvm_msr_list hdr;
	long r;

	if (copy_from_user(&hdr, u, sizeof(hdr)))
		return -EFAULT;
	r = mv_get_msr_index_list(&hdr, u->indices);
	if (copy_to_user(u, &hdr, sizeof(hdr)))
		return -EFAULT;
	return r;
}

static long mv_dev_get_msr_feature_index_list(void *obj, unsigned long arg,
					      void *karg)
{
	struct kvm_msr_list __user *u = (void __user *)arg;
	struct kvm_msr_list hdr;
	long r;

	if (copy_from_user(&hdr, u, sizeof(hdr)))
		return -EFAULT;
	r = mv_get_msr_feature_index_list(&hdr, u->indices);
	if (copy_to_user(u, &hdr, sizeof(hdr)))
		return -EFAULT;
	return r;
}

/* KVM_GET_MSRS on the system fd reads feature MSRs. */
static long mv_dev_get_msrs(void *obj, unsigned long arg, void *karg)
{
	struct kvm_msrs __user *u = (void __user *)arg;

	return mv_msrs_io(NULL, karg, u->entries, false);
}

static long mv_dev_get_mce_cap_supported(void *obj, unsigned long arg,
					 void *karg)
{
	*(u64 *)karg = mv_mce_cap_supported();
	return 0;
}

/*
 * KVM_GET/HAS_DEVICE_ATTR on the system fd (KVM_CAP_SYS_ATTRIBUTES), as
 * KVM's kvm_x86_dev_get_attr(): group 0's KVM_X86_XCOMP_GUEST_SUPP, the
 * XSAVE components a guest may enable; no vendor groups (-ENXIO).
 */
static long mv_dev_check_attr(const struct kvm_device_attr *attr)
{
	return attr->group || attr->attr != KVM_X86_XCOMP_GUEST_SUPP ? -ENXIO : 0;
}

static long mv_dev_get_device_attr(void *obj, unsigned long arg, void *karg)
{
	const struct kvm_device_attr *attr = karg;
	long r = mv_dev_check_attr(attr);

	if (r)
		return r;
	if (put_user(mv_supported_xcr0(), (u64 __user *)u64_to_user_ptr(attr->addr)))
		return -EFAULT;
	return 0;
}

static long mv_dev_has_device_attr(void *obj, unsigned long arg, void *karg)
{
	return mv_dev_check_attr(karg);
}

static const struct mv_ioctl mv_dev_ioctls[] = {
	MV_IOCTL_SCALAR(KVM_GET_API_VERSION, NONE, mv_dev_get_api_version),
	MV_IOCTL_SCALAR(KVM_CHECK_EXTENSION, NONE, mv_dev_check_extension),
	MV_IOCTL_SCALAR(KVM_GET_VCPU_MMAP_SIZE, NONE, mv_dev_get_vcpu_mmap_size),
	MV_IOCTL_SCALAR(KVM_CREATE_VM, NONE, mv_dev_create_vm),
	MV_GUEST_IOCTL_STRUCT(KVM_GET_SUPPORTED_CPUID, struct kvm_cpuid2, NONE,
			      mv_dev_get_supported_cpuid),
	MV_GUEST_IOCTL_SCALAR(KVM_GET_MSR_INDEX_LIST, NONE, mv_dev_get_msr_index_list),
	MV_GUEST_IOCTL_SCALAR(KVM_GET_MSR_FEATURE_INDEX_LIST, NONE,
			      mv_dev_get_msr_feature_index_list),
	MV_GUEST_IOCTL_STRUCT(KVM_GET_MSRS, struct kvm_msrs, NONE, mv_dev_get_msrs),
	MV_GUEST_IOCTL_STRUCT(KVM_X86_GET_MCE_CAP_SUPPORTED, u64, NONE,
			      mv_dev_get_mce_cap_supported),
	MV_GUEST_IOCTL_STRUCT(KVM_GET_DEVICE_ATTR, struct kvm_device_attr, NONE,
			      mv_dev_get_device_attr),
	MV_GUEST_IOCTL_STRUCT(KVM_HAS_DEVICE_ATTR, struct kvm_device_attr, NONE,
			      mv_dev_has_device_attr),
};

static long mv_dev_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	return mv_ioctl_dispatch(mv_dev_ioctls, ARRAY_SIZE(mv_dev_ioctls), NULL,
				 NULL, cmd, arg);
}

static const struct file_operations mv_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= mv_dev_ioctl,
	.compat_ioctl	= mv_dev_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice mv_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "minivirt",
	.fops	= &mv_dev_fops,
};

int mv_dev_register(void)
{
	return misc_register(&mv_misc);
}

void mv_dev_unregister(void)
{
	misc_deregister(&mv_misc);
}
