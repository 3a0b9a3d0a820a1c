// SPDX-License-Identifier: GPL-2.0-only
/*
 * Hardware virtualization on and off, on all CPUs, held by VMs.
 *
 * The first VM switches VMX/SVM on in every online CPU and the last one to go
 * switches it off again, so that kvm_intel/kvm_amd can have the hardware
 * whenever minivirt is idle. One hypervisor at a time: whoever finds the enable
 * bit already set (CR4.VMXE, EFER.SVME) backs off with -EBUSY, and KVM does the
 * same, so a VM of one makes the other's KVM_CREATE_VM fail cleanly.
 *
 * CPUs that come online while VMs exist are switched on by the hotplug callback
 * (and stay offline if another hypervisor holds them); CPUs going offline are
 * switched off. Reboot and suspend switch everything off: INIT is blocked in VMX
 * root operation (SDM vol 3C 24.8 "Restrictions on VMX Operation").
 *
 * Crash and kexec: minivirt does not register the kernel's emergency-virt
 * callback (cpu_emergency_register_virt_callback()): it has a single slot that
 * kvm_intel/kvm_amd may own, and a second registration WARNs. The 6.1 kernel's
 * crash path turns VMX and SVM off by itself (cpu_emergency_vmxoff(),
 * cpu_emergency_svm_disable()); 6.12's only calls the registered callback, so a
 * kdump kernel started while minivirt has VMs may find VMX still on.
 *
 * Lock order: cpus_read_lock() before mv_virt_lock, as CPU hotplug holds the
 * hotplug lock when our callbacks take mv_virt_lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/syscore_ops.h>

#include "backend.h"
#include "compat.h"
#include "virt.h"

static DEFINE_MUTEX(mv_virt_lock);
static unsigned int mv_virt_users;	/* live VMs; under mv_virt_lock */
static bool mv_virt_shutdown;		/* rebooting: never enable again */
static int mv_cpuhp_state;

static DEFINE_PER_CPU(bool, mv_virt_on);
/* VMXON region / SVM host save area, one page per possible CPU. */
static DEFINE_PER_CPU(struct page *, mv_cpu_area);

/* Both run on the CPU concerned with IRQs off. */
static int mv_virt_cpu_on(void)
{
	int r;

	if (__this_cpu_read(mv_virt_on))
		return 0;
	r = mv_backend->cpu_enable(__this_cpu_read(mv_cpu_area));
	if (!r)
		__this_cpu_write(mv_virt_on, true);
	return r;
}

static void mv_virt_cpu_off(void)
{
	if (!__this_cpu_read(mv_virt_on))
		return;
	mv_backend->cpu_disable();
	__this_cpu_write(mv_virt_on, false);
}

struct mv_virt_failure {
	atomic_t count;
	int err;	/* of the first CPU that failed */
	int cpu;
};

static void mv_virt_on_ipi(void *data)
{
	struct mv_virt_failure *fail = data;
	int r = mv_virt_cpu_on();

	if (r && atomic_inc_return(&fail->count) == 1) {
		fail->err = r;
		fail->cpu = smp_processor_id();
	}
}

static void mv_virt_off_ipi(void *unused)
{
	mv_virt_cpu_off();
}

static void mv_virt_report(int err, int cpu, const char *consequence)
{
	if (err == -EBUSY)
		pr_warn_ratelimited("%s already on in CPU %d (%s set: another hypervisor holds it); %s\n",
				    mv_backend->name, cpu, mv_backend->in_use_bit,
				    consequence);
	else
		pr_warn_ratelimited("enabling %s on CPU %d failed (%d); %s\n",
				    mv_backend->name, cpu, err, consequence);
}

int mv_virt_get(void)
{
	struct mv_virt_failure fail = { .count = ATOMIC_INIT(0) };
	int r = 0;

	cpus_read_lock();
	mutex_lock(&mv_virt_lock);
	if (mv_virt_shutdown) {
		r = -EBUSY;
		goto out;
	}
	if (!mv_virt_users) {
		on_each_cpu(mv_virt_on_ipi, &fail, 1);
		if (atomic_read(&fail.count)) {
			/* Nothing stays half-enabled. */
			on_each_cpu(mv_virt_off_ipi, NULL, 1);
			mv_virt_report(fail.err, fail.cpu, "VM not created");
			r = fail.err;
			goto out;
		}
	}
	mv_virt_users++;
out:
	mutex_unlock(&mv_virt_lock);
	cpus_read_unlock();
	return r;
}

