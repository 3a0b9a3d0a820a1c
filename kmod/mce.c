// SPDX-License-Identifier: GPL-2.0-only
/*
 * Machine-check architecture MSRs and ioctls, as KVM's x86.c has them
 * (set_msr_mce(), get_msr_mce(), kvm_vcpu_ioctl_x86_setup_mce(),
 * kvm_vcpu_ioctl_x86_set_mce(); Linux 6.1 and 6.12 agree). minivirt offers
 * MCG_CTL_P and MCG_SER_P, KVM's AMD set; KVM on Intel adds LMCE and CMCI,
 * which need its LAPIC. No MSR here touches the hardware: userspace (QEMU's
 * memory-error path) injects errors with KVM_X86_SET_MCE.
 */
#include <linux/nospec.h>
#include <asm/mce.h>
#include <asm/msr-index.h>
#include <asm/processor.h>
#include <asm/traps.h>

#include "backend.h"
#include "mce.h"
#include "vcpu.h"

#define MV_MCE_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)
/* SETUP_MCE may also set the bank count and MCG_EXT_CNT (bits 16-23). */
#define MCG_CAP_COUNTS		(0xffULL | 0xff0000ULL)

static unsigned int nr_banks(struct mv_vcpu *vcpu)
{
	return vcpu->mce.mcg_cap & 0xff;
}

void mv_mce_init(struct mv_vcpu *vcpu)
{
	vcpu->mce.mcg_cap = MV_MAX_MCE_BANKS;
}

bool mv_mce_msr(u32 index)
{
	switch (index) {
	case MSR_IA32_P5_MC_ADDR:
	case MSR_IA32_P5_MC_TYPE:
	case MSR_IA32_MCG_CAP:
	case MSR_IA32_MCG_STATUS:
	case MSR_IA32_MCG_CTL:
	case MSR_IA32_MC0_CTL ... MSR_IA32_MCx_CTL(MV_MAX_MCE_BANKS) - 1:
	case MSR_IA32_MC0_CTL2 ... MSR_IA32_MCx_CTL2(MV_MAX_MCE_BANKS) - 1:
		return true;
	default:
		return false;
	}
}

u64 mv_mce_cap_supported(void)
{
	return MV_MCE_CAP_SUPPORTED;
}

int mv_mce_get(struct mv_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	struct mv_mce *m = &vcpu->mce;
	u32 last;

	switch (index) {
	case MSR_IA32_P5_MC_ADDR:
	case MSR_IA32_P5_MC_TYPE:
		*data = 0;
		return 0;
	case MSR_IA32_MCG_CAP:
		*data = m->mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = m->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(m->mcg_cap & MCG_CTL_P) && !host)
			return 1;
		*data = m->mcg_ctl;
		return 0;
	case MSR_IA32_MC0_CTL2 ... MSR_IA32_MCx_CTL2(MV_MAX_MCE_BANKS) - 1:
		/* Without MCG_CMCI_P: 0 to userspace, #GP to the guest. */
		if (index >= MSR_IA32_MCx_CTL2(nr_banks(vcpu)) || !host)
			return 1;
		*data = 0;
		return 0;
	case MSR_IA32_MC0_CTL ... MSR_IA32_MCx_CTL(MV_MAX_MCE_BANKS) - 1:
		last = MSR_IA32_MCx_CTL(nr_banks(vcpu));
		if (index >= last)
			return 1;
		*data = m->banks[array_index_nospec(index - MSR_IA32_MC0_CTL,
						    last - MSR_IA32_MC0_CTL)];
		return 0;
	default:
		return 1;
	}
}

