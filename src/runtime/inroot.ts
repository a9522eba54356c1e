// Container paths resolved as if the container's root were `/`: every
// component is looked at (lstat) under the host dir that holds it (the
// rootfs, or a volume mounted there); a symlink's target, absolute or full
// of `..`, is followed inside the container, never on the host.
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'

const MAX_LINKS = 40

/** How paths are looked at: the host's fs, or a stand-in (an unmounted overlay read from its layers). */
export interface FsView { lstat(p: string): fs.Stats | undefined; stat(p: string): fs.Stats | undefined; readlink(p: string): string }
export const hostView: FsView = {
  lstat: (p) => { try { return fs.lstatSync(p) } catch { return undefined } },
  stat: (p) => { try { return fs.statSync(p) } catch { return undefined } },
  readlink: (p) => fs.readlinkSync(p),
}

/** The container's filesystem as the host sees it: rootfs + volume mounts (+ how to look at it). */
export interface RootMap { root: string; mounts: { dest: string; source: string }[]; view?: FsView }

function hostOf(m: RootMap, comps: string[]): string {
  const ctr = '/' + comps.join('/')
  let best: { dest: string; source: string } | undefined
  for (const mt of m.mounts) {
    if ((ctr === mt.dest || ctr.startsWith(mt.dest === '/' ? '/' : mt.dest + '/')) && (!best || mt.dest.length > best.dest.length)) best = mt
  }
  return best ? path.join(best.source, ctr.slice(best.dest.length)) : path.join(m.root, ctr)
}

/**
 * Resolve a container path to { ctr: canonical container path, host: the
 * host path holding it }. Symlinks are followed inside the container (the
 * last one only with followFinal); `..` never climbs above `/`.
 */
export function resolveIn(m: RootMap, p: string, followFinal: boolean): { ctr: string; host: string } {
  let todo = p.split('/').filter((x) => x !== '')
  let cur: string[] = []
  let links = 0
  const view = m.view ?? hostView
  while (todo.length) {
    const name = todo.shift()!
    if (name === '.') continue
    if (name === '..') { cur.pop(); continue }
    const next = [...cur, name]
    const hp = hostOf(m, next)
    const st = view.lstat(hp) // missing: the rest is taken literally
    if (st?.isSymbolicLink() && (todo.length > 0 || followFinal)) {
      if (++links > MAX_LINKS) throw new DuckerError(`too many levels of symbolic links in ${p}`, 1)
      const target = view.readlink(hp)
      if (target.startsWith('/')) cur = []
      todo = [...target.split('/').filter((x) => x !== ''), ...todo]
      continue
    }
    cur = next
  }
  return { ctr: '/' + cur.join('/'), host: hostOf(m, cur) }
}
