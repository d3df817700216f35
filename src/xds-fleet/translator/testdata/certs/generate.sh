#!/bin/sh
# TEST CERTIFICATES ONLY: a throwaway CA, a server certificate for catalog.shop.local and a client
# certificate for frontend.shop.local, used by the translator's golden cases and TLS traffic test.
# The private keys are public (committed); never trust this CA anywhere. Regenerate with
# `sh generate.sh` from this directory (outputs are overwritten; the CA key is not kept).
set -eu
DAYS=36500
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ca.key"
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days "$DAYS" -subj "/O=meshplane tests/CN=meshplane TEST CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out test-ca.crt

issue() { # name cn eku
  openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$1.key"
  openssl pkcs8 -topk8 -nocrypt -in "$tmp/$1.key" -out "$1.key"
  openssl req -new -key "$1.key" -subj "/O=meshplane tests/CN=$2" -out "$tmp/$1.csr"
  printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=DNS:%s\n' \
    "$3" "$2" >"$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA test-ca.crt -CAkey "$tmp/ca.key" -CAcreateserial -CAserial "$tmp/ca.srl" \
    -sha256 -days "$DAYS" -extfile "$tmp/$1.ext" -out "$1.crt"
}
issue test-catalog-server catalog.shop.local serverAuth
issue test-frontend-client frontend.shop.local clientAuth
