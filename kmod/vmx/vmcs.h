/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Virtual-Machine Control Structure as the Intel SDM defines it: field
 * encodings (SDM vol 3D appendix B "Field Encoding in VMCS"), control bits
 * (SDM vol 3C 25.6-25.8), exit reasons (SDM vol 3D appendix C "VMX Basic Exit
 * Reasons"), exit qualifications (SDM vol 3C 28.2.1 "Basic VM-Exit
 * Information"), and the EPT formats (SDM vol 3C 29.3 "The Extended Page
 * Table Mechanism (EPT)"). Intel 64 and IA-32 Architectures Software
 * Developer's Manual, order number 325462-080US, June 2023; section numbers
 * are that revision's.
 *
 * Our own names (VMCS_*, VMX_*), so that the backend reads the same on every
 * kernel it builds against and never meets <asm/vmx.h>'s. Encodings carry
 * their width in bits 14:13 (appendix B.1-B.4): the accessors in vmx.h check
 * it at build time.
 */
#ifndef MINIVIRT_VMX_VMCS_H
#define MINIVIRT_VMX_VMCS_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/stddef.h>
#include <linux/types.h>

/* Appendix B: bits 14:13 of an encoding give the field's width. */
#define VMCS_WIDTH(f)			(((f) >> 13) & 3)
#define VMCS_WIDTH_16			0
#define VMCS_WIDTH_64			1
#define VMCS_WIDTH_32			2
#define VMCS_WIDTH_NATURAL		3

/* B.1.1-B.1.3: 16-bit fields. */
#define VMCS_VPID			0x0000
#define VMCS_GUEST_ES_SEL		0x0800	/* +2 per segment: ES CS SS DS FS GS LDTR TR */
#define VMCS_GUEST_CS_SEL		0x0802
#define VMCS_GUEST_SS_SEL		0x0804
#define VMCS_GUEST_DS_SEL		0x0806
#define VMCS_GUEST_FS_SEL		0x0808
#define VMCS_GUEST_GS_SEL		0x080a
#define VMCS_GUEST_LDTR_SEL		0x080c
#define VMCS_GUEST_TR_SEL		0x080e
#define VMCS_HOST_ES_SEL		0x0c00
#define VMCS_HOST_CS_SEL		0x0c02
#define VMCS_HOST_SS_SEL		0x0c04
#define VMCS_HOST_DS_SEL		0x0c06
#define VMCS_HOST_FS_SEL		0x0c08
#define VMCS_HOST_GS_SEL		0x0c0a
#define VMCS_HOST_TR_SEL		0x0c0c

/* B.2.1-B.2.4: 64-bit fields (the full encodings; +1 is the high half). */
#define VMCS_IO_BITMAP_A		0x2000
#define VMCS_IO_BITMAP_B		0x2002
#define VMCS_MSR_BITMAP			0x2004
#define VMCS_EXIT_MSR_STORE_ADDR	0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR		0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR	0x200a
#define VMCS_TSC_OFFSET			0x2010
#define VMCS_VIRTUAL_APIC_ADDR		0x2012
#define VMCS_EPT_POINTER		0x201a
#define VMCS_GUEST_PHYSICAL_ADDR	0x2400	/* read-only */
#define VMCS_LINK_POINTER		0x2800
#define VMCS_GUEST_DEBUGCTL		0x2802
#define VMCS_GUEST_PAT			0x2804
#define VMCS_GUEST_EFER			0x2806
#define VMCS_GUEST_PDPTE0		0x280a	/* +2 per PDPTE */
#define VMCS_HOST_PAT			0x2c00
#define VMCS_HOST_EFER			0x2c02

/* B.3.1-B.3.4: 32-bit fields. */
#define VMCS_PIN_CONTROLS		0x4000
#define VMCS_PROC_CONTROLS		0x4002
#define VMCS_EXCEPTION_BITMAP		0x4004
#define VMCS_PF_ERROR_MASK		0x4006
#define VMCS_PF_ERROR_MATCH		0x4008
#define VMCS_CR3_TARGET_COUNT		0x400a
#define VMCS_EXIT_CONTROLS		0x400c
#define VMCS_EXIT_MSR_STORE_COUNT	0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT	0x4010
#define VMCS_ENTRY_CONTROLS		0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT	0x4014
#define VMCS_ENTRY_INTR_INFO		0x4016
#define VMCS_ENTRY_EXCEPTION_ERROR	0x4018
#define VMCS_ENTRY_INSN_LEN		0x401a
#define VMCS_TPR_THRESHOLD		0x401c
#define VMCS_PROC2_CONTROLS		0x401e
#define VMCS_PLE_GAP			0x4020
#define VMCS_PLE_WINDOW			0x4022
#define VMCS_INSN_ERROR			0x4400	/* read-only from here to 0x440e */
#define VMCS_EXIT_REASON		0x4402
#define VMCS_EXIT_INTR_INFO		0x4404
#define VMCS_EXIT_INTR_ERROR		0x4406
#define VMCS_IDT_VECTORING_INFO		0x4408
#define VMCS_IDT_VECTORING_ERROR	0x440a
#define VMCS_EXIT_INSN_LEN		0x440c
#define VMCS_GUEST_ES_LIMIT		0x4800	/* +2 per segment, then GDTR, IDTR */
#define VMCS_GUEST_GDTR_LIMIT		0x4810
#define VMCS_GUEST_IDTR_LIMIT		0x4812
#define VMCS_GUEST_ES_AR		0x4814	/* +2 per segment */
#define VMCS_GUEST_INTERRUPTIBILITY	0x4824
#define VMCS_GUEST_ACTIVITY		0x4826
#define VMCS_GUEST_SYSENTER_CS		0x482a
#define VMCS_HOST_SYSENTER_CS		0x4c00

/* B.4.1-B.4.4: natural-width fields. */
#define VMCS_CR0_MASK			0x6000
#define VMCS_CR4_MASK			0x6002
#define VMCS_CR0_SHADOW			0x6004
#define VMCS_CR4_SHADOW			0x6006
#define VMCS_EXIT_QUALIFICATION		0x6400	/* read-only */
#define VMCS_GUEST_CR0			0x6800
#define VMCS_GUEST_CR3			0x6802
#define VMCS_GUEST_CR4			0x6804
#define VMCS_GUEST_ES_BASE		0x6806	/* +2 per segment, then GDTR, IDTR */
#define VMCS_GUEST_FS_BASE		0x680e
#define VMCS_GUEST_GS_BASE		0x6810
#define VMCS_GUEST_GDTR_BASE		0x6816
#define VMCS_GUEST_IDTR_BASE		0x6818
#define VMCS_GUEST_DR7			0x681a
#define VMCS_GUEST_RSP			0x681c
#define VMCS_GUEST_RIP			0x681e
#define VMCS_GUEST_RFLAGS		0x6820
#define VMCS_GUEST_PENDING_DBG		0x6822
#define VMCS_GUEST_SYSENTER_ESP		0x6824
#define VMCS_GUEST_SYSENTER_EIP		0x6826
#define VMCS_HOST_CR0			0x6c00
#define VMCS_HOST_CR3			0x6c02
#define VMCS_HOST_CR4			0x6c04
#define VMCS_HOST_FS_BASE		0x6c06
#define VMCS_HOST_GS_BASE		0x6c08
#define VMCS_HOST_TR_BASE		0x6c0a
#define VMCS_HOST_GDTR_BASE		0x6c0c
#define VMCS_HOST_IDTR_BASE		0x6c0e
#define VMCS_HOST_SYSENTER_ESP		0x6c10
#define VMCS_HOST_SYSENTER_EIP		0x6c12
#define VMCS_HOST_RSP			0x6c14
#define VMCS_HOST_RIP			0x6c16

/* The segment fields, in the order of the encodings above (ES = 0). */
enum vmx_seg {
	VMX_SEG_ES, VMX_SEG_CS, VMX_SEG_SS, VMX_SEG_DS, VMX_SEG_FS,
	VMX_SEG_GS, VMX_SEG_LDTR, VMX_SEG_TR,
};
#define VMCS_GUEST_SEL(s)		(VMCS_GUEST_ES_SEL + 2 * (s))
#define VMCS_GUEST_LIMIT(s)		(VMCS_GUEST_ES_LIMIT + 2 * (s))
#define VMCS_GUEST_AR(s)		(VMCS_GUEST_ES_AR + 2 * (s))
#define VMCS_GUEST_BASE(s)		(VMCS_GUEST_ES_BASE + 2 * (s))

/* 25.4.1 "Guest Register State", table 25-2: access rights. */
#define VMX_AR_TYPE		0x000f
#define VMX_AR_S			BIT(4)
#define VMX_AR_DPL_POS		5
#define VMX_AR_P			BIT(7)
#define VMX_AR_AVL			BIT(12)
#define VMX_AR_L			BIT(13)
#define VMX_AR_DB			BIT(14)
#define VMX_AR_G			BIT(15)
#define VMX_AR_UNUSABLE			BIT(16)

/* 25.4.2 "Guest Non-Register State", table 25-3: interruptibility state. */
#define VMX_INTR_STI			BIT(0)
#define VMX_INTR_MOV_SS			BIT(1)
#define VMX_INTR_NMI			BIT(3)
#define VMX_ACTIVITY_ACTIVE		0
/* Table 25-4: pending debug exceptions, BS (single step). */
#define VMX_PENDING_DBG_BS		BIT(14)

/* 25.6.1 "Pin-Based VM-Execution Controls", table 25-5. */
#define VMX_PIN_EXT_INTR_EXITING	BIT(0)
#define VMX_PIN_NMI_EXITING		BIT(3)
#define VMX_PIN_VIRTUAL_NMIS		BIT(5)

/* 25.6.2 "Processor-Based VM-Execution Controls", table 25-6 (primary). */
#define VMX_PROC_INTR_WINDOW		BIT(2)
#define VMX_PROC_TSC_OFFSETTING		BIT(3)
#define VMX_PROC_HLT_EXITING		BIT(7)
#define VMX_PROC_INVLPG_EXITING		BIT(9)
#define VMX_PROC_MWAIT_EXITING		BIT(10)
#define VMX_PROC_RDPMC_EXITING		BIT(11)
#define VMX_PROC_RDTSC_EXITING		BIT(12)
#define VMX_PROC_CR3_LOAD_EXITING	BIT(15)
#define VMX_PROC_CR3_STORE_EXITING	BIT(16)
#define VMX_PROC_CR8_LOAD_EXITING	BIT(19)
#define VMX_PROC_CR8_STORE_EXITING	BIT(20)
#define VMX_PROC_TPR_SHADOW		BIT(21)
#define VMX_PROC_NMI_WINDOW		BIT(22)
#define VMX_PROC_MOV_DR_EXITING		BIT(23)
#define VMX_PROC_UNCOND_IO_EXITING	BIT(24)
#define VMX_PROC_IO_BITMAPS		BIT(25)
#define VMX_PROC_MTF			BIT(27)
#define VMX_PROC_MSR_BITMAPS		BIT(28)
#define VMX_PROC_MONITOR_EXITING	BIT(29)
#define VMX_PROC_PAUSE_EXITING		BIT(30)
#define VMX_PROC_SECONDARY		BIT(31)

/* Table 25-7: secondary processor-based controls. */
#define VMX_PROC2_VIRT_APIC_ACCESS	BIT(0)
#define VMX_PROC2_EPT			BIT(1)
#define VMX_PROC2_DESC_EXITING		BIT(2)
#define VMX_PROC2_RDTSCP		BIT(3)
#define VMX_PROC2_VPID			BIT(5)
#define VMX_PROC2_WBINVD_EXITING	BIT(6)
#define VMX_PROC2_UNRESTRICTED		BIT(7)
#define VMX_PROC2_PAUSE_LOOP_EXITING	BIT(10)
#define VMX_PROC2_INVPCID		BIT(12)
#define VMX_PROC2_XSAVES		BIT(20)

/* 25.7.1 "VM-Exit Controls", table 25-13. */
#define VMX_EXIT_CTL_SAVE_DEBUG		BIT(2)
#define VMX_EXIT_CTL_HOST_64		BIT(9)
#define VMX_EXIT_CTL_ACK_INTR		BIT(15)
#define VMX_EXIT_CTL_SAVE_PAT		BIT(18)
#define VMX_EXIT_CTL_LOAD_PAT		BIT(19)
#define VMX_EXIT_CTL_SAVE_EFER		BIT(20)
#define VMX_EXIT_CTL_LOAD_EFER		BIT(21)

/* 25.8.1 "VM-Entry Controls", table 25-15. */
#define VMX_ENTRY_CTL_LOAD_DEBUG	BIT(2)
#define VMX_ENTRY_CTL_IA32E		BIT(9)
#define VMX_ENTRY_CTL_LOAD_PAT		BIT(14)
#define VMX_ENTRY_CTL_LOAD_EFER		BIT(15)

/*
 * 25.8.3 "VM-Entry Controls for Event Injection", table 25-17; the same
 * format serves the VM-exit interruption and IDT-vectoring information
 * (25.9.2, 25.9.3).
 */
#define VMX_INTR_INFO_VECTOR		0xff
#define VMX_INTR_INFO_TYPE_SHIFT	8
#define VMX_INTR_INFO_TYPE		(7 << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_TYPE_EXT		(0 << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_TYPE_NMI		(2 << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_TYPE_HW_EXCEPTION	(3 << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_TYPE_SW_INTR		(4 << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_TYPE_PRIV_SW_EXCEPTION	(5 << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_TYPE_SW_EXCEPTION	(6 << VMX_INTR_INFO_TYPE_SHIFT)
#define VMX_INTR_INFO_ERROR_CODE	BIT(11)
#define VMX_INTR_INFO_NMI_UNBLOCKED	BIT(12)	/* exits only: by IRET */
#define VMX_INTR_INFO_VALID		BIT(31)

/* 25.9.1 "Basic VM-Exit Information": the exit reason field. */
#define VMX_EXIT_REASON_BASIC		0xffff
#define VMX_EXIT_REASON_FAILED_ENTRY	BIT(31)

/* Appendix C, table C-1: basic exit reasons. */
#define VMX_EXIT_EXCEPTION_NMI		0
#define VMX_EXIT_EXT_INTR		1
#define VMX_EXIT_TRIPLE_FAULT		2
#define VMX_EXIT_INIT			3
#define VMX_EXIT_SIPI			4
#define VMX_EXIT_IO_SMI			5
#define VMX_EXIT_OTHER_SMI		6
#define VMX_EXIT_INTR_WINDOW		7
#define VMX_EXIT_NMI_WINDOW		8
#define VMX_EXIT_TASK_SWITCH		9
#define VMX_EXIT_CPUID			10
#define VMX_EXIT_GETSEC			11
#define VMX_EXIT_HLT			12
#define VMX_EXIT_INVD			13
#define VMX_EXIT_INVLPG			14
#define VMX_EXIT_RDPMC			15
#define VMX_EXIT_RDTSC			16
#define VMX_EXIT_RSM			17
#define VMX_EXIT_VMCALL			18
#define VMX_EXIT_VMCLEAR		19
#define VMX_EXIT_VMLAUNCH		20
#define VMX_EXIT_VMPTRLD		21
#define VMX_EXIT_VMPTRST		22
#define VMX_EXIT_VMREAD			23
#define VMX_EXIT_VMRESUME		24
#define VMX_EXIT_VMWRITE		25
#define VMX_EXIT_VMXOFF			26
#define VMX_EXIT_VMXON			27
#define VMX_EXIT_CR_ACCESS		28
#define VMX_EXIT_DR_ACCESS		29
#define VMX_EXIT_IO			30
#define VMX_EXIT_RDMSR			31
#define VMX_EXIT_WRMSR			32
#define VMX_EXIT_INVALID_STATE		33	/* VM-entry failures */
#define VMX_EXIT_MSR_LOAD_FAIL		34
#define VMX_EXIT_MWAIT			36
#define VMX_EXIT_MTF			37
#define VMX_EXIT_MONITOR		39
#define VMX_EXIT_PAUSE			40
#define VMX_EXIT_MCE_DURING_ENTRY	41
#define VMX_EXIT_TPR_BELOW_THRESHOLD	43
#define VMX_EXIT_EPT_VIOLATION		48
#define VMX_EXIT_EPT_MISCONFIG		49
#define VMX_EXIT_INVEPT			50
#define VMX_EXIT_RDTSCP			51
#define VMX_EXIT_INVVPID		53
#define VMX_EXIT_WBINVD			54
#define VMX_EXIT_XSETBV			55
#define VMX_EXIT_INVPCID		58
#define VMX_EXIT_VMFUNC			59
#define VMX_EXIT_XSAVES			63
#define VMX_EXIT_XRSTORS		64
#define VMX_EXIT_MAX			VMX_EXIT_XRSTORS

/* 28.2.1, table 28-1: exit qualification of a debug exception (DR6 form). */
#define VMX_QUAL_DB_DR6_BITS		0x0000600f	/* B0-3, BD, BS */

/* Table 28-3: exit qualification for control-register accesses. */
#define VMX_QUAL_CR_NR(q)		((q) & 0xf)
#define VMX_QUAL_CR_TYPE(q)		(((q) >> 4) & 3)
#define VMX_CR_TYPE_MOV_TO		0
#define VMX_CR_TYPE_MOV_FROM		1
#define VMX_CR_TYPE_CLTS		2
#define VMX_CR_TYPE_LMSW		3
#define VMX_QUAL_CR_GPR(q)		(((q) >> 8) & 0xf)
#define VMX_QUAL_CR_LMSW_DATA(q)	(((q) >> 16) & 0xffff)

/* Table 28-4: exit qualification for MOV DR. */
#define VMX_QUAL_DR_NR(q)		((q) & 7)
#define VMX_QUAL_DR_FROM		BIT(4)	/* MOV from DR: a read */
#define VMX_QUAL_DR_GPR(q)		(((q) >> 8) & 0xf)

/* Table 28-5: exit qualification for I/O instructions. */
#define VMX_QUAL_IO_SIZE(q)		(((q) & 7) + 1)
#define VMX_QUAL_IO_IN			BIT(3)
#define VMX_QUAL_IO_STRING		BIT(4)
#define VMX_QUAL_IO_PORT(q)		(((q) >> 16) & 0xffff)

/* Table 28-7: exit qualification for EPT violations. */
#define VMX_QUAL_EPT_READ		BIT(0)
#define VMX_QUAL_EPT_WRITE		BIT(1)
#define VMX_QUAL_EPT_FETCH		BIT(2)
#define VMX_QUAL_EPT_PERMS		(7 << 3)	/* the entry was R/W/X */
#define VMX_QUAL_EPT_NMI_UNBLOCKED	BIT(12)

/* 31.4 "VM Instruction Error Numbers": the two VM entry reports. */
#define VMX_INSN_ERR_LAUNCH_NOT_CLEAR	4
#define VMX_INSN_ERR_RESUME_NOT_LAUNCHED 5

/* 25.6.11 "Extended-Page-Table Pointer (EPTP)", table 25-9. */
#define VMX_EPTP_WB			6
#define VMX_EPTP_WALK_4			(3 << 3)
#define VMX_EPTP_AD			BIT_ULL(6)

/*
 * 29.3.2 "EPT Translation Mechanism", tables 29-2..29-6: entries. A table
 * entry is present when any of R/W/X is set; only leaves carry a memory
 * type (29.3.7 "EPT and Memory Typing").
 */
#define VMX_EPT_R			BIT_ULL(0)
#define VMX_EPT_W			BIT_ULL(1)
#define VMX_EPT_X			BIT_ULL(2)
#define VMX_EPT_RWX			(VMX_EPT_R | VMX_EPT_W | VMX_EPT_X)
#define VMX_EPT_MT_SHIFT		3
#define VMX_EPT_IPAT			BIT_ULL(6)
#define VMX_EPT_A			BIT_ULL(8)
#define VMX_EPT_D			BIT_ULL(9)
#define VMX_EPT_ADDR_MASK		GENMASK_ULL(51, 12)

/* Appendix A.10 "VPID and EPT Capabilities": IA32_VMX_EPT_VPID_CAP. */
#define VMX_CAP_EPT_WALK_4		BIT_ULL(6)
#define VMX_CAP_EPT_WB			BIT_ULL(14)
#define VMX_CAP_INVEPT			BIT_ULL(20)
#define VMX_CAP_EPT_AD			BIT_ULL(21)
#define VMX_CAP_INVEPT_SINGLE		BIT_ULL(25)
#define VMX_CAP_INVEPT_ALL		BIT_ULL(26)
#define VMX_CAP_INVVPID			BIT_ULL(32)
#define VMX_CAP_INVVPID_SINGLE		BIT_ULL(41)
#define VMX_CAP_INVVPID_ALL		BIT_ULL(42)

/* 31.3 "INVEPT" / "INVVPID": types and descriptors. */
#define VMX_INVEPT_SINGLE		1
#define VMX_INVEPT_ALL			2
#define VMX_INVVPID_SINGLE		1
#define VMX_INVVPID_ALL			2

struct vmx_invept_desc {
	u64 eptp;
	u64 reserved;
};

struct vmx_invvpid_desc {
	u64 vpid;	/* bits 15:0; the rest reserved */
	u64 gla;
};

/* Appendix A.1: IA32_VMX_BASIC bit 55, the TRUE_*_CTLS MSRs exist. */
#define VMX_BASIC_TRUE_CTLS_MSRS		BIT_ULL(55)

/*
 * 25.7.2 "VM-Exit Controls for MSRs" / 25.8.2: an MSR-load or -store area
 * is an array of 16-byte entries at a 16-byte aligned address.
 */
struct vmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
} __aligned(16);

