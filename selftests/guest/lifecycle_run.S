/* SPDX-License-Identifier: GPL-2.0-only */
/* Guest of the lifecycle_run suite: marks the report page, halts; again. */
#include "guest.h"

GUEST_BEGIN(lr_mark)
	.code64
1:	incq GUEST_REPORT_GPA
	hlt
	jmp 1b
GUEST_END(lr_mark)

	.section .note.GNU-stack, "", @progbits
