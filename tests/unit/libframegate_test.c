// SPDX-License-Identifier: GPL-2.0
/*
 * libframegate on the host, no kernel and no socket: its parsers of what
 * the kernel sends, fg_nla_encode() and the name helpers.
 *
 * Each message starts as kmod/netlink.c would build it (kmsg.c) and is then
 * broken the way a buggy or hostile peer could break it. What must hold:
 * the kernel's messages parse to exactly the values it put in; a message
 * that lacks a promised attribute, has one of the wrong length or does not
 * fit in its buffer fails with -EBADMSG; attributes nobody knows change
 * nothing.
 */

#include <errno.h>
#include <string.h>

#include "kmsg.h"
#include "libframegate-internal.h"
#include "kselftest_harness.h"

/* Every field distinct, with bits set above 32: swaps and truncations show. */
static const struct fg_stats stats = {
	.cameras_attached	= 0x0000000100000002ull,
	.sessions_active	= 0x0000000300000004ull,
	.sessions_created	= 0x0000000500000006ull,
	.sessions_revoked	= 0x0000000700000008ull,
	.frames_captured	= 0x000000090000000aull,
	.frames_delivered	= 0x0000000b0000000cull,
	.frames_dropped		= 0x0000000d0000000eull,
	.bytes_delivered	= 0xfedcba9876543210ull,
};

static const struct fg_camera_status camera = {
	.camera_id		= 0x80000001,
	.state			= FG_CAMERA_STREAMING,
	.device			= "video0",
	.width			= 1280,
	.height			= 720,
	.pixelformat		= 0x56595559,	/* YUYV */
	.fps			= 30,
	.buffers		= 4,
	.session_count		= 3,
	.frames_captured	= 0x0000001100000012ull,
	.frames_dropped		= 0x0000001300000014ull,
};

static const struct fg_session_status session = {
	.session_id		= 0x0000002100000022ull,
	.tenant_id		= 0x0000002300000024ull,
	.state			= FG_SESSION_REVOKED,
	.depth			= 16,
	.created_ns		= 0x0000002500000026ull,
	.ncameras		= 3,
	.cameras		= { 7, 3, 0xfffffffe },
	.frames_captured	= 0x0000002700000028ull,
	.frames_delivered	= 0x000000290000002aull,
	.frames_dropped_overrun	= 0x0000002b0000002cull,
	.frames_dropped_held	= 0x0000002d0000002eull,
	.frames_dropped_revoked	= 0x0000002f00000030ull,
	.frames_queued		= 0x0000003100000032ull,
	.frames_held		= 0x0000003300000034ull,
	.bytes_delivered	= 0x0000003500000036ull,
};

static const struct fg_event_msg camera_event = {
	.event = FG_EVENT_CAMERA_LOST,
	.camera_id = 0x80000005,
};

static const struct fg_event_msg session_event = {
	.event = FG_EVENT_SESSION_REVOKED,
	.session_id = 0x0000004100000042ull,
	.tenant_id = 0x0000004300000044ull,
};

/* One denial of each kind of counter: a session's, a camera's, the global. */
static const struct fg_event_msg denied_session_event = {
	.event = FG_EVENT_DENIED,
	.hook = FG_HOOK_SEND_MAPPED,
	.denied = 0x0000005100000052ull,
	.session_id = 0x0000005300000054ull,
};

static const struct fg_event_msg denied_camera_event = {
	.event = FG_EVENT_DENIED,
	.hook = FG_HOOK_MMAP,
	.denied = 0x0000006100000062ull,
	.camera_id = 0x80000063,
};

static const struct fg_event_msg denied_global_event = {
	.event = FG_EVENT_DENIED,
	.hook = FG_HOOK_IPC,
	.denied = 0x0000007100000072ull,
};

static void build_stats(struct kmsg *k)
{
	kmsg_stats(k, &stats);
}

static void build_camera(struct kmsg *k)
{
	kmsg_camera(k, &camera, 0);
}

static void build_camera_dump(struct kmsg *k)
{
	kmsg_camera(k, &camera, NLM_F_MULTI);
}

static void build_session(struct kmsg *k)
{
	kmsg_session(k, &session, NLM_F_MULTI);
}

static void build_camera_event(struct kmsg *k)
{
	kmsg_event_camera(k, camera_event.event, camera_event.camera_id);
}

static void build_session_event(struct kmsg *k)
{
	kmsg_event_session(k, session_event.event, session_event.session_id,
			   session_event.tenant_id);
}

static void build_denied(struct kmsg *k, const struct fg_event_msg *ev)
{
	kmsg_event_denied(k, ev->hook, ev->denied, ev->session_id,
			  ev->camera_id);
}

static void build_denied_session_event(struct kmsg *k)
{
	build_denied(k, &denied_session_event);
}

static void build_denied_camera_event(struct kmsg *k)
{
	build_denied(k, &denied_camera_event);
}

static void build_denied_global_event(struct kmsg *k)
{
	build_denied(k, &denied_global_event);
}

static int parse_stats(const struct nlmsghdr *nlh, size_t len, void *out)
{
	return fg_parse_stats_msg(nlh, len, out);
}

static int parse_camera(const struct nlmsghdr *nlh, size_t len, void *out)
{
	return fg_parse_camera_msg(nlh, len, out);
}

static int parse_session(const struct nlmsghdr *nlh, size_t len, void *out)
{
	return fg_parse_session_msg(nlh, len, out);
}

