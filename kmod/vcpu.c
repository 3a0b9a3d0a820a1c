// SPDX-License-Identifier: GPL-2.0-only
/*
 * vCPU objects, their fd and its mmap (struct kvm_run, then the PIO data page
 * at KVM_PIO_PAGE_OFFSET), and the vCPU ioctl table. A vCPU lives as long as
 * its VM: its fd holds a VM reference, and the VM frees its vCPUs.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "backend.h"
#include "cpuid.h"
#include "cpuid_fault.h"
#include "debug.h"
#include "exits.h"
#include "irq/irqchip.h"
#include "irq/lapic.h"
#include "ioctl.h"
#include "mce.h"
#include "kvmclock.h"
#include "msr.h"
#include "state.h"
#include "vcpu.h"
#include "vm.h"

static vm_fault_t mv_vcpu_fault(struct vm_fault *vmf)
{
	struct mv_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = vcpu->run_page;
	else if (vmf->pgoff == KVM_PIO_PAGE_OFFSET)
		page = vcpu->pio_page;
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct mv_vcpu_vm_ops = {
	.fault = mv_vcpu_fault,
};

static int mv_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	vma->vm_ops = &mv_vcpu_vm_ops;
	return 0;
}

static long mv_vcpu_run_ioctl(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	int r;

	if (arg)
		return -EINVAL;
	r = mv_vcpu_run(vcpu);
	vcpu->has_run = true;
	return r;
}

static long mv_vcpu_interrupt(void *obj, unsigned long arg, void *karg)
{
	struct kvm_interrupt *irq = karg;
	struct mv_vcpu *vcpu = obj;

	if (irq->irq >= KVM_NR_INTERRUPTS)
		return -EINVAL;
	if (vcpu->lapic)
		return mv_irqchip_user_interrupt(vcpu, irq->irq);
	/*
	 * No in-kernel irqchip: the vector is queued as acknowledged, and one
	 * queued before and not yet delivered is replaced, as KVM's
	 * kvm_vcpu_ioctl_interrupt() does (its -EEXIST is for a split irqchip).
	 */
	vcpu->interrupt.injected = true;
	vcpu->interrupt.vector = irq->irq;
	return 0;
}

/* KVM's process_nmi(): at most two pending, one while NMIs are blocked. */
static long mv_vcpu_nmi(void *obj, unsigned long arg, void *karg)
{
	struct mv_vcpu *vcpu = obj;
	unsigned int limit = vcpu->nmi_masked || vcpu->nmi_injected ? 1 : 2;

	vcpu->nmi_pending = min(vcpu->nmi_pending + 1, limit);
	return 0;
}

static long mv_vcpu_set_signal_mask(void *obj, unsigned long arg, void *karg)
{
	struct kvm_signal_mask __user *umask = (void __user *)arg;
	struct kvm_signal_mask kmask;
	struct mv_vcpu *vcpu = obj;
	sigset_t set;

	if (!umask) {
		vcpu->sigset_active = false;
		return 0;
	}
	if (copy_from_user(&kmask, umask, sizeof(kmask)))
		return -EFAULT;
	if (kmask.len != sizeof(set))
		return -EINVAL;
	if (copy_from_user(&set, umask->sigset, sizeof(set)))
		return -EFAULT;
	sigdelsetmask(&set, sigmask(SIGKILL) | sigmask(SIGSTOP));
	vcpu->sigset = set;
	vcpu->sigset_active = true;
	return 0;
}

static long mv_vcpu_get_msrs(void *obj, unsigned long arg, void *karg)
{
	struct kvm_msrs __user *u = (void __user *)arg;

	return mv_msrs_io(obj, karg, u->entries, false);
}

static long mv_vcpu_set_msrs(void *obj, unsigned long arg, void *karg)
{
	struct kvm_msrs __user *u = (void __user *)arg;

	return mv_msrs_io(obj, karg, u->entries, true);
}

static long mv_vcpu_set_cpuid2(void *obj, unsigned long arg, void *karg)
{
	struct kvm_cpuid2 __user *u = (void __user *)arg;

	return mv_set_cpuid2(obj, karg, u->entries);
}

/* The header is copied back only on success, as KVM does. */
static long mv_vcpu_get_cpuid2(void *obj, unsigned long arg, void *karg)
{
	struct kvm_cpuid2 __user *u = (void __user *)arg;

	return mv_get_cpuid2(obj, karg, u->entries);
}

