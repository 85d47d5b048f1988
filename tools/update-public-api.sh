#!/usr/bin/env bash
# Brings every package's PublicAPI.Unshipped.txt in line with the code, with the public API analyzer's own findings:
#   1. RS0016 (a public symbol missing from the files): the analyzer's code fix adds its exact line to
#      PublicAPI.Unshipped.txt (`dotnet format analyzers --diagnostics RS0016`);
#   2. RS0017 (a listed symbol that is gone or no longer public), read from a build: the line is removed from
#      PublicAPI.Unshipped.txt, or, when PublicAPI.Shipped.txt has it (a released symbol), recorded in Unshipped as
#      *REMOVED*<line>, the analyzer's convention for a breaking removal;
#   3. a last build, which must report neither.
# Review the diff afterwards: every changed line is a public API change. Moving Unshipped into Shipped is done by
# hand at a release. Usage: bash tools/update-public-api.sh   (from anywhere; needs python3; several minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log=$(mktemp)
trap 'rm -f "$log"' EXIT

build() {
  dotnet build PageDb.sln -c Release --no-incremental -p:TreatWarningsAsErrors=false -p:WarningsAsErrors= -nologo -v:q >"$log" 2>&1 || true
  if grep -E ": error " "$log" | grep -vqE "error RS00(16|17)"; then
    grep ": error " "$log" | sort -u >&2
    echo "the build has errors other than the API files'; fix them first" >&2
    exit 1
  fi
}

echo "adding new public symbols (RS0016) with the analyzer's code fix" >&2
# One project at a time: on the whole solution the fixes of some projects are not applied.
for api in src/*/PublicAPI.Shipped.txt; do
  project=$(dirname "$api")
  dotnet format analyzers "$project/$(basename "$project").csproj" --diagnostics RS0016 --severity warn
done

echo "removing symbols that are gone (RS0017)" >&2
build
python3 - "$log" <<'PY'
import os, re, sys
pattern = re.compile(r"warning RS0017: Symbol '(.+?)' is part of the declared API, but is either not public or could not be found.*\[(.+?\.csproj)")
gone = {}
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = pattern.search(line)
    if m:
        gone.setdefault(os.path.dirname(m.group(2)), set()).add(m.group(1))
for folder, symbols in sorted(gone.items()):
    shipped_path = os.path.join(folder, "PublicAPI.Shipped.txt")
    unshipped_path = os.path.join(folder, "PublicAPI.Unshipped.txt")
    shipped = set(open(shipped_path).read().splitlines())
    lines = open(unshipped_path).read().splitlines()
    kept = [l for l in lines if l not in symbols]
    kept += ["*REMOVED*" + s for s in sorted(symbols) if s in shipped and "*REMOVED*" + s not in lines]
    header = [l for l in kept if l.startswith("#")]
    body = sorted({l for l in kept if l and not l.startswith("#")}, key=lambda l: l.removeprefix("*REMOVED*"))
    with open(unshipped_path, "w") as f:
        f.write("\n".join(header + body) + "\n")
    print(f"{unshipped_path}: {len(symbols)} removed symbol(s)", file=sys.stderr)
PY

echo "checking" >&2
build
if grep -qE "warning RS00(16|17)" "$log"; then
  grep -E "warning RS00(16|17)" "$log" | sort -u >&2
  echo "the public API files still differ from the code (above)" >&2
  exit 1
fi
echo "the public API files match the code; review: git diff -- '*PublicAPI*.txt'" >&2
