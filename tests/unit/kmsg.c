// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink messages as kmod/netlink.c builds them; see kmsg.h.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"

static unsigned char *reserve(struct kmsg *k, size_t n)
{
	unsigned char *p;

	if (n > sizeof(k->buf) - k->len) {
		fprintf(stderr, "kmsg: %zu bytes do not fit\n", n);
		abort();
	}
	p = k->buf + k->len;
	memset(p, 0, n);
	k->len += n;
	return p;
}

void kmsg_start(struct kmsg *k, uint8_t cmd, uint16_t nlm_flags)
{
	struct genlmsghdr *g;

	memset(k->buf, 0, sizeof(k->buf));
	k->len = 0;
	k->depth = 0;
	reserve(k, NLMSG_HDRLEN);
	k->nlh.nlmsg_type = KMSG_FAMILY;
	k->nlh.nlmsg_flags = nlm_flags;
	k->nlh.nlmsg_seq = 1;
	k->nlh.nlmsg_pid = 4242;
	g = (struct genlmsghdr *)reserve(k, GENL_HDRLEN);
	g->cmd = cmd;
	g->version = FG_GENL_VERSION;
}

void kmsg_end(struct kmsg *k)
{
	k->nlh.nlmsg_len = k->len;
}

void kmsg_put(struct kmsg *k, uint16_t type, const void *data, size_t len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };
	unsigned char *p;

	p = reserve(k, NLA_ALIGN(NLA_HDRLEN + len));
	memcpy(p, &nla, sizeof(nla));
	if (len > 0)
		memcpy(p + NLA_HDRLEN, data, len);
}

/*
 * Types the uapi header does not define, of lengths the parsers would reject
 * for any attribute they know: 0 (FG_A_UNSPEC), beyond FG_A_MAX, nested.
 */
static void put_unknown(struct kmsg *k)
{
	static const unsigned char junk[13] = {
		0xff, 0xfe, 0xfd, 0xfc, 0xfb, 0xfa, 0xf9, 0xf8, 0xf7, 0xf6,
		0xf5, 0xf4, 0xf3,
	};

	kmsg_put(k, FG_A_UNSPEC, junk, 3);
	kmsg_put(k, FG_A_MAX + 1, junk, 13);
	kmsg_put(k, (uint16_t)NLA_TYPE_MASK, junk, 1);
	kmsg_put(k, (FG_A_MAX + 7) | NLA_F_NESTED, NULL, 0);
}

/* type's value v[len], with the caller's deviation if it is about type. */
static void put_value(struct kmsg *k, uint16_t type, const void *v, size_t len)
{
	unsigned char data[64] = { 0 };
	size_t n = len;

	if (k->unknown)
		put_unknown(k);
	if (k->depth == 0 && k->omit == type)
		return;
	if (k->depth == 0 && k->resize == type)
		n = (int)len + k->resize_by < 0 ? 0 : len + k->resize_by;
	if (n > sizeof(data)) {
		fprintf(stderr, "kmsg: attribute %u of %zu bytes\n", type, n);
		abort();
	}
	memcpy(data, v, n < len ? n : len);
	kmsg_put(k, type, data, n);
}

void kmsg_put_u32(struct kmsg *k, uint16_t type, uint32_t v)
{
	put_value(k, type, &v, sizeof(v));
}

/*
 * nla_put_u64_64bit(): where unaligned access is slow, a zero-length
 * FG_A_PAD first when the u64 would otherwise not be 8-byte aligned.
 */
void kmsg_put_u64(struct kmsg *k, uint16_t type, uint64_t v)
{
	if (k->pad64 && k->len % 8 == 0)
		kmsg_put(k, FG_A_PAD, NULL, 0);
	put_value(k, type, &v, sizeof(v));
}

void kmsg_put_string(struct kmsg *k, uint16_t type, const char *s)
{
	put_value(k, type, s, strlen(s) + 1);
}

size_t kmsg_nest_start(struct kmsg *k, uint16_t type)
{
	size_t start = k->len;

	kmsg_put(k, type | (k->nest_noflag ? 0 : NLA_F_NESTED), NULL, 0);
	k->depth++;
	return start;
}

void kmsg_nest_end(struct kmsg *k, size_t start)
{
	struct nlattr nla;

	memcpy(&nla, k->buf + start, sizeof(nla));
	nla.nla_len = k->len - start;
	memcpy(k->buf + start, &nla, sizeof(nla));
	k->depth--;
}

/* fg_nl_stats_doit() */
void kmsg_stats(struct kmsg *k, const struct fg_stats *st)
{
	kmsg_start(k, FG_CMD_GET_STATS, 0);
	kmsg_put_u64(k, FG_A_CAMERAS_ATTACHED, st->cameras_attached);
	kmsg_put_u64(k, FG_A_SESSIONS_ACTIVE, st->sessions_active);
	kmsg_put_u64(k, FG_A_SESSIONS_CREATED, st->sessions_created);
	kmsg_put_u64(k, FG_A_SESSIONS_REVOKED, st->sessions_revoked);
	kmsg_put_u64(k, FG_A_FRAMES_CAPTURED, st->frames_captured);
	kmsg_put_u64(k, FG_A_FRAMES_DELIVERED, st->frames_delivered);
	kmsg_put_u64(k, FG_A_FRAMES_DROPPED, st->frames_dropped);
	kmsg_put_u64(k, FG_A_BYTES_DELIVERED, st->bytes_delivered);
	kmsg_end(k);
}

