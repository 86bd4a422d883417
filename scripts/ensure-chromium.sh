#!/usr/bin/env bash
# Make sure Debian's headless-capable Chromium and its WebDriver are installed for the console's
# browser tests (tests/app/test_console_browser.py, Selenium). Idempotent: does nothing when
# /usr/bin/chromium and /usr/bin/chromedriver are there; otherwise installs the `chromium` and
# `chromium-driver` packages (as root, or with sudo). Nothing is downloaded at test time.
set -euo pipefail
log() { echo "ensure-chromium: $*" >&2; }
. "$(dirname "$0")/lib.sh"
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  log "$(/usr/bin/chromium --version 2>/dev/null | head -n 1)"
  exit 0
fi
log "installing chromium and chromium-driver from Debian's packages"
apt_install --no-install-recommends chromium chromium-driver
/usr/bin/chromium --version 2>&1 | head -n 1 >&2
