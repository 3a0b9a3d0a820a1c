/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A VM on a KVM-API device: the system fd, the VM fd, and guest RAM as one
 * anonymous mapping in one memslot at GPA 0 (no hole: the multiboot memory
 * map reserves [640 KiB, 1 MiB) instead).
 */
#ifndef VMRUN_VM_H
#define VMRUN_VM_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "mem.h"

#define VM_MEM_MIN_MIB		2
#define VM_MEM_MAX_MIB		3072	/* below the 32-bit MMIO hole */
#define VM_MEM_DEFAULT_MIB	64
#define VM_TSS_ADDR		0xfffbd000u	/* 3 pages, as kvmtool and QEMU */

/* A capability vmrun needs, and what for. */
struct cap_req {
	long cap;
	const char *name;
	const char *use;
};

extern const struct cap_req vm_required_caps[];
extern const unsigned int vm_nr_required_caps;

/*
 * Asks probe() for every capability in req and names all the missing ones in
 * one message: 0, or -ENOTSUP.
 */
int caps_check(const struct cap_req *req, unsigned int n,
	       long (*probe)(void *ctx, long cap), void *ctx, struct err *e);

struct vm {
	int sys_fd;
	int vm_fd;
	size_t run_size;		/* KVM_GET_VCPU_MMAP_SIZE */
	struct guest_mem mem;
};

/*
 * Opens dev, checks the API version and the required capabilities, creates
 * the VM and its RAM. On error everything is undone and *vm holds no fds.
 */
int vm_open(struct vm *vm, const char *dev, unsigned int mem_mib, struct err *e);
void vm_close(struct vm *vm);

#endif /* VMRUN_VM_H */
