#!/usr/bin/env bash
# The Quick start demo: make a key, sign an image digest, verify it, and watch a tampered bundle be refused (exit 1);
# then start a local registry, push an image, sign it by tag, verify and list what is attached, push a changed image
# under the same tag and watch verification refuse it (exit 1). Everything runs on 127.0.0.1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
vouch() { node packages/cli/dist/bundle/bin.js "$@"; }
step() { printf '\n\033[1m$ vouch %s\033[0m\n' "$*" >&2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/vouch-demo.XXXXXX")"
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then
    kill "$registry_pid" 2>/dev/null || true
    wait "$registry_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
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

# The registry part: Debian's docker-registry (distribution 2.8) on a free loopback port, storage in the temp dir.
port="$(node -e '
  const server = require("node:net").createServer();
  server.listen(0, "127.0.0.1", () => { console.log(server.address().port); server.close(); });
')"
host="127.0.0.1:$port"
# JSON strings are YAML double-quoted scalars, so the temp dir path is quoted whatever it holds.
node -e '
  const [file, data, addr] = process.argv.slice(1);
  const q = JSON.stringify;
  require("node:fs").writeFileSync(file, [
    "version: 0.1",
    "log:", "  level: error", "  accesslog:", "    disabled: true",
    "storage:", "  filesystem:", `    rootdirectory: ${q(data)}`,
    "http:", `  addr: ${q(addr)}`,
    "",
  ].join("\n"));
' "$work/registry.yml" "$work/registry-data" "$host"
printf '\n\033[1m$ docker-registry serve registry.yml\033[0m  (listening on %s)\n' "$host" >&2
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
registry_pid=$!
# Wait (at most 10 s) until GET /v2/ answers, or stop early if the registry exited.
for _ in $(seq 100); do
  if node -e '
    const url = `http://${process.argv[1]}/v2/`;
    const req = require("node:http").get(url, { timeout: 500 }, (res) => process.exit(res.statusCode === 200 ? 0 : 1));
    req.on("error", () => process.exit(1));
    req.on("timeout", () => { req.destroy(); process.exit(1); });
  ' "$host"; then ready=1; break; fi
  if ! kill -0 "$registry_pid" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ "${ready:-0}" -ne 1 ]; then
  echo "demo: the registry did not start on $host" >&2
  cat "$work/registry.log" >&2
  exit 1
fi
app="$host/demo/app:v1"

printf '\n\033[1m$ node examples/push-image.ts %s "hello from v1"\033[0m\n' "$app" >&2
node examples/push-image.ts "$app" "hello from v1"

step sign "$app" --key demo.key
vouch sign "$app" --key "$work/demo.key"

step verify "$app" --key demo.pub
vouch verify "$app" --key "$work/demo.pub"
echo "exit code: 0" >&2

step tree "$app"
vouch tree "$app"

# The deploy gate: a policy file says who must have signed what comes from this registry.
cat > "$work/policy.yaml" <<POLICY
apiVersion: vouch.dev/v1alpha1
kind: Policy
keys:
  release: { file: ./demo.pub }
rules:
  - name: demo-apps
    scope: ['$host/demo/**']
    mode: enforce
    signatures: { anyOf: [release] }
default: deny
POLICY
cat > "$work/deploy.yaml" <<DEPLOY
apiVersion: apps/v1
kind: Deployment
metadata: { name: app }
spec:
  template:
    spec:
      containers: [{ name: app, image: "$app" }]
DEPLOY
step verify --policy policy.yaml -f deploy.yaml
vouch verify --policy "$work/policy.yaml" -f "$work/deploy.yaml"
echo "exit code: 0" >&2

printf '\n\033[1m$ node examples/push-image.ts %s "something else"\033[0m  (a changed image, same tag)\n' "$app" >&2
node examples/push-image.ts "$app" "something else"

step verify "$app" --key demo.pub
set +e
vouch verify "$app" --key "$work/demo.pub"
code=$?
set -e
echo "exit code: $code" >&2
if [ "$code" -ne 1 ]; then
  echo "demo: expected the changed image under the signed tag to be refused with exit 1, got $code" >&2
  exit 1
fi

step verify --policy policy.yaml -f deploy.yaml
set +e
vouch verify --policy "$work/policy.yaml" -f "$work/deploy.yaml"
code=$?
set -e
echo "exit code: $code" >&2
if [ "$code" -ne 1 ]; then
  echo "demo: expected the gate to deny the changed image with exit 1, got $code" >&2
  exit 1
fi

printf '\nDemo complete: signed and verified a digest and an image in a local registry, and passed the policy gate;\n' >&2
printf 'a tampered bundle and a changed image pushed under the signed tag were refused, by verify and by the gate (exit 1).\n' >&2
