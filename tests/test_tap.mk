# The testhost log judge (tools/testhost/tap.c).
UNIT_TESTS += test_tap
TESTHOST := $(ROOT)/tools/testhost

test_tap: test_tap.c $(TESTHOST)/tap.c $(TESTHOST)/tap.h
	$(CC) $(WARN) $(CFLAGS) $(CHECK_CFLAGS) -I$(TESTHOST) -o $@ \
		test_tap.c $(TESTHOST)/tap.c $(CHECK_LIBS) $(LDFLAGS)
