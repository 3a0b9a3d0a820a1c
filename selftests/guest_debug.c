// SPDX-License-Identifier: GPL-2.0-only
/*
 * Guest debugging, as QEMU's gdbstub uses it: KVM_SET_GUEST_DEBUG with
 * single-step (RFLAGS.TF set by the host, hidden from KVM_GET_REGS and gone
 * once stepping ends), software breakpoints (#BP intercepted: KVM_EXIT_DEBUG
 * with exception 3 at the INT3), hardware breakpoints (debugreg[0-3] and
 * [7] loaded in place of the guest's: execute and write breakpoints exit
 * with DR6/DR7 as KVM reports them), KVM_GUESTDBG_INJECT_DB/BP; and
 * KVM_GET/SET_DEBUGREGS with KVM's checks. The capabilities: SET_GUEST_DEBUG,
 * SET_GUEST_DEBUG2 (the control bits KVM accepts) and DEBUGREGS.
 * Reference: Linux's tools/testing/selftests/kvm/x86_64/debug_regs.c.
 * Guest code: guest/guest_debug.S.
 */
#include <cpuid.h>
#include <sys/ioctl.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/threads.h"
#include "lib/vm.h"

DECLARE_GUEST(gd_int3);
DECLARE_GUEST_LABEL(gd_int3, bp);
DECLARE_GUEST(gd_hwbp);
DECLARE_GUEST_LABEL(gd_hwbp, insn);
DECLARE_GUEST_LABEL(gd_hwbp, wr);
DECLARE_GUEST_LABEL(gd_hwbp, wr_done);
DECLARE_GUEST(gd_step);
DECLARE_GUEST_LABEL(gd_step, s0);
DECLARE_GUEST_LABEL(gd_step, s1);
DECLARE_GUEST_LABEL(gd_step, s2);
DECLARE_GUEST_LABEL(gd_step, s3);
DECLARE_GUEST_LABEL(gd_step, s4);
DECLARE_GUEST_LABEL(gd_step, s5);
DECLARE_GUEST_LABEL(gd_step, s6);
DECLARE_GUEST_LABEL(gd_step, s7);
DECLARE_GUEST(gd_guest_drs);
DECLARE_GUEST(gd_read_drs);
DECLARE_GUEST(gd_gd);
DECLARE_GUEST_LABEL(gd_gd, mov);
DECLARE_GUEST(gd_icebp);
DECLARE_GUEST_LABEL(gd_icebp, after);
DECLARE_GUEST(gd_inject);
DECLARE_GUEST_LABEL(gd_inject, at);

#define RFLAGS_TF	(1ULL << 8)
#define DR6_INIT	0xffff0ff0ULL	/* DR6_ACTIVE_LOW: reset value */
#define DR6_BS		(1ULL << 14)
#define DR7_INIT	0x400ULL
/* KVM_GUESTDBG_VALID_MASK of Linux 6.1 and 6.12 (asm/kvm_host.h). */
#define GUESTDBG_VALID	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | \
			 KVM_GUESTDBG_USE_HW_BP | KVM_GUESTDBG_USE_SW_BP | \
			 KVM_GUESTDBG_INJECT_BP | KVM_GUESTDBG_INJECT_DB | \
			 KVM_GUESTDBG_BLOCKIRQ)

/*
 * The emulated SVM host, QEMU 7.2's TCG, cannot show what these cases test,
 * to KVM no more than to minivirt: it arms no breakpoint from the DR7 that
 * VMRUN loads (target/i386/tcg/sysemu/svm_helper.c, helper_vmrun() sets
 * env->dr[7] without cpu_x86_update_dr7()), and it checks INT3 against the
 * INTn intercept instead of the #BP exception intercept (tcg/excp_helper.c,
 * raise_interrupt2()). They run on the VMX host (Bochs).
 */
static void skip_on_qemu_tcg(const char *what)
{
	unsigned int brand[12], i;

	for (i = 0; i < 3; i++)
		__cpuid(0x80000002 + i, brand[4 * i], brand[4 * i + 1],
			brand[4 * i + 2], brand[4 * i + 3]);
	if (memmem(brand, sizeof(brand), "QEMU TCG CPU", 12))
		SKIP("QEMU TCG host: %s", what);
}