static int parse_event(const struct nlmsghdr *nlh, size_t len, void *out)
{
	return fg_parse_event_msg(nlh, len, out);
}

/* The top-level attributes each message must carry, per the uapi header. */
static const int stats_attrs[] = {
	FG_A_CAMERAS_ATTACHED, FG_A_SESSIONS_ACTIVE, FG_A_SESSIONS_CREATED,
	FG_A_SESSIONS_REVOKED, FG_A_FRAMES_CAPTURED, FG_A_FRAMES_DELIVERED,
	FG_A_FRAMES_DROPPED, FG_A_BYTES_DELIVERED,
};

static const int camera_attrs[] = {
	FG_A_CAMERA_ID, FG_A_CAMERA_STATE, FG_A_CAMERA_DEVICE, FG_A_WIDTH,
	FG_A_HEIGHT, FG_A_PIXELFORMAT, FG_A_FPS, FG_A_BUFFERS,
	FG_A_SESSION_COUNT, FG_A_FRAMES_CAPTURED, FG_A_FRAMES_DROPPED,
};

static const int session_attrs[] = {
	FG_A_SESSION_ID, FG_A_TENANT_ID, FG_A_SESSION_STATE, FG_A_CREATED_NS,
	FG_A_DEPTH, FG_A_SESSION_CAMERAS, FG_A_FRAMES_CAPTURED,
	FG_A_FRAMES_DELIVERED, FG_A_FRAMES_DROPPED_OVERRUN,
	FG_A_FRAMES_DROPPED_HELD, FG_A_FRAMES_DROPPED_REVOKED,
	FG_A_FRAMES_QUEUED, FG_A_FRAMES_HELD, FG_A_BYTES_DELIVERED,
};

static const int camera_event_attrs[] = { FG_A_EVENT, FG_A_CAMERA_ID };

static const int session_event_attrs[] = {
	FG_A_EVENT, FG_A_SESSION_ID, FG_A_TENANT_ID,
};

/* FG_A_SESSION_ID and FG_A_CAMERA_ID are optional in a denial. */
static const int denied_event_attrs[] = { FG_A_EVENT, FG_A_HOOK, FG_A_DENIED };

/* Fixed-size integer attributes, which must be exactly 4 or 8 bytes. */
static bool is_integer(int type)
{
	return type != FG_A_CAMERA_DEVICE && type != FG_A_SESSION_CAMERAS;
}

union parsed {
	struct fg_stats			stats;
	struct fg_camera_status		camera;
	struct fg_session_status	session;
	struct fg_event_msg		event;
};

/* Properties every message kind has: one variant per kind. */
FIXTURE(msg) {
	struct kmsg k;
	union parsed out;
};

FIXTURE_VARIANT(msg) {
	void (*build)(struct kmsg *k);
	int (*parse)(const struct nlmsghdr *nlh, size_t len, void *out);
	const void *expected;
	size_t size;
	const int *attrs;
	size_t nattrs;
	bool u64s;		/* carries u64 attributes that need FG_A_PAD */
	int optional;		/* an attribute that may be left out, last */
};

#define KIND(build_fn, parse_fn, value, attr_list)			\
	.build = (build_fn), .parse = (parse_fn), .expected = &(value),	\
	.size = sizeof(value), .attrs = (attr_list),			\
	.nattrs = ARRAY_SIZE(attr_list)

FIXTURE_VARIANT_ADD(msg, stats) {
	KIND(build_stats, parse_stats, stats, stats_attrs),
	.u64s = true,
};

FIXTURE_VARIANT_ADD(msg, camera) {
	KIND(build_camera, parse_camera, camera, camera_attrs),
	.u64s = true,
};

FIXTURE_VARIANT_ADD(msg, camera_dump) {
	KIND(build_camera_dump, parse_camera, camera, camera_attrs),
	.u64s = true,
};

FIXTURE_VARIANT_ADD(msg, session) {
	KIND(build_session, parse_session, session, session_attrs),
	.u64s = true,
};

FIXTURE_VARIANT_ADD(msg, camera_event) {
	KIND(build_camera_event, parse_event, camera_event, camera_event_attrs)
};

FIXTURE_VARIANT_ADD(msg, session_event) {
	KIND(build_session_event, parse_event, session_event,
	     session_event_attrs),
	.u64s = true,
};

FIXTURE_VARIANT_ADD(msg, denied_session_event) {
	KIND(build_denied_session_event, parse_event, denied_session_event,
	     denied_event_attrs),
	.u64s = true,
	.optional = FG_A_SESSION_ID,
};

/* FG_A_DENIED is 8-byte aligned already in these two. */
FIXTURE_VARIANT_ADD(msg, denied_camera_event) {
	KIND(build_denied_camera_event, parse_event, denied_camera_event,
	     denied_event_attrs),
	.optional = FG_A_CAMERA_ID,
};

FIXTURE_VARIANT_ADD(msg, denied_global_event) {
	KIND(build_denied_global_event, parse_event, denied_global_event,
	     denied_event_attrs),
};

FIXTURE_SETUP(msg)
{
	memset(&self->k, 0, sizeof(self->k));
	variant->build(&self->k);
	memset(&self->out, 0xa5, sizeof(self->out));
}

FIXTURE_TEARDOWN(msg)
{
}

