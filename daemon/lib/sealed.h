/* SPDX-License-Identifier: MIT */
/*
 * Sealed frames, format 1: a frame's JPEG as it leaves the device,
 * encrypted and authenticated for its tenant. Documentation/sealed-frames.rst
 * is the specification (byte layout, key schedule, what a verifier checks,
 * test vectors); this is its implementation, both halves: the worker seals
 * (fg_seal_*), the tenant's verifier opens (fg_sealed_*).
 *
 * An object is a 160-byte header, the JPEG under AES-256-GCM with the
 * header as additional data, and the 16-byte tag. Every object carries the
 * key block: the session's data key wrapped to the tenant's X25519 public
 * key (ephemeral-static X25519, HKDF-SHA256, AES-256-GCM), so each opens on
 * its own, wherever a cache put it.
 *
 * Needs OpenSSL's libcrypto (pkg-config libcrypto). No function prints;
 * each returns 0 or a negative errno, and the opening side a reason
 * (enum fg_sealed_reason, fg_sealed_reason_str()) saying why an object was
 * refused. No state outside the structures the caller passes.
 */

#ifndef FRAMEGATE_SEALED_H
#define FRAMEGATE_SEALED_H

#include <stddef.h>
#include <stdint.h>

#define FG_SEALED_MAGIC		"FGSF"
#define FG_SEALED_VERSION	1
#define FG_SEALED_HDR_LEN	160
#define FG_SEALED_TAG_LEN	16
#define FG_SEALED_OVERHEAD	(FG_SEALED_HDR_LEN + FG_SEALED_TAG_LEN)
/* The largest payload: a 4096x4096 frame's JPEG fits with room. */
#define FG_SEALED_PAYLOAD_MAX	(64u << 20)

#define FG_SEALED_KEY_LEN	32	/* X25519 keys, the data key */
#define FG_SEALED_TENANT_ID_LEN	16
#define FG_SEALED_KEY_ID_LEN	8
/* The key wrap's additional data: tenant id, session id and start, key id. */
#define FG_SEALED_WRAP_AAD_LEN	40

enum fg_sealed_content {
	FG_SEALED_JPEG = 1,		/* image/jpeg */
};

/* The header's fields, in the order of the layout (all big-endian). */
struct fg_sealed_hdr {
	uint8_t  version;
	uint8_t  content;
	uint8_t  tenant_id[FG_SEALED_TENANT_ID_LEN];
	uint64_t session_id;
	uint64_t session_start_ns;	/* CLOCK_REALTIME */
	uint32_t camera_id;
	uint64_t sequence;		/* the camera's, strictly increasing */
	uint64_t capture_ns;		/* CLOCK_REALTIME */
	uint8_t  key_id[FG_SEALED_KEY_ID_LEN];
	uint8_t  ephemeral[FG_SEALED_KEY_LEN];
	uint8_t  wrapped[FG_SEALED_KEY_LEN + FG_SEALED_TAG_LEN];
	uint32_t payload_len;
};

/*
 * The tenant id: the first 16 bytes of SHA-256("framegate tenant" || its
 * X25519 public key). 0 or a negative errno.
 */
int fg_sealed_tenant_id(const uint8_t pub[FG_SEALED_KEY_LEN],
			uint8_t id[FG_SEALED_TENANT_ID_LEN]);

/*
 * Whether pub can be sealed to: -EINVAL for a key of small order, with
 * which X25519 gives all zeros whatever the ephemeral key (no secret at
 * all); 0 otherwise, -ENOMEM.
 */
int fg_sealed_public_key_check(const uint8_t pub[FG_SEALED_KEY_LEN]);

/* ---- sealing (the worker) ------------------------------------------- */

/*
 * One data key of one session, and its key block: what every object the
 * key seals carries. The key is used for (camera, sequence) pairs that
 * only ever increase per camera (the nonce); fg_seal_frame() refuses any
 * other with -ERANGE, and the caller starts a new key (fg_seal_key_new).
 */
struct fg_seal_key {
	uint8_t  data_key[FG_SEALED_KEY_LEN];
	uint8_t  tenant_id[FG_SEALED_TENANT_ID_LEN];
	uint64_t session_id;
	uint64_t session_start_ns;
	uint8_t  key_id[FG_SEALED_KEY_ID_LEN];
	uint8_t  ephemeral[FG_SEALED_KEY_LEN];
	uint8_t  wrapped[FG_SEALED_KEY_LEN + FG_SEALED_TAG_LEN];
	unsigned int ncameras;
	struct {
		uint32_t id;
		uint64_t next;		/* the lowest sequence still free */
	} cameras[8];
};

