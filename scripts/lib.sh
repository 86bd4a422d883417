# Shared by the set-up scripts (sourced, not run): root commands and Debian packages.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
# apt_install [apt-get install options] PACKAGE...: from Debian's packages, without prompts
apt_install() {
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}
