#!/bin/sh
# Runs a program of fpga-image-association with a Node.js 20.19+ where Terraform runs, which often has none: it picks
# the Node by FPGA_ASSOC_NODE (auto, local or an absolute path), fetches the pinned Node from the npm registry when
# auto finds none, and hands over with exec, so that the program stays Terraform's own child.
#   sh node-launcher.sh <script.js> [args...]
#   sh node-launcher.sh --which      one line: the Node a run would use, or what it would fetch; runs nothing
# Every failure is one line on stderr and exit 2, before the program (so nothing reaches the API); for the drift check's
# drift-query, that line is also its answer on stdout, and the exit 0 (see fail).
set -eu

# The pinned Node (src/node-launcher/pins.json), written in by the bundle step (tools/bundle-node-launcher.ts).
PIN_VERSION='@PIN_VERSION@'
PIN_X64_NAME='@PIN_X64_NAME@'
PIN_X64_SHA512='@PIN_X64_SHA512@'
PIN_ARM64_NAME='@PIN_ARM64_NAME@'
PIN_ARM64_SHA512='@PIN_ARM64_SHA512@'
# The drift check's operation and its answer's fields (src/contract.ts), written in by the bundle step too.
DRIFT_QUERY='@DRIFT_QUERY@'
DRIFT_ASSOCIATED='@DRIFT_ASSOCIATED@'
DRIFT_PROBLEM='@DRIFT_PROBLEM@'

# A download that gets no byte for this long (a registry that does not connect, or stops sending) is abandoned, and
# so is one that takes longer, or grows larger, than the pinned tarball (43 MB) ever should.
STALL_SECONDS=20
MAX_SECONDS=600
MAX_BYTES=200000000
INSTALL='install Node.js 20.19+ on PATH, or set FPGA_ASSOC_NODE to the absolute path of one'

# The program's operation: the drift check runs `<handler.js> drift-query`.
operation=${2:-}

say() { printf 'fpga-image-association: %s\n' "$1" >&2; }
# The drift check's data source speaks Terraform's external-program protocol, in which a non-zero exit fails the plan
# (and so a destroy). The handler reports its own failures in the answer, so that the plan only warns; a Node that
# cannot be had is answered the same way. The provisioners still fail with the line: the step or the destroy then
# waits, in the state, for a runner with Node.
fail() {
  say "$1"
  if [ "$operation" = "$DRIFT_QUERY" ]; then
    cat >/dev/null || :
    printf '{"%s":"unknown","%s":"%s"}\n' "$DRIFT_ASSOCIATED" "$DRIFT_PROBLEM" "$(printf '%s' "$1" | tr '\000-\037' ' ' | sed 's/\\/\\\\/g; s/"/\\"/g')"
    exit 0
  fi
  exit 2
}

# Succeeds when $1 is a Node.js 20.19 or newer; leaves what it printed for --version in $version.
recent() {
  version=$("$1" --version 2>/dev/null | sed -n 1p) || version=
  case "$version" in v[0-9]*.[0-9]*.[0-9]*) ;; *) return 1 ;; esac
  major=${version#v}
  minor=${major#*.}
  major=${major%%.*}
  minor=${minor%%.*}
  case "$major$minor" in *[!0-9]*) return 1 ;; esac
  [ "$major" -gt 20 ] || { [ "$major" -eq 20 ] && [ "$minor" -ge 19 ]; }
}

# Whether $1 is a Node.js 20.19+, as recent, remembered per binary in the cache: `node --version` costs more than the
# rest of the launcher, and the same Node runs every handler. The note holds what `ls` says of the binary (inode, size,
# time), so a replaced node is asked again; a note that cannot be read or written only means asking.
checked() {
  note=${cache:+$cache/checked-node}
  if [ -n "$note" ] && [ -f "$note" ] && identity=$(ls -Lnli "$1" 2>/dev/null) \
    && { IFS= read -r noted && IFS= read -r version; } <"$note" && [ "$noted" = "$identity" ]; then
    return 0
  fi
  recent "$1" || return 1
  if [ -n "$note" ] && identity=$(ls -Lnli "$1" 2>/dev/null) && mkdir -p "$cache" 2>/dev/null; then
    { printf '%s\n%s\n' "$identity" "$version" >"$note.$$" && mv -f "$note.$$" "$note"; } 2>/dev/null || rm -f "$note.$$"
  fi
}

