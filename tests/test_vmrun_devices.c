// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_vmrun_devices.c - vmrun's port dispatch table and its devices: the
 * 8250 UART (PC16550D register behaviour), isa-debug-exit, the terminal.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug_exit.h"
#include "ioport.h"
#include "serial.h"
#include "term.h"
#include "vmrun.h"

#define ASSERT_HAS(s, sub) \
	ck_assert_msg(strstr((s), (sub)) != NULL, "'%s' not in '%s'", (sub), (s))

/* ---- a recording device for the dispatch table ---- */

struct rec {
	unsigned int n;
	uint16_t off[16];
	unsigned int size[16];
	uint32_t val[16];
	int write[16];
	uint32_t reply;
};

static enum io_action rec_in(void *opaque, uint16_t off, unsigned int size,
			     uint32_t *val)
{
	struct rec *r = opaque;

	ck_assert_uint_lt(r->n, 16);
	r->off[r->n] = off, r->size[r->n] = size, r->write[r->n] = 0;
	*val = r->reply & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);
	r->val[r->n++] = *val;
	return IO_CONTINUE;
}

static enum io_action rec_out(void *opaque, uint16_t off, unsigned int size,
			      uint32_t val)
{
	struct rec *r = opaque;

	ck_assert_uint_lt(r->n, 16);
	r->off[r->n] = off, r->size[r->n] = size, r->write[r->n] = 1;
	r->val[r->n++] = val;
	return IO_CONTINUE;
}

static struct ioport_dev dev(const char *name, uint16_t base, uint32_t len,
			     unsigned int widths, struct rec *r)
{
	struct ioport_dev d = { name, base, len, widths, rec_in, rec_out, r };

	return d;
}

START_TEST(test_ioport_register_and_find)
{
	struct rec a = { 0 }, b = { 0 }, c = { 0 };
	struct ioport_table t;
	struct ioport_dev d;
	struct err e;

	ioport_init(&t);
	d = dev("b", 0x3f8, 8, IO_WIDTH(1), &b);
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	d = dev("a", 0x60, 1, IO_WIDTH(1), &a);
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	d = dev("c", 0xfff0, 0x10, IO_WIDTH(1), &c);	/* up to 0xffff */
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	ck_assert_uint_eq(t.ndevs, 3);

	ck_assert_ptr_null(ioport_find(&t, 0x5f));
	ck_assert_str_eq(ioport_find(&t, 0x60)->name, "a");
	ck_assert_ptr_null(ioport_find(&t, 0x61));
	ck_assert_ptr_null(ioport_find(&t, 0x3f7));
	ck_assert_str_eq(ioport_find(&t, 0x3f8)->name, "b");
	ck_assert_str_eq(ioport_find(&t, 0x3ff)->name, "b");
	ck_assert_ptr_null(ioport_find(&t, 0x400));
	ck_assert_str_eq(ioport_find(&t, 0xffff)->name, "c");
	ck_assert_ptr_null(ioport_find(&t, 0));
}
END_TEST

START_TEST(test_ioport_overlap_rejected)
{
	static const struct { uint16_t base; uint32_t len; } bad[] = {
		{ 0x3f8, 1 }, { 0x3f0, 9 }, { 0x3ff, 4 }, { 0x3f0, 0x20 }, { 0x3fa, 2 },
	};
	struct ioport_table t;
	struct ioport_dev d;
	struct rec r = { 0 };
	struct err e;
	unsigned int i;

	ioport_init(&t);
	d = dev("uart", 0x3f8, 8, IO_WIDTH(1), &r);
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d = dev("other", bad[i].base, bad[i].len, IO_WIDTH(1), &r);
		ck_assert_int_eq(ioport_register(&t, &d, &e), -EEXIST);
	}
	ASSERT_HAS(e.msg, "other: ports 0x3fa-0x3fb overlap uart at 0x3f8-0x3ff");
	/* Neighbours on both sides fit. */
	d = dev("below", 0x3f0, 8, IO_WIDTH(1), &r);
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	d = dev("above", 0x400, 1, IO_WIDTH(1), &r);
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	ck_assert_uint_eq(t.ndevs, 3);
}
END_TEST

