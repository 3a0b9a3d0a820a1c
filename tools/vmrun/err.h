/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Setup functions return a negative errno and leave the reason, a complete
 * sentence without "vmrun:", in a struct err: no die() deep in setup, and the
 * unit tests can read the message.
 */
#ifndef VMRUN_ERR_H
#define VMRUN_ERR_H

struct err {
	char msg[512];
};

/* Formats the reason into e (if non-NULL) and returns -errnum. */
int err_set(struct err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* VMRUN_ERR_H */
