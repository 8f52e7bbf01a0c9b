#!/usr/bin/env bash
# Installs what DataStory needs to build and test, from Debian packages only.
# Idempotent and fast when everything is present: it asks dpkg first and calls apt-get only for
# what is missing. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  clang-14 libclang-rt-14-dev          # libFuzzer + sanitizer runtimes for the fuzz target
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev                   # JSON, kept out of public headers
  libcli11-dev                         # command-line parsing
  libxxhash-dev                        # XXH3 hashing for distinct counts and duplicate rows
  libfast-float-dev                    # number parsing with a configurable decimal separator
  libboost-dev                         # spreadsort (radix sort) for duplicate-row hashes
  libcurl4-openssl-dev                 # HTTP client: the optional LLM writer
  libsqlite3-dev                       # the embedded store
  libpq-dev                            # the PostgreSQL store
  postgresql-15 postgresql-common      # the PostgreSQL tests: pg_virtualenv starts a cluster
  libssl-dev                           # HMAC-SHA256 signed URLs, MD5 ETags, S3 Signature V4
  libexpat1-dev                        # S3's XML answers
  python3 python3-pip                  # test tools only: moto_server (S3) and botocore
  clang-format clang-tidy
  nodejs npm                           # test tools only: fixtures, Vega-Lite, Playwright
  chromium                             # headless browser: screenshots of the story page
  time                                 # GNU time -v for peak RSS in the benchmark
  wrk                                  # make bench-api: HTTP load on loopback
  curl openssl                         # the HTTP tests: TLS handshakes, a self-signed certificate
  jq                                   # the README's curl walk-through picks ids with it
  faketime                             # the PostgreSQL clock test: a process a day off
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node and npm may come from outside Debian on a developer machine; accept a working binary.
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if ((${#missing[@]} > 0)); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The S3 tests' peers: moto_server checking Signature V4, and botocore as the reference signer.
# Debian has no moto 5, so they come from pip, pinned, when the machine lacks them.
if ! command -v moto_server >/dev/null 2>&1 || ! python3 -c 'import botocore' 2>/dev/null; then
  echo "install-deps: installing moto[server] 5.2.1 with pip"
  python3 -m pip install --quiet --break-system-packages 'moto[server]==5.2.1'
fi
