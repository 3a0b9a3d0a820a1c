// SPDX-License-Identifier: GPL-2.0-only
/*
 * The system fd and the VM fd's generic ioctls: API version, capabilities,
 * vCPU mmap size, KVM_CREATE_VM, and refusal of what is not implemented.
 * Runs against minivirt and KVM; where their answers are documented to differ
 * (uapi/minivirt.h), the test says so.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../uapi/minivirt.h"
#include "lib/harness.h"
#include "lib/kvm_util.h"
#include "lib/vm.h"

/* Not in Debian 12's <linux/kvm.h> (6.1): Linux 6.10+. */
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES	235
#endif

/* Capability numbers scanned for truthfulness: all that <linux/kvm.h> has. */
#define CAP_SCAN_MAX	1024

/* Well-known KVM ioctls; minivirt must refuse those it does not list. */
#define KVM_SYSTEM_IOCTLS(X)						\
	X(KVM_GET_API_VERSION) X(KVM_CREATE_VM) X(KVM_CHECK_EXTENSION)	\
	X(KVM_GET_VCPU_MMAP_SIZE) X(KVM_GET_MSR_INDEX_LIST)		\
	X(KVM_GET_SUPPORTED_CPUID) X(KVM_GET_EMULATED_CPUID)		\
	X(KVM_X86_GET_MCE_CAP_SUPPORTED) X(KVM_GET_MSR_FEATURE_INDEX_LIST) \
	X(KVM_GET_MSRS)

#define KVM_VCPU_IOCTLS(X)						\
	X(KVM_GET_REGS) X(KVM_SET_REGS) X(KVM_GET_SREGS) X(KVM_SET_SREGS) \
	X(KVM_TRANSLATE) X(KVM_INTERRUPT) X(KVM_GET_MSRS) X(KVM_SET_MSRS)	\
	X(KVM_SET_CPUID) X(KVM_SET_CPUID2) X(KVM_GET_CPUID2)		\
	X(KVM_SET_SIGNAL_MASK) X(KVM_GET_FPU) X(KVM_SET_FPU)		\
	X(KVM_GET_LAPIC) X(KVM_SET_LAPIC) X(KVM_NMI) X(KVM_GET_MP_STATE)	\
	X(KVM_SET_MP_STATE) X(KVM_SET_GUEST_DEBUG) X(KVM_X86_SETUP_MCE)	\
	X(KVM_X86_SET_MCE) X(KVM_GET_VCPU_EVENTS) X(KVM_SET_VCPU_EVENTS)	\
	X(KVM_GET_DEBUGREGS) X(KVM_SET_DEBUGREGS) X(KVM_ENABLE_CAP)	\
	X(KVM_GET_XSAVE) X(KVM_SET_XSAVE) X(KVM_GET_XCRS) X(KVM_SET_XCRS)	\
	X(KVM_KVMCLOCK_CTRL) X(KVM_SET_TSC_KHZ) X(KVM_GET_TSC_KHZ)	\
	X(KVM_SMI) X(KVM_GET_SREGS2) X(KVM_SET_SREGS2)			\
	X(KVM_GET_NESTED_STATE) X(KVM_SET_NESTED_STATE) X(KVM_GET_STATS_FD)

#define KVM_VM_IOCTLS(X)						\
	X(KVM_CHECK_EXTENSION) X(KVM_CREATE_VCPU)			\
	X(KVM_SET_USER_MEMORY_REGION) X(KVM_GET_DIRTY_LOG)		\
	X(KVM_CLEAR_DIRTY_LOG) X(KVM_SET_TSS_ADDR)			\
	X(KVM_SET_IDENTITY_MAP_ADDR) X(KVM_CREATE_IRQCHIP)		\
	X(KVM_IRQ_LINE) X(KVM_IRQ_LINE_STATUS) X(KVM_GET_IRQCHIP)	\
	X(KVM_SET_IRQCHIP) X(KVM_CREATE_PIT2) X(KVM_GET_PIT2)		\
	X(KVM_SET_PIT2) X(KVM_IRQFD) X(KVM_IOEVENTFD) X(KVM_SIGNAL_MSI)	\
	X(KVM_SET_GSI_ROUTING) X(KVM_ENABLE_CAP) X(KVM_GET_CLOCK)	\
	X(KVM_SET_CLOCK) X(KVM_REGISTER_COALESCED_MMIO)			\
	X(KVM_UNREGISTER_COALESCED_MMIO) X(KVM_CREATE_DEVICE)		\
	X(KVM_SET_BOOT_CPU_ID) X(KVM_GET_STATS_FD)			\
	X(KVM_SET_NR_MMU_PAGES) X(KVM_GET_NR_MMU_PAGES)			\
	X(KVM_X86_SET_MSR_FILTER) X(KVM_SET_PMU_EVENT_FILTER)		\
	X(KVM_MEMORY_ENCRYPT_OP) X(KVM_GET_API_VERSION)

