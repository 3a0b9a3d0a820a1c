/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * An 8250/16550A UART (National Semiconductor PC16550D data sheet), polled:
 * no interrupt line yet, but IIR reports what would be pending. Transmit is
 * instant (LSR.THRE and TEMT always set); received bytes come from a
 * non-blocking backend into a 16-byte FIFO (1 byte with the FIFO off).
 */
#ifndef VMRUN_SERIAL_H
#define VMRUN_SERIAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ioport.h"

#define SERIAL_COM1		0x3f8
#define SERIAL_NPORTS		8
#define SERIAL_FIFO		16

/* Register offsets; DLAB is LCR bit 7. */
#define UART_RBR		0	/* in, DLAB=0 */
#define UART_THR		0	/* out, DLAB=0 */
#define UART_DLL		0	/* DLAB=1 */
#define UART_IER		1	/* DLAB=0 */
#define UART_DLM		1	/* DLAB=1 */
#define UART_IIR		2	/* in */
#define UART_FCR		2	/* out */
#define UART_LCR		3
#define UART_MCR		4
#define UART_LSR		5
#define UART_MSR		6
#define UART_SCR		7

#define UART_IER_RDI		0x01
#define UART_IER_THRI		0x02
#define UART_IER_RLSI		0x04
#define UART_IER_MSI		0x08
#define UART_IIR_NO_INT		0x01
#define UART_IIR_THRI		0x02
#define UART_IIR_RDI		0x04
#define UART_IIR_RLSI		0x06
#define UART_IIR_FIFO		0xc0	/* FIFOs enabled */
#define UART_FCR_ENABLE		0x01
#define UART_FCR_CLEAR_RCVR	0x02
#define UART_FCR_CLEAR_XMIT	0x04
#define UART_LCR_DLAB		0x80
#define UART_MCR_DTR		0x01
#define UART_MCR_RTS		0x02
#define UART_MCR_OUT1		0x04
#define UART_MCR_OUT2		0x08
#define UART_MCR_LOOP		0x10
#define UART_LSR_DR		0x01
#define UART_LSR_OE		0x02
#define UART_LSR_THRE		0x20
#define UART_LSR_TEMT		0x40
#define UART_MSR_CTS		0x10
#define UART_MSR_DSR		0x20
#define UART_MSR_RI		0x40
#define UART_MSR_DCD		0x80

struct serial_backend {
	/* Non-blocking: bytes read (0: none now), or -1: no more input ever. */
	ssize_t (*read)(void *ctx, uint8_t *buf, size_t len);
	void (*write)(void *ctx, const uint8_t *buf, size_t len);
	void *ctx;
};

struct serial {
	struct serial_backend be;
	uint16_t divisor;
	uint8_t ier, lcr, mcr, scr, fcr, lsr_oe, rbr;
	bool thr_ipending;	/* "THR empty" interrupt pending until IIR read */
	bool input_eof;
	uint8_t rx[SERIAL_FIFO];
	unsigned int rx_head, rx_count;
	unsigned long tx_bytes, rx_bytes;
};

void serial_init(struct serial *s, const struct serial_backend *be);
int serial_register(struct serial *s, struct ioport_table *t, uint16_t base,
		    struct err *e);

/* The port handlers (byte accesses), for the dispatch table and the tests. */
enum io_action serial_in(void *opaque, uint16_t off, unsigned int size,
			 uint32_t *val);
enum io_action serial_out(void *opaque, uint16_t off, unsigned int size,
			  uint32_t val);

#endif /* VMRUN_SERIAL_H */
