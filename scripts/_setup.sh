# Shared set-up for scripts/run and scripts/test: venv, pinned packages, database schema.
# Sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
REQ="${1:-requirements.txt}"
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Guestbook needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
STAMP=".venv/.installed-$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)-$(basename "$REQ")"
if [ ! -f "$STAMP" ]; then
  echo "==> installing $REQ"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$REQ"
  touch "$STAMP"
fi
export PATH="$ROOT/.venv/bin:$PATH"
export FLASK_APP=wsgi
# The staff interface's translations: compiled from the committed .po catalogs (build output, not committed).
PYBABEL="$ROOT/.venv/bin/pybabel" "$ROOT/scripts/i18n" compile >/dev/null