static void set_debug(struct vcpu *vcpu, uint32_t control, const uint64_t *dr,
		      uint64_t dr7)
{
	struct kvm_guest_debug dbg;
	int i;

	memset(&dbg, 0, sizeof(dbg));
	dbg.control = control;
	for (i = 0; dr && i < 4; i++)
		dbg.arch.debugreg[i] = dr[i];
	dbg.arch.debugreg[7] = dr7;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg));
}

static void set_rip(struct vcpu *vcpu, uint64_t rip)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.rip = rip;
	vcpu_regs_set(vcpu, &regs);
}

/* The last exit was KVM_EXIT_DEBUG for vector at pc. */
static void assert_debug_exit(struct vcpu *vcpu, uint32_t vector, uint64_t pc)
{
	struct kvm_debug_exit_arch *d = &vcpu->run->debug.arch;

	ASSERT_EXIT(vcpu, KVM_EXIT_DEBUG);
	EXPECT_EQ(d->exception, vector);
	EXPECT_EQ(d->pc, pc);
	EXPECT_EQ(vcpu_rip(vcpu), pc);	/* flat code segment: linear = RIP */
}

TEST(caps)
{
	int sys = th_open(th_dev), vm = th_create_vm(sys);
	int fds[2] = { sys, vm }, i;

	for (i = 0; i < 2; i++) {
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG), 1);
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2),
			  GUESTDBG_VALID);
		EXPECT_EQ(ioctl(fds[i], KVM_CHECK_EXTENSION, KVM_CAP_DEBUGREGS), 1);
	}
}

/*
 * gd_int3 took one #BP as its INT3 raises it, a trap (SDM vol 3A 6.5): the
 * handler saw the address after the INT3, and the guest went on.
 */
static void assert_int3_trapped(struct vm *vm)
{
	EXPECT_EQ(guest_exc(vm)->count, 1);
	EXPECT_EQ(guest_exc(vm)->vector, BP_VECTOR);
	EXPECT_EQ(guest_exc(vm)->rip, GUEST_ADDR(gd_int3, bp) + 1);
	EXPECT_EQ(guest_report(vm)[0], 0x33);
}

/* gd_int3 with USE_SW_BP, run to the exit at its INT3. */
static struct vm *stop_at_sw_breakpoint(struct vcpu **vcpu)
{
	struct vm *vm;

	skip_on_qemu_tcg("INT3 does not meet the #BP intercept");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_int3), 0, vcpu);
	set_debug(*vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP, NULL, 0);
	vcpu_run(*vcpu);
	assert_debug_exit(*vcpu, BP_VECTOR, GUEST_ADDR(gd_int3, bp));
	return vm;
}

/* USE_SW_BP: the INT3 exits, RIP at it; the guest never sees the #BP. */
TEST(sw_breakpoint)
{
	struct vcpu *vcpu;
	struct vm *vm;

	vm = stop_at_sw_breakpoint(&vcpu);
	/* As a debugger does: step over the INT3 and go on. */
	set_rip(vcpu, GUEST_ADDR(gd_int3, bp) + 1);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_report(vm)[0], 0x33);
	EXPECT_EQ(guest_exc(vm)->count, 0);
}

/* Without USE_SW_BP (or with debugging off) the guest takes its #BP. */
TEST(int3_reaches_guest_without_sw_bp)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(gd_int3), 0, &vcpu);

	set_debug(vcpu, KVM_GUESTDBG_ENABLE, NULL, 0);
	vcpu_run_to_hlt(vcpu);
	assert_int3_trapped(vm);
}

/* An execute breakpoint in each of DR0-3: a fault, at the instruction. */
TEST(hw_execute_breakpoint)
{
	uint64_t dr[4] = { 0 }, dr7;
	struct vcpu *vcpu;
	struct vm *vm;
	int i;

	skip_on_qemu_tcg("no breakpoint from VMCB.DR7");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_hwbp), 0, &vcpu);
	for (i = 0; i < 4; i++) {
		memset(dr, 0, sizeof(dr));
		dr[i] = GUEST_ADDR(gd_hwbp, insn);
		dr7 = DR7_INIT | 2ULL << (2 * i);	/* Gi, R/Wi = 00: execute */
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
			  dr, dr7);
		vcpu_run(vcpu);
		assert_debug_exit(vcpu, DB_VECTOR, GUEST_ADDR(gd_hwbp, insn));
		EXPECT_EQ(vcpu->run->debug.arch.dr6, DR6_INIT | 1ULL << i);
		EXPECT_EQ(vcpu->run->debug.arch.dr7, dr7);
	}
	/* Debugging off: the instruction runs, the guest goes on. */
	set_debug(vcpu, 0, NULL, 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_report(vm)[0], 0x1234);
	EXPECT_EQ(guest_exc(vm)->count, 0);
}

