/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Virtual Machine Control Block, as APM vol 2 Appendix B "Layout of VMCB"
 * defines it (publication 24593 rev 3.41), with the exit codes of Appendix C
 * "SVM Intercept Exit Codes". Our own definitions, so that the backend reads
 * the same on every kernel it builds against; layout asserted at build time.
 */
#ifndef MINIVIRT_SVM_VMCB_H
#define MINIVIRT_SVM_VMCB_H

#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Control area word 3 (offset 0x0c): intercept bits. */
#define SVM_INTERCEPT_INTR		BIT(0)
#define SVM_INTERCEPT_NMI		BIT(1)
#define SVM_INTERCEPT_SMI		BIT(2)
#define SVM_INTERCEPT_INIT		BIT(3)
#define SVM_INTERCEPT_VINTR		BIT(4)
#define SVM_INTERCEPT_RDPMC		BIT(15)
#define SVM_INTERCEPT_CPUID		BIT(18)
#define SVM_INTERCEPT_IRET		BIT(20)
#define SVM_INTERCEPT_INVD		BIT(22)
#define SVM_INTERCEPT_HLT		BIT(24)
#define SVM_INTERCEPT_INVLPG		BIT(25)
#define SVM_INTERCEPT_INVLPGA		BIT(26)
#define SVM_INTERCEPT_IOIO		BIT(27)
#define SVM_INTERCEPT_MSR		BIT(28)
#define SVM_INTERCEPT_TASK_SWITCH	BIT(29)
#define SVM_INTERCEPT_FERR_FREEZE	BIT(30)
#define SVM_INTERCEPT_SHUTDOWN		BIT(31)

/* Control area word 4 (offset 0x10). */
#define SVM_INTERCEPT_VMRUN		BIT(0)
#define SVM_INTERCEPT_VMMCALL		BIT(1)
#define SVM_INTERCEPT_VMLOAD		BIT(2)
#define SVM_INTERCEPT_VMSAVE		BIT(3)
#define SVM_INTERCEPT_STGI		BIT(4)
#define SVM_INTERCEPT_CLGI		BIT(5)
#define SVM_INTERCEPT_SKINIT		BIT(6)
#define SVM_INTERCEPT_RDTSCP		BIT(7)
#define SVM_INTERCEPT_WBINVD		BIT(9)
#define SVM_INTERCEPT_MONITOR		BIT(10)
#define SVM_INTERCEPT_MWAIT		BIT(11)
#define SVM_INTERCEPT_MWAIT_COND	BIT(12)
#define SVM_INTERCEPT_XSETBV		BIT(13)
#define SVM_INTERCEPT_RDPRU		BIT(14)

/* Control area word 5 (offset 0x14). */
#define SVM_INTERCEPT_INVPCID		BIT(2)

/* Offset 0x000: CRn reads are bits 15:0, writes 31:16. */
#define SVM_INTERCEPT_CR_READ(n)	BIT(n)
#define SVM_INTERCEPT_CR_WRITE(n)	BIT(16 + (n))

/* TLB_CONTROL (offset 0x5c). */
#define SVM_TLB_FLUSH_NOTHING		0
#define SVM_TLB_FLUSH_ALL		1

/* Offset 0x60: virtual interrupt control. */
#define SVM_V_TPR_MASK			0xffULL
#define SVM_V_IRQ			BIT_ULL(8)
#define SVM_V_INTR_PRIO_SHIFT		16
#define SVM_V_IGN_TPR			BIT_ULL(20)
#define SVM_V_INTR_MASKING		BIT_ULL(24)

/* Offset 0x68: interrupt shadow. */
#define SVM_INTERRUPT_SHADOW		BIT_ULL(0)

/* Offset 0x90. */
#define SVM_NP_ENABLE			BIT_ULL(0)

/* EVENTINJ (0xa8) and EXITINTINFO (0x88): APM vol 2 15.20 "Event Injection". */
#define SVM_EVTINJ_VEC_MASK		0xff
#define SVM_EVTINJ_TYPE_SHIFT		8
#define SVM_EVTINJ_TYPE_MASK		(7 << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_INTR		(0 << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_NMI		(2 << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_EXEPT		(3 << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_TYPE_SOFT		(4 << SVM_EVTINJ_TYPE_SHIFT)
#define SVM_EVTINJ_VALID_ERR		BIT(11)
#define SVM_EVTINJ_VALID		BIT(31)

