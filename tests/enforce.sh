#!/bin/bash
# Enforcement from the command line, in the guest (run by tests/run-guest).
#
#   framegatectl enforce start ──► /sys/fs/bpf/framegate/
#                                    cells endpoints sock_labels link_<prog>
#                                      └─► BPF LSM programs, attached
#   holder: /dev/video0 ──► camera ──► session S   (a root process outside
#                                                   every cell, like the
#                                                   daemon; it only holds
#                                                   the fds)
#   framegatectl cell add S ──► /sys/fs/cgroup/framegate/session-S
#                                    └─► a sleep(1) moved into it
#
# Checks: a load, then a second start that adopts without a second set of
# links; enforcement outlives the loader, and a loader SIGKILLed at any
# point of a load leaves one working set after the next start; a partial
# set is replaced, keeping its cells; enforce status; cell add, list and
# remove; endpoint add, list and remove; cell remove revokes the session
# and kills the cell's tasks; the attached node yields no frame to root:
# it opens (for its controls), its read() is refused. Leaves enforcement
# as it found it. Prints TAP, one line per check.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
ctl=$top/daemon/framegatectl/framegatectl
bpftool=$(command -v bpftool || echo /usr/sbin/bpftool)
sysfs=/sys/kernel/framegate
pins=/sys/fs/bpf/framegate
work=$(mktemp -d)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
holder=
sleeper=
session=

was_started=false
[ -e "$pins/cells" ] && was_started=true

