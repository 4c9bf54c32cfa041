#!/usr/bin/python3
"""The published pages in a real browser (Debian's chromium and
chromium-driver, driven by python3-selenium):

  site_browser.py CLAIMD CLAIM EXAMPLES WORKDIR [--screenshots DIR]

loads examples/ into a real claimd as scripts/demo.sh does, publishes the
site (claim publish), then opens every page at 390 and 1280 px wide and
checks that the document is no wider than the window, that no element is
wider than (or sticks out of) its container, and that every internal link
lands on an existing page and, with a fragment, on an existing anchor.
Then claim publish --follow keeps another folder current as a claim is
added, and stops cleanly. With --screenshots, saves the karabakh-armenians topic page at 1280 and
390 px as DIR/site-karabakh-armenians-1280.png and -390.png.

Exit 77 (ctest's SKIP_RETURN_CODE) only when chromium cannot start here.
"""
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.parse

CLAIMD, CLAIM, EXAMPLES, WORK = map(os.path.abspath, sys.argv[1:5])
SHOTS = os.path.abspath(sys.argv[sys.argv.index("--screenshots") + 1]) \
    if "--screenshots" in sys.argv else None
WIDTHS = (390, 1280)
HOSTILE = "<script>alert(1)</script>"
failures = []


def check(cond, what):
    if not cond:
        print("FAIL " + what, flush=True)
        failures.append(what)


def run(*args, env=None, inp=None):
    r = subprocess.run(list(args), capture_output=True, text=True, env=env,
                       input=inp)
    if r.returncode != 0:
        raise SystemExit("%s: exit %d\n%s" % (args, r.returncode, r.stderr))
    return r.stdout


def load_examples():
    """A claimd loaded with examples/, as scripts/demo.sh does."""
    os.chdir(WORK)
    env = dict(os.environ)
    admin = run(CLAIM, "keygen", "--out", "admin.key").strip()
    desk = run(CLAIM, "keygen", "--out", "desk.key").strip()
    out = open("claimd.out", "w")
    d = subprocess.Popen([CLAIMD, "--data", "data", "--api",
                          "tcp://127.0.0.1:*", "--pub", "tcp://127.0.0.1:*",
                          "--admin-key", admin], stdout=out,
                         stderr=open("claimd.log", "w"))
    for _ in range(100):
        if "feed" in open("claimd.out").read():
            break
        time.sleep(0.1)
    api = [l.split()[1] for l in open("claimd.out") if l.startswith("api")]
    env["CLAIM_SERVER"] = api[0]
    for p in json.load(open(os.path.join(EXAMPLES, "parties.json"))):
        run(CLAIM, "--key", "admin.key", "party", "add", p["slug"],
            "--name", p["name"], env=env)
        run(CLAIM, "--key", "admin.key", "grant", desk, "--party",
            p["slug"], env=env)
    run(CLAIM, "--key", "desk.key", "submit",
        os.path.join(EXAMPLES, "narratives.jsonl"), env=env)
    # Text that means something to a browser, on a topic of its own (the
    # screenshots' topic stays as the examples have it).
    run(CLAIM, "--key", "desk.key", "submit", "-", env=env,
        inp=json.dumps({"party": "am-mfa", "topics": ["escaping"],
                        "statement": HOSTILE + " & <b>bold</b>",
                        "sources": [{"publisher": "<i>P</i>",
                                     "title": HOSTILE,
                                     "url": "javascript:alert(1)",
                                     "quote": "\"'><img src=x>"}]}))
    run(CLAIM, "publish", "--out", "site", env=env)
    return d, env


def checkpoint_size(path):
    try:
        return int(open(path).read().split("\n")[1])
    except (OSError, IndexError, ValueError):
        return -1


def follow(env):
    """claim publish --follow keeps a folder current, and stops cleanly."""
    cp = os.path.join(WORK, "followed", "checkpoint")
    f = subprocess.Popen([CLAIM, "publish", "--out", "followed", "--follow"],
                         env=env, stdout=subprocess.PIPE, text=True)
    for _ in range(200):
        if checkpoint_size(cp) > 0:
            break
        time.sleep(0.1)
    size = checkpoint_size(cp)
    check(size > 0, "--follow published the log")
    run(CLAIM, "--key", "desk.key", "submit", "-", env=env,
        inp=json.dumps({"party": "am-mfa", "topics": ["escaping"],
                        "statement": "A claim --follow must publish."}))
    for _ in range(200):
        if checkpoint_size(cp) > size:
            break
        time.sleep(0.1)
    check(checkpoint_size(cp) == size + 1,
          "--follow published the new claim: %d -> %d" %
          (size, checkpoint_size(cp)))
    f.terminate()
    check(f.wait(timeout=30) == 0, "--follow stops cleanly on SIGTERM")
    left = [n for r, _, ns in os.walk(os.path.join(WORK, "followed"))
            for n in ns if ".tmp." in n]
    check(not left, "no temporary file left: %s" % left)