/* EXITINFO1 of IOIO (APM vol 2 15.10.2 "IN and OUT Behavior"). */
#define SVM_IOIO_TYPE_IN		BIT(0)
#define SVM_IOIO_STR			BIT(2)
#define SVM_IOIO_REP			BIT(3)
#define SVM_IOIO_SIZE_SHIFT		4
#define SVM_IOIO_SIZE_MASK		(7 << SVM_IOIO_SIZE_SHIFT)
#define SVM_IOIO_ASIZE_SHIFT		7
#define SVM_IOIO_ASIZE_MASK		(7 << SVM_IOIO_ASIZE_SHIFT)
#define SVM_IOIO_SEG_SHIFT		10
#define SVM_IOIO_PORT_SHIFT		16

/* EXITINFO1 of #NPF (APM vol 2 15.25.6 "Nested versus Guest Page Faults"). */
#define SVM_NPF_PRESENT			BIT_ULL(0)
#define SVM_NPF_WRITE			BIT_ULL(1)
#define SVM_NPF_USER			BIT_ULL(2)
#define SVM_NPF_RSVD			BIT_ULL(3)
#define SVM_NPF_FETCH			BIT_ULL(4)
#define SVM_NPF_GUEST_FINAL		BIT_ULL(32)
#define SVM_NPF_GUEST_TABLE		BIT_ULL(33)

/* Exit codes (APM vol 2 Appendix C). */
#define SVM_EXIT_READ_CR0		0x000
#define SVM_EXIT_WRITE_CR0		0x010
#define SVM_EXIT_READ_DR0		0x020
#define SVM_EXIT_WRITE_DR0		0x030
#define SVM_EXIT_EXCP_BASE		0x040
#define SVM_EXIT_INTR			0x060
#define SVM_EXIT_NMI			0x061
#define SVM_EXIT_SMI			0x062
#define SVM_EXIT_INIT			0x063
#define SVM_EXIT_VINTR			0x064
#define SVM_EXIT_RDPMC			0x06f
#define SVM_EXIT_CPUID			0x072
#define SVM_EXIT_IRET			0x074
#define SVM_EXIT_INVD			0x076
#define SVM_EXIT_HLT			0x078
#define SVM_EXIT_INVLPG			0x079
#define SVM_EXIT_INVLPGA		0x07a
#define SVM_EXIT_IOIO			0x07b
#define SVM_EXIT_MSR			0x07c
#define SVM_EXIT_TASK_SWITCH		0x07d
#define SVM_EXIT_FERR_FREEZE		0x07e
#define SVM_EXIT_SHUTDOWN		0x07f
#define SVM_EXIT_VMRUN			0x080
#define SVM_EXIT_VMMCALL		0x081
#define SVM_EXIT_VMLOAD			0x082
#define SVM_EXIT_VMSAVE			0x083
#define SVM_EXIT_STGI			0x084
#define SVM_EXIT_CLGI			0x085
#define SVM_EXIT_SKINIT			0x086
#define SVM_EXIT_RDTSCP			0x087
#define SVM_EXIT_WBINVD			0x089
#define SVM_EXIT_MONITOR		0x08a
#define SVM_EXIT_MWAIT			0x08b
#define SVM_EXIT_MWAIT_COND		0x08c
#define SVM_EXIT_XSETBV			0x08d
#define SVM_EXIT_RDPRU			0x08e
#define SVM_EXIT_INVPCID		0x0a2
#define SVM_EXIT_NPF			0x400
#define SVM_EXIT_MAX			SVM_EXIT_NPF
/*
 * VMRUN's consistency checks failed: -1. The core works on the low 32 bits of
 * EXITCODE, as KVM does (QEMU stores this one as 0xffffffff).
 */
#define SVM_EXIT_INVALID		0xffffffffU

struct vmcb_control {
	u32 intercept_cr;		/* 0x000: reads 15:0, writes 31:16 */
	u32 intercept_dr;		/* 0x004 */
	u32 intercept_exceptions;	/* 0x008 */
	u32 intercept_misc1;		/* 0x00c */
	u32 intercept_misc2;		/* 0x010 */
	u32 intercept_misc3;		/* 0x014 */
	u8 reserved_018[0x3c - 0x18];
	u16 pause_filter_thresh;	/* 0x03c */
	u16 pause_filter_count;		/* 0x03e */
	u64 iopm_base_pa;		/* 0x040 */
	u64 msrpm_base_pa;		/* 0x048 */
	u64 tsc_offset;			/* 0x050 */
	u32 asid;			/* 0x058 */
	u8 tlb_control;			/* 0x05c */
	u8 reserved_05d[3];
	u64 int_ctl;			/* 0x060 */
	u64 int_state;			/* 0x068 */
	u64 exit_code;			/* 0x070 */
	u64 exit_info_1;		/* 0x078 */
	u64 exit_info_2;		/* 0x080 */
	u64 exit_int_info;		/* 0x088 */
	u64 nested_ctl;			/* 0x090 */
	u64 avic_apic_bar;		/* 0x098 */
	u64 ghcb_gpa;			/* 0x0a0 */
	u64 event_inj;			/* 0x0a8 */
	u64 nested_cr3;			/* 0x0b0 */
	u64 virt_ext;			/* 0x0b8 */
	u32 clean;			/* 0x0c0 */
	u32 reserved_0c4;
	u64 next_rip;			/* 0x0c8 */
	u8 insn_len;			/* 0x0d0 */
	u8 insn_bytes[15];		/* 0x0d1 */
	u8 reserved_0e0[0x400 - 0xe0];
} __packed;