START_TEST(test_ioport_bad_ranges_and_full)
{
	struct ioport_table t;
	struct ioport_dev d;
	struct rec r = { 0 };
	struct err e;
	unsigned int i;

	ioport_init(&t);
	d = dev("empty", 0x10, 0, IO_WIDTH(1), &r);
	ck_assert_int_eq(ioport_register(&t, &d, &e), -EINVAL);
	d = dev("wraps", 0xfff0, 0x11, IO_WIDTH(1), &r);
	ck_assert_int_eq(ioport_register(&t, &d, &e), -EINVAL);
	ASSERT_HAS(e.msg, "wraps: bad port range 0xfff0+17");
	d = dev("wide only", 0x10, 4, IO_WIDTH(4), &r);
	ck_assert_int_eq(ioport_register(&t, &d, &e), -EINVAL);
	for (i = 0; i < IOPORT_MAX_DEVS; i++) {
		d = dev("many", 0x1000 - 2 * i, 1, IO_WIDTH(1), &r);	/* descending */
		ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	}
	d = dev("one more", 0x2000, 1, IO_WIDTH(1), &r);
	ck_assert_int_eq(ioport_register(&t, &d, &e), -ENOSPC);
	for (i = 1; i < t.ndevs; i++)		/* kept sorted */
		ck_assert_uint_lt(t.devs[i - 1].base, t.devs[i].base);
	ck_assert_ptr_nonnull(ioport_find(&t, 0x1000 - 2 * 31));
	ck_assert_ptr_null(ioport_find(&t, 0x1000 - 2 * 31 + 1));
}
END_TEST

START_TEST(test_ioport_unclaimed)
{
	struct ioport_table t;
	uint32_t v;
	char *text;
	size_t len;
	FILE *f;
	unsigned int i;

	ioport_init(&t);
	ck_assert_int_eq(ioport_in(&t, 0x80, 1, &v), IO_CONTINUE);
	ck_assert_uint_eq(v, 0xff);
	ioport_in(&t, 0x80, 2, &v);
	ck_assert_uint_eq(v, 0xffff);
	ioport_in(&t, 0x80, 4, &v);
	ck_assert_uint_eq(v, 0xffffffff);
	ck_assert_int_eq(ioport_out(&t, 0x80, 1, 0x12), IO_CONTINUE);
	ck_assert_uint_eq(t.nunclaimed, 4);	/* 0x80-0x83 */
	ck_assert_uint_eq(t.unclaimed[0].port, 0x80);
	ck_assert_uint_eq(t.unclaimed[0].reads, 3);
	ck_assert_uint_eq(t.unclaimed[0].writes, 1);
	ck_assert_uint_eq(t.unclaimed[3].reads, 1);
	for (i = 0; i < 20; i++)		/* more distinct ports than counted */
		ioport_out(&t, 0x100 + i, 1, 0);
	ck_assert_uint_eq(t.nunclaimed, IOPORT_MAX_UNCLAIMED);
	ck_assert_uint_eq(t.unclaimed_other, 8);

	f = open_memstream(&text, &len);
	ioport_print_unclaimed(&t, f);
	fclose(f);
	ASSERT_HAS(text, "port 0x0080: 3 reads, 1 writes");
	ASSERT_HAS(text, "other ports: 8 accesses");
	free(text);

	ioport_init(&t);			/* none: nothing printed */
	f = open_memstream(&text, &len);
	ioport_print_unclaimed(&t, f);
	fclose(f);
	ck_assert_uint_eq(len, 0);
	free(text);
}
END_TEST