class Ids(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = set()

    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("id", "name") and v:
                self.ids.add(v)


# Every element against its parent: wider than it, or out of its box.
OVERFLOW_JS = """
var bad = [];
var all = document.body.querySelectorAll('*');
for (var i = 0; i < all.length && bad.length < 5; i++) {
  var el = all[i], p = el.parentElement;
  var r = el.getBoundingClientRect(), q = p.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.width > q.width + 1 || r.left < q.left - 1 || r.right > q.right + 1)
    bad.push(el.tagName + '.' + el.className + ' ' + Math.round(r.width) +
             'px in ' + p.tagName + '.' + p.className + ' ' +
             Math.round(q.width) + 'px: ' +
             (el.textContent || '').slice(0, 40));
  if (el.scrollWidth > el.clientWidth + 1 &&
      getComputedStyle(el).overflowX === 'visible' &&
      el.clientWidth > 0)
    bad.push(el.tagName + '.' + el.className + ' content ' +
             el.scrollWidth + 'px in ' + el.clientWidth + 'px: ' +
             (el.textContent || '').slice(0, 40));
}
return [document.documentElement.scrollWidth, window.innerWidth, bad,
        Array.prototype.map.call(document.querySelectorAll('a[href]'),
                                 function (a) { return a.href; })];
"""


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        o = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
                  "--disable-dev-shm-usage", "--hide-scrollbars"):
            o.add_argument(a)
        o.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        drv = webdriver.Chrome(
            service=Service(shutil.which("chromedriver") or
                            "/usr/bin/chromedriver"), options=o)
    except Exception as e:  # noqa: BLE001 - any reason chromium cannot start
        print("SKIP: chromium cannot start here: %s" % e)
        return 77
    daemon, env = load_examples()
    try:
        site = os.path.abspath(os.path.join(WORK, "site"))
        pages = []
        for root, _, names in os.walk(site):
            pages += [os.path.join(root, n) for n in names
                      if n.endswith(".html")]
        pages.sort()
        ids = {}
        for p in pages:
            parser = Ids()
            parser.feed(open(p, encoding="utf-8").read())
            ids[p] = parser.ids
        check(len(pages) > 50, "the example site has %d pages" % len(pages))
        for p in pages:
            text = open(p, encoding="utf-8").read().lower()
            for bad in ("<script", "href=\"javascript", "<img", "<b>bold",
                        "<i>p</i>"):
                check(bad not in text, "%s holds %s unescaped" % (p, bad))
        esc = open(os.path.join(site, "topic", "escaping.html"),
                   encoding="utf-8").read()
        check("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;" in esc,
              "the hostile statement shown as text")
        check("<code>javascript:alert(1)</code>" in esc,
              "a URL that is not http(s) shown as text, not a link")
        # A claim page's heading names its party in full, however long
        # the name (a cut could also split a character).
        names = [p["name"] for p in
                 json.load(open(os.path.join(EXAMPLES, "parties.json")))]
        for p in pages:
            if "/claim/" not in p:
                continue
            h1 = re.search(r"<h1>(.*?)</h1>",
                           open(p, encoding="utf-8").read(), re.S)
            check(h1 and any(html.unescape(h1.group(1)).endswith(" by " + n)
                             for n in names),
                  "%s: the heading names the party in full" % p)
        # The independence figure where people look: on the cards of the
        # topic page, and on the claim page with its primary sources (the
        # report rests on the interview and the statement: examples/).
        topic = open(os.path.join(site, "topic", "use-of-force.html"),
                     encoding="utf-8").read()
        check("independent</a>" in topic and "#independence\"" in topic,
              "the topic page's cards say how many sources are independent")
        check("cites 1 source, resting on 2 independent primary "
              "sources</a>" in
              "".join(open(p, encoding="utf-8").read() for p in pages),
              "a claim citing only the report rests on its two roots")
        claim_pages = [p for p in pages if "/claim/" in p and
                       "cites 1 source, resting on 2 independent" in
                       open(p, encoding="utf-8").read()]
        check(claim_pages and all(
            'id="independence"' in open(p, encoding="utf-8").read() and
            "resting on 2 independent primary sources: followed "
            "upstream" in
            open(p, encoding="utf-8").read() for p in claim_pages),
              "the claim page lists the primary sources")
        links = 0
        for w in WIDTHS:
            drv.set_window_size(w, 900)
            for p in pages:
                drv.get("file://" + p)
                sw, iw, bad, hrefs = drv.execute_script(OVERFLOW_JS)
                rel = os.path.relpath(p, site)
                check(sw <= iw, "%s at %d px: document %d px wide, window %d"
                      % (rel, w, sw, iw))
                check(not bad, "%s at %d px: %s" % (rel, w, bad))
                if w != WIDTHS[0]:
                    continue
                for h in hrefs:
                    u = urllib.parse.urlsplit(h)
                    if u.scheme != "file":
                        continue
                    links += 1
                    target = urllib.parse.unquote(u.path)
                    if os.path.isdir(target):
                        target = os.path.join(target, "index.html")
                    check(os.path.isfile(target),
                          "%s links to %s: no such page" % (rel, h))
                    if u.fragment and target in ids:
                        check(u.fragment in ids[target],
                              "%s links to %s: no such anchor" % (rel, h))
        check(links > 100, "%d internal links checked" % links)
        follow(env)
        print("%d pages at %s px, %d internal links" %
              (len(pages), " and ".join(map(str, WIDTHS)), links))
        if SHOTS:
            page = os.path.join(site, "topic", "karabakh-armenians.html")
            for w in (1280, 390):
                drv.set_window_size(w, 900)
                drv.get("file://" + page)
                drv.set_window_size(w, 2200)
                drv.save_screenshot(os.path.join(
                    SHOTS, "site-karabakh-armenians-%d.png" % w))
    finally:
        drv.quit()
        daemon.terminate()
        daemon.wait()
    if failures:
        print("%d failed" % len(failures))
        return 1
    print("all passed")
    return 0


sys.exit(main())
