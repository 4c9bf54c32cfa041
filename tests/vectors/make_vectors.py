#!/usr/bin/python3
"""Generate the claimd record test vectors: records.txt and keys.txt.

Usage: make_vectors.py [OUTDIR]        (default: the directory of this script)

Deterministic: fixed Ed25519 seeds, fixed times, deterministic Ed25519; the
output is byte-identical on every run.  Every vector is checked against the
independent model in claimfmt.py before it is written (the model must give
exactly the expected result), and every vector whose defect is not in the
signature carries a valid signature over its exact bytes, so that only the
intended check can fail.
"""

import hashlib
import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from cryptography.hazmat.primitives import serialization                   # noqa: E402
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

import claimfmt as cf                                   # noqa: E402
from claimfmt import Raw, enc, head, raw_map            # noqa: E402

# --------------------------------------------------------------------------
# Keys and times

KEY_NAMES = ("admin", "desk-az", "desk-am", "other")
SEED_LABEL = "claimd test vectors key: "


def _seed(name):
    return hashlib.sha256((SEED_LABEL + name).encode()).digest()


KEYS = {n: (_seed(n), cf.public_key(_seed(n))) for n in KEY_NAMES}
for _n, (_s, _p) in KEYS.items():                      # pure Python == OpenSSL
    assert Ed25519PrivateKey.from_private_bytes(_s).public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw) == _p


def pub(name):
    return KEYS[name][1]


T0 = 1636329600          # 2021-11-08T00:00:00Z; record i of the story is T0 + 60*i
T_ERR = 1636502400       # 2021-11-10T00:00:00Z; base time of the rejection vectors


def doc_hash(label):
    return hashlib.sha256(("claimd test vectors: archived document " + label).encode()).digest()


def fake_claim_id(i):
    return hashlib.sha256(b"claimd test vectors: claim id %d" % i).digest()


# --------------------------------------------------------------------------
# Building records

DROP = object()


def signed(key, payload, prot=None, context="Signature1"):
    """(protected, payload bytes, signature) for payload signed by key."""
    seed, kid = KEYS[key]
    payload = bytes(payload) if isinstance(payload, bytes) else enc(payload)
    prot = cf.protected_header(kid) if prot is None else bytes(prot)
    return prot, payload, cf.sign(seed, cf.sig_structure(prot, payload, context))


def record(key, payload, prot=None):
    return cf.assemble(*signed(key, payload, prot))


def edit(d, **kw):
    """A copy of d with keys replaced, added or (value DROP) removed."""
    d = dict(d)
    for k, v in kw.items():
        if v is DROP:
            d.pop(k, None)
        else:
            d[k] = v
    return d


def sorted_pairs(d):
    return sorted(d.items(), key=lambda kv: enc(kv[0]))


def pad(prefix, nbytes, unit="a"):
    """prefix followed by copies of unit, then ASCII, to exactly nbytes bytes."""
    s = prefix
    while len((s + unit).encode()) <= nbytes:
        s += unit
    s += "a" * (nbytes - len(s.encode()))
    assert len(s.encode()) == nbytes
    return s


# --------------------------------------------------------------------------
# The vectors

VECTORS = []           # (name, expect, record bytes)
NOTES = {}             # name -> extra header line


def add(name, expect, rec):
    assert expect == "ok" or expect in cf.ERRORS, expect
    assert all(n != name for n, _, _ in VECTORS), name
    got = cf.classify(rec)
    if got != expect:
        try:
            cf.check_record(rec)
        except cf.RecordError as e:
            got = str(e)
        sys.exit("make_vectors: %s: expected %s, model says %s" % (name, expect, got))
    VECTORS.append((name, expect, rec))


# ---- the story: these ok records, in this order, are a valid log ----------

def party(slug, name, t):
    return {"kind": "party", "party": slug, "name": name, "time": t}


def grant(kind, key, slug, t):
    return {"kind": kind, "key": pub(key), "party": slug, "time": t}


def owner(slug, publishers, t):
    return {"kind": "owner", "owner": slug, "publishers": publishers, "time": t}


def story():
    add("ok-party-az-mfa", "ok", record("admin", party(
        "az-mfa", "Azərbaycan Respublikası Xarici İşlər Nazirliyi "
        "(Ministry of Foreign Affairs of Azerbaijan)", T0)))
    add("ok-party-am-mfa", "ok", record("admin", party(
        "am-mfa", "Հայաստանի Հանրապետության արտաքին գործերի նախարարություն "
        "(Ministry of Foreign Affairs of Armenia)", T0 + 60)))
    add("ok-grant-desk-az", "ok", record("admin", grant("grant", "desk-az", "az-mfa", T0 + 120)))
    add("ok-grant-desk-am", "ok", record("admin", grant("grant", "desk-am", "am-mfa", T0 + 180)))
    add("ok-grant-other", "ok", record("admin", grant("grant", "other", "az-mfa", T0 + 240)))

    minimal = {
        "kind": "claim", "time": T0 + 300, "party": "am-mfa", "version": 1,
        "statement": "Armenia is ready to unblock regional communications without "
                     "compromising its sovereignty. Հայաստանը պատրաստ է ապաշրջափակել "
                     "տարածաշրջանային հաղորդակցությունները։",
        "topics": ["regional-communications"], "status": "asserted",
        "sources": [], "relations": [],
    }
    rec_min = record("desk-am", minimal)
    add("ok-claim-minimal-v1", "ok", rec_min)
    id_min = cf.record_hash(rec_min)

    sources = [
        {"publisher": "Ministry of Foreign Affairs of the Republic of Azerbaijan",
         "title": "Statement of the Ministry of Foreign Affairs on the normalization of relations",
         "url": "https://mfa.gov.az/en/news/statement-on-normalization-2021-11-08",
         "published": "2021-11-08",
         "quote": "Azerbaijan is ready to start negotiations on a peace treaty with Armenia.",
         "sha256": doc_hash("mfa-statement")},
        {"publisher": "Anadolu Agency",
         "title": "Azeris willing to normalize ties, says Bakı",
         "url": "https://www.aa.com.tr/en/azerbaijan-front-line/azeris-willing-to-normalize-ties/2414400",
         "published": "2021-11-08",
         "quote": "“Azerbaijan is ready to start negotiations on a peace treaty,” "
                  "the ministry’s statement said.",
         "sha256": doc_hash("aa-report"),
         "derivation": {"from": 0, "how": "quotes"}},
        {"publisher": "Armenpress",
         "title": "Ադրբեջանի ԱԳՆ-ն հայտարարել է խաղաղության պայմանագրի մասին",
         "url": "https://armenpress.am/arm/news/1067600.html",
         "published": "2021-11-09",
         "quote": "Ադրբեջանը պատրաստ է սկսել բանակցություններ խաղաղության պայմանագրի շուրջ",
         "derivation": {"from": 1, "how": "translates"}},
    ]
    full = {
        "kind": "claim", "time": T0 + 360, "party": "az-mfa", "version": 1,
        "statement": "Azerbaijan is ready to sign a peace treaty with Armenia on the basis of "
                     "mutual recognition of territorial integrity; Bakı calls it “the peace "
                     "agenda” and says the region’s future depends on it. Azərbaycan sülh "
                     "gündəliyinə hazırdır: şəffaf, ədalətli, güclü. 🤝",
        "topics": ["normalization", "peace-treaty"], "status": "asserted",
        "made": "2021-11-08",
        "sources": sources,
        "relations": [{"rel": "disputes", "claim": id_min}],
        "note": "Recorded from the ministry’s statement and two reports of it.",
    }
    rec1 = record("desk-az", full)
    add("ok-claim-full-v1", "ok", rec1)
    id_full = cf.record_hash(rec1)

    v2 = edit(full, time=T0 + 420, version=2, claim=id_full, prev=id_full,
              statement=full["statement"].replace("sign a peace treaty", "start negotiations on a peace treaty"),
              note="Statement corrected against the archived document (sha256 of sources[0]).")
    rec2 = record("desk-az", v2)
    add("ok-claim-v2", "ok", rec2)

    v3 = edit(v2, time=T0 + 480, version=3, prev=cf.record_hash(rec2), status="retracted",
              note="Retracted: the statement was issued by the presidential administration, "
                   "not by the ministry.")
    add("ok-claim-retraction-v3", "ok", record("desk-az", v3))
    add("ok-revoke-other", "ok", record("admin", grant("revoke", "other", "az-mfa", T0 + 540)))
    # Owners (docs/format.md): outlets of one owner count once.
    add("ok-owner-set", "ok", record("admin", owner(
        "anadolu", ["Anadolu Agency", "Anadolu Ajansı", "AA Energy"], T0 + 600)))
    add("ok-owner-replaced", "ok", record("admin", owner(
        "anadolu", ["Anadolu Agency", "Anadolu Ajansı"], T0 + 660)))
    add("ok-owner-withdrawn", "ok", record("admin", owner("anadolu", [], T0 + 720)))
    return id_min, id_full


