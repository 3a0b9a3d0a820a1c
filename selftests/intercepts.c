// SPDX-License-Identifier: GPL-2.0-only
/*
 * The instructions a hypervisor must intercept (or must be sure the CPU
 * refuses), one test each, run the same on minivirt and KVM: the exception
 * the guest takes (vector, error code, at the instruction), or none and the
 * registers the instruction left. KVM's answers, read in 6.1/6.12
 * (arch/x86/kvm x86.c, pmu.c, svm/svm.c, vmx/vmx.c):
 * - RDPMC: always intercepted; without a vPMU (or an index it does not
 *   offer) #GP(0) (kvm_pmu_rdpmc()).
 * - RDTSCP, RDPID: offered when the host has them, and they read the
 *   guest's own MSR_TSC_AUX; RDTSCP #UDs when the guest's CPUID lacks it
 *   (VMX: lacks both RDTSCP and RDPID; "enable RDTSCP" gates both).
 * - INVD, WBINVD: skipped (kvm_emulate_invd(), kvm_emulate_wbinvd()).
 * - MONITOR, MWAIT: skipped (KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS, default);
 *   with the quirk off, #UD while the guest's CPUID has no MONITOR, which
 *   follows IA32_MISC_ENABLE.MWAIT once KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT
 *   is off too.
 * - XSETBV: sets XCR0 when valid, else #GP(0); #UD without CR4.OSXSAVE.
 * - SVM's and VMX's own instructions: #UD (no nested virtualization offered
 *   to a guest whose EFER.SVME / CR4.VMXE is clear).
 * - RDPRU: #UD (svm_exit_handlers[SVM_EXIT_RDPRU] = kvm_handle_invalid_op).
 * - VMCALL (Intel) / VMMCALL (AMD): an unknown hypercall returns -KVM_ENOSYS.
 *   The other vendor's (#UD on the CPU): with KVM_X86_QUIRK_FIX_HYPERCALL_INSN
 *   (default) KVM rewrites it in guest memory to its own and runs that;
 *   disabled through KVM_CAP_DISABLE_QUIRKS2 or _QUIRKS, #UD and the bytes
 *   stay (x86.c emulator_fix_hypercall(), svm.c/vmx.c handle_ud()).
 * - GETSEC, PCONFIG, ENCLS on a CPU without them, RDRAND/RDSEED: not
 *   intercepted; the CPU's own answer.
 * Guest code: guest/intercepts.S.
 *
 * Where the emulated SVM host, QEMU 7.2 TCG, is not the reference (measured
 * 2026-12-07, the same answer from kvm_amd and minivirt; for
 * ../shared/TESTING.md, which this session cannot write):
 * - it ignores SVM's RDTSCP intercept: with it set (kvm_amd and minivirt
 *   alike, the guest's CPUID without RDTSCP) the guest's RDTSCP runs;
 * - it runs an L2 guest's XSETBV without the XSETBV intercept: the
 *   hypervisor never sees the write, KVM_GET_XCRS reads the old XCR0;
 * - it runs RDSEED wherever it has RDRAND (-cpu max has no RDSEED bit);
 * - it reports INVD with the WBINVD exit code (0x89): minivirt accepted
 *   only WBINVD's bytes there and failed the guest with
 *   KVM_EXIT_INTERNAL_ERROR;
 * - without the RDPMC intercept a guest's RDPMC gets #UD (QEMU does not
 *   implement the instruction); on hardware it reads the host's counters.
 * The tests accept those answers only in the QEMU host, in both columns.
 */
#include <cpuid.h>
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

