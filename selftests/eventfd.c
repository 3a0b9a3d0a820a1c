// SPDX-License-Identifier: GPL-2.0-only
/*
 * irqfd and ioeventfd (KVM_IRQFD, KVM_IOEVENTFD), as KVM's virt/kvm/eventfd.c
 * answers them:
 * - ioeventfd: a guest write to its port or MMIO address, of its length (any
 *   with length 0) and value (with KVM_IOEVENTFD_FLAG_DATAMATCH), signals the
 *   eventfd (read() gives the count) and is consumed: the guest's next exit
 *   is the one after it. Any other access, and any after the deassign, exits
 *   to userspace as before. Reads are never its.
 * - irqfd: a write to the eventfd raises the GSI through the in-kernel
 *   irqchip (the guest programs the IOAPIC and counts its handler's runs);
 *   the irqfd takes the count (the eventfd reads empty). With
 *   KVM_IRQFD_FLAG_RESAMPLE the GSI is a level, de-asserted when the guest
 *   EOIs, and then the resamplefd is signalled: one interrupt per signal.
 * - every errno of both ioctls (KVM 6.1's order of checks), and the VM going
 *   away while an irqfd's eventfd is being signalled from another thread.
 * With an in-kernel irqchip KVM handles HLT in the kernel: guests end with an
 * OUT. Guest code: guest/eventfd.S.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/threads.h"
#include "lib/vm.h"

DECLARE_GUEST(ev_outb);
DECLARE_GUEST(ev_outl);
DECLARE_GUEST(ev_out_sizes);
DECLARE_GUEST(ev_rep_outsb);
DECLARE_GUEST(ev_movl);
DECLARE_GUEST(ev_movq);
DECLARE_GUEST(ev_mov_sizes);
DECLARE_GUEST(ev_load);
DECLARE_GUEST(ev_rep_stosl);
DECLARE_GUEST(ev_irq);
DECLARE_GUEST_LABEL(ev_irq, handler);

/* As in guest/eventfd.S. */
#define EV_PORT_DONE	0x0510
#define EV_COUNT	GUEST_DATA_GPA

#define EV_PORT		0x0520			/* ioeventfds' port */
#define EV_MMIO		GUEST_MMIO_GPA		/* ioeventfds' address */
#define EV_VALUE	0x12345678ULL
#define EV_OTHER	0x87654321ULL
#define EV_ROUNDS	5

#define EDGE_GSI	16	/* IOAPIC only in the default routing */
#define LEVEL_GSI	17
#define EDGE_VECTOR	0x40
#define LEVEL_VECTOR	0x41
#define IOAPIC_LEVEL	(1U << 15)	/* redirection entry: trigger mode */

/* --- helpers --- */

static int efd_new(void)
{
	return ASSERT_OK(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
}

/* The eventfd's count, which read() resets; 0 if it was not signalled. */
static uint64_t efd_take(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) == sizeof(n))
		return n;
	EXPECT_EQ(errno, EAGAIN);
	return 0;
}

static void efd_signal(int fd)
{
	uint64_t one = 1;

	ASSERT_EQ(write(fd, &one, sizeof(one)), sizeof(one));
}

static int ioeventfd(struct vm *vm, int fd, uint64_t addr, uint32_t len,
		     uint32_t flags, uint64_t datamatch)
{
	struct kvm_ioeventfd a = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = flags,
	};

	return ioctl(vm->fd, KVM_IOEVENTFD, &a);
}

static int irqfd(struct vm *vm, int fd, uint32_t gsi, uint32_t flags,
		 int resamplefd)
{
	struct kvm_irqfd a = {
		.fd = fd, .gsi = gsi, .flags = flags, .resamplefd = resamplefd,
	};

	return ioctl(vm->fd, KVM_IRQFD, &a);
}

/* Starts the loaded guest again from its first instruction. */
static void restart(struct vcpu *vcpu, uint64_t rax, uint64_t rbx,
		    uint64_t rcx, uint64_t rdx)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.rax = rax;
	regs.rbx = rbx;
	regs.rcx = rcx;
	regs.rdx = rdx;
	regs.rip = GUEST_CODE_GPA;
	vcpu_regs_set(vcpu, &regs);
}

