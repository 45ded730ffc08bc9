#!/usr/bin/env bash
# Vendors rdkafka-sys 4.10.0+2.12.1 into vendor/rdkafka-sys with librdkafka patched
# (librdkafka-2.12.1-admin-coord-eonce.patch: a coordinator admin request that timed out while
# its coordinator was down aborts the process when the coordinator comes back, librdkafka
# issue #4605), for Cargo's [patch.crates-io]. Keeps only what `make libs` builds.
#
#   tools/patches/vendor-rdkafka-sys.sh
#   then in Cargo.toml:  [patch.crates-io]
#                        rdkafka-sys = { path = "vendor/rdkafka-sys" }
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION="4.10.0+2.12.1"
find_src() { ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/"rdkafka-sys-$VERSION" 2>/dev/null | head -1; }
SRC="$(find_src)"
if [ -z "$SRC" ]; then
  cargo fetch >/dev/null
  SRC="$(find_src)"
fi
[ -n "$SRC" ] || { echo "rdkafka-sys $VERSION not found in the cargo registry" >&2; exit 1; }
rm -rf vendor/rdkafka-sys
mkdir -p vendor
cp -r "$SRC" vendor/rdkafka-sys
rm -rf vendor/rdkafka-sys/librdkafka/{tests,packaging,examples,win32} vendor/rdkafka-sys/.cargo-ok
patch -d vendor/rdkafka-sys -p1 < tools/patches/librdkafka-2.12.1-admin-coord-eonce.patch
# ListConsumerGroupOffsets answered NOT_COORDINATOR (a fresh cluster moving its coordinators)
# dereferenced the admin client's NULL consumer-group handle: a segfault.
patch -d vendor/rdkafka-sys -p1 < tools/patches/librdkafka-2.12.1-offsetfetch-admin-null-cgrp.patch
echo "vendored rdkafka-sys $VERSION (patched) into vendor/rdkafka-sys ($(du -sh vendor/rdkafka-sys | cut -f1))" >&2
