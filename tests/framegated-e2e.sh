#!/bin/bash
# Sealed frames end to end, in the guest (tests/run-guest, phase 2:
# enforcement armed): two tenants, two cameras, stills and live, through
# framegated to nginx, under a bad network and faults, with the seed's bug
# (a mixed-up cache) reproduced; then every stored object is verified with
# its tenant's key (invariant I9).
#
#   vivid /dev/video0 (red)  -> a-live (2 fps), a-stills (every 2 s)
#        workers in cells --TLS 1.3, tenant a's cert--> fgingest-a (netem)
#        --> 10.99.0.2:8443 /a/   (nginx, netns fgingest)
#   vivid /dev/video1 (blue) -> b-live (2 fps), b-stills (every 2 s)
#        workers in cells --TLS 1.3, tenant b's cert--> fgingest-c (netem)
#        --> 10.98.0.2:8443 /b/   (the same nginx, another path)
#   GET /b/mixed/ with b's certificate: a's store, served to b (the bug)
#
#   weather   on each tenant's path, one after the other: 30 % loss, 2 s
#             delay, a rate limit, a partition of 10-30 s, all at once
#   faults    worker SIGKILL x 3; a-stills revoked while its upload is in
#             the network; camera blue lost (vivid's Disconnect) and back;
#             the parent SIGKILLed and started again; SIGHUP without
#             tenant b, then with it again
#   verdict   per tenant, every stored object opens with its own key and
#             no other, decodes to its camera's colour, in sequence order,
#             captured within its session's life; b's viewer refuses every
#             object of a's the cache served it; the workers' counters
#             balance exactly and match what is stored
#
# Prints TAP, one line per check, and the counts as comments.
set -eu

# shellcheck disable=SC2034 # read by framegated-lib.sh
ingest_mixed=1
# shellcheck source=tests/framegated-lib.sh
. "$(dirname "$0")/framegated-lib.sh"
e2e=$top/tests/lib/e2e.py

now_ns() { date +%s%N; }

# The configuration: both cameras, four sessions; tenant b on the second
# path. Without tenant b (and its sessions) when $1 is "a-only".
e2e_config() {
	cat >"$work/framegated.conf" <<EOF
[camera red]
device = /dev/video0
format = YUYV
width = 640
height = 360
fps = 30

[camera blue]
device = /dev/video1
format = YUYV
width = 640
height = 360
fps = 30

[tenant a]
url = https://10.99.0.2:8443/a
ca = $work/ica.crt
cert = $work/a.crt
key = $work/a.key
public_key = $(cat "$work/a.seal.b64")

[session a-live]
tenant = a
cameras = red
mode = live
rate = 2

[session a-stills]
tenant = a
cameras = red
mode = stills
interval = 2
EOF
	[ "${1:-}" = a-only ] && return 0
	cat >>"$work/framegated.conf" <<EOF

[tenant b]
url = https://10.98.0.2:8443/b
ca = $work/ica.crt
cert = $work/b.crt
key = $work/b.key
public_key = $(cat "$work/b.seal.b64")

[session b-live]
tenant = b
cameras = blue
mode = live
rate = 2

[session b-stills]
tenant = b
cameras = blue
mode = stills
interval = 2
EOF
}

# The id session $1 has now (the parent's current log).
cur_id() {
	grep -oE "session $1: session [0-9]+ of" "$work/log" | tail -1 |
		awk '{ print $4 }'
}
# Sessions $2... (by id) ended no later than $1 (ns, wall clock): what
# framegate-open's -e checks their captures against.
ended() {
	local at=$1 id
	shift
	for id in "$@"; do
		echo "$id=$at" >>"$work/ends"
	done
}
# Objects stored for session id $1 (store/T/CAMERA/ID/SEQ.fgs).
stored_of() { find "$work/store" -path "*/$1/*.fgs" | wc -l; }
grown_of() { [ "$(stored_of "$1")" -ge "$2" ]; }
# At least $1 workers of the current parent stream.
streaming() { [ "$(grep -c ': streaming to' "$work/log")" -ge "$1" ]; }

