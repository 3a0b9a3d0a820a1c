// SPDX-License-Identifier: GPL-2.0-only
/*
 * What QEMU 7.2 needs from a KVM module at vCPU init and reset, besides the
 * clock (target/i386/kvm/kvm.c: kvm_arch_init(), kvm_arch_init_vcpu(),
 * kvm_init_msrs(), kvm_put_msrs(); hw/intc/apic.c):
 * - KVM_CAP_IRQ_ROUTING (required in every irqchip mode) and
 *   KVM_SET_GSI_ROUTING, -EINVAL without an in-kernel irqchip;
 * - the MSRs it writes, accepted in full (it asserts on a short count) and
 *   read back as written: MISC_ENABLE, the MTRRs, the machine-check MSRs
 *   after KVM_X86_SETUP_MCE with KVM_X86_GET_MCE_CAP_SUPPORTED's bits, PAT,
 *   APIC_BASE, UCODE_REV; and KVM's refusals of bad values (short count,
 *   or #GP in the guest);
 * - KVM_GET_MSR_FEATURE_INDEX_LIST and feature-MSR reads on /dev/kvm;
 * - the kvm_run fields its userspace APIC reads after every KVM_RUN
 *   (apic_base, cr8, if_flag, ready_for_interrupt_injection).
 * Guest code: guest/qemu_msrs.S.
 */
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(msr_try);
DECLARE_GUEST(run_fields);

#define KVM_MAX_IRQ_ROUTES	4096	/* include/linux/kvm_host.h */
#define KVM_MAX_MCE_BANKS	32	/* arch/x86/kvm/x86.c */

#define MSR_IA32_UCODE_REV	0x0000008b
#define MSR_IA32_SPEC_CTRL	0x00000048
#define MSR_MTRRcap		0x000000fe
#define MSR_IA32_MCG_CAP	0x00000179
#define MSR_IA32_MCG_STATUS	0x0000017a
#define MSR_IA32_MCG_CTL	0x0000017b
#define MSR_IA32_MISC_ENABLE	0x000001a0
#define MSR_MTRR_BASE(i)	(0x200 + 2 * (i))
#define MSR_MTRR_MASK(i)	(0x201 + 2 * (i))
#define MSR_MTRRfix64K_00000	0x00000250
#define MSR_MTRRfix16K_80000	0x00000258
#define MSR_MTRRfix16K_A0000	0x00000259
#define MSR_MTRRfix4K_C0000	0x00000268
#define MSR_MC0_CTL2		0x00000280
#define MSR_MTRRdefType		0x000002ff
#define MSR_MC0_CTL		0x00000400
#define MSR_AMD64_VIRT_SPEC_CTRL 0xc001011f
#define MSR_IA32_PERF_CAPABILITIES 0x00000345
#define MSR_K7_HWCR		0xc0010015
#define CPUID_1_ECX_PDCM	(1U << 15)

#define MISC_ENABLE_FAST_STRING	(1ULL << 0)
#define MISC_ENABLE_EMON	(1ULL << 7)
#define MISC_ENABLE_BTS_UNAVAIL	(1ULL << 11)
#define MISC_ENABLE_PEBS_UNAVAIL (1ULL << 12)

#define MCG_CTL_P		(1ULL << 8)
#define MCG_SER_P		(1ULL << 24)
#define MCI_STATUS_VAL		(1ULL << 63)
#define MCI_STATUS_UC		(1ULL << 61)
#define MCI_STATUS_EN		(1ULL << 60)
#define MCI_STATUS_S		(1ULL << 56)
#define MCG_STATUS_RIPV		(1ULL << 0)
#define MCG_STATUS_MCIP		(1ULL << 2)
#define MC_VECTOR		18

/* QEMU's machine-check setup: MCE_CAP_DEF | MCE_BANKS_DEF (target/i386/cpu.h). */
#define QEMU_MCE_BANKS		10
#define QEMU_MCG_CAP		(MCG_CTL_P | MCG_SER_P | QEMU_MCE_BANKS)
#define QEMU_UCODE_REV		0x100000000ULL	/* x86_cpu_realizefn(), Intel */
/* MCG_CAP as it reads back: KVM on AMD drops the reserved bits 63:9. */
#define MCG_CAP_READ(cap)	(host_is_amd() ? (cap) & 0x1ff : (cap))

#define NO_FAULT		0xff		/* as in guest/qemu_msrs.S */
#define MSRS_MAX		128

struct msrs {
	struct kvm_msrs hdr;
	struct kvm_msr_entry e[MSRS_MAX];
};

static void msrs_add(struct msrs *m, uint32_t index, uint64_t data)
{
	ASSERT_TRUE(m->hdr.nmsrs < MSRS_MAX);
	m->e[m->hdr.nmsrs].index = index;
	m->e[m->hdr.nmsrs].data = data;
	m->hdr.nmsrs++;
}

static struct vcpu *plain_vcpu(struct vm **vmp)
{
	struct vm *vm = vm_new();
	struct vcpu *vcpu = vcpu_new(vm, 0);

	vcpu_set_supported_cpuid(vcpu);
	if (vmp)
		*vmp = vm;
	return vcpu;
}

