#!/usr/bin/python3
"""claimfmt: an independent Python model of the claimd record format.

Written from docs/format.md and docs/protocol.md only (never from the C
sources), for generating test fixtures (make_vectors.py) and for verifying
records the C code made (verify_records.py).  Uses only the standard library,
cbor2 is NOT used here, and `cryptography` only for Ed25519.

Contents
  * error names (the C code's proto_err has a matching code for each)
  * a deterministic CBOR encoder (RFC 8949 section 4.2.1: shortest heads,
    definite lengths, map keys sorted bytewise by their encodings) plus the
    raw pieces needed to build deliberately broken encodings
  * a strict single-pass CBOR decoder that reports the first violation, by
    name, in byte order
  * the envelope (tagged COSE_Sign1, EdDSA) builder and parser
  * the payload schema of docs/format.md (limits -> too-big, a time out of
    range -> time, rest -> schema)
  * edwards25519 arithmetic in the style of RFC 8032 section 6, and an Ed25519
    verifier with libsodium's acceptance rules (non-canonical S, small-order
    or non-canonical A, small-order R are all refused)
  * classify(record) -> "ok" or the error name

Conventions fixed here where docs/format.md leaves room
  * Nesting depth is counted per decoded item: the record, the protected
    header bytes and the payload bytes are decoded separately, and the
    outermost array/map/tag of each is at depth 1.  Depth 17 is refused.
  * "header" covers every envelope shape problem other than the tag and the
    alg value: array length, protected header keys or kid size, non-empty
    unprotected map, item types, signature length other than 64.
  * Checks run in this order: record size, CBOR of the record, tag, envelope
    shape, CBOR of the protected header, alg/header, CBOR of the payload,
    payload schema (too-big or schema), signature.  The vectors are built so
    that exactly one check fails, so the order only matters for
    duplicate-key vs unsorted (a key equal to any earlier key of the same map
    is duplicate-key even if it is also out of order).
"""

import datetime
import hashlib
import re

# --------------------------------------------------------------------------
# Errors

ERRORS = (
    "truncated", "trailing", "non-shortest", "indefinite", "float",
    "unsorted", "duplicate-key", "utf-8", "depth", "malformed", "tag", "alg",
    "header", "signature", "too-big", "schema", "time",
)


class RecordError(Exception):
    """A refusal: .code is one of ERRORS, .msg says what and where."""

    def __init__(self, code, msg):
        assert code in ERRORS, code
        super().__init__("%s: %s" % (code, msg))
        self.code = code
        self.msg = msg


# --------------------------------------------------------------------------
# Limits (docs/format.md, "Limits")

MAX_RECORD = 65536
MAX_DEPTH = 16
MAX_STATEMENT = 8192
MAX_QUOTE = 4096
MAX_NOTE = 2048          # note, name
MAX_URL = 2048
MAX_PUBLISHER = 1024     # publisher, title
MAX_TOPICS = 32
MAX_SOURCES = 64
MAX_RELATIONS = 64
MAX_PUBLISHERS = 256     # an owner record's publishers

# Times (docs/format.md, "Times")

TIME_MIN = 946684800     # 2000-01-01T00:00:00Z, the first time allowed
TIME_END = 2 ** 53       # the first time refused: JSON doubles hold less exactly
DAY = 86400              # "made" is at most the day after the date of "time"

# --------------------------------------------------------------------------
# Deterministic CBOR encoder


class Raw(bytes):
    """Bytes inserted verbatim into an encoding (used to build bad vectors)."""


class Tag:
    """A CBOR tag (major type 6)."""

    def __init__(self, tag, value):
        self.tag = tag
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Tag) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self):
        return "Tag(%d, %r)" % (self.tag, self.value)


class Map(list):
    """A decoded CBOR map: a list of (key, value) pairs in encoded order."""


