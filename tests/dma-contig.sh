#!/bin/bash
# Delivery and the temporal invariant on capture buffers that vb2-dma-contig
# allocates, as an SoC's ISP has them, in the guest (run by tests/run-guest).
#
#   vivid allocators=1,1   /dev/video0, /dev/video1: physically contiguous
#         |                DMA memory (vb2-dma-contig), not vmalloc
#   framegate -> sessions  delivery_test, temporal_test: each of their
#                          results is one check here
#
# vivid is reloaded with run-guest's devices (FG_VIVID_PARAMS) and
# dma-contig buffers, and loaded back as run-guest had it at the end.
#
# Prints TAP, one line per check.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
vivid_params=${FG_VIVID_PARAMS:?run by tests/run-guest, which sets FG_VIVID_PARAMS}
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

# shellcheck disable=SC2086 # the parameters are words
cleanup() {
	rmmod vivid 2>/dev/null || true
	modprobe vivid $vivid_params
	rm -rf "$work"
}
trap cleanup EXIT

# Reloads vivid with extra parameters $1 and waits for its capture nodes.
# shellcheck disable=SC2086
vivid_reload() {
	rmmod vivid && modprobe vivid $vivid_params $1 || return 1
	for _ in $(seq 50); do
		[ -c /dev/video0 ] && [ -c /dev/video1 ] && return 0
		sleep 0.1
	done
	return 1
}

# suite NAME: runs tests/build/NAME, each of its results one check.
suite() {
	local t=$1 rc=0 line
	timeout $((300 * ${FG_TIMEOUT_SCALE:-1})) "$top/tests/build/$t" \
		>"$work/$t.tap" 2>&1 || rc=$?
	grep -E '^(not )?ok [0-9]+ ' "$work/$t.tap" >"$work/$t.results" || true
	while read -r line; do
		n=$((n + 1))
		case $line in
		"not ok "*)
			echo "not ok $n $t: ${line#not ok * }"
			failed=$((failed + 1))
			;;
		*)	echo "ok $n $t: ${line#ok * }" ;;
		esac
	done <"$work/$t.results"
	check "$t ran to its end (status $rc)" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || sed 's/^/# /' "$work/$t.tap"
}

echo "TAP version 13"
check "vivid reloads with dma-contig buffers" vivid_reload allocators=1,1
check "both instances allocate with vb2-dma-contig" \
	outputs '^1,1(,|$)' cat /sys/module/vivid/parameters/allocators
suite delivery_test
suite temporal_test
tap_end
