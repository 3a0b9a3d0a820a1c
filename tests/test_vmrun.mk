# vmrun, the launcher (tools/vmrun): loaders, devices, exit handling, options.
UNIT_TESTS += test_vmrun
VMRUN := $(ROOT)/tools/vmrun
include $(VMRUN)/sources.mk
VMRUN_TEST_SRCS := test_vmrun.c test_vmrun_loaders.c test_vmrun_devices.c test_vmrun_run.c

test_vmrun: $(VMRUN_TEST_SRCS) $(addprefix $(VMRUN)/,$(VMRUN_LIB_SRCS)) \
		$(wildcard $(VMRUN)/*.h) $(VMRUN)/sources.mk
	$(CC) $(WARN) $(CFLAGS) $(CHECK_CFLAGS) -std=gnu11 -D_GNU_SOURCE -pthread \
		-I$(VMRUN) -o $@ $(VMRUN_TEST_SRCS) \
		$(addprefix $(VMRUN)/,$(VMRUN_LIB_SRCS)) $(CHECK_LIBS) $(LDFLAGS)
