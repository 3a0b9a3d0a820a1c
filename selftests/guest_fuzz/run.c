// SPDX-License-Identifier: GPL-2.0-only
/*
 * One sequence on one device (see gf.h): a new VM with the sequence's
 * memory and state, KVM_RUN until it ends, and its digest. IN and MMIO
 * reads get bytes computed from the exit's port or address, its number in
 * the sequence and the byte's index, nothing else. A sequence ends at its
 * final HLT or OUT, on an abort, SHUTDOWN, an error exit, after
 * GF_MAX_EXITS exits, or when it has run gf_budget_ms (a guest looping in
 * the kernel: KVM_RUN is broken by a periodic SIGALRM; such a sequence's
 * digest is "timeout" alone, its state being the timer's).
 */
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/time.h>

#include "../lib/harness.h"
#include "../lib/vm.h"
#include "gf.h"

#define GF_TICK_MS	50

unsigned int gf_budget_ms = 5000;
static volatile sig_atomic_t ticks;

struct dg {
	char *p;
	size_t size, len;
};

static void dg_printf(struct dg *d, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->p + d->len, d->size - d->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		d->len = d->len + n < d->size ? d->len + n : d->size - 1;
}

static void on_tick(int sig)
{
	(void)sig;
	ticks++;
}

static void timer(bool on)
{
	struct itimerval it = { 0 };
	struct sigaction sa = { .sa_handler = on_tick };	/* no SA_RESTART */

	if (on) {
		sigaction(SIGALRM, &sa, NULL);
		it.it_value.tv_usec = GF_TICK_MS * 1000;
		it.it_interval.tv_usec = GF_TICK_MS * 1000;
		ticks = 0;
	}
	setitimer(ITIMER_REAL, &it, NULL);
}

static uint8_t answer(uint64_t where, unsigned int nexit, unsigned int i)
{
	uint64_t h = (where * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)nexit << 32 | i);

	h *= 0xbf58476d1ce4e5b9ULL;
	return h >> 56;
}

static void hex(struct dg *d, const uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		dg_printf(d, "%02x", b[i]);
}

