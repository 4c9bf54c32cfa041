#!/usr/bin/python3
"""Checks claim's ClaimReview and PROV exports with independent tools.

    interop_check.py FIXTURES_DIR CLAIMREVIEW.jsonl PROV.json LOG.jsonl

* round trip: every ClaimReview of the fixtures (read here with the
  standard library's json and html.parser, not claim's reader) is in the
  ClaimReview export with the same claim text, claimant, fact-checker,
  rating text and value, review URL and dates;
* JSON-LD: each exported ClaimReview expanded by pyld (python3-pyld)
  against schema.org terms, no term dropped. pyld cannot fetch
  https://schema.org offline: its document loader here serves a local
  copy of the schema.org context, cut down to the terms ClaimReview markup
  uses, each defined as schema.org defines it, and no @vocab, so that a
  term schema.org does not have would be dropped and found;
* PROV: the PROV-JSON document read by python3-prov holds the numbers of
  entities, agents and relations that the log export (decoded here with
  python3-cbor2) implies.

Exit 0 when all hold; each failure is a line on stderr, exit 1.
"""
import base64
import collections
import decimal
import html.parser
import json
import os
import sys

import cbor2
from pyld import jsonld
import prov.model
import prov

SCHEMA = "https://schema.org/"
# The terms of https://schema.org/docs/jsonldcontext.json that the export
# uses, as that context defines them (dates typed schema:Date, url @id).
TERMS = ["ClaimReview", "Claim", "Rating", "Organization", "Person",
         "CreativeWork", "Thing", "headline", "identifier", "claimReviewed",
         "author", "reviewRating", "alternateName", "ratingValue",
         "bestRating", "worstRating", "itemReviewed", "appearance",
         "publisher", "name", "firstAppearance"]
CONTEXT = {"@context": dict(
    {"schema": SCHEMA,
     "url": {"@id": "schema:url", "@type": "@id"},
     "datePublished": {"@id": "schema:datePublished", "@type": "schema:Date"}},
    **{t: {"@id": "schema:" + t} for t in TERMS})}

failures = []


def fail(msg, *args):
    failures.append(msg % args)


def loader(url, options=None):
    if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
        return {"contentType": "application/ld+json", "contextUrl": None,
                "documentUrl": url, "document": CONTEXT}
    raise jsonld.JsonLdError("offline: no document " + url, "loading document failed")


# ---------------------------------------------------------------- fixtures

