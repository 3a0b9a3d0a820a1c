// SPDX-License-Identifier: GPL-2.0-only
/*
 * kvmbench --dev PATH [--json] [--mode flat32|long64] [--reps N]
 *          [--only NAME[,NAME...]]
 *
 * Runs each benchmark in a child process of its own, so that one that fails
 * (an ioctl error, an unexpected exit, a crash, a hang caught by alarm())
 * is reported with its reason and the others still run. The child hands its
 * samples or its one-line reason back through a pipe.
 *
 * Text output, one line per benchmark (the testhost plan parses these):
 *   bench NAME MEDIAN MIN MAX UNIT ops=N samples=S1,S2,...
 *   bench NAME FAIL REASON...
 * Exit status: 0 if every benchmark ran, 1 if any failed, 2 on bad usage or
 * when the device cannot be used at all.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvmbench.h"

#define DEFAULT_REPS	5
/* Far above any benchmark's few seconds: only a wedged one hits it. */
#define CHILD_TIMEOUT_S	120

const struct guest_mode *mode = &guest_modes[0];

/* Where the child's result goes, for bench_die(). */
static int result_fd = -1;

void bench_die(const char *fmt, ...)
{
	struct result r = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r.err, sizeof(r.err), fmt, ap);
	va_end(ap);
	if (write(result_fd, &r, sizeof(r)) != sizeof(r))
		fprintf(stderr, "kvmbench: %s\n", r.err);
	_exit(1);
}

static void run_child(const struct bench *b, int sys_fd, unsigned int reps, int fd)
{
	struct result r = { .ok = 1 };

	result_fd = fd;
	alarm(CHILD_TIMEOUT_S);
	r.ops = b->fn(sys_fd, reps, r.ns);
	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(1);
	_exit(0);
}

/* Runs b in a child; fills r, with a reason in r->err when it failed. */
static void run_bench(const struct bench *b, int sys_fd, unsigned int reps,
		      struct result *r)
{
	int pfd[2], status;
	ssize_t got = 0, n;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	fflush(NULL);
	if (pipe(pfd)) {
		snprintf(r->err, sizeof(r->err), "pipe failed: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(r->err, sizeof(r->err), "fork failed: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (!pid) {
		close(pfd[0]);
		run_child(b, sys_fd, reps, pfd[1]);
	}
	close(pfd[1]);
	while (got < (ssize_t)sizeof(*r) &&
	       (n = read(pfd[0], (char *)r + got, sizeof(*r) - got)) > 0)
		got += n;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (got == sizeof(*r))
		return;
	memset(r, 0, sizeof(*r));
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
		snprintf(r->err, sizeof(r->err), "no result after %d s (hung in KVM_RUN?)",
			 CHILD_TIMEOUT_S);
	else if (WIFSIGNALED(status))
		snprintf(r->err, sizeof(r->err), "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(r->err, sizeof(r->err), "exited with status %d and no result",
			 WEXITSTATUS(status));
}

static void usage(void)
{
	unsigned int i;

	fprintf(stderr, "usage: kvmbench --dev PATH [--json] [--mode MODE] [--reps N] "
		"[--only NAME[,NAME...]]\nbenchmarks:");
	for (i = 0; i < nr_benchmarks; i++)
		fprintf(stderr, " %s", benchmarks[i].name);
	fprintf(stderr, "\nmodes:");
	for (i = 0; i < nr_guest_modes; i++)
		fprintf(stderr, " %s", guest_modes[i].name);
	fprintf(stderr, " (default %s)\n", guest_modes[0].name);
	exit(2);
}

/* Marks the benchmarks named in a comma-separated list. */
static void select_benchmarks(char *list, bool *sel)
{
	char *name, *save;
	unsigned int i;

	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < nr_benchmarks; i++)
			if (!strcmp(name, benchmarks[i].name))
				break;
		if (i == nr_benchmarks) {
			fprintf(stderr, "kvmbench: no benchmark %s\n", name);
			usage();
		}
		sel[i] = true;
	}
}

static void select_mode(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_guest_modes; i++)
		if (!strcmp(name, guest_modes[i].name))
			break;
	if (i == nr_guest_modes) {
		fprintf(stderr, "kvmbench: no mode %s\n", name);
		usage();
	}
	mode = &guest_modes[i];
}

int main(int argc, char **argv)
{
	bool sel[16] = { false }, any_sel = false, json = false, first = true;
	unsigned int reps = DEFAULT_REPS, i;
	const char *dev = "/dev/minivirt";
	int sys_fd, api, failed = 0;
	struct result r;

	for (i = 1; i < (unsigned int)argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--json")) {
			json = true;
		} else if (i + 1 < (unsigned int)argc && !strcmp(a, "--dev")) {
			dev = argv[++i];
		} else if (i + 1 < (unsigned int)argc && !strcmp(a, "--mode")) {
			select_mode(argv[++i]);
		} else if (i + 1 < (unsigned int)argc && !strcmp(a, "--reps")) {
			reps = strtoul(argv[++i], NULL, 0);
			if (reps < 1 || reps > MAX_REPS)
				usage();
		} else if (i + 1 < (unsigned int)argc && !strcmp(a, "--only")) {
			select_benchmarks(argv[++i], sel);
			any_sel = true;
		} else {
			usage();
		}
	}

	sys_fd = open(dev, O_RDWR | O_CLOEXEC);
	if (sys_fd < 0) {
		fprintf(stderr, "kvmbench: cannot open %s: %s\n", dev, strerror(errno));
		return 2;
	}
	api = ioctl(sys_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvmbench: %s: KVM_GET_API_VERSION gave %d, want %d\n",
			dev, api, KVM_API_VERSION);
		return 2;
	}

	if (json) {
		printf("{\"dev\": ");
		json_string(dev);
		printf(", \"guest\": \"%s\", \"hypercall\": \"%s\", \"reps\": %u, "
		       "\"results\": [", mode->name,
		       host_is_intel() ? "vmcall" : "vmmcall", reps);
	} else {
		printf("# kvmbench: dev=%s guest=%s hypercall=%s reps=%u\n", dev,
		       mode->name, host_is_intel() ? "vmcall" : "vmmcall", reps);
	}

	for (i = 0; i < nr_benchmarks; i++) {
		if (any_sel && !sel[i])
			continue;
		run_bench(&benchmarks[i], sys_fd, reps, &r);
		if (!r.ok) {
			failed = 1;
			fprintf(stderr, "kvmbench: %s on %s: %s\n", benchmarks[i].name,
				dev, r.err);
		}
		if (json)
			report_json(&benchmarks[i], &r, reps, first);
		else
			report_text(&benchmarks[i], &r, reps);
		first = false;
		fflush(stdout);
	}
	if (json)
		printf("\n]}\n");
	close(sys_fd);
	return failed;
}
