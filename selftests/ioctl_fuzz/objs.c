// SPDX-License-Identifier: GPL-2.0-only
/*
 * The fuzzer's fd table and its fd and memory operations: open, close, dup,
 * fork (the child makes a few calls and exits), mmap/munmap of kvm_run and
 * of guest memory, mprotect of guest memory. See fuzz.h.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz.h"

#define PAGE	4096UL

int fz_pick(struct fz *f, enum fz_kind kind)
{
	int i, n = 0, slots[FZ_FDS];

	for (i = 0; i < FZ_FDS; i++)
		if (f->fds[i].kind != FZ_NONE &&
		    (kind == FZ_NONE || f->fds[i].kind == kind))
			slots[n++] = i;
	return n ? slots[fz_below(f, n)] : -1;
}

/*
 * An fd for an ioctl meant for kind: mostly one of that kind, sometimes
 * any fd of the table (a wrong kind), a closed or never-opened number, -1.
 */
int fz_fd_of(struct fz *f, enum fz_kind kind)
{
	int slot;

	if (fz_chance(f, 90)) {
		slot = fz_pick(f, kind);
		if (slot >= 0)
			return f->fds[slot].fd;
	}
	switch (fz_below(f, 4)) {
	case 0: return -1;
	case 1: return 1000 + fz_below(f, 24);	/* never opened */
	default:
		slot = fz_pick(f, FZ_NONE);
		return slot >= 0 ? f->fds[slot].fd : -1;
	}
}

static void unmap_run(struct fz_fd *e)
{
	if (e->run)
		munmap(e->run, e->run_size);
	e->run = NULL;
}

/* kvm_run of the vCPU at e, mapped as a VMM maps it. */
static void map_run(struct fz *f, struct fz_fd *e)
{
	void *p;

	if (e->run || f->mmap_size <= 0)
		return;
	p = mmap(NULL, f->mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, e->fd, 0);
	if (p != MAP_FAILED) {
		e->run = p;
		e->run_size = f->mmap_size;
	}
}

static void close_slot(struct fz *f, int i)
{
	unmap_run(&f->fds[i]);
	close(f->fds[i].fd);
	f->fds[i].kind = FZ_NONE;
}

/* A new fd into the table; with the table full, an old one goes. */
void fz_add(struct fz *f, enum fz_kind kind, int fd)
{
	int i, free_slot = -1;

	if (fd < 0)
		return;
	for (i = 0; i < FZ_FDS && free_slot < 0; i++)
		if (f->fds[i].kind == FZ_NONE)
			free_slot = i;
	if (free_slot < 0) {
		free_slot = fz_below(f, FZ_FDS);
		close_slot(f, free_slot);
	}
	f->fds[free_slot] = (struct fz_fd){ .kind = kind, .fd = fd };
	if (kind == FZ_VCPU)
		map_run(f, &f->fds[free_slot]);
}

/*
 * Every buffer a memslot may name lies in one reserved arena, larger than
 * any slot KVM takes (2^31 pages), so that a slot longer than its buffer
 * reaches only the arena (PROT_NONE, or other buffers), never the test's
 * own memory. Buffer b at b MiB, the scratch area at 8 MiB, the read-only
 * page at 9 MiB.
 */
#define FZ_ARENA	((1ULL << 43) + (16ULL << 20))

static void map_buf(struct fz *f, int b)
{
	/* 4 KiB .. 256 KiB, the run buffer (0) 64 KiB at least. */
	size_t size = PAGE << fz_below(f, 7);
	void *p;

	if (b == 0 && size < (64 << 10))
		size = 64 << 10;
	p = mmap(f->arena + ((size_t)b << 20), size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED)
		return;
	f->bufs[b] = (struct fz_buf){ .p = p, .size = size };
}

/* munmap (the kernel sees the mapping go), then the arena's hole filled again. */
static void unmap_buf(struct fz *f, int b)
{
	struct fz_buf *m = &f->bufs[b];

	munmap(m->p, m->size);
	mmap(m->p, m->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
	     MAP_NORESERVE, -1, 0);
	m->p = NULL;
}

uint64_t fz_hostile_hva(struct fz *f)
{
	switch (fz_below(f, 6)) {
	case 0: return (uintptr_t)f->arena + (16ULL << 20);	/* PROT_NONE */
	case 1: return (uintptr_t)f->arena + 1 + fz_below(f, 4095);
	case 2: return 0x7ffffffff000ULL;	/* runs past TASK_SIZE */
	case 3: return 0x800000000000ULL;
	case 4: return 0xffff888000000000ULL;
	default: return (uintptr_t)f->ro_page;
	}
}

