# Debian packages Sammen needs beside its Python packages, installed when missing: Pango
# and fonts for WeasyPrint (the PDF report), and with WANT_CHROMIUM=1 Chromium for the
# browser tests. Where apt-get is not available, says what is missing and goes on.
# apt-get runs in the background while the Python packages install (on a fresh machine
# both take tens of seconds, mostly waiting on downloads); `debian_ready` waits for it
# and fails, with apt's output, if it failed. When it ends it writes its exit code to
# $DEBIAN_LOG.rc, for whoever waits for it without being its parent (the browser tests).
NEED=""
DEBIAN_PID=""
[ "${WANT_CHROMIUM:-}" = 1 ] && [ ! -x /usr/bin/chromium ] && NEED="$NEED chromium"
{ ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; } || NEED="$NEED libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
if [ -n "$NEED" ]; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    DEBIAN_LOG=$(mktemp)
    { { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $NEED; } >"$DEBIAN_LOG" 2>&1
      echo $? > "$DEBIAN_LOG.rc"; exit "$(cat "$DEBIAN_LOG.rc")"; } &
    DEBIAN_PID=$!
  else
    echo "note: install these system packages for PDF reports (and browser tests):$NEED" >&2
  fi
fi
debian_ready() {
  [ -n "$DEBIAN_PID" ] || return 0
  if ! wait "$DEBIAN_PID"; then
    cat "$DEBIAN_LOG" >&2
    echo "installing Debian's$NEED failed (above)" >&2
    return 1
  fi
  rm -f "$DEBIAN_LOG" "$DEBIAN_LOG.rc"
  DEBIAN_PID=""  # waited for: a second call (scripts/test's, at its end) has nothing to wait for
}
