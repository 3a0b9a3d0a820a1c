// SPDX-License-Identifier: GPL-2.0-only
/*
 * VM objects and the VM fd: vCPU creation, memory slots, and the MMU notifier
 * that keeps the nested page tables in step with the VMM's own mappings.
 */
#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../uapi/minivirt.h"

#include "backend.h"
#include "cpuid_fault.h"
#include "ioctl.h"
#include "irq/eventfd.h"
#include "irq/irqchip.h"
#include "irq/routing.h"
#include "kvmclock.h"
#include "mmu/dirty.h"
#include "vcpu.h"
#include "virt.h"
#include "vm.h"

static bool tdp = true;
module_param(tdp, bool, 0444);
MODULE_PARM_DESC(tdp, "Nested paging (AMD NPT, Intel EPT) for new VMs; 0: shadow paging (per VM: MINIVIRT_SET_MMU)");

static bool mv_backend_has_shadow(void)
{
	return mv_backend->set_cr && mv_backend->set_shadow_root;
}

void mv_vm_get(struct mv_vm *vm)
{
	kref_get(&vm->ref);
}

struct mv_vcpu *mv_vm_find_vcpu(struct mv_vm *vm, unsigned int id)
{
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	for (i = 0; i < n; i++)
		if (vm->vcpus[i]->id == id)
			return vm->vcpus[i];
	return NULL;
}

void mv_vm_flush_tlbs(struct mv_vm *vm)
{
	unsigned int i, n = smp_load_acquire(&vm->nr_vcpus);

	for (i = 0; i < n; i++) {
		mv_vcpu_request(vm->vcpus[i], MV_REQ_TLB_FLUSH);
		mv_vcpu_kick(vm->vcpus[i]);
	}
}

/*
 * A shadow-paged VM may have nested tables too: VMX runs its real-mode code
 * on them (unrestricted guest needs EPT; vmx/vcpu.c). They are zapped with
 * the shadow (an empty table costs a walk of its root).
 */
void mv_vm_zap_gfns(struct mv_vm *vm, u64 gfn_start, u64 gfn_end)
{
	/* Shadow pages are keyed by guest tables, not by range: start over. */
	if (vm->shadow_paging)
		mv_shadow_zap_all(vm);
	mv_tdp_zap(vm, gfn_start, gfn_end);
}

/* The guest-physical pages backed by [start, end) of the VMM's address space. */
static int mv_vm_zap_hva(struct mv_vm *vm, unsigned long start,
			 unsigned long end, bool blockable)
{
	int r = 0;

	const struct mv_memslots *slots;
	unsigned int i;
	int idx;

	idx = srcu_read_lock(&vm->srcu);
	slots = mv_memslots(vm);
	for (i = 0; slots && i < slots->nr; i++) {
		const struct mv_memslot *s = &slots->slot[i];
		unsigned long s_end = s->userspace_addr + (s->npages << PAGE_SHIFT);
		unsigned long lo = max(start, s->userspace_addr);
		unsigned long hi = min(end, s_end);

		u64 first, last;

		if (lo >= hi)
			continue;
		first = s->base_gfn + ((lo - s->userspace_addr) >> PAGE_SHIFT);
		last = s->base_gfn + ((hi - s->userspace_addr + PAGE_SIZE - 1) >>
				      PAGE_SHIFT);
		if (vm->shadow_paging)
			r = mv_shadow_zap_gfns(vm, first, last, blockable);
		if (r)
			break;
		mv_tdp_zap(vm, first, last);
	}
	srcu_read_unlock(&vm->srcu, idx);
	return r;
}

static int mv_mn_invalidate_range_start(struct mmu_notifier *mn,
					const struct mmu_notifier_range *range)
{
	struct mv_vm *vm = container_of(mn, struct mv_vm, mmu_notifier);
	int r;

	mv_tdp_invalidate_begin(&vm->tdp);
	r = mv_vm_zap_hva(vm, range->start, range->end,
			  mmu_notifier_range_blockable(range));
	if (r)		/* non-blockable and contended: the caller retries */
		mv_tdp_invalidate_end(&vm->tdp);
	return r;
}

