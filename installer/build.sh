#!/usr/bin/env bash
# Build the one-folder installer payload in dist/ccodesk and smoke-test it like a user would.
set -euo pipefail
cd "$(dirname "$0")/.."
make venv
.venv/bin/python -m pip install --quiet 'pyinstaller>=6.6'
.venv/bin/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
    installer/ccodesk.spec
# The frozen build must find its resources and migrations and open a store.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export CCODESK_PASSPHRASE="installer smoke test" PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring
dist/ccodesk/ccodesk-cli --data-dir "$tmp/store" init --borough Camden --officer "Smoke Test"
dist/ccodesk/ccodesk-cli --data-dir "$tmp/store" demo-data --scale 1
dist/ccodesk/ccodesk-cli --data-dir "$tmp/store" search knife | head -3
# Sync (pyrage, cryptography) and printing (reportlab, the embedded fonts) work frozen too,
# and so does the central unit's command line: set up, trust, reference, merge, receipt.
cli=(dist/ccodesk/ccodesk-cli --data-dir "$tmp/store")
centre=(dist/ccodesk/ccodesk-central --home "$tmp/central")
"${cli[@]}" key export-public -o "$tmp/camden.pub"
"${centre[@]}" init --name "Smoke Test Centre"
"${centre[@]}" trust add --borough Camden --officer "Smoke Test" "$tmp/camden.pub"
"${centre[@]}" reference export -o "$tmp/reference.ccref"
"${cli[@]}" sync import "$tmp/reference.ccref" --yes
"${cli[@]}" sync export -o "$tmp/b.ccbundle"
"${centre[@]}" merge "$tmp/b.ccbundle" --receipts "$tmp/receipts"
"${cli[@]}" sync import "$tmp"/receipts/receipt-camden-1-*.ccreceipt
"${cli[@]}" sync status | grep -q "^Awaiting the centre: 0 changes" || {
  echo "the frozen receipt did not acknowledge the bundle" >&2; "${cli[@]}" sync status >&2; exit 1; }
dist/ccodesk/ccodesk-cli --data-dir "$tmp/store" print form equality --large-print -o "$tmp/f.pdf"
test -s "$tmp/f.pdf"
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} dist/ccodesk/ccodesk --data-dir "$tmp/store" --smoke-test
echo "installer build OK: dist/ccodesk"
