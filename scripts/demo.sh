#!/bin/bash
# `make run`: the runtime's main job until the cluster exists. Builds the base images from recipes/ (offline,
# from Debian packages), serves them from a real local registry on 127.0.0.1, fetches one with `rkt fetch
# docker://…` into a fresh store, lists the store, and fetches again from the cache.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/rktnetes-demo.XXXXXX)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rktnetes/build"
registry_pid=""
cleanup() {
    if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

rkt version
echo
echo "== rkt image build: busybox, alpine-sh and nginx from recipes/ (Debian packages, no internet registry)"
for name in busybox alpine-sh nginx; do
    rkt image build "recipes/$name.yaml" --output "$work/images" --cache-dir "$cache"
done

port=$(python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port, secret: rktnetes-demo}
YML
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/v2/" >/dev/null && break; sleep 0.1; done
echo
echo "== pushing the OCI layouts to the registry at 127.0.0.1:$port (scripts/push-image, skopeo)"
for name in busybox alpine-sh nginx; do
    scripts/push-image "$work/images/$name.oci" "127.0.0.1:$port/$name:latest" --insecure
    echo "pushed $name:latest"
done

rkt_() { rkt --dir="$work/rkt" "$@"; }
echo
echo "== rkt fetch docker://127.0.0.1:$port/nginx:latest"
rkt_ --insecure-options=image,http fetch "docker://127.0.0.1:$port/nginx:latest"
echo
echo "== rkt fetch of the busybox ACI file"
rkt_ --insecure-options=image fetch "$work/images/busybox.aci"
echo
echo "== rkt image list"
rkt_ image list
echo
echo "== fetching nginx again comes from the store"
time rkt_ --insecure-options=image,http fetch "docker://127.0.0.1:$port/nginx:latest"
