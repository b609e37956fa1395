// SPDX-License-Identifier: GPL-2.0
/*
 * Sealed frames (daemon/lib/sealed.c) against an implementation that is
 * not ours: the vectors in tests/sealed/vectors.txt were made by
 * tests/sealed/sealed.py (Python's cryptography, from
 * Documentation/sealed-frames.rst alone); the C sealer must reproduce
 * them byte for byte and the C opener open them, and sealed.py must open
 * what the C sealer makes with fresh random keys. Then what the opener
 * refuses: every flipped bit, every truncation, another tenant's object,
 * a sequence that does not increase, a tenant key of small order.
 */

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include "sealed.h"
#include "kselftest_harness.h"

#define VECTORS_MAX	8
#define PYTHON		"/usr/bin/python3"

struct vector {
	uint8_t tenant_priv[32], tenant_pub[32], data_key[32], eph_priv[32];
	uint8_t key_id[8];
	uint64_t session, start, sequence, capture;
	uint32_t camera;
	uint8_t *payload, *object;
	size_t payload_len, object_len;
};

static char top[PATH_MAX];

static void
top_init(void)
{
	char file[PATH_MAX];

	/* make passes this file's absolute path: TOP/tests/unit/... */
	snprintf(file, sizeof(file), "%s", __FILE__);
	snprintf(top, sizeof(top), "%s/../..", dirname(file));
}

static size_t
unhex(const char *s, uint8_t **out)
{
	size_t n = strlen(s) / 2, i;
	unsigned int b;

	*out = malloc(n + 1);
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			abort();
		(*out)[i] = (uint8_t)b;
	}
	return n;
}

static void
unhex_fixed(const char *s, uint8_t *out, size_t n)
{
	uint8_t *p;

	if (unhex(s, &p) != n)
		abort();
	memcpy(out, p, n);
	free(p);
}

/* tests/sealed/vectors.txt: "key = value" lines, blank lines between. */
static int
vectors_read(struct vector *v, int max)
{
	char path[PATH_MAX + 64], *line = NULL, *eq, *val;
	size_t cap = 0;
	int n = -1;
	FILE *f;

	top_init();
	snprintf(path, sizeof(path), "%s/tests/sealed/vectors.txt", top);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || (eq = strstr(line, " =")) == NULL)
			continue;
		*eq = '\0';
		val = eq + 2;
		while (*val == ' ')
			val++;
		if (strcmp(line, "vector") == 0) {
			if (++n == max)
				abort();
			memset(&v[n], 0, sizeof(v[n]));
		} else if (n < 0) {
			abort();
		} else if (strcmp(line, "tenant_priv") == 0) {
			unhex_fixed(val, v[n].tenant_priv, 32);
		} else if (strcmp(line, "tenant_pub") == 0) {
			unhex_fixed(val, v[n].tenant_pub, 32);
		} else if (strcmp(line, "data_key") == 0) {
			unhex_fixed(val, v[n].data_key, 32);
		} else if (strcmp(line, "eph_priv") == 0) {
			unhex_fixed(val, v[n].eph_priv, 32);
		} else if (strcmp(line, "key_id") == 0) {
			unhex_fixed(val, v[n].key_id, 8);
		} else if (strcmp(line, "session") == 0) {
			v[n].session = strtoull(val, NULL, 10);
		} else if (strcmp(line, "start") == 0) {
			v[n].start = strtoull(val, NULL, 10);
		} else if (strcmp(line, "sequence") == 0) {
			v[n].sequence = strtoull(val, NULL, 10);
		} else if (strcmp(line, "capture") == 0) {
			v[n].capture = strtoull(val, NULL, 10);
		} else if (strcmp(line, "camera") == 0) {
			v[n].camera = (uint32_t)strtoul(val, NULL, 10);
		} else if (strcmp(line, "payload") == 0) {
			v[n].payload_len = unhex(val, &v[n].payload);
		} else if (strcmp(line, "object") == 0) {
			v[n].object_len = unhex(val, &v[n].object);
		}
	}
	free(line);
	fclose(f);
	return n + 1;
}

FIXTURE(sealed) {
	struct vector v[VECTORS_MAX];
	int n;
	struct fg_sealed_opener op;
};

FIXTURE_SETUP(sealed)
{
	self->n = vectors_read(self->v, VECTORS_MAX);
	ASSERT_EQ(3, self->n);
	ASSERT_EQ(0, fg_sealed_opener_init(&self->op, self->v[1].tenant_priv));
}

FIXTURE_TEARDOWN(sealed)
{
	int i;

	for (i = 0; i < self->n; i++) {
		free(self->v[i].payload);
		free(self->v[i].object);
	}
	fg_sealed_opener_clear(&self->op);
}

