#!/usr/bin/env bash
# Installs what the real-registry tests need (distribution's registry, htpasswd with bcrypt, openssl, skopeo) when missing.
# Idempotent and silent when everything is already there; apt-get update runs only when an install is needed.
set -euo pipefail

missing=()
command -v docker-registry >/dev/null 2>&1 || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
# skopeo pushes and pulls images in the interoperability test (test/registry/skopeo.test.ts).
command -v skopeo >/dev/null 2>&1 || missing+=(skopeo)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "ensure-registry: missing ${missing[*]} and not root (no sudo); install them with apt-get" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# Try without refreshing the index first: a fresh image may still have usable lists, and update is the slow part.
if ! "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  "${sudo[@]}" apt-get update -qq >/dev/null
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "ensure-registry: installed ${missing[*]}"
