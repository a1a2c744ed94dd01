#!/usr/bin/env bash
# Checks compose.yaml without Docker (our machines have none): it parses as YAML with its
# anchors, every service has an image or a build, the replicas carry every setting a replica
# needs, HAProxy's environment names each replica, and deploy/haproxy.cfg is valid for
# HAProxy itself with that environment (`haproxy -c`, when haproxy is installed).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python3 - <<'PY'
import sys, yaml
doc = yaml.safe_load(open("compose.yaml"))
services = doc["services"]
errors = []
for name, svc in services.items():
    if "image" not in svc and "build" not in svc:
        errors.append(f"{name}: neither image nor build")
replicas = [n for n in services if n.startswith("api")]
need = {"DATABASE_URL", "JWT_SECRET", "ADMIN_TOKEN", "LISTEN_ADDR", "SHUTDOWN_DRAIN", "TRUST_FORWARDED_FOR"}
for n in replicas:
    env = services[n].get("environment", {})
    missing = need - set(env)
    if missing:
        errors.append(f"{n}: missing {sorted(missing)}")
    if services[n].get("depends_on", {}).get("postgres", {}).get("condition") != "service_healthy":
        errors.append(f"{n}: must wait for a healthy postgres")
hap = services["haproxy"]["environment"]
for i, n in enumerate(sorted(replicas), 1):
    if hap.get(f"API{i}_ADDR") != f"{n}:8080":
        errors.append(f"haproxy: API{i}_ADDR should be {n}:8080")
if len(replicas) != 3:
    errors.append(f"expected three replicas, found {replicas}")
if errors:
    sys.exit("compose.yaml: " + "; ".join(errors))
print(f"compose.yaml: {len(services)} services, replicas {', '.join(replicas)}")
PY
if command -v haproxy >/dev/null; then
	LISTEN=:8080 API1_ADDR=api1:8080 API2_ADDR=api2:8080 API3_ADDR=api3:8080 \
		haproxy -c -f deploy/haproxy.cfg 2>&1 | grep -v "could not resolve address" || true
else
	echo "haproxy not installed: deploy/haproxy.cfg not checked (apt-get install haproxy)"
fi
