#!/usr/bin/env python3
"""Pasting a fix never runs what the bundle holds.

Usage: fix-injection.py FLUXDIAG SRC_DIR

Analyzes sample-bundles/hostile-fix-injection, whose names, namespaces, URLs, secretRefs, a
condition message a rule captures from, a readyz check, a pod (from its log path) and the
manifest's Flux namespace carry $(...), backticks, ';', both quotes and newlines, in every
format that prints fixes. Every fix line printed is run, whole and from each ': ' after which a
command starts, with bash and with dash, in an empty directory, with PATH holding only stub
commands that record their argv. The test fails if a run creates a file (the payloads write
pwned-* files), if bash looks up a command that is neither a stub nor the first word of a prose
line, or if an argument an injected option would produce reaches a stub. It also checks that
the values reach the stubs intact: quoting must not change them.
"""
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

fluxdiag, src = sys.argv[1], sys.argv[2]
bundle = os.path.join(src, "sample-bundles", "hostile-fix-injection")
env0 = dict(os.environ, FLUXDIAG_RULES_DIR=os.path.join(src, "rules"), LC_ALL="C", NO_COLOR="1")

STUBS = """kubectl flux helm jq git grep tail head sort wc tr cat curl sops kustomize openssl
ssh-keyscan etcdctl crictl journalctl mc aws gsutil crane fio date nc fluxdiag-collect""".split()

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def hostile(base, tag):
    """The values the bundle's generator put in: see the bundle's files."""
    return (f"{base}$(touch${{IFS}}pwned-{tag}-1)`:>pwned-{tag}-2`;:>pwned-{tag}-3;"
            f"'$(:>pwned-{tag}-4)'\"$(:>pwned-{tag}-5)\"\n:>pwned-{tag}-6")


NAME = hostile("podinfo", "name")
NS = hostile("apps", "ns")
URL = "https://github.com/acme/podinfo;:>pwned-url-0 #" + hostile("", "url")
SECRET = "creds'$(:>pwned-ref-0)'" + hostile("", "ref")
KNAME = hostile("apps", "ks")
CAPNS = hostile("team-b", "cap").replace('"', "")
FLUXNS = hostile("flux-system", "fluxns")
POD = "source-controller-$(touch${IFS}pwned-pod-1)`touch${IFS}pwned-pod-2`;touch${IFS}pwned-pod-3;'"
HOST = ("git.example.com$(touch${IFS}pwned-host-1)`touch${IFS}pwned-host-2`;"
        "touch${IFS}pwned-host-3;'$(touch${IFS}pwned-host-4)'\"x\"")


