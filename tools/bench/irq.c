// SPDX-License-Identifier: GPL-2.0-only
/*
 * The interrupt benchmarks, on the in-kernel irqchip (KVM_CREATE_IRQCHIP):
 * an IPI round trip between two vCPUs, the LAPIC timer's delay from its
 * expiry to the guest's handler, and an irqfd's MSI from the eventfd write
 * to the guest's handler. The guests (guest.S) put their LAPICs in x2APIC
 * mode, so that they need no MMIO mapping in either guest mode; every LAPIC
 * access is then an MSR exit on both hypervisors (no AVIC in the emulated
 * host). Each vCPU has an IDT with gates for its own vectors only: an
 * interrupt delivered to the wrong vCPU shuts it down, and the benchmark
 * fails with that exit. A missing capability fails the benchmark with a
 * reason that starts with "skipped:". The protocols stand the emulated
 * host's second delivery of an injected interrupt (guest.S, issue 10): a
 * handler that ran more often than interrupts were sent is told on stderr,
 * one that ran less fails the benchmark.
 *
 * Section numbers: SDM vol 3A chapter 10 "Advanced Programmable Interrupt
 * Controller (APIC)", as kmod/irq cites it (chapter 11 since order number
 * 325462-080US, June 2023).
 */
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <x86intrin.h>

#include "kvmbench.h"

#define IPI_N		1000	/* round trips per rep */
#define TIMER_N		500	/* timer interrupts per rep */
/*
 * The one-shot delay: TMICT counts at the APIC bus clock divided by TDCR,
 * and both hypervisors run that bus at 1 GHz (KVM's APIC_BUS_CYCLE_NS, 1
 * unless KVM_CAP_X86_APIC_BUS_CYCLES_NS changes it), so with divide-by-1 a
 * count is a ns. 200 us is well above the few exits that arm the timer and
 * halt the vCPU in the emulated host (tens of us each), so that the timer
 * always expires on a halted vCPU: the path of a guest that sleeps until
 * its timer.
 */
#define TIMER_DELAY_NS	200000
#define IRQFD_N		1000	/* eventfd writes per rep */
#define IRQFD_GSI	24	/* past the IOAPIC's pins, as QEMU's MSI routes */
#define MSI_ADDR_BASE	0xfee00000U	/* destination ID 0, physical (10.11.1) */
#define CPUID1_X2APIC	(1U << 21)
/* A KVM_RUN takes a rep's few seconds at most: this long, it hangs. */
#define WATCH_S		30

extern const uint8_t bench_guest_ipi0_32[], bench_guest_ipi1_32[],
	bench_guest_timer_32[], bench_guest_irqfd_32[], bench_guest_isr_ping_32[],
	bench_guest_isr_pong_32[], bench_guest_isr_stop_32[],
	bench_guest_isr_timer_32[], bench_guest_isr_irqfd_32[],
	bench_guest_isr_spurious_32[];
extern const uint8_t bench_guest_ipi0_64[], bench_guest_ipi1_64[],
	bench_guest_timer_64[], bench_guest_irqfd_64[], bench_guest_isr_ping_64[],
	bench_guest_isr_pong_64[], bench_guest_isr_stop_64[],
	bench_guest_isr_timer_64[], bench_guest_isr_irqfd_64[],
	bench_guest_isr_spurious_64[];

/* The guests' entry points and handlers in one guest mode. */
struct irq_guest {
	const uint8_t *ipi0, *ipi1, *timer, *irqfd;
	const uint8_t *isr_ping, *isr_pong, *isr_stop, *isr_timer, *isr_irqfd,
		*isr_spurious;
};