START_TEST(test_ioport_split_and_whole)
{
	struct rec bytes = { .reply = 0x5a }, wide = { .reply = 0x11223344 };
	struct ioport_table t;
	struct ioport_dev d;
	struct err e;
	uint32_t v;

	ioport_init(&t);
	d = dev("bytes", 0x3f8, 8, IO_WIDTH(1), &bytes);
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);
	d = dev("wide", 0xf4, 1, IO_WIDTH(1) | IO_WIDTH(2) | IO_WIDTH(4), &wide);
	ck_assert_int_eq(ioport_register(&t, &d, &e), 0);

	/* outw to a byte device: two byte writes, low byte first. */
	ioport_out(&t, 0x3f8, 2, 0xbeef);
	ck_assert_uint_eq(bytes.n, 2);
	ck_assert_uint_eq(bytes.off[0], 0);
	ck_assert_uint_eq(bytes.val[0], 0xef);
	ck_assert_uint_eq(bytes.off[1], 1);
	ck_assert_uint_eq(bytes.val[1], 0xbe);
	ck_assert_uint_eq(bytes.size[1], 1);

	/* inl at the range's end: two bytes from the device, two unclaimed. */
	ioport_in(&t, 0x3fe, 4, &v);
	ck_assert_uint_eq(v, 0xffff5a5a);
	ck_assert_uint_eq(bytes.n, 4);
	ck_assert_uint_eq(bytes.off[3], 7);

	/* A device taking the width gets it whole. */
	ioport_out(&t, 0xf4, 4, 0xcafef00d);
	ck_assert_uint_eq(wide.n, 1);
	ck_assert_uint_eq(wide.size[0], 4);
	ck_assert_uint_eq(wide.val[0], 0xcafef00d);
	ioport_in(&t, 0xf4, 2, &v);
	ck_assert_uint_eq(v, 0x3344);

	/* Port numbers wrap at 0xffff, as on the hardware. */
	ioport_in(&t, 0xffff, 2, &v);
	ck_assert_uint_eq(v, 0xffff);
}
END_TEST

/* ---- UART ---- */

struct line {
	char out[256];
	size_t nout;
	const char *in;		/* bytes still to come */
	size_t nin;
	int eof;		/* after in: end of input */
	unsigned int reads;	/* backend read calls */
};

static ssize_t line_read(void *ctx, uint8_t *buf, size_t len)
{
	struct line *l = ctx;
	size_t n = l->nin < len ? l->nin : len;

	l->reads++;
	if (!n)
		return l->eof ? -1 : 0;
	memcpy(buf, l->in, n);
	l->in += n;
	l->nin -= n;
	return n;
}

static void line_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct line *l = ctx;

	ck_assert_uint_le(l->nout + len, sizeof(l->out));
	memcpy(l->out + l->nout, buf, len);
	l->nout += len;
}

static struct line ln;
static struct serial uart;

static void uart_setup(void)
{
	const struct serial_backend be = { line_read, line_write, &ln };

	memset(&ln, 0, sizeof(ln));
	serial_init(&uart, &be);
}

static uint8_t rd(uint16_t off)
{
	uint32_t v = 0xdeadbeef;

	ck_assert_int_eq(serial_in(&uart, off, 1, &v), IO_CONTINUE);
	ck_assert_uint_le(v, 0xff);
	return v;
}

static void wr(uint16_t off, uint8_t v)
{
	ck_assert_int_eq(serial_out(&uart, off, 1, v), IO_CONTINUE);
}

static void feed(const char *s)
{
	ln.in = s;
	ln.nin = strlen(s);
}

START_TEST(test_uart_reset_state)
{
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NO_INT);
	ck_assert_uint_eq(rd(UART_IER), 0);
	ck_assert_uint_eq(rd(UART_LCR), 0);
	ck_assert_uint_eq(rd(UART_MCR), 0);
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
	ck_assert_uint_eq(rd(UART_SCR), 0);
	ck_assert_uint_eq(rd(UART_RBR), 0);	/* nothing received */
}
END_TEST

START_TEST(test_uart_transmit)
{
	const char *s = "hi\n";

	while (*s) {
		ck_assert(rd(UART_LSR) & UART_LSR_THRE);	/* always ready */
		wr(UART_THR, *s++);
	}
	ck_assert_uint_eq(ln.nout, 3);
	ck_assert_mem_eq(ln.out, "hi\n", 3);
	ck_assert_uint_eq(uart.tx_bytes, 3);
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}
END_TEST

