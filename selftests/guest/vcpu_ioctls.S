/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the vcpu_ioctls suite: each shows the host what it sees of state
 * the host set through an ioctl, in the report page (R), or sets state the
 * host then reads back.
 */
#include "guest.h"

#define R	GUEST_REPORT_GPA
#define D	GUEST_DATA_GPA

/* Counts 1, 2, 3... to the host, one report each; other registers untouched. */
GUEST_BEGIN(vi_count)
	.code64
	xor %eax, %eax
1:	inc %eax
	GUEST_REPORT_EAX
	jmp 1b
GUEST_END(vi_count)

/* The general-purpose registers, in struct kvm_regs order, and RFLAGS. */
GUEST_BEGIN(vi_regs)
	.code64
	mov %rax, R + 0x00
	mov %rbx, R + 0x08
	mov %rcx, R + 0x10
	mov %rdx, R + 0x18
	mov %rsi, R + 0x20
	mov %rdi, R + 0x28
	mov %rsp, R + 0x30
	mov %rbp, R + 0x38
	mov %r8, R + 0x40
	mov %r9, R + 0x48
	mov %r10, R + 0x50
	mov %r11, R + 0x58
	mov %r12, R + 0x60
	mov %r13, R + 0x68
	mov %r14, R + 0x70
	mov %r15, R + 0x78
	pushfq
	popq R + 0x88
	hlt
GUEST_END(vi_regs)

/* What the FS and GS bases, CR2, CR0, CR4 and EFER say. */
GUEST_BEGIN(vi_sregs)
	.code64
	mov %fs:0, %rax
	mov %rax, R
	mov %gs:8, %rax
	mov %rax, R + 8
	mov %cr2, %rax
	mov %rax, R + 16
	mov %cr0, %rax
	mov %rax, R + 24
	mov %cr4, %rax
	mov %rax, R + 32
	mov $0xc0000080, %ecx
	rdmsr
	mov %eax, R + 40
	mov %edx, R + 44
	hlt
GUEST_END(vi_sregs)

/* x87 and SSE state from D for the host to read: XMM0-2, FCW, MXCSR, ST0. */
GUEST_BEGIN(vi_fpu_write)
	.code64
	movdqu D, %xmm0
	movdqu D + 16, %xmm1
	movdqu D + 32, %xmm2
	fninit
	fldcw D + 48
	ldmxcsr D + 52
	fld1
	hlt
GUEST_END(vi_fpu_write)

/* XMM0, XMM7, FCW and MXCSR as the host set them; then XMM1 from D. */
GUEST_BEGIN(vi_xsave_read)
	.code64
	movdqu %xmm0, R
	movdqu %xmm7, R + 16
	fnstcw R + 32
	stmxcsr R + 36
	movdqu D, %xmm1
	hlt
GUEST_END(vi_xsave_read)

/* XCR0 through XGETBV (the host sets CR4.OSXSAVE). */
GUEST_BEGIN(vi_xgetbv)
	.code64
	xor %ecx, %ecx
	xgetbv
	mov %eax, R
	mov %edx, R + 4
	hlt
GUEST_END(vi_xgetbv)

/*
 * Halts, expecting the host to inject an exception or an NMI there: the
 * stub records it and resumes at the fixup, which reports the vector. Going
 * on after the HLT instead is check 1 failing.
 */
GUEST_BEGIN(vi_event)
	.code64
	movq $ABS(vi_event, 1f), EXC_FIXUP
GUEST_LABEL(vi_event, hlt)
	hlt
	GUEST_FAIL(1)
1:	mov EXC_VECTOR, %rax
	mov %rax, R
	mov EXC_COUNT, %rax
	mov %rax, R + 8
	hlt
GUEST_END(vi_event)

/* Interrupts on, halts; an interrupt returns to after the HLT. */
GUEST_BEGIN(vi_interrupt)
	.code64
	sti
	hlt
	mov EXC_VECTOR, %rax
	mov %rax, R
	mov EXC_COUNT, %rax
	mov %rax, R + 8
	cli
	hlt
GUEST_END(vi_interrupt)

	.section .note.GNU-stack, "", @progbits