static const struct irq_guest irq_guests[] = {
	{ bench_guest_ipi0_32, bench_guest_ipi1_32, bench_guest_timer_32,
	  bench_guest_irqfd_32, bench_guest_isr_ping_32, bench_guest_isr_pong_32,
	  bench_guest_isr_stop_32, bench_guest_isr_timer_32,
	  bench_guest_isr_irqfd_32, bench_guest_isr_spurious_32 },
	{ bench_guest_ipi0_64, bench_guest_ipi1_64, bench_guest_timer_64,
	  bench_guest_irqfd_64, bench_guest_isr_ping_64, bench_guest_isr_pong_64,
	  bench_guest_isr_stop_64, bench_guest_isr_timer_64,
	  bench_guest_isr_irqfd_64, bench_guest_isr_spurious_64 },
};

static const struct irq_guest *irq_guest(void)
{
	return &irq_guests[mode->long_mode];
}

static volatile uint32_t *shared(struct bench_vm *vm, unsigned int off)
{
	return (volatile uint32_t *)(vm->mem + IRQ_SHARED_GPA + off);
}

static uint32_t shared_get(struct bench_vm *vm, unsigned int off)
{
	return __atomic_load_n(shared(vm, off), __ATOMIC_ACQUIRE);
}

static void shared_reset(struct bench_vm *vm)
{
	memset(vm->mem + IRQ_SHARED_GPA, 0, 4096);
}

/* Runs the calling thread on cpu, where there is one: the vCPUs apart. */
static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	if (cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		bench_die("sched_setaffinity to CPU %d failed: %s", cpu, strerror(errno));
}

static void shared_set(struct bench_vm *vm, unsigned int off, uint32_t v)
{
	__atomic_store_n(shared(vm, off), v, __ATOMIC_RELEASE);
}

/* The guest's final report, an OUT to PORT_DONE of a count of at least want. */
static uint32_t expect_done(struct bench_vm *vm, uint32_t want, const char *what)
{
	uint32_t v;

	if (!exit_is_out(vm->run, PORT_DONE, &v))
		die_unexpected(vm, "OUT to port 0x501 at the end");
	if (v < want)
		die_state(vm, "vCPU %u counted %u %s, not %u", vm->vcpu_id, v, what, want);
	return v;
}

/* Interrupts taken inside STI's shadow, returned past the HLT (guest.S). */
static void tell_hlt_fixups(const char *name, uint64_t n)
{
	if (n)
		fprintf(stderr, "kvmbench: %s: %llu interrupts came between STI and HLT "
			"(inside STI's shadow); the guest returned past the HLT\n", name,
			(unsigned long long)n);
}

/* Handler runs beyond the interrupts sent: said, not judged (guest.S). */
static void tell_extra_runs(const char *name, uint64_t extra, uint64_t sent)
{
	if (extra)
		fprintf(stderr, "kvmbench: %s: %llu handler runs more than the %llu interrupts sent "
			"(the emulated host delivered some twice: issue 10)\n", name,
			(unsigned long long)extra, (unsigned long long)sent);
}

static void watch_signal(int sig)
{
	(void)sig;
}

/* The set bits of the 256-bit IRR or ISR at base in the LAPIC page. */
static int lapic_vectors(const struct kvm_lapic_state *l, unsigned int base,
			 char *buf, size_t len)
{
	unsigned int v;
	uint32_t w;
	int n = 0;

	for (v = 0; v < 256 && (size_t)n < len; v++) {
		memcpy(&w, l->regs + base + (v / 32) * 0x10, sizeof(w));
		if (w & (1U << (v % 32)))
			n += snprintf(buf + n, len - n, " 0x%x", v);
	}
	return n;
}

static uint32_t lapic_reg(const struct kvm_lapic_state *l, unsigned int off)
{
	uint32_t v;

	memcpy(&v, l->regs + off, sizeof(v));
	return v;
}

/*
 * A vCPU that made no exit for WATCH_S seconds: where its interrupt went,
 * from its LAPIC (IRR 0x200, ISR 0x100, PPR 0xa0, LVT timer 0x320, TMICT
 * 0x380, TMCCT 0x390: 10.4.1 table 10-1), MP state, RIP and RFLAGS, and the
 * shared words.
 */
