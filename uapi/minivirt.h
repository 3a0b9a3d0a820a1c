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
 * KVM_SET_USER_MEMORY_REGION2 (Linux 6.8), for headers older than it
 * (Linux 6.1's): the layout and numbers of <linux/kvm.h>.
 */
#ifndef KVM_CAP_USER_MEMORY2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_CAP_USER_MEMORY2		231
#define KVM_SET_USER_MEMORY_REGION2	_IOW(KVMIO, 0x49, \
					     struct kvm_userspace_memory_region2)
#endif

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
	X(KVM_GET_MSR_INDEX_LIST)	\
	X(KVM_GET_MSR_FEATURE_INDEX_LIST) \
	X(KVM_GET_MSRS)			\
	X(KVM_X86_GET_MCE_CAP_SUPPORTED) \
	X(KVM_GET_DEVICE_ATTR)		\
	X(KVM_HAS_DEVICE_ATTR)

/* On a VM fd. */
#define MINIVIRT_VM_IOCTLS(X)		\
	X(KVM_CHECK_EXTENSION)
#define MINIVIRT_GUEST_VM_IOCTLS(X)	\
	X(KVM_CREATE_VCPU)		\
	X(KVM_SET_USER_MEMORY_REGION)	\
	X(KVM_SET_USER_MEMORY_REGION2)	\
	X(KVM_SET_TSS_ADDR)		\
	X(KVM_SET_NR_MMU_PAGES)		\
	X(KVM_SET_IDENTITY_MAP_ADDR)	\
	X(KVM_SET_GSI_ROUTING)		\
	X(KVM_GET_CLOCK) X(KVM_SET_CLOCK) \
	X(KVM_GET_TSC_KHZ) X(KVM_SET_TSC_KHZ) \
	X(KVM_GET_DIRTY_LOG)		\
	X(KVM_CLEAR_DIRTY_LOG)		\
	X(KVM_ENABLE_CAP)		\
	X(KVM_CREATE_IRQCHIP)		\
	X(KVM_GET_IRQCHIP) X(KVM_SET_IRQCHIP) \
	X(KVM_IRQ_LINE) X(KVM_IRQ_LINE_STATUS) \
	X(KVM_SIGNAL_MSI)		\
	X(KVM_IRQFD) X(KVM_IOEVENTFD)	\
	X(KVM_CREATE_PIT) X(KVM_CREATE_PIT2) \
	X(KVM_GET_PIT) X(KVM_SET_PIT)	\
	X(KVM_GET_PIT2) X(KVM_SET_PIT2)	\
	X(KVM_REINJECT_CONTROL)		\
	X(KVM_SET_BOOT_CPU_ID)

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
	X(KVM_X86_SETUP_MCE) X(KVM_X86_SET_MCE) \
	X(KVM_GET_TSC_KHZ) X(KVM_SET_TSC_KHZ) \
	X(KVM_SET_GUEST_DEBUG)		\
	X(KVM_GET_DEBUGREGS) X(KVM_SET_DEBUGREGS) \
	X(KVM_GET_LAPIC) X(KVM_SET_LAPIC) \
	X(KVM_SET_VAPIC_ADDR)

/* Capabilities KVM_CHECK_EXTENSION reports as present (non-zero). */
#define MINIVIRT_CAPS(X)		\
	X(KVM_CAP_CHECK_EXTENSION_VM)
