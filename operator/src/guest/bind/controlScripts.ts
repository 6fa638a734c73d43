// Shell scripts BindControl runs in a guest. Each SSH command costs a session (130 ms on this
// machine, whose root shell starts slowly; more in an emulated guest), so each step is one
// script. Lists of paths come as single arguments, one path a line (paths come from a layout).

/** Staged files end in this; a staged file is never read by named. */
export const STAGED = '.servirt-new';

/**
 * Args: n, path…. For each of the first n paths, its size in bytes on a line and then its bytes;
 * for the others 0 on a line (they exist; their content is not needed). -1 on a line when there
 * is no such file.
 */
export const READ_FILES = `
n=$1
shift
for f; do
  if [ ! -f "$f" ]; then echo -1
  elif [ "$n" -gt 0 ]; then wc -c < "$f"; cat -- "$f"
  else echo 0
  fi
  n=$((n - 1))
done
`;

/** Exit codes of INSTALL_CONFIG besides 0 (installed, named reconfigured) and other failures. */
export const CONFIG_REJECTED = 3;
export const RECONFIG_FAILED = 4;

/**
 * Args: configOwner|-, fileOwner|-, candidate main config, live config paths, zone file paths,
 * folders, then the rndc argv. Every config path and zone file path has its content staged next
 * to it (path + STAGED). Checks the staged main config with named-checkconf (output, exit 3,
 * everything staged removed, on failure), creates the folders, links in the zone files that do
 * not exist yet (a hard link never replaces a file), moves the configs into place and runs
 * `rndc reconfig`; if that fails, puts the previous configs back (output, exit 4).
 */
export const INSTALL_CONFIG = `
set -f
config_owner=$1 file_owner=$2 main=$3 configs=$4 zone_files=$5 folders=$6
shift 6
IFS='
'
discard() { for f in $configs $zone_files; do rm -f -- "$f${STAGED}"; done; rm -f -- "$main"; }
own() { [ "$1" = - ] || chown -- "$@"; }
for f in $configs; do own "$config_owner" "$f${STAGED}" || { discard; exit 1; }; done
if ! checked=$(named-checkconf "$main" 2>&1); then printf '%s\\n' "$checked"; discard; exit ${CONFIG_REJECTED}; fi
rm -f -- "$main"
mkdir -p -- $folders && own "$file_owner" $folders || { discard; exit 1; }
for f in $zone_files; do
  own "$file_owner" "$f${STAGED}" && { [ -e "$f" ] || ln -- "$f${STAGED}" "$f"; } || { discard; exit 1; }
  rm -f -- "$f${STAGED}"
done
for f in $configs; do
  if [ -e "$f" ]; then cp -p -- "$f" "$f.servirt-old" || exit 1; fi
done
for f in $configs; do mv -f -- "$f${STAGED}" "$f" || exit 1; done
if ! reconfigured=$("$@" reconfig 2>&1); then
  for f in $configs; do if [ -e "$f.servirt-old" ]; then mv -f -- "$f.servirt-old" "$f"; fi; done
  printf '%s\\n' "$reconfigured"
  exit ${RECONFIG_FAILED}
fi
for f in $configs; do rm -f -- "$f.servirt-old"; done
`;

/** Args: fileOwner|-, folder…. Makes the folders named writes zone files in. */
export const MAKE_FOLDERS =
  'owner=$1; shift; mkdir -p -- "$@" && { [ "$owner" = - ] || chown -- "$owner" "$@"; }';

/**
 * Args: fileOwner|-, folders, zone file path, then the rndc argv that adds the zone; stdin: the
 * zone file's content. The file is written only when there is no such file (then a journal an
 * earlier zone of the name left is removed: named would replay it onto the new file). When rndc
 * fails for another reason than an existing zone, a file written here is removed again, so that
 * the next attempt writes its own content rather than finding this one.
 */
export const ADD_ZONE = `
set -f
file_owner=$1 folders=$2 file=$3
shift 3
IFS='
'
own() { [ "$1" = - ] || chown -- "$@"; }
mkdir -p -- $folders && own "$file_owner" $folders || exit 1
created=0
if [ -e "$file" ]; then
  cat > /dev/null
else
  umask 022
  cat > "$file${STAGED}" || exit 1
  rm -f -- "$file.jnl"
  own "$file_owner" "$file${STAGED}" && ln -- "$file${STAGED}" "$file" || { rm -f -- "$file${STAGED}"; exit 1; }
  rm -f -- "$file${STAGED}"
  created=1
fi
if added=$("$@" 2>&1); then exit 0; fi
case $added in
  *"already exists"*) ;;
  *) if [ $created = 1 ]; then rm -f -- "$file" "$file.jnl"; fi ;;
esac
printf '%s\n' "$added" >&2
exit 1
`;
