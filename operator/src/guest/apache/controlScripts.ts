// Shell scripts ApacheControl runs on a server. Each SSH command costs a session, so each step is
// one script. argv lists (apachectl calls) come as single arguments, one word a line; paths come
// from a layout and a checked site name. Every change runs under the layout's lock.

/** Staged files end in this; the configuration includes only `*.conf`. */
export const STAGED = '.servirt-new';

/** Exit codes besides 0 and other failures. */
export const CONFIG_REJECTED = 3;
export const RELOAD_FAILED = 4;
export const RELEASE_MISSING = 5;

/**
 * Shell function reload [site error log]: a graceful reload, then waits (up to 10 s) for the
 * server's error log to say it is done (AH00489), so that the new configuration serves when the
 * script ends. Fails, printing what the logs say, when Apache did not survive it: what configtest
 * does not check (certificates, log files) is loaded only then. Needs $graceful, $log, $pid_file.
 */
const RELOAD = `
reload() {
  size=$(wc -c < "$log" 2>/dev/null) || size=0
  site_size=$(wc -c < "\${1:-/dev/null}" 2>/dev/null) || site_size=0
  pid=$(cat -- "$pid_file" 2>/dev/null) || pid=
  if ! out=$($graceful 2>&1); then printf '%s\\n' "$out"; return 1; fi
  i=0
  while [ $i -lt 100 ]; do
    news=$(tail -c +$((size + 1)) -- "$log" 2>/dev/null)
    case $news in *AH00489*) return 0 ;; esac
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
      printf '%s\\n' "$news"
      if [ -n "$1" ]; then tail -c +$((site_size + 1)) -- "$1" 2>/dev/null; fi
      return 1
    fi
    sleep 0.1
    i=$((i + 1))
  done
  return 0 # unconfirmed: the log went elsewhere or was rotated meanwhile
}
`;

const LOCK = 'mkdir -p -- "${lock%/*}" && exec 9>>"$lock" && flock 9 || exit 1';

/**
 * Args: site folder, site config. Prints `current <hash>|-`, `config <sha256>|-`, then
 * `release <hash>` for each release on the server.
 */
export const SITE_STATE = `
site_dir=$1 conf=$2
current=$(readlink -- "$site_dir/current" 2>/dev/null) || current=-
echo "current \${current#releases/}"
if [ -f "$conf" ]; then set -- $(sha256sum < "$conf"); echo "config $1"; else echo "config -"; fi
for r in "$site_dir"/releases/*; do [ -d "$r" ] && echo "release \${r##*/}"; done
exit 0
`;

/**
 * Args: lock, content root, site folder, content hash, site config, site config folder, candidate
 * folder, site TLS folder, TLS hash|-, server error log, pid file, site error log, configtest argv,
 * graceful argv, start argv
 * (may be empty). Stdin: a tar of `content/…` (when the release is not on the server yet),
 * `site.conf` (when the config changes), `tls.crt` and `tls.key` (with a config that uses them).
 *
 * The release is unpacked beside the others and renamed into place whole: a release folder exists
 * only complete. A new config is tested together with every other site's in the candidate folder;
 * only then does it replace the live one, the `current` link switches (ln + rename: atomic) and
 * Apache reloads. Releases but the new and the previous one are pruned, as are unused TLS files.
 */