static void run_to_done(struct vcpu *vcpu)
{
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 1, EV_PORT_DONE, 1);
}

/* A VM with an in-kernel irqchip (before its vCPU) and the guest loaded. */
static struct vm *irq_guest_new(struct guest_code code, struct vcpu **vcpu)
{
	struct vm *vm = vm_new();

	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	vm_mem_add(vm, 0, 0, GUEST_MEM_SIZE, 0);
	vm_load(vm, GUEST_CODE_GPA, code);
	*vcpu = vcpu_new(vm, 0);
	vcpu_set_mode(*vcpu, VM_MODE_LONG, 0);
	return vm;
}

/* A 64-bit interrupt gate for vector to target (AMD APM vol 2 4.8.4). */
static void set_gate(struct vm *vm, unsigned int vector, uint64_t target)
{
	uint32_t *idt = vm_ptr(vm, GUEST_IDT_GPA);

	idt[vector * 4 + 0] = (target & 0xffff) | SEL_CODE64 << 16;
	idt[vector * 4 + 1] = (target & 0xffff0000) | 0x8e00;
	idt[vector * 4 + 2] = target >> 32;
	idt[vector * 4 + 3] = 0;
}

/*
 * ev_irq, set up for IOAPIC pin gsi with redirection entry low dword entry:
 * runs it to its first report (no interrupt yet: 0 handler runs).
 */
static struct vm *irq_guest_start(struct vcpu **vcpu, uint32_t gsi,
				  uint32_t entry)
{
	struct vm *vm = irq_guest_new(GUEST(ev_irq), vcpu);
	struct kvm_regs regs;

	set_gate(vm, entry & 0xff, GUEST_ADDR(ev_irq, handler));
	vcpu_regs_get(*vcpu, &regs);
	regs.rbx = gsi;
	regs.rsi = entry;
	vcpu_regs_set(*vcpu, &regs);
	EXPECT_EQ(vcpu_run_to_report(*vcpu), 0);
	return vm;
}

/* --- ioeventfd: PIO --- */

/* Five OUTs to the port, none exits; the eventfd counts them. */
TEST(ioeventfd_pio_consumed)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_outl), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 4, KVM_IOEVENTFD_FLAG_PIO, 0));
	restart(vcpu, EV_VALUE, 0, EV_ROUNDS, EV_PORT);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), EV_ROUNDS);
	EXPECT_EQ(vcpu->run->io.port, EV_PORT_DONE);
}

/* Deassigned, the same OUT exits to userspace again, with its data. */
TEST(ioeventfd_pio_deassign)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_outl), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 4, KVM_IOEVENTFD_FLAG_PIO, 0));
	restart(vcpu, EV_VALUE, 0, 1, EV_PORT);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 1);

	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 4, KVM_IOEVENTFD_FLAG_PIO |
			    KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	restart(vcpu, EV_VALUE, 0, 1, EV_PORT);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, EV_PORT, 1);
	EXPECT_EQ(vcpu_io_value(vcpu), EV_VALUE);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 0);
}

/*
 * DATAMATCH: the value hits (consumed, signalled), another value misses
 * (an exit with that value, no signal); so does a write of another length.
 */
TEST(ioeventfd_pio_datamatch)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_outl), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 4, KVM_IOEVENTFD_FLAG_PIO |
			    KVM_IOEVENTFD_FLAG_DATAMATCH, EV_VALUE));
	restart(vcpu, EV_VALUE, 0, 1, EV_PORT);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 1);

	restart(vcpu, EV_OTHER, 0, 1, EV_PORT);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 4, EV_PORT, 1);
	EXPECT_EQ(vcpu_io_value(vcpu), EV_OTHER);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 0);

	/* A byte at the port is not the 4-byte ioeventfd's. */
	vm_load(vm, GUEST_CODE_GPA, GUEST(ev_outb));
	restart(vcpu, EV_VALUE, 0, 1, EV_PORT);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_OUT, 1, EV_PORT, 1);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 0);
}

/* Length 0: a write of any size at the port is its. */
TEST(ioeventfd_pio_len0)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_out_sizes), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 0, KVM_IOEVENTFD_FLAG_PIO, 0));
	restart(vcpu, EV_VALUE, 0, 0, EV_PORT);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 3);
}

