/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For the backends' entry stubs (vmx/entry.S, svm/entry.S): the guest's GPRs
 * move between the CPU and the vCPU's array, which holds them in encoding
 * order (RAX 0, RCX 1, ... R15 15). RSP never moves here: VMX and SVM switch
 * it through the VMCS/VMCB. Assembler only.
 */
#ifndef MINIVIRT_ENTRY_GPRS_H
#define MINIVIRT_ENTRY_GPRS_H

#define GPR(n)		((n) * 8)

/* Slot n of the array at \base into \r, unless \r is \base. */
.macro MV_LOAD_GPR r:req, n:req, base:req
	.ifnc \r, \base
	mov	GPR(\n)(\base), \r
	.endif
.endm

/*
 * Loads the guest's RCX, RDX, RBX, RBP, RSI, RDI and R8-R15 from the array
 * at \base, whose own slot \slot goes last. RAX only as \base (on SVM it
 * lives in the VMCB).
 */
.macro MV_LOAD_GUEST_GPRS base:req, slot:req
	MV_LOAD_GPR %rcx, 1, \base
	MV_LOAD_GPR %rdx, 2, \base
	MV_LOAD_GPR %rbx, 3, \base
	MV_LOAD_GPR %rbp, 5, \base
	MV_LOAD_GPR %rsi, 6, \base
	MV_LOAD_GPR %rdi, 7, \base
	MV_LOAD_GPR %r8, 8, \base
	MV_LOAD_GPR %r9, 9, \base
	MV_LOAD_GPR %r10, 10, \base
	MV_LOAD_GPR %r11, 11, \base
	MV_LOAD_GPR %r12, 12, \base
	MV_LOAD_GPR %r13, 13, \base
	MV_LOAD_GPR %r14, 14, \base
	MV_LOAD_GPR %r15, 15, \base
	mov	GPR(\slot)(\base), \base
.endm

/* Stores the guest's GPRs but RAX and RSP into the array at %rax. */
.macro MV_SAVE_GUEST_GPRS
	mov	%rcx, GPR(1)(%rax)
	mov	%rdx, GPR(2)(%rax)
	mov	%rbx, GPR(3)(%rax)
	mov	%rbp, GPR(5)(%rax)
	mov	%rsi, GPR(6)(%rax)
	mov	%rdi, GPR(7)(%rax)
	mov	%r8, GPR(8)(%rax)
	mov	%r9, GPR(9)(%rax)
	mov	%r10, GPR(10)(%rax)
	mov	%r11, GPR(11)(%rax)
	mov	%r12, GPR(12)(%rax)
	mov	%r13, GPR(13)(%rax)
	mov	%r14, GPR(14)(%rax)
	mov	%r15, GPR(15)(%rax)
.endm

#endif /* MINIVIRT_ENTRY_GPRS_H */