/* Logs the exit and answers it; returns the sequence's end, or NULL to go on. */
static const char *exit_step(struct vcpu *vcpu, const struct gf_seq *s, struct dg *d,
			     unsigned int nexit, bool *pending)
{
	struct kvm_run *run = vcpu->run;
	uint8_t *data;
	unsigned int i, n;

	*pending = false;
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		data = (uint8_t *)run + run->io.data_offset;
		n = run->io.size * run->io.count;
		*pending = true;
		if (run->io.direction == KVM_EXIT_IO_IN) {
			for (i = 0; i < n; i++)
				data[i] = answer(run->io.port, nexit, i);
			dg_printf(d, " in%u:%x*%u", run->io.size, run->io.port, run->io.count);
			return NULL;
		}
		dg_printf(d, " out%u:%x*%u=", run->io.size, run->io.port, run->io.count);
		hex(d, data, n);
		if (run->io.port == GF_PORT_END)
			return "end";
		if (run->io.port == GF_PORT_ABORT)
			return "abort";
		return NULL;
	case KVM_EXIT_MMIO:
		*pending = true;
		dg_printf(d, " mm%c%u:%llx", run->mmio.is_write ? 'w' : 'r', run->mmio.len,
			  (unsigned long long)run->mmio.phys_addr);
		if (run->mmio.is_write) {
			dg_printf(d, "=");
			hex(d, run->mmio.data, run->mmio.len < 8 ? run->mmio.len : 8);
		} else {
			for (i = 0; i < 8; i++)
				run->mmio.data[i] = answer(run->mmio.phys_addr, nexit, i);
		}
		return NULL;
	case KVM_EXIT_HLT:
		dg_printf(d, " hlt");
		return s->end_rip && vcpu_rip(vcpu) == s->end_rip ? "hlt" : NULL;
	case KVM_EXIT_SET_TPR:
		dg_printf(d, " tpr");
		return NULL;
	case KVM_EXIT_SHUTDOWN:
		dg_printf(d, " shutdown");
		return "shutdown";
	case KVM_EXIT_INTERNAL_ERROR:
		dg_printf(d, " internal:%u", run->internal.suberror);
		return "internal";
	case KVM_EXIT_FAIL_ENTRY:
		dg_printf(d, " failentry:%llx",
			  (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return "failentry";
	default:
		dg_printf(d, " %s", exit_reason_name(run->exit_reason));
		return "other";
	}
}

static void seg(struct dg *d, const char *name, const struct kvm_segment *g)
{
	dg_printf(d, "%s sel=%x base=%llx limit=%x type=%x s=%u dpl=%u p=%u db=%u l=%u g=%u\n",
		  name, g->selector, (unsigned long long)g->base, g->limit, g->type, g->s,
		  g->dpl, g->present, g->db, g->l, g->g);
}

/*
 * A PTE without its D bit if it maps the MMIO hole: KVM sets D for an
 * emulated MMIO write only when it walks the guest's tables, not for the
 * access at the nested page fault's GPA (gpa_available), nor one its MMIO
 * cache translates, and QEMU TCG's walk before that fault leaves D clear;
 * minivirt sets it as a CPU would (SDM vol 3A 4.8). Not compared.
 */
static uint64_t no_mmio_dirty(uint64_t e)
{
	uint64_t gpa = e & PTE_ADDR_MASK;

	return gpa >= GF_MMIO_GPA && gpa < GF_MMIO_GPA + 0x20000 ? e & ~PTE_D : e;
}

/*
 * FNV-1a over the page's 8-byte words; for the leaf page table, its 4- or
 * 8-byte PTEs as no_mmio_dirty() leaves them.
 */
static uint64_t page_hash(const uint8_t *p, bool pt, unsigned int pte_size)
{
	uint64_t h = 0xcbf29ce484222325ULL, w, lo, hi;
	unsigned int i;

	for (i = 0; i < GUEST_PAGE_SIZE; i += 8) {
		memcpy(&w, p + i, 8);
		if (pt && pte_size == 8) {
			w = no_mmio_dirty(w);
		} else if (pt) {
			lo = no_mmio_dirty((uint32_t)w);
			hi = no_mmio_dirty(w >> 32);
			w = lo | hi << 32;
		}
		h = (h ^ w) * 0x100000001b3ULL;
	}
	return h;
}

/*
 * The leaf page table of the first 2 MiB (4 MiB with 32-bit paging): each
 * entry with A or D set, or not the identity map's, as index:entry.
 */
static void ptes(const struct gf_seq *s, struct vcpu *vcpu, struct dg *d)
{
	const struct gf_state *st = &s->st;
	uint64_t pt = st->pte_gpa - (GUEST_DATA_GPA >> 12) * st->pte_size, e;
	unsigned int i, n = GUEST_PAGE_SIZE / st->pte_size;

	if (!st->pte_gpa)
		return;
	dg_printf(d, "ptes");
	for (i = 0; i < n; i++) {
		e = 0;
		memcpy(&e, vm_ptr(vcpu->vm, pt + i * st->pte_size), st->pte_size);
		e = no_mmio_dirty(e);
		if (e != ((uint64_t)i << 12 | PTE_P | PTE_W))
			dg_printf(d, " %x:%llx", i, (unsigned long long)e);
	}
	dg_printf(d, "\n");
}

/* The state lines of the digest. */
static void state(const struct gf_seq *s, struct vcpu *vcpu, struct dg *d)
{
	/* The leaf PT: also 32-bit paging's when protected mode sets CR0.PG. */
	uint64_t pt_page = s->st.mode == GF_PROT ? GF_PD32_GPA + 0x1000 :
			   s->st.pte_gpa ? s->st.pte_gpa & ~0xfffULL : ~0ULL;
	struct kvm_debugregs dr;
	struct kvm_sregs sr;
	struct kvm_regs r;
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} m;
	unsigned int i;

	vcpu_regs_get(vcpu, &r);
	dg_printf(d, "rip=%llx rflags=%llx\n", r.rip, r.rflags);
	dg_printf(d, "rax=%llx rbx=%llx rcx=%llx rdx=%llx rsi=%llx rdi=%llx rbp=%llx rsp=%llx\n",
		  r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp);
	dg_printf(d, "r8=%llx r9=%llx r10=%llx r11=%llx r12=%llx r13=%llx r14=%llx r15=%llx\n",
		  r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15);
	vcpu_sregs_get(vcpu, &sr);
	dg_printf(d, "cr0=%llx cr2=%llx cr3=%llx cr4=%llx cr8=%llx efer=%llx apic_base=%llx\n",
		  sr.cr0, sr.cr2, sr.cr3, sr.cr4, sr.cr8, sr.efer, sr.apic_base);
	seg(d, "cs", &sr.cs);
	seg(d, "ds", &sr.ds);
	seg(d, "es", &sr.es);
	seg(d, "fs", &sr.fs);
	seg(d, "gs", &sr.gs);
	seg(d, "ss", &sr.ss);
	dg_printf(d, "gdt=%llx/%x idt=%llx/%x\n", sr.gdt.base, sr.gdt.limit, sr.idt.base,
		  sr.idt.limit);
	ASSERT_OK(ioctl(vcpu->fd, KVM_GET_DEBUGREGS, &dr));
	dg_printf(d, "dr0=%llx dr1=%llx dr2=%llx dr3=%llx dr6=%llx dr7=%llx\n", dr.db[0],
		  dr.db[1], dr.db[2], dr.db[3], dr.dr6, dr.dr7);
	dg_printf(d, "msrs");
	for (i = 0; i < gf_nmsrs; i++) {
		memset(&m, 0, sizeof(m));
		m.h.nmsrs = 1;
		m.e.index = gf_msrs[i];
		if (ioctl(vcpu->fd, KVM_GET_MSRS, &m) == 1)
			dg_printf(d, " %x=%llx", gf_msrs[i], (unsigned long long)m.e.data);
		else
			dg_printf(d, " %x=-", gf_msrs[i]);
	}
	dg_printf(d, "\n");
	for (i = 0; i < GF_HASH_SIZE; i += GUEST_PAGE_SIZE)
		dg_printf(d, "page %05x %016llx\n", i,
			  (unsigned long long)page_hash(vm_ptr(vcpu->vm, i), i == pt_page,
						       s->st.pte_size));
}