/* KVM_SET_MSRS of one entry: 1 if taken, 0 if refused. */
static int msr_try_set(struct vcpu *vcpu, uint32_t index, uint64_t data)
{
	struct msrs m = { .hdr.nmsrs = 0 };

	msrs_add(&m, index, data);
	return ioctl(vcpu->fd, KVM_SET_MSRS, &m);
}

static int msr_try_get(struct vcpu *vcpu, uint32_t index, uint64_t *data)
{
	struct msrs m = { .hdr.nmsrs = 0 };
	int r;

	msrs_add(&m, index, 0);
	r = ioctl(vcpu->fd, KVM_GET_MSRS, &m);
	*data = m.e[0].data;
	return r;
}

static int check_ext(int fd, long cap)
{
	return ioctl(fd, KVM_CHECK_EXTENSION, cap);
}

/* The capability values KVM gives, on the system and the VM fd. */
TEST(caps)
{
	struct vm *vm = vm_new();
	int fds[2] = { vm->sys_fd, vm->fd }, i;

	for (i = 0; i < 2; i++) {
		EXPECT_EQ(check_ext(fds[i], KVM_CAP_IRQ_ROUTING), KVM_MAX_IRQ_ROUTES);
		EXPECT_EQ(check_ext(fds[i], KVM_CAP_MCE), KVM_MAX_MCE_BANKS);
		EXPECT_EQ(check_ext(fds[i], KVM_CAP_GET_MSR_FEATURES), 1);
	}
}

/*
 * KVM_SET_GSI_ROUTING without an in-kernel irqchip: the header is read
 * first (-EFAULT), then every call is -EINVAL (kvm_arch_can_set_irq_routing()).
 */
TEST(gsi_routing_without_irqchip)
{
	struct vm *vm = vm_new();
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[1];
	} r;

	memset(&r, 0, sizeof(r));
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &r), EINVAL);
	r.hdr.nr = 1;
	r.e[0].gsi = 0;
	r.e[0].type = KVM_IRQ_ROUTING_IRQCHIP;
	r.e[0].u.irqchip.irqchip = KVM_IRQCHIP_IOAPIC;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &r), EINVAL);
	r.hdr.nr = KVM_MAX_IRQ_ROUTES + 1;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &r), EINVAL);
	r.hdr.nr = 0;
	r.hdr.flags = 1;
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, &r), EINVAL);
	EXPECT_ERRNO(ioctl(vm->fd, KVM_SET_GSI_ROUTING, (void *)8), EFAULT);
}

/* The CPUID bits QEMU keys the MTRR and machine-check MSRs on. */
TEST(cpuid_mtrr_mce_mca)
{
	struct vm *vm = vm_new();
	struct kvm_cpuid2 *c = kvm_supported_cpuid(vm->sys_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 1, 0);

	ASSERT_TRUE(e);
	EXPECT_EQ(e->edx & (1U << 7), 1U << 7);		/* MCE */
	EXPECT_EQ(e->edx & (1U << 12), 1U << 12);	/* MTRR */
	EXPECT_EQ(e->edx & (1U << 14), 1U << 14);	/* MCA */
	free(c);
}

/*
 * KVM_X86_GET_MCE_CAP_SUPPORTED has QEMU's MCG_CTL_P and MCG_SER_P (else it
 * warns of unsupported MCG_CAP bits), no bank count; KVM_X86_SETUP_MCE takes
 * QEMU's value and refuses 0 or too many banks, or bits not supported.
 */
TEST(setup_mce)
{
	struct vm *vm;
	struct vcpu *vcpu = plain_vcpu(&vm);
	uint64_t sup = 0, cap, v;
	unsigned int i;

	ASSERT_OK(ioctl(vm->sys_fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &sup));
	EXPECT_EQ(sup & (MCG_CTL_P | MCG_SER_P), MCG_CTL_P | MCG_SER_P);
	EXPECT_EQ(sup & 0xff, 0);

	/* Before setup: KVM_MAX_MCE_BANKS banks, no MCG_CTL. */
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_IA32_MCG_CAP), KVM_MAX_MCE_BANKS);
	EXPECT_EQ(msr_try_get(vcpu, MSR_MC0_CTL + 4 * KVM_MAX_MCE_BANKS - 1, &v), 1);
	EXPECT_EQ(msr_try_set(vcpu, MSR_IA32_MCG_CTL, 0), 1);
	EXPECT_EQ(msr_try_set(vcpu, MSR_IA32_MCG_CTL, ~0ULL), 0);

	cap = 0;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap), EINVAL);
	cap = KVM_MAX_MCE_BANKS + 1;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap), EINVAL);
	cap = QEMU_MCE_BANKS | (1ULL << 40);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap), EINVAL);
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, (void *)8), EFAULT);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_IA32_MCG_CAP), KVM_MAX_MCE_BANKS);

	cap = QEMU_MCG_CAP;
	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap));
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_IA32_MCG_CAP), MCG_CAP_READ(QEMU_MCG_CAP));
	/* MCG_CTL and each MCi_CTL start all ones, the rest 0. */
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_IA32_MCG_CTL), ~0ULL);
	for (i = 0; i < 4 * QEMU_MCE_BANKS; i++)
		EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MC0_CTL + i), i % 4 ? 0 : ~0ULL);
	EXPECT_EQ(msr_try_get(vcpu, MSR_MC0_CTL + 4 * QEMU_MCE_BANKS, &v), 0);
}

