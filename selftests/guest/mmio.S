/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the mmio suite: one memory-accessing instruction each (mmio.c
 * runs them with a HLT appended). RBX/EBX holds the MMIO address; the moffs
 * forms (opcodes A0-A3) carry MOFFS_ADDR in the instruction; RAX, RCX and
 * RDX hold the test's values.
 */
#include "guest.h"

#define MOFFS_ADDR	(GUEST_MMIO_GPA + 0x80)
#define MOFFS_RO	(0x400000 + 0x80)

/* 64-bit mode. */
GUEST_INSN(mmio64_st_b, .code64, mov %al, (%rbx))
GUEST_INSN(mmio64_st_w, .code64, mov %ax, (%rbx))
GUEST_INSN(mmio64_st_l, .code64, mov %eax, (%rbx))
GUEST_INSN(mmio64_st_q, .code64, mov %rax, (%rbx))
GUEST_INSN(mmio64_ld_b, .code64, mov (%rbx), %cl)
GUEST_INSN(mmio64_ld_bh, .code64, mov (%rbx), %ch)
GUEST_INSN(mmio64_ld_w, .code64, mov (%rbx), %cx)
GUEST_INSN(mmio64_ld_l, .code64, mov (%rbx), %ecx)
GUEST_INSN(mmio64_ld_q, .code64, mov (%rbx), %rcx)
GUEST_INSN(mmio64_ld_r10b, .code64, mov 8(%rbx), %r10b)
GUEST_INSN(mmio64_ld_r9d_disp, .code64, mov -8(%rbx, %rdx, 4), %r9d)
GUEST_INSN(mmio64_st_imm_b, .code64, movb $0x12, (%rbx))
GUEST_INSN(mmio64_st_imm_w, .code64, movw $0x1234, (%rbx))
GUEST_INSN(mmio64_st_imm_l, .code64, movl $0x12345678, (%rbx))
GUEST_INSN(mmio64_st_imm_q, .code64, movq $-2, (%rbx))
GUEST_INSN(mmio64_movzbl, .code64, movzbl (%rbx), %ecx)
GUEST_INSN(mmio64_movzwq, .code64, movzwq (%rbx), %rcx)
GUEST_INSN(mmio64_movsbq, .code64, movsbq (%rbx), %rcx)
GUEST_INSN(mmio64_movsbw, .code64, movsbw (%rbx), %cx)
GUEST_INSN(mmio64_movswl, .code64, movswl (%rbx), %ecx)
GUEST_INSN(mmio64_movslq, .code64, movslq (%rbx), %rcx)
GUEST_INSN(mmio64_moffs_ld_b, .code64, movabs MOFFS_ADDR, %al)
GUEST_INSN(mmio64_moffs_ld_l, .code64, movabs MOFFS_ADDR, %eax)
GUEST_INSN(mmio64_moffs_st_w, .code64, movabs %ax, MOFFS_ADDR)
GUEST_INSN(mmio64_moffs_st_q, .code64, movabs %rax, MOFFS_ADDR)
GUEST_INSN(mmio64_or_imm_l, .code64, orl $0x0f, (%rbx))
GUEST_INSN(mmio64_and_imm_w, .code64, andw $0xff00, (%rbx))
GUEST_INSN(mmio64_add_imm_b, .code64, addb $1, (%rbx))
GUEST_INSN(mmio64_add_reg_q, .code64, add %rdx, (%rbx))
GUEST_INSN(mmio64_add_to_reg_l, .code64, add (%rbx), %ecx)
GUEST_INSN(mmio64_sub_to_reg_q, .code64, sub (%rbx), %rcx)
GUEST_INSN(mmio64_cmp_imm_l, .code64, cmpl $5, (%rbx))
GUEST_INSN(mmio64_test_imm_b, .code64, testb $0x80, (%rbx))
GUEST_INSN(mmio64_xchg_l, .code64, xchg %ecx, (%rbx))
GUEST_INSN(mmio64_xchg_b, .code64, xchg %al, (%rbx))

