#!/usr/bin/env python3
"""The verdict per cause in every format against golden files in tests/formats/coverage/.

Usage: coverage_golden.py FLUXDIAG SRC [--update]
Cases: a bundle collected against a closed port (every cause but apiserver cannot be told), the
healthy sample (backlog cannot be told), and a bundle whose collecting user was forbidden to list
NetworkPolicies, with a hostile user name in kubectl's message (escaping in every format).
The part of each report that carries the verdict is cut out and compared byte for byte.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

fluxdiag, src = sys.argv[1], sys.argv[2]
update = "--update" in sys.argv
gold = os.path.join(src, "tests", "formats", "coverage")
passed = failed = 0

HOSTILE_USER = 'sa:<img src=x onerror=alert(1)>|`x`\x1b[31m**bold**'
MANIFEST = {
    "format": "fluxdiag-bundle/v1", "collected_at": "2026-11-20T09:14:03Z",
    "collector": {"name": "fluxdiag-collect", "version": "0.1.0"}, "flux_namespace": "flux-system",
    "commands": [
        {"argv": ["kubectl", "get", "--raw", "/readyz?verbose"], "output": "cluster/readyz.txt",
         "rc": 0, "stderr": "", "duration_ms": 40},
        {"argv": ["kubectl", "get", "networkpolicies.networking.k8s.io", "-A", "-o", "yaml"],
         "output": None, "rc": 1, "duration_ms": 88,
         "stderr": 'Error from server (Forbidden): networkpolicies.networking.k8s.io is forbidden: '
                   'User "%s" cannot list resource "networkpolicies" in API group '
                   '"networking.k8s.io" at the cluster scope' % HOSTILE_USER},
    ]}
KS = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec: {interval: 10m, path: ./apps, sourceRef: {kind: GitRepository, name: flux-system}}
status:
  conditions:
  - {type: Ready, status: "True", reason: ReconciliationSucceeded, message: "Applied revision: main@sha1:0c3b1f2", lastTransitionTime: "2026-11-20T09:00:00Z"}
"""


def cut(fmt, out):
    """The verdict part of a report."""
    if fmt == "text":
        lines = out.split("\n")
        i = next(k for k, l in enumerate(lines) if l.startswith("CAUSES ("))
        j = lines.index("", i)
        return "\n".join(lines[i - 2:j]) + "\n"
    if fmt == "markdown":
        i = out.index("## Causes checked")
        return out[i:out.index("\n\n", out.index("| cause |", i)) + 1]
    if fmt == "html":
        i = out.index('<h2 id="causes">')
        return out[i:out.index("</ul>\n", i) + 6]
    if fmt == "json":
        return json.dumps(json.loads(out)["coverage"], indent=2, ensure_ascii=True) + "\n"
    if fmt == "sarif":
        notes = json.loads(out)["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        return json.dumps([n for n in notes if n["level"] == "note"], indent=2, ensure_ascii=True) + "\n"
    if fmt == "junit":
        i = out.index('  <testsuite name="fluxdiag.coverage"')
        return out[i:out.index("  </testsuite>\n", i) + 15]
    raise ValueError(fmt)


with tempfile.TemporaryDirectory() as tmp:
    hostile = os.path.join(tmp, "forbidden-netpol")
    os.makedirs(os.path.join(hostile, "resources"))
    os.makedirs(os.path.join(hostile, "cluster"))
    with open(os.path.join(hostile, "manifest.json"), "w") as f:
        json.dump(MANIFEST, f)
    with open(os.path.join(hostile, "resources", "kustomizations.yaml"), "w") as f:
        f.write(KS)
    with open(os.path.join(hostile, "cluster", "readyz.txt"), "w") as f:
        f.write("[+]ping ok\n[+]etcd ok\nreadyz check passed\n")
    cases = {"apiserver-connection-refused": os.path.join(src, "sample-bundles", "apiserver-connection-refused"),
             "healthy-cluster": os.path.join(src, "sample-bundles", "healthy-cluster"),
             "forbidden-netpol": hostile}
    for case, bundle in cases.items():
        for fmt in ("text", "markdown", "html", "json", "sarif", "junit"):
            p = subprocess.run([fluxdiag, "analyze", "--format", fmt, "--fail-on", "none", bundle],
                               capture_output=True, timeout=120)
            name = "%s.%s" % (case, fmt)
            try:
                got = cut(fmt, p.stdout.decode("utf-8"))
            except (ValueError, KeyError, IndexError, StopIteration) as e:
                failed += 1
                print("FAIL: %s: no verdict in the report (%r), exit %d" % (name, e, p.returncode))
                continue
            path = os.path.join(gold, name)
            if update:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(got)
            want = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            if got != want:
                failed += 1
                print("FAIL: %s differs from tests/formats/coverage/%s:\n%s" % (name, name, got[:1500]))
                continue
            passed += 1
            if case == "forbidden-netpol":  # kubectl's message is untrusted text
                raw = got
                bad = {"text": [r"\x1b"], "markdown": [r"\x1b", r"(?<!\\)<img", r"(?<!\\)\|`x"],
                       "html": [r"\x1b", "<img"], "junit": [r"\x1b", "<img"],
                       "json": [r"\x1b"], "sarif": [r"\x1b"]}[fmt]
                if any(re.search(b, raw) for b in bad):
                    failed += 1
                    print("FAIL: %s: untrusted text not escaped" % name)
                elif "forbidden for the collecting user" not in raw:
                    failed += 1
                    print("FAIL: %s: the forbidden step is not named" % name)
                else:
                    passed += 1

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
