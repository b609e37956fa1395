#!/bin/bash
# Delivery and the temporal invariant on the buffer kinds of SoC camera
# drivers, in the guest (run by tests/run-guest): vivid reloaded as
#
#   dma-contig               allocators=1,1: physically contiguous DMA
#                            memory (vb2-dma-contig), not vmalloc
#   multi-planar             multiplanar=2,2: the nodes speak only the
#                            multi-planar API (rkisp1, imx8-isi, camss, mtk)
#   multi-planar dma-contig  both
#
# and for each, delivery_test and temporal_test against it, each of their
# results one check here (colour provenance, byte identity, ring
# accounting, the window holding nothing from before, revoke; on the
# multi-planar nodes also NV12M, YUV420M and NV16M plane by plane). vivid
# is reloaded with run-guest's devices (FG_VIVID_PARAMS) and loaded back
# as run-guest had it at the end.
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

# suite NAME VARIANT: runs tests/build/NAME, each of its results one check.
suite() {
	local t=$1 v=$2 rc=0 line
	timeout $((300 * ${FG_TIMEOUT_SCALE:-1})) "$top/tests/build/$t" \
		>"$work/$t.tap" 2>&1 || rc=$?
	grep -E '^(not )?ok [0-9]+ ' "$work/$t.tap" >"$work/$t.results" || true
	while read -r line; do
		n=$((n + 1))
		case $line in
		"not ok "*)
			echo "not ok $n $v: $t: ${line#not ok * }"
			failed=$((failed + 1))
			;;
		*)	echo "ok $n $v: $t: ${line#ok * }" ;;
		esac
	done <"$work/$t.results"
	check "$v: $t ran to its end (status $rc)" [ "$rc" = 0 ]
	[ "$rc" = 0 ] || sed 's/^/# /' "$work/$t.tap"
}

echo "TAP version 13"
for variant in "dma-contig:allocators=1,1" "multi-planar:multiplanar=2,2" \
	"multi-planar dma-contig:multiplanar=2,2 allocators=1,1"; do
	name=${variant%%:*}
	params=${variant#*:}
	echo "# $name: vivid $params"
	check "$name: vivid reloads with $params" vivid_reload "$params"
	case $params in
	*allocators=1,1*)
		check "$name: both instances allocate with vb2-dma-contig" \
			outputs '^1,1(,|$)' cat /sys/module/vivid/parameters/allocators ;;
	esac
	case $params in
	*multiplanar=2,2*)
		check "$name: both capture nodes are multi-planar only" \
			outputs '^2,2(,|$)' cat /sys/module/vivid/parameters/multiplanar ;;
	esac
	suite delivery_test "$name"
	suite temporal_test "$name"
done
tap_end
