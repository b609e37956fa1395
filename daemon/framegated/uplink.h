/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The worker's uplink: HTTPS PUT of one object per frame with libcurl,
 * over one kept-alive connection (one easy handle, reused).
 *
 * The worker has no files, cannot resolve names and reaches only its
 * tenant's endpoints, so everything comes from the caller as bytes:
 *
 *   TLS       1.3 only; the client certificate and key and the one CA the
 *             server's certificate must chain to are PEM blobs (copied);
 *             no CA file or directory, proxy, netrc or cookie is read
 *   names     the caller resolved host to addr; libcurl is handed
 *             "host:port:addr" and never resolves (the certificate is
 *             still checked against host)
 *   objects   https://host:port<base_path>/<camera>/<session>/<sequence>.fgs
 *             (a sealed frame, Documentation/sealed-frames.rst), of type
 *             UPLINK_CONTENT_TYPE, with headers X-Framegate-Session,
 *             -Camera, -Sequence and -Capture-Ns (decimal)
 *
 * Call uplink_global_init() once before the sandbox: libcurl and OpenSSL
 * initialise (and OpenSSL reads its configuration) there. Nothing here
 * prints; libcurl's last message is uplink_error().
 */

#ifndef FRAMEGATED_UPLINK_H
#define FRAMEGATED_UPLINK_H

#include <stddef.h>
#include <stdint.h>

#define UPLINK_NAME_MAX		32	/* a camera name, with its NUL */
#define UPLINK_PATH_MAX		128	/* base_path, with its NUL */
#define UPLINK_CONTENT_TYPE	"application/vnd.framegate.sealed"

/* What a PUT came to; the worker counts drops by it. */
enum uplink_status {
	UPLINK_OK,		/* 2xx: stored */
	UPLINK_CONNECT,		/* no TCP connection (refused, unreachable) */
	UPLINK_TLS,		/* handshake or verification failed */
	UPLINK_TIMEOUT,		/* connect or transfer timeout */
	UPLINK_HTTP_4XX,	/* refused by the server (403: not ours) */
	UPLINK_HTTP_5XX,	/* the server failed */
	UPLINK_OTHER,		/* anything else: other status, lost reply */
	__UPLINK_STATUS_MAX
};

struct uplink_params {
	const char	*host;		/* DNS name (or IPv4 literal) */
	uint16_t	port;
	const char	*addr;		/* host's address, IPv4 or IPv6 */
	const char	*base_path;	/* "" or "/a/b": [A-Za-z0-9._/-] */
	uint64_t	session;
	const void	*ca;		/* PEM */
	size_t		ca_len;
	const void	*cert;		/* PEM, the tenant's client cert */
	size_t		cert_len;
	const void	*key;		/* PEM, its private key */
	size_t		key_len;
	long		connect_timeout_ms;	/* 0: 10 s */
	long		timeout_ms;		/* a whole PUT; 0: 30 s */
};

struct uplink_result {
	enum uplink_status status;
	long		http_status;	/* 0 when no reply came */
	int		curl_code;	/* CURLcode */
	uint64_t	latency_ns;	/* request start to reply's end */
	uint64_t	bytes;		/* body bytes sent */
	long		new_connections; /* 0 when the connection was reused */
};

struct uplink;

/* 0 or -EIO; once per process, before the sandbox. */
int		 uplink_global_init(void);

/*
 * An uplink for one session. NULL with errno EINVAL (a parameter missing
 * or not of the form above) or ENOMEM.
 */
struct uplink	*uplink_new(const struct uplink_params *params);

/*
 * PUT len bytes as camera's frame sequence, captured at capture_ns
 * (CLOCK_REALTIME ns). Returns result->status and fills *result;
 * -EINVAL for a camera name that is not [A-Za-z0-9_-]+.
 */
int		 uplink_put(struct uplink *up, const char *camera,
			    uint64_t sequence, uint64_t capture_ns,
			    const uint8_t *data, size_t len,
			    struct uplink_result *result);

/* A stable lower-case name for counters: "ok", "connect", "tls", ... */
const char	*uplink_status_name(enum uplink_status status);

/* libcurl's message for the last failed PUT, "" after a good one. */
const char	*uplink_error(const struct uplink *up);

void		 uplink_free(struct uplink *up);

#endif /* FRAMEGATED_UPLINK_H */
