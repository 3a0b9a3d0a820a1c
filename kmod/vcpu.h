/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef MINIVIRT_VCPU_H
#define MINIVIRT_VCPU_H

#include <linux/kvm.h>
#include <linux/mutex.h>
#include <linux/rcuwait.h>
#include <linux/signal.h>
#include <linux/types.h>
#include <asm/fpu/api.h>
#include <asm/irq_vectors.h>

#include "debug.h"
#include "emulate.h"
#include "exit.h"
#include "mce.h"
#include "mtrr.h"
#include "kvmclock.h"
#include "mmu/shadow.h"
#include "mmu/tdp.h"

struct mv_lapic;
struct mv_vm;

/* General-purpose registers, in x86 encoding order. */
enum mv_gpr {
	MV_RAX, MV_RCX, MV_RDX, MV_RBX, MV_RSP, MV_RBP, MV_RSI, MV_RDI,
	MV_R8, MV_R9, MV_R10, MV_R11, MV_R12, MV_R13, MV_R14, MV_R15,
	MV_NR_GPRS
};

/* Requests to a vCPU, acted on with IRQs off right before it enters. */
enum mv_request {
	MV_REQ_TLB_FLUSH,
	MV_REQ_MMU_RELOAD,	/* shadow paging: load the root again */
	MV_REQ_CLOCK_UPDATE,	/* rewrite the guest's pvclock (kvmclock.c) */
	MV_REQ_EVENT,		/* look at the in-kernel irqchip again */
	MV_REQ_IOAPIC_EOI_EXIT,	/* split irqchip: KVM_EXIT_IOAPIC_EOI */
};

/* Debug register bits (SDM vol 3B 18.2.3, 18.2.4), as KVM keeps them. */
#define MV_DR6_ACTIVE_LOW		0xffff0ff0ULL
#define MV_DR6_VOLATILE		0x0001e80fULL
#define MV_DR6_FIXED_1		(MV_DR6_ACTIVE_LOW & ~MV_DR6_VOLATILE)
#define MV_DR6_BUS_LOCK		BIT_ULL(11)
#define MV_DR6_RTM		BIT_ULL(16)
#define MV_DR7_VOLATILE		0xffff2bffULL
#define MV_DR7_FIXED_1		0x00000400ULL
#define MV_DR7_BP_ENABLES	0xffULL		/* L0-3, G0-3 */

enum mv_vcpu_mode {
	MV_OUTSIDE_GUEST,
	MV_IN_GUEST,
};

/* Control state the core reads to walk guest page tables and decode. */
struct mv_ctrl {
	u64 cr0, cr3, cr4, efer;
	u64 cs_base;
	bool cs_l, cs_db;
	u8 cpl;
};

/* An event on its way into the guest (KVM's queued exception/interrupt). */
struct mv_event {
	bool pending;	/* queued, not yet given to the hardware */
	bool injected;	/* given to the hardware, delivery not yet complete */
	u8 vector;
	bool has_error_code;
	u32 error_code;
	u64 payload;	/* #PF: the faulting address, for CR2 */
	/*
	 * #BP/#OF as the trap of INT3/INTO: the length of that instruction,
	 * whose end is the return address (SDM vol 3A 6.5 "trap"); 0 for a
	 * fault-like delivery at RIP.
	 */
	u8 insn_len;
};

/* What the vCPU waits for from userspace before it may go on. */
enum mv_completion {
	MV_COMPLETE_NONE,
	MV_COMPLETE_PIO_IN,	/* IN/INS: data in the PIO page */
	MV_COMPLETE_PIO_OUT,	/* OUT/OUTS: skip the instruction */
	MV_COMPLETE_MMIO,	/* an emulated access: finish the instruction */
};

/* A string move's element out to userspace (mmio_string.c). */
enum mv_str_phase {
	MV_STR_NONE,		/* not a string move */
	MV_STR_READ,		/* MOVS read its source from MMIO */
	MV_STR_WRITE,		/* the element is done, its write is out */
};

struct mv_vcpu {
	struct mv_vm *vm;
	unsigned int id;
	struct mutex mutex;		/* every vCPU ioctl (lock column VCPU) */
	struct kvm_run *run;
	struct page *run_page, *pio_page;

	/*
	 * Guest GPRs, RIP, RFLAGS (the emulator's register file); the backend
	 * syncs RAX/RSP/RIP/RFLAGS with the hardware around each entry.
	 */
	struct mv_emu_regs regs;

	/* Where it runs; mode and requests order against remote kicks. */
	int cpu;
	int mode;
	unsigned long requests;
	struct rcuwait wait;		/* a halted vCPU sleeps here */
	struct mv_lapic *lapic;		/* with an in-kernel irqchip (irq/lapic.c) */

