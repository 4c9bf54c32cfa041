#!/usr/bin/python3
"""Check the example narratives against the seed documents.

Validates parties.json and narratives.jsonl in this folder:

  * JSON syntax (no duplicate keys), the shape of every line and every field;
  * party and topic slugs, calendar dates, field sizes and control characters
    (the limits of docs/format.md);
  * every quote is a verbatim substring of the seed file whose SHA-256 the
    source gives, and every such SHA-256 is that of a file in seeds/;
  * statements are paraphrases: none shares a run of OWN_WORDS_N words with a
    seed document;
  * "@label" references point at claims defined on earlier lines; revisions
    keep the party, have a note and change what the claim says; a retracted
    claim is neither revised nor related to again;
  * derivation indexes name another source of the same claim and never loop;
    at least one chain of three sources exists;
  * the counts the examples promise (claims, parties, disputes between
    different parties, revisions, exactly one retraction).

Prints a summary; exits 0 when clean, 1 on any problem, 2 on a usage error.
Standard library only.
"""

import datetime
import hashlib
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_DIR = os.path.join(HERE, "seeds")
PARTIES_FILE = os.path.join(HERE, "parties.json")
NARRATIVES_FILE = os.path.join(HERE, "narratives.jsonl")

# The shared topic vocabulary. Every topic used must be listed here and every
# topic listed must be used; README.md describes the same list.
TOPICS = {
    "normalization": "Armenia-Azerbaijan normalization as a whole",
    "peace-treaty": "the bilateral peace / interstate-relations agreement",
    "border-delimitation": "border commissions, the Almaty Declaration",
    "transport-communications": "unblocking transport and economic links",
    "trilateral-statement-2020": "the 10 November 2020 ceasefire statement",
    "trilateral-statement-2021": "the 11 January 2021 statement and working group",
    "karabakh-war-2020": "the 44-day war of autumn 2020",
    "september-2023-operation": "Azerbaijan's 19-20 September 2023 operation",
    "use-of-force": "threats or use of military force",
    "territorial-integrity": "recognition of borders and territorial integrity",
    "karabakh-armenians": "the Armenian population of Karabakh, its rights and talks",
    "lachin-checkpoint": "the checkpoint on the Lachin road (April 2023)",
    "icj-cerd-case": "Armenia v. Azerbaijan (CERD) at the ICJ",
    "prisoners-of-war": "Armenian prisoners held by Azerbaijan",
    "cultural-heritage": "destruction of historical and religious sites",
    "mediation-eu": "EU-facilitated talks (Charles Michel)",
    "mediation-russia": "Russian-facilitated talks and peacekeepers",
    "mediation-us": "US-facilitated talks",
    "armenia-turkiye-normalization": "the Armenia-Türkiye normalization process",
}

MIN_CLAIMS = 40
MIN_PARTIES = 6
MIN_DISPUTES = 8          # disputes relations between claims of different parties
MIN_REVISIONS = 3
RETRACTIONS = 1           # exactly
MAX_TOPICS = 3
MIN_CHAIN = 3             # sources in the longest derivation chain
MAX_QUOTE_CHARS = 600     # a quote is one sentence or a clause
OWN_WORDS_N = 8           # shared word run that marks a copied statement

RELS = {"supports", "disputes", "cites"}
HOWS = {"quotes", "reports", "translates", "summarizes", "republishes"}

# Byte limits from docs/format.md.
LIMIT = {"statement": 8192, "quote": 4096, "note": 2048, "reason": 2048,
         "name": 2048, "url": 2048, "publisher": 1024, "title": 1024}
MAX_SOURCES = 64
MAX_RELATIONS = 64

SLUG_RE = re.compile(r"[a-z0-9-]{1,64}\Z")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
HEX64_RE = re.compile(r"[0-9a-f]{64}\Z")
LABEL_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
BAD_CHAR_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
WORD_RE = re.compile(r"[0-9a-z]+")

CLAIM_KEYS = {"party", "topics", "statement", "made", "sources", "relations", "note"}
SOURCE_KEYS = {"publisher", "title", "url", "published", "quote", "sha256", "derivation"}

problems = []


