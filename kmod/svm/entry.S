/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entering an SVM guest once: VMSAVE the host's state that #VMEXIT does not
 * restore, VMLOAD the guest's, load guest GPRs, VMRUN, save guest GPRs, VMSAVE
 * the guest's state, VMLOAD the host's. APM vol 2 15.5 "VMRUN Instruction"
 * and 15.5.2 "VMSAVE and VMLOAD Instructions".
 *
 * Called with GIF clear and RFLAGS.IF set: with V_INTR_MASKING the host's IF
 * at VMRUN decides whether physical interrupts exit the guest (APM vol 2
 * 15.21.1), and GIF keeps them pending until the caller's STGI.
 *
 * int mv_svm_vmrun(u64 *gprs, u64 vmcb_pa, u64 host_save_pa, u64 host_load_pa)
 *	gprs: the guest's 16 GPRs in encoding order (RAX and RSP live in the
 *	VMCB and are not touched here). host_save_pa: where to VMSAVE the
 *	host's state first, or 0 if it is there already; host_load_pa: where
 *	to VMLOAD it from after #VMEXIT. Returns 0, or 1 if an SVM instruction
 *	faulted (SVM switched off underneath us, e.g. by a reboot).
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/bitsperlong.h>
#include <asm/nospec-branch.h>

#include "../entry_gprs.h"

/*
 * Before the first RET after #VMEXIT: refill the return stack buffer and
 * untrain return predictions, as KVM's __svm_vcpu_run() does; the macros
 * changed names between Linux 6.1 and 6.12 (Kbuild probes which we have).
 */
#ifdef MV_HAVE_UNTRAIN_RET_VM
#define MV_VMEXIT_MITIGATIONS						\
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT;	\
	UNTRAIN_RET_VM
#else
#define MV_VMEXIT_MITIGATIONS						\
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RETPOLINE;	\
	UNTRAIN_RET;							\
	ALTERNATIVE "", "call entry_ibpb", X86_FEATURE_IBPB_ON_VMEXIT
#endif

	.section .text, "ax"

SYM_FUNC_START(mv_svm_vmrun)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* Needed after #VMEXIT, popped in this order: gprs, vmcb, host. */
	push	%rcx
	push	%rsi
	push	%rdi

	test	%rdx, %rdx
	jz	11f
	mov	%rdx, %rax
1:	vmsave	%rax
11:	mov	%rsi, %rax
2:	vmload	%rax

	MV_LOAD_GUEST_GPRS %rdi, 7

3:	vmrun	%rax
4:
	/* #VMEXIT restored RAX (the VMCB's address) and RSP; the rest is the guest's. */
	pop	%rax
	MV_SAVE_GUEST_GPRS

	pop	%rax
5:	vmsave	%rax
	pop	%rax
6:	vmload	%rax		/* the host's GS base again: per-CPU data works */
	xor	%ebx, %ebx	/* return 0 */

7:
	/* Before any RET: the guest must not steer the host's return predictions. */
	MV_VMEXIT_MITIGATIONS

	/* No guest value may linger in a register for speculation to use. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	mov	%ebx, %eax

	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

	/* An SVM instruction faulted: #UD because EFER.SVME went away. */
10:	add	$24, %rsp
	mov	$1, %ebx
	jmp	7b
30:	/* after a VMRUN fault the guest GPRs are still ours to drop */
	add	$24, %rsp
	mov	$1, %ebx
	jmp	7b
50:	add	$8, %rsp	/* host save address still pushed */
	mov	$1, %ebx
	jmp	7b
60:	mov	$1, %ebx
	jmp	7b

	_ASM_EXTABLE(1b, 10b)
	_ASM_EXTABLE(2b, 10b)
	_ASM_EXTABLE(3b, 30b)
	_ASM_EXTABLE(5b, 50b)
	_ASM_EXTABLE(6b, 60b)
SYM_FUNC_END(mv_svm_vmrun)
