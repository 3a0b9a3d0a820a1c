/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guests of the intercepts suite: one instruction each, in 64-bit mode. The
 * test sets RAX, RCX and RDX first; an exception goes to the fixup (the HLT)
 * with its record in the exception page, else the guest clears the fixup and
 * halts right after the instruction. The host reads the registers there.
 */
#include "guest.h"

#define PROBE(name, ...)						\
	GUEST_BEGIN(icpt_##name);					\
	.code64;							\
	movq $ABS(icpt_##name, 1f), EXC_FIXUP;				\
	GUEST_LABEL(icpt_##name, insn);					\
	__VA_ARGS__;							\
	movq $0, EXC_FIXUP;						\
1:	hlt;								\
	GUEST_END(icpt_##name)

PROBE(rdpmc, rdpmc)
PROBE(rdtscp, rdtscp)
/* RDPID RAX (F3 0F C7 /7): binutils spells it only with a 64-bit register. */
PROBE(rdpid, rdpid %rax)
PROBE(rdpru, .byte 0x0f, 0x01, 0xfd)
PROBE(invd, invd)
PROBE(wbinvd, wbinvd)
PROBE(monitor, monitor %rax, %ecx, %edx)
PROBE(mwait, mwait %eax, %ecx)
PROBE(xsetbv, xsetbv)
PROBE(vmrun, vmrun %rax)
PROBE(vmload, vmload %rax)
PROBE(vmsave, vmsave %rax)
PROBE(stgi, stgi)
PROBE(clgi, clgi)
PROBE(skinit, skinit %eax)
PROBE(invlpga, invlpga %rax, %ecx)
PROBE(vmxon, vmxon (%rax))
PROBE(vmcall, vmcall)
PROBE(vmmcall, vmmcall)
PROBE(getsec, getsec)
PROBE(rdrand, rdrand %rax)
PROBE(rdseed, rdseed %rax)
PROBE(pconfig, .byte 0x0f, 0x01, 0xc5)
PROBE(encls, .byte 0x0f, 0x01, 0xcf)
/* WRMSR RCX <- EDX:EAX, then RDTSCP: the guest's own TSC_AUX in ECX. */
PROBE(wrmsr_rdtscp, wrmsr; rdtscp)

/*
 * 32-bit probes run at CPL 3 (IOPL 3): the fixup or the fall-through
 * reports EAX on port 0x10 (HLT would #GP there).
 */
#define PROBE32(name, ...)						\
	GUEST_BEGIN(icpt_##name);					\
	.code32;							\
	movl $ABS(icpt_##name, 1f), EXC_FIXUP;				\
	GUEST_LABEL(icpt_##name, insn);					\
	__VA_ARGS__;							\
	movl $0, EXC_FIXUP;						\
1:	out %eax, $0x10;						\
	GUEST_END(icpt_##name)

PROBE32(vmcall32, vmcall)
PROBE32(vmmcall32, vmmcall)

	.section .note.GNU-stack, "", @progbits
