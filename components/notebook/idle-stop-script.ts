/**
 * The notebook's on-start lifecycle script. SageMaker kills on-start scripts that run longer than
 * five minutes, so this one only writes a checker and a cron entry (seconds), and never installs
 * packages. Every five minutes the checker asks the local Jupyter server for its last activity and
 * busy kernels, and stops the instance once everything has been idle for `idleMinutes`.
 */
export function idleStopScript(idleMinutes: number): string {
  if (!Number.isInteger(idleMinutes) || idleMinutes < 5 || idleMinutes > 1440)
    throw new Error(`idleMinutes must be a whole number between 5 and 1440 (got ${idleMinutes})`);
  return `#!/bin/bash
# ml-platform: idle auto-stop for this notebook instance (installed at every start).
set -euo pipefail

readonly IDLE_MINUTES=${idleMinutes}
readonly CHECK=/usr/local/bin/ml-platform-idle-stop

cat > "$CHECK" <<'CHECKER'
#!/bin/bash
# Stops this notebook instance when Jupyter has seen no activity for $1 minutes and no kernel is busy.
set -euo pipefail
/usr/bin/env python3 - "$1" <<'PY'
import datetime, json, ssl, subprocess, sys, urllib.request

limit = datetime.timedelta(minutes=int(sys.argv[1]))
now = datetime.datetime.now(datetime.timezone.utc)
# Jupyter on a notebook instance serves HTTPS on localhost with a self-signed certificate.
context = ssl._create_unverified_context()


def get(path):
    with urllib.request.urlopen("https://localhost:8443" + path, context=context, timeout=10) as response:
        return json.load(response)


def parse(timestamp):
    return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))


status = get("/api/status")
kernels = get("/api/kernels")
if any(k.get("execution_state") == "busy" for k in kernels):
    sys.exit(0)
last = max([parse(status["last_activity"])] + [parse(k["last_activity"]) for k in kernels if k.get("last_activity")])
if now - last < limit:
    sys.exit(0)
with open("/opt/ml/metadata/resource-metadata.json") as metadata:
    name = json.load(metadata)["ResourceName"]
print(f"idle since {last.isoformat()}, stopping {name}", flush=True)
subprocess.run(["aws", "sagemaker", "stop-notebook-instance", "--notebook-instance-name", name], check=True)
PY
CHECKER
chmod 0755 "$CHECK"

echo "*/5 * * * * root $CHECK $IDLE_MINUTES >> /var/log/ml-platform-idle-stop.log 2>&1" > /etc/cron.d/ml-platform-idle-stop
chmod 0644 /etc/cron.d/ml-platform-idle-stop
echo "ml-platform: notebook stops after $IDLE_MINUTES idle minutes"
`;
}
