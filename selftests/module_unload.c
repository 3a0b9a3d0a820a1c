// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module cannot be unloaded while any of its fds is open: the system fd
 * and every VM fd hold a reference. Needs CAP_SYS_MODULE. If the refusal were
 * broken, the module would really go: the rest of the run then fails loudly.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/harness.h"
#include "lib/kvm_util.h"

static long delete_module(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK);
}

static void expect_refused(const char *mod)
{
	char path[64];

	EXPECT_ERRNO(delete_module(mod), EWOULDBLOCK);
	snprintf(path, sizeof(path), "/sys/module/%s", mod);
	EXPECT_EQ(access(path, F_OK), 0);
}

TEST(unload_refused_while_system_fd_open)
{
	int sys = th_open(th_dev);

	expect_refused(th_module_of(th_dev));
	EXPECT_EQ(close(sys), 0);
}

TEST(unload_refused_while_vm_fd_open)
{
	int sys = th_open(th_dev);
	int vm = th_create_vm(sys);

	ASSERT_EQ(close(sys), 0);
	expect_refused(th_module_of(th_dev));
	EXPECT_EQ(close(vm), 0);
}
