#!/bin/bash
# framegated under faults, in the guest (tests/run-guest, phase 2:
# enforcement armed), against the ingest of tests/framegated-lib.sh.
#
#   vivid /dev/video0 (red)  -> [session a-live, 5 fps]   -> worker A, cell A
#   vivid /dev/video1 (blue) -> [session b-stills, 2 s]   -> worker B, cell B
#   workers A and B --TLS 1.3, client cert a | b--> 10.99.0.2:8443 (nginx,
#                                                   netns fgingest: ONE
#                                                   endpoint, two tenants)
#
#   memory    root reads worker A's memory (from outside its cell: refused
#             and counted; from a task it puts in cell A): tenant a's
#             certificate is there, nothing of tenant b's key or certificate
#   SIGKILL   worker A killed: logged, a new worker in cell A, objects keep
#             coming; worker B keeps its pid; every worker's counters balance
#   ingest    nginx stopped for 30 s, then started again: failed uploads
#             counted by kind, drops by reason, uploads resume, and at the
#             end acquired = uploaded + drops for every worker, exactly
#
# The sandbox from inside a worker: tests/framegated-sandbox.sh.
# Prints TAP, one line per check.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
fg_setup


# Reads the memory of task $1 (every readable mapping, through
# /proc/PID/mem), from cell $2's cgroup.procs if given (the task moves
# itself there first), and prints "read BYTES", then per LABEL=PEMFILE
# argument "LABEL FOUND LINES": how many of the PEM body's lines occur.
# "refused ERRNO" and status 2 if /proc/PID/maps cannot be opened.
memory_holds() {
	python3 - "$@" <<'PY'
import os, sys
pid, procs = sys.argv[1], sys.argv[2]
if procs:
    with open(procs, "w") as f:
        f.write(str(os.getpid()))
try:
    maps = open("/proc/%s/maps" % pid).read()
    mem = open("/proc/%s/mem" % pid, "rb", buffering=0)
except OSError as e:
    print("refused", e.errno)
    sys.exit(2)
parts = []
for line in maps.splitlines():
    f = line.split()
    lo, hi = (int(x, 16) for x in f[0].split("-"))
    if f[1][0] != "r":
        continue
    try:
        mem.seek(lo)
        parts.append(mem.read(hi - lo))
    except OSError:
        pass    # [vvar], the session's window: no struct page behind
blob = b"\0".join(parts)
print("read", len(blob))
for arg in sys.argv[3:]:
    label, path = arg.split("=", 1)
    lines = [l for l in open(path, "rb").read().split(b"\n")
             if l and not l.startswith(b"-----")]
    print(label, sum(1 for l in lines if l in blob), len(lines))
PY
}

echo "TAP version 13"

# ---------------------------------------------------------------- memory
fgd_start_streaming

p0=$(cat "$sys/denied_ptrace")
rc=0
memory_holds "$wa" "" >"$work/mem" 2>&1 || rc=$?
# The cell program says EPERM; proc's mm_access() makes every ptrace
# refusal EACCES.
refused() { cat "$work/mem"; [ "$rc" = 2 ] && grep -qx 'refused 13' "$work/mem"; }
check "root outside the cell cannot read worker A's memory (EACCES)" refused
check "and that refusal is counted: denied_ptrace +1" \
	[ "$(($(cat "$sys/denied_ptrace") - p0))" = 1 ]
# From inside cell A (same session: the cell lets it; root's
# CAP_SYS_PTRACE passes the worker's non-dumpable mm).
memory_holds "$wa" "/sys/fs/cgroup/framegate/session-$ida/cgroup.procs" \
	a_cert="$work/a.crt" a_key="$work/a.key" \
	b_cert="$work/b.crt" b_key="$work/b.key" >"$work/mem" 2>&1 || true