	struct mv_exit exit;
	enum mv_completion completion;
	struct {
		u32 count;		/* elements in the PIO page */
		u8 size;
		bool in, string, rep;
		u8 addr_size;
		u64 la;			/* INS: where the first element goes */
		u64 linear_rip;		/* of the IN/OUT: completion only there */
	} pio;
	struct {
		struct mv_insn insn;
		struct mv_emu_access access;
		u64 gpa;
		u64 rip;		/* of the instruction, as decoded */
		u64 la;			/* of its operand; MV_MMIO_NO_LA if none */
		bool finished;		/* registers done; a write-back is out */
		u8 offset;		/* bytes of the access already exited */
		u8 str_phase;		/* MOVS/STOS: enum mv_str_phase */
	} mmio;

	/* Events (KVM_INTERRUPT, KVM_NMI, exceptions the core raises). */
	struct mv_event exception;
	bool triple_fault;		/* shut down instead of entering */
	struct mv_event interrupt;
	int ext_vector;			/* split irqchip: KVM_INTERRUPT's ExtINT, or -1 */
	u8 ioapic_eoi_vector;		/* for KVM_EXIT_IOAPIC_EOI */
	unsigned int nmi_pending;
	bool nmi_injected;
	bool nmi_masked;

	/* Guest CPUID table (KVM_SET_CPUID2). */
	struct kvm_cpuid_entry2 *cpuid;
	unsigned int cpuid_nent;
	bool cpuid_set;			/* KVM_SET_CPUID2 succeeded once */
	/* It offers RDTSCP / RDPID: the backend gates them (intercepts.c). */
	bool cpuid_rdtscp, cpuid_rdpid;
	/* The guest's MSR_TSC_AUX, which the backend switches around entries. */
	u64 tsc_aux;

	/* Core-owned architectural state. */
	struct fpu_guest fpu;
	u64 xcr0;
	bool xcr0_loaded;		/* the guest's XCR0 is in the CPU */
	/* PKRU, outside the fpstate as in KVM: the guest's and the host's */
	u32 pkru, host_pkru;
	bool pkru_loaded;		/* switched at the last entry */
	/*
	 * Set at each KVM_RUN: userspace may have changed the host state a
	 * backend saves once and reuses across entries (FS base, LDT...).
	 */
	bool host_state_stale;
	u64 apic_base;
	u64 misc_enable;
	u64 hwcr;			/* AMD's MSR_K7_HWCR, as KVM keeps it */
	u64 platform_info;		/* MSR_PLATFORM_INFO (cpuid_fault.c) */
	u64 misc_features;		/* MSR_MISC_FEATURES_ENABLES */
	u64 ucode_rev;			/* IA32_UCODE_REV, as userspace set it */
	struct mv_mtrr mtrr;
	struct mv_mce mce;
	u64 cr8;
	u32 mp_state;
	/*
	 * Guest debug registers, the core's (every guest DR access exits). The
	 * hardware runs with mv_hw_dr7() (the backend puts it in the VMCB/
	 * VMCS) and mv_hw_db() (loaded around the entry while that enables a
	 * breakpoint): these, or the debugger's (KVM_GUESTDBG_USE_HW_BP).
	 */
	u64 dr[4], dr6, dr7;
	struct mv_guest_debug guest_debug;	/* KVM_SET_GUEST_DEBUG */

	bool has_run;			/* KVM_RUN was called: CPUID is fixed */

	struct mv_vcpu_clock clock;	/* TSC and kvmclock (kvmclock.c) */

	/* Signal mask while in KVM_RUN (KVM_SET_SIGNAL_MASK). */
	bool sigset_active;
	sigset_t sigset;

	struct mv_tdp_cache tdp_cache;
	struct mv_shadow_vcpu shadow;

	struct {
		u64 exits, io_exits, mmio_exits, irq_window_exits,
		    signal_exits, halt_exits;
	} stat;
};

int mv_vcpu_create(struct mv_vm *vm, unsigned long id);
void mv_vcpu_destroy(struct mv_vcpu *vcpu);

/* Kicks the vCPU out of guest mode (no-op if it is not in it). */
void mv_vcpu_kick(struct mv_vcpu *vcpu);
/*
 * An event arrived for the vCPU (an interrupt in its LAPIC, the PIC's
 * output): MV_REQ_EVENT, then wakes it if it sleeps halted or makes it
 * leave guest mode if it runs. Any context, IRQs may be off; no waiting.
 */
void mv_vcpu_wake(struct mv_vcpu *vcpu);
void mv_vcpu_request(struct mv_vcpu *vcpu, enum mv_request req);

/* The KVM_RUN loop (run.c). */
int mv_vcpu_run(struct mv_vcpu *vcpu);

/* Guest-visible faults the core raises. */
void mv_queue_exception(struct mv_vcpu *vcpu, u8 vector, bool has_error_code,
			u32 error_code);
void mv_queue_page_fault(struct mv_vcpu *vcpu, u64 address, u32 error_code);


#endif /* MINIVIRT_VCPU_H */