#define PROBE_DECL(n)							\
	DECLARE_GUEST(icpt_##n);					\
	DECLARE_GUEST_LABEL(icpt_##n, insn)

PROBE_DECL(rdpmc);
PROBE_DECL(rdtscp);
PROBE_DECL(rdpid);
PROBE_DECL(rdpru);
PROBE_DECL(invd);
PROBE_DECL(wbinvd);
PROBE_DECL(monitor);
PROBE_DECL(mwait);
PROBE_DECL(xsetbv);
PROBE_DECL(vmrun);
PROBE_DECL(vmload);
PROBE_DECL(vmsave);
PROBE_DECL(stgi);
PROBE_DECL(clgi);
PROBE_DECL(skinit);
PROBE_DECL(invlpga);
PROBE_DECL(vmxon);
PROBE_DECL(vmcall);
PROBE_DECL(vmmcall);
PROBE_DECL(getsec);
PROBE_DECL(rdrand);
PROBE_DECL(rdseed);
PROBE_DECL(pconfig);
PROBE_DECL(encls);
PROBE_DECL(wrmsr_rdtscp);
PROBE_DECL(vmcall32);
PROBE_DECL(vmmcall32);

#define MSR_TSC_AUX		0xc0000103
#define KVM_ENOSYS		1000	/* include/uapi/linux/kvm_para.h */
#define KVM_EPERM		1
#ifndef KVM_CAP_PMU_CAPABILITY
#define KVM_CAP_PMU_CAPABILITY	225
#define KVM_PMU_CAP_DISABLE	(1 << 0)
#endif

/* One probe: its guest, where its instruction is, and where it halts. */
struct probe {
	struct vm *vm;
	struct vcpu *vcpu;
	uint64_t insn;		/* guest address of the instruction */
	uint64_t end;		/* RIP after the final HLT */
};

#define PROBE(p, n)	probe_new(p, GUEST(icpt_##n), GUEST_ADDR(icpt_##n, insn))

static void probe_new(struct probe *p, struct guest_code code, uint64_t insn)
{
	p->vm = guest_new(VM_MODE_LONG, code, 0, &p->vcpu);
	p->insn = insn;
	p->end = GUEST_CODE_GPA + GUEST_SIZE(code);
}

static void probe_regs(struct probe *p, uint64_t rax, uint64_t rcx, uint64_t rdx)
{
	struct kvm_regs regs;

	vcpu_regs_get(p->vcpu, &regs);
	regs.rax = rax;
	regs.rcx = rcx;
	regs.rdx = rdx;
	vcpu_regs_set(p->vcpu, &regs);
}

/* Runs the probe to its HLT; the registers it ends with. */
static void probe_run(struct probe *p, struct kvm_regs *regs)
{
	vcpu_run_to_hlt(p->vcpu);
	vcpu_regs_get(p->vcpu, regs);
}

/* The instruction raised vector (error code err) and did nothing else. */
static void expect_fault(struct probe *p, uint64_t vector, uint64_t err)
{
	struct guest_exc *exc = guest_exc(p->vm);
	struct kvm_regs regs;

	probe_run(p, &regs);
	if (exc->count != 1 || exc->vector != vector)
		TH_LOG("exceptions %llu, last vector %llu error %#llx at %#llx",
		       (unsigned long long)exc->count,
		       (unsigned long long)exc->vector,
		       (unsigned long long)exc->error,
		       (unsigned long long)exc->rip);
	EXPECT_EQ(exc->count, 1);
	EXPECT_EQ(exc->vector, vector);
	EXPECT_EQ(exc->error, err);
	EXPECT_EQ(exc->rip, p->insn);
}

/* The instruction completed without an exception; its registers in regs. */
static void expect_done(struct probe *p, struct kvm_regs *regs)
{
	struct guest_exc *exc = guest_exc(p->vm);

	probe_run(p, regs);
	if (exc->count)
		TH_LOG("exception %llu error %#llx at %#llx",
		       (unsigned long long)exc->vector,
		       (unsigned long long)exc->error,
		       (unsigned long long)exc->rip);
	EXPECT_EQ(exc->count, 0);
	EXPECT_EQ(regs->rip, p->end);
}

/* The host CPU's CPUID bit (the emulated host: what the guest runs on). */
static bool host_has(uint32_t leaf, uint32_t sub, int reg, int bit)
{
	uint32_t r[4];

	if (!__get_cpuid_count(leaf, sub, &r[0], &r[1], &r[2], &r[3]))
		return false;
	return r[reg] & (1U << bit);
}

/*
 * The emulated SVM host: QEMU TCG, whose hypervisor leaf says "TCGTCGTCGTCG".
 * Where it gets an instruction wrong (the top of this file) the test
 * accepts its answer, in both columns alike, only there.
 */
static bool host_is_qemu_tcg(void)
{
	uint32_t a, b, c, d;

	__cpuid(0x40000000, a, b, c, d);
	(void)a;
	return b == 0x54474354 && c == 0x43544743 && d == 0x47435447;
}
#define HOST_RDTSCP	host_has(0x80000001, 0, EDX, 27)
#define HOST_RDPID	host_has(7, 0, ECX, 22)

/* The same bit of KVM_GET_SUPPORTED_CPUID. */
static bool supported_has(struct vm *vm, uint32_t leaf, enum cpuid_reg reg, int bit)
{
	return supported_cpuid_reg(vm, leaf, 0, reg) & (1U << bit);
}

static int msr_set(struct vcpu *vcpu, uint32_t index, uint64_t value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} m = { .hdr.nmsrs = 1, .e = { .index = index, .data = value } };

	return ioctl(vcpu->fd, KVM_SET_MSRS, &m);
}

/* RDPMC of a counter no vPMU offers (neither AMD's 4-6 nor Intel's). */
TEST(rdpmc_bad_index_gp)
{
	struct probe p;

	PROBE(&p, rdpmc);
	probe_regs(&p, 0, 0x20, 0);
	expect_fault(&p, GP_VECTOR, 0);
}

/*
 * RDPMC of counter 0 with no vPMU: #GP(0). KVM's vPMU is turned off for the
 * VM (KVM_CAP_PMU_CAPABILITY); minivirt has none to turn off.
 */
TEST(rdpmc_no_vpmu_gp)
{
	struct vm *vm = vm_new();
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_PMU_CAPABILITY, .args = { KVM_PMU_CAP_DISABLE },
	};
	struct vcpu *vcpu;
	struct guest_exc *exc;
	struct kvm_regs regs;

	if (ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_PMU_CAPABILITY) > 0)
		ASSERT_OK(ioctl(vm->fd, KVM_ENABLE_CAP, &cap));
	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	vm_load(vm, GUEST_CODE_GPA, GUEST(icpt_rdpmc));
	vcpu = vcpu_new(vm, 0);
	vcpu_set_mode(vcpu, VM_MODE_LONG, 0);
	vcpu_regs_get(vcpu, &regs);
	regs.rcx = 0;
	regs.rax = regs.rdx = 0x5a5a5a5a;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run_to_hlt(vcpu);
	vcpu_regs_get(vcpu, &regs);
	exc = guest_exc(vm);
	/*
	 * 6.1's kvm_amd reads AMD's 4 legacy counters whether the VM's vPMU
	 * is on or not (svm/pmu.c: amd_pmu_refresh() sets version 1 always,
	 * amd_rdpmc_ecx_to_pmc() ignores enable_pmu); 6.12's
	 * kvm_pmu_refresh() leaves version 0 and #GPs. The older answer is
	 * accepted from 6.1 KVM only.
	 */
	if (th_is_kvm && host_is_amd() && th_kvm_before(6, 12) && !exc->count) {
		EXPECT_EQ(regs.rax, 0);
		EXPECT_EQ(regs.rdx, 0);
		return;
	}
	EXPECT_EQ(exc->count, 1);
	EXPECT_EQ(exc->vector, GP_VECTOR);
	EXPECT_EQ(exc->error, 0);
	EXPECT_EQ(exc->rip, GUEST_ADDR(icpt_rdpmc, insn));
	/* Nothing of the host's counters leaks into the registers. */
	EXPECT_EQ(regs.rax, 0x5a5a5a5a);
	EXPECT_EQ(regs.rdx, 0x5a5a5a5a);
}

