// SPDX-License-Identifier: GPL-2.0-only
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "harness.h"
#include "kvm_util.h"

int th_open(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		TH_FAIL("open %s: %s", path, strerror(errno));
		exit(TH_EXIT_FAIL);
	}
	return fd;
}

int th_create_vm(int sys_fd)
{
	return ASSERT_OK(ioctl(sys_fd, KVM_CREATE_VM, 0));
}

static bool th_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

const char *th_module_of(const char *path)
{
	if (!th_path_is_kvm(path))
		return "minivirt";
	/* /dev/kvm's fops are owned by the vendor module (kvm_init()). */
	return th_exists("/sys/module/kvm_amd") ? "kvm_amd" : "kvm_intel";
}

bool th_holds_at_load(const char *path)
{
	char c = 'N';
	FILE *f;

	if (!th_path_is_kvm(path))
		return false;
	f = fopen("/sys/module/kvm/parameters/enable_virt_at_load", "r");
	if (!f)
		return false;	/* before 6.12: enabled at first VM */
	if (fread(&c, 1, 1, f) != 1)
		c = 'N';
	fclose(f);
	return c == 'Y';
}

bool th_kvm_before(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;

	if (!th_is_kvm || uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma < major || (ma == major && mi < minor);
}

static char read_param(const char *path)
{
	char c = '?';
	FILE *f = fopen(path, "r");

	if (!f)
		return c;
	if (fread(&c, 1, 1, f) != 1)
		c = '?';
	fclose(f);
	return c;
}

bool th_kvm_shadow_mmu(void)
{
	if (!th_is_kvm)
		return false;
	return read_param("/sys/module/kvm_amd/parameters/npt") == 'N' ||
	       read_param("/sys/module/kvm_intel/parameters/ept") == 'N';
}

long th_meminfo_kb(const char *field)
{
	size_t len = strlen(field);
	char line[256];
	long kb = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f) {
		TH_FAIL("/proc/meminfo: %s", strerror(errno));
		exit(TH_EXIT_FAIL);
	}
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			kb = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	if (kb < 0) {
		TH_FAIL("/proc/meminfo has no %s", field);
		exit(TH_EXIT_FAIL);
	}
	return kb;
}
