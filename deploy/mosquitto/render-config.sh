#!/usr/bin/env bash
# Renders mosquitto.conf.template into a runnable configuration.
#
#   render-config.sh --out DIR --certs DIR [--data DIR] [--device-port 8883] [--service-port 8884]
#                    [--password-port 8885] [--autosave-changes 100]
#
# Writes DIR/mosquitto.conf and copies the two ACL files next to it; creates an empty DIR/passwords when there is
# none (fill it with mosquitto_passwd). Then: mosquitto -c DIR/mosquitto.conf
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out="" certs="" data="" device_port=8883 service_port=8884 password_port=8885 autosave=100

die() { echo "render-config.sh: $*" >&2; exit 2; }
port() { [[ $2 =~ ^[0-9]+$ ]] && (($2 >= 1 && $2 <= 65535)) || die "$1 '$2' is not a TCP port"; echo "$2"; }

while (($#)); do
    case "$1" in
        --out) out=${2:?}; shift 2 ;;
        --certs) certs=${2:?}; shift 2 ;;
        --data) data=${2:?}; shift 2 ;;
        --device-port) device_port=$(port "$1" "${2:-}"); shift 2 ;;
        --service-port) service_port=$(port "$1" "${2:-}"); shift 2 ;;
        --password-port) password_port=$(port "$1" "${2:-}"); shift 2 ;;
        --autosave-changes) autosave=${2:?}; shift 2 ;;
        -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
        *) die "unknown argument $1" ;;
    esac
done

[[ -n $out ]] || die "--out DIR is required"
[[ -n $certs ]] || die "--certs DIR is required (make it with make-certs.sh)"
[[ $autosave =~ ^[1-9][0-9]*$ ]] || die "--autosave-changes '$autosave' is not a positive count"
for file in ca.crt ca.crl service-ca.crt service-ca.crl broker.crt broker.key; do
    [[ -f $certs/$file ]] || die "$certs/$file is missing (run make-certs.sh --dir $certs)"
done

mkdir -p "$out"
out=$(cd "$out" && pwd)
certs=$(cd "$certs" && pwd)
data=${data:-$out/data}
mkdir -p "$data"
data=$(cd "$data" && pwd)

cp "$here/acl-devices.conf" "$here/acl-services.conf" "$out/"
[[ -f $out/passwords ]] || : > "$out/passwords"
sed -e "s|@CERT_DIR@|$certs|g" -e "s|@CONF_DIR@|$out|g" -e "s|@DATA_DIR@|$data|g" \
    -e "s|@DEVICE_PORT@|$device_port|g" -e "s|@SERVICE_PORT@|$service_port|g" \
    -e "s|@PASSWORD_PORT@|$password_port|g" -e "s|@AUTOSAVE_CHANGES@|$autosave|g" \
    "$here/mosquitto.conf.template" > "$out/mosquitto.conf"
echo "wrote $out/mosquitto.conf (devices :$device_port, services :$service_port, passwords :$password_port)"
