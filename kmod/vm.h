/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_VM_H
#define MINIVIRT_VM_H

#include <linux/kref.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/srcu.h>

#include "iobus.h"
#include "irq/irq.h"
#include "kvmclock.h"
#include "memslot.h"
#include "mmu/shadow.h"
#include "mmu/tdp.h"

struct mm_struct;
struct mv_io_bus;
struct mv_vcpu;

/* KVM_CAP_MAX_VCPUS: KVM_MAX_VCPUS of x86 without MAXSMP (Linux 6.1, 6.12) */
#define MV_MAX_VCPUS		1024
#define MV_MAX_VCPU_ID		MV_MAX_VCPUS	/* KVM_CAP_MAX_VCPU_ID */
#define MV_MAX_IRQ_ROUTES	4096	/* KVM_MAX_IRQ_ROUTES, KVM_CAP_IRQ_ROUTING */

/*
 * A virtual machine. The VM fd holds one reference and each vCPU fd one more;
 * the VM, its vCPUs and its memory map go when the last is closed. The
 * hardware stays enabled while any VM exists.
 */
struct mv_vm {
	struct kref ref;
	/* The creating process: as in KVM, only it may issue VM/vCPU ioctls. */
	struct mm_struct *mm;
	/*
	 * vCPU creation, memslot updates, the irqchip's creation and state:
	 * the VM ioctls whose lock column (vm.c's table, ioctl.h) says VM or
	 * VM_PART. Never taken by interrupt injection.
	 */
	struct mutex lock;

	struct mv_vcpu *vcpus[MV_MAX_VCPUS];	/* published under lock */
	unsigned int nr_vcpus;
	unsigned int created_vcpus;	/* counted under lock before creation */
	/* KVM_CAP_MAX_VCPU_ID's: ids below it; 0 until set or a vCPU exists */
	u32 max_vcpu_ids;
	/* KVM_CAP_MSR_PLATFORM_INFO disabled: the guest's RDMSR #GPs */
	bool platform_info_hidden;
	/* KVM_X86_QUIRK_* turned off by KVM_CAP_DISABLE_QUIRKS(2), under lock */
	u64 disabled_quirks;

	/* Readers (the vCPU exit path, MMU notifiers) hold srcu. */
	struct mv_memslots __rcu *memslots;
	struct srcu_struct srcu;

	bool shadow_paging;		/* chosen before the first vCPU */
	struct mv_tdp tdp;		/* nested page tables */
	struct mv_shadow shadow;	/* shadow page tables */
	struct mmu_notifier mmu_notifier;

	/* KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2's args[0], under lock (mmu/dirty.c) */
	u64 dirty_log_manual;

	/* In-kernel devices on port I/O and MMIO (iobus.c), under srcu. */
	struct mv_io_bus __rcu *buses[MV_NR_BUSES];
	struct mv_vm_irq irq;		/* interrupt controllers (irq/) */

	u64 tss_addr;			/* KVM_SET_TSS_ADDR, kept for GET */
	u64 identity_map_addr;
	struct mv_vm_clock clock;	/* kvmclock, TSC sync (kvmclock.c) */
	void *arch;			/* the backend's, mv_backend.vm_size bytes */
};

/*
 * The KVM_X86_QUIRK_* minivirt can turn off (KVM_CAP_DISABLE_QUIRKS2's
 * answer); the others it has (OUT_7E_INC_RIP, LINT0_REENABLED,
 * LAPIC_MMIO_HOLE) stay on.
 */
#define MV_SUPPORTED_QUIRKS	(KVM_X86_QUIRK_FIX_HYPERCALL_INSN |	\
				 KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS |	\
				 KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT)

/* Is KVM's default behaviour quirk still on for this VM? */
static inline bool mv_quirk_on(const struct mv_vm *vm, u64 quirk)
{
	return !(READ_ONCE(vm->disabled_quirks) & quirk);
}

/* KVM_CREATE_VM: returns the new VM fd or -errno. */
bool mv_vm_default_tdp(void);
int mv_vm_create(unsigned long type);

void mv_vm_get(struct mv_vm *vm);
void mv_vm_put(struct mv_vm *vm);
struct mv_vcpu *mv_vm_find_vcpu(struct mv_vm *vm, unsigned int id);

/* KVM_CHECK_EXTENSION, on /dev/minivirt (vm == NULL) or on a VM fd. */
long mv_check_extension(struct mv_vm *vm, long cap);

/* Every vCPU leaves guest mode and flushes its TLB before its next entry. */
void mv_vm_flush_tlbs(struct mv_vm *vm);

/* Unmaps guest-physical [start, end) in whichever MMU the VM uses. */
void mv_vm_zap_gfns(struct mv_vm *vm, u64 gfn_start, u64 gfn_end);

#endif /* MINIVIRT_VM_H */
