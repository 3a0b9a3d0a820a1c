/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Macros for guest code in guest/ *.S. See selftests/README.md, "Guest code".
 *
 * A guest is a byte blob between two symbols, NAME_start and NAME_end, in the
 * test binary's read-only data; lib/vm.c copies it to a fixed guest-physical
 * address (GUEST_CODE_GPA unless the test says otherwise) and starts it there.
 * Relative jumps and calls need nothing; an absolute address of a label
 * (a far jump, a pointer stored for the host) is ABS(NAME, label).
 */
#ifndef MINIVIRT_GUEST_GUEST_H
#define MINIVIRT_GUEST_GUEST_H

#include "layout.h"

/* Vectors for which the CPU pushes an error code (SDM vol 3A 6.13). */
#define HAS_ERR(v)	((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			 (v) == 21 || (v) == 29 || (v) == 30)

#define GUEST_BEGIN(name)						\
	.pushsection .rodata.guest, "a";				\
	.balign 16;							\
	.global name##_start;						\
	name##_start:

#define GUEST_END(name)							\
	.global name##_end;						\
	name##_end:							\
	.popsection

/* A label the host can name: GUEST_ADDR(name, label) in lib/vm.h. */
#define GUEST_LABEL(name, label)					\
	.global name##_##label;						\
	name##_##label:

/* Where a label of guest NAME lands when NAME is loaded at GUEST_CODE_GPA. */
#define ABS(name, label)	(GUEST_CODE_GPA + (label) - name##_start)
/* The same for a guest loaded at another guest-physical address. */
#define ABS_AT(base, name, label)	((base) + (label) - name##_start)

/*
 * A one-instruction guest for table-driven tests: lib/vm.c's
 * vcpu_load_insn() appends a HLT. mode is .code16, .code32 or .code64.
 */
#define GUEST_INSN(name, mode, ...)					\
	GUEST_BEGIN(name)						\
	mode;								\
	__VA_ARGS__;							\
	GUEST_END(name)

/*
 * Self-checking guests: GUEST_FAIL reports check number n on GUEST_PORT_FAIL
 * and halts for good. Usable in 16-, 32- and 64-bit code (clobbers EAX, DX).
 */
#define GUEST_FAIL(n)							\
	mov $(n), %eax;							\
	mov $GUEST_PORT_FAIL, %dx;					\
	out %eax, %dx;							\
	9999: hlt;							\
	jmp 9999b

/* Hands EAX to the host on GUEST_PORT_REPORT and goes on (clobbers DX). */
#define GUEST_REPORT_EAX						\
	mov $GUEST_PORT_REPORT, %dx;					\
	out %eax, %dx

/* Fails check n unless register reg equals imm (32-bit immediate). */
#define GUEST_CHECK(reg, imm, n)					\
	cmp $(imm), reg;						\
	je 9998f;							\
	GUEST_FAIL(n);							\
	9998:

/*
 * For a 64-bit interrupt or NMI handler, RAX already saved, the return RIP
 * at off(%rsp): steps the return over a HLT the interrupt came before, so
 * "CLI; test; STI; HLT" cannot sleep past the event it waited for. The
 * shadow of STI keeps an interrupt from coming there (SDM vol 2B "STI"),
 * but QEMU TCG, nested, delivers one inside it (../shared/TESTING.md).
 * Clobbers RAX.
 */
#define SKIP_PENDING_HLT(off)						\
	mov off(%rsp), %rax;						\
	cmpb $0xf4, (%rax);						\
	jne 9996f;							\
	incq off(%rsp);							\
	9996:

#endif /* MINIVIRT_GUEST_GUEST_H */