# The weather of path $1 (a veth, the uplink direction) as "SECONDS
# NETEM-ARGS..." steps on standard input ("SECONDS clean" for none), in
# the background; each step logged to $work/weather.$1, the seconds of
# bad network added to $work/bad-seconds.$1.
weather() {
	local dev=$1 secs args bad=0
	while read -r secs args; do
		if [ "$args" = clean ]; then
			tc qdisc del dev "$dev" root 2>/dev/null || true
		else
			# shellcheck disable=SC2086 # the netem arguments
			tc qdisc replace dev "$dev" root netem $args
			bad=$((bad + secs))
		fi
		echo "$(date +%T) $dev: $args for $secs s" >>"$work/weather.$dev"
		sleep "$((secs * scale))"
	done
	tc qdisc del dev "$dev" root 2>/dev/null || true
	echo "$bad" >"$work/bad-seconds.$dev"
}

# Bytes of an upload of cell $1 in the network: an established TCP socket
# of the cell's cgroup to the ingest with data not yet acknowledged.
in_flight() {
	ss -Htn state established cgroup "/framegate/session-$1" |
		awk '$2 > 0 { found = 1 } END { exit !found }'
}

fg_setup
e2e_config
: >"$work/ends"
faults=0

echo "TAP version 13"

# ------------------------------------------------------------ clean start
fgd_start "$fgd"
check "the parent starts: 2 cameras, 4 sessions" eventually log_says \
	'started: 2 cameras, 4 sessions'
check "all four workers are sandboxed and stream" eventually streaming 4
declare -A id
for s in a-live a-stills b-live b-stills; do
	id[$s]=$(cur_id $s)
done
everyone_stores() {
	local s
	for s in a-live a-stills b-live b-stills; do
		grown_of "${id[$s]}" 1 || return 1
	done
}
check "each session's first objects reach the ingest" eventually everyone_stores

# ---------------------------------------------------------------- weather
# 100 s of bad network on each path, in a different order on each.
weather fgingest-a <<EOF &
20 loss 30%
20 delay 2s
15 rate 128kbit
20 loss 100%
25 loss 30% delay 2s rate 128kbit
EOF
wa_pid=$!
weather fgingest-c <<EOF &
20 delay 2s
15 loss 100%
20 loss 30%
20 rate 128kbit
25 loss 30% delay 2s rate 128kbit
EOF
wc_pid=$!
sleep $((5 * scale))

# A worker killed under each kind of weather: it restarts in its cell.
kill_worker() {
	local s=$1 wid=${id[$1]} p
	p=$(worker_pid "$wid")
	kill -KILL "$p"
	faults=$((faults + 1))
	check "$s: its worker killed (SIGKILL) is logged" eventually log_says \
		"session $wid: worker killed by signal 9"
	check "$s: a new worker in its cell" eventually bash -c \
		"p=\$(head -1 '$cell_dir/session-$wid/cgroup.procs'); [ -n \"\$p\" ] && [ \"\$p\" != $p ]"
}
kill_worker a-live
sleep $((5 * scale))
kill_worker b-stills

# a-stills revoked while an upload of it is in the network (A's path is
# in its 2 s delay from 20 s on): its captures all precede the revoke.
sleep $((8 * scale))
check "a-stills has an upload in the network (unacknowledged bytes)" \
	eventually -t 20 in_flight "${id[a-stills]}"
check "a-stills is revoked in the middle of it" outputs \
	"revoked session ${id[a-stills]}" "$ctl" worker revoke a-stills
ended "$(now_ns)" "${id[a-stills]}"
faults=$((faults + 1))
check "its worker, cell and session are gone" eventually bash -c \
	"[ ! -d '$cell_dir/session-${id[a-stills]}' ] && [ ! -d '$sys/sessions/${id[a-stills]}' ]"

# Camera blue lost (vivid's Disconnect button, as a USB pull) at 40 s:
# b's sessions end; the parent attaches it again when it is back and
# makes them anew.
sleep $((5 * scale))
blue_before=$(grep -c 'camera blue: /dev/video1 attached' "$work/log")
v4l2-ctl -d /dev/video1 -c disconnect=1
ended "$(now_ns)" "${id[b-live]}" "${id[b-stills]}"
faults=$((faults + 1))
check "camera blue's loss is seen" eventually log_says \
	'camera blue: camera [0-9]+ lost'
