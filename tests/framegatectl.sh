#!/bin/bash
# framegatectl against live sessions, in the guest (run by tests/run-guest).
#
#   fgsessions: /dev/video0 -> camera -> session of tenant 1
#           /dev/video1 -> camera -> session of tenant 2
#   framegatectl: cameras, sessions, stats, --json, --prometheus, events,
#                 revoke (as root, and refused as nobody)
#
# Prints TAP, one line per check.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/daemon/framegatectl/framegatectl
work=$(mktemp -d)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"

cleanup() {
	[ -n "${demo:-}" ] && kill "$demo" 2>/dev/null && wait "$demo" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT

echo "TAP version 13"
# Long enough for every check below, on the slowest kernel too.
"$top/tests/build/fgsessions" $((30 * ${FG_TIMEOUT_SCALE:-1})) >"$work/demo.log" 2>&1 &
demo=$!
for _ in $(seq 50); do
	[ "$(cat /sys/kernel/framegate/sessions_active 2>/dev/null)" = 2 ] && break
	sleep 0.1
done
ids=$(ls /sys/kernel/framegate/sessions | sort -n)
id1=$(echo "$ids" | head -1)
id2=$(echo "$ids" | tail -1)

check "cameras lists both vivid nodes streaming" \
	outputs 'video0.*streaming' "$ctl" cameras
check "cameras --json names video1" \
	outputs '"device":"video1"' "$ctl" --json cameras
check "sessions --json shows session $id1 of tenant 1 active" \
	outputs "\"session_id\":$id1,\"tenant_id\":1,\"state\":\"active\"" \
	"$ctl" --json sessions
check "stats counts two active sessions" \
	outputs '^sessions_active +2$' "$ctl" stats
check "prometheus output has per-session delivered counters" \
	outputs "framegate_session_frames_delivered_total\\{session=\"$id2\",tenant=\"2\"\\} [0-9]+" \
	"$ctl" --prometheus stats

"$ctl" events -n 2 -t 10 >"$work/events" 2>&1 &
events=$!
sleep 1
check "revoke session $id1" "$ctl" revoke "$id1"
check "a second revoke is refused" \
	fails 1 'revoke.*already in progress' "$ctl" revoke "$id1"
check "sysfs says revoked" \
	outputs '^revoked$' cat "/sys/kernel/framegate/sessions/$id1/state"
check "sessions shows it revoked" \
	outputs "\"session_id\":$id1,\"tenant_id\":1,\"state\":\"revoked\"" \
	"$ctl" --json sessions
check "the other session is still active" \
	outputs '^active$' cat "/sys/kernel/framegate/sessions/$id2/state"
check "revoke of an unknown session says so" \
	fails 1 'No such file or directory' "$ctl" revoke 999999
check "revoke 0 is a usage error" fails 2 'usage' "$ctl" revoke 0
check "nobody may not revoke" \
	fails 1 'Operation not permitted' \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$ctl" revoke "$id2"
kill "$events" 2>/dev/null || true
wait "$events" 2>/dev/null || true
check "events saw the revoke" \
	outputs "session_revoked session_id=$id1 tenant_id=1" cat "$work/events"
kill "$demo" 2>/dev/null || true
wait "$demo" 2>/dev/null || true
demo=

tap_end