START_TEST(test_uart_dlab)
{
	wr(UART_LCR, UART_LCR_DLAB | 0x03);
	ck_assert_uint_eq(rd(UART_DLL), 12);	/* reset divisor: 9600 baud */
	ck_assert_uint_eq(rd(UART_DLM), 0);
	wr(UART_DLL, 0x01);
	wr(UART_DLM, 0x02);
	ck_assert_uint_eq(rd(UART_DLL), 0x01);
	ck_assert_uint_eq(rd(UART_DLM), 0x02);
	ck_assert_uint_eq(uart.divisor, 0x0201);
	ck_assert_uint_eq(ln.nout, 0);		/* DLL writes are not output */
	ck_assert_uint_eq(rd(UART_LCR), UART_LCR_DLAB | 0x03);

	wr(UART_LCR, 0x03);
	ck_assert_uint_eq(rd(UART_IER), 0);	/* IER untouched by DLM */
	wr(UART_THR, 'x');
	ck_assert_uint_eq(ln.nout, 1);
	ck_assert_uint_eq(uart.divisor, 0x0201);
}
END_TEST

START_TEST(test_uart_scratch_mcr_ier_masks)
{
	wr(UART_SCR, 0xa5);
	ck_assert_uint_eq(rd(UART_SCR), 0xa5);
	wr(UART_MCR, 0xff);
	ck_assert_uint_eq(rd(UART_MCR), 0x1f);
	wr(UART_MCR, 0);
	wr(UART_IER, 0xff);
	ck_assert_uint_eq(rd(UART_IER), 0x0f);
	wr(UART_LSR, 0);			/* factory test: ignored */
	wr(UART_MSR, 0);
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
}
END_TEST

START_TEST(test_uart_iir)
{
	wr(UART_FCR, UART_FCR_ENABLE);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	/* Enabling THRI with THR empty raises it; an IIR read acknowledges it. */
	wr(UART_IER, UART_IER_THRI);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_NO_INT);
	/* Each byte sent empties THR again. */
	wr(UART_THR, 'a');
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	/* Received data outranks THRE and stays until read. */
	wr(UART_THR, 'b');
	wr(UART_IER, UART_IER_THRI | UART_IER_RDI);
	feed("z");
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RDI);
	ck_assert_uint_eq(rd(UART_RBR), 'z');
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_THRI);
	/* FIFOs off: no FIFO bits. */
	wr(UART_FCR, 0);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_NO_INT);
}
END_TEST

START_TEST(test_uart_input_buffering)
{
	char got[32];
	unsigned int i;

	/* FIFO off: one byte held, the rest waits in the backend. */
	feed("hello");
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	ck_assert_uint_eq(uart.rx_count, 1);
	ck_assert_uint_eq(ln.nin, 4);
	for (i = 0; i < 5; i++) {
		ck_assert(rd(UART_LSR) & UART_LSR_DR);
		got[i] = rd(UART_RBR);
	}
	ck_assert_mem_eq(got, "hello", 5);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	ck_assert_uint_eq(rd(UART_RBR), 'o');	/* empty: the last byte again */

	/* FIFO on: up to 16 bytes at once, in order. */
	wr(UART_FCR, UART_FCR_ENABLE);
	feed("0123456789abcdefXYZ");
	ck_assert(rd(UART_LSR) & UART_LSR_DR);
	ck_assert_uint_eq(uart.rx_count, 16);
	for (i = 0; i < 19; i++)
		got[i] = rd(UART_RBR);
	ck_assert_mem_eq(got, "0123456789abcdefXYZ", 19);
	ck_assert_uint_eq(uart.rx_bytes, 24);

	/* FCR clears the receive FIFO. */
	feed("abc");
	ck_assert(rd(UART_LSR) & UART_LSR_DR);
	wr(UART_FCR, UART_FCR_ENABLE | UART_FCR_CLEAR_RCVR);
	ck_assert_uint_eq(uart.rx_count, 0);
}
END_TEST

