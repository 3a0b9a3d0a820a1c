// SPDX-License-Identifier: GPL-2.0-only
/*
 * String moves that touch MMIO: MOVS (seg:rSI to ES:rDI) and STOS (AL/rAX to
 * ES:rDI), with or without REP, as KVM's emulator runs them (x86_emulate_insn()
 * with its EMULATION_RESTART loop, measured against kvm_amd: selftests/mmio.c
 * "string" tests). One element at a time, each address translated through the
 * guest's paging; RAM is read and written here, MMIO exits:
 *  - a read from MMIO (MOVS's source) exits with the registers as before the
 *    element and RIP on the instruction; the data completes the element at
 *    the next KVM_RUN;
 *  - a write to MMIO exits with the element done: rSI/rDI moved by the
 *    element size (back with RFLAGS.DF), rCX one less with REP; RIP past the
 *    instruction without REP, on it with REP, even after the last element
 *    (the guest runs it once more, with rCX 0). The next KVM_RUN enters the
 *    guest, which runs the instruction on (natively, or to the next exit);
 *  - elements without MMIO go on here after one that exited, as KVM's
 *    emulator restarts the instruction, until an element exits, rCX is 0,
 *    or rCX reaches a multiple of 1024 (then the guest runs it on). With
 *    REP, RIP stays on the instruction in every case, as kvm_amd leaves it
 *    (the guest then runs it once more, with rCX 0, to move past it).
 * The registers move as the address size says (KVM's assign_register():
 * 16 bits keep bits 63:16, 32 bits zero-extend). An element across a page
 * exits once per page, as any access (mmio.c). A #PF on either address goes
 * to the guest with the element not done.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "backend.h"
#include "exits.h"
#include "insn.h"
#include "memslot.h"
#include "mmio.h"
#include "mmu/walk.h"
#include "vcpu.h"

static u64 str_mask(unsigned int bytes)
{
	return bytes == 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

/* KVM's assign_register(): what a register becomes after a move. */
static u64 str_assign(u64 reg, u64 val, unsigned int addr_size)
{
	switch (addr_size) {
	case 2:
		return (reg & ~0xffffULL) | (val & 0xffff);
	case 4:
		return (u32)val;
	default:
		return val;
	}
}

/*
 * The linear address of seg:reg: 0, or 1 with the #GP (#SS) of a failed
 * segment check queued (KVM's emulator makes them for every element,
 * QEMU's TCG does not: a null ES reached here).
 */
static int str_linear(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
		      u8 seg_nr, int reg, bool write, u64 *la)
{
	u64 off = vcpu->regs.gpr[reg] & str_mask(vcpu->mmio.insn.addr_size);
	int vector = mv_seg_check(vcpu, ctrl, seg_nr, off, vcpu->mmio.insn.op_size, write);

	if (vector) {
		mv_queue_exception(vcpu, vector, true, 0);
		return 1;
	}
	*la = mv_seg_linear(vcpu, ctrl, seg_nr, off);
	return 0;
}

/*
 * Where an element's access goes: *gpa, and whether it is MMIO (no memslot,
 * or a write to a read-only one). 0; 1 with a #PF queued; <0 on failure.
 */
static int str_translate(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
			 u64 la, bool write, u64 *gpa, bool *mmio)
{
	/* A/D as the access sets them (KVM's emulator: paging_tmpl.h). */
	u32 access = (write ? MV_PF_WRITE : 0) | (ctrl->cpl == 3 ? MV_PF_USER : 0) |
		     MV_WALK_SET_AD;
	const struct mv_memslot *slot;
	struct mv_walk walk, next;
	u64 last;
	int r;

	r = mv_walk(vcpu->vm, ctrl, la, access,
		    vcpu->regs.rflags & X86_EFLAGS_AC, &walk);
	if (r == 1) {
		mv_queue_page_fault(vcpu, la, walk.error_code);
		return 1;
	}
	if (r)
		return r;
	/* An element that crosses a page: that page's A/D too (--only pg32 --seed 1624098474). */
	last = la + vcpu->mmio.insn.op_size - 1;
	if ((last ^ la) & PAGE_MASK)
		mv_walk(vcpu->vm, ctrl, last, access, vcpu->regs.rflags & X86_EFLAGS_AC, &next);
	slot = mv_gfn_to_memslot(mv_memslots(vcpu->vm), walk.gpa >> PAGE_SHIFT);
	*gpa = walk.gpa;
	*mmio = !slot || (write && (slot->flags & KVM_MEM_READONLY));
	return 0;
}

/* RAM at gpa, size bytes; the part past a page may be in another slot. */
static int str_ram(struct mv_vcpu *vcpu, u64 gpa, void *data, unsigned int size,
		   bool write)
{
	return write ? mv_write_guest(vcpu->vm, gpa, data, size) :
		       mv_read_guest(vcpu->vm, gpa, data, size);
}

