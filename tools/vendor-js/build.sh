#!/usr/bin/env bash
# Rebuild the vendored graph bundle from the npm registry. Needs node and npm; the result is committed, so
# neither users nor CI need them.
set -euo pipefail
cd "$(dirname "$0")"
npm install --silent
npx esbuild entry.js --bundle --minify --format=iife --target=es2019 --legal-comments=none \
  --outfile=../../src/lockstep/report/vendor/graph-bundle.min.js
echo "rebuilt; update LICENSES.txt beside the bundle if versions changed"
