#!/usr/bin/env bash
# Makes the certificates of a locked-down Edge broker (see README.md in this folder).
#
#   make-certs.sh [--dir DIR] [--host NAME]... [--service NAME]... [DEVICE_ID...]
#       Creates what is missing in DIR (default ./certs) and never overwrites what exists:
#         ca.crt/.key/.crl                 device CA: signs the broker certificate and one certificate per device
#         service-ca.crt/.key/.crl         service CA: signs the trainer and the requesters (operator-*)
#         broker.crt/.key                  server certificate, SAN localhost, 127.0.0.1 and every --host NAME
#         services/trainer.crt/.key        the trainer role (always), plus one per --service NAME
#         devices/ID.crt/.key              one per DEVICE_ID (the certificate's CN is the device id)
#   make-certs.sh [--dir DIR] revoke NAME
#       Revokes devices/NAME.crt (or services/NAME.crt) and regenerates the CRL of the CA that signed it.
#   make-certs.sh [--dir DIR] crl
#       Regenerates both CRLs (they expire after 30 days; run this from cron and reload mosquitto with SIGHUP).
#
# Two CAs keep the roles apart: the device listener trusts only the device CA, the service listener only the
# service CA, so a device certificate can never log in where client ids are free (see mosquitto.conf.template).
set -euo pipefail

dir=./certs
hosts=()
services=()
devices=()
command=issue
revoke_name=""
days=825
crl_days=30

die() { echo "make-certs.sh: $*" >&2; exit 2; }

while (($#)); do
    case "$1" in
        --dir) dir=${2:?--dir needs a folder}; shift 2 ;;
        --host) hosts+=("${2:?--host needs a name}"); shift 2 ;;
        --service) services+=("${2:?--service needs a name}"); shift 2 ;;
        revoke) command=revoke; revoke_name=${2:?revoke needs a device or service name}; shift 2 ;;
        crl) command=crl; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        -*) die "unknown option $1" ;;
        *) devices+=("$1"); shift ;;
    esac
done

# Identities become MQTT user names and one topic level (edge/v1/<id>/...): the same rule as EdgeTopics.
check_identity() {
    [[ $1 =~ ^[A-Za-z0-9.-][A-Za-z0-9._-]{0,63}$ ]] || die "'$1' is not a device id (1-64 of A-Z a-z 0-9 . _ -, not starting with _)"
}

# A CA with its own openssl 'ca' database, so certificates can be revoked and the CRL regenerated.
make_ca() {
    local name=$1 subject=$2
    [[ -f $dir/$name.crt ]] && return
    mkdir -p "$dir/$name.db"
    : > "$dir/$name.db/index.txt"
    echo 1000 > "$dir/$name.db/crlnumber"
    cat > "$dir/$name.db/openssl.cnf" <<EOF
[ca]
default_ca = edge
[edge]
database = $dir/$name.db/index.txt
crlnumber = $dir/$name.db/crlnumber
certificate = $dir/$name.crt
private_key = $dir/$name.key
default_md = sha256
default_crl_days = $crl_days
EOF
    openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
        -subj "/CN=$subject" -keyout "$dir/$name.key" -out "$dir/$name.crt" \
        -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    chmod 600 "$dir/$name.key"
    make_crl "$name"
}

make_crl() {
    openssl ca -config "$dir/$1.db/openssl.cnf" -gencrl -out "$dir/$1.crl" 2>/dev/null
}

# issue CA FILE CN EXTENSIONS: a P-256 key and a certificate signed by CA.
issue() {
    local ca=$1 file=$2 cn=$3 extensions=$4
    [[ -f $file.crt ]] && return
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$cn" \
        -keyout "$file.key" -out "$file.csr" 2>/dev/null
    openssl x509 -req -in "$file.csr" -CA "$dir/$ca.crt" -CAkey "$dir/$ca.key" -CAcreateserial -days "$days" \
        -sha256 -extfile <(printf '%s\n' "$extensions") -out "$file.crt" 2>/dev/null
    rm -f "$file.csr"
    chmod 600 "$file.key"
    echo "issued $file.crt (CN=$cn)"
}

client_extensions="basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth"

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

case $command in
    revoke)
        check_identity "$revoke_name"
        if [[ -f $dir/devices/$revoke_name.crt ]]; then ca=ca; cert=$dir/devices/$revoke_name.crt
        elif [[ -f $dir/services/$revoke_name.crt ]]; then ca=service-ca; cert=$dir/services/$revoke_name.crt
        else die "no certificate devices/$revoke_name.crt or services/$revoke_name.crt in $dir"; fi
        openssl ca -config "$dir/$ca.db/openssl.cnf" -revoke "$cert" 2>/dev/null
        make_crl "$ca"
        echo "revoked $cert; $dir/$ca.crl regenerated (reload mosquitto: kill -HUP <pid>)"
        ;;
    crl)
        make_crl ca
        make_crl service-ca
        echo "regenerated $dir/ca.crl and $dir/service-ca.crl"
        ;;
    issue)
        for id in "${devices[@]}" "${services[@]}"; do check_identity "$id"; done
        make_ca ca "Edge device CA"
        make_ca service-ca "Edge service CA"
        san="DNS:localhost,IP:127.0.0.1"
        for host in "${hosts[@]}"; do
            if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then san+=",IP:$host"; else san+=",DNS:$host"; fi
        done
        issue ca "$dir/broker" "${hosts[0]:-localhost}" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san"
        # mosquitto reads its key after dropping to the 'mosquitto' user.
        if [[ $(id -u) == 0 ]] && getent group mosquitto >/dev/null; then
            chgrp mosquitto "$dir/broker.key" && chmod 640 "$dir/broker.key"
        fi
        mkdir -p "$dir/services" "$dir/devices"
        for name in trainer "${services[@]}"; do issue service-ca "$dir/services/$name" "$name" "$client_extensions"; done
        for id in "${devices[@]}"; do issue ca "$dir/devices/$id" "$id" "$client_extensions"; done
        ;;
esac
