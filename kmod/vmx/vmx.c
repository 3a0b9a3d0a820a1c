// SPDX-License-Identifier: GPL-2.0-only
/*
 * Intel VT-x (VMX) backend: probe and the controls it computes from the
 * capability MSRs, per-CPU VMXON/VMXOFF, module-lifetime resources (the MSR
 * bitmap, VPIDs), the EPT entry format, and the ops table. The VMCS and the
 * state groups are in vcpu.c, entering and exits in run.c and entry.S.
 *
 * Manual references: Intel 64 and IA-32 Architectures Software Developer's
 * Manual, order number 325462-080US, June 2023 ("SDM vol 3C", "SDM vol 3D").
 *
 * The controls (SDM vol 3C 25.6-25.8), each required unless marked. Those
 * that make the core's intercepts exit (intercepts.c) are marked optional
 * here and checked against its list (run.c, vmx_intercepts_init()): HLT,
 * MWAIT, MONITOR and RDPMC exiting, WBINVD exiting, enable RDTSCP.
 * - pin-based: external-interrupt exiting, NMI exiting, virtual NMIs (NMI
 *   blocking lives in the guest's interruptibility state, and NMI-window
 *   exiting needs it).
 * - primary: MOV-DR exiting; I/O bitmaps (all ones: every port exits to
 *   the core's policy); MSR bitmaps; TSC offsetting; use TPR shadow (MOV
 *   CR8 works on a virtual-APIC page instead of the host's TPR, without
 *   exits, as SVM's V_TPR); secondary controls;
 *   interrupt- and NMI-window exiting settable. CR3-load/store, INVLPG and
 *   CR8-load/store exiting must be clearable (EPT needs none of them);
 *   shadow paging sets the first two (a shadow VM's vCPU is refused if
 *   they cannot be set: vcpu.c).
 * - secondary: EPT; optional: VPID (with INVVPID), unrestricted guest,
 *   PAUSE-loop exiting (KVM's defaults: a guest spinning on PAUSE exits
 *   now and then, so the host gets to act on what is pending for it: in
 *   the Bochs test host, whose VMX guests are never interrupted by the
 *   host's timer, that is the only way a vCPU in a PAUSE loop stops).
 *   "Enable RDTSCP" is on while the guest's CPUID offers RDTSCP or RDPID
 *   (run.c). INVPCID and XSAVES stay off: the guest's CPUID does not offer
 *   them, and the instructions #UD as on a CPU without them.
 * - VM-exit: save debug controls (DR7, IA32_DEBUGCTL), host address-space
 *   size, save/load IA32_PAT and IA32_EFER.
 *   Not "acknowledge interrupt on exit": an external interrupt that exits
 *   the guest stays pending in the local APIC, and the host takes it through
 *   its own IDT as soon as the core enables interrupts after the run (SVM
 *   works the same way; KVM acks and calls the IDT handler itself).
 * - VM-entry: load debug controls, IA32_PAT and IA32_EFER; "IA-32e mode
 *   guest" settable.
 * - EPT: 4-level walks, write-back paging structures, INVEPT (single- or
 *   all-context); A/D flags used when offered.
 * Probing fails closed with one dmesg line naming what is missing (a Core 2
 * has neither EPT nor the PAT/EFER controls: no VMX backend there). Without
 * unrestricted guest, real mode does not run, nor, with nested paging,
 * protected mode without paging: such an entry fails (KVM_EXIT_FAIL_ENTRY
 * 0x80000021, see run.c) where KVM would emulate.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/spinlock.h>
#include <asm/asm.h>
#include <asm/io.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "../backend.h"
#include "../mmu/tdp.h"
#include "vmx.h"

/* CPUID.1:ECX.VMX[bit 5] (SDM vol 3C 24.6 "Discovering Support for VMX"). */
#define CPUID_1_ECX_VMX			BIT(5)

/* SDM vol 3D A.1 "Basic VMX Information": fields of IA32_VMX_BASIC. */
#define VMX_BASIC_REVISION(b)		((u32)(b) & 0x7fffffff)
#define VMX_BASIC_REGION_SIZE(b)	(((b) >> 32) & 0x1fff)
#define VMX_BASIC_32BIT_ADDRESSES	BIT_ULL(48)
#define VMX_BASIC_MEMTYPE(b)		(((b) >> 50) & 0xf)
#define VMX_MEMTYPE_WB			6