static void __attribute__((noreturn)) die_hung(struct bench_vm *vm)
{
	struct kvm_mp_state mp = { 0 };
	struct kvm_lapic_state l;
	struct kvm_regs regs;
	char irr[96] = "", isr[96] = "";

	IOCTL(vm->vcpu_fd, KVM_GET_LAPIC, &l);
	IOCTL(vm->vcpu_fd, KVM_GET_MP_STATE, &mp);
	IOCTL(vm->vcpu_fd, KVM_GET_REGS, &regs);
	lapic_vectors(&l, 0x200, irr, sizeof(irr));
	lapic_vectors(&l, 0x100, isr, sizeof(isr));
	bench_die("vCPU %u made no exit in %d s: mp_state %u rip 0x%llx rflags 0x%llx; "
		  "LAPIC IRR%s ISR%s PPR 0x%x LVTT 0x%x TMICT %u TMCCT %u; "
		  "shared seq %u echo %u flag %u count %u count_b %u dup %u",
		  vm->vcpu_id, WATCH_S, mp.mp_state, (unsigned long long)regs.rip,
		  (unsigned long long)regs.rflags, irr[0] ? irr : " -", isr[0] ? isr : " -",
		  lapic_reg(&l, 0xa0), lapic_reg(&l, 0x320), lapic_reg(&l, 0x380),
		  lapic_reg(&l, 0x390), *shared(vm, SH_SEQ), *shared(vm, SH_ECHO),
		  *shared(vm, SH_FLAG), *shared(vm, SH_COUNT), *shared(vm, SH_COUNT_B),
		  *shared(vm, SH_DUP));
}

/*
 * KVM_RUN under a watchdog of the calling thread's own: its signal (no
 * SA_RESTART) ends a KVM_RUN that hangs with -EINTR, and die_hung() says
 * what the vCPU was waiting for, rather than main.c's alarm() after 120 s
 * with no word.
 */
static void vcpu_run_watched(struct bench_vm *vm)
{
	struct sigaction sa = { .sa_handler = watch_signal };
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	struct itimerspec its = { .it_value.tv_sec = WATCH_S };
	timer_t timer;
	int r, err;

	sev._sigev_un._tid = syscall(SYS_gettid);	/* glibc's sigev_notify_thread_id */
	if (sigaction(SIGUSR1, &sa, NULL) ||
	    timer_create(CLOCK_MONOTONIC, &sev, &timer))
		bench_die("the KVM_RUN watchdog: %s", strerror(errno));
	if (timer_settime(timer, 0, &its, NULL))
		bench_die("timer_settime failed: %s", strerror(errno));
	vm->ran = true;
	r = ioctl(vm->vcpu_fd, KVM_RUN, 0);
	err = errno;
	timer_delete(timer);
	if (r < 0 && err == EINTR)
		die_hung(vm);
	if (r < 0)
		bench_die("KVM_RUN failed: %s (errno %d); exit_reason %u",
			  strerror(err), err, vm->run->exit_reason);
}

/*
 * A vCPU on a thread of its own, pinned to cpu, run until its final report.
 * A failure there ends the whole child process (bench_die()).
 */
struct vcpu_thread {
	struct bench_vm *vcpu;
	uint32_t want;
	const char *what;
	int cpu;
	uint32_t got;		/* the guest's report */
	pthread_t tid;
};

static void *vcpu_thread_fn(void *arg)
{
	struct vcpu_thread *t = arg;

	pin_to_cpu(t->cpu);
	vcpu_run_watched(t->vcpu);
	t->got = expect_done(t->vcpu, t->want, t->what);
	return NULL;
}

static void vcpu_thread_start(struct vcpu_thread *t)
{
	int r = pthread_create(&t->tid, NULL, vcpu_thread_fn, t);

	if (r)
		bench_die("pthread_create failed: %s", strerror(r));
}

static void vcpu_thread_join(struct vcpu_thread *t)
{
	int r = pthread_join(t->tid, NULL);

	if (r)
		bench_die("pthread_join failed: %s", strerror(r));
}

