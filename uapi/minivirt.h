/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minivirt userspace API.
 *
 * /dev/minivirt speaks the KVM API, version 12, exactly as <linux/kvm.h> and the
 * kernel's Documentation/virt/kvm/api.rst define it: same ioctls, structures,
 * file-descriptor hierarchy and errno values. This header lists the subset that
 * is implemented, documents every place where minivirt answers differently from
 * KVM, and defines minivirt's own extensions. Anything not listed here is
 * refused: -ENOTTY for an ioctl, 0 from KVM_CHECK_EXTENSION.
 *
 * A landed structure layout never changes: the API grows by new ioctls and caps.
 */
#ifndef _UAPI_MINIVIRT_H
#define _UAPI_MINIVIRT_H

#include <linux/ioctl.h>
#include <linux/kvm.h>

#define MINIVIRT_DEVICE		"/dev/minivirt"

/*
 * The implemented subset, as X-macro lists, so that programs (and our
 * selftests) can walk them. X(ioctl) per entry.
 */

/* On the /dev/minivirt fd. */
#define MINIVIRT_SYSTEM_IOCTLS(X)	\
	X(KVM_GET_API_VERSION)		\
	X(KVM_CHECK_EXTENSION)		\
	X(KVM_GET_VCPU_MMAP_SIZE)	\
	X(KVM_CREATE_VM)

/* On a VM fd. */
#define MINIVIRT_VM_IOCTLS(X)		\
	X(KVM_CHECK_EXTENSION)

/* Capabilities KVM_CHECK_EXTENSION reports as present (non-zero). */
#define MINIVIRT_CAPS(X)		\
	X(KVM_CAP_CHECK_EXTENSION_VM)

/*
 * Where minivirt answers differently from KVM (x86, Linux 6.1 and 6.12):
 *
 * - An ioctl number /dev/minivirt does not know gets -ENOTTY, the kernel-wide
 *   answer for an unknown ioctl. KVM answers -EINVAL on /dev/kvm (its
 *   kvm_arch_dev_ioctl() default case); on VM fds both answer -ENOTTY.
 * - KVM_CREATE_VM accepts type 0 only (KVM_X86_DEFAULT_VM); other types get
 *   -EINVAL, as on KVM without confidential-VM support.
 * - KVM_CREATE_VM gets -EBUSY while another hypervisor (kvm_intel, kvm_amd)
 *   holds VMX/SVM on any CPU. Linux 6.12's kvm.ko holds it from module load
 *   (parameter enable_virt_at_load=Y), 6.1's only while it has a VM.
 */

/*
 * minivirt's own extensions: ioctl type 0xAF, numbers 0x80-0xFF
 * (0xAF 0x00-0x1F belongs to linux/fsl_hypervisor.h; see the kernel's
 * Documentation/userspace-api/ioctl/ioctl-number.rst). None yet.
 */
#define MINIVIRT_IO		0xAF
#define MINIVIRT_IO_BASE	0x80

#endif /* _UAPI_MINIVIRT_H */
