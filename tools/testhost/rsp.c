// SPDX-License-Identifier: GPL-2.0-only
/*
 * rsp - a tiny gdb remote serial protocol client for the qemu suite's
 * gdbstub case (qemu-suite.sh). gdb with its libraries would add some 60 MB
 * to the emulated host's initramfs (libpython, libicudata...); the packets a
 * debugger sends to set a breakpoint, step and read registers are few, and
 * QEMU's gdbstub turns them into the same KVM ioctls (KVM_SET_GUEST_DEBUG,
 * KVM_GET_REGS) whoever sends them.
 *
 *   rsp PORT STEP...
 * connects to 127.0.0.1:PORT (retrying for 10 s while QEMU starts) and runs
 * the steps in order, printing each packet exchanged; exits 0 if every step
 * held, 1 at the first that did not (or whose reply took over 15 s), 2 on a
 * usage or connection error.
 *   stopped          '?': the target is stopped (an S or T reply)
 *   interrupt        Ctrl-C (0x03): stop the running target, wait for the
 *                    stop reply
 *   hbreak ADDR      'Z1': a hardware breakpoint (debug registers)
 *   break ADDR       'Z0': a software breakpoint (INT3 in guest memory)
 *   unbreak ADDR     'z0';  unhbreak ADDR: 'z1'
 *   cont             'c', then wait for the stop reply (S/T)
 *   step             's', then wait for the stop reply
 *   reg NAME HEX[,HEX...]
 *                    'g': register NAME (rax..r15, rip) equals one of the
 *                    HEX values in its low 32 bits (the guests are 32-bit);
 *                    NAME al is the low byte of rax
 *   stepto NAME HEX MAX
 *                    single-steps until register NAME equals HEX, at most
 *                    MAX steps
 *   mem ADDR HEXBYTES
 *                    'm': guest memory at ADDR holds HEXBYTES
 *   detach           'D': the guest runs on
 *   kill             'k': QEMU exits (no reply)
 * Addresses and values are hex, with or without 0x. QEMU's x86-64 gdbstub
 * sends 16 eight-byte GPRs in gdb's order, then rip (gdb's i386:x86-64 layout,
 * whatever the CPU mode).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PKT_MAX	8192

static const char *const regs[] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
};

static int sock = -1;

static int put_all(const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(sock, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int get_char(void)
{
	unsigned char c;
	ssize_t n;

	do
		n = read(sock, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? c : -1;
}

/* Sends $data#cs and waits for the '+' acknowledgement. */
static int send_packet(const char *data)
{
	char buf[PKT_MAX + 8];
	unsigned int sum = 0;
	size_t i, len = strlen(data);
	int c;

	for (i = 0; i < len; i++)
		sum += (unsigned char)data[i];
	snprintf(buf, sizeof(buf), "$%s#%02x", data, sum & 0xff);
	printf("-> %s\n", data);
	if (put_all(buf, strlen(buf)))
		return -1;
	while ((c = get_char()) != '+') {
		if (c < 0 || c == '-')
			return -1;
	}
	return 0;
}

/* Receives one packet's data into buf (NUL-terminated) and acknowledges it. */
static int recv_packet(char *buf, size_t size)
{
	size_t n = 0;
	int c;

	while ((c = get_char()) != '$') {
		if (c < 0)
			return -1;
	}
	while ((c = get_char()) != '#') {
		if (c < 0 || n + 1 >= size)
			return -1;
		buf[n++] = (char)c;
	}
	buf[n] = '\0';
	if (get_char() < 0 || get_char() < 0 || put_all("+", 1))
		return -1;
	printf("<- %.200s%s\n", buf, n > 200 ? "..." : "");
	return 0;
}

static int exchange(const char *cmd, char *reply, size_t size)
{
	return send_packet(cmd) || recv_packet(reply, size) ? -1 : 0;
}

static int connect_to(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int tries;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (tries = 0; tries < 100; tries++) {
		sock = socket(AF_INET, SOCK_STREAM, 0);
		if (sock < 0)
			return -1;
		if (!connect(sock, (struct sockaddr *)&sa, sizeof(sa))) {
			struct timeval tv = { .tv_sec = 15 };

			return setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		close(sock);
		sock = -1;
		nanosleep(&pause, NULL);
	}
	return -1;
}

static int parse_hex(const char *s, unsigned long long *v)
{
	char *end;

	if (!strncmp(s, "0x", 2))
		s += 2;
	errno = 0;
	*v = strtoull(s, &end, 16);
	return errno || end == s || *end ? -1 : 0;
}

/* The little-endian value of 8 bytes of hex at p. */
static unsigned long long le64(const char *p)
{
	unsigned long long v = 0;
	char byte[3] = { 0 };
	int i;

	for (i = 7; i >= 0; i--) {
		byte[0] = p[2 * i];
		byte[1] = p[2 * i + 1];
		v = (v << 8) | strtoul(byte, NULL, 16);
	}
	return v;
}

/* Reads register NAME (its low 32 bits) into *v; -1 on error. */
static int read_reg(const char *name, unsigned long long *v)
{
	static char reply[PKT_MAX];
	int low_byte = !strcmp(name, "al");
	size_t r;

	if (low_byte)
		name = "rax";
	for (r = 0; r < sizeof(regs) / sizeof(regs[0]); r++)
		if (!strcmp(regs[r], name))
			break;
	if (r == sizeof(regs) / sizeof(regs[0])) {
		printf("rsp: unknown register %s\n", name);
		return -1;
	}
	if (exchange("g", reply, sizeof(reply)) || strlen(reply) < 16 * (r + 1)) {
		printf("rsp: cannot read the registers\n");
		return -1;
	}
	*v = le64(reply + 16 * r) & (low_byte ? 0xffULL : 0xffffffffULL);
	return 0;
}

/* Whether v is one of the comma-separated hex values in list. */
static int one_of(unsigned long long v, const char *list)
{
	char buf[256], *tok, *save;
	unsigned long long w;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!parse_hex(tok, &w) && w == v)
			return 1;
	return 0;
}