cleanup() {
	set +e
	[ -n "$sleeper" ] && kill -9 "$sleeper" 2>/dev/null
	[ -n "$session" ] && [ -d "/sys/fs/cgroup/framegate/session-$session" ] &&
		"$ctl" cell remove "$session" >/dev/null 2>&1
	if [ -n "$holder" ]; then
		kill "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
	fi
	# Leave enforcement as it was found.
	if $was_started; then
		"$ctl" enforce start >/dev/null
	elif [ -e "$pins" ]; then
		"$ctl" enforce stop >/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# $1 and $2 are equal.
equal() {
	echo "+ [ $1 = $2 ]"
	[ "$1" = "$2" ]
}

links() { "$bpftool" link list | grep -cE '^[0-9]+: ' || true; }
link_pins() { find "$pins" -maxdepth 1 -name 'link_*' | wc -l; }
staging() { find /sys/fs/bpf -maxdepth 1 -name 'framegate-staging-*' | wc -l; }

# Enforcement is whole: every pin, one link per program, armed.
whole() {
	outputs '^pins: complete' "$ctl" enforce status || return 1
	outputs '^armed$' cat "$sysfs/enforcement" || return 1
	equal "$(links)" "$nprogs" || return 1
	equal "$(staging)" 0
}

# The holder: attaches /dev/video0 and creates one session on it through
# /dev/framegate (uapi/linux/framegate.h), writes "CAMERA SESSION" to $1 and
# waits for SIGTERM, holding both fds.
holder_start() {
	python3 - "$1" <<'EOF' &
import fcntl, os, signal, struct, sys

def iowr(nr, size):
    return (3 << 30) | (size << 16) | (0xFB << 8) | nr

ctl = os.open("/dev/framegate", os.O_RDWR | os.O_CLOEXEC)
video = os.open("/dev/video0", os.O_RDWR | os.O_CLOEXEC)
# struct fg_camera_attach: 320x180 YUYV, 30 fps, 4 buffers
attach = bytearray(struct.pack("=IIiIIIIIiIII4I", 64, 0, video, 320, 180,
                               0x56595559, 30, 4, 0, 0, 0, 0, 0, 0, 0, 0))
fcntl.ioctl(ctl, iowr(0x01, 64), attach)
os.close(video)
camera = struct.unpack_from("=I", attach, 36)[0]
# struct fg_session_create: tenant 1, depth 2, that one camera
create = bytearray(struct.pack("=IIQII8IQi3I", 80, 0, 1, 2, 1, camera,
                               0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
fcntl.ioctl(ctl, iowr(0x02, 80), create)
session = struct.unpack_from("=Q", create, 56)[0]
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d %d\n" % (camera, session))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
signal.pause()
EOF
	holder=$!
	for _ in $(seq 100); do
		[ -f "$1" ] && return 0
		kill -0 "$holder" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

echo "TAP version 13"

# From nothing pinned, whatever the runner left.
if [ -e "$pins" ]; then
	"$ctl" enforce stop >/dev/null
fi
base=$(links)

check "enforce start loads when nothing is pinned" \
	outputs '^enforcement armed: loaded, cells under /sys/fs/cgroup/framegate$' "$ctl" enforce start
nprogs=$(link_pins)
nprogs=$((base + nprogs))
check "one link pinned per program ($((nprogs - base)))" \
	equal "$(links)" "$nprogs"
check "enforcement outlives the loader" \
	outputs '^armed$' cat "$sysfs/enforcement"
check "enforce status says armed, pins complete" \
	outputs '^enforcement: armed$' "$ctl" enforce status
check "a second start adopts the pinned state" \
	outputs '^enforcement armed: adopted pinned state, cells under /sys/fs/cgroup/framegate$' "$ctl" enforce start
check "adopting adds no link" equal "$(links)" "$nprogs"

# SIGKILL while adopting: nothing changes.
"$ctl" enforce start >/dev/null 2>&1 &
sleep 0.05
kill -9 $! 2>/dev/null || true
wait $! 2>/dev/null || true
check "a loader killed while adopting leaves enforcement whole" whole

# SIGKILL at two points of a fresh load (about 0.6 s under TCG: while the
# programs load, around the attaching and pinning): the next start repairs.
# Each round costs a stop, about 2 s of detaching under TCG.
for delay in 0.1 0.5; do
	"$ctl" enforce stop >/dev/null
	"$ctl" enforce start >/dev/null 2>&1 &
	sleep "$delay"
	kill -9 $! 2>/dev/null || true
	wait $! 2>/dev/null || true
	"$ctl" enforce start >"$work/start.$delay" 2>&1 || true
	check "after a loader killed ${delay}s into a load, a start leaves one whole set" \
		whole
done

# A set that lost a link (a loader died mid-pin) is replaced; cells stay.
check "cell add 424242 (no session needed)" \
	outputs 'cell /sys/fs/cgroup/framegate/session-424242, cgroup id [0-9]+' \
	"$ctl" cell add 424242
check "remove one link pin (a loader that died mid-pin)" \
	rm "$pins/link_file_open"
check "a start replaces a partial set" \
	outputs '^enforcement armed: loaded, cells under /sys/fs/cgroup/framegate$' "$ctl" enforce start
check "the replaced set is whole" whole
check "the replaced set kept the cell" \
	outputs '^424242 +[0-9]+ +/sys/fs/cgroup/framegate/session-424242$' \
	"$ctl" cell list
check "cell remove of a cell without a session" \
	"$ctl" cell remove 424242

check "cell add of session 0 is a usage error" fails 2 'usage' \
	"$ctl" cell add 0
check "cell remove of a session without a cell says so" \
	fails 1 'session 424242 has no cell' "$ctl" cell remove 424242
check "endpoint add with a bad address is a usage error" \
	fails 2 'not an IPv4 or IPv6 address' "$ctl" endpoint add 1 10.0.0.300 443
check "endpoint add with port 0 is a usage error" \
	fails 2 'invalid port' "$ctl" endpoint add 1 10.0.0.1 0

# A session, its cell, a task in it, endpoints.
check "a session can be created once armed" holder_start "$work/ids"
read -r camera session <"$work/ids" || true
check "session $session is active" \
	outputs '^active$' cat "$sysfs/sessions/$session/state"
open_before=$(cat "$sysfs/cameras/$camera/denied_open")
read_before=$(cat "$sysfs/cameras/$camera/denied_read")
check "root cannot read the attached /dev/video0" \
	fails 1 'Permission denied' cat /dev/video0
check "the refusal is counted on camera $camera, as a read" \
	equal "$(cat "$sysfs/cameras/$camera/denied_read")" $((read_before + 1))
check "the open itself was not refused" \
	equal "$(cat "$sysfs/cameras/$camera/denied_open")" "$open_before"

check "cell add $session" \
	outputs "^session $session: cell /sys/fs/cgroup/framegate/session-$session, cgroup id [0-9]+$" \
	"$ctl" cell add "$session"
check "a second cell add of $session is refused" \
	fails 1 "session $session has a cell already" "$ctl" cell add "$session"
cgid=$(stat -c %i "/sys/fs/cgroup/framegate/session-$session")
check "cell list shows session $session with the cgroup's id" \
	outputs "^$session +$cgid +/sys/fs/cgroup/framegate/session-$session$" \
	"$ctl" cell list
check "cell list --json" \
	outputs "\\{\"session_id\":$session,\"cgroup_id\":$cgid\\}" \
	"$ctl" --json cell list

check "endpoint add $session 192.0.2.1 443" \
	"$ctl" endpoint add "$session" 192.0.2.1 443
check "endpoint add $session ::ffff:192.0.2.2 80 (IPv4-mapped)" \
	"$ctl" endpoint add "$session" ::ffff:192.0.2.2 80
check "endpoint add $session 2001:db8::1 8443" \
	"$ctl" endpoint add "$session" 2001:db8::1 8443
check "endpoint list has the IPv4 endpoint" \
	outputs "^$session +192\\.0\\.2\\.1 +443$" "$ctl" endpoint list
check "endpoint list has the mapped address as IPv4" \
	outputs "^$session +192\\.0\\.2\\.2 +80$" "$ctl" endpoint list
check "endpoint list has the IPv6 endpoint" \
	outputs "^$session +2001:db8::1 +8443$" "$ctl" endpoint list
check "endpoint remove $session 192.0.2.2 80 (same as the mapped one)" \
	"$ctl" endpoint remove "$session" 192.0.2.2 80
check "endpoint list no longer has it" \
	fails 1 '' bash -c "'$ctl' endpoint list | grep -E '192\\.0\\.2\\.2'"
check "endpoint remove of an absent endpoint says so" \
	fails 1 "has no endpoint 192.0.2.2 port 80" \
	"$ctl" endpoint remove "$session" 192.0.2.2 80

sleep 600 &
sleeper=$!
echo "$sleeper" >"/sys/fs/cgroup/framegate/session-$session/cgroup.procs"
check "a task is in the cell" \
	outputs "^$sleeper$" cat "/sys/fs/cgroup/framegate/session-$session/cgroup.procs"

exec 3>&2 2>/dev/null		# no job notice "Killed sleep 600" in the TAP
check "cell remove $session" "$ctl" cell remove "$session"
check "cell remove revoked session $session" \
	outputs '^revoked$' cat "$sysfs/sessions/$session/state"
wait "$sleeper" || true
exec 2>&3 3>&-
check "cell remove killed the cell's task" \
	fails 1 '' kill -0 "$sleeper"
sleeper=
check "the cell's cgroup is gone" \
	fails 1 '' test -d "/sys/fs/cgroup/framegate/session-$session"
check "cell list no longer has it" \
	fails 1 '' bash -c "'$ctl' cell list | grep -E '^$session '"
check "the session's endpoints are gone" \
	fails 1 '' bash -c "'$ctl' endpoint list | grep -E '^$session '"
check "a second cell remove says there is no cell" \
	fails 1 "session $session has no cell" "$ctl" cell remove "$session"

kill "$holder"
wait "$holder" 2>/dev/null || true
holder=

check "enforce stop" outputs '^enforcement unpinned$' "$ctl" enforce stop
check "stopped: unarmed, nothing pinned" \
	outputs '^pins: none' "$ctl" enforce status
check "stopped: the links are gone" equal "$(links)" "$base"
check "stopped: cell commands say enforcement is not started" \
	fails 1 'enforcement is not started' "$ctl" cell list
check "a second stop says nothing is pinned" \
	fails 1 'nothing is pinned' "$ctl" enforce stop

# A cell left behind by enforce stop: replaced if empty, else refused.
check "enforce start again" outputs '^enforcement armed: loaded, cells under /sys/fs/cgroup/framegate$' \
	"$ctl" enforce start
check "cell add 424243" "$ctl" cell add 424243
stale_cgid=$(stat -c %i /sys/fs/cgroup/framegate/session-424243)
sleep 600 &
sleeper=$!
echo "$sleeper" >/sys/fs/cgroup/framegate/session-424243/cgroup.procs
check "enforce stop leaves the cell's cgroup and its task" \
	bash -c "'$ctl' enforce stop && grep -qx $sleeper /sys/fs/cgroup/framegate/session-424243/cgroup.procs"
check "enforce start after the stop" \
	outputs '^enforcement armed: loaded, cells under /sys/fs/cgroup/framegate$' "$ctl" enforce start
check "cell add of the left-behind cgroup with a task is refused" \
	fails 1 'left behind with tasks in it; cell remove 424243 kills them' \
	"$ctl" cell add 424243
exec 3>&2 2>/dev/null		# no job notice "Killed sleep 600" in the TAP
kill -9 "$sleeper"
wait "$sleeper" || true
exec 2>&3 3>&-
sleeper=
check "cell add replaces the empty left-behind cgroup" \
	outputs 'cell /sys/fs/cgroup/framegate/session-424243, cgroup id [0-9]+$' \
	"$ctl" cell add 424243
check "the replacement is a new cgroup" \
	fails 1 '' equal "$(stat -c %i /sys/fs/cgroup/framegate/session-424243)" \
	"$stale_cgid"
check "cell remove 424243" "$ctl" cell remove 424243
check "enforce stop, last" outputs '^enforcement unpinned$' "$ctl" enforce stop

tap_end
