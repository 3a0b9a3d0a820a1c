// SPDX-License-Identifier: GPL-2.0-only
/*
 * fault_catalogue's invalid guest state: KVM_SET_SREGS with a state no CPU
 * can be in, and KVM's answer: the ioctl's errno (x86.c kvm_is_valid_sregs(),
 * kvm_is_valid_cr0/cr4()) or, for a state it takes, what KVM_RUN does with
 * it: SVM's VMRUN checks (APM vol 2 15.5.1) leave segment attributes alone
 * and the guest runs; VMX's (SDM vol 3C 27.3.1.2 "Checks on Guest Segment
 * Registers") refuse them: KVM_EXIT_FAIL_ENTRY, invalid guest state.
 * Measured on kvm_amd and kvm_intel, Linux 6.1, both MMUs.
 */
#include <sys/ioctl.h>

#include "../lib/harness.h"
#include "../lib/vm.h"
#include "host.h"

DECLARE_GUEST(fc_hlt);

/*
 * Invalid guest state through KVM_SET_SREGS: the ioctl's errno, or what
 * KVM_RUN does with a state the ioctl took, as one string ("EINVAL",
 * "KVM_EXIT_FAIL_ENTRY 0x80000021", "KVM_EXIT_HLT"...).
 */
struct bad_state {
	const char *name;
	enum vm_mode mode;
	void (*change)(struct kvm_sregs *s);
	const char *svm;	/* KVM's answer on AMD */
	const char *vmx;	/* and on Intel (with unrestricted guest) */
	/*
	 * Without unrestricted guest (kvm_intel ept=0, minivirt's VT-x shadow
	 * paging): KVM's, and minivirt's where it differs (NULL: the same).
	 * KVM emulates a guest whose segments VM entry refuses
	 * (emulate_invalid_guest_state); minivirt fails the entry
	 * (uapi/minivirt.h).
	 */
	const char *vmx_r;
	const char *vmx_r_minivirt;
};

static void cs_data_type(struct kvm_sregs *s)
{
	s->cs.type = 3;			/* read/write data */
}

static void cs_limit_g_mismatch(struct kvm_sregs *s)
{
	s->cs.g = 1;
	s->cs.limit = 0x12345000;	/* G = 1 with bits 11:0 clear */
}

static void cs_not_present(struct kvm_sregs *s)
{
	s->cs.present = 0;
}

static void tr_not_busy(struct kvm_sregs *s)
{
	s->tr.type = 9;			/* available 32-bit TSS */
}

static void cr0_pg_without_pe(struct kvm_sregs *s)
{
	s->cr0 = (s->cr0 & ~X86_CR0_PE) | X86_CR0_PG;
}

static void cr0_nw_without_cd(struct kvm_sregs *s)
{
	s->cr0 |= X86_CR0_NW;
}

static void efer_lme_without_lma(struct kvm_sregs *s)
{
	s->efer &= ~EFER_LMA;
}

static void efer_lma_without_lme(struct kvm_sregs *s)
{
	s->efer &= ~EFER_LME;
}

static void efer_lma_without_pg(struct kvm_sregs *s)
{
	s->cr0 &= ~X86_CR0_PG;
}

static void cs_l_in_prot32(struct kvm_sregs *s)
{
	s->cs.l = 1;
	s->cs.db = 0;
}

static void cr4_reserved_bit(struct kvm_sregs *s)
{
	s->cr4 |= 1ULL << 15;
}

static void cr4_pae_cleared_in_long_mode(struct kvm_sregs *s)
{
	s->cr4 &= ~X86_CR4_PAE;
}

/*
 * Segments: VMX wants a usable, present CS whose limit agrees with G, a busy
 * TSS in TR, and allows CS type 3 (data) to an unrestricted guest (SDM vol
 * 3C 27.3.1.2); SVM checks none of them. The rest kvm_is_valid_sregs()
 * refuses on both.
 */
