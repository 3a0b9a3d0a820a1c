/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef VMRUN_INFO_H
#define VMRUN_INFO_H

#include <stdio.h>

/* Prints what the KVM-API device at path reports; 0, or -1 with a message. */
int vmrun_info(const char *path, FILE *out);

#endif /* VMRUN_INFO_H */