struct named_ioctl {
	const char *name;
	unsigned long cmd;
};

#define NAMED(c) { #c, c },
static const struct named_ioctl kvm_system_ioctls[] = { KVM_SYSTEM_IOCTLS(NAMED) };
static const struct named_ioctl kvm_vm_ioctls[] = { KVM_VM_IOCTLS(NAMED) };
static const struct named_ioctl kvm_vcpu_ioctls[] = { KVM_VCPU_IOCTLS(NAMED) };
static const struct named_ioctl mv_system_ioctls[] = { MINIVIRT_SYSTEM_IOCTLS(NAMED) };
static const struct named_ioctl mv_vm_ioctls[] = { MINIVIRT_VM_IOCTLS(NAMED) };
static const struct named_ioctl mv_guest_system_ioctls[] = {
	MINIVIRT_GUEST_SYSTEM_IOCTLS(NAMED)
};
static const struct named_ioctl mv_guest_vm_ioctls[] = { MINIVIRT_GUEST_VM_IOCTLS(NAMED) };
static const struct named_ioctl mv_vcpu_ioctls[] = { MINIVIRT_VCPU_IOCTLS(NAMED) };
#define CAP(c) c,
static const long mv_caps[] = { MINIVIRT_CAPS(CAP) };
static const long mv_guest_caps[] = { MINIVIRT_GUEST_CAPS(CAP) };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* No KVM version defines these: an unknown KVM number, a foreign ioctl. */
#define UNKNOWN_KVM_IOCTL	_IOW(KVMIO, 0xfe, __u64)
#define FOREIGN_IOCTL		_IO('x', 0x42)

static bool listed(const struct named_ioctl *list, size_t n, unsigned long cmd)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].cmd == cmd)
			return true;
	return false;
}

static bool in_caps(const long *caps, size_t n, long cap)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (caps[i] == cap)
			return true;
	return false;
}

/* Does the device run guests (uapi/minivirt.h: the GUEST lists apply)? */
static bool runs_guests(int sys)
{
	return ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY) > 0;
}

TEST(api_version)
{
	int sys = th_open(th_dev);

	EXPECT_EQ(ioctl(sys, KVM_GET_API_VERSION, 0), KVM_API_VERSION);
	EXPECT_EQ(KVM_API_VERSION, 12);
	/* kvm_dev_ioctl(): an argument to an argument-less ioctl is -EINVAL. */
	EXPECT_ERRNO(ioctl(sys, KVM_GET_API_VERSION, 1), EINVAL);
}

TEST(vcpu_mmap_size)
{
	long page = sysconf(_SC_PAGESIZE);
	int sys = th_open(th_dev);
	long size;

	size = ASSERT_OK(ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0));
	EXPECT_GE(size, (long)sizeof(struct kvm_run));
	EXPECT_EQ(size % page, 0);
	/* x86 puts PIO data at page KVM_PIO_PAGE_OFFSET of the mapping. */
	EXPECT_GE(size, (KVM_PIO_PAGE_OFFSET + 1) * page);
	EXPECT_ERRNO(ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 1), EINVAL);
}

/*
 * KVM_CAP_SYS_ATTRIBUTES: on the system fd, group 0's
 * KVM_X86_XCOMP_GUEST_SUPP is the XSAVE components a guest may enable, the
 * supported CPUID's leaf 0xd.0 EDX:EAX (KVM's kvm_caps.supported_xcr0; the
 * CPUID leaf also drops AMX state the process has no permission for, and
 * the emulated hosts have no AMX); any other attribute or group is -ENXIO
 * (minivirt has no vendor group: kvm_amd 6.12 answers KVM_X86_GRP_SEV's),
 * a bad address -EFAULT.
 */
