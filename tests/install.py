#!/usr/bin/python3
"""make install, checked: what it puts where, and that it holds together.

usage: install.py SOURCE_DIR BUILD_DIR BUILD_TYPE sanitize|plain

(sanitize: libclaim was built with the sanitizers, and so must be the
program linked with it.)

Runs `make install DESTDIR=...` on BUILD_DIR with the PREFIX it was
configured with (so that its cache stays as it was), then checks:
the installed claim and claimd run (--help); the man pages pass
`mandoc -Tlint` and name every verb and option that --help shows; the
bash completion offers every verb and every option of each verb; the
systemd unit passes `systemd-analyze verify`; a program builds against
libclaim with pkg-config alone and runs.

The verbs and options are read from the installed programs' --help, so a
new verb or option fails here by name until claim.1, claimd.8 and
claim.bash in dist/ describe it.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def run(args, **kw):
    return subprocess.run(args, capture_output=True, text=True, **kw)


def options_in(help_text):
    """The options a --help text shows: in its usage line(s) and at the
    start of its option lines ("  --out FILE  what it does")."""
    found = set()
    for line in help_text.splitlines():
        if line.startswith("usage:") or line.startswith("       claimd"):
            found |= set(re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", line))
        elif re.match(r"^ {2,}-", line):
            for tok in line.split():
                tok = tok.rstrip(",")
                if re.fullmatch(r"--?[a-z][a-z-]*", tok):
                    found.add(tok)
                elif not re.fullmatch(r"[A-Z][A-Z|-]*", tok):
                    break
    return found


def verbs_in(help_text):
    """claim --help: the verbs, each first word of the list."""
    body = help_text.split("\n\n")
    verbs = []
    for para in body:
        lines = para.splitlines()
        if lines and all(re.match(r"^  [a-z]", l) for l in lines):
            verbs += [l.split()[0] for l in lines]
    return verbs


def mdoc_option(opt):
    """How an option is written in mdoc: Fl -out for --out, Fl v for -v."""
    return "Fl " + opt[1:]


def main():
    src, build = sys.argv[1], os.path.abspath(sys.argv[2])
    build_type = sys.argv[3]
    sanitize = sys.argv[4] == "sanitize"
    tmp = tempfile.mkdtemp(prefix="claimd-install.")
    root = os.path.join(tmp, "root")
    try:
        check(src, build, build_type, sanitize, tmp, root)
    finally:
        shutil.rmtree(tmp)
    if failures:
        print("%d failures" % len(failures))
        sys.exit(1)
    print("ok")


def check(src, build, build_type, sanitize, tmp, root):
    prefix = "/usr/local"
    with open(os.path.join(build, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith("CMAKE_INSTALL_PREFIX:"):
                prefix = line.split("=", 1)[1].strip()
    args = ["make", "--no-print-directory", "-C", src, "install",
            "BUILD=" + build, "DESTDIR=" + root, "PREFIX=" + prefix]
    if build_type:
        args.append("TYPE=" + build_type)
    # Not the settings of a make that runs this test (make test PREFIX=...).
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    r = run(args, env=env)
    if r.returncode != 0:
        fail("make install: exit %d\n%s%s" % (r.returncode, r.stdout,
                                             r.stderr))
        return
    usr = root + prefix
    libdir = None
    for dirpath, _, files in os.walk(usr):
        if "libclaim.a" in files:
            libdir = dirpath
    expected = ["bin/claim", "bin/claimd", "share/man/man1/claim.1",
                "share/man/man8/claimd.8", "lib/systemd/system/claimd.service",
                "share/bash-completion/completions/claim",
                "share/bash-completion/completions/claimd",
                "include/claim/claim.h", "include/claim/proto.h"]
    for f in expected:
        if not os.path.isfile(os.path.join(usr, f)):
            fail("make install did not install %s/%s" % (prefix, f))
    if libdir is None:
        fail("make install did not install libclaim.a")
        return
    for f in ["libclaim-proto.a", "pkgconfig/libclaim.pc"]:
        if not os.path.isfile(os.path.join(libdir, f)):
            fail("make install did not install %s/%s" % (libdir, f))
    if failures:
        return

    claim = os.path.join(usr, "bin/claim")
    claimd = os.path.join(usr, "bin/claimd")

    # The installed commands run.
    r = run([claim, "--help"])
    if r.returncode != 0 or not r.stdout.startswith("usage: claim"):
        fail("installed claim --help: exit %d: %s" % (r.returncode,
                                                     r.stdout[:200]))
    top_help = r.stdout
    r = run([claimd, "--help"])
    if r.returncode != 0 or not r.stdout.startswith("usage: claimd"):
        fail("installed claimd --help: exit %d" % r.returncode)
    claimd_help = r.stdout
    for prog in (claim, claimd):
        r = run([prog, "--version"])
        if r.returncode != 0 or not re.match(r"claimd? \d", r.stdout):
            fail("%s --version: %r" % (prog, r.stdout))

    verbs = verbs_in(top_help)
    if len(verbs) < 20 or "submit" not in verbs:
        fail("cannot read the verbs from claim --help: %r" % verbs)
        return
    common = set()
    in_common = False
    for line in top_help.splitlines():
        if line.startswith("Common options"):
            in_common = True
        elif in_common and re.match(r"^  -", line):
            common |= options_in(line)
        elif in_common and not line.strip():
            in_common = False
    if not {"--server", "--key", "--timeout", "--json"} <= common:
        fail("cannot read the common options from claim --help: %r" % common)
    verb_opts = {}
    for v in verbs:
        r = run([claim, v, "--help"])
        if r.returncode != 0:
            fail("claim %s --help: exit %d" % (v, r.returncode))
        verb_opts[v] = options_in(r.stdout) - {"--help"}
    daemon_opts = options_in(claimd_help)
    if not {"--data", "--check", "--backup", "-v", "--verbose",
            "--feed-hwm"} <= daemon_opts:
        fail("cannot read the options from claimd --help: %r" % daemon_opts)

    check_man(usr, tmp, verbs, verb_opts, common, daemon_opts)
    check_completion(usr, verbs, verb_opts, common, daemon_opts)
    check_unit(usr, prefix, tmp)
    check_pkgconfig(root, libdir, tmp, sanitize)


def check_man(usr, tmp, verbs, verb_opts, common, daemon_opts):
    # mandoc resolves Xr in the current folder: both pages side by side.
    mandir = os.path.join(tmp, "man")
    os.mkdir(mandir)
    for page in ("man1/claim.1", "man8/claimd.8"):
        shutil.copy(os.path.join(usr, "share/man", page), mandir)
    r = run(["mandoc", "-Tlint", "claim.1", "claimd.8"], cwd=mandir)
    if r.returncode != 0 or r.stdout or r.stderr:
        fail("mandoc -Tlint: exit %d\n%s%s" % (r.returncode, r.stdout,
                                              r.stderr))
    claim1 = open(os.path.join(mandir, "claim.1")).read()
    claimd8 = open(os.path.join(mandir, "claimd.8")).read()

    # Each verb is an item of COMMANDS (.It Cm VERB ...) that names each
    # of its options, up to the next verb.
    sections = {}
    current = None
    in_commands = False
    depth = 0
    for line in claim1.splitlines():
        if line.startswith(".Sh "):
            in_commands = line == ".Sh COMMANDS"
            current = None
            continue
        if not in_commands:
            continue
        if line.startswith(".Bl"):
            depth += 1
        elif line.startswith(".El"):
            depth -= 1
        elif depth == 1 and line.startswith(".It Cm "):
            current = line.split()[2]
            sections.setdefault(current, "")
        if current is not None:
            sections[current] += line + "\n"
    for v in verbs:
        if v not in sections:
            fail("claim.1 does not describe the verb %s" % v)
            continue
        for opt in sorted(verb_opts[v]):
            if not re.search(re.escape(mdoc_option(opt)) + r"\b",
                             sections[v]):
                fail("claim.1 does not describe %s of claim %s" % (opt, v))
    for v in sections:
        if v not in verbs:
            fail("claim.1 describes a verb claim does not have: %s" % v)
    for opt in sorted(common | {"--help", "--version"}):
        if not re.search(re.escape(".It " + mdoc_option(opt)) + r"\b",
                         claim1):
            fail("claim.1 does not describe the common option %s" % opt)
    for var in ("CLAIM_SERVER", "CLAIM_KEY", "CLAIM_TIMEOUT", "CLAIM_FEED",
                "CLAIM_PASSPHRASE_FILE", "CLAIM_SERVER_KEY",
                "CLAIM_CURVE_KEY"):
        if ".It Ev " + var + "\n" not in claim1:
            fail("claim.1 does not describe %s" % var)
    for opt in sorted(daemon_opts):
        if not re.search(re.escape(mdoc_option(opt)) + r"\b", claimd8):
            fail("claimd.8 does not describe %s" % opt)
    for page, text in (("claim.1", claim1), ("claimd.8", claimd8)):
        for sh in ("EXIT STATUS", "EXAMPLES", "FILES"):
            if ".Sh " + sh + "\n" not in text:
                fail("%s has no %s" % (page, sh))


def complete(script, words, func="_claim"):
    """What the completion function offers for the command line words,
    the last one being completed."""
    prog = ". \"$1\"; shift; COMP_WORDS=(\"$@\"); " \
        "COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); %s; " \
        "printf '%%s\\n' \"${COMPREPLY[@]}\"" % func
    r = run(["bash", "--norc", "--noprofile", "-c", prog, "bash", script]
            + words)
    if r.returncode != 0 or r.stderr:
        fail("completion of %r: exit %d: %s" % (words, r.returncode,
                                                r.stderr))
    return [w for w in r.stdout.splitlines() if w]


def check_completion(usr, verbs, verb_opts, common, daemon_opts):
    comp = os.path.join(usr, "share/bash-completion/completions")
    script = os.path.join(comp, "claim")
    if open(script).read() != open(os.path.join(comp, "claimd")).read():
        fail("the completions of claim and claimd differ")
    got = complete(script, ["claim", "su"])
    if got != ["submit"]:
        fail("claim su<TAB> offers %r, not submit" % got)
    got = complete(script, ["claim", "submit", "--"])
    for opt in ("--window", "--attach", "--records", "--allow-duplicate",
                "--server", "--key"):
        if opt not in got:
            fail("claim submit --<TAB> does not offer %s: %r" % (opt, got))
    got = complete(script, ["claim", "--key", "desk.key", "submit", "--al"])
    if got != ["--allow-duplicate"]:
        fail("claim --key desk.key submit --al<TAB> offers %r" % got)
    got = complete(script, ["claim", "--timeout", "300", "pr"])
    if got != ["prove"]:
        fail("claim --timeout 300 pr<TAB> offers %r" % got)
    got = complete(script, ["claim", "prove", ""])
    if sorted(got) != ["consistency", "inclusion"]:
        fail("claim prove <TAB> offers %r" % got)
    got = complete(script, ["claim", ""])
    for v in verbs:
        if v not in got:
            fail("claim <TAB> does not offer the verb %s" % v)
    for v in got:
        if v not in verbs:
            fail("claim <TAB> offers %s, which claim --help does not show"
                 % v)
    got = complete(script, ["claim", "-"])
    for opt in common:
        if opt not in got:
            fail("claim -<TAB> does not offer %s" % opt)
    for v in verbs:
        got = complete(script, ["claim", v, "-"])
        for opt in sorted(verb_opts[v] | common):
            if opt not in got:
                fail("claim %s -<TAB> does not offer %s" % (v, opt))
    got = complete(script, ["claimd", "-"], "_claimd")
    for opt in daemon_opts:
        if opt not in got:
            fail("claimd -<TAB> does not offer %s" % opt)


def check_unit(usr, prefix, tmp):
    unit = open(os.path.join(usr, "lib/systemd/system/claimd.service")).read()
    exec_start = "ExecStart=" + prefix + "/bin/claimd"
    if not re.search("^" + re.escape(exec_start) +
                     r" --data /var/lib/claimd \$CLAIMD_OPTS$", unit, re.M):
        fail("claimd.service does not start %s/bin/claimd on "
             "/var/lib/claimd" % prefix)
    for want in ("DynamicUser=yes", "StateDirectory=claimd",
                 "ProtectSystem=strict", "ProtectHome=yes",
                 "NoNewPrivileges=yes", "PrivateTmp=yes",
                 "PrivateDevices=yes", "RestrictAddressFamilies=",
                 "SystemCallFilter=@system-service", "Restart=on-failure"):
        if not re.search("^" + re.escape(want), unit, re.M):
            fail("claimd.service has no %s" % want)
    # systemd-analyze verify checks that ExecStart's program exists: the
    # staged one stands in for PREFIX/bin/claimd. It works offline,
    # without systemd as PID 1; --man=no, as Documentation='s man pages
    # are not installed where man looks.
    staged = os.path.join(tmp, "claimd.service")
    with open(staged, "w") as f:
        f.write(unit.replace(exec_start,
                             "ExecStart=" + os.path.join(usr, "bin/claimd")))
    r = run(["systemd-analyze", "verify", "--man=no", staged], cwd=tmp)
    if r.returncode != 0 or r.stdout.strip() or r.stderr.strip():
        fail("systemd-analyze verify: exit %d\n%s%s" % (r.returncode,
                                                       r.stdout, r.stderr))


def check_pkgconfig(root, libdir, tmp, sanitize):
    prog = os.path.join(tmp, "uses_libclaim.c")
    with open(prog, "w") as f:
        f.write("""#include <stdio.h>
