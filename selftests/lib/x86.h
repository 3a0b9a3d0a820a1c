/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Architectural constants the guest library and the tests use (AMD APM vol 2,
 * Intel SDM vol 3A). Names follow the kernel's <asm/processor-flags.h> and
 * <asm/msr-index.h>, which userspace cannot include.
 */
#ifndef MINIVIRT_SELFTEST_X86_H
#define MINIVIRT_SELFTEST_X86_H

#define X86_CR0_PE		(1ULL << 0)
#define X86_CR0_MP		(1ULL << 1)
#define X86_CR0_EM		(1ULL << 2)
#define X86_CR0_TS		(1ULL << 3)
#define X86_CR0_ET		(1ULL << 4)
#define X86_CR0_NE		(1ULL << 5)
#define X86_CR0_WP		(1ULL << 16)
#define X86_CR0_AM		(1ULL << 18)
#define X86_CR0_NW		(1ULL << 29)
#define X86_CR0_CD		(1ULL << 30)
#define X86_CR0_PG		(1ULL << 31)

#define X86_CR4_PSE		(1ULL << 4)
#define X86_CR4_PAE		(1ULL << 5)
#define X86_CR4_PGE		(1ULL << 7)
#define X86_CR4_OSFXSR		(1ULL << 9)
#define X86_CR4_OSXMMEXCPT	(1ULL << 10)
#define X86_CR4_OSXSAVE		(1ULL << 18)

#define EFER_SCE		(1ULL << 0)
#define EFER_LME		(1ULL << 8)
#define EFER_LMA		(1ULL << 10)
#define EFER_NX			(1ULL << 11)
#define EFER_SVME		(1ULL << 12)

#define X86_EFLAGS_CF		(1ULL << 0)
#define X86_EFLAGS_FIXED	(1ULL << 1)
#define X86_EFLAGS_PF		(1ULL << 2)
#define X86_EFLAGS_ZF		(1ULL << 6)
#define X86_EFLAGS_SF		(1ULL << 7)
#define X86_EFLAGS_TF		(1ULL << 8)
#define X86_EFLAGS_IF		(1ULL << 9)
#define X86_EFLAGS_DF		(1ULL << 10)
#define X86_EFLAGS_OF		(1ULL << 11)

/* Page-table entry bits (4-level paging). */
#define PTE_P			(1ULL << 0)
#define PTE_W			(1ULL << 1)
#define PTE_U			(1ULL << 2)
#define PTE_A			(1ULL << 5)
#define PTE_D			(1ULL << 6)
#define PTE_PS			(1ULL << 7)
#define PTE_ADDR_MASK		0x000ffffffffff000ULL

/* Exception vectors. */
#define DE_VECTOR		0
#define DB_VECTOR		1
#define BP_VECTOR		3
#define UD_VECTOR		6
#define DF_VECTOR		8
#define GP_VECTOR		13
#define PF_VECTOR		14

/* MSRs. */
#define MSR_IA32_TSC		0x00000010
#define MSR_IA32_APICBASE	0x0000001b
#define MSR_IA32_SYSENTER_CS	0x00000174
#define MSR_IA32_SYSENTER_ESP	0x00000175
#define MSR_IA32_SYSENTER_EIP	0x00000176
#define MSR_IA32_CR_PAT		0x00000277
#define MSR_EFER		0xc0000080
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SYSCALL_MASK	0xc0000084
#define MSR_FS_BASE		0xc0000100
#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102

/* CPUID bits. */
#define CPUID_1_ECX_XSAVE	(1U << 26)
#define CPUID_1_ECX_OSXSAVE	(1U << 27)
#define CPUID_1_EDX_FPU		(1U << 0)
#define CPUID_80000001_EDX_LM	(1U << 29)

#endif /* MINIVIRT_SELFTEST_X86_H */
