/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the dirty_log suite (selftests/dirty_log.c). */
#include "guest.h"

/* As in dirty_log.c: in slot 0, which is never logged. */
#define DL_TABLE	(GUEST_FREE_GPA)
#define DL_PASS		(GUEST_DATA_GPA + 0x00)
#define DL_STOP		(GUEST_DATA_GPA + 0x08)

/*
 * For each entry of the table at DL_TABLE (a count, then addresses): writes
 * the byte 0x5a there if the address has bit 0 set (cleared first), else
 * reads it. Then halts; run again, it starts over (the host may change the
 * table meanwhile).
 */
GUEST_BEGIN(dl_touch)
	.code64
1:	mov $DL_TABLE, %rsi
	mov (%rsi), %rcx
	add $8, %rsi
2:	test %rcx, %rcx
	jz 5f
	mov (%rsi), %rbx
	test $1, %bl
	jz 3f
	and $-2, %rbx
	movb $0x5a, (%rbx)
	jmp 4f
3:	mov (%rbx), %al
4:	add $8, %rsi
	dec %rcx
	jmp 2b
5:	hlt
	jmp 1b
GUEST_END(dl_touch)

/* REP INSB: RCX bytes from port DX to RDI, by the kernel on our behalf. */
GUEST_BEGIN(dl_ins)
	.code64
	cld
	rep insb
	hlt
GUEST_END(dl_ins)

/*
 * Until the host sets DL_STOP: pass n = 1, 2, ... writes n to the first
 * quadword of R8 pages from RBX on, every second page, then stores n at
 * DL_PASS. Halts once stopped.
 */
GUEST_BEGIN(dl_loop)
	.code64
	xor %eax, %eax
1:	inc %rax
	mov %rbx, %rdi
	mov %r8, %rcx
2:	mov %rax, (%rdi)
	add $0x2000, %rdi
	dec %rcx
	jnz 2b
	mov %rax, DL_PASS
	cmpq $0, DL_STOP
	je 1b
	hlt
GUEST_END(dl_loop)

/*
 * Real mode, no stack: writes a byte to 0x30010 and 0x32010 (pages 0x30 and
 * 0x32 of slot 0) and halts; again when run again.
 */
GUEST_BEGIN(dl_real)
	.code16
1:	mov $0x3000, %ax
	mov %ax, %ds
	movb $0x5a, 0x10
	movb $0x5a, 0x2010
	hlt
	jmp 1b
GUEST_END(dl_real)

	.section .note.GNU-stack, "", @progbits