# A Node.js 20.19+ on PATH into $node; else what PATH holds into $seen.
from_path() {
  if ! found=$(command -v node); then
    seen='no node on PATH'
    return 1
  fi
  if checked "$found"; then
    node=$found
    return 0
  fi
  seen="the node on PATH ($found) is ${version:-not a working Node.js}"
  return 1
}

# The pinned package for this machine ($name, $sha512) and its entry in the cache ($entry); else why not in $problem.
pinned() {
  system=$(uname -sm) || system='unknown unknown'
  machine=${system##* }
  system=${system%% *}
  case "$system" in
    Linux) ;;
    Darwin)
      problem="the npm registry has no pinned Node for macOS: brew install node@20 (or any Node.js 20.19+), or set FPGA_ASSOC_NODE to the absolute path of a Node.js 20.19+"
      return 1
      ;;
    *)
      problem="the pinned Node is built for Linux only, not $system: $INSTALL"
      return 1
      ;;
  esac
  case "$machine" in
    x86_64 | amd64) name=$PIN_X64_NAME sha512=$PIN_X64_SHA512 ;;
    aarch64 | arm64) name=$PIN_ARM64_NAME sha512=$PIN_ARM64_SHA512 ;;
    *)
      problem="the pinned Node is built for x64 and arm64 only, not $machine: $INSTALL"
      return 1
      ;;
  esac
  if [ -z "$cache" ]; then
    problem="neither XDG_CACHE_HOME nor HOME is set, so the pinned Node has no cache: set one of them, or $INSTALL"
    return 1
  fi
  entry=$cache/$name-$PIN_VERSION
}

# Whether the cache entry is complete: an entry appears by a rename after its download was verified and it ran, and
# carries the digest it was verified against; anything else there (a partial copy, another build) is not used.
cached() {
  [ -x "$entry/bin/node" ] && [ -f "$entry/.verified" ] && IFS= read -r verified <"$entry/.verified" && [ "$verified" = "$sha512" ]
}

# $1 without the user and password an address may carry (a mirror's login in npm_config_registry): never shown.
without_login() { printf '%s' "$1" | sed 's#://[^/@[:space:]]*@#://#g'; }

# Where the pinned Node would come from ($url; $shown in lines), and with what ($fetcher); else why it cannot be had
# in $problem.
source_of_fetch() {
  libc=$(getconf GNU_LIBC_VERSION 2>/dev/null) || libc=
  release=${libc#glibc 2.}
  release=${release%%.*}
  case "$libc,$release" in
    'glibc 2.'*,[0-9]*) ;;
    *)
      problem="this Linux has no glibc (getconf GNU_LIBC_VERSION says ${libc:-nothing}; musl, as on Alpine?), which the npm registry's Node builds need: apk add nodejs (Alpine 3.21+), or $INSTALL"
      return 1
      ;;
  esac
  case "$release" in *[!0-9]*) release=0 ;; esac
  if [ "$release" -lt 28 ]; then
    problem="the pinned Node needs glibc 2.28+, and this Linux has $libc: $INSTALL"
    return 1
  fi
  # npm reads its settings from the environment in any case (npm_config_registry, NPM_CONFIG_REGISTRY, ...).
  registry=$(env | sed -n 's/^[Nn][Pp][Mm]_[Cc][Oo][Nn][Ff][Ii][Gg]_[Rr][Ee][Gg][Ii][Ss][Tt][Rr][Yy]=//p' | sed -n 1p)
  registry=${registry:-https://registry.npmjs.org}
  url=${registry%/}/$name/-/$name-$PIN_VERSION.tgz
  shown=$(without_login "$url")
  if command -v curl >/dev/null 2>&1; then
    fetcher=curl
  elif command -v wget >/dev/null 2>&1; then
    fetcher=wget
  elif command -v busybox >/dev/null 2>&1; then
    fetcher='busybox wget'
  else
    problem="there is no curl, wget or busybox on PATH to fetch the pinned Node with: $INSTALL"
    return 1
  fi
  for tool in sha512sum tar; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      problem="there is no $tool on PATH to check and unpack the pinned Node with: $INSTALL"
      return 1
    fi
  done
}

