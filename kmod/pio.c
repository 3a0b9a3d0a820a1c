// SPDX-License-Identifier: GPL-2.0-only
/*
 * Port I/O exits. An access an in-kernel device on the PIO bus takes (PIC, PIT,
 * an ioeventfd) completes here; any other goes to userspace, laid out as KVM
 * lays it out: data at KVM_PIO_PAGE_OFFSET of the vCPU mapping,
 * `count` elements of `size` bytes. String forms follow KVM's emulator
 * (arch/x86/kvm/emulate.c): OUTS hands over one element per exit, its
 * registers written back before the exit (rSI, rCX; RIP only without REP: a
 * REP OUTS is entered again, also after its last element); INS takes as many
 * as fit before rDI's page ends, at most 1024 bytes, and completes (registers,
 * RIP) at the next KVM_RUN, as on KVM: userspace sees rCX as it was before
 * the batch, and a rCX it changed meanwhile sizes the batch completed.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/processor-flags.h>

#include "backend.h"
#include "exits.h"
#include "insn.h"
#include "iobus.h"
#include "memslot.h"
#include "mmu/walk.h"
#include "pio.h"
#include "vcpu.h"

#define PIO_BATCH_BYTES		1024	/* KVM's read-ahead buffer */
/* KVM_X86_QUIRK_OUT_7E_INC_RIP (on by default): OUT 0x7e moves RIP first. */
#define PIO_PORT_7E		0x7e

static u64 linear_rip(struct mv_vcpu *vcpu)
{
	struct mv_ctrl ctrl;

	mv_backend->get_ctrl(vcpu, &ctrl);
	return ctrl.cs_base + vcpu->regs.rip;
}

static u64 size_mask(unsigned int bytes)
{
	return bytes == 8 ? ~0ULL : (1ULL << (bytes * 8)) - 1;
}

static void *pio_data(struct mv_vcpu *vcpu)
{
	return page_address(vcpu->pio_page);
}

static void pio_exit(struct mv_vcpu *vcpu, u16 port)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = vcpu->pio.in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = vcpu->pio.size;
	run->io.port = port;
	run->io.count = vcpu->pio.count;
	run->io.data_offset = KVM_PIO_PAGE_OFFSET * PAGE_SIZE;
	vcpu->completion = vcpu->pio.in ? MV_COMPLETE_PIO_IN : MV_COMPLETE_PIO_OUT;
	vcpu->stat.io_exits++;
}

/*
 * The one in-kernel hook of port I/O: the access's elements (the data in the
 * PIO page) offered to the devices on the PIO bus, as KVM's
 * emulator_pio_in_out() does. False if none takes the first element: the
 * access goes to userspace. If one stops taking them midway (its device went
 * away meanwhile), the rest are dropped, or read as 0, as on KVM.
 */
static bool pio_kernel(struct mv_vcpu *vcpu, u16 port)
{
	unsigned int i, size = vcpu->pio.size, count = vcpu->pio.count;
	u8 *data = pio_data(vcpu);
	int r;

	for (i = 0; i < count; i++, data += size) {
		if (vcpu->pio.in)
			r = mv_io_bus_read(vcpu, MV_PIO_BUS, port, size, data);
		else
			r = mv_io_bus_write(vcpu, MV_PIO_BUS, port, size, data);
		if (r) {
			if (!i)
				return false;
			if (vcpu->pio.in)
				memset(data, 0, (count - i) * size);
			break;
		}
	}
	return true;
}

/*
 * The INS/OUTS at RIP, decoded for what the exit information does not give
 * reliably everywhere (QEMU leaves SVM's address-size bits clear): address
 * size, REP, and the segment of OUTS (INS always writes ES:rDI).
 */
static int string_decode(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
			 struct mv_insn *insn)
{
	u8 buf[MV_EMU_MAX_LEN];
	int n;

	n = mv_fetch_insn(vcpu, ctrl, buf, sizeof(buf));
	if (n < 0 || mv_emu_decode(insn, buf, n,
				   mv_code_mode(ctrl, vcpu->regs.rflags)))
		return -EINVAL;
	return insn->op == (vcpu->pio.in ? MV_OP_INS : MV_OP_OUTS) ? 0 : -EINVAL;
}