/*
 * The MSRs QEMU 7.2 writes at vCPU init (kvm_init_msrs()) and at every
 * reset (kvm_put_msrs(KVM_PUT_FULL_STATE), kvm_put_sregs()) but the clock
 * ones, with the values of a reset vCPU whose firmware then set the MTRRs as
 * SeaBIOS does; all taken in one KVM_SET_MSRS, all read back as written.
 */
static void qemu_msrs(struct msrs *m, uint64_t phys_mask)
{
	unsigned int i;

	memset(m, 0, sizeof(*m));
	msrs_add(m, MSR_IA32_UCODE_REV, QEMU_UCODE_REV);
	msrs_add(m, MSR_IA32_SYSENTER_CS, 0);
	msrs_add(m, MSR_IA32_SYSENTER_ESP, 0);
	msrs_add(m, MSR_IA32_SYSENTER_EIP, 0);
	msrs_add(m, MSR_IA32_CR_PAT, 0x0007040600070406ULL);
	msrs_add(m, MSR_STAR, 0);
	msrs_add(m, MSR_CSTAR, 0);
	msrs_add(m, MSR_KERNEL_GS_BASE, 0);
	msrs_add(m, MSR_SYSCALL_MASK, 0);
	msrs_add(m, MSR_LSTAR, 0);
	msrs_add(m, MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING);
	msrs_add(m, MSR_IA32_MCG_STATUS, 0);
	msrs_add(m, MSR_IA32_MCG_CTL, ~0ULL);
	for (i = 0; i < 4 * QEMU_MCE_BANKS; i++)
		msrs_add(m, MSR_MC0_CTL + i, i % 4 ? 0 : ~0ULL);
	msrs_add(m, MSR_MTRRdefType, 0xc06);
	msrs_add(m, MSR_MTRRfix64K_00000, 0x0606060606060606ULL);
	msrs_add(m, MSR_MTRRfix16K_80000, 0x0606060606060606ULL);
	msrs_add(m, MSR_MTRRfix16K_A0000, 0);
	for (i = 0; i < 8; i++)
		msrs_add(m, MSR_MTRRfix4K_C0000 + i, i < 6 ? 0x0505050505050505ULL :
			 0x0606060606060606ULL);
	for (i = 0; i < 8; i++) {
		msrs_add(m, MSR_MTRR_BASE(i), i ? 0 : 0x80000000ULL);
		msrs_add(m, MSR_MTRR_MASK(i), i ? 0 :
			 ((phys_mask & ~0x7fffffffULL) | 0x800));
	}
	msrs_add(m, MSR_IA32_APICBASE, 0xfee00900ULL);
}

/* The guest's MAXPHYADDR as QEMU computes phys_mask from it. */
static uint64_t phys_mask(int sys_fd)
{
	struct kvm_cpuid2 *c = kvm_supported_cpuid(sys_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000008, 0);
	unsigned int bits = e ? e->eax & 0xff : 36;

	free(c);
	return (1ULL << bits) - 1;
}

TEST(qemu_init_reset_sequence)
{
	struct vm *vm;
	struct vcpu *vcpu = plain_vcpu(&vm);
	uint64_t cap = QEMU_MCG_CAP;
	struct msrs m, want;
	struct kvm_msrs empty = { .nmsrs = 0 };
	uint32_t i;
	int r;

	/* kvm_init_msrs() without ARCH_CAPABILITIES & co: maybe nothing. */
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &empty), 0);
	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap));

	qemu_msrs(&want, phys_mask(vm->sys_fd));
	m = want;
	r = ioctl(vcpu->fd, KVM_SET_MSRS, &m);
	if (r >= 0 && r < (int)want.hdr.nmsrs)
		TH_FAIL("%d of %u taken; refused: MSR %#x = %#llx", r,
			want.hdr.nmsrs, want.e[r].index,
			(unsigned long long)want.e[r].data);
	ASSERT_EQ(r, (int)want.hdr.nmsrs);
	for (i = 0; i < m.hdr.nmsrs; i++)
		m.e[i].data = 0x5a5a5a5a5a5a5a5aULL;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_GET_MSRS, &m), (int)want.hdr.nmsrs);
	for (i = 0; i < want.hdr.nmsrs; i++)
		if (m.e[i].data != want.e[i].data)
			TH_FAIL("MSR %#x reads %#llx, set %#llx", want.e[i].index,
				(unsigned long long)m.e[i].data,
				(unsigned long long)want.e[i].data);
	/* A reset later writes the same list again. */
	m = want;
	EXPECT_EQ(ioctl(vcpu->fd, KVM_SET_MSRS, &m), (int)want.hdr.nmsrs);
}

