// `cp` between a container and the host. Every container path is resolved
// here component by component as if the container's root were `/`: a
// symlink's target (absolute or full of `..`) is followed inside the
// container, never on the host. Mounted volumes are looked through, so a
// path under a volume reads/writes the volume. The actual copy is GNU tar
// (modes, mtimes and numeric ownership kept) started in the resolved dir.
// A stopped container's root is mounted for the copy; under --dry-run it is
// read from its layers unmounted (overlay-view.ts) and the script mounts it.
import path from 'node:path'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { shq } from '../host/shell.js'
import { containerDir, root } from '../store/paths.js'
import { findContainer, type Container } from './containers.js'
import { findImage, layerDiff } from './images.js'
import { withContainerLock } from './lifecycle.js'
import { hostView, resolveIn, type FsView, type RootMap } from './inroot.js'
import { overlayView } from './overlay-view.js'
import { isMounted, mergedDir, mountRootfs, unmountRootfs } from './rootfs.js'

export { resolveIn, type RootMap }

/** The rootfs plus the container's mounts, destinations resolved in order as the init does. */
export function rootMapOf(c: Container, view?: FsView): RootMap {
  const m: RootMap = { root: mergedDir(c.id), mounts: [], view }
  for (const mt of c.hostConfig.mounts) m.mounts.push({ dest: resolveIn(m, mt.destination, true).ctr, source: mt.source })
  return m
}

/** Run f with the container's rootfs mounted; a stopped one is mounted just for the copy. */
async function withRootfs<T>(c: Container, f: (m: RootMap) => Promise<T>): Promise<T> {
  const merged = mergedDir(c.id)
  let mounted = false
  let view: FsView | undefined
  if (!isMounted(merged)) {
    const img = findImage(c.imageId)
    if (!img) throw new DuckerError(`image ${c.imageId.slice(0, 12)} of container ${c.name} is gone`, 1)
    withContainerLock(c.id, () => mountRootfs(c.id, img))
    mounted = true
    host.scriptOnly(`trap ${shq(`! mountpoint -q ${merged} || umount ${merged}`)} EXIT`, 'should a copy step fail (set -e), the rootfs still comes down')
    // Dry run: the script mounts it; paths are resolved now, in the layers as the overlay will stack them.
    if (host.isDry()) view = overlayView({ merged, upper: path.join(containerDir(c.id), 'upper'), lowers: [...img.layers].reverse().map(layerDiff) })
  }
  try {
    return await f(rootMapOf(c, view))
  } finally {
    // Leave it mounted if the container was started meanwhile.
    if (mounted) withContainerLock(c.id, () => { if (findContainer(c.id).state.status !== 'running') unmountRootfs(c.id) })
  }
}

// GNU tar --transform: rename the top-level member (regex and replacement escaped; \x01 delimits).
function renameArg(from: string, to: string): string[] {
  if (from === to) return []
  if (/\x01/.test(from + to)) throw new DuckerError('file names with \\x01 are not supported', 1)
  const re = from.replace(/[\\.*[\]^$]/g, '\\$&')
  const rep = to.replace(/[\\&]/g, '\\$&')
  return [`--transform=s\x01^${re}\x01${rep}\x01S`]
}

const TAR_C = ['tar', '--numeric-owner']
const tmpDir = () => path.join(root(), 'tmp', `cp-${process.pid}`)

export type Endpoint = { container: Container; path: string } | { host: string }

/** Docker's rule: CONTAINER:PATH unless it starts like a local path. */
export function parseEndpoint(arg: string): Endpoint {
  if (arg === '-' || arg.startsWith('/') || arg.startsWith('.') || !arg.includes(':')) return { host: arg }
  const i = arg.indexOf(':')
  const ref = arg.slice(0, i)
  const p = arg.slice(i + 1) || '/'
  return { container: findContainer(ref), path: p }
}

const lstat = hostView.lstat
const stat = hostView.stat
// Container paths are looked at through the map's view (an unmounted overlay's layers in a dry run).
const viewOf = (m: RootMap) => m.view ?? hostView
const endsDot = (p: string) => /(^|\/)\.$/.test(p)

export async function copy(srcArg: string, dstArg: string): Promise<void> {
  const src = parseEndpoint(srcArg)
  const dst = parseEndpoint(dstArg)
  if ('container' in src && 'container' in dst) throw new DuckerError('copying between containers is not supported', 1)
  if ('host' in src && 'host' in dst) throw new DuckerError('must specify at least one container source', 1)
  if ('container' in src && 'host' in dst) await withRootfs(src.container, (m) => copyOut(m, src.container, src.path, dst.host))
  else if ('host' in src && 'container' in dst) await withRootfs(dst.container, (m) => copyIn(m, src.host, dst.container, dst.path))
}

