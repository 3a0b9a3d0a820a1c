// SPDX-License-Identifier: GPL-2.0-only
/*
 * MSR policy, the same for both vendors. The MSRs the hardware switches
 * (syscall/sysenter, segment bases, PAT, TSC) are the backend's storage; the
 * checks are here, as KVM makes them (x86.c kvm_set_msr_common(), set_efer(),
 * kvm_set_apic_base()). Everything else #GPs, as on KVM with
 * ignore_msrs=0.
 */
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/processor.h>

#include "backend.h"
#include "cpuid.h"
#include "cpuid_fault.h"
#include "mce.h"
#include "kvmclock.h"
#include "irq/lapic.h"
#include "msr.h"
#include "mtrr.h"
#include "vcpu.h"
#include "vm.h"

#define MV_MAX_IO_MSRS		256	/* KVM's MAX_IO_MSRS */
#define MISC_ENABLE_DEFAULT	(MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL | \
				 MSR_IA32_MISC_ENABLE_BTS_UNAVAIL)
#define DEBUGCTL_ALLOWED	(DEBUGCTLMSR_LBR | DEBUGCTLMSR_BTF)

/* What KVM_GET_MSR_INDEX_LIST reports: the MSRs to save and restore. */
static const u32 mv_msr_index_list[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR, MSR_CSTAR, MSR_KERNEL_GS_BASE, MSR_SYSCALL_MASK, MSR_LSTAR,
	MSR_IA32_TSC, MSR_IA32_CR_PAT, MSR_IA32_MISC_ENABLE, MSR_IA32_UCODE_REV,
	MSR_IA32_MCG_STATUS, MSR_IA32_MCG_CTL,
	/* KVM's emulated_msrs (kvmclock.c) */
	MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK,
	MSR_KVM_SYSTEM_TIME_NEW, MSR_KVM_WALL_CLOCK_NEW, MSR_IA32_TSC_ADJUST,
	MSR_IA32_TSC_DEADLINE,
	MSR_IA32_PERF_CAPABILITIES,
	MSR_PLATFORM_INFO, MSR_MISC_FEATURES_ENABLES,	/* cpuid_fault.c */
	/* Last: only where mv_tsc_aux_supported() (KVM's msrs_to_save filter). */
	MSR_TSC_AUX,
};

/*
 * KVM_GET_MSR_FEATURE_INDEX_LIST: the feature MSRs userspace may read on the
 * system fd. Of KVM's list those minivirt emulates on vCPUs.
 */
static const u32 mv_msr_feature_list[] = {
	MSR_IA32_UCODE_REV,
	MSR_IA32_PERF_CAPABILITIES,
};

/* Canonical for 48-bit linear addresses (SDM vol 1 3.3.7.1). */
static bool canonical(u64 la)
{
	return (u64)((s64)(la << 16) >> 16) == la;
}

