#!/usr/bin/env python3
"""Assertions on a bundle written by fluxdiag-collect. Python 3 standard library only.

Usage: check_bundle.py CASE BUNDLE.tar.gz [REQUEST_LOG]

Prints one line per check: "PASS: <name>" or "FAIL: <name>: <why>". Exit status is 0.
"""

import json
import os
import re
import shutil
import sys
import tarfile
import tempfile

RESULTS = []


def check(name, ok, why=""):
    RESULTS.append((name, bool(ok), why))


class Bundle:
    def __init__(self, path):
        self.path = path
        self.tmp = tempfile.mkdtemp(prefix="fluxdiag-check.")
        with tarfile.open(path, "r:gz") as t:
            self.names = t.getnames()
            for m in t.getmembers():
                if m.issym() or m.islnk() or m.name.startswith("/") or ".." in m.name.split("/"):
                    raise SystemExit("unsafe archive member: " + m.name)
            t.extractall(self.tmp)
        tops = sorted(os.listdir(self.tmp))
        self.top = os.path.join(self.tmp, tops[0]) if len(tops) == 1 else None
        self.topname = tops[0] if len(tops) == 1 else None
        self.manifest = None
        self.manifest_error = None
        if self.top:
            try:
                with open(os.path.join(self.top, "manifest.json"), "rb") as f:
                    self.manifest = json.loads(f.read().decode("utf-8"))
            except Exception as e:  # reported as a failed check
                self.manifest_error = repr(e)

    def read(self, rel):
        p = os.path.join(self.top, rel)
        if not os.path.isfile(p):
            return None
        with open(p, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def commands(self, *words):
        """manifest commands whose argv contains all the given words"""
        out = []
        for c in (self.manifest or {}).get("commands", []):
            if all(w in c["argv"] for w in words):
                out.append(c)
        return out


def common(b, name):
    """checks every bundle must pass"""
    check(name + ": archive has one top-level directory", b.top is not None)
    if not b.top:
        return False
    check(name + ": top-level directory is named fluxdiag-<context>-<timestamp>",
          re.match(r"^fluxdiag-[A-Za-z0-9._-]+-\d{8}T\d{6}Z$", b.topname), b.topname)
    check(name + ": manifest.json is the first archive entry",
          b.names and b.names[0] == b.topname + "/manifest.json", b.names[:2])
    first_log = min((i for i, n in enumerate(b.names) if "/logs/" in n), default=len(b.names))
    last_obj = max((i for i, n in enumerate(b.names) if "/resources/" in n or "/metrics/" in n),
                   default=-1)
    check(name + ": objects and metrics come before the logs", last_obj < first_log,
          (last_obj, first_log))
    check(name + ": manifest.json is valid JSON", b.manifest is not None, b.manifest_error)
    if b.manifest is None:
        return False
    m = b.manifest
    check(name + ": manifest header fields",
          m.get("format") == "fluxdiag-bundle/v1"
          and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", m.get("collected_at", ""))
          and m.get("collector", {}).get("name") == "fluxdiag-collect"
          and m.get("flux_namespace") == "flux-system", json.dumps(m)[:300])
    bad = []
    for c in m.get("commands", []):
        if not (isinstance(c.get("argv"), list) and c["argv"] and c["argv"][0] == "kubectl"
                and all(isinstance(a, str) for a in c["argv"])
                and (c.get("output") is None or isinstance(c["output"], str))
                and isinstance(c.get("rc"), int) and isinstance(c.get("stderr"), str)
                and isinstance(c.get("duration_ms"), int) and len(c["stderr"].encode()) <= 4096):
            bad.append(c)
        elif c["output"] is not None and not os.path.isfile(os.path.join(b.top, c["output"])):
            bad.append(c)
        elif c["rc"] != 0 and not c["stderr"]:
            bad.append(c)
    check(name + ": every command entry is well formed, its output exists, failures have stderr",
          m.get("commands") and not bad, json.dumps(bad)[:400])
    for dirpath, _, files in os.walk(b.top):
        for fn in files:
            p = os.path.join(dirpath, fn)
            with open(p, "rb") as f:
                data = f.read()
            if re.search(rb"SENTINEL", data):
                check(name + ": no planted secret in the bundle", False,
                      os.path.relpath(p, b.top) + ": " +
                      data[max(0, data.find(b"SENTINEL") - 60):data.find(b"SENTINEL") + 40]
                      .decode("utf-8", "replace"))
                break
        else:
            continue
        break
    else:
        check(name + ": no planted secret in the bundle", True)
    return True


def check_requests(name, reqlog, secrets_step_ran=True):
    with open(reqlog) as f:
        reqs = [json.loads(l) for l in f if l.strip()]
    bad = []
    for r in reqs:
        path = r["path"].split("?")[0]
        if re.search(r"/secrets(/|$)", path) and path.rstrip("/").split("/")[-1] != "secrets":
            bad.append(r)   # a single Secret was read
        elif re.search(r"/secrets$", path):
            if "as=Table" not in r["accept"] or "includeObject=Object" in r["path"]:
                bad.append(r)
    check(name + ": the server was never asked for Secret values", not bad, json.dumps(bad)[:400])
    if secrets_step_ran:
        check(name + ": the secrets list was requested as a Table",
              any(re.search(r"/secrets$", r["path"].split("?")[0]) for r in reqs))


def main():
    case, path = sys.argv[1], sys.argv[2]
    reqlog = sys.argv[3] if len(sys.argv) > 3 else None
    b = Bundle(path)
    try:
        run_checks(case, b, reqlog)
    finally:
        shutil.rmtree(b.tmp, ignore_errors=True)


def run_checks(case, b, reqlog):
    if not common(b, case):
        report()
        return
    m = b.manifest
    if reqlog:
        ran = any(c["rc"] != 124 for c in b.commands("get", "secrets"))
        check_requests(case, reqlog, ran)

    if case == "main":
        failed = [c for c in m["commands"] if c["rc"] != 0]
        check("main: no command failed", not failed, json.dumps(failed)[:400])
        for rel in ["cluster/version.yaml", "cluster/readyz.txt", "cluster/livez.txt",
                    "resources/gitrepositories.source.toolkit.fluxcd.io.yaml",
                    "resources/kustomizations.kustomize.toolkit.fluxcd.io.yaml",
                    "resources/helmreleases.helm.toolkit.fluxcd.io.yaml",
                    "resources/fluxinstances.fluxcd.controlplane.io.yaml",
                    "resources/resourcesets.fluxcd.controlplane.io.yaml",
                    "resources/customresourcedefinitions.yaml", "resources/nodes.yaml",
                    "resources/namespaces.yaml", "resources/pods.yaml",
                    "resources/deployments.yaml", "resources/replicasets.yaml",
                    "resources/services.yaml", "resources/endpoints.yaml",
                    "resources/serviceaccounts.yaml", "resources/leases.yaml",
                    "resources/networkpolicies.networking.k8s.io.yaml", "resources/events.yaml",
                    "resources/secrets.yaml", "resources/pods.metrics.k8s.io.yaml",
                    "logs/flux-system/source-controller-7d9f8b6c5d-x2x4q/manager.log",
                    "logs/flux-system/source-controller-7d9f8b6c5d-x2x4q/manager.previous.log",
                    "logs/kube-system/kube-apiserver-node-1/kube-apiserver.log",
                    "logs/kube-system/etcd-node-1/etcd.log",
                    "metrics/flux-system/source-controller-7d9f8b6c5d-x2x4q.prom"]:
            check("main: bundle has " + rel, b.read(rel) is not None)
        g = b.read("resources/gitrepositories.source.toolkit.fluxcd.io.yaml") or ""
        check("main: GitRepository podinfo with AuthenticationFailed is collected",
              "name: podinfo" in g and "reason: AuthenticationFailed" in g
              and "kind: List" in g and "kind: GitRepository" in g)
        check("main: password in a Git URL is redacted, the URL kept",
              "https://deploy:[REDACTED by fluxdiag]@git.example.com/org/private-repo.git" in g)
        check("main: PEM private key in an annotation is redacted",
              "BEGIN OPENSSH PRIVATE KEY" not in g and "[REDACTED by fluxdiag]" in g)
        d = b.read("resources/deployments.yaml") or ""
        check("main: secret env var value is redacted, the name kept",
              re.search(r"- name: GIT_PASSWORD\n +value: '\[REDACTED by fluxdiag\]'", d)
              and "value: http://proxy.example.com:3128" in d)
        check("main: last-applied-configuration is redacted",
              "kubectl.kubernetes.io/last-applied-configuration: '[REDACTED by fluxdiag]'" in d)
        s = b.read("resources/secrets.yaml") or ""
        check("main: secrets.yaml is a List of metadata-only Secrets",
              "kind: List" in s and s.count("kind: Secret") == 4 and 'name: "podinfo-auth"' in s
              and 'fluxdiag.io/data-count: "2"' in s and 'type: "helm.sh/release.v1"' in s
              and not re.search(r"^\s*(data|stringData):", s, re.M), s[:300])
        log = b.read("logs/flux-system/source-controller-7d9f8b6c5d-x2x4q/manager.log") or ""
        lines = [l for l in log.splitlines() if l.strip()]
        try:
            objs = [json.loads(l) for l in lines]
            ok = True
        except ValueError:
            ok = False
        check("main: controller log lines stay valid JSON after redaction", ok and lines)
        check("main: token in a log line is redacted",
              ok and any(o.get("msg", "").endswith("token=[REDACTED by fluxdiag]&x=1")
                         for o in objs)
              and "Authorization: Bearer [REDACTED by fluxdiag]" in log)
        check("main: log holds the Reconciler error of podinfo",
              ok and any(o.get("msg") == "Reconciler error"
                         and o.get("GitRepository", {}).get("name") == "podinfo" for o in objs))
        redaction_checks(b)
        crd = b.read("resources/customresourcedefinitions.yaml") or ""
        check("main: CRD list holds names and versions only",
              "name: gitrepositories.source.toolkit.fluxcd.io" in crd and "- name: v1" in crd
              and "openAPIV3Schema" not in crd)
        lg = b.commands("logs", "--previous")
        check("main: previous log fetched only for the restarted container",
              len(lg) == 1 and "source-controller-7d9f8b6c5d-x2x4q" in lg[0]["argv"])
        check("main: manifest summary", m.get("summary", {}).get("failed") == 0,
              json.dumps(m.get("summary")))

    elif case == "forbidden":
        c = b.commands("get", "secrets")
        check("forbidden: secrets call recorded as failed with the server's message",
              c and c[0]["rc"] != 0 and "Forbidden" in c[0]["stderr"] and c[0]["output"] is None,
              json.dumps(c)[:400])
        check("forbidden: no secrets.yaml written", b.read("resources/secrets.yaml") is None)
        check("forbidden: the rest was still collected",
              b.read("resources/gitrepositories.source.toolkit.fluxcd.io.yaml") is not None)

    elif case == "missing-crd":
        check("missing-crd: Flux Operator kinds are not asked for when not served",
              not b.commands("get", "resourcesets.fluxcd.controlplane.io"))
        c = b.commands("get", "imagepolicies.image.toolkit.fluxcd.io")
        check("missing-crd: missing CRD recorded",
              c and c[0]["rc"] != 0 and "doesn't have a resource type" in c[0]["stderr"],
              json.dumps(c)[:400])
        s = m.get("summary", {})
        check("missing-crd: summary lists missing CRDs and counts no failure",
              "imagepolicies.image.toolkit.fluxcd.io" in s.get("missing_crds", [])
              and s.get("failed") == 0, json.dumps(s))
        crd = b.read("resources/customresourcedefinitions.yaml") or ""
        check("missing-crd: other Flux kinds collected",
              b.read("resources/kustomizations.kustomize.toolkit.fluxcd.io.yaml") is not None
              and "imagepolicies" not in crd)

    elif case == "server-error":
        c = b.commands("get", "helmreleases.helm.toolkit.fluxcd.io")
        check("server-error: 500 recorded with the server's message",
              c and c[0]["rc"] != 0 and "etcdserver: request timed out" in c[0]["stderr"],
              json.dumps(c)[:400])
        r = b.read("cluster/readyz.txt") or ""
        c = b.commands("get", "--raw", "/readyz?verbose")
        check("server-error: failed readyz recorded, its check list kept in cluster/readyz.txt",
              c and c[0]["rc"] != 0 and c[0]["output"] == "cluster/readyz.txt"
              and "[-]etcd failed: reason withheld\n" in r
              and r.rstrip("\n").endswith("readyz check failed"), r + json.dumps(c)[:300])
        check("server-error: the rest was still collected",
              b.read("resources/kustomizations.kustomize.toolkit.fluxcd.io.yaml") is not None
              and b.read("resources/secrets.yaml") is not None)
        hit = []
        for dirpath, _, files in os.walk(b.top):
            for fn in files:
                with open(os.path.join(dirpath, fn), "rb") as f:
                    if b"stefanprodan" in f.read():
                        hit.append(fn)
        check("server-error: --redact pattern applied everywhere", not hit, hit)

    elif case == "slow":
        c = b.commands("get", "kustomizations.kustomize.toolkit.fluxcd.io")
        check("slow: timed-out request recorded",
              c and c[0]["rc"] != 0 and c[0]["stderr"] and c[0]["duration_ms"] < 5000,
              json.dumps(c)[:400])
        check("slow: the rest was still collected",
              b.read("resources/gitrepositories.source.toolkit.fluxcd.io.yaml") is not None)

    elif case == "unreachable":
        c = b.commands("version")
        check("unreachable: connection failure recorded",
              c and c[0]["rc"] != 0 and ("refused" in c[0]["stderr"]
                                         or "Unable to connect" in c[0]["stderr"]),
              json.dumps(c)[:400])
        check("unreachable: every API call recorded as failed",
              all(x["rc"] != 0 for x in m["commands"] if "config" not in x["argv"]))

    elif case == "deadline":
        s = m.get("summary", {})
        c = [x for x in m["commands"] if x["rc"] == 124]
        check("deadline: calls cut by the deadline recorded with rc 124",
              c and s.get("deadline_reached") is True, json.dumps(s))

    elif case == "namespaces":
        check("namespaces: per-namespace files for the requested namespaces",
              b.read("resources/apps/gitrepositories.source.toolkit.fluxcd.io.yaml") is not None
              and b.read("resources/flux-system/gitrepositories.source.toolkit.fluxcd.io.yaml")
              is not None and b.read("resources/apps/secrets.yaml") is not None)
        check("namespaces: no all-namespaces call",
              not [x for x in m["commands"] if "-A" in x["argv"]])
        a = b.read("resources/apps/gitrepositories.source.toolkit.fluxcd.io.yaml") or ""
        check("namespaces: namespace filter respected",
              "private-repo" in a and "podinfo" not in a)
    report()


# Planted in scenarios/main (HelmRelease apps/podinfo spec.values, Kustomization flux-system/apps
# spec.postBuild.substitute, a helm-controller log line): what each must not leave in the bundle.
PLANTED = [
    ("YAML key adminPassword", "SENTINEL-R18-ADMINPASSWORD"),
    ("YAML key admin_password", "SENTINEL-R18-ADMIN_PASSWORD"),
    ("YAML key DB_PASSWORD in values", "SENTINEL-R18-DB_PASSWORD-VALUES"),
    ("YAML key token", "SENTINEL-R18-TOKEN"),
    ("YAML key apiKey", "SENTINEL-R18-APIKEY"),
    ("YAML key api_key", "SENTINEL-R18-API_KEY"),
    ("YAML key clientSecret", "SENTINEL-R18-CLIENTSECRET"),
    ("YAML key secret", "SENTINEL-R18-SECRET"),
    ("YAML key secretKey", "SENTINEL-R18-SECRETKEY"),
    ("YAML key registry_token", "SENTINEL-R18-REGISTRY_TOKEN"),
    ("YAML block value of privateKey", "SENTINEL-R18-BLOCKKEY"),
    ("YAML folded value of longPassword", "SENTINEL-R18-FOLDEDPASSWORD"),
    ("postBuild.substitute DB_PASSWORD", "SENTINEL-R18-SUBST-DB_PASSWORD"),
    ("postBuild.substitute registry_token", "SENTINEL-R18-SUBST-REGISTRY_TOKEN"),
    ("args list item after --token", "SENTINEL-R18-ARGTOKEN"),
    ("args item --api-key=VALUE", "SENTINEL-R18-ARGAPIKEY"),
    ("env DB_PASS (PASS without PASSW)", "SENTINEL-R18-ENVPASS"),
    ("SOPS age key", "AGE-SECRET-KEY-1SENTINELR18AGE"),
    ("token as URL user", "5e1f0c3a9b7d2e4f6a8c0b1d3e5f7a9c2b4d6e8f"),
    ("header X-Vault-Token", "SENTINEL-R18-VAULT"),
    ("header PRIVATE-TOKEN", "SENTINEL-R18-GITLAB"),
    ("header x-auth-token", "SENTINEL-R18-XAUTH"),
    ("header Cookie", "SENTINEL-R18-COOKIE"),
    ("Basic credentials outside an Authorization header",
     "c2VudGluZWwtdXNlcjpTZW50aW5lbEJhc2ljUHcxOA"),
    ("log: X-Vault-Token header", "SENTINEL-R18-LOG-VAULT"),
    ("log: Private-Token header", "SENTINEL-R18-LOG-GITLAB"),
    ("log: X-Auth-Token header", "SENTINEL-R18-LOG-XAUTH"),
    ("log: Cookie header", "SENTINEL-R18-LOG-COOKIE"),
    ("log: JSON args after --token", "SENTINEL-R18-LOG-ARGTOKEN"),
    ("log: JSON --api-key=VALUE", "SENTINEL-R18-LOG-APIKEY"),
    ("log: JSON key adminPassword", "SENTINEL-R18-LOG-ADMINPASSWORD"),
]


def redaction_checks(b):
    texts = {}
    for dirpath, _, files in os.walk(b.top):
        for fn in files:
            p = os.path.join(dirpath, fn)
            with open(p, "rb") as f:
                texts[os.path.relpath(p, b.top)] = f.read().decode("utf-8", "replace")
    for what, needle in PLANTED:
        hits = [rel for rel, t in texts.items() if needle in t]
        check("main: redaction: " + what, not hits, hits)
    hr = b.read("resources/helmreleases.helm.toolkit.fluxcd.io.yaml") or ""
    ks = b.read("resources/kustomizations.kustomize.toolkit.fluxcd.io.yaml") or ""
    log = b.read("logs/flux-system/helm-controller-7d9f8b6c5d-x2x4q/manager.log") or ""
    kept = [
        ("tokenTTL", "tokenTTL: 5m" in hr),
        ("existingSecret", "existingSecret: podinfo-db" in hr),
        ("passwordSecretRef", re.search(r"passwordSecretRef:\n +key: password\n +name: podinfo-db", hr)),
        ("automountServiceAccountToken", "automountServiceAccountToken: true" in hr),
        ("topologyKey", "topologyKey: kubernetes.io/hostname" in hr),
        ("Basic authentication prose",
         "authDocs: Basic authentication is described in the chart README" in hr),
        ("a non-secret env value", "value: smtp.example.com" in hr),
        ("the args after the secret", re.search(r"- --log-level\n +- debug\n", hr)),
        ("the host of a URL with a token user", "@github.com/acme/charts" in hr),
        ("a non-secret block value", "first line" in hr and "second line" in hr),
        ("a non-secret substitute", "cluster_name: prod-eu-1" in ks),
        ("tokenTTL in a JSON log line", '"tokenTTL":"5m"' in log),
    ]
    missing = [n for n, ok in kept if not ok]
    check("main: redaction keeps non-secret neighbours", not missing, missing)
    lines = [l for l in log.splitlines() if l.strip()]
    try:
        for l in lines:
            json.loads(l)
        ok = bool(lines)
    except ValueError as e:
        ok = False
    check("main: helm-controller log lines stay valid JSON after redaction", ok)


def report():
    for name, ok, why in RESULTS:
        if ok:
            print("PASS: " + name)
        else:
            print("FAIL: %s: %s" % (name, why))


if __name__ == "__main__":
    main()
