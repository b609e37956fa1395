// SPDX-License-Identifier: MIT
/*
 * Sealed frames, format 1 (sealed.h; Documentation/sealed-frames.rst).
 *
 * Key schedule, per data key:
 *   shared       = X25519(ephemeral private, tenant public)
 *   wrap key (32) || wrap nonce (12)
 *                = HKDF-SHA256(salt none, ikm shared,
 *                              info "framegate sealed frames v1 wrap"
 *                                   || ephemeral public || tenant public)
 *   wrapped      = AES-256-GCM(wrap key, wrap nonce, data key,
 *                              aad tenant id || session id ||
 *                                  session start || key id)
 * Per frame:
 *   nonce        = camera id (4) || sequence (8), big-endian
 *   ciphertext   = AES-256-GCM(data key, nonce, payload, aad header)
 */

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>

#include "sealed.h"

#define WRAP_INFO	"framegate sealed frames v1 wrap"
#define TENANT_PREFIX	"framegate tenant"
#define NONCE_LEN	12

/* ---- the layout ------------------------------------------------------ */

#define OFF_MAGIC	0
#define OFF_VERSION	4
#define OFF_CONTENT	5
#define OFF_HDR_LEN	6
#define OFF_TENANT	8
#define OFF_SESSION	24
#define OFF_START	32
#define OFF_CAMERA	40
#define OFF_RESERVED1	44
#define OFF_SEQUENCE	48
#define OFF_CAPTURE	56
#define OFF_KEY_ID	64
#define OFF_EPHEMERAL	72
#define OFF_WRAPPED	104
#define OFF_PAYLOAD_LEN	152
#define OFF_RESERVED2	156

_Static_assert(OFF_RESERVED2 + 4 == FG_SEALED_HDR_LEN, "header layout");
_Static_assert(OFF_WRAPPED + FG_SEALED_KEY_LEN + FG_SEALED_TAG_LEN ==
	       OFF_PAYLOAD_LEN, "key block layout");

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* ---- the primitives -------------------------------------------------- */

int
fg_sealed_tenant_id(const uint8_t pub[FG_SEALED_KEY_LEN],
		    uint8_t id[FG_SEALED_TENANT_ID_LEN])
{
	uint8_t in[sizeof(TENANT_PREFIX) - 1 + FG_SEALED_KEY_LEN];
	uint8_t md[32];
	unsigned int mdlen = sizeof(md);

	memcpy(in, TENANT_PREFIX, sizeof(TENANT_PREFIX) - 1);
	memcpy(in + sizeof(TENANT_PREFIX) - 1, pub, FG_SEALED_KEY_LEN);
	if (!EVP_Digest(in, sizeof(in), md, &mdlen, EVP_sha256(), NULL))
		return -ENOMEM;
	memcpy(id, md, FG_SEALED_TENANT_ID_LEN);
	return 0;
}

/* X25519(priv, peer) into shared; -EINVAL for a peer of small order. */
static int
x25519(const uint8_t priv[FG_SEALED_KEY_LEN],
       const uint8_t peer[FG_SEALED_KEY_LEN], uint8_t shared[FG_SEALED_KEY_LEN])
{
	EVP_PKEY *a, *b = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = FG_SEALED_KEY_LEN;
	int ret = -ENOMEM;

	a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					 FG_SEALED_KEY_LEN);
	if (a == NULL)
		goto out;
	b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, peer,
					FG_SEALED_KEY_LEN);
	if (b == NULL)
		goto out;
	ctx = EVP_PKEY_CTX_new(a, NULL);
	if (ctx == NULL || EVP_PKEY_derive_init(ctx) <= 0)
		goto out;
	/* OpenSSL refuses an all-zero result: a public key of small order. */
	ret = -EINVAL;
	if (EVP_PKEY_derive_set_peer(ctx, b) <= 0 ||
	    EVP_PKEY_derive(ctx, shared, &len) <= 0 || len != FG_SEALED_KEY_LEN)
		goto out;
	ret = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(b);
	EVP_PKEY_free(a);
	return ret;
}

