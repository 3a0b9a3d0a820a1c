/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Guest of the pkru suite, 64-bit: sets CR4.PKE, writes PKRU from EBX and
 * halts; resumed, reads PKRU into EAX and halts again.
 */
#include "guest.h"

#define X86_CR4_PKE	(1 << 22)

GUEST_BEGIN(pkru_write_read)
	.code64
	mov %cr4, %rax
	or $X86_CR4_PKE, %rax
	mov %rax, %cr4
	mov %ebx, %eax
	xor %ecx, %ecx
	xor %edx, %edx
	wrpkru
	hlt
	xor %ecx, %ecx
	rdpkru
	hlt
GUEST_END(pkru_write_read)

	.section .note.GNU-stack, "", @progbits