/* A 4-byte write breakpoint in each of DR0-3: a trap, after the write. */
TEST(hw_write_breakpoint)
{
	uint64_t dr[4] = { 0 }, dr7;
	struct vcpu *vcpu;
	uint32_t *data;
	struct vm *vm;
	int i;

	skip_on_qemu_tcg("no breakpoint from VMCB.DR7");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_hwbp), 0, &vcpu);
	data = vm_ptr(vm, GUEST_DATA_GPA);

	for (i = 0; i < 4; i++) {
		memset(dr, 0, sizeof(dr));
		dr[i] = GUEST_DATA_GPA;
		/* Li, R/Wi = 01 (write), LENi = 11 (4 bytes) */
		dr7 = DR7_INIT | 1ULL << (2 * i) | 0xdULL << (16 + 4 * i);
		set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
			  dr, dr7);
		*data = 0;
		vcpu_run(vcpu);
		assert_debug_exit(vcpu, DB_VECTOR, GUEST_ADDR(gd_hwbp, wr_done));
		EXPECT_EQ(vcpu->run->debug.arch.dr6, DR6_INIT | 1ULL << i);
		EXPECT_EQ(vcpu->run->debug.arch.dr7, dr7);
		EXPECT_EQ(*data, 0x1234);
		/* Back to the write, for the next register. */
		set_rip(vcpu, GUEST_ADDR(gd_hwbp, wr));
	}
	set_debug(vcpu, 0, NULL, 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_report(vm)[0], 0x1234);
	EXPECT_EQ(guest_exc(vm)->count, 0);
}

/*
 * The host's breakpoints replace the guest's in the hardware, but the
 * guest still reads its own DR0 and DR7, and KVM_GET_DEBUGREGS shows them:
 * the guest's write breakpoint does not fire, the host's does.
 */
TEST(hw_breakpoint_replaces_guest_drs)
{
	uint64_t dr[4] = { GUEST_DATA_GPA, 0, 0, 0 };
	uint64_t dr7 = DR7_INIT | 1 | 0xdULL << 16;
	struct kvm_debugregs dregs;
	struct vcpu *vcpu;
	uint64_t *r;
	struct vm *vm;

	skip_on_qemu_tcg("no breakpoint from VMCB.DR7");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_guest_drs), 0, &vcpu);
	r = guest_report(vm);
	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP, dr, dr7);
	vcpu_run(vcpu);
	ASSERT_EXIT(vcpu, KVM_EXIT_DEBUG);
	EXPECT_EQ(vcpu->run->debug.arch.exception, DB_VECTOR);
	EXPECT_EQ(vcpu->run->debug.arch.dr6, DR6_INIT | 1);
	EXPECT_EQ(vcpu->run->debug.arch.dr7, dr7);
	EXPECT_EQ(r[0], 0);		/* the guest's #DB never came */
	EXPECT_EQ(r[1], GUEST_DATA_GPA + 8);
	EXPECT_EQ(r[2], 0x000d0401);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &dregs));
	EXPECT_EQ(dregs.db[0], GUEST_DATA_GPA + 8);
	EXPECT_EQ(dregs.dr7, 0x000d0401);
	set_debug(vcpu, 0, NULL, 0);
	vcpu_run_to_hlt(vcpu);
}

/*
 * The same guest without host debugging: its own breakpoint fires. (KVM
 * passes this in QEMU's TCG too: it lets a guest that uses its debug
 * registers write DR7 without an exit, which arms QEMU's breakpoints.)
 */
TEST(guest_breakpoint_without_host_debug)
{
	struct kvm_debugregs dregs;
	struct vcpu *vcpu;
	uint64_t *r;
	struct vm *vm;

	if (!th_is_kvm)
		skip_on_qemu_tcg("no breakpoint from VMCB.DR7");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_guest_drs), 0, &vcpu);
	r = guest_report(vm);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(r[0], 1);
	EXPECT_EQ(guest_exc(vm)->vector, DB_VECTOR);
	EXPECT_EQ(r[1], GUEST_DATA_GPA + 8);
	EXPECT_EQ(r[2], 0x000d0401);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &dregs));
	/* DR6.B0 set by the write breakpoint the guest took. */
	EXPECT_EQ(dregs.dr6, DR6_INIT | 1);
}