static long mv_vcpu_setup_mce(void *obj, unsigned long arg, void *karg)
{
	return mv_mce_setup(obj, *(u64 *)karg);
}

static long mv_vcpu_set_mce(void *obj, unsigned long arg, void *karg)
{
	return mv_mce_inject(obj, karg);
}

static long mv_vcpu_get_tsc_khz(void *obj, unsigned long arg, void *karg)
{
	return mv_kvmclock_get_tsc_khz(obj);
}

static long mv_vcpu_set_tsc_khz(void *obj, unsigned long arg, void *karg)
{
	return mv_kvmclock_set_tsc_khz(obj, (u32)arg);
}

static long mv_vcpu_get_lapic(void *obj, unsigned long arg, void *karg)
{
	return mv_irqchip_get_lapic(obj, (void __user *)arg);
}

static long mv_vcpu_set_lapic(void *obj, unsigned long arg, void *karg)
{
	return mv_irqchip_set_lapic(obj, (void __user *)arg);
}

/*
 * KVM_SET_VAPIC_ADDR: the page through which KVM shares the TPR with QEMU's
 * kvmvapic option ROM (a TPR-patching aid for old Windows guests). minivirt
 * has no such page (KVM_CAP_VAPIC 0, no KVM_TPR_ACCESS_REPORTING, so the ROM
 * never activates) and takes only 0, "none", which QEMU sets at each vCPU
 * reset with an in-kernel LAPIC and aborts if refused. -EINVAL without an
 * in-kernel LAPIC, as KVM.
 */
static long mv_vcpu_set_vapic_addr(void *obj, unsigned long arg, void *karg)
{
	const struct kvm_vapic_addr *va = karg;
	struct mv_vcpu *vcpu = obj;

	if (!vcpu->lapic || va->vapic_addr)
		return -EINVAL;
	return 0;
}

static const struct mv_ioctl mv_vcpu_ioctls[] = {
	MV_IOCTL_SCALAR(KVM_RUN, VCPU, mv_vcpu_run_ioctl),
	MV_IOCTL_STRUCT(KVM_GET_REGS, struct kvm_regs, VCPU, mv_get_regs),
	MV_IOCTL_STRUCT(KVM_SET_REGS, struct kvm_regs, VCPU, mv_set_regs),
	MV_IOCTL_STRUCT(KVM_GET_SREGS, struct kvm_sregs, VCPU, mv_get_sregs),
	MV_IOCTL_STRUCT(KVM_SET_SREGS, struct kvm_sregs, VCPU, mv_set_sregs),
	MV_IOCTL_STRUCT(KVM_GET_FPU, struct kvm_fpu, VCPU, mv_get_fpu),
	MV_IOCTL_STRUCT(KVM_SET_FPU, struct kvm_fpu, VCPU, mv_set_fpu),
	MV_IOCTL_SCALAR(KVM_GET_XSAVE, VCPU, mv_get_xsave),
	MV_IOCTL_SCALAR(KVM_SET_XSAVE, VCPU, mv_set_xsave),
	MV_IOCTL_STRUCT(KVM_GET_XCRS, struct kvm_xcrs, VCPU, mv_get_xcrs),
	MV_IOCTL_STRUCT(KVM_SET_XCRS, struct kvm_xcrs, VCPU, mv_set_xcrs),
	MV_IOCTL_STRUCT(KVM_GET_VCPU_EVENTS, struct kvm_vcpu_events, VCPU, mv_get_events),
	MV_IOCTL_STRUCT(KVM_SET_VCPU_EVENTS, struct kvm_vcpu_events, VCPU, mv_set_events),
	MV_IOCTL_STRUCT(KVM_GET_MP_STATE, struct kvm_mp_state, VCPU, mv_get_mp_state),
	MV_IOCTL_STRUCT(KVM_SET_MP_STATE, struct kvm_mp_state, VCPU, mv_set_mp_state),
	MV_IOCTL_STRUCT(KVM_TRANSLATE, struct kvm_translation, VCPU, mv_translate),
	MV_IOCTL_STRUCT(KVM_INTERRUPT, struct kvm_interrupt, VCPU, mv_vcpu_interrupt),
	MV_IOCTL_SCALAR(KVM_NMI, VCPU, mv_vcpu_nmi),
	MV_IOCTL_SCALAR(KVM_SET_SIGNAL_MASK, VCPU, mv_vcpu_set_signal_mask),
	MV_IOCTL_STRUCT(KVM_GET_MSRS, struct kvm_msrs, VCPU, mv_vcpu_get_msrs),
	MV_IOCTL_STRUCT(KVM_SET_MSRS, struct kvm_msrs, VCPU, mv_vcpu_set_msrs),
	MV_IOCTL_STRUCT(KVM_SET_CPUID2, struct kvm_cpuid2, VCPU, mv_vcpu_set_cpuid2),
	MV_IOCTL_STRUCT(KVM_GET_CPUID2, struct kvm_cpuid2, VCPU, mv_vcpu_get_cpuid2),
	MV_IOCTL_STRUCT(KVM_X86_SETUP_MCE, u64, VCPU, mv_vcpu_setup_mce),
	MV_IOCTL_STRUCT(KVM_X86_SET_MCE, struct kvm_x86_mce, VCPU, mv_vcpu_set_mce),
	MV_IOCTL_SCALAR(KVM_GET_TSC_KHZ, VCPU, mv_vcpu_get_tsc_khz),
	MV_IOCTL_SCALAR(KVM_SET_TSC_KHZ, VCPU, mv_vcpu_set_tsc_khz),
	MV_IOCTL_STRUCT(KVM_SET_GUEST_DEBUG, struct kvm_guest_debug, VCPU, mv_set_guest_debug),
	MV_IOCTL_STRUCT(KVM_GET_DEBUGREGS, struct kvm_debugregs, VCPU, mv_get_debugregs),
	MV_IOCTL_STRUCT(KVM_SET_DEBUGREGS, struct kvm_debugregs, VCPU, mv_set_debugregs),
	/* struct kvm_lapic_state is 1 KiB: the handlers copy it. */
	MV_IOCTL_SCALAR(KVM_GET_LAPIC, VCPU, mv_vcpu_get_lapic),
	MV_IOCTL_SCALAR(KVM_SET_LAPIC, VCPU, mv_vcpu_set_lapic),
	MV_IOCTL_STRUCT(KVM_SET_VAPIC_ADDR, struct kvm_vapic_addr, VCPU,
			mv_vcpu_set_vapic_addr),
};