/* Waits (untimed) until the guest's LAPIC is on. */
static void wait_ready(struct bench_vm *vm)
{
	while (!shared_get(vm, SH_READY))
		usleep(100);
}

/* The irqchip VM, vCPU 0 with its spurious vector's gate; x2APIC offered. */
static void irq_vm_create(struct bench_vm *vm, int sys_fd)
{
	vm_create_irq(vm, sys_fd);
	if (!(vm->cpuid1_ecx & CPUID1_X2APIC))
		bench_die("skipped: KVM_GET_SUPPORTED_CPUID offers no x2APIC (leaf 1 ECX bit 21)");
	vm_set_gate(vm, VEC_SPURIOUS, GUEST_ENTRY(irq_guest()->isr_spurious));
}

/*
 * ipi_roundtrip: vCPU 0 sends a fixed IPI to vCPU 1, whose handler echoes
 * vCPU 0's sequence number, EOIs and sends one back; vCPU 0 sleeps in HLT
 * until it sees the echo (a spin would take the emulated host's one TCG
 * thread from vCPU 1). Each vCPU on its own thread and host CPU; vCPU 0
 * starts once vCPU 1's LAPIC is on. Timed on the host from vCPU 0's first
 * report (its LAPIC is on) to its final one: IPI_N round trips (and the one
 * VEC_STOP to vCPU 1). vCPU 1's handler must have run at least IPI_N times;
 * vCPU 0's may run fewer: when the echo is there before vCPU 0 halts, the
 * IPI back stays pending in its IRR and the next one merges with it (one
 * IRR bit per vector, 10.8.4), as it did under shadow paging.
 */
unsigned int ipi_roundtrip(int sys_fd, unsigned int reps, double *ns)
{
	const struct irq_guest *g = irq_guest();
	struct bench_vm vm, vcpu1;
	struct vcpu_thread t1 = {
		.vcpu = &vcpu1, .want = IPI_N, .what = "IPIs from vCPU 0", .cpu = 1,
	};
	uint64_t t0, t, extra = 0, fix = 0;
	uint32_t v;
	int rep;

	irq_vm_create(&vm, sys_fd);
	if (vm_check_cap(&vm, KVM_CAP_MAX_VCPUS) < 2)
		bench_die("skipped: KVM_CAP_MAX_VCPUS is under 2");
	vcpu_add(&vm, &vcpu1, 1);
	vm_set_gate(&vm, VEC_PONG, GUEST_ENTRY(g->isr_pong));
	vm_set_gate(&vcpu1, VEC_PING, GUEST_ENTRY(g->isr_ping));
	vm_set_gate(&vcpu1, VEC_STOP, GUEST_ENTRY(g->isr_stop));
	vm_set_gate(&vcpu1, VEC_SPURIOUS, GUEST_ENTRY(g->isr_spurious));
	pin_to_cpu(0);

	for (rep = -1; rep < (int)reps; rep++) {
		shared_reset(&vm);
		vcpu_start_stack(&vcpu1, GUEST_ENTRY(g->ipi1), 0, 0, IRQ_STACK_TOP(1));
		vcpu_start_stack(&vm, GUEST_ENTRY(g->ipi0), IPI_N, 0, IRQ_STACK_TOP(0));
		vcpu_thread_start(&t1);
		wait_ready(&vm);
		vcpu_run_watched(&vm);
		if (!exit_is_out(vm.run, PORT_BENCH, &v))
			die_unexpected(&vm, "OUT to port 0x500: vCPU 0's LAPIC is on");
		t0 = now_ns();
		vcpu_run_watched(&vm);
		t = now_ns() - t0;
		expect_done(&vm, 0, "IPIs back from vCPU 1");
		vcpu_thread_join(&t1);
		extra += t1.got - IPI_N;
		fix += *shared(&vm, SH_HLTFIX);
		if (rep >= 0)
			ns[rep] = (double)t / IPI_N;
	}
	tell_extra_runs("ipi_roundtrip", extra, IPI_N * (reps + 1ULL));
	tell_hlt_fixups("ipi_roundtrip", fix);
	vcpu_remove(&vcpu1);
	vm_destroy(&vm);
	return IPI_N;
}

