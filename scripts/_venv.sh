# Shared by scripts/demo and scripts/test: make .venv with the project installed.
# The install runs only when pyproject.toml or the extras asked for changed since the last
# one (a stamp in .venv records them) or the installed package is not this checkout's.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11), "Sammen needs Python 3.11 or newer"'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
EXTRAS=${EXTRAS:-}
STAMP=.venv/.sammen-install
want="$({ cat pyproject.toml; .venv/bin/python --version; } | sha256sum | cut -d' ' -f1) ${EXTRAS}"
have="$(cat "$STAMP" 2>/dev/null || true)"
installed_here() {  # -I: the installed package, not the folder we stand in
  .venv/bin/python -I -c 'import pathlib, sys, service
sys.exit(pathlib.Path(service.__file__).resolve().parents[1] != pathlib.Path(sys.argv[1]).resolve())' "$PWD" 2>/dev/null
}
# the same pyproject with the same extras, or with [test] when none are asked for
if { [ "$have" = "$want" ] || { [ -z "$EXTRAS" ] && [ "${have%% *}" = "${want%% *}" ]; }; } && installed_here; then
  # in CI, also that no installed package was edited in place since (2 s; scripts/_venv_intact.py)
  if [ "${CI:-}" != true ] || altered=$(.venv/bin/python -I scripts/_venv_intact.py); then
    return 0 2>/dev/null || exit 0
  fi
  echo "Reinstalling what was edited inside .venv: $altered" >&2
  # shellcheck disable=SC2086  # one argument per package name
  .venv/bin/uv pip install --quiet --python .venv/bin/python --compile-bytecode \
    $(printf -- '--reinstall-package %s ' $altered) -e ".${EXTRAS}"
  altered=$(.venv/bin/python -I scripts/_venv_intact.py) \
    || { echo "still edited inside .venv after reinstalling: $altered" >&2; exit 1; }
  return 0 2>/dev/null || exit 0
fi
echo "Installing Sammen${EXTRAS:+ with $EXTRAS} into .venv ..." >&2
# uv installs (PyPI's uv, into the venv by pip): on a fresh machine with empty caches it took
# 22 s where pip took 77 s for the same [test] install; modules are compiled ahead as pip did,
# so the first tests and served processes do not compile what they import
.venv/bin/python -m pip install --quiet --disable-pip-version-check uv 2>&1 \
  | { grep -v "^WARNING: Location" || true; } >&2
.venv/bin/uv pip install --quiet --python .venv/bin/python --compile-bytecode -e ".${EXTRAS}"
installed_here || { echo "install failed: .venv cannot import this checkout's service package" >&2; exit 1; }
echo "$want" > "$STAMP"
