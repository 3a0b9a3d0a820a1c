// SPDX-License-Identifier: GPL-2.0-only
/*
 * KVM_CHECK_EXTENSION: the truth about what is implemented. Every capability
 * answered non-zero here is listed in MINIVIRT_CAPS (uapi/minivirt.h) and the
 * selftests check the two against each other.
 */
#include <linux/kvm.h>

#include "vm.h"

long mv_check_extension(struct mv_vm *vm, long cap)
{
	switch (cap) {
	case KVM_CAP_CHECK_EXTENSION_VM:	/* KVM_CHECK_EXTENSION on VM fds */
		return 1;
	default:
		return 0;
	}
}
