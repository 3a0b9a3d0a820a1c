// SPDX-License-Identifier: GPL-2.0-only
/* The harness's runner: options, fork per test, TAP output. See harness.h. */
#include <getopt.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* KVM's fixed misc minor (include/linux/miscdevice.h: KVM_MINOR). */
#define KVM_MISC_MAJOR	10
#define KVM_MISC_MINOR	232

const char *th_dev = "/dev/minivirt";
const char *th_other;
bool th_is_kvm;
bool th_other_is_kvm;
bool th_failed;

static struct th_test *th_head, **th_tail = &th_head;
static struct th_option *th_opts;
static unsigned int th_nopts;

void th_register_option(struct th_option *o)
{
	o->next = th_opts;
	th_opts = o;
	th_nopts++;
}

void th_register(struct th_test *t)
{
	*th_tail = t;
	th_tail = &t->next;
}

bool th_path_is_kvm(const char *path)
{
	struct stat st;

	if (stat(path, &st) || !S_ISCHR(st.st_mode))
		return false;
	return major(st.st_rdev) == KVM_MISC_MAJOR &&
	       minor(st.st_rdev) == KVM_MISC_MINOR;
}

/* Runs one test in a child; returns its TH_EXIT_* status. */
static int th_run_one(const struct th_test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		return TH_EXIT_FAIL;
	}
	if (!pid) {
		alarm(t->timeout_s);
		t->fn();
		exit(th_failed ? TH_EXIT_FAIL : TH_EXIT_PASS);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			printf("# waitpid: %s\n", strerror(errno));
			return TH_EXIT_FAIL;
		}
	}
	if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGALRM)
			printf("# timed out after %u s\n", t->timeout_s);
		else
			printf("# killed by signal %d\n", WTERMSIG(status));
		return TH_EXIT_FAIL;
	}
	return WEXITSTATUS(status);
}

static void th_usage(const char *prog)
{
	const struct th_option *o;

	printf("usage: %s [--dev PATH] [--other PATH] [--list] [--only NAME]\n"
	       "  --dev PATH    device under test (default /dev/minivirt)\n"
	       "  --other PATH  the other hypervisor, for coexistence tests\n"
	       "  --list        list the tests\n"
	       "  --only NAME   run only the named test\n", prog);
	for (o = th_opts; o; o = o->next)
		printf("  --%s N  %s (default %llu)\n", o->name, o->help, *o->val);
}

/* getopt_long answers 256 + i for the suite's option i (past every char). */
static struct th_option *th_option_at(int i)
{
	struct th_option *o = th_opts;

	while (o && i--)
		o = o->next;
	return o;
}

int main(int argc, char **argv)
{
	static const struct option fixed[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "other", required_argument, NULL, 'o' },
		{ "list", no_argument, NULL, 'l' },
		{ "only", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
	};
	struct option opts[sizeof(fixed) / sizeof(fixed[0]) + th_nopts + 1];
	unsigned int n = 0, i = 0, failed = 0, nfixed = sizeof(fixed) / sizeof(fixed[0]);
	const char *only = NULL;
	struct th_option *o;
	struct th_test *t;
	bool list = false;
	char *end;
	int c;

	memset(opts, 0, sizeof(opts));
	memcpy(opts, fixed, sizeof(fixed));
	for (o = th_opts; o; o = o->next, i++)
		opts[nfixed + i] = (struct option){ o->name, required_argument, NULL, 256 + (int)i };
	i = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': th_dev = optarg; break;
		case 'o': th_other = optarg; break;
		case 'l': list = true; break;
		case 'n': only = optarg; break;
		case 'h': th_usage(argv[0]); return 0;
		default:
			o = c >= 256 ? th_option_at(c - 256) : NULL;
			if (!o) {
				th_usage(argv[0]);
				return 2;
			}
			*o->val = strtoull(optarg, &end, 0);
			if (!*optarg || *end) {
				printf("%s: --%s wants a number\n", argv[0], o->name);
				return 2;
			}
		}
	}
	th_is_kvm = th_path_is_kvm(th_dev);
	th_other_is_kvm = th_other && th_path_is_kvm(th_other);

	for (t = th_head; t; t = t->next)
		if (!only || !strcmp(only, t->name))
			n++;
	if (list) {
		for (t = th_head; t; t = t->next)
			printf("%s\n", t->name);
		return 0;
	}

	printf("TAP version 13\n1..%u\n", n);
	printf("# device %s (%s)%s%s\n", th_dev, th_is_kvm ? "kvm" : "minivirt",
	       th_other ? ", other " : "", th_other ? th_other : "");
	for (t = th_head; t; t = t->next) {
		int r;

		if (only && strcmp(only, t->name))
			continue;
		r = th_run_one(t);
		i++;
		if (r == TH_EXIT_PASS) {
			printf("ok %u %s\n", i, t->name);
		} else if (r == TH_EXIT_SKIP) {
			printf("ok %u %s # SKIP\n", i, t->name);
		} else {
			printf("not ok %u %s\n", i, t->name);
			failed++;
		}
	}
	fflush(stdout);
	return failed ? 1 : 0;
}
