#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (docs/fuzzing.md).

    tests/fuzz/make_corpus.py BUILD/tests/fuzz/fuzz_request

corpus/record/   records from tests/vectors/records.txt: every valid one and
                 a few of each kind of defect
corpus/request/  requests for every op in fuzz_request's input format, naming
                 entries of its fixture log (read from the binary, which
                 prints it with CLAIMD_FUZZ_FIXTURE=1)
corpus/json/     the claims of examples/narratives.jsonl as claim JSON, a few
                 lines as they are, edge cases, and plain text for the quote
                 and diff helpers

Standard library only. Run it again after changing the fixture log or the
vectors; it replaces the three folders.
"""
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")

PER_DEFECT = 4  # invalid records kept per kind of defect
PER_SCHEMA = 12


# Deterministic CBOR (RFC 8949 section 4.2.1), enough for request bodies.
def head(major, n):
    if n < 24:
        return bytes([major << 5 | n])
    for ai, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | ai]) + n.to_bytes(size, "big")
    raise ValueError(n)


def cbor(v):
    if isinstance(v, bool):
        return b"\xf5" if v else b"\xf4"
    if v is None:
        return b"\xf6"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, bytes):
        return head(2, len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor(x) for x in v)
    if isinstance(v, dict):
        pairs = sorted((cbor(k), cbor(x)) for k, x in v.items())
        return head(5, len(pairs)) + b"".join(k + x for k, x in pairs)
    raise TypeError(v)


def write(folder, name, data):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def records():
    out = os.path.join(CORPUS, "record")
    kept = {}
    with open(os.path.join(ROOT, "tests", "vectors", "records.txt")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, expect, hexrec = line.rstrip("\n").split("\t")
            limit = {"ok": 1000, "schema": PER_SCHEMA}.get(expect, PER_DEFECT)
            if kept.get(expect, 0) >= limit:
                continue
            kept[expect] = kept.get(expect, 0) + 1
            write(out, name, bytes.fromhex(hexrec))
    return out


# fuzz_request's input: a control byte (op, client, raw header, repeat),
# then what it asks for, then the body.
def request(op, body, client=0, ident=None, header=None, repeat=None):
    ctl = (op & 0x0F) | (client << 4)
    out = b""
    if client == 3:
        out += bytes([len(ident)]) + ident
    if header is not None:
        ctl |= 0x40
        out += bytes([len(header)]) + header
    if repeat is not None:
        ctl |= 0x80
        out += bytes([repeat])
    if isinstance(body, dict):
        body = cbor(body)
    return bytes([ctl]) + out + body


def fixture(binary):
    env = dict(os.environ, CLAIMD_FUZZ_FIXTURE="1")
    run = subprocess.run([binary, "-runs=0"], env=env, check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    hashes, recs = [], []
    for line in run.stdout.decode().splitlines():
        f = line.split("\t")
        if f[0] == "record":
            recs.append(bytes.fromhex(f[2]))
        elif f[0].isdigit():
            hashes.append(f[1])
    return hashes, recs


def requests(binary):
    out = os.path.join(CORPUS, "request")
    h, recs = fixture(binary)
    vec = {}
    with open(os.path.join(ROOT, "tests", "vectors", "records.txt")) as f:
        for line in f:
            if not line.startswith("#") and line.strip():
                name, _, hexrec = line.rstrip("\n").split("\t")
                vec[name] = bytes.fromhex(hexrec)
    # Fixture: 0, 1 parties; 2, 3 grants; 4 claim A v1; 5 claim B (disputes
    # A); 6 A v2; 7 claim C (supports A, cites B); 8 A v3 retracted; 9 grant,
    # 10 revoke; 11 claim D.
    SUBMIT, GET, HISTORY, LIST, RANGE, STATS, PARTIES, CHECKPOINT, \
        INCLUSION, CONSISTENCY = range(1, 11)
    reqs = {
        "submit-existing-party": request(SUBMIT, recs[0]),
        "submit-existing-grant": request(SUBMIT, recs[2]),
        "submit-existing-claim-v1": request(SUBMIT, recs[4]),
        "submit-existing-claim-v3": request(SUBMIT, recs[8]),
        "submit-existing-revoke": request(SUBMIT, recs[10]),
        "submit-new-claim": request(SUBMIT, vec["ok-claim-full-v1"]),
        "submit-new-party": request(SUBMIT, vec["ok-party-am-mfa"]),
        "submit-new-owner": request(SUBMIT, vec["ok-owner-set"]),
        "submit-bad-signature": request(
            SUBMIT, vec["signature-payload-bit-flipped"]),
        "submit-bad-schema": request(SUBMIT, vec["schema-unknown-key"]),
        "submit-junk": request(SUBMIT, b"junk"),
        "submit-empty": request(SUBMIT, b""),
        "submit-twice-client-b": request(SUBMIT, recs[5], client=1,
                                         repeat=1),
        "submit-1100-junk": request(SUBMIT, b"\x00", repeat=0xFF),
        "get-index-0": request(GET, {"index": 0}),
        "get-index-4": request(GET, {"index": 4}),
        "get-index-99": request(GET, {"index": 99}),
        "get-id-prefix": request(GET, {"id": h[4][:8]}),
        "get-id-version-1": request(GET, {"id": h[6], "version": 1}),
        "get-id-version-9": request(GET, {"id": h[4][:16], "version": 9}),
        "get-id-registry": request(GET, {"id": h[1][:12].upper()}),
        "get-id-not-hex": request(GET, {"id": "zzzzzzzzzz"}),
        "get-id-short": request(GET, {"id": "3f56"}),
        "get-id-and-index": request(GET, {"id": h[4][:8], "index": 1}),
        "get-neither": request(GET, {}),
        "get-unknown-key": request(GET, {"index": 1, "x": 1}),
        "history-v1": request(HISTORY, {"id": h[4][:10]}),
        "history-head": request(HISTORY, {"id": h[8]}),
        "history-registry": request(HISTORY, {"id": h[2][:8]}),
        "history-unknown": request(HISTORY, {"id": "00000000"}),
        "history-no-id": request(HISTORY, {}),
        "list-all": request(LIST, {}),
        "list-party": request(LIST, {"party": "am-mfa"}),
        "list-topic": request(LIST, {"topic": "lachin-checkpoint"}),
        "list-party-topic-page": request(
            LIST, {"party": "az-mfa", "topic": "normalization", "from": 0,
                   "limit": 1}),
        "list-limit-0": request(LIST, {"limit": 0}),
        "list-from-5": request(LIST, {"from": 5, "limit": 2}),
        "range-all": request(RANGE, {"from": 0, "count": 100}),
        "range-party": request(RANGE, {"from": 3, "count": 6,
                                       "party": "am-mfa"}),
        "range-topic": request(RANGE, {"from": 0, "count": 12,
                                       "topic": "border"}),
        "range-past-end": request(RANGE, {"from": 100, "count": 1}),
        "range-huge": request(RANGE, {"from": 2**64 - 1,
                                      "count": 2**64 - 1}),
        "range-no-count": request(RANGE, {"from": 0}),
        "stats": request(STATS, {}),
        "stats-extra-key": request(STATS, {"a": 1}),
        "parties": request(PARTIES, {}),
        "checkpoint": request(CHECKPOINT, {}),
        "inclusion-index": request(INCLUSION, {"index": 0}),
        "inclusion-last": request(INCLUSION, {"index": 11, "size": 12}),
        "inclusion-id-size": request(INCLUSION, {"id": h[5][:8], "size": 8}),
        "inclusion-outside": request(INCLUSION, {"index": 5, "size": 3}),
        "inclusion-size-0": request(INCLUSION, {"index": 0, "size": 0}),
        "consistency-all": request(CONSISTENCY, {"from": 0, "to": 12}),
        "consistency-3-7": request(CONSISTENCY, {"from": 3, "to": 7}),
        "consistency-same": request(CONSISTENCY, {"from": 12, "to": 12}),
        "consistency-backwards": request(CONSISTENCY, {"from": 5, "to": 3}),
        "consistency-past-end": request(CONSISTENCY, {"from": 1, "to": 13}),
        "op-0": request(0, {}),
        "op-11": request(11, {}),
        "header-version-2": request(GET, {"index": 0},
                                    header=bytes([2, GET, 0, 0, 0, 0, 0, 7])),
        "header-7-bytes": request(GET, {"index": 0},
                                  header=bytes([1, GET, 0, 0, 0, 0, 7])),
        "header-raw-ok": request(RANGE, {"from": 0, "count": 3},
                                 header=bytes([1, RANGE, 0, 0, 0xff, 0, 0, 9])),
        "ident-16-bytes": request(PARTIES, {}, client=3, ident=b"I" * 16),
        "ident-empty": request(STATS, {}, client=2),
        "repeat-get": request(GET, {"index": 2}, repeat=2),
        "body-array": request(GET, cbor([1, 2])),
        "body-non-shortest": request(GET, b"\xa1\x65index\x18\x01"),
        "body-too-deep": request(LIST, b"\xa1\x61x" + b"\x81" * 5 + b"\x00"),
        "body-too-big": request(GET, {"id": "0" * 600}),
    }
    for name, data in reqs.items():
        write(out, name, data)
    return out


def json_corpus():
    out = os.path.join(CORPUS, "json")
    with open(os.path.join(ROOT, "examples", "narratives.jsonl")) as f:
        lines = [l.rstrip("\n") for l in f if l.strip()]
    for i, line in enumerate(lines):
        o = json.loads(line)
        if i < 3:
            write(out, "narrative-raw-%02d" % i, line.encode())
        # The batch file's own keys are left to the submitter; relations
        # name claims by label there and by 64-digit id in claim JSON.
        for k in ("ref", "revises", "retracts", "reason"):
            o.pop(k, None)
        for r in o.get("relations", []):
            r["claim"] = hashlib.sha256(r["claim"].encode()).hexdigest()
        write(out, "narrative-%02d" % i,
              json.dumps(o, ensure_ascii=(i % 2 == 1)).encode())
    hexid = "ab" * 32
    edge = {
        "minimal": {"party": "am-mfa", "topics": ["a"], "statement": "x"},
        "all-keys": {
            "party": "az-mfa", "topics": ["normalization", "border"],
            "statement": "Ready to normalize.\tTab\nLF\rCR", "made":
            "2024-02-29", "note": "n",
            "sources": [
                {"publisher": "P", "title": "T", "url": "https://e.x/",
                 "published": "2021-11-08", "quote": "\u201cq\u201d",
                 "sha256": hexid.upper()},
                {"publisher": "Q", "title": "U",
                 "derivation": {"from": 0, "how": "translates"}}],
            "relations": [{"rel": "cites", "claim": hexid}],
            "claim": hexid, "version": 3, "hash": hexid, "index": 1,
            "status": "retracted", "signer": hexid, "time": 1, "kind": "x",
            "prev": hexid},
        "derivation-cycle": {
            "party": "p", "topics": ["t"], "statement": "s",
            "sources": [
                {"publisher": "a", "title": "a",
                 "derivation": {"from": 1, "how": "quotes"}},
                {"publisher": "b", "title": "b",
                 "derivation": {"from": 0, "how": "reports"}}]},
        "derivation-self": {
            "party": "p", "topics": ["t"], "statement": "s",
            "sources": [{"publisher": "a", "title": "a",
                         "derivation": {"from": 0, "how": "summarizes"}}]},
        "duplicate-relation": {
            "party": "p", "topics": ["t"], "statement": "s",
            "relations": [{"rel": "supports", "claim": hexid},
                          {"rel": "disputes", "claim": hexid}]},
        "topics-32": {"party": "p", "topics": ["t%d" % i for i in range(32)],
                      "statement": "s"},
        "topics-33": {"party": "p", "topics": ["t%d" % i for i in range(33)],
                      "statement": "s"},
        "statement-8192": {"party": "p", "topics": ["t"],
                           "statement": "\u00e9" * 4096},
        "bad-date": {"party": "p", "topics": ["t"], "statement": "s",
                     "made": "2023-02-29"},
        "control-char": {"party": "p", "topics": ["t"],
                         "statement": "bell \u0007"},
        "nul-in-statement": {"party": "p", "topics": ["t"],
                             "statement": "a\u0000b"},
        "nul-in-topic": {"party": "p", "topics": ["a\u0000b"],
                         "statement": "s"},
        "unknown-key": {"party": "p", "topics": ["t"], "statement": "s",
                        "extra": 1},
        "review-rating": {
            "party": "p", "topics": ["t"], "statement": "s",
            "relations": [{"rel": "review", "claim": hexid,
                           "rating": {"text": "Mostly false", "value": 2.5,
                                      "best": "5", "worst": 1}}]},
        "review-without-rating": {
            "party": "p", "topics": ["t"], "statement": "s",
            "relations": [{"rel": "review", "claim": hexid}]},
        "rating-on-cites": {
            "party": "p", "topics": ["t"], "statement": "s",
            "relations": [{"rel": "cites", "claim": hexid,
                           "rating": {"text": "False"}}]},
        "rating-out-of-scale": {
            "party": "p", "topics": ["t"], "statement": "s",
            "relations": [{"rel": "review", "claim": hexid,
                           "rating": {"text": "x", "value": "9.0000001",
                                      "best": 5, "worst": 1}}]},
        "from-negative": {"party": "p", "topics": ["t"], "statement": "s",
                          "sources": [{"publisher": "a", "title": "a",
                                       "derivation": {"from": -1,
                                                      "how": "quotes"}}]},
    }
    for name, o in edge.items():
        write(out, "edge-" + name, json.dumps(o, ensure_ascii=False).encode())
    raw = {
        "not-object": b"[1, 2, 3]",
        "duplicate-key": b'{"party": "a", "party": "b"}',
        "surrogates": b'{"party": "p", "topics": ["t"], '
                      b'"statement": "\\ud83d\\ude00 \\udc00"}',
        "big-number": b'{"sources": [{"derivation": {"from": '
                      b'99999999999999999999}}]}',
        "deep": b"[" * 200 + b"]" * 200,
        "truncated": b'{"party": "am-mfa", "topics": ["a"], "stat',
    }
    for name, data in raw.items():
        write(out, "edge-" + name, data)
    # Plain text for claim_quote_find and claim_diff_words (the input is
    # split in halves for the diff; the slice comes from its first and
    # last two bytes).
    text = {
        "text-quotes": "He said \u201cimmediately return\u201d the "
                       "soldiers.\u00a0\u00ab\u00a0Non\u00a0\u00bb, "
                       "\u2018it\u2019s\u2019 \u2009thin space.",
        "text-diff": "Azerbaijan is ready to normalize relations now.\n"
                     "Azerbaijan is  ready to normalise relations today.\n",
        "text-blanks": " \t\n a  b \r\n\f\v c ",
    }
    for name, s in text.items():
        write(out, name, s.encode())
    seed = os.path.join(ROOT, "examples", "seeds")
    for i, fn in enumerate(sorted(os.listdir(seed))[:2]):
        with open(os.path.join(seed, fn), "rb") as f:
            write(out, "text-seed-%d" % i, f.read(2000))
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_corpus.py BUILD/tests/fuzz/fuzz_request")
    # The made seeds are made again; what fuzzing found (found-*) stays.
    for sub in ("record", "request", "json"):
        folder = os.path.join(CORPUS, sub)
        for name in os.listdir(folder) if os.path.isdir(folder) else []:
            if not name.startswith("found-"):
                os.remove(os.path.join(folder, name))
    for folder in (records(), requests(sys.argv[1]), json_corpus()):
        files = os.listdir(folder)
        size = sum(os.path.getsize(os.path.join(folder, n)) for n in files)
        print("%s: %d files, %d bytes" % (os.path.relpath(folder, ROOT),
                                         len(files), size))


if __name__ == "__main__":
    main()
