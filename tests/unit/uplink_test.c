// SPDX-License-Identifier: GPL-2.0
/*
 * framegated's uplink.c against a real ingest: Debian's nginx with its DAV
 * module, started per test on 127.0.0.1 and a free port, in the foreground
 * as one process (master_process off), with everything under a temporary
 * directory:
 *
 *    uplink_put() --TLS 1.3, client cert--> nginx 127.0.0.1:PORT
 *                                             /tenant-a/  only CN=tenant-a
 *                                             /tenant-b/  only CN=tenant-b
 *                                             /broken/    503
 *                                           root DIR/store, access.log
 *
 * CAs and certificates (EC P-256) are made per test with the openssl CLI:
 * "ca" signs the server's certificate (name ingest.test) and both tenants';
 * "rogue" is a CA the uplink does not pin. The teardown stops nginx and
 * removes the directory whatever the test did.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "uplink.h"
#include "kselftest_harness.h"

#define HOST		"ingest.test"
#define SESSION		42
#define CAPTURE_NS	1700000000123456789ULL
#define SMALL		100	/* bytes of a PUT whose body does not matter */

/* openssl req's configuration: no system file, exactly these extensions. */
static const char openssl_cnf[] =
	"[req]\n"
	"distinguished_name = dn\n"
	"[dn]\n"
	"[ca]\n"
	"basicConstraints = critical,CA:true\n"
	"keyUsage = critical,keyCertSign,cRLSign\n"
	"subjectKeyIdentifier = hash\n"
	"[server]\n"
	"basicConstraints = CA:false\n"
	"subjectAltName = DNS:" HOST "\n"
	"extendedKeyUsage = serverAuth\n"
	"[client]\n"
	"basicConstraints = CA:false\n"
	"extendedKeyUsage = clientAuth\n";

struct blob {
	char	*data;
	size_t	len;
};

FIXTURE(uplink) {
	char		dir[64];
	uint16_t	port;
	pid_t		nginx;
	struct uplink	*up;
	struct blob	ca, cert, key;
	uint8_t		*body;
};

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Runs argv to completion, output to DIR/cmd.log; 0 if it exited 0. */
static int
run(const char *dir, char *const argv[])
{
	char log[96];
	int status, fd;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/cmd.log", dir);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static char *
path(const FIXTURE_DATA(uplink) *self, const char *name)
{
	static char buf[4][160];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", self->dir, name);
	return buf[i];
}

/*
 * A certificate NAME.pem and key NAME.key with subject CN=NAME: self-signed
 * for a CA (issuer NULL), else signed by issuer.pem / issuer.key.
 */
static int
make_cert(FIXTURE_DATA(uplink) *self, const char *name, const char *issuer,
	  const char *extensions)
{
	char subj[64], key[160], cert[160], ca[160], cakey[160];
	char *argv[32];
	int n = 0;

	snprintf(subj, sizeof(subj), "/CN=%s", name);
	snprintf(key, sizeof(key), "%s/%s.key", self->dir, name);
	snprintf(cert, sizeof(cert), "%s/%s.pem", self->dir, name);
	argv[n++] = "openssl";
	argv[n++] = "req";
	argv[n++] = "-x509";
	argv[n++] = "-config";
	argv[n++] = path(self, "openssl.cnf");
	argv[n++] = "-extensions";
	argv[n++] = (char *)extensions;
	argv[n++] = "-newkey";
	argv[n++] = "ec";
	argv[n++] = "-pkeyopt";
	argv[n++] = "ec_paramgen_curve:P-256";
	argv[n++] = "-nodes";
	argv[n++] = "-days";
	argv[n++] = "2";
	argv[n++] = "-subj";
	argv[n++] = subj;
	argv[n++] = "-keyout";
	argv[n++] = key;
	argv[n++] = "-out";
	argv[n++] = cert;
	if (issuer) {
		snprintf(ca, sizeof(ca), "%s/%s.pem", self->dir, issuer);
		snprintf(cakey, sizeof(cakey), "%s/%s.key", self->dir, issuer);
		argv[n++] = "-CA";
		argv[n++] = ca;
		argv[n++] = "-CAkey";
		argv[n++] = cakey;
	}
	argv[n] = NULL;
	return run(self->dir, argv);
}

static int
write_file(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(name, "w");

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f) ? -1 : 0;
}