/* 25.2 "Format of the VMCS Region": the software-visible header. */
struct vmx_vmcs_header {
	u32 revision_id;	/* bit 31: shadow VMCS */
	u32 abort;
};

static inline void vmcs_layout_checks(void)
{
	BUILD_BUG_ON(sizeof(struct vmx_msr_entry) != 16);
	BUILD_BUG_ON(offsetof(struct vmx_msr_entry, value) != 8);
	BUILD_BUG_ON(sizeof(struct vmx_invept_desc) != 16);
	BUILD_BUG_ON(sizeof(struct vmx_invvpid_desc) != 16);
	BUILD_BUG_ON(offsetof(struct vmx_vmcs_header, abort) != 4);
	BUILD_BUG_ON(VMCS_WIDTH(VMCS_GUEST_TR_SEL) != VMCS_WIDTH_16);
	BUILD_BUG_ON(VMCS_WIDTH(VMCS_GUEST_EFER) != VMCS_WIDTH_64);
	BUILD_BUG_ON(VMCS_WIDTH(VMCS_GUEST_AR(VMX_SEG_TR)) != VMCS_WIDTH_32);
	BUILD_BUG_ON(VMCS_WIDTH(VMCS_GUEST_BASE(VMX_SEG_TR)) != VMCS_WIDTH_NATURAL);
	BUILD_BUG_ON(VMCS_GUEST_BASE(VMX_SEG_TR) != 0x6814);
	BUILD_BUG_ON(VMCS_GUEST_AR(VMX_SEG_TR) != 0x4822);
	BUILD_BUG_ON(VMCS_GUEST_LIMIT(VMX_SEG_TR) != 0x480e);
}

#endif /* MINIVIRT_VMX_VMCS_H */
