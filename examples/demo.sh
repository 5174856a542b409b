#!/usr/bin/env bash
# The Quick start demo: make a key, sign an image digest, verify it, and watch a tampered bundle be refused (exit 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
vouch() { node packages/cli/dist/bundle/bin.js "$@"; }
step() { printf '\n\033[1m$ vouch %s\033[0m\n' "$*" >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/vouch-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT
image="registry.example.com/acme/app@sha256:7b3ccabffc97de872a30dfd234fd972a66d247c8cfc69b0550f276481852627c"
export VOUCH_PASSWORD="demo-password"   # keys are never protected by a flag; a TTY would be prompted

step keygen --output-key-prefix "$work/demo"
vouch keygen --output-key-prefix "$work/demo"
ls -l "$work/demo.key" "$work/demo.pub" >&2

step sign "$image" --no-upload --key demo.key --annotation env=prod --bundle app.sigstore.json
vouch sign "$image" --no-upload --key "$work/demo.key" --annotation env=prod --bundle "$work/app.sigstore.json"

step verify "$image" --bundle app.sigstore.json --key demo.pub
vouch verify "$image" --bundle "$work/app.sigstore.json" --key "$work/demo.pub"
echo "exit code: 0" >&2

# Tamper: re-point the signed statement at another digest, keeping the original signature.
node -e '
  const fs = require("node:fs");
  const [from, to] = process.argv.slice(1);
  const bundle = JSON.parse(fs.readFileSync(from, "utf8"));
  const statement = Buffer.from(bundle.dsseEnvelope.payload, "base64").toString("utf8");
  bundle.dsseEnvelope.payload = Buffer.from(statement.replace(/"sha256":"[0-9a-f]{64}"/, `"sha256":"${"0".repeat(64)}"`)).toString("base64");
  fs.writeFileSync(to, JSON.stringify(bundle));
' "$work/app.sigstore.json" "$work/tampered.sigstore.json"
step verify "$image" --bundle tampered.sigstore.json --key demo.pub
set +e
vouch verify "$image" --bundle "$work/tampered.sigstore.json" --key "$work/demo.pub"
code=$?
set -e
echo "exit code: $code" >&2
if [ "$code" -ne 1 ]; then echo "demo: expected the tampered bundle to be refused with exit 1, got $code" >&2; exit 1; fi

printf '\n\033[1m$ node examples/sign-and-verify.ts\033[0m  (the same through the API)\n' >&2
node examples/sign-and-verify.ts
printf '\nDemo complete: signed, verified, and a tampered bundle was refused (exit 1).\n' >&2
