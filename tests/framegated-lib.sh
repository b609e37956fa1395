#!/bin/bash
# What the framegated scenario scripts share (sourced by tests/framegated*.sh,
# scripts/demo-guest and scripts/bench-daemon-guest): TAP checks, the certificates, the ingest
# (nginx with DAV, TLS 1.3, client certificates, in netns fgingest), the
# cameras' colours, the configuration, and the readers of what the parent
# logs and nginx stored.
#
#   veth fgingest-a 10.99.0.1 --- fgingest-b 10.99.0.2, netns fgingest:
#        nginx on 10.99.0.2:8443 (and :9443), /a/ writable by tenant a's
#        certificate only, /b/ by b's only; what it stores is in
#        $work/store/{a,b}, what it served in $work/nginx/access.log as
#        "PORT METHOD URI STATUS" lines
#   veth fgingest-c 10.98.0.1 --- fgingest-d 10.98.0.2: the same nginx on
#        10.98.0.2:8443, a second path (framegated-e2e.sh gives each tenant
#        its own, and a bad network on each)
#   GET /T/view/ (tenant T's certificate): T's store as JSON listings and
#        files, what a tenant's viewer fetches; with ingest_mixed=1 set
#        before fg_setup also GET /b/mixed/: tenant a's store served to
#        tenant b, the mixed-up cache of the incidents framegate is for
#
# The sourcing script sets nothing first; $work, $pid and the counters
# below are its own. It calls fg_setup once, before its first check.

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fgd=$top/daemon/framegated/framegated
ctl=$top/daemon/framegatectl/framegatectl
fgopen=$top/daemon/framegate-open/framegate-open
sys=/sys/kernel/framegate
work=$(mktemp -d)
# shellcheck source=tests/lib/tap.sh
. "$top/tests/lib/tap.sh"
scale=${FG_TIMEOUT_SCALE:-1}
# Where the cells are: the library's default root unless the script's
# configuration says cell_root (framegated-delegated.sh).
cell_dir=/sys/fs/cgroup/framegate

