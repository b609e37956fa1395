#!/bin/bash
# framegated's control socket and `framegatectl workers`, in the guest (run
# by tests/run-guest in phase 2: enforcement armed).
#
#   vivid red  -> [session a-live]   worker, cell  \
#   vivid blue -> [session b-stills] worker, cell  -> nginx (netns fgingest)
#   framegated -d --- /run/framegated.sock (SOCK_SEQPACKET, 0600, root)
#        ^
#        | STATS -> one WORKER per session, END
#   framegatectl workers | --json workers | --prometheus workers | stats
#   as nobody: refused by the mode, and by SO_PEERCRED through a wider one
#   a second framegated: refused, the first untouched
#   framegatectl endpoint/cell/enforce changes: refused while it runs (it
#   alone writes the cell maps: fg_writer_lock()), allowed once it is gone
#   framegatectl worker revoke b-stills (REVOKE -> DONE): session, worker,
#   cell and endpoints gone, a-live untouched; framegatectl reload (RELOAD
#   -> DONE once it ran): b-stills anew; a bad file -> ERROR EINVAL
#   SIGTERM: the socket is gone; SIGKILL: the next daemon replaces it
#
# Set-up from tests/framegated-lib.sh. Prints TAP, one line per check.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
sock=/run/framegated.sock

nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }

# `framegatectl workers` lists session $1, running, with uploads.
uploads() {
	"$ctl" workers | awk -v s="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == s { found = 1; print
			  ok = $col["STATE"] == "running" &&
			       $col["UPLOADED"] > 0 &&
			       $col["ACQUIRED"] >= $col["UPLOADED"] }
		END { exit !(found && ok) }'
}

json_ok() {
	"$ctl" --json workers >"$work/workers.json"
	python3 -m json.tool "$work/workers.json" >/dev/null
	python3 - "$work/workers.json" <<'PY'
import json, sys
w = {x["session"]: x for x in json.load(open(sys.argv[1]))}
print(w)
assert sorted(w) == ["a-live", "b-stills"], w
assert w["a-live"]["tenant"] == "a" and w["b-stills"]["tenant"] == "b"
for x in w.values():
    assert x["state"] == "running" and x["pid"] > 0
    assert x["frames_uploaded"] > 0
    assert x["frames_acquired"] >= x["frames_uploaded"] + \
        x["frames_dropped_queue_full"] + x["frames_dropped_upload_failed"] + \
        x["frames_dropped_timeout"]
PY
}

