// SPDX-License-Identifier: GPL-2.0-only
/* One fuzzer step, chosen by weight; the counted ioctl. See fuzz.h. */
#include <errno.h>
#include <sys/ioctl.h>

#include "../../uapi/minivirt.h"
#include "fuzz.h"

void fz_count_cmd(struct fz *f, unsigned long cmd)
{
	unsigned int i;

	f->calls++;
	for (i = 0; f->sh && i < FZ_SEEN; i++) {
		if (!f->sh->seen[i].cmd)
			__atomic_compare_exchange_n(&f->sh->seen[i].cmd, &(unsigned long){ 0 },
						    cmd, false, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
		if (f->sh->seen[i].cmd == cmd) {
			__atomic_fetch_add(&f->sh->seen[i].n, 1, __ATOMIC_RELAXED);
			break;
		}
	}
}

long fz_ioctl(struct fz *f, int fd, unsigned long cmd, unsigned long arg)
{
	FZ_TRACE(f, "ioctl fd %d cmd %#lx arg %#lx", fd, cmd, arg);
	fz_count_cmd(f, cmd);
	if (cmd == f->mute) {
		errno = EPERM;
		return -1;
	}
	return ioctl(fd, cmd, arg);
}

/*
 * An implemented ioctl's number with another size or direction, or in
 * minivirt's own group: both devices must refuse it (the fuzzer sends
 * nothing KVM implements and minivirt does not, so that the kvm column
 * stays a comparison).
 */
static void wrong_cmd(struct fz *f)
{
#define FZ_CMD(c) c,
	static const unsigned long cmds[] = {
		MINIVIRT_SYSTEM_IOCTLS(FZ_CMD) MINIVIRT_GUEST_SYSTEM_IOCTLS(FZ_CMD)
		MINIVIRT_GUEST_VM_IOCTLS(FZ_CMD) MINIVIRT_VCPU_IOCTLS(FZ_CMD)
	};
#undef FZ_CMD
	unsigned long cmd = cmds[fz_below(f, sizeof(cmds) / sizeof(cmds[0]))];
	unsigned long size = fz_below(f, 1 << 14), dir = fz_below(f, 4), arg;
	int fd;

	if (fz_chance(f, 20))
		cmd = _IOC(dir, MINIVIRT_IO, fz_below(f, 256), size);
	else if (size != _IOC_SIZE(cmd) || dir != _IOC_DIR(cmd))
		cmd = _IOC(dir, _IOC_TYPE(cmd), _IOC_NR(cmd), size);
	else
		return;
	fd = fz_fd_of(f, fz_below(f, FZ_KINDS - 1) + 1);
	arg = (unsigned long)fz_ptr(f, size);
	FZ_TRACE(f, "ioctl fd %d cmd %#lx (wrong) arg %#lx", fd, cmd, arg);
	f->calls++;
	ioctl(fd, cmd, arg);
}

void fz_step(struct fz *f)
{
	unsigned int w = fz_below(f, 1000);
	int slot;

	if (w < 150) {
		fz_sys_ioctl(f, fz_fd_of(f, FZ_SYS));
	} else if (w < 450) {
		fz_vm_ioctl(f, fz_fd_of(f, FZ_VM));
	} else if (w < 850) {
		fz_vcpu_ioctl(f, fz_fd_of(f, FZ_VCPU));
	} else if (w < 880) {
		slot = fz_pick(f, FZ_VCPU);
		if (slot >= 0 && !f->child)
			fz_run(f, slot);
	} else if (w < 900) {
		wrong_cmd(f);
	} else if (w < 940) {
		f->calls++;
		fz_fd_op(f);
	} else if (w < 985) {
		f->calls++;
		fz_mem_op(f);
	} else if (w < 997) {
		/* A kvm_run scribbled on: fields KVM_RUN reads, then anything. */
		slot = fz_pick(f, FZ_VCPU);
		if (slot >= 0 && f->fds[slot].run) {
			struct kvm_run *run = f->fds[slot].run;

			FZ_TRACE(f, "kvm_run of slot %d scribbled", slot);
			if (fz_chance(f, 50))
				run->request_interrupt_window = fz_below(f, 2);
			if (fz_chance(f, 30))
				run->kvm_dirty_regs = fz_value(f);
			if (fz_chance(f, 30))
				run->kvm_valid_regs = fz_value(f);
			if (fz_chance(f, 30))
				run->cr8 = fz_value(f);
			if (fz_chance(f, 30))
				fz_mutate(f, run, f->fds[slot].run_size);
			run->immediate_exit = 0;
		}
	} else if (w < 999) {
		f->calls++;
		fz_fork(f);
	} else if (!f->child) {
		fz_race(f);
	}
}