void fz_init(struct fz *f, const char *dev, uint64_t seed)
{
	int i, sys;

	*f = (struct fz){ .dev = dev };
	fz_seed(&f->rng, seed);
	f->arena = mmap(NULL, FZ_ARENA, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (f->arena == MAP_FAILED) {
		perror("ioctl_fuzz: mmap arena");
		exit(1);
	}
	f->scratch = mmap(f->arena + (8 << 20), FZ_SCRATCH, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	f->ro_page = mmap(f->arena + (9 << 20), PAGE, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (f->scratch == MAP_FAILED || f->ro_page == MAP_FAILED) {
		perror("ioctl_fuzz: mmap");
		exit(1);
	}
	for (i = 0; i < FZ_BUFS; i++)
		map_buf(f, i);
	sys = open(dev, O_RDWR | O_CLOEXEC);
	if (sys < 0) {
		perror(dev);
		exit(1);
	}
	f->mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	fz_add(f, FZ_SYS, sys);
}

void fz_fini(struct fz *f)
{
	int i;

	for (i = 0; i < FZ_FDS; i++)
		if (f->fds[i].kind != FZ_NONE)
			close_slot(f, i);
	munmap(f->arena, FZ_ARENA);
}

/* open, close, dup, an eventfd, a file that is not KVM's. */
void fz_fd_op(struct fz *f)
{
	int slot, fd, p[2];

	switch (fz_below(f, 8)) {
	case 0:
		FZ_TRACE(f, "open %s", f->dev);
		fz_add(f, FZ_SYS, open(f->dev, O_RDWR | O_CLOEXEC));
		break;
	case 1: case 2:
		slot = fz_pick(f, FZ_NONE);
		if (slot < 0)
			break;
		FZ_TRACE(f, "close slot %d fd %d", slot, f->fds[slot].fd);
		close_slot(f, slot);
		break;
	case 3: case 4:
		slot = fz_pick(f, FZ_NONE);
		if (slot < 0)
			break;
		FZ_TRACE(f, "dup slot %d fd %d", slot, f->fds[slot].fd);
		fz_add(f, f->fds[slot].kind, dup(f->fds[slot].fd));
		break;
	case 5: case 6:
		FZ_TRACE(f, "eventfd");
		fz_add(f, FZ_EVENTFD, eventfd(fz_below(f, 2), EFD_NONBLOCK | EFD_CLOEXEC));
		break;
	default:
		FZ_TRACE(f, "pipe");
		if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
			break;
		fd = p[fz_below(f, 2)];
		close(p[0] == fd ? p[1] : p[0]);
		fz_add(f, FZ_OTHER, fd);
	}
}

/*
 * mmap/munmap of kvm_run (also at odd offsets, sizes and protections),
 * mmap/munmap/mprotect of guest memory (which memslots may still name).
 */
void fz_mem_op(struct fz *f)
{
	int slot = fz_pick(f, FZ_VCPU), b = fz_below(f, FZ_BUFS);
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_EXEC, PROT_WRITE };
	struct fz_fd *e = slot >= 0 ? &f->fds[slot] : NULL;
	struct fz_buf *m = &f->bufs[b];
	void *p;

	switch (fz_below(f, 6)) {
	case 0:
		if (!e)
			break;
		FZ_TRACE(f, "munmap/mmap kvm_run of slot %d", slot);
		if (e->run)
			unmap_run(e);
		else
			map_run(f, e);
		break;
	case 1: {
		size_t len = fz_chance(f, 50) ? PAGE * (1 + fz_below(f, 4)) :
						 fz_hostile_u64(f);
		off_t off = fz_chance(f, 50) ? (off_t)(PAGE * fz_below(f, 4)) :
					       (off_t)fz_value(f);
		int fd = fz_fd_of(f, FZ_VCPU);

		FZ_TRACE(f, "mmap fd %d len %#zx off %#llx", fd, len, (long long)off);
		p = mmap(NULL, len, prots[fz_below(f, 5)],
			 fz_chance(f, 80) ? MAP_SHARED : MAP_PRIVATE, fd, off);
		if (p != MAP_FAILED)
			munmap(p, len);
		break;
	}
	case 2:
		FZ_TRACE(f, "munmap/mmap guest buffer %d", b);
		if (m->p) {
			unmap_buf(f, b);
		} else {
			map_buf(f, b);
		}
		break;
	case 3: case 4:
		if (!m->p)
			break;
		FZ_TRACE(f, "mprotect guest buffer %d", b);
		mprotect(m->p + PAGE * fz_below(f, m->size / PAGE), PAGE * (1 + fz_below(f, 4)),
			 prots[fz_below(f, 5)]);
		break;
	default:
		/* Give the buffer its access back, so that it can be run on. */
		if (m->p)
			mprotect(m->p, m->size, PROT_READ | PROT_WRITE);
	}
}

/* A child makes a few calls with the inherited fds (KVM: -EIO) and exits. */
void fz_fork(struct fz *f)
{
	int i, n = 1 + fz_below(f, 8), status;
	uint64_t child_seed = fz_next(&f->rng);
	pid_t pid;

	if (f->child)
		return;
	FZ_TRACE(f, "fork: %d calls", n);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		f->child = true;
		f->trace = false;
		fz_seed(&f->rng, child_seed);
		fz_run_setup();	/* timers are not inherited */
		for (i = 0; i < n; i++)
			fz_step(f);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
}