#include <stdlib.h>
#include <jansson.h>
#include <claim.h>

int
main(void)
{
	json_t *d = NULL;
	char *s = claim_diff_words("the checkpoint was closed",
	    "the checkpoint was opened", &d) == PROTO_OK
	    ? json_dumps(d, JSON_COMPACT) : NULL;

	if (s == NULL)
		return 1;
	printf("%s\\n%s\\n", proto_strerror(PROTO_OK), s);
	free(s);
	json_decref(d);
	return 0;
}
""")
    env = dict(os.environ, PKG_CONFIG_SYSROOT_DIR=root,
               PKG_CONFIG_PATH=os.path.join(libdir, "pkgconfig"))
    r = run(["pkg-config", "--cflags", "--libs", "libclaim"], env=env)
    if r.returncode != 0:
        fail("pkg-config libclaim: %s" % r.stderr)
        return
    exe = os.path.join(tmp, "uses_libclaim")
    flags = ["-fsanitize=address,undefined"] if sanitize else []
    r = run(["cc", "-std=c11", "-Wall", "-Werror", prog, "-o", exe]
            + flags + r.stdout.split())
    if r.returncode != 0:
        fail("a program with pkg-config's flags for libclaim does not "
             "build:\n" + r.stderr)
        return
    r = run([exe])
    if r.returncode != 0 or "opened" not in r.stdout:
        fail("the program built with libclaim: exit %d: %s" % (
            r.returncode, r.stdout))


if __name__ == "__main__":
    main()
