#!/usr/bin/env bash
# Checks that every relative link in README.md and docs/ (Markdown links and images, [text](target)) names a file or
# folder that exists, and that a link to a heading of a Markdown file (#anchor) names a heading it has. Web links
# are not followed. Prints each broken link with its file and line; exits 1 when there is one. Run by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 - README.md $(find docs -name '*.md' | sort) <<'PY'
import os, re, sys
link = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
fence = re.compile(r"^\s*(```|~~~)")

def anchors(path):
    found, inside = set(), False
    for line in open(path, encoding="utf-8"):
        if fence.match(line):
            inside = not inside
        elif not inside and line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found

broken, checked = 0, 0
for source in sys.argv[1:]:
    inside = False
    for number, line in enumerate(open(source, encoding="utf-8"), 1):
        if fence.match(line):
            inside = not inside
            continue
        if inside:
            continue
        for target in link.findall(re.sub(r"`[^`]*`", "", line)):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):
                continue
            checked += 1
            path, _, anchor = target.partition("#")
            resolved = os.path.normpath(os.path.join(os.path.dirname(source), path)) if path else source
            if not os.path.exists(resolved):
                print(f"{source}:{number}: {target}: no such file")
                broken += 1
            elif anchor and resolved.endswith(".md") and anchor.lower() not in anchors(resolved):
                print(f"{source}:{number}: {target}: {resolved} has no heading '#{anchor}'")
                broken += 1
print(f"links: {checked} relative links checked, {broken} broken")
sys.exit(1 if broken else 0)
PY