static void mv_mn_invalidate_range_end(struct mmu_notifier *mn,
				       const struct mmu_notifier_range *range)
{
	struct mv_vm *vm = container_of(mn, struct mv_vm, mmu_notifier);

	mv_tdp_invalidate_end(&vm->tdp);
}

/* The address space is going away: so is every guest mapping. */
static void mv_mn_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct mv_vm *vm = container_of(mn, struct mv_vm, mmu_notifier);

	if (vm->shadow_paging)
		mv_shadow_zap_all(vm);
	mv_tdp_zap(vm, 0, MV_TDP_MAX_GFN + 1);
}

static const struct mmu_notifier_ops mv_mmu_notifier_ops = {
	.invalidate_range_start	= mv_mn_invalidate_range_start,
	.invalidate_range_end	= mv_mn_invalidate_range_end,
	.release		= mv_mn_release,
};

static void mv_vm_free(struct kref *ref)
{
	struct mv_vm *vm = container_of(ref, struct mv_vm, ref);
	unsigned int i;

	/* First: the notifier's release() zaps, and zapping kicks the vCPUs. */
	mmu_notifier_unregister(&vm->mmu_notifier, vm->mm);
	/* Nothing injects any more: irqfds, then the devices' timers. */
	mv_eventfd_release(vm);
	mv_irqchip_destroy(vm);
	for (i = 0; i < vm->nr_vcpus; i++)
		mv_vcpu_destroy(vm->vcpus[i]);
	mv_io_bus_free(vm);
	cleanup_srcu_struct(&vm->irq.srcu);
	mv_shadow_destroy(vm);
	mv_tdp_destroy(&vm->tdp);
	mv_memslots_free(vm);
	cleanup_srcu_struct(&vm->srcu);
	mmdrop(vm->mm);
	mv_virt_put();
	kvfree(vm);
}

void mv_vm_put(struct mv_vm *vm)
{
	kref_put(&vm->ref, mv_vm_free);
}

static long mv_vm_check_extension(void *vm, unsigned long arg, void *karg)
{
	return mv_check_extension(vm, arg);
}

static long mv_vm_create_vcpu(void *vm, unsigned long arg, void *karg)
{
	return mv_vcpu_create(vm, arg);
}

static long mv_vm_set_memory_region(void *vm, unsigned long arg, void *karg)
{
	return mv_set_memory_region(vm, karg);
}

/*
 * KVM_SET_USER_MEMORY_REGION2 (kvm_main.c: the same handler as the first
 * version's): without guest_memfd, whose flag KVM_MEM_GUEST_MEMFD is
 * refused (-EINVAL) as KVM does without private memory, only the fields the
 * two structures share matter.
 */
static long mv_vm_set_memory_region2(void *vm, unsigned long arg, void *karg)
{
	const struct kvm_userspace_memory_region2 *m2 = karg;
	struct kvm_userspace_memory_region mem = {
		.slot = m2->slot,
		.flags = m2->flags,
		.guest_phys_addr = m2->guest_phys_addr,
		.memory_size = m2->memory_size,
		.userspace_addr = m2->userspace_addr,
	};

	return mv_set_memory_region(vm, &mem);
}

/* KVM's kvm_vm_ioctl_set_tss_addr(): below the last three pages of 4 GiB. */
static long mv_vm_set_tss_addr(void *obj, unsigned long arg, void *karg)
{
	struct mv_vm *vm = obj;

	if (arg > (unsigned int)(-3 * PAGE_SIZE))
		return -EINVAL;
	vm->tss_addr = arg;
	return 0;
}

/* KVM_SET_NR_MMU_PAGES: with nested paging stored, as KVM, for nothing. */
static long mv_vm_set_nr_mmu_pages(void *obj, unsigned long arg, void *karg)
{
	return mv_shadow_set_max_pages(obj, arg);
}

/*
 * Only before the first vCPU, checked before the argument is read, as KVM's
 * kvm_arch_vm_ioctl() does (so the handler copies it, not the dispatcher).
 */