def head(major, n, width=None):
    """The head of a data item.  width None = shortest; 0 = argument in the
    initial byte; 1, 2, 4, 8 = that many argument bytes (for non-shortest
    vectors)."""
    assert 0 <= major <= 7 and 0 <= n < 2 ** 64
    if width is None:
        width = 0 if n < 24 else 1 if n < 2 ** 8 else 2 if n < 2 ** 16 else 4 if n < 2 ** 32 else 8
    if width == 0:
        assert n < 24
        return bytes([major << 5 | n])
    ai = {1: 24, 2: 25, 4: 26, 8: 27}[width]
    return bytes([major << 5 | ai]) + n.to_bytes(width, "big")


def enc(v):
    """RFC 8949 section 4.2.1 core deterministic encoding of v.

    Maps are sorted by the bytewise order of their encoded keys (NOT the
    length-first order of RFC 7049 "canonical CBOR"); a duplicate encoded key
    is an error; floats are refused."""
    if isinstance(v, Raw):
        return bytes(v)
    if v is False:
        return b"\xf4"
    if v is True:
        return b"\xf5"
    if v is None:
        return b"\xf6"
    if type(v) is int:
        if v >= 0:
            return head(0, v)
        return head(1, -1 - v)
    if isinstance(v, (bytes, bytearray)):
        return head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        b = v.encode("utf-8")          # strict: lone surrogates raise
        return head(3, len(b)) + b
    if isinstance(v, Map):
        return enc_map([(enc(k), enc(x)) for k, x in v])
    if isinstance(v, (list, tuple)):
        return head(4, len(v)) + b"".join(enc(x) for x in v)
    if isinstance(v, dict):
        return enc_map([(enc(k), enc(x)) for k, x in v.items()])
    if isinstance(v, Tag):
        return head(6, v.tag) + enc(v.value)
    raise TypeError("cannot encode %r deterministically" % (type(v),))


def enc_map(pairs):
    """A map from already-encoded (key, value) pairs, sorted bytewise."""
    pairs = sorted(pairs, key=lambda kv: kv[0])
    for a, b in zip(pairs, pairs[1:]):
        if a[0] == b[0]:
            raise ValueError("duplicate map key %s" % a[0].hex())
    return head(5, len(pairs)) + b"".join(k + x for k, x in pairs)


def raw_map(pairs, width=None):
    """A map from (key, value) pairs in the order given, keys and values
    encoded with enc() (a Raw passes through): no sorting, duplicates kept."""
    return Raw(head(5, len(pairs), width) + b"".join(enc(k) + enc(x) for k, x in pairs))


# --------------------------------------------------------------------------
# Strict decoder

_SHORTEST_MIN = {24: 24, 25: 2 ** 8, 26: 2 ** 16, 27: 2 ** 32}


def decode(buf):
    """Decode exactly one deterministic CBOR item filling all of buf."""
    v, pos = _item(bytes(buf), 0, 0)
    if pos != len(buf):
        raise RecordError("trailing", "%d byte(s) after the item at offset %d" % (len(buf) - pos, pos))
    return v


def _need(buf, pos, n):
    if n > len(buf) - pos:
        raise RecordError("truncated", "need %d byte(s) at offset %d, have %d" % (n, pos, len(buf) - pos))