struct vmx_config vmx_cfg __read_mostly;
DEFINE_PER_CPU(struct vmx_cpu, vmx_cpu);

/* What a control must be able to do. */
enum vmx_need {
	VMX_ON,		/* set always */
	VMX_SETTABLE,	/* set on demand (windows, IA-32e mode) */
	VMX_CLEARABLE,	/* must not be forced on */
	VMX_OPTIONAL,	/* set when offered */
};

struct vmx_ctl {
	u32 bit;
	enum vmx_need need;
	const char *name;
};

static const struct vmx_ctl vmx_pin_ctls[] = {
	{ VMX_PIN_EXT_INTR_EXITING,	VMX_ON,		"external-interrupt exiting" },
	{ VMX_PIN_NMI_EXITING,		VMX_ON,		"NMI exiting" },
	{ VMX_PIN_VIRTUAL_NMIS,		VMX_ON,		"virtual NMIs" },
};

static const struct vmx_ctl vmx_proc_ctls[] = {
	{ VMX_PROC_HLT_EXITING,		VMX_OPTIONAL,		"HLT exiting" },
	{ VMX_PROC_MWAIT_EXITING,	VMX_OPTIONAL,		"MWAIT exiting" },
	{ VMX_PROC_MONITOR_EXITING,	VMX_OPTIONAL,		"MONITOR exiting" },
	{ VMX_PROC_RDPMC_EXITING,	VMX_OPTIONAL,		"RDPMC exiting" },
	{ VMX_PROC_MOV_DR_EXITING,	VMX_ON,		"MOV-DR exiting" },
	{ VMX_PROC_IO_BITMAPS,		VMX_ON,		"use I/O bitmaps" },
	{ VMX_PROC_MSR_BITMAPS,		VMX_ON,		"use MSR bitmaps" },
	{ VMX_PROC_TSC_OFFSETTING,	VMX_ON,		"use TSC offsetting" },
	{ VMX_PROC_TPR_SHADOW,		VMX_ON,		"use TPR shadow" },
	{ VMX_PROC_SECONDARY,		VMX_ON,		"activate secondary controls" },
	{ VMX_PROC_INTR_WINDOW,		VMX_SETTABLE,	"interrupt-window exiting" },
	{ VMX_PROC_NMI_WINDOW,		VMX_SETTABLE,	"NMI-window exiting" },
	{ VMX_PROC_CR3_LOAD_EXITING,	VMX_CLEARABLE,	"CR3-load exiting" },
	{ VMX_PROC_CR3_STORE_EXITING,	VMX_CLEARABLE,	"CR3-store exiting" },
	{ VMX_PROC_INVLPG_EXITING,	VMX_CLEARABLE,	"INVLPG exiting" },
	{ VMX_PROC_CR8_LOAD_EXITING,	VMX_CLEARABLE,	"CR8-load exiting" },
	{ VMX_PROC_CR8_STORE_EXITING,	VMX_CLEARABLE,	"CR8-store exiting" },
	{ VMX_PROC_RDTSC_EXITING,	VMX_CLEARABLE,	"RDTSC exiting" },
	{ VMX_PROC_MTF,			VMX_CLEARABLE,	"monitor trap flag" },
	{ VMX_PROC_PAUSE_EXITING,	VMX_CLEARABLE,	"PAUSE exiting" },
};

static const struct vmx_ctl vmx_proc2_ctls[] = {
	{ VMX_PROC2_EPT,		VMX_ON,		"enable EPT" },
	{ VMX_PROC2_VPID,		VMX_OPTIONAL,	"enable VPID" },
	{ VMX_PROC2_UNRESTRICTED,	VMX_OPTIONAL,	"unrestricted guest" },
	{ VMX_PROC2_WBINVD_EXITING,	VMX_OPTIONAL,	"WBINVD exiting" },
	{ VMX_PROC2_RDTSCP,		VMX_OPTIONAL,	"enable RDTSCP" },
	{ VMX_PROC2_PAUSE_LOOP_EXITING,	VMX_OPTIONAL,	"PAUSE-loop exiting" },
	{ VMX_PROC2_VIRT_APIC_ACCESS,	VMX_CLEARABLE,	"virtualize APIC accesses" },
	{ VMX_PROC2_DESC_EXITING,	VMX_CLEARABLE,	"descriptor-table exiting" },
};