static long mv_vm_set_identity_map_addr(void *obj, unsigned long arg, void *karg)
{
	struct mv_vm *vm = obj;
	u64 addr;

	lockdep_assert_held(&vm->lock);
	if (vm->created_vcpus)
		return -EINVAL;
	if (copy_from_user(&addr, (void __user *)arg, sizeof(addr)))
		return -EFAULT;
	vm->identity_map_addr = addr;
	return 0;
}

/* New VMs get nested paging (KVM's tdp_enabled, which gates PKU as here). */
bool mv_vm_default_tdp(void)
{
	return tdp && mv_backend->tdp_format;
}

static long mv_vm_set_mmu(void *obj, unsigned long arg, void *karg)
{
	struct mv_vm *vm = obj;
	u32 mode = *(u32 *)karg;

	lockdep_assert_held(&vm->lock);
	if (mode != MINIVIRT_MMU_NESTED && mode != MINIVIRT_MMU_SHADOW)
		return -EINVAL;
	if ((mode == MINIVIRT_MMU_SHADOW && !mv_backend_has_shadow()) ||
	    (mode == MINIVIRT_MMU_NESTED && !mv_backend->tdp_format))
		return -EOPNOTSUPP;
	if (vm->created_vcpus)
		return -EBUSY;
	vm->shadow_paging = mode == MINIVIRT_MMU_SHADOW;
	return 0;
}

static long mv_vm_get_mmu(void *obj, unsigned long arg, void *karg)
{
	struct mv_vm *vm = obj;

	*(u32 *)karg = vm->shadow_paging ? MINIVIRT_MMU_SHADOW : MINIVIRT_MMU_NESTED;
	return 0;
}

/* KVM_SET_GSI_ROUTING: the dispatcher copied the header, the entries follow. */
static long mv_vm_set_gsi_routing(void *obj, unsigned long arg, void *karg)
{
	return mv_set_gsi_routing(obj, karg,
				  ((struct kvm_irq_routing __user *)arg)->entries);
}

/* Neither takes vm->lock: injection runs beside vCPUs (irq/irq.h). */
static long mv_vm_irq_line(void *obj, unsigned long arg, void *karg)
{
	return mv_irq_line(obj, karg, false);
}

static long mv_vm_irq_line_status(void *obj, unsigned long arg, void *karg)
{
	return mv_irq_line(obj, karg, true);
}

static long mv_vm_signal_msi(void *obj, unsigned long arg, void *karg)
{
	return mv_signal_msi(obj, karg);
}

static long mv_vm_irqfd(void *obj, unsigned long arg, void *karg)
{
	return mv_irqfd(obj, karg);
}

static long mv_vm_ioeventfd(void *obj, unsigned long arg, void *karg)
{
	return mv_ioeventfd(obj, karg);
}

static long mv_vm_create_irqchip(void *vm, unsigned long arg, void *karg)
{
	return mv_irqchip_create(vm);
}

static long mv_vm_get_irqchip(void *vm, unsigned long arg, void *karg)
{
	return mv_irqchip_get(vm, (void __user *)arg);
}

static long mv_vm_set_irqchip(void *vm, unsigned long arg, void *karg)
{
	return mv_irqchip_set(vm, (void __user *)arg);
}

static long mv_vm_create_pit2(void *vm, unsigned long arg, void *karg)
{
	return mv_irqchip_create_pit(vm, karg);
}

static long mv_vm_create_pit(void *vm, unsigned long arg, void *karg)
{
	struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };

	return mv_irqchip_create_pit(vm, &cfg);
}

static long mv_vm_get_pit(void *vm, unsigned long arg, void *karg)
{
	return mv_irqchip_get_pit(vm, karg);
}

/*
 * KVM_SET_PIT is _IOR, as KVM_SET_IRQCHIP: its direction bits say "out",
 * yet KVM copies the state in and nothing back, so the handler copies.
 */
static long mv_vm_set_pit(void *vm, unsigned long arg, void *karg)
{
	struct kvm_pit_state s;

	if (copy_from_user(&s, (void __user *)arg, sizeof(s)))
		return -EFAULT;
	return mv_irqchip_set_pit(vm, &s);
}

