// SPDX-License-Identifier: GPL-2.0-only
/*
 * vmrun: a small VMM on the KVM userspace API. It drives /dev/minivirt by
 * default and /dev/kvm just the same (--dev). The setup order is the list in
 * vmrun_boot(); every step returns an error and is undone in reverse.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "debug_exit.h"
#include "info.h"
#include "loader.h"
#include "options.h"
#include "run.h"
#include "serial.h"
#include "term.h"
#include "vcpu.h"
#include "vm.h"
#include "vmrun.h"

/* Everything one run owns. */
struct machine {
	struct vm vm;
	struct vcpu cpu;
	struct image image;
	struct boot_regs boot;
	struct ioport_table io;
	struct term term;
	struct serial uart;
	struct debug_exit dbg;
	struct vm_stop stop;
	struct run_ctx run;
};

static int add_devices(struct machine *m, struct err *e)
{
	const struct serial_backend be = { term_read, term_write, &m->term };
	int ret;

	ioport_init(&m->io);
	m->term.in_fd = STDIN_FILENO;
	m->term.out_fd = STDOUT_FILENO;
	serial_init(&m->uart, &be);
	ret = serial_register(&m->uart, &m->io, SERIAL_COM1, e);
	if (ret)
		return ret;
	debug_exit_init(&m->dbg, &m->stop);
	return debug_exit_register(&m->dbg, &m->io, DEBUG_EXIT_PORT, e);
}

static void print_boot(const struct vmrun_opts *o, const struct machine *m)
{
	fprintf(stderr, "vmrun: %s, %u MiB of RAM at GPA 0, %s %s\n", o->dev,
		o->mem_mib, o->flat ? "flat binary" : "multiboot kernel",
		o->flat ? o->flat : o->multiboot);
	if (m->boot.mode == BOOT_REAL16)
		fprintf(stderr, "vmrun: real mode at %04x:%04x, SS:SP %04x:%04x\n",
			m->boot.seg, m->boot.ip, m->boot.seg, m->boot.sp);
	else
		fprintf(stderr, "vmrun: protected mode at 0x%08x, EAX 0x%08x, EBX 0x%08x\n",
			m->boot.ip, m->boot.eax, m->boot.ebx);
}

static void print_summary(const struct machine *m)
{
	fprintf(stderr, "vmrun: stopped: %s; exit status %d\n", m->stop.why,
		m->stop.status);
	run_print_exits(&m->run, stderr);
	fprintf(stderr, "vmrun: UART: %lu bytes out, %lu bytes in\n",
		m->uart.tx_bytes, m->uart.rx_bytes);
	ioport_print_unclaimed(&m->io, stderr);
}

static int vmrun_boot(const struct vmrun_opts *o)
{
	struct machine m;
	struct err e;
	int status = VMRUN_SETUP, ret;

	memset(&m, 0, sizeof(m));
	ret = vm_open(&m.vm, o->dev, o->mem_mib, &e);
	if (ret)
		goto out;
	ret = image_read(&m.image, o->flat ? o->flat : o->multiboot,
			 m.vm.mem.size, &e);
	if (ret)
		goto out_close_vm;
	if (o->flat)
		ret = load_flat(&m.image, &m.vm.mem, &m.boot, &e);
	else
		ret = load_multiboot(&m.image, &m.vm.mem, o->cmdline, &m.boot, &e);
	if (ret)
		goto out_free_image;
	ret = vcpu_create(&m.cpu, &m.vm, 0, &e);
	if (ret)
		goto out_free_image;
	ret = vcpu_boot(&m.cpu, &m.boot, &e);
	if (ret)
		goto out_destroy_vcpu;
	ret = add_devices(&m, &e);
	if (ret)
		goto out_destroy_vcpu;
	if (o->verbose)
		print_boot(o, &m);

	run_init(&m.run, &m.cpu, &m.io, &m.stop, stderr);
	status = run_machine(&m.run, o->timeout);
	if (o->verbose)
		print_summary(&m);

out_destroy_vcpu:
	vcpu_destroy(&m.cpu);
out_free_image:
	image_free(&m.image);
out_close_vm:
	vm_close(&m.vm);
out:
	if (ret)
		fprintf(stderr, "vmrun: %s\n", e.msg);
	return status;
}

int main(int argc, char **argv)
{
	struct vmrun_opts o;
	struct err e;

	if (opts_parse(&o, argc, argv, &e)) {
		fprintf(stderr, "vmrun: %s (vmrun --help tells more)\n", e.msg);
		return VMRUN_USAGE;
	}
	if (o.help) {
		opts_usage(stdout);
		return 0;
	}
	if (o.info)
		return vmrun_info(o.dev, stdout) ? VMRUN_SETUP : 0;
	/* Output nobody reads any more is dropped, not fatal. */
	signal(SIGPIPE, SIG_IGN);
	return vmrun_boot(&o);
}
