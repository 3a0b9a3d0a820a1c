// SPDX-License-Identifier: GPL-2.0-only
/*
 * An ioctl fuzzer (issue 12), run against minivirt and against KVM with the
 * same seed: every ioctl minivirt implements, with plausible and hostile
 * arguments (ioctl_fuzz/args_*.c), fd operations (close, dup, fork, mmap of
 * kvm_run and guest memory, mprotect; ioctl_fuzz/objs.c), KVM_RUN on random
 * guest code (ioctl_fuzz/run.c) and threads racing KVM_RUN against memslots,
 * registers, irqfd and close (ioctl_fuzz/race.c).
 *
 * --calls N calls in chunks of FZ_CHUNK, each chunk a new process seeded
 * with seed + its index, so that chunk c of seed S replays alone as
 * `--seed S+c --calls FZ_CHUNK --trace 1` (the main thread's sequence; races
 * are not reproducible). --seed 0 picks a seed from the clock; it is
 * printed. Any errno is fine: the test passes when every chunk ended
 * normally, the kernel log gained no splat (read from /dev/kmsg after each
 * chunk; tapscan judges the console too), every implemented ioctl was made,
 * and afterwards the module's refcount is back at its baseline and no slab
 * cache or the memory outside the slab grew past limits measured above the
 * run's noise (lib/memstat.h).
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../uapi/minivirt.h"
#include "ioctl_fuzz/fuzz.h"
#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/memstat.h"
#include "lib/vm.h"

#define FZ_CHUNK	5000
#define FZ_CHUNK_S	900	/* a chunk still running after that has hung */

TH_OPTION(seed, "first chunk's seed; 0: from the clock", 0)
TH_OPTION(calls, "calls to make", 100000)
TH_OPTION(trace, "1: print each call before making it", 0)
TH_OPTION(mute, "an ioctl number not to make (the same sequence otherwise)", 0)

/*
 * Leak limits, per slab cache (objects) and outside the slab (KiB), over a
 * whole run: measured noise (ioctl_fuzz in README.md) times about three.
 */
#define FZ_LEAK_OBJS	1000
#define FZ_LEAK_KB	4096

static const char *const splats[] = {
	"WARNING:", "BUG:", "Oops", "general protection", "Call Trace:",
	"lockdep", "KASAN", "UBSAN", "kernel BUG", "soft lockup", "hung_task",
};

/* New kernel log records since the last call: 1 if one is a splat. */
static bool kmsg_splat(int kmsg)
{
	char rec[2048];
	bool found = false;
	unsigned int i;
	ssize_t n;

	while ((n = read(kmsg, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n <= 0)
			continue;	/* EPIPE: records overwritten; go on */
		rec[n] = 0;
		for (i = 0; i < sizeof(splats) / sizeof(splats[0]); i++) {
			if (strstr(rec, splats[i])) {
				TH_LOG("kernel: %s", strchr(rec, ';') ? strchr(rec, ';') + 1 : rec);
				found = true;
			}
		}
	}
	return found;
}

static long refcnt(const char *module)
{
	char path[128];
	long n = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/sys/module/%s/refcnt", module);
	fp = fopen(path, "r");
	if (fp) {
		if (fscanf(fp, "%ld", &n) != 1)
			n = -1;
		fclose(fp);
	}
	return n;
}

/* A console marker: a hang or splat in the console log names the chunk. */
static void kmsg_mark(uint64_t seed, unsigned long calls)
{
	char line[128];
	int fd = open("/dev/kmsg", O_WRONLY);

	if (fd < 0)
		return;
	snprintf(line, sizeof(line), "ioctl_fuzz: --seed %llu --calls %lu\n",
		 (unsigned long long)seed, calls);
	if (write(fd, line, strlen(line)) < 0)
		TH_LOG("/dev/kmsg: %s", strerror(errno));
	close(fd);
}

/* One chunk in a child; false if it did not end normally (the reason is logged). */
static bool run_chunk(struct fz_shared *sh, uint64_t seed, unsigned long calls)
{
	int status, i;
	struct fz f;
	pid_t pid;

	kmsg_mark(seed, calls);
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		fz_run_setup();
		fz_init(&f, th_dev, seed);
		f.sh = sh;
		f.trace = th_opt_trace;
		f.mute = th_opt_mute;
		while (f.calls < calls)
			fz_step(&f);
		fz_fini(&f);
		__atomic_fetch_add(&sh->calls, f.calls, __ATOMIC_RELAXED);
		__atomic_fetch_add(&sh->races, f.races, __ATOMIC_RELAXED);
		fflush(stdout);
		_exit(0);
	}
	/* Bounded: a chunk that hangs is killed and reported. */
	for (i = 0; i < FZ_CHUNK_S * 50; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(20000);
	}
	if (i == FZ_CHUNK_S * 50) {
		TH_FAIL("chunk of seed %llu hung (over %d s): killed", (unsigned long long)seed,
			FZ_CHUNK_S);
		kill(pid, SIGKILL);
		return false;
	}
	if (WIFSIGNALED(status) || WEXITSTATUS(status)) {
		TH_FAIL("chunk of seed %llu ended with status %#x", (unsigned long long)seed,
			status);
		return false;
	}
	return true;
}