/* REP OUTSB: each byte an ioeventfd write, none exits. */
TEST(ioeventfd_pio_rep_outs)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_rep_outsb), 0, &vcpu);
	struct kvm_regs regs;
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 1, KVM_IOEVENTFD_FLAG_PIO, 0));
	restart(vcpu, 0, 0, 7, EV_PORT);
	vcpu_regs_get(vcpu, &regs);
	regs.rsi = GUEST_DATA_GPA;
	vcpu_regs_set(vcpu, &regs);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 7);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rcx, 0);
	EXPECT_EQ(regs.rsi, GUEST_DATA_GPA + 7);
}

/* An IN from the port is not an ioeventfd's: it exits. */
TEST(ioeventfd_pio_in_exits)
{
	static const uint8_t in_eax[] = { 0xed, 0xf4 };	/* in %dx, %eax; hlt */
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_outl), 0, &vcpu);
	int fd = efd_new();

	memcpy(vm_ptr(vm, GUEST_CODE_GPA), in_eax, sizeof(in_eax));
	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 0, KVM_IOEVENTFD_FLAG_PIO, 0));
	restart(vcpu, 0, 0, 0, EV_PORT);
	vcpu_run(vcpu);
	ASSERT_IO(vcpu, KVM_EXIT_IO_IN, 4, EV_PORT, 1);
	EXPECT_EQ(efd_take(fd), 0);
}

/* --- ioeventfd: MMIO --- */

TEST(ioeventfd_mmio_consumed)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_movl), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 4, 0, 0));
	restart(vcpu, EV_VALUE, EV_MMIO, EV_ROUNDS, 0);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), EV_ROUNDS);
}

TEST(ioeventfd_mmio_deassign)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_movl), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 4, 0, 0));
	restart(vcpu, EV_VALUE, EV_MMIO, 1, 0);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 1);

	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 4, KVM_IOEVENTFD_FLAG_DEASSIGN, 0));
	restart(vcpu, EV_VALUE, EV_MMIO, 1, 0);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, EV_MMIO, 4, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), EV_VALUE);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 0);
}

/* DATAMATCH on 8 bytes: a hit is consumed, a miss exits with its value. */
TEST(ioeventfd_mmio_datamatch)
{
	const uint64_t value = 0x0123456789abcdefULL;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_movq), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 8, KVM_IOEVENTFD_FLAG_DATAMATCH,
			    value));
	restart(vcpu, value, EV_MMIO, 2, 0);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 2);

	restart(vcpu, value + 1, EV_MMIO, 1, 0);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, EV_MMIO, 8, true);
	EXPECT_EQ(vcpu_mmio_value(vcpu), value + 1);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 0);

	/* Four of the eight bytes are not the 8-byte ioeventfd's. */
	vm_load(vm, GUEST_CODE_GPA, GUEST(ev_movl));
	restart(vcpu, value, EV_MMIO, 1, 0);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, EV_MMIO, 4, true);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 0);
}

/* Length 0: stores of 1, 2, 4 and 8 bytes at the address are all its. */
TEST(ioeventfd_mmio_len0)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_mov_sizes), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 0, 0, 0));
	restart(vcpu, EV_VALUE, EV_MMIO, 0, 0);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 4);
}

/* A load from the address exits as any MMIO read. */
TEST(ioeventfd_mmio_load_exits)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_load), 0, &vcpu);
	struct kvm_regs regs;
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 0, 0, 0));
	restart(vcpu, 0, EV_MMIO, 0, 0);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, EV_MMIO, 4, false);
	vcpu_mmio_reply(vcpu, EV_VALUE);
	run_to_done(vcpu);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rax & 0xffffffff, EV_VALUE);
	EXPECT_EQ(efd_take(fd), 0);
}

/*
 * REP STOSL over three ioeventfds (one eventfd) at consecutive dwords, then
 * a fourth dword that none has: three signals, then the exit of the fourth.
 */
