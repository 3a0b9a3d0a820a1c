// SPDX-License-Identifier: GPL-2.0-only
/*
 * A differential guest fuzzer (issue 12): random but valid starting states
 * in each mode (one TAP case per mode: real, prot, pg32, pae, long) and
 * short random instruction sequences made of what exits or faults (IN/OUT,
 * MMIO, CPUID, RDMSR/WRMSR, MOV to and from CR0/CR3/CR4/CR8 and DR0-7, INT
 * n and IRET, page-table writes and INVLPG, #UD/#DE/#GP/#NM raisers, HLT),
 * run to their end on --dev and, with --other, on the other hypervisor,
 * one VM at a time (only one of them can hold VMX/SVM), and compared: the
 * exits with their data, the registers, control and debug registers,
 * segments, the fuzzed MSRs and a hash of each page of guest memory
 * (guest_fuzz/run.c). Both devices get one CPUID table (setup.c).
 *
 * Sequence i of a case is seed + i (ioctl_fuzz's PRNG, splitmix64-seeded
 * with the mode mixed in): `--only MODE --seed S --count 1 --trace 1`
 * replays one, printing its slots, every exit and both digests. Without
 * --other, each sequence's digest is printed as one hash per line, so that
 * two columns' logs can be diffed. A case fails on any disagreement,
 * logging the first few with their seeds and differing lines.
 */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "guest_fuzz/gf.h"
#include "lib/harness.h"

TH_OPTION(seed, "first sequence's seed; 0: from the clock", 0)
TH_OPTION(count, "sequences per mode", 200)
TH_OPTION(trace, "1: print each sequence's slots, exits and digests", 0)
TH_OPTION(keep, "slots kept (bit i: slot i), the others NOPs: to find what a sequence needs", ~0ULL)
TH_OPTION(budget, "ms a sequence may run before it counts as a timeout", 5000)

extern unsigned int gf_budget_ms;

#define GF_DIGEST	(64 << 10)
#define GF_SHOWN	3	/* disagreements logged in full */

static uint64_t fnv(const char *p)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (*p)
		h = (h ^ (uint8_t)*p++) * 0x100000001b3ULL;
	return h;
}

/* A line, cut to 160 characters around column at. */
static void show(const char *tag, const char *line, size_t len, size_t at)
{
	size_t from = at > 60 ? at - 60 : 0;

	if (from > len)
		from = len;
	printf("#   %s %s%.*s%s\n", tag, from ? "..." : "", (int)(len - from < 160 ? len - from : 160),
	       line + from, len - from > 160 ? "..." : "");
}

/* The lines that differ between two digests. */
static void diff(const char *a, const char *b, const char *na, const char *nb)
{
	unsigned int shown = 0;

	while ((*a || *b) && shown < 16) {
		size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n"), at = 0;

		if (la != lb || memcmp(a, b, la)) {
			while (at < la && at < lb && a[at] == b[at])
				at++;
			show(na, a, la, at);
			show(nb, b, lb, at);
			shown++;
		}
		a += la + (a[la] == '\n');
		b += lb + (b[lb] == '\n');
	}
}

/* A console marker: a host that dies or hangs names the sequence and device. */
static void mark(int kmsg, const struct gf_seq *s, const char *dev)
{
	char line[128];

	if (kmsg < 0)
		return;
	snprintf(line, sizeof(line), "guest_fuzz: --only %s --seed %llu on %s\n",
		 gf_mode_names[s->st.mode], (unsigned long long)s->seed, dev);
	if (write(kmsg, line, strlen(line)) < 0)
		TH_LOG("/dev/kmsg: %s", strerror(errno));
}

static void gf_keep(struct gf_seq *s, uint64_t keep)
{
	unsigned int i;

	for (i = 0; i < s->slots; i++) {
		if (keep >> i & 1)
			continue;
		memset(s->code + i * GF_SLOT, 0x90, GF_SLOT);
		snprintf(s->what[i], sizeof(s->what[i]), "(not kept)");
	}
}

