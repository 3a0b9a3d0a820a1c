#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# detectors.sh RELEASE|CONFIG [WHICH]: the kernel command line that turns on
# the memory detectors Debian's kernel RELEASE carries, off by default (its
# /boot/config-RELEASE says which; or the .config CONFIG, a path, says). WHICH is "on" (every one the kernel has,
# the default), "off", or a comma-separated list of:
#   slub   SLUB debugging: sanity and free-pointer checks, red zones,
#          poisoning, owner tracking (slub_debug=FZPU, CONFIG_SLUB_DEBUG)
#   pages  page poisoning (page_poison=1, CONFIG_PAGE_POISONING)
#   kfence KFENCE sampling every 100 ms (CONFIG_KFENCE: 6.12, not 6.1)
# plan.sh's step memory_detectors checks in the host that each took effect.
set -euo pipefail

config=${1:?usage: detectors.sh RELEASE|CONFIG [on|off|slub,pages,kfence]}
case "$config" in */*) ;; *) config=/boot/config-$config ;; esac
which=${2:-on}
[ "$which" = on ] && which=slub,pages,kfence
[ "$which" = off ] && which=
has() { grep -qx "CONFIG_$1=y" "$config"; }
args=()
for d in ${which//,/ }; do
	case "$d" in
	slub) has SLUB_DEBUG && args+=(slub_debug=FZPU) ;;
	# init_on_alloc=1, Debian's default (boot-bochs.sh turns it off): page
	# poisoning then turns it off again and says so in dmesg (mm_init.c).
	pages) has PAGE_POISONING && args+=(page_poison=1 init_on_alloc=1) ;;
	kfence) has KFENCE && args+=(kfence.sample_interval=100) ;;
	*) echo "detectors.sh: unknown detector $d" >&2; exit 2 ;;
	esac
done
echo "${args[*]}"
