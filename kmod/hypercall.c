// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hypercalls, as KVM 6.1/6.12 answer them with no paravirtual feature
 * enforced (x86.c kvm_emulate_hypercall(), emulator_fix_hypercall();
 * emulate.c em_hypercall(); svm.c ud_interception(), vmx.c handle_ud()):
 * - The vendor's instruction (VMMCALL on AMD, VMCALL on Intel) exits: CPL > 0
 *   gets -KVM_EPERM, KVM_HC_VAPIC_POLL_IRQ and KVM_HC_SCHED_YIELD 0 (a hint:
 *   KVM's guest_pv_has() is true while KVM_CAP_ENFORCE_PV_FEATURE_CPUID is
 *   off, which minivirt does not offer), anything else -KVM_ENOSYS; 32 bits
 *   of RAX outside 64-bit mode.
 * - The other vendor's raises #UD in the guest (APM vol 2 15.33 "VMMCALL":
 *   #UD unless intercepted; SDM vol 3C 25.1.3: VMMCALL does not exist), and
 *   KVM intercepts #UD. With KVM_X86_QUIRK_FIX_HYPERCALL_INSN (on unless
 *   KVM_CAP_DISABLE_QUIRKS2 turns it off) the three bytes at RIP are
 *   rewritten to the vendor's instruction and the guest runs it again; with
 *   it off the guest gets #UD. First, as KVM's emulator decodes them: VMCALL
 *   at CPL > 0 is #GP(0) (Priv), VMMCALL outside protected mode #UD (Prot).
 * - Any other #UD (and one of the two behind a prefix, which KVM's emulator
 *   would decode) goes back to the guest as it was, at the same RIP.
 */
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/string.h>
#include <asm/processor-flags.h>
#include <asm/traps.h>

#include "backend.h"
#include "debug.h"
#include "exits.h"
#include "hypercall.h"
#include "insn.h"
#include "vcpu.h"
#include "vm.h"

#define HYPERCALL_LEN	3

static const u8 op_vmcall[HYPERCALL_LEN] = { 0x0f, 0x01, 0xc1 };
static const u8 op_vmmcall[HYPERCALL_LEN] = { 0x0f, 0x01, 0xd9 };

int mv_handle_hypercall(struct mv_vcpu *vcpu)
{
	struct mv_ctrl ctrl;
	bool op64;
	u64 nr, ret;

	mv_backend->get_ctrl(vcpu, &ctrl);
	op64 = mv_code_mode(&ctrl, vcpu->regs.rflags) == MV_EMU_MODE64;
	nr = op64 ? vcpu->regs.gpr[MV_RAX] : (u32)vcpu->regs.gpr[MV_RAX];
	if (ctrl.cpl)
		ret = -KVM_EPERM;
	else if (nr == KVM_HC_VAPIC_POLL_IRQ || nr == KVM_HC_SCHED_YIELD)
		ret = 0;
	else
		ret = -KVM_ENOSYS;
	vcpu->regs.gpr[MV_RAX] = op64 ? ret : (u32)ret;
	return mv_skip_insn(vcpu) ? mv_emulation_failure(vcpu) : 1;
}

static void queue_ud(struct mv_vcpu *vcpu)
{
	mv_queue_exception(vcpu, UD_VECTOR, false, 0);
}

int mv_handle_ud_fault(struct mv_vcpu *vcpu)
{
	u8 insn[HYPERCALL_LEN], fix[HYPERCALL_LEN];
	struct mv_ctrl ctrl;
	u64 la;
	int r;

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (mv_fetch_insn(vcpu, &ctrl, insn, sizeof(insn)) != sizeof(insn)) {
		queue_ud(vcpu);
		return 1;
	}
	if (!memcmp(insn, op_vmcall, sizeof(insn))) {
		if (ctrl.cpl) {
			mv_queue_exception(vcpu, GP_VECTOR, true, 0);
			return 1;
		}
	} else if (!memcmp(insn, op_vmmcall, sizeof(insn))) {
		if (!(ctrl.cr0 & X86_CR0_PE) ||
		    (vcpu->regs.rflags & X86_EFLAGS_VM)) {
			queue_ud(vcpu);
			return 1;
		}
	} else {
		queue_ud(vcpu);
		return 1;
	}
	if (!mv_quirk_on(vcpu->vm, KVM_X86_QUIRK_FIX_HYPERCALL_INSN)) {
		queue_ud(vcpu);
		return 1;
	}
	/*
	 * Written through the guest's paging with its CPL (a #PF if it may not
	 * write there). KVM writes at linear address RIP; CS:RIP is where the
	 * bytes are, the same address with a flat code segment. Code in
	 * MMIO or a read-only slot (KVM: an MMIO write exit) is an emulation
	 * failure here.
	 */
	la = mv_code_mode(&ctrl, vcpu->regs.rflags) == MV_EMU_MODE64 ?
	     vcpu->regs.rip : (u32)(ctrl.cs_base + vcpu->regs.rip);
	memcpy(fix, mv_backend->hypercall_insn, sizeof(fix));
	r = mv_access_linear(vcpu, &ctrl, la, fix, sizeof(fix), true);
	if (r < 0)
		return mv_emulation_failure(vcpu);
	/* The patch was emulated: a single step ends here, RIP unchanged. */
	if (!r)
		mv_debug_insn_done(vcpu);
	return 1;
}