/* 32-bit protected mode; MMX MOVQ for 8 bytes. */
GUEST_INSN(mmio32_st_b, .code32, mov %al, (%ebx))
GUEST_INSN(mmio32_st_w, .code32, mov %ax, (%ebx))
GUEST_INSN(mmio32_st_l, .code32, mov %eax, (%ebx))
GUEST_INSN(mmio32_ld_b, .code32, mov (%ebx), %cl)
GUEST_INSN(mmio32_ld_w, .code32, mov (%ebx), %cx)
GUEST_INSN(mmio32_ld_l, .code32, mov (%ebx), %ecx)
GUEST_INSN(mmio32_st_imm_w, .code32, movw $0x1234, (%ebx))
GUEST_INSN(mmio32_st_imm_l, .code32, movl $0x12345678, 4(%ebx))
GUEST_INSN(mmio32_movzbl, .code32, movzbl (%ebx), %ecx)
GUEST_INSN(mmio32_movswl, .code32, movswl (%ebx), %ecx)
GUEST_INSN(mmio32_movsbw, .code32, movsbw (%ebx), %cx)
GUEST_INSN(mmio32_moffs_ld_b, .code32, mov MOFFS_ADDR, %al)
GUEST_INSN(mmio32_moffs_ld_l, .code32, mov MOFFS_ADDR, %eax)
GUEST_INSN(mmio32_moffs_st_b, .code32, mov %al, MOFFS_ADDR)
GUEST_INSN(mmio32_moffs_st_l, .code32, mov %eax, MOFFS_ADDR)
GUEST_INSN(mmio32_or_reg_l, .code32, or %edx, (%ebx))
GUEST_INSN(mmio32_and_imm_b, .code32, andb $0x0f, (%ebx))
GUEST_INSN(mmio32_add_imm8_w, .code32, addw $-1, (%ebx))
GUEST_INSN(mmio32_cmp_reg_l, .code32, cmp %ecx, (%ebx))
GUEST_INSN(mmio32_test_reg_w, .code32, test %cx, (%ebx))
GUEST_INSN(mmio32_xchg_w, .code32, xchg (%ebx), %cx)
GUEST_INSN(mmio32_movq_ld, .code32, movq (%ebx), %mm0)
/* MM1 from the report page first (KVM_SET_FPU may not reach the guest). */
GUEST_BEGIN(mmio32_movq_st)
	.code32
	movq GUEST_REPORT_GPA, %mm1
GUEST_LABEL(mmio32_movq_st, insn)
	movq %mm1, (%ebx)
GUEST_END(mmio32_movq_st)

/*
 * MMX and SSE moves (the forms KVM's emulator has), RBX/EBX the MMIO
 * address: a load into register reg, which the guest then stores to the
 * report page; or a store of reg, which the guest first loads from the
 * report page (KVM_SET_FPU may not reach the guest: see mmio.c). The label
 * "next" is right after the MMIO instruction.
 */
#define R		GUEST_REPORT_GPA
#define CR0_EM		0x4
#define CR0_TS		0x8
#define CR4_OSFXSR	0x200
#define VEC_LD(name, mode, base, mov, st, reg)				\
	GUEST_BEGIN(name)						\
	mode;								\
	mov (base), reg;						\
GUEST_LABEL(name, next)							\
	st reg, R;							\
	hlt;								\
	GUEST_END(name)
#define VEC_ST(name, mode, base, mov, ld, reg)				\
	GUEST_BEGIN(name)						\
	mode;								\
	ld R, reg;							\
	mov reg, (base);						\
GUEST_LABEL(name, next)							\
	hlt;								\
	GUEST_END(name)