void gf_run(const struct gf_seq *s, const char *dev, const struct kvm_cpuid2 *cpuid,
	    char *out, size_t size, bool trace)
{
	const char *saved = th_dev, *end = NULL;
	struct dg d = { .p = out, .size = size };
	unsigned int nexit = 0;
	bool pending = false;
	struct vcpu *vcpu;
	struct vm *vm;
	size_t mark;
	int r;

	out[0] = 0;
	th_dev = dev;
	vm = vm_new();
	th_dev = saved;
	vm_mem_add(vm, 0, 0, GF_MEM_SIZE, 0);
	vcpu = vcpu_new(vm, 0);
	gf_set_state(s, vcpu, cpuid);

	dg_printf(&d, "exits:");
	timer(true);
	while (!end) {
		r = ioctl(vcpu->fd, KVM_RUN, 0);
		if (r < 0 && errno == EINTR) {
			if ((unsigned int)ticks * GF_TICK_MS >= gf_budget_ms)
				end = "timeout";
			continue;
		}
		if (r < 0) {
			dg_printf(&d, " errno:%d", errno);
			end = "errno";
			break;
		}
		mark = d.len;
		end = exit_step(vcpu, s, &d, nexit++, &pending);
		if (trace)
			printf("# %s exit %u:%s\n", dev, nexit - 1, d.p + mark);
		if (!end && nexit >= GF_MAX_EXITS)
			end = "bound";
	}
	timer(false);
	if (!strcmp(end, "timeout")) {
		snprintf(out, size, "end timeout\n");
	} else {
		/* Finish the IO or MMIO instruction the last exit left pending (api.rst). */
		if (pending && !vcpu_complete_io(vcpu))
			dg_printf(&d, " +exit%u", vcpu->run->exit_reason);
		dg_printf(&d, "\nend %s\n", end);
		state(s, vcpu, &d);
		ptes(s, vcpu, &d);
	}
	vm_close(vm, vcpu);
}
