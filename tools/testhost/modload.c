// SPDX-License-Identifier: GPL-2.0-only
/*
 * modload PATH [PARAMS]: one finit_module() call, and its errno. busybox's
 * insmod retries with init_module() when finit_module() fails, running a
 * refusing module's init twice; a test counting its messages needs one try.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: modload PATH [PARAMS]\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "modload: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (syscall(__NR_finit_module, fd, argc == 3 ? argv[2] : "", 0)) {
		printf("modload: %s: errno %d (%s)\n", argv[1], errno, strerror(errno));
		return 1;
	}
	return 0;
}
