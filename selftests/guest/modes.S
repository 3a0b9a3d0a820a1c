/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the modes suite: one per mode, each computing mode-specific
 * results into the report page (GUEST_REPORT_GPA, "R" below) and halting.
 * modes.c checks the results, RIP and the segment state at the HLT.
 */
#include "guest.h"

#define R	GUEST_REPORT_GPA

/*
 * Real mode, CS = DS = SS = 0. R+0..: 16-bit words.
 *  R+0   0xfff0 + 0x0020 wraps to 0x0010        R+2   its carry (1)
 *  R+4   0x5678, R+6 0x1234: popped from the stack in reverse push order
 *  R+8   0x0abc: from a near call                R+10  0x7777: from an INT
 *        through the IVT entry the guest wrote  R+12  SP after all that
 *  R+16  0xbeef: stored at 0x1010 with DS = 0x0400 (GPA 0x5010)
 *  R+18  CS after a far jump to 0x0700:ip (base 0x7000)
 *  R+20  0x12345678 low, R+22 high: a 32-bit operation (66 prefix)
 * Then it reports CR0 on GUEST_PORT_REPORT and halts.
 */
GUEST_BEGIN(guest_real)
	.code16
	mov $0xfff0, %ax
	add $0x0020, %ax
	mov %ax, R
	setc %al
	movzbw %al, %ax
	mov %ax, R + 2

	pushw $0x1234
	pushw $0x5678
	pop %bx
	pop %cx
	mov %bx, R + 4
	mov %cx, R + 6

	call 1f
	mov %ax, R + 8

	movw $(ABS(guest_real, 2f)), 0x30 * 4
	movw $0, 0x30 * 4 + 2
	xor %dx, %dx
	int $0x30
	mov %dx, R + 10
	mov %sp, R + 12

	mov $0x0400, %ax
	mov %ax, %ds
	movw $0xbeef, 0x1010
	xor %ax, %ax
	mov %ax, %ds

	ljmp $0x0700, $(ABS(guest_real, 3f) - 0x7000)
3:	mov %cs, %ax
	mov %ax, R + 18
	mov $0x12345678, %eax
	mov %eax, R + 20
	mov %cr0, %eax
	GUEST_REPORT_EAX
GUEST_LABEL(guest_real, hlt)
	hlt

1:	mov $0x0abc, %ax
	ret
2:	mov $0x7777, %dx
	iret
GUEST_END(guest_real)

/*
 * 32-bit protected mode, flat segments. R+0..: 32-bit words.
 *  R+0   0xffffffff + 2 wraps to 1               R+4   its carry (1)
 *  R+8   low, R+12 high half of 0x12345678 * 0x100 (MUL: EDX:EAX)
 *  R+16  0xcafef00d through the stack            R+20  0x0abc0def from a call
 *  R+24  CS after a far jump (SEL_CODE32; self-checked: check 1)
 *  R+28  ESP at the end
 *  R+32  0x8000: 0x7fff incremented by 16-bit INC with a 66 prefix
 *        (EAX was 0xffff7fff; the upper half stays)
 */
GUEST_BEGIN(guest_prot32)
	.code32
	mov $0xffffffff, %eax
	add $2, %eax
	mov %eax, R
	setc %bl
	movzbl %bl, %ebx
	mov %ebx, R + 4

	mov $0x12345678, %eax
	mov $0x100, %ecx
	mul %ecx
	mov %eax, R + 8
	mov %edx, R + 12

	push $0xcafef00d
	pop %eax
	mov %eax, R + 16
	call 1f
	mov %eax, R + 20

	ljmp $SEL_CODE32, $ABS(guest_prot32, 2f)
2:	mov %cs, %eax
	mov %eax, R + 24
	GUEST_CHECK(%eax, SEL_CODE32, 1)
	mov %esp, R + 28
	mov $0xffff7fff, %eax
	inc %ax
	mov %eax, R + 32
GUEST_LABEL(guest_prot32, hlt)
	hlt

1:	mov $0x0abc0def, %eax
	ret
GUEST_END(guest_prot32)

/*
 * 64-bit long mode, identity-mapped, plus an alias the test maps at
 * LONG_ALIAS_GVA for GUEST_DATA_GPA. R+0..: 64-bit words.
 *  R+0   0x123456789abcdef0 rotated left by 16: 0x56789abcdef01234
 *  R+8   carry of 0xffffffffffffffff + 1 (1)     R+16  RDX of 2^63 * 4 (MUL: 2)
 *  R+24  1: a 32-bit MOV zero-extends into RAX (which was all ones)
 *  R+32  -2 pushed as a sign-extended imm8, popped
 *  R+40  0x1122334455667788 written through the alias, read back through
 *        the identity map
 *  R+48  0x80: 0x7f after byte 0x40, which in compatibility mode (a far
 *        return to SEL_CODE32) is INC EAX and in 64-bit mode a REX prefix
 *        (self-checked in compatibility mode: check 2)
 *  R+56  CS back in 64-bit mode (SEL_CODE64)     R+64  CR0
 *  R+72  CR4                                    R+80  EFER (RDMSR)
 *  R+88  CR3                                    R+96  RSP at the end
 */
#define LONG_ALIAS_GVA	0xffff800000000000

GUEST_BEGIN(guest_long)
	.code64
	movabs $0x123456789abcdef0, %rax
	mov $16, %cl
	rol %cl, %rax
	mov %rax, R

	mov $-1, %rax
	add $1, %rax
	setc %bl
	movzbq %bl, %rbx
	mov %rbx, R + 8

	movabs $0x8000000000000000, %rax
	mov $4, %ecx
	mul %rcx
	mov %rdx, R + 16

	mov $-1, %rax
	mov $1, %eax
	mov %rax, R + 24

	push $-2
	pop %rax
	mov %rax, R + 32

	movabs $LONG_ALIAS_GVA, %rdi
	movabs $0x1122334455667788, %rax
	mov %rax, (%rdi)
	mov GUEST_DATA_GPA, %rax
	mov %rax, R + 40

	pushq $SEL_CODE32
	pushq $ABS(guest_long, 1f)
	lretq
	.code32
1:	mov $0x7f, %eax
	.byte 0x40
	mov %eax, R + 48
	GUEST_CHECK(%eax, 0x80, 2)
	ljmp $SEL_CODE64, $ABS(guest_long, 2f)
	.code64
2:	mov %cs, %eax
	mov %rax, R + 56
	mov %cr0, %rax
	mov %rax, R + 64
	mov %cr4, %rax
	mov %rax, R + 72
	mov $0xc0000080, %ecx
	rdmsr
	shl $32, %rdx
	or %rdx, %rax
	mov %rax, R + 80
	mov %cr3, %rax
	mov %rax, R + 88
	mov %rsp, R + 96
GUEST_LABEL(guest_long, hlt)
	hlt
GUEST_END(guest_long)

	.section .note.GNU-stack, "", @progbits
