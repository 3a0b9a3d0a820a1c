/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Differences between the kernel APIs minivirt builds against. Each is detected
 * from the headers by kmod/Kbuild (never from a version number: distributions
 * backport), and bridged here so the code itself reads as one API.
 */
#ifndef MINIVIRT_COMPAT_H
#define MINIVIRT_COMPAT_H

#include <linux/syscore_ops.h>

/*
 * syscore: Linux 6.19 (and Debian's 6.12.117+) register a struct syscore
 * wrapping const ops whose callbacks take a data pointer; older kernels
 * register the (mutable) struct syscore_ops itself.
 */
#ifdef MV_HAVE_STRUCT_SYSCORE
#define MV_SYSCORE_ARGS		void *data
#define MV_SYSCORE_OPS_CONST	const
#define MV_DEFINE_SYSCORE(name, ops_) \
	static struct syscore name = { .ops = &(ops_) }
#define mv_register_syscore(s)		register_syscore(s)
#define mv_unregister_syscore(s)	unregister_syscore(s)
#else
#define MV_SYSCORE_ARGS		void
#define MV_SYSCORE_OPS_CONST
#define MV_DEFINE_SYSCORE(name, ops_) \
	static struct syscore_ops *const name = &(ops_)
#define mv_register_syscore(s)		register_syscore_ops(*(s))
#define mv_unregister_syscore(s)	unregister_syscore_ops(*(s))
#endif

/*
 * struct kvm_run's immediate_exit byte is immediate_exit__unsafe inside Linux
 * 6.12's kernel (userspace may change it at any time: read it once).
 */
#ifdef MV_HAVE_IMMEDIATE_EXIT_UNSAFE
#define mv_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit__unsafe)
#else
#define mv_run_immediate_exit(run)	READ_ONCE((run)->immediate_exit)
#endif

#endif /* MINIVIRT_COMPAT_H */