static const struct vmx_ctl vmx_exit_ctls[] = {
	{ VMX_EXIT_CTL_SAVE_DEBUG,	VMX_ON,		"save debug controls" },
	{ VMX_EXIT_CTL_HOST_64,		VMX_ON,		"host address-space size" },
	{ VMX_EXIT_CTL_SAVE_PAT,	VMX_ON,		"save IA32_PAT" },
	{ VMX_EXIT_CTL_LOAD_PAT,	VMX_ON,		"load IA32_PAT" },
	{ VMX_EXIT_CTL_SAVE_EFER,	VMX_ON,		"save IA32_EFER" },
	{ VMX_EXIT_CTL_LOAD_EFER,	VMX_ON,		"load IA32_EFER" },
	{ VMX_EXIT_CTL_ACK_INTR,	VMX_CLEARABLE,	"acknowledge interrupt on exit" },
};

static const struct vmx_ctl vmx_entry_ctls[] = {
	{ VMX_ENTRY_CTL_LOAD_DEBUG,	VMX_ON,		"load debug controls" },
	{ VMX_ENTRY_CTL_LOAD_PAT,	VMX_ON,		"load IA32_PAT" },
	{ VMX_ENTRY_CTL_LOAD_EFER,	VMX_ON,		"load IA32_EFER" },
	{ VMX_ENTRY_CTL_IA32E,		VMX_SETTABLE,	"IA-32e mode guest" },
};

/*
 * SDM vol 3D A.3-A.5 (and A.2 "Reserved Controls and Default Settings"): in
 * a capability MSR, a 1 in bits 31:0 means the control must be 1 (allowed-0
 * setting), a 0 in bits 63:32 that it must be 0 (allowed-1 setting). Bits
 * we do not name keep their forced value: reserved, or default1 settings
 * that the TRUE_* MSRs did not let go.
 */
static int vmx_controls(const char *kind, u32 msr, const struct vmx_ctl *ctls,
			unsigned int n, u32 *out)
{
	u32 must1, may1, val;
	unsigned int i;
	u64 cap;

	if (rdmsrl_safe(msr, &cap)) {
		pr_err("VMX unusable: the %s controls MSR %#x is unreadable\n",
		       kind, msr);
		return -EOPNOTSUPP;
	}
	must1 = cap;
	may1 = cap >> 32;
	val = must1;
	for (i = 0; i < n; i++) {
		const struct vmx_ctl *c = &ctls[i];
		bool can1 = may1 & c->bit, forced = must1 & c->bit;

		if ((c->need == VMX_ON || c->need == VMX_SETTABLE) && !can1) {
			pr_err("VMX unusable: %s control \"%s\" is not available (MSR %#x = %#llx)\n",
			       kind, c->name, msr, cap);
			return -EOPNOTSUPP;
		}
		if (c->need == VMX_CLEARABLE && forced) {
			pr_err("VMX unusable: %s control \"%s\" cannot be turned off (MSR %#x = %#llx)\n",
			       kind, c->name, msr, cap);
			return -EOPNOTSUPP;
		}
		if (c->need == VMX_ON || (c->need == VMX_OPTIONAL && can1))
			val |= c->bit;
	}
	*out = val;
	return 0;
}