TEST(ioeventfd_mmio_rep_stos)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_rep_stosl), 0, &vcpu);
	struct kvm_regs regs;
	int fd = efd_new(), i;

	for (i = 0; i < 3; i++)
		ASSERT_OK(ioeventfd(vm, fd, EV_MMIO + 4 * i, 4, 0, 0));
	restart(vcpu, EV_VALUE, 0, 4, 0);
	vcpu_regs_get(vcpu, &regs);
	regs.rdi = EV_MMIO;
	vcpu_regs_set(vcpu, &regs);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, EV_MMIO + 12, 4, true);
	EXPECT_EQ(efd_take(fd), 3);
	run_to_done(vcpu);
	vcpu_regs_get(vcpu, &regs);
	EXPECT_EQ(regs.rcx, 0);
	EXPECT_EQ(regs.rdi, EV_MMIO + 16);
}

/* The same address on the PIO and the MMIO bus: two ioeventfds. */
TEST(ioeventfd_buses_apart)
{
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_outl), 0, &vcpu);
	int pio = efd_new(), mmio = efd_new();

	ASSERT_OK(ioeventfd(vm, pio, EV_PORT, 4, KVM_IOEVENTFD_FLAG_PIO, 0));
	ASSERT_OK(ioeventfd(vm, mmio, EV_PORT, 4, 0, 0));
	restart(vcpu, EV_VALUE, 0, 2, EV_PORT);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(pio), 2);
	EXPECT_EQ(efd_take(mmio), 0);
}

/* --- ioeventfd: errnos --- */

TEST(ioeventfd_errnos)
{
	struct vm *vm = vm_new();
	int fd = efd_new(), other = efd_new();
	int null = ASSERT_OK(open("/dev/null", O_RDWR | O_CLOEXEC));
	const uint32_t pio = KVM_IOEVENTFD_FLAG_PIO;
	const uint32_t dm = KVM_IOEVENTFD_FLAG_DATAMATCH;
	const uint32_t de = KVM_IOEVENTFD_FLAG_DEASSIGN;

	/* Lengths: 0, 1, 2, 4, 8 only. */
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 3, pio, 0), EINVAL);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 16, pio, 0), EINVAL);
	/* The range must not wrap. */
	EXPECT_ERRNO(ioeventfd(vm, fd, ~0ULL - 1, 4, 0, 0), EINVAL);
	/* Flags past KVM_IOEVENTFD_VALID_FLAG_MASK. */
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 4, pio | 1U << 5, 0), EINVAL);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 4, pio | 1U << 31, 0), EINVAL);
	/* No length: no data to match. */
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 0, pio | dm, 0), EINVAL);
	/* Checked before the fd. */
	EXPECT_ERRNO(ioeventfd(vm, -1, EV_PORT, 3, pio, 0), EINVAL);
	/* Not an fd, not an eventfd. */
	EXPECT_ERRNO(ioeventfd(vm, -1, EV_PORT, 4, pio, 0), EBADF);
	EXPECT_ERRNO(ioeventfd(vm, 1000, EV_PORT, 4, pio, 0), EBADF);
	EXPECT_ERRNO(ioeventfd(vm, null, EV_PORT, 4, pio, 0), EINVAL);

	/* Collisions at one address of one bus: -EEXIST. */
	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 4, pio, 0));
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 4, pio, 0), EEXIST);
	EXPECT_ERRNO(ioeventfd(vm, other, EV_PORT, 4, pio, 0), EEXIST);
	EXPECT_ERRNO(ioeventfd(vm, other, EV_PORT, 4, pio | dm, 7), EEXIST);
	EXPECT_ERRNO(ioeventfd(vm, other, EV_PORT, 0, pio, 0), EEXIST);
	/* Another length, another address, another bus: no collision. */
	ASSERT_OK(ioeventfd(vm, other, EV_PORT, 2, pio, 0));
	ASSERT_OK(ioeventfd(vm, other, EV_PORT + 1, 4, pio, 0));
	ASSERT_OK(ioeventfd(vm, other, EV_PORT, 4, 0, 0));
	/* Datamatch: only the same value collides. */
	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 8, dm, 1));
	ASSERT_OK(ioeventfd(vm, other, EV_MMIO, 8, dm, 2));
	EXPECT_ERRNO(ioeventfd(vm, other, EV_MMIO, 8, dm, 1), EEXIST);
	EXPECT_ERRNO(ioeventfd(vm, other, EV_MMIO, 8, 0, 0), EEXIST);
	/* Length 0 collides with any length at the address. */
	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO + 0x100, 0, 0, 0));
	EXPECT_ERRNO(ioeventfd(vm, other, EV_MMIO + 0x100, 1, 0, 0), EEXIST);
	EXPECT_ERRNO(ioeventfd(vm, other, EV_MMIO + 0x100, 8, dm, 3), EEXIST);

	/* Deassign: every field must match; nothing else is checked. */
	EXPECT_ERRNO(ioeventfd(vm, -1, EV_PORT, 4, pio | de, 0), EBADF);
	EXPECT_ERRNO(ioeventfd(vm, null, EV_PORT, 4, pio | de, 0), EINVAL);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT + 2, 4, pio | de, 0), ENOENT);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 2, pio | de, 0), ENOENT);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 4, de, 0), ENOENT);
	EXPECT_ERRNO(ioeventfd(vm, other, EV_PORT + 2, 3, pio | de, 0), ENOENT);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 4, pio | dm | de, 0), ENOENT);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_MMIO, 8, dm | de, 2), ENOENT);
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_MMIO, 8, de, 1), ENOENT);
	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 8, dm | de, 1));
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_MMIO, 8, dm | de, 1), ENOENT);
	ASSERT_OK(ioeventfd(vm, fd, EV_PORT, 4, pio | de, 0));
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_PORT, 4, pio | de, 0), ENOENT);
	/* Gone: the place is free again. */
	ASSERT_OK(ioeventfd(vm, other, EV_PORT, 4, pio | dm, 9));
}