int mv_mce_set(struct mv_vcpu *vcpu, u32 index, u64 data, bool host)
{
	struct mv_mce *m = &vcpu->mce;
	u32 last, i;

	switch (index) {
	case MSR_IA32_MCG_STATUS:
		m->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(m->mcg_cap & MCG_CTL_P) && (data || !host))
			return 1;
		if (data != 0 && data != ~0ULL)
			return 1;
		m->mcg_ctl = data;
		return 0;
	case MSR_IA32_MC0_CTL2 ... MSR_IA32_MCx_CTL2(MV_MAX_MCE_BANKS) - 1:
		/* Without MCG_CMCI_P only userspace's 0 is taken. */
		if (index >= MSR_IA32_MCx_CTL2(nr_banks(vcpu)) || data || !host)
			return 1;
		return 0;
	case MSR_IA32_MC0_CTL ... MSR_IA32_MCx_CTL(MV_MAX_MCE_BANKS) - 1:
		last = MSR_IA32_MCx_CTL(nr_banks(vcpu));
		if (index >= last)
			return 1;
		/*
		 * MCi_CTL: 0 or all ones, but bit 10 (a K8 GART erratum
		 * workaround in Linux) and bit 0 (UnixWare) may be clear.
		 */
		if ((index & 3) == 0 && data && (data | BIT_ULL(10) | 1) != ~0ULL)
			return 1;
		/*
		 * MCi_STATUS: a guest may only clear it; AMD's
		 * HWCR.McStatusWrEn, which would allow more, is never set here.
		 */
		if ((index & 3) == 1 && data && !host)
			return 1;
		i = array_index_nospec(index - MSR_IA32_MC0_CTL,
				       last - MSR_IA32_MC0_CTL);
		m->banks[i] = data;
		return 0;
	default:
		return 1;	/* MCG_CAP is read-only, P5_MC_* too */
	}
}

long mv_mce_setup(struct mv_vcpu *vcpu, u64 mcg_cap)
{
	unsigned int n = mcg_cap & 0xff, bank;
	struct mv_mce *m = &vcpu->mce;

	if (!n || n > MV_MAX_MCE_BANKS)
		return -EINVAL;
	if (mcg_cap & ~(MV_MCE_CAP_SUPPORTED | MCG_CAP_COUNTS))
		return -EINVAL;
	m->mcg_cap = mcg_cap;
	/* AMD's MCG_CAP has bits 63:9 reserved: KVM's svm_setup_mce() drops them. */
	if (boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	    boot_cpu_data.x86_vendor == X86_VENDOR_HYGON)
		m->mcg_cap &= 0x1ff;
	/* MCG_CTL and each MCi_CTL start all ones (KVM). */
	if (mcg_cap & MCG_CTL_P)
		m->mcg_ctl = ~0ULL;
	for (bank = 0; bank < n; bank++)
		m->banks[bank * 4] = ~0ULL;
	return 0;
}

/*
 * An uncorrected error raises #MC (SDM vol 3B 16.10) unless reporting is
 * off in MCG_CTL or MCi_CTL; one while MCIP is set, or with CR4.MCE clear,
 * shuts the vCPU down. A corrected error only logs, unless the bank holds an
 * uncorrected one. UCNA errors (no MCE signalled) only log here: without
 * CMCI there is no interrupt to send.
 */
long mv_mce_inject(struct mv_vcpu *vcpu, const struct kvm_x86_mce *mce)
{
	u64 status = mce->status, *banks;
	struct mv_mce *m = &vcpu->mce;
	unsigned int n = nr_banks(vcpu);
	struct mv_ctrl ctrl;
	bool ucna;

	if (mce->bank >= n || !(status & MCI_STATUS_VAL))
		return -EINVAL;
	banks = &m->banks[array_index_nospec(4 * mce->bank, 4 * n)];

	ucna = !mce->mcg_status && (status & MCI_STATUS_UC) &&
	       !(status & (MCI_STATUS_PCC | MCI_STATUS_S | MCI_STATUS_AR));
	if (ucna) {
		banks[1] = status;
		banks[2] = mce->addr;
		banks[3] = mce->misc;
		m->mcg_status = mce->mcg_status;
		return 0;
	}

	if (status & MCI_STATUS_UC) {
		if ((m->mcg_cap & MCG_CTL_P) && m->mcg_ctl != ~0ULL)
			return 0;
		if (banks[0] != ~0ULL)
			return 0;
		mv_backend->get_ctrl(vcpu, &ctrl);
		if ((m->mcg_status & MCG_STATUS_MCIP) ||
		    !(ctrl.cr4 & X86_CR4_MCE)) {
			vcpu->triple_fault = true;
			return 0;
		}
		if (banks[1] & MCI_STATUS_VAL)
			status |= MCI_STATUS_OVER;
		banks[2] = mce->addr;
		banks[3] = mce->misc;
		m->mcg_status = mce->mcg_status;
		banks[1] = status;
		mv_queue_exception(vcpu, X86_TRAP_MC, false, 0);
	} else if (!(banks[1] & MCI_STATUS_VAL) || !(banks[1] & MCI_STATUS_UC)) {
		if (banks[1] & MCI_STATUS_VAL)
			status |= MCI_STATUS_OVER;
		banks[2] = mce->addr;
		banks[3] = mce->misc;
		banks[1] = status;
	} else {
		banks[1] |= MCI_STATUS_OVER;
	}
	return 0;
}