static int vmx_probe_controls(u64 basic)
{
	bool true_ctls = basic & VMX_BASIC_TRUE_CTLS_MSRS;
	u64 cap;
	int r;

	r = vmx_controls("pin-based", true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS :
			 MSR_IA32_VMX_PINBASED_CTLS, vmx_pin_ctls,
			 ARRAY_SIZE(vmx_pin_ctls), &vmx_cfg.pin);
	if (!r)
		r = vmx_controls("primary processor-based",
				 true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
				 MSR_IA32_VMX_PROCBASED_CTLS, vmx_proc_ctls,
				 ARRAY_SIZE(vmx_proc_ctls), &vmx_cfg.proc);
	if (!r && rdmsrl_safe(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS :
			      MSR_IA32_VMX_PROCBASED_CTLS, &cap) == 0)
		vmx_cfg.proc_may1 = cap >> 32;
	if (!r)
		r = vmx_controls("secondary processor-based",
				 MSR_IA32_VMX_PROCBASED_CTLS2, vmx_proc2_ctls,
				 ARRAY_SIZE(vmx_proc2_ctls), &vmx_cfg.proc2);
	if (!r)
		r = vmx_controls("VM-exit", true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS :
				 MSR_IA32_VMX_EXIT_CTLS, vmx_exit_ctls,
				 ARRAY_SIZE(vmx_exit_ctls), &vmx_cfg.exit);
	if (!r)
		r = vmx_controls("VM-entry", true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS :
				 MSR_IA32_VMX_ENTRY_CTLS, vmx_entry_ctls,
				 ARRAY_SIZE(vmx_entry_ctls), &vmx_cfg.entry);
	if (r)
		return r;
	/* Set per entry from the guest's EFER.LMA. */
	vmx_cfg.entry &= ~VMX_ENTRY_CTL_IA32E;

	/* SDM vol 3D A.10 "VPID and EPT Capabilities". */
	if (rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &cap) ||
	    !(cap & VMX_CAP_EPT_WALK_4) || !(cap & VMX_CAP_EPT_WB) ||
	    !(cap & VMX_CAP_INVEPT) ||
	    !(cap & (VMX_CAP_INVEPT_SINGLE | VMX_CAP_INVEPT_ALL))) {
		pr_err("VMX unusable: EPT needs 4-level walks, write-back paging structures and INVEPT (IA32_VMX_EPT_VPID_CAP %#llx)\n",
		       cap);
		return -EOPNOTSUPP;
	}
	vmx_cfg.ept_ad = cap & VMX_CAP_EPT_AD;
	vmx_cfg.invept_single = cap & VMX_CAP_INVEPT_SINGLE;
	/* A VPID is of use only with INVVPID to flush it (KVM likewise). */
	if (!(cap & VMX_CAP_INVVPID) ||
	    !(cap & (VMX_CAP_INVVPID_SINGLE | VMX_CAP_INVVPID_ALL)))
		vmx_cfg.proc2 &= ~VMX_PROC2_VPID;
	vmx_cfg.vpid = vmx_cfg.proc2 & VMX_PROC2_VPID;
	vmx_cfg.invvpid_single = cap & VMX_CAP_INVVPID_SINGLE;
	vmx_cfg.unrestricted_guest = vmx_cfg.proc2 & VMX_PROC2_UNRESTRICTED;

	/* SDM vol 3D A.7, A.8: bits fixed in CR0 and CR4 in VMX operation. */
	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, vmx_cfg.cr0_fixed0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, vmx_cfg.cr0_fixed1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, vmx_cfg.cr4_fixed0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, vmx_cfg.cr4_fixed1);
	return 0;
}

static int vmx_probe(void)
{
	u64 feat_ctl = 0, basic;
	int r;

	if (!(cpuid_ecx(1) & CPUID_1_ECX_VMX))
		return -ENODEV;

	/*
	 * SDM vol 3C 24.7 "Enabling and Entering VMX Operation": VMXON #GPs
	 * unless IA32_FEATURE_CONTROL is locked with VMX-outside-SMX enabled.
	 * The kernel also clears X86_FEATURE_VMX when firmware left it off.
	 */
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl) ||
	    !(feat_ctl & FEAT_CTL_LOCKED) ||
	    !(feat_ctl & FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX) ||
	    !boot_cpu_has(X86_FEATURE_VMX)) {
		pr_err("VMX disabled by firmware (IA32_FEATURE_CONTROL %#llx)\n",
		       feat_ctl);
		return -EPERM;
	}

	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	if (VMX_BASIC_REGION_SIZE(basic) > PAGE_SIZE ||
	    (basic & VMX_BASIC_32BIT_ADDRESSES) ||
	    VMX_BASIC_MEMTYPE(basic) != VMX_MEMTYPE_WB) {
		pr_err("VMX unusable: IA32_VMX_BASIC %#llx (needs regions <= 4 KiB, 64-bit addresses, write-back)\n",
		       basic);
		return -EOPNOTSUPP;
	}
	vmx_cfg.revision_id = VMX_BASIC_REVISION(basic);

	r = vmx_probe_controls(basic);
	if (!r)
		r = vmx_intercepts_init();
	if (r)
		return r;
	pr_info("VMX: VMCS revision %#x, EPT%s, VPID %s, unrestricted guest %s, PAUSE-loop exiting %s\n",
		vmx_cfg.revision_id, vmx_cfg.ept_ad ? " with A/D" : "",
		vmx_cfg.vpid ? "yes" : "no",
		vmx_cfg.unrestricted_guest ? "yes" : "no (protected mode only)",
		vmx_cfg.proc2 & VMX_PROC2_PAUSE_LOOP_EXITING ? "yes" : "no");
	return 0;
}