class Scripts(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.blocks, self.inside = [], False

    def handle_starttag(self, tag, attrs):
        self.inside = tag == "script" and dict(attrs).get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.blocks.append(data)


def values(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if path.endswith(".html"):
        p = Scripts()
        p.feed(text)
        return [json.loads(b) for b in p.blocks]
    if path.endswith(".jsonl"):
        out = []
        for line in text.splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out
    return [json.loads(text)]


def reviews(v, ctx=None):
    if isinstance(v, list):
        for x in v:
            yield from reviews(x, ctx)
        return
    if not isinstance(v, dict):
        return
    ctx = v.get("@context", ctx)
    if v.get("@type") == "ClaimReview":
        if ctx is not None:
            yield v
        return
    yield from reviews(v.get("@graph", []), ctx)


def name(v):
    if isinstance(v, list):
        v = v[0]
    return v if isinstance(v, str) else (v or {}).get("name")


def num(v):
    try:
        return decimal.Decimal(str(v))
    except (decimal.InvalidOperation, ValueError):
        return None


def rating_text(r):
    return r.get("alternateName") or r.get("name") or str(r.get("ratingValue"))


def check_roundtrip(fixtures, exported):
    want = []
    for fn in sorted(os.listdir(fixtures)):
        for v in values(os.path.join(fixtures, fn)):
            for r in reviews(v):
                item = r.get("itemReviewed", {})
                if r.get("claimReviewed") and name(item.get("author")) and \
                        (r.get("reviewRating") or {}).get("@type"):
                    rr = r["reviewRating"]
                    if not (rr.get("alternateName") or rr.get("name") or "ratingValue" in rr):
                        continue
                    want.append(r)
    by_url = {}
    for r in exported:
        by_url.setdefault(r.get("url"), []).append(r)
    if len(want) < 30:
        fail("only %d fixture reviews, not 30", len(want))
    for w in want:
        got = [g for g in by_url.get(w["url"], [])
               if g["claimReviewed"] == w["claimReviewed"]]
        if len(got) != 1:
            fail("%s: %d exported reviews", w["url"], len(got))
            continue
        g = got[0]
        wr, gr = w["reviewRating"], g["reviewRating"]
        wi, gi = w["itemReviewed"], g["itemReviewed"]
        checks = [
            ("claimant", name(wi.get("author")), name(gi.get("author"))),
            ("fact-checker", name(w["author"]), name(g["author"])),
            ("rating text", rating_text(wr), gr.get("alternateName")),
            ("review date", (w.get("datePublished") or "")[:10] or None, g.get("datePublished")),
            ("claim date", (wi.get("datePublished") or "")[:10] or None, gi.get("datePublished")),
        ]
        for k in ("ratingValue", "bestRating", "worstRating"):
            if num(wr.get(k)) is not None:
                checks.append((k, num(wr.get(k)), num(gr.get(k))))
        for what, a, b in checks:
            if a != b:
                fail("%s: %s %r exported as %r", w["url"], what, a, b)
    return len(want)


# ---------------------------------------------------------------- JSON-LD

def keys_and_types(v, keys, types):
    if isinstance(v, list):
        for x in v:
            keys_and_types(x, keys, types)
    elif isinstance(v, dict):
        for k, x in v.items():
            if k == "@type":
                types[x] += 1
            elif not k.startswith("@"):
                keys[k] += len(x) if isinstance(x, list) else 1
                keys_and_types(x, keys, types)


def expanded_counts(v, keys, types):
    if isinstance(v, list):
        for x in v:
            expanded_counts(x, keys, types)
    elif isinstance(v, dict):
        for k, x in v.items():
            if k == "@type":
                for t in x if isinstance(x, list) else [x]:
                    types[t] += 1
            elif not k.startswith("@"):
                keys[k] += len(x) if isinstance(x, list) else 1
                expanded_counts(x, keys, types)


def check_jsonld(exported):
    jsonld.set_document_loader(loader)
    for r in exported:
        keys, types = collections.Counter(), collections.Counter()
        keys_and_types(r, keys, types)
        ex = jsonld.expand(r)
        ekeys, etypes = collections.Counter(), collections.Counter()
        expanded_counts(ex, ekeys, etypes)
        for k, n in keys.items():
            if ekeys.get(SCHEMA + k) != n:
                fail("%s: term %r: %d in the export, %r after expansion",
                     r.get("url"), k, n, ekeys.get(SCHEMA + k))
        for t, n in types.items():
            if etypes.get(SCHEMA + t) != n:
                fail("%s: type %r dropped or unknown", r.get("url"), t)
        if set(ekeys) - {SCHEMA + k for k in keys}:
            fail("%s: unexpected properties %r", r.get("url"), set(ekeys))


# ---------------------------------------------------------------- PROV

def log_payloads(path):
    with open(path) as f:
        for line in f:
            if line.strip():
                rec = cbor2.loads(base64.b64decode(json.loads(line)["record"]))
                yield cbor2.loads(rec.value[2])


def check_prov(prov_path, log_path):
    want = collections.Counter()
    publishers = set()
    for p in log_payloads(log_path):
        if p["kind"] == "party":
            want["agents"] += 1
        if p["kind"] != "claim":
            continue
        want["entities"] += 1 + len(p["sources"])
        want["attributions"] += 1 + len(p["sources"])
        want["revisions"] += p["version"] > 1
        for s in p["sources"]:
            publishers.add(s["publisher"])
            want["derivations"] += 1 + (2 if "derivation" in s else 0)
            want["quotations"] += ("quote" in s) + \
                ("derivation" in s and s["derivation"]["how"] == "quotes")
            want["primary"] += "derivation" in s
    want["agents"] += len(publishers)
    want["derivations"] += want["revisions"]

    doc = prov.read(prov_path, format="json")
    got = collections.Counter()
    got["entities"] = len(list(doc.get_records(prov.model.ProvEntity)))
    got["agents"] = len(list(doc.get_records(prov.model.ProvAgent)))
    got["attributions"] = len(list(doc.get_records(prov.model.ProvAttribution)))
    for d in doc.get_records(prov.model.ProvDerivation):
        got["derivations"] += 1
        for t in d.get_asserted_types():
            got[{prov.model.PROV["Revision"]: "revisions",
                 prov.model.PROV["Quotation"]: "quotations",
                 prov.model.PROV["PrimarySource"]: "primary"}.get(t, "other")] += 1
    for k in ("entities", "agents", "attributions", "derivations", "revisions",
              "quotations", "primary"):
        if got[k] != want[k]:
            fail("PROV: %d %s, the log implies %d", got[k], k, want[k])
    return got


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    fixtures, cr_path, prov_path, log_path = sys.argv[1:]
    with open(cr_path, encoding="utf-8") as f:
        exported = [json.loads(line) for line in f if line.strip()]
    n = check_roundtrip(fixtures, exported)
    check_jsonld(exported)
    got = check_prov(prov_path, log_path)
    for m in failures:
        print("interop_check: " + m, file=sys.stderr)
    if failures:
        sys.exit(1)
    print("interop_check: %d reviews round trip; %d ClaimReview expanded by pyld; "
          "PROV: %s" % (n, len(exported), dict(sorted(got.items()))))


if __name__ == "__main__":
    main()