START_TEST(test_uart_input_eof)
{
	unsigned int calls;

	ln.eof = 1;
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	ck_assert(uart.input_eof);
	calls = ln.reads;
	rd(UART_LSR);
	rd(UART_RBR);
	ck_assert_uint_eq(ln.reads, calls);	/* never asked again */
}
END_TEST

START_TEST(test_uart_loopback)
{
	wr(UART_FCR, UART_FCR_ENABLE);
	wr(UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT2);
	ck_assert_uint_eq(rd(UART_MSR), UART_MSR_DSR | UART_MSR_DCD);
	feed("ignored while in loopback");
	wr(UART_THR, 'L');
	ck_assert_uint_eq(ln.nout, 0);		/* not on the line */
	ck_assert(rd(UART_LSR) & UART_LSR_DR);
	ck_assert_uint_eq(rd(UART_RBR), 'L');
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_DR, 0);
	ck_assert_uint_eq(ln.reads, 0);
}
END_TEST

START_TEST(test_uart_overrun)
{
	unsigned int i;

	wr(UART_MCR, UART_MCR_LOOP);		/* FIFO off: one byte deep */
	wr(UART_THR, '1');
	wr(UART_THR, '2');
	ck_assert_uint_eq(rd(UART_LSR), UART_LSR_THRE | UART_LSR_TEMT | UART_LSR_OE |
			  UART_LSR_DR);
	ck_assert_uint_eq(rd(UART_LSR) & UART_LSR_OE, 0);	/* cleared by reading */
	ck_assert_uint_eq(rd(UART_RBR), '1');
	wr(UART_FCR, UART_FCR_ENABLE);
	for (i = 0; i < SERIAL_FIFO + 1; i++)
		wr(UART_THR, 'a' + i);
	wr(UART_IER, UART_IER_RLSI);
	ck_assert_uint_eq(rd(UART_IIR), UART_IIR_FIFO | UART_IIR_RLSI);
	ck_assert(rd(UART_LSR) & UART_LSR_OE);
	for (i = 0; i < SERIAL_FIFO; i++)
		ck_assert_uint_eq(rd(UART_RBR), 'a' + i);
}
END_TEST

START_TEST(test_uart_through_table)
{
	struct ioport_table t;
	struct err e;
	uint32_t v;

	ioport_init(&t);
	ck_assert_int_eq(serial_register(&uart, &t, SERIAL_COM1, &e), 0);
	ck_assert_int_eq(serial_register(&uart, &t, SERIAL_COM1 + 4, &e), -EEXIST);
	ioport_out(&t, 0x3f8, 2, 0x0041);	/* 'A' to THR, 0 to IER */
	ck_assert_uint_eq(ln.nout, 1);
	ck_assert_uint_eq(ln.out[0], 'A');
	ioport_in(&t, 0x3fd, 1, &v);
	ck_assert_uint_eq(v, 0x60);
}
END_TEST

/* ---- isa-debug-exit ---- */

START_TEST(test_debug_exit_status)
{
	static const struct { uint32_t v; int status; } map[] = {
		{ 0, 1 }, { 1, 3 }, { 0x10, 33 }, { 0x7f, 255 }, { 0x80, 1 },
		{ 0x102, 5 }, { 0xffffffff, 255 },
	};
	unsigned int i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		ck_assert_int_eq(VMRUN_DEBUG_EXIT_STATUS(map[i].v), map[i].status);
}
END_TEST