void vmx_insn_failed(const char *insn, unsigned long arg)
{
	WARN_ONCE(1, "minivirt: %s %#lx failed (VM-instruction error %u)\n",
		  insn, arg, (u32)__vmcs_read(VMCS_INSN_ERROR));
}

/* VPIDs (SDM vol 3C 29.1 "Virtual Processor Identifiers"): 0 is the host's. */
#define VMX_VPID_COUNT	(1 << 16)
static DECLARE_BITMAP(vmx_vpids, VMX_VPID_COUNT);
static DEFINE_SPINLOCK(vmx_vpid_lock);

/* 0 if VPIDs are off or used up: that vCPU then runs without one. */
int vmx_alloc_vpid(void)
{
	int vpid;

	if (!vmx_cfg.vpid)
		return 0;
	spin_lock(&vmx_vpid_lock);
	vpid = find_next_zero_bit(vmx_vpids, VMX_VPID_COUNT, 1);
	if (vpid < VMX_VPID_COUNT)
		__set_bit(vpid, vmx_vpids);
	else
		vpid = 0;
	spin_unlock(&vmx_vpid_lock);
	return vpid;
}

void vmx_free_vpid(int vpid)
{
	if (!vpid)
		return;
	spin_lock(&vmx_vpid_lock);
	__clear_bit(vpid, vmx_vpids);
	spin_unlock(&vmx_vpid_lock);
}

static void vmx_invept(int type, u64 eptp)
{
	struct vmx_invept_desc desc = { .eptp = eptp };

	asm goto("1: invept %[desc], %[type]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [desc] "m" (desc), [type] "r" ((unsigned long)type)
		 : "cc", "memory" : fail, fault);
	return;
fail:
	vmx_insn_failed("invept", type);
fault:
	return;
}

/*
 * SDM vol 3C 29.4.3.1 "Operations that Invalidate Cached Mappings": INVEPT
 * single-context drops the guest-physical and combined mappings of this
 * EPTP, for every VPID, on this CPU: what the core asks for when the nested
 * tables changed, and all a vCPU needs on a CPU it comes to. With EPT on,
 * every guest linear translation is a combined mapping, so no INVVPID is
 * needed.
 */
static void vmx_invvpid(int type, u16 vpid)
{
	struct vmx_invvpid_desc desc = { .vpid = vpid };

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 "jna %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [desc] "m" (desc), [type] "r" ((unsigned long)type)
		 : "cc", "memory" : fail, fault);
	return;
fail:
	vmx_insn_failed("invvpid", type);
fault:
	return;
}

/*
 * Shadow paging runs with EPT off (but for real mode, vcpu.c): the guest's
 * translations are linear mappings tagged with its VPID, which INVVPID
 * single-context drops, globals included (29.4.3.3 "Guidelines for Use of
 * the INVVPID Instruction"); without a VPID every entry and exit drops
 * them. INVEPT as above for the EPT it uses in real mode.
 */
void vmx_flush_tlb(struct vmx_vcpu *vmx)
{
	if (vmx_cfg.invept_single)
		vmx_invept(VMX_INVEPT_SINGLE, vmx->eptp);
	else
		vmx_invept(VMX_INVEPT_ALL, 0);
	if (vmx->shadow && vmx->vpid) {
		if (vmx_cfg.invvpid_single)
			vmx_invvpid(VMX_INVVPID_SINGLE, vmx->vpid);
		else
			vmx_invvpid(VMX_INVVPID_ALL, 0);
	}
}

/*
 * SDM vol 3C 25.6.9 "MSR-Bitmap Address": read bitmaps for 0-0x1fff and
 * 0xc0000000-0xc0001fff, then the write bitmaps, a KiB each.
 */