#define MINIVIRT_GUEST_CAPS(X)		\
	X(KVM_CAP_USER_MEMORY)		\
	X(KVM_CAP_USER_MEMORY2)		\
	X(KVM_CAP_DESTROY_MEMORY_REGION_WORKS) \
	X(KVM_CAP_JOIN_MEMORY_REGIONS_WORKS) \
	X(KVM_CAP_INTERNAL_ERROR_DATA)	\
	X(KVM_CAP_READONLY_MEM)		\
	X(KVM_CAP_SET_TSS_ADDR)		\
	X(KVM_CAP_MMU_SHADOW_CACHE_CONTROL) \
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
	X(KVM_CAP_IRQ_ROUTING)		\
	X(KVM_CAP_MCE)			\
	X(KVM_CAP_GET_MSR_FEATURES)	\
	X(KVM_CAP_MSR_PLATFORM_INFO)	\
	X(KVM_CAP_SYS_ATTRIBUTES)	\
	X(KVM_CAP_DISABLE_QUIRKS)	\
	X(KVM_CAP_DISABLE_QUIRKS2)	\
	X(KVM_CAP_ADJUST_CLOCK)		\
	X(KVM_CAP_GET_TSC_KHZ)		\
	X(KVM_CAP_ENABLE_CAP_VM)	\
	X(KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) \
	X(KVM_CAP_SET_GUEST_DEBUG)	\
	X(KVM_CAP_SET_GUEST_DEBUG2)	\
	X(KVM_CAP_DEBUGREGS)		\
	X(KVM_CAP_SYNC_REGS)		\
	X(KVM_CAP_IRQCHIP)		\
	X(KVM_CAP_HLT)			\
	X(KVM_CAP_SPLIT_IRQCHIP)	\
	X(KVM_CAP_X2APIC_API)		\
	X(KVM_CAP_TSC_DEADLINE_TIMER)	\
	X(KVM_CAP_IRQ_INJECT_STATUS)	\
	X(KVM_CAP_SIGNAL_MSI)		\
	X(KVM_CAP_SET_BOOT_CPU_ID)	\
	X(KVM_CAP_PIT) X(KVM_CAP_PIT2)	\
	X(KVM_CAP_PIT_STATE2)		\
	X(KVM_CAP_REINJECT_CONTROL)	\
	X(KVM_CAP_IRQFD) X(KVM_CAP_IRQFD_RESAMPLE) \
	X(KVM_CAP_IOEVENTFD)		\
	X(KVM_CAP_IOEVENTFD_ANY_LENGTH)	\
	X(KVM_CAP_IOEVENTFD_NO_LENGTH)

