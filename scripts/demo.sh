#!/bin/bash
# `make run`: a local cluster, shown working with the real kubectl. Builds the base images from recipes/
# (offline, from Debian packages), starts `rktnetes start --nodes 2` (profile "demo", node network
# 192.168.58.0/24 on a bridge: the host side gets only that connected route, no NAT, no default route),
# serves the images from a real registry on the bridge address, deploys busybox httpd with a NodePort Service,
# reaches it from the host and by DNS from a pod, loads an image with `rktnetes image load` for a pod with
# imagePullPolicy Never, kills a kubelet (its supervisor restarts it), then deletes the cluster (leaving
# nothing behind).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d /tmp/rktnetes-demo.XXXXXX)
cache="${XDG_CACHE_HOME:-$HOME/.cache}/rktnetes/build"
subnet=192.168.58.0/24
host_ip=192.168.58.1
export RKTNETES_HOME="$work/home" KUBECONFIG="$work/kubeconfig"   # the demo leaves the user's kubeconfig alone
registry_pid=""
cleanup() {
    echo
    echo "== rktnetes delete -p demo"
    rktnetes delete -p demo || true
    if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; wait "$registry_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

rktnetes --version
echo
echo "== rkt image build: busybox from recipes/ (Debian packages, no internet registry)"
rkt image build recipes/busybox.yaml --output "$work/images" --cache-dir "$cache"

echo
echo "== rktnetes start -p demo --nodes 2 --subnet $subnet --insecure-registry"
time rktnetes start -p demo --nodes 2 --subnet "$subnet" --insecure-registry

port=$(python -c "import socket; s = socket.socket(); s.bind(('$host_ip', 0)); print(s.getsockname()[1])")
cat > "$work/registry.yml" <<YML
version: 0.1
log: {level: error, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: $host_ip:$port, secret: rktnetes-demo}
YML
docker-registry serve "$work/registry.yml" >/dev/null 2>&1 &
registry_pid=$!
for _ in $(seq 100); do curl -fs "http://$host_ip:$port/v2/" >/dev/null && break; sleep 0.1; done
scripts/push-image "$work/images/busybox.oci" "$host_ip:$port/busybox:latest" --insecure
echo "pushed busybox:latest to the registry at $host_ip:$port (the nodes pull from there)"

echo
echo "== kubectl get nodes -o wide"
kubectl get nodes -o wide
echo
echo "== kubectl create deployment web --replicas=2 … httpd; kubectl expose deployment web --type=NodePort"
kubectl create deployment web --image="$host_ip:$port/busybox:latest" --replicas=2 -- httpd -f -p 80 -h /etc
kubectl expose deployment web --port=80 --type=NodePort
for _ in $(seq 120); do
    [ "$(kubectl get pods -l app=web --no-headers 2>/dev/null | grep -c ' Running ')" = 2 ] && break
    sleep 0.5
done
kubectl get pods -o wide
kubectl get service web
echo
echo "== rktnetes service web --url, and each URL from the host"
for url in $(rktnetes service -p demo web --url); do
    echo "GET $url/hosts:"
    curl -sf -m 5 "$url/hosts" | sed 's/^/    /'
done
echo
pod=$(kubectl get pods -l app=web -o jsonpath='{.items[0].metadata.name}')
echo "== kubectl exec $pod -- nslookup web.default.svc.cluster.local (cluster DNS at 10.96.0.10)"
kubectl exec "$pod" -- /bin/busybox nslookup web.default.svc.cluster.local
echo
echo "== rktnetes image load: the OCI layout on every node, no registry; a pod with imagePullPolicy Never runs it"
rktnetes image load -p demo "$work/images/busybox.oci" --tag=local/busybox:demo
rktnetes image ls -p demo
kubectl run local --image=local/busybox:demo --image-pull-policy=Never --command -- sleep 3600
for _ in $(seq 120); do
    [ "$(kubectl get pod local -o jsonpath='{.status.phase}' 2>/dev/null)" = Running ] && break
    sleep 0.5
done
kubectl get pod local -o wide
echo
state="$RKTNETES_HOME/profiles/demo/run/kubelet-demo.state"
pid=$(python -c 'import json, sys; print(json.load(open(sys.argv[1]))["pid"])' "$state")
echo "== kill -9 the kubelet of node demo (pid $pid): its supervisor starts it again, it adopts its pods"
kill -9 "$pid"
for _ in $(seq 60); do rktnetes status -p demo | grep -q "Running (restarted" && break; sleep 0.5; done
rktnetes logs -p demo kubelet-demo -n 200 | grep "rktnetes supervisor" || true
echo
echo "== rktnetes status -p demo"
rktnetes status -p demo
