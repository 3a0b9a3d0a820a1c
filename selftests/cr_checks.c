// SPDX-License-Identifier: GPL-2.0-only
/*
 * The checks on guest writes to CR0 and CR4, as KVM's kvm_set_cr0() and
 * kvm_set_cr4() make them, in whatever paging mode the VM runs: a MOV to
 * CR4 that sets a reserved bit, or a feature bit the vCPU's CPUID does not
 * offer (OSXSAVE, FSGSBASE, SMEP, SMAP, PKE, LA57, UMIP, VMXE, PCIDE), gets
 * #GP(0) in the guest and changes nothing; so do clearing CR4.PAE or
 * changing CR4.LA57 in long mode, and CR4.PCIDE outside long mode or with
 * CR3[11:0] set. CR0: bits 63:32, NW without CD, PG without PE, and clearing
 * PG in 64-bit mode are #GP. A bit
 * that the CPUID offers goes through and reads back. KVM_SET_SREGS refuses
 * (-EINVAL) a CR4 that the MOV would fault on (kvm_is_valid_sregs()).
 * LMSW and SMSW with memory operands, which exit on SVM, run as on KVM.
 * Guest code: guest/cr_checks.S.
 */
#include <stdlib.h>
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(cr64_mov_cr4);
DECLARE_GUEST(cr64_mov_cr0);
DECLARE_GUEST(cr32_mov_cr4);
DECLARE_GUEST(cr32_mov_cr0);
DECLARE_GUEST(cr64_msw);

#define CR4_UMIP	(1ULL << 11)
#define CR4_LA57	(1ULL << 12)
#define CR4_VMXE	(1ULL << 13)
#define CR4_FSGSBASE	(1ULL << 16)
#define CR4_PCIDE	(1ULL << 17)
#define CR4_SMEP	(1ULL << 20)
#define CR4_SMAP	(1ULL << 21)
#define CR4_PKE		(1ULL << 22)

/* A CR4 feature bit and the CPUID bit that offers it (SDM vol 3A 2.5). */
struct cr4_feature {
	const char *name;
	uint64_t bit;
	uint32_t leaf, reg, nr;
};

static const struct cr4_feature features[] = {
	{ "OSXSAVE",	X86_CR4_OSXSAVE, 1, ECX, 26 },
	{ "FSGSBASE",	CR4_FSGSBASE, 7, EBX, 0 },
	{ "SMEP",	CR4_SMEP, 7, EBX, 7 },
	{ "SMAP",	CR4_SMAP, 7, EBX, 20 },
	{ "PKE",	CR4_PKE, 7, ECX, 3 },
	{ "LA57",	CR4_LA57, 7, ECX, 16 },
	{ "UMIP",	CR4_UMIP, 7, ECX, 2 },
	{ "VMXE",	CR4_VMXE, 1, ECX, 5 },
	{ "PCIDE",	CR4_PCIDE, 1, ECX, 17 },
};

/* Does the device's supported CPUID offer the feature? */
static bool offered(struct vm *vm, const struct cr4_feature *f)
{
	return supported_cpuid_reg(vm, f->leaf, 0, f->reg) >> f->nr & 1;
}

/* KVM_SET_CPUID2: the supported table without the feature's bit. */
static void cpuid_without(struct vcpu *vcpu, const struct cr4_feature *f)
{
	struct kvm_cpuid2 *cpuid = kvm_supported_cpuid(vcpu->vm->sys_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(cpuid, f->leaf, 0);

	if (e)
		*cpuid_entry_reg(e, f->reg) &= ~(1U << f->nr);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid));
	free(cpuid);
}

static struct guest_code cr_guest(enum vm_mode mode, int cr)
{
	if (mode == VM_MODE_LONG)
		return cr == 4 ? GUEST(cr64_mov_cr4) : GUEST(cr64_mov_cr0);
	return cr == 4 ? GUEST(cr32_mov_cr4) : GUEST(cr32_mov_cr0);
}

static uint64_t cr_of(struct vcpu *vcpu, int cr)
{
	struct kvm_sregs sregs;

	vcpu_sregs_get(vcpu, &sregs);
	return cr == 4 ? sregs.cr4 : sregs.cr0;
}

/*
 * Runs the guest's MOV to CRcr of val. Returns true if it went through;
 * false if it faulted, which must be #GP(0) with the register unchanged.
 */