/* Parse self->k as it is, over len bytes. */
static int parse_len(FIXTURE_DATA(msg) *self,
		     const FIXTURE_VARIANT(msg) *variant, size_t len)
{
	return variant->parse(&self->k.nlh, len, &self->out);
}

static int parse(FIXTURE_DATA(msg) *self, const FIXTURE_VARIANT(msg) *variant)
{
	return parse_len(self, variant, self->k.len);
}

TEST_F(msg, kernel_message_parses_to_its_values)
{
	ASSERT_EQ(0, parse(self, variant));
	EXPECT_EQ(0, memcmp(variant->expected, &self->out, variant->size));
}

TEST_F(msg, every_missing_attribute_is_ebadmsg)
{
	size_t i;

	for (i = 0; i < variant->nattrs; i++) {
		self->k.omit = variant->attrs[i];
		variant->build(&self->k);
		EXPECT_EQ(-EBADMSG, parse(self, variant))
			TH_LOG("without attribute %d", variant->attrs[i]);
	}
}

TEST_F(msg, every_integer_of_the_wrong_length_is_ebadmsg)
{
	static const int by[] = { -8, -4, -1, 1, 4 };
	size_t i, j;
	int tested = 0;

	for (i = 0; i < variant->nattrs; i++) {
		if (!is_integer(variant->attrs[i]))
			continue;
		for (j = 0; j < ARRAY_SIZE(by); j++) {
			self->k.resize = variant->attrs[i];
			self->k.resize_by = by[j];
			variant->build(&self->k);
			EXPECT_EQ(-EBADMSG, parse(self, variant))
				TH_LOG("attribute %d %+d bytes",
				       variant->attrs[i], by[j]);
			tested++;
		}
	}
	EXPECT_LT(0, tested);
}

/* The buffer ends before the message does: nothing may be read past it. */
TEST_F(msg, every_truncated_buffer_is_ebadmsg)
{
	size_t len;

	for (len = 0; len < self->k.len; len++)
		EXPECT_EQ(-EBADMSG, parse_len(self, variant, len))
			TH_LOG("%zu of %zu bytes", len, self->k.len);
}

/*
 * nlmsg_len says less than the kernel sent: attributes are cut off. Cut
 * exactly before an optional last attribute, it is the message without it.
 */
TEST_F(msg, every_shortened_nlmsg_len_is_ebadmsg)
{
	size_t full = self->k.len, without = SIZE_MAX;
	size_t n;

	if (variant->optional) {
		self->k.omit = variant->optional;
		variant->build(&self->k);
		without = self->k.len;
		self->k.omit = 0;
		variant->build(&self->k);
	}
	for (n = 0; n < full; n++) {
		self->k.nlh.nlmsg_len = n;
		EXPECT_EQ(n == without ? 0 : -EBADMSG, parse(self, variant))
			TH_LOG("nlmsg_len %zu of %zu", n, full);
	}
}

TEST_F(msg, nlmsg_len_beyond_the_buffer_is_ebadmsg)
{
	self->k.nlh.nlmsg_len = self->k.len + 4;
	EXPECT_EQ(-EBADMSG, parse(self, variant));
	self->k.nlh.nlmsg_len = UINT32_MAX;
	EXPECT_EQ(-EBADMSG, parse(self, variant));
}

TEST_F(msg, bytes_after_the_message_are_ignored)
{
	size_t len = self->k.len;

	memset(self->k.buf + len, 0xff, 64);
	ASSERT_EQ(0, parse_len(self, variant, len + 64));
	EXPECT_EQ(0, memcmp(variant->expected, &self->out, variant->size));
}

TEST_F(msg, unknown_attributes_are_ignored)
{
	size_t plain = self->k.len;

	self->k.unknown = true;
	variant->build(&self->k);
	ASSERT_LT(plain, self->k.len);
	ASSERT_EQ(0, parse(self, variant));
	EXPECT_EQ(0, memcmp(variant->expected, &self->out, variant->size));
}

/* Where unaligned access is slow the kernel inserts FG_A_PAD before u64s. */
TEST_F(msg, pad_attributes_are_ignored)
{
	size_t plain = self->k.len;

	self->k.pad64 = true;
	variant->build(&self->k);
	if (variant->u64s)
		ASSERT_LT(plain, self->k.len);
	ASSERT_EQ(0, parse(self, variant));
	EXPECT_EQ(0, memcmp(variant->expected, &self->out, variant->size));
}

/* The last value sent wins, as in the kernel's nla_parse(). */
TEST_F(msg, a_repeated_attribute_takes_its_last_value)
{
	int type = variant->attrs[0];
	uint32_t v32 = 0x12345678;
	uint64_t v64 = 0x1234567890abcdefull;

	ASSERT_TRUE(is_integer(type));
	if (type == FG_A_CAMERA_ID || type == FG_A_EVENT)
		kmsg_put_u32(&self->k, type, v32);
	else
		kmsg_put_u64(&self->k, type, v64);
	kmsg_end(&self->k);
	ASSERT_EQ(0, parse(self, variant));
	switch (type) {
	case FG_A_CAMERAS_ATTACHED:
		EXPECT_EQ(v64, self->out.stats.cameras_attached);
		break;
	case FG_A_CAMERA_ID:
		EXPECT_EQ(v32, self->out.camera.camera_id);
		break;
	case FG_A_SESSION_ID:
		EXPECT_EQ(v64, self->out.session.session_id);
		break;
	case FG_A_EVENT:	/* an unknown event: only its code */
		EXPECT_EQ(v32, self->out.event.event);
		EXPECT_EQ(0, self->out.event.camera_id);
		EXPECT_EQ(0, self->out.event.session_id);
		EXPECT_EQ(0, self->out.event.tenant_id);
		EXPECT_EQ(0, self->out.event.hook);
		EXPECT_EQ(0, self->out.event.denied);
		break;
	default:
		ASSERT_TRUE(false) TH_LOG("no check for attribute %d", type);
	}
}

