// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest writes to control registers: the one place their rules live. Both
 * backends have every guest write to CR0 and CR4 exit, in both paging modes
 * (as kvm_amd intercepts CR4 and kvm_intel owns the bits the vCPU may not
 * set), and under shadow paging CR3 too and the reads; the core decodes the
 * instruction (MOV to and from CRn, LMSW, CLTS, SMSW), applies the checks
 * and side effects of KVM's kvm_set_cr0/3/4() (SDM vol 3A 2.5 "Control
 * Registers", 9.8.5 "Initializing IA-32e Mode"), raises #GP(0) where they
 * fail, and hands the backend the new value (set_cr), then asks for a new
 * shadow root or, with nested paging, a TLB flush. KVM_SET_SREGS checks with
 * the same mv_cr0_valid()/mv_cr4_valid() (kvm_is_valid_sregs()).
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>

#include "backend.h"
#include "cpuid.h"
#include "cr.h"
#include "exits.h"
#include "insn.h"
#include "irq/lapic.h"
#include "memslot.h"
#include "vcpu.h"
#include "vm.h"

/* CR0 bits that exist (SDM vol 3A 2.5); others read as zero. */
#define CR0_DEFINED	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | \
			 X86_CR0_ET | X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | \
			 X86_CR0_NW | X86_CR0_CD | X86_CR0_PG)

/* PAE paging: the four PDPTEs must have no reserved bit (SDM vol 3A 4.4.1). */
static bool pdptes_valid(struct mv_vcpu *vcpu, u64 cr3)
{
	u64 rsvd = GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5) |
		   GENMASK_ULL(63, boot_cpu_data.x86_phys_bits);
	u64 pdpte[4];
	int i;

	if (mv_read_guest(vcpu->vm, cr3 & 0xffffffe0ULL, pdpte, sizeof(pdpte)))
		return false;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & rsvd))
			return false;
	return true;
}

/*
 * The guest's translations changed meaning: a new shadow root, or with
 * nested paging a flush of what the TLB holds for the guest (the MOV the
 * CPU did not run would have flushed it: SDM vol 3A 4.10.4.1).
 */
static void paging_changed(struct mv_vcpu *vcpu)
{
	mv_vcpu_request(vcpu, vcpu->vm->shadow_paging ? MV_REQ_MMU_RELOAD :
							MV_REQ_TLB_FLUSH);
}

/*
 * A CR4 feature's CPUID bit: the guest's once KVM_SET_CPUID2 has set a
 * table; before that, KVM's cr4_guest_rsvd_bits are 0 (kvm_vcpu_after_set_cpuid()
 * computes them) and only what KVM supports counts (cr4_reserved_bits).
 */
static bool cr4_cpuid_has(struct mv_vcpu *vcpu, u32 leaf, int reg, int bit)
{
	if (!mv_cpu_has(leaf, reg, bit))
		return false;
	return !vcpu->cpuid_set || mv_guest_has(vcpu, leaf, reg, bit);
}

/* CR4 bits a guest may set: the host has them, and so does its CPUID. */
u64 mv_cr4_allowed(struct mv_vcpu *vcpu)
{
	u64 ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		 X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		 X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (cr4_cpuid_has(vcpu, 1, MV_ECX, 26) && boot_cpu_has(X86_FEATURE_XSAVE))
		ok |= X86_CR4_OSXSAVE;
	if (cr4_cpuid_has(vcpu, 7, MV_EBX, 0) && boot_cpu_has(X86_FEATURE_FSGSBASE))
		ok |= X86_CR4_FSGSBASE;
	if (cr4_cpuid_has(vcpu, 7, MV_EBX, 7) && boot_cpu_has(X86_FEATURE_SMEP))
		ok |= X86_CR4_SMEP;
	if (cr4_cpuid_has(vcpu, 7, MV_EBX, 20) && boot_cpu_has(X86_FEATURE_SMAP))
		ok |= X86_CR4_SMAP;
	if (cr4_cpuid_has(vcpu, 7, MV_ECX, 2) && boot_cpu_has(X86_FEATURE_UMIP))
		ok |= X86_CR4_UMIP;
	if (cr4_cpuid_has(vcpu, 7, MV_ECX, 16) && boot_cpu_has(X86_FEATURE_LA57))
		ok |= X86_CR4_LA57;
	/* The shadow MMU checks no protection keys (KVM: tdp_enabled). */
	if (cr4_cpuid_has(vcpu, 7, MV_ECX, 3) && boot_cpu_has(X86_FEATURE_OSPKE) &&
	    !vcpu->vm->shadow_paging)
		ok |= X86_CR4_PKE;
	return ok;
}