/*
 * Every ioctl of uapi/minivirt.h's lists was made at least once; the
 * counts are logged.
 */
static void expect_every_ioctl(const struct fz_shared *sh)
{
#define FZ_NAMED(c) { #c, c },
	static const struct {
		const char *name;
		unsigned long cmd;
	} all[] = {
		MINIVIRT_SYSTEM_IOCTLS(FZ_NAMED) MINIVIRT_GUEST_SYSTEM_IOCTLS(FZ_NAMED)
		MINIVIRT_VM_IOCTLS(FZ_NAMED) MINIVIRT_GUEST_VM_IOCTLS(FZ_NAMED)
		MINIVIRT_EXT_VM_IOCTLS(FZ_NAMED) MINIVIRT_VCPU_IOCTLS(FZ_NAMED)
	};
#undef FZ_NAMED
	char line[4096];
	unsigned int i, j;
	size_t off = 0;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		for (j = 0; j < FZ_SEEN && sh->seen[j].cmd != all[i].cmd; j++)
			;
		if (j == FZ_SEEN) {
			TH_FAIL("%s was never called", all[i].name);
			continue;
		}
		off += snprintf(line + off, sizeof(line) - off, " %s %lu",
				all[i].name + (strncmp(all[i].name, "KVM_", 4) ? 0 : 4),
				sh->seen[j].n);
		if (off > sizeof(line) - 200 || i + 1 == sizeof(all) / sizeof(all[0])) {
			TH_LOG("calls:%s", line);
			off = 0;
		}
	}
}

/* What the guests did: KVM_RUNs that returned 0, by exit reason. */
static void log_exits(const struct fz_shared *sh)
{
	char line[1024];
	size_t off = 0;
	int i;

	for (i = 0; i < FZ_EXITS; i++)
		if (sh->exits[i])
			off += snprintf(line + off, sizeof(line) - off, " %s %lu",
					exit_reason_name(i), sh->exits[i]);
	TH_LOG("KVM_RUN exits:%s; %lu KVM_RUNs failed (EINTR, EFAULT...)",
	       off ? line : " none", sh->run_errors);
}

TEST_TIMEOUT(fuzz, 24 * 3600)
{
	const char *module = th_module_of(th_dev);
	uint64_t seed = th_opt_seed, c, chunks;
	long base = refcnt(module), now = -1;
	struct fz_shared *sh;
	time_t start;
	int kmsg, i;
	bool mem;

	if (!seed)
		seed = (uint64_t)time(NULL) * 1000003 ^ getpid();
	chunks = (th_opt_calls + FZ_CHUNK - 1) / FZ_CHUNK;
	TH_LOG("seed %llu, %llu calls in %llu chunks of %d (chunk c replays alone: --seed %llu+c --calls %d --trace 1)",
	       (unsigned long long)seed, th_opt_calls, (unsigned long long)chunks, FZ_CHUNK,
	       (unsigned long long)seed, FZ_CHUNK);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(sh != MAP_FAILED);
	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	mem = !access("/proc/slabinfo", R_OK);
	if (mem)
		ms_mark();
	start = time(NULL);
	for (c = 0; c < chunks; c++) {
		unsigned long n = c + 1 < chunks ? FZ_CHUNK : th_opt_calls - c * FZ_CHUNK;

		if (!run_chunk(sh, seed + c, n))
			break;
		if (kmsg >= 0 && kmsg_splat(kmsg)) {
			TH_FAIL("the kernel complained during chunk %llu: replay with --seed %llu --calls %lu --trace 1",
				(unsigned long long)c, (unsigned long long)(seed + c), n);
			break;
		}
	}
	TH_LOG("%lu calls and %lu racing calls in %ld s", sh->calls, sh->races,
	       (long)(time(NULL) - start));
	log_exits(sh);
	expect_every_ioctl(sh);
	if (mem)
		ms_expect_below("the fuzz run", FZ_LEAK_OBJS, FZ_LEAK_KB);
	else
		TH_LOG("/proc/slabinfo not readable: memory not compared");
	/* Deferred releases (irqfd shutdown) have had the settling above; a few more seconds. */
	for (i = 0; i < 100 && (now = refcnt(module)) != base; i++)
		usleep(50000);
	EXPECT_EQ(now, base);
}
