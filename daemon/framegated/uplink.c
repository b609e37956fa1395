// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's uplink (uplink.h): one libcurl easy handle per session,
 * set up once so that every PUT reuses its connection, and locked down
 * so that libcurl reads nothing but the blobs it was given.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "uplink.h"

#define CONNECT_TIMEOUT_MS_DEFAULT	10000
#define TIMEOUT_MS_DEFAULT		30000

struct uplink {
	CURL		*curl;
	struct curl_slist *resolve;	/* "host:port:addr" */
	char		origin[300];	/* https://host:port */
	char		base_path[UPLINK_PATH_MAX];
	uint64_t	session;
	char		error[CURL_ERROR_SIZE];

	/* The body of the PUT under way. */
	const uint8_t	*body;
	size_t		body_len;
	size_t		body_off;
};

static const char *const status_names[__UPLINK_STATUS_MAX] = {
	[UPLINK_OK]		= "ok",
	[UPLINK_CONNECT]	= "connect",
	[UPLINK_TLS]		= "tls",
	[UPLINK_TIMEOUT]	= "timeout",
	[UPLINK_HTTP_4XX]	= "http_4xx",
	[UPLINK_HTTP_5XX]	= "http_5xx",
	[UPLINK_OTHER]		= "other",
};

const char *
uplink_status_name(enum uplink_status status)
{
	if ((unsigned int)status >= __UPLINK_STATUS_MAX)
		return "unknown";
	return status_names[status];
}

const char *
uplink_error(const struct uplink *up)
{
	return up->error;
}

int
uplink_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

/* Nonempty, of [A-Za-z0-9] and extra only. */
static bool
name_ok(const char *s, const char *extra, size_t max)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; s[n]; n++) {
		unsigned char c = s[n];

		if (n + 1 >= max)
			return false;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && !strchr(extra, c))
			return false;
	}
	return true;
}

static bool
params_ok(const struct uplink_params *p)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (!p || !p->port || !p->ca || !p->ca_len || !p->cert ||
	    !p->cert_len || !p->key || !p->key_len ||
	    p->connect_timeout_ms < 0 || p->timeout_ms < 0)
		return false;
	/* A name or an IPv4 literal: either goes into the URL as it is. */
	if (!name_ok(p->host, ".-", 254) || !p->addr ||
	    (inet_pton(AF_INET, p->addr, buf) != 1 &&
	     inet_pton(AF_INET6, p->addr, buf) != 1))
		return false;
	if (!p->base_path)
		return false;
	if (*p->base_path && (p->base_path[0] != '/' ||
			      !name_ok(p->base_path + 1, "._/-",
				       UPLINK_PATH_MAX - 1) ||
			      strstr(p->base_path, "..")))
		return false;
	return true;
}

/* The body, from memory; rewound by libcurl when it resends. */
static size_t
read_body(char *buf, size_t size, size_t nitems, void *arg)
{
	struct uplink *up = arg;
	size_t n = size * nitems, left = up->body_len - up->body_off;

	if (n > left)
		n = left;
	memcpy(buf, up->body + up->body_off, n);
	up->body_off += n;
	return n;
}

static int
seek_body(void *arg, curl_off_t offset, int origin)
{
	struct uplink *up = arg;

	if (origin != SEEK_SET || offset < 0 ||
	    (uint64_t)offset > up->body_len)
		return CURL_SEEKFUNC_FAIL;
	up->body_off = offset;
	return CURL_SEEKFUNC_OK;
}

/* The reply's body (nginx's status page) is not wanted. */
static size_t
discard(char *buf, size_t size, size_t nmemb, void *arg)
{
	(void)buf, (void)arg;
	return size * nmemb;
}

#define SET(opt, val)							\
	do {								\
		if (curl_easy_setopt(up->curl, opt, val) != CURLE_OK)	\
			goto fail;					\
	} while (0)

