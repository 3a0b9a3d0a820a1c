// SPDX-License-Identifier: GPL-2.0
/*
 * Builds Linux's PVH struct hvm_start_info from GRUB's multiboot (v1) boot
 * information: memory map, command line, the initrd as module 0, and the
 * ACPI RSDP. Everything lives in the stub's own .bss, below the kernel's
 * load address; the kernel copies what it needs before it allocates memory
 * (start_info in head.S, memmap/modlist in xen_prepare_pvh(), the command
 * line in copy_bootdata()).
 *
 * On error it says why on COM1 (the kernel console log) and asks Bochs to
 * quit through its shutdown port, so a broken boot ends at once.
 */
#include "multiboot.h"
#include "start_info.h"

#define COM1		0x3f8
#define BOCHS_SHUTDOWN	0x8900		/* Bochs: write "Shutdown" to quit */

#define MAX_MEMMAP	128
#define CMDLINE_SIZE	2048		/* x86 COMMAND_LINE_SIZE */

/* Linker symbol (--defsym): the kernel's XEN_ELFNOTE_PHYS32_ENTRY. */
extern char pvh_entry[];

static struct hvm_start_info start_info;
static struct hvm_memmap_table_entry memmap[MAX_MEMMAP];
static struct hvm_modlist_entry modlist[1];
static char cmdline[CMDLINE_SIZE];

static inline void outb(u8 val, u16 port)
{
	asm volatile("outb %0, %1" : : "a"(val), "Nd"(port));
}

static inline u8 inb(u16 port)
{
	u8 val;

	asm volatile("inb %1, %0" : "=a"(val) : "Nd"(port));
	return val;
}

/* GRUB has set COM1 up already ("serial --unit=0"); just wait for THRE. */
static void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(c, COM1);
}

static void serial_puts(const char *s)
{
	for (; *s; s++) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s);
	}
}

static void serial_puthex(u32 v)
{
	int shift;

	serial_puts("0x");
	for (shift = 28; shift >= 0; shift -= 4)
		serial_putc("0123456789abcdef"[(v >> shift) & 0xf]);
}

static void __attribute__((noreturn)) die(const char *why)
{
	const char *s;

	serial_puts("pvh-stub: error: ");
	serial_puts(why);
	serial_puts("\n");
	for (s = "Shutdown"; *s; s++)
		outb(*s, BOCHS_SHUTDOWN);
	for (;;)
		asm volatile("cli; hlt");
}

/* gcc may emit calls to these even with -ffreestanding. */
void *memset(void *dst, int c, __SIZE_TYPE__ n)
{
	u8 *d = dst;

	while (n--)
		*d++ = c;
	return dst;
}

