#!/bin/bash
# framegated with its cells under its own cgroup, as under systemd with
# Delegate=yes (framegated.service): cell_root = delegated.
#
#   /sys/fs/cgroup/fgsvc.service          framegated (the "service")
#        └── cells                        the cell root: egress attached
#             ├── session-A  worker a-live  --\
#             └── session-B  worker b-stills --> nginx (netns fgingest)
#   /sys/fs/cgroup/framegate              the default root: no cell
#
# Enforcement pinned for the default root first: the daemon refuses it
# (the cells cannot move under running programs); after enforce stop it
# loads the programs for its own root, streams, confines (a connect off
# the endpoints is refused and counted) and removes its cells at stop.
# Then enforcement is put back as the suite had it. Set-up from
# tests/framegated-lib.sh; prints TAP.
set -eu

. "$(dirname "$0")/framegated-lib.sh"
hooks=$top/tests/build/framegated-hooks/framegated
svc=/sys/fs/cgroup/fgsvc.service
cell_dir=$svc/cells

# What this script adds to the library's cleanup: the service's cgroup,
# and enforcement as the suite had it (pinned for the default root).
delegated_cleanup() {
	[ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	pid=
	for c in "$cell_dir"/session-*; do
		[ -d "$c" ] && "$ctl" cell remove "${c##*-}" >/dev/null 2>&1
	done
	"$ctl" enforce stop >/dev/null 2>&1 || true
	"$ctl" enforce start >/dev/null 2>&1 || true
	rmdir "$cell_dir" "$svc" 2>/dev/null || true
	cleanup
}
trap delegated_cleanup EXIT

# framegated ($1, then its flags) started inside $svc, as systemd starts a
# service's main process in the service's cgroup.
svc_start() {
	local bin=$1
	shift
	bash -c 'echo $$ >'"$svc"'/cgroup.procs && exec "$@"' framegated \
		"$bin" -d "$@" -f "$work/framegated.conf" >"$work/log" 2>&1 &
	pid=$!
}

fg_setup
printf '[framegated]\ncell_root = delegated\n\n' | cat - "$work/framegated.conf" \
	>"$work/conf.new"
mv "$work/conf.new" "$work/framegated.conf"
mkdir -p "$svc"
echo "TAP version 13"

check "framegated -n takes cell_root = delegated" \
	outputs '^configuration OK$' "$fgd" -n -f "$work/framegated.conf"
check "enforcement is pinned for the default root" \
	outputs 'cells under /sys/fs/cgroup/framegate$' "$ctl" enforce start
rc=0
svc_start "$fgd"
wait "$pid" || rc=$?
pid=
check "framegated refuses programs pinned for another root (exit $rc)" \
	bash -c "cat '$work/log'; [ $rc = 1 ] && grep -q 'enforcement is pinned with its cells under /sys/fs/cgroup/framegate, not $cell_dir' '$work/log'"
check "and made no cell" [ "$(cells)" = 0 ]

check "framegatectl enforce stop" "$ctl" enforce stop
svc_start "$fgd"
check "framegated loads the programs for its own cgroup's cells" \
	eventually log_says "enforcement armed: programs loaded and pinned, cells under $cell_dir$"
check "the parent starts" eventually log_says 'started: 2 cameras, 2 sessions'
ida=$(session_id a-live)
idb=$(session_id b-stills)
check "both cells are below the service's cgroup" \
	bash -c "[ -d $cell_dir/session-$ida ] && [ -d $cell_dir/session-$idb ]"
check "and none in the default root" \
	bash -c "! ls -d /sys/fs/cgroup/framegate/session-* 2>/dev/null | grep ."
check "each worker runs in its cell" \
	eventually bash -c "[ -n \"\$(cat $cell_dir/session-$ida/cgroup.procs)\" ] &&
		[ -n \"\$(cat $cell_dir/session-$idb/cgroup.procs)\" ]"
check "the parent stays in the service's cgroup, outside every cell" \
	bash -c "grep -qx '0::/fgsvc.service' /proc/$pid/cgroup"
check "the packet filter is attached to the cell root" \
	outputs 'egress' bpftool cgroup show "$cell_dir"
check "framegatectl cell list names the cells there" \
	outputs "^$ida +[0-9]+ +$cell_dir/session-$ida$" "$ctl" cell list
check "tenant a's frames reach the ingest" eventually grown a 3
check "tenant b's frames reach the ingest" eventually grown b 2
fgd_stop
check "SIGTERM stops it cleanly (exit $rc)" [ "$rc" = 0 ]
check "every cell below the service's cgroup is gone" [ "$(cells)" = 0 ]
check "every object of tenant a is red" objects_are a red
check "every object of tenant b is blue" objects_are b blue

# The cell confines under this root as under the default one.
c0=$(cat "$sys/denied_connect")
svc_start "$hooks" -T a-live:connect
check "the test build adopts the pinned programs and their root" \
	eventually log_says "enforcement armed: adopted pinned state, cells under $cell_dir$"
ida=$(session_id a-live)
check "connect in worker A off its endpoints: EACCES" \
	eventually log_says 'test action connect: port 1: Permission denied'
check "counted by its cell: denied_connect +1, on session a-live" \
	bash -c "[ \$((\$(cat $sys/denied_connect) - $c0)) = 1 ] &&
		[ \"\$(cat $sys/sessions/$ida/denied_connect)\" = 1 ]"
fgd_stop
check "stopped cleanly, no cell left (exit $rc)" \
	bash -c "[ $rc = 0 ] && [ \$(ls -d $cell_dir/session-* 2>/dev/null | wc -l) = 0 ]"

check "enforcement goes back to the default root" \
	bash -c "'$ctl' enforce stop && '$ctl' enforce start |
		grep -q 'loaded, cells under /sys/fs/cgroup/framegate$'"
tap_end
