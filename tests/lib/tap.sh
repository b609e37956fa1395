# tests/lib/tap.sh — the TAP helpers of the scenario scripts, sourced by them
# after they set work (their scratch directory). One "ok N name" or
# "not ok N name" line per check, the command's output as comments when
# it fails; tap_end prints the plan and fails if any check did.
# shellcheck shell=bash disable=SC2154 # work is the sourcing script's

n=0
failed=0

# check NAME COMMAND...: one TAP line for whether COMMAND succeeds.
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

# outputs PATTERN COMMAND...: COMMAND succeeds and prints the extended
# regular expression PATTERN.
outputs() {
	local pattern=$1 out
	shift
	echo "+ $*"
	out=$("$@" 2>&1) || { echo "$out"; return 1; }
	echo "$out"
	grep -qE -- "$pattern" <<<"$out"
}

# fails STATUS PATTERN COMMAND...: COMMAND exits with STATUS and prints
# PATTERN.
fails() {
	local want=$1 pattern=$2 rc=0 out
	shift 2
	echo "+ $*"
	out=$("$@" 2>&1) || rc=$?
	echo "$out (exit $rc)"
	[ "$rc" -eq "$want" ] && grep -qE -- "$pattern" <<<"$out"
}

tap_end() {
	echo "1..$n"
	[ "$failed" -eq 0 ]
}
