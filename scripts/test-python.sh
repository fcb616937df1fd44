#!/usr/bin/env bash
# Run the Python tests of training/ (train.py, inference.py) from the repository root.
#
# Needs a Python 3 that can import torch, torchvision and PIL. Tried in order:
#   $PYTHON, /usr/bin/python3 (Debian's python3-torch lives there), python3 on PATH.
# If none can, the script fails (exit 1) and says how to install them, unless
# ML_PLATFORM_SKIP_PYTHON=1 is set, in which case it warns and exits 0.
#
# The last line of output is always `N passed, N failed, N skipped`.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

install_hint="sudo apt-get install -y python3-torch python3-torchvision python3-pil"

candidates=()
if [[ -n "${PYTHON:-}" ]]; then
  candidates+=("$PYTHON")
fi
candidates+=("/usr/bin/python3" "python3")

python=""
for candidate in "${candidates[@]}"; do
  if command -v "$candidate" >/dev/null 2>&1 \
    && "$candidate" -c 'import torch, torchvision, PIL' >/dev/null 2>&1; then
    python="$candidate"
    break
  fi
  if [[ "$candidate" == "${PYTHON:-}" ]]; then
    echo "note: PYTHON=$PYTHON cannot import torch, torchvision and PIL; trying the others" >&2
  fi
done

if [[ -z "$python" ]]; then
  {
    echo "=================================================================="
    echo "No Python interpreter with torch, torchvision and PIL was found."
    echo "Tried: ${candidates[*]}"
    echo "Install them with:  $install_hint"
    echo "or point PYTHON at an interpreter that has them."
  } >&2
  if [[ "${ML_PLATFORM_SKIP_PYTHON:-}" == "1" ]]; then
    echo "WARNING: ML_PLATFORM_SKIP_PYTHON=1 is set: the training/ tests were NOT run." >&2
    echo "==================================================================" >&2
    echo "0 passed, 0 failed, 0 skipped"
    exit 0
  fi
  echo "Failing. Set ML_PLATFORM_SKIP_PYTHON=1 to skip these tests deliberately." >&2
  echo "==================================================================" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

echo "Using $python: $("$python" -c 'import sys, torch, torchvision, PIL; print("Python", sys.version.split()[0], "torch", torch.__version__, "torchvision", torchvision.__version__, "Pillow", PIL.__version__)')"
exec "$python" training/tests/run.py
