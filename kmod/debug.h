/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest debugging for userspace debuggers (KVM_SET_GUEST_DEBUG: single-step,
 * software and hardware breakpoints, KVM_EXIT_DEBUG), the guest's debug
 * registers through KVM_GET/SET_DEBUGREGS, and the #DB/#BP exit policy the
 * backends' exception intercepts feed (debug.c).
 */
#ifndef MINIVIRT_DEBUG_H
#define MINIVIRT_DEBUG_H

#include <linux/bits.h>
#include <linux/types.h>

#define MV_DR7_GD	BIT_ULL(13)	/* general detect (SDM vol 3B 18.2.4) */

struct mv_vcpu;

/* A vCPU's debugging state, as KVM's vcpu->guest_debug and friends. */
struct mv_guest_debug {
	u32 control;		/* KVM_GUESTDBG_*; 0 unless ENABLE was given */
	u64 db[4], dr7;		/* USE_HW_BP: in the hardware instead of the guest's */
	u64 singlestep_rip;	/* linear RIP when single-stepping was asked for */
	bool step_done;		/* an instruction the core completed ran under TF */
};

/* What the hardware runs with: the debugger's DR0-3/DR7, else the guest's. */
u64 mv_hw_dr7(const struct mv_vcpu *vcpu);
const u64 *mv_hw_db(const struct mv_vcpu *vcpu);

/* The exceptions the backends intercept: a bitmap by vector. */
u32 mv_exception_intercepts(const struct mv_vcpu *vcpu);

/* RFLAGS as the guest and userspace see it: the debugger's TF hidden. */
u64 mv_get_rflags(struct mv_vcpu *vcpu);
void mv_set_rflags(struct mv_vcpu *vcpu, u64 rflags);

/*
 * A #DB for the guest with payload (DR6 bits that are active high, in the
 * form of VMX's pending debug exceptions: B0-3, BD, BS): merged into DR6
 * and DR7.GD cleared, as KVM delivers one.
 */
void mv_queue_db(struct mv_vcpu *vcpu, u64 payload);

/*
 * The core completed an instruction (skipped or emulated it): under TF that
 * is a single-step trap, a #DB for the guest or, when the debugger steps,
 * KVM_EXIT_DEBUG once the exit's handler is done (mv_debug_after_insn()).
 */
void mv_debug_insn_done(struct mv_vcpu *vcpu);
int mv_debug_after_insn(struct mv_vcpu *vcpu, int r);

/*
 * A MOV to or from a DR exited while DR7.GD is set: the #DB (BD) the CPU
 * would have raised, or KVM_EXIT_DEBUG if the debugger set GD (KVM's VMX
 * handle_dr()). Returns as an exit handler.
 */
int mv_debug_general_detect(struct mv_vcpu *vcpu);

/* Exit handlers (exits.c's table): MV_EXIT_DB and MV_EXIT_BP. */
int mv_handle_db(struct mv_vcpu *vcpu);
int mv_handle_bp(struct mv_vcpu *vcpu);

/* ioctl handlers. */
long mv_set_guest_debug(void *vcpu, unsigned long arg, void *karg);
long mv_get_debugregs(void *vcpu, unsigned long arg, void *karg);
long mv_set_debugregs(void *vcpu, unsigned long arg, void *karg);

#endif /* MINIVIRT_DEBUG_H */
