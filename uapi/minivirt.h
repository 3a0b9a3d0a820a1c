/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minivirt userspace API.
 *
 * /dev/minivirt speaks the KVM API, version 12, exactly as <linux/kvm.h> and the
 * kernel's Documentation/virt/kvm/api.rst define it: same ioctls, structures,
 * file-descriptor hierarchy and errno values. This header lists the subset that
 * is implemented, documents every place where minivirt answers differently from
 * KVM, and defines minivirt's own extensions. Anything not listed here is
 * refused: -ENOTTY for an ioctl, 0 from KVM_CHECK_EXTENSION.
 *
 * A landed structure layout never changes: the API grows by new ioctls and caps.
 */
#ifndef _UAPI_MINIVIRT_H
#define _UAPI_MINIVIRT_H

#include <linux/ioctl.h>
#include <linux/kvm.h>

#define MINIVIRT_DEVICE		"/dev/minivirt"

/*
 * The implemented subset, as X-macro lists, so that programs (and our
 * selftests) can walk them. X(ioctl) or X(cap) per entry.
 *
 * The GUEST lists exist only where the backend runs guests: both AMD-V and
 * Intel VT-x do; a backend that did not would report none of them (caps 0,
 * ioctls -ENOTTY). KVM_CAP_USER_MEMORY tells which case a program faces.
 */

/* On the /dev/minivirt fd. */
#define MINIVIRT_SYSTEM_IOCTLS(X)	\
	X(KVM_GET_API_VERSION)		\
	X(KVM_CHECK_EXTENSION)		\
	X(KVM_GET_VCPU_MMAP_SIZE)	\
	X(KVM_CREATE_VM)
#define MINIVIRT_GUEST_SYSTEM_IOCTLS(X)	\
	X(KVM_GET_SUPPORTED_CPUID)	\
	X(KVM_GET_MSR_INDEX_LIST)

/* On a VM fd. */
#define MINIVIRT_VM_IOCTLS(X)		\
	X(KVM_CHECK_EXTENSION)
#define MINIVIRT_GUEST_VM_IOCTLS(X)	\
	X(KVM_CREATE_VCPU)		\
	X(KVM_SET_USER_MEMORY_REGION)	\
	X(KVM_SET_TSS_ADDR)		\
	X(KVM_SET_IDENTITY_MAP_ADDR)

/* On a vCPU fd (which exists only where guests run). */
#define MINIVIRT_VCPU_IOCTLS(X)		\
	X(KVM_RUN)			\
	X(KVM_GET_REGS) X(KVM_SET_REGS)	\
	X(KVM_GET_SREGS) X(KVM_SET_SREGS) \
	X(KVM_GET_MSRS) X(KVM_SET_MSRS)	\
	X(KVM_SET_CPUID2) X(KVM_GET_CPUID2) \
	X(KVM_GET_FPU) X(KVM_SET_FPU)	\
	X(KVM_GET_XSAVE) X(KVM_SET_XSAVE) \
	X(KVM_GET_XCRS) X(KVM_SET_XCRS)	\
	X(KVM_INTERRUPT) X(KVM_NMI)	\
	X(KVM_GET_VCPU_EVENTS) X(KVM_SET_VCPU_EVENTS) \
	X(KVM_GET_MP_STATE) X(KVM_SET_MP_STATE) \
	X(KVM_TRANSLATE)		\
	X(KVM_SET_SIGNAL_MASK)		\
	X(KVM_SET_GUEST_DEBUG)		\
	X(KVM_GET_DEBUGREGS) X(KVM_SET_DEBUGREGS)

/* Capabilities KVM_CHECK_EXTENSION reports as present (non-zero). */
#define MINIVIRT_CAPS(X)		\
	X(KVM_CAP_CHECK_EXTENSION_VM)