/* KVM's kvm_is_valid_cr4(): no reserved bit, nothing CPUID does not offer. */
bool mv_cr4_valid(struct mv_vcpu *vcpu, u64 cr4)
{
	return !(cr4 & ~mv_cr4_allowed(vcpu));
}

/* KVM's kvm_is_valid_cr0() (SDM vol 2A "MOV-Move to/from Control Registers"). */
bool mv_cr0_valid(u64 cr0)
{
	if (cr0 >> 32)
		return false;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return false;
	return !((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE));
}

int mv_set_cr0(struct mv_vcpu *vcpu, u64 cr0)
{
	struct mv_ctrl c;
	u64 efer;

	mv_backend->get_ctrl(vcpu, &c);
	if (!mv_cr0_valid(cr0))
		return 1;
	/* Reserved bits of 31:0 are ignored, as KVM does (and ET is 1). */
	cr0 = (cr0 | X86_CR0_ET) & CR0_DEFINED;
	/* Paging cannot go off in 64-bit mode or with PCIDE (SDM vol 2A MOV). */
	if (!(cr0 & X86_CR0_PG) &&
	    (((c.efer & EFER_LMA) && c.cs_l) || (c.cr4 & X86_CR4_PCIDE)))
		return 1;

	/*
	 * PAE paging: a MOV that changes PG, CD or NW loads the PDPTEs (SDM vol
	 * 3A 4.4.1; KVM's kvm_set_cr0()), #GP if one is invalid. guest_fuzz,
	 * svm 6.1, --only pae --seed 1624098472: a CD flip KVM refused.
	 */
	if (!(c.efer & EFER_LME) && (cr0 & X86_CR0_PG) && (c.cr4 & X86_CR4_PAE) &&
	    ((cr0 ^ c.cr0) & (X86_CR0_PG | X86_CR0_CD | X86_CR0_NW)) &&
	    !pdptes_valid(vcpu, c.cr3))
		return 1;
	efer = c.efer;
	if (!(c.cr0 & X86_CR0_PG) && (cr0 & X86_CR0_PG)) {
		if (efer & EFER_LME) {
			/* Entering long mode: PAE on, not from a 64-bit CS. */
			if (!(c.cr4 & X86_CR4_PAE) || c.cs_l)
				return 1;
			efer |= EFER_LMA;
		}
	} else if ((c.cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PG)) {
		efer &= ~EFER_LMA;	/* leaving long mode */
	}
	mv_backend->set_cr(vcpu, 0, cr0);
	if (efer != c.efer)
		mv_backend->set_efer(vcpu, efer);
	if ((cr0 ^ c.cr0) & (X86_CR0_PG | X86_CR0_WP | X86_CR0_PE))
		paging_changed(vcpu);
	return 0;
}

int mv_set_cr3(struct mv_vcpu *vcpu, u64 cr3)
{
	struct mv_ctrl c;

	mv_backend->get_ctrl(vcpu, &c);
	if (c.efer & EFER_LMA) {
		if (cr3 & GENMASK_ULL(63, boot_cpu_data.x86_phys_bits))
			return 1;
	} else if ((c.cr0 & X86_CR0_PG) && (c.cr4 & X86_CR4_PAE) &&
		   !pdptes_valid(vcpu, cr3)) {
		return 1;
	}
	mv_backend->set_cr(vcpu, 3, cr3);
	/* MOV to CR3 flushes the guest's non-global translations. */
	paging_changed(vcpu);
	return 0;
}

