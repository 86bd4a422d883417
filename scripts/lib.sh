# Shared by the set-up scripts (sourced, not run): root commands and Debian packages.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# apt_install [apt-get install options] PACKAGE...: from Debian's packages, without prompts
apt_install() {
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}
# ensure_tool NAME PACKAGE VERSION_COMMAND...: make sure the command NAME is on PATH (idempotent),
# installing Debian's PACKAGE when it is missing; VERSION_COMMAND's first line is logged either way
ensure_tool() {
  local name=$1 package=$2
  shift 2
  if command -v "$name" >/dev/null 2>&1; then
    echo "ensure-$name: $("$@" 2>&1 | head -n 1)" >&2
    return 0
  fi
  echo "ensure-$name: installing $package from Debian's packages" >&2
  apt_install "$package"
  "$@" 2>&1 | head -n 1 >&2
}