TEST_F(msg, headers_shorter_than_genetlink_are_ebadmsg)
{
	static const uint32_t lens[] = { 0, 1, NLMSG_HDRLEN - 1, NLMSG_HDRLEN,
					 NLMSG_HDRLEN + GENL_HDRLEN - 1 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		self->k.nlh.nlmsg_len = lens[i];
		EXPECT_EQ(-EBADMSG, parse(self, variant))
			TH_LOG("nlmsg_len %u", lens[i]);
	}
}

/* Each message kind's own rules. */

static int camera_with_device(struct kmsg *k, const char *device,
			      struct fg_camera_status *c)
{
	struct fg_camera_status in = camera;

	kmsg_start(k, FG_CMD_GET_CAMERA, 0);
	kmsg_put_u32(k, FG_A_CAMERA_ID, in.camera_id);
	kmsg_put_u32(k, FG_A_CAMERA_STATE, in.state);
	kmsg_put_string(k, FG_A_CAMERA_DEVICE, device);
	kmsg_put_u32(k, FG_A_WIDTH, in.width);
	kmsg_put_u32(k, FG_A_HEIGHT, in.height);
	kmsg_put_u32(k, FG_A_PIXELFORMAT, in.pixelformat);
	kmsg_put_u32(k, FG_A_FPS, in.fps);
	kmsg_put_u32(k, FG_A_BUFFERS, in.buffers);
	kmsg_put_u32(k, FG_A_SESSION_COUNT, in.session_count);
	kmsg_put_u64(k, FG_A_FRAMES_CAPTURED, in.frames_captured);
	kmsg_put_u64(k, FG_A_FRAMES_DROPPED, in.frames_dropped);
	kmsg_end(k);
	memset(c, 0xa5, sizeof(*c));
	return fg_parse_camera_msg(&k->nlh, k->len, c);
}

/* The kernel's devname is char[32]: up to 31 characters and the NUL. */
TEST(camera_device_of_31_characters_parses)
{
	static const char name[] = "v234567890123456789012345678901";
	struct fg_camera_status c;
	struct kmsg k = { 0 };

	ASSERT_EQ(31, strlen(name));
	ASSERT_EQ(0, camera_with_device(&k, name, &c));
	EXPECT_STREQ(name, c.device);
	EXPECT_EQ(0x80000001, c.camera_id);
	EXPECT_EQ(1280, c.width);
}

TEST(camera_device_of_32_characters_is_ebadmsg)
{
	struct fg_camera_status c;
	struct kmsg k = { 0 };

	EXPECT_EQ(-EBADMSG, camera_with_device(&k,
		"v2345678901234567890123456789012", &c));
}

TEST(camera_device_empty_parses)
{
	struct fg_camera_status c;
	struct kmsg k = { 0 };

	ASSERT_EQ(0, camera_with_device(&k, "", &c));
	EXPECT_STREQ("", c.device);
}

TEST(camera_device_without_nul_is_ebadmsg)
{
	struct kmsg k = { .resize = FG_A_CAMERA_DEVICE, .resize_by = -1 };
	struct fg_camera_status c;

	kmsg_camera(&k, &camera, 0);
	EXPECT_EQ(-EBADMSG, fg_parse_camera_msg(&k.nlh, k.len, &c));
}

TEST(camera_device_with_bytes_after_its_nul_is_cut_at_the_nul)
{
	struct kmsg k = { .resize = FG_A_CAMERA_DEVICE, .resize_by = 4 };
	struct fg_camera_status c;

	kmsg_camera(&k, &camera, 0);
	ASSERT_EQ(0, fg_parse_camera_msg(&k.nlh, k.len, &c));
	EXPECT_STREQ("video0", c.device);
}

static int session_with_cameras(struct kmsg *k, uint32_t ncameras,
				struct fg_session_status *s)
{
	struct fg_session_status in = session;
	uint32_t i;

	/* More than fit in struct fg_session_status: build by hand. */
	if (ncameras > FG_SESSION_CAMERAS_MAX) {
		size_t cams;

		kmsg_start(k, FG_CMD_GET_SESSION, 0);
		kmsg_put_u64(k, FG_A_SESSION_ID, in.session_id);
		kmsg_put_u64(k, FG_A_TENANT_ID, in.tenant_id);
		kmsg_put_u32(k, FG_A_SESSION_STATE, in.state);
		kmsg_put_u64(k, FG_A_CREATED_NS, in.created_ns);
		kmsg_put_u32(k, FG_A_DEPTH, in.depth);
		cams = kmsg_nest_start(k, FG_A_SESSION_CAMERAS);
		for (i = 0; i < ncameras; i++)
			kmsg_put_u32(k, FG_A_CAMERA_ID, 100 + i);
		kmsg_nest_end(k, cams);
		kmsg_put_u64(k, FG_A_FRAMES_CAPTURED, 0);
		kmsg_put_u64(k, FG_A_FRAMES_DELIVERED, 0);
		kmsg_put_u64(k, FG_A_FRAMES_DROPPED_OVERRUN, 0);
		kmsg_put_u64(k, FG_A_FRAMES_DROPPED_HELD, 0);
		kmsg_put_u64(k, FG_A_FRAMES_DROPPED_REVOKED, 0);
		kmsg_put_u64(k, FG_A_FRAMES_QUEUED, 0);
		kmsg_put_u64(k, FG_A_FRAMES_HELD, 0);
		kmsg_put_u64(k, FG_A_BYTES_DELIVERED, 0);
		kmsg_end(k);
	} else {
		in.ncameras = ncameras;
		for (i = 0; i < ncameras; i++)
			in.cameras[i] = 100 + i;
		kmsg_session(k, &in, 0);
	}
	memset(s, 0xa5, sizeof(*s));
	return fg_parse_session_msg(&k->nlh, k->len, s);
}