def analyze(fmt):
    p = subprocess.run([fluxdiag, "analyze", "--format", fmt, "--fail-on", "none", bundle],
                       capture_output=True, env=env0)
    if p.returncode != 0:
        fail(f"{fmt}: exit {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p.stdout.decode("utf-8")


def fixes_json(out):
    return [l for f in json.loads(out)["findings"] for l in f["fix"]]


def fixes_sarif(out):
    return [l for run in json.loads(out)["runs"] for r in run["results"]
            for l in r["properties"]["fix"]]


def fixes_text(out):
    got, cur = [], None
    for line in out.split("\n"):
        m = re.match(r"^    \d+\. (.*)$", line)
        if m:
            cur = len(got)
            got.append(m.group(1))
        elif cur is not None and line.startswith("       ") and not line.startswith("        "):
            got[cur] += "\n" + line[7:]
        else:
            cur = None
    return got


def fixes_markdown(out):
    got = []
    for line in out.split("\n"):
        m = re.match(r"^\d+\. (`+) (.*) \1$", line)
        if m:
            got.append(m.group(2))
    return got


def fixes_junit(out):
    return [html.unescape(m) for m in re.findall(r"^  fix: (.*)$", out, re.M)]


def fixes_html(out):
    got = []
    for ol in re.findall(r"<p><b>Fix</b></p>\s*<ol>(.*?)</ol>", out, re.S):
        got += [html.unescape(m) for m in re.findall(r"<li><pre>(.*?)</pre></li>", ol, re.S)]
    return got


EXTRACT = {"json": fixes_json, "sarif": fixes_sarif, "text": fixes_text,
           "markdown": fixes_markdown, "junit": fixes_junit, "html": fixes_html}

reference = None
lines = []
for fmt, extract in EXTRACT.items():
    got = extract(analyze(fmt))
    if reference is None:
        reference = sorted(got)
        lines = list(dict.fromkeys(got))
        if len(lines) < 20:
            fail(f"json: only {len(lines)} fix lines; the bundle should produce more")
    elif sorted(got) != reference:
        fail(f"{fmt}: prints other fix lines than json ({len(got)} vs {len(reference)}): "
             f"{sorted(set(got) ^ set(reference))[:3]}")
    else:
        print(f"ok: {fmt} prints the same {len(got)} fix lines")

work = tempfile.mkdtemp(prefix="fd-fix-injection-")
stubdir = os.path.join(work, "bin")
os.mkdir(stubdir)
argv_log = os.path.join(work, "argv.log")
notfound_log = os.path.join(work, "notfound.log")
for name in STUBS:
    path = os.path.join(stubdir, name)
    with open(path, "w") as f:
        f.write(f"#!{sys.executable}\nimport json, sys\n"
                f"with open({argv_log!r}, 'a') as f:\n"
                f"    f.write(json.dumps([{name!r}] + sys.argv[1:]) + '\\n')\n")
    os.chmod(path, 0o755)

BASH_WRAP = ('command_not_found_handle() { printf "%s\\n" "$1" >> "$FD_NOTFOUND"; return 127; }\n'
             'eval "$FD_FIX"\n')


PLACEHOLDER = re.compile(r"<[a-z][a-z -]*>")


def candidates(line):
    """The whole line, and each part after ': ' that starts with a command (what a reader
    would copy out of 'fix it in Git, then: flux reconcile ...'); each also with its
    placeholders (<user>, <kind>) filled in, as a reader would before running it."""
    out = [(line, line.split(None, 1)[0] if line.strip() else "")]
    for m in re.finditer(r": ", line):
        rest = line[m.end():]
        first = rest.split(None, 1)[0] if rest.strip() else ""
        if first in STUBS:
            out.append((rest, None))
    return out + [(PLACEHOLDER.sub("filled", c), a) for c, a in out if PLACEHOLDER.search(c)]


def run(shell, cmd, allowed):
    run_dir = os.path.join(work, "run")
    os.mkdir(run_dir)
    for p in (notfound_log,):
        if os.path.exists(p):
            os.unlink(p)
    env = {"PATH": stubdir, "HOME": run_dir, "FD_FIX": cmd, "FD_NOTFOUND": notfound_log,
           "LC_ALL": "C"}
    argv = ["/bin/bash", "--norc", "--noprofile", "-c", BASH_WRAP] if shell == "bash" \
        else ["/bin/dash", "-c", cmd]
    try:
        subprocess.run(argv, cwd=run_dir, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
    except subprocess.TimeoutExpired:
        fail(f"{shell}: timed out running: {cmd!r}")
    created = os.listdir(run_dir)
    if created:
        fail(f"{shell}: running {cmd!r} created {created}")
    shutil.rmtree(run_dir)
    if os.path.exists(notfound_log):
        for name in open(notfound_log).read().split("\n"):
            if name and name != allowed:
                fail(f"{shell}: running {cmd!r} looked up the command {name!r}")


runs = 0
for line in lines:
    for cmd, allowed in candidates(line):
        for shell in ("bash", "dash"):
            run(shell, cmd, allowed)
            runs += 1
print(f"ok: ran {runs} commands from {len(lines)} fix lines")

calls = [json.loads(l) for l in open(argv_log)] if os.path.exists(argv_log) else []
for c in calls:
    for a in c[1:]:
        if a.startswith(("--kubeconfig", "--upload-pack")):
            fail(f"an injected option reached {c[0]}: {c!r}")


def reached(desc, pred):
    if not any(pred(c) for c in calls):
        fail(f"no stub received {desc} intact")
    else:
        print(f"ok: {desc} reached a stub intact")


# bash calls only: dash has no $'...' and writes the newlines of these values differently
reached("the GitRepository name", lambda c: c[:4] == ["flux", "reconcile", "source", "git"]
        and NAME in c and NS in c)
reached("the secretRef name", lambda c: c[:4] == ["flux", "create", "secret", "git"]
        and SECRET in c and "--url=" + URL in c)
reached("the secretRef inside the JSON patch", lambda c: c[0] == "kubectl" and "patch" in c
        and any(a.startswith("{") and json.loads(a).get("spec", {}).get("secretRef", {})
                .get("name") == SECRET for a in c))
reached("the Kustomization name and namespace", lambda c: c[:3] == ["flux", "reconcile",
                                                                   "kustomization"]
        and KNAME in c and NS in c)
reached("the captured namespace", lambda c: c == ["kubectl", "get", "namespace", CAPNS])
reached("the manifest's Flux namespace", lambda c: c[:2] == ["kubectl", "-n"]
        and c[2] == FLUXNS)
reached("the Flux namespace inside --as", lambda c: c[0] == "kubectl" and
        f"--as=system:serviceaccount:{FLUXNS}:kustomize-controller" in c)
reached("the pod from the log path", lambda c: c[0] == "kubectl" and "logs" in c and POD in c)
reached("the captured host", lambda c: c[0] == "kubectl" and "nslookup" in c and HOST in c)
reached("the readyz check, percent-encoded", lambda c: c[:3] == ["kubectl", "get", "--raw"]
        and c[3].startswith("/readyz/etcd%24%28"))
reached("a URL that looks like an option, as a placeholder",
        lambda c: c == ["git", "ls-remote", "<--upload-pack=:>pwned-dash;x>"])

shutil.rmtree(work)
print(f"{0 if failures else 1} passed, {1 if failures else 0} failed")
sys.exit(1 if failures else 0)