int mv_set_cr4(struct mv_vcpu *vcpu, u64 cr4)
{
	struct mv_ctrl c;

	mv_backend->get_ctrl(vcpu, &c);
	if (!mv_cr4_valid(vcpu, cr4))
		return 1;
	/* In long mode PAE stays on and LA57 cannot change. */
	if ((c.efer & EFER_LMA) &&
	    (!(cr4 & X86_CR4_PAE) || ((cr4 ^ c.cr4) & X86_CR4_LA57)))
		return 1;
	/* PCIDE only in long mode, with CR3[11:0] clear. */
	if ((cr4 & X86_CR4_PCIDE) && !(c.cr4 & X86_CR4_PCIDE) &&
	    (!(c.efer & EFER_LMA) || (c.cr3 & 0xfff)))
		return 1;
	if (!(c.efer & EFER_LMA) && (c.cr0 & X86_CR0_PG) &&
	    (cr4 & X86_CR4_PAE) && ((cr4 ^ c.cr4) & (X86_CR4_PAE | X86_CR4_PSE |
						     X86_CR4_PGE | X86_CR4_SMEP)) &&
	    !pdptes_valid(vcpu, c.cr3))
		return 1;
	mv_backend->set_cr(vcpu, 4, cr4);
	if ((cr4 ^ c.cr4) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE |
			     X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PCIDE |
			     X86_CR4_LA57))
		paging_changed(vcpu);
	return 0;
}

/* SDM vol 2A LMSW: PE can be set, not cleared; MP, EM, TS are loaded. */
static u64 lmsw_cr0(u64 cr0, u16 msw)
{
	return (cr0 & ~0xeULL) | (msw & 0xf) | (cr0 & X86_CR0_PE);
}

/*
 * LMSW m16 and SMSW m16 (0F 01 /6, /4 with a memory operand): the operand
 * through the guest's segments and paging. Returns as mv_handle_cr_access().
 */
static int cr_msw_mem(struct mv_vcpu *vcpu, const struct mv_ctrl *c,
		      const u8 *buf, int n)
{
	struct mv_insn insn;
	u64 offset, la;
	u16 msw;
	int r;

	if (mv_emu_decode(&insn, buf, n, mv_code_mode(c, vcpu->regs.rflags)) ||
	    (insn.op != MV_OP_LMSW && insn.op != MV_OP_SMSW))
		return mv_emulation_failure(vcpu);
	if (mv_emu_mem_offset(&insn, &vcpu->regs, &offset))
		return mv_emulation_failure(vcpu);
	la = mv_seg_linear(vcpu, c, insn.seg, offset);
	if (insn.op == MV_OP_SMSW) {
		msw = c->cr0;
		r = mv_access_linear(vcpu, c, la, &msw, sizeof(msw), true);
	} else {
		r = mv_access_linear(vcpu, c, la, &msw, sizeof(msw), false);
		if (!r && mv_set_cr0(vcpu, lmsw_cr0(c->cr0, msw))) {
			mv_queue_exception(vcpu, GP_VECTOR, true, 0);
			return 1;
		}
	}
	if (r < 0)
		return mv_emulation_failure(vcpu);
	if (!r)
		mv_advance_rip(vcpu, c, insn.len);
	return 1;
}

/*
 * SDM vol 2: MOV to/from CRn (0F 20 /r, 0F 22 /r, register operands only),
 * LMSW (0F 01 /6), SMSW (0F 01 /4), CLTS (0F 06). SMSW is not privileged
 * (but with CR4.UMIP, SDM vol 3A 2.5).
 */
