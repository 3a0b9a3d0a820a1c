// SPDX-License-Identifier: GPL-2.0-only
/* vmrun's options and --help. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "vm.h"

void opts_usage(FILE *out)
{
	fprintf(out,
		"usage: vmrun [--dev PATH] [--mem MiB] --multiboot FILE [--cmdline STR]\n"
		"             [--timeout SEC] [--verbose]\n"
		"       vmrun [--dev PATH] [--mem MiB] --flat FILE [--timeout SEC] [--verbose]\n"
		"       vmrun [--dev PATH] --info\n"
		"\n"
		"Runs one guest on a KVM-API device, one vCPU. The guest's serial port\n"
		"(8250 UART, COM1 at 0x3f8) is stdin/stdout; a write of v to port 0xf4\n"
		"(isa-debug-exit) ends the run with exit status (v << 1) | 1.\n"
		"\n"
		"  --dev PATH        the KVM-API device (default %s; /dev/kvm works too)\n"
		"  --mem MiB         guest RAM, %u-%u MiB, at guest-physical 0 (default %u)\n"
		"  --multiboot FILE  a multiboot v1 kernel (ELF, or flag 16 address fields),\n"
		"                    entered in 32-bit protected mode as the specification says\n"
		"  --cmdline STR     the multiboot command line\n"
		"  --flat FILE       a flat binary, loaded at 0x1000:0000 (GPA 0x10000) and\n"
		"                    entered in real mode: CS=DS=ES=FS=GS=SS=0x1000, IP=0,\n"
		"                    SP=0x8000 (as kvmtool)\n"
		"  --timeout SEC     stop the guest after SEC seconds and show where it was\n"
		"  --verbose         say what is loaded where; at the end, exit counts, UART\n"
		"                    bytes and accesses to unclaimed I/O ports\n"
		"  --info            print what the device reports: API version, vCPU mmap\n"
		"                    size, capabilities, whether a VM can be created\n"
		"  --help            this text\n"
		"\n"
		"exit status:\n"
		"  0          the guest executed HLT (v0: no interrupts, so that ends it)\n"
		"  (v<<1)|1   the guest wrote v to isa-debug-exit (odd; low 8 bits)\n"
		"  2          the guest shut down (triple fault)\n"
		"  4          an exit vmrun cannot handle (MMIO, FAIL_ENTRY, INTERNAL_ERROR,\n"
		"             others) or a failed KVM_RUN; reported with the registers\n"
		"  6          --timeout expired; reported with the registers\n"
		"  8          setup failed: device, capability, ioctl, guest image\n"
		"  10         bad command line\n"
		"  128+N      stopped by signal N (SIGINT, SIGTERM)\n",
		VMRUN_DEFAULT_DEV, VM_MEM_MIN_MIB, VM_MEM_MAX_MIB, VM_MEM_DEFAULT_MIB);
}

static int parse_uint(const char *opt, const char *s, unsigned int min,
		      unsigned int max, unsigned int *out, struct err *e)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
		return err_set(e, EINVAL, "%s wants a number from %u to %u, not '%s'",
			       opt, min, max, s);
	*out = v;
	return 0;
}

int opts_parse(struct vmrun_opts *o, int argc, char **argv, struct err *e)
{
	enum { O_DEV = 256, O_MEM, O_FLAT, O_MULTIBOOT, O_CMDLINE, O_TIMEOUT,
	       O_VERBOSE, O_INFO, O_HELP };
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, O_DEV },
		{ "mem", required_argument, NULL, O_MEM },
		{ "flat", required_argument, NULL, O_FLAT },
		{ "multiboot", required_argument, NULL, O_MULTIBOOT },
		{ "cmdline", required_argument, NULL, O_CMDLINE },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "verbose", no_argument, NULL, O_VERBOSE },
		{ "info", no_argument, NULL, O_INFO },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 }
	};
	int c, ret;

	memset(o, 0, sizeof(*o));
	o->dev = VMRUN_DEFAULT_DEV;
	o->mem_mib = VM_MEM_DEFAULT_MIB;
	optind = 0;	/* glibc: start over (the unit tests parse many times) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		ret = 0;
		switch (c) {
		case O_DEV:
			o->dev = optarg;
			break;
		case O_MEM:
			ret = parse_uint("--mem", optarg, VM_MEM_MIN_MIB, VM_MEM_MAX_MIB,
					 &o->mem_mib, e);
			break;
		case O_FLAT:
			o->flat = optarg;
			break;
		case O_MULTIBOOT:
			o->multiboot = optarg;
			break;
		case O_CMDLINE:
			o->cmdline = optarg;
			break;
		case O_TIMEOUT:
			ret = parse_uint("--timeout", optarg, 1, 86400, &o->timeout, e);
			break;
		case O_VERBOSE:
			o->verbose = true;
			break;
		case O_INFO:
			o->info = true;
			break;
		case O_HELP:
			o->help = true;
			break;
		case ':':
			return err_set(e, EINVAL, "%s needs an argument", argv[optind - 1]);
		default:
			return err_set(e, EINVAL, "unknown option '%s'", argv[optind - 1]);
		}
		if (ret)
			return ret;
	}
	if (optind != argc)
		return err_set(e, EINVAL, "unexpected argument '%s'", argv[optind]);
	if (o->help)
		return 0;
	if (o->info)
		return o->flat || o->multiboot ?
			err_set(e, EINVAL, "--info runs no guest") : 0;
	if (!o->flat == !o->multiboot)
		return err_set(e, EINVAL, "name one guest: --multiboot FILE or --flat FILE");
	if (o->cmdline && !o->multiboot)
		return err_set(e, EINVAL, "--cmdline is for --multiboot guests");
	return 0;
}