/* KVM offers RDTSCP and RDPID where the host has them (cpuid.c). */
TEST(supported_cpuid_rdtscp_rdpid)
{
	struct vm *vm = vm_new();

	EXPECT_EQ(supported_has(vm, 0x80000001, EDX, 27), HOST_RDTSCP);
	EXPECT_EQ(supported_has(vm, 7, ECX, 22), HOST_RDPID);
}

/* MSR_TSC_AUX is on KVM_GET_MSR_INDEX_LIST (to save and restore) then. */
TEST(tsc_aux_in_msr_list)
{
	struct vm *vm = vm_new();
	struct kvm_msr_list probe = { .nmsrs = 0 }, *list;
	bool found = false;
	uint32_t i;

	if (!HOST_RDTSCP && !HOST_RDPID)
		SKIP("the host CPU has neither RDTSCP nor RDPID");
	EXPECT_ERRNO(ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, &probe), E2BIG);
	list = calloc(1, sizeof(*list) + probe.nmsrs * sizeof(uint32_t));
	ASSERT_TRUE(list);
	list->nmsrs = probe.nmsrs;
	ASSERT_OK(ioctl(vm->sys_fd, KVM_GET_MSR_INDEX_LIST, list));
	for (i = 0; i < list->nmsrs; i++)
		found |= list->indices[i] == MSR_TSC_AUX;
	EXPECT_TRUE(found);
	free(list);
}

/* RDTSCP reads the guest's TSC_AUX, as set by KVM_SET_MSRS, never the host's. */
TEST(rdtscp_guest_tsc_aux)
{
	struct probe p;
	struct kvm_regs regs;

	if (!HOST_RDTSCP)
		SKIP("the host CPU has no RDTSCP");
	PROBE(&p, rdtscp);
	vcpu_msr_set(p.vcpu, MSR_TSC_AUX, 0x1234abcd);
	probe_regs(&p, 0, 0xffffffff, 0);
	expect_done(&p, &regs);
	EXPECT_EQ(regs.rcx, 0x1234abcd);
	EXPECT_EQ(vcpu_msr_get(p.vcpu, MSR_TSC_AUX), 0x1234abcd);
}

