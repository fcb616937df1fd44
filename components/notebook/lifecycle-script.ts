/**
 * The notebook's on-start lifecycle script: idle stop, and a backup of the home folder to the
 * artifact store so that nothing is lost when the instance (and its ML storage volume) is deleted,
 * as parking a stack does.
 *
 * What SageMaker lets a lifecycle configuration hook: only OnCreate (once, when the instance is
 * created) and OnStart (at every start, creation included); each script at most 16,384 characters
 * and five minutes, or the instance fails to start
 * (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateNotebookInstanceLifecycleConfig.html).
 * There is no hook on stop or delete. So:
 * - the OnStart script only writes three small helpers and a cron file (seconds), and starts the
 *   restore of a new volume in the background, so a large backup never hits the five minutes;
 * - cron copies the home folder (`/home/ec2-user/SageMaker`, the ML storage volume) to
 *   `s3://<bucket>/<backupPrefix>/` every `backupMinutes`, and the idle check copies it once more
 *   just before it stops the instance, so a notebook that stopped itself has everything in S3;
 * - a new volume (no `.ml-platform-restored` marker: a new instance, e.g. after unparking) gets the
 *   backup copied back before the next backup runs; an existing volume is left as it is.
 * The copy never deletes in S3 (`aws s3 sync` without `--delete`; the role cannot delete there
 * either), so a file deleted on the instance comes back after a restore, and nothing is lost.
 */
import { shellQuote } from "../ec2-trainer/user-data";

export interface NotebookLifecycleSettings {
  /** Stop after this many idle minutes (5-1440). */
  idleMinutes: number;
  /** Copy the home folder this often, in minutes (a divisor of 60, from 5). */
  backupMinutes: number;
  /** The artifact store's bucket. */
  bucketName: string;
  /** Key prefix of this notebook's home backup, no leading or trailing slash. */
  backupPrefix: string;
}

/** Minutes a cron step can repeat evenly within the hour. */
export const BACKUP_MINUTE_STEPS = [5, 6, 10, 12, 15, 20, 30, 60] as const;

/** Where the helpers read their settings (written by the on-start script). */
const SETTINGS_FILE = "/etc/ml-platform-notebook.env";

export function notebookOnStartScript(s: NotebookLifecycleSettings): string {
  if (!Number.isInteger(s.idleMinutes) || s.idleMinutes < 5 || s.idleMinutes > 1440)
    throw new Error(`idleMinutes must be a whole number between 5 and 1440 (got ${s.idleMinutes})`);
  if (!(BACKUP_MINUTE_STEPS as readonly number[]).includes(s.backupMinutes))
    throw new Error(
      `backupMinutes must be one of ${BACKUP_MINUTE_STEPS.join(", ")} (got ${s.backupMinutes})`,
    );
  const backupUri = `s3://${s.bucketName}/${s.backupPrefix.replace(/^\/+|\/+$/g, "")}`;
  const backupCron = s.backupMinutes === 60 ? "0 * * * *" : `*/${s.backupMinutes} * * * *`;
  return `#!/bin/bash
# ml-platform: on-start script of this notebook instance (idle stop, home-folder backup).
set -euo pipefail

readonly IDLE_MINUTES=${s.idleMinutes}
readonly CHECK=/usr/local/bin/ml-platform-idle-stop
readonly BACKUP=/usr/local/bin/ml-platform-home-backup
readonly RESTORE=/usr/local/bin/ml-platform-home-restore

cat > ${SETTINGS_FILE} <<SETTINGS
HOME_DIR=/home/ec2-user/SageMaker
BACKUP_URI=${shellQuote(backupUri)}
MARKER=/home/ec2-user/SageMaker/.ml-platform-restored
LOCK=/var/lock/ml-platform-home-backup
SETTINGS

# Copies new and changed files of the home folder to the artifact store (never deletes there).
cat > "$BACKUP" <<'HELPER'
#!/bin/bash
set -euo pipefail
# shellcheck disable=SC1091
. ${SETTINGS_FILE}
export PATH="/usr/local/bin:/usr/bin:/bin:$PATH"
exec 9> "$LOCK"
flock 9
if [ ! -e "$MARKER" ]; then
  echo "$(date -u +%FT%TZ) restore not finished yet: backup skipped"
  exit 0
fi
aws s3 sync "$HOME_DIR/" "$BACKUP_URI/" --only-show-errors \\
  --exclude ".ml-platform-*" --exclude "lost+found/*" --exclude "*/.ipynb_checkpoints/*"
echo "$(date -u +%FT%TZ) home folder backed up to $BACKUP_URI/"
HELPER

# Copies the backup into a new volume once, then marks the volume as restored.
cat > "$RESTORE" <<'HELPER'
#!/bin/bash
set -euo pipefail
# shellcheck disable=SC1091
. ${SETTINGS_FILE}
export PATH="/usr/local/bin:/usr/bin:/bin:$PATH"
exec 9> "$LOCK"
flock 9
[ -e "$MARKER" ] && exit 0
aws s3 sync "$BACKUP_URI/" "$HOME_DIR/" --only-show-errors
chown -R ec2-user:ec2-user "$HOME_DIR"
touch "$MARKER"
echo "$(date -u +%FT%TZ) home folder restored from $BACKUP_URI/"
HELPER

# Stops this notebook instance when Jupyter has seen no activity for $1 minutes and no kernel is
# busy, after one last backup (a stop keeps the volume, so a failed backup loses nothing yet).
cat > "$CHECK" <<'HELPER'
#!/bin/bash
set -euo pipefail
export PATH="/usr/local/bin:/usr/bin:/bin:$PATH"
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
print(f"idle since {last.isoformat()}: last backup, then stopping {name}", flush=True)
if subprocess.run(["/usr/local/bin/ml-platform-home-backup"]).returncode != 0:
    print("backup failed; stopping anyway (the volume keeps the files)", flush=True)
subprocess.run(["aws", "sagemaker", "stop-notebook-instance", "--notebook-instance-name", name], check=True)
PY
HELPER
chmod 0755 "$CHECK" "$BACKUP" "$RESTORE"

cat > /etc/cron.d/ml-platform-notebook <<CRON
*/5 * * * * root $CHECK $IDLE_MINUTES >> /var/log/ml-platform-idle-stop.log 2>&1
${backupCron} root $BACKUP >> /var/log/ml-platform-home-backup.log 2>&1
CRON
chmod 0644 /etc/cron.d/ml-platform-notebook

# A new volume gets its backup back; in the background, since a large one takes longer than the
# five minutes SageMaker allows this script.
nohup "$RESTORE" >> /var/log/ml-platform-home-restore.log 2>&1 &
echo "ml-platform: notebook stops after $IDLE_MINUTES idle minutes; home folder backed up to ${backupUri}/ every ${s.backupMinutes} minutes"
`;
}