# Downloads $url into $work/download with $fetcher, and ends it when STALL_SECONDS pass without a byte, MAX_SECONDS
# pass, or it grows past MAX_BYTES (curl, wget and busybox wget have no common option for that); else why in $reason.
download() {
  case "$fetcher" in
    curl) set -- curl -fsSL -o "$work/download" "$url" ;;
    wget) set -- wget -q -O "$work/download" "$url" ;;
    *) set -- busybox wget -q -O "$work/download" "$url" ;;
  esac
  "$@" 2>"$work/error" &
  pid=$!
  size=0
  idle=0
  elapsed=0
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    now=0
    [ ! -f "$work/download" ] || now=$(wc -c <"$work/download")
    reason=
    if [ "$((elapsed += 1))" -ge "$MAX_SECONDS" ]; then
      reason="not complete after $MAX_SECONDS s"
    elif [ "$now" -gt "$MAX_BYTES" ]; then
      reason="more than $MAX_BYTES bytes"
    elif [ "$now" -gt "$size" ]; then
      size=$now
      idle=0
    elif [ "$((idle += 1))" -ge "$STALL_SECONDS" ]; then
      reason="nothing received for $STALL_SECONDS s"
    fi
    if [ -n "$reason" ]; then
      kill "$pid" 2>/dev/null || :
      wait "$pid" 2>/dev/null || :
      pid=
      return 1
    fi
  done
  if wait "$pid"; then status=0; else status=$?; fi
  pid=
  if [ "$status" -eq 0 ]; then return 0; fi
  reason=$(without_login "$(sed -n '$p' "$work/error")")
  reason=${reason:-$1 exited with status $status}
  return 1
}

# Downloads, verifies, extracts and tries the pinned Node aside in $work, then renames it into place as $entry; else
# why not in $problem. (Called where a failing command does not end the script: each step says how it failed.)
install_pinned() {
  work=$cache/.fetch.$$
  pid=
  rm -rf "$work"
  if ! mkdir "$work" "$work/extracted" 2>/dev/null; then
    problem="could not create $work to fetch the pinned Node into: $INSTALL"
    return 1
  fi
  # A download in the background ignores SIGINT (as every background job of a script does): it ends with the launcher.
  trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || :; fi; rm -rf "$work"' EXIT
  trap 'exit 2' HUP INT TERM
  say "$seen: fetching Node.js $PIN_VERSION ($name) from $shown into $cache/"
  if ! download; then
    problem="$seen, and fetching Node.js $PIN_VERSION from $shown failed ($reason): point npm_config_registry at a registry or mirror that serves $name, or $INSTALL"
    return 1
  fi
  actual=$(sha512sum <"$work/download")
  actual=${actual%% *}
  if [ "$actual" != "$sha512" ]; then
    problem="refused $name-$PIN_VERSION.tgz from $shown: its sha512 is $actual, the pinned one is $sha512; nothing was extracted or run. Point npm_config_registry at a registry or mirror that serves $name unchanged, or $INSTALL"
    return 1
  fi
  if ! tar -xzf "$work/download" -C "$work/extracted" 2>"$work/error"; then
    problem="could not extract $name-$PIN_VERSION.tgz from $shown ($(sed -n '$p' "$work/error")): $INSTALL"
    return 1
  fi
  if ! recent "$work/extracted/package/bin/node"; then
    problem="the pinned Node from $shown does not run on this machine: $INSTALL"
    return 1
  fi
  printf '%s\n' "$sha512" >"$work/extracted/package/.verified" || :
  # An incomplete entry goes aside first, as a directory cannot be renamed onto it; a complete one (made meanwhile by
  # another launcher, where there is no flock) stays. Whatever happened, only a complete entry is used.
  if [ -e "$entry" ] && ! cached; then mv "$entry" "$work/incomplete" 2>/dev/null || :; fi
  if [ ! -e "$entry" ]; then mv "$work/extracted/package" "$entry" 2>/dev/null || :; fi
  # Without flock, another launcher's entry may have appeared just before that mv, which then moved this one into it.
  rm -rf "$entry/package"
  if ! cached; then
    problem="could not move the pinned Node into $entry: $INSTALL"
    return 1
  fi
  rm -rf "$work"
  trap - EXIT HUP INT TERM
}