/*
 * KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY is inside KVM's valid mask on x86
 * too: such an ioeventfd goes on KVM's s390 notification bus, which nothing
 * on x86 accesses. It is assigned, collides, and is deassigned as any, and
 * a guest write to its address is not its.
 */
TEST(ioeventfd_ccw_notify_flag)
{
	const uint32_t ccw = KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY;
	struct vcpu *vcpu;
	struct vm *vm = guest_new(VM_MODE_LONG, GUEST(ev_movl), 0, &vcpu);
	int fd = efd_new();

	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 4, ccw, 0));
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_MMIO, 4, ccw, 0), EEXIST);
	restart(vcpu, EV_VALUE, EV_MMIO, 1, 0);
	vcpu_run(vcpu);
	ASSERT_MMIO(vcpu, EV_MMIO, 4, true);
	run_to_done(vcpu);
	EXPECT_EQ(efd_take(fd), 0);
	/* The MMIO bus is another: no collision there. */
	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 4, 0, 0));
	ASSERT_OK(ioeventfd(vm, fd, EV_MMIO, 4, ccw | KVM_IOEVENTFD_FLAG_DEASSIGN,
			    0));
	EXPECT_ERRNO(ioeventfd(vm, fd, EV_MMIO, 4,
			       ccw | KVM_IOEVENTFD_FLAG_DEASSIGN, 0), ENOENT);
}

TEST(eventfd_caps)
{
	struct vm *vm = vm_new();

	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD), 1);
	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION,
			KVM_CAP_IOEVENTFD_ANY_LENGTH), 1);
	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION,
			KVM_CAP_IOEVENTFD_NO_LENGTH), 1);
	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD), 1);
	EXPECT_EQ(ioctl(vm->fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD_RESAMPLE), 1);
	EXPECT_EQ(ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IOEVENTFD), 1);
	EXPECT_EQ(ioctl(vm->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IRQFD), 1);
}

/* --- irqfd: errnos --- */

