/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Exception and interrupt stubs for guests with an IDT (lib/vm.c, VM_IDT):
 * loaded at GUEST_STUBS_GPA, one 16-byte stub per vector, which the IDT's
 * interrupt gates point at. Each stub pushes a dummy error code where the CPU
 * pushes none, then the vector, and jumps to the common handler, which fills
 * the exception record (vector, error code, return RIP, count; layout.h) and
 * then:
 *  - if the guest stored a fixup address at EXC_FIXUP, clears it and returns
 *    there (an expected exception: the guest goes on at its fixup label);
 *  - else, for vectors 32-255 (interrupts), returns to the interrupted code;
 *  - else reports the vector on GUEST_PORT_EXC and halts for good.
 */
#include "guest.h"


GUEST_BEGIN(guest_stubs64)
	.code64
	.set vec, 0
	.rept 256
	.balign 16
	.if !HAS_ERR(vec)
	pushq $0
	.endif
	pushq $vec
	jmp common64
	.set vec, vec + 1
	.endr

common64:
	push %rax
	mov 8(%rsp), %rax
	mov %rax, EXC_VECTOR
	mov 16(%rsp), %rax
	mov %rax, EXC_ERROR
	mov 24(%rsp), %rax
	mov %rax, EXC_RIP
	incq EXC_COUNT
	mov EXC_FIXUP, %rax
	test %rax, %rax
	jz 1f
	mov %rax, 24(%rsp)
	movq $0, EXC_FIXUP
	jmp 2f
1:	cmpq $32, 8(%rsp)
	jb unexpected64
2:	pop %rax
	add $16, %rsp
	iretq
unexpected64:
	mov 8(%rsp), %eax
	mov $GUEST_PORT_EXC, %dx
	out %eax, %dx
3:	hlt
	jmp 3b
GUEST_END(guest_stubs64)

GUEST_BEGIN(guest_stubs32)
	.code32
	.set vec, 0
	.rept 256
	.balign 16
	.if !HAS_ERR(vec)
	pushl $0
	.endif
	pushl $vec
	jmp common32
	.set vec, vec + 1
	.endr

common32:
	push %eax
	mov 4(%esp), %eax
	mov %eax, EXC_VECTOR
	movl $0, EXC_VECTOR + 4
	mov 8(%esp), %eax
	mov %eax, EXC_ERROR
	movl $0, EXC_ERROR + 4
	mov 12(%esp), %eax
	mov %eax, EXC_RIP
	movl $0, EXC_RIP + 4
	incl EXC_COUNT
	mov EXC_FIXUP, %eax
	test %eax, %eax
	jz 1f
	mov %eax, 12(%esp)
	movl $0, EXC_FIXUP
	jmp 2f
1:	cmpl $32, 4(%esp)
	jb unexpected32
2:	pop %eax
	add $8, %esp
	iret
unexpected32:
	mov 4(%esp), %eax
	mov $GUEST_PORT_EXC, %dx
	out %eax, %dx
3:	hlt
	jmp 3b
GUEST_END(guest_stubs32)

	.section .note.GNU-stack, "", @progbits