cleanup() {
	[ -n "${pid:-}" ] && kill -KILL "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
	# The links before the namespace: deleting a veth's end takes its
	# peer with it at once, while a namespace is torn down later, by the
	# kernel's workqueue, once nginx has left it, and the next script
	# makes the same links anew ("File exists" if they are still there).
	ip link del fgingest-a 2>/dev/null || true
	ip link del fgingest-c 2>/dev/null || true
	ip netns del fgingest 2>/dev/null || true
	rm -f /run/framegated.sock	# a killed daemon's
	# What a failed check may have left: no cell outlives this script.
	for c in "$cell_dir"/session-*; do
		[ -d "$c" ] && "$ctl" cell remove "${c##*-}" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
# A timeout's SIGTERM cleans up too.
trap 'exit 143' TERM INT

# Waits (up to 30 s, scaled; -t S: S s, scaled) until the command succeeds.
eventually() {
	local i s=30
	if [ "$1" = -t ]; then
		s=$2
		shift 2
	fi
	for i in $(seq $((10 * s * scale))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	"$@"
}

log_says() { grep -qE -- "$1" "$work/log"; }
cells() { ls -d "$cell_dir"/session-* 2>/dev/null | wc -l; }
sysfs_is() { [ "$(cat "$sys/$1")" = "$2" ]; }
denials() { cat "$sys"/denied_* | awk '{ s += $1 } END { print s }'; }

# Certificates: the ingest's CA and its server certificate (for the
# address 10.99.0.2), and the tenants' CA and one client certificate each;
# and each tenant's sealing key pair ($work/T.seal, the private key the
# device never sees; $work/T.seal.b64, its public_key line's value).
ec() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@"; }
certs_make() {
	local t
	ec -x509 -subj /CN=ingest-ca -days 2 -keyout "$work/ica.key" \
		-out "$work/ica.crt" 2>/dev/null
	ec -x509 -subj /CN=tenant-ca -days 2 -keyout "$work/tca.key" \
		-out "$work/tca.crt" 2>/dev/null
	ec -subj /CN=10.99.0.2 -keyout "$work/server.key" \
		-out "$work/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:10.99.0.2,IP:10.98.0.2\n' >"$work/san.ext"
	openssl x509 -req -in "$work/server.csr" -CA "$work/ica.crt" \
		-CAkey "$work/ica.key" -CAcreateserial -days 2 \
		-extfile "$work/san.ext" -out "$work/server.crt" 2>/dev/null
	for t in a b; do
		ec -subj "/CN=tenant-$t" -keyout "$work/$t.key" \
			-out "$work/$t.csr" 2>/dev/null
		openssl x509 -req -in "$work/$t.csr" -CA "$work/tca.crt" \
			-CAkey "$work/tca.key" -CAcreateserial -days 2 \
			-out "$work/$t.crt" 2>/dev/null
		chmod 600 "$work/$t.key"
		"$fgopen" genkey -o "$work/$t.seal" |
			sed -n 's/^public_key = //p' >"$work/$t.seal.b64"
	done
}

nginx_start() { ip netns exec fgingest nginx -c "$work/nginx.conf"; }

# The ingest, in its own namespace.
ingest_make() {
	ip netns add fgingest
	ip link add fgingest-a type veth peer name fgingest-b
	ip link set fgingest-b netns fgingest
	ip addr add 10.99.0.1/24 dev fgingest-a
	ip link set fgingest-a up
	ip -n fgingest addr add 10.99.0.2/24 dev fgingest-b
	ip -n fgingest link set fgingest-b up
	ip link add fgingest-c type veth peer name fgingest-d
	ip link set fgingest-d netns fgingest
	ip addr add 10.98.0.1/24 dev fgingest-c
	ip link set fgingest-c up
	ip -n fgingest addr add 10.98.0.2/24 dev fgingest-d
	ip -n fgingest link set fgingest-d up
	ip -n fgingest link set lo up
	mixed=
	[ "${ingest_mixed:-0}" = 1 ] && mixed="
		# The seed's bug: b's viewers served a's objects, as a mixed-up
		# cache would.
		location /b/mixed/ {
			if (\$tenant != b) { return 403; }
			alias $work/store/a/;
			autoindex on;
			autoindex_format json;
		}"
	mkdir -p "$work/store/a" "$work/store/b" "$work/nginx"
	cat >"$work/nginx.conf" <<NGINX
user root;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 64; }
http {
	log_format fg '\$server_port \$request_method \$uri \$status';
	access_log $work/nginx/access.log fg;
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
		listen 10.99.0.2:9443 ssl;	# framegated-reload.sh moves to it
		listen 10.98.0.2:8443 ssl;
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
		location /a/view/ {
			if (\$tenant != a) { return 403; }
			alias $work/store/a/;
			autoindex on;
			autoindex_format json;
		}
		location /b/view/ {
			if (\$tenant != b) { return 403; }
			alias $work/store/b/;
			autoindex on;
			autoindex_format json;
		}$mixed
	}
}
NGINX
	nginx_start
}

config_write() {
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

[tenant b]
url = https://10.99.0.2:8443/b
ca = $work/ica.crt
cert = $work/b.crt
key = $work/b.key
public_key = $(cat "$work/b.seal.b64")

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
}

# Everything a scenario starts from: certificates, ingest, the cameras'
# colours (red for tenant a, blue for tenant b), $work/framegated.conf.
fg_setup() {
	certs_make
	ingest_make
	v4l2-ctl -d /dev/video0 -c osd_text_mode=2,test_pattern=7
	v4l2-ctl -d /dev/video1 -c osd_text_mode=2,test_pattern=9
	config_write
}