/*
 * Where minivirt answers differently from KVM (x86, Linux 6.1 and 6.12):
 *
 * - An ioctl number minivirt does not know gets -ENOTTY, the kernel-wide
 *   answer for an unknown ioctl, on every fd. KVM answers -EINVAL on /dev/kvm
 *   (its kvm_arch_dev_ioctl() default case) and on vCPU fds
 *   (kvm_arch_vcpu_ioctl(), and any non-KVMIO type); on VM fds both answer
 *   -ENOTTY.
 * - KVM_GET_SUPPORTED_CPUID hides what minivirt does not virtualize: nested
 *   SVM/VMX, MONITOR/MWAIT, PCID, PKU with shadow paging (offered, as by
 *   KVM, when the host runs with it and new VMs get nested paging),
 *   speculation-control MSRs (so a guest's SPEC_CTRL and VIRT_SPEC_CTRL
 *   #GP, and KVM_GET_MSR_INDEX_LIST lists neither), and of KVM's
 *   paravirtual features all but kvmclock and NOP_IO_DELAY (below).
 * - KVM_GET/HAS_DEVICE_ATTR on the system fd (KVM_CAP_SYS_ATTRIBUTES) know
 *   group 0's KVM_X86_XCOMP_GUEST_SUPP only: no vendor group (kvm_amd since
 *   6.10 answers KVM_X86_GRP_SEV's KVM_X86_SEV_VMSA_FEATURES); on VM and
 *   vCPU fds they are -ENOTTY (no KVM_CAP_VCPU_ATTRIBUTES, KVM_VCPU_TSC_CTRL).
 * - KVM_X86_GET_MCE_CAP_SUPPORTED is MCG_CTL_P | MCG_SER_P on both vendors
 *   (KVM on Intel adds MCG_LMCE_P and MCG_CMCI_P, which need its LAPIC), so
 *   the MCi_CTL2 MSRs read 0 and take only 0 from userspace. KVM_X86_SET_MCE
 *   logs a UCNA error without the CMCI interrupt.
 * - KVM_GET_MSR_FEATURE_INDEX_LIST lists IA32_UCODE_REV and
 *   IA32_PERF_CAPABILITIES (0: no PMU, as KVM with enable_pmu=0 or on AMD):
 *   of KVM's feature MSRs, minivirt emulates no other on vCPUs
 *   (ARCH_CAPABILITIES, AMD's DE_CFG, the VMX capability MSRs).
 * - No coalesced MMIO (KVM_CAP_COALESCED_MMIO, KVM_CAP_COALESCED_PIO 0):
 *   every MMIO write no in-kernel device takes exits at once.
 * - The in-kernel LAPIC has no hardware acceleration (AVIC, APICv): every
 *   guest xAPIC access exits and is emulated (as KVM with enable_apicv=0).
 * - KVM_SET_VAPIC_ADDR takes only 0 (no vAPIC page: KVM_CAP_VAPIC is 0 and
 *   KVM_TPR_ACCESS_REPORTING absent, so QEMU's kvmvapic ROM stays idle and
 *   only clears the address at reset); KVM also takes a mapped page.
 * - The LAPIC's TPR keeps bits 3:0 a guest writes through the xAPIC page or
 *   the x2APIC MSR (SDM vol 3A 10.8.3.1), on both vendors. KVM on AMD drops
 *   them at the next exit (svm.c sync_cr8_to_lapic() copies V_TPR[3:0] back
 *   as TPR[7:4]), so there TPR and PPR read back with bits 3:0 clear.
 * - Writing the timer's divide configuration after a one-shot expired does
 *   not fire it again (SDM vol 3A 10.5.4); KVM re-arms it (kvm_lapic_reg_write()
 *   APIC_TDCR: restart_apic_timer()) and the guest gets one more interrupt.
 * - KVM_GET_CPUID2 returns exactly the table set (as Linux 6.12; 6.1 returned
 *   it with KVM's runtime adjustments). The guest's CPUID still sees the
 *   dynamic bits (OSXSAVE, APIC, XSAVE size) as on KVM.
 * - KVM_GET_VCPU_EVENTS reports nmi.pending as the number of NMIs pending
 *   (0 to 2), as Linux 6.12 does; 6.1 said only whether any was pending.
 * - MSR_K7_HWCR keeps McStatusWrEn and TscFreqSel and drops bits 3, 6 and 8,
 *   as Linux 6.12 does; 6.1 kept McStatusWrEn alone and refused TscFreqSel.
 * - KVM_SET_BOOT_CPU_ID refuses an id beyond KVM_CAP_MAX_VCPU_ID's bound,
 *   and KVM_ENABLE_CAP(KVM_CAP_MAX_VCPU_ID) a bound below the boot id
 *   (-EINVAL), as Linux 6.12 does; 6.1 took both.
 * - KVM_SET_SREGS validates as Linux 6.12 does: EFER bits the vCPU's CPUID
 *   does not allow (set KVM_SET_CPUID2 first, as QEMU does) and reserved EFER
 *   bits are refused (-EINVAL); 6.1 accepted them and failed the entry.
 * - MMIO is emulated for the general-purpose forms (MOV, MOVZX/MOVSX, MOV
 *   with an immediate, the ALU, XCHG, CMPXCHG and BT* forms with a memory
 *   operand), INS/OUTS, and the MMX/SSE moves KVM's emulator has (MOVQ mm,
 *   MOVDQA/MOVDQU, MOVUPS/MOVUPD, MOVAPS/MOVAPD, MOVNTPS/MOVNTPD/MOVNTDQ;
 *   16 bytes take two 8-byte exits, as on KVM), and the string moves MOVS
 *   and STOS (one exit per element, registers and RIP as KVM's emulator
 *   leaves them). LODS, CMPS and SCAS on MMIO, which KVM's emulator also
 *   handles, give KVM_EXIT_INTERNAL_ERROR with KVM_INTERNAL_ERROR_EMULATION
 *   (as, on both, MOVD, the other MOVQ forms, MOVSS/MOVSD and the AVX (VEX)
 *   forms, which KVM's emulator lacks). An access across a page boundary
 *   is split there as on KVM, but both pages are taken to be MMIO and
 *   adjacent in guest-physical memory. Under shadow paging a string move's
 *   write to guest RAM does not go through the shadow MMU's write
 *   protection (as INS's), so one into a guest page table is not noticed.
 * - Without an in-kernel irqchip, KVM_SET_MP_STATE accepts only RUNNABLE, as
 *   KVM does (with one, every state KVM takes); an NMI pending while the guest runs on without exits after the
 *   handler's IRET is injected at its next exit (KVM single-steps the IRET).
 * - KVM_SET_USER_MEMORY_REGION2 (and KVM_CAP_USER_MEMORY2) also on Linux
 *   6.1, where KVM lacks it: no guest_memfd (KVM_MEM_GUEST_MEMFD is
 *   -EINVAL, as on KVM without private memory), the fields after
 *   userspace_addr unread.
 * - KVM_CREATE_VM accepts type 0 only (KVM_X86_DEFAULT_VM); other types get
 *   -EINVAL, as on KVM without confidential-VM support.
 * - On Intel VT-x without "unrestricted guest" (which needs EPT), real mode
 *   (CR0.PE clear) does not run: KVM_RUN gives KVM_EXIT_FAIL_ENTRY with
 *   hardware_entry_failure_reason 0x80000021 (VM-entry failure, invalid
 *   guest state), as the CPU would; KVM emulates real mode there instead.
 *   Without it and with nested paging, CR0.PG clear is refused the same way.
 *   Under shadow paging on VT-x, a guest in real mode runs unrestricted on
 *   EPT (vmx/vcpu.c): its page tables, the shadow's business, do not exist.
 *   In protected mode under shadow paging on VT-x minivirt runs the guest
 *   restricted, so segment state that VM entry refuses then (a data-type
 *   or not-present CS, an available TSS in TR; SDM vol 3C 27.3.1.2) gives
 *   KVM_EXIT_FAIL_ENTRY 0x80000021; kvm_intel without unrestricted guest
 *   (ept=0) emulates the guest while its state is invalid instead
 *   (emulate_invalid_guest_state).
 * - In KVM_INTERNAL_ERROR_EMULATION's exit information under shadow paging
 *   (both vendors), the error code of an intercepted #PF is the one the CPU
 *   gave, without the I/D bit where the guest has no EFER.NX: KVM runs such
 *   a guest with EFER.NX set (svm_set_efer(), vmx's
 *   update_transition_efer()), minivirt as the guest set it.
 * - Task switches (a task gate in the IDT, JMP/CALL to a TSS or task gate,
 *   IRET with NT) are not emulated: KVM_RUN gives KVM_EXIT_INTERNAL_ERROR
 *   with KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON and the hardware's task
 *   switch exit (kmod/intercepts.c); KVM emulates them (kvm_task_switch()).
 * - A guest MOV to CR0 or CR4 with a bit of 63:32 set gets #GP(0) (SDM vol
 *   2A MOV, APM vol 2 3.1), as on kvm_intel and on kvm_amd with decode
 *   assists; kvm_amd without them (QEMU's SVM) emulates the MOV with its
 *   instruction emulator, which keeps only bits 31:0 (mk_cr_64()) and lets
 *   the write through.
 * - Dirty logging (KVM_MEM_LOG_DIRTY_PAGES, KVM_GET_DIRTY_LOG,
 *   KVM_CLEAR_DIRTY_LOG; KVM_ENABLE_CAP's
 *   KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 answers and takes
 *   KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET, as
 *   x86 KVM) logs exactly the pages written: a read that first maps a page
 *   of a logged slot maps it read-only, where KVM maps it writable and so
 *   logs it as dirty although nothing wrote it. Writes by the kernel on
 *   the guest's behalf (emulated instructions, string I/O, page-table A/D
 *   updates under shadow paging) are logged as on KVM.
 * - Guest debugging (KVM_SET_GUEST_DEBUG, KVM_EXIT_DEBUG) follows KVM's VMX
 *   side on both vendors: a #DB exit reports dr6 as VMX's exit qualification
 *   | 0xffff0ff0 (KVM on SVM gives the raw DR6, which differs only in the
 *   RTM bit), and a guest MOV DR while the debugger's DR7 has GD exits with
 *   DR6.BD (KVM on SVM checks the guest's own DR7 there). A #BP (3) or #OF
 *   (4) that KVM_GUESTDBG_INJECT_BP or KVM_SET_VCPU_EVENTS queues is, as on
 *   KVM, the trap of the INT3/INTO at RIP: the guest's handler returns past
 *   it. Where RIP holds neither, minivirt delivers it at RIP (KVM on SVM
 *   skips whatever instruction is there; on VMX it uses the length of the
 *   last exit).
 *   KVM_GUESTDBG_BLOCKIRQ holds back NMIs (a KVM_INTERRUPT vector is already
 *   injected without an in-kernel irqchip, as on KVM).
 * - KVM_CREATE_VM gets -EBUSY while another hypervisor (kvm_intel, kvm_amd)
 *   holds VMX/SVM on any CPU. Linux 6.12's kvm.ko holds it from module load
 *   (parameter enable_virt_at_load=Y), 6.1's only while it has a VM.
 */

