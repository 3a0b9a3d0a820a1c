// SPDX-License-Identifier: GPL-2.0-only
/*
 * Control registers under shadow paging, where the guest's MOV to and from
 * CR0, CR3 and CR4 (and LMSW, CLTS, SMSW) exit: the checks and side effects
 * of KVM's kvm_set_cr0/3/4() (SDM vol 3A 2.5 "Control Registers", 9.8.5
 * "Initializing IA-32e Mode"), then a new shadow root for the new paging
 * state. With nested paging the guest writes its CRs itself.
 */
#include <linux/kernel.h>
#include <asm/processor-flags.h>

#include "backend.h"
#include "cr.h"
#include "exits.h"
#include "insn.h"
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

static void paging_changed(struct mv_vcpu *vcpu)
{
	mv_vcpu_request(vcpu, MV_REQ_MMU_RELOAD);
}

int mv_set_cr0(struct mv_vcpu *vcpu, u64 cr0)
{
	struct mv_ctrl c;
	u64 efer;

	mv_backend->get_ctrl(vcpu, &c);
	cr0 |= X86_CR0_ET;
	if (cr0 >> 32)
		return 1;
	cr0 &= CR0_DEFINED;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return 1;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return 1;

	efer = c.efer;
	if (!(c.cr0 & X86_CR0_PG) && (cr0 & X86_CR0_PG)) {
		if (efer & EFER_LME) {
			/* Entering long mode: PAE on, not from a 64-bit CS. */
			if (!(c.cr4 & X86_CR4_PAE) || c.cs_l)
				return 1;
			efer |= EFER_LMA;
		} else if ((c.cr4 & X86_CR4_PAE) && !pdptes_valid(vcpu, c.cr3)) {
			return 1;
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
	if (cr4 & ~mv_cr4_allowed(vcpu))
		return 1;
	if ((c.efer & EFER_LMA) && !(cr4 & X86_CR4_PAE))
		return 1;	/* PAE cannot go off in long mode */
	if (!(c.efer & EFER_LMA) && (c.cr0 & X86_CR0_PG) &&
	    (cr4 & X86_CR4_PAE) && ((cr4 ^ c.cr4) & (X86_CR4_PAE | X86_CR4_PSE |
						     X86_CR4_PGE | X86_CR4_SMEP)) &&
	    !pdptes_valid(vcpu, c.cr3))
		return 1;
	mv_backend->set_cr(vcpu, 4, cr4);
	if ((cr4 ^ c.cr4) & (X86_CR4_PAE | X86_CR4_PSE | X86_CR4_PGE |
			     X86_CR4_SMEP | X86_CR4_SMAP))
		paging_changed(vcpu);
	return 0;
}

/*
 * SDM vol 2: MOV to/from CRn (0F 20 /r, 0F 22 /r, register operands only),
 * LMSW r16 (0F 01 /6), SMSW r (0F 01 /4), CLTS (0F 06). The memory forms of
 * LMSW/SMSW are left to the emulation failure path.
 */
int mv_handle_cr_access(struct mv_vcpu *vcpu)
{
	u8 buf[MV_EMU_MAX_LEN], rex = 0, modrm, op;
	struct mv_ctrl c;
	bool mode64;
	unsigned int p = 0, len, reg, rm;
	bool tpr_lowered = false;
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
	if (c.cpl) {
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
	if ((modrm >> 6) != 3)
		return mv_emulation_failure(vcpu);

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
			}
			break;
		default: goto ud;
		}
		break;
	case 0x01:
		if (((modrm >> 3) & 7) == 6) {	/* LMSW: PE can only be set */
			val = (c.cr0 & ~0xeULL) | (*gpr & 0xf) | (c.cr0 & X86_CR0_PE);
			r = mv_set_cr0(vcpu, val);
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
	 * holds back; tell it (KVM: svm.c cr8_write_interception()).
	 */
	if (tpr_lowered) {
		vcpu->run->exit_reason = KVM_EXIT_SET_TPR;
		return 0;
	}
	return 1;
ud:
	mv_queue_exception(vcpu, UD_VECTOR, false, 0);
	return 1;
}