/* The whole file, NUL-terminated (len without it); NULL data on error. */
static struct blob
read_file(const char *name)
{
	struct blob b = { NULL, 0 };
	struct stat st;
	FILE *f = fopen(name, "r");

	if (!f)
		return b;
	if (fstat(fileno(f), &st) == 0 && (b.data = malloc(st.st_size + 1))) {
		b.len = fread(b.data, 1, st.st_size, f);
		b.data[b.len] = '\0';
	}
	fclose(f);
	return b;
}

/* A port on 127.0.0.1 that nothing listened on a moment ago. */
static uint16_t
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	uint16_t port = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool
port_open(uint16_t port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(port),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/*
 * Writes nginx.conf for the given protocols and server certificate, starts
 * nginx and waits until it accepts connections.
 */
static int
start_nginx(FIXTURE_DATA(uplink) *self, const char *protocols,
	    const char *server)
{
	const char *d = self->dir;
	char conf[4096];
	int n;

	n = snprintf(conf, sizeof(conf),
		"daemon off;\n"
		"master_process off;\n"
		"pid %s/nginx.pid;\n"
		"error_log %s/error.log info;\n"
		"events { worker_connections 32; }\n"
		"http {\n"
		"  client_body_temp_path %s/tmp;\n"
		"  proxy_temp_path %s/tmp;\n"
		"  fastcgi_temp_path %s/tmp;\n"
		"  uwsgi_temp_path %s/tmp;\n"
		"  scgi_temp_path %s/tmp;\n"
		"  log_format fg '$connection $connection_requests $request_method"
		" $request_uri $status $ssl_protocol \"$ssl_client_s_dn\""
		" \"$http_x_framegate_session\" \"$http_x_framegate_camera\""
		" \"$http_x_framegate_sequence\" \"$http_x_framegate_capture_ns\""
		" \"$content_type\"';\n"
		"  access_log %s/access.log fg;\n"
		"  map $ssl_client_s_dn $tenant {\n"
		"    default \"\";\n"
		"    \"CN=tenant-a\" a;\n"
		"    \"CN=tenant-b\" b;\n"
		"  }\n"
		"  server {\n"
		"    listen 127.0.0.1:%u ssl;\n"
		"    server_name " HOST ";\n"
		"    ssl_protocols %s;\n"
		"    ssl_certificate %s/%s.pem;\n"
		"    ssl_certificate_key %s/%s.key;\n"
		"    ssl_client_certificate %s/ca.pem;\n"
		"    ssl_verify_client on;\n"
		"    root %s/store;\n"
		"    location /tenant-a/ {\n"
		"      if ($tenant != a) { return 403; }\n"
		"      dav_methods PUT;\n"
		"      create_full_put_path on;\n"
		"    }\n"
		"    location /tenant-b/ {\n"
		"      if ($tenant != b) { return 403; }\n"
		"      dav_methods PUT;\n"
		"      create_full_put_path on;\n"
		"    }\n"
		"    location /broken/ { return 503; }\n"
		"    location / { return 403; }\n"
		"  }\n"
		"}\n",
		d, d, d, d, d, d, d, d, self->port, protocols, d, server, d,
		server, d, d);
	if (n < 0 || (size_t)n >= sizeof(conf) ||
	    write_file(path(self, "nginx.conf"), conf, n) ||
	    mkdir(path(self, "tmp"), 0700) || mkdir(path(self, "store"), 0700))
		return -1;

	self->nginx = fork();
	if (self->nginx < 0)
		return -1;
	if (self->nginx == 0) {
		int fd = open(path(self, "nginx.out"),
			      O_WRONLY | O_CREAT | O_APPEND, 0600);

		/* Gone with the test, even when the harness kills it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execlp("nginx", "nginx", "-p", d, "-c", path(self, "nginx.conf"),
		       "-e", path(self, "error.log"), (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 300; i++) {		/* 3 s */
		if (port_open(self->port))
			return 0;
		if (waitpid(self->nginx, NULL, WNOHANG) == self->nginx) {
			self->nginx = 0;
			return -1;
		}
		usleep(10000);
	}
	return -1;
}

static void
stop_nginx(FIXTURE_DATA(uplink) *self)
{
	if (self->nginx <= 0)
		return;
	kill(self->nginx, SIGTERM);
	for (int i = 0; i < 200; i++) {		/* 2 s, then no manners */
		if (waitpid(self->nginx, NULL, WNOHANG) == self->nginx)
			goto out;
		usleep(10000);
	}
	kill(self->nginx, SIGKILL);
	waitpid(self->nginx, NULL, 0);
out:
	self->nginx = 0;
}

static void
free_blob(struct blob *b)
{
	free(b->data);
	b->data = NULL;
}

/* Loads tenant's certificate and key and the CA to pin. */
static int
load_identity(FIXTURE_DATA(uplink) *self, const char *tenant, const char *ca)
{
	char name[64];

	free_blob(&self->ca);
	free_blob(&self->cert);
	free_blob(&self->key);
	snprintf(name, sizeof(name), "%s.pem", ca);
	self->ca = read_file(path(self, name));
	snprintf(name, sizeof(name), "%s.pem", tenant);
	self->cert = read_file(path(self, name));
	snprintf(name, sizeof(name), "%s.key", tenant);
	self->key = read_file(path(self, name));
	return self->ca.data && self->cert.data && self->key.data ? 0 : -1;
}

/* An uplink to port as tenant (pinning ca) writing under base_path. */
static struct uplink *
open_uplink(FIXTURE_DATA(uplink) *self, uint16_t port, const char *tenant,
	    const char *ca, const char *base_path, long timeout_ms)
{
	struct uplink_params p = {
		.host = HOST,
		.port = port,
		.addr = "127.0.0.1",
		.base_path = base_path,
		.session = SESSION,
		.connect_timeout_ms = timeout_ms,
		.timeout_ms = timeout_ms,
	};

	if (load_identity(self, tenant, ca))
		return NULL;
	p.ca = self->ca.data;
	p.ca_len = self->ca.len;
	p.cert = self->cert.data;
	p.cert_len = self->cert.len;
	p.key = self->key.data;
	p.key_len = self->key.len;
	uplink_free(self->up);
	self->up = uplink_new(&p);
	return self->up;
}

/* Bytes that are not text, so nothing along the way can "fix" them. */
static uint8_t *
make_body(size_t len, unsigned int seed)
{
	uint8_t *b = malloc(len);

	for (size_t i = 0; b && i < len; i++) {
		seed = seed * 1103515245 + 12345;
		b[i] = seed >> 16;
	}
	return b;
}

/*
 * One PUT of a small body as tenant (pinning "ca") under base_path, as
 * camera "front" frame 1: its status, or -1 when the uplink is not made.
 */
static int
put_once(FIXTURE_DATA(uplink) *self, const char *tenant,
	 const char *base_path, long timeout_ms, struct uplink_result *r)
{
	if (!self->body && !(self->body = make_body(SMALL, 0)))
		return -1;
	if (!open_uplink(self, self->port, tenant, "ca", base_path,
			 timeout_ms))
		return -1;
	return uplink_put(self->up, "front", 1, CAPTURE_NS, self->body, SMALL,
			  r);
}

static bool
stored_as(FIXTURE_DATA(uplink) *self, const char *name, const uint8_t *data,
	  size_t len)
{
	struct blob b = read_file(path(self, name));
	bool same = b.data && b.len == len && !memcmp(b.data, data, len);

	free(b.data);
	return same;
}

static bool
exists(FIXTURE_DATA(uplink) *self, const char *name)
{
	return access(path(self, name), F_OK) == 0;
}

FIXTURE_SETUP(uplink)
{
	bool ok;

	strcpy(self->dir, "/tmp/uplink_test.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, uplink_global_init());
	/* No ASSERT until the teardown is sure to run: the dir would stay. */
	ok = !write_file(path(self, "openssl.cnf"), openssl_cnf,
			 sizeof(openssl_cnf) - 1) &&
	     !make_cert(self, "ca", NULL, "ca") &&
	     !make_cert(self, "rogue", NULL, "ca") &&
	     !make_cert(self, "server", "ca", "server") &&
	     !make_cert(self, "rogue-server", "rogue", "server") &&
	     !make_cert(self, "tenant-a", "ca", "client") &&
	     !make_cert(self, "tenant-b", "ca", "client") &&
	     !make_cert(self, "rogue-tenant", "rogue", "client") &&
	     (self->port = free_port()) != 0;
	if (!ok)
		nftw(self->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	ASSERT_TRUE(ok) TH_LOG("openssl failed, see its output above");
}

FIXTURE_TEARDOWN(uplink)
{
	uplink_free(self->up);
	stop_nginx(self);
	free_blob(&self->ca);
	free_blob(&self->cert);
	free_blob(&self->key);
	free(self->body);
	nftw(self->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Line index (from 0) of access.log; NULL past the last one. */
static char *
read_access_line(FIXTURE_DATA(uplink) *self, int index, char *buf,
		 size_t size)
{
	FILE *f = fopen(path(self, "access.log"), "r");
	char *line = NULL;

	if (!f)
		return NULL;
	for (int i = 0; i <= index; i++)
		if (!fgets(buf, size, f) || !strchr(buf, '\n'))
			goto out;
	buf[strcspn(buf, "\n")] = '\0';
	line = buf;
out:
	fclose(f);
	return line;
}

/*
 * The same, waiting up to a second for it: nginx logs a request after it
 * has sent the reply, so the log can lag behind uplink_put()'s return.
 */
static char *
access_line(FIXTURE_DATA(uplink) *self, int index, char *buf, size_t size)
{
	for (int i = 0; i < 100; i++) {
		if (read_access_line(self, index, buf, size))
			return buf;
		usleep(10000);
	}
	return NULL;
}

TEST_F(uplink, put_lands_byte_identical_with_its_headers)
{
	struct uplink_result r;
	const size_t len = 70000;
	char line[512];

	ASSERT_EQ(0, start_nginx(self, "TLSv1.3", "server"));
	/* A proxy from the environment would make the PUT fail. */
	setenv("https_proxy", "http://127.0.0.1:1", 1);
	setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
	setenv("ALL_PROXY", "http://127.0.0.1:1", 1);
	ASSERT_NE(NULL, open_uplink(self, self->port, "tenant-a", "ca",
				    "/tenant-a/", 0));
	ASSERT_NE(NULL, self->body = make_body(len, 1));

	EXPECT_EQ(UPLINK_OK, uplink_put(self->up, "front", 7, CAPTURE_NS,
					self->body, len, &r))
		TH_LOG("%s", uplink_error(self->up));
	EXPECT_EQ(UPLINK_OK, r.status);
	EXPECT_EQ(201, r.http_status);
	EXPECT_EQ(len, r.bytes);
	EXPECT_EQ(1, r.new_connections);
	EXPECT_LT(0, r.latency_ns);
	EXPECT_STREQ("", uplink_error(self->up));
	EXPECT_TRUE(stored_as(self, "store/tenant-a/front/42/7.fgs",
			      self->body, len));
	ASSERT_NE(NULL, access_line(self, 0, line, sizeof(line)));
	EXPECT_NE(NULL, strstr(line, " 1 PUT /tenant-a/front/42/7.fgs 201 "
				     "TLSv1.3 \"CN=tenant-a\" \"42\" "
				     "\"front\" \"7\" "
				     "\"1700000000123456789\" "
				     "\"application/vnd.framegate.sealed\""))
		TH_LOG("access.log: %s", line);
}

TEST_F(uplink, other_tenants_location_is_http_4xx)
{
	struct uplink_result r;

	ASSERT_EQ(0, start_nginx(self, "TLSv1.3", "server"));
	EXPECT_EQ(UPLINK_HTTP_4XX, put_once(self, "tenant-a", "/tenant-b", 0,
					    &r));
	EXPECT_EQ(403, r.http_status);
	EXPECT_STREQ("HTTP status 403", uplink_error(self->up));
	EXPECT_FALSE(exists(self, "store/tenant-b/front"));

	/* B itself may: the location is closed to A, not to everyone. */
	EXPECT_EQ(UPLINK_OK, put_once(self, "tenant-b", "/tenant-b", 0, &r))
		TH_LOG("%s", uplink_error(self->up));
	EXPECT_TRUE(stored_as(self, "store/tenant-b/front/42/1.fgs",
			      self->body, SMALL));
}

/* nginx takes the handshake and answers 400 to a client it cannot verify. */
TEST_F(uplink, client_cert_of_another_ca_is_http_4xx)
{
	struct uplink_result r;

	ASSERT_EQ(0, start_nginx(self, "TLSv1.3", "server"));
	EXPECT_EQ(UPLINK_HTTP_4XX, put_once(self, "rogue-tenant", "/tenant-a",
					    0, &r));
	EXPECT_EQ(400, r.http_status);
	EXPECT_FALSE(exists(self, "store/tenant-a"));
}

/*
 * A server whose certificate does not chain to the pinned CA, even when
 * OpenSSL's environment points at the CA that signed it.
 */
TEST_F(uplink, server_of_another_ca_is_tls_failure)
{
	struct uplink_result r;

	ASSERT_EQ(0, start_nginx(self, "TLSv1.3", "rogue-server"));
	setenv("SSL_CERT_FILE", path(self, "rogue.pem"), 1);
	setenv("SSL_CERT_DIR", self->dir, 1);
	setenv("CURL_CA_BUNDLE", path(self, "rogue.pem"), 1);
	EXPECT_EQ(UPLINK_TLS, put_once(self, "tenant-a", "/tenant-a", 0, &r))
		TH_LOG("curl %d: %s", r.curl_code, uplink_error(self->up));
	EXPECT_EQ(0, r.http_status);
	EXPECT_STRNE("", uplink_error(self->up));
	EXPECT_FALSE(exists(self, "store/tenant-a"));
}

TEST_F(uplink, tls12_only_server_is_tls_failure)
{
	struct uplink_result r;

	ASSERT_EQ(0, start_nginx(self, "TLSv1.2", "server"));
	EXPECT_EQ(UPLINK_TLS, put_once(self, "tenant-a", "/tenant-a", 0, &r))
		TH_LOG("curl %d: %s", r.curl_code, uplink_error(self->up));
	EXPECT_FALSE(exists(self, "store/tenant-a"));
}

TEST_F(uplink, dead_port_is_connect_failure)
{
	struct uplink_result r;

	EXPECT_EQ(UPLINK_CONNECT, put_once(self, "tenant-a", "/tenant-a", 0,
					   &r))
		TH_LOG("curl %d: %s", r.curl_code, uplink_error(self->up));
	EXPECT_EQ(0, r.http_status);
}

/* A peer that takes the TCP connection and never says a word. */
TEST_F(uplink, silent_peer_is_timeout)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(self->port),
	};
	struct uplink_result r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ASSERT_LE(0, fd);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_EQ(0, listen(fd, 4));
	EXPECT_EQ(UPLINK_TIMEOUT, put_once(self, "tenant-a", "/tenant-a", 300,
					   &r))
		TH_LOG("curl %d: %s", r.curl_code, uplink_error(self->up));
	/* libcurl's timers count whole milliseconds from its own start. */
	EXPECT_GE(r.latency_ns, 290000000ULL);
	EXPECT_LT(r.latency_ns, 3000000000ULL);
	close(fd);
}

TEST_F(uplink, server_failure_is_http_5xx)
{
	struct uplink_result r;

	ASSERT_EQ(0, start_nginx(self, "TLSv1.3", "server"));
	EXPECT_EQ(UPLINK_HTTP_5XX, put_once(self, "tenant-a", "/broken", 0,
					    &r));
	EXPECT_EQ(503, r.http_status);
}

/* One handle, several PUTs, one TCP connection (nginx's $connection). */
TEST_F(uplink, puts_share_one_connection)
{
	struct uplink_result r;
	char line[512], name[64], want[64];
	unsigned long conn0 = 0, conn, reqs;

	ASSERT_EQ(0, start_nginx(self, "TLSv1.3", "server"));
	ASSERT_NE(NULL, self->body = make_body(3000, 9));
	ASSERT_NE(NULL, open_uplink(self, self->port, "tenant-a", "ca",
				    "/tenant-a", 0));
	for (unsigned int seq = 1; seq <= 5; seq++) {
		ASSERT_EQ(UPLINK_OK, uplink_put(self->up, "back", seq,
						CAPTURE_NS + seq, self->body,
						1000 * seq % 3000 + 1, &r))
			TH_LOG("%s", uplink_error(self->up));
		EXPECT_EQ(seq == 1 ? 1 : 0, r.new_connections);
		snprintf(name, sizeof(name), "store/tenant-a/back/42/%u.fgs",
			 seq);
		EXPECT_TRUE(stored_as(self, name, self->body,
				      1000 * seq % 3000 + 1));
	}
	for (int i = 0; i < 5; i++) {
		ASSERT_NE(NULL, access_line(self, i, line, sizeof(line)));
		ASSERT_EQ(2, sscanf(line, "%lu %lu", &conn, &reqs));
		if (i == 0)
			conn0 = conn;
		EXPECT_EQ(conn0, conn);
		EXPECT_EQ((unsigned long)i + 1, reqs);
		snprintf(want, sizeof(want), "\"%llu\"", CAPTURE_NS + i + 1);
		EXPECT_NE(NULL, strstr(line, want)) TH_LOG("%s", line);
	}
	EXPECT_EQ(NULL, read_access_line(self, 5, line, sizeof(line)));
}

TEST(uplink_refuses_what_it_cannot_name)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\n";
	struct uplink_params p = {
		.host = HOST, .port = 443, .addr = "127.0.0.1",
		.base_path = "/tenant-a", .session = 1,
		.ca = pem, .ca_len = sizeof(pem),
		.cert = pem, .cert_len = sizeof(pem),
		.key = pem, .key_len = sizeof(pem),
	};
	struct uplink_params bad;
	struct uplink_result r;
	struct uplink *up;

	ASSERT_EQ(0, uplink_global_init());
	bad = p, bad.host = "ingest.test/x";
	EXPECT_EQ(NULL, uplink_new(&bad));
	EXPECT_EQ(EINVAL, errno);
	bad = p, bad.addr = "ingest.test";	/* a name: we never resolve */
	EXPECT_EQ(NULL, uplink_new(&bad));
	bad = p, bad.base_path = "/tenant-a/../tenant-b";
	EXPECT_EQ(NULL, uplink_new(&bad));
	bad = p, bad.base_path = "tenant-a";
	EXPECT_EQ(NULL, uplink_new(&bad));
	bad = p, bad.base_path = "/a?b";
	EXPECT_EQ(NULL, uplink_new(&bad));
	bad = p, bad.port = 0;
	EXPECT_EQ(NULL, uplink_new(&bad));
	bad = p, bad.key = NULL;
	EXPECT_EQ(NULL, uplink_new(&bad));

	bad = p, bad.addr = "::1";
	up = uplink_new(&bad);
	EXPECT_NE(NULL, up);
	uplink_free(up);
	ASSERT_NE(NULL, up = uplink_new(&p));
	EXPECT_EQ(-EINVAL, uplink_put(up, "../b", 1, 0, NULL, 0, &r));
	EXPECT_EQ(-EINVAL, uplink_put(up, "", 1, 0, NULL, 0, &r));
	EXPECT_EQ(-EINVAL, uplink_put(up, "a/b", 1, 0, NULL, 0, &r));
	uplink_free(up);

	EXPECT_STREQ("ok", uplink_status_name(UPLINK_OK));
	EXPECT_STREQ("http_4xx", uplink_status_name(UPLINK_HTTP_4XX));
	EXPECT_STREQ("unknown", uplink_status_name(__UPLINK_STATUS_MAX));
}

TEST_HARNESS_MAIN