/* Starts the MMIO exit of the current element's access at gpa. */
static int str_exit(struct mv_vcpu *vcpu, u64 gpa, bool write)
{
	vcpu->mmio.gpa = gpa;
	vcpu->mmio.offset = 0;
	vcpu->mmio.access.write = write;
	vcpu->mmio.access.size = vcpu->mmio.insn.op_size;
	vcpu->mmio.str_phase = write ? MV_STR_WRITE : MV_STR_READ;
	mv_mmio_exit(vcpu);
	return 0;
}

/* rSI, rDI, rCX after one element; RIP past the instruction without REP. */
static void str_advance(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl)
{
	const struct mv_insn *insn = &vcpu->mmio.insn;
	u64 *gpr = vcpu->regs.gpr;
	s64 step = vcpu->regs.rflags & X86_EFLAGS_DF ? -(s64)insn->op_size :
						       insn->op_size;

	if (insn->op == MV_OP_MOVS)
		gpr[MV_RSI] = str_assign(gpr[MV_RSI], gpr[MV_RSI] + step,
					 insn->addr_size);
	gpr[MV_RDI] = str_assign(gpr[MV_RDI], gpr[MV_RDI] + step,
				 insn->addr_size);
	if (insn->rep != MV_REP_NONE) {
		gpr[MV_RCX] = str_assign(gpr[MV_RCX], gpr[MV_RCX] - 1,
					 insn->addr_size);
	} else {
		vcpu->regs.rip = vcpu->mmio.rip;
		mv_advance_rip(vcpu, ctrl, insn->len);
	}
}

/*
 * The rest of an element whose data is in mmio.access (read from rSI, or
 * rAX): its write to ES:rDI. Returns 0 for an exit, 1 to enter the guest
 * (maybe with a #PF queued), <0 on failure; 2 if the element is done here
 * and the next may follow.
 */
static int str_write(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl)
{
	struct mv_emu_access *acc = &vcpu->mmio.access;
	u64 la, gpa;
	bool mmio;
	int r;

	if (str_linear(vcpu, ctrl, MV_SEG_ES, MV_RDI, true, &la))
		return 1;
	r = str_translate(vcpu, ctrl, la, true, &gpa, &mmio);
	if (r)
		return r;
	str_advance(vcpu, ctrl);
	if (mmio)
		return str_exit(vcpu, gpa, true);
	if (str_ram(vcpu, gpa, acc->bytes, acc->size, true))
		return -EFAULT;
	return 2;
}

/* One element from its start; returns as str_write(). */
static int str_element(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl)
{
	const struct mv_insn *insn = &vcpu->mmio.insn;
	struct mv_emu_access *acc = &vcpu->mmio.access;
	u64 la, gpa;
	bool mmio;
	int r;

	memset(acc, 0, sizeof(*acc));
	acc->size = insn->op_size;
	if (insn->op == MV_OP_STOS) {
		acc->data = vcpu->regs.gpr[MV_RAX] & str_mask(insn->op_size);
		return str_write(vcpu, ctrl);
	}
	if (str_linear(vcpu, ctrl, insn->seg, MV_RSI, false, &la))
		return 1;
	r = str_translate(vcpu, ctrl, la, false, &gpa, &mmio);
	if (r)
		return r;
	if (mmio)
		return str_exit(vcpu, gpa, false);
	if (str_ram(vcpu, gpa, acc->bytes, acc->size, false))
		return -EFAULT;
	return str_write(vcpu, ctrl);
}

/*
 * Elements until one exits, or the instruction is for the guest to run on:
 * rCX 0 or a multiple of 1024 (KVM re-enters the guest there too).
 */
static int str_run(struct mv_vcpu *vcpu, int r)
{
	const struct mv_insn *insn = &vcpu->mmio.insn;
	struct mv_ctrl ctrl;
	u64 rcx;

	mv_backend->get_ctrl(vcpu, &ctrl);
	while (r == 2) {
		rcx = vcpu->regs.gpr[MV_RCX] & str_mask(insn->addr_size);
		if (insn->rep == MV_REP_NONE || !rcx || !(rcx & 0x3ff))
			return 1;
		r = str_element(vcpu, &ctrl);
	}
	if (r < 0)
		return mv_emulation_failure(vcpu);
	return r;
}

int mv_mmio_string(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl)
{
	const struct mv_insn *insn = &vcpu->mmio.insn;

	/* The CPU faults before it moves nothing: rCX is not 0 here. */
	if (insn->rep != MV_REP_NONE &&
	    !(vcpu->regs.gpr[MV_RCX] & str_mask(insn->addr_size)))
		return mv_emulation_failure(vcpu);
	return str_run(vcpu, str_element(vcpu, ctrl));
}

int mv_mmio_string_complete(struct mv_vcpu *vcpu)
{
	struct mv_ctrl ctrl;

	/* A write went out: the element is done; the guest runs on. */
	if (vcpu->mmio.str_phase == MV_STR_WRITE)
		return 1;
	mv_backend->get_ctrl(vcpu, &ctrl);
	return str_run(vcpu, str_write(vcpu, &ctrl));
}
