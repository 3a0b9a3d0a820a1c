// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page faults. Inside a memslot the page gets mapped (mmu/tdp.c);
 * outside, or a write to a read-only slot, it is MMIO: the instruction is
 * fetched and decoded (emulate.c), and its access goes to the vCPU's own
 * LAPIC page or an in-kernel device on the MMIO bus (IOAPIC, ioeventfds),
 * which completes it here, else to userspace as KVM_EXIT_MMIO. A store
 * completes before its exit (RIP past it), a load at the next KVM_RUN (RIP on
 * it until then), as on KVM. An instruction that reads then writes
 * (OR [mmio], EAX) exits twice, as on KVM. kvm_run->mmio carries at most 8
 * bytes: a 16-byte SSE access takes two exits, at gpa and gpa + 8, and an
 * access across a page one more, as KVM's mmio_fragments do; each piece is
 * offered to the kernel's devices on its own, as KVM's vcpu_mmio_write().
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/asm.h>
#include <asm/fpu/api.h>

#include "backend.h"
#include "debug.h"
#include "exits.h"
#include "insn.h"
#include "iobus.h"
#include "irq/lapic.h"
#include "mmio.h"
#include "mmu/walk.h"
#include "vcpu.h"
#include "vm.h"

/*
 * The part of the access the next exit carries, as KVM's emulator_read_write()
 * and complete_emulated_mmio() cut it: one fragment per page, each exited
 * 8 bytes at a time. The second page is taken to follow the first in
 * guest-physical memory.
 */
static unsigned int mmio_piece(const struct mv_vcpu *vcpu)
{
	unsigned int size = vcpu->mmio.access.size, off = vcpu->mmio.offset;
	unsigned int first = min_t(unsigned int, size,
				   PAGE_SIZE - offset_in_page(vcpu->mmio.gpa));

	return min_t(unsigned int, (off < first ? first : size) - off,
		     sizeof(vcpu->run->mmio.data));
}

/*
 * The next piece of the access is to go out. Where to (an in-kernel device
 * or userspace) is for mmio_out() to say, once the caller has returned 0.
 */
void mv_mmio_exit(struct mv_vcpu *vcpu)
{
	vcpu->completion = MV_COMPLETE_MMIO;
}

/* KVM_EXIT_MMIO for the piece. */
static void mmio_user_exit(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	const struct mv_emu_access *acc = &vcpu->mmio.access;
	unsigned int off = vcpu->mmio.offset, len = mmio_piece(vcpu);

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = vcpu->mmio.gpa + off;
	run->mmio.len = len;
	run->mmio.is_write = acc->write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (acc->write)
		memcpy(run->mmio.data, acc->bytes + off, len);
	vcpu->stat.mmio_exits++;
}

/*
 * The guest's MMX and XMM registers, reached as KVM's kvm_fpu_get()/put()
 * do: mv_vcpu_run() made the guest's FPU state the task's for all of KVM_RUN
 * (fpu_swap_kvm_fpstate()), exit handling and completions included, so it is
 * in the CPU, or in vcpu->fpu with TIF_NEED_FPU_LOAD set if the kernel used
 * the FPU or switched tasks meanwhile.
 */
static void vec_fpu_get(void)
{
	fpregs_lock();
	if (test_thread_flag(TIF_NEED_FPU_LOAD))
		switch_fpu_return();
}

static void vec_fpu_put(void)
{
	fpregs_unlock();
}

struct vec_reg {
	u64 q[2];
};

/*
 * Caller holds vec_fpu_get(). Would an MMX instruction fault with #MF? As
 * KVM's flush_pending_x87_faults(): FWAIT, with the fault caught, so that
 * the guest's pending x87 exception never reaches the MOVQ below.
 */
static bool vec_x87_pending(void)
{
	int fault = 0;

	asm volatile("1: fwait\n"
		     "2:\n"
		     _ASM_EXTABLE_TYPE_REG(1b, 2b, EX_TYPE_ONE_REG, %[fault])
		     : [fault] "+r" (fault));
	return fault;
}