static long mv_vcpu_ioctl(struct file *filp, unsigned int cmd,
			  unsigned long arg)
{
	struct mv_vcpu *vcpu = filp->private_data;

	/* As kvm_vcpu_ioctl(): a vCPU answers only its VM's process. */
	if (vcpu->vm->mm != current->mm)
		return -EIO;
	return mv_ioctl_dispatch(mv_vcpu_ioctls, ARRAY_SIZE(mv_vcpu_ioctls), vcpu,
				 &vcpu->mutex, cmd, arg);
}

static int mv_vcpu_release(struct inode *inode, struct file *filp)
{
	struct mv_vcpu *vcpu = filp->private_data;

	mv_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations mv_vcpu_fops = {
	.owner		= THIS_MODULE,
	.release	= mv_vcpu_release,
	.unlocked_ioctl	= mv_vcpu_ioctl,
	.compat_ioctl	= mv_vcpu_ioctl,
	.mmap		= mv_vcpu_mmap,
	.llseek		= noop_llseek,
};

/* The state every vCPU starts in besides the backend's registers. */
static void mv_vcpu_init_state(struct mv_vcpu *vcpu)
{
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->misc_enable = MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
			    MSR_IA32_MISC_ENABLE_BTS_UNAVAIL;
	/* KVM's RESET value: the BSP is KVM_SET_BOOT_CPU_ID's (vCPU 0). */
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == vcpu->vm->irq.boot_cpu_id ?
			   MSR_IA32_APICBASE_BSP : 0);
	/* KVM's default microcode_version (svm.c, vmx.c). */
	vcpu->ucode_rev = boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
			  boot_cpu_data.x86_vendor == X86_VENDOR_HYGON ?
			  0x01000065 : 0x100000000ULL;
	mv_mce_init(vcpu);
	mv_cpuid_fault_init(vcpu);
	/* With an in-kernel LAPIC an AP waits for INIT/SIPI (KVM). */
	vcpu->mp_state = !vcpu->lapic || (vcpu->apic_base & MSR_IA32_APICBASE_BSP) ?
			 KVM_MP_STATE_RUNNABLE : KVM_MP_STATE_UNINITIALIZED;
	vcpu->cpu = -1;
	mv_vcpu_reset(vcpu, false);
}

