#!/usr/bin/env python3
"""A small fake Kubernetes API server for testing fluxdiag-collect with a real kubectl.

Python 3 standard library only. Listens on 127.0.0.1 on a port chosen by the kernel and writes
that port to --port-file. Serves:

  /version, /readyz?verbose, /livez?verbose, /healthz
  /api, /apis, /api/v1, /apis/<group>/<version>         legacy discovery
  list endpoints (cluster-wide and namespaced), label selectors (=, ==, !=, in)
  server-side Table for secrets (and any resource) when kubectl asks for it
  /api/v1/namespaces/<ns>/pods/<pod>/log                  pod logs (container, previous)
  /api/v1/namespaces/<ns>/pods/<pod>:8080/proxy/metrics   controller metrics

Scenario data lives in a directory:

  objects.json                      a JSON array of Kubernetes objects
  logs/<ns>/<pod>/<container>.log   current logs; <container>.previous.log for previous
  metrics/<ns>/<pod>.prom           Prometheus text
  behavior.json (optional)          failure injection, merged with --behavior JSON:
     {"absent_groups": ["image.toolkit.fluxcd.io"],
      "forbidden": ["secrets"],            resource plurals answered with 403
      "errors": {"helmreleases": 500},     resource plurals answered with that status
      "delays": {"kustomizations": 5},     seconds to sleep before answering
      "etcd_down": true,                   /readyz answers 500 with [-]etcd failed
      "no_metrics_api": true}

Every request is appended as one JSON line to --request-log. With --tls-cert and --tls-key it
serves HTTPS (kubectl sends credentials, and runs exec credential plugins, only over TLS).
"""

import argparse
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# group, version, plural, kind, namespaced
RESOURCES = [
    ("", "v1", "namespaces", "Namespace", False),
    ("", "v1", "nodes", "Node", False),
    ("", "v1", "pods", "Pod", True),
    ("", "v1", "services", "Service", True),
    ("", "v1", "endpoints", "Endpoints", True),
    ("", "v1", "serviceaccounts", "ServiceAccount", True),
    ("", "v1", "secrets", "Secret", True),
    ("", "v1", "configmaps", "ConfigMap", True),
    ("", "v1", "events", "Event", True),
    ("apps", "v1", "deployments", "Deployment", True),
    ("apps", "v1", "replicasets", "ReplicaSet", True),
    ("apps", "v1", "daemonsets", "DaemonSet", True),
    ("apps", "v1", "statefulsets", "StatefulSet", True),
    ("", "v1", "replicationcontrollers", "ReplicationController", True),
    ("coordination.k8s.io", "v1", "leases", "Lease", True),
    ("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", True),
    ("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", False),
    ("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", True),
    ("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", False),
    ("source.toolkit.fluxcd.io", "v1", "gitrepositories", "GitRepository", True),
    ("source.toolkit.fluxcd.io", "v1", "helmrepositories", "HelmRepository", True),
    ("source.toolkit.fluxcd.io", "v1", "helmcharts", "HelmChart", True),
    ("source.toolkit.fluxcd.io", "v1", "buckets", "Bucket", True),
    ("source.toolkit.fluxcd.io", "v1", "ocirepositories", "OCIRepository", True),
    ("kustomize.toolkit.fluxcd.io", "v1", "kustomizations", "Kustomization", True),
    ("helm.toolkit.fluxcd.io", "v2", "helmreleases", "HelmRelease", True),
    ("notification.toolkit.fluxcd.io", "v1beta3", "alerts", "Alert", True),
    ("notification.toolkit.fluxcd.io", "v1beta3", "providers", "Provider", True),
    ("notification.toolkit.fluxcd.io", "v1beta3", "receivers", "Receiver", True),
    ("image.toolkit.fluxcd.io", "v1beta2", "imagerepositories", "ImageRepository", True),
    ("image.toolkit.fluxcd.io", "v1beta2", "imagepolicies", "ImagePolicy", True),
    ("image.toolkit.fluxcd.io", "v1beta2", "imageupdateautomations", "ImageUpdateAutomation", True),
    ("fluxcd.controlplane.io", "v1", "fluxinstances", "FluxInstance", True),
    ("fluxcd.controlplane.io", "v1", "resourcesets", "ResourceSet", True),
]
BUILTIN_GROUPS = {"", "apps", "coordination.k8s.io", "networking.k8s.io",
                  "apiextensions.k8s.io", "metrics.k8s.io"}

