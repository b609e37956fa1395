/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Netlink messages built byte for byte as kmod/netlink.c builds them
 * (genlmsg_put, nla_put_u32, nla_put_u64_64bit, nla_put_string,
 * nla_nest_start, genlmsg_end), so that libframegate's parsers can be fed
 * what the kernel sends without a kernel. Used by the unit tests and by the
 * fuzz seed generator. An independent encoder: it does not use
 * fg_nla_encode(), which is itself under test.
 *
 * A struct kmsg can also carry one deliberate deviation from what the
 * kernel sends, set by the caller before a kmsg_*() builder runs.
 */
#ifndef KMSG_H
#define KMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "libframegate.h"

#define KMSG_FAMILY	0x1c	/* any id: the parsers do not check it */
#define KMSG_SIZE	1024

struct kmsg {
	union {
		struct nlmsghdr	nlh;
		uint64_t	align;	/* as an skb's data */
		unsigned char	buf[KMSG_SIZE];
	};
	size_t		len;		/* bytes used; nlmsg_len after kmsg_end() */

	/* Deviations, all off when zero. Top-level attributes only. */
	int		omit;		/* leave attribute type omit out */
	int		resize;		/* send attribute type resize ... */
	int		resize_by;	/* ... this many bytes longer (< 0: shorter) */
	bool		pad64;		/* FG_A_PAD before u64s, as on architectures
					   without efficient unaligned access */
	bool		nest_noflag;	/* nests without NLA_F_NESTED (< 5.2) */
	bool		unknown;	/* attributes of types no parser knows
					   before every attribute, also nested */

	int		depth;		/* of nesting, while building */
};

/* genlmsg_put(): the netlink and generic netlink headers; len restarts. */
void	kmsg_start(struct kmsg *k, uint8_t cmd, uint16_t nlm_flags);
/* genlmsg_end(): sets nlmsg_len. */
void	kmsg_end(struct kmsg *k);

/* nla_put(): header, data, zero padding to NLA_ALIGN. No deviations. */
void	kmsg_put(struct kmsg *k, uint16_t type, const void *data, size_t len);
/* nla_put_u32() / nla_put_u64_64bit() / nla_put_string(), with deviations. */
void	kmsg_put_u32(struct kmsg *k, uint16_t type, uint32_t v);
void	kmsg_put_u64(struct kmsg *k, uint16_t type, uint64_t v);
void	kmsg_put_string(struct kmsg *k, uint16_t type, const char *s);
/* nla_nest_start() / nla_nest_end(). */
size_t	kmsg_nest_start(struct kmsg *k, uint16_t type);
void	kmsg_nest_end(struct kmsg *k, size_t start);

/* Whole messages, attribute for attribute in kmod/netlink.c's order. */
void	kmsg_stats(struct kmsg *k, const struct fg_stats *st);	/* doit reply */
void	kmsg_camera(struct kmsg *k, const struct fg_camera_status *c,
	    uint16_t nlm_flags);		/* 0: doit, NLM_F_MULTI: dump */
void	kmsg_session(struct kmsg *k, const struct fg_session_status *s,
	    uint16_t nlm_flags);
void	kmsg_event_camera(struct kmsg *k, uint32_t event, uint32_t camera_id);
void	kmsg_event_session(struct kmsg *k, uint32_t event, uint64_t session_id,
	    uint64_t tenant_id);
/* FG_EVENT_DENIED; a session_id or camera_id of 0 is left out. */
void	kmsg_event_denied(struct kmsg *k, uint32_t hook, uint64_t denied,
	    uint64_t session_id, uint32_t camera_id);
/* NLMSG_DONE ending a dump, carrying error (netlink_dump_done()). */
void	kmsg_done(struct kmsg *k, int error);

#endif /* KMSG_H */
