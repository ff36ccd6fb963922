#!/usr/bin/env bash
# Make the test certificates of the secured broker (start.sh --security) with openssl, once per
# state folder. Everything is throw-away and valid for 30 days; nothing here is a real secret.
# Usage: certs.sh <folder>
# Writes into <folder>:
#   ca.pem, ca.key                 the test CA (clients trust ca.pem)
#   broker.p12                     the broker's key and chain (PKCS12, password KEYSTORE_PASSWORD below);
#                                  SAN DNS:localhost, IP:127.0.0.1
#   alice.pem, alice.key           a client certificate CN=alice (mTLS principal User:alice), key PKCS#8
#   alice-encrypted.key            the same key encrypted with the passphrase ALICE_KEY_PASSPHRASE below
#   alice.p12                      alice's key and chain for the Java clients (password KEYSTORE_PASSWORD)
#   rogue-ca.pem, rogue-alice.pem, rogue-alice.key
#                                  a CN=alice certificate from a CA the broker does not trust
set -euo pipefail
dir="$1"
KEYSTORE_PASSWORD="keystore-secret"
ALICE_KEY_PASSPHRASE="alice-key-pass"

if ! command -v openssl >/dev/null; then
  echo "kafka-stage: installing openssl (Debian package) to make test certificates" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y -q openssl >&2 || { apt-get update -q >&2 && apt-get install -y -q openssl >&2; }
  else sudo apt-get install -y -q openssl >&2 || { sudo apt-get update -q >&2 && sudo apt-get install -y -q openssl >&2; }
  fi
fi

[ -f "$dir/.complete" ] && exit 0
mkdir -p "$dir"
cd "$dir"
days=30

# ca <name> <CN>: a self-signed CA that may sign leaf certificates only.
ca() {
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days "$days" -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
}
# leaf <name> <CN> <ca> <extensions>: a key (PKCS#8, unencrypted) and a certificate signed by <ca>.
leaf() {
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
  printf '%s\n' "$4" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days "$days" -sha256 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}

ca ca kafka-stage-test-ca
leaf broker localhost ca $'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment'
leaf alice alice ca $'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment'
openssl pkcs8 -topk8 -in alice.key -out alice-encrypted.key -v2 aes-256-cbc -passout "pass:$ALICE_KEY_PASSPHRASE"
ca rogue-ca kafka-stage-rogue-ca
leaf rogue-alice alice rogue-ca $'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment'

openssl pkcs12 -export -in broker.pem -inkey broker.key -certfile ca.pem -name broker -out broker.p12 -passout "pass:$KEYSTORE_PASSWORD"
openssl pkcs12 -export -in alice.pem -inkey alice.key -certfile ca.pem -name alice -out alice.p12 -passout "pass:$KEYSTORE_PASSWORD"
touch .complete