VEC_LD(vec64_movq_ld, .code64, %rbx, movq, movq, %mm6)
VEC_ST(vec64_movq_st, .code64, %rbx, movq, movq, %mm7)
VEC_LD(vec64_movdqu_ld, .code64, %rbx, movdqu, movdqu, %xmm3)
VEC_ST(vec64_movdqu_st, .code64, %rbx, movdqu, movdqu, %xmm3)
VEC_LD(vec64_movdqu_ld_x12, .code64, %rbx, movdqu, movdqu, %xmm12)
VEC_ST(vec64_movdqu_st_x13, .code64, %rbx, movdqu, movdqu, %xmm13)
VEC_LD(vec64_movdqa_ld, .code64, %rbx, movdqa, movdqu, %xmm4)
VEC_ST(vec64_movdqa_st, .code64, %rbx, movdqa, movdqu, %xmm4)
VEC_LD(vec64_movups_ld, .code64, %rbx, movups, movdqu, %xmm5)
VEC_ST(vec64_movups_st, .code64, %rbx, movups, movdqu, %xmm5)
VEC_LD(vec64_movupd_ld, .code64, %rbx, movupd, movdqu, %xmm6)
VEC_ST(vec64_movupd_st, .code64, %rbx, movupd, movdqu, %xmm6)
VEC_LD(vec64_movaps_ld, .code64, %rbx, movaps, movdqu, %xmm7)
VEC_ST(vec64_movaps_st, .code64, %rbx, movaps, movdqu, %xmm7)
VEC_LD(vec64_movapd_ld, .code64, %rbx, movapd, movdqu, %xmm8)
VEC_ST(vec64_movapd_st, .code64, %rbx, movapd, movdqu, %xmm9)
VEC_ST(vec64_movntps_st, .code64, %rbx, movntps, movdqu, %xmm10)
VEC_ST(vec64_movntpd_st, .code64, %rbx, movntpd, movdqu, %xmm11)
VEC_ST(vec64_movntdq_st, .code64, %rbx, movntdq, movdqu, %xmm15)
VEC_LD(vec32_movdqu_ld, .code32, %ebx, movdqu, movdqu, %xmm1)
VEC_ST(vec32_movntdq_st, .code32, %ebx, movntdq, movdqu, %xmm2)
VEC_LD(vec32_movq_ld, .code32, %ebx, movq, movq, %mm3)

/* Not in KVM's emulator: MOVD mm, MOVQ xmm (F3 0F 7E). */
GUEST_INSN(vec64_movd_ld, .code64, movd (%rbx), %mm0)
GUEST_INSN(vec64_movq_xmm_ld, .code64, movq (%rbx), %xmm0)

/*
 * Misaligned MOVAPS and MOVNTDQ: #GP(0) before any access. Each fault's
 * vector, error code and RIP go to the report page (R, R+8, R+16; R+24...).
 */
#define SAVE_EXC(off)							\
	mov EXC_VECTOR, %rax;						\
	mov %rax, R + (off);						\
	mov EXC_ERROR, %rax;						\
	mov %rax, R + (off) + 8;					\
	mov EXC_RIP, %rax;						\
	mov %rax, R + (off) + 16

GUEST_BEGIN(vec_misaligned)
	.code64
	movq $ABS(vec_misaligned, 1f), EXC_FIXUP
GUEST_LABEL(vec_misaligned, ld)
	movaps (%rbx), %xmm0
1:	SAVE_EXC(0)
	movq $ABS(vec_misaligned, 2f), EXC_FIXUP
GUEST_LABEL(vec_misaligned, st)
	movntdq %xmm0, (%rbx)
2:	SAVE_EXC(24)
	hlt
GUEST_END(vec_misaligned)

/*
 * The control bits MMX and SSE check: CR0.TS (#NM) for an MMX load and an
 * SSE store, CR0.EM (#UD) for an MMX store, CR4.OSFXSR clear (#UD) for an
 * SSE load; and a pending x87 exception (#MF) for an MMX load and store
 * (which FWAIT does not clear). All to MMIO,
 * none gets that far.
 */
GUEST_BEGIN(vec_cr_faults)
	.code64
	mov %cr0, %rax
	or $CR0_TS, %rax
	mov %rax, %cr0
	movq $ABS(vec_cr_faults, 1f), EXC_FIXUP
GUEST_LABEL(vec_cr_faults, i0)
	movq (%rbx), %mm0
1:	SAVE_EXC(0)
	movq $ABS(vec_cr_faults, 2f), EXC_FIXUP
GUEST_LABEL(vec_cr_faults, i1)
	movdqu %xmm1, (%rbx)
2:	SAVE_EXC(24)
	clts
	mov %cr0, %rax
	or $CR0_EM, %rax
	mov %rax, %cr0
	movq $ABS(vec_cr_faults, 3f), EXC_FIXUP
GUEST_LABEL(vec_cr_faults, i2)
	movq %mm1, (%rbx)
3:	SAVE_EXC(48)
	mov %cr0, %rax
	and $~CR0_EM, %rax
	mov %rax, %cr0
	mov %cr4, %rax
	and $~CR4_OSFXSR, %rax
	mov %rax, %cr4
	movq $ABS(vec_cr_faults, 4f), EXC_FIXUP
GUEST_LABEL(vec_cr_faults, i3)
	movups (%rbx), %xmm2
