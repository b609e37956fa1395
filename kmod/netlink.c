// SPDX-License-Identifier: GPL-2.0
/*
 * Generic netlink family "framegate": dumps, revoke and events. The
 * commands and attributes are specified in uapi/linux/framegate.h.
 */

#include <net/genetlink.h>

#include "framegate.h"

static const struct nla_policy fg_camera_policy[FG_A_MAX + 1] = {
	[FG_A_CAMERA_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy fg_session_policy[FG_A_MAX + 1] = {
	[FG_A_SESSION_ID] = NLA_POLICY_MIN(NLA_U64, 1),
};

static struct genl_family fg_genl_family;

enum fg_mcgrp { FG_MCGRP_EVENTS };

static const struct genl_multicast_group fg_mcgrps[] = {
	[FG_MCGRP_EVENTS] = { .name = FG_GENL_MCGRP_EVENTS },
};

static int fg_put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, FG_A_PAD);
}

static int fg_nl_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &fg_genl_family, 0,
				FG_CMD_GET_STATS);
	if (!hdr)
		goto nomem;
	if (fg_put_u64(msg, FG_A_CAMERAS_ATTACHED,
		       atomic64_read(&fg_stats.cameras_attached)) ||
	    fg_put_u64(msg, FG_A_SESSIONS_ACTIVE,
		       atomic64_read(&fg_stats.sessions_active)) ||
	    fg_put_u64(msg, FG_A_SESSIONS_CREATED,
		       atomic64_read(&fg_stats.sessions_created)) ||
	    fg_put_u64(msg, FG_A_SESSIONS_REVOKED,
		       atomic64_read(&fg_stats.sessions_revoked)) ||
	    fg_put_u64(msg, FG_A_FRAMES_CAPTURED,
		       atomic64_read(&fg_stats.frames_captured)) ||
	    fg_put_u64(msg, FG_A_FRAMES_DELIVERED,
		       atomic64_read(&fg_stats.frames_delivered)) ||
	    fg_put_u64(msg, FG_A_FRAMES_DROPPED,
		       atomic64_read(&fg_stats.frames_dropped)) ||
	    fg_put_u64(msg, FG_A_BYTES_DELIVERED,
		       atomic64_read(&fg_stats.bytes_delivered)))
		goto nomem;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nomem:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int fg_nl_fill_camera(struct sk_buff *skb, struct fg_camera *cam,
			     u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &fg_genl_family, flags,
			  FG_CMD_GET_CAMERA);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, FG_A_CAMERA_ID, cam->id) ||
	    nla_put_u32(skb, FG_A_CAMERA_STATE, fg_camera_state(cam)) ||
	    nla_put_string(skb, FG_A_CAMERA_DEVICE, cam->devname) ||
	    nla_put_u32(skb, FG_A_WIDTH, cam->width) ||
	    nla_put_u32(skb, FG_A_HEIGHT, cam->height) ||
	    nla_put_u32(skb, FG_A_PIXELFORMAT, cam->pixelformat) ||
	    nla_put_u32(skb, FG_A_FPS, cam->fps) ||
	    nla_put_u32(skb, FG_A_BUFFERS, cam->buffers) ||
	    nla_put_u32(skb, FG_A_SESSION_COUNT, READ_ONCE(cam->nsubs)) ||
	    fg_put_u64(skb, FG_A_FRAMES_CAPTURED,
		       atomic64_read(&cam->frames_captured)) ||
	    fg_put_u64(skb, FG_A_FRAMES_DROPPED,
		       atomic64_read(&cam->frames_dropped))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