#define MINIVIRT_GUEST_CAPS(X)		\
	X(KVM_CAP_USER_MEMORY)		\
	X(KVM_CAP_DESTROY_MEMORY_REGION_WORKS) \
	X(KVM_CAP_JOIN_MEMORY_REGIONS_WORKS) \
	X(KVM_CAP_INTERNAL_ERROR_DATA)	\
	X(KVM_CAP_READONLY_MEM)		\
	X(KVM_CAP_SET_TSS_ADDR)		\
	X(KVM_CAP_SET_IDENTITY_MAP_ADDR) \
	X(KVM_CAP_EXT_CPUID)		\
	X(KVM_CAP_IMMEDIATE_EXIT)	\
	X(KVM_CAP_VCPU_EVENTS)		\
	X(KVM_CAP_MP_STATE)		\
	X(KVM_CAP_SYNC_MMU)		\
	X(KVM_CAP_USER_NMI)		\
	X(KVM_CAP_XSAVE)		\
	X(KVM_CAP_XCRS)			\
	X(KVM_CAP_NR_MEMSLOTS)		\
	X(KVM_CAP_NR_VCPUS)		\
	X(KVM_CAP_MAX_VCPUS)		\
	X(KVM_CAP_MAX_VCPU_ID)		\
	X(KVM_CAP_SET_GUEST_DEBUG)	\
	X(KVM_CAP_SET_GUEST_DEBUG2)	\
	X(KVM_CAP_DEBUGREGS)		\
	X(KVM_CAP_SYNC_REGS)

/*
 * Where minivirt answers differently from KVM (x86, Linux 6.1 and 6.12):
 *
 * - An ioctl number minivirt does not know gets -ENOTTY, the kernel-wide
 *   answer for an unknown ioctl, on every fd. KVM answers -EINVAL on /dev/kvm
 *   (its kvm_arch_dev_ioctl() default case) and on vCPU fds
 *   (kvm_arch_vcpu_ioctl(), and any non-KVMIO type); on VM fds both answer
 *   -ENOTTY.
 * - KVM_GET_SUPPORTED_CPUID hides what minivirt does not virtualize: nested
 *   SVM/VMX, MONITOR/MWAIT, PCID, x2APIC (no in-kernel LAPIC), MTRRs, MCE/MCA,
 *   RDTSCP, PKU, speculation-control MSRs, and the KVM paravirtual leaves.
 * - KVM_GET_CPUID2 returns exactly the table set (as Linux 6.12; 6.1 returned
 *   it with KVM's runtime adjustments). The guest's CPUID still sees the
 *   dynamic bits (OSXSAVE, APIC, XSAVE size) as on KVM.
 * - KVM_GET_VCPU_EVENTS reports nmi.pending as the number of NMIs pending
 *   (0 to 2), as Linux 6.12 does; 6.1 said only whether any was pending.
 * - KVM_SET_SREGS validates as Linux 6.12 does: EFER bits the vCPU's CPUID
 *   does not allow (set KVM_SET_CPUID2 first, as QEMU does) and reserved EFER
 *   bits are refused (-EINVAL); 6.1 accepted them and failed the entry.
 * - MMIO is emulated for the general-purpose forms (MOV, MOVZX/MOVSX, MOV
 *   with an immediate, the ALU, XCHG, CMPXCHG and BT* forms with a memory
 *   operand), INS/OUTS, and the MMX/SSE moves KVM's emulator has (MOVQ mm,
 *   MOVDQA/MOVDQU, MOVUPS/MOVUPD, MOVAPS/MOVAPD, MOVNTPS/MOVNTPD/MOVNTDQ;
 *   16 bytes take two 8-byte exits, as on KVM). String moves (MOVS/STOS) to
 *   MMIO, which KVM's emulator also handles, give KVM_EXIT_INTERNAL_ERROR
 *   with KVM_INTERNAL_ERROR_EMULATION (as, on both, MOVD, the other MOVQ
 *   forms, MOVSS/MOVSD and the AVX (VEX) forms, which KVM's emulator lacks).
 *   An access across a page boundary is split there as on KVM, but both
 *   pages are taken to be MMIO and adjacent in guest-physical memory.
 * - Without an in-kernel irqchip, KVM_SET_MP_STATE accepts only RUNNABLE, as
 *   KVM does; an NMI pending while the guest runs on without exits after the
 *   handler's IRET is injected at its next exit (KVM single-steps the IRET).
 * - KVM_CREATE_VM accepts type 0 only (KVM_X86_DEFAULT_VM); other types get
 *   -EINVAL, as on KVM without confidential-VM support.
 * - On Intel VT-x without "unrestricted guest" (which needs EPT), real mode
 *   (CR0.PE clear) does not run: KVM_RUN gives KVM_EXIT_FAIL_ENTRY with
 *   hardware_entry_failure_reason 0x80000021 (VM-entry failure, invalid
 *   guest state), as the CPU would; KVM emulates real mode there instead.
 *   Without it and with nested paging, CR0.PG clear is refused the same way.
 *   Under shadow paging on VT-x, a guest in real mode runs unrestricted on
 *   EPT (vmx/vcpu.c): its page tables, the shadow's business, do not exist.
 * - Guest debugging (KVM_SET_GUEST_DEBUG, KVM_EXIT_DEBUG) follows KVM's VMX
 *   side on both vendors: a #DB exit reports dr6 as VMX's exit qualification
 *   | 0xffff0ff0 (KVM on SVM gives the raw DR6, which differs only in the
 *   RTM bit), and a guest MOV DR while the debugger's DR7 has GD exits with
 *   DR6.BD (KVM on SVM checks the guest's own DR7 there). An exception
 *   KVM_GUESTDBG_INJECT_BP or KVM_SET_VCPU_EVENTS queues as #BP (3) is
 *   injected as a hardware exception, so the guest's handler returns to RIP;
 *   KVM injects a software exception, returning past the instruction at RIP
 *   (SVM decodes it; VMX uses the length of the last #BP/#DB exit).
 *   KVM_GUESTDBG_BLOCKIRQ holds back NMIs (a KVM_INTERRUPT vector is already
 *   injected without an in-kernel irqchip, as on KVM).
 * - KVM_CREATE_VM gets -EBUSY while another hypervisor (kvm_intel, kvm_amd)
 *   holds VMX/SVM on any CPU. Linux 6.12's kvm.ko holds it from module load
 *   (parameter enable_virt_at_load=Y), 6.1's only while it has a VM.
 */

