// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the tenant's opener of sealed frames
 * (daemon/lib/sealed.c: fg_sealed_parse, fg_sealed_open), what a
 * mixed-up cache or an attacker can hand a verifier.
 *
 * The first byte picks how the rest is read:
 *   even  the object itself, opened with a tenant key of its own (the
 *         test vectors, its seeds, are sealed to other tenants);
 *   odd   records (op, offset, n, n bytes, as fuzz_check.h) patching an
 *         object sealed here at start (an op with bit 1 set also cuts the
 *         object short by op % 17 bytes), then opened. "\x01" alone is
 *         the object unchanged, which must open.
 *
 * What must hold:
 *   - parse answers a listed reason, FG_SEALED_OK only when the length
 *     is exactly the header's plus the overhead;
 *   - open answers a listed reason, and FG_SEALED_OK only for the object
 *     sealed here, unchanged, to its payload: nothing else authenticates.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sealed.h"
#include "fuzz_check.h"

#define PAYLOAD_LEN	96

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fg_sealed_opener op;
static uint8_t payload[PAYLOAD_LEN], object[FG_SEALED_OVERHEAD + PAYLOAD_LEN];
static size_t object_len;

static void
init(void)
{
	uint8_t priv[32], eph[32], data_key[32], key_id[8];
	struct fg_seal_key k;
	int i;

	for (i = 0; i < 32; i++) {
		priv[i] = (uint8_t)(0xc0 ^ i);	/* no vector's key */
		eph[i] = (uint8_t)(0x80 + i);
		data_key[i] = (uint8_t)(0x40 + i);
	}
	memcpy(key_id, "FUZZSEAL", 8);
	for (i = 0; i < PAYLOAD_LEN; i++)
		payload[i] = (uint8_t)(i * 3);
	CHECK(fg_sealed_opener_init(&op, priv) == 0);
	CHECK(fg_seal_key_from(&k, op.pub, 9, 1000, data_key, eph, key_id) == 0);
	CHECK(fg_seal_frame(&k, FG_SEALED_JPEG, 3, 12, 2000, payload,
			    PAYLOAD_LEN, object, sizeof(object),
			    &object_len) == 0);
	fg_seal_key_clear(&k);
}

static void
try_open(const uint8_t *obj, size_t len)
{
	enum fg_sealed_reason r;
	struct fg_sealed_hdr h;
	uint8_t *out;

	r = fg_sealed_parse(obj, len, &h);
	CHECK((unsigned int)r < __FG_SEALED_REASON_MAX);
	CHECK(strcmp(fg_sealed_reason_str(r), "unknown reason") != 0);
	if (r != FG_SEALED_OK)
		return;
	CHECK(len == FG_SEALED_OVERHEAD + (size_t)h.payload_len);
	out = malloc(h.payload_len + 1);
	CHECK(out != NULL);
	r = fg_sealed_open(&op, obj, len, &h, out);
	CHECK(r == FG_SEALED_OK || r == FG_SEALED_OTHER_TENANT ||
	      r == FG_SEALED_BAD_KEY_BLOCK || r == FG_SEALED_BAD_TAG);
	if (r == FG_SEALED_OK) {
		CHECK(len == object_len && memcmp(obj, object, len) == 0);
		CHECK(h.payload_len == PAYLOAD_LEN &&
		      memcmp(out, payload, PAYLOAD_LEN) == 0);
	}
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	uint8_t obj[sizeof(object)];
	size_t len;
	int op_byte;

	if (!ready) {
		init();
		ready = true;
	}
	if (size == 0)
		return 0;
	if (!(data[0] & 1)) {
		try_open(data + 1, size - 1);
		return 0;
	}
	data++;
	size--;
	memcpy(obj, object, object_len);
	len = object_len;
	while ((op_byte = fuzz_record(&data, &size, obj, object_len)) >= 0)
		if (op_byte & 2)
			len = object_len - (size_t)op_byte % 17;
	try_open(obj, len);
	return 0;
}