static void trace_seq(const struct gf_seq *s)
{
	unsigned int i;

	printf("# seed %llu mode %s: %u slots, CR0 %#llx CR3 %#llx CR4 %#llx EFER %#llx, IDT of %u\n",
	       (unsigned long long)s->seed, gf_mode_names[s->st.mode], s->slots,
	       (unsigned long long)s->st.cr0, (unsigned long long)s->st.cr3,
	       (unsigned long long)s->st.cr4, (unsigned long long)s->st.efer, s->st.idt_vectors);
	for (i = 0; i <= s->slots; i++)
		printf("#   slot %2u @%#x: %s\n", i, GUEST_CODE_GPA + i * GF_SLOT, s->what[i]);
}

static void fuzz_mode(enum gf_mode mode)
{
	uint64_t seed = th_opt_seed, i, bad = 0;
	char *da = malloc(GF_DIGEST), *db = malloc(GF_DIGEST);
	struct kvm_cpuid2 *cpuid = gf_cpuid_common(th_dev, th_other);
	time_t start = time(NULL);
	struct gf_seq *s = malloc(sizeof(*s));
	int kmsg = open("/dev/kmsg", O_WRONLY);

	ASSERT_TRUE(da && db && s);
	if (!seed)
		seed = (uint64_t)time(NULL) * 1000003;
	gf_budget_ms = th_opt_budget;
	TH_LOG("%s: seeds %llu..%llu on %s%s%s (replay one: --only %s --seed S --count 1 --trace 1)",
	       gf_mode_names[mode], (unsigned long long)seed,
	       (unsigned long long)(seed + th_opt_count - 1), th_dev, th_other ? " and " : "",
	       th_other ? th_other : "", gf_mode_names[mode]);
	for (i = 0; i < th_opt_count; i++) {
		gf_seq_init(s, mode, seed + i, cpuid);
		gf_generate(s);
		gf_keep(s, th_opt_keep);
		if (th_opt_trace)
			trace_seq(s);
		mark(kmsg, s, th_dev);
		gf_run(s, th_dev, cpuid, da, GF_DIGEST, th_opt_trace);
		if (th_opt_trace)
			printf("# %s digest:\n%s", th_dev, da);
		if (!th_other) {
			printf("# seed %llu %s digest %016llx\n", (unsigned long long)s->seed,
			       gf_mode_names[mode], (unsigned long long)fnv(da));
			continue;
		}
		mark(kmsg, s, th_other);
		gf_run(s, th_other, cpuid, db, GF_DIGEST, th_opt_trace);
		if (th_opt_trace)
			printf("# %s digest:\n%s", th_other, db);
		if (!strcmp(da, db))
			continue;
		if (bad++ < GF_SHOWN) {
			TH_LOG("disagreement: --only %s --seed %llu (%u slots)", gf_mode_names[mode],
			       (unsigned long long)s->seed, s->slots);
			diff(da, db, "dev:  ", "other:");
		}
	}
	TH_LOG("%s: %llu sequences, %llu disagreements (%.1f per 10^4), %ld s",
	       gf_mode_names[mode], (unsigned long long)th_opt_count, (unsigned long long)bad,
	       th_opt_count ? bad * 10000.0 / th_opt_count : 0.0, (long)(time(NULL) - start));
	EXPECT_EQ(bad, 0);
	if (kmsg >= 0)
		close(kmsg);
	free(cpuid);
	free(s);
	free(da);
	free(db);
}

TEST_TIMEOUT(real, 24 * 3600)
{
	fuzz_mode(GF_REAL);
}

TEST_TIMEOUT(prot, 24 * 3600)
{
	fuzz_mode(GF_PROT);
}

TEST_TIMEOUT(pg32, 24 * 3600)
{
	fuzz_mode(GF_PG32);
}

TEST_TIMEOUT(pae, 24 * 3600)
{
	fuzz_mode(GF_PAE);
}

TEST_TIMEOUT(long, 24 * 3600)
{
	fuzz_mode(GF_LONG);
}
