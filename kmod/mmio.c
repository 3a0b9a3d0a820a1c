// SPDX-License-Identifier: GPL-2.0-only
/*
 * Nested page faults. Inside a memslot the page gets mapped (mmu/tdp.c);
 * outside, or a write to a read-only slot, it is MMIO: the instruction is
 * fetched and decoded (emulate.c), its access goes to userspace as
 * KVM_EXIT_MMIO, and the instruction completes at the next KVM_RUN. An
 * instruction that reads then writes (OR [mmio], EAX) exits twice, as on KVM.
 */
#include <linux/kernel.h>
#include <linux/mm.h>

#include "backend.h"
#include "exits.h"
#include "insn.h"
#include "mmio.h"
#include "vcpu.h"
#include "vm.h"

static void mmio_exit(struct mv_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	const struct mv_emu_access *acc = &vcpu->mmio.access;

	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = vcpu->mmio.gpa;
	run->mmio.len = acc->size;
	run->mmio.is_write = acc->write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (acc->write)
		memcpy(run->mmio.data, &acc->data, acc->size);
	vcpu->completion = MV_COMPLETE_MMIO;
	vcpu->stat.mmio_exits++;
}

static int mmio_emulate(struct mv_vcpu *vcpu, u64 gpa)
{
	struct mv_insn *insn = &vcpu->mmio.insn;
	u8 buf[MV_EMU_MAX_LEN];
	struct mv_ctrl ctrl;
	int n;

	mv_backend->get_ctrl(vcpu, &ctrl);
	n = mv_fetch_insn(vcpu, &ctrl, buf, sizeof(buf));
	if (n < 0 ||
	    mv_emu_decode(insn, buf, n, mv_code_mode(&ctrl, vcpu->regs.rflags)) ||
	    mv_emu_start(insn, &vcpu->regs, &vcpu->mmio.access))
		return mv_emulation_failure(vcpu);
	vcpu->mmio.gpa = gpa;
	vcpu->mmio.rip = vcpu->regs.rip;
	mmio_exit(vcpu);
	return 0;
}

int mv_handle_gpa_fault(struct mv_vcpu *vcpu)
{
	const typeof(vcpu->exit.gpa_fault) *f = &vcpu->exit.gpa_fault;
	struct mv_vm *vm = vcpu->vm;
	u64 gfn = f->gpa >> PAGE_SHIFT;
	const struct mv_memslot *slot;
	bool writable;
	int r;

	slot = mv_gfn_to_memslot(mv_memslots(vm), gfn);
	if (!slot || (f->write && (slot->flags & KVM_MEM_READONLY))) {
		/* Code cannot run from MMIO: nothing to emulate. */
		if (f->fetch)
			return mv_emulation_failure(vcpu);
		return mmio_emulate(vcpu, f->gpa);
	}

	writable = !(slot->flags & KVM_MEM_READONLY);
	r = mv_tdp_fault(vm, &vcpu->tdp_cache, gfn, mv_gfn_to_hva(slot, gfn),
			 writable);
	if (r == -EFAULT)	/* no host page there: the guest stops, as on KVM */
		return -EFAULT;
	return r ? r : 1;
}

int mv_complete_mmio(struct mv_vcpu *vcpu)
{
	struct mv_emu_access *acc = &vcpu->mmio.access;
	struct mv_emu_access next;
	u64 data = 0;
	int r;

	/* The write-back of a read-modify-write went out: all done. */
	if (vcpu->mmio.finished) {
		vcpu->mmio.finished = false;
		return 1;
	}
	if (!acc->write)
		memcpy(&data, vcpu->run->mmio.data, acc->size);
	/* As KVM's emulator, RIP ends after the decoded instruction, wherever
	 * userspace put it meanwhile. */
	vcpu->regs.rip = vcpu->mmio.rip;
	r = mv_emu_finish(&vcpu->mmio.insn, &vcpu->regs, data, &next);
	if (r < 0)
		return mv_emulation_failure(vcpu);
	mv_backend->set_interrupt_shadow(vcpu, 0);
	if (r == 1) {
		/* The registers are final; the write is one more exit. */
		*acc = next;
		vcpu->mmio.finished = true;
		mmio_exit(vcpu);
		return 0;
	}
	return 1;
}