static int
blob(struct uplink *up, CURLoption opt, const void *data, size_t len)
{
	struct curl_blob b = {
		.data = (void *)data, .len = len, .flags = CURL_BLOB_COPY,
	};

	return curl_easy_setopt(up->curl, opt, &b) == CURLE_OK ? 0 : -1;
}

struct uplink *
uplink_new(const struct uplink_params *p)
{
	struct uplink *up;
	char entry[400];
	int n;

	if (!params_ok(p)) {
		errno = EINVAL;
		return NULL;
	}
	up = calloc(1, sizeof(*up));
	if (!up) {
		errno = ENOMEM;
		return NULL;
	}
	up->session = p->session;
	snprintf(up->base_path, sizeof(up->base_path), "%s", p->base_path);
	n = strlen(up->base_path);
	while (n > 0 && up->base_path[n - 1] == '/')
		up->base_path[--n] = '\0';
	snprintf(up->origin, sizeof(up->origin), "https://%s:%u", p->host,
		 p->port);
	/* An IPv6 address goes in brackets, as libcurl's parser wants. */
	snprintf(entry, sizeof(entry), strchr(p->addr, ':') ?
		 "%s:%u:[%s]" : "%s:%u:%s", p->host, p->port, p->addr);
	up->resolve = curl_slist_append(NULL, entry);
	up->curl = curl_easy_init();
	if (!up->resolve || !up->curl)
		goto fail;

	SET(CURLOPT_ERRORBUFFER, up->error);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	/* Nothing from the environment, nothing from files. */
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOPROXY, "*");
	SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	SET(CURLOPT_CAINFO, NULL);
	SET(CURLOPT_CAPATH, NULL);
	/* Names: only the caller's answer, kept for the handle's life. */
	SET(CURLOPT_RESOLVE, up->resolve);
	SET(CURLOPT_DNS_CACHE_TIMEOUT, -1L);
	/* TLS 1.3, the pinned CA, the tenant's identity. */
	SET(CURLOPT_SSLVERSION,
	    (long)(CURL_SSLVERSION_TLSv1_3 | CURL_SSLVERSION_MAX_DEFAULT));
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (blob(up, CURLOPT_CAINFO_BLOB, p->ca, p->ca_len))
		goto fail;
	SET(CURLOPT_SSLCERTTYPE, "PEM");
	if (blob(up, CURLOPT_SSLCERT_BLOB, p->cert, p->cert_len))
		goto fail;
	SET(CURLOPT_SSLKEYTYPE, "PEM");
	if (blob(up, CURLOPT_SSLKEY_BLOB, p->key, p->key_len))
		goto fail;
	/* One connection, kept alive, bounded in time. */
	SET(CURLOPT_MAXCONNECTS, 1L);
	SET(CURLOPT_TCP_KEEPALIVE, 1L);
	SET(CURLOPT_TCP_NODELAY, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, p->connect_timeout_ms ?
		p->connect_timeout_ms : (long)CONNECT_TIMEOUT_MS_DEFAULT);
	SET(CURLOPT_TIMEOUT_MS, p->timeout_ms ?
		p->timeout_ms : (long)TIMEOUT_MS_DEFAULT);
	/* The PUT: its body from memory, the reply's thrown away. */
	SET(CURLOPT_UPLOAD, 1L);
	SET(CURLOPT_READFUNCTION, read_body);
	SET(CURLOPT_READDATA, up);
	SET(CURLOPT_SEEKFUNCTION, seek_body);
	SET(CURLOPT_SEEKDATA, up);
	SET(CURLOPT_WRITEFUNCTION, discard);
	return up;

fail:
	uplink_free(up);
	errno = ENOMEM;
	return NULL;
}