# Every object tenant $1 stored opens with its key (framegate-open: its
# tenant, tag, sequence order and times), and each JPEG in it decodes
# (djpeg, one per file) to colour $2 at its centre: "N objects, M of
# another colour", each of those named, after framegate-open's refusals.
# $2 is red, green, blue, or grey:LO-HI (a grey picture, R = G = B give or
# take 3, of a level from LO to HI: what a GREY camera makes of a colour).
objects_are() {
	local out=$work/opened/$1 stored refused=0
	rm -rf "$out"
	mkdir -p "$out"
	stored=$(count_objects "$1")
	"$fgopen" -q -k "$work/$1.seal" -o "$out" "$work/store/$1" || refused=1
	[ "$(find "$out" -name '*.jpg' | wc -l)" = "$stored" ] || refused=1
	find "$out" -name '*.jpg' | sort -V | python3 -c '
import subprocess, sys
want, n, bad = sys.argv[1], 0, 0
def colour(path):
    d = subprocess.run(["djpeg", "-pnm", path], check=True,
                       stdout=subprocess.PIPE).stdout
    # P6 (colour) or P5 (greyscale), width, height, maxval, then exactly
    # one white space byte: the pixels may begin with bytes that are white
    # space too.
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
    if fields[0] == b"P5":
        return "grey %d" % px[(h // 2) * w + w // 2]
    i = ((h // 2) * w + w // 2) * 3
    r, g, b = px[i], px[i + 1], px[i + 2]
    if max(r, g, b) - min(r, g, b) <= 3:
        return "grey %d" % g
    return ("red" if r > 180 and g < 80 and b < 80 else
            "green" if g > 180 and r < 80 and b < 80 else
            "blue" if b > 180 and r < 80 and g < 80 else
            "other %d,%d,%d" % (r, g, b))
for line in sys.stdin:
    path = line.rstrip("\n")
    n += 1
    try:
        c = colour(path)
    except subprocess.CalledProcessError as e:
        c = "not a JPEG djpeg reads (%s)" % e
    if want.startswith("grey:") and c.startswith("grey "):
        lo, hi = (int(x) for x in want[5:].split("-"))
        ok = lo <= int(c[5:]) <= hi
    else:
        ok = c == want
    if not ok:
        bad += 1
        print("%s: %s" % (path, c))
print("%d objects, %d of another colour" % (n, bad))
sys.exit(0 if n > 0 and bad == 0 else 1)' "$2" && [ "$refused" = 0 ]
}
count_objects() { find "$work/store/$1" -name '*.fgs' | wc -l; }

# An implementation of the sealed format that is not ours
# (tests/sealed/sealed.py, Python's cryptography) opens every object
# tenant $1 stored with its key, to the JPEG framegate-open wrote of it
# (objects_are $1 first): the same SHA-256, object for object.
sealed_py_opens() {
	local t=$1 path s c q sha n=0
	find "$work/store/$t" -name '*.fgs' | sort -V >"$work/py.$t.in"
	[ -s "$work/py.$t.in" ] || return 1
	xargs /usr/bin/python3 "$top/tests/sealed/sealed.py" open \
		"$work/$t.seal" <"$work/py.$t.in" >"$work/py.$t" || return 1
	while read -r path _ s _ c _ q _ _ _ _ _ sha; do
		[ "$(sha256sum <"$work/opened/$t/$s-$c-$q.jpg" | cut -d' ' -f1)" = "$sha" ] ||
			{ echo "$path: not what framegate-open wrote"; return 1; }
		n=$((n + 1))
	done <"$work/py.$t"
	echo "$n objects of $t opened by sealed.py"
	[ "$n" = "$(count_objects "$t")" ]
}

# Tenant $1's key opens none of the objects under directory $2:
# framegate-open refuses every one as another tenant's and writes nothing
# ($work/wrong/$3, its refusals in $work/wrong/$3.err).
key_refuses() {
	local out=$work/wrong/$3 n total
	total=$(find "$2" -name '*.fgs' | wc -l)
	rm -rf "$out"
	mkdir -p "$out"
	! "$fgopen" -q -k "$work/$1.seal" -o "$out" "$2" \
		2>"$work/wrong/$3.err" || return 1
	n=$(grep -c ': refused: sealed to another tenant' "$work/wrong/$3.err")
	echo "$n of $total refused as another tenant's"
	[ "$n" -gt 0 ] && [ "$n" = "$total" ] &&
		[ "$(wc -l <"$work/wrong/$3.err")" = "$n" ] &&
		[ -z "$(ls -A "$out")" ]
}
# Tenant $2's key opens none of tenant $1's stored objects.
other_key_refuses() { key_refuses "$2" "$work/store/$1" "$1"; }

# Tenant $1's viewer: what the ingest serves at https://$2 (a path with
# JSON listings, e.g. 10.98.0.2:8443/b/mixed/) fetched with $1's
# certificate into directory $3.
viewer_fetch() {
	/usr/bin/python3 "$top/tests/lib/e2e.py" fetch "https://$2" \
		"$work/ica.crt" "$work/$1.crt" "$work/$1.key" "$3"
}

# The stats lines the parent logged for session $1 (one per worker, when
# it ended), each as the fields $2...: acquired encoded uploaded
# queue_full upload_failed timeout (the drops), errors_connect errors_tls
# errors_http errors_timeout errors_other, worker (which one of the
# session it was) seccomp_kills; drops (the three drops' sum).
stats() {
	local s=$1
	shift
	grep "session $s: acquired" "$work/log" | awk -v keys="$*" '{
		delete v
		np = split($0, part, "; ")
		for (p = 1; p <= np; p++) {
			m = split(part[p], w, " ")
			pre = w[1] == "errors" ? "errors_" : ""
			for (i = 1; i < m; i++)
				if (!((pre w[i]) in v))
					v[pre w[i]] = w[i + 1]
		}
		v["drops"] = v["queue_full"] + v["upload_failed"] + v["timeout"]
		nk = split(keys, k, " ")
		line = ""
		for (i = 1; i <= nk; i++)
			line = line (i > 1 ? " " : "") v[k[i]]
		print line }'
}
# The last stats line's three numbers: acquired, uploaded, drops.
counters() { stats "$1" acquired uploaded drops | tail -1; }
# Every worker of session $1 (each line logged; or of every session in
# the list $1) balanced: acquired =
# uploaded + drops; and what they uploaded is what tenant $2 has stored,
# or up to $3 objects fewer (a worker killed after its last STATS).
balances() {
	local a u d sum=0 lines=0 ok=0 stored slack=${3:-0}
	while read -r a u d; do
		echo "acquired $a uploaded $u dropped $d"
		lines=$((lines + 1))
		sum=$((sum + u))
		[ -n "$a" ] && [ "$a" -gt 0 ] && [ "$a" = $((u + d)) ] ||
			ok=1
	done <<<"$(for s in $1; do stats "$s" acquired uploaded drops; done)"
	stored=$(count_objects "$2")
	echo "$lines workers, $sum uploaded, $stored stored"
	[ "$lines" -gt 0 ] && [ "$ok" = 0 ] && [ "$stored" -ge "$sum" ] &&
		[ "$stored" -le $((sum + slack)) ]
}

# framegated ($1, then its flags) in the foreground, logging to $work/log.
fgd_start() {
	local bin=$1
	shift
	"$bin" -d "$@" -f "$work/framegated.conf" >"$work/log" 2>&1 &
	pid=$!
}
# SIGTERM, and its exit status in $rc.
fgd_stop() {
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	pid=
}
# The session id of the configuration's session $1, as the parent logged.
session_id() {
	grep -oE "session $1: session [0-9]+" "$work/log" | awk '{ print $4 }'
}
# The pid of the worker in session $1's cell.
worker_pid() { head -1 "$cell_dir/session-$1/cgroup.procs"; }
# The release framegated with the configuration of config_write, checked
# up to streaming: sets ida and idb (the sessions' ids) and wa and wb
# (their workers' pids).
fgd_start_streaming() {
	fgd_start "$fgd"
	check "the parent starts" eventually log_says 'started: 2 cameras, 2 sessions'
	check "both workers are sandboxed and stream" eventually bash -c \
		"[ \$(grep -c 'streaming to' '$work/log') = 2 ]"
	ida=$(session_id a-live)
	idb=$(session_id b-stills)
	wa=$(worker_pid "$ida")
	wb=$(worker_pid "$idb")
	check "tenant a's frames reach the ingest" eventually grown a 3
}
# How many workers the parent started for session $1.
workers_started() { grep -cE "session $1: worker [0-9]+ started" "$work/log"; }
# Tenant $1 has stored at least $2 objects.
grown() { [ "$(count_objects "$1")" -ge "$2" ]; }
