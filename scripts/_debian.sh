# Debian packages Sammen needs beside its Python packages, installed when missing: Pango
# and fonts for WeasyPrint (the PDF report), and with WANT_CHROMIUM=1 Chromium for the
# browser tests. Where apt-get is not available, says what is missing and goes on.
NEED=""
[ "${WANT_CHROMIUM:-}" = 1 ] && [ ! -x /usr/bin/chromium ] && NEED="$NEED chromium"
{ ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; } || NEED="$NEED libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core"
if [ -n "$NEED" ]; then
  if command -v apt-get >/dev/null; then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq && $SUDO apt-get install -y -qq $NEED >/dev/null
  else
    echo "note: install these system packages for PDF reports (and browser tests):$NEED" >&2
  fi
fi
