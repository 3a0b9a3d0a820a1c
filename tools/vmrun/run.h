/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running the machine: one thread per vCPU (v0 has one) loops on KVM_RUN and
 * dispatches exits; the main thread waits for it, and kicks it out of
 * KVM_RUN for --timeout or SIGINT/SIGTERM the KVM way: set
 * kvm_run.immediate_exit, then signal the vCPU thread (api.rst 5.).
 */
#ifndef VMRUN_RUN_H
#define VMRUN_RUN_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>

#include "ioport.h"
#include "stop.h"
#include "vcpu.h"

#define RUN_KICK_SIGNAL		SIGUSR1	/* to the vCPU thread */
#define RUN_DONE_SIGNAL		SIGUSR2	/* from the vCPU thread to main */
#define RUN_KICK_TIMEOUT	(-1)	/* run_ctx.kick: or a signal number */
#define RUN_COUNTED_EXITS	64	/* exit reasons counted one by one */

struct run_ctx {
	struct vcpu *cpu;
	struct ioport_table *io;
	struct vm_stop *stop;
	FILE *log;			/* reports: stderr */
	unsigned int timeout;		/* seconds, 0: none */
	atomic_int kick;		/* 0, RUN_KICK_TIMEOUT or a signal number */
	pthread_t main_thread;
	unsigned long exits[RUN_COUNTED_EXITS + 1];	/* last: all others */
};

void run_init(struct run_ctx *r, struct vcpu *cpu, struct ioport_table *io,
	      struct vm_stop *stop, FILE *log);

/*
 * Handles what one KVM_RUN returned (ret, and errno when ret < 0), with the
 * exit in r->cpu->run: IO_STOP once r->stop says why the machine stops.
 */
enum io_action run_handle_exit(struct run_ctx *r, int ret, int err);

/* KVM_RUN until the machine stops; the body of the vCPU thread. */
void run_vcpu(struct run_ctx *r);

/*
 * Runs the vCPU in its own thread, waits (with the --timeout watchdog and
 * SIGINT/SIGTERM handling), and returns the exit status.
 */
int run_machine(struct run_ctx *r, unsigned int timeout);

/* The exit counts of --verbose. */
void run_print_exits(const struct run_ctx *r, FILE *out);

#endif /* VMRUN_RUN_H */
