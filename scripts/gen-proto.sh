#!/usr/bin/env bash
# Regenerates proto/generated/ from proto/watchpost.proto. OUT_DIR lets the staleness test generate elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${OUT_DIR:-proto/generated}"
mkdir -p "$out"
npx pbjs -t static-module -w es6 --no-create --no-verify --no-delimited --no-convert --force-number \
  -o "$out/watchpost.js" proto/watchpost.proto
npx pbts -o "$out/watchpost.d.ts" "$out/watchpost.js"
