// SPDX-License-Identifier: GPL-2.0-only
/*
 * The 8250/16550A UART model. Register behaviour follows the PC16550D data
 * sheet (section 8, "Registers"); values after reset are its Table IV, with
 * QEMU's 9600-baud divisor (12). What it does not model: the interrupt line,
 * character timing, break and parity/framing errors, modem status deltas.
 */
#include <string.h>

#include "serial.h"

#define SERIAL_RESET_DIVISOR	12	/* 115200 / 12 = 9600 baud */

void serial_init(struct serial *s, const struct serial_backend *be)
{
	memset(s, 0, sizeof(*s));
	s->be = *be;
	s->divisor = SERIAL_RESET_DIVISOR;
}

static unsigned int rx_capacity(const struct serial *s)
{
	return s->fcr & UART_FCR_ENABLE ? SERIAL_FIFO : 1;
}

static void rx_push(struct serial *s, uint8_t c)
{
	if (s->rx_count == rx_capacity(s)) {
		s->lsr_oe = UART_LSR_OE;	/* overrun: the byte is lost */
		return;
	}
	s->rx[(s->rx_head + s->rx_count) % SERIAL_FIFO] = c;
	s->rx_count++;
}

static void rx_clear(struct serial *s)
{
	s->rx_head = 0;
	s->rx_count = 0;
}

/* Takes what the backend has now into the FIFO; never blocks. */
static void rx_poll(struct serial *s)
{
	uint8_t buf[SERIAL_FIFO];
	ssize_t n, i;

	if (s->input_eof || !s->be.read || (s->mcr & UART_MCR_LOOP) ||
	    s->rx_count >= rx_capacity(s))
		return;
	n = s->be.read(s->be.ctx, buf, rx_capacity(s) - s->rx_count);
	if (n < 0) {
		s->input_eof = true;
		return;
	}
	for (i = 0; i < n; i++)
		rx_push(s, buf[i]);
	s->rx_bytes += n;
}

static uint8_t iir(struct serial *s)
{
	uint8_t fifo = s->fcr & UART_FCR_ENABLE ? UART_IIR_FIFO : 0;

	if ((s->ier & UART_IER_RLSI) && s->lsr_oe)
		return fifo | UART_IIR_RLSI;
	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return fifo | UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
		s->thr_ipending = false;	/* reading IIR acknowledges it */
		return fifo | UART_IIR_THRI;
	}
	return fifo | UART_IIR_NO_INT;
}

static uint8_t msr(const struct serial *s)
{
	uint8_t m = 0;

	if (!(s->mcr & UART_MCR_LOOP))	/* a peer is always connected */
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	if (s->mcr & UART_MCR_DTR)
		m |= UART_MSR_DSR;
	if (s->mcr & UART_MCR_RTS)
		m |= UART_MSR_CTS;
	if (s->mcr & UART_MCR_OUT1)
		m |= UART_MSR_RI;
	if (s->mcr & UART_MCR_OUT2)
		m |= UART_MSR_DCD;
	return m;
}

enum io_action serial_in(void *opaque, uint16_t off, unsigned int size,
			 uint32_t *val)
{
	struct serial *s = opaque;
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v = 0;

	(void)size;	/* byte registers: the table splits wider accesses */
	switch (off) {
	case UART_RBR:
		if (dlab) {
			v = s->divisor & 0xff;
			break;
		}
		rx_poll(s);
		if (s->rx_count) {
			s->rbr = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % SERIAL_FIFO;
			s->rx_count--;
		}
		v = s->rbr;	/* empty: the last byte again, as hardware does */
		break;
	case UART_IER:
		v = dlab ? s->divisor >> 8 : s->ier;
		break;
	case UART_IIR:
		rx_poll(s);
		v = iir(s);
		break;
	case UART_LCR:
		v = s->lcr;
		break;
	case UART_MCR:
		v = s->mcr;
		break;
	case UART_LSR:
		rx_poll(s);
		v = UART_LSR_THRE | UART_LSR_TEMT | s->lsr_oe |
		    (s->rx_count ? UART_LSR_DR : 0);
		s->lsr_oe = 0;		/* reading LSR clears the error bits */
		break;
	case UART_MSR:
		v = msr(s);
		break;
	case UART_SCR:
		v = s->scr;
		break;
	}
	*val = v;
	return IO_CONTINUE;
}

enum io_action serial_out(void *opaque, uint16_t off, unsigned int size,
			  uint32_t val)
{
	struct serial *s = opaque;
	bool dlab = s->lcr & UART_LCR_DLAB;
	uint8_t v = val;

	(void)size;
	switch (off) {
	case UART_THR:
		if (dlab) {
			s->divisor = (s->divisor & 0xff00) | v;
			break;
		}
		if (s->mcr & UART_MCR_LOOP) {
			rx_push(s, v);
		} else {
			if (s->be.write)
				s->be.write(s->be.ctx, &v, 1);
			s->tx_bytes++;
		}
		s->thr_ipending = true;	/* sent at once: THR is empty again */
		break;
	case UART_IER:
		if (dlab) {
			s->divisor = (s->divisor & 0x00ff) | (uint16_t)v << 8;
			break;
		}
		/* Enabling THRI while THR is empty raises it (as QEMU does). */
		if (!(s->ier & UART_IER_THRI) && (v & UART_IER_THRI))
			s->thr_ipending = true;
		s->ier = v & 0x0f;
		break;
	case UART_FCR:
		if ((v ^ s->fcr) & UART_FCR_ENABLE)	/* switching FIFOs clears them */
			rx_clear(s);
		if (v & UART_FCR_CLEAR_RCVR)
			rx_clear(s);
		s->fcr = v & 0xc9;	/* enable, DMA mode, trigger level */
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default:	/* LSR, MSR: factory test only */
		break;
	}
	return IO_CONTINUE;
}

int serial_register(struct serial *s, struct ioport_table *t, uint16_t base,
		    struct err *e)
{
	const struct ioport_dev dev = {
		.name = "serial (8250 UART)",
		.base = base,
		.len = SERIAL_NPORTS,
		.widths = IO_WIDTH(1),
		.in = serial_in,
		.out = serial_out,
		.opaque = s,
	};

	return ioport_register(t, &dev, e);
}