static long mv_vm_get_pit2(void *vm, unsigned long arg, void *karg)
{
	return mv_irqchip_get_pit2(vm, karg);
}

static long mv_vm_set_pit2(void *vm, unsigned long arg, void *karg)
{
	return mv_irqchip_set_pit2(vm, karg);
}

/* An _IO ioctl whose argument KVM nevertheless copies in. */
static long mv_vm_reinject_control(void *vm, unsigned long arg, void *karg)
{
	struct kvm_reinject_control c;

	if (copy_from_user(&c, (void __user *)arg, sizeof(c)))
		return -EFAULT;
	return mv_irqchip_reinject(vm, &c);
}

/* KVM_SET_BOOT_CPU_ID: before the first vCPU (KVM: -EBUSY after). */
static long mv_vm_set_boot_cpu_id(void *obj, unsigned long arg, void *karg)
{
	struct mv_vm *vm = obj;

	lockdep_assert_held(&vm->lock);
	if (vm->created_vcpus)
		return -EBUSY;
	/* Linux 6.12: not beyond KVM_CAP_MAX_VCPU_ID's bound (6.1 took it). */
	if (arg > MV_MAX_VCPU_ID || (vm->max_vcpu_ids && arg > vm->max_vcpu_ids))
		return -EINVAL;
	vm->irq.boot_cpu_id = arg;
	return 0;
}

/*
 * KVM_CAP_MAX_VCPU_ID (KVM's kvm_vm_ioctl_enable_cap()): a bound once, at
 * most the device's, the same bound again is fine; the first vCPU sets the
 * default. Linux 6.12 also refuses a bound below KVM_SET_BOOT_CPU_ID's id.
 */
static long mv_vm_enable_max_vcpu_id(struct mv_vm *vm, u64 max)
{
	lockdep_assert_held(&vm->lock);
	if (max > MV_MAX_VCPU_ID || vm->irq.boot_cpu_id > max)
		return -EINVAL;
	if (vm->max_vcpu_ids && vm->max_vcpu_ids != max)
		return -EINVAL;
	vm->max_vcpu_ids = max;
	return 0;
}

static long mv_vm_get_clock(void *vm, unsigned long arg, void *karg)
{
	return mv_kvmclock_get_clock(vm, karg);
}

static long mv_vm_set_clock(void *vm, unsigned long arg, void *karg)
{
	return mv_kvmclock_set_clock(vm, karg);
}

static long mv_vm_get_tsc_khz(void *vm, unsigned long arg, void *karg)
{
	return mv_kvmclock_vm_get_tsc_khz(vm);
}

static long mv_vm_set_tsc_khz(void *vm, unsigned long arg, void *karg)
{
	return mv_kvmclock_vm_set_tsc_khz(vm, (u32)arg);
}

static long mv_vm_get_dirty_log(void *vm, unsigned long arg, void *karg)
{
	return mv_get_dirty_log(vm, karg);
}

static long mv_vm_clear_dirty_log(void *vm, unsigned long arg, void *karg)
{
	return mv_clear_dirty_log(vm, karg);
}

/* As x86 KVM: flags must be 0 and an unknown capability is -EINVAL. */
static long mv_vm_enable_cap(void *vm, unsigned long arg, void *karg)
{
	const struct kvm_enable_cap *cap = karg;
	struct mv_vm *v = vm;

	if (cap->flags)
		return -EINVAL;
	switch (cap->cap) {
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		return mv_dirty_enable_manual_protect(vm, cap);
	case KVM_CAP_SPLIT_IRQCHIP:
		return mv_irqchip_enable_split(vm, cap->args[0]);
	case KVM_CAP_MAX_VCPU_ID:
		return mv_vm_enable_max_vcpu_id(vm, cap->args[0]);
	case KVM_CAP_MSR_PLATFORM_INFO:
		return mv_cpuid_fault_enable_cap(vm, cap->args[0]);
	case KVM_CAP_X2APIC_API:
		if (cap->args[0] & ~(u64)(KVM_X2APIC_API_USE_32BIT_IDS |
					  KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK))
			return -EINVAL;
		if (cap->args[0] & KVM_X2APIC_API_USE_32BIT_IDS)
			v->irq.x2apic_format = true;
		if (cap->args[0] & KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK)
			v->irq.x2apic_broadcast_quirk_off = true;
		return 0;
	default:
		return -EINVAL;
	}
}

