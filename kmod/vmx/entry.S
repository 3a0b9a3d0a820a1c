/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Entering a VMX guest once (SDM vol 3C 27 "VM Entries", 28 "VM Exits"; the
 * instructions in 31.3 "VMX Instructions"), as KVM's __vmx_vcpu_run() does.
 *
 * int mv_vmx_vcpu_run(u64 *gprs, bool launched)
 *	gprs: the guest's 16 GPRs in encoding order; RSP lives in the VMCS and
 *	is not touched here. launched: VMRESUME, else VMLAUNCH. The caller has
 *	IRQs off and the vCPU's VMCS current. Returns 0 after a VM exit (or a
 *	VM-entry failure, which the exit reason reports), 1 if VMLAUNCH/VMRESUME
 *	failed as an instruction (VMfailValid: the VM-instruction error field
 *	says why), 2 if a VMX instruction faulted: VMX is off on this CPU (a
 *	reboot switched it off underneath us).
 *
 * A VM exit loads RSP from HOST_RSP and jumps to HOST_RIP, mv_vmx_vmexit
 * (28.5.3 "Loading Host RIP, RSP, RFLAGS..."): HOST_RSP is written here, with
 * the stack exactly as the exit path expects it.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/bitsperlong.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

#include "../entry_gprs.h"

#define VMCS_HOST_RSP	0x6c14		/* vmcs.h; SDM vol 3D B.4.4 */

/*
 * Right before VMLAUNCH/VMRESUME: clear CPU buffers (MDS and relatives), as
 * KVM does; the macro's name changed between Linux 6.1 and 6.12 backports
 * (Kbuild probes which we have). It clobbers ZF only.
 */
#if defined(MV_HAVE_VM_CLEAR_CPU_BUFFERS)
#define MV_VMENTRY_CLEAR_CPU_BUFFERS	VM_CLEAR_CPU_BUFFERS
#elif defined(MV_HAVE_CLEAR_CPU_BUFFERS)
#define MV_VMENTRY_CLEAR_CPU_BUFFERS	CLEAR_CPU_BUFFERS
#else
#define MV_VMENTRY_CLEAR_CPU_BUFFERS
#endif

	.section .text, "ax"

SYM_FUNC_START(mv_vmx_vcpu_run)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx

	/* Needed after the exit: the GPR array. */
	push	%rdi

	/* Where the exit finds its stack. */
	mov	$VMCS_HOST_RSP, %eax
1:	vmwrite	%rsp, %rax
	jna	.Lvmfail

	/* CF = launched: kept through the MOVs below (they leave flags alone). */
	bt	$0, %esi
	mov	%rdi, %rax
	MV_LOAD_GUEST_GPRS %rax, 0

	MV_VMENTRY_CLEAR_CPU_BUFFERS

	jnc	.Lvmlaunch

	/* A successful entry leaves at mv_vmx_vmexit, not here. */
	UNWIND_HINT_SAVE
2:	vmresume
	jmp	.Lvmfail
.Lvmlaunch:
3:	vmlaunch
	jmp	.Lvmfail

	_ASM_EXTABLE(1b, .Lfault)
	_ASM_EXTABLE(2b, .Lfault)
	_ASM_EXTABLE(3b, .Lfault)

SYM_INNER_LABEL(mv_vmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR

	/* The guest's RAX goes to the array, whose address is on the stack. */
	push	%rax
	mov	8(%rsp), %rax
	pop	GPR(0)(%rax)
	MV_SAVE_GUEST_GPRS
	xor	%ebx, %ebx		/* return 0 */

.Lout:
	pop	%rax			/* the GPR array */

	/* No guest value may linger in a register for speculation to use. */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebp, %ebp
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d

	/*
	 * Before the first RET: refill the return stack buffer (or, with
	 * eIBRS, retire one call) so that the guest cannot steer the host's
	 * returns, as KVM's __vmx_vcpu_run() does.
	 */
	FILL_RETURN_BUFFER %rcx, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Where the kernel uses IBRS as its own mitigation, write it again
	 * after the guest ran (KVM's vmx_spec_ctrl_restore_host()); the guest
	 * never gets to write SPEC_CTRL itself (the MSR exits and #GPs).
	 */
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PER_CPU_VAR(x86_spec_ctrl_current), %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	wrmsr
	lfence
.Lspec_ctrl_done:
	CLEAR_BRANCH_HISTORY_VMEXIT

	mov	%ebx, %eax
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmfail:
	mov	$1, %ebx
	jmp	.Lout
.Lfault:
	mov	$2, %ebx
	jmp	.Lout
SYM_FUNC_END(mv_vmx_vcpu_run)

/*
 * void mv_vmx_do_nmi_irqoff(void)
 * An NMI that exited the guest was consumed by the exit: hand it to the
 * host's NMI handler through an interrupt frame, as if it had arrived here
 * (KVM's vmx_do_nmi_irqoff()). The handler's IRET unblocks NMIs. The entry
 * point without IST is exported for this on both kernels, under two names.
 */
#if defined(MV_HAVE_EXC_NMI_KVM_VMX)
#define MV_NMI_ENTRY	asm_exc_nmi_kvm_vmx
#elif defined(MV_HAVE_EXC_NMI_NOIST)
#define MV_NMI_ENTRY	asm_exc_nmi_noist
#endif

SYM_FUNC_START(mv_vmx_do_nmi_irqoff)
#ifdef MV_NMI_ENTRY
	push	%rbp
	mov	%rsp, %rbp
	/* The CPU aligns the stack to 16 bytes before pushing the frame. */
	and	$-16, %rsp
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	call	MV_NMI_ENTRY
	/* IRET restored RSP already; this says so to objtool. */
	mov	%rbp, %rsp
	pop	%rbp
#else
	int	$2	/* no entry point for VMX: through the IDT, as KVM once did */
#endif
	RET
SYM_FUNC_END(mv_vmx_do_nmi_irqoff)