/* The guest's own WRMSR to TSC_AUX, then RDTSCP; KVM_GET_MSRS sees it too. */
TEST(rdtscp_after_guest_wrmsr)
{
	struct probe p;
	struct kvm_regs regs;

	if (!HOST_RDTSCP)
		SKIP("the host CPU has no RDTSCP");
	probe_new(&p, GUEST(icpt_wrmsr_rdtscp), GUEST_ADDR(icpt_wrmsr_rdtscp, insn));
	probe_regs(&p, 0x00c0ffee, MSR_TSC_AUX, 0);
	expect_done(&p, &regs);
	EXPECT_EQ(regs.rcx, 0x00c0ffee);
	EXPECT_EQ(vcpu_msr_get(p.vcpu, MSR_TSC_AUX), 0x00c0ffee);
}

/*
 * Bits 63:32 of TSC_AUX (x86.c kvm_set_msr_common): reserved on an Intel
 * guest (#GP; KVM_SET_MSRS refuses them too), dropped on any other, since
 * AMD CPUs ignore them.
 */
TEST(tsc_aux_high_bits)
{
	struct probe p;
	struct kvm_regs regs;
	bool amd = host_is_amd();

	if (!HOST_RDTSCP)
		SKIP("the host CPU has no RDTSCP");
	PROBE(&p, vmcall);	/* any guest: only its vCPU is used here */
	EXPECT_EQ(msr_set(p.vcpu, MSR_TSC_AUX, 0x100000005ULL), amd ? 1 : 0);
	EXPECT_EQ(vcpu_msr_get(p.vcpu, MSR_TSC_AUX), amd ? 5 : 0);

	probe_new(&p, GUEST(icpt_wrmsr_rdtscp), GUEST_ADDR(icpt_wrmsr_rdtscp, insn));
	vcpu_msr_set(p.vcpu, MSR_TSC_AUX, 7);
	probe_regs(&p, 0x42, MSR_TSC_AUX, 1);
	if (amd) {
		expect_done(&p, &regs);
		EXPECT_EQ(regs.rcx, 0x42);
		EXPECT_EQ(vcpu_msr_get(p.vcpu, MSR_TSC_AUX), 0x42);
	} else {
		expect_fault(&p, GP_VECTOR, 0);
		EXPECT_EQ(vcpu_msr_get(p.vcpu, MSR_TSC_AUX), 7);
	}
}

/* The supported table without RDTSCP and RDPID (before the first KVM_RUN). */
static void cpuid_no_rdtscp_rdpid(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *c = kvm_supported_cpuid(vcpu->vm->sys_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 0x80000001, 0);

	ASSERT_TRUE(e);
	e->edx &= ~(1U << 27);
	e = cpuid_find(c, 7, 0);
	if (e)
		e->ecx &= ~(1U << 22);
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	free(c);
}

/* Without RDTSCP (and RDPID) in the guest's CPUID, RDTSCP #UDs. */
TEST(rdtscp_ud_without_cpuid)
{
	struct probe p;

	if (!HOST_RDTSCP)
		SKIP("the host CPU has no RDTSCP");
	PROBE(&p, rdtscp);
	cpuid_no_rdtscp_rdpid(p.vcpu);
	if (host_is_qemu_tcg()) {
		struct kvm_regs regs;

		/* QEMU 7.2 TCG ignores SVM's RDTSCP intercept (above). */
		expect_done(&p, &regs);
		return;
	}
	expect_fault(&p, UD_VECTOR, 0);
}

/* RDPID reads the guest's TSC_AUX too; #UD on a CPU without it. */
TEST(rdpid)
{
	struct probe p;
	struct kvm_regs regs;

	PROBE(&p, rdpid);
	if (!HOST_RDPID) {
		expect_fault(&p, UD_VECTOR, 0);
		return;
	}
	vcpu_msr_set(p.vcpu, MSR_TSC_AUX, 0x5678);
	probe_regs(&p, ~0ULL, 0, 0);
	expect_done(&p, &regs);
	EXPECT_EQ(regs.rax, 0x5678);
}

TEST(rdpru_ud)
{
	struct probe p;

	PROBE(&p, rdpru);
	probe_regs(&p, 0, 0, 0);
	expect_fault(&p, UD_VECTOR, 0);
}