static int fg_nl_fill_session(struct sk_buff *skb, struct fg_session *s,
			      u32 portid, u32 seq, int flags)
{
	struct fg_session_counters c;
	struct nlattr *cams;
	unsigned int i;
	u32 state;
	void *hdr;

	fg_session_snapshot(s, &c, &state);
	hdr = genlmsg_put(skb, portid, seq, &fg_genl_family, flags,
			  FG_CMD_GET_SESSION);
	if (!hdr)
		return -EMSGSIZE;
	if (fg_put_u64(skb, FG_A_SESSION_ID, s->id) ||
	    fg_put_u64(skb, FG_A_TENANT_ID, s->tenant) ||
	    nla_put_u32(skb, FG_A_SESSION_STATE, state) ||
	    fg_put_u64(skb, FG_A_CREATED_NS, s->created_ns) ||
	    nla_put_u32(skb, FG_A_DEPTH, s->depth))
		goto cancel;
	cams = nla_nest_start(skb, FG_A_SESSION_CAMERAS);
	if (!cams)
		goto cancel;
	for (i = 0; i < s->ncameras; i++)
		if (nla_put_u32(skb, FG_A_CAMERA_ID, s->subs[i].cam->id))
			goto cancel;
	nla_nest_end(skb, cams);
	if (fg_put_u64(skb, FG_A_FRAMES_CAPTURED, c.captured) ||
	    fg_put_u64(skb, FG_A_FRAMES_DELIVERED, c.delivered) ||
	    fg_put_u64(skb, FG_A_FRAMES_DROPPED_OVERRUN, c.dropped_overrun) ||
	    fg_put_u64(skb, FG_A_FRAMES_DROPPED_HELD, c.dropped_held) ||
	    fg_put_u64(skb, FG_A_FRAMES_DROPPED_REVOKED, c.dropped_revoked) ||
	    fg_put_u64(skb, FG_A_FRAMES_QUEUED, c.queued) ||
	    fg_put_u64(skb, FG_A_FRAMES_HELD, c.held) ||
	    fg_put_u64(skb, FG_A_BYTES_DELIVERED, c.bytes_delivered))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int fg_nl_camera_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fg_camera *cam;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, FG_A_CAMERA_ID))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&fg_lock);
	cam = fg_camera_find(nla_get_u32(info->attrs[FG_A_CAMERA_ID]));
	if (cam)
		ret = fg_nl_fill_camera(msg, cam, info->snd_portid,
					info->snd_seq, 0);
	else
		ret = -ENOENT;
	mutex_unlock(&fg_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * cb->args[0]: id of the last camera sent. The walk is in id order (the
 * xarray of published cameras), so a camera attached during the dump is
 * sent once or not at all, and none is skipped.
 */
static int fg_nl_camera_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct fg_camera *cam;
	unsigned long id;
	int ret = 0;

	mutex_lock(&fg_lock);
	xa_for_each_start(&fg_camera_ids, id, cam, cb->args[0] + 1) {
		ret = fg_nl_fill_camera(skb, cam, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret)
			break;
		cb->args[0] = id;
	}
	mutex_unlock(&fg_lock);
	/* A full message (-EMSGSIZE) continues in the next one. */
	return skb->len;
}

static int fg_nl_session_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fg_session *s;
	struct sk_buff *msg;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, FG_A_SESSION_ID))
		return -EINVAL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&fg_lock);
	s = fg_session_find(nla_get_u64(info->attrs[FG_A_SESSION_ID]));
	if (s)
		ret = fg_nl_fill_session(msg, s, info->snd_portid,
					 info->snd_seq, 0);
	else
		ret = -ENOENT;
	mutex_unlock(&fg_lock);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: id of the last session sent; ids only grow in the list. */
static int fg_nl_session_dumpit(struct sk_buff *skb,
				struct netlink_callback *cb)
{
	struct fg_session *s;
	int ret = 0;

	mutex_lock(&fg_lock);
	list_for_each_entry(s, &fg_sessions, node) {
		if (s->id <= cb->args[0])
			continue;
		ret = fg_nl_fill_session(skb, s, NETLINK_CB(cb->skb).portid,
					 cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret)
			break;
		cb->args[0] = s->id;
	}
	mutex_unlock(&fg_lock);
	return skb->len;
}