/*
 * The TSC and kvmclock (KVM_GET/SET_CLOCK, KVM_GET/SET_TSC_KHZ, the MSRs
 * IA32_TSC, IA32_TSC_ADJUST, MSR_KVM_SYSTEM_TIME(_NEW) and
 * MSR_KVM_WALL_CLOCK(_NEW), and the KVM paravirtual CPUID leaves
 * 0x40000000/0x40000001 with KVM_FEATURE_CLOCKSOURCE, _CLOCKSOURCE2 and
 * _CLOCKSOURCE_STABLE_BIT, and the hint KVM_FEATURE_NOP_IO_DELAY) behave as
 * on KVM without a master clock, which is KVM's case when the host's
 * clocksource is not the TSC:
 * - KVM_GET_CLOCK never sets KVM_CLOCK_TSC_STABLE, and PVCLOCK_TSC_STABLE_BIT
 *   is never set in the pvclock structure. On a host on the TSC
 *   clocksource, KVM sets KVM_CLOCK_TSC_STABLE, _REALTIME and _HOST_TSC and
 *   the stable bit; minivirt sets KVM_CLOCK_REALTIME and _HOST_TSC there
 *   (the real time and host TSC of its reading of the clock).
 *   KVM_CAP_ADJUST_CLOCK answers the flags KVM_SET_CLOCK accepts, as KVM.
 * - No TSC scaling (KVM_CAP_TSC_CONTROL 0): KVM_SET_TSC_KHZ takes the host
 *   rate (within 250 ppm), steps the TSC forward at each entry for a faster
 *   one, and refuses a slower one with -EINVAL, as KVM without scaling.
 *   On a VM fd they get and set the rate of vCPUs created later, as KVM
 *   (KVM_CAP_VM_TSC_CONTROL, like KVM_CAP_TSC_CONTROL, is 0).
 * - The kvmclock base is KVM's: the raw monotonic clock plus the boot
 *   offset (time since boot, at the rate the pvclock scale assumes).
 * - Not offered in 0x40000001 (KVM offers them): KVM_FEATURE_ASYNC_PF and
 *   _ASYNC_PF_VMEXIT/_INT, _STEAL_TIME, _PV_EOI, _PV_UNHALT, _PV_TLB_FLUSH,
 *   _PV_SEND_IPI, _POLL_CONTROL, _PV_SCHED_YIELD, _MSI_EXT_DEST_ID. QEMU 7.2
 *   warns "host doesn't support requested feature" for kvm-asyncpf,
 *   kvm-steal-time and kvm-pv-eoi of its named CPU models, and the guest
 *   runs without them.
 */