check "and ends b-live and b-stills" eventually bash -c \
	"grep -q 'session b-live: session ${id[b-live]} ended with camera blue' '$work/log' &&
	 grep -q 'session b-stills: session ${id[b-stills]} ended with camera blue' '$work/log'"
check "camera blue is attached again" eventually bash -c \
	"[ \$(grep -c 'camera blue: /dev/video1 attached' '$work/log') -gt $blue_before ]"
remade() {
	[ "$(cur_id b-live)" != "${id[b-live]}" ] &&
		[ "$(cur_id b-stills)" != "${id[b-stills]}" ]
}
check "b-live and b-stills are made anew, with new ids" eventually remade
for s in b-live b-stills; do
	id[$s]=$(cur_id $s)
done
check "and their new workers stream" eventually bash -c \
	"grep -q 'session ${id[b-live]}: streaming to' '$work/log' &&
	 grep -q 'session ${id[b-stills]}: streaming to' '$work/log'"
check "a-live kept streaming meanwhile (no new worker since its kill)" \
	[ "$(workers_started "${id[a-live]}")" = 2 ]
kill_worker b-live

wait "$wa_pid" "$wc_pid"
bad_s=$(($(cat "$work/bad-seconds.fgingest-a") + $(cat "$work/bad-seconds.fgingest-c")))
sed 's/^/# weather: /' "$work/weather.fgingest-a" "$work/weather.fgingest-c"
mark_a=$(stored_of "${id[a-live]}")
mark_b=$(stored_of "${id[b-live]}")
check "after the weather, a-live's uploads resume" \
	eventually -t 60 grown_of "${id[a-live]}" $((mark_a + 3))
check "and b-live's (made anew after camera blue's loss)" \
	eventually -t 60 grown_of "${id[b-live]}" $((mark_b + 3))
check "and b-stills's" eventually -t 60 grown_of "${id[b-stills]}" 1

# ------------------------------------------------------- parent SIGKILL
# What each running worker has counted (the parent's log will never say:
# they die with it), then the parent killed: its workers die with it
# (PDEATHSIG), its sessions close; a new parent removes the cells left.
"$ctl" -j workers >"$work/snapshot.json"
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pid=
ended "$(now_ns)" "${id[a-live]}" "${id[b-live]}" "${id[b-stills]}"
faults=$((faults + 1))
mv "$work/log" "$work/log.1"
check "the killed parent's workers are gone with it" eventually bash -c \
	"! cat '$cell_dir'/session-*/cgroup.procs 2>/dev/null | grep -q ."
fgd_start "$fgd"
check "a new parent removes the 3 cells left and starts" eventually bash -c \
	"[ \$(grep -c 'left by an earlier parent' '$work/log') = 3 ] &&
	 grep -q 'started: 2 cameras, 4 sessions' '$work/log'"
check "its four workers stream" eventually streaming 4
for s in a-live a-stills b-live b-stills; do
	id[$s]=$(cur_id $s)
done
check "each of its sessions stores objects" eventually everyone_stores

# -------------------------------------------------- SIGHUP without b
e2e_config a-only
kill -HUP "$pid"
check "SIGHUP without tenant b: its 2 sessions revoked" eventually log_says \
	'reloaded .*: 2 sessions, 0 started, 0 with a new worker, 2 revoked'
ended "$(now_ns)" "${id[b-live]}" "${id[b-stills]}"
faults=$((faults + 1))
gone_b() {
	[ ! -d "$cell_dir/session-${id[b-live]}" ] &&
		[ ! -d "$cell_dir/session-${id[b-stills]}" ]
}
check "their cells are gone" eventually gone_b
sleep $((2 * scale))
b_then=$(count_objects b)
a_then=$(count_objects a)
sleep $((6 * scale))
check "tenant b stores nothing more; tenant a does" bash -c \
	"[ $(count_objects b) = $b_then ] && [ $(count_objects a) -gt $a_then ]"
e2e_config
kill -HUP "$pid"
check "SIGHUP with tenant b again: 2 sessions started" eventually log_says \
	'reloaded .*: 4 sessions, 2 started, 0 with a new worker, 0 revoked'
