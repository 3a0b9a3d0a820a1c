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

	.section .note.GNU-stack, "", @progbits