/* Values KVM refuses from userspace: each a short count. */
TEST(host_writes_refused)
{
	static const struct { uint32_t index; uint64_t data; } bad[] = {
		{ MSR_MTRRcap, 0x508 },			/* read-only */
		{ MSR_MTRRdefType, 0x2 },		/* type 2 reserved */
		{ MSR_MTRRdefType, 0x7 },		/* type 7 reserved */
		{ MSR_MTRRdefType, 0x1006 },		/* bit 12 reserved */
		{ MSR_MTRRfix64K_00000, 0x0606060606060603ULL },
		{ MSR_MTRRfix4K_C0000 + 7, 0x0806060606060606ULL },
		{ MSR_MTRR_BASE(0), 0x80000106ULL },	/* bit 8 reserved */
		{ MSR_MTRR_BASE(1), 0x80000002ULL },	/* type 2 */
		{ MSR_MTRR_MASK(0), 0xf80000801ULL },	/* bit 0 reserved */
		{ MSR_MTRR_MASK(7), 1ULL << 63 },	/* beyond MAXPHYADDR */
		{ 0x210, 0 },				/* not an MTRR */
		{ 0x251, 0 },
		{ 0x26f + 1, 0 },
		{ MSR_IA32_MCG_CAP, QEMU_MCG_CAP },	/* read-only */
		{ MSR_IA32_MCG_CTL, 1 },		/* 0 or all ones */
		{ MSR_MC0_CTL, 0x5 },			/* 0 or all ones */
		{ MSR_MC0_CTL + 4 * QEMU_MCE_BANKS, 0 },	/* no bank 10 */
		{ MSR_MC0_CTL2, 1 },			/* no CMCI */
		{ MSR_MC0_CTL2 + QEMU_MCE_BANKS, 0 },
	};
	struct vcpu *vcpu = plain_vcpu(NULL);
	uint64_t cap = QEMU_MCG_CAP, v;
	unsigned int i;

	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (msr_try_set(vcpu, bad[i].index, bad[i].data) != 0)
			TH_FAIL("MSR %#x = %#llx taken", bad[i].index,
				(unsigned long long)bad[i].data);
	/* What KVM lets userspace do that a guest may not. */
	EXPECT_EQ(msr_try_set(vcpu, MSR_MC0_CTL, ~0ULL & ~(1ULL << 10)), 1);
	EXPECT_EQ(msr_try_set(vcpu, MSR_MC0_CTL + 4, ~1ULL), 1);
	EXPECT_EQ(msr_try_set(vcpu, MSR_MC0_CTL + 1, MCI_STATUS_VAL | 1), 1);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MC0_CTL + 1), MCI_STATUS_VAL | 1);
	EXPECT_EQ(msr_try_set(vcpu, MSR_MC0_CTL2, 0), 1);
	EXPECT_EQ(msr_try_get(vcpu, MSR_MC0_CTL2, &v), 1);
	EXPECT_EQ(v, 0);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MTRRcap), 0x508);
	EXPECT_EQ(msr_try_get(vcpu, 0x210, &v), 0);
	EXPECT_EQ(msr_try_set(vcpu, MSR_IA32_MISC_ENABLE, ~0ULL), 1);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_IA32_MISC_ENABLE), ~0ULL);
}

/* RESET values: MISC_ENABLE, APIC_BASE (BSP: vCPU 0), UCODE_REV. */
TEST(reset_values)
{
	struct vm *vm = vm_new();
	struct vcpu *bsp = vcpu_new(vm, 0), *ap = vcpu_new(vm, 1);
	struct kvm_sregs s;
	uint64_t v;

	EXPECT_EQ(vcpu_msr_get(bsp, MSR_IA32_MISC_ENABLE),
		  MISC_ENABLE_PEBS_UNAVAIL | MISC_ENABLE_BTS_UNAVAIL);
	EXPECT_EQ(vcpu_msr_get(bsp, MSR_IA32_APICBASE), 0xfee00900ULL);
	EXPECT_EQ(vcpu_msr_get(ap, MSR_IA32_APICBASE), 0xfee00800ULL);
	vcpu_sregs_get(bsp, &s);
	EXPECT_EQ(s.apic_base, 0xfee00900ULL);
	vcpu_sregs_get(ap, &s);
	EXPECT_EQ(s.apic_base, 0xfee00800ULL);
	v = vcpu_msr_get(bsp, MSR_IA32_UCODE_REV);
	EXPECT_EQ(v, host_is_amd() ? 0x01000065ULL : 0x100000000ULL);
	EXPECT_EQ(vcpu_msr_get(bsp, MSR_MTRRdefType), 0);
	EXPECT_EQ(vcpu_msr_get(bsp, MSR_IA32_MCG_STATUS), 0);
}

static struct kvm_msr_list *msr_list(int sys, unsigned long req)
{
	struct kvm_msr_list probe = { .nmsrs = 0 }, *l;

	ASSERT_ERRNO(ioctl(sys, req, &probe), E2BIG);
	l = calloc(1, sizeof(*l) + (probe.nmsrs + 1) * sizeof(l->indices[0]));
	ASSERT_TRUE(l);
	l->nmsrs = probe.nmsrs;
	ASSERT_OK(ioctl(sys, req, l));
	ASSERT_EQ(l->nmsrs, probe.nmsrs);
	return l;
}

static bool listed(const struct kvm_msr_list *l, uint32_t index)
{
	uint32_t i;

	for (i = 0; i < l->nmsrs; i++)
		if (l->indices[i] == index)
			return true;
	return false;
}