/*
 * lapic_timer_irq: TIMER_N one-shot timers of TIMER_DELAY_NS, each armed by
 * the guest (TMICT, after reading the TSC) and slept on in HLT; the handler
 * reads the TSC first thing. Reported: the mean of (handler entry - arming)
 * less the programmed delay, i.e. how late after its expiry the guest's
 * handler runs, as the guest sees it.
 *
 * Why this measure under nested TCG: QEMU's TSC follows the host's real
 * clock (no icount), and neither hypervisor scales the guest's TSC (no
 * KVM_SET_TSC_KHZ), so guest TSC deltas are wall time at the rate that the
 * host calibrates around each rep's KVM_RUN (CLOCK_MONOTONIC against its own
 * RDTSC). The host-side time per interrupt would be the delay plus the arming
 * and EOI exits; this is the delivery path alone: hrtimer expiry, the
 * halted vCPU's wakeup, the injection and the entry. One-shot mode rather
 * than TSC-deadline: every in-kernel LAPIC has it whatever the CPUID, and
 * KVM's timer_advance_ns (which fires early and waits in the entry path)
 * applies to TSC-deadline only, so both hypervisors run the same path.
 * (Times in a Bochs guest are instruction counts: there this means little.)
 * The arming TSC read comes before the TMICT write's exit, so the figure
 * includes that exit's way in, up to where the hypervisor reads its clock.
 */
unsigned int lapic_timer_irq(int sys_fd, unsigned int reps, double *ns)
{
	const struct irq_guest *g = irq_guest();
	double tsc_per_ns, mean_ticks;
	uint64_t t0, t, c0, c, sum, extra = 0, fix = 0;
	struct bench_vm vm;
	uint32_t min;
	int rep;

	irq_vm_create(&vm, sys_fd);
	vm_set_gate(&vm, VEC_TIMER, GUEST_ENTRY(g->isr_timer));

	for (rep = -1; rep < (int)reps; rep++) {
		shared_reset(&vm);
		*shared(&vm, SH_MIN) = UINT32_MAX;
		vcpu_start_stack(&vm, GUEST_ENTRY(g->timer), TIMER_N, TIMER_DELAY_NS,
				 IRQ_STACK_TOP(0));
		c0 = __rdtsc();
		t0 = now_ns();
		vcpu_run_watched(&vm);
		t = now_ns() - t0;
		c = __rdtsc() - c0;
		if (expect_done(&vm, TIMER_N, "timer samples") != TIMER_N)
			die_state(&vm, "more timer samples than armings");
		extra += *shared(&vm, SH_DUP);
		fix += *shared(&vm, SH_HLTFIX);

		tsc_per_ns = (double)c / t;
		memcpy(&sum, (const void *)shared(&vm, SH_SUM), sizeof(sum));
		min = *shared(&vm, SH_MIN);
		/*
		 * The count-down takes TMICT bus clocks (10.5.4): no interrupt
		 * comes before them. Half of it, to leave room for the error of
		 * the calibration; an early timer is a bug, not a fast one.
		 */
		if (min < TIMER_DELAY_NS * tsc_per_ns / 2)
			die_state(&vm, "a %u-ns one-shot timer reached its handler after %u TSC ticks (%.0f ns)",
				  TIMER_DELAY_NS, min, min / tsc_per_ns);
		mean_ticks = (double)sum / TIMER_N;
		if (rep >= 0)
			ns[rep] = mean_ticks / tsc_per_ns - TIMER_DELAY_NS;
	}
	tell_extra_runs("lapic_timer_irq", extra, TIMER_N * (reps + 1ULL));
	tell_hlt_fixups("lapic_timer_irq", fix);
	vm_destroy(&vm);
	return TIMER_N;
}

/*
 * GSI IRQFD_GSI as an MSI to vCPU 0's VEC_IRQFD (fixed, edge: data, 10.11.2),
 * the whole routing table (KVM_SET_GSI_ROUTING replaces the default one),
 * and an eventfd bound to it.
 */
