/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The ioctl fuzzer's state (selftests/ioctl_fuzz.c): a table of the fds it
 * holds, the guest memory buffers, a scratch area for arguments, and its
 * PRNG. One step is one call (an ioctl or an fd operation), chosen and
 * filled from the PRNG alone, so a seed replays the same sequence in one
 * thread (the answers may differ between devices, and later choices follow
 * what was created).
 */
#ifndef MINIVIRT_IOCTL_FUZZ_H
#define MINIVIRT_IOCTL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/kvm.h>

#define FZ_FDS		24	/* fd table slots */
#define FZ_BUFS		6	/* guest memory buffers */
#define FZ_BUF_MAX	(256 << 10)
#define FZ_SCRATCH	(128 << 10)	/* argument area, a guard page after it */
#define FZ_BREAK_SIG	SIGUSR1	/* breaks KVM_RUN; never in a fuzzed mask */
#define FZ_RUN_NS	3000000	/* KVM_RUN is broken every 3 ms */
#define FZ_EFER_LME_LMA	((1ULL << 8) | (1ULL << 10))

enum fz_kind { FZ_NONE, FZ_SYS, FZ_VM, FZ_VCPU, FZ_EVENTFD, FZ_OTHER, FZ_KINDS };

struct fz_fd {
	enum fz_kind kind;
	int fd;
	struct kvm_run *run;	/* a vCPU's mmap, or NULL */
	size_t run_size;
};

struct fz_buf {
	uint8_t *p;		/* NULL when unmapped */
	size_t size;
};

/* Counts of a whole run, MAP_SHARED: every chunk and forked child adds to them. */
#define FZ_SEEN		128
#define FZ_EXITS	64
struct fz_shared {
	unsigned long calls, races;
	struct {
		unsigned long cmd, n;
	} seen[FZ_SEEN];	/* each implemented ioctl made, and how often */
	unsigned long exits[FZ_EXITS];	/* KVM_RUNs returning 0, by exit reason */
	unsigned long run_errors;	/* KVM_RUNs returning -1 */
};

struct fz {
	uint64_t rng;
	struct fz_fd fds[FZ_FDS];
	struct fz_buf bufs[FZ_BUFS];
	uint8_t *arena;		/* where guest memory may lie (objs.c) */
	uint8_t *scratch;	/* FZ_SCRATCH bytes, then a PROT_NONE page */
	uint8_t *ro_page;	/* a read-only page */
	long mmap_size;		/* KVM_GET_VCPU_MMAP_SIZE */
	const char *dev;
	struct fz_shared *sh;
	bool child;		/* in a forked child: no forks, no races */
	bool trace;		/* print each call before it is made */
	unsigned long mute;	/* an ioctl not made (to find what a failure needs) */
	unsigned long calls;	/* made so far */
	unsigned long races;	/* racing calls made by threads */
};

/* rand.c: xorshift64* (Vigna), seeded through splitmix64. */
void fz_seed(uint64_t *s, uint64_t seed);
uint64_t fz_next(uint64_t *s);
uint64_t fz_below(struct fz *f, uint64_t n);	/* [0, n) */
bool fz_chance(struct fz *f, unsigned int percent);
void fz_bytes(struct fz *f, void *p, size_t n);
uint64_t fz_hostile_u64(struct fz *f);		/* boundary values */
uint64_t fz_value(struct fz *f);		/* small, boundary or random */
/* A pointer for an argument of size bytes: mostly scratch, sometimes hostile. */
void *fz_ptr(struct fz *f, size_t size);
/* The same, but never a shifted copy: for arguments the fuzzer keeps in bounds. */
void *fz_ptr_exact(struct fz *f, size_t size);
/* A few bits, bytes or words of p changed. */
void fz_mutate(struct fz *f, void *p, size_t size);

/* objs.c: the fd table and the fd operations. */
int fz_pick(struct fz *f, enum fz_kind kind);	/* slot index or -1 */
int fz_fd_of(struct fz *f, enum fz_kind kind);	/* an fd, often a wrong one */
void fz_add(struct fz *f, enum fz_kind kind, int fd);
void fz_init(struct fz *f, const char *dev, uint64_t seed);
void fz_fini(struct fz *f);
void fz_fd_op(struct fz *f);
void fz_mem_op(struct fz *f);
void fz_fork(struct fz *f);
/* A memslot's userspace address that is wrong but reaches none of our memory. */
uint64_t fz_hostile_hva(struct fz *f);

/* args_sys.c, args_vm.c, args_vcpu.c: one ioctl with a generated argument. */
extern const uint32_t fz_msrs[];
extern const unsigned int fz_nmsrs;
uint32_t fz_count(struct fz *f, uint32_t plausible);
struct kvm_msrs *fz_msr_array(struct fz *f, uint32_t n);
void fz_get_set(struct fz *f, int fd, unsigned long get, unsigned long set,
		size_t size, uint32_t preset);
void fz_sys_ioctl(struct fz *f, int fd);
void fz_vm_ioctl(struct fz *f, int fd);
void fz_vcpu_ioctl(struct fz *f, int fd);
long fz_ioctl(struct fz *f, int fd, unsigned long cmd, unsigned long arg);
void fz_count_cmd(struct fz *f, unsigned long cmd);
/* A plausible memslot on the VM fd from buffer b (run.c uses it). */
void fz_memslot(struct fz *f, int vm_fd, uint32_t slot, int b);

/* run.c: KVM_RUN on a random guest page, broken by a timer signal. */
void fz_run_setup(void);
void fz_run(struct fz *f, int slot);
long fz_run_bounded(int fd);
void fz_trace_state(struct fz *f, int fd);
void fz_no_lme_unpaged(struct kvm_sregs *s);
void fz_no_lapic_timer(struct kvm_lapic_state *l);
void fz_count_exit(struct fz_shared *sh, long r, const struct kvm_run *run);

/* race.c: threads racing KVM_RUN against memslots, state, irqfd, close. */
void fz_race(struct fz *f);

/* One step; fuzz.c. */
void fz_step(struct fz *f);

#define FZ_TRACE(f, fmt, ...)						\
	do {								\
		if ((f)->trace) {					\
			printf("# %lu: " fmt "\n", (f)->calls, ##__VA_ARGS__); \
			fflush(stdout);					\
		}							\
	} while (0)

#endif /* MINIVIRT_IOCTL_FUZZ_H */
