// SPDX-License-Identifier: GPL-2.0-only
/* vmrun --info: what a KVM-API device says about itself. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "info.h"

/* Capabilities a VMM commonly probes, by name. */
#define CAPS(X)								\
	X(KVM_CAP_USER_MEMORY) X(KVM_CAP_NR_MEMSLOTS) X(KVM_CAP_NR_VCPUS)	\
	X(KVM_CAP_MAX_VCPUS) X(KVM_CAP_MAX_VCPU_ID) X(KVM_CAP_READONLY_MEM) \
	X(KVM_CAP_SET_TSS_ADDR) X(KVM_CAP_SET_IDENTITY_MAP_ADDR)	\
	X(KVM_CAP_EXT_CPUID) X(KVM_CAP_IMMEDIATE_EXIT)			\
	X(KVM_CAP_CHECK_EXTENSION_VM) X(KVM_CAP_GET_MSR_FEATURES)	\
	X(KVM_CAP_XSAVE) X(KVM_CAP_XCRS) X(KVM_CAP_VCPU_EVENTS)		\
	X(KVM_CAP_MP_STATE) X(KVM_CAP_INTERNAL_ERROR_DATA)		\
	X(KVM_CAP_IRQCHIP) X(KVM_CAP_PIT2) X(KVM_CAP_IRQFD)		\
	X(KVM_CAP_IOEVENTFD) X(KVM_CAP_SIGNAL_MSI) X(KVM_CAP_COALESCED_MMIO) \
	X(KVM_CAP_BINARY_STATS_FD) X(KVM_CAP_ENABLE_CAP_VM)		\
	X(KVM_CAP_DIRTY_LOG_RING) X(KVM_CAP_X86_DISABLE_EXITS)

struct cap_name {
	const char *name;
	long cap;
};

#define CAP_NAME(c) { #c, c },
static const struct cap_name caps[] = { CAPS(CAP_NAME) };

int vmrun_info(const char *path, FILE *out)
{
	unsigned int i, present = 0;
	long r;
	int fd;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vmrun: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(out, "%s\n", path);
	fprintf(out, "  KVM_GET_API_VERSION     %ld\n",
		(long)ioctl(fd, KVM_GET_API_VERSION, 0));
	fprintf(out, "  KVM_GET_VCPU_MMAP_SIZE  %ld\n",
		(long)ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	fprintf(out, "  capabilities present:\n");
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		r = ioctl(fd, KVM_CHECK_EXTENSION, caps[i].cap);
		if (r > 0) {
			fprintf(out, "    %-32s %ld\n", caps[i].name, r);
			present++;
		}
	}
	fprintf(out, "  (%u of the %zu capabilities vmrun knows)\n", present,
		sizeof(caps) / sizeof(caps[0]));

	r = ioctl(fd, KVM_CREATE_VM, 0);
	if (r >= 0) {
		fprintf(out, "  KVM_CREATE_VM           ok (VM fd %ld)\n", r);
		close(r);
	} else {
		fprintf(out, "  KVM_CREATE_VM           %s\n", strerror(errno));
	}
	close(fd);
	return 0;
}