/*
 * Bochs 2.7 (the VMX host) raises the single-step #DB of a guest with
 * RFLAGS.TF right at VM entry, before the guest's first instruction, and
 * again at every entry after that #DB exited (measured alike with KVM and
 * minivirt): stepping never moves there. Single-step runs on the SVM host.
 */
static void skip_steps_on_bochs(void)
{
	if (mt_host_is_bochs())
		SKIP("Bochs raises the single-step #DB at VM entry");
}

/* One step: KVM_EXIT_DEBUG with DR6.BS at the next instruction. */
static void expect_step(struct vcpu *vcpu, uint64_t pc)
{
	struct kvm_regs regs;

	vcpu_run(vcpu);
	assert_debug_exit(vcpu, DB_VECTOR, pc);
	EXPECT_EQ(vcpu->run->debug.arch.dr6, DR6_INIT | DR6_BS);
	/* The TF the host set is not the guest's: KVM_GET_REGS hides it. */
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rflags & RFLAGS_TF, 0);
}

/*
 * Single-step from s0, KVM_SET_GUEST_DEBUG once: over a plain instruction,
 * CPUID (emulated in the kernel), an OUT (completed at the next KVM_RUN,
 * which then exits at once) and a jump. Then stepping off: no TF is left,
 * in KVM_GET_REGS nor in the RFLAGS the guest pushes.
 */
static void single_step(bool set_each_step)
{
	uint64_t pcs[] = {
		GUEST_ADDR(gd_step, s1), GUEST_ADDR(gd_step, s2),
		GUEST_ADDR(gd_step, s3), GUEST_ADDR(gd_step, s4),
		GUEST_ADDR(gd_step, s5), GUEST_ADDR(gd_step, s6),
		GUEST_ADDR(gd_step, s7),
	};
	uint32_t control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	struct kvm_regs regs;
	struct vcpu *vcpu;
	unsigned int i;
	struct vm *vm;

	skip_steps_on_bochs();
	vm = guest_new(VM_MODE_LONG, GUEST(gd_step), 0, &vcpu);
	set_debug(vcpu, control, NULL, DR7_INIT);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rflags & RFLAGS_TF, 0);
	for (i = 0; i < sizeof(pcs) / sizeof(pcs[0]); i++) {
		if (set_each_step && i)
			set_debug(vcpu, control, NULL, DR7_INIT);
		if (pcs[i] == GUEST_ADDR(gd_step, s5)) {
			/* The OUT goes to userspace first, RIP still at it. */
			vcpu_run(vcpu);
			ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, GUEST_PORT_REPORT, 1);
			EXPECT_EQ(vcpu_rip(vcpu), GUEST_ADDR(gd_step, s4));
		}
		expect_step(vcpu, pcs[i]);
		TH_END_IF_FAILED();
	}
	set_debug(vcpu, 0, NULL, 0);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rflags & RFLAGS_TF, 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_report(vm)[0] & RFLAGS_TF, 0);
	EXPECT_EQ(guest_exc(vm)->count, 0);
}

TEST(single_step)
{
	single_step(false);
}

/* As QEMU's gdbstub does it: KVM_SET_GUEST_DEBUG before every step. */
TEST(single_step_set_each_step)
{
	single_step(true);
}

/* KVM_SET_REGS while stepping: a TF userspace sets is the guest's. */
TEST(single_step_regs_rflags)
{
	uint32_t control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
	struct kvm_regs regs;
	struct vcpu *vcpu;

	skip_steps_on_bochs();
	guest_new(VM_MODE_LONG, GUEST(gd_step), 0, &vcpu);
	set_debug(vcpu, control, NULL, DR7_INIT);
	/* Writing RFLAGS back at the same RIP keeps the step armed. */
	vcpu_regs_get(vcpu, &regs);
	vcpu_regs_set(vcpu, &regs);
	expect_step(vcpu, GUEST_ADDR(gd_step, s1));
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rip, GUEST_ADDR(gd_step, s1));
	EXPECT_EQ(regs.rflags & RFLAGS_TF, 0);
}