/*
 * KVM_GET_MSR_INDEX_LIST has what QEMU saves and restores when listed:
 * MISC_ENABLE, UCODE_REV, MCG_STATUS, MCG_CTL; every listed MSR of these
 * reads on a new vCPU.
 */
TEST(index_list_for_qemu)
{
	static const uint32_t must[] = {
		MSR_IA32_MISC_ENABLE, MSR_IA32_UCODE_REV, MSR_IA32_MCG_STATUS,
		MSR_IA32_MCG_CTL,
	};
	struct vm *vm;
	struct vcpu *vcpu = plain_vcpu(&vm);
	struct kvm_msr_list *l = msr_list(vm->sys_fd, KVM_GET_MSR_INDEX_LIST);
	uint64_t v;
	uint32_t i;

	for (i = 0; i < sizeof(must) / sizeof(must[0]); i++) {
		if (!listed(l, must[i]))
			TH_FAIL("MSR %#x not listed", must[i]);
		else if (msr_try_get(vcpu, must[i], &v) != 1)
			TH_FAIL("MSR %#x listed, not readable", must[i]);
	}
	free(l);
}

/*
 * KVM_GET_MSR_FEATURE_INDEX_LIST (E2BIG protocol) lists UCODE_REV; each
 * listed MSR reads with KVM_GET_MSRS on the system fd, an MSR nobody has
 * does not. (Linux 6.12 also reads 0 there for the MSRs
 * KVM_GET_MSR_INDEX_LIST lists, 6.1 does not: not tested.)
 */
TEST(feature_msrs)
{
	struct vm *vm = vm_new();
	struct kvm_msr_list *l = msr_list(vm->sys_fd, KVM_GET_MSR_FEATURE_INDEX_LIST);
	struct msrs m;
	uint32_t i;

	EXPECT_TRUE(listed(l, MSR_IA32_UCODE_REV));
	if (l->nmsrs) {
		struct kvm_msr_list small = { .nmsrs = l->nmsrs - 1 };

		EXPECT_ERRNO(ioctl(vm->sys_fd, KVM_GET_MSR_FEATURE_INDEX_LIST, &small),
			     E2BIG);
		EXPECT_EQ(small.nmsrs, l->nmsrs);
	}
	ASSERT_TRUE(l->nmsrs <= MSRS_MAX);
	memset(&m, 0, sizeof(m));
	for (i = 0; i < l->nmsrs; i++)
		msrs_add(&m, l->indices[i], 0);
	EXPECT_EQ(ioctl(vm->sys_fd, KVM_GET_MSRS, &m), (int)l->nmsrs);
	memset(&m, 0, sizeof(m));
	msrs_add(&m, 0x0badc0de, 0);
	EXPECT_EQ(ioctl(vm->sys_fd, KVM_GET_MSRS, &m), 0);
	m.hdr.nmsrs = 256;
	EXPECT_ERRNO(ioctl(vm->sys_fd, KVM_GET_MSRS, &m), E2BIG);
	free(l);
}

struct msr_op {
	uint32_t index;
	uint32_t op;		/* 0 RDMSR, 1 WRMSR + RDMSR, 2 WRMSR */
	uint64_t value;
};

struct msr_result {
	uint64_t value;
	uint64_t vector;
};

/* Runs msr_try over ops in a long-mode guest with cpuid; results in res. */
static struct vcpu *guest_msrs(const struct msr_op *ops, uint32_t n,
			       struct kvm_cpuid2 *cpuid, struct msr_result **res)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(msr_try), 0, &vcpu);
	uint64_t cap = QEMU_MCG_CAP;

	if (cpuid)
		ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid));
	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap));
	vcpu_msr_set(vcpu, MSR_IA32_UCODE_REV, 0x4321);
	*(uint32_t *)vm_ptr(vm, GUEST_DATA_GPA) = n;
	memcpy(vm_ptr(vm, GUEST_DATA_GPA + 8), ops, n * sizeof(*ops));
	*res = (struct msr_result *)guest_report(vm);
	vcpu_run_to_hlt(vcpu);
	return vcpu;
}

static void expect_results(const struct msr_op *ops, const struct msr_result *r,
			   const uint64_t *vec, const uint64_t *val, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (r[i].vector != vec[i])
			TH_FAIL("op %u (MSR %#x, op %u, %#llx): vector %#llx, want %#llx",
				i, ops[i].index, ops[i].op,
				(unsigned long long)ops[i].value,
				(unsigned long long)r[i].vector,
				(unsigned long long)vec[i]);
		else if (vec[i] == NO_FAULT && ops[i].op != 2 && r[i].value != val[i])
			TH_FAIL("op %u (MSR %#x): reads %#llx, want %#llx", i,
				ops[i].index, (unsigned long long)r[i].value,
				(unsigned long long)val[i]);
	}
}

/*
 * A guest's MTRR, MISC_ENABLE, UCODE_REV and machine-check accesses, with
 * KVM's #GPs: reserved MTRR types and bits, the read-only MTRRcap; the PMU
 * "unavailable" bits of MISC_ENABLE (EMON writes are dropped); MCi_STATUS
 * writes other than 0 and MCi_CTL values other than 0 / all ones; CMCI's
 * MCi_CTL2 without MCG_CMCI_P. A guest's UCODE_REV write is ignored.
 */