static struct page *vmx_msr_bitmap;
phys_addr_t vmx_msr_bitmap_pa;

/* SDM vol 3C 25.6.4 "I/O-Bitmap Addresses": A for ports 0-0x7fff, B the rest. */
static struct page *vmx_io_bitmaps;
phys_addr_t vmx_io_bitmap_pa;

static void vmx_msr_bitmap_allow(u8 *bitmap, u32 msr)
{
	unsigned int base;

	if (msr <= 0x1fff) {
		base = 0;
	} else if (msr - 0xc0000000 <= 0x1fff) {
		base = 1024;
		msr -= 0xc0000000;
	} else {
		return;
	}
	bitmap[base + msr / 8] &= ~(1 << (msr % 8));		/* read */
	bitmap[2048 + base + msr / 8] &= ~(1 << (msr % 8));	/* write */
}

/*
 * The MSRs the VMCS (or the MSR areas, vmx.h) switch with the rest of the
 * guest state, as on SVM: the guest may use them freely. Everything else
 * exits to the core's MSR policy.
 */
static const u32 vmx_passthrough_msrs[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
};

static void vmx_hardware_unsetup(void)
{
	if (vmx_io_bitmaps)
		__free_pages(vmx_io_bitmaps, 1);
	vmx_io_bitmaps = NULL;
	if (vmx_msr_bitmap)
		__free_page(vmx_msr_bitmap);
	vmx_msr_bitmap = NULL;
}

static int vmx_hardware_setup(void)
{
	unsigned int i;
	int cpu;

	vmcs_layout_checks();
	vmx_msr_bitmap = alloc_page(GFP_KERNEL);
	if (!vmx_msr_bitmap)
		return -ENOMEM;
	memset(page_address(vmx_msr_bitmap), 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(vmx_passthrough_msrs); i++)
		vmx_msr_bitmap_allow(page_address(vmx_msr_bitmap),
				     vmx_passthrough_msrs[i]);
	vmx_msr_bitmap_pa = page_to_phys(vmx_msr_bitmap);
	vmx_io_bitmaps = alloc_pages(GFP_KERNEL, 1);
	if (!vmx_io_bitmaps) {
		vmx_hardware_unsetup();
		return -ENOMEM;
	}
	memset(page_address(vmx_io_bitmaps), 0xff, 2 * PAGE_SIZE);
	vmx_io_bitmap_pa = page_to_phys(vmx_io_bitmaps);

	for_each_possible_cpu(cpu) {
		struct vmx_cpu *vc = per_cpu_ptr(&vmx_cpu, cpu);

		vc->current_vmcs = NULL;
		INIT_LIST_HEAD(&vc->loaded);
	}
	return 0;
}

/* SDM vol 3C 25.11.5 "VMXON Region": starts with the VMCS revision identifier. */
static void vmx_init_vmxon_region(void *va)
{
	*(u32 *)va = vmx_cfg.revision_id;
}

static int vmx_cpu_enable(struct page *vmxon_region)
{
	u64 pa = page_to_phys(vmxon_region);

	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;

	/* Intel PT must stop tracing before VMXON on CPUs without PT in VMX. */
	intel_pt_handle_vmx(1);
	cr4_set_bits(X86_CR4_VMXE);

	/* VMfailInvalid sets CF; a #GP (e.g. bad CR0/CR4 fixed bits) faults. */
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m" (pa) : "cc", "memory" : fail);
	this_cpu_write(vmx_cpu.current_vmcs, NULL);
	/*
	 * Whoever used VMX here before may have left EPT translations tagged
	 * with an EPTP that one of our VMs gets again (KVM's hardware_enable
	 * flushes likewise). Each VMCS also flushes on the first entry here.
	 */
	if (vmx_cfg.invept_single) {
		u64 cap;

		rdmsrl(MSR_IA32_VMX_EPT_VPID_CAP, cap);
		if (cap & VMX_CAP_INVEPT_ALL)
			vmx_invept(VMX_INVEPT_ALL, 0);
	} else {
		vmx_invept(VMX_INVEPT_ALL, 0);
	}
	return 0;

fail:
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	return -EIO;
}