4:	SAVE_EXC(72)
	mov %cr4, %rax
	or $CR4_OSFXSR, %rax
	mov %rax, %cr4
	/* 0/0 with #IA unmasked: an x87 exception pending; MMX gets #MF. */
	fninit
	movw $0x37a, R + 0x100
	fldcw R + 0x100
	fldz
	fdiv %st(0), %st
	movq $ABS(vec_cr_faults, 5f), EXC_FIXUP
GUEST_LABEL(vec_cr_faults, i4)
	movq (%rbx), %mm3
5:	SAVE_EXC(96)
	movq $ABS(vec_cr_faults, 6f), EXC_FIXUP
GUEST_LABEL(vec_cr_faults, i5)
	movq %mm3, (%rbx)
6:	SAVE_EXC(120)
	fninit
	hlt
GUEST_END(vec_cr_faults)

/*
 * A load whose exit the host answers after setting CR0.TS (MMX) or clearing
 * CR4.OSFXSR (SSE): the instruction faults when it completes. The register
 * keeps what the guest put there from R + 8 first; after the fault the
 * guest restores the control bit and stores the register to R + 32.
 */
GUEST_BEGIN(vec_late_ts)
	.code64
	movq R + 8, %mm2
	movq $ABS(vec_late_ts, 1f), EXC_FIXUP
GUEST_LABEL(vec_late_ts, insn)
	movq (%rbx), %mm2
	hlt
1:	clts
	movq %mm2, R + 32
	hlt
GUEST_END(vec_late_ts)

GUEST_BEGIN(vec_late_osfxsr)
	.code64
	movdqu R + 8, %xmm2
	movq $ABS(vec_late_osfxsr, 1f), EXC_FIXUP
GUEST_LABEL(vec_late_osfxsr, insn)
	movdqu (%rbx), %xmm2
	hlt
1:	mov %cr4, %rax
	or $CR4_OSFXSR, %rax
	mov %rax, %cr4
	movdqu %xmm2, R + 32
	hlt
GUEST_END(vec_late_osfxsr)

/*
 * Read-only memslot at RO_GPA (0x400000, identity-mapped): a read, a write
 * (an MMIO exit), a read back, each reporting on GUEST_PORT_REPORT.
 */
GUEST_BEGIN(mmio_ro)
	.code64
	mov $0x400000, %rbx
	mov (%rbx), %rax
	mov %rax, GUEST_REPORT_GPA
	movabs $0x0102030405060708, %rcx
	mov %rcx, 8(%rbx)
	mov 8(%rbx), %rax
	mov %rax, GUEST_REPORT_GPA + 8
	movb $0x99, 0x10(%rbx)
	movzbl 0x10(%rbx), %eax
	mov %rax, GUEST_REPORT_GPA + 16
	hlt
GUEST_END(mmio_ro)

/* Code in a read-only memslot: it runs, and its own store exits as MMIO. */
GUEST_BEGIN(mmio_ro_code)
	.code64
	movl $0xc0de, 0x400100
	mov 0x400100, %eax
	mov %eax, GUEST_REPORT_GPA
	hlt
GUEST_END(mmio_ro_code)


/*
 * String moves (mmio.c, "string" tests): RSI/RDI/RCX and RFLAGS.DF come
 * from the host; a32 and a16 are the address-size prefix (67).
 */
GUEST_INSN(str64_rep_stosl, .code64, rep stosl)
GUEST_INSN(str64_rep_stosw, .code64, rep stosw)
GUEST_INSN(str64_rep_movsb, .code64, rep movsb)
GUEST_INSN(str64_rep_movsl, .code64, rep movsl)
GUEST_INSN(str64_rep_movsq, .code64, rep movsq)
GUEST_INSN(str64_movsl, .code64, movsl)
GUEST_INSN(str64_stosb, .code64, stosb)
GUEST_INSN(str64_a32_rep_stosl, .code64, addr32 rep stosl)
GUEST_INSN(str64_a32_rep_movsw, .code64, addr32 rep movsw)
GUEST_INSN(str32_rep_movsw, .code32, rep movsw)
GUEST_INSN(str32_rep_stosb, .code32, rep stosb)
GUEST_INSN(str32_a16_rep_stosw, .code32, addr16 rep stosw)
GUEST_INSN(str32_a16_rep_movsb, .code32, addr16 rep movsb)

	.section .note.GNU-stack, "", @progbits
