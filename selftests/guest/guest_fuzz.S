/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The differential guest fuzzer's exception and interrupt stubs
 * (selftests/guest_fuzz.c), loaded at GUEST_STUBS_GPA, one 16-byte stub per
 * vector in the mode's format (16-bit for the real-mode IVT, 32-bit and
 * 64-bit for the IDT's interrupt gates). Each stub reports its vector and
 * error code (0 where the CPU pushes none) as one OUT of the error code to
 * port GF_PORT_EXC + vector, then returns to the start of the 32-byte slot
 * after the one that was interrupted (guest_fuzz/gen.c lays the random
 * instructions out in such slots), restoring every register it used.
 * The 32- and 64-bit stubs return with RFLAGS.RF clear: a fault's frame
 * has it set (SDM vol 3A 17.3.1.1), and after an instruction the
 * hypervisor skips KVM leaves it set (kvm_skip_emulated_instruction())
 * where the CPU, and minivirt, clear it; README.md, "The guest fuzzer".
 * #DF and #MC are aborts whose saved RIP is undefined (SDM vol 3A 6.15,
 * interrupts 8 and 18): their stubs end the sequence with an OUT to
 * GF_PORT_ABORT instead.
 */
#include "guest.h"
#include "../guest_fuzz/ports.h"

#define X86_RF		0x10000

GUEST_BEGIN(gf_stubs64)
	.code64
	.set vec, 0
	.rept 256
	.balign 16
	.if !HAS_ERR(vec)
	pushq $0
	.endif
	pushq $vec
	jmp gf_common64
	.set vec, vec + 1
	.endr
gf_common64:
	push %rax
	push %rdx
	mov 16(%rsp), %edx
	add $GF_PORT_EXC, %edx
	mov 24(%rsp), %eax
	out %eax, %dx
	cmpl $8, 16(%rsp)
	je gf_abort64
	cmpl $18, 16(%rsp)
	je gf_abort64
	mov 32(%rsp), %rax
	and $~(GF_SLOT - 1), %rax
	add $GF_SLOT, %rax
	mov %rax, 32(%rsp)
	pop %rdx
	pop %rax
	add $16, %rsp
	andl $~X86_RF, 16(%rsp)
	iretq
gf_abort64:
	mov $GF_PORT_ABORT, %dx
	out %eax, %dx
	cli
1:	hlt
	jmp 1b
GUEST_END(gf_stubs64)

GUEST_BEGIN(gf_stubs32)
	.code32
	.set vec, 0
	.rept 256
	.balign 16
	.if !HAS_ERR(vec)
	pushl $0
	.endif
	pushl $vec
	jmp gf_common32
	.set vec, vec + 1
	.endr
gf_common32:
	push %eax
	push %edx
	mov 8(%esp), %edx
	add $GF_PORT_EXC, %edx
	mov 12(%esp), %eax
	out %eax, %dx
	cmpl $8, 8(%esp)
	je gf_abort32
	cmpl $18, 8(%esp)
	je gf_abort32
	mov 16(%esp), %eax
	and $~(GF_SLOT - 1), %eax
	add $GF_SLOT, %eax
	mov %eax, 16(%esp)
	pop %edx
	pop %eax
	add $8, %esp
	andl $~X86_RF, 8(%esp)
	iret
gf_abort32:
	mov $GF_PORT_ABORT, %dx
	out %eax, %dx
	cli
1:	hlt
	jmp 1b
GUEST_END(gf_stubs32)

/* Real mode: no error codes; the IVT holds 0:offset of each stub. */
GUEST_BEGIN(gf_stubs16)
	.code16
	.set vec, 0
	.rept 256
	.balign 16
	pushw $vec
	jmp gf_common16
	.set vec, vec + 1
	.endr
gf_common16:
	push %bp
	mov %sp, %bp
	push %eax
	push %edx
	mov 2(%bp), %dx
	add $GF_PORT_EXC, %dx
	xor %eax, %eax
	out %eax, %dx
	mov 4(%bp), %ax
	and $~(GF_SLOT - 1), %ax
	add $GF_SLOT, %ax
	mov %ax, 4(%bp)
	pop %edx
	pop %eax
	pop %bp
	add $2, %sp
	iret
GUEST_END(gf_stubs16)

	.section .note.GNU-stack, "", @progbits