static void vmx_cpu_disable(void)
{
	/* SDM vol 3C 25.11.1: VMCLEAR every active VMCS before leaving VMX. */
	vmx_clear_loaded_vmcss();

	/* VMXOFF faults only outside VMX operation: nothing to undo then. */
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
fault:
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
}

/*
 * EPT entries (SDM vol 3C 29.3.2, tables 29-2..29-6): present when readable,
 * writable or executable; leaves write-back with "ignore PAT" (29.3.7), as
 * KVM maps guest RAM without non-coherent DMA. Accessed (and dirty, for
 * writable leaves) are set up front, as on NPT: they matter only with A/D
 * enabled in the EPTP, and then the CPU need not set them itself.
 */
static int ept_levels(void)
{
	return 4;
}

static u64 ept_make_table(phys_addr_t pa)
{
	return pa | VMX_EPT_RWX | VMX_EPT_A;
}

static u64 ept_make_leaf(phys_addr_t pa, bool writable)
{
	return pa | VMX_EPT_R | VMX_EPT_X | VMX_EPT_A |
	       (u64)VMX_EPTP_WB << VMX_EPT_MT_SHIFT | VMX_EPT_IPAT |
	       (writable ? VMX_EPT_W | VMX_EPT_D : 0);
}

static bool ept_present(u64 pte)
{
	return pte & VMX_EPT_RWX;
}

static bool ept_writable(u64 pte)
{
	return pte & VMX_EPT_W;
}

static phys_addr_t ept_addr(u64 pte)
{
	return pte & VMX_EPT_ADDR_MASK;
}

/*
 * Dirty logging: readable and executable, not writable (no misconfiguration,
 * SDM vol 3C 29.3.3.1); a write is an EPT violation (29.3.3.2), and with EPT
 * A/D flags on so is the guest's own walk of a page table there (29.3.4).
 */
static u64 ept_wrprot(u64 pte)
{
	return pte & ~(u64)VMX_EPT_W;
}

static bool ept_dirty(u64 pte)
{
	return pte & VMX_EPT_D;
}

static const struct mv_tdp_format ept_format = {
	.levels		= ept_levels,
	.make_table	= ept_make_table,
	.make_leaf	= ept_make_leaf,
	.present	= ept_present,
	.writable	= ept_writable,
	.addr		= ept_addr,
	.wrprot		= ept_wrprot,
	.dirty		= ept_dirty,
};

const struct mv_backend mv_vmx_backend = {
	.name			= "VMX",
	.in_use_bit		= "CR4.VMXE",
	.vcpu_size		= sizeof(struct vmx_vcpu),
	.tdp_format		= &ept_format,
	.hypercall_insn		= { 0x0f, 0x01, 0xc1 },	/* VMCALL */
	.probe			= vmx_probe,
	.hardware_setup		= vmx_hardware_setup,
	.hardware_unsetup	= vmx_hardware_unsetup,
	.init_cpu_area		= vmx_init_vmxon_region,
	.cpu_enable		= vmx_cpu_enable,
	.cpu_disable		= vmx_cpu_disable,
	.vcpu_create		= vmx_vcpu_create,
	.vcpu_free		= vmx_vcpu_free,
	.vcpu_reset		= vmx_vcpu_reset,
	.prepare_run		= vmx_prepare_run,
	.run			= vmx_run,
	.get_ctrl		= vmx_get_ctrl,
	.get_sregs		= vmx_get_sregs,
	.set_sregs		= vmx_set_sregs,
	.get_msr		= vmx_get_msr,
	.set_msr		= vmx_set_msr,
	.set_efer		= vmx_set_efer,
	.set_tsc_offset		= vmx_set_tsc_offset,
	.interrupt_allowed	= vmx_interrupt_allowed,
	.nmi_allowed		= vmx_nmi_allowed,
	.enable_irq_window	= vmx_enable_irq_window,
	.get_interrupt_shadow	= vmx_get_interrupt_shadow,
	.set_interrupt_shadow	= vmx_set_interrupt_shadow,
	.inject			= vmx_inject,
	.exit_info		= vmx_exit_info,
	.update_exception_intercepts = vmx_update_exception_intercepts,
	.set_tdp_root		= vmx_set_tdp_root,
	.set_cr			= vmx_set_cr,
	.set_shadow_root	= vmx_set_shadow_root,
};