STATE = {}
LOG_LOCK = threading.Lock()


def gv(group, version):
    return version if group == "" else group + "/" + version


def active_resources():
    b = STATE["behavior"]
    absent = set(b.get("absent_groups", []))
    if b.get("no_metrics_api"):
        absent.add("metrics.k8s.io")
    return [r for r in RESOURCES if r[0] not in absent]


def crd_objects():
    out = []
    for g, v, plural, kind, namespaced in active_resources():
        if g in BUILTIN_GROUPS:
            continue
        out.append({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": plural + "." + g, "creationTimestamp": "2026-01-01T00:00:00Z",
                         "labels": {"app.kubernetes.io/part-of": "flux"}},
            "spec": {"group": g, "scope": "Namespaced" if namespaced else "Cluster",
                     "names": {"kind": kind, "plural": plural, "listKind": kind + "List",
                               "singular": kind.lower()},
                     "versions": [{"name": v, "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": {"type": "object"}}}]},
            "status": {"storedVersions": [v],
                       "conditions": [{"type": "Established", "status": "True"}]},
        })
    return out


def objects_for(group, version, kind):
    if kind == "CustomResourceDefinition":
        return crd_objects()
    api = gv(group, version)
    res = []
    for o in STATE["objects"]:
        if o.get("kind") != kind:
            continue
        ov = o.get("apiVersion", "")
        ogroup = ov.split("/")[0] if "/" in ov else ""
        if ogroup != group:
            continue
        o = dict(o)
        o["apiVersion"] = api
        res.append(o)
    return res


def label_match(obj, selector):
    labels = obj.get("metadata", {}).get("labels", {}) or {}
    if not selector:
        return True
    # split on commas that are not inside parentheses
    parts, depth, cur = [], 0, ""
    for ch in selector:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    for p in parts:
        p = p.strip()
        m = re.match(r"^([\w./-]+)\s+(in|notin)\s+\((.*)\)$", p)
        if m:
            vals = [x.strip() for x in m.group(3).split(",")]
            has = labels.get(m.group(1)) in vals
            if (m.group(2) == "in") != has:
                return False
            continue
        m = re.match(r"^([\w./-]+)\s*(==|!=|=)\s*(.*)$", p)
        if m:
            eq = labels.get(m.group(1)) == m.group(3)
            if (m.group(2) == "!=") == eq:
                return False
            continue
        if p.startswith("!"):
            if p[1:] in labels:
                return False
        elif p not in labels:
            return False
    return True


def age(obj):
    return "10d"


def table_for(kind, items):
    if kind == "Secret":
        cols = [("Name", "string", "name"), ("Type", "string", ""), ("Data", "string", ""),
                ("Age", "string", "")]
        rows = []
        for o in items:
            n = len(o.get("data", {}) or {}) + len(o.get("stringData", {}) or {})
            rows.append([o["metadata"]["name"], o.get("type", "Opaque"), n, age(o)])
    else:
        cols = [("Name", "string", "name"), ("Age", "string", "")]
        rows = [[o["metadata"]["name"], age(o)] for o in items]
    return {
        "kind": "Table", "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": "1"},
        "columnDefinitions": [{"name": c[0], "type": c[1], "format": c[2], "description": "",
                               "priority": 0} for c in cols],
        "rows": [{"cells": r, "object": {"kind": "PartialObjectMetadata",
                                         "apiVersion": "meta.k8s.io/v1",
                                         "metadata": o["metadata"]}}
                 for r, o in zip(rows, items)],
    }