/* The C sealer, given the vector's secrets, makes the vector's bytes. */
TEST_F(sealed, vectors_reproduce)
{
	struct fg_seal_key k;
	uint8_t *out;
	size_t len;
	int i;

	for (i = 0; i < self->n; i++) {
		struct vector *v = &self->v[i];

		ASSERT_EQ(0, fg_seal_key_from(&k, v->tenant_pub, v->session,
					      v->start, v->data_key,
					      v->eph_priv, v->key_id));
		out = malloc(v->payload_len + FG_SEALED_OVERHEAD);
		ASSERT_EQ(0, fg_seal_frame(&k, FG_SEALED_JPEG, v->camera,
					   v->sequence, v->capture, v->payload,
					   v->payload_len, out,
					   v->payload_len + FG_SEALED_OVERHEAD,
					   &len));
		ASSERT_EQ(v->object_len, len);
		EXPECT_EQ(0, memcmp(out, v->object, len)) {
			TH_LOG("vector %d differs", i + 1);
		}
		free(out);
		fg_seal_key_clear(&k);
	}
}

/* The C opener opens each vector to its payload and fields. */
TEST_F(sealed, vectors_open)
{
	struct fg_sealed_opener op;
	struct fg_sealed_hdr h;
	uint8_t *out;
	int i;

	for (i = 0; i < self->n; i++) {
		struct vector *v = &self->v[i];

		ASSERT_EQ(0, fg_sealed_opener_init(&op, v->tenant_priv));
		EXPECT_EQ(0, memcmp(op.pub, v->tenant_pub, 32));
		ASSERT_EQ(FG_SEALED_OK, fg_sealed_parse(v->object,
							v->object_len, &h));
		EXPECT_EQ(v->session, h.session_id);
		EXPECT_EQ(v->start, h.session_start_ns);
		EXPECT_EQ(v->camera, h.camera_id);
		EXPECT_EQ(v->sequence, h.sequence);
		EXPECT_EQ(v->capture, h.capture_ns);
		ASSERT_EQ(v->payload_len, h.payload_len);
		out = malloc(h.payload_len + 1);
		ASSERT_EQ(FG_SEALED_OK, fg_sealed_open(&op, v->object,
						       v->object_len, &h, out));
		EXPECT_EQ(0, memcmp(out, v->payload, v->payload_len));
		free(out);
		fg_sealed_opener_clear(&op);
	}
}

static int
run(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Python's implementation agrees with the vectors (its own check). */
TEST_F(sealed, python_agrees_with_vectors)
{
	char cmd[3 * PATH_MAX];

	snprintf(cmd, sizeof(cmd), PYTHON " %s/tests/sealed/sealed.py vectors "
		 "%s/tests/sealed/vectors.txt", top, top);
	EXPECT_EQ(0, run(cmd));
}

/*
 * A fresh key pair made with OpenSSL's PEM tools, a random data key and
 * ephemeral key (fg_seal_key_new), two frames of two cameras: Python
 * opens both, to the payload whose SHA-256 it prints.
 */
TEST_F(sealed, python_opens_fresh_objects)
{
	char dir[] = "/tmp/sealed_test.XXXXXX", path[PATH_MAX], cmd[4 * PATH_MAX];
	char want[2 * SHA256_DIGEST_LENGTH + 1], line[1024];
	uint8_t pub[32], payload[3000], md[SHA256_DIGEST_LENGTH], *obj;
	size_t publen = sizeof(pub), len;
	struct fg_seal_key k;
	EVP_PKEY *key;
	FILE *f, *p;
	int i, j, found = 0;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_NE(NULL, key = EVP_PKEY_Q_keygen(NULL, NULL, "X25519"));
	ASSERT_GT(EVP_PKEY_get_raw_public_key(key, pub, &publen), 0);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	ASSERT_NE(NULL, f = fopen(path, "w"));
	ASSERT_TRUE(PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL));
	fclose(f);
	EVP_PKEY_free(key);
	for (i = 0; i < (int)sizeof(payload); i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	SHA256(payload, sizeof(payload), md);
	for (i = 0; i < SHA256_DIGEST_LENGTH; i++)
		sprintf(want + 2 * i, "%02x", md[i]);
	ASSERT_EQ(0, fg_seal_key_new(&k, pub, 77, 1000));
	obj = malloc(sizeof(payload) + FG_SEALED_OVERHEAD);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, fg_seal_frame(&k, FG_SEALED_JPEG, 10 + i, 5, 2000,
					   payload, sizeof(payload), obj,
					   sizeof(payload) + FG_SEALED_OVERHEAD,
					   &len));
		snprintf(path, sizeof(path), "%s/%d.fgs", dir, i);
		ASSERT_NE(NULL, f = fopen(path, "w"));
		ASSERT_EQ(len, fwrite(obj, 1, len, f));
		fclose(f);
	}
	free(obj);
	fg_seal_key_clear(&k);
	snprintf(cmd, sizeof(cmd), PYTHON " %s/tests/sealed/sealed.py open "
		 "%s/key.pem %s/0.fgs %s/1.fgs", top, dir, dir, dir);
	ASSERT_NE(NULL, p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p)) {
		j = strstr(line, "session 77 camera 1") != NULL &&
		    strstr(line, " sequence 5 capture 2000 bytes 3000 sha256 ") &&
		    strstr(line, want);
		found += j;
		if (!j)
			TH_LOG("%s", line);
	}
	EXPECT_EQ(0, WEXITSTATUS(pclose(p)));
	EXPECT_EQ(2, found);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	run(cmd);
}