/* Without an in-kernel irqchip: -EINVAL before any fd is looked at. */
TEST(irqfd_needs_irqchip)
{
	struct vm *vm = vm_new();
	int fd = efd_new(), rfd = efd_new();

	EXPECT_ERRNO(irqfd(vm, fd, EDGE_GSI, 0, 0), EINVAL);
	EXPECT_ERRNO(irqfd(vm, -1, EDGE_GSI, 0, 0), EINVAL);
	EXPECT_ERRNO(irqfd(vm, fd, LEVEL_GSI, KVM_IRQFD_FLAG_RESAMPLE, rfd),
		     EINVAL);
	/* Deassign needs none: nothing to do is no error. */
	EXPECT_EQ(irqfd(vm, fd, EDGE_GSI, KVM_IRQFD_FLAG_DEASSIGN, 0), 0);
	EXPECT_ERRNO(irqfd(vm, -1, EDGE_GSI, KVM_IRQFD_FLAG_DEASSIGN, 0), EBADF);
}

TEST(irqfd_errnos)
{
	struct vm *vm = vm_new(), *vm2 = vm_new();
	int fd = efd_new(), fd2 = efd_new(), rfd = efd_new();
	int null = ASSERT_OK(open("/dev/null", O_RDWR | O_CLOEXEC));
	const uint32_t rs = KVM_IRQFD_FLAG_RESAMPLE;
	const uint32_t de = KVM_IRQFD_FLAG_DEASSIGN;

	ASSERT_OK(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0));
	ASSERT_OK(ioctl(vm2->fd, KVM_CREATE_IRQCHIP, 0));
	/* Unknown flags, before anything else. */
	EXPECT_ERRNO(irqfd(vm, fd, EDGE_GSI, 1U << 2, 0), EINVAL);
	EXPECT_ERRNO(irqfd(vm, -1, EDGE_GSI, de | 1U << 31, 0), EINVAL);
	/* Not an fd, not an eventfd; the resamplefd likewise. */
	EXPECT_ERRNO(irqfd(vm, -1, EDGE_GSI, 0, 0), EBADF);
	EXPECT_ERRNO(irqfd(vm, 1000, EDGE_GSI, 0, 0), EBADF);
	EXPECT_ERRNO(irqfd(vm, null, EDGE_GSI, 0, 0), EINVAL);
	EXPECT_ERRNO(irqfd(vm, -1, LEVEL_GSI, rs, rfd), EBADF);
	EXPECT_ERRNO(irqfd(vm, fd, LEVEL_GSI, rs, -1), EBADF);
	EXPECT_ERRNO(irqfd(vm, fd, LEVEL_GSI, rs, null), EINVAL);

	/* One GSI per eventfd and VM: -EBUSY, for any GSI, resampling or not. */
	ASSERT_OK(irqfd(vm, fd, EDGE_GSI, 0, 0));
	EXPECT_ERRNO(irqfd(vm, fd, EDGE_GSI, 0, 0), EBUSY);
	EXPECT_ERRNO(irqfd(vm, fd, EDGE_GSI + 2, 0, 0), EBUSY);
	EXPECT_ERRNO(irqfd(vm, fd, LEVEL_GSI, rs, rfd), EBUSY);
	/* Another eventfd for the GSI, the eventfd in another VM: fine. */
	ASSERT_OK(irqfd(vm, fd2, EDGE_GSI, 0, 0));
	ASSERT_OK(irqfd(vm2, fd, EDGE_GSI, 0, 0));
	/* Any GSI number is taken (KVM checks none). */
	ASSERT_OK(irqfd(vm2, fd2, 100000, 0, 0));

	/* Deassign: bad fds as above; a pair that is not assigned is no error. */
	EXPECT_ERRNO(irqfd(vm, -1, EDGE_GSI, de, 0), EBADF);
	EXPECT_ERRNO(irqfd(vm, null, EDGE_GSI, de, 0), EINVAL);
	EXPECT_EQ(irqfd(vm, fd, EDGE_GSI + 1, de, 0), 0);
	EXPECT_EQ(irqfd(vm, rfd, EDGE_GSI, de, 0), 0);
	/* Still assigned after those. */
	EXPECT_ERRNO(irqfd(vm, fd, EDGE_GSI, 0, 0), EBUSY);
	/* Gone once deassigned: assigned again at once, elsewhere too. */
	EXPECT_EQ(irqfd(vm, fd, EDGE_GSI, de, 0), 0);
	ASSERT_OK(irqfd(vm, fd, LEVEL_GSI, rs, rfd));
	/* The resamplefd may serve two irqfds. */
	ASSERT_OK(irqfd(vm, rfd, LEVEL_GSI, rs, rfd));
}