/* The string operand's linear address: seg:rSI (OUTS) or ES:rDI (INS). */
static u64 string_linear(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
			 u8 seg_nr)
{
	return mv_seg_linear(vcpu, ctrl, vcpu->pio.in ? MV_SEG_ES : seg_nr,
			     vcpu->regs.gpr[vcpu->pio.in ? MV_RDI : MV_RSI] &
			     size_mask(vcpu->pio.addr_size));
}

/*
 * Reads or writes one element of a string operand, with the guest's paging,
 * after the segment checks KVM's emulator makes (mv_seg_check(); 1 with the
 * #GP or #SS queued): element i of the instruction's rSI (OUTS) or rDI
 * (INS). guest_fuzz, svm 6.1, --only prot --seed 1624098474: INS with a
 * code segment in ES, which QEMU TCG's CPU let through.
 */
static int string_access(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
			 u64 la, void *data, bool write, u8 seg_nr, unsigned int i)
{
	s64 step = (s64)i * vcpu->pio.size;
	u64 off = vcpu->regs.gpr[vcpu->pio.in ? MV_RDI : MV_RSI] +
		  (vcpu->regs.rflags & X86_EFLAGS_DF ? -step : step);
	int vector = mv_seg_check(vcpu, ctrl, vcpu->pio.in ? MV_SEG_ES : seg_nr,
				  off & size_mask(vcpu->pio.addr_size), vcpu->pio.size, write);

	if (vector) {
		mv_queue_exception(vcpu, vector, true, 0);
		return 1;
	}
	return mv_access_linear(vcpu, ctrl, la, data, vcpu->pio.size, write);
}

/*
 * done elements of a string PIO are through: move rSI/rDI and rCX along, and
 * RIP past the instruction unless it is a REP that is not done, or any REP
 * when rep_again (it is entered again, and with rCX 0 does nothing).
 */
static void string_done(struct mv_vcpu *vcpu, unsigned int done, bool rep_again)
{
	u64 mask = size_mask(vcpu->pio.addr_size);
	int reg = vcpu->pio.in ? MV_RDI : MV_RSI;
	u64 step = (u64)done * vcpu->pio.size;
	u64 *ptr = &vcpu->regs.gpr[reg];
	u64 *rcx = &vcpu->regs.gpr[MV_RCX];
	u64 v;

	v = vcpu->regs.rflags & X86_EFLAGS_DF ? *ptr - step : *ptr + step;
	*ptr = (*ptr & ~mask) | (v & mask);
	if (vcpu->pio.rep)
		*rcx = (*rcx & ~mask) | ((*rcx - done) & mask);
	if (!vcpu->pio.rep || (!rep_again && !(*rcx & mask)))
		mv_skip_insn(vcpu);
}

