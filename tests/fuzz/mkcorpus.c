// SPDX-License-Identifier: GPL-2.0
/*
 * Seeds for fuzz_netlink: each message kmod/netlink.c sends, built by
 * tests/unit/kmsg.c, behind the byte that picks its parser; and the same
 * messages again in attributes mode (fuzz_netlink.h).
 *
 *   mkcorpus DIR      writes one small file per seed into DIR
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kmsg.h"
#include "fuzz_netlink.h"

static const char *dir;

static int seed(const char *name, const unsigned char *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fwrite(p, 1, len, f) != len ||
	    fclose(f) != 0) {
		fprintf(stderr, "mkcorpus: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Raw mode: the selector, then the message. */
static int seed_raw(const char *name, enum fuzz_parser which,
		    const struct kmsg *k)
{
	unsigned char in[1 + KMSG_SIZE];

	in[0] = which;
	memcpy(in + 1, k->buf, k->len);
	return seed(name, in, 1 + k->len);
}

/* The attributes at p[len] as attributes mode lists them, at out + n. */
static size_t to_attrs(const unsigned char *p, size_t len, unsigned char *out,
		       size_t n)
{
	struct nlattr nla;
	size_t dlen, step;

	while (len >= NLA_HDRLEN) {
		memcpy(&nla, p, sizeof(nla));
		dlen = nla.nla_len - NLA_HDRLEN;
		if (nla.nla_type & NLA_F_NESTED) {
			out[n++] = FUZZ_NEST | (nla.nla_type & NLA_TYPE_MASK);
			n = to_attrs(p + NLA_HDRLEN, dlen, out, n);
			out[n++] = FUZZ_NEST_END;
		} else {
			out[n++] = nla.nla_type;
			out[n++] = dlen;
			memcpy(out + n, p + NLA_HDRLEN, dlen);
			n += dlen;
		}
		step = NLA_ALIGN(nla.nla_len);
		if (step >= len)
			break;
		len -= step;
		p += step;
	}
	return n;
}

/* Attributes mode: the selector, the genl cmd, the attribute list. */
static int seed_attrs(const char *name, enum fuzz_parser which,
		      const struct kmsg *k)
{
	const struct genlmsghdr *g = (const void *)(k->buf + NLMSG_HDRLEN);
	const size_t hdrs = NLMSG_HDRLEN + GENL_HDRLEN;
	unsigned char in[2 * KMSG_SIZE];
	size_t n = 0;

	in[n++] = FUZZ_ATTRS | which;
	in[n++] = g->cmd;
	n = to_attrs(k->buf + hdrs, k->len - hdrs, in, n);
	return seed(name, in, n);
}

int main(int argc, char **argv)
{
	static const struct fg_stats st = {
		1, 2, 3, 4, 5, 6, 7, 8,
	};
	static const struct fg_camera_status cam = {
		.camera_id = 1, .state = FG_CAMERA_STREAMING,
		.device = "video0", .width = 320, .height = 180,
		.pixelformat = 0x56595559, .fps = 30, .buffers = 4,
		.session_count = 2, .frames_captured = 100,
		.frames_dropped = 1,
	};
	static const struct fg_session_status sess = {
		.session_id = 1, .tenant_id = 7, .state = FG_SESSION_ACTIVE,
		.depth = 4, .created_ns = 123456789, .ncameras = 2,
		.cameras = { 1, 2 }, .frames_captured = 10,
		.frames_delivered = 8, .frames_dropped_overrun = 1,
		.frames_queued = 1, .bytes_delivered = 8 * 115200,
	};
	static const struct fg_session_status full = {
		.session_id = 2, .tenant_id = 7, .state = FG_SESSION_LOST,
		.depth = 64, .created_ns = 1, .ncameras = 8,
		.cameras = { 1, 2, 3, 4, 5, 6, 7, 8 },
	};
	struct kmsg k = { 0 };
	struct kmsg padded = { .pad64 = true };
	struct kmsg unknown = { .unknown = true };
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: mkcorpus DIR\n");
		return 2;
	}
	dir = argv[1];

	kmsg_stats(&k, &st);
	bad |= seed_raw("stats", FUZZ_STATS, &k);
	bad |= seed_attrs("attrs-stats", FUZZ_STATS, &k);
	kmsg_camera(&k, &cam, NLM_F_MULTI);
	bad |= seed_raw("camera", FUZZ_CAMERA, &k);
	bad |= seed_attrs("attrs-camera", FUZZ_CAMERA, &k);
	kmsg_camera(&unknown, &cam, 0);
	bad |= seed_raw("camera-unknown-attrs", FUZZ_CAMERA, &unknown);
	kmsg_session(&k, &sess, NLM_F_MULTI);
	bad |= seed_raw("session", FUZZ_SESSION, &k);
	kmsg_session(&padded, &sess, 0);
	bad |= seed_raw("session-padded", FUZZ_SESSION, &padded);
	kmsg_session(&k, &full, 0);
	bad |= seed_attrs("attrs-session-full", FUZZ_SESSION, &k);
	kmsg_event_camera(&k, FG_EVENT_CAMERA_ATTACHED, 1);
	bad |= seed_raw("event-camera", FUZZ_EVENT, &k);
	bad |= seed_attrs("attrs-event-camera", FUZZ_EVENT, &k);
	kmsg_event_session(&k, FG_EVENT_SESSION_REVOKED, 1, 7);
	bad |= seed_raw("event-session", FUZZ_EVENT, &k);
	bad |= seed_attrs("attrs-event-session", FUZZ_EVENT, &k);
	kmsg_event_denied(&k, FG_HOOK_SENDMSG, 3, 1, 0);
	bad |= seed_raw("event-denied-session", FUZZ_EVENT, &k);
	bad |= seed_attrs("attrs-event-denied-session", FUZZ_EVENT, &k);
	kmsg_event_denied(&k, FG_HOOK_OPEN, 1, 0, 2);
	bad |= seed_raw("event-denied-camera", FUZZ_EVENT, &k);
	bad |= seed_attrs("attrs-event-denied-camera", FUZZ_EVENT, &k);
	kmsg_event_denied(&padded, FG_HOOK_IPC, 7, 0, 0);
	bad |= seed_raw("event-denied-global-padded", FUZZ_EVENT, &padded);
	kmsg_event_camera(&k, 99, 1);
	bad |= seed_raw("event-unknown", FUZZ_EVENT, &k);
	kmsg_done(&k, -ENOENT);
	bad |= seed_raw("done", FUZZ_DONE, &k);
	return bad;
}