static const struct mv_ioctl mv_vm_ioctls[] = {
	MV_IOCTL_SCALAR(KVM_CHECK_EXTENSION, NONE, mv_vm_check_extension),
	MV_GUEST_IOCTL_SCALAR(KVM_CREATE_VCPU, VM_PART, mv_vm_create_vcpu),
	MV_GUEST_IOCTL_STRUCT(KVM_SET_USER_MEMORY_REGION,
			      struct kvm_userspace_memory_region, VM_PART,
			      mv_vm_set_memory_region),
	MV_GUEST_IOCTL_STRUCT(KVM_SET_USER_MEMORY_REGION2,
			      struct kvm_userspace_memory_region2, VM_PART,
			      mv_vm_set_memory_region2),
	MV_GUEST_IOCTL_SCALAR(KVM_SET_TSS_ADDR, VM, mv_vm_set_tss_addr),
	MV_GUEST_IOCTL_SCALAR(KVM_SET_NR_MMU_PAGES, VM, mv_vm_set_nr_mmu_pages),
	MV_GUEST_IOCTL_SCALAR(KVM_SET_IDENTITY_MAP_ADDR, VM,
			      mv_vm_set_identity_map_addr),
	MV_GUEST_IOCTL_STRUCT(KVM_SET_GSI_ROUTING, struct kvm_irq_routing, NONE,
			      mv_vm_set_gsi_routing),
	MV_GUEST_IOCTL_STRUCT(KVM_GET_CLOCK, struct kvm_clock_data, NONE, mv_vm_get_clock),
	MV_GUEST_IOCTL_STRUCT(KVM_SET_CLOCK, struct kvm_clock_data, NONE, mv_vm_set_clock),
	MV_GUEST_IOCTL_SCALAR(KVM_GET_TSC_KHZ, NONE, mv_vm_get_tsc_khz),
	MV_GUEST_IOCTL_SCALAR(KVM_SET_TSC_KHZ, NONE, mv_vm_set_tsc_khz),
	MV_GUEST_IOCTL_STRUCT(MINIVIRT_SET_MMU, u32, VM, mv_vm_set_mmu),
	MV_GUEST_IOCTL_STRUCT(MINIVIRT_GET_MMU, u32, NONE, mv_vm_get_mmu),
	MV_GUEST_IOCTL_STRUCT(KVM_GET_DIRTY_LOG, struct kvm_dirty_log, VM_PART,
			      mv_vm_get_dirty_log),
	MV_GUEST_IOCTL_STRUCT(KVM_CLEAR_DIRTY_LOG, struct kvm_clear_dirty_log, VM_PART,
			      mv_vm_clear_dirty_log),
	MV_GUEST_IOCTL_STRUCT(KVM_ENABLE_CAP, struct kvm_enable_cap, VM,
			      mv_vm_enable_cap),
	/* The in-kernel irqchip (irq/); struct kvm_irqchip is copied by its handlers. */
	MV_GUEST_IOCTL_SCALAR(KVM_CREATE_IRQCHIP, VM, mv_vm_create_irqchip),
	MV_GUEST_IOCTL_SCALAR(KVM_GET_IRQCHIP, VM, mv_vm_get_irqchip),
	MV_GUEST_IOCTL_SCALAR(KVM_SET_IRQCHIP, VM, mv_vm_set_irqchip),
	MV_GUEST_IOCTL_STRUCT(KVM_CREATE_PIT2, struct kvm_pit_config, VM,
			      mv_vm_create_pit2),
	MV_GUEST_IOCTL_SCALAR(KVM_CREATE_PIT, VM, mv_vm_create_pit),
	MV_GUEST_IOCTL_STRUCT(KVM_GET_PIT, struct kvm_pit_state, VM, mv_vm_get_pit),
	MV_GUEST_IOCTL_SCALAR(KVM_SET_PIT, VM, mv_vm_set_pit),
	MV_GUEST_IOCTL_STRUCT(KVM_GET_PIT2, struct kvm_pit_state2, VM, mv_vm_get_pit2),
	MV_GUEST_IOCTL_STRUCT(KVM_SET_PIT2, struct kvm_pit_state2, VM, mv_vm_set_pit2),
	MV_GUEST_IOCTL_SCALAR(KVM_REINJECT_CONTROL, VM, mv_vm_reinject_control),
	MV_GUEST_IOCTL_SCALAR(KVM_SET_BOOT_CPU_ID, VM, mv_vm_set_boot_cpu_id),
	MV_GUEST_IOCTL_STRUCT(KVM_IRQ_LINE, struct kvm_irq_level, NONE, mv_vm_irq_line),
	MV_GUEST_IOCTL_STRUCT(KVM_IRQ_LINE_STATUS, struct kvm_irq_level, NONE,
			      mv_vm_irq_line_status),
	MV_GUEST_IOCTL_STRUCT(KVM_SIGNAL_MSI, struct kvm_msi, NONE, mv_vm_signal_msi),
	MV_GUEST_IOCTL_STRUCT(KVM_IRQFD, struct kvm_irqfd, VM_PART, mv_vm_irqfd),
	MV_GUEST_IOCTL_STRUCT(KVM_IOEVENTFD, struct kvm_ioeventfd, VM_PART, mv_vm_ioeventfd),
};