TEST(session_of_the_most_cameras_parses_them_in_order)
{
	struct fg_session_status s;
	struct kmsg k = { 0 };
	uint32_t i;

	ASSERT_EQ(0, session_with_cameras(&k, FG_SESSION_CAMERAS_MAX, &s));
	ASSERT_EQ(FG_SESSION_CAMERAS_MAX, s.ncameras);
	for (i = 0; i < FG_SESSION_CAMERAS_MAX; i++)
		EXPECT_EQ(100 + i, s.cameras[i]);
}

TEST(session_of_one_camera_too_many_is_ebadmsg)
{
	struct fg_session_status s;
	struct kmsg k = { 0 };

	EXPECT_EQ(-EBADMSG, session_with_cameras(&k,
		FG_SESSION_CAMERAS_MAX + 1, &s));
}

TEST(session_cameras_unused_stay_zero)
{
	struct fg_session_status s;
	struct kmsg k = { 0 };
	uint32_t i;

	ASSERT_EQ(0, session_with_cameras(&k, 1, &s));
	ASSERT_EQ(1, s.ncameras);
	EXPECT_EQ(100, s.cameras[0]);
	for (i = 1; i < FG_SESSION_CAMERAS_MAX; i++)
		EXPECT_EQ(0, s.cameras[i]);
}

/* A listed camera id that is not a u32: the list cannot be trusted. */
TEST(session_camera_id_of_the_wrong_length_is_ebadmsg)
{
	static const uint64_t wide = 5;
	static const uint16_t narrow = 5;
	struct fg_session_status s;
	struct kmsg k = { 0 };
	size_t cams;
	int i;

	for (i = 0; i < 2; i++) {
		kmsg_start(&k, FG_CMD_GET_SESSION, 0);
		kmsg_put_u64(&k, FG_A_SESSION_ID, 1);
		kmsg_put_u64(&k, FG_A_TENANT_ID, 1);
		kmsg_put_u32(&k, FG_A_SESSION_STATE, FG_SESSION_ACTIVE);
		kmsg_put_u64(&k, FG_A_CREATED_NS, 1);
		kmsg_put_u32(&k, FG_A_DEPTH, 1);
		cams = kmsg_nest_start(&k, FG_A_SESSION_CAMERAS);
		kmsg_put_u32(&k, FG_A_CAMERA_ID, 4);
		if (i == 0)
			kmsg_put(&k, FG_A_CAMERA_ID, &wide, sizeof(wide));
		else
			kmsg_put(&k, FG_A_CAMERA_ID, &narrow, sizeof(narrow));
		kmsg_nest_end(&k, cams);
		kmsg_put_u64(&k, FG_A_FRAMES_CAPTURED, 0);
		kmsg_put_u64(&k, FG_A_FRAMES_DELIVERED, 0);
		kmsg_put_u64(&k, FG_A_FRAMES_DROPPED_OVERRUN, 0);
		kmsg_put_u64(&k, FG_A_FRAMES_DROPPED_HELD, 0);
		kmsg_put_u64(&k, FG_A_FRAMES_DROPPED_REVOKED, 0);
		kmsg_put_u64(&k, FG_A_FRAMES_QUEUED, 0);
		kmsg_put_u64(&k, FG_A_FRAMES_HELD, 0);
		kmsg_put_u64(&k, FG_A_BYTES_DELIVERED, 0);
		kmsg_end(&k);
		EXPECT_EQ(-EBADMSG, fg_parse_session_msg(&k.nlh, k.len, &s))
			TH_LOG("camera id of %zu bytes",
			       i == 0 ? sizeof(wide) : sizeof(narrow));
	}
}

/* Kernels before 5.2 (nla_nest_start() without NLA_F_NESTED). */
TEST(session_nest_without_the_nested_flag_parses)
{
	struct kmsg k = { .nest_noflag = true };
	struct fg_session_status s;

	kmsg_session(&k, &session, 0);
	ASSERT_EQ(0, fg_parse_session_msg(&k.nlh, k.len, &s));
	EXPECT_EQ(0, memcmp(&session, &s, sizeof(s)));
}

TEST(event_of_each_camera_kind_has_only_a_camera_id)
{
	static const uint32_t events[] = { FG_EVENT_CAMERA_ATTACHED,
		FG_EVENT_CAMERA_LOST, FG_EVENT_CAMERA_DETACHED };
	struct fg_event_msg ev;
	struct kmsg k = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		kmsg_event_camera(&k, events[i], 9);
		memset(&ev, 0xa5, sizeof(ev));
		ASSERT_EQ(0, fg_parse_event_msg(&k.nlh, k.len, &ev));
		EXPECT_EQ(events[i], ev.event);
		EXPECT_EQ(9, ev.camera_id);
		EXPECT_EQ(0, ev.session_id);
		EXPECT_EQ(0, ev.tenant_id);
	}
}