/*
 * A fresh data key, ephemeral key and key id (OpenSSL's RAND_bytes), the
 * data key wrapped to the tenant's public key tenant_pub. 0 or a negative
 * errno.
 */
int fg_seal_key_new(struct fg_seal_key *k,
		    const uint8_t tenant_pub[FG_SEALED_KEY_LEN],
		    uint64_t session_id, uint64_t session_start_ns);

/*
 * The same from given secrets: the test vectors' entry point. Never for
 * real frames: a data key or ephemeral key used twice breaks the format's
 * guarantees.
 */
int fg_seal_key_from(struct fg_seal_key *k,
		     const uint8_t tenant_pub[FG_SEALED_KEY_LEN],
		     uint64_t session_id, uint64_t session_start_ns,
		     const uint8_t data_key[FG_SEALED_KEY_LEN],
		     const uint8_t ephemeral_priv[FG_SEALED_KEY_LEN],
		     const uint8_t key_id[FG_SEALED_KEY_ID_LEN]);

/* Wipes the data key. */
void fg_seal_key_clear(struct fg_seal_key *k);

/*
 * Seals payload (len bytes, content type) of camera_id's frame sequence,
 * captured at capture_ns, into out (FG_SEALED_OVERHEAD + len bytes, which
 * *out_len says). 0; -ERANGE when sequence is not above every one this
 * key sealed for the camera (or the key has seen too many cameras);
 * -EMSGSIZE for a payload over FG_SEALED_PAYLOAD_MAX or an out too small;
 * another negative errno from OpenSSL.
 */
int fg_seal_frame(struct fg_seal_key *k, enum fg_sealed_content content,
		  uint32_t camera_id, uint64_t sequence, uint64_t capture_ns,
		  const void *payload, size_t len, void *out, size_t out_size,
		  size_t *out_len);

/* ---- opening (the tenant) ------------------------------------------- */

/* Why an object was refused: fg_sealed_reason_str() says it in words. */
enum fg_sealed_reason {
	FG_SEALED_OK,
	FG_SEALED_TRUNCATED,		/* shorter than its header says */
	FG_SEALED_TRAILING,		/* longer than its header says */
	FG_SEALED_NOT_SEALED,		/* no magic: not a sealed frame */
	FG_SEALED_BAD_VERSION,
	FG_SEALED_BAD_HEADER,		/* length, content type, reserved */
	FG_SEALED_OTHER_TENANT,		/* sealed to another tenant's key */
	FG_SEALED_BAD_KEY_BLOCK,	/* the data key does not unwrap */
	FG_SEALED_BAD_TAG,		/* the frame does not authenticate */
	FG_SEALED_ERROR,		/* OpenSSL failed (memory, ...) */
	__FG_SEALED_REASON_MAX
};

const char *fg_sealed_reason_str(enum fg_sealed_reason reason);

/*
 * The header of the object buf (len bytes) into *h, and the checks that
 * need no key: magic, version, lengths, content type, reserved fields.
 * FG_SEALED_OK or the reason.
 */
enum fg_sealed_reason fg_sealed_parse(const void *buf, size_t len,
				      struct fg_sealed_hdr *h);

/*
 * A tenant's private key, its public key and tenant id, and the last data
 * key it unwrapped (objects of one session share one).
 */
struct fg_sealed_opener {
	uint8_t priv[FG_SEALED_KEY_LEN];
	uint8_t pub[FG_SEALED_KEY_LEN];
	uint8_t tenant_id[FG_SEALED_TENANT_ID_LEN];
	int	cached;
	uint8_t cached_in[FG_SEALED_WRAP_AAD_LEN + FG_SEALED_KEY_LEN +
			  FG_SEALED_KEY_LEN + FG_SEALED_TAG_LEN];
	uint8_t cached_key[FG_SEALED_KEY_LEN];
};

/* From the raw X25519 private key. 0 or a negative errno. */
int fg_sealed_opener_init(struct fg_sealed_opener *o,
			  const uint8_t priv[FG_SEALED_KEY_LEN]);
void fg_sealed_opener_clear(struct fg_sealed_opener *o);

/*
 * Opens the object buf (len bytes) parsed into *h: tenant, key block,
 * tag. The payload (h->payload_len bytes) goes to out, which must hold
 * that many; out is wiped unless FG_SEALED_OK is returned.
 */
enum fg_sealed_reason fg_sealed_open(struct fg_sealed_opener *o,
				     const void *buf, size_t len,
				     const struct fg_sealed_hdr *h, void *out);

#endif /* FRAMEGATE_SEALED_H */
