#!/usr/bin/env bash
# Builds the image, starts it, waits for its health check, has a console message answered by the
# built-in offline model and prints the image size. CI runs it where a Docker engine that can pull
# the base image is available (.ci/run); anyone can run it by hand.
set -euo pipefail
cd "$(dirname "$0")/.."

image="switchboard:smoke-$$"
name="switchboard-smoke-$$"
token="smoke-admin-token-$(date +%s)-0123456789"
cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; docker rmi "$image" >/dev/null 2>&1 || true; }
trap cleanup EXIT

docker build --quiet -t "$image" . >/dev/null
docker run -d --name "$name" -p 127.0.0.1::7420 -e SWITCHBOARD_ADMIN_TOKEN="$token" "$image" >/dev/null
port=$(docker port "$name" 7420/tcp | head -n1 | sed 's/.*://')
url="http://127.0.0.1:$port"

for _ in $(seq 1 60); do
  state=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{end}}' "$name")
  curl -fsS "$url/healthz" >/dev/null 2>&1 && break
  [ "$state" = unhealthy ] && { docker logs "$name"; echo "docker-smoke: unhealthy"; exit 1; }
  sleep 1
done
curl -fsS "$url/healthz" >/dev/null || { docker logs "$name"; echo "docker-smoke: no /healthz"; exit 1; }

run=$(curl -fsS -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"session_key":"console:docker-smoke","text":"hello from the smoke test"}' "$url/v1/messages" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).run_id))')
for _ in $(seq 1 30); do
  state=$(curl -fsS -H "Authorization: Bearer $token" "$url/v1/runs/$run" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).state))')
  [ "$state" = succeeded ] && break
  sleep 1
done
[ "$state" = succeeded ] || { docker logs "$name"; echo "docker-smoke: run $run is $state"; exit 1; }

size=$(docker image inspect -f '{{.Size}}' "$image")
echo "docker-smoke: healthy, a console message answered; image $((size / 1024 / 1024)) MiB"