/* A split irqchip (LAPICs only) takes irqfds, but not resampling ones. */
TEST(irqfd_split_irqchip)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 },
	};
	struct vm *vm = vm_new();
	int fd = efd_new(), rfd = efd_new();

	ASSERT_OK(ioctl(vm->fd, KVM_ENABLE_CAP, &cap));
	EXPECT_ERRNO(irqfd(vm, fd, LEVEL_GSI, KVM_IRQFD_FLAG_RESAMPLE, rfd),
		     EINVAL);
	ASSERT_OK(irqfd(vm, fd, EDGE_GSI, 0, 0));
}

/* --- irqfd: injection --- */

/*
 * Each write to the eventfd is one interrupt: the guest's handler runs once
 * per write, at the vector its IOAPIC entry names, and the irqfd takes the
 * eventfd's count. Deassigned, a write stays in the eventfd.
 */
TEST(irqfd_edge)
{
	struct vcpu *vcpu;
	struct vm *vm = irq_guest_start(&vcpu, EDGE_GSI, EDGE_VECTOR);
	int fd = efd_new();
	uint32_t i;

	ASSERT_OK(irqfd(vm, fd, EDGE_GSI, 0, 0));
	for (i = 1; i <= EV_ROUNDS; i++) {
		efd_signal(fd);
		EXPECT_EQ(vcpu_run_to_report(vcpu), i);
		EXPECT_EQ(efd_take(fd), 0);
	}
	/* Nothing went through the stubs: no other vector arrived. */
	EXPECT_EQ(guest_exc(vm)->count, 0);

	ASSERT_OK(irqfd(vm, fd, EDGE_GSI, KVM_IRQFD_FLAG_DEASSIGN, 0));
	efd_signal(fd);
	EXPECT_EQ(efd_take(fd), 1);
}

/* A signal from before the assignment raises the GSI at the assignment. */
TEST(irqfd_signalled_before_assign)
{
	struct vcpu *vcpu;
	struct vm *vm = irq_guest_start(&vcpu, EDGE_GSI, EDGE_VECTOR);
	int fd = efd_new();

	efd_signal(fd);
	ASSERT_OK(irqfd(vm, fd, EDGE_GSI, 0, 0));
	EXPECT_EQ(vcpu_run_to_report(vcpu), 1);
	efd_signal(fd);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 2);
}

/*
 * Resampling: the signal asserts the level GSI, the guest's EOI de-asserts it
 * and signals the resamplefd (not before). One handler run per signal: a
 * level left asserted would interrupt the guest again at once after its EOI.
 */
TEST(irqfd_resample)
{
	struct vcpu *vcpu;
	struct vm *vm = irq_guest_start(&vcpu, LEVEL_GSI,
					LEVEL_VECTOR | IOAPIC_LEVEL);
	int fd = efd_new(), rfd = efd_new();
	uint32_t i;

	ASSERT_OK(irqfd(vm, fd, LEVEL_GSI, KVM_IRQFD_FLAG_RESAMPLE, rfd));
	for (i = 1; i <= EV_ROUNDS; i++) {
		efd_signal(fd);
		EXPECT_EQ(efd_take(rfd), 0);
		EXPECT_EQ(vcpu_run_to_report(vcpu), i);
		EXPECT_EQ(efd_take(rfd), 1);
		EXPECT_EQ(efd_take(fd), 0);
	}
	EXPECT_EQ(guest_exc(vm)->count, 0);
}

/*
 * Two resampling irqfds on one GSI share its level and its ack: one EOI
 * signals both resamplefds. After one is deassigned, only the other's.
 */
