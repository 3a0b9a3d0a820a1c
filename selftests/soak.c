// SPDX-License-Identifier: GPL-2.0-only
/*
 * A soak: many cycles of VM create, memslot add, two to four vCPUs created
 * and each run on a thread of its own (an OUT, then HLT, in real mode), and
 * destroy, all in one process (lib/memstat.h's cycle tests fork one per
 * cycle: what a process gathers shows only here); then the module's
 * reference count and the kernel's memory must be back at the baseline
 * taken after a warm-up. soak.cycles=N on the host's kernel command line
 * sets the count (run.sh passes SOAK_CYCLES; make check-full 10^4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/memstat.h"
#include "lib/threads.h"
#include "lib/vm.h"

#define SOAK_CYCLES	300	/* make check's count (README.md), without soak.cycles= */
#define WARMUP		100
#define MAX_VCPUS	4
#define SOAK_PORT	0x10

/*
 * The allowed rise of the settled Slab and fall of MemAvailable from the
 * warm baseline, in KiB (lib/memstat.h's ms_meminfo(): vmap_area's lazily
 * freed slabs left out). Measured 2026-12-07 with the memory detectors on,
 * both columns (but minivirt's with a planted leak): svm 6.1 (three boots)
 * and 6.12, 1000 cycles; vmx 6.12 (two boots, one without SLUB debugging),
 * 300 cycles: Slab -24..+20 KiB, MemAvailable -144..+20 KiB. The limits
 * are six and seven times the largest change. A planted leak of 64 bytes
 * per VM (kmalloc-cg-64, about 266 bytes a slot with slub_debug's red zones
 * and tracks) measured Slab +256..260 KiB, MemAvailable -364..-368 KiB over
 * 1000 cycles: not ok.
 */
#define SLAB_TOLERANCE_KB	128
#define AVAIL_TOLERANCE_KB	1024

/* out SOAK_PORT, al; hlt */
static const uint8_t soak_guest[] = { 0xe6, SOAK_PORT, 0xf4 };

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;

	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 1, SOAK_PORT, 1);
	vcpu_run_to_hlt(vcpu);
	return NULL;
}

static void vcpu_close(struct vcpu *vcpu)
{
	ASSERT_OK(munmap(vcpu->run, vcpu->run_size));
	ASSERT_OK(close(vcpu->fd));
	free(vcpu);
}

/*
 * One cycle: 2 + i % 3 vCPUs; odd cycles close the VM fd before the vCPUs
 * (each vCPU fd holds the VM until its own close, KVM's api.rst).
 */
static void cycle(int i)
{
	struct guest_code code = { soak_guest, soak_guest + sizeof(soak_guest) };
	struct vcpu *vcpu[MAX_VCPUS];
	pthread_t t[MAX_VCPUS];
	int k, n = 2 + i % 3;
	struct vm *vm = vm_new();
	uint8_t *mem;

	mem = vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	vm_load(vm, GUEST_CODE_GPA, code);
	for (k = 0; k < n; k++) {
		vcpu[k] = vcpu_new(vm, k);
		vcpu_set_mode(vcpu[k], VM_MODE_REAL, 0);
	}
	for (k = 0; k < n; k++)
		t[k] = mt_start(vcpu_thread, vcpu[k]);
	for (k = 0; k < n; k++)
		mt_join(t[k]);
	if (i % 2)
		ASSERT_OK(close(vm->fd));
	for (k = 0; k < n; k++)
		vcpu_close(vcpu[k]);
	if (!(i % 2))
		ASSERT_OK(close(vm->fd));
	ASSERT_OK(close(vm->sys_fd));
	ASSERT_OK(munmap(mem, GUEST_MEM_SIZE));
	free(vm);
}

/* soak.cycles=N from /proc/cmdline, else SOAK_CYCLES. */
static int soak_cycles(void)
{
	char word[256];
	int n = SOAK_CYCLES;
	FILE *f;

	f = fopen("/proc/cmdline", "r");
	if (!f)
		return n;
	while (fscanf(f, "%255s", word) == 1)
		if (!strncmp(word, "soak.cycles=", 12))
			n = atoi(word + 12);
	fclose(f);
	return n;
}

/*
 * The reference count of the modules behind th_dev: minivirt, or kvm and
 * its vendor module (each open /dev/kvm and VM holds them).
 */
static long module_refs(void)
{
	static const char *const kvm_mods[] = { "kvm", "kvm_amd", "kvm_intel" };
	static const char *const mv_mods[] = { "minivirt" };
	const char *const *mods = th_is_kvm ? kvm_mods : mv_mods;
	int i, n = th_is_kvm ? 3 : 1;
	char path[64];
	long refs = 0, r;
	FILE *f;

	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/sys/module/%s/refcnt", mods[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%ld", &r) == 1)
			refs += r;
		fclose(f);
	}
	return refs;
}

static void run_cycles(int from, int to)
{
	int i;

	for (i = from; i < to; i++)
		cycle(i);
}

TEST_TIMEOUT(soak_vm_vcpu_threads, 3600)
{
	long refs = module_refs(), slab0, avail0, slab1, avail1;
	int n = soak_cycles();
	uint64_t t0;

	if (access("/proc/slabinfo", R_OK))
		SKIP("/proc/slabinfo not readable: memory not measurable");
	run_cycles(0, WARMUP);
	ms_meminfo(&slab0, &avail0);
	t0 = mt_now_ns();
	run_cycles(WARMUP, WARMUP + n);
	TH_LOG("%d cycles in %llu ms", n,
	       (unsigned long long)((mt_now_ns() - t0) / 1000000));
	ms_meminfo(&slab1, &avail1);
	TH_LOG("after %d cycles: Slab %+ld KiB, MemAvailable %+ld KiB (tolerance %d, %d); module refs %ld -> %ld",
	       n, slab1 - slab0, avail1 - avail0, SLAB_TOLERANCE_KB,
	       AVAIL_TOLERANCE_KB, refs, module_refs());
	EXPECT_EQ(module_refs(), refs);
	EXPECT_LE(slab1 - slab0, SLAB_TOLERANCE_KB);
	EXPECT_GE(avail1 - avail0, -AVAIL_TOLERANCE_KB);
}