# ---- base payloads for everything after the story -------------------------

BASE = {
    "kind": "claim", "time": T_ERR, "party": "az-mfa", "version": 1,
    "statement": "Azerbaijan and Armenia agreed to start work on a peace treaty.",
    "topics": ["peace-treaty"], "status": "asserted", "sources": [], "relations": [],
}
SRC = {"publisher": "Anadolu Agency", "title": "Peace treaty talks to begin",
       "url": "https://www.aa.com.tr/en/world/peace-treaty-talks/1", "published": "2021-11-10",
       "quote": "Both sides agreed to start work on a peace treaty.", "sha256": doc_hash("base")}
SRC2 = {"publisher": "Armenpress", "title": "Խաղաղության պայմանագիր", "quote": "Both sides agreed",
        "derivation": {"from": 0, "how": "translates"}}


def base(**kw):
    return edit(BASE, **kw)


def b(**kw):
    """A record by desk-az of BASE edited by kw."""
    return record("desk-az", base(**kw))


def boundaries(id_min, id_full):
    add("ok-statement-8192-bytes", "ok", b(statement="Ա" * 4096))
    add("ok-fields-at-limits", "ok", b(
        note=pad("Note at its limit: ", 2048, "ə"),
        sources=[{"publisher": pad("Publisher “at limit” ", 1024, "’"),
                  "title": pad("Title at limit ", 1024, "Հ"),
                  "url": pad("https://example.org/", 2048),
                  "quote": pad("", 4096, "ş")}]))
    add("ok-party-name-2048-bytes", "ok", record("admin", party("az-mfa", pad("", 2048, "İ"), T_ERR)))
    add("ok-topics-32", "ok", b(topics=["t%02d" % i for i in range(31)] + ["a" * 64]))
    add("ok-sources-64", "ok", b(sources=[{"publisher": "p%d" % i, "title": "t"} for i in range(64)]))
    add("ok-relations-64", "ok", b(relations=[{"rel": "cites", "claim": fake_claim_id(i)} for i in range(64)]))
    add("ok-text-tab-lf-cr", "ok", b(statement="line one\tcolumn\nline two\r\nline three",
                                      note="tab\there\nnewline"))
    add("ok-text-edge-scalars", "ok", b(
        statement="NBSP\u00a0LS\u2028replacement\ufffdmax\U0010ffff tilde~ "
                  "Azərbaycan Հայաստան “quotes” it’s 🤝"))
    add("ok-leap-days", "ok", b(made="2020-02-29", sources=[edit(SRC, published="2000-02-29")]))
    add("ok-time-2000-01-01", "ok", b(time=cf.TIME_MIN))
    add("ok-time-2-pow-53-minus-1", "ok", b(time=cf.TIME_END - 1))
    add("ok-made-the-day-after-time", "ok", b(made="2021-11-11"))
    add("ok-made-the-day-after-time-at-23-59-59", "ok", b(time=T_ERR + cf.DAY - 1, made="2021-11-11"))
    add("ok-time-2-pow-53-minus-1-made-9999-12-31", "ok", b(time=cf.TIME_END - 1, made="9999-12-31"))
    add("ok-derivation-forward", "ok", b(sources=[
        {"publisher": "a", "title": "derived from 2", "derivation": {"from": 2, "how": "summarizes"}},
        {"publisher": "b", "title": "primary"},
        {"publisher": "c", "title": "derived from 1", "derivation": {"from": 1, "how": "republishes"}}]))
    add("ok-relations-three-kinds", "ok", b(relations=[
        {"rel": "supports", "claim": id_full}, {"rel": "disputes", "claim": id_min},
        {"rel": "cites", "claim": fake_claim_id(99)}]))

    # a record of exactly 65536 bytes, and one of 65537
    def big(n):
        srcs = [{"publisher": "Archive %d" % i, "title": "Long quote %d" % i,
                 "quote": "ə" * 2000} for i in range(16)]
        srcs.append({"publisher": "Archive 16", "title": "Padding", "quote": "a" * n})
        return b(sources=srcs)

    for target, name, expect in ((65536, "ok-record-65536-bytes", "ok"),
                                 (65537, "too-big-record-65537-bytes", "too-big")):
        n = 100
        for _ in range(10):
            rec = big(n)
            if len(rec) == target:
                break
            n += target - len(rec)
        assert len(rec) == target
        add(name, expect, rec)


