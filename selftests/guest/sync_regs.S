/* SPDX-License-Identifier: GPL-2.0-only */
/* Guests of the sync_regs suite. */
#include "guest.h"

/*
 * As Linux's sync_regs_test guest: an IN from GUEST_PORT_REPORT, then RBX
 * incremented, forever. Each KVM_RUN exits at the IN.
 */
GUEST_BEGIN(sr_loop)
	.code64
	mov $GUEST_PORT_REPORT, %dx
1:	in %dx, %al
	add $1, %rbx
	jmp 1b
GUEST_END(sr_loop)

	.section .note.GNU-stack, "", @progbits
