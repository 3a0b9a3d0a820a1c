/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the pio suite: one I/O instruction each (pio.c runs them with a
 * HLT appended), and a guest doing many OUTs and INs in a loop.
 */
#include "guest.h"

/* IN and OUT, imm8 and DX ports, each size (64-bit mode). */
GUEST_INSN(pio_out_imm_b, .code64, out %al, $0xe0)
GUEST_INSN(pio_out_imm_w, .code64, out %ax, $0xe2)
GUEST_INSN(pio_out_imm_l, .code64, out %eax, $0xe4)
GUEST_INSN(pio_out_dx_b, .code64, out %al, %dx)
GUEST_INSN(pio_out_dx_w, .code64, out %ax, %dx)
GUEST_INSN(pio_out_dx_l, .code64, out %eax, %dx)
GUEST_INSN(pio_in_imm_b, .code64, in $0xe0, %al)
GUEST_INSN(pio_in_imm_w, .code64, in $0xe2, %ax)
GUEST_INSN(pio_in_imm_l, .code64, in $0xe4, %eax)
GUEST_INSN(pio_in_dx_b, .code64, in %dx, %al)
GUEST_INSN(pio_in_dx_w, .code64, in %dx, %ax)
GUEST_INSN(pio_in_dx_l, .code64, in %dx, %eax)

/* String I/O, with and without REP. */
GUEST_INSN(pio_outsb, .code64, outsb)
GUEST_INSN(pio_outsw, .code64, outsw)
GUEST_INSN(pio_outsl, .code64, outsl)
GUEST_INSN(pio_rep_outsb, .code64, rep outsb)
GUEST_INSN(pio_rep_outsw, .code64, rep outsw)
GUEST_INSN(pio_rep_outsl, .code64, rep outsl)
GUEST_INSN(pio_insb, .code64, insb)
GUEST_INSN(pio_insw, .code64, insw)
GUEST_INSN(pio_insl, .code64, insl)
GUEST_INSN(pio_rep_insb, .code64, rep insb)
GUEST_INSN(pio_rep_insw, .code64, rep insw)
GUEST_INSN(pio_rep_insl, .code64, rep insl)

/* Other modes: 16-bit SI/DI/CX, 32-bit ESI/EDI/ECX. */
GUEST_INSN(pio_real_out_imm_w, .code16, out %ax, $0xe2)
GUEST_INSN(pio_real_in_dx_b, .code16, in %dx, %al)
GUEST_INSN(pio_real_rep_insw, .code16, rep insw)
GUEST_INSN(pio_real_rep_outsb, .code16, rep outsb)
GUEST_INSN(pio_prot32_in_dx_l, .code32, in %dx, %eax)
GUEST_INSN(pio_prot32_rep_outsl, .code32, rep outsl)
GUEST_INSN(pio_prot32_rep_insw, .code32, rep insw)

/*
 * PIO_LOOP_N OUTs of 0, 1, 2... to port 0xe8, then PIO_LOOP_N INs from port
 * 0xea summed into the report page; then HLT.
 */
#define PIO_LOOP_N	1000
GUEST_BEGIN(pio_loop)
	.code64
	xor %ecx, %ecx
1:	mov %ecx, %eax
	out %eax, $0xe8
	inc %ecx
	cmp $PIO_LOOP_N, %ecx
	jne 1b
	xor %ecx, %ecx
	xor %ebx, %ebx
2:	in $0xea, %eax
	add %rax, %rbx
	inc %ecx
	cmp $PIO_LOOP_N, %ecx
	jne 2b
	mov %rbx, GUEST_REPORT_GPA
	hlt
GUEST_END(pio_loop)

	.section .note.GNU-stack, "", @progbits