static int fg_nl_revoke_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct fg_session *s;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, FG_A_SESSION_ID))
		return -EINVAL;
	mutex_lock(&fg_lock);
	s = fg_session_find(nla_get_u64(info->attrs[FG_A_SESSION_ID]));
	ret = s ? fg_session_revoke(s) : -ENOENT;
	mutex_unlock(&fg_lock);
	return ret;
}

static const struct genl_ops fg_genl_ops[] = {
	{
		.cmd = FG_CMD_GET_STATS,
		.doit = fg_nl_stats_doit,
	},
	{
		.cmd = FG_CMD_GET_CAMERA,
		.doit = fg_nl_camera_doit,
		.dumpit = fg_nl_camera_dumpit,
		.policy = fg_camera_policy,
		.maxattr = FG_A_MAX,
	},
	{
		.cmd = FG_CMD_GET_SESSION,
		.doit = fg_nl_session_doit,
		.dumpit = fg_nl_session_dumpit,
		.policy = fg_session_policy,
		.maxattr = FG_A_MAX,
	},
	{
		.cmd = FG_CMD_REVOKE_SESSION,
		.doit = fg_nl_revoke_doit,
		.policy = fg_session_policy,
		.maxattr = FG_A_MAX,
		.flags = GENL_ADMIN_PERM,
	},
};

static struct genl_family fg_genl_family __ro_after_init = {
	.name = FG_GENL_NAME,
	.version = FG_GENL_VERSION,
	.module = THIS_MODULE,
	.ops = fg_genl_ops,
	.n_ops = ARRAY_SIZE(fg_genl_ops),
	.mcgrps = fg_mcgrps,
	.n_mcgrps = ARRAY_SIZE(fg_mcgrps),
	.netnsok = false,
};

/*
 * An event message with its FG_A_EVENT, or NULL; the caller adds its
 * attributes and hands the result to fg_netlink_event_send().
 */
static struct sk_buff *fg_netlink_event_begin(u32 event, void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &fg_genl_family, 0, FG_CMD_EVENT);
	if (!*hdr || nla_put_u32(msg, FG_A_EVENT, event)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Multicasts the message, or drops it if adding an attribute failed. */
static void fg_netlink_event_send(struct sk_buff *msg, void *hdr, int err)
{
	if (err) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&fg_genl_family, msg, 0, FG_MCGRP_EVENTS, GFP_KERNEL);
}

void fg_netlink_event_camera(u32 event, u32 camera_id)
{
	struct sk_buff *msg;
	void *hdr;

	msg = fg_netlink_event_begin(event, &hdr);
	if (msg)
		fg_netlink_event_send(msg, hdr,
				      nla_put_u32(msg, FG_A_CAMERA_ID, camera_id));
}

void fg_netlink_event_session(u32 event, u64 session_id, u64 tenant)
{
	struct sk_buff *msg;
	void *hdr;

	msg = fg_netlink_event_begin(event, &hdr);
	if (msg)
		fg_netlink_event_send(msg, hdr,
				      fg_put_u64(msg, FG_A_SESSION_ID, session_id) ||
				      fg_put_u64(msg, FG_A_TENANT_ID, tenant));
}

/* Sent from a work item: see fg_enforce_denied(). */
void fg_netlink_event_denied(u64 session_id, u32 camera_id, u32 hook,
			     u64 count)
{
	struct sk_buff *msg;
	void *hdr;

	msg = fg_netlink_event_begin(FG_EVENT_DENIED, &hdr);
	if (msg)
		fg_netlink_event_send(msg, hdr,
				      nla_put_u32(msg, FG_A_HOOK, hook) ||
				      fg_put_u64(msg, FG_A_DENIED, count) ||
				      (session_id &&
				       fg_put_u64(msg, FG_A_SESSION_ID, session_id)) ||
				      (camera_id &&
				       nla_put_u32(msg, FG_A_CAMERA_ID, camera_id)));
}

int fg_netlink_init(void)
{
	return genl_register_family(&fg_genl_family);
}

void fg_netlink_exit(void)
{
	genl_unregister_family(&fg_genl_family);
}
