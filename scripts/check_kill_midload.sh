#!/usr/bin/env bash
# Kill Neo4j in the middle of `graphkit load`, restart it, load again, and check that the
# store converges to exactly what an uninterrupted load writes (nothing duplicated, nothing
# lost). Runs against the local server controlled by neo4j-local.sh; everything it writes is
# under two private id prefixes and deleted at the end.
#
#   NEO4J_HOME=/opt/neo4j NEO4J_PASSWORD=... scripts/check_kill_midload.sh [EDGES] [KILL_AFTER_S]
#
# EDGES (default 200000) typed edges in a generated graph (10 edges per entity);
# KILL_AT (default 30) percent of the typed edges written by the interrupted load before
# `kill -9` of the server (polled every half second).
# KILL_MODE=stop uses `neo4j-local.sh stop` (clean shutdown) instead of kill -9.
# Exit 0 = converged, 1 = differs. Careful: it takes the server down for everyone using it.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${NEO4J_HOME:?set NEO4J_HOME (e.g. /opt/neo4j)}"
export NEO4J_URI="${NEO4J_URI:-bolt://127.0.0.1:7687}" NEO4J_USER="${NEO4J_USER:-neo4j}"
: "${NEO4J_PASSWORD:?set NEO4J_PASSWORD}"
export NEO4J_PASSWORD
EDGES="${1:-200000}"
KILL_AT="${2:-30}"
KILL_MODE="${KILL_MODE:-kill9}"
PY="${PYTHON:-python}"
[ -x /work/venv/bin/python ] && [ "$PY" = python ] && PY=/work/venv/bin/python
CTL="${NEO4J_LOCAL:-$(cd .. && pwd)/shared/tools/neo4j-local.sh}"
OUT=graphkit-out/kill-midload
mkdir -p "$OUT"
TAG="$(head -c4 /dev/urandom | od -An -tx1 | tr -d ' \n')"
REF="gkkillref-$TAG-"
RUN="gkkillrun-$TAG-"

digest() {  # counts and a digest of every property under a prefix (prefix stripped)
  "$PY" - "$1" <<'PY'
import hashlib, json, sys
from graphkit.neo4j import Neo4jSettings, connect, count_graph
p = sys.argv[1]
d = connect(Neo4jSettings.from_env())
def strip(v):
    if isinstance(v, str): return v.replace(p, "")
    if isinstance(v, list): return [strip(x) for x in v]
    return v
h = hashlib.sha256()
for q in ("MATCH (n) WHERE n.id STARTS WITH $p RETURN n.id AS k, labels(n) AS l, properties(n) AS pr ORDER BY k",
          "MATCH (a)-[r]->(b) WHERE a.id STARTS WITH $p RETURN a.id + '|' + type(r) + '|' + b.id AS k, [] AS l, "
          "properties(r) AS pr ORDER BY k"):
    for rec in d.execute_query(q, parameters_={"p": p}).records:
        pr = {k: strip(v) for k, v in rec["pr"].items() if k != "edge_keys"}
        if "articles" in pr:  # per-article items as a set: their order is not part of the model
            lists = ("articles", "evidence", "dates", "confidences", "rules")
            pr["items"] = sorted(zip(*(pr.pop(x) for x in lists)))
        h.update(json.dumps([strip(rec["k"]), sorted(rec["l"]), pr], sort_keys=True, ensure_ascii=False).encode())
c = count_graph(d, p)
print(json.dumps({"nodes": c["nodes"], "relationships": c["relationships"], "mentions": c["MENTIONS"],
                  "digest": h.hexdigest()[:16]}))
PY
}

cleanup() {
  "$PY" -c "
from graphkit.neo4j import Neo4jSettings, connect, delete_prefixed
d = connect(Neo4jSettings.from_env())
print('cleanup: deleted', delete_prefixed(d, '$REF', batch_size=2000) + delete_prefixed(d, '$RUN', batch_size=2000), 'nodes')
" || true
}
trap cleanup EXIT

echo "== generating a graph with $EDGES edges"
"$PY" - "$EDGES" "$OUT/graph.json" <<'PY'
import json, sys
sys.path.insert(0, "benchmarks")
from bench_load import generate
edges = int(sys.argv[1])
g = generate(max(100, edges // 10), max(10, edges // 50), edges)
json.dump(g, open(sys.argv[2], "w"), ensure_ascii=False)
print(f"{len(g['nodes'])} entities, {len(g['articles'])} articles, {len(g['edges'])} edges")
PY

echo "== reference: uninterrupted load under $REF"
"$PY" -m graphkit.cli load "$OUT/graph.json" --id-prefix "$REF" 2>/dev/null
REF_DIGEST="$(digest "$REF")"
echo "reference: $REF_DIGEST"

echo "== interrupted load under $RUN: $KILL_MODE of Neo4j once ${KILL_AT}% of the edges are written"
set +e
"$PY" -m graphkit.cli load "$OUT/graph.json" --id-prefix "$RUN" >"$OUT/interrupted.out" 2>"$OUT/interrupted.err" &
LOADER=$!
"$PY" - "$RUN" "$(( EDGES * KILL_AT / 100 ))" <<'PY'
import sys, time
from graphkit.neo4j import Neo4jSettings, connect
prefix, want = sys.argv[1], int(sys.argv[2])
d = connect(Neo4jSettings.from_env())
query = ("MATCH (h:Entity)-[r]->(:Entity) WHERE h.id STARTS WITH $p RETURN count(r) AS n")
while (n := d.execute_query(query, parameters_={"p": prefix}).records[0]["n"]) < want:
    time.sleep(0.5)
nodes = d.execute_query("MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n", parameters_={"p": prefix}).records[0]["n"]
print(f"written before the kill: {nodes} nodes, {n} edges (polled)")
PY
if [ "$KILL_MODE" = stop ]; then
  NEO4J_HOME="$NEO4J_HOME" bash "$CTL" stop >/dev/null
else
  kill -9 "$(cat "$NEO4J_HOME/run/neo4j.pid")"
fi
wait "$LOADER"; RC=$?
set -e
echo "interrupted loader: exit $RC; stderr: $(grep -v '━' "$OUT/interrupted.err" | tr '\n' ' ' | cut -c1-300)"
if grep -q Traceback "$OUT/interrupted.err" || grep -qF "$NEO4J_PASSWORD" "$OUT/interrupted.err" "$OUT/interrupted.out"; then
  echo "FAIL: traceback or password in the loader's output"; exit 1
fi
PARTIAL_RESTART_START=$(date +%s)
NEO4J_HOME="$NEO4J_HOME" bash "$CTL" start >/dev/null
echo "Neo4j back after $(( $(date +%s) - PARTIAL_RESTART_START ))s"
PARTIAL="$(digest "$RUN")"
echo "after the crash: $PARTIAL"

echo "== re-run the load under $RUN"
"$PY" -m graphkit.cli load "$OUT/graph.json" --id-prefix "$RUN" 2>/dev/null
RUN_DIGEST="$(digest "$RUN")"
echo "re-run:    $RUN_DIGEST"
echo "reference: $REF_DIGEST"
if [ "$RUN_DIGEST" = "$REF_DIGEST" ] && [ "$RC" -ne 0 ]; then
  echo "PASS: the interrupted load failed cleanly (exit $RC) and the re-run converged to the uninterrupted load"
else
  echo "FAIL: store after re-run differs from the uninterrupted load (or the interrupted load did not fail)"; exit 1
fi