/* PAT entries: UC, WC, WT, WP, WB, UC- (SDM vol 3A 13.12.2). */
static bool pat_valid(u64 pat)
{
	int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* KVM's set_efer() and kvm_valid_efer(). */
static int set_efer(struct mv_vcpu *vcpu, u64 efer, bool host)
{
	u64 allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NX;
	struct mv_ctrl ctrl;

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (efer & ~allowed)
		return 1;
	if ((efer & (EFER_LME | EFER_LMA)) && !mv_guest_has(vcpu, 0x80000001, MV_EDX, 29))
		return 1;
	if ((efer & EFER_NX) && !mv_guest_has(vcpu, 0x80000001, MV_EDX, 20))
		return 1;
	if (!host) {
		/*
		 * A guest's LMA is ignored, kept as the CPU has it (KVM's
		 * set_efer(); minivirt #GP'd on LMA set outside long mode:
		 * guest_fuzz, svm 6.1, --only pae --seed 1624098498).
		 */
		/* LME may not change while paging is on (SDM vol 3A 9.8.5). */
		if ((ctrl.cr0 & X86_CR0_PG) && ((efer ^ ctrl.efer) & EFER_LME))
			return 1;
		efer = (efer & ~EFER_LMA) | (ctrl.efer & EFER_LMA);
	}
	mv_backend->set_efer(vcpu, efer);
	if (vcpu->vm->shadow_paging)
		mv_vcpu_request(vcpu, MV_REQ_MMU_RELOAD);
	return 0;
}

/*
 * KVM's MSR_TSC_AUX (x86.c kvm_get/set_msr_common()): the guest may use it
 * only with RDTSCP or RDPID in its CPUID. Bits 63:32 are reserved for an
 * Intel guest (#GP, and refused to userspace too) and dropped for any other,
 * since AMD CPUs ignore them.
 */
static int tsc_aux_access(struct mv_vcpu *vcpu, bool host)
{
	if (!mv_tsc_aux_supported())
		return 1;
	if (!host && !vcpu->cpuid_rdtscp && !vcpu->cpuid_rdpid)
		return 1;
	return 0;
}

static int set_tsc_aux(struct mv_vcpu *vcpu, u64 data, bool host)
{
	if (tsc_aux_access(vcpu, host))
		return 1;
	if ((data >> 32) && mv_guest_is_intel(vcpu))
		return 1;
	vcpu->tsc_aux = (u32)data;
	return 0;
}

/* KVM's kvm_set_apic_base() without an in-kernel LAPIC. */
static int set_apic_base(struct mv_vcpu *vcpu, u64 data, bool host)
{
	u64 reserved = GENMASK_ULL(63, boot_cpu_data.x86_phys_bits) | 0x2ff |
		       (mv_guest_has(vcpu, 1, MV_ECX, 21) ? 0 : X2APIC_ENABLE);
	u64 old = vcpu->apic_base;

	if ((data & reserved) || ((data & X2APIC_ENABLE) &&
				  !(data & MSR_IA32_APICBASE_ENABLE)))
		return 1;
	if (!host) {
		/* x2APIC -> xAPIC, and disabled -> x2APIC, are invalid moves. */
		if ((old & X2APIC_ENABLE) && !(data & X2APIC_ENABLE) &&
		    (data & MSR_IA32_APICBASE_ENABLE))
			return 1;
		if (!(old & MSR_IA32_APICBASE_ENABLE) && (data & X2APIC_ENABLE))
			return 1;
	}
	vcpu->apic_base = data;
	if (vcpu->lapic)
		mv_lapic_set_base(vcpu, old, data);
	return 0;
}

/*
 * KVM's IA32_MISC_ENABLE: the guest may not change the PMU "unavailable"
 * bits, and its writes to EMON are dropped; userspace sets any value. With
 * KVM's default quirks MWAIT is a plain bit; with
 * KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT off it is CPUID's MONITOR bit, which
 * only a guest with SSE3 may change, userspace included (KVM's
 * kvm_set_msr_common()).
 */
static int set_misc_enable(struct mv_vcpu *vcpu, u64 data, bool host)
{
	u64 old = vcpu->misc_enable;

	if (!host) {
		if ((old ^ data) & (MSR_IA32_MISC_ENABLE_PEBS_UNAVAIL |
				    MSR_IA32_MISC_ENABLE_BTS_UNAVAIL))
			return 1;
		data = (data & ~MSR_IA32_MISC_ENABLE_EMON) |
		       (old & MSR_IA32_MISC_ENABLE_EMON);
	}
	if (!mv_quirk_on(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT) &&
	    ((old ^ data) & MSR_IA32_MISC_ENABLE_MWAIT)) {
		if (!mv_guest_has(vcpu, 1, MV_ECX, 0))	/* SSE3 */
			return 1;
		vcpu->misc_enable = data;
		mv_cpuid_misc_enable_changed(vcpu);
		return 0;
	}
	vcpu->misc_enable = data;
	return 0;
}

int mv_msr_get(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	struct mv_ctrl ctrl;
	int r = mv_kvmclock_get_msr(vcpu, index, data, host);

	if (r != -ENOENT)
		return r;
	r = mv_cpuid_fault_get_msr(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	switch (index) {
	case MSR_EFER:
		mv_backend->get_ctrl(vcpu, &ctrl);
		*data = ctrl.efer;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = vcpu->ucode_rev;
		return 0;
	case MSR_K7_HWCR:
		*data = vcpu->hwcr;
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		/* KVM: the guest reads it only with PDCM (leaf 1 ECX[15]). */
		if (!host && !mv_guest_has(vcpu, 1, MV_ECX, 15))
			return 1;
		*data = 0;
		return 0;
	case MSR_TSC_AUX:
		if (tsc_aux_access(vcpu, host))
			return 1;
		*data = vcpu->tsc_aux;
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		/* Reads 0 without a LAPIC in TSC-deadline mode (KVM). */
		*data = 0;
		return vcpu->lapic ? mv_lapic_msr_read(vcpu, index, data) : 0;
	case APIC_BASE_MSR ... APIC_BASE_MSR + 0xff:
		return vcpu->lapic ? mv_lapic_msr_read(vcpu, index, data) : 1;
	default:
		if (mv_mtrr_msr(index))
			return mv_mtrr_get(vcpu, index, data);
		if (mv_mce_msr(index))
			return mv_mce_get(vcpu, index, data, host);
		return mv_backend->get_msr(vcpu, index, data) ? 1 : 0;
	}
}

int mv_msr_set(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{
	int r = mv_kvmclock_set_msr(vcpu, index, data, host);

	if (r != -ENOENT)
		return r;
	r = mv_cpuid_fault_set_msr(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	switch (index) {
	case MSR_EFER:
		return set_efer(vcpu, data, host);
	case MSR_IA32_APICBASE:
		return set_apic_base(vcpu, data, host);
	case MSR_IA32_MISC_ENABLE:
		return set_misc_enable(vcpu, data, host);
	case MSR_IA32_UCODE_REV:
		/* The guest's writes (a microcode update) are ignored (KVM). */
		if (host)
			vcpu->ucode_rev = data;
		return 0;
	case MSR_K7_HWCR:
		/*
		 * KVM (Linux 6.12): FFDIS, IGNNE emulation and TLBCACHEDIS are
		 * dropped; McStatusWrEn and TscFreqSel are kept; anything else
		 * is refused. (6.1 took McStatusWrEn alone.)
		 */
		data &= ~(BIT_ULL(3) | BIT_ULL(6) | BIT_ULL(8));
		if (data & ~(BIT_ULL(18) | BIT_ULL(24)))
			return 1;
		vcpu->hwcr = data;
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		/*
		 * KVM: userspace only, within the feature MSR's value; no PMU
		 * here (KVM's supported_perf_cap is 0), so 0 only.
		 */
		return !host || data ? 1 : 0;
	case MSR_TSC_AUX:
		return set_tsc_aux(vcpu, data, host);
	case MSR_IA32_TSC_DEADLINE:
		/* Ignored without a LAPIC in TSC-deadline mode (KVM). */
		return vcpu->lapic ? mv_lapic_msr_write(vcpu, index, data) : 0;
	case APIC_BASE_MSR ... APIC_BASE_MSR + 0xff:
		return vcpu->lapic ? mv_lapic_msr_write(vcpu, index, data) : 1;
	case MSR_IA32_CR_PAT:
		if (!pat_valid(data))
			return 1;
		break;
	case MSR_IA32_DEBUGCTLMSR:
		if (data & ~DEBUGCTL_ALLOWED)
			return 1;
		break;
	case MSR_FS_BASE: case MSR_GS_BASE: case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR: case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP: case MSR_IA32_SYSENTER_EIP:
		if (!canonical(data))
			return 1;
		break;
	default:
		if (mv_mtrr_msr(index))
			return mv_mtrr_set(vcpu, index, data);
		if (mv_mce_msr(index))
			return mv_mce_set(vcpu, index, data, host);
		break;
	}
	return mv_backend->set_msr(vcpu, index, data) ? 1 : 0;
}

static long copy_msr_list(struct kvm_msr_list *hdr, u32 __user *indices,
			  const u32 *list, u32 n)
{
	u32 room = hdr->nmsrs;

	hdr->nmsrs = n;
	if (room < n)
		return -E2BIG;
	if (copy_to_user(indices, list, n * sizeof(*list)))
		return -EFAULT;
	return 0;
}

long mv_get_msr_index_list(struct kvm_msr_list *hdr, u32 __user *indices)
{
	return copy_msr_list(hdr, indices, mv_msr_index_list,
			     ARRAY_SIZE(mv_msr_index_list) -
			     !mv_tsc_aux_supported());
}

long mv_get_msr_feature_index_list(struct kvm_msr_list *hdr,
				   u32 __user *indices)
{
	return copy_msr_list(hdr, indices, mv_msr_feature_list,
			     ARRAY_SIZE(mv_msr_feature_list));
}

/*
 * KVM's kvm_get_msr_feature(): the host's microcode revision, as KVM reads
 * it; PERF_CAPABILITIES, what a vCPU's may hold: 0, no PMU.
 */
static int feature_msr_get(u32 index, u64 *data)
{
	*data = 0;
	switch (index) {
	case MSR_IA32_UCODE_REV:
		rdmsrl_safe(index, data);
		return 0;
	case MSR_IA32_PERF_CAPABILITIES:
		return 0;
	default:
		return 1;
	}
}

/*
 * KVM's msr_io(): entries in order, stopping at the first that fails. A NULL
 * vcpu reads feature MSRs (KVM_GET_MSRS on the system fd).
 */
long mv_msrs_io(struct mv_vcpu *vcpu, struct kvm_msrs *hdr,
		struct kvm_msr_entry __user *uentries, bool set)
{
	struct kvm_msr_entry *e;
	size_t size;
	u32 i;
	long r;

	if (hdr->nmsrs >= MV_MAX_IO_MSRS)
		return -E2BIG;
	size = hdr->nmsrs * sizeof(*e);
	e = memdup_user(uentries, size);
	if (IS_ERR(e))
		return PTR_ERR(e);
	for (i = 0; i < hdr->nmsrs; i++) {
		if (!vcpu ? feature_msr_get(e[i].index, &e[i].data) :
		    set ? mv_msr_set(vcpu, e[i].index, e[i].data, true) :
			  mv_msr_get(vcpu, e[i].index, &e[i].data, true))
			break;
	}
	r = i;
	if (!set && copy_to_user(uentries, e, size))
		r = -EFAULT;
	kfree(e);
	return r;
}