static bool cr_write(struct vcpu *vcpu, int cr, uint64_t val)
{
	struct guest_exc *exc = guest_exc(vcpu->vm);
	uint64_t before = cr_of(vcpu, cr);
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_CODE_GPA;
	regs.rax = val;
	vcpu_regs_set(vcpu, &regs);
	exc->count = 0;
	vcpu_run_to_hlt(vcpu);
	if (guest_report(vcpu->vm)[0] == 1) {
		EXPECT_EQ(exc->count, 0);
		return true;
	}
	EXPECT_EQ(exc->count, 1);
	EXPECT_EQ(exc->vector, GP_VECTOR);
	EXPECT_EQ(exc->error, 0);
	EXPECT_EQ(cr_of(vcpu, cr), before);
	return false;
}

/* A new guest in mode, about to write CRcr. */
static struct vcpu *cr_guest_new(enum vm_mode mode, int cr)
{
	struct vcpu *vcpu;

	guest_new(mode, cr_guest(mode, cr), 0, &vcpu);
	return vcpu;
}

#define EXPECT_GP(vcpu, cr, val, what)					\
	do {								\
		if (cr_write(vcpu, cr, val))				\
			TH_FAIL("%s: MOV to CR%d of %#llx went through", \
				what, cr, (unsigned long long)(val));	\
	} while (0)

#define EXPECT_WRITTEN(vcpu, cr, val, readback, what)			\
	do {								\
		if (!cr_write(vcpu, cr, val))				\
			TH_FAIL("%s: MOV to CR%d of %#llx: #GP", what, cr, \
				(unsigned long long)(val));		\
		else							\
			EXPECT_EQ(cr_of(vcpu, cr), readback);		\
	} while (0)

/*
 * A MOV to CR0/CR4 with a bit of 63:32 set: #GP (SDM vol 2A MOV, APM vol 2
 * 3.1.1/3.1.3: reserved, must be zero). kvm_amd on a CPU without decode
 * assists (the QEMU test host: ../shared/TESTING.md) emulates the MOV with
 * its instruction emulator, whose emulator_set_cr() keeps only the low 32
 * bits of the source (mk_cr_64()): the write goes through with the upper
 * half dropped. That is accepted from KVM on AMD only (uapi/minivirt.h).
 */
static void expect_high_gp(struct vcpu *vcpu, int cr, uint64_t high,
			   const char *what)
{
	uint64_t old = cr_of(vcpu, cr);

	if (th_is_kvm && host_is_amd() && cr_write(vcpu, cr, old | high)) {
		EXPECT_EQ(cr_of(vcpu, cr), old);
		return;
	}
	EXPECT_GP(vcpu, cr, old | high, what);
}

/* Bits no CPU defines: 15, 31; and 32, 63 in 64-bit mode. */
TEST(cr4_reserved_bits)
{
	struct vcpu *vcpu;

	vcpu = cr_guest_new(VM_MODE_LONG, 4);
	EXPECT_GP(vcpu, 4, cr_of(vcpu, 4) | 1ULL << 15, "64-bit, bit 15");
	EXPECT_GP(vcpu, 4, cr_of(vcpu, 4) | 1ULL << 31, "64-bit, bit 31");
	expect_high_gp(vcpu, 4, 1ULL << 32, "bit 32");
	expect_high_gp(vcpu, 4, 1ULL << 63, "bit 63");
	vcpu = cr_guest_new(VM_MODE_PROT32, 4);
	EXPECT_GP(vcpu, 4, cr_of(vcpu, 4) | 1ULL << 15, "32-bit, bit 15");
	EXPECT_GP(vcpu, 4, cr_of(vcpu, 4) | 1ULL << 31, "32-bit, bit 31");
}

/*
 * Each feature bit with a CPUID that lacks the feature: #GP, in 32-bit
 * protected mode without paging (where LA57 and PCIDE are not refused for
 * their own reasons... PCIDE is, outside long mode: #GP either way).
 */
TEST(cr4_feature_without_cpuid)
{
	unsigned int i;

	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		struct vcpu *vcpu = cr_guest_new(VM_MODE_PROT32, 4);

		cpuid_without(vcpu, &features[i]);
		EXPECT_GP(vcpu, 4, cr_of(vcpu, 4) | features[i].bit,
			  features[i].name);
	}
}

