// SPDX-License-Identifier: GPL-2.0-only
/*
 * CPUID: what minivirt can virtualize (KVM_GET_SUPPORTED_CPUID), the guest's
 * table (KVM_SET_CPUID2 / KVM_GET_CPUID2) and the CPUID exit.
 *
 * The supported table is the host's CPUID with every feature minivirt does
 * not virtualize cleared: no nested SVM/VMX, no MONITOR/MWAIT, no PCID, no
 * speculation-control MSRs; x2APIC (the in-kernel LAPIC's); PKU with nested
 * paging only (the shadow MMU checks no protection keys), as KVM; RDTSCP
 * and RDPID where the host has them and the backend can refuse RDTSCP to a
 * guest without it (intercepts.c), as KVM; of KVM's paravirtual features
 * only kvmclock (kvmclock.c); MTRR and MCE/MCA stay, as on KVM (mtrr.c,
 * mce.c). Lookups and the dynamic bits
 * (OSXSAVE, APIC, XSAVE sizes) follow KVM's kvm_cpuid().
 */
#include <linux/kernel.h>
#include <linux/kvm_para.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "backend.h"
#include "cpuid.h"
#include "intercepts.h"
#include "run.h"
#include "vcpu.h"
#include "vm.h"

#define F(bit)		BIT(bit)

/* Leaf 1 ECX / EDX (SDM vol 2A CPUID, table 3-10 and 3-11). */
static const u32 leaf1_ecx = F(0) /* SSE3 */ | F(1) /* PCLMULQDQ */ |
	F(9) /* SSSE3 */ | F(12) /* FMA */ | F(13) /* CX16 */ |
	F(19) /* SSE4.1 */ | F(20) /* SSE4.2 */ | F(22) /* MOVBE */ |
	F(23) /* POPCNT */ | F(25) /* AES */ | F(26) /* XSAVE */ |
	F(28) /* AVX */ | F(29) /* F16C */ | F(30) /* RDRAND */;
static const u32 leaf1_edx = F(0) /* FPU */ | F(1) /* VME */ | F(2) /* DE */ |
	F(3) /* PSE */ | F(4) /* TSC */ | F(5) /* MSR */ | F(6) /* PAE */ |
	F(7) /* MCE */ | F(8) /* CX8 */ | F(9) /* APIC */ | F(11) /* SEP */ |
	F(12) /* MTRR */ | F(13) /* PGE */ | F(14) /* MCA */ | F(15) /* CMOV */ |
	F(16) /* PAT */ | F(17) /* PSE36 */ |
	F(19) /* CLFLUSH */ | F(23) /* MMX */ | F(24) /* FXSR */ |
	F(25) /* SSE */ | F(26) /* SSE2 */;
/* Leaf 7.0 EBX. */
static const u32 leaf7_ebx = F(0) /* FSGSBASE */ | F(3) /* BMI1 */ |
	F(5) /* AVX2 */ | F(7) /* SMEP */ | F(8) /* BMI2 */ | F(9) /* ERMS */ |
	F(18) /* RDSEED */ | F(19) /* ADX */ | F(20) /* SMAP */ |
	F(23) /* CLFLUSHOPT */ | F(24) /* CLWB */ | F(29) /* SHA */;
/* Leaf 0x80000001 ECX / EDX (APM vol 3 E.4.2). */
static const u32 ext1_ecx = F(0) /* LAHF */ | F(5) /* ABM/LZCNT */ |
	F(6) /* SSE4A */ | F(7) /* MISALIGNSSE */ | F(8) /* 3DNOWPREFETCH */;
static const u32 ext1_edx = F(11) /* SYSCALL */ | F(20) /* NX */ |
	F(22) /* MMXEXT */ | F(26) /* PDPE1GB */ | F(29) /* LM */ |
	/* the leaf-1 EDX bits AMD repeats here */
	(leaf1_edx & (F(0) | F(1) | F(2) | F(3) | F(4) | F(5) | F(6) | F(7) |
		      F(8) | F(9) | F(12) | F(13) | F(14) | F(15) | F(16) |
		      F(17) | F(23) | F(24)));

/*
 * XSAVE components a guest may enable: x87, SSE, AVX, AVX-512 and PKRU
 * (KVM_SUPPORTED_XCR0's user components; PKRU is switched around entries,
 * run.c, even for a guest without PKU: XRSTOR loads it whatever CR4.PKE).
 */
#define MV_XFEATURES	(XFEATURE_MASK_FP | XFEATURE_MASK_SSE | \
			 XFEATURE_MASK_YMM | XFEATURE_MASK_AVX512 | \
			 XFEATURE_MASK_PKRU)

