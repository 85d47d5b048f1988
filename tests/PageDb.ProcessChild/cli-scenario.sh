#!/bin/bash
# The scenario of issue 13: a child process (this project, mode "writer") commits nonstop at Durability.Full while
# `pagedb check` and `pagedb get` run against the same database N times each. Prints how many runs failed or reported
# problems (all of them false: the database is healthy). Build first:
#   dotnet build src/PageDb.Cli -c Release && dotnet build tests/PageDb.ProcessChild -c Release
# Usage: tests/PageDb.ProcessChild/cli-scenario.sh [N=100]   (CLI=<path to a PageDb.Cli binary> to test another build)
set -u
N=${1:-100}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CLI=${CLI:-$ROOT/src/PageDb.Cli/bin/Release/net10.0/PageDb.Cli}
CHILD=$ROOT/tests/PageDb.ProcessChild/bin/Release/net10.0/PageDb.ProcessChild.dll
DIR=$(mktemp -d "${TMPDIR:-/tmp}/pagedb-scenario-XXXX")
DB=$DIR/live.pagedb
dotnet "$CHILD" writer "$DB" 262144 > "$DIR/writer.out" 2>&1 &
WRITER=$!
until grep -q "^ACK 50$" "$DIR/writer.out" 2>/dev/null; do sleep 0.2; done
failed=0; problems=0; getfailed=0; first=""
for _ in $(seq 1 "$N"); do
  out=$("$CLI" check "$DB" 2>&1) || { failed=$((failed + 1)); first=${first:-$out}; }
  count=$(echo "$out" | grep -oE '[0-9,]+ problems' | tr -d ', problems')
  problems=$((problems + ${count:-0}))
  out=$("$CLI" get "$DB" live counter 2>&1) || { getfailed=$((getfailed + 1)); first=${first:-$out}; }
done
kill -9 $WRITER
wait $WRITER 2>/dev/null
echo "$N check + $N get beside a writer that committed $(grep -c '^ACK' "$DIR/writer.out") times: check runs failing $failed, problems reported $problems, get runs failing $getfailed"
[ -n "$first" ] && echo "first failure: $(echo "$first" | head -3)"
rm -rf "$DIR"
