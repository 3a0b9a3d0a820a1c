# The x86 instruction decoder/emulator (kmod/emulate.c), built for userspace.
UNIT_TESTS += test_emulate
KMOD := $(ROOT)/kmod

test_emulate: test_emulate.c $(KMOD)/emulate.c $(KMOD)/emulate.h
	$(CC) $(WARN) $(CFLAGS) $(CHECK_CFLAGS) -I$(KMOD) -o $@ \
		test_emulate.c $(KMOD)/emulate.c $(CHECK_LIBS) $(LDFLAGS)