static int irqfd_bind(struct bench_vm *vm)
{
	struct {
		struct kvm_irq_routing table;
		struct kvm_irq_routing_entry entries[1];
	} routing = {
		.table.nr = 1,
		.entries[0] = {
			.gsi = IRQFD_GSI,
			.type = KVM_IRQ_ROUTING_MSI,
			.u.msi = { .address_lo = MSI_ADDR_BASE, .data = VEC_IRQFD },
		},
	};
	struct kvm_irqfd irqfd = { .gsi = IRQFD_GSI };
	int efd;

	if (!vm_check_cap(vm, KVM_CAP_IRQ_ROUTING))
		bench_die("skipped: no KVM_CAP_IRQ_ROUTING (no MSI route)");
	if (!vm_check_cap(vm, KVM_CAP_IRQFD))
		bench_die("skipped: no KVM_CAP_IRQFD");
	IOCTL(vm->vm_fd, KVM_SET_GSI_ROUTING, &routing);
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		bench_die("eventfd failed: %s", strerror(errno));
	irqfd.fd = efd;
	IOCTL(vm->vm_fd, KVM_IRQFD, &irqfd);
	return efd;
}

/* Event n: n into SH_SEQ, the write, a poll until the handler echoed n. */
static uint64_t irqfd_event(struct bench_vm *vm, int efd, uint32_t n)
{
	const uint64_t one = 1;
	uint64_t t0;

	shared_set(vm, SH_SEQ, n);
	t0 = now_ns();
	if (write(efd, &one, sizeof(one)) != sizeof(one))
		bench_die("write to the irqfd's eventfd failed: %s", strerror(errno));
	while (shared_get(vm, SH_ECHO) != n)
		_mm_pause();
	return now_ns() - t0;
}

/*
 * irqfd_to_handler: vCPU 0 on its own thread sleeps in HLT; the host thread
 * (on the other CPU) writes the eventfd and polls for the guest's handler
 * to echo the event's sequence number, IRQFD_N times, one event in flight
 * at a time; ns per event from the write to the host seeing the echo. Under the emulated
 * host's single TCG thread the poller runs again only once the vCPU's CPU
 * idles, so there that includes the handler's EOI and the vCPU's return to
 * HLT: the same for both hypervisors.
 */
unsigned int irqfd_to_handler(int sys_fd, unsigned int reps, double *ns)
{
	const struct irq_guest *g = irq_guest();
	struct bench_vm vm;
	struct vcpu_thread t0 = {
		.vcpu = &vm, .want = IRQFD_N, .what = "irqfd interrupts", .cpu = 1,
	};
	uint64_t total, extra = 0, fix = 0;
	uint32_t i;
	int efd, rep;

	irq_vm_create(&vm, sys_fd);
	vm_set_gate(&vm, VEC_IRQFD, GUEST_ENTRY(g->isr_irqfd));
	efd = irqfd_bind(&vm);
	pin_to_cpu(0);

	for (rep = -1; rep < (int)reps; rep++) {
		shared_reset(&vm);
		vcpu_start_stack(&vm, GUEST_ENTRY(g->irqfd), IRQFD_N, 0, IRQ_STACK_TOP(0));
		vcpu_thread_start(&t0);
		wait_ready(&vm);
		total = 0;
		for (i = 1; i <= IRQFD_N; i++)
			total += irqfd_event(&vm, efd, i);
		vcpu_thread_join(&t0);
		extra += t0.got - IRQFD_N;
		fix += *shared(&vm, SH_HLTFIX);
		if (rep >= 0)
			ns[rep] = (double)total / IRQFD_N;
	}
	tell_extra_runs("irqfd_to_handler", extra, IRQFD_N * (reps + 1ULL));
	tell_hlt_fixups("irqfd_to_handler", fix);
	close(efd);
	vm_destroy(&vm);
	return IRQFD_N;
}
