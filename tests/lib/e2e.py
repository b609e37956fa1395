#!/usr/bin/python3
# tests/lib/e2e.py — the readers of tests/framegated-e2e.sh that are easier
# in Python than in shell. Debian's python3 only (no packages beyond the
# standard library).
#
#   e2e.py fetch URL CA CERT KEY OUTDIR
#       A tenant's viewer: walks the ingest's JSON listings (nginx
#       autoindex_format json) from URL down with the tenant's client
#       certificate, and saves every file under OUTDIR by its path below
#       URL. Prints "N objects fetched".
#
#   e2e.py balance STORE SNAPSHOT LOG...
#       The daemon's accounting against what the ingest stored, per
#       session: every counter set a worker reported (each "session ID:
#       acquired ..." line the parent logged when a worker ended, and the
#       framegatectl -j workers SNAPSHOT taken before the parent was
#       killed, for workers that died with it) must balance exactly,
#       acquired = uploaded + dropped (queue_full + upload_failed +
#       timeout); every upload a worker counted is stored; nothing is
#       stored that no worker acquired. Uploads after a killed worker's
#       last report are stored but not counted: up to SLACK per such
#       worker. One line per session; exit 1 if any fails.
import json
import os
import re
import ssl
import sys
import urllib.parse
import urllib.request

SLACK = 5       # 2 fps: a second's frames since the last STATS, and one in flight


def fetch(url, ca, cert, key, outdir):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.load_cert_chain(cert, key)
    n = 0

    def get(u):
        with urllib.request.urlopen(u, context=ctx, timeout=30) as r:
            return r.read()

    def walk(u, rel):
        nonlocal n
        for e in json.loads(get(u)):
            name = e["name"]
            if "/" in name or name in (".", ".."):
                raise SystemExit("a listing names %r" % name)
            q = urllib.parse.quote(name)
            if e["type"] == "directory":
                walk(u + q + "/", os.path.join(rel, name))
            elif e["type"] == "file":
                d = os.path.join(outdir, rel)
                os.makedirs(d, exist_ok=True)
                with open(os.path.join(d, name), "wb") as f:
                    f.write(get(u + q))
                n += 1

    walk(url if url.endswith("/") else url + "/", "")
    print("%d objects fetched" % n)


def balance(store, snapshot, logs):
    started = {}        # session id -> (name, tenant)
    lines = {}          # session id -> [counters of each logged worker]
    killed = {}         # session id -> workers that died without a report
    line_re = re.compile(r"session (\S+): session (\d+) of tenant (\S+),")
    stats_re = re.compile(
        r"session (\d+): acquired (\d+) encoded \d+ uploaded (\d+) dropped "
        r"queue_full (\d+) upload_failed (\d+) timeout (\d+);")
    kill_re = re.compile(r"session (\d+): worker killed by signal 9")
    for path in logs:
        for line in open(path, errors="replace"):
            m = line_re.search(line)
            if m:
                started[int(m.group(2))] = (m.group(1), m.group(3))
            m = stats_re.search(line)
            if m:
                lines.setdefault(int(m.group(1)), []).append(
                    [int(x) for x in m.group(2, 3, 4, 5, 6)])
            m = kill_re.search(line)
            if m:
                killed[int(m.group(1))] = killed.get(int(m.group(1)), 0) + 1
    snap = {}
    if snapshot and os.path.exists(snapshot):
        for w in json.load(open(snapshot)):
            # A worker that is not running was reported when it ended.
            if w["state"] not in ("running", "starting"):
                continue
            sid = int(w["session_id"])
            snap[sid] = [int(w[k]) for k in (
                "frames_acquired", "frames_uploaded",
                "frames_dropped_queue_full", "frames_dropped_upload_failed",
                "frames_dropped_timeout")]
            killed[sid] = killed.get(sid, 0) + 1
    # store/TENANT/CAMERA/SESSION/SEQUENCE.fgs
    stored = {}
    for root, _, files in os.walk(store):
        for f in files:
            if f.endswith(".fgs"):
                sid = int(os.path.basename(root))
                stored[sid] = stored.get(sid, 0) + 1
    bad = 0
    reports = 0
    for sid in sorted(set(started) | set(stored)):
        name, tenant = started.get(sid, ("?", "?"))
        sets = lines.get(sid, []) + ([snap[sid]] if sid in snap else [])
        unbalanced = [c for c in sets if c[0] != sum(c[1:])]
        acq = sum(c[0] for c in sets)
        up = sum(c[1] for c in sets)
        qf, uf, to = (sum(c[i] for c in sets) for i in (2, 3, 4))
        st = stored.get(sid, 0)
        slack = SLACK * killed.get(sid, 0)
        ok = (sid in started and sets and not unbalanced and st >= up and
              st <= acq + slack)
        reports += len(sets)
        print("%s session %s %d (tenant %s): %d reports, acquired %d = "
              "uploaded %d + dropped %d (queue_full %d upload_failed %d "
              "timeout %d)%s; stored %d, %d more than counted uploaded "
              "(answer lost, or after a killed worker's last report)" %
              ("ok" if ok else "BAD", name, sid, tenant, len(sets), acq, up,
               qf + uf + to, qf, uf, to,
               "; UNBALANCED %s" % unbalanced if unbalanced else "", st,
               st - up))
        bad += not ok
    print("%d sessions, %d counter reports, %d bad" %
          (len(set(started) | set(stored)), reports, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "fetch":
        fetch(*sys.argv[2:])
    elif len(sys.argv) >= 5 and sys.argv[1] == "balance":
        sys.exit(balance(sys.argv[2], sys.argv[3], sys.argv[4:]))
    else:
        sys.exit("usage: e2e.py fetch URL CA CERT KEY OUTDIR | "
                 "balance STORE SNAPSHOT LOG...")
