// SPDX-License-Identifier: GPL-2.0-only
/*
 * Protection keys: PKU for the guest, its PKRU kept apart from the host's.
 * KVM (6.1/6.12 cpuid.c, x86.c) offers PKU when the host runs with it
 * (OSPKE) and nested paging, PKRU in the supported XCR0 whenever the host's
 * XCR0 has it, and switches PKRU around each entry
 * (kvm_load_guest_xsave_state()): a guest's WRPKRU must never reach the
 * host, whose PKRU governs the kernel's accesses to user memory too.
 * KVM_GET_XSAVE and KVM_SET_XSAVE carry the guest's PKRU (SDM vol 1 13.5.7:
 * component 9, its offset from CPUID.(EAX=0DH,ECX=9).EBX).
 * Guest code: guest/pkru.S.
 */
#include <cpuid.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../uapi/minivirt.h"
#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

DECLARE_GUEST(pkru_write_read);

#define XFEATURE_PKRU		9
#define XSAVE_HDR_OFFSET	512	/* XSTATE_BV, SDM vol 1 13.4.2 */
#define GUEST_PKRU		0x55555554u	/* access-disable keys 1-15 */
#define RESTORED_PKRU		0x11111110u

static uint32_t host_rdpkru(void)
{
	uint32_t eax, edx;

	asm volatile("rdpkru" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax;
}

/* The host runs with PKRU in XCR0 (CPUID OSXSAVE, then XGETBV). */
static bool host_xcr0_has_pkru(void)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;

	__cpuid(1, a, b, c, d);
	if (!(c & (1U << 27)))
		return false;
	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return lo & (1U << XFEATURE_PKRU);
}

/* CPUID.7.0:ECX.OSPKE: the host kernel enabled protection keys. */
static bool host_ospke(void)
{
	unsigned int a, b, c, d;

	__cpuid_count(7, 0, a, b, c, d);
	return c & (1U << 4);
}

static bool vm_nested_paging(struct vm *vm)
{
	uint32_t mode;

	if (th_is_kvm)
		return !th_kvm_shadow_mmu();
	ASSERT_OK(ioctl(vm->fd, MINIVIRT_GET_MMU, &mode));
	return mode == MINIVIRT_MMU_NESTED;
}

TEST(supported_xcr0_has_pkru)
{
	struct vm *vm = vm_new();

	if (!host_xcr0_has_pkru())
		SKIP("the host's XCR0 has no PKRU");
	EXPECT_TRUE(supported_cpuid_reg(vm, 0xd, 0, EAX) & (1U << XFEATURE_PKRU));
}

/* PKU with nested paging only: the shadow MMU checks no keys (KVM). */
TEST(pku_offered_with_nested_paging)
{
	struct vm *vm = vm_new();
	bool pku = supported_cpuid_reg(vm, 7, 0, ECX) & (1U << 3);

	EXPECT_EQ(pku, host_ospke() && vm_nested_paging(vm));
}

/* The PKRU word of a KVM_GET/SET_XSAVE buffer (non-compacted layout). */
static uint32_t *xsave_pkru(struct kvm_xsave *x)
{
	unsigned int a, b, c, d;

	__cpuid_count(0xd, XFEATURE_PKRU, a, b, c, d);
	return (uint32_t *)((uint8_t *)x->region + b);
}

/*
 * The guest's WRPKRU stays in the guest: the host's PKRU is the same after
 * KVM_RUN, KVM_GET_XSAVE reads the guest's, and one set by KVM_SET_XSAVE is
 * what the guest's RDPKRU reads next.
 */
TEST(guest_pkru_is_switched)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(pkru_write_read), 0, &vcpu);
	struct kvm_xsave x;
	struct kvm_regs regs;
	uint32_t host;
	uint64_t bv;

	if (!(supported_cpuid_reg(vm, 7, 0, ECX) & (1U << 3)))
		SKIP("no PKU offered");
	host = host_rdpkru();
	vcpu_regs_get(vcpu, &regs);
	regs.rbx = GUEST_PKRU;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(host_rdpkru(), host);

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XSAVE, &x));
	EXPECT_EQ(*xsave_pkru(&x), GUEST_PKRU);

	*xsave_pkru(&x) = RESTORED_PKRU;
	memcpy(&bv, (uint8_t *)x.region + XSAVE_HDR_OFFSET, sizeof(bv));
	bv |= 1ULL << XFEATURE_PKRU;
	memcpy((uint8_t *)x.region + XSAVE_HDR_OFFSET, &bv, sizeof(bv));
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_XSAVE, &x));
	vcpu_run_to_hlt(vcpu);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ((uint32_t)regs.rax, RESTORED_PKRU);
	EXPECT_EQ(host_rdpkru(), host);
}
