// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmrun: a small VMM on the KVM userspace API. It drives /dev/minivirt by
 * default and /dev/kvm just the same (--dev).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "info.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: vmrun [--dev PATH] --info\n"
		"  --dev PATH  the KVM-API device (default /dev/minivirt; /dev/kvm works too)\n"
		"  --info      print what the device reports: API version, vCPU mmap\n"
		"              size, capabilities, whether a VM can be created\n"
		"  --help      this text\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "info", no_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *dev = "/dev/minivirt";
	int c, info = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			dev = optarg;
			break;
		case 'i':
			info = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!info || optind != argc) {
		usage(stderr);
		return 2;
	}
	return vmrun_info(dev, stdout) ? 1 : 0;
}