/* Another tenant's key: refused as such, before any unwrapping. */
TEST_F(sealed, other_tenant_refused)
{
	struct fg_sealed_opener other;
	struct fg_sealed_hdr h;
	uint8_t out[1024];
	struct vector *v = &self->v[1];

	/* Vector 3 is sealed to another key pair than vector 2's. */
	ASSERT_EQ(0, fg_sealed_opener_init(&other, self->v[2].tenant_priv));
	ASSERT_EQ(FG_SEALED_OK, fg_sealed_parse(v->object, v->object_len, &h));
	EXPECT_EQ(FG_SEALED_OTHER_TENANT,
		  fg_sealed_open(&other, v->object, v->object_len, &h, out));
	fg_sealed_opener_clear(&other);
}

/* Every single flipped bit of an object is refused. */
TEST_F(sealed, every_flipped_bit_refused)
{
	struct vector *v = &self->v[1];
	enum fg_sealed_reason r;
	struct fg_sealed_hdr h;
	uint8_t *obj, out[1024];
	size_t i;
	int bit, opened = 0;

	obj = malloc(v->object_len);
	for (i = 0; i < v->object_len; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(obj, v->object, v->object_len);
			obj[i] ^= (uint8_t)(1u << bit);
			r = fg_sealed_parse(obj, v->object_len, &h);
			if (r == FG_SEALED_OK)
				r = fg_sealed_open(&self->op, obj,
						   v->object_len, &h, out);
			if (r == FG_SEALED_OK) {
				opened++;
				TH_LOG("byte %zu bit %d flipped: opened", i,
				       bit);
			}
		}
	}
	EXPECT_EQ(0, opened);
	free(obj);
}

/* Every length short of the whole, and one byte more, is refused. */
TEST_F(sealed, every_truncation_refused)
{
	struct vector *v = &self->v[1];
	struct fg_sealed_hdr h;
	uint8_t *obj;
	size_t len;
	int bad = 0;

	for (len = 0; len < v->object_len; len++)
		if (fg_sealed_parse(v->object, len, &h) != FG_SEALED_TRUNCATED)
			bad++;
	EXPECT_EQ(0, bad);
	obj = malloc(v->object_len + 1);
	memcpy(obj, v->object, v->object_len);
	obj[v->object_len] = 0;
	EXPECT_EQ(FG_SEALED_TRAILING, fg_sealed_parse(obj, v->object_len + 1,
						      &h));
	free(obj);
}

/* A key never seals a (camera, sequence) twice, nor one going back. */
TEST_F(sealed, sequence_only_increases)
{
	uint8_t out[FG_SEALED_OVERHEAD + 4];
	struct fg_seal_key k;
	size_t len;

	ASSERT_EQ(0, fg_seal_key_new(&k, self->v[1].tenant_pub, 1, 0));
#define SEAL(cam, seq) fg_seal_frame(&k, FG_SEALED_JPEG, cam, seq, 0, "jpeg", \
				     4, out, sizeof(out), &len)
	EXPECT_EQ(0, SEAL(1, 5));
	EXPECT_EQ(-ERANGE, SEAL(1, 5));
	EXPECT_EQ(-ERANGE, SEAL(1, 4));
	EXPECT_EQ(0, SEAL(1, 6));
	EXPECT_EQ(0, SEAL(2, 0));
	EXPECT_EQ(0, SEAL(2, 1));
	EXPECT_EQ(-ERANGE, SEAL(1, 6));
	EXPECT_EQ(-EMSGSIZE, fg_seal_frame(&k, FG_SEALED_JPEG, 3, 0, 0, "jpeg",
					   5, out, sizeof(out), &len));
#undef SEAL
	fg_seal_key_clear(&k);
}

/* A tenant public key of small order (here 0) gives no key at all. */
TEST_F(sealed, small_order_tenant_key_refused)
{
	static const uint8_t zero[32];
	struct fg_seal_key k;

	EXPECT_EQ(-EINVAL, fg_seal_key_new(&k, zero, 1, 0));
}

/* Wrong magic and version are told apart from a truncation. */
TEST_F(sealed, not_sealed_and_bad_version)
{
	struct vector *v = &self->v[0];
	struct fg_sealed_hdr h;
	uint8_t obj[FG_SEALED_OVERHEAD];

	ASSERT_EQ(sizeof(obj), v->object_len);
	memcpy(obj, v->object, sizeof(obj));
	obj[4] = 2;
	EXPECT_EQ(FG_SEALED_BAD_VERSION, fg_sealed_parse(obj, sizeof(obj), &h));
	EXPECT_EQ(FG_SEALED_NOT_SEALED, fg_sealed_parse("\xff\xd8\xff\xe0", 4,
							&h));
}

TEST_HARNESS_MAIN
