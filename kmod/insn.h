/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest instructions: fetching, skipping, and the few the core decodes itself. */
#ifndef MINIVIRT_INSN_H
#define MINIVIRT_INSN_H

#include <linux/types.h>

#include "emulate.h"

struct mv_ctrl;
struct mv_vcpu;

/* The code segment's default sizes (SDM vol 1 3.6 "Operand-size..."). */
enum mv_emu_mode mv_code_mode(const struct mv_ctrl *ctrl, u64 rflags);

/*
 * Reads up to len bytes at CS:RIP through the guest's page tables. Returns the
 * number read (at least 1), or -EFAULT if not even one byte could be.
 */
int mv_fetch_insn(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u8 *buf,
		  unsigned int len);

/*
 * Moves RIP past the exiting instruction: by the length the hardware gave,
 * or, where it gave none, after checking that RIP holds the exit's opcode
 * (legacy and REX prefixes allowed). Returns 0, or -EINVAL if RIP holds
 * something else (the caller reports an emulation failure).
 */
int mv_skip_insn(struct mv_vcpu *vcpu);

/*
 * The linear address of seg_nr:offset (offset already cut to the address
 * size); only FS and GS have bases in 64-bit mode (SDM vol 1 3.4.2.1).
 */
u64 mv_seg_linear(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u8 seg_nr,
		  u64 offset);

/*
 * The segment checks of a data access of size bytes at seg_nr:offset
 * outside 64-bit mode, as KVM's emulator makes them (__linearize(); SDM
 * vol 3A 5.3 "Limit Checking", 5.4 "Type Checking", 3.4.2 on null
 * selectors): an unusable segment, a write to a code or read-only
 * segment, a read of execute-only code, an offset past the limit. 0, or
 * the vector to queue with error code 0 (#SS for SS, else #GP).
 */
int mv_seg_check(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u8 seg_nr,
		 u64 offset, unsigned int size, bool write);

/*
 * Reads or writes len bytes of guest RAM at linear address la, through the
 * guest's paging with the vCPU's CPL, page by page. Returns 0; 1 with the
 * guest's #PF queued; -EINVAL if a part is not RAM (MMIO) or unreadable.
 */
int mv_access_linear(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl, u64 la,
		     void *data, unsigned int len, bool write);

/* Sets RIP to rip + len, wrapped as the code segment's mode wraps it. */
void mv_advance_rip(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
		    unsigned int len);

/*
 * An injected #BP or #OF is the trap of the INT3 or INTO at RIP: its length
 * (prefixes included), or 0 if RIP holds neither (then it is delivered as a
 * fault, at RIP).
 */
unsigned int mv_soft_exception_len(struct mv_vcpu *vcpu, u8 vector);

/* MOV to/from DRn at RIP (0F 21 / 0F 23): which DR, which GPR, and length. */
struct mv_mov_dr {
	u8 dr, gpr, len;
	bool write;
};
int mv_decode_mov_dr(struct mv_vcpu *vcpu, const struct mv_ctrl *ctrl,
		     struct mv_mov_dr *mov);

#endif /* MINIVIRT_INSN_H */