struct vmcb_seg {
	u16 selector;
	u16 attrib;	/* descriptor bits 40-47 and 52-55, packed: 7:0, 11:8 */
	u32 limit;
	u64 base;
} __packed;

struct vmcb_save {
	struct vmcb_seg es, cs, ss, ds, fs, gs;	/* 0x000 */
	struct vmcb_seg gdtr, ldtr, idtr, tr;	/* 0x060 */
	u8 reserved_0a0[0xcb - 0xa0];
	u8 cpl;					/* 0x0cb */
	u32 reserved_0cc;
	u64 efer;				/* 0x0d0 */
	u8 reserved_0d8[0x148 - 0xd8];
	u64 cr4;				/* 0x148 */
	u64 cr3;				/* 0x150 */
	u64 cr0;				/* 0x158 */
	u64 dr7;				/* 0x160 */
	u64 dr6;				/* 0x168 */
	u64 rflags;				/* 0x170 */
	u64 rip;				/* 0x178 */
	u8 reserved_180[0x1d8 - 0x180];
	u64 rsp;				/* 0x1d8 */
	u8 reserved_1e0[0x1f8 - 0x1e0];
	u64 rax;				/* 0x1f8 */
	u64 star;				/* 0x200 */
	u64 lstar;				/* 0x208 */
	u64 cstar;				/* 0x210 */
	u64 sfmask;				/* 0x218 */
	u64 kernel_gs_base;			/* 0x220 */
	u64 sysenter_cs;			/* 0x228 */
	u64 sysenter_esp;			/* 0x230 */
	u64 sysenter_eip;			/* 0x238 */
	u64 cr2;				/* 0x240 */
	u8 reserved_248[0x268 - 0x248];
	u64 g_pat;				/* 0x268 */
	u64 dbgctl;				/* 0x270 */
} __packed;

struct vmcb {
	struct vmcb_control control;		/* 0x000 */
	struct vmcb_save save;			/* 0x400 */
} __packed;

/* Segment attributes in VMCB form (APM vol 2 15.5.1). */
#define VMCB_ATTR_TYPE_MASK	0x000f
#define VMCB_ATTR_S		0x0010
#define VMCB_ATTR_DPL_SHIFT	5
#define VMCB_ATTR_P		0x0080
#define VMCB_ATTR_AVL		0x0100
#define VMCB_ATTR_L		0x0200
#define VMCB_ATTR_DB		0x0400
#define VMCB_ATTR_G		0x0800

static inline void vmcb_layout_checks(void)
{
	BUILD_BUG_ON(sizeof(struct vmcb_control) != 0x400);
	BUILD_BUG_ON(offsetof(struct vmcb_control, exit_code) != 0x70);
	BUILD_BUG_ON(offsetof(struct vmcb_control, event_inj) != 0xa8);
	BUILD_BUG_ON(offsetof(struct vmcb_control, next_rip) != 0xc8);
	BUILD_BUG_ON(offsetof(struct vmcb_control, insn_bytes) != 0xd1);
	BUILD_BUG_ON(offsetof(struct vmcb, save) != 0x400);
	BUILD_BUG_ON(offsetof(struct vmcb_save, cpl) != 0xcb);
	BUILD_BUG_ON(offsetof(struct vmcb_save, efer) != 0xd0);
	BUILD_BUG_ON(offsetof(struct vmcb_save, cr4) != 0x148);
	BUILD_BUG_ON(offsetof(struct vmcb_save, rip) != 0x178);
	BUILD_BUG_ON(offsetof(struct vmcb_save, rsp) != 0x1d8);
	BUILD_BUG_ON(offsetof(struct vmcb_save, rax) != 0x1f8);
	BUILD_BUG_ON(offsetof(struct vmcb_save, cr2) != 0x240);
	BUILD_BUG_ON(offsetof(struct vmcb_save, g_pat) != 0x268);
}

#endif /* MINIVIRT_SVM_VMCB_H */
