/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Reporting a stopped vCPU in words: KVM exit reasons by name with every
 * field api.rst documents for them, and a register dump.
 */
#ifndef VMRUN_REPORT_H
#define VMRUN_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include <linux/kvm.h>

/* Exit reasons newer than the <linux/kvm.h> vmrun may be built with. */
#ifndef KVM_EXIT_LOONGARCH_IOCSR
#define KVM_EXIT_LOONGARCH_IOCSR	38
#endif
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT		39
#endif

/* "KVM_EXIT_IO", or NULL for a number vmrun does not know. */
const char *exit_reason_name(uint32_t reason);
/* "KVM_INTERNAL_ERROR_EMULATION", or NULL. */
const char *internal_error_name(uint32_t suberror);

/* The exit's own fields, then the fields common to every exit. */
void report_exit(FILE *out, const struct kvm_run *run);
void report_regs(FILE *out, const struct kvm_regs *r, const struct kvm_sregs *s);

#endif /* VMRUN_REPORT_H */