def _item(buf, pos, depth):
    _need(buf, pos, 1)
    start = pos
    ib = buf[pos]
    major, ai = ib >> 5, ib & 31
    pos += 1
    if major == 7:
        if ai in (20, 21, 22):
            return (False, True, None)[ai - 20], pos
        if ai in (25, 26, 27):
            raise RecordError("float", "floating-point value 0x%02x at offset %d" % (ib, start))
        if ai == 31:
            raise RecordError("malformed", "stray break 0xff at offset %d" % start)
        if 28 <= ai <= 30:
            raise RecordError("malformed", "reserved additional information 0x%02x at offset %d" % (ib, start))
        if ai == 24:
            _need(buf, pos, 1)
        raise RecordError("malformed", "simple value 0x%02x%s at offset %d"
                          % (ib, "%02x" % buf[pos] if ai == 24 else "", start))
    if 28 <= ai <= 30:
        raise RecordError("malformed", "reserved additional information 0x%02x at offset %d" % (ib, start))
    if ai == 31:
        if major in (2, 3, 4, 5):
            raise RecordError("indefinite", "indefinite-length item 0x%02x at offset %d" % (ib, start))
        raise RecordError("malformed", "additional information 31 on major type %d at offset %d" % (major, start))
    if ai < 24:
        n = ai
    else:
        width = 1 << (ai - 24)
        _need(buf, pos, width)
        n = int.from_bytes(buf[pos:pos + width], "big")
        pos += width
        if n < _SHORTEST_MIN[ai]:
            raise RecordError("non-shortest", "argument %d in %d byte(s) at offset %d" % (n, width, start))
    if major == 0:
        return n, pos
    if major == 1:
        return -1 - n, pos
    if major in (2, 3):
        _need(buf, pos, n)
        b = buf[pos:pos + n]
        pos += n
        if major == 2:
            return b, pos
        try:
            return b.decode("utf-8", errors="strict"), pos
        except UnicodeDecodeError as e:
            raise RecordError("utf-8", "invalid UTF-8 in text at offset %d (byte %d of the string: %s)"
                              % (start, e.start, e.reason))
    if depth + 1 > MAX_DEPTH:
        raise RecordError("depth", "nesting deeper than %d at offset %d" % (MAX_DEPTH, start))
    if major == 6:
        v, pos = _item(buf, pos, depth + 1)
        return Tag(n, v), pos
    if major == 4:
        _need(buf, pos, n)              # every item takes at least one byte
        out = []
        for _ in range(n):
            v, pos = _item(buf, pos, depth + 1)
            out.append(v)
        return out, pos
    # major 5
    _need(buf, pos, 2 * n)
    out = Map()
    seen = set()
    prev = None
    for _ in range(n):
        kstart = pos
        k, pos = _item(buf, pos, depth + 1)
        kb = buf[kstart:pos]
        if kb in seen:
            raise RecordError("duplicate-key", "map key %s repeated at offset %d" % (kb.hex(), kstart))
        if prev is not None and kb < prev:
            raise RecordError("unsorted", "map key %s after %s at offset %d" % (kb.hex(), prev.hex(), kstart))
        seen.add(kb)
        prev = kb
        v, pos = _item(buf, pos, depth + 1)
        out.append((k, v))
    return out, pos


# --------------------------------------------------------------------------
# Ed25519 / edwards25519, in the style of RFC 8032 section 6

P = 2 ** 255 - 19
L = 2 ** 252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)
IDENTITY = (0, 1, 1, 0)


def _recover_x(y, sign):
    if y >= P:
        return None
    x2 = (y * y - 1) * pow(D * y * y + 1, P - 2, P) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * SQRT_M1 % P
    if (x * x - x2) % P:
        return None
    if (x & 1) != sign:
        x = P - x
    return x


_GY = 4 * pow(5, P - 2, P) % P
_GX = _recover_x(_GY, 0)
BASE = (_GX, _GY, 1, _GX * _GY % P)


def point_add(p, q):
    a = (p[1] - p[0]) * (q[1] - q[0]) % P
    b = (p[1] + p[0]) * (q[1] + q[0]) % P
    c = 2 * p[3] * q[3] * D % P
    d = 2 * p[2] * q[2] % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def point_mul(s, p):
    q = IDENTITY
    while s > 0:
        if s & 1:
            q = point_add(q, p)
        p = point_add(p, p)
        s >>= 1
    return q


def point_equal(p, q):
    return (p[0] * q[2] - q[0] * p[2]) % P == 0 and (p[1] * q[2] - q[1] * p[2]) % P == 0


def point_compress(p):
    zinv = pow(p[2], P - 2, P)
    x, y = p[0] * zinv % P, p[1] * zinv % P
    return (y | (x & 1) << 255).to_bytes(32, "little")