/* INVD is WBINVD is a NOP to the guest: it goes on after it. */
TEST(invd_skipped)
{
	struct probe p;
	struct kvm_regs regs;

	PROBE(&p, invd);
	expect_done(&p, &regs);
}

TEST(wbinvd_skipped)
{
	struct probe p;
	struct kvm_regs regs;

	PROBE(&p, wbinvd);
	expect_done(&p, &regs);
}

TEST(monitor_skipped)
{
	struct probe p;
	struct kvm_regs regs;

	PROBE(&p, monitor);
	probe_regs(&p, GUEST_DATA_GPA, 0, 0);
	expect_done(&p, &regs);
}

TEST(mwait_skipped)
{
	struct probe p;
	struct kvm_regs regs;

	PROBE(&p, mwait);
	probe_regs(&p, 0, 0, 0);
	expect_done(&p, &regs);
}

/* CR4.OSXSAVE on, as the guest's kernel would set it. */
static void probe_osxsave(struct probe *p)
{
	struct kvm_sregs sregs;

	vcpu_sregs_get(p->vcpu, &sregs);
	sregs.cr4 |= X86_CR4_OSXSAVE;
	vcpu_sregs_set(p->vcpu, &sregs);
}

static uint64_t vcpu_xcr0(struct vcpu *vcpu)
{
	struct kvm_xcrs xcrs;
	uint32_t i;

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_XCRS, &xcrs));
	for (i = 0; i < xcrs.nr_xcrs; i++)
		if (xcrs.xcrs[i].xcr == 0)
			return xcrs.xcrs[i].value;
	return ~0ULL;
}

/* XCR0 = x87 | SSE: taken. */
TEST(xsetbv_valid)
{
	struct probe p;
	struct kvm_regs regs;

	PROBE(&p, xsetbv);
	if (!supported_has(p.vm, 1, ECX, 26))
		SKIP("no XSAVE");
	probe_osxsave(&p);
	probe_regs(&p, 3, 0, 0);
	expect_done(&p, &regs);
	/*
	 * QEMU 7.2 TCG runs an L2 guest's XSETBV without the SVM intercept:
	 * the hypervisor never sees it (above).
	 */
	if (host_is_qemu_tcg())
		return;
	EXPECT_EQ(vcpu_xcr0(p.vcpu), 3);
}

/* XCR0 without x87 (SDM vol 1 13.3): #GP(0), XCR0 unchanged. */
TEST(xsetbv_no_x87_gp)
{
	struct probe p;

	PROBE(&p, xsetbv);
	if (!supported_has(p.vm, 1, ECX, 26))
		SKIP("no XSAVE");
	probe_osxsave(&p);
	probe_regs(&p, 2, 0, 0);
	expect_fault(&p, GP_VECTOR, 0);
	EXPECT_EQ(vcpu_xcr0(p.vcpu), 1);
}

/* XCR1 and beyond do not exist for XSETBV: #GP(0). */
TEST(xsetbv_bad_xcr_gp)
{
	struct probe p;

	PROBE(&p, xsetbv);
	if (!supported_has(p.vm, 1, ECX, 26))
		SKIP("no XSAVE");
	probe_osxsave(&p);
	probe_regs(&p, 3, 1, 0);
	expect_fault(&p, GP_VECTOR, 0);
}

/* Without CR4.OSXSAVE: #UD, before any intercept. */
TEST(xsetbv_no_osxsave_ud)
{
	struct probe p;

	PROBE(&p, xsetbv);
	probe_regs(&p, 3, 0, 0);
	expect_fault(&p, UD_VECTOR, 0);
}

/* The native hypercall instruction: an unknown number gives -KVM_ENOSYS. */
TEST(hypercall_unknown)
{
	struct probe p;
	struct kvm_regs regs;

	if (host_is_amd())
		PROBE(&p, vmmcall);
	else
		PROBE(&p, vmcall);
	probe_regs(&p, 0x12345, 0, 0);
	expect_done(&p, &regs);
	EXPECT_EQ(regs.rax, (uint64_t)-KVM_ENOSYS);
}

#ifndef KVM_X86_QUIRK_FIX_HYPERCALL_INSN
#define KVM_X86_QUIRK_FIX_HYPERCALL_INSN	(1 << 5)
#endif
#define QUIRK_UNKNOWN	(1ULL << 62)	/* no KVM defines it */

static const uint8_t op_vmcall[3] = { 0x0f, 0x01, 0xc1 };
static const uint8_t op_vmmcall[3] = { 0x0f, 0x01, 0xd9 };

