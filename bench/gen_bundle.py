#!/usr/bin/env python3
"""Deterministic generator of large, realistic fluxdiag bundles for benchmarks.

The bundle is sample-bundles/controller-helm-oomkilled (controllers, pods, deployments, the
OOMKilled helm-controller) grown into a large fleet:

  * thousands of GitRepositories, Kustomizations, HelmRepositories, HelmReleases, HelmCharts
    and Events in 50 team namespaces, almost all healthy;
  * about LOG_MB megabytes of Flux controller JSON logs covering the 24 hours before collection,
    with a sprinkling of real error lines (older than an hour, so they are evidence but not
    findings), client-side throttling lines and so on;
  * planted failures the report must find (see PLANTED below and bench/check_report.py).

Usage: gen_bundle.py --log-mb 1000 --out bench/out/bundle-1000.tar.gz [--seed 5]
       [--objects-scale 1.0] [--dir-only]

Same arguments, same bytes: the output depends only on the arguments (fixed-seed PRNG, fixed
timestamps, sorted tar members, gzip header without a time stamp).
"""
import argparse
import calendar
import gzip
import io
import os
import random
import shutil
import sys
import tarfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "..", "sample-bundles", "controller-helm-oomkilled")
COLLECTED = calendar.timegm(time.strptime("2026-11-20T09:14:03", "%Y-%m-%dT%H:%M:%S"))
SPAN = 24 * 3600  # logs cover the day before collection

PODS = {
    "source": "source-controller-6b8d9f7c5d-4kq2m",
    "kustomize": "kustomize-controller-7f5c9d8b4-x2k9p",
    "helm": "helm-controller-5d9c8b7f6-r7t4w",
    "notification": "notification-controller-66f7b9d4c8-j8lzn",
}
# share of the log volume per controller
SHARE = {"source": 0.27, "kustomize": 0.40, "helm": 0.26, "notification": 0.07}

NAMESPACES = ["team-%02d" % i for i in range(50)]
APPS = ["payments", "ledger", "search", "checkout", "catalog", "billing", "auth", "gateway",
        "orders", "inventory", "profile", "notify", "reports", "media", "pricing", "cart"]

# The planted failures: (rule, kind, namespace, name, must be a root cause)
PLANTED = [
    ("SRC-GIT-AUTH", "GitRepository", "team-07", "payments-src", True),
    ("KS-ARTIFACT-FAILED", "Kustomization", "team-07", "payments", False),
    ("KS-PATH-NOT-FOUND", "Kustomization", "team-12", "ledger", False),
    ("CTRL-OOMKILLED", "Pod", "flux-system", PODS["helm"], True),
    ("CTRL-PANIC", "Pod", "flux-system", PODS["kustomize"], False),
    ("FLUX-RECONCILER-ERRORS", "HelmRelease", "team-03", "search-api", False),
]


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


class Rng(random.Random):
    def hex(self, n):
        return "%0*x" % (n, self.getrandbits(4 * n))

    def uuid(self):
        h = self.hex(32)
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


# ---------------------------------------------------------------- objects


def list_items(path):
    """The item lines of a `kind: List` YAML file of the sample (text, not parsed)."""
    out, inside = [], False
    with open(path) as f:
        for line in f:
            if line.startswith("items:"):
                inside = True
                continue
            if inside:
                if line.startswith("- ") or line.startswith("  "):
                    out.append(line)
                else:
                    inside = False
    return "".join(out)


def write_list(path, sample_name, items):
    with open(path, "w") as f:
        f.write("apiVersion: v1\nkind: List\nitems:\n")
        sp = os.path.join(SAMPLE, "resources", sample_name)
        if os.path.exists(sp):
            f.write(list_items(sp))
        for it in items:
            f.write(it)
        f.write("metadata:\n  resourceVersion: ''\n")