void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n)
{
	u8 *d = dst;
	const u8 *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

/*
 * Paging is off: a physical address is a pointer. Going through asm keeps
 * gcc from treating small constants (the BIOS data area) as bad pointers
 * (-Warray-bounds in gcc 12).
 */
static inline const void *phys(u32 addr)
{
	const void *p;

	asm("" : "=r"(p) : "0"(addr));
	return p;
}

/* Multiboot 3.3 types are E820's; anything unknown is reserved. */
static u32 memmap_type(u32 mb_type)
{
	switch (mb_type) {
	case MB_MEMORY_AVAILABLE:
		return XEN_HVM_MEMMAP_TYPE_RAM;
	case MB_MEMORY_ACPI:
		return XEN_HVM_MEMMAP_TYPE_ACPI;
	case MB_MEMORY_NVS:
		return XEN_HVM_MEMMAP_TYPE_NVS;
	case MB_MEMORY_BADRAM:
		return XEN_HVM_MEMMAP_TYPE_UNUSABLE;
	default:
		return XEN_HVM_MEMMAP_TYPE_RESERVED;
	}
}

static void add_memmap(u64 addr, u64 size, u32 type)
{
	struct hvm_memmap_table_entry *e;

	if (start_info.memmap_entries == MAX_MEMMAP)
		die("memory map too long");
	e = &memmap[start_info.memmap_entries++];
	e->addr = addr;
	e->size = size;
	e->type = type;
}

/*
 * PVH: version 0 has no memory map and a non-Xen kernel BUG()s on it
 * (init_pvh_bootparams()), so version 1 with a map is mandatory. Prefer the
 * BIOS E820 map GRUB passes (multiboot 3.3, flags bit 6); fall back to the
 * two sizes of flags bit 0.
 */
static void build_memmap(const struct multiboot_info *mbi)
{
	u32 p, end;

	if (mbi->flags & MBI_MMAP) {
		end = mbi->mmap_addr + mbi->mmap_length;
		for (p = mbi->mmap_addr; p < end;) {
			const struct multiboot_mmap_entry *e = phys(p);

			add_memmap(e->addr, e->len, memmap_type(e->type));
			p += e->size + sizeof(e->size);
		}
	} else if (mbi->flags & MBI_MEMORY) {
		add_memmap(0, (u64)mbi->mem_lower << 10,
			   XEN_HVM_MEMMAP_TYPE_RAM);
		add_memmap(1 << 20, (u64)mbi->mem_upper << 10,
			   XEN_HVM_MEMMAP_TYPE_RAM);
	}
	if (!start_info.memmap_entries)
		die("no memory map from the boot loader");
	start_info.memmap_paddr = (u32)memmap;
}

/*
 * Multiboot 3.3 leaves open what the command line holds: GRUB 2 passes only
 * the arguments after the image's path (grub_cmd_multiboot() skips it),
 * GRUB Legacy and others put the path first. A kernel parameter never
 * starts with '/', so drop a leading path word if there is one.
 */
static void build_cmdline(const struct multiboot_info *mbi)
{
	const char *s = "";
	unsigned int i;

	if (mbi->flags & MBI_CMDLINE)
		s = phys(mbi->cmdline);
	if (*s == '/') {
		while (*s && *s != ' ')
			s++;
		while (*s == ' ')
			s++;
	}
	for (i = 0; s[i] && i < CMDLINE_SIZE - 1; i++)
		cmdline[i] = s[i];
	if (s[i])
		die("command line too long");
	cmdline[i] = '\0';
	start_info.cmdline_paddr = (u32)cmdline;
}

/* PVH: "The first module is always ramdisk" (init_pvh_bootparams()). */
static void build_modlist(const struct multiboot_info *mbi)
{
	const struct multiboot_module *mod;

	if (!(mbi->flags & MBI_MODS) || !mbi->mods_count)
		return;
	mod = phys(mbi->mods_addr);
	modlist[0].paddr = mod->mod_start;
	modlist[0].size = mod->mod_end - mod->mod_start;
	start_info.nr_modules = 1;
	start_info.modlist_paddr = (u32)modlist;
}

static int rsdp_valid(const u8 *p)
{
	static const char sig[8] = "RSD PTR ";
	u8 sum = 0;
	int i;

	for (i = 0; i < 8; i++)
		if (p[i] != (u8)sig[i])
			return 0;
	/* ACPI 5.2.5.3: the first 20 bytes (the ACPI 1.0 part) sum to 0. */
	for (i = 0; i < 20; i++)
		sum += p[i];
	return sum == 0;
}

static u32 scan_rsdp(u32 start, u32 len)
{
	u32 p;

	for (p = start; p < start + len; p += 16)
		if (rsdp_valid(phys(p)))
			return p;
	return 0;
}

/*
 * ACPI 5.2.5.1: on a legacy BIOS the RSDP sits on a 16-byte boundary in
 * the first KiB of the EBDA (segment at 0x40e) or in 0xe0000-0xfffff.
 * Multiboot v1 does not pass it, so look for it the same way. Not fatal:
 * with rsdp_paddr 0 the kernel scans for itself.
 */
static void find_rsdp(void)
{
	u32 ebda = (u32)*(const volatile u16 *)phys(0x40e) << 4;
	u32 rsdp = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		rsdp = scan_rsdp(ebda, 1024);
	if (!rsdp)
		rsdp = scan_rsdp(0xe0000, 0x20000);
	start_info.rsdp_paddr = rsdp;
}

/* Called from entry.S; returns the start_info to pass in EBX. */
struct hvm_start_info *build_start_info(u32 magic,
					const struct multiboot_info *mbi);

struct hvm_start_info *build_start_info(u32 magic,
					const struct multiboot_info *mbi)
{
	if (magic != MB_BOOTLOADER_MAGIC)
		die("not started by a multiboot loader");

	start_info.magic = XEN_HVM_START_MAGIC_VALUE;
	start_info.version = 1;
	build_memmap(mbi);
	build_cmdline(mbi);
	build_modlist(mbi);
	find_rsdp();

	serial_puts("pvh-stub: entry ");
	serial_puthex((u32)pvh_entry);
	serial_puts(" initrd ");
	serial_puthex((u32)modlist[0].paddr);
	serial_puts("+");
	serial_puthex((u32)modlist[0].size);
	serial_puts(" memmap ");
	serial_puthex(start_info.memmap_entries);
	serial_puts(" rsdp ");
	serial_puthex((u32)start_info.rsdp_paddr);
	serial_puts("\n");
	return &start_info;
}