START_TEST(test_debug_exit_device)
{
	static const unsigned int sizes[] = { 1, 2, 4 };
	struct ioport_table t;
	struct debug_exit d;
	struct vm_stop stop;
	struct err e;
	unsigned int i;
	uint32_t v;

	for (i = 0; i < 3; i++) {
		memset(&stop, 0, sizeof(stop));
		ioport_init(&t);
		debug_exit_init(&d, &stop);
		ck_assert_int_eq(debug_exit_register(&d, &t, DEBUG_EXIT_PORT, &e), 0);
		ioport_in(&t, DEBUG_EXIT_PORT, sizes[i], &v);
		ck_assert_uint_eq(v, 0);
		ck_assert(!stop.stopped);
		ck_assert_int_eq(ioport_out(&t, DEBUG_EXIT_PORT, sizes[i], 0x0102), IO_STOP);
		ck_assert(stop.stopped);
		ck_assert(d.written);
		ck_assert_uint_eq(d.value, sizes[i] == 1 ? 0x02 : 0x0102);
		ck_assert_int_eq(stop.status, sizes[i] == 1 ? 5 : 5);
		ASSERT_HAS(stop.why, "isa-debug-exit");
		/* The first reason to stop wins. */
		ioport_out(&t, DEBUG_EXIT_PORT, 1, 7);
		ck_assert_int_eq(stop.status, 5);
	}
	ck_assert_uint_eq(t.nunclaimed, 0);
}
END_TEST

/* ---- the terminal ---- */

START_TEST(test_term_pipe)
{
	int in[2], out[2];
	struct term t;
	uint8_t buf[8];
	char got[8] = { 0 };

	signal(SIGPIPE, SIG_IGN);	/* as vmrun's main() */
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	t.in_fd = in[0];
	t.out_fd = out[1];
	ck_assert_int_eq(term_read(&t, buf, sizeof(buf)), 0);	/* nothing yet */
	ck_assert_int_eq(write(in[1], "ab", 2), 2);
	ck_assert_int_eq(term_read(&t, buf, sizeof(buf)), 2);
	ck_assert_mem_eq(buf, "ab", 2);
	close(in[1]);
	ck_assert_int_eq(term_read(&t, buf, sizeof(buf)), -1);	/* end of input */
	ck_assert_int_eq(fcntl(in[0], F_GETFL) & O_NONBLOCK, 0);	/* flags untouched */

	term_write(&t, (const uint8_t *)"xyz", 3);
	ck_assert_int_eq(read(out[0], got, sizeof(got)), 3);
	ck_assert_str_eq(got, "xyz");
	close(out[0]);
	term_write(&t, (const uint8_t *)"lost", 4);	/* EPIPE: dropped */
	close(in[0]);
	close(out[1]);
	t.in_fd = -1;
	ck_assert_int_eq(term_read(&t, buf, sizeof(buf)), -1);
}
END_TEST

Suite *vmrun_device_suite(void);
Suite *vmrun_device_suite(void)
{
	Suite *s = suite_create("vmrun devices");
	TCase *tc = tcase_create("ioport");

	tcase_add_test(tc, test_ioport_register_and_find);
	tcase_add_test(tc, test_ioport_overlap_rejected);
	tcase_add_test(tc, test_ioport_bad_ranges_and_full);
	tcase_add_test(tc, test_ioport_unclaimed);
	tcase_add_test(tc, test_ioport_split_and_whole);
	suite_add_tcase(s, tc);

	tc = tcase_create("uart");
	tcase_add_checked_fixture(tc, uart_setup, NULL);
	tcase_add_test(tc, test_uart_reset_state);
	tcase_add_test(tc, test_uart_transmit);
	tcase_add_test(tc, test_uart_dlab);
	tcase_add_test(tc, test_uart_scratch_mcr_ier_masks);
	tcase_add_test(tc, test_uart_iir);
	tcase_add_test(tc, test_uart_input_buffering);
	tcase_add_test(tc, test_uart_input_eof);
	tcase_add_test(tc, test_uart_loopback);
	tcase_add_test(tc, test_uart_overrun);
	tcase_add_test(tc, test_uart_through_table);
	suite_add_tcase(s, tc);

	tc = tcase_create("debug-exit and terminal");
	tcase_add_test(tc, test_debug_exit_status);
	tcase_add_test(tc, test_debug_exit_device);
	tcase_add_test(tc, test_term_pipe);
	suite_add_tcase(s, tc);
	return s;
}
