// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmrun.c - unit tests of tools/vmrun, the launcher: everything but the
 * KVM ioctls themselves (the emulated-host run of tools/vmrun/testhost-check.sh
 * covers those). The suites live in test_vmrun_*.c.
 */
#include <check.h>
#include <stdlib.h>

Suite *vmrun_loader_suite(void);
Suite *vmrun_device_suite(void);
Suite *vmrun_run_suite(void);

int main(void)
{
	SRunner *sr = srunner_create(vmrun_loader_suite());
	int failed;

	srunner_add_suite(sr, vmrun_device_suite());
	srunner_add_suite(sr, vmrun_run_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
