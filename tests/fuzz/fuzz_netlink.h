/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_netlink's input. Shared with mkcorpus.c, which writes the seeds.
 *
 * The first byte picks the parser, (byte & 0x7f) % FUZZ_PARSERS, and how the
 * rest is read:
 *
 *   bit 7 clear   raw: the rest is the netlink message, as is.
 *   bit 7 set     attributes: the message is built from the rest, with every
 *                 length right, so that the fuzzer reaches what lies behind
 *                 the framing. The rest is the genl cmd, then a list of
 *                   t < 0x80      an attribute of type t: one length byte
 *                                 (% FUZZ_ATTR_MAX + 1), then its data
 *                                 (zeros once the input runs out)
 *                   0x80 | t      a nest of type t (NLA_F_NESTED) begins,
 *                   0xff          ... and ends (nests end by themselves
 *                                 at the end of the input)
 */
#ifndef FUZZ_NETLINK_H
#define FUZZ_NETLINK_H

enum fuzz_parser {
	FUZZ_STATS,		/* fg_parse_stats_msg() */
	FUZZ_CAMERA,		/* fg_parse_camera_msg() */
	FUZZ_SESSION,		/* fg_parse_session_msg() */
	FUZZ_EVENT,		/* fg_parse_event_msg() */
	FUZZ_DONE,		/* fg_parse_done_msg() */
	FUZZ_PARSERS
};

#define FUZZ_ATTRS		0x80	/* selector bit: attributes mode */
#define FUZZ_NEST		0x80	/* attribute byte: a nest begins */
#define FUZZ_NEST_END		0xff
#define FUZZ_ATTR_MAX		63	/* bytes of data of one attribute */
#define FUZZ_DEPTH_MAX		4	/* of nests */

/* The largest message tried: a page, as a dump message's allocation. */
#define FUZZ_MSG_MAX		4096

#endif /* FUZZ_NETLINK_H */