static long mv_vm_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	struct mv_vm *vm = filp->private_data;

	/* As kvm_vm_ioctl(): a VM answers only the process that created it. */
	if (vm->mm != current->mm)
		return -EIO;
	return mv_ioctl_dispatch(mv_vm_ioctls, ARRAY_SIZE(mv_vm_ioctls), vm,
				 &vm->lock, cmd, arg);
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

	/* vcpus[] alone is 8 KiB: not an order-2 page (as KVM's __vmalloc) */
	vm = kvzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	kref_init(&vm->ref);
	mutex_init(&vm->lock);
	mv_shadow_init(&vm->shadow);
	mv_kvmclock_vm_init(vm);
	vm->shadow_paging = !mv_vm_default_tdp() && mv_backend_has_shadow();

	r = init_srcu_struct(&vm->srcu);
	if (r)
		goto err_free_vm;
	r = init_srcu_struct(&vm->irq.srcu);
	if (r)
		goto err_cleanup_srcu;
	mutex_init(&vm->irq.routing_lock);
	INIT_HLIST_HEAD(&vm->irq.ack_notifiers);
	spin_lock_init(&vm->irq.irqfds_lock);
	INIT_LIST_HEAD(&vm->irq.irqfds);
	INIT_LIST_HEAD(&vm->irq.resamplers);
	INIT_LIST_HEAD(&vm->irq.ioeventfds);
	if (mv_backend->tdp_format) {
		r = mv_tdp_init(&vm->tdp, mv_backend->tdp_format);
		if (r)
			goto err_cleanup_irq_srcu;
	}
	r = mv_virt_get();
	if (r)
		goto err_destroy_tdp;

	mmgrab(current->mm);
	vm->mm = current->mm;
	vm->mmu_notifier.ops = &mv_mmu_notifier_ops;
	r = mmu_notifier_register(&vm->mmu_notifier, current->mm);
	if (r)
		goto err_drop_mm;

	r = anon_inode_getfd("minivirt-vm", &mv_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_unregister;
	return r;

err_unregister:
	mmu_notifier_unregister(&vm->mmu_notifier, current->mm);
err_drop_mm:
	mmdrop(vm->mm);
	mv_virt_put();
err_destroy_tdp:
	mv_tdp_destroy(&vm->tdp);
err_cleanup_irq_srcu:
	cleanup_srcu_struct(&vm->irq.srcu);
err_cleanup_srcu:
	cleanup_srcu_struct(&vm->srcu);
err_free_vm:
	kvfree(vm);
	return r;
}