TEST(event_of_each_session_kind_has_only_session_and_tenant)
{
	static const uint32_t events[] = { FG_EVENT_SESSION_CREATED,
		FG_EVENT_SESSION_REVOKED, FG_EVENT_SESSION_CLOSED,
		FG_EVENT_SESSION_LOST };
	struct fg_event_msg ev;
	struct kmsg k = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		kmsg_event_session(&k, events[i], 11, 12);
		/* The attribute of the other kind must not leak through. */
		kmsg_put_u32(&k, FG_A_CAMERA_ID, 13);
		kmsg_end(&k);
		memset(&ev, 0xa5, sizeof(ev));
		ASSERT_EQ(0, fg_parse_event_msg(&k.nlh, k.len, &ev));
		EXPECT_EQ(events[i], ev.event);
		EXPECT_EQ(0, ev.camera_id);
		EXPECT_EQ(11, ev.session_id);
		EXPECT_EQ(12, ev.tenant_id);
	}
}

/* A denial counts one object, a session's counter or a camera's: not both. */
TEST(denied_event_naming_a_session_and_a_camera_is_ebadmsg)
{
	struct fg_event_msg ev;
	struct kmsg k = { 0 };

	kmsg_event_denied(&k, FG_HOOK_OPEN, 1, 5, 6);
	EXPECT_EQ(-EBADMSG, fg_parse_event_msg(&k.nlh, k.len, &ev));
}

/* A hook this library does not know still parses: the counter is real. */
TEST(denied_event_of_an_unknown_hook_parses)
{
	struct fg_event_msg ev;
	struct kmsg k = { 0 };

	kmsg_event_denied(&k, FG_HOOK_COUNT, 3, 0, 4);
	memset(&ev, 0xa5, sizeof(ev));
	ASSERT_EQ(0, fg_parse_event_msg(&k.nlh, k.len, &ev));
	EXPECT_EQ(FG_EVENT_DENIED, ev.event);
	EXPECT_EQ(FG_HOOK_COUNT, ev.hook);
	EXPECT_EQ(3, ev.denied);
	EXPECT_EQ(4, ev.camera_id);
	EXPECT_EQ(0, ev.session_id);
	EXPECT_EQ(0, ev.tenant_id);
	EXPECT_STREQ("unknown", fg_hook_name(ev.hook));
}

/* Session and camera events carry no denial, whatever else is there. */
TEST(session_event_ignores_denial_attributes)
{
	struct fg_event_msg ev;
	struct kmsg k = { 0 };

	kmsg_event_session(&k, FG_EVENT_SESSION_LOST, 11, 12);
	kmsg_put_u32(&k, FG_A_HOOK, FG_HOOK_IPC);
	kmsg_put_u64(&k, FG_A_DENIED, 99);
	kmsg_end(&k);
	memset(&ev, 0xa5, sizeof(ev));
	ASSERT_EQ(0, fg_parse_event_msg(&k.nlh, k.len, &ev));
	EXPECT_EQ(0, ev.hook);
	EXPECT_EQ(0, ev.denied);
	EXPECT_EQ(11, ev.session_id);
}

/* Newer than the library: the code only, whatever else is there. */
TEST(event_unknown_has_only_its_code)
{
	static const uint32_t events[] = { 0, FG_EVENT_DENIED + 1,
					   UINT32_MAX };
	struct fg_event_msg ev;
	struct kmsg k = { 0 };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(events); i++) {
		kmsg_event_session(&k, events[i], 11, 12);
		memset(&ev, 0xa5, sizeof(ev));
		ASSERT_EQ(0, fg_parse_event_msg(&k.nlh, k.len, &ev));
		EXPECT_EQ(events[i], ev.event);
		EXPECT_EQ(0, ev.camera_id);
		EXPECT_EQ(0, ev.session_id);
		EXPECT_EQ(0, ev.tenant_id);
	}
}

TEST(event_with_another_command_is_ebadmsg)
{
	struct genlmsghdr *g;
	struct fg_event_msg ev;
	struct kmsg k = { 0 };
	int cmd;

	for (cmd = 0; cmd <= 255; cmd++) {
		kmsg_event_camera(&k, FG_EVENT_CAMERA_LOST, 9);
		g = NLMSG_DATA(&k.nlh);
		g->cmd = cmd;
		EXPECT_EQ(cmd == FG_CMD_EVENT ? 0 : -EBADMSG,
			  fg_parse_event_msg(&k.nlh, k.len, &ev))
			TH_LOG("cmd %d", cmd);
	}
}

TEST(done_carries_the_dump_error)
{
	struct kmsg k = { 0 };

	kmsg_done(&k, 0);
	EXPECT_EQ(0, fg_parse_done_msg(&k.nlh, k.len));
	kmsg_done(&k, -ENOENT);
	EXPECT_EQ(-ENOENT, fg_parse_done_msg(&k.nlh, k.len));
	kmsg_done(&k, -EMSGSIZE);
	EXPECT_EQ(-EMSGSIZE, fg_parse_done_msg(&k.nlh, k.len));
}

