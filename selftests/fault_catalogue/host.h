/* SPDX-License-Identifier: GPL-2.0-only */
/* fault_catalogue's questions about the VM's MMU and the emulated host. */
#ifndef MINIVIRT_SELFTEST_FAULT_CATALOGUE_HOST_H
#define MINIVIRT_SELFTEST_FAULT_CATALOGUE_HOST_H

#include <stdbool.h>

/* Does the VM under test use shadow paging (KVM's or minivirt's tdp=0)? */
bool shadow_paging(void);
/* Does VMX run its protected-mode guest with "unrestricted guest"? */
bool vmx_unrestricted_guest(void);
/* Is the host QEMU's emulated machine (DMI sys_vendor)? */
bool host_is_qemu(void);

#endif /* MINIVIRT_SELFTEST_FAULT_CATALOGUE_HOST_H */