def point_decompress(s):
    """The point encoded by s, or None.  Non-canonical y (>= p) is refused."""
    if len(s) != 32:
        return None
    y = int.from_bytes(s, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    x = _recover_x(y, sign)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def has_small_order(p):
    return point_equal(point_mul(8, p), IDENTITY)


def valid_public_key(b):
    """A key that can sign, as libsodium's crypto_core_ed25519_is_valid_point
    judges it: a canonical encoding (y < p) of a curve point that is not of
    small order and lies in the prime-order subgroup ([L]A is the identity)."""
    if len(b) != 32 or int.from_bytes(b, "little") & ((1 << 255) - 1) >= P:
        return False
    a = point_decompress(b)
    return (a is not None and not has_small_order(a)
            and point_equal(point_mul(L, a), IDENTITY))


def _h_modl(*parts):
    return int.from_bytes(hashlib.sha512(b"".join(parts)).digest(), "little") % L


def secret_expand(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:]


def public_key(seed):
    a, _ = secret_expand(seed)
    return point_compress(point_mul(a, BASE))


def sign_pure(seed, msg):
    """RFC 8032 Ed25519 signing in pure Python (used to cross-check)."""
    a, prefix = secret_expand(seed)
    pub = point_compress(point_mul(a, BASE))
    r = _h_modl(prefix, msg)
    rs = point_compress(point_mul(r, BASE))
    s = (r + _h_modl(rs, pub, msg) * a) % L
    return rs + s.to_bytes(32, "little")


def equation_holds(pub, msg, sig):
    """The cofactorless verification equation [S]B == R + [k]A, nothing else."""
    a = point_decompress(pub)
    r = point_decompress(sig[:32])
    if a is None or r is None:
        return False
    s = int.from_bytes(sig[32:], "little")
    k = _h_modl(sig[:32], pub, msg)
    return point_equal(point_mul(s, BASE), point_add(r, point_mul(k, a)))


def libsodium_precheck(pub, sig):
    """libsodium crypto_sign_verify_detached's refusals before the equation:
    S >= L, small-order R, non-canonical or small-order A.  Returns a
    reason string or None."""
    if int.from_bytes(sig[32:], "little") >= L:
        return "S is not canonical (S >= L)"
    r = point_decompress(sig[:32])
    if r is not None and has_small_order(r):
        return "R is a small-order point"
    y = int.from_bytes(pub, "little") & ((1 << 255) - 1)
    if y >= P:
        return "public key is not canonically encoded"
    a = point_decompress(pub)
    if a is None:
        return "public key is not a curve point"
    if has_small_order(a):
        return "public key is a small-order point"
    return None


def openssl_verify(pub, msg, sig):
    """True if python `cryptography` (OpenSSL) accepts the signature."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
        return True
    except (InvalidSignature, ValueError):
        return False


def verify_signature(pub, msg, sig):
    """Ed25519 verification with libsodium's rules; None if it verifies,
    else the reason."""
    why = libsodium_precheck(pub, sig)
    if why:
        return why
    if not openssl_verify(pub, msg, sig):
        return "Ed25519 signature does not verify"
    return None


def sign(seed, msg):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    return Ed25519PrivateKey.from_private_bytes(seed).sign(msg)


# --------------------------------------------------------------------------
# Envelope

TAG_SIGN1 = 18
ALG_EDDSA = -8


def protected_header(kid):
    return enc({1: ALG_EDDSA, 4: kid})


def sig_structure(protected, payload, context="Signature1"):
    return enc([context, bytes(protected), b"", bytes(payload)])


def assemble(protected, payload, sig, unprotected=b"\xa0"):
    """The record bytes for the given pieces (shortest heads everywhere)."""
    return (head(6, TAG_SIGN1) + head(4, 4) + enc(bytes(protected)) + bytes(unprotected)
            + enc(bytes(payload)) + enc(bytes(sig)))


def record_hash(record):
    return hashlib.sha256(b"\x00" + record).digest()


def _decode_part(buf, what):
    try:
        return decode(buf)
    except RecordError as e:
        raise RecordError(e.code, "%s: %s" % (what, e.msg))


def parse_record(rec):
    """Check a record up to (not including) the payload schema and signature.
    Returns (kid, protected bytes, payload bytes, decoded payload, sig)."""
    if len(rec) > MAX_RECORD:
        raise RecordError("too-big", "record is %d bytes, limit %d" % (len(rec), MAX_RECORD))
    v = _decode_part(rec, "record")
    if not isinstance(v, Tag):
        raise RecordError("tag", "record is not tagged (want tag %d)" % TAG_SIGN1)
    if v.tag != TAG_SIGN1:
        raise RecordError("tag", "record has tag %d (want %d)" % (v.tag, TAG_SIGN1))
    arr = v.value
    if type(arr) is not list or len(arr) != 4:
        raise RecordError("header", "COSE_Sign1 must be an array of 4 items")
    prot, unprot, payload, sig = arr
    if not isinstance(prot, bytes):
        raise RecordError("header", "protected header is not a byte string")
    if not prot:
        raise RecordError("header", "protected header is empty (h'')")
    ph = _decode_part(prot, "protected header")
    if not isinstance(ph, Map):
        raise RecordError("header", "protected header is not a map")
    keys = [k for k, _ in ph]
    for k, x in ph:
        if k == 1 and (type(x) is not int or x != ALG_EDDSA):
            raise RecordError("alg", "alg is %r (want %d, EdDSA)" % (x, ALG_EDDSA))
    if keys != [1, 4]:
        raise RecordError("header", "protected header keys are %r (want exactly 1 and 4)" % (keys,))
    kid = ph[1][1]
    if not isinstance(kid, bytes) or len(kid) != 32:
        raise RecordError("header", "kid is not a 32-byte byte string")
    if not isinstance(unprot, Map) or len(unprot) != 0:
        raise RecordError("header", "unprotected header is not the empty map")
    if not isinstance(payload, bytes):
        raise RecordError("header", "payload is not a byte string")
    if not isinstance(sig, bytes) or len(sig) != 64:
        raise RecordError("header", "signature is not a 64-byte byte string")
    if assemble(prot, payload, sig) != rec:     # cannot differ once the above passed
        raise RecordError("header", "record does not re-assemble byte for byte")
    return kid, prot, payload, _decode_part(payload, "payload"), sig


def check_record(rec):
    """Full check.  Returns (kid, payload dict) or raises RecordError."""
    kid, prot, payload, pv, sig = parse_record(rec)
    doc = check_payload(pv)
    why = verify_signature(kid, sig_structure(prot, payload), sig)
    if why:
        raise RecordError("signature", why)
    return kid, doc


def classify(rec):
    try:
        check_record(rec)
        return "ok"
    except RecordError as e:
        return e.code


# --------------------------------------------------------------------------
# Payload schema

SLUG_RE = re.compile(r"[a-z0-9-]{1,64}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
HOWS = ("quotes", "reports", "translates", "summarizes", "republishes")
RELS = ("supports", "disputes", "cites", "review")
MAX_RATING_TEXT = 256
# A rating number: canonical decimal text (format.md, Ratings), read here
# by a regular expression and Python's Decimal, not by the C code's rules.
DECIMAL_RE = r"-?(0|[1-9][0-9]{0,8})(\.[0-9]{0,5}[1-9])?"


def _schema(msg, *args):
    raise RecordError("schema", msg % args)


def _as_dict(v, what):
    if not isinstance(v, Map):
        _schema("%s is not a map", what)
    d = {}
    for k, x in v:
        if not isinstance(k, str):
            _schema("%s has a key that is not text: %r", what, k)
        d[k] = x
    return d


def _keys(d, what, required, optional=()):
    for k in d:
        if k not in required and k not in optional:
            _schema("%s has unknown key %r", what, k)
    for k in required:
        if k not in d:
            _schema("%s lacks key %r", what, k)


def _uint(v, what):
    if type(v) is not int or v < 0:
        _schema("%s is not an unsigned integer", what)
    return v


def _text(v, what, limit=None, nonempty=False):
    if not isinstance(v, str):
        _schema("%s is not text", what)
    n = len(v.encode("utf-8"))
    if limit is not None and n > limit:
        raise RecordError("too-big", "%s is %d bytes, limit %d" % (what, n, limit))
    if nonempty and n == 0:
        _schema("%s is empty", what)
    for i, c in enumerate(v):
        o = ord(c)
        if (o < 0x20 and c not in "\t\n\r") or 0x7f <= o <= 0x9f:
            _schema("%s holds control character U+%04X at character %d", what, o, i)
    return v


def _slug(v, what):
    _text(v, what)
    if not SLUG_RE.fullmatch(v):
        _schema("%s %r is not a slug [a-z0-9-]{1,64}", what, v)
    return v


def _time(v):
    t = _uint(v, "time")
    if t < TIME_MIN:
        raise RecordError("time", "time %d is before 2000-01-01 (%d)" % (t, TIME_MIN))
    if t >= TIME_END:
        raise RecordError("time", "time %d is 2^53 or more" % t)
    return t


def _key(v, what):
    _hash(v, what)
    if not valid_public_key(v):
        _schema("%s %s is not a valid Ed25519 public key", what, v.hex())
    return v


def _date(v, what):
    _text(v, what)
    if not DATE_RE.fullmatch(v):
        _schema("%s %r is not YYYY-MM-DD", what, v)
    try:
        datetime.date(int(v[0:4]), int(v[5:7]), int(v[8:10]))
    except ValueError:
        _schema("%s %r is not a calendar date", what, v)
    return v


def _hash(v, what):
    if not isinstance(v, bytes) or len(v) != 32:
        _schema("%s is not a 32-byte byte string", what)
    return v


def _array(v, what, limit):
    if type(v) is not list:
        _schema("%s is not an array", what)
    if len(v) > limit:
        raise RecordError("too-big", "%s has %d entries, limit %d" % (what, len(v), limit))
    return v


def check_payload(pv):
    """Check a decoded payload against docs/format.md; returns it as a dict."""
    d = _as_dict(pv, "payload")
    kind = d.get("kind")
    if kind == "claim":
        _check_claim(d)
    elif kind == "party":
        _keys(d, "party record", ("kind", "party", "name", "time"))
        _slug(d["party"], "party")
        _text(d["name"], "name", MAX_NOTE)
        _time(d["time"])
    elif kind in ("grant", "revoke"):
        _keys(d, kind + " record", ("kind", "key", "party", "time"))
        _key(d["key"], "key")
        _slug(d["party"], "party")
        _time(d["time"])
    elif kind == "owner":
        # docs/format.md, Owners: publishers as sources write them, none
        # repeated; an empty list withdraws the owner.
        _keys(d, "owner record", ("kind", "owner", "publishers", "time"))
        _slug(d["owner"], "owner")
        pubs = _array(d["publishers"], "publishers", MAX_PUBLISHERS)
        for i, p in enumerate(pubs):
            _text(p, "publishers[%d]" % i, MAX_PUBLISHER, nonempty=True)
            if p in pubs[:i]:
                _schema("publishers[%d] repeats an earlier publisher", i)
        _time(d["time"])
    elif "kind" not in d:
        _schema("payload lacks key 'kind'")
    else:
        _schema("unknown kind %r", kind)
    return d


def _rating(g, w):
    import decimal
    import re
    g = _as_dict(g, w)
    _keys(g, w, ("text",), ("value", "best", "worst"))
    _text(g["text"], w + ".text", MAX_RATING_TEXT, nonempty=True)
    num = {}
    for k in ("value", "best", "worst"):
        if k in g:
            if not isinstance(g[k], str) or not re.fullmatch(DECIMAL_RE, g[k]) \
                    or re.fullmatch(r"-0(\.0*)?", g[k]):
                _schema("%s.%s %r is not a canonical decimal", w, k, g[k])
            num[k] = decimal.Decimal(g[k])
    if "best" in num and "worst" in num:
        if num["best"] == num["worst"]:
            _schema("%s: best and worst are equal", w)
        if "value" in num and not (min(num["best"], num["worst"]) <= num["value"]
                                   <= max(num["best"], num["worst"])):
            _schema("%s.value is outside worst to best", w)


def _check_claim(d):
    _keys(d, "claim", ("kind", "time", "party", "version", "statement", "topics",
                       "status", "sources", "relations"),
          ("claim", "prev", "made", "note", "reinstates"))
    when = _time(d["time"])
    _slug(d["party"], "party")
    version = _uint(d["version"], "version")
    if version == 0:
        _schema("version 0 (versions start at 1)")
    for k in ("claim", "prev"):
        if k in d:
            _hash(d[k], k)
            if version == 1:
                _schema("version 1 has %r", k)
        elif version > 1:
            _schema("version %d lacks %r", version, k)
    _text(d["statement"], "statement", MAX_STATEMENT, nonempty=True)
    topics = _array(d["topics"], "topics", MAX_TOPICS)
    if not topics:
        _schema("topics is empty")
    for i, t in enumerate(topics):
        _slug(t, "topics[%d]" % i)
    if len(set(topics)) != len(topics):
        _schema("topics repeat a topic")
    status = d["status"]
    if status not in ("asserted", "retracted"):
        _schema("status %r is not asserted/retracted", status)
    if "made" in d:
        _date(d["made"], "made")
        # days counted as proleptic Gregorian ordinals, which any time
        # below 2^53 can be (datetime.date stops at the year 9999)
        made = datetime.date(int(d["made"][0:4]), int(d["made"][5:7]), int(d["made"][8:10]))
        day = datetime.date(1970, 1, 1).toordinal() + when // DAY
        if made.toordinal() > day + 1:
            _schema("made %s is more than a day after the UTC date of time %d", d["made"], when)
    if "note" in d:
        _text(d["note"], "note", MAX_NOTE)
    if status == "retracted" and not d.get("note"):
        _schema("a retraction needs a note giving the reason")
    if "reinstates" in d:
        if d["reinstates"] is not True:
            _schema("reinstates %r is not true (true or absent)", d["reinstates"])
        if version == 1 or status != "asserted":
            _schema("reinstates in version %d with status %r", version, status)
    sources = _array(d["sources"], "sources", MAX_SOURCES)
    froms = {}
    for i, s in enumerate(sources):
        w = "sources[%d]" % i
        s = _as_dict(s, w)
        _keys(s, w, ("publisher", "title"), ("url", "published", "quote", "sha256", "derivation"))
        _text(s["publisher"], w + ".publisher", MAX_PUBLISHER, nonempty=True)
        _text(s["title"], w + ".title", MAX_PUBLISHER, nonempty=True)
        if "url" in s:
            _text(s["url"], w + ".url", MAX_URL)
        if "published" in s:
            _date(s["published"], w + ".published")
        if "quote" in s:
            _text(s["quote"], w + ".quote", MAX_QUOTE)
        if "sha256" in s:
            _hash(s["sha256"], w + ".sha256")
        if "derivation" in s:
            dv = _as_dict(s["derivation"], w + ".derivation")
            _keys(dv, w + ".derivation", ("from", "how"))
            f = _uint(dv["from"], w + ".derivation.from")
            if f >= len(sources):
                _schema("%s.derivation.from %d is out of range", w, f)
            if dv["how"] not in HOWS:
                _schema("%s.derivation.how %r is unknown", w, dv["how"])
            froms[i] = f
    for i in froms:                       # every chain must end at a primary
        seen = {i}
        j = froms[i]
        while j in froms:
            if j in seen:
                _schema("derivation chain from sources[%d] comes back to sources[%d]", i, j)
            seen.add(j)
            j = froms[j]
    relations = _array(d["relations"], "relations", MAX_RELATIONS)
    named = set()
    for i, r in enumerate(relations):
        w = "relations[%d]" % i
        r = _as_dict(r, w)
        _keys(r, w, ("rel", "claim"), ("rating",))
        if r["rel"] not in RELS:
            _schema("%s.rel %r is unknown", w, r["rel"])
        if ("rating" in r) != (r["rel"] == "review"):
            _schema("%s: a review has a rating, no other relation one", w)
        if "rating" in r:
            _rating(r["rating"], w + ".rating")
        c = _hash(r["claim"], w + ".claim")
        if c in named:
            _schema("%s names claim %s again", w, c.hex())
        named.add(c)
