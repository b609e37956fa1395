// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: every parser of what the kernel sends
 * (libframegate-internal.h), on arbitrary bytes. The first byte picks the
 * parser, the rest is the message, or attributes to build one from
 * (fuzz_netlink.h).
 *
 * Each message is parsed twice:
 *   - from a heap copy of exactly its size, so that ASan sees any read of
 *     our code outside it;
 *   - from a copy that ends where an inaccessible page begins, so that a
 *     read past the end faults even in libnl, which is not instrumented.
 *     Its length is rounded down to a multiple of 4: netlink messages start
 *     4-byte aligned, and UBSan would report the misaligned ones.
 * Both must give the same result, and every result must keep the promises
 * of libframegate-internal.h; a broken one aborts, which libFuzzer reports
 * as a crash.
 */

#include <sys/mman.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "libframegate-internal.h"
#include "fuzz_netlink.h"
#include "fuzz_check.h"

union parsed {
	struct fg_stats			stats;
	struct fg_camera_status		camera;
	struct fg_session_status	session;
	struct fg_event_msg		event;
};

/* FUZZ_MSG_MAX bytes, then a page that may not be touched. */
static unsigned char *guarded_end;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t page = sysconf(_SC_PAGESIZE);
	size_t room = (FUZZ_MSG_MAX + page - 1) / page * page;
	unsigned char *p;

	(void)argc;
	(void)argv;
	p = mmap(NULL, room + page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(p != MAP_FAILED);
	CHECK(mprotect(p + room, page, PROT_NONE) == 0);
	guarded_end = p + room;
	return 0;
}

static bool is_camera_event(uint32_t event)
{
	return event == FG_EVENT_CAMERA_ATTACHED ||
	       event == FG_EVENT_CAMERA_LOST ||
	       event == FG_EVENT_CAMERA_DETACHED;
}

static bool is_session_event(uint32_t event)
{
	return event == FG_EVENT_SESSION_CREATED ||
	       event == FG_EVENT_SESSION_REVOKED ||
	       event == FG_EVENT_SESSION_CLOSED ||
	       event == FG_EVENT_SESSION_LOST;
}

/* What a successful parse promises about its output. */
static void check_parsed(int which, const union parsed *out)
{
	const struct fg_session_status *s = &out->session;
	const struct fg_event_msg *ev = &out->event;
	uint32_t i;

	switch (which) {
	case FUZZ_CAMERA:
		CHECK(memchr(out->camera.device, '\0',
			     sizeof(out->camera.device)) != NULL);
		break;
	case FUZZ_SESSION:
		CHECK(s->ncameras <= FG_SESSION_CAMERAS_MAX);
		for (i = s->ncameras; i < FG_SESSION_CAMERAS_MAX; i++)
			CHECK(s->cameras[i] == 0);
		break;
	case FUZZ_EVENT:
		if (ev->event == FG_EVENT_DENIED) {
			CHECK(ev->tenant_id == 0);
			CHECK(ev->camera_id == 0 || ev->session_id == 0);
			break;
		}
		CHECK(ev->hook == 0 && ev->denied == 0);
		if (is_camera_event(ev->event)) {
			CHECK(ev->session_id == 0 && ev->tenant_id == 0);
		} else if (is_session_event(ev->event)) {
			CHECK(ev->camera_id == 0);
		} else {
			CHECK(ev->camera_id == 0 && ev->session_id == 0 &&
			      ev->tenant_id == 0);
		}
		break;
	}
}

static int parse(int which, const unsigned char *msg, size_t len,
		 union parsed *out)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)msg;
	int r = 0;

	memset(out, 0, sizeof(*out));
	switch (which) {
	case FUZZ_STATS:
		r = fg_parse_stats_msg(nlh, len, &out->stats);
		break;
	case FUZZ_CAMERA:
		r = fg_parse_camera_msg(nlh, len, &out->camera);
		break;
	case FUZZ_SESSION:
		r = fg_parse_session_msg(nlh, len, &out->session);
		break;
	case FUZZ_EVENT:
		r = fg_parse_event_msg(nlh, len, &out->event);
		break;
	case FUZZ_DONE:
		r = fg_parse_done_msg(nlh, len);
		CHECK(r <= 0);
		if (r != -EBADMSG)
			CHECK(nlh->nlmsg_len <= len);
		return r;
	}
	CHECK(r == 0 || r == -EBADMSG);
	if (r == 0) {
		/* A message that was not all there cannot have parsed. */
		CHECK(len >= NLMSG_HDRLEN + GENL_HDRLEN);
		CHECK(nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN);
		CHECK(nlh->nlmsg_len <= len);
		check_parsed(which, out);
	}
	return r;
}

