#!/bin/bash
# framegated's parent against the real module and cell programs, in the
# guest (run by tests/run-guest in phase 2: enforcement armed).
#
#   vivid /dev/video0 (solid red)  -> [camera red]  -> [session a-live]
#   vivid /dev/video1 (solid blue) -> [camera blue] -> [session b-stills]
#   each session's worker, in its cell, as nobody, sandboxed:
#        JPEG, sealed to its tenant's public key, HTTPS PUT with its
#        tenant's client certificate
#   veth fgingest-a 10.99.0.1 --- fgingest-b 10.99.0.2, netns fgingest:
#        nginx, TLS 1.3 only, client certificates required,
#        /a/ writable by tenant a's certificate only, /b/ by b's only
#   framegated -d:   attaches both, creates both sessions, their cells and
#                    endpoints, starts the workers; SIGTERM takes it all
#                    down; what nginx stored opens with its tenant's key
#                    alone (framegate-open, and Python's cryptography) and
#                    decodes (djpeg) to the colour of the tenant's camera,
#                    one object per upload counted
#   a crash (SIGKILL) leaves cells; the next parent removes them first
#   a bad configuration starts nothing
#
# Prints TAP, one line per check.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
fg_setup

echo "TAP version 13"
created0=$(cat "$sys/sessions_created")
denied0=$(denials)

check "framegated -n says configuration OK" \
	"$fgd" -n -f "$work/framegated.conf"

"$fgd" -d -f "$work/framegated.conf" >"$work/log" 2>&1 &
pid=$!
check "the parent starts" eventually log_says 'started: 2 cameras, 2 sessions'
check "both cameras are attached" sysfs_is cameras_attached 2
check "both sessions are active" sysfs_is sessions_active 2
check "two sessions were created" \
	[ "$(($(cat "$sys/sessions_created") - created0))" = 2 ]
check "each session has its cell" [ "$(cells)" = 2 ]
check "each cell has its tenant's endpoint" \
	[ "$("$ctl" endpoint list | grep -c '10\.99\.0\.2 *8443')" = 2 ]
check "both workers are sandboxed (READY)" \
	eventually bash -c "[ \$(grep -c 'sandboxed (Landlock ABI' '$work/log') = 2 ]"
check "tenant a's live frames reach the ingest" \
	eventually bash -c "[ \$(find '$work/store/a' -name '*.fgs' | wc -l) -ge 5 ]"
check "tenant b's stills reach the ingest" \
	eventually bash -c "[ \$(find '$work/store/b' -name '*.fgs' | wc -l) -ge 2 ]"
check "the workers run as nobody in their cells" \
	bash -c 'for c in /sys/fs/cgroup/framegate/session-*; do
		p=$(head -1 $c/cgroup.procs); [ -n "$p" ] &&
		[ "$(stat -c %u /proc/$p)" = 65534 ] || exit 1; done'
check "a SIGHUP is logged and changes nothing" \
	bash -c "kill -HUP $pid && sleep 1 && grep -q 'SIGHUP' '$work/log' &&
		 [ \"\$(cat $sys/sessions_active)\" = 2 ]"

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
check "SIGTERM stops it cleanly (exit $rc)" [ "$rc" = 0 ]
check "it says so" log_says 'stopped: every cell removed'
check "no cell is left" [ "$(cells)" = 0 ]
check "no endpoint is left" \
	bash -c "! '$ctl' endpoint list | grep -q '10\.99\.0\.2'"
check "no camera is left attached" sysfs_is cameras_attached 0
check "no session is left active" sysfs_is sessions_active 0
check "enforcement stays armed" sysfs_is enforcement armed
ida=$(session_id a-live)
idb=$(session_id b-stills)
check "every object of tenant a is red" objects_are a red
check "every object of tenant b is blue" objects_are b blue
check "Python's cryptography opens every object of a, to the same JPEG" \
	sealed_py_opens a
check "and every object of b" sealed_py_opens b
check "b's key opens none of a's objects: another tenant's, each" \
	other_key_refuses a b
check "a's key opens none of b's" other_key_refuses b a
check "session a: acquired = uploaded + dropped, uploaded = stored" \
	balances "$ida" a
check "session b: acquired = uploaded + dropped, uploaded = stored" \
	balances "$idb" b
check "the workers needed nothing the cells refuse" \
	[ "$(denials)" = "$denied0" ]

# A crash: the kernel closes the sessions, the cells stay.
"$fgd" -d -f "$work/framegated.conf" >"$work/log" 2>&1 &
pid=$!
check "a second parent starts" eventually log_says 'started: 2 cameras'
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pid=
check "a killed parent leaves its two cells" [ "$(cells)" = 2 ]
"$fgd" -d -f "$work/framegated.conf" >"$work/log" 2>&1 &
pid=$!
check "the next parent starts" eventually log_says 'started: 2 cameras'
check "it removed both cells of the killed one first" \
	[ "$(grep -c 'left by an earlier parent' "$work/log")" = 2 ]
check "and made its own two" [ "$(cells)" = 2 ]
kill -TERM "$pid"
wait "$pid" || true
pid=
check "and leaves none" [ "$(cells)" = 0 ]

# Nothing is started from a bad configuration.
sed 's|^device = /dev/video1$|device = /dev/null|' "$work/framegated.conf" \
	>"$work/bad.conf"
rc=0
"$fgd" -d -f "$work/bad.conf" >"$work/log" 2>&1 || rc=$?
check "a bad configuration fails (exit $rc)" [ "$rc" = 1 ]
check "naming the line" log_says "bad.conf:[0-9]+: device: /dev/null"
check "and starts nothing" bash -c "[ \$(cat $sys/cameras_attached) = 0 ] &&
	[ \$(ls -d /sys/fs/cgroup/framegate/session-* 2>/dev/null | wc -l) = 0 ]"

tap_end