# Fills the cache entry once for every launcher that needs it at the same time: they queue on a lock (flock, where
# there is one), and those that waited for a fetch that failed fail with its line instead of trying again.
fetch() {
  { mkdir -p "$cache" && [ -w "$cache" ]; } || fail "could not create or write $cache for the pinned Node: $INSTALL"
  failed=$entry.failed
  waited=
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$entry.lock"
    flock -n 9 || {
      waited=1
      flock 9
    }
  fi
  if cached; then
    node=$entry/bin/node
  elif [ -n "$waited" ] && [ -f "$failed" ] && IFS= read -r problem <"$failed"; then
    fail "$problem"
  else
    rm -f "$failed"
    install_pinned || {
      printf '%s\n' "$problem" >"$failed"
      fail "$problem"
    }
    node=$entry/bin/node
  fi
  exec 9>&-
}

cache_home=${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}
cache=${cache_home:+$cache_home/fpga-image-association}
if [ $# -eq 0 ]; then fail 'usage: sh node-launcher.sh <script.js> [args...], or sh node-launcher.sh --which'; fi
mode=${FPGA_ASSOC_NODE:-auto}
case "$mode" in
  auto)
    if from_path; then
      chosen="node $version from PATH: $node"
    else
      pinned || fail "$seen, and $problem"
      if cached; then
        node=$entry/bin/node
        chosen="the pinned Node.js $PIN_VERSION, cached: $node"
      else
        source_of_fetch || fail "$seen, and $problem"
        chosen="would fetch Node.js $PIN_VERSION ($name) from $shown into $cache/ with $fetcher ($seen)"
        if [ "$1" != --which ]; then fetch; fi
      fi
    fi
    ;;
  local)
    from_path || fail "FPGA_ASSOC_NODE=local and $seen: $INSTALL, or unset FPGA_ASSOC_NODE to let the pinned Node.js $PIN_VERSION be fetched"
    chosen="node $version from PATH: $node"
    ;;
  /*)
    { [ -f "$mode" ] && [ -x "$mode" ]; } || fail "FPGA_ASSOC_NODE=$mode is not an executable file: set it to a Node.js 20.19+, or to auto or local"
    checked "$mode" || fail "FPGA_ASSOC_NODE=$mode is ${version:-not a working Node.js}, not Node.js 20.19+: set it to a Node.js 20.19+, or to auto or local"
    node=$mode
    chosen="node $version from FPGA_ASSOC_NODE: $node"
    ;;
  *)
    fail "FPGA_ASSOC_NODE=$mode is none of auto, local or an absolute path: unset it (auto: Node.js 20.19+ from PATH, else the pinned Node.js $PIN_VERSION), or set it to local or the absolute path of a Node.js 20.19+"
    ;;
esac
if [ "$1" = --which ]; then
  printf '%s\n' "$chosen"
  exit 0
fi
exec "$node" "$@"