def fleet(scale):
    """The objects of the fleet: list of dicts, deterministic."""
    n_git = max(100, int(2000 * scale))
    n_ks = max(100, int(8000 * scale))
    n_hrepo = max(50, int(300 * scale))
    n_hr = max(100, int(6000 * scale))
    gits = [(NAMESPACES[i % 50], "%s-src-%d" % (APPS[i % 16], i)) for i in range(n_git)]
    gits[7 * 1] = ("team-07", "payments-src")  # planted: authentication fails
    kss = []
    for i in range(n_ks):
        ns = NAMESPACES[i % 50]
        # a source in the same namespace
        src = gits[(i % 50) + 50 * ((i // 50) % max(1, n_git // 50))][1]
        kss.append((ns, "%s-%d" % (APPS[(i // 50) % 16], i), src))
    kss[7] = ("team-07", "payments", "payments-src")
    kss[12] = ("team-12", "ledger", gits[12][1])
    hrepos = [(NAMESPACES[i % 50], "charts-%d" % i) for i in range(n_hrepo)]
    hrs = []
    for i in range(n_hr):
        ns = NAMESPACES[i % 50]
        repo = hrepos[(i % 50) + 50 * ((i // 50) % max(1, n_hrepo // 50))][1]
        hrs.append((ns, "%s-api-%d" % (APPS[(i // 50) % 16], i), repo))
    hrs[3] = ("team-03", "search-api", hrs[3][2])
    return gits, kss, hrepos, hrs


def gen_objects(root, rng, scale):
    gits, kss, hrepos, hrs = fleet(scale)
    res = os.path.join(root, "resources")
    day = COLLECTED - 86400

    items = []
    for ns, name in gits:
        sha = rng.hex(40)
        if (ns, name) == ("team-07", "payments-src"):
            url = "https://github.com/acme/payments-deploy"
            msg = ("'failed to checkout and determine revision: unable to clone "
                   "''%s'': authentication required'" % url)
            items.append(f"""- apiVersion: source.toolkit.fluxcd.io/v1
  kind: GitRepository
  metadata:
    name: {name}
    namespace: {ns}
    uid: {rng.uuid()}
    generation: 2
    creationTimestamp: '2026-08-01T10:00:00Z'
  spec:
    interval: 5m0s
    ref:
      branch: main
    timeout: 60s
    url: {url}
  status:
    observedGeneration: -1
    conditions:
    - lastTransitionTime: '{iso(COLLECTED - 2400)}'
      message: {msg}
      observedGeneration: 2
      reason: GitOperationFailed
      status: 'False'
      type: Ready
    - lastTransitionTime: '{iso(COLLECTED - 2400)}'
      message: {msg}
      observedGeneration: 2
      reason: GitOperationFailed
      status: 'True'
      type: FetchFailed
""")
            continue
        items.append(f"""- apiVersion: source.toolkit.fluxcd.io/v1
  kind: GitRepository
  metadata:
    name: {name}
    namespace: {ns}
    uid: {rng.uuid()}
    generation: 1
    creationTimestamp: '2026-08-01T10:00:00Z'
  spec:
    interval: 5m0s
    ref:
      branch: main
    timeout: 60s
    url: https://github.com/acme/{name}
  status:
    observedGeneration: 1
    artifact:
      digest: sha256:{rng.hex(64)}
      lastUpdateTime: '{iso(COLLECTED - rng.randrange(60, 3000))}'
      path: gitrepository/{ns}/{name}/{sha}.tar.gz
      revision: main@sha1:{sha}
      size: {rng.randrange(20000, 900000)}
      url: http://source-controller.flux-system.svc.cluster.local./gitrepository/{ns}/{name}/{sha}.tar.gz
    conditions:
    - lastTransitionTime: '{iso(day)}'
      message: stored artifact for revision 'main@sha1:{sha}'
      observedGeneration: 1
      reason: Succeeded
      status: 'True'
      type: Ready
    - lastTransitionTime: '{iso(day)}'
      message: stored artifact for revision 'main@sha1:{sha}'
      observedGeneration: 1
      reason: Succeeded
      status: 'True'
      type: ArtifactInStorage
""")
    write_list(os.path.join(res, "gitrepositories.source.toolkit.fluxcd.io.yaml"),
               "gitrepositories.source.toolkit.fluxcd.io.yaml", items)

    items = []
    for ns, name, src in kss:
        path = "./deploy/%s/production" % name
        if (ns, name) == ("team-07", "payments"):
            ready = """    - lastTransitionTime: '%s'
      message: Source artifact not found, retrying in 30s
      observedGeneration: 1
      reason: ArtifactFailed
      status: 'False'
      type: Ready
""" % iso(COLLECTED - 2400)
        elif (ns, name) == ("team-12", "ledger"):
            path = "./apps/ledger/prod"
            ready = """    - lastTransitionTime: '%s'
      message: 'kustomization path not found: stat /tmp/kustomization-1832204983/apps/ledger/prod:
        no such file or directory'
      observedGeneration: 2
      reason: BuildFailed
      status: 'False'
      type: Ready
""" % iso(COLLECTED - 1800)
        else:
            ready = """    - lastTransitionTime: '%s'
      message: 'Applied revision: main@sha1:%s'
      observedGeneration: 1
      reason: ReconciliationSucceeded
      status: 'True'
      type: Ready
""" % (iso(COLLECTED - rng.randrange(60, 3000)), rng.hex(40))
        items.append(f"""- apiVersion: kustomize.toolkit.fluxcd.io/v1
  kind: Kustomization
  metadata:
    name: {name}
    namespace: {ns}
    uid: {rng.uuid()}
    generation: 1
    creationTimestamp: '2026-08-01T10:00:00Z'
    labels:
      kustomize.toolkit.fluxcd.io/name: flux-system
      kustomize.toolkit.fluxcd.io/namespace: flux-system
  spec:
    interval: 10m0s
    path: {path}
    prune: true
    sourceRef:
      kind: GitRepository
      name: {src}
    timeout: 5m0s
  status:
    observedGeneration: 1
    conditions:
{ready}""")
    write_list(os.path.join(res, "kustomizations.kustomize.toolkit.fluxcd.io.yaml"),
               "kustomizations.kustomize.toolkit.fluxcd.io.yaml", items)

    items = []
    for ns, name in hrepos:
        d = rng.hex(64)
        items.append(f"""- apiVersion: source.toolkit.fluxcd.io/v1
  kind: HelmRepository
  metadata:
    name: {name}
    namespace: {ns}
    uid: {rng.uuid()}
    generation: 1
    creationTimestamp: '2026-08-01T10:00:00Z'
  spec:
    interval: 1h0m0s
    url: https://charts.example.com/{name}
  status:
    artifact:
      digest: sha256:{d}
      lastUpdateTime: '{iso(COLLECTED - rng.randrange(60, 3000))}'
      path: helmrepository/{ns}/{name}/index-{d[:12]}.yaml
      revision: sha256:{d}
      size: {rng.randrange(20000, 4000000)}
      url: http://source-controller.flux-system.svc.cluster.local./helmrepository/{ns}/{name}/index-{d[:12]}.yaml
    conditions:
    - type: Ready
      status: 'True'
      reason: Succeeded
      message: 'stored artifact: revision ''sha256:{d}'''
      lastTransitionTime: '{iso(day)}'
      observedGeneration: 1
    observedGeneration: 1
""")
    write_list(os.path.join(res, "helmrepositories.source.toolkit.fluxcd.io.yaml"),
               "helmrepositories.source.toolkit.fluxcd.io.yaml", items)

    hr_items, hc_items = [], []
    for ns, name, repo in hrs:
        ver = "%d.%d.%d" % (rng.randrange(1, 9), rng.randrange(0, 30), rng.randrange(0, 12))
        chart = name.rsplit("-", 1)[0]
        dig = rng.hex(64)
        hr_items.append(f"""- apiVersion: helm.toolkit.fluxcd.io/v2
  kind: HelmRelease
  metadata:
    name: {name}
    namespace: {ns}
    uid: {rng.uuid()}
    generation: 1
    creationTimestamp: '2026-08-01T10:00:00Z'
  spec:
    interval: 10m0s
    releaseName: {name}
    chart:
      spec:
        chart: {chart}
        version: {ver}
        interval: 10m0s
        sourceRef:
          kind: HelmRepository
          name: {repo}
  status:
    conditions:
    - type: Ready
      status: 'True'
      reason: UpgradeSucceeded
      message: Helm upgrade succeeded for release {ns}/{name}.v3 with chart {chart}@{ver}
      lastTransitionTime: '{iso(day)}'
      observedGeneration: 1
    - type: Released
      status: 'True'
      reason: UpgradeSucceeded
      message: Helm upgrade succeeded for release {ns}/{name}.v3 with chart {chart}@{ver}
      lastTransitionTime: '{iso(day)}'
      observedGeneration: 1
    helmChart: {ns}/{ns}-{name}
    lastAttemptedRevision: {ver}
    lastAttemptedReleaseAction: upgrade
    observedGeneration: 1
    history:
    - name: {name}
      namespace: {ns}
      version: 3
      status: deployed
      chartName: {chart}
      chartVersion: {ver}
      digest: sha256:{dig}
""")
        hc_items.append(f"""- apiVersion: source.toolkit.fluxcd.io/v1
  kind: HelmChart
  metadata:
    name: {ns}-{name}
    namespace: {ns}
    uid: {rng.uuid()}
    generation: 1
    creationTimestamp: '2026-08-01T10:00:00Z'
  spec:
    chart: {chart}
    interval: 10m0s
    sourceRef:
      kind: HelmRepository
      name: {repo}
    version: {ver}
  status:
    artifact:
      digest: sha256:{dig}
      lastUpdateTime: '{iso(day)}'
      path: helmchart/{ns}/{ns}-{name}/{chart}-{ver}.tgz
      revision: {ver}
      size: {rng.randrange(5000, 90000)}
      url: http://source-controller.flux-system.svc.cluster.local./helmchart/{ns}/{ns}-{name}/{chart}-{ver}.tgz
    conditions:
    - type: Ready
      status: 'True'
      reason: ChartPullSucceeded
      message: pulled '{chart}' chart with version '{ver}'
      lastTransitionTime: '{iso(day)}'
      observedGeneration: 1
    observedChartName: {chart}
    observedGeneration: 1
""")
    write_list(os.path.join(res, "helmreleases.helm.toolkit.fluxcd.io.yaml"),
               "helmreleases.helm.toolkit.fluxcd.io.yaml", hr_items)
    write_list(os.path.join(res, "helmcharts.source.toolkit.fluxcd.io.yaml"),
               "helmcharts.source.toolkit.fluxcd.io.yaml", hc_items)

    items = []
    for i in range(len(kss) + len(hrs)):
        if i < len(kss):
            ns, name, _ = kss[i]
            kind, api, comp = "Kustomization", "kustomize.toolkit.fluxcd.io/v1", "kustomize-controller"
            msg = "Reconciliation finished in %dms, next run in 10m0s" % rng.randrange(200, 9000)
        else:
            ns, name, _ = hrs[i - len(kss)]
            kind, api, comp = "HelmRelease", "helm.toolkit.fluxcd.io/v2", "helm-controller"
            msg = "Helm upgrade succeeded for release %s/%s.v3" % (ns, name)
        t = COLLECTED - rng.randrange(60, 80000)
        items.append(f"""- apiVersion: v1
  kind: Event
  metadata:
    name: {name}.{rng.hex(16)}
    namespace: {ns}
    creationTimestamp: '{iso(t)}'
  involvedObject:
    apiVersion: {api}
    kind: {kind}
    name: {name}
    namespace: {ns}
  reason: ReconciliationSucceeded
  message: '{msg}'
  type: Normal
  count: {rng.randrange(1, 40)}
  firstTimestamp: '{iso(t - 3600)}'
  lastTimestamp: '{iso(t)}'
  source:
    component: {comp}
""")
    write_list(os.path.join(res, "events.yaml"), "events.yaml", items)

    items = ["""- apiVersion: v1
  kind: Namespace
  metadata:
    name: %s
  status:
    phase: Active
""" % ns for ns in NAMESPACES]
    write_list(os.path.join(res, "namespaces.yaml"), "namespaces.yaml", items)
    return gits, kss, hrepos, hrs


# ---------------------------------------------------------------- logs


class Clock:
    """Line timestamps spread evenly over [start, end); cheap formatting."""

    def __init__(self, start, end, n):
        self.start, self.step, self.sec, self.prefix = start, (end - start) / max(1, n), -1, ""

    def ts(self, i):
        t = self.start + i * self.step
        s = int(t)
        if s != self.sec:
            self.sec = s
            self.prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s))
        return "%s.%03dZ" % (self.prefix, int((t - s) * 1000))


def obj_json(ctrl, group, kind, ns, name):
    return ('"controller":"%s","controllerGroup":"%s","controllerKind":"%s","%s":{"name":"%s",'
            '"namespace":"%s"},"namespace":"%s","name":"%s"' % (ctrl, group, kind, kind, name, ns, ns,
                                                              name))


def source_line(rng, ts, gits, hrepos, err):
    r = rng.random()
    if r < 0.75:
        ns, name = gits[rng.randrange(len(gits))]
        o = obj_json("gitrepository", "source.toolkit.fluxcd.io", "GitRepository", ns, name)
        if err:
            return ('{"level":"error","ts":"%s","msg":"Reconciler error",%s,"reconcileID":"%s",'
                    '"error":"failed to checkout and determine revision: unable to clone '
                    '\'https://github.com/acme/%s\': dial tcp 140.82.121.%d:443: i/o timeout"}\n'
                    % (ts, o, rng.uuid(), name, rng.randrange(2, 250)))
        sha = rng.hex(40)
        if r < 0.45:
            msg = "no changes since last reconcilation: observed revision 'main@sha1:%s'" % sha
        elif r < 0.60:
            msg = "stored artifact for commit 'main@sha1:%s'" % sha
            return ('{"level":"info","ts":"%s","msg":"%s",%s,"reconcileID":"%s","revision":'
                    '"main@sha1:%s"}\n' % (ts, msg, o, rng.uuid(), sha))
        else:
            msg = "artifact up-to-date with remote revision: 'main@sha1:%s'" % sha
        return '{"level":"info","ts":"%s","msg":"%s",%s,"reconcileID":"%s"}\n' % (ts, msg, o,
                                                                                  rng.uuid())
    if r < 0.85:
        ns, name = hrepos[rng.randrange(len(hrepos))]
        o = obj_json("helmrepository", "source.toolkit.fluxcd.io", "HelmRepository", ns, name)
        return ('{"level":"info","ts":"%s","msg":"stored fetched index of size %d.%dMB from '
                '\'https://charts.example.com/%s\'",%s,"reconcileID":"%s"}\n'
                % (ts, rng.randrange(1, 9), rng.randrange(10), name, o, rng.uuid()))
    if r < 0.99:
        ns, name = hrepos[rng.randrange(len(hrepos))]
        chart = APPS[rng.randrange(16)]
        o = obj_json("helmchart", "source.toolkit.fluxcd.io", "HelmChart", ns, "%s-%s" % (ns, chart))
        return ('{"level":"info","ts":"%s","msg":"pulled \'%s\' chart with version \'%d.%d.%d\'",'
                '%s,"reconcileID":"%s"}\n' % (ts, chart, rng.randrange(1, 9), rng.randrange(30),
                                             rng.randrange(12), o, rng.uuid()))
    return ('{"level":"info","ts":"%s","logger":"runtime","msg":"Waited for %d.%03ds due to '
            'client-side throttling, not priority and fairness, request: GET:https://10.96.0.1:443'
            '/apis/source.toolkit.fluxcd.io/v1/namespaces/%s/gitrepositories"}\n'
            % (ts, rng.randrange(1, 3), rng.randrange(1000), NAMESPACES[rng.randrange(50)]))


def kustomize_line(rng, ts, kss, err):
    ns, name, _ = kss[rng.randrange(len(kss))]
    o = obj_json("kustomization", "kustomize.toolkit.fluxcd.io", "Kustomization", ns, name)
    rid = rng.uuid()
    if err:
        if rng.random() < 0.5:
            e = ("health check failed after 5m0s: timeout waiting for: [Deployment/%s/%s status: "
                 "'InProgress']" % (ns, name))
        else:
            e = ("Deployment/%s/%s dry-run failed (Invalid): Deployment.apps \\\"%s\\\" is invalid: "
                 "spec.template.spec.containers[0].image: Required value" % (ns, name, name))
        return ('{"level":"error","ts":"%s","msg":"Reconciliation failed after %d.%03ds, next try in '
                '10m0s",%s,"reconcileID":"%s","revision":"main@sha1:%s","error":"%s"}\n'
                % (ts, rng.randrange(1, 300), rng.randrange(1000), o, rid, rng.hex(40), e))
    sha = rng.hex(40)
    if rng.random() < 0.5:
        return ('{"level":"info","ts":"%s","msg":"server-side apply completed",%s,"reconcileID":"%s",'
                '"revision":"main@sha1:%s","output":{"ConfigMap/%s/%s-config":"unchanged",'
                '"Deployment/%s/%s":"configured","Service/%s/%s":"unchanged"}}\n'
                % (ts, o, rid, sha, ns, name, ns, name, ns, name))
    return ('{"level":"info","ts":"%s","msg":"Reconciliation finished in %d.%03ds, next run in 10m0s",'
            '%s,"reconcileID":"%s","revision":"main@sha1:%s"}\n'
            % (ts, rng.randrange(0, 9), rng.randrange(1000), o, rid, sha))


def helm_line(rng, ts, hrs, err):
    ns, name, _ = hrs[rng.randrange(len(hrs))]
    o = obj_json("helmrelease", "helm.toolkit.fluxcd.io", "HelmRelease", ns, name)
    rid = rng.uuid()
    if err:
        return ('{"level":"error","ts":"%s","msg":"Reconciler error",%s,"reconcileID":"%s","error":'
                '"failed to upgrade release: context deadline exceeded"}\n' % (ts, o, rid))
    r = rng.random()
    if r < 0.6:
        return ('{"level":"info","ts":"%s","msg":"release in-sync with desired state",%s,'
                '"reconcileID":"%s"}\n' % (ts, o, rid))
    if r < 0.9:
        return ('{"level":"info","ts":"%s","msg":"Reconciliation finished in %dms, next run in 10m0s",'
                '%s,"reconcileID":"%s"}\n' % (ts, rng.randrange(20, 4000), o, rid))
    return ('{"level":"debug","ts":"%s","msg":"chart artifact up-to-date","chart":"%s/%s-%s",%s,'
            '"reconcileID":"%s"}\n' % (ts, ns, ns, name, o, rid))


def notification_line(rng, ts, kss, err):
    ns, name, _ = kss[rng.randrange(len(kss))]
    if err:
        return ('{"level":"error","ts":"%s","logger":"event-server","msg":"failed to forward event",'
                '"eventInvolvedObject":{"kind":"Kustomization","name":"%s","namespace":"%s"},'
                '"error":"failed to post: Post \\"https://hooks.slack.com/services/[REDACTED by '
                'fluxdiag]\\": context deadline exceeded"}\n' % (ts, name, ns))
    return ('{"level":"info","ts":"%s","logger":"event-server","msg":"dispatching event",'
            '"eventInvolvedObject":{"kind":"Kustomization","name":"%s","namespace":"%s"},'
            '"reason":"ReconciliationSucceeded","provider":"slack-%s"}\n' % (ts, name, ns, ns))


def gen_log(path, ctrl, nbytes, rng, objs, planted_mid=None, planted_end=None):
    gits, kss, hrepos, hrs = objs
    # about 330 bytes a line on average
    est = max(1, nbytes // 330)
    clock = Clock(COLLECTED - SPAN, COLLECTED - 5, est)
    one_hour_index = int(est * (SPAN - 3600) / SPAN)
    written, i, buf = 0, 0, []
    mid_done = False
    with open(path, "w") as f:
        while written < nbytes:
            ts = clock.ts(i)
            # error lines: about 0.4 % of lines, all older than an hour
            err = i < one_hour_index and rng.random() < 0.004
            if ctrl == "source":
                line = source_line(rng, ts, gits, hrepos, err)
            elif ctrl == "kustomize":
                line = kustomize_line(rng, ts, kss, err)
            elif ctrl == "helm":
                line = helm_line(rng, ts, hrs, err)
            else:
                line = notification_line(rng, ts, kss, err)
            if planted_mid and not mid_done and written >= nbytes // 2:
                mid_done = True
                line = planted_mid(ts) + line
            buf.append(line)
            written += len(line)
            i += 1
            if len(buf) >= 4096:
                f.write("".join(buf))
                buf = []
        if planted_mid and not mid_done:  # a log too small to have a middle
            buf.append(planted_mid(clock.ts(i)))
        if planted_end:
            buf.append(planted_end(clock))
        f.write("".join(buf))
    return i


def planted_panic(ts):
    o = obj_json("kustomization", "kustomize.toolkit.fluxcd.io", "Kustomization", "team-20",
                 "orders-1020")
    return ('{"level":"error","ts":"%s","msg":"Observed a panic in reconciler: runtime error: '
            'invalid memory address or nil pointer dereference",%s,"reconcileID":"%s"}\n'
            % (ts, o, "9c1f3a52-2d0e-4c7b-a1b4-5d3e8f7a6b21"))


def planted_helm_errors(clock):
    o = obj_json("helmrelease", "helm.toolkit.fluxcd.io", "HelmRelease", "team-03", "search-api")
    out = []
    for k in range(5):
        t = COLLECTED - 1500 + k * 240
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (k * 111)
        out.append('{"level":"error","ts":"%s","msg":"Reconciler error",%s,"reconcileID":'
                   '"5b2e%04d-7c1d-4e2a-9f3b-0a1b2c3d4e5f","error":"failed to get last release '
                   'revision: query: failed to query with labels: Unauthorized"}\n' % (ts, o, k))
    return "".join(out)


def planted_git_auth(clock):
    o = obj_json("gitrepository", "source.toolkit.fluxcd.io", "GitRepository", "team-07",
                 "payments-src")
    out = []
    for k in range(8):
        t = COLLECTED - 2400 + k * 290
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (k * 97)
        out.append('{"level":"error","ts":"%s","msg":"Reconciler error",%s,"reconcileID":'
                   '"7d4c%04d-1e2f-4a3b-8c9d-0e1f2a3b4c5d","error":"failed to checkout and determine '
                   'revision: unable to clone \'https://github.com/acme/payments-deploy\': '
                   'authentication required"}\n' % (ts, o, k))
    return "".join(out)


def gen_logs(root, rng, log_mb, objs):
    total = int(log_mb * 1000 * 1000)
    lines = 0
    for ctrl in ("source", "kustomize", "helm", "notification"):
        d = os.path.join(root, "logs", "flux-system", PODS[ctrl])
        os.makedirs(d, exist_ok=True)
        p = os.path.join(d, "manager.log")
        nbytes = int(total * SHARE[ctrl])
        lines += gen_log(p, ctrl, nbytes, rng, objs,
                         planted_mid=planted_panic if ctrl == "kustomize" else None,
                         planted_end={"helm": planted_helm_errors,
                                      "source": planted_git_auth}.get(ctrl))
    return lines


# ---------------------------------------------------------------- bundle


def build_dir(root, log_mb, seed, scale):
    if os.path.exists(root):
        shutil.rmtree(root)
    shutil.copytree(SAMPLE, root)
    # the sample's own logs are replaced, except the OOMKilled container's previous log
    for dirpath, _, files in os.walk(os.path.join(root, "logs")):
        for fn in files:
            if not fn.endswith(".previous.log"):
                os.remove(os.path.join(dirpath, fn))
    rng = Rng(seed)
    objs = gen_objects(root, rng, scale)
    return gen_logs(root, rng, log_mb, objs)


def write_targz(root, out):
    """tar.gz of the directory: members sorted, fixed owner and mtime, gzip without mtime."""
    base = os.path.basename(root.rstrip("/"))
    tmp = out + ".tmp"
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=0) as gz:
            with tarfile.open(fileobj=gz, mode="w|", format=tarfile.GNU_FORMAT) as tar:
                def add(path, arc):
                    ti = tar.gettarinfo(path, arc)
                    ti.uid = ti.gid = 0
                    ti.uname = ti.gname = "root"
                    ti.mtime = COLLECTED
                    if ti.isdir():
                        ti.mode = 0o755
                        tar.addfile(ti)
                    else:
                        ti.mode = 0o644
                        with open(path, "rb") as f:
                            tar.addfile(ti, f)

                add(root, base)
                # manifest.json first, so a streaming reader knows the collection time early
                add(os.path.join(root, "manifest.json"), base + "/manifest.json")
                for dirpath, dirs, files in os.walk(root):
                    rel = os.path.relpath(dirpath, root)
                    # as fluxdiag-collect writes it: objects and metrics before the logs
                    dirs.sort(key=lambda d: (rel == "." and d == "logs", d))
                    for d in dirs:
                        add(os.path.join(dirpath, d), os.path.normpath(os.path.join(base, rel, d)))
                    for fn in sorted(files):
                        if rel == "." and fn == "manifest.json":
                            continue
                        add(os.path.join(dirpath, fn), os.path.normpath(os.path.join(base, rel, fn)))
    os.replace(tmp, out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--log-mb", type=float, required=True, help="megabytes (10^6) of logs")
    ap.add_argument("--out", required=True, help="the .tar.gz to write")
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--objects-scale", type=float, default=1.0,
                    help="multiplies the number of Flux objects (1.0: about 22,000 objects)")
    ap.add_argument("--keep-dir", action="store_true", help="keep the bundle directory")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    root = os.path.join(os.path.dirname(out),
                        "fluxdiag-bench-%s" % os.path.basename(out).split(".")[0])
    os.makedirs(os.path.dirname(out), exist_ok=True)
    t0 = time.time()
    lines = build_dir(root, a.log_mb, a.seed, a.objects_scale)
    t1 = time.time()
    write_targz(root, out)
    t2 = time.time()
    if not a.keep_dir:
        shutil.rmtree(root)
    print("%s: %d log lines, generated in %.1fs, compressed in %.1fs"
          % (out, lines, t1 - t0, t2 - t1), file=sys.stderr)


if __name__ == "__main__":
    main()