void mv_vcpu_destroy(struct mv_vcpu *vcpu)
{
	mv_backend->vcpu_free(vcpu);
	mv_lapic_free(vcpu);
	mv_shadow_vcpu_destroy(vcpu);
	mv_tdp_cache_free(&vcpu->tdp_cache);
	fpu_free_guest_fpstate(&vcpu->fpu);
	kvfree(vcpu->cpuid);
	__free_page(vcpu->pio_page);
	__free_page(vcpu->run_page);
	kfree(vcpu);
}

/* KVM_CREATE_VCPU, with kvm_vm_ioctl_create_vcpu()'s checks and errnos. */
int mv_vcpu_create(struct mv_vm *vm, unsigned long id)
{
	struct mv_vcpu *vcpu;
	char name[24];
	int r;

	if (id >= MV_MAX_VCPU_ID)
		return -EINVAL;
	/*
	 * Counted first, as KVM's created_vcpus: from here on the irqchip
	 * mode and the MMU cannot change under this vCPU.
	 */
	mutex_lock(&vm->lock);
	/* KVM's kvm_arch_vcpu_precreate(): the first vCPU fixes the bound. */
	if (!vm->max_vcpu_ids)
		vm->max_vcpu_ids = MV_MAX_VCPU_ID;
	r = vm->created_vcpus < MV_MAX_VCPUS && id < vm->max_vcpu_ids ? 0 : -EINVAL;
	if (!r)
		vm->created_vcpus++;
	mutex_unlock(&vm->lock);
	if (r)
		return r;

	r = -ENOMEM;
	vcpu = kzalloc(mv_backend->vcpu_size, GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		goto err_uncount;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	rcuwait_init(&vcpu->wait);

	r = -ENOMEM;
	vcpu->run_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->run_page)
		goto err_free_vcpu;
	vcpu->run = page_address(vcpu->run_page);
	vcpu->pio_page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!vcpu->pio_page)
		goto err_free_run;
	if (!fpu_alloc_guest_fpstate(&vcpu->fpu))
		goto err_free_pio;
	r = mv_shadow_vcpu_init(vcpu);
	if (r)
		goto err_free_fpu;
	if (mv_irqchip_mode(&vm->irq) != MV_IRQCHIP_NONE) {
		r = mv_lapic_create(vcpu);
		if (r)
			goto err_free_shadow;
	}
	r = mv_backend->vcpu_create(vcpu);
	if (r)
		goto err_free_lapic;
	mv_backend->set_tdp_root(vcpu, mv_tdp_root_pa(&vm->tdp));
	mv_kvmclock_vcpu_init(vcpu);
	mv_vcpu_init_state(vcpu);

	mutex_lock(&vm->lock);
	r = -EEXIST;
	if (mv_vm_find_vcpu(vm, id))
		goto err_unlock;
	mv_vm_get(vm);		/* the vCPU fd's reference */
	snprintf(name, sizeof(name), "minivirt-vcpu:%lu", id);
	r = anon_inode_getfd(name, &mv_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_put_vm;
	/* Published last: the VM frees what it can see. */
	vm->vcpus[vm->nr_vcpus] = vcpu;
	smp_store_release(&vm->nr_vcpus, vm->nr_vcpus + 1);
	mutex_unlock(&vm->lock);
	return r;

err_put_vm:
	mutex_unlock(&vm->lock);
	mv_vm_put(vm);
	mv_vcpu_destroy(vcpu);
	goto err_uncount;
err_unlock:
	mutex_unlock(&vm->lock);
	mv_vcpu_destroy(vcpu);
	goto err_uncount;
err_free_lapic:
	mv_lapic_free(vcpu);
err_free_shadow:
	mv_shadow_vcpu_destroy(vcpu);
err_free_fpu:
	fpu_free_guest_fpstate(&vcpu->fpu);
err_free_pio:
	__free_page(vcpu->pio_page);
err_free_run:
	__free_page(vcpu->run_page);
err_free_vcpu:
	kfree(vcpu);
err_uncount:
	mutex_lock(&vm->lock);
	vm->created_vcpus--;
	mutex_unlock(&vm->lock);
	return r;
}