/*
 * KVM_GUESTDBG_INJECT_DB: a #DB the guest takes at its RIP, DR6 untouched
 * (no payload); with an exception already queued, -EBUSY.
 */
TEST(inject_db)
{
	struct kvm_vcpu_events ev;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(gd_inject), 0, &vcpu);
	struct kvm_guest_debug dbg;

	/* At the first NOP; the handler goes on after the second. */
	set_rip(vcpu, GUEST_ADDR(gd_inject, at));
	guest_exc(vm)->fixup = GUEST_ADDR(gd_inject, at) + 2;
	memset(&dbg, 0, sizeof(dbg));
	dbg.control = KVM_GUESTDBG_INJECT_DB;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg));
	/* One is queued now: a second is refused. */
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_GUEST_DEBUG, &dbg), EBUSY);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(ev.exception.injected, 1);
	EXPECT_EQ(ev.exception.nr, DB_VECTOR);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_exc(vm)->count, 1);
	EXPECT_EQ(guest_exc(vm)->vector, DB_VECTOR);
	EXPECT_EQ(guest_exc(vm)->rip, GUEST_ADDR(gd_inject, at));
	EXPECT_EQ(guest_report(vm)[0], DR6_INIT);
}

/*
 * A new exception goes in before an interrupt whose delivery was cut short,
 * which is dropped (KVM's kvm_check_and_inject_events(): the same order as
 * for a fault raised while an exit interrupted a delivery).
 */
TEST(new_exception_before_cut_short_interrupt)
{
	struct kvm_vcpu_events ev;
	struct kvm_regs regs;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(gd_inject), 0, &vcpu);

	vcpu_regs_get(vcpu, &regs);
	regs.rip = GUEST_ADDR(gd_inject, at);
	regs.rflags |= 1ULL << 9;	/* IF: VMX refuses an interrupt without */
	vcpu_regs_set(vcpu, &regs);
	guest_exc(vm)->fixup = GUEST_ADDR(gd_inject, at) + 2;
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	ev.interrupt.injected = 1;
	ev.interrupt.nr = 0x40;
	ev.flags = 0;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev));
	set_debug(vcpu, KVM_GUESTDBG_INJECT_DB, NULL, 0);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_exc(vm)->count, 1);
	EXPECT_EQ(guest_exc(vm)->vector, DB_VECTOR);
	EXPECT_EQ(guest_exc(vm)->rip, GUEST_ADDR(gd_inject, at));
}

/*
 * KVM_GUESTDBG_INJECT_BP as QEMU's gdbstub uses it: a guest INT3 that is not
 * the debugger's goes back to the guest, as the trap INT3 raises (SDM vol 3A
 * 6.5): the handler sees the address after the INT3, and the guest goes on.
 */
TEST(inject_bp_after_sw_breakpoint)
{
	struct vcpu *vcpu;
	struct vm *vm;

	vm = stop_at_sw_breakpoint(&vcpu);
	set_debug(vcpu, KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP |
		  KVM_GUESTDBG_INJECT_BP, NULL, 0);
	vcpu_run_to_hlt(vcpu);
	assert_int3_trapped(vm);
}

/*
 * The same #BP injected at an INT3 the vCPU never exited on. KVM on VMX takes
 * the trap's length from the last exit (event_exit_inst_len), which this vCPU
 * has not had: only AMD hosts (KVM decodes the INT3) show it.
 */
TEST(inject_bp_at_int3)
{
	struct kvm_vcpu_events ev;
	struct vcpu *vcpu;
	struct vm *vm;

	if (!host_is_amd())
		SKIP("KVM on VMX takes a #BP's length from the last exit");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_int3), 0, &vcpu);
	set_rip(vcpu, GUEST_ADDR(gd_int3, bp));
	guest_exc(vm)->fixup = GUEST_ADDR(gd_int3, bp) + 1;
	set_debug(vcpu, KVM_GUESTDBG_INJECT_BP, NULL, 0);
	/*
	 * Queued (the guest's own INT3 would look the same), but not reported
	 * as injected: KVM leaves out #BP/#OF, whose length the ABI lacks.
	 */
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, &ev));
	EXPECT_EQ(ev.exception.injected, 0);
	EXPECT_EQ(ev.exception.nr, BP_VECTOR);
	vcpu_run_to_hlt(vcpu);
	assert_int3_trapped(vm);
}