TEST(sys_attributes)
{
	int sys = th_open(th_dev);
	uint64_t xcomp = ~0ULL;
	struct kvm_device_attr attr = {
		.group = 0, .attr = KVM_X86_XCOMP_GUEST_SUPP,
		.addr = (uintptr_t)&xcomp,
	};
	struct kvm_cpuid_entry2 *d;

	if (!runs_guests(sys))
		SKIP("the backend runs no guests");
	ASSERT_EQ(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_SYS_ATTRIBUTES), 1);
	EXPECT_EQ(ioctl(sys, KVM_HAS_DEVICE_ATTR, &attr), 0);
	ASSERT_OK(ioctl(sys, KVM_GET_DEVICE_ATTR, &attr));
	d = cpuid_find(kvm_supported_cpuid(sys), 0xd, 0);
	ASSERT_TRUE(d != NULL);
	EXPECT_EQ(xcomp, ((uint64_t)d->edx << 32) | d->eax);
	EXPECT_EQ(xcomp & 3, 3);		/* x87 and SSE, always */

	attr.addr = 8;				/* unmapped */
	EXPECT_ERRNO(ioctl(sys, KVM_GET_DEVICE_ATTR, &attr), EFAULT);
	EXPECT_EQ(ioctl(sys, KVM_HAS_DEVICE_ATTR, &attr), 0);	/* no access */
	attr.addr = (uintptr_t)&xcomp;
	attr.attr = 1;
	EXPECT_ERRNO(ioctl(sys, KVM_HAS_DEVICE_ATTR, &attr), ENXIO);
	EXPECT_ERRNO(ioctl(sys, KVM_GET_DEVICE_ATTR, &attr), ENXIO);
	/* Not group 1: KVM_X86_GRP_SEV, which kvm_amd 6.12 answers. */
	attr.attr = KVM_X86_XCOMP_GUEST_SUPP;
	attr.group = 0x7fff;
	EXPECT_ERRNO(ioctl(sys, KVM_HAS_DEVICE_ATTR, &attr), ENXIO);
	EXPECT_ERRNO(ioctl(sys, KVM_GET_DEVICE_ATTR, &attr), ENXIO);
	EXPECT_ERRNO(ioctl(sys, KVM_GET_DEVICE_ATTR, (void *)8), EFAULT);
}

TEST(check_extension_unknown_caps)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);
	static const long bogus[] = { 0x7fffffffL, 100000, -1L, 1L << 40 };
	size_t i;

	for (i = 0; i < N(bogus); i++) {
		EXPECT_EQ(ioctl(sys, KVM_CHECK_EXTENSION, bogus[i]), 0);
		EXPECT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, bogus[i]), 0);
	}
}

TEST(check_extension_on_vm_fd)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);

	/* KVM_CAP_CHECK_EXTENSION_VM: the VM fd answers KVM_CHECK_EXTENSION. */
	EXPECT_EQ(ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	EXPECT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
}

/*
 * minivirt claims nothing KVM does not have: run against KVM, that is checked.
 * The GUEST caps are there all together, or (a backend that runs no guests
 * yet) not at all.
 */
TEST(listed_caps_present)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);
	bool guests = runs_guests(sys);
	size_t i;

	for (i = 0; i < N(mv_caps); i++) {
		if (ioctl(sys, KVM_CHECK_EXTENSION, mv_caps[i]) <= 0)
			TH_FAIL("cap %ld listed in uapi/minivirt.h but absent on %s",
				mv_caps[i], th_dev);
		if (ioctl(vm, KVM_CHECK_EXTENSION, mv_caps[i]) <= 0)
			TH_FAIL("cap %ld listed but absent on the VM fd", mv_caps[i]);
	}
	if (!guests)
		TH_LOG("%s runs no guests: the GUEST caps must all be absent", th_dev);
	for (i = 0; i < N(mv_guest_caps); i++) {
		/* Linux 6.1's KVM predates it (minivirt offers it on both). */
		if (mv_guest_caps[i] == KVM_CAP_USER_MEMORY2 && th_kvm_before(6, 12))
			continue;
		if ((ioctl(sys, KVM_CHECK_EXTENSION, mv_guest_caps[i]) > 0) != guests)
			TH_FAIL("guest cap %ld: %s on the system fd", mv_guest_caps[i],
				guests ? "absent" : "present");
		if ((ioctl(vm, KVM_CHECK_EXTENSION, mv_guest_caps[i]) > 0) != guests)
			TH_FAIL("guest cap %ld: %s on the VM fd", mv_guest_caps[i],
				guests ? "absent" : "present");
	}
}

