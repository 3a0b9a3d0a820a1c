/* SPDX-License-Identifier: GPL-2.0-only */
/* Small helpers shared by the selftests; each fails the test on error. */
#ifndef MINIVIRT_SELFTEST_KVM_UTIL_H
#define MINIVIRT_SELFTEST_KVM_UTIL_H

#include <stdbool.h>

/* open(path, O_RDWR | O_CLOEXEC), or fail the test. */
int th_open(const char *path);

/* KVM_CREATE_VM type 0 on a system fd, or fail the test. */
int th_create_vm(int sys_fd);

/* The module that owns the device node at path: "minivirt", "kvm_amd"... */
const char *th_module_of(const char *path);

/*
 * Does the hypervisor behind path hold VMX/SVM from module load, VM or not?
 * True for KVM on Linux 6.12+ with kvm.enable_virt_at_load=Y.
 */
bool th_holds_at_load(const char *path);

/*
 * Is th_dev KVM on a kernel older than major.minor? For the few places where
 * KVM's answer changed between Debian's 6.1 and 6.12 (../shared/TESTING.md):
 * a test accepts the older answer only there, and names it.
 */
bool th_kvm_before(int major, int minor);

/*
 * Is th_dev KVM with its shadow MMU (kvm_amd npt=0, kvm_intel ept=0) rather
 * than nested paging? A few answers differ between KVM's MMUs.
 */
bool th_kvm_shadow_mmu(void);

/* Reads a /proc/meminfo field, in KiB; fails the test if absent. */
long th_meminfo_kb(const char *field);

#endif /* MINIVIRT_SELFTEST_KVM_UTIL_H */