TEST(done_without_an_error_or_with_a_positive_one_is_success)
{
	struct kmsg k = { 0 };

	kmsg_done(&k, 5);
	EXPECT_EQ(0, fg_parse_done_msg(&k.nlh, k.len));
	kmsg_done(&k, -EIO);
	k.nlh.nlmsg_len = NLMSG_HDRLEN + 3;
	EXPECT_EQ(0, fg_parse_done_msg(&k.nlh, k.len));
}

TEST(done_truncated_is_ebadmsg)
{
	struct kmsg k = { 0 };
	size_t len;

	kmsg_done(&k, -EIO);
	for (len = 0; len < k.len; len++)
		EXPECT_EQ(-EBADMSG, fg_parse_done_msg(&k.nlh, len))
			TH_LOG("%zu of %zu bytes", len, k.len);
	k.nlh.nlmsg_len = NLMSG_HDRLEN - 1;
	EXPECT_EQ(-EBADMSG, fg_parse_done_msg(&k.nlh, k.len));
}

/* fg_nla_encode() */

TEST(nla_encode_lays_out_header_data_and_zero_padding)
{
	static const unsigned char want[] = {
		8, 0, FG_A_CAMERA_ID, 0, 0x78, 0x56, 0x34, 0x12,
		7, 0, FG_A_CAMERA_DEVICE, 0, 'a', 'b', 'c', 0,
		4, 0, FG_A_PAD, 0,
		5, 0, FG_A_SESSION_CAMERAS, 0x80, 0xee, 0, 0, 0,
	};
	unsigned char buf[sizeof(want) + 4];
	uint32_t id = 0x12345678;
	unsigned char e = 0xee;
	size_t off = 0;

	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, fg_nla_encode(buf, sizeof(buf), &off, FG_A_CAMERA_ID,
				   &id, sizeof(id)));
	EXPECT_EQ(8, off);
	ASSERT_EQ(0, fg_nla_encode(buf, sizeof(buf), &off, FG_A_CAMERA_DEVICE,
				   "abc", 3));
	EXPECT_EQ(16, off);
	ASSERT_EQ(0, fg_nla_encode(buf, sizeof(buf), &off, FG_A_PAD, NULL, 0));
	EXPECT_EQ(20, off);
	ASSERT_EQ(0, fg_nla_encode(buf, sizeof(buf), &off,
				   FG_A_SESSION_CAMERAS | NLA_F_NESTED, &e, 1));
	EXPECT_EQ(sizeof(want), off);
	EXPECT_EQ(0, memcmp(want, buf, sizeof(want)));
	/* Nothing written past the attribute's padding. */
	EXPECT_EQ(0xa5, buf[sizeof(want)]);
}

TEST(nla_encode_fills_a_buffer_exactly)
{
	unsigned char buf[16];
	uint64_t v = 1;
	size_t off = 4;

	ASSERT_EQ(0, fg_nla_encode(buf, sizeof(buf), &off, FG_A_SESSION_ID,
				   &v, sizeof(v)));
	EXPECT_EQ(16, off);
}

TEST(nla_encode_that_does_not_fit_is_emsgsize_and_writes_nothing)
{
	unsigned char buf[16], copy[16];
	uint64_t v = 1;
	size_t off;

	memset(buf, 0xa5, sizeof(buf));
	memcpy(copy, buf, sizeof(buf));
	off = 5;	/* 12 bytes needed, 11 left */
	EXPECT_EQ(-EMSGSIZE, fg_nla_encode(buf, sizeof(buf), &off,
					   FG_A_SESSION_ID, &v, sizeof(v)));
	EXPECT_EQ(5, off);
	off = 9;	/* 7 bytes left: the data fits, its padding not */
	EXPECT_EQ(-EMSGSIZE, fg_nla_encode(buf, sizeof(buf), &off,
					   FG_A_CAMERA_DEVICE, "ab", 3));
	off = 17;	/* beyond the buffer already */
	EXPECT_EQ(-EMSGSIZE, fg_nla_encode(buf, sizeof(buf), &off,
					   FG_A_PAD, NULL, 0));
	EXPECT_EQ(17, off);
	off = SIZE_MAX;
	EXPECT_EQ(-EMSGSIZE, fg_nla_encode(buf, sizeof(buf), &off,
					   FG_A_PAD, NULL, 0));
	EXPECT_EQ(SIZE_MAX, off);
	EXPECT_EQ(0, memcmp(copy, buf, sizeof(buf)));
}

/* nla_len is a u16 and counts the header. */
TEST(nla_encode_of_more_than_nla_len_can_hold_is_emsgsize)
{
	static unsigned char buf[UINT16_MAX + 1], data[UINT16_MAX];
	size_t off = 0;

	EXPECT_EQ(-EMSGSIZE, fg_nla_encode(buf, sizeof(buf), &off, FG_A_PAD,
					   data, UINT16_MAX - NLA_HDRLEN + 1));
	EXPECT_EQ(0, off);
	ASSERT_EQ(0, fg_nla_encode(buf, sizeof(buf), &off, FG_A_PAD,
				   data, UINT16_MAX - NLA_HDRLEN));
	EXPECT_EQ(UINT16_MAX + 1, off);
	EXPECT_EQ(UINT16_MAX, ((struct nlattr *)buf)->nla_len);
}