for s in b-live b-stills; do
	id[$s]=$(cur_id $s)
done
check "b's new sessions store objects" eventually bash -c \
	"[ \$(find '$work/store/b' -path '*/${id[b-live]}/*.fgs' | wc -l) -gt 0 ] &&
	 [ \$(find '$work/store/b' -path '*/${id[b-stills]}/*.fgs' | wc -l) -gt 0 ]"

fgd_stop
check "SIGTERM stops it cleanly (exit $rc)" [ "$rc" = 0 ]
ended "$(now_ns)" "${id[a-live]}" "${id[a-stills]}" "${id[b-live]}" \
	"${id[b-stills]}"
check "no cell is left" [ "$(cells)" = 0 ]

# --------------------------------------------------------------- verdict
# Every object of tenant $1 opens with its key, each capture within its
# session's life (-e: when the test ended it), in sequence order; each
# decodes to colour $2.
ends=()
while read -r e; do
	ends+=(-e "$e")
done <"$work/ends"
opens_within_life() {
	local t=$1 out=$work/opened/$1
	rm -rf "$out"
	mkdir -p "$out"
	"$fgopen" -k "$work/$t.seal" "${ends[@]}" -o "$out" "$work/store/$t" \
		>"$work/open.$t" 2>&1 || { cat "$work/open.$t"; return 1; }
	tail -1 "$work/open.$t"
	[ "$(find "$out" -name '*.jpg' | wc -l)" = "$(count_objects "$t")" ]
}
check "tenant a: every object opens with a's key, captured within its session's life, in order" \
	opens_within_life a
check "tenant b: the same with b's key" opens_within_life b
check "tenant a: every object decodes to red" objects_are a red
check "tenant b: every object decodes to blue" objects_are b blue
check "b's key opens none of a's objects" other_key_refuses a b
check "a's key opens none of b's objects" other_key_refuses b a

# The seed's bug: b's viewer asks the ingest for b's objects and a
# mixed-up cache hands it a's. b's verifier refuses each, and says why.
served=$work/served
check "b's viewer is served a's objects at /b/mixed/ (the mixed-up cache)" \
	viewer_fetch b 10.98.0.2:8443/b/mixed/ "$served/mixed"
n_served=$(find "$served/mixed" -name '*.fgs' | wc -l)
check "b's verifier refuses every one of them (sealed to another tenant), writes nothing" \
	key_refuses b "$served/mixed" mixed
mkdir -p "$work/mixed-a" "$work/view-b"
check "they are all a's, as a's key shows" \
	"$fgopen" -q -k "$work/a.seal" -o "$work/mixed-a" "$served/mixed"
view_opens() {
	viewer_fetch b 10.98.0.2:8443/b/view/ "$served/view" &&
		"$fgopen" -q -k "$work/b.seal" -o "$work/view-b" "$served/view" &&
		[ "$(find "$work/view-b" -name '*.jpg' | wc -l)" = "$(count_objects b)" ]
}
check "b's viewer opens what it is rightly served (/b/view/)" view_opens

check "every session: each worker's report balances (acquired = uploaded + drops), uploads all stored" \
	/usr/bin/python3 "$e2e" balance "$work/store" "$work/snapshot.json" \
	"$work/log.1" "$work/log"
sed 's/^/# /' "$work/out"

checked=$(($(count_objects a) + $(count_objects b)))
refused=$(($(grep -c 'refused' "$work/wrong/a.err") + $(grep -c 'refused' "$work/wrong/b.err") + n_served))
echo "# objects checked: $checked stored ($(count_objects a) of a, $(count_objects b) of b), each opened with its key and refused with the other's; $n_served served to b by the mixed-up cache"
echo "# refusals: $refused ($n_served of them b's verifier refusing a's objects served to b)"
echo "# faults injected: $faults (3 worker SIGKILLs, a revoke mid-upload, a camera lost and back, a parent SIGKILL and restart, a SIGHUP without a tenant)"
echo "# bad network: $bad_s s over both paths ($(awk "BEGIN { printf \"%.1f\", $bad_s / 60 }") minutes)"

tap_end
