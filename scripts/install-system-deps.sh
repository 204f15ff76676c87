#!/bin/sh
# Installs the Debian packages rktnetes uses, only those missing, so a second run costs nothing.
set -eu
PACKAGES="runc containernetworking-plugins busybox-static docker-registry skopeo umoci gnupg gpgv
 iptables nftables etcd-server etcd-client iproute2 conntrack xz-utils bzip2 python3-venv util-linux
 ca-certificates curl dnsmasq-base bind9-dnsutils zstd"
missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# the image builder (rkt image build) resolves and downloads packages from apt's lists: have some
if ! ls /var/lib/apt/lists/*_Packages >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then apt-get update -qq; fi
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" != 0 ]; then echo "install-system-deps: must run as root to install:$missing" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