TEST(unlisted_caps_absent)
{
	int sys, vm;
	long cap;

	if (th_is_kvm)
		SKIP("minivirt's own list; KVM implements more");
	sys = th_open(th_dev);
	vm = th_create_vm(sys);
	for (cap = 0; cap < CAP_SCAN_MAX; cap++) {
		if (in_caps(mv_caps, N(mv_caps), cap) ||
		    in_caps(mv_guest_caps, N(mv_guest_caps), cap))
			continue;
		if (ioctl(sys, KVM_CHECK_EXTENSION, cap) != 0)
			TH_FAIL("cap %ld reported but not listed in uapi/minivirt.h", cap);
		if (ioctl(vm, KVM_CHECK_EXTENSION, cap) != 0)
			TH_FAIL("cap %ld reported on the VM fd but not listed", cap);
	}
}

/*
 * Calls each ioctl of list on fd with argument 0, skipping those in except;
 * fails each one whose answer is -ENOTTY when it should not be, or is not
 * when it should. (-ENOTTY is decided before any argument is looked at.)
 */
static void probe_ioctls(int fd, const char *fd_name,
			 const struct named_ioctl *list, size_t n,
			 const struct named_ioctl *except, size_t n_except,
			 bool want_enotty)
{
	bool enotty;
	size_t i;

	for (i = 0; i < n; i++) {
		if (listed(except, n_except, list[i].cmd))
			continue;
		errno = 0;
		enotty = ioctl(fd, list[i].cmd, 0) == -1 && errno == ENOTTY;
		if (enotty != want_enotty)
			TH_FAIL("%s on the %s fd: %s", list[i].name, fd_name,
				want_enotty ? "not -ENOTTY" : "-ENOTTY");
	}
}

/* A vCPU fd, where the device runs guests; -1 where it does not. */
static int maybe_vcpu(int sys, int vm)
{
	return runs_guests(sys) ? (int)ASSERT_OK(ioctl(vm, KVM_CREATE_VCPU, 0)) : -1;
}

/* Every ioctl uapi/minivirt.h lists is answered (arguments aside). */
TEST(listed_ioctls_implemented)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);
	bool guests = runs_guests(sys);
	int vcpu = maybe_vcpu(sys, vm);
	/* KVM_RUN would run the guest: the other suites do that. */
	static const struct named_ioctl run[] = { NAMED(KVM_RUN) };
	/* Linux 6.1's KVM predates it (minivirt offers it on both). */
	static const struct named_ioctl region2[] = { NAMED(KVM_SET_USER_MEMORY_REGION2) };
	bool old_kvm = th_kvm_before(6, 12);

	probe_ioctls(sys, "system", mv_system_ioctls, N(mv_system_ioctls),
		     NULL, 0, false);
	probe_ioctls(vm, "VM", mv_vm_ioctls, N(mv_vm_ioctls), NULL, 0, false);
	/* The GUEST ioctls are there all together, or refused all together. */
	probe_ioctls(sys, "system", mv_guest_system_ioctls,
		     N(mv_guest_system_ioctls), NULL, 0, !guests);
	probe_ioctls(vm, "VM", mv_guest_vm_ioctls, N(mv_guest_vm_ioctls),
		     region2, old_kvm ? N(region2) : 0, !guests);
	if (vcpu >= 0)
		probe_ioctls(vcpu, "vCPU", mv_vcpu_ioctls, N(mv_vcpu_ioctls),
			     run, N(run), false);
}