# ---- deterministic CBOR ---------------------------------------------------

def pieces(key="desk-az", payload=None, prot=None):
    return signed(key, enc(BASE) if payload is None else payload, prot)


def cbor_vectors():
    h = doc_hash("base")
    st = BASE["statement"].encode()

    # non-shortest
    add("non-shortest-int-time-18-05", "non-shortest", b(time=Raw(b"\x18\x05")))
    add("non-shortest-int-time-8-bytes", "non-shortest", b(time=Raw(head(0, T_ERR, 8))))
    add("non-shortest-int-version-19-0001", "non-shortest", b(version=Raw(b"\x19\x00\x01")))
    add("non-shortest-text-length-statement", "non-shortest", b(statement=Raw(head(3, len(st), 2) + st)))
    add("non-shortest-text-length-topic", "non-shortest",
        b(topics=[Raw(b"\x78\x0c" + b"peace-treaty")]))
    pairs = sorted_pairs(BASE)[1:] + [(Raw(b"\x78\x04kind"), "claim")]   # sorts last: 0x78 > 0x69
    assert sorted_pairs(BASE)[0][0] == "kind"
    add("non-shortest-text-length-key", "non-shortest", record("desk-az", raw_map(pairs)))
    add("non-shortest-map-length", "non-shortest", record("desk-az", raw_map(sorted_pairs(BASE), width=1)))
    add("non-shortest-array-length", "non-shortest", b(topics=Raw(b"\x98\x01" + enc("peace-treaty"))))
    add("non-shortest-bstr-length-sha256", "non-shortest",
        b(sources=[edit(SRC, sha256=Raw(b"\x59\x00\x20" + h))]))
    add("non-shortest-derivation-from", "non-shortest",
        b(sources=[SRC, edit(SRC2, derivation={"from": Raw(b"\x18\x00"), "how": "translates"})]))

    prot, pl, sig = pieces()
    assert len(pl) < 256
    add("non-shortest-payload-bstr-length", "non-shortest",
        b"\xd2\x84" + enc(prot) + b"\xa0" + head(2, len(pl), 2) + pl + enc(sig))
    add("non-shortest-protected-bstr-length", "non-shortest",
        b"\xd2\x84" + head(2, len(prot), 2) + prot + b"\xa0" + enc(pl) + enc(sig))
    add("non-shortest-signature-bstr-length", "non-shortest",
        b"\xd2\x84" + enc(prot) + b"\xa0" + enc(pl) + head(2, 64, 2) + sig)
    add("non-shortest-tag-d8-12", "non-shortest",
        b"\xd8\x12\x84" + enc(prot) + b"\xa0" + enc(pl) + enc(sig))
    add("non-shortest-tag-d9-00-12", "non-shortest",
        b"\xd9\x00\x12\x84" + enc(prot) + b"\xa0" + enc(pl) + enc(sig))
    add("non-shortest-envelope-array-98-04", "non-shortest",
        b"\xd2\x98\x04" + enc(prot) + b"\xa0" + enc(pl) + enc(sig))
    add("non-shortest-unprotected-map-b8-00", "non-shortest",
        b"\xd2\x84" + enc(prot) + b"\xb8\x00" + enc(pl) + enc(sig))
    kid = pub("desk-az")
    add("non-shortest-alg-38-07", "non-shortest",
        record("desk-az", BASE, prot=b"\xa2\x01\x38\x07\x04\x58\x20" + kid))
    add("non-shortest-kid-length-59-00-20", "non-shortest",
        record("desk-az", BASE, prot=b"\xa2\x01\x27\x04\x59\x00\x20" + kid))

    # indefinite lengths
    add("indefinite-text", "indefinite",
        b(statement=Raw(b"\x7f" + enc(BASE["statement"][:20]) + enc(BASE["statement"][20:]) + b"\xff")))
    add("indefinite-bytes", "indefinite",
        b(sources=[edit(SRC, sha256=Raw(b"\x5f" + enc(h[:16]) + enc(h[16:]) + b"\xff"))]))
    add("indefinite-array", "indefinite", b(topics=Raw(b"\x9f" + enc("peace-treaty") + b"\xff")))
    add("indefinite-map-payload", "indefinite", record("desk-az", Raw(
        b"\xbf" + b"".join(enc(k) + enc(v) for k, v in sorted_pairs(BASE)) + b"\xff")))
    add("indefinite-map-source", "indefinite", b(sources=[Raw(
        b"\xbf" + b"".join(enc(k) + enc(v) for k, v in sorted_pairs(SRC)) + b"\xff")]))
    add("indefinite-envelope-array", "indefinite",
        b"\xd2\x9f" + enc(prot) + b"\xa0" + enc(pl) + enc(sig) + b"\xff")
    add("indefinite-payload-bstr", "indefinite",
        b"\xd2\x84" + enc(prot) + b"\xa0" + b"\x5f" + enc(pl[:10]) + enc(pl[10:]) + b"\xff" + enc(sig))
    add("indefinite-protected-map", "indefinite",
        record("desk-az", BASE, prot=b"\xbf\x01\x27\x04\x58\x20" + kid + b"\xff"))

    # floats
    add("float-16-time", "float", b(time=Raw(b"\xf9\x3c\x00")))
    add("float-32-time", "float", b(time=Raw(b"\xfa" + struct.pack(">f", T_ERR))))
    add("float-64-time", "float", b(time=Raw(b"\xfb" + struct.pack(">d", T_ERR))))
    add("float-16-alg-in-protected", "float",
        record("desk-az", BASE, prot=b"\xa2\x01\xf9\xc8\x00\x04\x58\x20" + kid))

    # key order
    p = sorted_pairs(BASE)
    assert [k for k, _ in p] == ["kind", "time", "party", "status", "topics", "sources",
                                 "version", "relations", "statement"]
    add("unsorted-payload-keys", "unsorted", record("desk-az", raw_map([p[0], p[2], p[1]] + p[3:])))
    add("unsorted-alphabetical-order", "unsorted",
        record("desk-az", raw_map(sorted(BASE.items()))))
    sp = sorted_pairs(SRC)
    assert [k for k, _ in sp] == ["url", "quote", "title", "sha256", "published", "publisher"]
    add("unsorted-source-keys", "unsorted",
        b(sources=[raw_map([sp[0], sp[2], sp[1]] + sp[3:])]))
    add("unsorted-relation-keys", "unsorted",
        b(relations=[raw_map([("claim", fake_claim_id(1)), ("rel", "cites")])]))
    add("unsorted-protected-header", "unsorted",
        record("desk-az", BASE, prot=bytes(raw_map([(4, kid), (1, -8)]))))

    # duplicate keys
    add("duplicate-key-sorted-position", "duplicate-key",
        record("desk-az", raw_map([p[0], p[0]] + p[1:])))
    add("duplicate-key-different-values", "duplicate-key",
        record("desk-az", raw_map([p[0], p[1], ("time", T_ERR + 1)] + p[2:])))
    add("duplicate-key-also-unsorted", "duplicate-key",
        record("desk-az", raw_map([p[0], p[1], p[0]] + p[2:])))
    add("duplicate-key-in-source", "duplicate-key",
        b(sources=[raw_map(sp + [sp[-1]])]))
    add("duplicate-key-protected-header", "duplicate-key",
        record("desk-az", BASE, prot=bytes(raw_map([(1, -8), (1, -8), (4, kid)]))))

    # UTF-8
    def bad_text(raw):
        s = b"Azerbaijan " + raw + b" Armenia"
        return Raw(head(3, len(s)) + s)
    for name, raw in (("overlong-2-byte-c0-af", b"\xc0\xaf"),
                      ("overlong-3-byte-e0-80-af", b"\xe0\x80\xaf"),
                      ("overlong-4-byte-f0-80-80-af", b"\xf0\x80\x80\xaf"),
                      ("surrogate-ed-a0-80", b"\xed\xa0\x80"),
                      ("surrogate-ed-bf-bf", b"\xed\xbf\xbf"),
                      ("truncated-sequence-e2-82-then-ascii", b"\xe2\x82"),
                      ("above-10ffff-f4-90-80-80", b"\xf4\x90\x80\x80"),
                      ("lead-f5", b"\xf5\x80\x80\x80"),
                      ("lone-continuation-80", b"\x80"),
                      ("byte-ff", b"\xff")):
        add("utf-8-" + name, "utf-8", b(statement=bad_text(raw)))
    s = b"Azerbaijan \xe2\x82"
    add("utf-8-truncated-sequence-at-end", "utf-8", b(statement=Raw(head(3, len(s)) + s)))
    add("utf-8-in-key", "utf-8", record("desk-az", raw_map(
        [p[0], (Raw(b"\x64kin\xff"), "x")] + p[1:])))       # sorts right after "kind"

    # depth (payload map = depth 1)
    add("depth-17-arrays-in-field", "depth", b(note=Raw(b"\x81" * 16 + b"\x80")))
    add("depth-17-maps-in-field", "depth", b(note=Raw(b"\xa1\x61a" * 16 + b"\xa0")))
    add("depth-16-total-is-only-schema", "schema", b(note=Raw(b"\x81" * 14 + b"\x80")))
    NOTES["depth-16-total-is-only-schema"] = (
        "payload map + 15 nested arrays = depth 16: deterministic CBOR, so the refusal "
        "is the schema's (note is not text), not depth")

    # malformed
    for ib, field in ((0x1c, "time"), (0x3d, "time"), (0x5e, "sha256"), (0x7c, "statement"),
                      (0x9d, "topics"), (0xbd, "source"), (0xde, "time"), (0xfe, "time")):
        bad = Raw(bytes([ib]))
        if field == "sha256":
            rec = b(sources=[edit(SRC, sha256=bad)])
        elif field == "source":
            rec = b(sources=[bad])
        else:
            rec = b(**{field: bad})
        add("malformed-reserved-ai-%02x-in-%s" % (ib, field), "malformed", rec)
    add("malformed-stray-break", "malformed", b(time=Raw(b"\xff")))
    add("malformed-simple-undefined-f7", "malformed", b(note=Raw(b"\xf7")))
    add("malformed-simple-f8-20", "malformed", b(note=Raw(b"\xf8\x20")))
    add("malformed-simple-f8-ff", "malformed", b(note=Raw(b"\xf8\xff")))
    add("malformed-simple-f8-14-below-32", "malformed", b(note=Raw(b"\xf8\x14")))
    add("malformed-simple-e0", "malformed", b(note=Raw(b"\xe0")))
    add("malformed-ai31-on-uint-1f", "malformed", b(time=Raw(b"\x1f")))
    add("malformed-ai31-on-tag-df", "malformed", b(time=Raw(b"\xdf\x00")))
    add("malformed-unprotected-undefined", "malformed",
        b"\xd2\x84" + enc(prot) + b"\xf7" + enc(pl) + enc(sig))

    # trailing and truncated
    good = cf.assemble(prot, pl, sig)
    add("trailing-byte-after-record", "trailing", good + b"\x00")
    add("trailing-record-twice", "trailing", good + good)
    add("trailing-in-payload", "trailing", record("desk-az", enc(BASE) + b"\x00"))
    add("trailing-in-protected", "trailing",
        record("desk-az", BASE, prot=cf.protected_header(kid) + b"\x00"))
    add("truncated-last-byte", "truncated", good[:-1])
    add("truncated-half", "truncated", good[:len(good) // 2])
    add("truncated-tag-only", "truncated", good[:1])
    add("truncated-in-payload-map", "truncated",
        record("desk-az", head(5, len(p) + 1) + enc(BASE)[1:]))
    tail = enc(BASE)
    assert tail.endswith(enc(BASE["statement"]))       # statement is the last key
    add("truncated-in-payload-text", "truncated",
        record("desk-az", tail[:-len(enc(BASE["statement"]))] + head(3, len(st) + 5) + st))
    add("truncated-in-protected", "truncated",
        record("desk-az", BASE, prot=b"\xa2\x01\x27\x04\x58\x20" + kid[:31]))


# ---- envelope --------------------------------------------------------------

def envelope_vectors():
    prot, pl, sig = pieces()
    kid = pub("desk-az")
    body = enc(prot) + b"\xa0" + enc(pl) + enc(sig)

    add("tag-17-mac0", "tag", b"\xd1\x84" + body)
    add("tag-98-sign", "tag", b"\xd8\x62\x84" + body)
    add("tag-untagged", "tag", b"\x84" + body)
    add("tag-55799-self-described", "tag", b"\xd9\xd9\xf7\xd2\x84" + body)

    add("alg-minus-7-es256", "alg", record("desk-az", BASE, prot=enc({1: -7, 4: kid})))
    add("alg-minus-19-ed25519", "alg", record("desk-az", BASE, prot=enc({1: -19, 4: kid})))

    add("header-protected-extra-key", "header", record("desk-az", BASE, prot=enc({1: -8, 3: 60, 4: kid})))
    add("header-protected-missing-kid", "header", record("desk-az", BASE, prot=enc({1: -8})))
    add("header-kid-31-bytes", "header", record("desk-az", BASE, prot=enc({1: -8, 4: kid[:31]})))
    add("header-kid-33-bytes", "header", record("desk-az", BASE, prot=enc({1: -8, 4: kid + b"\x00"})))
    add("header-kid-text", "header", record("desk-az", BASE, prot=enc({1: -8, 4: kid.hex()[:32]})))
    add("header-protected-empty", "header", record("desk-az", BASE, prot=b""))
    add("header-protected-array", "header", record("desk-az", BASE, prot=enc([-8, kid])))
    add("header-unprotected-with-kid", "header",
        b"\xd2\x84" + enc(prot) + enc({4: kid}) + enc(pl) + enc(sig))
    add("header-unprotected-empty-bstr", "header",
        b"\xd2\x84" + enc(prot) + b"\x40" + enc(pl) + enc(sig))
    add("header-payload-nil-detached", "header",
        b"\xd2\x84" + enc(prot) + b"\xa0" + b"\xf6" + enc(sig))
    add("header-signature-63-bytes", "header",
        b"\xd2\x84" + enc(prot) + b"\xa0" + enc(pl) + enc(sig[:63]))
    add("header-signature-65-bytes", "header",
        b"\xd2\x84" + enc(prot) + b"\xa0" + enc(pl) + enc(sig + b"\x00"))
    add("header-array-3-items", "header", b"\xd2\x83" + enc(prot) + b"\xa0" + enc(pl))
    add("header-array-5-items", "header", b"\xd2\x85" + body + b"\x40")


# ---- signatures ------------------------------------------------------------

EDGE = []      # (name, pub, message, sig) for the OpenSSL report


def sig_vectors():
    prot, pl, sig = pieces()
    kid = pub("desk-az")
    i = pl.index(b"peace")
    flipped = pl[:i] + bytes([pl[i] ^ 0x01]) + pl[i + 1:]     # "peace" -> "qeace"
    add("signature-payload-bit-flipped", "signature", cf.assemble(prot, flipped, sig))
    add("signature-bit-flipped-in-R", "signature", cf.assemble(prot, pl, bytes([sig[0] ^ 1]) + sig[1:]))
    add("signature-bit-flipped-in-S", "signature",
        cf.assemble(prot, pl, sig[:32] + bytes([sig[32] ^ 1]) + sig[33:]))
    add("signature-all-zero", "signature", cf.assemble(prot, pl, bytes(64)))
    add("signature-by-other-key", "signature",
        cf.assemble(prot, pl, cf.sign(KEYS["other"][0], cf.sig_structure(prot, pl))))
    add("signature-over-bare-payload", "signature",
        cf.assemble(prot, pl, cf.sign(KEYS["desk-az"][0], pl)))
    add("signature-context-Signature", "signature",
        cf.assemble(*signed("desk-az", pl, context="Signature")))

    # Ed25519 edge cases, all satisfying the cofactorless equation [S]B = R + [k]A
    seed = KEYS["desk-az"][0]
    msg = cf.sig_structure(prot, pl)
    s_int = int.from_bytes(sig[32:], "little")
    nc = sig[:32] + (s_int + cf.L).to_bytes(32, "little")
    add("signature-non-canonical-S", "signature", cf.assemble(prot, pl, nc))
    EDGE.append(("signature-non-canonical-S", kid, msg, nc))

    def small_order_kid(name, a_enc, payload):
        """kid = a small-order point A; find S with [S]B = R + [k]A."""
        a = cf.point_decompress(a_enc)
        assert a is not None and cf.has_small_order(a)
        p2 = cf.protected_header(a_enc)
        pl2 = enc(payload)
        m = cf.sig_structure(p2, pl2)
        for s in range(1, 10000):
            s_val = cf._h_modl(b"claimd small-order signature", bytes([s & 255, s >> 8])) or 1
            r_enc = cf.point_compress(cf.point_mul(s_val, cf.BASE))
            k = cf._h_modl(r_enc, a_enc, m)
            if cf.point_equal(cf.point_mul(k, a), cf.IDENTITY):
                sg = r_enc + s_val.to_bytes(32, "little")
                assert cf.equation_holds(a_enc, m, sg)
                add(name, "signature", cf.assemble(p2, pl2, sg))
                EDGE.append((name, a_enc, m, sg))
                return
        raise AssertionError(name)

    ident = (1).to_bytes(32, "little")
    small_order_kid("signature-small-order-kid-identity", ident, base(time=T_ERR + 1))
    order2 = (cf.P - 1).to_bytes(32, "little")               # (0, -1), order 2
    small_order_kid("signature-small-order-kid-order-2", order2, base(time=T_ERR + 2))

    # small-order R (the identity) with the real key: S = k*a mod L
    a, _ = cf.secret_expand(seed)
    r_enc = ident
    k = cf._h_modl(r_enc, kid, msg)
    sr = r_enc + (k * a % cf.L).to_bytes(32, "little")
    assert cf.equation_holds(kid, msg, sr)
    add("signature-small-order-R", "signature", cf.assemble(prot, pl, sr))
    EDGE.append(("signature-small-order-R", kid, msg, sr))

    # kid = non-canonical encoding of the identity (y = p + 1)
    nce = (cf.P + 1).to_bytes(32, "little")
    p3 = cf.protected_header(nce)
    pl3 = enc(base(time=T_ERR + 3))
    m3 = cf.sig_structure(p3, pl3)
    s_val = 4242
    s3 = cf.point_compress(cf.point_mul(s_val, cf.BASE)) + s_val.to_bytes(32, "little")
    add("signature-kid-non-canonical-identity", "signature", cf.assemble(p3, pl3, s3))
    EDGE.append(("signature-kid-non-canonical-identity", nce, m3, s3))

    # kid that is not a curve point at all
    y = 2
    while cf._recover_x(y, 0) is not None:
        y += 1
    bad = y.to_bytes(32, "little")
    p4 = cf.protected_header(bad)
    pl4 = enc(base(time=T_ERR + 4))
    s4 = cf.sign(seed, cf.sig_structure(p4, pl4))
    add("signature-kid-not-a-point", "signature", cf.assemble(p4, pl4, s4))
    EDGE.append(("signature-kid-not-a-point", bad, cf.sig_structure(p4, pl4), s4))


# ---- limits and schema -----------------------------------------------------

def schema_vectors(id_min, id_full):
    tb = "too-big"
    add("too-big-statement-8193-bytes", tb, b(statement="a" * 8193))
    add("too-big-statement-8194-bytes-4097-chars", tb, b(statement="Ա" * 4097))
    add("too-big-quote-4097-bytes", tb, b(sources=[edit(SRC, quote=pad("", 4097, "ş"))]))
    add("too-big-note-2049-bytes", tb, b(note=pad("", 2049, "’")))
    add("too-big-name-2049-bytes", tb, record("admin", party("az-mfa", "n" * 2049, T_ERR)))
    add("too-big-url-2049-bytes", tb, b(sources=[edit(SRC, url=pad("https://example.org/", 2049))]))
    add("too-big-publisher-1025-bytes", tb, b(sources=[edit(SRC, publisher="p" * 1025)]))
    add("too-big-title-1025-bytes", tb, b(sources=[edit(SRC, title=pad("", 1025, "Հ"))]))
    # Reviews and their ratings (format.md, Ratings).
    add("ok-review-rating-text-only", "ok", b(relations=[
        {"rel": "review", "claim": id_min, "rating": {"text": "Pants on Fire"}}]))
    add("ok-review-rating-numbers", "ok", b(relations=[
        {"rel": "review", "claim": id_min,
         "rating": {"text": "Mostly false", "value": "2.5", "worst": "1", "best": "5"}},
        {"rel": "disputes", "claim": id_full}]))
    add("ok-review-rating-reversed-scale-negative", "ok", b(relations=[
        {"rel": "review", "claim": id_min,
         "rating": {"text": "Ложь", "value": "-0.125", "worst": "0", "best": "-3"}}]))
    add("ok-review-rating-at-limits", "ok", b(relations=[
        {"rel": "review", "claim": id_min,
         "rating": {"text": pad("", 256, "ş"), "value": "-999999999.999999",
                    "worst": "-999999999.999999", "best": "999999999.999999"}}]))
    add("too-big-rating-text-257", tb, b(relations=[
        {"rel": "review", "claim": id_min, "rating": {"text": "a" * 257}}]))

    add("too-big-owner-publishers-257", tb, record("admin", owner(
        "anadolu", ["p%d" % i for i in range(257)], T_ERR)))
    add("too-big-owner-publisher-1025-bytes", tb, record("admin", owner(
        "anadolu", ["p" * 1025], T_ERR)))
    add("too-big-topics-33", tb, b(topics=["t%02d" % i for i in range(33)]))
    add("too-big-sources-65", tb, b(sources=[{"publisher": "p%d" % i, "title": "t"} for i in range(65)]))
    add("too-big-relations-65", tb,
        b(relations=[{"rel": "cites", "claim": fake_claim_id(i)} for i in range(65)]))

    sc = "schema"
    rel = {"rel": "disputes", "claim": id_min}
    add("schema-unknown-key", sc, b(summary="extra"))
    add("schema-missing-statement", sc, b(statement=DROP))
    add("schema-missing-kind", sc, b(kind=DROP))
    add("schema-missing-sources", sc, b(sources=DROP))
    add("schema-unknown-kind", sc, b(kind="claims"))
    add("schema-version-0", sc, b(version=0))
    add("schema-version-1-with-prev", sc, b(prev=id_full))
    add("schema-version-1-with-claim", sc, b(claim=id_full))
    add("schema-version-2-without-claim", sc, b(version=2, prev=id_full))
    add("schema-version-2-without-prev", sc, b(version=2, claim=id_full))
    add("schema-prev-31-bytes", sc, b(version=2, claim=id_full, prev=id_full[:31]))
    add("schema-bad-slug-AZ_MFA", sc, b(party="AZ_MFA"))
    add("schema-slug-empty", sc, b(party=""))
    add("schema-slug-65-chars", sc, b(party="a" * 65))
    add("schema-topic-not-a-slug", sc, b(topics=["Peace Treaty"]))
    add("schema-empty-topics", sc, b(topics=[]))
    add("schema-repeated-topic", sc, b(topics=["peace-treaty", "lachin", "peace-treaty"]))
    add("schema-empty-statement", sc, b(statement=""))
    add("schema-status-unknown", sc, b(status="withdrawn"))
    add("schema-bad-date-2021-13-40", sc, b(made="2021-13-40"))
    add("schema-bad-date-2023-02-29", sc, b(made="2023-02-29"))
    add("schema-bad-date-1900-02-29", sc, b(made="1900-02-29"))
    add("schema-bad-date-format-2021-1-05", sc, b(made="2021-1-05"))
    add("schema-bad-published-date", sc, b(sources=[edit(SRC, published="2021-11-31")]))
    add("schema-derivation-cycle-a-b-a", sc, b(sources=[
        edit(SRC, derivation={"from": 1, "how": "quotes"}),
        edit(SRC2, derivation={"from": 0, "how": "translates"})]))
    add("schema-derivation-cycle-a-b-c-b", sc, b(sources=[
        edit(SRC, derivation={"from": 1, "how": "quotes"}),
        edit(SRC2, derivation={"from": 2, "how": "reports"}),
        edit(SRC2, derivation={"from": 1, "how": "reports"})]))
    add("schema-derivation-self", sc, b(sources=[SRC, edit(SRC2, derivation={"from": 1, "how": "quotes"})]))
    add("schema-derivation-from-out-of-range", sc,
        b(sources=[SRC, edit(SRC2, derivation={"from": 2, "how": "quotes"})]))
    add("schema-derivation-unknown-how", sc,
        b(sources=[SRC, edit(SRC2, derivation={"from": 0, "how": "paraphrases"})]))
    add("schema-derivation-extra-key", sc,
        b(sources=[SRC, edit(SRC2, derivation={"from": 0, "how": "quotes", "note": "x"})]))
    add("schema-control-esc-in-statement", sc, b(statement="Azerbaijan \x1b[31mred\x1b[0m Armenia"))
    add("schema-control-del-in-title", sc, b(sources=[edit(SRC, title="Peace\x7f treaty")]))
    add("schema-control-c1-nel-in-quote", sc, b(sources=[edit(SRC, quote="Peace\u0085treaty")]))
    add("schema-control-nul-in-note", sc, b(note="reason\x00"))
    add("schema-control-bell-in-party-name", sc, record("admin", party("az-mfa", "MFA\x07", T_ERR)))
    add("schema-duplicate-relation", sc, b(relations=[rel, rel]))
    add("schema-duplicate-relation-different-rel", sc,
        b(relations=[rel, {"rel": "cites", "claim": id_min}]))
    add("schema-unknown-rel-refutes", sc, b(relations=[{"rel": "refutes", "claim": id_min}]))
    rv = {"rel": "review", "claim": id_min}
    add("schema-review-without-rating", sc, b(relations=[rv]))
    add("schema-rating-on-disputes", sc, b(relations=[edit(rel, rating={"text": "False"})]))
    add("schema-rating-empty-text", sc, b(relations=[edit(rv, rating={"text": ""})]))
    add("schema-rating-without-text", sc, b(relations=[edit(rv, rating={"value": "1"})]))
    add("schema-rating-unknown-key", sc, b(relations=[edit(rv, rating={"text": "x", "scale": "5"})]))
    add("schema-rating-value-integer", sc, b(relations=[edit(rv, rating={"text": "x", "value": 2})]))
    for bad in ("2.50", "02", "-0", "+1", "1.", ".5", "1e3", "2,5", "1234567890", "0.1234567", ""):
        add("schema-rating-value-%s" % (bad or "empty"), sc,
            b(relations=[edit(rv, rating={"text": "x", "value": bad})]))
    add("schema-rating-best-equals-worst", sc,
        b(relations=[edit(rv, rating={"text": "x", "best": "5", "worst": "5"})]))
    add("schema-rating-value-above-best", sc,
        b(relations=[edit(rv, rating={"text": "x", "value": "6", "best": "5", "worst": "1"})]))
    add("schema-rating-value-below-worst", sc,
        b(relations=[edit(rv, rating={"text": "x", "value": "0.5", "best": "5", "worst": "1"})]))
    add("schema-rating-control-in-text", sc,
        b(relations=[edit(rv, rating={"text": "False\x1b[2J"})]))
    add("schema-relation-claim-31-bytes", sc, b(relations=[{"rel": "cites", "claim": id_min[:31]}]))
    add("schema-sha256-31-bytes", sc, b(sources=[edit(SRC, sha256=doc_hash("base")[:31])]))
    add("schema-sha256-as-hex-text", sc, b(sources=[edit(SRC, sha256=doc_hash("base").hex())]))
    add("schema-empty-publisher", sc, b(sources=[edit(SRC, publisher="")]))
    add("schema-source-missing-title", sc, b(sources=[edit(SRC, title=DROP)]))
    add("schema-retraction-without-note", sc, b(status="retracted"))
    add("schema-retraction-empty-note", sc, b(status="retracted", note=""))
    later = dict(version=2, claim=id_full, prev=id_full, note="Reinstated: the attribution stands.")
    add("ok-claim-reinstates", "ok", b(reinstates=True, **later))
    add("schema-reinstates-false", sc, b(reinstates=False, **later))
    add("schema-reinstates-text", sc, b(reinstates="true", **later))
    add("schema-reinstates-version-1", sc, b(reinstates=True, note="x"))
    add("schema-reinstates-retracted", sc, b(reinstates=True, status="retracted", **later))
    add("schema-time-negative", sc, b(time=-1))
    add("schema-time-text", sc, b(time="1636502400"))
    add("schema-note-null", sc, b(note=None))
    add("schema-topics-not-array", sc, b(topics="peace-treaty"))
    add("schema-payload-not-map", sc, record("desk-az", enc(["claim"])))
    add("schema-payload-integer-key", sc, record("desk-az", raw_map([(1, "x")] + sorted_pairs(BASE))))
    add("schema-party-missing-name", sc, record("admin", {"kind": "party", "party": "az-mfa", "time": T_ERR}))
    add("schema-grant-key-31-bytes", sc, record("admin", edit(grant("grant", "desk-az", "az-mfa", T_ERR),
                                                              key=pub("desk-az")[:31])))
    add("schema-grant-unknown-key", sc, record("admin", edit(grant("grant", "desk-az", "az-mfa", T_ERR),
                                                             note="x")))
    add("schema-owner-bad-slug", sc, record("admin", owner("Anadolu", ["Anadolu Agency"], T_ERR)))
    add("schema-owner-empty-publisher", sc, record("admin", owner("anadolu", ["AA", ""], T_ERR)))
    add("schema-owner-repeated-publisher", sc, record("admin", owner("anadolu", ["AA", "AA"], T_ERR)))
    add("schema-owner-publisher-not-text", sc, record("admin", owner("anadolu", [b"AA"], T_ERR)))
    add("schema-owner-missing-publishers", sc, record("admin", {"kind": "owner", "owner": "anadolu",
                                                                "time": T_ERR}))
    add("schema-owner-with-party", sc, record("admin", edit(owner("anadolu", ["AA"], T_ERR),
                                                            party="az-mfa")))
    add("schema-party-missing-party", sc, record("admin", {"kind": "party", "name": "n", "time": T_ERR}))
    add("schema-revoke-bad-slug", sc, record("admin", grant("revoke", "other", "Az-Mfa", T_ERR)))
    add("schema-made-two-days-after-time", sc, b(made="2021-11-12"))
    add("schema-made-two-days-after-time-at-23-59-59", sc, b(time=T_ERR + cf.DAY - 1, made="2021-11-12"))

    # grant and revoke keys that can never sign
    def key_vector(name, kind, key):
        assert not cf.valid_public_key(key), name
        add(name, sc, record("admin", edit(grant(kind, "desk-az", "az-mfa", T_ERR), key=key)))

    for name, hx in SMALL_ORDER:
        key_vector("schema-grant-key-small-order-" + name, "grant", bytes.fromhex(hx))
    key_vector("schema-revoke-key-small-order-all-zero", "revoke", bytes(32))
    key_vector("schema-grant-key-non-canonical-identity", "grant", (cf.P + 1).to_bytes(32, "little"))
    key_vector("schema-grant-key-non-canonical-y-p-plus-3", "grant", (cf.P + 3).to_bytes(32, "little"))
    key_vector("schema-grant-key-identity-sign-bit", "grant", (1 | 1 << 255).to_bytes(32, "little"))
    key_vector("schema-grant-key-not-a-point", "grant", (2).to_bytes(32, "little"))
    # desk-az's key plus a point of order 8: on the curve, of large order,
    # outside the prime-order group
    a = cf.point_decompress(pub("desk-az"))
    t8 = cf.point_decompress(bytes.fromhex(SMALL_ORDER[4][1]))
    key_vector("schema-grant-key-mixed-order", "grant", cf.point_compress(cf.point_add(a, t8)))


# the eight points of small order, each by its canonical encoding
SMALL_ORDER = (
    ("identity", "01" + "00" * 31),
    ("order-2", "ec" + "ff" * 30 + "7f"),
    ("order-4-all-zero", "00" * 32),
    ("order-4-sign-bit", "00" * 31 + "80"),
    ("order-8-26e8", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
    ("order-8-26e8-sign-bit", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
    ("order-8-c717", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
    ("order-8-c717-sign-bit", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
)


def time_vectors():
    tm = "time"
    add("time-0", tm, b(time=0))
    add("time-1999-12-31T23-59-59", tm, b(time=cf.TIME_MIN - 1))
    add("time-2-pow-53", tm, b(time=cf.TIME_END))
    add("time-uint64-max", tm, b(time=2 ** 64 - 1))
    add("time-party-1", tm, record("admin", party("az-mfa", "Ministry", 1)))
    add("time-grant-2-pow-53", tm, record("admin", grant("grant", "desk-az", "az-mfa", cf.TIME_END)))
    add("time-revoke-0", tm, record("admin", grant("revoke", "other", "az-mfa", 0)))


# --------------------------------------------------------------------------
# Output

def edge_report():
    import cryptography
    from cryptography.hazmat.backends.openssl import backend
    lines = ["Ed25519 edge cases (every one satisfies the cofactorless equation",
             "[S]B = R + [k]A; libsodium's crypto_sign_verify_detached refuses all of",
             "them; claimd follows libsodium, so all expect `signature`).  What python",
             "`cryptography` %s (%s) Ed25519PublicKey.verify says, checked when"
             % (cryptography.__version__, backend.openssl_version_text()),
             "this file was generated:"]
    for name, kid, msg, sig in EDGE:
        why = cf.libsodium_precheck(kid, sig) or "-"
        ossl = "ACCEPTS (verify succeeds)" if cf.openssl_verify(kid, msg, sig) else "rejects"
        lines.append("  %s: libsodium: %s; OpenSSL %s" % (name, why, ossl))
    return lines


HEADER = """\
claimd record test vectors, generated by make_vectors.py (do not edit).

Format: one vector a line, three fields separated by a TAB:
  name <TAB> expect <TAB> record-hex
name is unique; record-hex is the whole record in lowercase hex.  Lines that
start with '#' are comments.  expect is `ok` or one of these errors (the C
code's proto_err has one code for each):
  truncated trailing non-shortest indefinite float unsorted duplicate-key
  utf-8 depth malformed tag alg header signature too-big schema time
Each rejected vector has exactly one defect; everything else about it is
right, and unless the defect is in the signature it carries a valid Ed25519
signature over its exact bytes.  So a payload with a non-shortest integer
must be refused by the determinism check, not by the signature.

Conventions (docs/format.md leaves these to us):
  * depth counts arrays, maps and tags within one decoded item: the record,
    the protected-header bytes and the payload bytes are decoded separately,
    and the outermost container of each is depth 1; depth 17 is refused.
  * header = envelope shape: array length, protected header keys other than
    exactly {1, 4}, kid not a 32-byte bstr, unprotected not the empty map,
    payload not a bstr, signature not a 64-byte bstr.  alg = key 1 present
    with a value other than -8.  tag = not tagged 18.  Determinism errors in
    the envelope or protected header use the CBOR errors (non-shortest,
    unsorted, ...), not header.
  * a key equal to an earlier key of the same map is duplicate-key, even when
    it is also out of order.
  * too-big = a limit of the Limits table of docs/format.md (record, text
    field sizes in UTF-8 bytes, topics/sources/relations counts); everything
    else about the payload is schema (including a slug of 65 characters).
  * a retraction's note must be non-empty.
  * "reinstates" is true or absent, and only in a version after the first
    whose status is "asserted".
  * time = the payload's "time" before 2000-01-01 (946684800) or at or above
    2^53.  A "made" later than the day after the UTC date of "time" is
    schema, and so is a grant or revoke "key" that libsodium's
    crypto_core_ed25519_is_valid_point refuses (small order, non-canonical,
    not a point, outside the prime-order group).

Keys (see keys.txt): seed = SHA-256("claimd test vectors key: " + name),
names admin, desk-az, desk-am, other; Ed25519 as RFC 8032 / libsodium
crypto_sign_seed_keypair.  Times: the story starts at 1636329600
(2021-11-08T00:00:00Z) and advances 60 s a record; the other vectors use
1636502400 (2021-11-10T00:00:00Z).

The first ok vectors, ok-party-az-mfa through ok-revoke-other, are in log
order a valid history for a data folder whose admin key is `admin`: two
parties, grants (desk-az -> az-mfa, desk-am -> am-mfa, other -> az-mfa), a
minimal claim, a claim with every optional field that disputes it, its
version 2 and its retraction (version 3), then a revoke.  The later ok
vectors test limits and text and are valid records, not log steps.
"""


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    id_min, id_full = story()
    boundaries(id_min, id_full)
    cbor_vectors()
    envelope_vectors()
    sig_vectors()
    schema_vectors(id_min, id_full)
    time_vectors()

    counts = {}
    for _, e, _ in VECTORS:
        counts[e] = counts.get(e, 0) + 1
    lines = HEADER.splitlines() + [""] + edge_report() + [""]
    if NOTES:
        lines += ["Notes:"] + ["  %s: %s" % kv for kv in sorted(NOTES.items())] + [""]
    lines.append("Counts: " + ", ".join("%s %d" % (e, counts[e])
                                        for e in ("ok",) + cf.ERRORS if e in counts)
                 + "; total %d" % len(VECTORS))
    text = "".join(("# " + ln).rstrip() + "\n" for ln in lines)
    text += "".join("%s\t%s\t%s\n" % (n, e, r.hex()) for n, e, r in VECTORS)
    with open(os.path.join(out, "records.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)

    keys = ("# claimd test vector keys, generated by make_vectors.py (do not edit).\n"
            "# name <TAB> seed-hex <TAB> public-key-hex\n"
            "# seed = SHA-256(\"%s\" + name); the 32-byte Ed25519 seed (RFC 8032\n"
            "# private key, libsodium crypto_sign_seed_keypair input).\n" % SEED_LABEL)
    keys += "".join("%s\t%s\t%s\n" % (n, KEYS[n][0].hex(), KEYS[n][1].hex()) for n in KEY_NAMES)
    with open(os.path.join(out, "keys.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write(keys)
    print("wrote %d vectors (%s)" % (len(VECTORS), ", ".join("%s %d" % kv for kv in sorted(counts.items()))))


if __name__ == "__main__":
    main()