static enum uplink_status
classify(CURLcode code, long http_status)
{
	switch (code) {
	case CURLE_OK:
		if (http_status >= 200 && http_status < 300)
			return UPLINK_OK;
		if (http_status >= 400 && http_status < 500)
			return UPLINK_HTTP_4XX;
		if (http_status >= 500 && http_status < 600)
			return UPLINK_HTTP_5XX;
		return UPLINK_OTHER;
	case CURLE_COULDNT_CONNECT:
		return UPLINK_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		return UPLINK_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_CLIENTCERT:
	case CURLE_USE_SSL_FAILED:
		return UPLINK_TLS;
	default:
		return UPLINK_OTHER;
	}
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int
uplink_put(struct uplink *up, const char *camera, uint64_t sequence,
	   uint64_t capture_ns, const uint8_t *data, size_t len,
	   struct uplink_result *r)
{
	char url[sizeof(up->origin) + UPLINK_PATH_MAX + UPLINK_NAME_MAX + 48];
	char hdr[4][80];
	struct curl_slist *headers = NULL, *h;
	curl_off_t sent = 0;
	CURLcode code;
	uint64_t start;
	long connects = 0;

	memset(r, 0, sizeof(*r));
	if (!name_ok(camera, "_-", UPLINK_NAME_MAX) || (!data && len))
		return -EINVAL;

	snprintf(url, sizeof(url), "%s%s/%s/%" PRIu64 "/%" PRIu64 ".fgs",
		 up->origin, up->base_path, camera, up->session, sequence);
	snprintf(hdr[0], sizeof(hdr[0]), "X-Framegate-Session: %" PRIu64,
		 up->session);
	snprintf(hdr[1], sizeof(hdr[1]), "X-Framegate-Camera: %s", camera);
	snprintf(hdr[2], sizeof(hdr[2]), "X-Framegate-Sequence: %" PRIu64,
		 sequence);
	snprintf(hdr[3], sizeof(hdr[3]), "X-Framegate-Capture-Ns: %" PRIu64,
		 capture_ns);
	for (size_t i = 0; i < 4; i++) {
		h = curl_slist_append(headers, hdr[i]);
		if (!h)
			goto nomem;
		headers = h;
	}
	/* A sealed frame, and no 100-continue round trip before sending it. */
	if (!(h = curl_slist_append(headers, "Content-Type: "
				    UPLINK_CONTENT_TYPE)))
		goto nomem;
	headers = h;
	if (!(h = curl_slist_append(headers, "Expect:")))
		goto nomem;
	headers = h;

	up->body = data;
	up->body_len = len;
	up->body_off = 0;
	up->error[0] = '\0';
	if (curl_easy_setopt(up->curl, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(up->curl, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(up->curl, CURLOPT_INFILESIZE_LARGE,
			     (curl_off_t)len) != CURLE_OK)
		goto nomem;

	start = now_ns();
	code = curl_easy_perform(up->curl);
	r->latency_ns = now_ns() - start;
	r->curl_code = code;
	curl_easy_getinfo(up->curl, CURLINFO_RESPONSE_CODE, &r->http_status);
	curl_easy_getinfo(up->curl, CURLINFO_NUM_CONNECTS, &connects);
	curl_easy_getinfo(up->curl, CURLINFO_SIZE_UPLOAD_T, &sent);
	r->new_connections = connects;
	r->bytes = sent;
	r->status = classify(code, r->http_status);
	if (code == CURLE_OK && r->status != UPLINK_OK)
		snprintf(up->error, sizeof(up->error), "HTTP status %ld",
			 r->http_status);
	else if (code != CURLE_OK && !up->error[0])
		snprintf(up->error, sizeof(up->error), "%s",
			 curl_easy_strerror(code));

	/* The list is ours again: the handle must not keep pointing at it. */
	curl_easy_setopt(up->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	up->body = NULL;
	return r->status;

nomem:
	curl_easy_setopt(up->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	r->status = UPLINK_OTHER;
	snprintf(up->error, sizeof(up->error), "out of memory");
	return r->status;
}

void
uplink_free(struct uplink *up)
{
	if (!up)
		return;
	if (up->curl)
		curl_easy_cleanup(up->curl);
	curl_slist_free_all(up->resolve);
	free(up);
}
