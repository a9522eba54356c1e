// Volumes (volumes/<name>/{config.json,data/}) and the -v mounts of a
// container. The mounts themselves are done by ducker-init inside the
// container's mount namespace (`--bind SRC:DST[:ro]`, DST resolved in the
// rootfs); here: parsing, volume records, Docker's copy-up, and rm -v.
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { withLock } from '../host/lock.js'
import { listDir } from '../host/proc.js'
import { lockFile, volumesDir } from '../store/paths.js'
import { readJson, writeJson } from '../store/records.js'
import { listContainers, type Container, type Mount } from './containers.js'
import { resolveIn, type RootMap } from './inroot.js'
import { newId } from './names.js'
import { mergedDir } from './rootfs.js'

export const VOLUME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/

export interface Volume { name: string; created: string; mountpoint: string; labels: Record<string, string>; anonymous?: boolean }

export const volumeDir = (name: string) => path.join(volumesDir(), name)
export const volumeData = (name: string) => path.join(volumeDir(name), 'data')

/** A volume name is a single path component: `../images` is refused. */
export function checkVolumeName(name: string, exitCode = 125) {
  if (name.length > 255) throw new DuckerError(`volume name too long: ${name.length} characters (at most 255)`, exitCode)
  if (!VOLUME_RE.test(name)) {
    throw new DuckerError(`"${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`, exitCode)
  }
}

export function loadVolume(name: string): Volume | undefined {
  if (!VOLUME_RE.test(name)) return undefined
  try { return readJson<Volume>(path.join(volumeDir(name), 'config.json')) } catch { return undefined }
}

export function listVolumes(): Volume[] {
  return listDir(volumesDir()).sort().flatMap((n) => { const v = loadVolume(n); return v ? [v] : [] })
}

/** Create a volume; an existing name is a no-op, as in Docker. */
export function createVolume(name = newId(), o: { anonymous?: boolean } = {}): Volume {
  checkVolumeName(name)
  return withLock(lockFile('volumes'), () => {
    const old = loadVolume(name)
    if (old && !host.isDry()) return old
    const v: Volume = { name, created: new Date().toISOString(), mountpoint: volumeData(name), labels: {}, ...(o.anonymous ? { anonymous: true } : {}) }
    host.mkdir(volumesDir(), 'one directory per volume')
    host.mkdir(volumeDir(name), `volume ${name}`)
    host.mkdir(volumeData(name), 'the volume\'s data, bind-mounted into containers', 0o755)
    writeJson(path.join(volumeDir(name), 'config.json'), v, 'record the volume')
    return v
  })
}

/** Containers (running or not) that mount the volume. */
export const usersOf = (name: string, all = listContainers()) => all.filter((c) => c.hostConfig.mounts.some((m) => m.type === 'volume' && m.name === name))

export function removeVolume(name: string, force = false) {
  checkVolumeName(name, 1)
  if (!loadVolume(name)) {
    if (force) return
    throw new DuckerError(`No such volume: ${name}`, 1)
  }
  const users = usersOf(name)
  const blocking = force ? users.filter((c) => c.state.status === 'running') : users
  if (blocking.length) throw new DuckerError(`remove ${name}: volume is in use - [${blocking.map((c) => c.id).join(', ')}]`, 1)
  host.remove(volumeDir(name), `delete volume ${name} and its data`)
}

const badSpec = (spec: string, why: string) => new DuckerError(`invalid volume specification: '${spec}': ${why}`, 125)

/** -v specs -> mounts. Pure: volumes are created when the container starts. */
export function parseVolumes(specs: string[]): Mount[] {
  const out: Mount[] = []
  for (const spec of specs) {
    const parts = spec.split(':')
    let mode = 'rw'
    if (parts.length > 1 && /^(ro|rw)$/.test(parts[parts.length - 1]) && (parts.length === 3 || parts[0].startsWith('/'))) mode = parts.pop()!
    if (parts.length > 2 || parts.some((p) => p === '')) throw badSpec(spec, 'expected [SRC:]DST[:ro|:rw]')
    const [src, dst] = parts.length === 2 ? parts : [undefined, parts[0]]
    if (!dst.startsWith('/')) throw badSpec(spec, `mount path must be absolute: ${dst}`)
    const destination = path.posix.normalize(dst).replace(/(.)\/$/, '$1')
    if (destination === '/') throw badSpec(spec, 'cannot mount over the container\'s root')
    if (out.some((m) => m.destination === destination)) throw new DuckerError(`Duplicate mount point: ${destination}`, 125)
    const readOnly = mode === 'ro'
    if (src === undefined) {
      const name = newId()
      out.push({ type: 'volume', source: volumeData(name), destination, readOnly, name, anonymous: true })
    } else if (src.startsWith('/')) {
      out.push({ type: 'bind', source: path.resolve(src), destination, readOnly })
    } else {
      checkVolumeName(src)
      out.push({ type: 'volume', source: volumeData(src), destination, readOnly, name: src })
    }
  }
  return out
}

/**
 * `--bind SRC:DST[:ro]` arguments for ducker-init. First makes sure every
 * source exists: volumes are created on first use (a missing bind source
 * directory too, as Docker does), and on the container's first start an
 * empty volume gets the image's content at its path (Docker's copy-up).
 */
export function bindArgs(c: Container): string[] {
  const firstStart = !c.state.startedAt
  const map: RootMap = { root: mergedDir(c.id), mounts: [] }
  for (const m of c.hostConfig.mounts) {
    if (m.type === 'volume') {
      createVolume(m.name, { anonymous: m.anonymous })
      if (firstStart && isEmptyDir(m.source)) copyUp(map, m)
    } else if (host.isDry() || !fs.existsSync(m.source)) {
      host.mkdir(m.source, 'the bind source does not exist: create it, as Docker does', 0o755)
    }
    map.mounts.push({ dest: resolveIn(map, m.destination, true).ctr, source: m.source })
  }
  return c.hostConfig.mounts.flatMap((m) => ['--bind', `${m.source}:${m.destination}${m.readOnly ? ':ro' : ''}`])
}

function isEmptyDir(dir: string) {
  try { return fs.readdirSync(dir).length === 0 } catch { return true }
}

/** Copy what the image has at the mount point into the (empty) volume. */
function copyUp(map: RootMap, m: Mount) {
  const at = resolveIn(map, m.destination, true)
  let entries: string[] = []
  try { if (fs.statSync(at.host).isDirectory()) entries = fs.readdirSync(at.host) } catch { /* nothing there */ }
  if (!entries.length) return
  host.run(['cp', '-a', '--', at.host + '/.', m.source], `copy-up: the volume is new and empty, so it starts with the image's ${at.ctr}`)
}

/** rm -v: delete the container's anonymous volumes, never named ones. */
export function removeAnonymousVolumes(c: Container) {
  for (const m of c.hostConfig.mounts) {
    if (m.type !== 'volume' || !m.anonymous || !m.name || !VOLUME_RE.test(m.name)) continue
    if (host.isDry() || fs.existsSync(volumeDir(m.name))) host.remove(volumeDir(m.name), `delete the anonymous volume ${m.name.slice(0, 12)}`)
  }
}