/* Appends n bytes, from p or zeros; false if they do not fit. */
static bool put(unsigned char *msg, size_t *len, const void *p, size_t n)
{
	if (n > FUZZ_MSG_MAX - *len)
		return false;
	if (p != NULL)
		memcpy(msg + *len, p, n);
	else
		memset(msg + *len, 0, n);
	*len += n;
	return true;
}

/* The nest that starts at msg + start ends at msg + len. */
static void nest_end(unsigned char *msg, size_t len, size_t start)
{
	uint16_t nla_len = len - start;

	memcpy(msg + start + offsetof(struct nlattr, nla_len), &nla_len,
	       sizeof(nla_len));
}

/* Attributes mode (fuzz_netlink.h): a well-framed message from in[n]. */
static size_t build(const uint8_t *in, size_t n, unsigned char *msg)
{
	struct nlmsghdr nlh = { .nlmsg_type = 0x1c };
	struct genlmsghdr g = { .version = FG_GENL_VERSION };
	size_t nests[FUZZ_DEPTH_MAX], depth = 0, len = 0, i = 0;
	size_t dlen, avail;
	struct nlattr nla;
	uint8_t t;

	if (n > 0)
		g.cmd = in[i++];
	put(msg, &len, &nlh, sizeof(nlh));
	put(msg, &len, &g, sizeof(g));
	while (i < n) {
		t = in[i++];
		if (t == FUZZ_NEST_END) {
			if (depth > 0)
				nest_end(msg, len, nests[--depth]);
			continue;
		}
		if (t & FUZZ_NEST) {
			if (depth == FUZZ_DEPTH_MAX)
				continue;
			nla.nla_len = NLA_HDRLEN;
			nla.nla_type = (t & ~FUZZ_NEST) | NLA_F_NESTED;
			nests[depth] = len;
			if (!put(msg, &len, &nla, sizeof(nla)))
				break;
			depth++;
			continue;
		}
		dlen = i < n ? in[i++] % (FUZZ_ATTR_MAX + 1) : 0;
		avail = n - i < dlen ? n - i : dlen;
		nla.nla_len = NLA_HDRLEN + dlen;
		nla.nla_type = t;
		if (NLA_ALIGN(nla.nla_len) > FUZZ_MSG_MAX - len)
			break;
		put(msg, &len, &nla, sizeof(nla));
		put(msg, &len, in + i, avail);
		put(msg, &len, NULL, NLA_ALIGN(dlen) - avail);
		i += avail;
	}
	while (depth > 0)
		nest_end(msg, len, nests[--depth]);
	nlh.nlmsg_len = len;
	memcpy(msg, &nlh, sizeof(nlh));
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char built[FUZZ_MSG_MAX];
	union parsed heap_out, guarded_out;
	size_t len, guarded_len;
	unsigned char *heap, *guarded;
	const unsigned char *msg;
	int which, r;

	if (size < 1 || size - 1 > FUZZ_MSG_MAX)
		return -1;	/* not added to the corpus */
	which = (data[0] & ~FUZZ_ATTRS) % FUZZ_PARSERS;
	if (data[0] & FUZZ_ATTRS) {
		len = build(data + 1, size - 1, built);
		msg = built;
	} else {
		len = size - 1;
		msg = data + 1;
	}

	heap = malloc(len > 0 ? len : 1);
	CHECK(heap != NULL);
	memcpy(heap, msg, len);
	r = parse(which, heap, len, &heap_out);
	free(heap);

	guarded_len = len & ~(size_t)3;
	guarded = guarded_end - guarded_len;
	memcpy(guarded, msg, guarded_len);
	if (guarded_len == len) {
		CHECK(parse(which, guarded, len, &guarded_out) == r);
		CHECK(memcmp(&heap_out, &guarded_out, sizeof(heap_out)) == 0);
	} else {
		parse(which, guarded, guarded_len, &guarded_out);
	}
	return 0;
}
