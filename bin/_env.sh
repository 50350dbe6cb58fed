# Shared by bin/demo and bin/test: create .venv and install minefree into it.
# Sourced, not run. Needs python3 (3.11 or newer); everything else is installed here.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
export UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "minefree needs Python 3.11 or newer (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
stamp="$VENV/.installed-$(cat pyproject.toml bin/_env.sh | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> Installing minefree and its dependencies into .venv"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check uv==0.13.9
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" -e ".[dev]"
  # The official IATI XSDs, for the test that validates the IATI export. pyIATI's own
  # pinned dependencies do not build on current Python, and only its schema files are used.
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps pyIATI==0.4.1
  rm -f "$VENV"/.installed-* && touch "$stamp"
fi
export PATH="$VENV/bin:$PATH"
