// SPDX-License-Identifier: GPL-2.0-only
/* fault_catalogue's questions about the VM's MMU and the emulated host. */
#include <stdio.h>
#include <string.h>

#include "../lib/harness.h"
#include "../lib/kvm_util.h"
#include "host.h"

/* The start of a sysfs file (empty if it cannot be read). */
static void read_head(const char *path, char *buf, int len)
{
	FILE *f = fopen(path, "r");

	buf[0] = 0;
	if (f && !fgets(buf, len, f))
		buf[0] = 0;
	if (f)
		fclose(f);
}

/* The first character of a module parameter's file, or dflt. */
static char param(const char *path, char dflt)
{
	char buf[4];

	read_head(path, buf, sizeof(buf));
	return buf[0] ? buf[0] : dflt;
}

bool shadow_paging(void)
{
	if (th_is_kvm)
		return th_kvm_shadow_mmu();
	return param("/sys/module/minivirt/parameters/tdp", 'Y') == 'N';
}

/*
 * kvm_intel's parameter says; minivirt uses unrestricted guest with EPT
 * only (under shadow paging protected mode runs restricted, real mode on
 * EPT: kmod/vmx/vcpu.c).
 */
bool vmx_unrestricted_guest(void)
{
	if (!th_is_kvm)
		return !shadow_paging();
	return param("/sys/module/kvm_intel/parameters/unrestricted_guest", 'N') == 'Y';
}

bool host_is_qemu(void)
{
	char buf[16];

	read_head("/sys/class/dmi/id/sys_vendor", buf, sizeof(buf));
	return !strncmp(buf, "QEMU", 4);
}
