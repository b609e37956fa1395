#!/bin/bash
# framegated's worker sandbox, tried from inside a running worker, in the
# guest (tests/run-guest, phase 2: enforcement armed), against the ingest
# of tests/framegated-lib.sh.
#
#   vivid /dev/video0 (red)  -> [session a-live]   -> worker A, cell A
#   vivid /dev/video1 (blue) -> [session b-stills] -> worker B, cell B
#   both --TLS 1.3--> 10.99.0.2:8443 (nginx, netns fgingest)
#
#   the test build (tests/build/framegated-hooks/framegated: -T, which the
#   release build lacks) has worker A, after GO, try what a compromised
#   worker would: open /etc/passwd, execve, getcwd (each: killed by
#   seccomp before Landlock or the cell see it: SIGSYS, logged and counted
#   by the parent, a new worker streams), and a connect to the endpoint's
#   host on port 1 (refused by the cell: EACCES, one denied_connect)
#
# Prints TAP, one line per check.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
hooks=$top/tests/build/framegated-hooks/framegated
fg_setup

echo "TAP version 13"

no_hooks() {
	! strings "$fgd" | grep -q 'test action' &&
		strings "$hooks" | grep -q 'test action' &&
		! "$fgd" -T a-live:open -n -f "$work/framegated.conf" &&
		"$hooks" -T a-live:open -n -f "$work/framegated.conf"
}
check "the release framegated has no test hooks, no -T; the test build has" \
	no_hooks

tried_only() {
	grep -q "test action $action: trying it" "$work/log" &&
		[ "$(grep -c "test action $action:" "$work/log")" = 1 ]
}
streaming() { [ "$(grep -c "session $ida: streaming to" "$work/log")" = "$1" ]; }
kills_counted() {
	stats "$ida" worker seccomp_kills
	stats "$idb" worker seccomp_kills
	[ "$(stats "$ida" worker seccomp_kills | tr '\n' ,)" = '1 1,2 1,' ] &&
		[ "$(stats "$idb" worker seccomp_kills)" = '1 0' ]
}
for action in open exec getcwd; do
	fgd_start "$hooks" -T "a-live:$action"
	eventually log_says 'started: 2 cameras' || true
	ida=$(session_id a-live)
	idb=$(session_id b-stills)
	check "$action in worker A: killed by seccomp (SIGSYS), logged" \
		eventually log_says "session $ida: worker [0-9]+ killed by seccomp \(SIGSYS\)"
	check "$action: it was tried, and nothing came back from it" tried_only
	check "$action: the next worker of session a streams" \
		eventually streaming 2
	fgd_stop
	check "$action: seccomp_kills 1 on both of session a's workers' lines, 0 on b's" \
		kills_counted
done

c0=$(cat "$sys/denied_connect")
fgd_start "$hooks" -T a-live:connect
eventually log_says 'started: 2 cameras' || true
ida=$(session_id a-live)
check "connect in worker A to the endpoint's host, port 1: EACCES" \
	eventually log_says 'test action connect: port 1: Permission denied'
check "counted by the cell: denied_connect +1" \
	[ "$(($(cat "$sys/denied_connect") - c0))" = 1 ]
before=$(count_objects a)
lives_on() { eventually grown a $((before + 3)) && [ "$(workers_started "$ida")" = 1 ]; }
check "worker A lives on (started once) and streams" lives_on
fgd_stop
no_kill() { ! log_says 'killed by seccomp' && [ "$(stats "$ida" seccomp_kills)" = 0 ]; }
check "connect: no seccomp kill (seccomp_kills 0)" no_kill

tap_end
