#!/usr/bin/python3
"""claim publish and claim verify --tiles, end to end, checked by Go's own
tlog code (tests/vectors/tiles.go), not the project's:

  tiles_test.py CLAIM MAKE_LOG VECTORS WORKDIR

- sizes around tile boundaries (255, 256, 257 and 65,536 + 1 entries):
  the published folder passes tiles.go (checkpoint signature, tiles,
  bundles, root, inclusion proofs) and claim verify --tiles;
- a second publish after more entries rewrites no tile or bundle (inode
  and mtime unchanged), a third with nothing new writes nothing;
- claim verify --tiles over a real HTTP server (python3 -m http.server on
  loopback) passes on the site, and fails on a changed byte of every tile,
  every bundle and the checkpoint, and on a missing tile.
"""
import os
import shutil
import subprocess
import sys

CLAIM, MAKE_LOG, VECTORS, WORK = sys.argv[1:5]
# Offline, from Debian's packages, whatever the user's Go settings.
GOENV = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
             GOCACHE=os.path.join(os.path.abspath(WORK), "gocache"),
             GOFLAGS="", GOENV="off", GOPROXY="off",
             HOME=os.environ.get("HOME") or os.path.abspath(WORK))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def make_log(n, d, *sizes, env=None):
    os.makedirs(d, exist_ok=True)
    r = run(MAKE_LOG, str(n), d, *[str(s) for s in sizes], env=env)
    assert r.returncode == 0, r.stderr
    with open(os.path.join(d, "log.vkey")) as f:
        vkey = f.read().strip()
    with open(os.path.join(d, "admin.pub")) as f:
        admin = f.read().strip()
    return vkey, admin


def publish(d, site, size, vkey, *more):
    return run(CLAIM, "publish", "--out", site, "--export",
               os.path.join(d, "export.jsonl"), "--checkpoint",
               os.path.join(d, "checkpoint.%d" % size), "--log-key", vkey,
               *more)


def files(site):
    out = {}
    for root, _, names in os.walk(site):
        for n in names:
            p = os.path.join(root, n)
            st = os.stat(p)
            out[os.path.relpath(p, site)] = (st.st_ino, st.st_mtime_ns)
    return out


def go_check(site, vkey):
    return run(GOCHECK, site, vkey, env=GOENV)


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
GOCHECK = os.path.join(os.path.abspath(WORK), "tiles-check")
r = run("go", "build", "-o", GOCHECK, os.path.join(VECTORS, "tiles.go"),
        env=GOENV)
assert r.returncode == 0, "go build: " + r.stderr

# Tile boundaries: (entries, tiles tlog expects)
for n, tiles in ((255, 1), (256, 2), (257, 3), (65537, 259)):
    d = os.path.join(WORK, "log%d" % n)
    vkey, admin = make_log(n, d)
    site = os.path.join(d, "site")
    # 65,535 claim pages would only slow the test: tiles only.
    r = publish(d, site, n, vkey, *(["--no-pages"] if n > 1000 else []))
    check(r.returncode == 0, "publish %d entries: %s" % (n, r.stdout.strip()
                                                         or r.stderr.strip()))
    r = go_check(site, vkey)
    check(r.stdout.strip() == "ok %d %d" % (n, tiles),
          "Go tlog checks the site of %d entries: %s" %
          (n, (r.stdout + r.stderr).strip()))
    r = run(CLAIM, "verify", "--tiles", site, "--log-key", vkey,
            "--admin-key", admin)
    check(r.returncode == 0 and r.stdout.startswith("ok: %d entries" % n),
          "claim verify --tiles on %d entries: %s" %
          (n, (r.stdout + r.stderr).strip().splitlines()[0]))

# The empty log: a checkpoint and no tile, read as such by both.
d = os.path.join(WORK, "empty")
vkey, admin = make_log(2, d, 0)
site = os.path.join(d, "site")
r = publish(d, site, 0, vkey)
check(r.returncode == 0, "publish the empty log: " + r.stderr.strip())
r = go_check(site, vkey)
check(r.stdout.strip() == "ok 0 0", "Go tlog reads the empty log: " +
      (r.stdout + r.stderr).strip())
r = run(CLAIM, "verify", "--tiles", site, "--log-key", vkey)
check(r.returncode == 0 and r.stdout.startswith("ok: 0 entries"),
      "claim verify --tiles on the empty log")