TEST(guest_msr_checks)
{
	static const struct msr_op ops[] = {
		{ MSR_MTRRcap, 0, 0 },
		{ MSR_MTRRcap, 2, 0 },
		{ MSR_MTRRdefType, 1, 0xc06 },
		{ MSR_MTRRdefType, 1, 0xc02 },
		{ MSR_MTRRfix4K_C0000, 1, 0x0505050505050505ULL },
		{ MSR_MTRRfix4K_C0000, 1, 0x0505050505050503ULL },
		{ MSR_MTRR_BASE(3), 1, 0x80000006ULL },
		{ MSR_MTRR_BASE(3), 1, 0x80000f06ULL },
		{ MSR_MTRR_MASK(3), 1, 0x80000800ULL },
		{ MSR_MTRR_MASK(3), 1, 0x80000801ULL },
		{ 0x210, 0, 0 },
		{ MSR_IA32_MISC_ENABLE, 1, MISC_ENABLE_FAST_STRING |
		  MISC_ENABLE_PEBS_UNAVAIL | MISC_ENABLE_BTS_UNAVAIL |
		  MISC_ENABLE_EMON },
		{ MSR_IA32_MISC_ENABLE, 2, MISC_ENABLE_FAST_STRING },
		{ MSR_IA32_UCODE_REV, 1, 0x1234 },
		{ MSR_IA32_MCG_CTL, 1, 0 },
		{ MSR_IA32_MCG_CTL, 2, 1 },
		{ MSR_IA32_MCG_STATUS, 1, MCG_STATUS_RIPV },
		{ MSR_MC0_CTL + 4, 1, 0 },
		{ MSR_MC0_CTL + 4, 1, ~0ULL & ~(1ULL << 10) },
		{ MSR_MC0_CTL + 4, 2, 0xff },
		{ MSR_MC0_CTL + 5, 1, 0 },
		{ MSR_MC0_CTL + 5, 2, MCI_STATUS_VAL },
		{ MSR_MC0_CTL + 6, 1, 0xabcd000 },
		{ MSR_MC0_CTL + 4 * QEMU_MCE_BANKS, 0, 0 },
		{ MSR_MC0_CTL2, 0, 0 },
		{ MSR_IA32_MCG_CAP, 0, 0 },
		{ MSR_IA32_MCG_CAP, 2, QEMU_MCG_CAP },
	};
	static const uint64_t vec[] = {
		NO_FAULT, GP_VECTOR, NO_FAULT, GP_VECTOR, NO_FAULT, GP_VECTOR,
		NO_FAULT, GP_VECTOR, NO_FAULT, GP_VECTOR, GP_VECTOR,
		NO_FAULT, GP_VECTOR, NO_FAULT,
		NO_FAULT, GP_VECTOR, NO_FAULT, NO_FAULT, NO_FAULT, GP_VECTOR,
		NO_FAULT, GP_VECTOR, NO_FAULT, GP_VECTOR, GP_VECTOR,
		NO_FAULT, GP_VECTOR,
	};
	uint64_t val[] = {
		0x508, 0, 0xc06, 0, 0x0505050505050505ULL, 0,
		0x80000006ULL, 0, 0x80000800ULL, 0, 0,
		MISC_ENABLE_FAST_STRING | MISC_ENABLE_PEBS_UNAVAIL |
		MISC_ENABLE_BTS_UNAVAIL, 0, 0x4321,
		0, 0, MCG_STATUS_RIPV, 0, ~0ULL & ~(1ULL << 10), 0,
		0, 0, 0xabcd000, 0, 0,
		MCG_CAP_READ(QEMU_MCG_CAP), 0,
	};
	uint32_t n = sizeof(ops) / sizeof(ops[0]);
	struct msr_result *r;
	struct vcpu *vcpu;

	_Static_assert(sizeof(vec) == sizeof(ops) / 2, "one vector per op");
	_Static_assert(sizeof(val) == sizeof(ops) / 2, "one value per op");
	vcpu = guest_msrs(ops, n, NULL, &r);
	(void)vcpu;
	expect_results(ops, r, vec, val, n);
}

/*
 * AMD's HWCR (KVM's, on both vendors): FFDIS (3), IGNNE emulation (8) and
 * TLBCACHEDIS (6) are taken and dropped; McStatusWrEn (18) is kept, and
 * TscFreqSel (24) since Linux 6.12 (6.1 refused it); any other bit is
 * refused.
 */
TEST(hwcr)
{
	struct vcpu *vcpu = plain_vcpu(NULL);
	uint64_t v;

	EXPECT_EQ(msr_try_set(vcpu, MSR_K7_HWCR, 1ULL << 3 | 1ULL << 6 | 1ULL << 8), 1);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_K7_HWCR), 0);
	EXPECT_EQ(msr_try_set(vcpu, MSR_K7_HWCR, 1ULL << 18 | 1ULL << 8), 1);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_K7_HWCR), 1ULL << 18);
	EXPECT_EQ(msr_try_set(vcpu, MSR_K7_HWCR, 1ULL << 0), 0);
	EXPECT_EQ(msr_try_set(vcpu, MSR_K7_HWCR, 1ULL << 17), 0);
	EXPECT_EQ(msr_try_set(vcpu, MSR_K7_HWCR, 1ULL << 24),
		  th_kvm_before(6, 12) ? 0 : 1);
	v = th_kvm_before(6, 12) ? 1ULL << 18 : 1ULL << 24;
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_K7_HWCR), v);
}