int mv_handle_cr_access(struct mv_vcpu *vcpu)
{
	u8 buf[MV_EMU_MAX_LEN], rex = 0, modrm, op;
	struct mv_ctrl c;
	bool mode64;
	unsigned int p = 0, len, reg, rm;
	bool tpr_lowered = false, smsw;
	u64 *gpr, val;
	int n, r;

	mv_backend->get_ctrl(vcpu, &c);
	mode64 = mv_code_mode(&c, vcpu->regs.rflags) == MV_EMU_MODE64;
	n = mv_fetch_insn(vcpu, &c, buf, sizeof(buf));
	if (n < 0)
		return mv_emulation_failure(vcpu);
	while (p < n && (buf[p] == 0x66 || buf[p] == 0x67 || buf[p] == 0x26 ||
			 buf[p] == 0x2e || buf[p] == 0x36 || buf[p] == 0x3e ||
			 buf[p] == 0x64 || buf[p] == 0x65 || buf[p] == 0xf0 ||
			 buf[p] == 0xf2 || buf[p] == 0xf3))
		p++;
	if (mode64 && p < n && (buf[p] & 0xf0) == 0x40)
		rex = buf[p++];
	if (p + 2 > n || buf[p] != 0x0f)
		return mv_emulation_failure(vcpu);
	op = buf[p + 1];
	smsw = op == 0x01 && p + 3 <= n && ((buf[p + 2] >> 3) & 7) == 4;
	if (c.cpl && (!smsw || (c.cr4 & X86_CR4_UMIP))) {
		mv_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	if (op == 0x06) {			/* CLTS */
		r = mv_set_cr0(vcpu, c.cr0 & ~X86_CR0_TS);
		len = p + 2;
		goto done;
	}
	if (p + 3 > n)
		return mv_emulation_failure(vcpu);
	modrm = buf[p + 2];
	reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	rm = (modrm & 7) | (rex & 1 ? 8 : 0);
	gpr = &vcpu->regs.gpr[rm];
	len = p + 3;
	if ((modrm >> 6) != 3) {
		if (op == 0x01)
			return cr_msw_mem(vcpu, &c, buf, n);
		return mv_emulation_failure(vcpu);
	}

	switch (op) {
	case 0x20:				/* MOV r, CRn */
		switch (reg) {
		case 0: val = c.cr0; break;
		case 3: val = c.cr3; break;
		case 4: val = c.cr4; break;
		case 8: val = vcpu->cr8; break;
		default: goto ud;
		}
		*gpr = mode64 ? val : (u32)val;
		r = 0;
		break;
	case 0x22:				/* MOV CRn, r */
		val = mode64 ? *gpr : (u32)*gpr;
		switch (reg) {
		case 0: r = mv_set_cr0(vcpu, val); break;
		case 3: r = mv_set_cr3(vcpu, val); break;
		case 4: r = mv_set_cr4(vcpu, val); break;
		case 8:
			/* SDM vol 3A 10.8.6.1: bits 63:4 reserved (#GP). */
			r = val & ~0xfULL ? 1 : 0;
			if (!r) {
				tpr_lowered = val < vcpu->cr8;
				vcpu->cr8 = val;
				/* The next entry reloads CR8 from the LAPIC. */
				if (vcpu->lapic)
					mv_lapic_set_cr8(vcpu, val);
			}
			break;
		default: goto ud;
		}
		break;
	case 0x01:
		if (((modrm >> 3) & 7) == 6) {	/* LMSW */
			r = mv_set_cr0(vcpu, lmsw_cr0(c.cr0, *gpr));
		} else if (((modrm >> 3) & 7) == 4) {	/* SMSW */
			*gpr = mode64 ? c.cr0 : (u32)c.cr0;
			r = 0;
		} else {
			return mv_emulation_failure(vcpu);
		}
		break;
	default:
		return mv_emulation_failure(vcpu);
	}
done:
	if (r) {
		mv_queue_exception(vcpu, GP_VECTOR, true, 0);
		return 1;
	}
	mv_advance_rip(vcpu, &c, len);
	/*
	 * No in-kernel LAPIC: a lower TPR may unmask an interrupt userspace
	 * holds back; tell it (KVM: svm.c cr8_write_interception()). With
	 * one, the LAPIC took the new TPR above and raised MV_REQ_EVENT.
	 */
	if (tpr_lowered && !vcpu->lapic) {
		vcpu->run->exit_reason = KVM_EXIT_SET_TPR;
		return 0;
	}
	return 1;
ud:
	mv_queue_exception(vcpu, UD_VECTOR, false, 0);
	return 1;
}