async function copyOut(m: RootMap, c: Container, cpath: string, dest: string) {
  const contents = endsDot(cpath)
  const s = resolveIn(m, contents ? cpath.replace(/\/?\.$/, '/') : cpath, contents || cpath.endsWith('/'))
  const st = viewOf(m).lstat(s.host)
  if (!st) throw new DuckerError(`Could not find the file ${cpath} in container ${c.name}`, 1)
  if (!st.isDirectory() && (contents || cpath.endsWith('/'))) throw new DuckerError(`${cpath}: not a directory`, 1)
  const base = s.ctr === '/' ? '.' : path.posix.basename(s.ctr)
  const parent = path.dirname(s.host)
  if (dest === '-') {
    const argv = contents || base === '.' ? [...TAR_C, '-C', s.host, '-cf', '-', '.'] : [...TAR_C, '-C', parent, '-cf', '-', base]
    const code = await host.foreground(argv, 'stream it as a tar archive on stdout (links archived as links, never followed)', { statusVar: 'STATUS', stdio: ['ignore', 'inherit', 'inherit'] })
    if (code !== 0) throw new DuckerError(`tar exited ${code}`, 1)
    return
  }
  // The host side is the user's own: plain cp -a (no dereferencing) with Docker's rules.
  const d = stat(dest)
  const why = 'copy out of the container: cp -a keeps modes, times, owners and links (never follows them)'
  if (st.isDirectory()) {
    if (d && !d.isDirectory()) throw new DuckerError(`cannot copy a directory to a file: ${dest}`, 1)
    if (!d) checkParent(path.dirname(path.resolve(dest)))
    if (contents || base === '.') {
      if (!d) host.mkdir(dest, 'the destination directory', st.mode & 0o7777)
      host.run(['cp', '-a', '--', s.host + '/.', dest], why)
    } else {
      host.run(['cp', '-a', '--', s.host, dest], why)
    }
    return
  }
  if (!d && dest.endsWith('/')) throw new DuckerError(`destination directory ${dest} does not exist`, 1)
  if (!d) checkParent(path.dirname(path.resolve(dest)))
  host.run(['cp', '-a', '--', s.host, d?.isDirectory() ? path.join(dest, base) : dest], why)
}

function checkParent(dir: string) {
  const p = stat(dir)
  if (!p?.isDirectory()) throw new DuckerError(`no such directory: ${dir}`, 1)
}

async function copyIn(m: RootMap, src: string, c: Container, cpath: string) {
  const tmp = tmpDir()
  host.mkdir(tmp, 'a scratch dir for the archive, outside the container')
  try {
    if (src === '-') {
      // Unpack the stream outside the container first: an archive whose members
      // go through a symlink the container already has must not escape it.
      const stage = path.join(tmp, 'stage')
      host.mkdir(stage, 'unpack the incoming archive here first')
      const code = await host.foreground([...TAR_C, '-C', stage, '-xpf', '-'], 'read the tar archive from stdin', { statusVar: 'STATUS', stdio: ['inherit', 'inherit', 'inherit'] })
      if (code !== 0) throw new DuckerError(`tar exited ${code}`, 1)
      const d = resolveIn(m, cpath, true)
      if (!viewOf(m).stat(d.host)?.isDirectory()) throw new DuckerError(`destination "${c.name}:${cpath}" must be a directory`, 1)
      extract(tmp, stage, '.', d.host, '.')
      return
    }
    const contents = endsDot(src)
    const sp = path.resolve(contents ? src.replace(/\/?\.$/, '/') : src)
    const st = lstat(sp)
    if (!st) throw new DuckerError(`could not find the file ${src}`, 1)
    if (!st.isDirectory() && (contents || src.endsWith('/'))) throw new DuckerError(`${src}: not a directory`, 1)
    const base = path.basename(sp) || '.'
    const d = resolveIn(m, cpath, true)
    const dst = viewOf(m).stat(d.host)
    if (st.isDirectory()) {
      if (dst && !dst.isDirectory()) throw new DuckerError(`cannot copy a directory to a file: ${c.name}:${cpath}`, 1)
      if (dst) {
        if (contents || base === '/') extract(tmp, sp, '.', d.host, '.')
        else extract(tmp, path.dirname(sp), base, d.host, base)
        return
      }
    } else if (dst?.isDirectory()) {
      extract(tmp, path.dirname(sp), base, d.host, base)
      return
    } else if (!dst && cpath.endsWith('/')) {
      throw new DuckerError(`destination directory ${c.name}:${cpath} does not exist`, 1)
    }
    // Create (or replace) the target under its parent, renamed.
    const parent = resolveIn(m, path.posix.dirname(d.ctr), true)
    if (!viewOf(m).stat(parent.host)?.isDirectory()) throw new DuckerError(`no such directory: ${c.name}:${path.posix.dirname(d.ctr)}`, 1)
    if (d.ctr === '/') throw new DuckerError('cannot replace the container\'s root directory', 1)
    extract(tmp, path.dirname(sp), base, parent.host, path.posix.basename(d.ctr))
  } finally {
    host.remove(tmp, 'drop the scratch archive')
  }
}

/**
 * Archive `name` from `fromDir` and unpack it in `intoDir` (a resolved dir
 * of the container) as `as`. The archive holds every directory entry before
 * its contents, and GNU tar replaces an existing symlink with a directory
 * rather than writing through it, so nothing lands outside `intoDir`.
 */
function extract(tmp: string, fromDir: string, name: string, intoDir: string, as: string) {
  const ar = path.join(tmp, 'copy.tar')
  host.run([...TAR_C, '-C', fromDir, '-cf', ar, name], 'pack the source (links kept as links)')
  host.run([...TAR_C, '-C', intoDir, '-xpf', ar, ...renameArg(name, as)], 'unpack in the container\'s directory, resolved inside its root; modes, times and owners kept')
}