sed 's/^/# memory of worker A: /' "$work/mem"
# Every line of PEM file $1 found ("all"), or none ("none").
mem_found() {
	local found lines
	read -r _ found lines <<<"$(grep "^$1 " "$work/mem")"
	case $2 in
	all) [ "$lines" -gt 0 ] && [ "$found" = "$lines" ] ;;
	none) [ "$lines" -gt 0 ] && [ "$found" = 0 ] ;;
	esac
}
check "root in cell A reads worker A's memory (over 1 MB)" \
	grep -qE '^read [1-9][0-9]{6,}' "$work/mem"
check "which holds tenant a's certificate (the read finds what is there)" \
	mem_found a_cert all
check "but not one line of tenant b's private key" mem_found b_key none
check "nor of tenant b's certificate" mem_found b_cert none

# --------------------------------------------------------------- SIGKILL
before=$(count_objects a)
kill -KILL "$wa"
check "the parent logs worker A's death" eventually log_says \
	"session $ida: worker killed by signal 9"
restarted() {
	local p
	p=$(worker_pid "$ida")
	[ -n "$p" ] && [ "$p" != "$wa" ] && [ "$(workers_started "$ida")" = 2 ]
}
check "and starts a new worker in cell A" eventually restarted
check "whose objects keep arriving" eventually grown a $((before + 5))
untouched() {
	[ "$(worker_pid "$idb")" = "$wb" ] && [ "$(workers_started "$idb")" = 1 ]
}
check "worker B is untouched (same pid, started once)" untouched
first_balances() {
	local a u d w
	read -r a u d w <<<"$(stats "$ida" acquired uploaded drops worker | head -1)"
	echo "acquired $a uploaded $u drops $d worker $w"
	[ "$w" = 1 ] && [ "$a" -gt 0 ] && [ "$a" = $((u + d)) ]
}
check "the killed worker's last counters balance (acquired = uploaded + drops)" \
	first_balances

# ---------------------------------------------------------------- ingest
kill -TERM "$(cat "$work/nginx.pid")"
check "the ingest stops" eventually bash -c "[ ! -e '$work/nginx.pid' ]"
sleep 2
down_a=$(count_objects a)
down_b=$(count_objects b)
sleep $((28 * scale))	# 30 s down in all
still() { [ "$(count_objects a)" = "$down_a" ] && [ "$(count_objects b)" = "$down_b" ]; }
check "nothing is stored while it is down" still
nginx_start
# Backoff reaches its 30 s cap (+ a quarter of jitter) within a 30 s
# outage: the next try comes at most 37.5 s after the last.
check "tenant a's uploads resume once it is back" \
	eventually -t 60 grown a $((down_a + 5))
check "tenant b's uploads resume once it is back" \
	eventually -t 60 grown b $((down_b + 2))
survived() { [ "$(workers_started "$ida")" = 2 ] && untouched; }
check "worker A and B survived the outage" survived

fgd_stop
check "SIGTERM stops it cleanly (exit $rc)" [ "$rc" = 0 ]
# Summed over the session's workers' lines.
sum() { stats "$1" "$2" | awk '{ s += $1 } END { print s + 0 }'; }
for s in a b; do
	id=$([ $s = a ] && echo "$ida" || echo "$idb")
	check "session $s: the outage's failures counted (errors connect $(sum "$id" errors_connect) + timeout $(sum "$id" errors_timeout) > 0)" \
		[ $(($(sum "$id" errors_connect) + $(sum "$id" errors_timeout))) -gt 0 ]
	check "session $s: and its drops (upload_failed $(sum "$id" upload_failed) + timeout $(sum "$id" timeout) > 0)" \
		[ $(($(sum "$id" upload_failed) + $(sum "$id" timeout))) -gt 0 ]
done
# A killed worker's uploads after its last STATS (1 s: at most 5 frames
# at 5 fps, one more in flight) are stored but not counted.
check "session a: every worker acquired = uploaded + drops; stored - uploaded <= 6" \
	balances "$ida" a 6
check "session b: every worker acquired = uploaded + drops = stored" \
	balances "$idb" b
check "every object of tenant a is red" objects_are a red
check "every object of tenant b is blue" objects_are b blue

tap_end
