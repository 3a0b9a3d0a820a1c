// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two hypervisors in one host: minivirt and kvm_amd/kvm_intel. Only one can hold
 * VMX/SVM at a time; whoever finds it held fails KVM_CREATE_VM with -EBUSY and
 * works again once the other is idle. Run as `coexist --dev A --other B`, and
 * again with A and B swapped: both orders.
 *
 * Linux 6.12's kvm.ko (enable_virt_at_load=Y) holds the hardware from module
 * load, VM or not: then the other side stays refused while kvm is loaded.
 */
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"

/*
 * KVM_CREATE_VM on a hypervisor that finds the hardware held must fail with
 * -EBUSY (minivirt; KVM up to 6.11, from svm/vmx_hardware_enable()). KVM 6.12
 * turns every per-CPU enable failure into -EIO in
 * kvm_enable_virtualization_cpu(): accepted from KVM only.
 */
static void expect_refused(int sys, const char *path)
{
	long r;

	errno = 0;
	r = ioctl(sys, KVM_CREATE_VM, 0);
	if (r == -1 && errno == EBUSY)
		return;
	if (r == -1 && errno == EIO && th_path_is_kvm(path)) {
		TH_LOG("%s: -EIO (KVM 6.12's answer)", path);
		return;
	}
	TH_FAIL("KVM_CREATE_VM on %s: returned %ld errno %d (%s), expected -EBUSY",
		path, r, errno, strerror(errno));
	if (r >= 0)
		close(r);
}

static void need_other(void)
{
	if (!th_other)
		SKIP("no --other device");
}

/* The other hypervisor is loaded but has no VM. */
TEST(other_idle)
{
	int sys, other;

	need_other();
	other = th_open(th_other);
	sys = th_open(th_dev);
	if (th_holds_at_load(th_other)) {
		TH_LOG("%s holds the hardware from load", th_other);
		expect_refused(sys, th_dev);
	} else {
		EXPECT_EQ(close(th_create_vm(sys)), 0);
	}
	EXPECT_EQ(close(other), 0);
}

/* A live VM of the other makes ours fail; closing it frees the hardware. */
TEST(other_vm_blocks_create)
{
	int sys, other, other_vm;

	need_other();
	if (th_holds_at_load(th_dev))
		SKIP("%s holds the hardware from load: the other cannot create", th_dev);
	other = th_open(th_other);
	sys = th_open(th_dev);
	other_vm = th_create_vm(other);

	expect_refused(sys, th_dev);
	/* Refusal leaves nothing half-enabled: the other's VM is unharmed. */
	EXPECT_EQ(ioctl(other_vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);
	expect_refused(sys, th_dev);

	ASSERT_EQ(close(other_vm), 0);
	if (th_holds_at_load(th_other))
		expect_refused(sys, th_dev);
	else
		EXPECT_EQ(close(th_create_vm(sys)), 0);
}

/* And the other way round: our live VM makes the other fail. */
TEST(own_vm_blocks_other)
{
	int sys, other, vm;

	need_other();
	if (th_holds_at_load(th_other))
		SKIP("%s holds the hardware from load", th_other);
	other = th_open(th_other);
	sys = th_open(th_dev);
	vm = th_create_vm(sys);

	expect_refused(other, th_other);
	EXPECT_EQ(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM), 1);

	ASSERT_EQ(close(vm), 0);
	if (th_holds_at_load(th_dev))
		expect_refused(other, th_other);
	else
		EXPECT_EQ(close(th_create_vm(other)), 0);
}
