#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# kernel.sh SERIES: the newest installed Debian kernel release of a series
# (6.1 or 6.12), e.g. 6.1.0-56-amd64. Never hard-code the ABI number: it moves
# with every Debian point release.
set -euo pipefail

case "${1:-}" in
6.1)	glob='6.1.0-*-amd64' ;;
6.12)	glob='6.12.*+deb12-amd64' ;;
*)	echo "usage: $0 6.1|6.12" >&2; exit 2 ;;
esac

rel=$(cd /boot && ls -d vmlinuz-$glob 2>/dev/null | sed 's/^vmlinuz-//' | sort -V | tail -n 1)
if [ -z "$rel" ]; then
	echo "kernel.sh: no Debian $1 kernel in /boot (make deps installs it)" >&2
	exit 1
fi
for need in "/usr/src/linux-headers-$rel" "/lib/modules/$rel/kernel"; do
	if [ ! -d "$need" ]; then
		echo "kernel.sh: $need missing for $rel" >&2
		exit 1
	fi
done
echo "$rel"