# A second publish after more entries rewrites no tile.
d = os.path.join(WORK, "grow")
vkey, admin = make_log(1000, d, 300, 1000)
site = os.path.join(d, "site")
r = publish(d, site, 300, vkey)
check(r.returncode == 0, "publish 300 of 1000")
before = files(site)
r = publish(d, site, 1000, vkey)
check(r.returncode == 0, "publish 1000: " + r.stdout.strip())
after = files(site)
changed = [p for p in before
           if p.startswith("tile/") and after.get(p) != before[p]]
check(not changed, "no tile or bundle of the first publish rewritten: %s" %
      changed[:5])
check(after["checkpoint"] != before["checkpoint"], "the checkpoint replaced")
check("tile/0/000" in before and "tile/entries/000" in before,
      "the first publish had full tiles")
check(go_check(site, vkey).stdout.startswith("ok 1000 "),
      "Go tlog checks the grown site")
r = publish(d, site, 1000, vkey)
check(r.returncode == 0 and " 0 files written" in r.stdout and
      os.path.exists(os.path.join(site, "index.html")),
      "a third publish writes nothing: " + r.stdout.strip())
check(files(site) == after, "and changes nothing")
tmp = [p for p in after if ".tmp." in p]
check(not tmp, "no temporary file left: %s" % tmp)
# An older checkpoint is not published over a newer one.
r = publish(d, site, 300, vkey)
check(r.returncode != 0 and "newer" in r.stderr,
      "an older checkpoint refused: " + r.stderr.strip())
# Another log under the same key into the same folder: refused, nothing
# replaced.
d2 = os.path.join(WORK, "other")
make_log(1000, d2, env=dict(os.environ, MAKE_LOG_TOPIC="other"))
r = publish(d2, site, 1000, vkey)
check(r.returncode != 0 and "another log" in r.stderr,
      "another log's entries refused: " + r.stderr.strip())
check(files(site) == after, "and nothing of the site replaced")
# The folder's full bundles are read, not fetched again: one altered is
# found, and nothing is published.
bundle = os.path.join(site, "tile/entries/000")
with open(bundle, "rb") as f:
    orig = f.read()
with open(bundle, "r+b") as f:
    f.seek(100)
    f.write(bytes([orig[100] ^ 1]))
r = publish(d, site, 1000, vkey)
check(r.returncode != 0 and "damaged copy" in r.stderr,
      "an altered bundle in the folder stops the publish: " + r.stderr.strip())
with open(bundle, "wb") as f:
    f.write(orig)

# claim verify --tiles over HTTP.
d = os.path.join(WORK, "log257")
vkey, admin = make_log(257, d)
site = os.path.join(d, "site")
server = subprocess.Popen(
    ["/usr/bin/python3", "-u", "-m", "http.server", "0", "--bind",
     "127.0.0.1", "--directory", site],
    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
try:
    line = server.stdout.readline()
    port = int(line.split(" port ")[1].split()[0])
    url = "http://127.0.0.1:%d/" % port
    r = run(CLAIM, "verify", "--tiles", url, "--log-key", vkey,
            "--admin-key", admin)
    check(r.returncode == 0, "verify --tiles over HTTP passes: " +
          (r.stdout + r.stderr).strip().splitlines()[0])
    targets = sorted(p for p in files(site)
                     if p == "checkpoint" or p.startswith("tile/"))
    check(len(targets) == 6, "the site of 257: %s" % targets)
    for rel in targets:
        p = os.path.join(site, rel)
        with open(p, "rb") as f:
            orig = f.read()
        for at in (0, len(orig) // 2, len(orig) - 1):
            b = bytearray(orig)
            b[at] ^= 0x01
            with open(p, "wb") as f:
                f.write(b)
            r = run(CLAIM, "verify", "--tiles", url, "--log-key", vkey,
                    "--admin-key", admin)
            check(r.returncode == 1 and "claim: " in r.stderr,
                  "a changed byte %d of %s fails: %s" %
                  (at, rel, r.stderr.strip()[:150]))
        os.remove(p)
        r = run(CLAIM, "verify", "--tiles", url, "--log-key", vkey)
        check(r.returncode != 0, "a missing %s fails" % rel)
        with open(p, "wb") as f:
            f.write(orig)
    r = run(CLAIM, "verify", "--tiles", url, "--log-key", vkey,
            "--admin-key", admin)
    check(r.returncode == 0, "restored, it passes again")
finally:
    server.terminate()
    server.wait()

if failures:
    print("%d failed" % len(failures))
    sys.exit(1)
print("all passed")