/* What the library encodes, the library parses back. */
TEST(nla_encode_output_parses_as_a_kernel_message)
{
	const uint64_t *v = &stats.cameras_attached;
	struct fg_stats out;
	struct kmsg k = { 0 };
	size_t i, off;

	kmsg_start(&k, FG_CMD_GET_STATS, 0);
	off = k.len;
	for (i = 0; i < ARRAY_SIZE(stats_attrs); i++)
		ASSERT_EQ(0, fg_nla_encode(k.buf, sizeof(k.buf), &off,
					   stats_attrs[i], &v[i],
					   sizeof(v[i])));
	k.len = off;
	kmsg_end(&k);
	ASSERT_EQ(0, fg_parse_stats_msg(&k.nlh, k.len, &out));
	EXPECT_EQ(0, memcmp(&stats, &out, sizeof(out)));
}

/* Names */

TEST(fourcc_str_spells_v4l2_fourccs)
{
	char buf[FG_FOURCC_LEN];
	const char *ret = buf;

	EXPECT_EQ(ret, fg_fourcc_str(0x56595559, buf));
	EXPECT_STREQ("YUYV", buf);
	EXPECT_STREQ("NV12", fg_fourcc_str(0x3231564e, buf));
	EXPECT_STREQ("RGB3", fg_fourcc_str(0x33424752, buf));
}

TEST(fourcc_str_replaces_unprintable_bytes)
{
	char buf[FG_FOURCC_LEN];

	memset(buf, 'x', sizeof(buf));
	EXPECT_STREQ("????", fg_fourcc_str(0, buf));
	EXPECT_STREQ("? ~?", fg_fourcc_str(0x7f7e201f, buf));
	EXPECT_STREQ("?A??", fg_fourcc_str(0xff80411f, buf));
	EXPECT_EQ('\0', buf[4]);
}

TEST(camera_state_names)
{
	EXPECT_STREQ("streaming", fg_camera_state_name(FG_CAMERA_STREAMING));
	EXPECT_STREQ("lost", fg_camera_state_name(FG_CAMERA_LOST));
	EXPECT_STREQ("detached", fg_camera_state_name(FG_CAMERA_DETACHED));
	EXPECT_STREQ("unknown", fg_camera_state_name(0));
	EXPECT_STREQ("unknown", fg_camera_state_name(FG_CAMERA_DETACHED + 1));
	EXPECT_STREQ("unknown", fg_camera_state_name(UINT32_MAX));
}

TEST(session_state_names)
{
	EXPECT_STREQ("active", fg_session_state_name(FG_SESSION_ACTIVE));
	EXPECT_STREQ("revoked", fg_session_state_name(FG_SESSION_REVOKED));
	EXPECT_STREQ("lost", fg_session_state_name(FG_SESSION_LOST));
	EXPECT_STREQ("unknown", fg_session_state_name(0));
	EXPECT_STREQ("unknown", fg_session_state_name(FG_SESSION_LOST + 1));
}

TEST(event_names)
{
	EXPECT_STREQ("session_created",
		     fg_event_name(FG_EVENT_SESSION_CREATED));
	EXPECT_STREQ("session_revoked",
		     fg_event_name(FG_EVENT_SESSION_REVOKED));
	EXPECT_STREQ("session_closed", fg_event_name(FG_EVENT_SESSION_CLOSED));
	EXPECT_STREQ("session_lost", fg_event_name(FG_EVENT_SESSION_LOST));
	EXPECT_STREQ("camera_attached",
		     fg_event_name(FG_EVENT_CAMERA_ATTACHED));
	EXPECT_STREQ("camera_lost", fg_event_name(FG_EVENT_CAMERA_LOST));
	EXPECT_STREQ("camera_detached",
		     fg_event_name(FG_EVENT_CAMERA_DETACHED));
	EXPECT_STREQ("denied", fg_event_name(FG_EVENT_DENIED));
	EXPECT_STREQ("unknown", fg_event_name(0));
	EXPECT_STREQ("unknown", fg_event_name(FG_EVENT_DENIED + 1));
}

/* As the sysfs files denied_<name>. */
TEST(hook_names)
{
	static const char *const names[FG_HOOK_COUNT] = {
		[FG_HOOK_OPEN] = "open",
		[FG_HOOK_RECEIVE] = "receive",
		[FG_HOOK_MMAP] = "mmap",
		[FG_HOOK_IOCTL] = "ioctl",
		[FG_HOOK_PTRACE] = "ptrace",
		[FG_HOOK_SENDMSG] = "sendmsg",
		[FG_HOOK_WRITE] = "write",
		[FG_HOOK_SEND_MAPPED] = "send_mapped",
		[FG_HOOK_CONNECT] = "connect",
		[FG_HOOK_UNIX] = "unix",
		[FG_HOOK_IPC] = "ipc",
		[FG_HOOK_SOCKET] = "socket",
		[FG_HOOK_SOCKOPT] = "sockopt",
		[FG_HOOK_EGRESS] = "egress",
		[FG_HOOK_CHANNEL] = "channel",
		[FG_HOOK_READ] = "read",
	};
	uint32_t h;

	for (h = 0; h < FG_HOOK_COUNT; h++) {
		ASSERT_NE(NULL, names[h]) TH_LOG("hook %u has no name", h);
		EXPECT_STREQ(names[h], fg_hook_name(h));
	}
	EXPECT_STREQ("unknown", fg_hook_name(FG_HOOK_COUNT));
	EXPECT_STREQ("unknown", fg_hook_name(UINT32_MAX));
}

TEST_HARNESS_MAIN