TEST(irqfd_resample_shared)
{
	struct vcpu *vcpu;
	struct vm *vm = irq_guest_start(&vcpu, LEVEL_GSI,
					LEVEL_VECTOR | IOAPIC_LEVEL);
	int fd1 = efd_new(), rfd1 = efd_new(), fd2 = efd_new(), rfd2 = efd_new();

	ASSERT_OK(irqfd(vm, fd1, LEVEL_GSI, KVM_IRQFD_FLAG_RESAMPLE, rfd1));
	ASSERT_OK(irqfd(vm, fd2, LEVEL_GSI, KVM_IRQFD_FLAG_RESAMPLE, rfd2));
	efd_signal(fd1);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 1);
	EXPECT_EQ(efd_take(rfd1), 1);
	EXPECT_EQ(efd_take(rfd2), 1);
	efd_signal(fd2);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 2);
	EXPECT_EQ(efd_take(rfd1), 1);
	EXPECT_EQ(efd_take(rfd2), 1);

	ASSERT_OK(irqfd(vm, fd1, LEVEL_GSI, KVM_IRQFD_FLAG_DEASSIGN, 0));
	efd_signal(fd2);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 3);
	EXPECT_EQ(efd_take(rfd1), 0);
	EXPECT_EQ(efd_take(rfd2), 1);
	efd_signal(fd1);
	EXPECT_EQ(efd_take(fd1), 1);
}

/*
 * The eventfd closed while assigned (EPOLLHUP: the irqfd goes); a new
 * eventfd on the GSI then works as the first did.
 */
TEST(irqfd_eventfd_closed)
{
	struct vcpu *vcpu;
	struct vm *vm = irq_guest_start(&vcpu, EDGE_GSI, EDGE_VECTOR);
	int fd = efd_new(), rfd = efd_new(), lfd = efd_new();

	ASSERT_OK(irqfd(vm, fd, EDGE_GSI, 0, 0));
	ASSERT_OK(irqfd(vm, lfd, LEVEL_GSI, KVM_IRQFD_FLAG_RESAMPLE, rfd));
	efd_signal(fd);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 1);
	ASSERT_OK(close(fd));
	ASSERT_OK(close(lfd));

	fd = efd_new();
	ASSERT_OK(irqfd(vm, fd, EDGE_GSI, 0, 0));
	efd_signal(fd);
	EXPECT_EQ(vcpu_run_to_report(vcpu), 2);
}

struct signaller {
	int fd;
	atomic_ulong writes;
	atomic_bool stop;
};

static void *signal_loop(void *arg)
{
	struct signaller *s = arg;
	uint64_t one = 1;

	while (!atomic_load(&s->stop)) {
		if (write(s->fd, &one, sizeof(one)) != sizeof(one))
			break;
		atomic_fetch_add(&s->writes, 1);
	}
	return NULL;
}

/* Waits (without a deadline: the test's timeout ends a hang) for n writes. */
static void wait_writes(struct signaller *s, unsigned long n)
{
	while (atomic_load(&s->writes) < n)
		sched_yield();
}

/*
 * The VM goes away (its last fd closed) while another thread keeps
 * signalling the irqfds' eventfds: the irqfds go with it, and the writes
 * after that stay in the eventfds.
 */
TEST(irqfd_vm_closed_while_signalled)
{
	struct vcpu *vcpu;
	struct vm *vm = irq_guest_start(&vcpu, EDGE_GSI, EDGE_VECTOR);
	struct signaller s = { .fd = efd_new() }, l = { .fd = efd_new() };
	int rfd = efd_new();
	pthread_t ts, tl;
	unsigned long before;

	ASSERT_OK(irqfd(vm, s.fd, EDGE_GSI, 0, 0));
	ASSERT_OK(irqfd(vm, l.fd, LEVEL_GSI, KVM_IRQFD_FLAG_RESAMPLE, rfd));
	ts = mt_start(signal_loop, &s);
	tl = mt_start(signal_loop, &l);
	wait_writes(&s, 200);
	wait_writes(&l, 200);

	ASSERT_OK(munmap(vcpu->run, vcpu->run_size));
	ASSERT_OK(close(vcpu->fd));
	ASSERT_OK(close(vm->fd));

	/* One write may have been under way at the close: 201 after it. */
	before = atomic_load(&s.writes);
	wait_writes(&s, before + 201);
	before = atomic_load(&l.writes);
	wait_writes(&l, before + 201);
	atomic_store(&s.stop, true);
	atomic_store(&l.stop, true);
	mt_join(ts);
	mt_join(tl);
	EXPECT_GE(efd_take(s.fd), 200);
	EXPECT_GE(efd_take(l.fd), 200);
}
