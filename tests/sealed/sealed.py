#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Sealed frames, format 1, from Documentation/sealed-frames.rst alone.

An independent implementation of the format: Python's cryptography
(Debian's python3-cryptography), none of framegate's C. The tests use it
to check framegate's objects and test vectors:

  sealed.py vectors FILE            every vector: the object this module
                                    seals from its secrets is the vector's,
                                    byte for byte, and opens to its payload
  sealed.py open KEY.pem FILE...    opens real objects (a worker's), prints
                                    one line per object: path, session,
                                    camera, sequence, capture ns, payload
                                    bytes, payload's SHA-256; or "refused"
                                    and why. Exit 1 if any was refused.
  sealed.py generate                prints the vectors (fixed secrets)
"""

import hashlib
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey, X25519PublicKey)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"FGSF"
HDR_LEN = 160
TAG_LEN = 16
WRAP_INFO = b"framegate sealed frames v1 wrap"
# magic, version, content, header length, tenant id, session id, session
# start, camera id, reserved, sequence, capture, key id, ephemeral key,
# wrapped data key and its tag, payload length, reserved
HDR = struct.Struct(">4sBBH16sQQII QQ8s32s48sII")
assert HDR.size == HDR_LEN


def raw_public(pub):
    return pub.public_bytes(serialization.Encoding.Raw,
                            serialization.PublicFormat.Raw)


def tenant_id(pub_raw):
    return hashlib.sha256(b"framegate tenant" + pub_raw).digest()[:16]


def wrap_secrets(shared, eph_pub, tenant_pub):
    okm = HKDF(algorithm=hashes.SHA256(), length=44, salt=None,
               info=WRAP_INFO + eph_pub + tenant_pub).derive(shared)
    return okm[:32], okm[32:]


def wrap_aad(tid, session, start, key_id):
    return tid + struct.pack(">QQ", session, start) + key_id


def seal(tenant_pub, session, start, data_key, eph_priv, key_id, camera,
         sequence, capture, payload):
    eph = X25519PrivateKey.from_private_bytes(eph_priv)
    eph_pub = raw_public(eph.public_key())
    shared = eph.exchange(X25519PublicKey.from_public_bytes(tenant_pub))
    wkey, wnonce = wrap_secrets(shared, eph_pub, tenant_pub)
    tid = tenant_id(tenant_pub)
    wrapped = AESGCM(wkey).encrypt(wnonce, data_key,
                                   wrap_aad(tid, session, start, key_id))
    hdr = HDR.pack(MAGIC, 1, 1, HDR_LEN, tid, session, start, camera, 0,
                   sequence, capture, key_id, eph_pub, wrapped,
                   len(payload), 0)
    nonce = struct.pack(">IQ", camera, sequence)
    return hdr + AESGCM(data_key).encrypt(nonce, payload, hdr)


class Refused(Exception):
    pass


def open_object(tenant_priv, obj):
    """(fields, payload) of obj, or Refused with the reason."""
    if len(obj) < HDR_LEN + TAG_LEN:
        raise Refused("truncated")
    (magic, version, content, hdr_len, tid, session, start, camera, res1,
     sequence, capture, key_id, eph_pub, wrapped, plen, res2) = \
        HDR.unpack(obj[:HDR_LEN])
    if magic != MAGIC:
        raise Refused("not a sealed frame")
    if version != 1 or content != 1 or hdr_len != HDR_LEN or res1 or res2:
        raise Refused("bad header")
    if len(obj) != HDR_LEN + plen + TAG_LEN:
        raise Refused("length %d, header says %d" %
                      (len(obj), HDR_LEN + plen + TAG_LEN))
    pub = raw_public(tenant_priv.public_key())
    if tid != tenant_id(pub):
        raise Refused("another tenant")
    shared = tenant_priv.exchange(X25519PublicKey.from_public_bytes(eph_pub))
    wkey, wnonce = wrap_secrets(shared, eph_pub, pub)
    try:
        data_key = AESGCM(wkey).decrypt(wnonce, wrapped,
                                        wrap_aad(tid, session, start, key_id))
        payload = AESGCM(data_key).decrypt(
            struct.pack(">IQ", camera, sequence), obj[HDR_LEN:], obj[:HDR_LEN])
    except InvalidTag:
        raise Refused("tag")
    return dict(session=session, start=start, camera=camera,
                sequence=sequence, capture=capture), payload


def hexs(b):
    return b.hex()


# The vectors: fixed secrets, a payload each; the tenant key pair too.
VECTORS = [
    dict(tenant_priv=bytes(range(1, 33)), session=1,
         start=1764720000000000000, data_key=bytes(range(100, 132)),
         eph_priv=bytes(range(200, 232)), key_id=bytes(range(8)),
         camera=1, sequence=0, capture=1764720000500000000, payload=b""),
    dict(tenant_priv=bytes(range(1, 33)), session=0x0123456789abcdef,
         start=1764720000000000000, data_key=bytes([0x42] * 32),
         eph_priv=bytes([0x77] * 32), key_id=b"\xff" * 8,
         camera=7, sequence=41, capture=1764720001000000000,
         payload=b"framegate sealed frame test vector 2"),
    dict(tenant_priv=bytes([0x5a] * 32), session=18446744073709551615,
         start=0, data_key=bytes(range(32)),
         eph_priv=bytes(range(32, 64)), key_id=b"FGVECTOR",
         camera=4294967295, sequence=18446744073709551614,
         capture=18446744073709551615,
         payload=bytes(range(256)) * 3),
]


def generate():
    for i, v in enumerate(VECTORS):
        priv = X25519PrivateKey.from_private_bytes(v["tenant_priv"])
        pub = raw_public(priv.public_key())
        obj = seal(pub, v["session"], v["start"], v["data_key"],
                   v["eph_priv"], v["key_id"], v["camera"], v["sequence"],
                   v["capture"], v["payload"])
        print("vector = %d" % (i + 1))
        for k in ("tenant_priv",):
            print("%s = %s" % (k, hexs(v[k])))
        print("tenant_pub = %s" % hexs(pub))
        for k in ("session", "start"):
            print("%s = %d" % (k, v[k]))
        for k in ("data_key", "eph_priv", "key_id"):
            print("%s = %s" % (k, hexs(v[k])))
        for k in ("camera", "sequence", "capture"):
            print("%s = %d" % (k, v[k]))
        print("payload = %s" % hexs(v["payload"]).rstrip())
        print("object = %s" % hexs(obj))
        print()


def read_vectors(path):
    vectors, cur = [], {}
    for line in open(path):
        line = line.strip()
        if not line or line.startswith("#"):
            if cur:
                vectors.append(cur)
                cur = {}
            continue
        k, _, val = line.partition("=")
        cur[k.strip()] = val.strip()
    if cur:
        vectors.append(cur)
    return vectors


def check_vectors(path):
    bad = 0
    vectors = read_vectors(path)
    for v in vectors:
        b = bytes.fromhex
        priv = X25519PrivateKey.from_private_bytes(b(v["tenant_priv"]))
        pub = raw_public(priv.public_key())
        ok = pub == b(v["tenant_pub"])
        obj = seal(pub, int(v["session"]), int(v["start"]), b(v["data_key"]),
                   b(v["eph_priv"]), b(v["key_id"]), int(v["camera"]),
                   int(v["sequence"]), int(v["capture"]), b(v["payload"]))
        ok = ok and obj == b(v["object"])
        fields, payload = open_object(priv, b(v["object"]))
        ok = ok and payload == b(v["payload"]) and \
            fields["sequence"] == int(v["sequence"])
        print("%s vector %s" % ("ok" if ok else "MISMATCH", v["vector"]))
        bad += not ok
    print("%d vectors, %d mismatched" % (len(vectors), bad))
    return 1 if bad or not vectors else 0


def open_files(keypath, paths):
    priv = serialization.load_pem_private_key(open(keypath, "rb").read(),
                                              password=None)
    refused = 0
    for p in paths:
        try:
            f, payload = open_object(priv, open(p, "rb").read())
            print("%s session %d camera %d sequence %d capture %d bytes %d "
                  "sha256 %s" % (p, f["session"], f["camera"], f["sequence"],
                                 f["capture"], len(payload),
                                 hashlib.sha256(payload).hexdigest()))
        except Refused as e:
            refused += 1
            print("%s refused %s" % (p, e))
    return 1 if refused else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "generate":
        generate()
        return 0
    if len(argv) == 3 and argv[1] == "vectors":
        return check_vectors(argv[2])
    if len(argv) >= 4 and argv[1] == "open":
        return open_files(argv[2], argv[3:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
