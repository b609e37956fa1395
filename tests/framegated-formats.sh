#!/bin/bash
# framegated encodes straight from each pixel format its cameras can have,
# in the guest (tests/run-guest, phase 2: enforcement armed): the worker
# hands TurboJPEG the camera's own bytes (encode.c), and what nginx stored
# decodes (djpeg) to the camera's colour.
#
#   vivid /dev/video0 (solid red)  -> [camera red,  FORMAT R] -> [a-live]
#   vivid /dev/video1 (solid blue) -> [camera blue, FORMAT B] -> [b-stills]
#   both --TLS 1.3--> 10.99.0.2:8443 (nginx, netns fgingest)
#
#   one framegated -d per pair (R, B): (UYVY, NV12), (RGB24, BGR24),
#   (GREY, GREY); YUYV is every other scenario's format. Then blue with
#   fps = driver: at the rate set on the node beforehand, not framegated's. A GREY camera
#   gives the colour's luma, full range with Rec. 709's weights (vivid's
#   sRGB input): red's is 0.2126 * 255 = 54, blue's 0.0722 * 255 = 18,
#   green's 182. The ranges below are those give or take 6 (JPEG's
#   rounding): they do not overlap, so a swapped camera fails them.
#
# Prints TAP, one line per check.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
fg_setup

echo "TAP version 13"
denied0=$(denials)

# The configuration of config_write with camera red in $1, blue in $2.
formats_set() {
	awk -v r="$1" -v b="$2" '
		/^\[camera red\]/ { c = r }
		/^\[camera blue\]/ { c = b }
		/^\[/ && !/^\[camera/ { c = "" }
		/^format = / && c != "" { print "format = " c; next }
		{ print }' "$work/framegated.conf.yuyv" >"$work/framegated.conf"
}

# No frame failed to encode (worker.c logs "camera C: frame N: reason")
# and no worker had to be started again.
encoded_all() {
	local s
	! grep -E 'camera (red|blue): frame [0-9]+: |cannot encode' "$work/log" ||
		return 1
	for s in "$(session_id a-live)" "$(session_id b-stills)"; do
		[ "$(stats "$s" errors_other)" = 0 ] &&
			[ "$(workers_started "$s")" = 1 ] || return 1
	done
}

cp "$work/framegated.conf" "$work/framegated.conf.yuyv"
# red's format, blue's, their fourccs (framegatectl cameras), colours
while read -r fr fb qr qb cr cb; do
	rm -rf "$work/store/a/"* "$work/store/b/"*
	formats_set "$fr" "$fb"
	fgd_start "$fgd"
	check "$fr and $fb: the parent starts" \
		eventually log_says 'started: 2 cameras, 2 sessions'
	check "$fr and $fb: both cameras attached in their format" \
		bash -c "$ctl cameras | grep -q ' $qr ' && $ctl cameras | grep -q ' $qb '"
	check "$fr and $fb: both tenants store frames" \
		eventually bash -c "[ \$(find '$work/store/a' -name '*.fgs' | wc -l) -ge 3 ] &&
			[ \$(find '$work/store/b' -name '*.fgs' | wc -l) -ge 2 ]"
	fgd_stop
	check "$fr and $fb: SIGTERM stops it cleanly" [ "$rc" = 0 ]
	check "$fr: every object of tenant a is $cr" objects_are a "$cr"
	check "$fb: every object of tenant b is $cb" objects_are b "$cb"
	check "$fr: a's worker acquired = uploaded + drops = stored" \
		balances "$(session_id a-live)" a 0
	check "$fb: b's worker acquired = uploaded + drops = stored" \
		balances "$(session_id b-stills)" b 0
	check "$fr and $fb: every frame encoded, by one worker each" encoded_all
	cp "$work/log" "$work/log.$fr.$fb"
done <<EOF
UYVY NV12 UYVY NV12 red blue
RGB24 BGR24 RGB3 BGR3 red blue
GREY GREY GREY GREY grey:48-60 grey:12-24
EOF
# A camera whose rate framegate does not set (fps = driver), as a media
# pipeline configured beforehand: blue at the 10 fps set on the node before
# framegated starts, tenant b's stills from it as before.
rm -rf "$work/store/a/"* "$work/store/b/"*
v4l2-ctl -d /dev/video1 --set-fmt-video=width=640,height=360,pixelformat=YUYV \
	--set-parm=10 >/dev/null
sed '/^\[camera blue\]/,/^$/ s/^fps = 30$/fps = driver/' \
	"$work/framegated.conf.yuyv" >"$work/framegated.conf"
fgd_start "$fgd"
check "fps = driver: the parent starts" \
	eventually log_says 'started: 2 cameras, 2 sessions'
check "fps = driver: blue is attached at its driver's rate" \
	log_says "camera blue: /dev/video1 attached as camera [0-9]+, 640x360 YUYV at its driver's rate"
check "fps = driver: framegatectl cameras says so" \
	outputs 'video1 +streaming +YUYV +640x360 +driver ' "$ctl" cameras
check "fps = driver: both tenants store frames" \
	eventually bash -c "[ \$(find '$work/store/a' -name '*.fgs' | wc -l) -ge 3 ] &&
		[ \$(find '$work/store/b' -name '*.fgs' | wc -l) -ge 2 ]"
fgd_stop
check "fps = driver: SIGTERM stops it cleanly" [ "$rc" = 0 ]
check "fps = driver: every object of tenant b is blue" objects_are b blue
check "fps = driver: b's worker acquired = uploaded + drops = stored" \
	balances "$(session_id b-stills)" b 0
check "no cell denied anything" [ "$(denials)" = "$denied0" ]
tap_end
