/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The vendor-neutral exit record: a backend decodes each hardware exit into
 * one of these (NVMM's nvmm_x86_exit, bhyve's vm_exit); the core's policy
 * (exit.c) acts on it the same way for both vendors.
 */
#ifndef MINIVIRT_EXIT_H
#define MINIVIRT_EXIT_H

#include <linux/types.h>

enum mv_exit_type {
	MV_EXIT_NONE,		/* handled by the backend (host IRQ, NMI...) */
	MV_EXIT_IO,		/* IN/OUT/INS/OUTS */
	MV_EXIT_GPA_FAULT,	/* nested page fault / EPT violation */
	MV_EXIT_HLT,
	MV_EXIT_CPUID,
	MV_EXIT_RDMSR,
	MV_EXIT_WRMSR,
	MV_EXIT_HYPERCALL,	/* VMMCALL / VMCALL */
	MV_EXIT_XSETBV,
	MV_EXIT_IRQ_WINDOW,	/* the guest can take an interrupt now */
	MV_EXIT_NOP,		/* an instruction to skip (INVD, WBINVD) */
	MV_EXIT_MONITOR_MWAIT,	/* skipped, or #UD (KVM's quirk off) */
	MV_EXIT_RDPMC,
	MV_EXIT_DR_ACCESS,	/* MOV to or from a debug register */
	MV_EXIT_CR_ACCESS,	/* MOV to CR8; shadow paging: MOV CR0/3/4, LMSW, CLTS, SMSW */
	MV_EXIT_TPR_LOWERED,	/* a MOV to CR8 that lowered the TPR, already done */
	MV_EXIT_PAGE_FAULT,	/* shadow paging: a #PF in the guest */
	MV_EXIT_UD,		/* an instruction the guest may not use: #UD */
	MV_EXIT_UD_FAULT,	/* #UD intercepted: the other vendor's hypercall? */
	MV_EXIT_DB,		/* #DB intercepted (debug.c) */
	MV_EXIT_BP,		/* #BP intercepted: the debugger's INT3 */
	MV_EXIT_SHUTDOWN,	/* triple fault */
	MV_EXIT_FAIL_ENTRY,	/* the hardware refused the guest state */
	MV_EXIT_UNEXPECTED,	/* an exit the backend does not expect */
};

/* Instruction lengths the core may use: known, or to be fetched and checked. */
#define MV_INSN_LEN_UNKNOWN	0

/* The opcode an exit implies, when the hardware gives no length (SVM w/o NRIPS). */
struct mv_opcode {
	u8 len;
	u8 bytes[3];
	u8 last_free;	/* bits of the last byte that may differ */
};

struct mv_exit {
	enum mv_exit_type type;
	u64 hw_reason;		/* the vendor's exit code, for reports */
	/* Length of the exiting instruction, if the hardware said (NRIPS...). */
	u8 insn_len;
	const struct mv_opcode *opcode;	/* for MV_EXIT_NOP, _MONITOR_MWAIT */
	union {
		struct {
			u16 port;
			u8 size;	/* 1, 2, 4 */
			bool in;
			bool string;	/* INS/OUTS: the core decodes the rest */
		} io;
		struct {
			u64 gpa;
			bool write;
			bool fetch;
			bool present;	/* a permission fault, not a missing entry */
		} gpa_fault;
		struct {
			u8 nr;
			bool write;
		} dr;
		struct {
			u64 address;
			u32 error_code;
		} page_fault;
		struct {
			/* DR6 bits that are set: B0-3, BD, BS (VMX's exit qualification) */
			u64 payload;
			bool icebp;	/* VMX: INT1, not run yet (insn_len is its length) */
		} db;
		struct {
			u64 info[2];	/* vendor details for KVM_EXIT_INTERNAL_ERROR */
		} unexpected;
	};
};

#endif /* MINIVIRT_EXIT_H */
