// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CHECK_EXTENSION: the truth about what is implemented. Every capability
 * answered non-zero here is listed in uapi/minivirt.h (MINIVIRT_CAPS, and
 * MINIVIRT_GUEST_CAPS where the backend runs guests); the selftests check
 * the two against each other.
 */
#include <linux/cpumask.h>
#include <linux/kvm.h>
#include <asm/cpufeature.h>

#include "../uapi/minivirt.h"
#include "ioctl.h"
#include "mce.h"
#include "kvmclock.h"
#include "memslot.h"
#include "mmu/dirty.h"
#include "vm.h"

static long mv_guest_cap(long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_USER_MEMORY2:	/* without guest_memfd */
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_INTERNAL_ERROR_DATA:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_MMU_SHADOW_CACHE_CONTROL:	/* KVM_SET_NR_MMU_PAGES */
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_SYNC_MMU:		/* MMU notifiers follow the VMM's mappings */
	case KVM_CAP_USER_NMI:		/* KVM_NMI */
	case KVM_CAP_GET_MSR_FEATURES:	/* KVM_GET_MSR_FEATURE_INDEX_LIST */
	case KVM_CAP_MSR_PLATFORM_INFO:	/* cpuid_fault.c */
	case KVM_CAP_SYS_ATTRIBUTES:	/* KVM_X86_XCOMP_GUEST_SUPP (dev.c) */
		return 1;
	case KVM_CAP_IRQ_ROUTING:	/* KVM_SET_GSI_ROUTING */
		return MV_MAX_IRQ_ROUTES;
	case KVM_CAP_MCE:		/* the most banks SETUP_MCE takes */
		return MV_MAX_MCE_BANKS;
	case KVM_CAP_GET_TSC_KHZ:
		return 1;
	case KVM_CAP_ADJUST_CLOCK:	/* KVM_GET/SET_CLOCK (kvmclock.c) */
		return MV_CLOCK_VALID_FLAGS;
	case KVM_CAP_ENABLE_CAP_VM:	/* KVM_ENABLE_CAP on the VM fd */
		return 1;
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:	/* the args[0] flags taken */
		return MV_DIRTY_LOG_MANUAL_CAPS;
	case KVM_CAP_XSAVE:
	case KVM_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	case KVM_CAP_NR_MEMSLOTS:
		return MV_NR_MEMSLOTS;
	case KVM_CAP_NR_VCPUS:		/* the recommended number, as KVM */
		return min_t(long, num_online_cpus(), MV_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
		return MV_MAX_VCPUS;
	case KVM_CAP_MAX_VCPU_ID:
		return MV_MAX_VCPU_ID;
	case KVM_CAP_SET_GUEST_DEBUG:
	case KVM_CAP_DEBUGREGS:
		return 1;
	case KVM_CAP_SET_GUEST_DEBUG2:	/* KVM_GUESTDBG_VALID_MASK (6.1, 6.12) */
		return KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP |
		       KVM_GUESTDBG_USE_HW_BP | KVM_GUESTDBG_USE_SW_BP |
		       KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB |
		       KVM_GUESTDBG_BLOCKIRQ;
	case KVM_CAP_SYNC_REGS:
		return KVM_SYNC_X86_VALID_FIELDS;
	/* The in-kernel irqchip (irq/), with KVM's answers. */
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_HLT:
	case KVM_CAP_SPLIT_IRQCHIP:
	case KVM_CAP_TSC_DEADLINE_TIMER:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_SET_BOOT_CPU_ID:
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_REINJECT_CONTROL:
	case KVM_CAP_IRQFD:
	case KVM_CAP_IRQFD_RESAMPLE:
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_IOEVENTFD_ANY_LENGTH:
	case KVM_CAP_IOEVENTFD_NO_LENGTH:
		return 1;
	case KVM_CAP_X2APIC_API:
		return KVM_X2APIC_API_USE_32BIT_IDS |
		       KVM_X2APIC_API_DISABLE_BROADCAST_QUIRK;
	default:
		return 0;
	}
}

long mv_check_extension(struct mv_vm *vm, long cap)
{
	switch (cap) {
	case KVM_CAP_CHECK_EXTENSION_VM:	/* KVM_CHECK_EXTENSION on VM fds */
		return 1;
	default:
		return mv_backend_runs_guests() ? mv_guest_cap(cap) : 0;
	}
}
