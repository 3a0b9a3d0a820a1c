// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest instructions the core must read: fetched at CS:RIP through the guest's
 * page tables, as the processor did. Without next-RIP help from the hardware
 * (SVM without NRIPS) the length of a CPUID, HLT, RDMSR... is known once the
 * bytes at RIP show its bare opcode; anything else goes to the decoder.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "backend.h"
#include "debug.h"
#include "insn.h"
#include "memslot.h"
#include "mmu/walk.h"
#include "vcpu.h"

enum mv_emu_mode mv_code_mode(const struct mv_ctrl *ctrl, u64 rflags)
{
	if ((ctrl->efer & EFER_LMA) && ctrl->cs_l)
		return MV_EMU_MODE64;
	if (!(ctrl->cr0 & X86_CR0_PE) || (rflags & X86_EFLAGS_VM))
		return MV_EMU_MODE16;
	return ctrl->cs_db ? MV_EMU_MODE32 : MV_EMU_MODE16;
}

int mv_fetch_insn(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u8 *buf,
		  unsigned int len)
{
	bool wide = mv_code_mode(ctrl, vcpu->regs.rflags) == MV_EMU_MODE64;
	u64 la = ctrl->cs_base + vcpu->regs.rip;
	u32 access = MV_PF_FETCH | (ctrl->cpl == 3 ? MV_PF_USER : 0);
	unsigned int done = 0;

	if (!wide)
		la &= 0xffffffffULL;
	while (done < len) {
		unsigned int n = min_t(unsigned int, len - done,
				       PAGE_SIZE - offset_in_page(la + done));
		struct mv_walk walk;

		if (mv_walk(vcpu->vm, ctrl, la + done, access, false, &walk) ||
		    mv_read_guest(vcpu->vm, walk.gpa, buf + done, n))
			break;
		done += n;
	}
	return done ? done : -EFAULT;
}

int mv_access_linear(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u64 la,
		     void *data, unsigned int len, bool write)
{
	/* A/D as the access sets them (KVM's emulator: paging_tmpl.h). */
	u32 access = (write ? MV_PF_WRITE : 0) | (ctrl->cpl == 3 ? MV_PF_USER : 0) |
		     MV_WALK_SET_AD;
	unsigned int done = 0, n;
	struct mv_walk walk;
	int r;

	while (done < len) {
		n = min_t(unsigned int, len - done,
			  PAGE_SIZE - offset_in_page(la + done));
		r = mv_walk(vcpu->vm, ctrl, la + done, access,
			    vcpu->regs.rflags & X86_EFLAGS_AC, &walk);
		if (r == 1) {
			mv_queue_page_fault(vcpu, la + done, walk.error_code);
			return 1;
		}
		if (r || (write ? mv_write_guest(vcpu->vm, walk.gpa, data + done, n) :
			  mv_read_guest(vcpu->vm, walk.gpa, data + done, n)))
			return -EINVAL;
		done += n;
	}
	return 0;
}

void mv_advance_rip(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
		    unsigned int len)
{
	u64 rip = vcpu->regs.rip + len;

	switch (mv_code_mode(ctrl, vcpu->regs.rflags)) {
	case MV_EMU_MODE16:
		rip &= 0xffff;
		break;
	case MV_EMU_MODE32:
		rip &= 0xffffffffULL;
		break;
	case MV_EMU_MODE64:
		break;
	}
	vcpu->regs.rip = rip;
	/*
	 * An instruction completed: RF goes (SDM vol 3A 17.3.1.1; KVM's
	 * emulator, x86_emulate_instruction(), clears it so), and a MOV SS /
	 * STI shadow is over.
	 */
	vcpu->regs.rflags &= ~X86_EFLAGS_RF;
	mv_backend->set_interrupt_shadow(vcpu, 0);
	mv_debug_insn_done(vcpu);
}

/* Length of the prefixes at buf; REX only in 64-bit mode, last. */
static unsigned int prefix_len(const u8 *buf, unsigned int n, bool mode64)
{
	unsigned int i = 0;

	while (i < n && mv_emu_legacy_prefix(buf[i]))
		i++;
	if (mode64 && i < n && (buf[i] & 0xf0) == 0x40)
		i++;
	return i;
}

/* buf holds op (the last byte's free bits aside). */
static bool opcode_is(const u8 *buf, const struct mv_opcode *op)
{
	unsigned int last = op->len - 1;

	return !memcmp(buf, op->bytes, last) &&
	       !((buf[last] ^ op->bytes[last]) & ~op->last_free);
}

/*
 * The length of the instruction at RIP if it is op after legacy and REX
 * prefixes, else 0.
 */
static unsigned int opcode_at_rip(struct mv_vcpu *vcpu,
				  const struct mv_ctrl *ctrl,
				  const struct mv_opcode *op)
{
	u8 buf[MV_EMU_MAX_LEN];
	unsigned int p;
	int n;

	n = mv_fetch_insn(vcpu, ctrl, buf, sizeof(buf));
	if (n < 0)
		return 0;
	p = prefix_len(buf, n, mv_code_mode(ctrl, vcpu->regs.rflags) ==
			       MV_EMU_MODE64);
	return p + op->len <= n && opcode_is(buf + p, op) ? p + op->len : 0;
}

