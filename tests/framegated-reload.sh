#!/bin/bash
# framegated's SIGHUP, in the guest (tests/run-guest, phase 2: enforcement
# armed), against the ingest of tests/framegated-lib.sh.
#
#   before:  red  -> [a-live]   -> worker A, cell A --cert a--> 10.99.0.2:8443
#            blue -> [b-stills] -> worker B, cell B --cert b--> 10.99.0.2:8443
#   after:   red  -> [a-live]   -> worker A', cell A --cert a--> 10.99.0.2:9443
#            (tenant b and its session gone from the file)
#
#   bad file   SIGHUP with a file that does not parse, then one whose key
#              cannot be read: each rejected with FILE:LINE, the running
#              configuration stays (same workers, same sessions)
#   reload     tenant b removed and tenant a's uplink moved to port 9443:
#              session b revoked (its worker sees it and exits), its cell
#              removed, nothing more stored for b; session a keeps its id
#              and cell, its endpoint is now :9443 only, a new worker
#              uploads there
#   camera     camera red's rate changed: it is detached and attached
#              again, a-live made anew (a new session id) and streaming;
#              every worker's counters balance
#
# Prints TAP, one line per check.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
fg_setup

sighup() { kill -HUP "$pid"; }
# Lines of the log that match $1.
log_count() { grep -cE -- "$1" "$work/log" || true; }
# What tenant $1 stored that nginx took on port $2.
puts_on() { grep -cE "^$2 PUT /$1/.* 201$" "$work/nginx/access.log" || true; }

echo "TAP version 13"

fgd_start_streaming
check "tenant b's frames reach the ingest" eventually grown b 1

# -------------------------------------------------------------- bad file
cp "$work/framegated.conf" "$work/good.conf"
printf '\n[session c]\ntenant = a\ncameras = red\nframerate = 5\n' \
	>>"$work/framegated.conf"
sighup
check "a file that does not parse is rejected, at its line" \
	eventually log_says "framegated.conf:[0-9]+: .*framerate"
check "and the running configuration stays" \
	eventually log_says 'bad configuration: the running one stays'
cp "$work/good.conf" "$work/framegated.conf"
sed -i "s|key = $work/b.key|key = $work/missing.key|" "$work/framegated.conf"
sighup
check "a file whose key cannot be read is rejected, at its line" \
	eventually bash -c "[ \$(grep -c 'bad configuration: the running one stays' '$work/log') = 2 ] &&
		grep -qE 'framegated.conf:[0-9]+: .*missing.key' '$work/log'"
same() {
	[ "$(worker_pid "$ida")" = "$wa" ] && [ "$(worker_pid "$idb")" = "$wb" ] &&
		[ "$(log_count 'reloaded')" = 0 ] && [ "$(cells)" = 2 ]
}
check "both workers run on, untouched (same pids, two cells)" same
b_before=$(count_objects b)
check "and tenant b still uploads" eventually grown b $((b_before + 1))

# ---------------------------------------------------------------- reload
cp "$work/good.conf" "$work/framegated.conf"
python3 - "$work/framegated.conf" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
# Drop [tenant b] and [session b-stills]; move tenant a to port 9443.
sections = re.split(r"\n(?=\[)", text)
keep = [s for s in sections
        if not s.startswith("[tenant b]") and not s.startswith("[session b-")]
text = "\n".join(keep).replace("https://10.99.0.2:8443/a", "https://10.99.0.2:9443/a")
open(path, "w").write(text)
PY
sighup
check "the parent reloads: 1 session, 1 with a new worker, 1 revoked" \
	eventually log_says 'reloaded .*: 1 sessions, 0 started, 1 with a new worker, 1 revoked'
check "session b is revoked, and its worker sees the revoke and exits" \
	log_says "worker [a-z-]+: session $idb(:.*: | revoked: )stopping"
check "after telling its parent its last counters" \
	bash -c "! grep -qE 'worker[a-z -]*: .*STATS' '$work/log'"
b_gone() {
	! kill -0 "$wb" 2>/dev/null &&
		[ ! -d "/sys/fs/cgroup/framegate/session-$idb" ] &&
		[ ! -d "$sys/sessions/$idb" ]
}
check "worker B is gone, and so are cell B and session b" b_gone
check "the worker's exit is no death: no restart planned for session b" \
	bash -c "! grep -q 'session $idb: starting its worker again' '$work/log'"
b_after=$(count_objects b)
a_moved() {
	local p
	p=$(worker_pid "$ida")
	[ -n "$p" ] && [ "$p" != "$wa" ] && [ "$(workers_started "$ida")" = 2 ]
}
check "session a keeps its id and cell, with a new worker" eventually a_moved
check "and it was not created again" \
	[ "$(log_count 'session a-live: session [0-9]+ of')" = 1 ]
"$ctl" endpoint list >"$work/endpoints"
sed 's/^/# /' "$work/endpoints"
endpoints_moved() {
	grep -qE "^$ida +10\.99\.0\.2 +9443$" "$work/endpoints" &&
		! grep -qE "^$ida .* 8443$" "$work/endpoints" &&
		! grep -qE "^$idb " "$work/endpoints"
}
check "cell A's endpoint is 10.99.0.2:9443 only; session b has none" endpoints_moved
check "session a's new worker uploads on port 9443" \
	eventually bash -c "[ \$(grep -cE '^9443 PUT /a/.* 201$' '$work/nginx/access.log') -ge 3 ]"
a_8443=$(puts_on a 8443)
sleep $((3 * scale))
check "and none on 8443 any more ($a_8443 before the move)" \
	[ "$(puts_on a 8443)" = "$a_8443" ]
check "nothing more is stored for tenant b (stills every 2 s)" \
	[ "$(count_objects b)" = "$b_after" ]

# ------------------------------------------------------- camera changed
# Camera red at 15 fps: framegate holds its node (nobody else may query
# it), so the reload detaches it, attaches it again and makes a-live anew.
sed -i '/^\[camera red\]/,/^$/s/^fps = 30$/fps = 15/' "$work/framegated.conf"
a_before=$(count_objects a)
sighup
check "a changed camera reloads: a-live made anew, the old one revoked" \
	eventually log_says 'reloaded .*: 1 sessions, 1 started, 0 with a new worker, 1 revoked'
check "camera red was detached and attached again at 15 fps" \
	bash -c "grep -q 'camera red: no longer configured as it runs' '$work/log' &&
		grep -qE 'camera red: /dev/video0 attached as camera [0-9]+, .* at 15 fps' '$work/log'"
ida2=$(session_id a-live | tail -1)
check "session a-live has a new session id ($ida -> $ida2)" \
	bash -c "[ -n '$ida2' ] && [ '$ida2' != '$ida' ] && [ ! -d /sys/fs/cgroup/framegate/session-$ida ]"
check "whose worker uploads again" eventually grown a $((a_before + 3))

fgd_stop
clean() { [ "$rc" = 0 ] && [ "$(cells)" = 0 ]; }
check "SIGTERM stops it cleanly (exit $rc), no cell left" clean
check "session a, both sessions: every worker acquired = uploaded + drops; stored - uploaded <= 2" \
	balances "$ida $ida2" a 2
check "session b: every worker acquired = uploaded + drops = stored" \
	balances "$idb" b
grep -E "session ($idb|b-stills)|worker" "$work/log" | sed 's/^/# log: /' | tail -20
check "every object of tenant a is red" objects_are a red
check "every object of tenant b is blue" objects_are b blue

tap_end