static int
x25519_public(const uint8_t priv[FG_SEALED_KEY_LEN],
	      uint8_t pub[FG_SEALED_KEY_LEN])
{
	EVP_PKEY *k;
	size_t len = FG_SEALED_KEY_LEN;
	int ok;

	k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv,
					 FG_SEALED_KEY_LEN);
	if (k == NULL)
		return -ENOMEM;
	ok = EVP_PKEY_get_raw_public_key(k, pub, &len) > 0 &&
	     len == FG_SEALED_KEY_LEN;
	EVP_PKEY_free(k);
	return ok ? 0 : -EINVAL;
}

int
fg_sealed_public_key_check(const uint8_t pub[FG_SEALED_KEY_LEN])
{
	/* Any scalar: X25519 clamps it to a multiple of the cofactor. */
	static const uint8_t probe[FG_SEALED_KEY_LEN] = { 0x40, 1, 2, 3 };
	uint8_t shared[FG_SEALED_KEY_LEN];
	int ret;

	ret = x25519(probe, pub, shared);
	OPENSSL_cleanse(shared, sizeof(shared));
	return ret;
}

/* The wrap key and nonce of one ephemeral key and tenant. */
static int
wrap_secrets(const uint8_t shared[FG_SEALED_KEY_LEN],
	     const uint8_t ephemeral[FG_SEALED_KEY_LEN],
	     const uint8_t tenant_pub[FG_SEALED_KEY_LEN],
	     uint8_t okm[FG_SEALED_KEY_LEN + NONCE_LEN])
{
	uint8_t info[sizeof(WRAP_INFO) - 1 + 2 * FG_SEALED_KEY_LEN];
	OSSL_PARAM params[4], *p = params;
	EVP_KDF_CTX *kctx;
	EVP_KDF *kdf;
	int ok;

	memcpy(info, WRAP_INFO, sizeof(WRAP_INFO) - 1);
	memcpy(info + sizeof(WRAP_INFO) - 1, ephemeral, FG_SEALED_KEY_LEN);
	memcpy(info + sizeof(WRAP_INFO) - 1 + FG_SEALED_KEY_LEN, tenant_pub,
	       FG_SEALED_KEY_LEN);
	kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
	if (kdf == NULL)
		return -ENOMEM;
	kctx = EVP_KDF_CTX_new(kdf);
	EVP_KDF_free(kdf);
	if (kctx == NULL)
		return -ENOMEM;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
						 (char *)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
						  (void *)shared,
						  FG_SEALED_KEY_LEN);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info,
						  sizeof(info));
	*p = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, okm, FG_SEALED_KEY_LEN + NONCE_LEN,
			    params) > 0;
	EVP_KDF_CTX_free(kctx);
	return ok ? 0 : -ENOMEM;
}

/*
 * AES-256-GCM of in (len bytes, may be 0) with aad into out and tag, or
 * (decrypt) the reverse, checking tag: 0, -EBADMSG for a tag that does not
 * match, -ENOMEM.
 */
static int
gcm(int encrypt, const uint8_t key[FG_SEALED_KEY_LEN],
    const uint8_t nonce[NONCE_LEN], const uint8_t *aad, size_t aad_len,
    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[FG_SEALED_TAG_LEN])
{
	EVP_CIPHER_CTX *ctx;
	int n, ret = -ENOMEM;

	if (len > FG_SEALED_PAYLOAD_MAX)
		return -EMSGSIZE;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		return -ENOMEM;
	if (EVP_CipherInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce,
			      encrypt) <= 0 ||
	    EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len) <= 0 ||
	    (len && EVP_CipherUpdate(ctx, out, &n, in, (int)len) <= 0))
		goto out;
	if (encrypt) {
		if (EVP_CipherFinal_ex(ctx, out + len, &n) <= 0 ||
		    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
					FG_SEALED_TAG_LEN, tag) <= 0)
			goto out;
	} else {
		if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG,
					FG_SEALED_TAG_LEN, tag) <= 0)
			goto out;
		ret = -EBADMSG;
		if (EVP_CipherFinal_ex(ctx, out + len, &n) <= 0)
			goto out;
	}
	ret = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return ret;
}