int mv_skip_insn(struct mv_vcpu *vcpu)
{
	const struct mv_opcode *op = vcpu->exit.opcode;
	u8 buf[MV_EMU_MAX_LEN];
	struct mv_ctrl ctrl;
	unsigned int len;

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (vcpu->exit.insn_len) {
		mv_advance_rip(vcpu, &ctrl, vcpu->exit.insn_len);
		return 0;
	}
	if (WARN_ON_ONCE(!op))
		return -EINVAL;
	/* The usual case, the bare opcode, needs only its own bytes. */
	if (mv_fetch_insn(vcpu, &ctrl, buf, op->len) == op->len &&
	    opcode_is(buf, op)) {
		mv_advance_rip(vcpu, &ctrl, op->len);
		return 0;
	}
	len = opcode_at_rip(vcpu, &ctrl, op);
	if (!len)
		return -EINVAL;
	mv_advance_rip(vcpu, &ctrl, len);
	return 0;
}

/*
 * KVM decodes the instruction at RIP on SVM and takes the last exit's length
 * on VMX; here only the two instructions whose trap these are count.
 */
unsigned int mv_soft_exception_len(struct mv_vcpu *vcpu, u8 vector)
{
	static const struct mv_opcode int3 = { 1, { 0xcc } }, into = { 1, { 0xce } };
	struct mv_ctrl ctrl;

	mv_backend->get_ctrl(vcpu, &ctrl);
	return opcode_at_rip(vcpu, &ctrl, vector == BP_VECTOR ? &int3 : &into);
}

/* SDM vol 2B "MOV-Move to/from Debug Registers": always register operands. */
int mv_decode_mov_dr(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
		     struct mv_mov_dr *mov)
{
	bool mode64 = mv_code_mode(ctrl, vcpu->regs.rflags) == MV_EMU_MODE64;
	u8 buf[MV_EMU_MAX_LEN], rex = 0, modrm;
	unsigned int p;
	int n;

	n = mv_fetch_insn(vcpu, ctrl, buf, sizeof(buf));
	if (n < 0)
		return -EINVAL;
	p = prefix_len(buf, n, mode64);
	if (p && mode64 && (buf[p - 1] & 0xf0) == 0x40)
		rex = buf[p - 1];
	if (p + 3 > n || buf[p] != 0x0f || (buf[p + 1] != 0x21 && buf[p + 1] != 0x23))
		return -EINVAL;
	modrm = buf[p + 2];
	if (rex & 0x4)		/* REX.R would name DR8-15: #UD */
		return -EINVAL;
	mov->write = buf[p + 1] == 0x23;
	mov->dr = (modrm >> 3) & 7;
	mov->gpr = (modrm & 7) | (rex & 1 ? 8 : 0);
	mov->len = p + 3;
	return 0;
}

static struct kvm_segment *pick_seg(struct kvm_sregs *sregs, u8 seg_nr)
{
	switch (seg_nr) {
	case MV_SEG_ES: return &sregs->es;
	case MV_SEG_CS: return &sregs->cs;
	case MV_SEG_SS: return &sregs->ss;
	case MV_SEG_FS: return &sregs->fs;
	case MV_SEG_GS: return &sregs->gs;
	default: return &sregs->ds;
	}
}

u64 mv_seg_linear(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u8 seg_nr,
		  u64 offset)
{
	bool mode64 = mv_code_mode(ctrl, vcpu->regs.rflags) == MV_EMU_MODE64;
	struct kvm_sregs sregs;

	if (mode64 && seg_nr != MV_SEG_FS && seg_nr != MV_SEG_GS)
		return offset;
	mv_backend->get_sregs(vcpu, &sregs);
	offset += pick_seg(&sregs, seg_nr)->base;
	return mode64 ? offset : offset & 0xffffffffULL;
}

int mv_seg_check(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u8 seg_nr,
		 u64 offset, unsigned int size, bool write)
{
	bool real = !(ctrl->cr0 & X86_CR0_PE);
	struct kvm_sregs sregs;
	struct kvm_segment *s;
	u64 max;

	if (mv_code_mode(ctrl, vcpu->regs.rflags) == MV_EMU_MODE64)
		return 0;
	mv_backend->get_sregs(vcpu, &sregs);
	s = pick_seg(&sregs, seg_nr);
	if (s->unusable)
		goto bad;
	/* A write to a code segment (but in real mode) or a read-only one. */
	if (write && ((!real && (s->type & 8)) || !(s->type & 2)))
		goto bad;
	if ((s->type & 8) && !(s->type & 2))	/* execute-only code */
		goto bad;
	if (!(s->type & 8) && (s->type & 4)) {	/* expand-down data */
		max = s->db ? 0xffffffffULL : 0xffffULL;
		if (offset <= s->limit || offset > max || size > max + 1 - offset)
			goto bad;
	} else if (offset > s->limit || size > (u64)s->limit + 1 - offset) {
		goto bad;
	}
	return 0;
bad:
	return seg_nr == MV_SEG_SS ? SS_VECTOR : GP_VECTOR;
}