/*
 * Each feature bit the supported CPUID offers goes through (32-bit, no
 * paging) and reads back. VMXE (nested VMX rules) and PCIDE (long mode
 * only) are left out.
 */
TEST(cr4_feature_with_cpuid)
{
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct cr4_feature *f = &features[i];
		struct vcpu *vcpu;
		uint64_t cr4;

		if (f->bit == CR4_VMXE || f->bit == CR4_PCIDE)
			continue;
		vcpu = cr_guest_new(VM_MODE_PROT32, 4);
		if (!offered(vcpu->vm, f))
			continue;
		TH_LOG("%s offered", f->name);
		n++;
		cr4 = cr_of(vcpu, 4) | f->bit;
		EXPECT_WRITTEN(vcpu, 4, cr4, cr4, f->name);
	}
	if (!n)
		SKIP("no CR4 feature bit offered");
}

/*
 * Long mode (kvm_set_cr4()): PAE cannot be cleared, LA57 cannot change,
 * PCIDE needs CR3[11:0] = 0 (and CPUID's PCID). Outside long mode PCIDE is
 * #GP too. PGE is allowed and reads back.
 */
TEST(cr4_long_mode_rules)
{
	struct kvm_sregs sregs;
	struct vcpu *vcpu;
	uint64_t cr4;

	vcpu = cr_guest_new(VM_MODE_LONG, 4);
	cr4 = cr_of(vcpu, 4);
	EXPECT_GP(vcpu, 4, cr4 & ~X86_CR4_PAE, "clear PAE");
	EXPECT_GP(vcpu, 4, cr4 ^ CR4_LA57, "toggle LA57");
	EXPECT_WRITTEN(vcpu, 4, cr4 | X86_CR4_PGE, cr4 | X86_CR4_PGE, "PGE");
	EXPECT_WRITTEN(vcpu, 4, cr4, cr4, "PGE off");

	vcpu = cr_guest_new(VM_MODE_LONG, 4);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr3 |= 0x8;	/* PWT: one of CR3[11:0] */
	vcpu_sregs_set(vcpu, &sregs);
	EXPECT_GP(vcpu, 4, sregs.cr4 | CR4_PCIDE, "PCIDE with CR3[11:0] != 0");

	vcpu = cr_guest_new(VM_MODE_PROT32, 4);
	EXPECT_GP(vcpu, 4, cr_of(vcpu, 4) | CR4_PCIDE, "PCIDE outside long mode");
}

/*
 * CR0 (kvm_set_cr0()): bits 63:32, NW without CD, PG without PE, PG off in
 * 64-bit mode: #GP; CD and NW together are fine.
 */
TEST(cr0_rules)
{
	struct vcpu *vcpu;
	uint64_t cr0;

	vcpu = cr_guest_new(VM_MODE_LONG, 0);
	cr0 = cr_of(vcpu, 0);
	expect_high_gp(vcpu, 0, 1ULL << 32, "bit 32");
	expect_high_gp(vcpu, 0, 1ULL << 63, "bit 63");
	EXPECT_GP(vcpu, 0, (cr0 | X86_CR0_NW) & ~X86_CR0_CD, "NW without CD");
	EXPECT_GP(vcpu, 0, cr0 & ~X86_CR0_PG, "PG off in 64-bit mode");

	vcpu = cr_guest_new(VM_MODE_PROT32, 0);
	cr0 = cr_of(vcpu, 0);
	EXPECT_GP(vcpu, 0, (cr0 | X86_CR0_PG) & ~X86_CR0_PE, "PG without PE");
	EXPECT_GP(vcpu, 0, (cr0 | X86_CR0_NW) & ~X86_CR0_CD, "NW without CD");
	EXPECT_WRITTEN(vcpu, 0, cr0 | X86_CR0_CD | X86_CR0_NW,
		       cr0 | X86_CR0_CD | X86_CR0_NW, "CD and NW");
	EXPECT_WRITTEN(vcpu, 0, cr0, cr0, "CD and NW off");
}

