# SPDX-License-Identifier: GPL-2.0-only
# vmrun's sources but main.c: the Makefile here links them into vmrun, and
# tests/test_vmrun.mk into the unit tests.
VMRUN_LIB_SRCS := options.c info.c err.c vm.c vcpu.c boot.c image.c \
	loader_flat.c loader_multiboot.c multiboot_info.c elf32.c ioport.c \
	serial.c term.c debug_exit.c stop.c run.c report.c