static int is_stop(const char *reply)
{
	return reply[0] == 'S' || reply[0] == 'T';
}

static int fail(const char *what, const char *reply)
{
	printf("rsp: %s: unexpected reply \"%.200s\"\n", what, reply);
	return 1;
}

int main(int argc, char **argv)
{
	static char reply[PKT_MAX];
	char cmd[64];
	int i, port;

	if (argc < 3) {
		fprintf(stderr, "usage: rsp PORT STEP...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	port = atoi(argv[1]);
	if (connect_to(port)) {
		printf("rsp: cannot connect to 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 2;
	}
	for (i = 2; i < argc; i++) {
		const char *s = argv[i];
		unsigned long long a, got;

		if (!strcmp(s, "stopped") || !strcmp(s, "cont") || !strcmp(s, "step")) {
			const char *c = !strcmp(s, "stopped") ? "?" : !strcmp(s, "cont") ? "c" : "s";

			if (exchange(c, reply, sizeof(reply)))
				return fail(s, "(connection lost)");
			if (!is_stop(reply))
				return fail(s, reply);
		} else if (!strcmp(s, "break") || !strcmp(s, "hbreak") ||
			   !strcmp(s, "unbreak") || !strcmp(s, "unhbreak")) {
			if (++i >= argc || parse_hex(argv[i], &a))
				return fail(s, "(bad address argument)");
			snprintf(cmd, sizeof(cmd), "%c%c,%llx,1", s[0] == 'u' ? 'z' : 'Z',
				 strstr(s, "hbreak") ? '1' : '0', a);
			if (exchange(cmd, reply, sizeof(reply)))
				return fail(s, "(connection lost)");
			if (strcmp(reply, "OK"))
				return fail(s, reply);
		} else if (!strcmp(s, "reg")) {
			if (i + 2 >= argc || read_reg(argv[i + 1], &got))
				return fail(s, "(bad arguments or no registers)");
			printf("rsp: %s = %#llx (want %s)\n", argv[i + 1], got, argv[i + 2]);
			if (!one_of(got, argv[i + 2]))
				return 1;
			i += 2;
		} else if (!strcmp(s, "stepto")) {
			int left;

			if (i + 3 >= argc || parse_hex(argv[i + 2], &a))
				return fail(s, "(bad arguments)");
			left = atoi(argv[i + 3]);
			for (;;) {
				if (read_reg(argv[i + 1], &got))
					return fail(s, "(no registers)");
				if (got == a)
					break;
				if (left-- <= 0) {
					printf("rsp: %s = %#llx, never %#llx\n", argv[i + 1], got, a);
					return 1;
				}
				if (exchange("s", reply, sizeof(reply)))
					return fail(s, "(connection lost)");
				if (!is_stop(reply))
					return fail(s, reply);
			}
			i += 3;
		} else if (!strcmp(s, "mem")) {
			if (i + 2 >= argc || parse_hex(argv[i + 1], &a))
				return fail(s, "(bad arguments)");
			snprintf(cmd, sizeof(cmd), "m%llx,%zx", a, strlen(argv[i + 2]) / 2);
			if (exchange(cmd, reply, sizeof(reply)))
				return fail(s, "(connection lost)");
			if (strcasecmp(reply, argv[i + 2]))
				return fail(s, reply);
			i += 2;
		} else if (!strcmp(s, "interrupt")) {
			printf("-> ^C\n");
			if (put_all("\003", 1) || recv_packet(reply, sizeof(reply)))
				return fail(s, "(connection lost)");
			if (!is_stop(reply))
				return fail(s, reply);
		} else if (!strcmp(s, "kill")) {
			if (send_packet("k"))
				return fail(s, "(connection lost)");
		} else if (!strcmp(s, "detach")) {
			if (exchange("D", reply, sizeof(reply)))
				return fail(s, "(connection lost)");
			if (strcmp(reply, "OK"))
				return fail(s, reply);
		} else {
			fprintf(stderr, "rsp: unknown step %s\n", s);
			return 2;
		}
	}
	close(sock);
	return 0;
}
