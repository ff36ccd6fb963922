# The secured single-node broker of `start.sh --security`. Sourced by start.sh, not run.
# Listeners (ports from KAFKA_BASE_PORT = base):
#   base+0 PLAINTEXT       no authentication, principal User:ANONYMOUS = super user (Java tools, admin, readiness)
#   base+1 CONTROLLER      PLAINTEXT, the KRaft controller
#   base+2 SASL_PLAINTEXT  PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWS, test only)
#   base+3 SASL_SSL        the same mechanisms over TLS (server certificate only)
#   base+4 SSL             TLS with ssl.client.auth=required (mTLS); principal User:<certificate CN>
#   base+5 REAUTH          SASL_PLAINTEXT with connections.max.reauth.ms=5000 (SECURE_REAUTH_MS; KIP-368 re-authentication)
#   base+6 TLS             SSL without client authentication (principal User:ANONYMOUS, a super user)
# Authorizer: StandardAuthorizer; super users ANONYMOUS and admin. Users (PLAIN and both SCRAMs):
#   admin/admin-secret (super user), alice/alice-secret (All on topics, groups and transactional ids
#   prefixed secure-), carol/carol-secret (All on topics secure-*, nothing on groups), bob/bob-secret
#   (no ACL). OAUTHBEARER tokens are unsigned JWS whose `sub` is the principal.
# The facts are written to $KAFKA_STATE/secure.json for the tests (test/helpers/secure-broker.ts).

SECURE_KEYSTORE_PASSWORD="keystore-secret"
# Session lifetime on REAUTH. Clients re-authenticate at 85-95 % of it: 5 s leaves them 250 ms or more
# of slack, which a loaded 2-core test machine needs (at 3 s one run in many lost a connection).
SECURE_REAUTH_MS=5000
SECURE_USERS=(admin alice bob carol)
secure_password() { echo "$1-secret"; }
secure_port() { echo $((KAFKA_BASE_PORT + $1)); }

# Every port the secured node listens on.
kafka_security_ports() { for i in 0 1 2 3 4 5 6; do secure_port "$i"; done; }

# Appends the security settings to a node's server.properties. Java reads the last value of a
# repeated key, so the listener lines written here replace start.sh's plaintext ones.
kafka_security_properties() {
  local props="$1" certs="$KAFKA_STATE/certs" plain_users="" l
  for u in "${SECURE_USERS[@]}"; do plain_users="$plain_users user_$u=\"$(secure_password "$u")\""; done
  local p0 p1 p2 p3 p4 p5 p6
  p0=$(secure_port 0); p1=$(secure_port 1); p2=$(secure_port 2); p3=$(secure_port 3)
  p4=$(secure_port 4); p5=$(secure_port 5); p6=$(secure_port 6)
  local listeners="PLAINTEXT://127.0.0.1:$p0,CONTROLLER://127.0.0.1:$p1,SASL_PLAINTEXT://127.0.0.1:$p2,SASL_SSL://127.0.0.1:$p3,SSL://127.0.0.1:$p4,REAUTH://127.0.0.1:$p5,TLS://127.0.0.1:$p6"
  cat >> "$props" <<PROPS

# --- start.sh --security (scripts/kafka/security.sh) ---
listeners=$listeners
advertised.listeners=$listeners
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,REAUTH:SASL_PLAINTEXT,TLS:SSL
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:admin
allow.everyone.if.no.acl.found=false
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
ssl.keystore.type=PKCS12
ssl.keystore.location=$certs/broker.p12
ssl.keystore.password=$SECURE_KEYSTORE_PASSWORD
ssl.key.password=$SECURE_KEYSTORE_PASSWORD
ssl.truststore.type=PEM
ssl.truststore.location=$certs/ca.pem
listener.name.ssl.ssl.client.auth=required
ssl.principal.mapping.rules=RULE:^CN=([^,]+).*\$/\$1/,DEFAULT
listener.name.reauth.connections.max.reauth.ms=$SECURE_REAUTH_MS
PROPS
  for l in sasl_plaintext sasl_ssl reauth; do
    cat >> "$props" <<PROPS
listener.name.$l.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required$plain_users;
listener.name.$l.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.$l.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.$l.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="admin";
PROPS
  done
}

# The SCRAM credentials, created in the metadata log when the node is formatted.
kafka_security_format_args() {
  local u m
  for u in "${SECURE_USERS[@]}"; do
    for m in SCRAM-SHA-256 SCRAM-SHA-512; do
      printf '%s\n' --add-scram "$m=[name=$u,password=$(secure_password "$u")]"
    done
  done
}

# ACLs (through the PLAINTEXT listener, whose principal is a super user), then secure.json.
kafka_security_after_ready() {
  local bootstrap="127.0.0.1:$(secure_port 0)" certs="$KAFKA_STATE/certs" opts="-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1"
  local acl=(java $opts -Dlog4j2.configurationFile="$KAFKA_SCRIPTS/log4j2-tools.properties" -cp "$KAFKA_LIBS/*"
    org.apache.kafka.tools.AclCommand --bootstrap-server "$bootstrap" --add --resource-pattern-type prefixed)
  # Both in parallel: each is a JVM start.
  "${acl[@]}" --allow-principal User:alice --operation All --topic secure- --group secure- --transactional-id secure- \
    >"$KAFKA_STATE/acl-alice.log" 2>&1 &
  local alice_pid=$!
  "${acl[@]}" --allow-principal User:carol --operation All --topic secure- >"$KAFKA_STATE/acl-carol.log" 2>&1 \
    || { echo "kafka-stage: adding carol's ACLs failed:" >&2; cat "$KAFKA_STATE/acl-carol.log" >&2; return 1; }
  wait "$alice_pid" || { echo "kafka-stage: adding alice's ACLs failed:" >&2; cat "$KAFKA_STATE/acl-alice.log" >&2; return 1; }
  cat > "$KAFKA_STATE/secure.json" <<JSON
{
  "host": "127.0.0.1",
  "ports": {
    "plaintext": $(secure_port 0),
    "controller": $(secure_port 1),
    "saslPlaintext": $(secure_port 2),
    "saslSsl": $(secure_port 3),
    "mtls": $(secure_port 4),
    "reauth": $(secure_port 5),
    "tls": $(secure_port 6)
  },
  "reauthMs": $SECURE_REAUTH_MS,
  "certs": "$certs",
  "keystorePassword": "$SECURE_KEYSTORE_PASSWORD",
  "aliceKeyPassphrase": "alice-key-pass",
  "logFile": "$KAFKA_STATE/node1/server.log"
}
JSON
}