/* fg_nl_fill_camera() */
void kmsg_camera(struct kmsg *k, const struct fg_camera_status *c,
		 uint16_t nlm_flags)
{
	kmsg_start(k, FG_CMD_GET_CAMERA, nlm_flags);
	kmsg_put_u32(k, FG_A_CAMERA_ID, c->camera_id);
	kmsg_put_u32(k, FG_A_CAMERA_STATE, c->state);
	kmsg_put_string(k, FG_A_CAMERA_DEVICE, c->device);
	kmsg_put_u32(k, FG_A_WIDTH, c->width);
	kmsg_put_u32(k, FG_A_HEIGHT, c->height);
	kmsg_put_u32(k, FG_A_PIXELFORMAT, c->pixelformat);
	kmsg_put_u32(k, FG_A_FPS, c->fps);
	kmsg_put_u32(k, FG_A_BUFFERS, c->buffers);
	kmsg_put_u32(k, FG_A_SESSION_COUNT, c->session_count);
	kmsg_put_u64(k, FG_A_FRAMES_CAPTURED, c->frames_captured);
	kmsg_put_u64(k, FG_A_FRAMES_DROPPED, c->frames_dropped);
	kmsg_end(k);
}

/* fg_nl_fill_session() */
void kmsg_session(struct kmsg *k, const struct fg_session_status *s,
		  uint16_t nlm_flags)
{
	size_t cams;
	uint32_t i;

	kmsg_start(k, FG_CMD_GET_SESSION, nlm_flags);
	kmsg_put_u64(k, FG_A_SESSION_ID, s->session_id);
	kmsg_put_u64(k, FG_A_TENANT_ID, s->tenant_id);
	kmsg_put_u32(k, FG_A_SESSION_STATE, s->state);
	kmsg_put_u64(k, FG_A_CREATED_NS, s->created_ns);
	kmsg_put_u32(k, FG_A_DEPTH, s->depth);
	if (k->omit != FG_A_SESSION_CAMERAS) {
		cams = kmsg_nest_start(k, FG_A_SESSION_CAMERAS);
		for (i = 0; i < s->ncameras; i++)
			kmsg_put_u32(k, FG_A_CAMERA_ID, s->cameras[i]);
		kmsg_nest_end(k, cams);
	}
	kmsg_put_u64(k, FG_A_FRAMES_CAPTURED, s->frames_captured);
	kmsg_put_u64(k, FG_A_FRAMES_DELIVERED, s->frames_delivered);
	kmsg_put_u64(k, FG_A_FRAMES_DROPPED_OVERRUN, s->frames_dropped_overrun);
	kmsg_put_u64(k, FG_A_FRAMES_DROPPED_HELD, s->frames_dropped_held);
	kmsg_put_u64(k, FG_A_FRAMES_DROPPED_REVOKED, s->frames_dropped_revoked);
	kmsg_put_u64(k, FG_A_FRAMES_QUEUED, s->frames_queued);
	kmsg_put_u64(k, FG_A_FRAMES_HELD, s->frames_held);
	kmsg_put_u64(k, FG_A_BYTES_DELIVERED, s->bytes_delivered);
	kmsg_end(k);
}

/* fg_netlink_event_camera() */
void kmsg_event_camera(struct kmsg *k, uint32_t event, uint32_t camera_id)
{
	kmsg_start(k, FG_CMD_EVENT, 0);
	k->nlh.nlmsg_seq = 0;
	k->nlh.nlmsg_pid = 0;
	kmsg_put_u32(k, FG_A_EVENT, event);
	kmsg_put_u32(k, FG_A_CAMERA_ID, camera_id);
	kmsg_end(k);
}

/* fg_netlink_event_session() */
void kmsg_event_session(struct kmsg *k, uint32_t event, uint64_t session_id,
			uint64_t tenant_id)
{
	kmsg_start(k, FG_CMD_EVENT, 0);
	k->nlh.nlmsg_seq = 0;
	k->nlh.nlmsg_pid = 0;
	kmsg_put_u32(k, FG_A_EVENT, event);
	kmsg_put_u64(k, FG_A_SESSION_ID, session_id);
	kmsg_put_u64(k, FG_A_TENANT_ID, tenant_id);
	kmsg_end(k);
}

/* fg_netlink_event_denied() */
void kmsg_event_denied(struct kmsg *k, uint32_t hook, uint64_t denied,
		       uint64_t session_id, uint32_t camera_id)
{
	kmsg_start(k, FG_CMD_EVENT, 0);
	k->nlh.nlmsg_seq = 0;
	k->nlh.nlmsg_pid = 0;
	kmsg_put_u32(k, FG_A_EVENT, FG_EVENT_DENIED);
	kmsg_put_u32(k, FG_A_HOOK, hook);
	kmsg_put_u64(k, FG_A_DENIED, denied);
	if (session_id)
		kmsg_put_u64(k, FG_A_SESSION_ID, session_id);
	if (camera_id)
		kmsg_put_u32(k, FG_A_CAMERA_ID, camera_id);
	kmsg_end(k);
}

/* netlink_dump_done(): a bare nlmsghdr and the dump's errno, no genl header. */
void kmsg_done(struct kmsg *k, int error)
{
	memset(k->buf, 0, sizeof(k->buf));
	k->len = 0;
	reserve(k, NLMSG_HDRLEN);
	k->nlh.nlmsg_type = NLMSG_DONE;
	k->nlh.nlmsg_flags = NLM_F_MULTI;
	k->nlh.nlmsg_seq = 1;
	k->nlh.nlmsg_pid = 4242;
	memcpy(reserve(k, sizeof(error)), &error, sizeof(error));
	kmsg_end(k);
}