/*
 * Hypercalls and quirks (kmod/hypercall.c), as KVM without
 * KVM_CAP_ENFORCE_PV_FEATURE_CPUID (which minivirt does not offer):
 * - The vendor's hypercall (VMMCALL on AMD, VMCALL on Intel) answers
 *   -KVM_EPERM at CPL > 0, 0 for KVM_HC_VAPIC_POLL_IRQ and KVM_HC_SCHED_YIELD
 *   (a hint), -KVM_ENOSYS for every other number (KVM also serves KICK_CPU,
 *   SEND_IPI, CLOCK_PAIRING and MAP_GPA_RANGE).
 * - The other vendor's instruction, which #UDs on the CPU: with
 *   KVM_X86_QUIRK_FIX_HYPERCALL_INSN (on by default) its three bytes in guest
 *   memory become the vendor's and the guest runs that; with the quirk off,
 *   #UD. Before the quirk, as KVM's emulator: VMCALL at CPL > 0 is #GP(0),
 *   VMMCALL in real or virtual-8086 mode #UD. Behind a prefix, either one
 *   #UDs (KVM's emulator decodes the prefix and patches at RIP). Every other
 *   #UD reaches the guest unchanged: KVM's emulator also emulates a few
 *   instructions at a #UD (MOVBE, SYSENTER/SYSCALL across vendors, and
 *   anything behind its force-emulation prefix when the module asks), which
 *   minivirt does not.
 * - KVM_CAP_DISABLE_QUIRKS2 answers the quirks userspace may turn off:
 *   KVM_X86_QUIRK_FIX_HYPERCALL_INSN, MWAIT_NEVER_UD_FAULTS (off: MONITOR
 *   and MWAIT #UD while the guest's CPUID.1:ECX.MONITOR is clear) and
 *   MISC_ENABLE_NO_MWAIT (off: that CPUID bit follows the changes of
 *   IA32_MISC_ENABLE.MWAIT, which need SSE3 in the guest's CPUID); KVM
 *   answers all it knows. KVM_ENABLE_CAP with it refuses any other bit
 *   (-EINVAL). The older KVM_CAP_DISABLE_QUIRKS (answer 1) takes any bits
 *   and ignores the others, as KVM does with those it does not know.
 *   Disabled quirks accumulate, as in KVM 6.12 (6.1's KVM replaced the set
 *   at each call, so a quirk could come back on). The quirks minivirt keeps
 *   always on: OUT_7E_INC_RIP, LINT0_REENABLED, LAPIC_MMIO_HOLE.
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