/* KVM_SET_SREGS: kvm_is_valid_sregs() checks CR4 as the MOV does. */
TEST(set_sregs_cr4)
{
	struct kvm_sregs sregs, orig;
	struct vcpu *vcpu;
	unsigned int i;

	vcpu = cr_guest_new(VM_MODE_LONG, 4);
	vcpu_sregs_get(vcpu, &orig);
	sregs = orig;
	sregs.cr4 |= 1ULL << 15;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_SREGS, &sregs), EINVAL);

	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct cr4_feature *f = &features[i];

		/* PCIDE and LA57 have rules of their own in long mode. */
		if (f->bit == CR4_PCIDE || f->bit == CR4_LA57)
			continue;
		vcpu = cr_guest_new(VM_MODE_LONG, 4);
		cpuid_without(vcpu, f);
		vcpu_sregs_get(vcpu, &sregs);
		sregs.cr4 |= f->bit;
		if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) != -1 || errno != EINVAL)
			TH_FAIL("%s without CPUID: KVM_SET_SREGS not -EINVAL",
				f->name);
	}
	/* And with the CPUID that offers it, accepted. */
	vcpu = cr_guest_new(VM_MODE_LONG, 4);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr4 |= X86_CR4_OSXSAVE;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SREGS, &sregs));
	EXPECT_EQ(cr_of(vcpu, 4), sregs.cr4);
}

/*
 * Before any KVM_SET_CPUID2 the vCPU has no model yet: KVM_SET_SREGS takes
 * every CR4 feature the supported CPUID offers (KVM's cr4_guest_rsvd_bits
 * are 0 until kvm_vcpu_after_set_cpuid()), and still refuses the others.
 * Once a table is set, its bits decide, even for an empty table.
 */
TEST(set_sregs_cr4_before_cpuid)
{
	struct vm *vm = vm_new();
	struct vcpu *vcpu = vcpu_new(vm, 0);
	struct kvm_cpuid2 empty = { .nent = 0 };
	struct kvm_sregs sregs, orig;
	uint64_t all = 0;
	unsigned int i;

	vcpu_sregs_get(vcpu, &orig);
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct cr4_feature *f = &features[i];

		if (!offered(vm, f))
			continue;
		/* PCIDE: CR3[11:0] must be 0 and needs long mode (not here). */
		if (f->bit == CR4_PCIDE)
			continue;
		all |= f->bit;
	}
	sregs = orig;
	sregs.cr4 |= all;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SREGS, &sregs));
	EXPECT_EQ(cr_of(vcpu, 4), orig.cr4 | all);
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct cr4_feature *f = &features[i];

		if (offered(vm, f))
			continue;
		sregs = orig;
		sregs.cr4 |= f->bit;
		if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) != -1 || errno != EINVAL)
			TH_FAIL("%s, not supported: KVM_SET_SREGS not -EINVAL",
				f->name);
	}

	/* An empty table: no feature at all. */
	sregs = orig;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_SREGS, &sregs));
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, &empty));
	for (i = 0; i < sizeof(features) / sizeof(features[0]); i++) {
		const struct cr4_feature *f = &features[i];

		sregs = orig;
		sregs.cr4 |= f->bit;
		if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) != -1 || errno != EINVAL)
			TH_FAIL("%s with an empty CPUID: KVM_SET_SREGS not -EINVAL",
				f->name);
	}
}

/*
 * SMSW m16 stores CR0[15:0] and nothing more; LMSW m16 loads MP, EM and TS
 * and may set PE (SDM vol 2A LMSW, SMSW). On SVM every CR0 write exits, and
 * under shadow paging every read too: the core runs both forms.
 */
TEST(lmsw_smsw_memory)
{
	struct vcpu *vcpu;
	uint64_t cr0, *r;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(cr64_msw), 0, &vcpu);

	cr0 = cr_of(vcpu, 0);
	r = guest_report(vm);
	r[2] = 0x1111222233334444ULL;
	r[3] = (cr0 & 0xfff0) | X86_CR0_TS | X86_CR0_MP;
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_exc(vm)->count, 0);
	EXPECT_EQ(r[0], 1);
	EXPECT_EQ(r[2], 0x1111222233330000ULL | (cr0 & 0xffff));
	EXPECT_EQ(r[1], cr0 | X86_CR0_TS | X86_CR0_MP);
	EXPECT_EQ(cr_of(vcpu, 0), cr0 | X86_CR0_TS | X86_CR0_MP);
}