/* What minivirt does not list (for this backend), it refuses with -ENOTTY. */
TEST(unlisted_ioctls_refused)
{
	static const struct named_ioctl with_guests[] = {
		MINIVIRT_SYSTEM_IOCTLS(NAMED) MINIVIRT_GUEST_SYSTEM_IOCTLS(NAMED)
	};
	static const struct named_ioctl vm_with_guests[] = {
		MINIVIRT_VM_IOCTLS(NAMED) MINIVIRT_GUEST_VM_IOCTLS(NAMED)
	};
	int sys, vm, vcpu;
	bool guests;

	if (th_is_kvm)
		SKIP("minivirt's own list; KVM implements more");
	sys = th_open(th_dev);
	vm = th_create_vm(sys);
	guests = runs_guests(sys);
	vcpu = maybe_vcpu(sys, vm);
	if (guests) {
		probe_ioctls(sys, "system", kvm_system_ioctls, N(kvm_system_ioctls),
			     with_guests, N(with_guests), true);
		probe_ioctls(vm, "VM", kvm_vm_ioctls, N(kvm_vm_ioctls),
			     vm_with_guests, N(vm_with_guests), true);
		probe_ioctls(vcpu, "vCPU", kvm_vcpu_ioctls, N(kvm_vcpu_ioctls),
			     mv_vcpu_ioctls, N(mv_vcpu_ioctls), true);
	} else {
		probe_ioctls(sys, "system", kvm_system_ioctls, N(kvm_system_ioctls),
			     mv_system_ioctls, N(mv_system_ioctls), true);
		probe_ioctls(vm, "VM", kvm_vm_ioctls, N(kvm_vm_ioctls),
			     mv_vm_ioctls, N(mv_vm_ioctls), true);
	}
}

TEST(unknown_ioctls)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);
	int vcpu = maybe_vcpu(sys, vm);
	/* Documented in uapi/minivirt.h: KVM's /dev/kvm and vCPU fds: -EINVAL. */
	int kvm_einval = th_is_kvm ? EINVAL : ENOTTY;

	EXPECT_ERRNO(ioctl(sys, UNKNOWN_KVM_IOCTL, 0), kvm_einval);
	EXPECT_ERRNO(ioctl(sys, FOREIGN_IOCTL, 0), kvm_einval);
	EXPECT_ERRNO(ioctl(vm, UNKNOWN_KVM_IOCTL, 0), ENOTTY);
	EXPECT_ERRNO(ioctl(vm, FOREIGN_IOCTL, 0), ENOTTY);
	if (vcpu >= 0) {
		EXPECT_ERRNO(ioctl(vcpu, UNKNOWN_KVM_IOCTL, 0), kvm_einval);
		EXPECT_ERRNO(ioctl(vcpu, FOREIGN_IOCTL, 0), kvm_einval);
	}
}

TEST(create_vm_types)
{
	static const unsigned long bad[] = { 1UL << 20, 0x80000000UL, ~0UL };
	int sys = th_open(th_dev);
	long types;
	size_t i;
	int vm;

	vm = th_create_vm(sys);
	EXPECT_EQ(close(vm), 0);

	for (i = 0; i < N(bad); i++)
		EXPECT_ERRNO(ioctl(sys, KVM_CREATE_VM, bad[i]), EINVAL);

	/* Type 1 (KVM_X86_SW_PROTECTED_VM) only where KVM_CAP_VM_TYPES says so. */
	types = ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_VM_TYPES);
	if (!(types > 0 && (types & 2)))
		EXPECT_ERRNO(ioctl(sys, KVM_CREATE_VM, 1), EINVAL);
}

TEST(vm_fd_flags)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);

	EXPECT_TRUE(fcntl(vm, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(fcntl(vm, F_GETFL) & O_ACCMODE, O_RDWR);
}

/* kvm_vm_ioctl(): a VM fd inherited by another process gets -EIO. */
TEST(vm_ioctl_from_other_process)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (!pid) {
		errno = 0;
		if (ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM) != -1 ||
		    errno != EIO) {
			printf("# child: expected EIO, got errno %d\n", errno);
			_exit(1);
		}
		_exit(0);
	}
	ASSERT_EQ(waitpid(pid, &status, 0), pid);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The creator still may. */
	EXPECT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
}

TEST(vm_outlives_system_fd)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);

	ASSERT_EQ(close(sys), 0);
	EXPECT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	EXPECT_EQ(close(vm), 0);
}