static void
wrap_aad(uint8_t aad[FG_SEALED_WRAP_AAD_LEN],
	 const uint8_t tenant_id[FG_SEALED_TENANT_ID_LEN], uint64_t session_id,
	 uint64_t session_start_ns, const uint8_t key_id[FG_SEALED_KEY_ID_LEN])
{
	memcpy(aad, tenant_id, FG_SEALED_TENANT_ID_LEN);
	put64(aad + 16, session_id);
	put64(aad + 24, session_start_ns);
	memcpy(aad + 32, key_id, FG_SEALED_KEY_ID_LEN);
}

/* ---- sealing --------------------------------------------------------- */

int
fg_seal_key_from(struct fg_seal_key *k,
		 const uint8_t tenant_pub[FG_SEALED_KEY_LEN],
		 uint64_t session_id, uint64_t session_start_ns,
		 const uint8_t data_key[FG_SEALED_KEY_LEN],
		 const uint8_t ephemeral_priv[FG_SEALED_KEY_LEN],
		 const uint8_t key_id[FG_SEALED_KEY_ID_LEN])
{
	uint8_t shared[FG_SEALED_KEY_LEN], okm[FG_SEALED_KEY_LEN + NONCE_LEN];
	uint8_t aad[FG_SEALED_WRAP_AAD_LEN];
	int ret;

	memset(k, 0, sizeof(*k));
	k->session_id = session_id;
	k->session_start_ns = session_start_ns;
	memcpy(k->data_key, data_key, FG_SEALED_KEY_LEN);
	memcpy(k->key_id, key_id, FG_SEALED_KEY_ID_LEN);
	if ((ret = fg_sealed_tenant_id(tenant_pub, k->tenant_id)) != 0 ||
	    (ret = x25519_public(ephemeral_priv, k->ephemeral)) != 0 ||
	    (ret = x25519(ephemeral_priv, tenant_pub, shared)) != 0 ||
	    (ret = wrap_secrets(shared, k->ephemeral, tenant_pub, okm)) != 0)
		goto out;
	wrap_aad(aad, k->tenant_id, session_id, session_start_ns, key_id);
	ret = gcm(1, okm, okm + FG_SEALED_KEY_LEN, aad, sizeof(aad), data_key,
		  FG_SEALED_KEY_LEN, k->wrapped, k->wrapped + FG_SEALED_KEY_LEN);
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(okm, sizeof(okm));
	if (ret != 0)
		fg_seal_key_clear(k);
	return ret;
}

int
fg_seal_key_new(struct fg_seal_key *k,
		const uint8_t tenant_pub[FG_SEALED_KEY_LEN],
		uint64_t session_id, uint64_t session_start_ns)
{
	uint8_t data_key[FG_SEALED_KEY_LEN], eph[FG_SEALED_KEY_LEN];
	uint8_t key_id[FG_SEALED_KEY_ID_LEN];
	int ret = -EIO;

	if (RAND_priv_bytes(data_key, sizeof(data_key)) > 0 &&
	    RAND_priv_bytes(eph, sizeof(eph)) > 0 &&
	    RAND_bytes(key_id, sizeof(key_id)) > 0)
		ret = fg_seal_key_from(k, tenant_pub, session_id,
				       session_start_ns, data_key, eph, key_id);
	OPENSSL_cleanse(data_key, sizeof(data_key));
	OPENSSL_cleanse(eph, sizeof(eph));
	return ret;
}

