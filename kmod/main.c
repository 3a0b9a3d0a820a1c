// SPDX-License-Identifier: GPL-2.0-only
/*
 * minivirt: a hypervisor speaking the KVM userspace API on /dev/minivirt.
 *
 * Module load picks the backend the CPU offers (VT-x or AMD-V), prepares its
 * per-CPU areas and registers /dev/minivirt. The hardware itself is switched on
 * only while VMs exist (virt.c). Every open fd holds a module reference, so the
 * module cannot be unloaded while any is open.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <asm/fpu/xcr.h>

#include "backend.h"
#include "cpuid.h"
#include "dev.h"
#include "hostclock.h"
#include "run.h"
#include "virt.h"

const struct mv_backend *mv_backend;

static const struct mv_backend *const mv_backends[] = {
	&mv_vmx_backend,
	&mv_svm_backend,
};

/* The first backend whose probe accepts; each explains its own refusal. */
static int mv_select_backend(void)
{
	bool explained = false;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mv_backends); i++) {
		int r = mv_backends[i]->probe();

		if (!r) {
			mv_backend = mv_backends[i];
			return 0;
		}
		if (r != -ENODEV)
			explained = true;
	}
	if (!explained)
		pr_err("no hardware virtualization: the CPU has neither VT-x (VMX) nor AMD-V (SVM)\n");
	return -ENODEV;
}

static int __init mv_init(void)
{
	int r;

	r = mv_select_backend();
	if (r)
		return r;
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		mv_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);

	if (mv_backend->hardware_setup) {
		r = mv_backend->hardware_setup();
		if (r)
			return r;
	}
	r = mv_cpuid_init();
	if (r)
		goto err_unsetup;
	r = mv_hostclock_init();
	if (r)
		goto err_cpuid_exit;
	r = mv_virt_init();
	if (r)
		goto err_hostclock_exit;

	r = mv_dev_register();
	if (r)
		goto err_virt_exit;

	pr_info("%s backend, /dev/minivirt ready\n", mv_backend->name);
	return 0;

err_virt_exit:
	mv_virt_exit();
err_hostclock_exit:
	mv_hostclock_exit();
err_cpuid_exit:
	mv_cpuid_exit();
err_unsetup:
	if (mv_backend->hardware_unsetup)
		mv_backend->hardware_unsetup();
	return r;
}

static void __exit mv_exit(void)
{
	mv_dev_unregister();
	mv_virt_exit();
	mv_hostclock_exit();
	mv_cpuid_exit();
	if (mv_backend->hardware_unsetup)
		mv_backend->hardware_unsetup();
}

module_init(mv_init);
module_exit(mv_exit);

MODULE_DESCRIPTION("minivirt: VT-x/AMD-V hypervisor on the KVM userspace API");
MODULE_LICENSE("GPL");
MODULE_VERSION("0.1");
