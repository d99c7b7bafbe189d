#!/usr/bin/env bash
# Installs what building and running LocalFineTune needs on Debian/Ubuntu, and nothing when it is
# already there (safe to run before every build). The .NET 10 SDK itself is expected on PATH.
#   libtorch-dev          libtorch 1.13 (CPU) headers, libraries and CMake config
#   libopenblas0-pthread  fast BLAS: without it libtorch falls back to reference BLAS (~25x slower matmul)
#   cmake, g++            build the native shim (native/lft_torch)
#   libicu72              Unicode normalisation (NFC/NFKC tokenizers) for .NET
#   chromium              the browser the dashboard tests drive through Playwright (which never downloads one)
#   fonts-dejavu-core     a font, so the text in those tests' screenshots renders
set -euo pipefail
packages=(libtorch-dev libopenblas0-pthread cmake g++ libicu72 chromium fonts-dejavu-core)
quiet=false
[[ "${1:-}" == "--quiet" ]] && quiet=true

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  $quiet || echo "setup: ${packages[*]} already installed"
else
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "setup: installing ${missing[*]} (apt, about 20 s; a minute more with chromium)..."
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "setup: the .NET 10 SDK is not on PATH; install it from Microsoft's packages (dotnet-sdk-10.0)." >&2
  exit 1
fi