/*
 * DR7.GD (SDM vol 3B 18.2.4 "general detect"): the guest's MOV from DR0
 * faults with #DB, DR6.BD set, and GD is clear in the handler. (KVM on SVM
 * stops intercepting DR accesses of a guest that uses them, and QEMU's TCG
 * runs MOV DR without general detect: KVM's column cannot show it there.)
 */
TEST(general_detect)
{
	struct kvm_debugregs d;
	struct vcpu *vcpu;
	uint64_t *r;
	struct vm *vm;

	if (th_is_kvm)
		skip_on_qemu_tcg("MOV DR runs without general detect");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_gd), 0, &vcpu);
	r = guest_report(vm);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d));
	d.dr7 = DR7_INIT | 1ULL << 13;
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d));
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_exc(vm)->count, 1);
	EXPECT_EQ(guest_exc(vm)->vector, DB_VECTOR);
	EXPECT_EQ(guest_exc(vm)->rip, GUEST_ADDR(gd_gd, mov));
	EXPECT_EQ(r[0], 0);
	EXPECT_EQ(r[1], DR6_INIT | 1ULL << 13);
	EXPECT_EQ(r[2], DR7_INIT);
}

/*
 * INT1 (ICEBP) is the guest's #DB, a trap: it returns past the INT1, and
 * sets no DR6 bit (VMX exits on the INT1 itself, before it ran). QEMU 7.2's
 * TCG raises #UD for INT1 in the guest (seen alike with KVM).
 */
TEST(icebp_reaches_guest)
{
	struct vcpu *vcpu;
	struct vm *vm;

	skip_on_qemu_tcg("INT1 raises #UD");
	vm = guest_new(VM_MODE_LONG, GUEST(gd_icebp), 0, &vcpu);
	vcpu_run_to_hlt(vcpu);
	EXPECT_EQ(guest_exc(vm)->count, 1);
	EXPECT_EQ(guest_exc(vm)->vector, DB_VECTOR);
	EXPECT_EQ(guest_exc(vm)->rip, GUEST_ADDR(gd_icebp, after));
	EXPECT_EQ(guest_report(vm)[0], DR6_INIT);
}

/* Reset values; a round trip, read by the guest too; KVM's errnos. */
TEST(debugregs)
{
	struct kvm_debugregs d, back;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(gd_read_drs), 0, &vcpu);
	uint64_t *r = guest_report(vm);
	int i;

	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &d));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(d.db[i], 0);
	EXPECT_EQ(d.dr6, DR6_INIT);
	EXPECT_EQ(d.dr7, DR7_INIT);
	EXPECT_EQ(d.flags, 0);

	memset(&d, 0, sizeof(d));
	for (i = 0; i < 4; i++)
		d.db[i] = 0x1000 * (i + 1) + i;
	d.dr6 = DR6_INIT | 0x2;
	d.dr7 = DR7_INIT | 0x3 << 16;	/* R/W0 = 11, no breakpoint enabled */
	ASSERT_OK(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d));
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &back));
	for (i = 0; i < 4; i++)
		EXPECT_EQ(back.db[i], d.db[i]);
	EXPECT_EQ(back.dr6, d.dr6);
	EXPECT_EQ(back.dr7, d.dr7);
	EXPECT_EQ(back.flags, 0);
	vcpu_run_to_hlt(vcpu);
	for (i = 0; i < 4; i++)
		EXPECT_EQ(r[i], d.db[i]);
	EXPECT_EQ(r[4], d.dr6);
	EXPECT_EQ(r[5], d.dr7);

	d.flags = 1;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d), EINVAL);
	d.flags = 0;
	d.dr6 = 1ULL << 32 | DR6_INIT;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d), EINVAL);
	d.dr6 = DR6_INIT;
	d.dr7 = 1ULL << 40 | DR7_INIT;
	EXPECT_ERRNO(ioctl(vcpu->fd, KVM_SET_DEBUGREGS, &d), EINVAL);
	/* Refused calls changed nothing. */
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &back));
	EXPECT_EQ(back.dr6, DR6_INIT | 0x2);
	EXPECT_EQ(back.dr7, DR7_INIT | 0x3 << 16);
}