u64 mv_supported_xcr0(void)
{
	return mv_host_xcr0 & MV_XFEATURES;
}

/* XSAVE area size for a feature set (SDM vol 1 13.4, 13.5). */
static u32 xstate_size(u64 xcr0)
{
	u32 size = 512 + 64, eax, ebx, ecx, edx;
	int i;

	for (i = 2; i < 64; i++) {
		if (!(xcr0 & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, eax + ebx);
	}
	return size;
}

static void cpuid_runtime(struct mv_vcpu *vcpu, struct kvm_cpuid_entry2 *e);

static void add(struct kvm_cpuid_entry2 *e, unsigned int *n, u32 function,
		u32 index, u32 flags)
{
	struct kvm_cpuid_entry2 *entry = &e[(*n)++];

	memset(entry, 0, sizeof(*entry));
	entry->function = function;
	entry->index = index;
	entry->flags = flags;
	cpuid_count(function, index, &entry->eax, &entry->ebx, &entry->ecx,
		    &entry->edx);
}

/*
 * KVM's paravirtual leaves (Documentation/virt/kvm/x86/cpuid.rst), listing
 * only what is implemented: kvmclock's MSRs, old and new, and the pvclock
 * stable bit's meaning (the bit itself is never set: kvmclock.c). QEMU
 * turns these clock features into MSR writes. NOP_IO_DELAY is a hint with
 * nothing behind it (the guest may skip its port 0x80 delays), offered as
 * KVM always does: QEMU's named CPU models ask for it.
 */
static unsigned int kvm_leaves(struct kvm_cpuid_entry2 *e, unsigned int n)
{
	const u32 *sig = (const u32 *)KVM_SIGNATURE;

	memset(&e[n], 0, 2 * sizeof(*e));
	e[n].function = KVM_CPUID_SIGNATURE;
	e[n].eax = KVM_CPUID_FEATURES;
	e[n].ebx = sig[0];
	e[n].ecx = sig[1];
	e[n].edx = sig[2];
	e[n + 1].function = KVM_CPUID_FEATURES;
	e[n + 1].eax = BIT(KVM_FEATURE_CLOCKSOURCE) |
		       BIT(KVM_FEATURE_NOP_IO_DELAY) |
		       BIT(KVM_FEATURE_CLOCKSOURCE2) |
		       BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);
	return n + 2;
}