/* One switch case per register, as KVM's _kvm_read_sse_reg() and friends. */
#define MM_GET(n)							\
	case n: asm volatile("movq %%mm" #n ", %0" : "=m" (v->q[0])); break
#define MM_SET(n)							\
	case n: asm volatile("movq %0, %%mm" #n : : "m" (v->q[0])); break
#define XMM_GET(n)							\
	case n: asm volatile("movdqu %%xmm" #n ", %0" : "=m" (*v)); break
#define XMM_SET(n)							\
	case n: asm volatile("movdqu %0, %%xmm" #n : : "m" (*v)); break

/* Caller holds vec_fpu_get(). */
static void vec_reg_get(const struct mv_insn *insn, struct vec_reg *v)
{
	if (insn->vec == MV_VEC_MMX) {
		switch (insn->reg) {
		MM_GET(0); MM_GET(1); MM_GET(2); MM_GET(3);
		MM_GET(4); MM_GET(5); MM_GET(6); MM_GET(7);
		}
		return;
	}
	switch (insn->reg) {
	XMM_GET(0); XMM_GET(1); XMM_GET(2); XMM_GET(3);
	XMM_GET(4); XMM_GET(5); XMM_GET(6); XMM_GET(7);
	XMM_GET(8); XMM_GET(9); XMM_GET(10); XMM_GET(11);
	XMM_GET(12); XMM_GET(13); XMM_GET(14); XMM_GET(15);
	}
}

/*
 * Caller holds vec_fpu_get(). A MOVQ to MMn sets the x87 tags and TOS as the
 * guest's own would (SDM vol 1 9.5.1 "MMX Instructions and the x87 FPU Tag
 * Word").
 */
static void vec_reg_set(const struct mv_insn *insn, const struct vec_reg *v)
{
	if (insn->vec == MV_VEC_MMX) {
		switch (insn->reg) {
		MM_SET(0); MM_SET(1); MM_SET(2); MM_SET(3);
		MM_SET(4); MM_SET(5); MM_SET(6); MM_SET(7);
		}
		return;
	}
	switch (insn->reg) {
	XMM_SET(0); XMM_SET(1); XMM_SET(2); XMM_SET(3);
	XMM_SET(4); XMM_SET(5); XMM_SET(6); XMM_SET(7);
	XMM_SET(8); XMM_SET(9); XMM_SET(10); XMM_SET(11);
	XMM_SET(12); XMM_SET(13); XMM_SET(14); XMM_SET(15);
	}
}

/*
 * An MMX or SSE move's exceptions (mv_emu_vec_start()) before its access,
 * and again when a load completes: KVM runs the instruction again then, so
 * CR0/CR4 that userspace changed meanwhile count. The exception goes to the
 * guest, which does not move on. Returns 0 with *acc ready (a store's data
 * from the register), or 1 with the exception queued.
 */
static int vec_start(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
		     struct mv_emu_access *acc)
{
	const struct mv_insn *insn = &vcpu->mmio.insn;
	bool pending = false;
	struct vec_reg v;
	int r;

	vec_fpu_get();
	if (insn->vec == MV_VEC_MMX)
		pending = vec_x87_pending();
	/* The guest-physical address has the linear one's low 12 bits. */
	r = mv_emu_vec_start(insn, ctrl->cr0, ctrl->cr4, pending,
			     vcpu->mmio.gpa, acc);
	if (!r && acc->write) {
		vec_reg_get(insn, &v);
		memcpy(acc->bytes, &v, acc->size);
	}
	vec_fpu_put();
	if (r > 0) {
		mv_queue_exception(vcpu, r, r == MV_EMU_EXC_GP, 0);
		return 1;
	}
	return r;
}

/* The load's data into its register, RIP past it; or its exception. */
static int vec_finish(struct mv_vcpu *vcpu)
{
	const struct mv_emu_access *acc = &vcpu->mmio.access;
	const struct mv_insn *insn = &vcpu->mmio.insn;
	struct mv_emu_access again;
	struct mv_ctrl ctrl;
	struct vec_reg v;
	int r;

	if (!acc->write) {
		mv_backend->get_ctrl(vcpu, &ctrl);
		r = vec_start(vcpu, &ctrl, &again);
		if (r)
			return r < 0 ? mv_emulation_failure(vcpu) : 1;
		memcpy(&v, acc->bytes, sizeof(v));
		vec_fpu_get();
		vec_reg_set(insn, &v);
		vec_fpu_put();
	}
	vcpu->regs.rip = vcpu->mmio.rip;
	if (mv_emu_vec_finish(insn, &vcpu->regs))
		return mv_emulation_failure(vcpu);
	mv_backend->set_interrupt_shadow(vcpu, 0);
	if (!acc->write)
		mv_debug_insn_done(vcpu);
	return 1;
}

/*
 * A store has completed when its exit goes out (KVM's x86_emulate_instruction()
 * writes RIP and the registers back before it returns to userspace for an
 * MMIO write): what is left is to hand out its pieces.
 */
#define MV_MMIO_NO_LA	(~0ULL)

/*
 * The accessed bits, and the dirty bit for a write, of the guest's
 * translation of the operand: the CPU sets them for an access through it,
 * MMIO or not (SDM vol 3A 4.8), and KVM's emulator walks the guest's tables
 * for each access it emulates, setting them (paging_tmpl.h's
 * update_accessed_dirty_bits()). QEMU TCG's walk before the nested page
 * fault of a write left D clear (guest_fuzz, svm 6.1, --only pg32 --seed
 * 1624098457: PTE a1023 on minivirt, a1063 on KVM).
 */
static void mmio_set_ad(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, bool write)
{
	u32 access = (write ? MV_PF_WRITE : 0) | (ctrl->cpl == 3 ? MV_PF_USER : 0) |
		     MV_WALK_SET_AD;
	u64 la = vcpu->mmio.la, last;
	struct mv_walk walk;

	if (!(ctrl->cr0 & X86_CR0_PG) || la == MV_MMIO_NO_LA)
		return;
	last = la + vcpu->mmio.access.size - 1;
	mv_walk(vcpu->vm, ctrl, la, access, vcpu->regs.rflags & X86_EFLAGS_AC, &walk);
	/* Both pages of an access that crosses one (--only pg32 --seed 1624098458). */
	if ((last ^ la) & PAGE_MASK)
		mv_walk(vcpu->vm, ctrl, last, access, vcpu->regs.rflags & X86_EFLAGS_AC, &walk);
}

/* The operand's linear address, before RIP moves (RIP-relative operands). */
static void mmio_note_la(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl)
{
	u64 off;

	vcpu->mmio.la = MV_MMIO_NO_LA;
	if (!mv_emu_mem_offset(&vcpu->mmio.insn, &vcpu->regs, &off))
		vcpu->mmio.la = mv_seg_linear(vcpu, ctrl, vcpu->mmio.insn.seg, off);
}

static void store_done(struct mv_vcpu *vcpu)
{
	mv_backend->set_interrupt_shadow(vcpu, 0);
	vcpu->mmio.finished = true;
}

static int mmio_emulate(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_emu_access *acc = &vcpu->mmio.access;
	struct mv_insn *insn = &vcpu->mmio.insn;
	struct mv_emu_access next;
	u8 buf[MV_EMU_MAX_LEN];
	struct mv_ctrl ctrl;
	int n, r;

	mv_backend->get_ctrl(vcpu, &ctrl);
	n = mv_fetch_insn(vcpu, &ctrl, buf, sizeof(buf));
	if (n < 0 ||
	    mv_emu_decode(insn, buf, n, mv_code_mode(&ctrl, vcpu->regs.rflags)))
		return mv_emulation_failure(vcpu);
	vcpu->mmio.gpa = gpa;
	vcpu->mmio.rip = vcpu->regs.rip;
	vcpu->mmio.offset = 0;
	vcpu->mmio.finished = false;
	vcpu->mmio.str_phase = MV_STR_NONE;
	if (insn->op == MV_OP_MOVS || insn->op == MV_OP_STOS)
		return mv_mmio_string(vcpu, &ctrl);
	mmio_note_la(vcpu, &ctrl);
	if (insn->op == MV_OP_VMOV) {
		r = vec_start(vcpu, &ctrl, acc);
		if (r)
			return r < 0 ? mv_emulation_failure(vcpu) : 1;
		/* A store is complete when its exit is out, as on KVM. */
		if (acc->write) {
			if (mv_emu_vec_finish(insn, &vcpu->regs))
				return mv_emulation_failure(vcpu);
			store_done(vcpu);
		}
	} else if (mv_emu_start(insn, &vcpu->regs, acc)) {
		return mv_emulation_failure(vcpu);
	} else if (acc->write) {
		if (mv_emu_finish(insn, &vcpu->regs, 0, &next))
			return mv_emulation_failure(vcpu);
		store_done(vcpu);
	}
	mmio_set_ad(vcpu, &ctrl, acc->write);
	mv_mmio_exit(vcpu);
	return 0;
}

int mv_handle_gpa_fault(struct mv_vcpu *vcpu)
{
	const typeof(vcpu->exit.gpa_fault) *f = &vcpu->exit.gpa_fault;
	struct mv_vm *vm = vcpu->vm;
	u64 gfn = f->gpa >> PAGE_SHIFT;
	const struct mv_memslot *slot;
	int r;

	slot = mv_gfn_to_memslot(mv_memslots(vm), gfn);
	if (!slot || (f->write && (slot->flags & KVM_MEM_READONLY))) {
		/* Code cannot run from MMIO: nothing to emulate. */
		if (f->fetch)
			return mv_emulation_failure(vcpu);
		return mv_mmio_emulate(vcpu, f->gpa);
	}

	r = mv_tdp_fault(vm, &vcpu->tdp_cache, slot, gfn, f->write);
	if (r == -EFAULT)	/* no host page there: the guest stops, as on KVM */
		return -EFAULT;
	return r ? r : 1;
}

/* The piece is through, a read's data in data: on with the instruction. */
static int mmio_complete(struct mv_vcpu *vcpu, const u8 *data)
{
	struct mv_emu_access *acc = &vcpu->mmio.access;
	unsigned int len = mmio_piece(vcpu);
	struct mv_emu_access next;
	struct mv_ctrl ctrl;
	int r;

	/* The piece answered; a next one goes out again. */
	if (!acc->write)
		memcpy(acc->bytes + vcpu->mmio.offset, data, len);
	vcpu->mmio.offset += len;
	if (vcpu->mmio.offset < acc->size) {
		mv_mmio_exit(vcpu);
		return 0;
	}
	/* A store, or the write-back of a read-modify-write, went out: done. */
	if (vcpu->mmio.finished) {
		vcpu->mmio.finished = false;
		return 1;
	}
	if (vcpu->mmio.str_phase != MV_STR_NONE)
		return mv_mmio_string_complete(vcpu);
	if (vcpu->mmio.insn.op == MV_OP_VMOV)
		return vec_finish(vcpu);
	/* As KVM's emulator, RIP ends after the decoded instruction, wherever
	 * userspace put it meanwhile. */
	vcpu->regs.rip = vcpu->mmio.rip;
	r = mv_emu_finish(&vcpu->mmio.insn, &vcpu->regs,
			  acc->write ? 0 : acc->data, &next);
	if (r < 0)
		return mv_emulation_failure(vcpu);
	mv_backend->set_interrupt_shadow(vcpu, 0);
	if (r == 1) {
		/* The registers are final; the write is one more exit. */
		*acc = next;
		vcpu->mmio.offset = 0;
		vcpu->mmio.finished = true;
		mv_backend->get_ctrl(vcpu, &ctrl);
		mmio_set_ad(vcpu, &ctrl, true);
		mv_mmio_exit(vcpu);
		return 0;
	}
	/*
	 * KVM's emulator reports a single step only after a read completes
	 * here: a write's instruction finished before its exit (r = 0).
	 */
	if (!acc->write)
		mv_debug_insn_done(vcpu);
	return 1;
}

/*
 * The piece offered to the kernel's devices: the vCPU's own xAPIC page first,
 * then the MMIO bus, as KVM's vcpu_mmio_write()/vcpu_mmio_read(). True if one
 * took it (answered anything but -EOPNOTSUPP, as on the bus); a read's data
 * is then in data. Without an in-kernel irqchip there is no LAPIC to ask.
 */
static bool mmio_kernel(struct mv_vcpu *vcpu, u8 *data)
{
	const struct mv_emu_access *acc = &vcpu->mmio.access;
	u64 gpa = vcpu->mmio.gpa + vcpu->mmio.offset;
	const u8 *wdata = acc->bytes + vcpu->mmio.offset;
	unsigned int len = mmio_piece(vcpu);
	bool lapic = vcpu->lapic && mv_lapic_mmio_match(vcpu, gpa);

	if (acc->write) {
		if (lapic && mv_lapic_mmio_write(vcpu, gpa, len, wdata) !=
			     -EOPNOTSUPP)
			return true;
		return !mv_io_bus_write(vcpu, MV_MMIO_BUS, gpa, len, wdata);
	}
	if (lapic && mv_lapic_mmio_read(vcpu, gpa, len, data) != -EOPNOTSUPP)
		return true;
	return !mv_io_bus_read(vcpu, MV_MMIO_BUS, gpa, len, data);
}

/*
 * The one in-kernel hook of MMIO: r is what the emulation returned; 0 with a
 * piece to go out (mv_mmio_exit()) sends it to a device that takes it and
 * goes on with the instruction, as often as it takes (the pieces of one
 * access, a read-modify-write's write, the elements of a string move), or
 * else exits to userspace with it.
 */
static int mmio_out(struct mv_vcpu *vcpu, int r)
{
	u8 data[sizeof(vcpu->run->mmio.data)];

	while (!r && vcpu->completion == MV_COMPLETE_MMIO) {
		if (!mmio_kernel(vcpu, data)) {
			mmio_user_exit(vcpu);
			break;
		}
		vcpu->completion = MV_COMPLETE_NONE;
		r = mmio_complete(vcpu, data);
	}
	return r;
}

int mv_mmio_emulate(struct mv_vcpu *vcpu, u64 gpa)
{
	vcpu->completion = MV_COMPLETE_NONE;
	return mmio_out(vcpu, mmio_emulate(vcpu, gpa));
}

int mv_complete_mmio(struct mv_vcpu *vcpu)
{
	return mmio_out(vcpu, mmio_complete(vcpu, vcpu->run->mmio.data));
}