void
fg_seal_key_clear(struct fg_seal_key *k)
{
	OPENSSL_cleanse(k, sizeof(*k));
}

/* The camera's next free sequence, taken (sequence and after): 0, -ERANGE. */
static int
sequence_take(struct fg_seal_key *k, uint32_t camera_id, uint64_t sequence)
{
	unsigned int i;

	for (i = 0; i < k->ncameras; i++)
		if (k->cameras[i].id == camera_id)
			break;
	if (i == k->ncameras) {
		if (i == sizeof(k->cameras) / sizeof(k->cameras[0]))
			return -ERANGE;
		k->cameras[i].id = camera_id;
		k->cameras[i].next = 0;
		k->ncameras++;
	}
	if (sequence < k->cameras[i].next || sequence == UINT64_MAX)
		return -ERANGE;
	k->cameras[i].next = sequence + 1;
	return 0;
}

int
fg_seal_frame(struct fg_seal_key *k, enum fg_sealed_content content,
	      uint32_t camera_id, uint64_t sequence, uint64_t capture_ns,
	      const void *payload, size_t len, void *out, size_t out_size,
	      size_t *out_len)
{
	uint8_t *h = out, nonce[NONCE_LEN];
	int ret;

	if (len > FG_SEALED_PAYLOAD_MAX || out_size < FG_SEALED_OVERHEAD ||
	    out_size - FG_SEALED_OVERHEAD < len)
		return -EMSGSIZE;
	if (content != FG_SEALED_JPEG)
		return -EINVAL;
	if ((ret = sequence_take(k, camera_id, sequence)) != 0)
		return ret;
	memcpy(h + OFF_MAGIC, FG_SEALED_MAGIC, 4);
	h[OFF_VERSION] = FG_SEALED_VERSION;
	h[OFF_CONTENT] = (uint8_t)content;
	put16(h + OFF_HDR_LEN, FG_SEALED_HDR_LEN);
	memcpy(h + OFF_TENANT, k->tenant_id, FG_SEALED_TENANT_ID_LEN);
	put64(h + OFF_SESSION, k->session_id);
	put64(h + OFF_START, k->session_start_ns);
	put32(h + OFF_CAMERA, camera_id);
	put32(h + OFF_RESERVED1, 0);
	put64(h + OFF_SEQUENCE, sequence);
	put64(h + OFF_CAPTURE, capture_ns);
	memcpy(h + OFF_KEY_ID, k->key_id, FG_SEALED_KEY_ID_LEN);
	memcpy(h + OFF_EPHEMERAL, k->ephemeral, FG_SEALED_KEY_LEN);
	memcpy(h + OFF_WRAPPED, k->wrapped, sizeof(k->wrapped));
	put32(h + OFF_PAYLOAD_LEN, (uint32_t)len);
	put32(h + OFF_RESERVED2, 0);
	put32(nonce, camera_id);
	put64(nonce + 4, sequence);
	ret = gcm(1, k->data_key, nonce, h, FG_SEALED_HDR_LEN, payload, len,
		  h + FG_SEALED_HDR_LEN, h + FG_SEALED_HDR_LEN + len);
	if (ret != 0)
		return ret;
	*out_len = FG_SEALED_OVERHEAD + len;
	return 0;
}

/* ---- opening --------------------------------------------------------- */

static const char *const reasons[__FG_SEALED_REASON_MAX] = {
	[FG_SEALED_OK]		 = "opened",
	[FG_SEALED_TRUNCATED]	 = "truncated: shorter than its header says",
	[FG_SEALED_TRAILING]	 = "bytes after the tag: longer than its header says",
	[FG_SEALED_NOT_SEALED]	 = "not a sealed frame (no FGSF magic)",
	[FG_SEALED_BAD_VERSION]	 = "a format version this verifier does not know",
	[FG_SEALED_BAD_HEADER]	 = "a malformed header (length, content type or reserved field)",
	[FG_SEALED_OTHER_TENANT] = "sealed to another tenant's key",
	[FG_SEALED_BAD_KEY_BLOCK] = "its key block does not open with this key: tampered",
	[FG_SEALED_BAD_TAG]	 = "it does not authenticate: tampered",
	[FG_SEALED_ERROR]	 = "the verifier failed (out of memory?)",
};

