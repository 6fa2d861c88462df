/**
 * The mount plan of the bubblewrap tier: an empty, read-only root holding only what a shell and
 * common tools need from the host (read-only), a private `/tmp`, `/proc`, `/dev`, and the
 * workspace as the one writable host folder. The data folder, `$HOME`, the project and everything
 * else of the host are simply not there.
 */
import { lstatSync, readlinkSync } from 'node:fs';

/** The PATH sandboxed commands see; fixed so the daemon's own PATH does not leak in. */
export const SANDBOX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Top-level system folders, bound read-only when they are folders and recreated when they are links. */
const SYSTEM_DIRS = ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/**
 * The part of `/etc` programs need to start and behave: user and group names, name resolution
 * rules, the dynamic loader's cache, Debian alternatives (e.g. `python3`, `awk`), CA certificates,
 * the time zone. Credentials (`shadow`, `gshadow`), `environment` and the host name stay out.
 */
const ETC_ALLOWED = [
  'passwd',
  'group',
  'hosts',
  'nsswitch.conf',
  'host.conf',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'ssl',
  'ca-certificates',
  'ca-certificates.conf',
  'pki',
  'crypto-policies',
  'localtime',
  'timezone',
  'os-release',
  'protocols',
  'services',
  'mime.types',
];

type Entry = { kind: 'dir' | 'file'; path: string } | { kind: 'link'; path: string; target: string };

/** What exists of the allowed paths on this host; looked up once per process (a few `lstat`s). */
let layout: Entry[] | undefined;

function hostLayout(): Entry[] {
  if (layout !== undefined) return layout;
  const found: Entry[] = [];
  for (const path of [...SYSTEM_DIRS, ...ETC_ALLOWED.map((name) => `/etc/${name}`)]) {
    try {
      const stat = lstatSync(path);
      // /bin -> usr/bin on merged-/usr systems: recreate the link; a link in /etc is bound
      // through to its target (e.g. /etc/localtime into /usr/share/zoneinfo).
      if (stat.isSymbolicLink() && SYSTEM_DIRS.includes(path)) {
        found.push({ kind: 'link', path, target: readlinkSync(path) });
      } else {
        found.push({ kind: stat.isDirectory() ? 'dir' : 'file', path });
      }
    } catch {
      // Not on this host.
    }
  }
  layout = found;
  return found;
}

/**
 * Arguments that make `bwrap` build the sandbox around `workspace` (an absolute real path): fresh
 * user, PID, network, IPC, UTS and cgroup namespaces (no network at all), no capabilities, a new
 * session (no terminal injection), death with the daemon, and a root that is read-only except for
 * the private `/tmp` and the workspace, which is also the working folder. `readOnly` adds host
 * folders visible read-only (a sandboxed MCP server's own installation), absolute real paths.
 */
export function bwrapArgs(workspace: string, readOnly: readonly string[] = []): string[] {
  const args = ['--unshare-all', '--die-with-parent', '--new-session', '--cap-drop', 'ALL'];
  for (const entry of hostLayout()) {
    if (entry.kind === 'link') args.push('--symlink', entry.target, entry.path);
    else args.push('--ro-bind', entry.path, entry.path);
  }
  args.push(
    '--tmpfs',
    '/tmp',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // After /tmp, so folders under /tmp are not hidden by the fresh tmpfs.
    ...readOnly.flatMap((path) => ['--ro-bind', path, path]),
    '--bind',
    workspace,
    workspace,
    // Last, so the folders bwrap created on the root for the mount points stay read-only too.
    '--remount-ro',
    '/',
    '--chdir',
    workspace,
  );
  return args;
}
