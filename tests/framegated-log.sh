#!/bin/bash
# framegated's log under syslog (no -d): the workers' lines reach it through
# the parent, and a worker cannot flood it, in the guest (tests/run-guest,
# phase 2: enforcement armed), against the ingest of tests/framegated-lib.sh.
#
#   vivid /dev/video0 (red)  -> [session a-live]   -> worker A, cell A
#   vivid /dev/video1 (blue) -> [session b-stills] -> worker B, cell B
#   both --TLS 1.3--> 10.99.0.2:8443 (nginx, netns fgingest)
#
#   /dev/log: a datagram socket of this script (python3), written to
#   $work/syslog one line per message, as syslog(3) sent it
#
#   the workers' cells refuse them /dev/log: what they log goes to the
#   parent (PROC_MSG_LOG), which writes it behind "worker SESSION: ".
#   The test build's worker A (-T a-live:logflood, which the release
#   build lacks) logs 2000 lines at once with a newline, an escape and a
#   byte above 0x7e in each: the parent writes a burst of them (50) with
#   those bytes as '?', suppresses and counts the rest, and both sessions
#   stream on.
#
# Prints TAP, one line per check.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
hooks=$top/tests/build/framegated-hooks/framegated
fg_setup

echo "TAP version 13"

# /dev/log, kept by python3 until killed; syslog(3) of the parent connects
# to it when it starts.
syslog_start() {
	rm -f /dev/log
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
out = open(sys.argv[1], "ab", buffering=0)
print("ready", flush=True)
while True:
	out.write(s.recv(65536).rstrip(b"\0\n") + b"\n")
' "$work/syslog" >"$work/syslog.ready" &
	syslog_pid=$!
	eventually grep -q ready "$work/syslog.ready"
}
syslog_says() { grep -qE -- "$1" "$work/syslog"; }
# The daemonised parent: the process running the hooks build's image.
daemon_pid() { pgrep -o -x -f "$hooks -T a-live:logflood -f $work/framegated.conf"; }

syslog_pid=
trap 'kill "$syslog_pid" 2>/dev/null; rm -f /dev/log; cleanup' EXIT
: >"$work/syslog"
syslog_start
c0=$(denials)
"$hooks" -T a-live:logflood -f "$work/framegated.conf" 2>"$work/stderr"
check "framegated without -d daemonises; its stderr says nothing" \
	eventually daemon_pid
[ -s "$work/stderr" ] && cat "$work/stderr" >&2
pid=$(daemon_pid)
check "the parent logs to syslog" \
	eventually syslog_says "framegated\[$pid\]: parent: started: 2 cameras, 2 sessions"
ida=$(grep -oE "session a-live: session [0-9]+" "$work/syslog" | awk '{ print $4 }')
idb=$(grep -oE "session b-stills: session [0-9]+" "$work/syslog" | awk '{ print $4 }')
check "worker A's line reaches syslog through the parent, named" \
	eventually syslog_says "framegated\[$pid\]: worker a-live: session $ida: streaming to 10.99.0.2:8443 as tenant a\$"
check "and worker B's" \
	eventually syslog_says "framegated\[$pid\]: worker b-stills: session $idb: streaming to"
check "worker A's flood: started" \
	eventually syslog_says "worker a-live: test action logflood: trying it"

flood() { grep -c "worker a-live: test action logflood: line " "$work/syslog"; }
held() {
	grep -oE "session a-live: [0-9]+ lines of its worker's log suppressed" \
		"$work/syslog" | awk '{ s += $3 } END { print s + 0 }'
}
before=$(count_objects a)
beforeb=$(count_objects b)
check "after the flood, both tenants' workers still stream" \
	eventually bash -c "[ \$(find '$work/store/a' -name '*.fgs' | wc -l) -ge $((before + 5)) ] &&
		[ \$(find '$work/store/b' -name '*.fgs' | wc -l) -gt $beforeb ]"
written=$(flood)
# What came before the flood took part of the burst.
check "a burst of the flood is written: 40..50 of 2000 lines ($written)" \
	bash -c "[ $written -ge 40 ] && [ $written -le 50 ]"
first=$(grep -m1 "worker a-live: test action logflood: line " "$work/syslog")
check "each one line, its newline, escape and 0xff as '?'" \
	[ "${first#*: worker a-live: }" = 'test action logflood: line 0??[31m?' ]
check "no control byte and nothing above 0x7e in the whole log" \
	bash -c "! LC_ALL=C grep -q '[^ -~]' '$work/syslog'"

kill -TERM "$pid"
check "SIGTERM: the parent stops" eventually bash -c "! kill -0 $pid"
pid=
check "the rest was suppressed, said, and counted: 2000 - written + 1 (done)" \
	[ "$(held)" = $((2001 - written)) ]
logged_suppressed() {
	grep "session $ida: acquired" "$work/syslog" | tail -1 |
		grep -oE 'log_suppressed [0-9]+' | awk '{ print $2 }'
}
check "the session's stats line counts them: log_suppressed $((2001 - written))" \
	[ "$(logged_suppressed)" = $((2001 - written)) ]
check "no worker was killed for its log (no bad message, no seccomp)" \
	bash -c "! grep -qE 'a bad message|killed by seccomp' '$work/syslog'"
check "no cell denied anything: the workers never tried /dev/log" \
	[ "$(denials)" = "$c0" ]
check "nothing of the workers' was lost: both stats lines logged" \
	bash -c "[ \$(grep -cE 'session ($ida|$idb): acquired' '$work/syslog') = 2 ]"

tap_end
