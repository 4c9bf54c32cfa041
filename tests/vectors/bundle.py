#!/usr/bin/python3
"""An independent verifier of claim's proof bundles (docs/protocol.md,
Proof bundles), written from the C2SP signed-note and tlog-checkpoint
specifications and RFC 9162, sharing no code with the C verifier: the
Merkle verification is merkle.py's, Ed25519 is python3-cryptography's.

Usage
  bundle.py KEY FILE...   check each bundle FILE under the verifier key KEY
                          (name+keyid+base64); print "ok FILE" for each,
                          exit 1 with the reason at the first that fails.
"""

import base64
import binascii
import hashlib
import json
import os
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import merkle  # noqa: E402


class Bad(Exception):
    pass


def b64(s, n=None):
    try:
        b = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise Bad("not base64: %r" % s)
    if base64.b64encode(b).decode() != s or (n is not None and len(b) != n):
        raise Bad("not canonical base64 of %s bytes: %r" % (n, s))
    return b


def parse_vkey(vkey):
    name, keyid, key = vkey.split("+", 2)
    key = b64(key, 33)
    if key[0] != 1:
        raise Bad("not an Ed25519 verifier key")
    want = hashlib.sha256(name.encode() + b"\n" + key).digest()[:4]
    if bytes.fromhex(keyid) != want:
        raise Bad("the key id does not match the name and key")
    return name, want, key[1:]


def open_note(note, name, keyid, pk):
    """The signed text of a C2SP signed note, if (name, pk) signed it."""
    text, sep, sigs = note.rpartition("\n\n")
    if not sep or not note.endswith("\n"):
        raise Bad("malformed note")
    text += "\n"
    for line in sigs[:-1].split("\n"):
        if not line.startswith("\u2014 "):
            raise Bad("malformed signature line")
        who, sig = line[2:].split(" ", 1)
        sig = b64(sig)
        if who != name or sig[:4] != keyid:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(pk).verify(
                sig[4:], text.encode())
        except InvalidSignature:
            raise Bad("the signature of %s does not verify" % name)
        return text
    raise Bad("not signed by %s" % name)


def checkpoint(note, key):
    name, keyid, pk = key
    lines = open_note(note, name, keyid, pk).split("\n")
    if lines[0] != name:
        raise Bad("checkpoint of another log, %r" % lines[0])
    if not lines[1].isdigit() or (lines[1] != "0" and lines[1][0] == "0"):
        raise Bad("bad size line")
    return int(lines[1]), b64(lines[2], 32)


def exact_keys(b, want, optional=()):
    keys = set(b)
    if not set(want) <= keys or not keys <= set(want) | set(optional):
        raise Bad("fields %s, not %s" % (sorted(keys), sorted(want)))


def size_of(v):
    if type(v) is not int or v < 0:
        raise Bad("not a size: %r" % v)
    return v


def verify(b, key):
    proof = [b64(h, 32) for h in b.get("proof", [])]
    if b.get("type") == "inclusion":
        exact_keys(b, ("type", "checkpoint", "index", "size", "record",
                       "hash", "proof"))
        size, root = checkpoint(b["checkpoint"], key)
        if size_of(b["size"]) != size:
            raise Bad("size is not the checkpoint's")
        leaf = merkle.leaf_hash(b64(b["record"]))
        if leaf.hex() != b["hash"]:
            raise Bad("hash is not the record's")
        if not merkle.verify_inclusion(size_of(b["index"]), size, leaf,
                                       proof, root):
            raise Bad("the inclusion proof does not verify")
    elif b.get("type") == "consistency":
        exact_keys(b, ("type", "checkpoint", "old_size", "new_size",
                       "old_root", "proof"), ("old_checkpoint",))
        size, root = checkpoint(b["checkpoint"], key)
        if size_of(b["new_size"]) != size:
            raise Bad("new_size is not the checkpoint's")
        m, old_root = size_of(b["old_size"]), b64(b["old_root"], 32)
        if m == 0:
            ok = not proof and old_root == hashlib.sha256(b"").digest()
        else:
            ok = merkle.verify_consistency(m, size, proof, old_root, root)
        if not ok:
            raise Bad("the consistency proof does not verify")
        if "old_checkpoint" in b and \
                checkpoint(b["old_checkpoint"], key) != (m, old_root):
            raise Bad("old_checkpoint is not the old tree's")
    else:
        raise Bad("unknown type")


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: bundle.py KEY FILE...\n")
        return 2
    key = parse_vkey(argv[1])
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                verify(json.load(f), key)
        except (Bad, ValueError, KeyError, TypeError, AttributeError) as e:
            print("FAIL %s: %s" % (path, e))
            return 1
        print("ok %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
