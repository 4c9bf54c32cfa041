#!/usr/bin/python3
"""Verify claimd records independently of the C code.

Usage: verify_records.py [--hashes] FILE   (FILE "-" = standard input)

FILE holds one record a line in hex.  Blank lines and lines starting with '#'
are skipped; if a line has TAB-separated fields the last one is the record,
so the ok lines of records.txt can be fed as they are.  With --hashes each
line is `record-hash-hex <TAB> record-hex` (what `test_proto --emit`
writes) and the hash the other implementation computed must equal this one's.

For each record, in order:
  1. the record, protected header and payload are strict RFC 8949 section
     4.2.1 deterministic CBOR (claimfmt's decoder, each violation named);
  2. the envelope is byte for byte `d2 84 58 26 a2 01 27 04 58 20 <kid> a0
     <payload bstr> 58 40 <sig>` (docs/format.md);
  3. the payload, decoded by cbor2 (a generic, lenient decoder) and encoded
     again by claimfmt's own deterministic encoder (bytewise key order, not
     cbor2's canonical=True), gives back exactly the payload bytes;
  4. the payload satisfies the schema and limits of docs/format.md;
  5. the Ed25519 signature over the COSE Sig_structure verifies with
     cryptography's Ed25519PublicKey, and passes libsodium's extra rules
     (canonical S, no small-order R, canonical non-small-order key).
Prints `ok <record-hash-hex>` per record, record hash = SHA-256(0x00 ||
record).  At the first failure prints `FILE:LINE: <error>: <reason>` to
standard error and exits 1.  Exit 2 on usage errors.
"""

import os
import signal
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cbor2                          # noqa: E402
import claimfmt as cf                 # noqa: E402

PREFIX = bytes.fromhex("d2845826a20127045820")


def exact_envelope(rec):
    """Step 2: parse the record by its fixed byte layout alone."""
    if rec[:len(PREFIX)] != PREFIX:
        i = next(i for i in range(len(PREFIX)) if i >= len(rec) or rec[i] != PREFIX[i])
        raise cf.RecordError("header", "byte %d differs from the fixed prefix %s" % (i, PREFIX.hex()))
    kid = rec[10:42]
    if len(rec) < 44 or rec[42] != 0xa0:
        raise cf.RecordError("header", "byte 42 is not a0 (empty unprotected map)")
    ib, pos = rec[43], 44
    if ib >> 5 != 2:
        raise cf.RecordError("header", "payload is not a byte string")
    ai = ib & 31
    if ai < 24:
        n = ai
    elif ai <= 27:
        w = 1 << (ai - 24)
        n = int.from_bytes(rec[pos:pos + w], "big")
        pos += w
        if cf.head(2, n) != rec[43:pos]:
            raise cf.RecordError("non-shortest", "payload length head %s" % rec[43:pos].hex())
    else:
        raise cf.RecordError("header", "payload head 0x%02x" % ib)
    payload = rec[pos:pos + n]
    rest = rec[pos + n:]
    if len(payload) != n or len(rest) != 66 or rest[:2] != b"\x58\x40":
        raise cf.RecordError("header", "record does not end in 58 40 <64-byte signature>")
    return kid, payload, rest[2:]


def plain(v):
    """cbor2's decoded value as claimfmt values (floats etc. refused)."""
    if isinstance(v, dict):
        return {plain(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, cbor2.CBORTag):
        return cf.Tag(v.tag, plain(v.value))
    if v is None or isinstance(v, (bool, int, bytes, str)):
        return v
    raise cf.RecordError("schema", "cbor2 decoded a %s" % type(v).__name__)


def verify(rec):
    kid, doc = cf.check_record(rec)                                 # 1, 4, 5
    kid2, payload, sig = exact_envelope(rec)                        # 2
    if kid2 != kid or cf.assemble(cf.protected_header(kid), payload, sig) != rec:
        raise cf.RecordError("header", "envelope does not rebuild byte for byte")
    again = cf.enc(plain(cbor2.loads(payload)))                     # 3
    if again != payload:
        raise cf.RecordError("unsorted", "payload re-encodes differently:\n  got  %s\n  want %s"
                             % (again.hex(), payload.hex()))
    if cf.enc(cf.decode(payload)) != payload:
        raise cf.RecordError("unsorted", "payload re-encodes differently (claimfmt decoder)")
    return cf.record_hash(rec)


def main(argv):
    hashes = len(argv) == 3 and argv[1] == "--hashes"
    if len(argv) != 2 and not hashes:
        sys.stderr.write("usage: verify_records.py [--hashes] FILE\n")
        return 2
    path = argv[-1]
    f = sys.stdin if path == "-" else open(path, encoding="ascii")
    with f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            hx = line.split("\t")[-1].strip()
            try:
                try:
                    rec = bytes.fromhex(hx)
                except ValueError:
                    raise cf.RecordError("malformed", "line is not hex")
                h = verify(rec)
            except cf.RecordError as e:
                sys.stdout.flush()
                sys.stderr.write("%s:%d: %s: %s\n" % (path, lineno, e.code, e.msg))
                return 1
            fields = line.split("\t")
            if hashes and (len(fields) != 2 or fields[0].strip() != h.hex()):
                sys.stdout.flush()
                sys.stderr.write("%s:%d: hash: the record hash given is %s, not %s\n"
                                 % (path, lineno, fields[0].strip(), h.hex()))
                return 1
            print("ok", h.hex())
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)     # quiet when piped into head
    sys.exit(main(sys.argv))