def problem(where, msg):
    problems.append("%s: %s" % (where, msg))


def no_dup_keys(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise ValueError("duplicate key %r" % k)
        obj[k] = v
    return obj


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_text(where, name, v, required=True, oneline=False):
    """A text field: type, emptiness, size and forbidden characters."""
    if not isinstance(v, str):
        problem(where, "%s is not a string" % name)
        return False
    if required and not v.strip():
        problem(where, "%s is empty" % name)
        return False
    if name in LIMIT and len(v.encode("utf-8")) > LIMIT[name]:
        problem(where, "%s is over %d bytes" % (name, LIMIT[name]))
    if BAD_CHAR_RE.search(v):
        problem(where, "%s holds a control character" % name)
    if oneline and ("\n" in v or "\r" in v):
        problem(where, "%s spans a line break" % name)
    return True


def check_date(where, name, v):
    if not isinstance(v, str) or not DATE_RE.match(v):
        problem(where, "%s %r is not YYYY-MM-DD" % (name, v))
        return
    try:
        datetime.date.fromisoformat(v)
    except ValueError:
        problem(where, "%s %r is not a calendar date" % (name, v))


def words(text):
    return WORD_RE.findall(text.lower().replace("\u2019", "'"))


def ngrams(seq, n):
    return {tuple(seq[i:i + n]) for i in range(len(seq) - n + 1)}


# --------------------------------------------------------------------------
# Seeds
# --------------------------------------------------------------------------

def load_seeds():
    seeds = {}                       # sha256 -> (file name, text)
    if not os.path.isdir(SEED_DIR):
        problem("seeds", "folder %s is missing" % SEED_DIR)
        return seeds
    for name in sorted(os.listdir(SEED_DIR)):
        path = os.path.join(SEED_DIR, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read()
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            problem("seeds/" + name, "not valid UTF-8")
            continue
        seeds[hashlib.sha256(data).hexdigest()] = (name, text)
    if not seeds:
        problem("seeds", "no seed files")
    return seeds


# --------------------------------------------------------------------------
# Parties
# --------------------------------------------------------------------------

def load_parties():
    where = "parties.json"
    try:
        with open(PARTIES_FILE, encoding="utf-8") as f:
            data = json.load(f, object_pairs_hook=no_dup_keys)
    except (OSError, ValueError) as e:
        problem(where, "cannot read: %s" % e)
        return {}
    if not isinstance(data, list):
        problem(where, "not a JSON array")
        return {}
    parties = {}
    for i, p in enumerate(data):
        w = "%s[%d]" % (where, i)
        if not isinstance(p, dict) or set(p) != {"slug", "name"}:
            problem(w, "must be an object with exactly \"slug\" and \"name\"")
            continue
        slug = p["slug"]
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            problem(w, "slug %r is not 1-64 of [a-z0-9-]" % (slug,))
            continue
        if slug in parties:
            problem(w, "slug %r listed twice" % slug)
        check_text(w, "name", p["name"])
        parties[slug] = p["name"]
    return parties


# --------------------------------------------------------------------------
# Claim bodies
# --------------------------------------------------------------------------

def chain_depth(sources, where):
    """Longest derivation chain (in sources); reports loops. 0 if broken."""
    best = 0
    for start in range(len(sources)):
        seen = [start]
        cur = start
        while True:
            d = sources[cur].get("derivation") if isinstance(sources[cur], dict) else None
            if not isinstance(d, dict) or not is_int(d.get("from")):
                break
            nxt = d["from"]
            if not 0 <= nxt < len(sources):
                return 0
            if nxt in seen:
                problem(where, "derivation loop through sources %s" % (seen + [nxt]))
                return 0
            seen.append(nxt)
            cur = nxt
        best = max(best, len(seen))
    return best


def check_source(where, s, idx, count, seeds):
    if not isinstance(s, dict):
        problem(where, "source is not an object")
        return False
    extra = set(s) - SOURCE_KEYS
    if extra:
        problem(where, "unknown keys %s" % sorted(extra))
    for k in ("publisher", "title"):
        if k not in s:
            problem(where, "%s missing" % k)
        else:
            check_text(where, k, s[k], oneline=True)
    if "url" in s and check_text(where, "url", s["url"], oneline=True):
        if not re.match(r"https?://[^\s]+\Z", s["url"]):
            problem(where, "url %r is not an http(s) URL" % s["url"])
    if "published" in s:
        check_date(where, "published", s["published"])
    quoted = False
    if ("quote" in s) != ("sha256" in s):
        problem(where, "quote and sha256 go together (a quote from a document we hold)")
    elif "quote" in s:
        q, h = s["quote"], s["sha256"]
        if check_text(where, "quote", q, oneline=True):
            if len(q) > MAX_QUOTE_CHARS:
                problem(where, "quote is %d characters; keep it to a sentence or clause" % len(q))
            if q != q.strip():
                problem(where, "quote has leading or trailing blanks")
        if not isinstance(h, str) or not HEX64_RE.match(h):
            problem(where, "sha256 %r is not 64 lowercase hex digits" % (h,))
        elif h not in seeds:
            problem(where, "sha256 %s matches no file in seeds/" % h)
        elif isinstance(q, str):
            name, text = seeds[h]
            if q not in text:
                problem(where, "quote is not a verbatim substring of seeds/%s: %r" % (name, q[:80]))
            else:
                quoted = True
    if "derivation" in s:
        d = s["derivation"]
        if not isinstance(d, dict) or set(d) != {"from", "how"}:
            problem(where, "derivation must be {\"from\", \"how\"}")
        else:
            if not is_int(d["from"]) or not 0 <= d["from"] < count:
                problem(where, "derivation.from %r is not a source index (0-%d)" % (d["from"], count - 1))
            elif d["from"] == idx:
                problem(where, "derivation.from points at the source itself")
            if d["how"] not in HOWS:
                problem(where, "derivation.how %r is not one of %s" % (d["how"], sorted(HOWS)))
    return quoted


def check_body(where, d, parties, claims, seeds, seed_grams, self_label=None):
    """Checks the claim fields of a new claim or a revision.

    Returns (chain depth, relations as [(rel, label)]).
    """
    extra = set(d) - CLAIM_KEYS - {"ref", "revises"}
    if extra:
        problem(where, "unknown keys %s" % sorted(extra))
    for k in ("party", "topics", "statement", "sources"):
        if k not in d:
            problem(where, "%s missing" % k)

    party = d.get("party")
    if party is not None and party not in parties:
        problem(where, "party %r is not in parties.json" % (party,))

    topics = d.get("topics")
    if topics is not None:
        if not isinstance(topics, list) or not 1 <= len(topics) <= MAX_TOPICS:
            problem(where, "topics must be a list of 1-%d slugs" % MAX_TOPICS)
        else:
            for t in topics:
                if not isinstance(t, str) or not SLUG_RE.match(t):
                    problem(where, "topic %r is not a slug" % (t,))
                elif t not in TOPICS:
                    problem(where, "topic %r is not in the shared vocabulary" % t)
            if len(set(map(str, topics))) != len(topics):
                problem(where, "topics repeat")

    st = d.get("statement")
    if st is not None and check_text(where, "statement", st, oneline=True):
        common = ngrams(words(st), OWN_WORDS_N) & seed_grams
        if common:
            problem(where, "statement copies the seed text (%r); paraphrase it"
                    % " ".join(sorted(common)[0]))

    if "made" in d:
        check_date(where, "made", d["made"])
    if "note" in d:
        check_text(where, "note", d["note"])

    depth = 0
    sources = d.get("sources")
    if sources is not None:
        if not isinstance(sources, list) or not 1 <= len(sources) <= MAX_SOURCES:
            problem(where, "sources must be a list of 1-%d sources" % MAX_SOURCES)
        else:
            quoted = 0
            for i, s in enumerate(sources):
                if check_source("%s source %d" % (where, i), s, i, len(sources), seeds):
                    quoted += 1
            if not quoted:
                problem(where, "no source with a verified verbatim quote")
            depth = chain_depth(sources, where)

    rels = []
    relations = d.get("relations", [])
    if not isinstance(relations, list) or len(relations) > MAX_RELATIONS:
        problem(where, "relations must be a list of at most %d" % MAX_RELATIONS)
        relations = []
    targets = set()
    for i, r in enumerate(relations):
        w = "%s relation %d" % (where, i)
        if not isinstance(r, dict) or set(r) != {"rel", "claim"}:
            problem(w, "must be {\"rel\", \"claim\"}")
            continue
        if r["rel"] not in RELS:
            problem(w, "rel %r is not one of %s" % (r["rel"], sorted(RELS)))
        ref = r["claim"]
        if not isinstance(ref, str) or not ref.startswith("@"):
            problem(w, "claim %r is not an \"@label\"" % (ref,))
            continue
        label = ref[1:]
        if label not in claims:
            problem(w, "%s is not defined on an earlier line" % ref)
            continue
        if label == self_label:
            problem(w, "a claim cannot relate to itself")
        if claims[label]["retracted"]:
            problem(w, "%s is retracted" % ref)
        if label in targets:
            problem(w, "two relations to %s" % ref)
        targets.add(label)
        rels.append((r["rel"], label))
    return depth, rels


# --------------------------------------------------------------------------
# Narratives
# --------------------------------------------------------------------------

def main():
    if len(sys.argv) != 1:
        print("usage: %s   (checks the files next to it)" % sys.argv[0], file=sys.stderr)
        return 2

    seeds = load_seeds()
    seed_grams = set()
    for _, text in seeds.values():
        seed_grams |= ngrams(words(text), OWN_WORDS_N)
    parties = load_parties()

    claims = {}        # label -> state of the claim
    order = []         # labels in definition order
    n_lines = n_new = n_rev = n_ret = 0
    quoted_seeds = set()

    try:
        with open(NARRATIVES_FILE, encoding="utf-8") as fh:
            text_lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        problem("narratives.jsonl", "cannot read: %s" % e)
        text_lines = []
    for lineno, line in enumerate(text_lines, 1):
        n_lines += 1
        where = "narratives.jsonl:%d" % lineno
        if not line.strip():
            problem(where, "blank line")
            continue
        try:
            d = json.loads(line, object_pairs_hook=no_dup_keys)
        except ValueError as e:
            problem(where, "bad JSON: %s" % e)
            continue
        if not isinstance(d, dict):
            problem(where, "not a JSON object")
            continue
        kinds = [k for k in ("ref", "revises", "retracts") if k in d]
        if len(kinds) != 1:
            problem(where, "needs exactly one of \"ref\", \"revises\", \"retracts\"")
            continue
        kind = kinds[0]

        if kind == "ref":
            label = d["ref"]
            if not isinstance(label, str) or not LABEL_RE.match(label):
                problem(where, "ref %r is not a label" % (label,))
                continue
            if label in claims:
                problem(where, "label %r defined twice" % label)
                continue
            if "note" in d:
                problem(where, "a new claim carries no note")
            depth, rels = check_body(where, d, parties, claims, seeds, seed_grams)
            claims[label] = {"party": d.get("party"), "line": lineno, "retracted": False,
                             "versions": 1, "depth": depth, "rels": rels, "body": d}
            order.append(label)
            n_new += 1

        elif kind == "revises":
            ref = d["revises"]
            label = ref[1:] if isinstance(ref, str) and ref.startswith("@") else None
            if label not in claims:
                problem(where, "revises %r: no claim with that label on an earlier line" % (ref,))
                continue
            c = claims[label]
            if c["retracted"]:
                problem(where, "revises %s, which is retracted" % ref)
            if d.get("party") != c["party"]:
                problem(where, "revision changes the party (%r to %r)" % (c["party"], d.get("party")))
            if not d.get("note"):
                problem(where, "a revision needs a note saying why")
            content = ("party", "statement", "topics", "made", "sources", "relations")
            if all(d.get(k) == c["body"].get(k) for k in content):
                problem(where, "revision changes nothing the claim says (docs/format.md, Versions)")
            depth, rels = check_body(where, d, parties, claims, seeds, seed_grams, self_label=label)
            c.update(versions=c["versions"] + 1, depth=depth, rels=rels, body=d)
            n_rev += 1

        else:
            ref = d["retracts"]
            label = ref[1:] if isinstance(ref, str) and ref.startswith("@") else None
            extra = set(d) - {"retracts", "reason"}
            if extra:
                problem(where, "unknown keys %s" % sorted(extra))
            if label not in claims:
                problem(where, "retracts %r: no claim with that label on an earlier line" % (ref,))
                continue
            if claims[label]["retracted"]:
                problem(where, "%s is already retracted" % ref)
            if "reason" not in d:
                problem(where, "a retraction needs a reason")
            else:
                check_text(where, "reason", d["reason"])
            claims[label].update(retracted=True, versions=claims[label]["versions"] + 1)
            n_ret += 1

    # Relations into a claim retracted later, and the counts, use each
    # claim's current head.
    live = [l for l in order if not claims[l]["retracted"]]
    disputes, supports, cites = [], 0, 0
    for l in live:
        c = claims[l]
        for rel, target in c["rels"]:
            t = claims[target]
            if t["retracted"]:
                problem("claim @%s" % l, "relates to @%s, which was retracted later" % target)
            if rel == "disputes":
                if t["party"] == c["party"]:
                    problem("claim @%s" % l, "disputes @%s of the same party" % target)
                else:
                    disputes.append((l, target))
            elif rel == "supports":
                supports += 1
            else:
                cites += 1
        for s in c["body"].get("sources", []):
            if isinstance(s, dict) and s.get("sha256") in seeds:
                quoted_seeds.add(seeds[s["sha256"]][0])

    per_party = {}
    for l in live:
        per_party[claims[l]["party"]] = per_party.get(claims[l]["party"], 0) + 1
    for slug in parties:
        if slug not in per_party:
            problem("parties.json", "party %r asserts nothing in the narratives" % slug)
    used_topics = {t for l in live for t in claims[l]["body"].get("topics", []) if isinstance(t, str)}
    for t in sorted(set(TOPICS) - used_topics):
        problem("topics", "vocabulary topic %r is never used" % t)
    for name in sorted({n for n, _ in seeds.values()} - quoted_seeds):
        problem("seeds/" + name, "never quoted")

    depths = [claims[l]["depth"] for l in live]
    chains3 = sum(1 for x in depths if x >= MIN_CHAIN)

    if n_new < MIN_CLAIMS:
        problem("counts", "%d claims, want at least %d" % (n_new, MIN_CLAIMS))
    if len(parties) < MIN_PARTIES:
        problem("counts", "%d parties, want at least %d" % (len(parties), MIN_PARTIES))
    if len(disputes) < MIN_DISPUTES:
        problem("counts", "%d disputes between different parties, want at least %d" % (len(disputes), MIN_DISPUTES))
    if not supports:
        problem("counts", "no supports relation")
    if n_rev < MIN_REVISIONS:
        problem("counts", "%d revisions, want at least %d" % (n_rev, MIN_REVISIONS))
    if n_ret != RETRACTIONS:
        problem("counts", "%d retractions, want exactly %d" % (n_ret, RETRACTIONS))
    if chains3 == 0:
        problem("counts", "no derivation chain of %d sources" % MIN_CHAIN)

    print("seeds:       %d files, %d quoted" % (len(seeds), len(quoted_seeds)))
    print("parties:     %d" % len(parties))
    print("lines:       %d (claims %d, revisions %d, retractions %d)" % (n_lines, n_new, n_rev, n_ret))
    print("live claims: %d" % len(live))
    print("topics:      %d used of %d: %s" % (len(used_topics), len(TOPICS), ", ".join(sorted(used_topics))))
    print("relations:   disputes %d (between different parties), supports %d, cites %d"
          % (len(disputes), supports, cites))
    print("derivation:  longest chain %d sources; %d claims with a chain of %d or more"
          % (max(depths or [0]), chains3, MIN_CHAIN))
    print("claims per party:")
    for slug in parties:
        print("  %-32s %d" % (slug, per_party.get(slug, 0)))
    print("disputes:")
    for a, b in disputes:
        print("  %s (@%s) disputes %s (@%s)" % (claims[a]["party"], a, claims[b]["party"], b))

    if problems:
        print("\n%d problem(s):" % len(problems), file=sys.stderr)
        for p in problems:
            print("  " + p, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