static const struct bad_state bad_states[] = {
	{ "cs_data_type", VM_MODE_PROT32, cs_data_type,
	  "KVM_EXIT_HLT", "KVM_EXIT_HLT",
	  "KVM_EXIT_HLT", "KVM_EXIT_FAIL_ENTRY 0x80000021" },
	{ "cs_limit_g_mismatch", VM_MODE_PROT32, cs_limit_g_mismatch,
	  "KVM_EXIT_HLT", "KVM_EXIT_FAIL_ENTRY 0x80000021",
	  "KVM_EXIT_FAIL_ENTRY 0x80000021", NULL },
	{ "cs_not_present", VM_MODE_PROT32, cs_not_present,
	  "KVM_EXIT_HLT", "KVM_EXIT_FAIL_ENTRY 0x80000021",
	  "KVM_EXIT_INTERNAL_ERROR 1", "KVM_EXIT_FAIL_ENTRY 0x80000021" },
	{ "tr_not_busy", VM_MODE_PROT32, tr_not_busy,
	  "KVM_EXIT_HLT", "KVM_EXIT_FAIL_ENTRY 0x80000021",
	  "KVM_EXIT_HLT", "KVM_EXIT_FAIL_ENTRY 0x80000021" },
	{ "cr0_pg_without_pe", VM_MODE_PROT32, cr0_pg_without_pe,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
	{ "cr0_nw_without_cd", VM_MODE_PROT32, cr0_nw_without_cd,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
	{ "efer_lme_without_lma", VM_MODE_LONG, efer_lme_without_lma,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
	{ "efer_lma_without_lme", VM_MODE_LONG, efer_lma_without_lme,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
	{ "efer_lma_without_pg", VM_MODE_LONG, efer_lma_without_pg,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
	{ "cs_l_in_prot32", VM_MODE_PROT32, cs_l_in_prot32,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
	{ "cr4_reserved_bit", VM_MODE_PROT32, cr4_reserved_bit,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
	{ "cr4_pae_cleared_in_long_mode", VM_MODE_LONG, cr4_pae_cleared_in_long_mode,
	  "EINVAL", "EINVAL",
	  "EINVAL", NULL },
};

/* What KVM_SET_SREGS and then KVM_RUN make of case c. */
static void bad_state_result(const struct bad_state *c, char *buf, size_t len)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;
	struct kvm_run *run;
	int err;

	guest_new(c->mode, GUEST(fc_hlt), 0, &vcpu);
	run = vcpu->run;
	vcpu_sregs_get(vcpu, &sregs);
	c->change(&sregs);
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs)) {
		snprintf(buf, len, "%s", strerrorname_np(errno));
		return;
	}
	err = vcpu_run_errno(vcpu);
	if (err) {
		snprintf(buf, len, "KVM_RUN %s", strerrorname_np(err));
		return;
	}
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(buf, len, "%s %#llx", exit_reason_name(run->exit_reason),
			 (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(buf, len, "%s %u", exit_reason_name(run->exit_reason),
			 run->internal.suberror);
		break;
	case KVM_EXIT_IO:
		snprintf(buf, len, "%s %#x %#llx", exit_reason_name(run->exit_reason),
			 run->io.port, (unsigned long long)vcpu_io_value(vcpu));
		break;
	default:
		snprintf(buf, len, "%s", exit_reason_name(run->exit_reason));
	}
}

TEST(invalid_state_via_sregs)
{
	char got[96];
	size_t i;

	for (i = 0; i < sizeof(bad_states) / sizeof(bad_states[0]); i++) {
		const struct bad_state *c = &bad_states[i];
		const char *want = host_is_amd() ? c->svm : c->vmx;

		if (!host_is_amd() && !vmx_unrestricted_guest())
			want = !th_is_kvm && c->vmx_r_minivirt ?
			       c->vmx_r_minivirt : c->vmx_r;

		bad_state_result(c, got, sizeof(got));
		TH_LOG("%s: %s", c->name, got);
		if (strcmp(got, want))
			TH_FAIL("%s: %s, KVM gives %s", c->name, got, want);
	}
}