const char *
fg_sealed_reason_str(enum fg_sealed_reason reason)
{
	if ((unsigned int)reason >= __FG_SEALED_REASON_MAX)
		return "unknown reason";
	return reasons[reason];
}

enum fg_sealed_reason
fg_sealed_parse(const void *buf, size_t len, struct fg_sealed_hdr *h)
{
	const uint8_t *p = buf;

	memset(h, 0, sizeof(*h));
	if (len < 4 || memcmp(p, FG_SEALED_MAGIC, 4) != 0)
		return len < 4 && memcmp(p, FG_SEALED_MAGIC, len) == 0 ?
		       FG_SEALED_TRUNCATED : FG_SEALED_NOT_SEALED;
	if (len < OFF_HDR_LEN + 2)
		return FG_SEALED_TRUNCATED;
	h->version = p[OFF_VERSION];
	if (h->version != FG_SEALED_VERSION)
		return FG_SEALED_BAD_VERSION;
	h->content = p[OFF_CONTENT];
	if (get16(p + OFF_HDR_LEN) != FG_SEALED_HDR_LEN ||
	    h->content != FG_SEALED_JPEG)
		return FG_SEALED_BAD_HEADER;
	if (len < FG_SEALED_HDR_LEN)
		return FG_SEALED_TRUNCATED;
	if (get32(p + OFF_RESERVED1) != 0 || get32(p + OFF_RESERVED2) != 0)
		return FG_SEALED_BAD_HEADER;
	memcpy(h->tenant_id, p + OFF_TENANT, FG_SEALED_TENANT_ID_LEN);
	h->session_id = get64(p + OFF_SESSION);
	h->session_start_ns = get64(p + OFF_START);
	h->camera_id = get32(p + OFF_CAMERA);
	h->sequence = get64(p + OFF_SEQUENCE);
	h->capture_ns = get64(p + OFF_CAPTURE);
	memcpy(h->key_id, p + OFF_KEY_ID, FG_SEALED_KEY_ID_LEN);
	memcpy(h->ephemeral, p + OFF_EPHEMERAL, FG_SEALED_KEY_LEN);
	memcpy(h->wrapped, p + OFF_WRAPPED, sizeof(h->wrapped));
	h->payload_len = get32(p + OFF_PAYLOAD_LEN);
	if (h->payload_len > FG_SEALED_PAYLOAD_MAX)
		return FG_SEALED_BAD_HEADER;
	if (len < FG_SEALED_OVERHEAD ||
	    len - FG_SEALED_OVERHEAD < h->payload_len)
		return FG_SEALED_TRUNCATED;
	if (len - FG_SEALED_OVERHEAD > h->payload_len)
		return FG_SEALED_TRAILING;
	return FG_SEALED_OK;
}

int
fg_sealed_opener_init(struct fg_sealed_opener *o,
		      const uint8_t priv[FG_SEALED_KEY_LEN])
{
	int ret;

	memset(o, 0, sizeof(*o));
	memcpy(o->priv, priv, FG_SEALED_KEY_LEN);
	if ((ret = x25519_public(priv, o->pub)) != 0 ||
	    (ret = fg_sealed_tenant_id(o->pub, o->tenant_id)) != 0)
		fg_sealed_opener_clear(o);
	return ret;
}

void
fg_sealed_opener_clear(struct fg_sealed_opener *o)
{
	OPENSSL_cleanse(o, sizeof(*o));
}