def status(code, reason, message, details=None):
    return code, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                  "message": message, "reason": reason, "details": details or {}, "code": code}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, code):
        rec = {"method": self.command, "path": self.path, "accept": self.headers.get("Accept", ""),
               "code": code, "time": time.time()}
        with LOG_LOCK:
            with open(STATE["request_log"], "a") as f:
                f.write(json.dumps(rec) + "\n")

    def send(self, code, body, ctype="application/json"):
        if not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.record(code)
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query, keep_blank_values=True)
        path = u.path.rstrip("/") or "/"
        b = STATE["behavior"]
        try:
            code, body, ctype = self.route(path, q, b)
        except Exception as e:  # a bug in the fake server must show, not hang the client
            code, body, ctype = 500, json.dumps({"kind": "Status", "message": repr(e)}), \
                "application/json"
        self.send(code, body, ctype)

    def route(self, path, q, b):
        J = "application/json"
        T = "text/plain; charset=utf-8"
        if path == "/version":
            return 200, {"major": "1", "minor": "31", "gitVersion": "v1.31.4",
                         "gitCommit": "0000000", "gitTreeState": "clean",
                         "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.4",
                         "compiler": "gc", "platform": "linux/amd64"}, J
        if path in ("/readyz", "/livez", "/healthz"):
            name = path[1:]
            checks = ["ping", "log", "etcd", "poststarthook/start-apiserver-admission-initializer"]
            if b.get("etcd_down") and name != "livez":
                lines = ["[-]%s failed: reason withheld" % c if c == "etcd" else "[+]%s ok" % c
                         for c in checks]
                return 500, "\n".join(lines) + "\n%s check failed\n" % name, T
            lines = ["[+]%s ok" % c for c in checks]
            return 200, "\n".join(lines) + "\n%s check passed\n" % name, T
        if path == "/api":
            return 200, {"kind": "APIVersions", "versions": ["v1"],
                         "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0",
                                                         "serverAddress": "127.0.0.1:6443"}]}, J
        if path == "/apis":
            groups = {}
            for g, v, *_ in active_resources():
                if g:
                    groups.setdefault(g, [])
                    if v not in groups[g]:
                        groups[g].append(v)
            return 200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": [
                {"name": g, "versions": [{"groupVersion": g + "/" + v, "version": v} for v in vs],
                 "preferredVersion": {"groupVersion": g + "/" + vs[0], "version": vs[0]}}
                for g, vs in groups.items()]}, J
        m = re.match(r"^/api/v1$|^/apis/([^/]+)/([^/]+)$", path)
        if m:
            group, version = (m.group(1) or ""), (m.group(2) or "v1")
            rl = [r for r in active_resources() if r[0] == group and r[1] == version]
            if not rl:
                return status(404, "NotFound", "the server could not find the requested resource")\
                    + (J,)
            return 200, {"kind": "APIResourceList", "apiVersion": "v1",
                         "groupVersion": gv(group, version), "resources": [
                             {"name": r[2], "singularName": r[3].lower(), "namespaced": r[4],
                              "kind": r[3], "verbs": ["get", "list", "watch"],
                              "shortNames": [], "categories": []} for r in rl]}, J

        # pod logs and metrics proxy
        m = re.match(r"^/api/v1/namespaces/([^/]+)/pods/([^/]+)/log$", path)
        if m:
            ns, pod = m.groups()
            container = (q.get("container") or [""])[0]
            prev = (q.get("previous") or ["false"])[0] == "true"
            base = os.path.join(STATE["dir"], "logs", ns, pod)
            if not container and os.path.isdir(base):
                names = sorted(os.listdir(base))
                container = names[0].split(".")[0] if names else ""
            fn = os.path.join(base, container + (".previous.log" if prev else ".log"))
            if not os.path.isfile(fn):
                if prev:
                    return status(400, "BadRequest", 'previous terminated container "%s" in pod '
                                  '"%s" not found' % (container, pod)) + (J,)
                return status(404, "NotFound", 'pods "%s" not found' % pod) + (J,)
            with open(fn, "rb") as f:
                data = f.read()
            lb = (q.get("limitBytes") or [""])[0]
            if lb:
                data = data[:int(lb)]
            return 200, data, T
        m = re.match(r"^/api/v1/namespaces/([^/]+)/pods/([^/:]+):8080/proxy/metrics$", path)
        if m:
            ns, pod = m.groups()
            fn = os.path.join(STATE["dir"], "metrics", ns, pod + ".prom")
            if not os.path.isfile(fn):
                return 503, "Error trying to reach service: dial tcp 10.0.0.9:8080: connect: " \
                            "connection refused", T
            with open(fn, "rb") as f:
                return 200, f.read(), "text/plain; version=0.0.4"

        # single objects
        m = re.match(r"^/api/v1/(?:namespaces/([^/]+)/)?([^/]+)/([^/]+)$|"
                     r"^/apis/([^/]+)/([^/]+)/(?:namespaces/([^/]+)/)?([^/]+)/([^/]+)$", path)
        if m:
            if m.group(3) is not None:
                group, version, ns, plural, name = "", "v1", m.group(1), m.group(2), m.group(3)
            else:
                group, version, ns, plural, name = m.group(4), m.group(5), m.group(6), \
                    m.group(7), m.group(8)
            match = [r for r in active_resources()
                     if r[0] == group and r[1] == version and r[2] == plural]
            if match:
                _, _, _, kind, namespaced = match[0]
                for o in objects_for(group, version, kind):
                    md = o.get("metadata", {})
                    if md.get("name") == name and (not namespaced or md.get("namespace") == ns):
                        return 200, o, J
                return status(404, "NotFound", '%s "%s" not found' % (plural, name)) + (J,)

        # lists
        m = re.match(r"^/api/v1(?:/namespaces/([^/]+))?/([^/]+)$|"
                     r"^/apis/([^/]+)/([^/]+)(?:/namespaces/([^/]+))?/([^/]+)$", path)
        if m:
            if m.group(2) is not None:
                group, version, ns, plural = "", "v1", m.group(1), m.group(2)
            else:
                group, version, ns, plural = m.group(3), m.group(4), m.group(5), m.group(6)
            match = [r for r in active_resources()
                     if r[0] == group and r[1] == version and r[2] == plural]
            if not match:
                return status(404, "NotFound",
                              "the server could not find the requested resource") + (J,)
            _, _, _, kind, namespaced = match[0]
            delay = b.get("delays", {}).get(plural)
            if delay:
                time.sleep(float(delay))
            if plural in b.get("forbidden", []):
                scope = ('in the namespace "%s"' % ns) if ns else "at the cluster scope"
                return status(403, "Forbidden",
                              'secrets is forbidden: User "system:serviceaccount:default:fluxdiag"'
                              ' cannot list resource "%s" in API group "%s" %s'
                              % (plural, group, scope)
                              if plural == "secrets" else
                              '%s.%s is forbidden: User "system:serviceaccount:default:fluxdiag" '
                              'cannot list resource "%s" in API group "%s" %s'
                              % (plural, group, plural, group, scope),
                              {"group": group, "kind": plural}) + (J,)
            if plural in b.get("errors", {}):
                code = int(b["errors"][plural])
                return status(code, "InternalError",
                              "Internal error occurred: etcdserver: request timed out") + (J,)
            items = objects_for(group, version, kind)
            if ns:
                items = [o for o in items if o.get("metadata", {}).get("namespace") == ns]
            sel = (q.get("labelSelector") or [""])[0]
            items = [o for o in items if label_match(o, sel)]
            accept = self.headers.get("Accept", "")
            if "as=Table" in accept:
                return 200, table_for(kind, items), J
            return 200, {"kind": kind + "List", "apiVersion": gv(group, version),
                         "metadata": {"resourceVersion": "1"}, "items": items}, J
        return status(404, "NotFound", "the server could not find the requested resource") + (J,)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--request-log", required=True)
    ap.add_argument("--behavior", default="{}")
    ap.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    ap.add_argument("--tls-key", help="private key of --tls-cert (PEM)")
    a = ap.parse_args()
    with open(os.path.join(a.scenario, "objects.json")) as f:
        objects = json.load(f)
    behavior = {}
    bf = os.path.join(a.scenario, "behavior.json")
    if os.path.isfile(bf):
        with open(bf) as f:
            behavior = json.load(f)
    behavior.update(json.loads(a.behavior))
    STATE.update(objects=objects, behavior=behavior, dir=a.scenario, request_log=a.request_log)
    open(a.request_log, "a").close()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    if a.tls_cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls_cert, a.tls_key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