/* The other vendor's hypercall instruction in a probe; its bytes in *native. */
static void probe_other_hypercall(struct probe *p, const uint8_t **native)
{
	if (host_is_amd()) {
		PROBE(p, vmcall);
		*native = op_vmmcall;
	} else {
		PROBE(p, vmmcall);
		*native = op_vmcall;
	}
	probe_regs(p, 0x12345, 0, 0);
}

static int enable_cap(struct vm *vm, uint32_t cap, uint64_t arg)
{
	struct kvm_enable_cap c = { .cap = cap, .args = { arg } };

	return ioctl(vm->fd, KVM_ENABLE_CAP, &c);
}

/* The quirk (on by default): the bytes become the native ones, which run. */
TEST(hypercall_other_vendor_fixed)
{
	const uint8_t *native;
	struct kvm_regs regs;
	struct probe p;

	probe_other_hypercall(&p, &native);
	expect_done(&p, &regs);
	EXPECT_EQ(regs.rax, (uint64_t)-KVM_ENOSYS);
	EXPECT_EQ(memcmp(vm_ptr(p.vm, p.insn), native, 3), 0);
}

/* Quirk off (KVM_CAP_DISABLE_QUIRKS2): #UD at the instruction, bytes kept. */
TEST(hypercall_other_vendor_ud_no_quirk)
{
	const uint8_t *native;
	uint8_t before[3];
	struct probe p;

	probe_other_hypercall(&p, &native);
	ASSERT_TRUE(ioctl(p.vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS2) &
		    KVM_X86_QUIRK_FIX_HYPERCALL_INSN);
	ASSERT_OK(enable_cap(p.vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_FIX_HYPERCALL_INSN));
	memcpy(before, vm_ptr(p.vm, p.insn), 3);
	expect_fault(&p, UD_VECTOR, 0);
	EXPECT_EQ(memcmp(vm_ptr(p.vm, p.insn), before, 3), 0);
}

/*
 * KVM_CAP_DISABLE_QUIRKS2 refuses a bit it does not know (-EINVAL, the quirk
 * stays on); the older KVM_CAP_DISABLE_QUIRKS ignores it and takes the rest.
 */
TEST(disable_quirks_unknown_bit)
{
	const uint8_t *native;
	struct probe p;

	probe_other_hypercall(&p, &native);
	EXPECT_ERRNO(enable_cap(p.vm, KVM_CAP_DISABLE_QUIRKS2,
				KVM_X86_QUIRK_FIX_HYPERCALL_INSN | QUIRK_UNKNOWN),
		     EINVAL);
	EXPECT_EQ(ioctl(p.vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS), 1);
	ASSERT_OK(enable_cap(p.vm, KVM_CAP_DISABLE_QUIRKS,
			     KVM_X86_QUIRK_FIX_HYPERCALL_INSN | QUIRK_UNKNOWN));
	expect_fault(&p, UD_VECTOR, 0);
}

#ifndef KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS
#define KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT	(1 << 4)
#define KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS	(1 << 6)
#endif
#define MSR_MISC_ENABLE		0x1a0
#define MISC_ENABLE_MWAIT	(1ULL << 18)	/* SDM vol 4 2.1 */
#define CPUID_1_ECX_MONITOR	(1U << 3)

/* KVM_GET_CPUID2's CPUID.1:ECX (KVM's table, runtime bits applied). */
static uint32_t vcpu_cpuid1_ecx(struct vcpu *vcpu)
{
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + 256 * sizeof(c->entries[0]));
	struct kvm_cpuid_entry2 *e;
	uint32_t ecx;

	ASSERT_TRUE(c != NULL);
	c->nent = 256;
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_CPUID2, c));
	e = cpuid_find(c, 1, 0);
	ASSERT_TRUE(e != NULL);
	ecx = e->ecx;
	free(c);
	return ecx;
}

/* KVM_SET_CPUID2: the supported table, CPUID.1:ECX.MONITOR as asked. */
static void vcpu_set_cpuid_monitor(struct vcpu *vcpu, bool on)
{
	struct kvm_cpuid2 *c = kvm_supported_cpuid(vcpu->vm->sys_fd);
	struct kvm_cpuid_entry2 *e = cpuid_find(c, 1, 0);

	ASSERT_TRUE(e != NULL);
	e->ecx = on ? e->ecx | CPUID_1_ECX_MONITOR : e->ecx & ~CPUID_1_ECX_MONITOR;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_CPUID2, c));
	free(c);
}

/*
 * KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS off: MONITOR and MWAIT #UD while the
 * guest's CPUID has no MONITOR (kvm_emulate_monitor_mwait()), and are
 * skipped again once it has.
 */