/*
 * minivirt's own extensions: ioctl type 0xAF, numbers 0x80-0xFF
 * (0xAF 0x00-0x1F belongs to linux/fsl_hypervisor.h; see the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst).
 */
#define MINIVIRT_IO		0xAF
#define MINIVIRT_IO_BASE	0x80

/*
 * The paging mode of a VM, on its VM fd: nested paging (AMD NPT / Intel EPT:
 * the hardware walks guest tables and ours) or shadow paging (our tables map
 * guest linear addresses directly; guest page tables are write-protected).
 * The default comes from the module parameter tdp (1: nested). Set before
 * the VM's first vCPU: -EBUSY after; -EINVAL for an unknown mode;
 * -EOPNOTSUPP if this backend or CPU lacks the mode. KVM has only a module
 * parameter (kvm_amd npt=, kvm_intel ept=); a per-VM choice lets one host
 * compare both.
 */
#define MINIVIRT_MMU_NESTED	0
#define MINIVIRT_MMU_SHADOW	1
#define MINIVIRT_SET_MMU	_IOW(MINIVIRT_IO, MINIVIRT_IO_BASE + 0, __u32)
#define MINIVIRT_GET_MMU	_IOR(MINIVIRT_IO, MINIVIRT_IO_BASE + 1, __u32)

/* minivirt's own VM ioctls (where guests run; not on KVM). */
#define MINIVIRT_EXT_VM_IOCTLS(X)	\
	X(MINIVIRT_SET_MMU)		\
	X(MINIVIRT_GET_MMU)

#endif /* _UAPI_MINIVIRT_H */
