#!/bin/bash
# framegated's parent against the real module and cell programs, in the
# guest (run by tests/run-guest in phase 2: enforcement armed).
#
#   framegated.conf: [camera red] /dev/video0, [camera blue] /dev/video1
#                    [tenant a], [tenant b]: https://10.99.0.2:8443/
#                    [session a-live] a: red   [session b-stills] b: blue
#   framegated -d:   attaches both, creates both sessions, their cells and
#                    endpoints; SIGTERM takes it all down
#   a crash (SIGKILL) leaves cells; the next parent removes them first
#   a bad configuration starts nothing
#
# Prints TAP, one line per check.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
fgd=$top/daemon/framegated/framegated
ctl=$top/daemon/framegatectl/framegatectl
sys=/sys/kernel/framegate
work=$(mktemp -d)
n=0
failed=0
scale=${FG_TIMEOUT_SCALE:-1}

cleanup() {
	[ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	# What a failed check may have left: no cell outlives this script.
	for c in /sys/fs/cgroup/framegate/session-*; do
		[ -d "$c" ] && "$ctl" cell remove "${c##*-}" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT

check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@" >"$work/out" 2>&1; then
		echo "ok $n $name"
	else
		echo "not ok $n $name"
		sed 's/^/# /' "$work/out"
		failed=$((failed + 1))
	fi
}

# Waits (up to 30 s, scaled) until the command succeeds.
eventually() {
	local i
	for i in $(seq $((300 * scale))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

log_says() { grep -qE -- "$1" "$work/log"; }
cells() { ls -d /sys/fs/cgroup/framegate/session-* 2>/dev/null | wc -l; }
sysfs_is() { [ "$(cat "$sys/$1")" = "$2" ]; }

# The tenants' material: a CA and a client certificate each (the parent
# checks that it can read them; the workers will present them).
for t in a b; do
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-subj "/CN=tenant-$t" -days 2 -keyout "$work/$t.key" \
		-out "$work/$t.crt" 2>/dev/null
	chmod 600 "$work/$t.key"
done

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
ca = $work/a.crt
cert = $work/a.crt
key = $work/a.key

[tenant b]
url = https://10.99.0.2:8443/b
ca = $work/b.crt
cert = $work/b.crt
key = $work/b.key

[session a-live]
tenant = a
cameras = red
mode = live
rate = 5

[session b-stills]
tenant = b
cameras = blue
mode = stills
interval = 2
EOF

echo "TAP version 13"
created0=$(cat "$sys/sessions_created")

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

echo "1..$n"
[ "$failed" -eq 0 ]