TEST(monitor_mwait_ud_no_quirk)
{
	struct kvm_regs regs;
	struct probe p;

	PROBE(&p, monitor);
	probe_regs(&p, GUEST_DATA_GPA, 0, 0);
	ASSERT_TRUE(ioctl(p.vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_DISABLE_QUIRKS2) &
		    KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS);
	ASSERT_OK(enable_cap(p.vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS));
	vcpu_set_cpuid_monitor(p.vcpu, false);
	expect_fault(&p, UD_VECTOR, 0);

	PROBE(&p, mwait);
	probe_regs(&p, 0, 0, 0);
	ASSERT_OK(enable_cap(p.vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS));
	vcpu_set_cpuid_monitor(p.vcpu, true);
	expect_done(&p, &regs);
}

/*
 * KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT: on (default), IA32_MISC_ENABLE.MWAIT
 * is a plain bit; off, CPUID.1:ECX.MONITOR follows each change of it
 * (kvm_set_msr_common(), __kvm_update_cpuid_runtime()), and the guest's
 * MWAIT then #UDs or not by it (MWAIT_NEVER_UD_FAULTS off too).
 */
TEST(misc_enable_mwait_sets_cpuid)
{
	struct kvm_regs regs;
	struct probe p;

	PROBE(&p, mwait);
	probe_regs(&p, 0, 0, 0);
	vcpu_set_cpuid_monitor(p.vcpu, false);
	ASSERT_EQ(msr_set(p.vcpu, MSR_MISC_ENABLE, MISC_ENABLE_MWAIT), 1);
	EXPECT_EQ(vcpu_cpuid1_ecx(p.vcpu) & CPUID_1_ECX_MONITOR, 0);

	ASSERT_OK(enable_cap(p.vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT |
			     KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS));
	ASSERT_EQ(msr_set(p.vcpu, MSR_MISC_ENABLE, 0), 1);
	EXPECT_EQ(vcpu_cpuid1_ecx(p.vcpu) & CPUID_1_ECX_MONITOR, 0);
	ASSERT_EQ(msr_set(p.vcpu, MSR_MISC_ENABLE, MISC_ENABLE_MWAIT), 1);
	EXPECT_EQ(vcpu_cpuid1_ecx(p.vcpu) & CPUID_1_ECX_MONITOR, CPUID_1_ECX_MONITOR);
	expect_done(&p, &regs);

	PROBE(&p, mwait);
	probe_regs(&p, 0, 0, 0);
	ASSERT_OK(enable_cap(p.vm, KVM_CAP_DISABLE_QUIRKS2,
			     KVM_X86_QUIRK_MISC_ENABLE_NO_MWAIT |
			     KVM_X86_QUIRK_MWAIT_NEVER_UD_FAULTS));
	vcpu_set_cpuid_monitor(p.vcpu, true);
	ASSERT_EQ(msr_set(p.vcpu, MSR_MISC_ENABLE, MISC_ENABLE_MWAIT), 1);
	ASSERT_EQ(msr_set(p.vcpu, MSR_MISC_ENABLE, 0), 1);
	EXPECT_EQ(vcpu_cpuid1_ecx(p.vcpu) & CPUID_1_ECX_MONITOR, 0);
	expect_fault(&p, UD_VECTOR, 0);
}

/*
 * The other vendor's hypercall at CPL 3, 32-bit protected mode without an
 * IDT. KVM's emulator flags VMCALL Priv: on AMD it is #GP(0) (here a triple
 * fault: KVM_EXIT_SHUTDOWN), never patched. VMMCALL is not: on Intel it is
 * patched, and the VMCALL then answers -KVM_EPERM (32 bits of it). No IDT,
 * so no ring-0 stack from the TSS: QEMU 7.2 TCG aborts the whole host
 * ("qemu: fatal: invalid tss type") when an L2 guest at CPL 3 takes an
 * exception through the busy TSS a VMRUN loaded (measured 2026-12-07).
 */