# Every worker metric has a line per session, labelled as the kernel's.
prometheus_ok() {
	local out ids id
	out=$("$@")
	ids=$("$ctl" --json sessions | python3 -c '
import json, sys
print(" ".join("%d:%d" % (s["session_id"], s["tenant_id"])
               for s in json.load(sys.stdin) if s["state"] == "active"))')
	echo "sessions $ids"
	[ -n "$ids" ] || return 1
	for id in $ids; do
		grep -E "^framegate_worker_frames_uploaded_total\{session=\"${id%:*}\",tenant=\"${id#*:}\"\} [1-9][0-9]*$" <<<"$out" ||
			return 1
		grep -E "^framegate_worker_info\{session=\"${id%:*}\".*state=\"running\"" <<<"$out" ||
			return 1
		# A worker that uploaded spent CPU encoding, sealing and in TLS.
		for m in cpu_encode_us_total cpu_seal_us_total cpu_upload_us_total; do
			grep -E "^framegate_worker_$m\{session=\"${id%:*}\",tenant=\"${id#*:}\"\} [1-9][0-9]*$" <<<"$out" ||
				return 1
		done
	done
	for m in frames_acquired_total frames_encoded_total bytes_uploaded_total \
		 frames_dropped_queue_full_total upload_errors_tls_total \
		 upload_latency_p99_us cpu_acquire_us_total restarts_total; do
		[ "$(grep -c "^framegate_worker_$m{" <<<"$out")" = 2 ] || {
			echo "framegate_worker_$m: not 2 lines"; return 1; }
	done
	grep -q '^# TYPE framegate_worker_frames_uploaded_total counter$' <<<"$out"
}

fg_setup
echo "TAP version 13"

check "no daemon: framegatectl workers says so" \
	fails 1 "framegated is not running: $sock: No such file" "$ctl" workers
check "-s names another socket" \
	fails 1 "framegated is not running: $work/none.sock" \
	"$ctl" -s "$work/none.sock" workers

"$fgd" -d -f "$work/framegated.conf" >"$work/log" 2>&1 &
pid=$!
check "the parent starts" eventually log_says 'started: 2 cameras, 2 sessions'
check "its control socket is a socket, mode 0600, of root" \
	bash -c "[ \"\$(stat -c '%F %a %u' $sock)\" = 'socket 600 0' ]"
check "both workers are sandboxed" \
	eventually bash -c "[ \$(grep -c 'sandboxed (Landlock ABI' '$work/log') = 2 ]"
check "framegatectl workers: a-live running, uploading" eventually uploads a-live
check "framegatectl workers: b-stills running, uploading" \
	eventually uploads b-stills
check "--json workers parses, both sessions, counters that add up" json_ok
check "worker show a-live prints every field" \
	bash -c "'$ctl' worker show a-live | grep -qE '^state +running$' &&
		 '$ctl' worker show a-live | grep -qE '^frames_uploaded +[1-9]' &&
		 [ \$('$ctl' worker show a-live | wc -l) = 27 ]"
check "worker show of no such session fails" \
	fails 1 "has no session nosuch" "$ctl" worker show nosuch
check "--prometheus workers: every metric, per session, kernel's labels" \
	prometheus_ok "$ctl" --prometheus workers
check "--prometheus stats: the kernel's metrics and the workers'" \
	bash -c "out=\$('$ctl' -p stats) &&
		 grep -q '^framegate_session_frames_delivered_total{' <<<\"\$out\" &&
		 grep -q '^framegate_worker_frames_uploaded_total{' <<<\"\$out\""
check "nobody is refused by the socket's mode" \
	fails 1 "$sock: connect: Permission denied" nobody "$ctl" workers
chmod 0666 "$sock"
check "nobody is refused by SO_PEERCRED through a 0666 socket" \
	fails 1 "framegated refused the request on $sock: Permission denied" \
	nobody "$ctl" workers
chmod 0600 "$sock"
check "the parent logs the refusal" \
	log_says 'control socket: refused pid [0-9]+, uid 65534: not root'
check "root is still answered" uploads a-live

rc=0
"$fgd" -d -f "$work/framegated.conf" >"$work/log2" 2>&1 || rc=$?
check "a second framegated refuses to start (exit $rc)" \
	bash -c "[ $rc = 1 ] && grep -q 'another framegated is running' '$work/log2'"
check "and left the first's cells and socket alone" \
	bash -c "[ \$(ls -d /sys/fs/cgroup/framegate/session-* | wc -l) = 2 ] &&
		 [ -S $sock ] && ! grep -q 'earlier parent' '$work/log2'"
check "the first still answers" uploads b-stills

# While it runs, framegated alone writes the cell maps.
ida=$(grep -oE 'session a-live: session [0-9]+' "$work/log" | awk '{ print $4 }')
"$ctl" endpoint list >"$work/endpoints.before"
owned="framegated \(or another framegatectl\) is changing the cell maps"
check "framegatectl endpoint add is refused while it runs" \
	fails 1 "endpoint add: $owned" "$ctl" endpoint add "$ida" 10.99.0.9 443
check "framegatectl endpoint remove is refused while it runs" \
	fails 1 "endpoint remove: $owned" "$ctl" endpoint remove "$ida" 10.99.0.2 8443
check "framegatectl cell remove is refused while it runs" \
	fails 1 "cell remove: $owned" "$ctl" cell remove "$ida"
check "framegatectl enforce stop is refused while it runs" \
	fails 1 "enforce stop: $owned" "$ctl" enforce stop
unchanged() {
	"$ctl" endpoint list | diff "$work/endpoints.before" - &&
		[ -d "/sys/fs/cgroup/framegate/session-$ida" ] &&
		[ "$("$ctl" enforce status | head -1)" = "enforcement: armed" ]
}
check "and the maps, cell and pins are as they were" unchanged
check "reading them is not refused" outputs "^$ida +10\.99\.0\.2 +8443$" \
	"$ctl" endpoint list

# Changes go through the daemon instead: a revoke, a reload.
idb=$(session_id b-stills)
wa=$(worker_pid "$ida")
check "worker revoke b-stills: done, with its session id" \
	outputs "^session b-stills: revoked session $idb$" \
	"$ctl" worker revoke b-stills
revoked() {
	"$ctl" worker show b-stills | grep -E '^state +revoked$' &&
		"$ctl" worker show b-stills | grep -E '^pid +0$' &&
		[ ! -e "/sys/fs/cgroup/framegate/session-$idb" ] &&
		! "$ctl" endpoint list | grep -E "^$idb " &&
		"$ctl" --json sessions | python3 -c '
import json, sys
assert not [s for s in json.load(sys.stdin)
            if s["session_id"] == int(sys.argv[1]) and s["state"] == "active"]
' "$idb"
}
check "its worker, cell, endpoints and kernel session are gone" revoked
check "the parent logged it, and no worker was started again" \
	bash -c "grep -qE 'session b-stills: revoked session $idb' '$work/log' &&
		 sleep 3 && [ \$(grep -cE 'session $idb: worker [0-9]+ started' '$work/log') = 1 ]"
check "a-live's worker runs on, untouched" \
	bash -c "[ \"\$(head -1 /sys/fs/cgroup/framegate/session-$ida/cgroup.procs)\" = $wa ]"
check "a second revoke: not running" \
	fails 1 "session b-stills is not running" "$ctl" worker revoke b-stills
check "a revoke of no such session" \
	fails 1 "framegated has no session nosuch" "$ctl" worker revoke nosuch
check "a revoke of no session name is a usage error" \
	fails 2 "not a session name: \.\./a" "$ctl" worker revoke ../a
check "framegatectl reload: done once it ran" \
	outputs "^framegated: configuration reloaded$" "$ctl" reload
check "b-stills is created anew and uploads" eventually uploads b-stills
check "with a new session" \
	bash -c "[ \"\$('$ctl' --json workers | python3 -c 'import json,sys; print([w[\"session_id\"] for w in json.load(sys.stdin) if w[\"session\"] == \"b-stills\"][0])')\" != $idb ]"
cp "$work/framegated.conf" "$work/good.conf"
printf '\n[session c]\ntenant = a\n' >>"$work/framegated.conf"
check "a reload of a bad file: refused, the log names the line" \
	bash -c "out=\$('$ctl' reload 2>&1); rc=\$?; echo \"\$out\"; [ \$rc = 1 ] &&
		 grep -q 'the configuration has errors' <<<\"\$out\" &&
		 grep -qE 'framegated.conf:[0-9]+: ' '$work/log'"
cp "$work/good.conf" "$work/framegated.conf"
check "-j reload: a JSON answer" \
	bash -c "'$ctl' -j reload | python3 -c 'import json,sys; assert json.load(sys.stdin) == {\"reloaded\": True}'"
both_upload() { uploads a-live && uploads b-stills; }
check "both sessions still upload" eventually both_upload

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
check "SIGTERM stops it cleanly (exit $rc)" [ "$rc" = 0 ]
check "the socket file is gone" [ ! -e "$sock" ]
check "framegatectl workers says it is not running" \
	fails 1 "framegated is not running: $sock" "$ctl" workers

# A killed daemon leaves its socket; the next one replaces it.
"$fgd" -d -f "$work/framegated.conf" >"$work/log" 2>&1 &
pid=$!
check "a parent starts again" eventually log_says 'started: 2 cameras'
kill -KILL "$pid"
wait "$pid" 2>/dev/null || true
pid=
check "a killed parent leaves its socket file" [ -S "$sock" ]
check "with nobody listening" \
	fails 1 "framegated is not running: $sock: Connection refused" \
	"$ctl" workers
"$fgd" -d -f "$work/framegated.conf" >"$work/log" 2>&1 &
pid=$!
check "the next parent replaces the stale socket and starts" \
	eventually log_says 'started: 2 cameras'
check "and answers on it" eventually uploads a-live
kill -TERM "$pid"
wait "$pid" || true
pid=
check "and removes it at stop" [ ! -e "$sock" ]
check "no cell is left" [ "$(cells)" = 0 ]
check "once it is gone, framegatectl may write again" \
	bash -c "'$ctl' cell add 424242 && '$ctl' cell remove 424242"

tap_end