/*
 * IA32_PERF_CAPABILITIES, a feature MSR (KVM_GET_MSR_FEATURE_INDEX_LIST,
 * read on the system fd: what a vCPU's may hold). On a vCPU userspace sets
 * any subset of it and reads it back; the guest reads it only with PDCM in
 * its CPUID and never writes it (KVM's kvm_set/get_msr_common()).
 */
TEST(perf_capabilities)
{
	static const struct msr_op ops[] = {
		{ MSR_IA32_PERF_CAPABILITIES, 0, 0 },
		{ MSR_IA32_PERF_CAPABILITIES, 2, 0 },
	};
	static const uint64_t vec[] = { GP_VECTOR, GP_VECTOR };
	static const uint64_t val[] = { 0, 0 };
	struct vm *vm = vm_new();
	struct kvm_msr_list *l = msr_list(vm->sys_fd, KVM_GET_MSR_FEATURE_INDEX_LIST);
	struct vcpu *vcpu = plain_vcpu(NULL);
	struct kvm_cpuid2 *cpuid;
	struct msr_result *r;
	struct msrs m;
	uint64_t v, bit;

	ASSERT_TRUE(listed(l, MSR_IA32_PERF_CAPABILITIES));
	memset(&m, 0, sizeof(m));
	msrs_add(&m, MSR_IA32_PERF_CAPABILITIES, 0);
	ASSERT_EQ(ioctl(vm->sys_fd, KVM_GET_MSRS, &m), 1);
	v = m.e[0].data;
	bit = ~v & (v + 1);		/* the lowest bit it lacks */

	EXPECT_EQ(msr_try_set(vcpu, MSR_IA32_PERF_CAPABILITIES, 0), 1);
	EXPECT_EQ(msr_try_set(vcpu, MSR_IA32_PERF_CAPABILITIES, bit), 0);
	EXPECT_EQ(msr_try_get(vcpu, MSR_IA32_PERF_CAPABILITIES, &v), 1);
	EXPECT_EQ(v, 0);

	cpuid = kvm_supported_cpuid(vm->sys_fd);
	cpuid_find(cpuid, 1, 0)->ecx &= ~CPUID_1_ECX_PDCM;
	guest_msrs(ops, 2, cpuid, &r);
	expect_results(ops, r, vec, val, 2);
	free(cpuid);
	free(l);
}

/*
 * SPEC_CTRL and VIRT_SSBD (AMD's VIRT_SPEC_CTRL) exist for the guest only
 * when its CPUID offers them: without, RDMSR and WRMSR #GP, as on KVM.
 */
TEST(guest_spec_ctrl_needs_cpuid)
{
	static const struct msr_op ops[] = {
		{ MSR_IA32_SPEC_CTRL, 0, 0 },
		{ MSR_IA32_SPEC_CTRL, 2, 0 },
		{ MSR_AMD64_VIRT_SPEC_CTRL, 0, 0 },
		{ MSR_AMD64_VIRT_SPEC_CTRL, 2, 0 },
	};
	static const uint64_t vec[] = { GP_VECTOR, GP_VECTOR, GP_VECTOR, GP_VECTOR };
	struct vm *vm = vm_new();
	struct kvm_cpuid2 *c = kvm_supported_cpuid(vm->sys_fd);
	struct kvm_cpuid_entry2 *e;
	struct msr_result *r;

	/* Leaf 7 EDX: IBRS/IBPB (26), STIBP (27), SSBD (31); 0x80000008 EBX. */
	e = cpuid_find(c, 7, 0);
	if (e)
		e->edx &= ~((1U << 26) | (1U << 27) | (1U << 31));
	e = cpuid_find(c, 0x80000008, 0);
	if (e)
		e->ebx = 0;
	guest_msrs(ops, 4, c, &r);
	expect_results(ops, r, vec, vec, 4);
	free(c);
}

static void expect_run_fields(struct vcpu *vcpu, uint64_t apic_base, uint8_t if_flag,
			      uint64_t cr8, uint8_t ready)
{
	EXPECT_EQ(vcpu->run->apic_base, apic_base);
	EXPECT_EQ(vcpu->run->if_flag, if_flag);
	EXPECT_EQ(vcpu->run->cr8, cr8);
	EXPECT_EQ(vcpu->run->ready_for_interrupt_injection, ready);
}

/*
 * After every exit kvm_run has apic_base (enable bit set: QEMU's APIC
 * disables itself for good otherwise), cr8 (the TPR), if_flag and
 * ready_for_interrupt_injection: after an IO exit with IF set and TPR 5,
 * a HLT with IF clear, the SET_TPR exit for the TPR lowered to 0, an MMIO
 * exit with IF set, and a KVM_RUN refused (-EINVAL for a bad cr8).
 */
