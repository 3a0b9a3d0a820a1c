#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# detectors.sh RELEASE: the kernel command line that turns on the memory
# detectors Debian's kernel RELEASE carries, off by default (its
# /boot/config-RELEASE says which): SLUB debugging with red zones, poisoning,
# free-pointer checks and sanity checks (slub_debug=FZPU, CONFIG_SLUB_DEBUG),
# page poisoning (page_poison=1, CONFIG_PAGE_POISONING) and KFENCE sampling
# every 100 ms (CONFIG_KFENCE: 6.12, not 6.1). plan.sh's step
# memory_detectors checks in the host that each took effect.
set -euo pipefail

config=/boot/config-${1:?usage: detectors.sh RELEASE}
has() { grep -qx "CONFIG_$1=y" "$config"; }
args=()
has SLUB_DEBUG && args+=(slub_debug=FZPU)
has PAGE_POISONING && args+=(page_poison=1)
has KFENCE && args+=(kfence.sample_interval=100)
echo "${args[*]}"
