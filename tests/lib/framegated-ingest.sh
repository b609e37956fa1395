# shellcheck shell=bash
# tests/lib/framegated-ingest.sh — sourced by the framegated*.sh scripts:
# the TAP helpers, the certificates, the nginx ingest in its namespace, the
# cameras' colours and a two-tenant framegated.conf.
#
#   veth fgingest-a 10.99.0.1 --- fgingest-b 10.99.0.2, netns fgingest:
#        nginx, TLS 1.3 only, client certificates required,
#        /a/ writable by tenant a's certificate only, /b/ by b's only
#   vivid /dev/video0 solid red (tenant a), /dev/video1 solid blue (b)
#
# The sourcing script sets work (a fresh directory), and calls
# ingest_stop from its cleanup. Not a test itself: it lives below tests/lib
# so that tests/run-guest does not run it.

n=0
failed=0
scale=${FG_TIMEOUT_SCALE:-1}

# check NAME COMMAND...: one TAP line; the output of a failure as comments.
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

# The ingest's CA and server certificate (for 10.99.0.2), the tenants' CA
# and one client certificate per tenant, in $work.
ingest_certs() {
	local t
	ec() { openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "$@"; }
	ec -x509 -subj /CN=ingest-ca -days 2 -keyout "$work/ica.key" \
		-out "$work/ica.crt" 2>/dev/null
	ec -x509 -subj /CN=tenant-ca -days 2 -keyout "$work/tca.key" \
		-out "$work/tca.crt" 2>/dev/null
	ec -subj /CN=10.99.0.2 -keyout "$work/server.key" \
		-out "$work/server.csr" 2>/dev/null
	printf 'subjectAltName=IP:10.99.0.2\n' >"$work/san.ext"
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
	done
}

# One location per tenant, writable only with that tenant's certificate.
ingest_location() {
	cat <<NGINX
		location /$1/ {
			if (\$tenant != $1) { return 403; }
			dav_methods PUT;
			create_full_put_path on;
		}
NGINX
}

# nginx in the namespace fgingest, storing below $work/store/{a,b}.
ingest_start() {
	ingest_certs
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
$(ingest_location a)
$(ingest_location b)
	}
}
NGINX
	ip netns exec fgingest nginx -c "$work/nginx.conf"
	# The cameras' colours: red for tenant a, blue for tenant b.
	v4l2-ctl -d /dev/video0 -c osd_text_mode=2,test_pattern=7
	v4l2-ctl -d /dev/video1 -c osd_text_mode=2,test_pattern=9
}

ingest_stop() {
	[ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
	ip netns del fgingest 2>/dev/null
	return 0
}

# framegated.conf: camera red -> session a-live (tenant a, live at 5 fps),
# camera blue -> session b-stills (tenant b, a still every 2 s). Extra
# lines for [framegated] come as arguments.
ingest_conf() {
	local c t
	if [ $# -gt 0 ]; then
		echo "[framegated]"
		printf '%s\n' "$@"
		echo
	fi
	for c in red:0 blue:1; do
		printf '[camera %s]\ndevice = /dev/video%s\nformat = YUYV\n' \
			"${c%:*}" "${c#*:}"
		printf 'width = 640\nheight = 360\nfps = 30\n\n'
	done
	for t in a b; do
		printf '[tenant %s]\nurl = https://10.99.0.2:8443/%s\n' "$t" "$t"
		printf 'ca = %s\ncert = %s\nkey = %s\n\n' "$work/ica.crt" \
			"$work/$t.crt" "$work/$t.key"
	done
	printf '[session a-live]\ntenant = a\ncameras = red\nmode = live\n'
	printf 'rate = 5\n\n'
	printf '[session b-stills]\ntenant = b\ncameras = blue\n'
	printf 'mode = stills\ninterval = 2\n'
}