TEST(run_apic_fields)
{
	struct vcpu *vcpu;

	guest_new(VM_MODE_LONG, GUEST(run_fields), 0, &vcpu);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 1, 0x10, 1);
	expect_run_fields(vcpu, 0xfee00900ULL, 1, 5, 1);

	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_HLT);
	expect_run_fields(vcpu, 0xfee00900ULL, 0, 5, 0);

	/* The APIC base userspace sets is what the next exit reports. */
	vcpu_msr_set(vcpu, MSR_IA32_APICBASE, 0xfed00900ULL);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_SET_TPR);
	expect_run_fields(vcpu, 0xfed00900ULL, 0, 0, 0);

	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, GUEST_MMIO_GPA, 4, true);
	expect_run_fields(vcpu, 0xfed00900ULL, 1, 0, 1);

	/* A refused KVM_RUN reports the state too (KVM's post_kvm_run_save()). */
	vcpu_msr_set(vcpu, MSR_IA32_APICBASE, 0xfee00900ULL);
	vcpu->run->cr8 = 16;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_RUN, 0), EINVAL);
	expect_run_fields(vcpu, 0xfee00900ULL, 1, 0, 1);
	vcpu->run->cr8 = 0;
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_HLT);
	expect_run_fields(vcpu, 0xfee00900ULL, 1, 0, 1);
}

/*
 * KVM_X86_SET_MCE: an uncorrected error with MCG_CTL and MCi_CTL all ones
 * and CR4.MCE set raises #MC and logs in the bank; a corrected one only
 * logs; a bank past the count or a status without VAL is -EINVAL.
 */
TEST(set_mce)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(msr_try), 0, &vcpu);
	uint64_t cap = QEMU_MCG_CAP;
	struct kvm_x86_mce mce;
	struct kvm_sregs s;

	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap));
	memset(&mce, 0, sizeof(mce));
	mce.bank = QEMU_MCE_BANKS;
	mce.status = MCI_STATUS_VAL;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_X86_SET_MCE, &mce), EINVAL);
	mce.bank = 2;
	mce.status = 0x1;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_X86_SET_MCE, &mce), EINVAL);

	/* Corrected: logged, no exception. */
	mce.status = MCI_STATUS_VAL | MCI_STATUS_EN | 0x10;
	mce.addr = 0x1000;
	mce.misc = 0x86;
	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SET_MCE, &mce));
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MC0_CTL + 9), mce.status);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MC0_CTL + 10), 0x1000);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MC0_CTL + 11), 0x86);

	/* Uncorrected, signalled: #MC when the guest runs. */
	vcpu_sregs_get(vcpu, &s);
	s.cr4 |= 1ULL << 6;		/* CR4.MCE */
	vcpu_sregs_set(vcpu, &s);
	mce.bank = 3;
	mce.status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN |
		     MCI_STATUS_S | 0x20;
	mce.mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV;
	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SET_MCE, &mce));
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_MC0_CTL + 13), mce.status);
	EXPECT_EQ(vcpu_msr_get(vcpu, MSR_IA32_MCG_STATUS), mce.mcg_status);
	*(uint32_t *)vm_ptr(vm, GUEST_DATA_GPA) = 0;
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_IO);
	EXPECT_EQ(vcpu->run->io.port, GUEST_PORT_EXC);
	EXPECT_EQ(vcpu_io_value(vcpu) & 0xff, MC_VECTOR);

	/* Another while MCIP is set: the vCPU shuts down. */
	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SET_MCE, &mce));
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_SHUTDOWN);
}

/*
 * #MC is a benign exception (SDM vol 3A table 6-4): raised while a #GP is
 * on its way it replaces it, no #DF (KVM's kvm_multiple_exception()).
 */
TEST(set_mce_replaces_injected_exception)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(msr_try), 0, &vcpu);
	uint64_t cap = QEMU_MCG_CAP;
	struct kvm_vcpu_events ev;
	struct kvm_x86_mce mce;
	struct kvm_sregs s;

	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SETUP_MCE, &cap));
	vcpu_sregs_get(vcpu, &s);
	s.cr4 |= 1ULL << 6;		/* CR4.MCE */
	vcpu_sregs_set(vcpu, &s);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	ev.exception.injected = 1;
	ev.exception.nr = GP_VECTOR;
	ev.exception.has_error_code = 1;
	ev.exception.error_code = 0;
	ev.flags = 0;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));

	memset(&mce, 0, sizeof(mce));
	mce.bank = 1;
	mce.status = MCI_STATUS_VAL | MCI_STATUS_UC | MCI_STATUS_EN |
		     MCI_STATUS_S | 0x20;
	mce.mcg_status = MCG_STATUS_MCIP | MCG_STATUS_RIPV;
	ASSERT_OK(ioctl(vcpu->fd, KVM_X86_SET_MCE, &mce));
	*(uint32_t *)vm_ptr(vm, GUEST_DATA_GPA) = 0;
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_IO);
	EXPECT_EQ(vcpu->run->io.port, GUEST_PORT_EXC);
	EXPECT_EQ(vcpu_io_value(vcpu) & 0xff, MC_VECTOR);
	EXPECT_EQ(guest_exc(vm)->count, 1);
}