export const DEPLOY_SITE = `
set -f
lock=$1 content_root=$2 site_dir=$3 hash=$4 conf=$5 conf_dir=$6 candidate=$7 tls_dir=$8 stem=$9
shift 9
log=$1 pid_file=$2 site_log=$3 configtest=$4 graceful=$5 start=$6
IFS='
'
umask 022
${RELOAD}
switch() { ln -sfn -- "$1" "$site_dir/current${STAGED}" && mv -fT -- "$site_dir/current${STAGED}" "$site_dir/current"; }
${LOCK}
mkdir -p -- "$site_dir/releases" "$conf_dir" || exit 1
rm -f -- "$conf.servirt-old"
set +f
rm -rf -- "$content_root"/.servirt-*
set -f
staging=$(mktemp -d "$content_root/.servirt-XXXXXX") || exit 1
trap 'rm -rf -- "$staging"' EXIT
tar -x --no-same-owner -C "$staging" -f - || exit 1
release=$site_dir/releases/$hash
if [ -d "$staging/content" ] && [ ! -d "$release" ]; then mv -- "$staging/content" "$release" || exit 1; fi
if [ ! -d "$release" ]; then echo "release $hash is not on the server"; exit ${RELEASE_MISSING}; fi
config_changed=0
if [ -f "$staging/site.conf" ]; then
  config_changed=1
  if [ "$stem" != - ]; then
    (umask 077 && mkdir -p -- "$tls_dir") || exit 1
    mv -f -- "$staging/tls.crt" "$tls_dir/$stem.crt" && mv -f -- "$staging/tls.key" "$tls_dir/$stem.key" || exit 1
  fi
  rm -rf -- "$candidate" && mkdir -p -- "$candidate" || exit 1
  set +f
  for f in "$conf_dir"/*.conf; do
    if [ -f "$f" ] && [ "$f" != "$conf" ]; then cp -- "$f" "$candidate/" || exit 1; fi
  done
  set -f
  cp -- "$staging/site.conf" "$candidate/\${conf##*/}" || exit 1
  if ! tested=$($configtest 2>&1); then
    printf '%s\\n' "$tested"
    rm -rf -- "$candidate"
    if [ "$stem" != - ] && ! grep -qF -- "$stem" "$conf" 2>/dev/null; then
      rm -f -- "$tls_dir/$stem.crt" "$tls_dir/$stem.key"
    fi
    exit ${CONFIG_REJECTED}
  fi
  rm -rf -- "$candidate"
  if [ -f "$conf" ]; then cp -p -- "$conf" "$conf.servirt-old" || exit 1; fi
  cp -- "$staging/site.conf" "$conf${STAGED}" && mv -f -- "$conf${STAGED}" "$conf" || exit 1
fi
previous=$(readlink -- "$site_dir/current" 2>/dev/null) || previous=
if [ "$previous" != "releases/$hash" ]; then switch "releases/$hash" || exit 1; fi
if [ $config_changed = 1 ]; then
  if ! reloaded=$(reload "$site_log"); then
    if [ -f "$conf.servirt-old" ]; then mv -f -- "$conf.servirt-old" "$conf"; else rm -f -- "$conf"; fi
    if [ -n "$previous" ]; then switch "$previous"; else rm -f -- "$site_dir/current"; fi
    if [ -n "$start" ]; then $start > /dev/null 2>&1; fi
    printf '%s\\n' "$reloaded"
    exit ${RELOAD_FAILED}
  fi
  rm -f -- "$conf.servirt-old"
  set +f
  for f in "$tls_dir"/*; do
    case \${f##*/} in "$stem".*) ;; *) rm -f -- "$f" ;; esac
  done
  set -f
fi
if [ "$previous" != "releases/$hash" ]; then
  set +f
  for r in "$site_dir"/releases/*; do
    case $r in "$release" | "$site_dir/$previous") ;; *) rm -rf -- "$r" ;; esac
  done
fi
exit 0
`;

/**
 * Args: lock, site config, site folder, site TLS folder, server error log, pid file, graceful argv, start
 * argv (may be empty). Takes the site out of the configuration and reloads, then removes its
 * content and TLS files; the logs stay (logrotate ages them).
 */
export const REMOVE_SITE = `
set -f
lock=$1 conf=$2 site_dir=$3 tls_dir=$4 log=$5 pid_file=$6 graceful=$7 start=$8
IFS='
'
${RELOAD}
${LOCK}
if [ -f "$conf" ]; then
  mv -f -- "$conf" "$conf.servirt-old" || exit 1
  if ! reloaded=$(reload); then
    mv -f -- "$conf.servirt-old" "$conf"
    if [ -n "$start" ]; then $start > /dev/null 2>&1; fi
    printf '%s\\n' "$reloaded"
    exit ${RELOAD_FAILED}
  fi
  rm -f -- "$conf.servirt-old"
fi
rm -rf -- "$site_dir" "$tls_dir"
`;
