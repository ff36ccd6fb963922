#!/usr/bin/env bash
# Builds @confluentinc/kafka-javascript (pinned in package.json/package-lock.json next to this file)
# from the librdkafka sources its npm tarball ships, without network access beyond the npm registry
# (and, optionally, Debian's mirror for libzstd-dev). The binding normally downloads a prebuilt
# binary from GitHub; here it is compiled instead:
#   - npm_config_build_from_source=true: node-pre-gyp skips the GitHub download and runs node-gyp;
#   - npm_config_nodedir: node-gyp takes the running node's headers instead of fetching them;
#   - CKJS_LINKING=dynamic: the bundled librdkafka is configured against the system's OpenSSL/zlib
#     (the default static build has librdkafka's configure download those sources, which fails).
# Idempotent: exits 0 at once if the binding already loads. Exits non-zero, saying why, on failure.
set -euo pipefail
cd "$(dirname "$0")"
log="${TMPDIR:-/tmp}/peers-rdkafka-setup.log"

die() {
  echo "peers-rdkafka setup: $*" >&2
  exit 1
}

loads() {
  node -e "const k = require('@confluentinc/kafka-javascript'); console.log('librdkafka ' + k.librdkafkaVersion + ' [' + k.features.join(',') + ']')" 2>/dev/null
}

if loads; then
  echo "peers-rdkafka: already built"
  exit 0
fi
: >"$log"

for tool in node npm make gcc g++ python3 pkg-config; do
  command -v "$tool" >/dev/null || die "missing build tool: $tool"
done

# node-gyp wants <nodedir>/include/node; the running node's prefix has it when node came from a
# package that ships headers (Debian/NodeSource nodejs, official tarballs).
nodedir="$(node -p 'require("node:path").resolve(process.execPath, "../..")')"
[ -f "$nodedir/include/node/node_version.h" ] ||
  die "no Node headers under $nodedir/include/node (node-gyp cannot download them offline); install the headers for $(node -v)"
[ -f "$nodedir/include/node/openssl/opensslv.h" ] || die "Node headers in $nodedir/include/node lack openssl/"
pkg-config --exists openssl zlib || die "librdkafka needs OpenSSL and zlib development files (Debian: libssl-dev zlib1g-dev)"

# zstd is optional for librdkafka; without it zstd-compressed topics cannot be read. Add it when we
# may (root with apt-get), carry on without it otherwise.
if ! pkg-config --exists libzstd; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libzstd-dev >>"$log" 2>&1 ||
      echo "peers-rdkafka: libzstd-dev not installed, building without zstd (see $log)" >&2
  else
    echo "peers-rdkafka: no libzstd development files, building without zstd" >&2
  fi
fi

echo "peers-rdkafka: building the binding and librdkafka (a few minutes; log: $log)"
# nice: librdkafka's build runs an unbounded `make -j` on a machine shared with others.
if ! CKJS_LINKING=dynamic npm_config_build_from_source=true npm_config_nodedir="$nodedir" \
  nice -n 10 npm ci --no-audit --no-fund --foreground-scripts >>"$log" 2>&1; then
  tail -n 30 "$log" >&2
  die "npm ci (native build) failed; full log: $log"
fi

loads || die "the build finished but the binding does not load: $(node -e "require('@confluentinc/kafka-javascript')" 2>&1 | tail -n 3)"
