/* SPDX-License-Identifier: GPL-2.0-only */
/* vmrun's command line. */
#ifndef VMRUN_OPTIONS_H
#define VMRUN_OPTIONS_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

#define VMRUN_DEFAULT_DEV	"/dev/minivirt"

struct vmrun_opts {
	const char *dev;
	unsigned int mem_mib;
	const char *flat;
	const char *multiboot;
	const char *cmdline;
	unsigned int timeout;	/* seconds; 0: none */
	bool verbose;
	bool info;
	bool help;
};

/* Fills o from argv: 0, or -EINVAL with the reason (a usage error). */
int opts_parse(struct vmrun_opts *o, int argc, char **argv, struct err *e);
void opts_usage(FILE *out);

#endif /* VMRUN_OPTIONS_H */