int mv_handle_io(struct mv_vcpu *vcpu)
{
	const typeof(vcpu->exit.io) *io = &vcpu->exit.io;
	struct mv_ctrl ctrl;
	struct mv_insn insn;
	u64 rcx, la;
	int r;

	vcpu->pio.size = io->size;
	vcpu->pio.in = io->in;
	vcpu->pio.string = io->string;
	vcpu->pio.rep = false;
	vcpu->pio.count = 1;

	if (!io->string) {
		if (!io->in)
			memcpy(pio_data(vcpu), &vcpu->regs.gpr[MV_RAX], io->size);
		vcpu->pio.linear_rip = linear_rip(vcpu);
		goto out;
	}

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (string_decode(vcpu, &ctrl, &insn))
		return mv_emulation_failure(vcpu);
	vcpu->pio.addr_size = insn.addr_size;
	vcpu->pio.rep = insn.rep != MV_REP_NONE;
	rcx = vcpu->regs.gpr[MV_RCX] & size_mask(insn.addr_size);
	if (vcpu->pio.rep && !rcx)
		return mv_skip_insn(vcpu) ? mv_emulation_failure(vcpu) : 1;
	la = string_linear(vcpu, &ctrl, insn.seg);

	if (io->in) {
		unsigned int in_page = vcpu->regs.rflags & X86_EFLAGS_DF ?
				       offset_in_page(vcpu->regs.gpr[MV_RDI]) :
				       PAGE_SIZE - offset_in_page(vcpu->regs.gpr[MV_RDI]);
		u64 n = vcpu->pio.rep ? rcx : 1;

		n = min3(n, (u64)in_page, (u64)(PIO_BATCH_BYTES / io->size));
		vcpu->pio.count = n ? n : 1;
		vcpu->pio.la = la;
	} else {
		r = string_access(vcpu, &ctrl, la, pio_data(vcpu), false, insn.seg, 0);
		if (r)
			return r > 0 ? 1 : mv_emulation_failure(vcpu);
	}

out:
	/* A device took it: done as if userspace had answered at once. */
	if (pio_kernel(vcpu, io->port))
		return mv_complete_pio(vcpu);

	pio_exit(vcpu, io->port);
	if (io->string && !io->in) {
		/* OUTS: the element is out, nothing is left to do. */
		string_done(vcpu, 1, true);
		vcpu->completion = MV_COMPLETE_NONE;
	} else if (!io->string && !io->in && io->port == PIO_PORT_7E) {
		vcpu->completion = MV_COMPLETE_NONE;
		if (mv_skip_insn(vcpu))
			return mv_emulation_failure(vcpu);
	}
	return 0;
}

int mv_complete_pio(struct mv_vcpu *vcpu)
{
	struct mv_ctrl ctrl;
	unsigned int i;
	int r;

	if (!vcpu->pio.string) {
		/*
		 * KVM's complete_fast_pio_in/out(): if userspace moved RIP
		 * meanwhile (KVM_SET_REGS), the instruction is not completed.
		 */
		if (linear_rip(vcpu) != vcpu->pio.linear_rip)
			return 1;
		if (vcpu->pio.in) {
			u64 val = 0, *rax = &vcpu->regs.gpr[MV_RAX];

			memcpy(&val, pio_data(vcpu), vcpu->pio.size);
			/* IN EAX zero-extends, as every 32-bit write (KVM: kvm_rax_write). */
			if (vcpu->pio.size == 4)
				*rax = val;
			else
				*rax = (*rax & ~size_mask(vcpu->pio.size)) | val;
		}
		return mv_skip_insn(vcpu) ? mv_emulation_failure(vcpu) : 1;
	}

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (vcpu->pio.in && vcpu->pio.rep) {
		/*
		 * KVM's pio_in_emulated(), entered again for the completion:
		 * the batch is sized anew from rCX as it is now (userspace may
		 * have changed it: KVM_SET_REGS), the elements taken from the
		 * data page; with rCX 0, the REP is over and the data unused.
		 */
		u64 rcx = vcpu->regs.gpr[MV_RCX] & size_mask(vcpu->pio.addr_size);
		unsigned int in_page = vcpu->regs.rflags & X86_EFLAGS_DF ?
				       offset_in_page(vcpu->regs.gpr[MV_RDI]) :
				       PAGE_SIZE - offset_in_page(vcpu->regs.gpr[MV_RDI]);
		u64 n = min3(rcx, (u64)in_page, (u64)(PIO_BATCH_BYTES / vcpu->pio.size));

		if (!rcx)
			return mv_skip_insn(vcpu) ? mv_emulation_failure(vcpu) : 1;
		vcpu->pio.count = n ? n : 1;
	}
	if (vcpu->pio.in) {
		for (i = 0; i < vcpu->pio.count; i++) {
			s64 off = (s64)i * vcpu->pio.size;
			u64 la = vcpu->pio.la + (vcpu->regs.rflags & X86_EFLAGS_DF ?
						 -off : off);

			r = string_access(vcpu, &ctrl, la,
					  pio_data(vcpu) + i * vcpu->pio.size, true,
					  MV_SEG_ES, i);
			if (r) {
				/* A fault at element i: the i before are done, RIP stays. */
				if (i)
					string_done(vcpu, i, true);
				return r > 0 ? 1 : mv_emulation_failure(vcpu);
			}
		}
	}
	string_done(vcpu, vcpu->pio.count, false);
	return 1;
}
