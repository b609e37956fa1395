#!/bin/bash
# framegated's parent against the real module and cell programs, in the
# guest (run by tests/run-guest in phase 2: enforcement armed).
#
#   vivid /dev/video0 (solid red)  -> [camera red]  -> [session a-live]
#   vivid /dev/video1 (solid blue) -> [camera blue] -> [session b-stills]
#   each session's worker, in its cell, as nobody, sandboxed:
#        JPEG, HTTPS PUT with its tenant's client certificate
#   veth fgingest-a 10.99.0.1 --- fgingest-b 10.99.0.2, netns fgingest:
#        nginx, TLS 1.3 only, client certificates required,
#        /a/ writable by tenant a's certificate only, /b/ by b's only
#   framegated -d:   attaches both, creates both sessions, their cells and
#                    endpoints, starts the workers; SIGTERM takes it all
#                    down; what nginx stored decodes (djpeg) to the colour
#                    of the tenant's camera, one object per upload counted
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
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
scale=${FG_TIMEOUT_SCALE:-1}

cleanup() {
	[ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
	ip netns del fgingest 2>/dev/null
	# What a failed check may have left: no cell outlives this script.
	for c in /sys/fs/cgroup/framegate/session-*; do
		[ -d "$c" ] && "$ctl" cell remove "${c##*-}" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT

# Waits (up to 30 s, scaled) until the command succeeds.
eventually() {
	local _
	for _ in $(seq $((300 * scale))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

log_says() { grep -qE -- "$1" "$work/log"; }
cells() { ls -d /sys/fs/cgroup/framegate/session-* 2>/dev/null | wc -l; }
sysfs_is() { [ "$(cat "$sys/$1")" = "$2" ]; }

# Certificates: the ingest's CA and its server certificate (for the
# address 10.99.0.2), and the tenants' CA and one client certificate each.
ec() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@"; }
ec -x509 -subj /CN=ingest-ca -days 2 -keyout "$work/ica.key" \
	-out "$work/ica.crt" 2>/dev/null
ec -x509 -subj /CN=tenant-ca -days 2 -keyout "$work/tca.key" \
	-out "$work/tca.crt" 2>/dev/null
ec -subj /CN=10.99.0.2 -keyout "$work/server.key" -out "$work/server.csr" \
	2>/dev/null
printf 'subjectAltName=IP:10.99.0.2\n' >"$work/san.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ica.crt" \
	-CAkey "$work/ica.key" -CAcreateserial -days 2 -extfile "$work/san.ext" \
	-out "$work/server.crt" 2>/dev/null
for t in a b; do
	ec -subj "/CN=tenant-$t" -keyout "$work/$t.key" -out "$work/$t.csr" \
		2>/dev/null
	openssl x509 -req -in "$work/$t.csr" -CA "$work/tca.crt" \
		-CAkey "$work/tca.key" -CAcreateserial -days 2 \
		-out "$work/$t.crt" 2>/dev/null
	chmod 600 "$work/$t.key"
done

# The ingest, in its own namespace.
ip netns add fgingest
ip link add fgingest-a type veth peer name fgingest-b
ip link set fgingest-b netns fgingest
ip addr add 10.99.0.1/24 dev fgingest-a
ip link set fgingest-a up
ip -n fgingest addr add 10.99.0.2/24 dev fgingest-b
ip -n fgingest link set fgingest-b up
ip -n fgingest link set lo up
mkdir -p "$work/store/a" "$work/store/b" "$work/nginx"
cat >"$work/nginx.conf" <<NGINX
user root;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
	access_log $work/nginx/access.log;
	client_body_temp_path $work/nginx/body;
	proxy_temp_path $work/nginx/proxy;
	fastcgi_temp_path $work/nginx/fastcgi;
	uwsgi_temp_path $work/nginx/uwsgi;
	scgi_temp_path $work/nginx/scgi;
	map \$ssl_client_s_dn \$tenant {
		"CN=tenant-a" a;
		"CN=tenant-b" b;
		default "";
	}
	server {
		listen 10.99.0.2:8443 ssl;
		ssl_protocols TLSv1.3;
		ssl_certificate $work/server.crt;
		ssl_certificate_key $work/server.key;
		ssl_client_certificate $work/tca.crt;
		ssl_verify_client on;
		root $work/store;
		client_max_body_size 16m;
		location /a/ {
			if (\$tenant != a) { return 403; }
			dav_methods PUT;
			create_full_put_path on;
		}
		location /b/ {
			if (\$tenant != b) { return 403; }
			dav_methods PUT;
			create_full_put_path on;
		}
	}
}
NGINX
ip netns exec fgingest nginx -c "$work/nginx.conf"

# The cameras' colours: red for tenant a, blue for tenant b.
v4l2-ctl -d /dev/video0 -c osd_text_mode=2,test_pattern=7
v4l2-ctl -d /dev/video1 -c osd_text_mode=2,test_pattern=9

# The colour of the JPEG file $1 at its centre: red, green, blue or other.
colour() {
	djpeg -pnm "$1" | python3 -c '
import sys
d = sys.stdin.buffer.read()
# P6, width, height, maxval, then exactly one white space byte: the
# pixels may begin with bytes that are white space too.
fields, pos = [], 0
while len(fields) < 4:
    while d[pos:pos + 1].isspace():
        pos += 1
    end = pos
    while not d[end:end + 1].isspace():
        end += 1
    fields.append(d[pos:end])
    pos = end
w, h = int(fields[1]), int(fields[2])
px = d[pos + 1:]
i = ((h // 2) * w + w // 2) * 3
r, g, b = px[i], px[i + 1], px[i + 2]
print("red" if r > 180 and g < 80 and b < 80 else
      "green" if g > 180 and r < 80 and b < 80 else
      "blue" if b > 180 and r < 80 and g < 80 else
      "other %d,%d,%d" % (r, g, b))'
}

# Every object of tenant $1 decodes to colour $2.
objects_are() {
	local f n=0 bad=0 c
	for f in $(find "$work/store/$1" -name '*.jpg' | sort -V); do
		c=$(colour "$f")
		n=$((n + 1))
		[ "$c" = "$2" ] && continue
		bad=$((bad + 1))
		echo "$f: $c"
	done
	echo "$n objects, $bad of another colour"
	[ "$n" -gt 0 ] && [ "$bad" = 0 ]
}
count_objects() { find "$work/store/$1" -name '*.jpg' | wc -l; }

# The last counters the parent logged for session $1: acquired, uploaded,
# and all drops, as three numbers.
counters() {
	grep "session $1: acquired" "$work/log" | tail -1 | awk '{
		for (i = 1; i < NF; i++) v[$i] = $(i + 1)
		print v["acquired"], v["uploaded"],
		      v["queue_full"] + v["upload_failed"] + v["timeout"] }'
}
balances() {
	local a u d
	read -r a u d <<<"$(counters "$1")"
	echo "acquired $a uploaded $u dropped $d, $(count_objects "$2") stored"
	[ -n "$a" ] && [ "$a" -gt 0 ] && [ "$a" = $((u + d)) ] &&
		[ "$u" = "$(count_objects "$2")" ]
}
denials() { cat "$sys"/denied_* | awk '{ s += $1 } END { print s }'; }

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

[tenant b]
url = https://10.99.0.2:8443/b
ca = $work/ica.crt
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
denied0=$(denials)

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
check "both workers are sandboxed (READY)" \
	eventually bash -c "[ \$(grep -c 'sandboxed (Landlock ABI' '$work/log') = 2 ]"
check "tenant a's live frames reach the ingest" \
	eventually bash -c "[ \$(find '$work/store/a' -name '*.jpg' | wc -l) -ge 5 ]"
check "tenant b's stills reach the ingest" \
	eventually bash -c "[ \$(find '$work/store/b' -name '*.jpg' | wc -l) -ge 2 ]"
check "the workers run as nobody in their cells" \
	bash -c 'for c in /sys/fs/cgroup/framegate/session-*; do
		p=$(head -1 $c/cgroup.procs); [ -n "$p" ] &&
		[ "$(stat -c %u /proc/$p)" = 65534 ] || exit 1; done'
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
ida=$(grep -oE 'session a-live: session [0-9]+' "$work/log" | awk '{print $4}')
idb=$(grep -oE 'session b-stills: session [0-9]+' "$work/log" | awk '{print $4}')
check "every object of tenant a is red" objects_are a red
check "every object of tenant b is blue" objects_are b blue
check "session a: acquired = uploaded + dropped, uploaded = stored" \
	balances "$ida" a
check "session b: acquired = uploaded + dropped, uploaded = stored" \
	balances "$idb" b
check "the workers needed nothing the cells refuse" \
	[ "$(denials)" = "$denied0" ]

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

tap_end