/* The data key of h's key block into key, from the cache or unwrapped. */
static enum fg_sealed_reason
unwrap(struct fg_sealed_opener *o, const struct fg_sealed_hdr *h,
       uint8_t key[FG_SEALED_KEY_LEN])
{
	uint8_t in[sizeof(o->cached_in)], shared[FG_SEALED_KEY_LEN];
	uint8_t okm[FG_SEALED_KEY_LEN + NONCE_LEN];
	enum fg_sealed_reason reason;
	uint8_t *tag;
	int ret;

	/* Everything the unwrapping reads: the aad, ephemeral, wrapped. */
	wrap_aad(in, h->tenant_id, h->session_id, h->session_start_ns,
		 h->key_id);
	memcpy(in + FG_SEALED_WRAP_AAD_LEN, h->ephemeral, FG_SEALED_KEY_LEN);
	memcpy(in + FG_SEALED_WRAP_AAD_LEN + FG_SEALED_KEY_LEN, h->wrapped,
	       sizeof(h->wrapped));
	if (o->cached && CRYPTO_memcmp(in, o->cached_in, sizeof(in)) == 0) {
		memcpy(key, o->cached_key, FG_SEALED_KEY_LEN);
		return FG_SEALED_OK;
	}
	ret = x25519(o->priv, h->ephemeral, shared);
	if (ret == -EINVAL)
		return FG_SEALED_BAD_KEY_BLOCK;
	if (ret != 0)
		return FG_SEALED_ERROR;
	reason = FG_SEALED_ERROR;
	if (wrap_secrets(shared, h->ephemeral, o->pub, okm) != 0)
		goto out;
	tag = (uint8_t *)h->wrapped + FG_SEALED_KEY_LEN;
	ret = gcm(0, okm, okm + FG_SEALED_KEY_LEN, in, FG_SEALED_WRAP_AAD_LEN,
		  h->wrapped, FG_SEALED_KEY_LEN, key, tag);
	if (ret != 0) {
		reason = ret == -EBADMSG ? FG_SEALED_BAD_KEY_BLOCK :
					   FG_SEALED_ERROR;
		OPENSSL_cleanse(key, FG_SEALED_KEY_LEN);
		goto out;
	}
	memcpy(o->cached_in, in, sizeof(in));
	memcpy(o->cached_key, key, FG_SEALED_KEY_LEN);
	o->cached = 1;
	reason = FG_SEALED_OK;
out:
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(okm, sizeof(okm));
	return reason;
}

enum fg_sealed_reason
fg_sealed_open(struct fg_sealed_opener *o, const void *buf, size_t len,
	       const struct fg_sealed_hdr *h, void *out)
{
	const uint8_t *p = buf;
	uint8_t key[FG_SEALED_KEY_LEN], nonce[NONCE_LEN];
	uint8_t tag[FG_SEALED_TAG_LEN];
	enum fg_sealed_reason reason;
	int ret;

	if (len != FG_SEALED_OVERHEAD + (size_t)h->payload_len)
		return FG_SEALED_TRUNCATED;
	if (CRYPTO_memcmp(h->tenant_id, o->tenant_id,
			  FG_SEALED_TENANT_ID_LEN) != 0)
		return FG_SEALED_OTHER_TENANT;
	reason = unwrap(o, h, key);
	if (reason != FG_SEALED_OK)
		return reason;
	put32(nonce, h->camera_id);
	put64(nonce + 4, h->sequence);
	memcpy(tag, p + FG_SEALED_HDR_LEN + h->payload_len, sizeof(tag));
	ret = gcm(0, key, nonce, p, FG_SEALED_HDR_LEN, p + FG_SEALED_HDR_LEN,
		  h->payload_len, out, tag);
	OPENSSL_cleanse(key, sizeof(key));
	if (ret != 0) {
		OPENSSL_cleanse(out, h->payload_len);
		return ret == -EBADMSG ? FG_SEALED_BAD_TAG : FG_SEALED_ERROR;
	}
	return FG_SEALED_OK;
}