void mv_virt_put(void)
{
	cpus_read_lock();
	mutex_lock(&mv_virt_lock);
	if (!WARN_ON_ONCE(!mv_virt_users) && !--mv_virt_users)
		on_each_cpu(mv_virt_off_ipi, NULL, 1);
	mutex_unlock(&mv_virt_lock);
	cpus_read_unlock();
}

/* CPU hotplug: runs on the CPU concerned, in its hotplug thread. */
static int mv_virt_cpu_online(unsigned int cpu)
{
	int r = 0;

	mutex_lock(&mv_virt_lock);
	if (mv_virt_users && !mv_virt_shutdown) {
		local_irq_disable();
		r = mv_virt_cpu_on();
		local_irq_enable();
		if (r)
			mv_virt_report(r, cpu, "CPU not brought online");
	}
	mutex_unlock(&mv_virt_lock);
	return r;
}

static int mv_virt_cpu_offline(unsigned int cpu)
{
	mutex_lock(&mv_virt_lock);
	local_irq_disable();
	mv_virt_cpu_off();
	local_irq_enable();
	mutex_unlock(&mv_virt_lock);
	return 0;
}

static int mv_virt_reboot(struct notifier_block *nb, unsigned long action,
			  void *unused)
{
	mutex_lock(&mv_virt_lock);
	mv_virt_shutdown = true;
	on_each_cpu(mv_virt_off_ipi, NULL, 1);
	mutex_unlock(&mv_virt_lock);
	return NOTIFY_OK;
}

static struct notifier_block mv_virt_reboot_nb = {
	.notifier_call = mv_virt_reboot,
};

/*
 * Suspend and resume run on the last online CPU with IRQs off and all tasks
 * frozen: mv_virt_users cannot change, and no lock may be taken here. The
 * other CPUs went through mv_virt_cpu_offline()/_online().
 */
static int mv_virt_suspend(MV_SYSCORE_ARGS)
{
	if (data_race(mv_virt_users))
		mv_virt_cpu_off();
	return 0;
}

static void mv_virt_resume(MV_SYSCORE_ARGS)
{
	int r;

	if (!data_race(mv_virt_users))
		return;
	r = mv_virt_cpu_on();
	if (r)
		mv_virt_report(r, smp_processor_id(), "VMs will fail to run");
}

static MV_SYSCORE_OPS_CONST struct syscore_ops mv_virt_syscore_ops = {
	.suspend = mv_virt_suspend,
	.resume = mv_virt_resume,
};
MV_DEFINE_SYSCORE(mv_virt_syscore, mv_virt_syscore_ops);

static void mv_virt_free_cpu_areas(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct page *page = per_cpu(mv_cpu_area, cpu);

		if (page)
			__free_page(page);
		per_cpu(mv_cpu_area, cpu) = NULL;
	}
}

static int mv_virt_alloc_cpu_areas(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			mv_virt_free_cpu_areas();
			return -ENOMEM;
		}
		if (mv_backend->init_cpu_area)
			mv_backend->init_cpu_area(page_address(page));
		per_cpu(mv_cpu_area, cpu) = page;
	}
	return 0;
}

int mv_virt_init(void)
{
	int r;

	r = mv_virt_alloc_cpu_areas();
	if (r)
		return r;

	r = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "minivirt:online",
				      mv_virt_cpu_online, mv_virt_cpu_offline);
	if (r < 0)
		goto err_free_cpu_areas;
	mv_cpuhp_state = r;

	r = register_reboot_notifier(&mv_virt_reboot_nb);
	if (r)
		goto err_remove_cpuhp;
	mv_register_syscore(&mv_virt_syscore);
	return 0;

err_remove_cpuhp:
	cpuhp_remove_state_nocalls(mv_cpuhp_state);
err_free_cpu_areas:
	mv_virt_free_cpu_areas();
	return r;
}

/* Module unload: no VM exists any more (each holds a module reference). */
void mv_virt_exit(void)
{
	mv_unregister_syscore(&mv_virt_syscore);
	unregister_reboot_notifier(&mv_virt_reboot_nb);
	cpuhp_remove_state_nocalls(mv_cpuhp_state);
	mv_virt_free_cpu_areas();
}