/* Fills e (room for MV_MAX_CPUID_ENTRIES); returns the number of entries. */
static unsigned int supported_cpuid(struct kvm_cpuid_entry2 *e)
{
	u32 max_basic = min_t(u32, cpuid_eax(0), 0xd);
	u32 max_ext = min_t(u32, cpuid_eax(0x80000000), 0x80000008);
	u64 xcr0 = mv_supported_xcr0();
	unsigned int n = 0;
	u32 f, f7_ecx;
	int i;

	for (f = 0; f <= max_basic; f++) {
		struct kvm_cpuid_entry2 *entry = &e[n];

		switch (f) {
		case 0:
			add(e, &n, f, 0, 0);
			entry->eax = max_basic;
			break;
		case 1:
			add(e, &n, f, 0, 0);
			/* x2APIC: the in-kernel LAPIC's, whatever the host has (KVM). */
			entry->ecx = (entry->ecx & leaf1_ecx) | F(21) |
				     F(31); /* hypervisor */
			entry->edx &= leaf1_edx;
			if (!xcr0)
				entry->ecx &= ~(F(26) | F(28));
			break;
		case 2:
			add(e, &n, f, 0, 0);
			break;
		case 7:
			add(e, &n, f, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
			entry->eax = 0;		/* no subleaf 1 */
			entry->ebx &= leaf7_ebx;
			entry->ebx |= F(1);	/* TSC_ADJUST: emulated (kvmclock.c) */
			/* RDPID, with RDTSCP (intercepts.c). */
			f7_ecx = entry->ecx;
			entry->ecx = mv_tsc_aux_supported() ? f7_ecx & F(22) : 0;
			/* PKU as KVM: the host's OSPKE, and nested paging. */
			if (boot_cpu_has(X86_FEATURE_OSPKE) && mv_vm_default_tdp())
				entry->ecx |= f7_ecx & F(3);
			entry->edx = 0;
			if (!(xcr0 & XFEATURE_MASK_YMM))
				entry->ebx &= ~F(5);
			break;
		case 0xd:
			if (!xcr0)
				break;
			add(e, &n, f, 0, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
			entry->eax = (u32)xcr0;
			entry->edx = xcr0 >> 32;
			entry->ebx = xstate_size(xcr0);
			entry->ecx = entry->ebx;
			entry = &e[n];
			add(e, &n, f, 1, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
			entry->eax &= F(0) /* XSAVEOPT */ | F(1) /* XSAVEC */ |
				      F(2) /* XGETBV1 */;
			entry->ebx = entry->ecx = entry->edx = 0;
			for (i = 2; i < 64; i++)
				if (xcr0 & BIT_ULL(i))
					add(e, &n, f, i, KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
			break;
		default:
			break;	/* leaves 3-6, 8-0xc: nothing minivirt models */
		}
	}

	for (f = 0x80000000; f <= max_ext; f++) {
		struct kvm_cpuid_entry2 *entry = &e[n];

		switch (f) {
		case 0x80000000:
			add(e, &n, f, 0, 0);
			entry->eax = max_ext;
			break;
		case 0x80000001:
			add(e, &n, f, 0, 0);
			entry->ecx &= ext1_ecx;
			entry->edx &= ext1_edx |
				       (mv_tsc_aux_supported() ? F(27) : 0);	/* RDTSCP */
			break;
		case 0x80000002 ... 0x80000006:
			add(e, &n, f, 0, 0);	/* brand string, caches */
			break;
		case 0x80000008:
			add(e, &n, f, 0, 0);
			entry->eax &= 0xffff;	/* address sizes */
			entry->ebx = entry->ecx = entry->edx = 0;
			break;
		default:
			break;
		}
	}
	n = kvm_leaves(e, n);
	return n;
}

/* The supported table, computed once at load: the host's CPUID is fixed. */
static struct kvm_cpuid_entry2 *supported;
static unsigned int supported_nent;

int mv_cpuid_init(void)
{
	supported = kvcalloc(MV_MAX_CPUID_ENTRIES, sizeof(*supported),
			     GFP_KERNEL);
	if (!supported)
		return -ENOMEM;
	supported_nent = supported_cpuid(supported);
	return 0;
}

void mv_cpuid_exit(void)
{
	kvfree(supported);
}

long mv_get_supported_cpuid(struct kvm_cpuid2 *hdr,
			    struct kvm_cpuid_entry2 __user *entries)
{
	/* KVM's kvm_dev_ioctl_get_cpuid(): -E2BIG for no room at all. */
	if (hdr->nent < 1 || hdr->nent < supported_nent)
		return -E2BIG;
	if (copy_to_user(entries, supported, supported_nent * sizeof(*supported)))
		return -EFAULT;
	hdr->nent = supported_nent;
	return 0;
}

/*
 * KVM's kvm_cpuid_check_equal(), after kvm_set_cpuid() applied
 * __kvm_update_cpuid_runtime() to the new table: KVM's stored table has the
 * dynamic bits applied, so a table read back with KVM_GET_CPUID2 (OSXSAVE
 * set by the guest's CR4, say) and one as first set both compare equal.
 */
static bool cpuid_equal(struct mv_vcpu *vcpu, const struct kvm_cpuid_entry2 *e,
			unsigned int nent)
{
	unsigned int i;

	if (nent != vcpu->cpuid_nent)
		return false;
	for (i = 0; i < nent; i++) {
		struct kvm_cpuid_entry2 a = e[i], b = vcpu->cpuid[i];

		cpuid_runtime(vcpu, &a);
		cpuid_runtime(vcpu, &b);
		if (a.function != b.function || a.index != b.index ||
		    a.flags != b.flags || a.eax != b.eax || a.ebx != b.ebx ||
		    a.ecx != b.ecx || a.edx != b.edx)
			return false;
	}
	return true;
}

/*
 * With KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT off, CPUID.1:ECX.MONITOR is
 * IA32_MISC_ENABLE.MWAIT, written into the table as KVM's
 * __kvm_update_cpuid_runtime() writes it: at KVM_SET_CPUID2 and whenever
 * that MSR bit changes, not when the quirk goes off.
 */
static void cpuid_apply_misc_enable(struct mv_vcpu *vcpu,
				    struct kvm_cpuid_entry2 *e, unsigned int nent)
{
	unsigned int i;

	if (mv_quirk_on(vcpu->vm, KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT))
		return;
	for (i = 0; i < nent; i++) {
		if (e[i].function != 1)
			continue;
		e[i].ecx &= ~F(3);
		if (vcpu->misc_enable & MSR_IA32_MISC_ENABLE_MWAIT)
			e[i].ecx |= F(3);		/* MONITOR/MWAIT */
		return;
	}
}

void mv_cpuid_misc_enable_changed(struct mv_vcpu *vcpu)
{
	cpuid_apply_misc_enable(vcpu, vcpu->cpuid, vcpu->cpuid_nent);
}

long mv_set_cpuid2(struct mv_vcpu *vcpu, struct kvm_cpuid2 *hdr,
		   struct kvm_cpuid_entry2 __user *entries)
{
	struct kvm_cpuid_entry2 *e = NULL;
	size_t size = hdr->nent * sizeof(*e);
	unsigned int i;

	if (hdr->nent > MV_MAX_CPUID_ENTRIES)
		return -E2BIG;
	if (hdr->nent) {
		e = vmemdup_user(entries, size);
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	cpuid_apply_misc_enable(vcpu, e, hdr->nent);
	/* After KVM_RUN only an identical table is accepted (KVM 5.19+). */
	if (vcpu->has_run && !cpuid_equal(vcpu, e, hdr->nent)) {
		kvfree(e);
		return -EINVAL;
	}
	/*
	 * KVM's kvm_check_cpuid(): a virtual-address width (0x80000008
	 * EAX[15:8]) other than 48 or 57 (or 0, unset) is refused.
	 */
	for (i = 0; i < hdr->nent; i++) {
		u32 vaddr_bits = (e[i].eax >> 8) & 0xff;

		if (e[i].function == 0x80000008 && vaddr_bits &&
		    vaddr_bits != 48 && vaddr_bits != 57) {
			kvfree(e);
			return -EINVAL;
		}
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr->nent;
	vcpu->cpuid_set = true;
	/* What the backend gates at each entry (intercepts.c). */
	vcpu->cpuid_rdtscp = mv_guest_has(vcpu, 0x80000001, MV_EDX, 27);
	vcpu->cpuid_rdpid = mv_guest_has(vcpu, 7, MV_ECX, 22);
	return 0;
}

long mv_get_cpuid2(struct mv_vcpu *vcpu, struct kvm_cpuid2 *hdr,
		   struct kvm_cpuid_entry2 __user *entries)
{
	unsigned int i;

	if (hdr->nent < vcpu->cpuid_nent)
		return -E2BIG;
	for (i = 0; i < vcpu->cpuid_nent; i++) {
		struct kvm_cpuid_entry2 e = vcpu->cpuid[i];

		cpuid_runtime(vcpu, &e);
		if (copy_to_user(&entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	hdr->nent = vcpu->cpuid_nent;
	return 0;
}

const struct kvm_cpuid_entry2 *mv_cpuid_find(struct mv_vcpu *vcpu, u32 function,
					     u32 index)
{
	unsigned int i;

	for (i = 0; i < vcpu->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *e = &vcpu->cpuid[i];

		if (e->function == function &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		     e->index == index))
			return e;
	}
	return NULL;
}

static bool entry_has(const struct kvm_cpuid_entry2 *e, int reg, int bit)
{
	u32 v;

	if (!e)
		return false;
	v = reg == MV_EAX ? e->eax : reg == MV_EBX ? e->ebx :
	    reg == MV_ECX ? e->ecx : e->edx;
	return v & BIT(bit);
}

bool mv_guest_has(struct mv_vcpu *vcpu, u32 leaf, int reg, int bit)
{
	return entry_has(mv_cpuid_find(vcpu, leaf, 0), reg, bit);
}

/* KVM's kvm_cpu_cap_has(): in the supported table (subleaf 0). */
bool mv_cpu_has(u32 leaf, int reg, int bit)
{
	unsigned int i;

	for (i = 0; i < supported_nent; i++)
		if (supported[i].function == leaf && supported[i].index == 0)
			return entry_has(&supported[i], reg, bit);
	return false;
}

/* KVM's guest_cpuid_is_intel(): leaf 0 says "GenuineIntel". */
bool mv_guest_is_intel(struct mv_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *basic = mv_cpuid_find(vcpu, 0, 0);

	return basic && basic->ebx == 0x756e6547 && basic->edx == 0x49656e69 &&
	       basic->ecx == 0x6c65746e;
}

/*
 * MSR_TSC_AUX, RDTSCP and RDPID are offered when the host has one of the
 * instructions and the backend can gate RDTSCP per vCPU (KVM: the TSC_AUX
 * user-return MSR, and on VMX "enable RDTSCP").
 */
bool mv_tsc_aux_supported(void)
{
	return mv_intercept_covered(MV_ICPT_RDTSCP) &&
	       (boot_cpu_has(X86_FEATURE_RDTSCP) || boot_cpu_has(X86_FEATURE_RDPID));
}

/*
 * KVM's get_out_of_range_cpuid_entry(): only a guest that calls itself
 * Intel gets the highest basic leaf for a leaf beyond its class's maximum;
 * everything else missing reads as zeros.
 */
static const struct kvm_cpuid_entry2 *out_of_range(struct mv_vcpu *vcpu,
						   u32 *function, u32 index)
{
	const struct kvm_cpuid_entry2 *basic = mv_cpuid_find(vcpu, 0, 0), *class;

	if (!mv_guest_is_intel(vcpu))
		return NULL;
	if (*function >= 0x40000000 && *function <= 0x4fffffff)
		class = mv_cpuid_find(vcpu, *function & 0xffffff00, 0);
	else if (*function >= 0xc0000000)
		class = mv_cpuid_find(vcpu, 0xc0000000, 0);
	else
		class = mv_cpuid_find(vcpu, *function & 0x80000000, 0);
	if (class && *function <= class->eax)
		return NULL;
	*function = basic->eax;
	return mv_cpuid_find(vcpu, basic->eax, index);
}

/*
 * KVM's __kvm_update_cpuid_runtime(): bits that follow the vCPU's state. KVM
 * stores them into its table, so KVM_GET_CPUID2 and the guest agree; here
 * both views are computed through this.
 */
static void cpuid_runtime(struct mv_vcpu *vcpu, struct kvm_cpuid_entry2 *e)
{
	struct mv_ctrl ctrl;

	mv_backend->get_ctrl(vcpu, &ctrl);
	if (e->function == 1) {
		if (boot_cpu_has(X86_FEATURE_XSAVE)) {
			e->ecx &= ~F(27);
			if (ctrl.cr4 & X86_CR4_OSXSAVE)
				e->ecx |= F(27);	/* OSXSAVE */
		}
		e->edx &= ~F(9);
		if (vcpu->apic_base & MSR_IA32_APICBASE_ENABLE)
			e->edx |= F(9);			/* APIC */
	} else if (e->function == 7 && e->index == 0 &&
		   boot_cpu_has(X86_FEATURE_PKU)) {
		e->ecx &= ~F(4);
		if (ctrl.cr4 & X86_CR4_PKE)
			e->ecx |= F(4);			/* OSPKE */
	} else if (e->function == 0xd && e->index == 0) {
		e->ebx = xstate_size(vcpu->xcr0);
	} else if (e->function == 0xd && e->index == 1 &&
		   (e->eax & (F(1) | F(3)))) {		/* XSAVEC, XSAVES */
		e->ebx = xstate_size(vcpu->xcr0);
	}
}

void mv_cpuid_emulate(struct mv_vcpu *vcpu)
{
	u32 function = vcpu->regs.gpr[MV_RAX], index = vcpu->regs.gpr[MV_RCX];
	const struct kvm_cpuid_entry2 *found = mv_cpuid_find(vcpu, function, index);
	struct kvm_cpuid_entry2 e = { 0 };

	if (!found)
		found = out_of_range(vcpu, &function, index);
	if (found) {
		e = *found;
		cpuid_runtime(vcpu, &e);
	}
	vcpu->regs.gpr[MV_RAX] = e.eax;
	vcpu->regs.gpr[MV_RBX] = e.ebx;
	vcpu->regs.gpr[MV_RCX] = e.ecx;
	vcpu->regs.gpr[MV_RDX] = e.edx;
}

/* KVM's guest_supported_xcr0 (cpuid_get_supported_xcr0()): leaf 0xd.0. */
u64 mv_guest_supported_xcr0(struct mv_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e = mv_cpuid_find(vcpu, 0xd, 0);

	if (!e)
		return 0;
	return ((u64)e->edx << 32 | e->eax) & mv_supported_xcr0();
}

/* KVM's __kvm_set_xcr(): SDM vol 1 13.3 "Enabling the XSAVE Feature Set". */
int mv_set_xcr(struct mv_vcpu *vcpu, u32 index, u64 xcr0)
{
	u64 allowed = XFEATURE_MASK_FP | mv_guest_supported_xcr0(vcpu);

	if (index != 0 || !(xcr0 & XFEATURE_MASK_FP) || (xcr0 & ~allowed))
		return 1;
	if ((xcr0 & XFEATURE_MASK_YMM) && !(xcr0 & XFEATURE_MASK_SSE))
		return 1;
	if ((xcr0 & XFEATURE_MASK_AVX512) &&
	    ((xcr0 & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
	     !(xcr0 & XFEATURE_MASK_YMM)))
		return 1;
	vcpu->xcr0 = xcr0;
	return 0;
}