TEST(hypercall_other_vendor_cpl3)
{
	bool amd = host_is_amd();
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct probe p;

	if (amd)
		guest_new(VM_MODE_PROT32, GUEST(icpt_vmcall32), VM_NO_IDT, &p.vcpu);
	else
		guest_new(VM_MODE_PROT32, GUEST(icpt_vmmcall32), VM_NO_IDT, &p.vcpu);
	p.vm = p.vcpu->vm;
	p.insn = amd ? GUEST_ADDR(icpt_vmcall32, insn) : GUEST_ADDR(icpt_vmmcall32, insn);
	vcpu_sregs_get(p.vcpu, &sregs);
	sregs.cs.selector |= 3;
	sregs.cs.dpl = 3;
	sregs.ss.selector |= 3;
	sregs.ss.dpl = 3;
	sregs.ds.dpl = sregs.es.dpl = sregs.fs.dpl = sregs.gs.dpl = 3;
	vcpu_sregs_set(p.vcpu, &sregs);
	vcpu_regs_get(p.vcpu, &regs);
	regs.rflags |= 3 << 12;		/* IOPL 3 */
	regs.rax = 0x12345;
	vcpu_regs_set(p.vcpu, &regs);
	vcpu_run(p.vcpu);
	if (amd) {
		ASSERT_EXIT(p.vcpu, KVM_EXIT_SHUTDOWN);
	} else {
		ASSERT_IO(p.vcpu, KVM_EXIT_IO_OUT, 4, 0x10, 1);
		EXPECT_EQ(vcpu_io_value(p.vcpu), (uint32_t)-KVM_EPERM);
	}
	/* Unchanged VMCALL on AMD; VMMCALL patched to VMCALL on Intel. */
	EXPECT_EQ(memcmp(vm_ptr(p.vm, p.insn), op_vmcall, 3), 0);
}

/* Virtualization instructions of either vendor: #UD in a guest. */
#define UD_TEST(n, rax, rcx)						\
	TEST(n##_ud)							\
	{								\
		struct probe p;						\
									\
		PROBE(&p, n);						\
		probe_regs(&p, rax, rcx, 0);				\
		expect_fault(&p, UD_VECTOR, 0);				\
	}

UD_TEST(vmrun, GUEST_FREE_GPA, 0)
UD_TEST(vmload, GUEST_FREE_GPA, 0)
UD_TEST(vmsave, GUEST_FREE_GPA, 0)

/*
 * STGI and CLGI #UD with the guest's EFER.SVME clear (APM vol 2 15.17). On
 * a CPU with virtual GIF kvm_amd does not intercept them at all (svm.c
 * init_vmcb(): "if (vgif) svm_clr_intercept(svm, INTERCEPT_STGI)"), and
 * its VMCB's EFER.SVME is set, so they run: KVM's answer there, accepted
 * from KVM only. minivirt gives the APM's.
 */
#define GIF_TEST(n)							\
	TEST(n##_ud)							\
	{								\
		struct probe p;						\
		struct kvm_regs regs;					\
									\
		PROBE(&p, n);						\
		if (th_is_kvm && host_is_amd() &&			\
		    host_has(0x8000000a, 0, EDX, 16)) {			\
			expect_done(&p, &regs);				\
			return;						\
		}							\
		expect_fault(&p, UD_VECTOR, 0);				\
	}

GIF_TEST(stgi)
GIF_TEST(clgi)
UD_TEST(skinit, GUEST_FREE_GPA, 0)
UD_TEST(invlpga, 0, 0)
UD_TEST(vmxon, GUEST_DATA_GPA, 0)
/* GETSEC #UDs with CR4.SMXE clear (which no guest here can set). */
UD_TEST(getsec, 0, 0)

/* Not intercepted: #UD where the CPU lacks them (our emulated hosts do). */
#define ABSENT_TEST(n, leaf, reg, bit)					\
	TEST(n##_absent_ud)						\
	{								\
		struct probe p;						\
									\
		if (host_has(leaf, 0, reg, bit))			\
			SKIP("the host CPU has " #n);			\
		PROBE(&p, n);						\
		probe_regs(&p, 0, 0, 0);				\
		expect_fault(&p, UD_VECTOR, 0);				\
	}

ABSENT_TEST(pconfig, 7, EDX, 18)
ABSENT_TEST(encls, 7, EBX, 2)

/* RDRAND and RDSEED run natively: a result, or #UD without them. */
#define RAND_TEST(n, leaf, reg, bit)					\
	TEST(n)								\
	{								\
		struct probe p;						\
		struct kvm_regs regs;					\
									\
		PROBE(&p, n);						\
		/* QEMU 7.2 TCG: RDSEED wherever RDRAND (above). */	\
		if (!host_has(leaf, 0, reg, bit) &&			\
		    !(host_is_qemu_tcg() && host_has(1, 0, ECX, 30))) {	\
			expect_fault(&p, UD_VECTOR, 0);			\
			return;						\
		}							\
		expect_done(&p, &regs);					\
	}

RAND_TEST(rdrand, 1, ECX, 30)
RAND_TEST(rdseed, 7, EBX, 18)
