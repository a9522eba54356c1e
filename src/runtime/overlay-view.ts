// A container's root filesystem as overlayfs would show it, read straight
// from its layers without mounting anything (cp --dry-run of a stopped
// container resolves its paths here). A name is looked up in the upper dir,
// then in each image layer from the top: a whiteout (char device 0/0) hides
// it, a file stops the search, directories merge until one is opaque
// (xattr trusted.overlay.opaque=y). Paths outside the root are the host's.
import fs from 'node:fs'
import path from 'node:path'
import { query } from '../host/query.js'
import { hostView, type FsView } from './inroot.js'

export interface OverlayDirs {
  /** Where the overlay would be mounted: the paths this view answers for. */
  merged: string
  upper: string
  /** Image layers' diff dirs, topmost first (overlay's lowerdir order). */
  lowers: string[]
}

const lst = (p: string) => { try { return fs.lstatSync(p) } catch { return undefined } }
const isWhiteout = (st: fs.Stats) => st.isCharacterDevice() && st.rdev === 0
const MAX_LINKS = 40

/** Does overlay treat this layer dir as opaque (lower layers' contents hidden)? */
export function isOpaqueDir(dir: string): boolean {
  const r = query(['getfattr', '-P', '--absolute-names', '--only-values', '-n', 'trusted.overlay.opaque', dir],
    'is this directory opaque (hiding the layers below)? overlay marks it with an xattr')
  return r.code === 0 && r.stdout.trim() === 'y'
}

function enoent(p: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${p}`), { code: 'ENOENT' })
}

export function overlayView(o: OverlayDirs, isOpaque: (dir: string) => boolean = isOpaqueDir): FsView {
  const opaque = new Map<string, boolean>()
  const opaqueCached = (d: string) => { let v = opaque.get(d); if (v === undefined) opaque.set(d, v = isOpaque(d)); return v }

  // The layer paths that make up a merged path, topmost first (several only
  // for a merged directory); undefined if the merged view has no such entry.
  // Every component but the last must be a directory: links are not followed.
  function lookup(rel: string[]): string[] | undefined {
    let dirs = [o.upper, ...o.lowers]
    for (const name of rel) {
      const found: string[] = []
      for (let i = 0; i < dirs.length; i++) {
        const p = path.join(dirs[i], name)
        const st = lst(p)
        if (!st) continue
        if (isWhiteout(st)) break
        if (!st.isDirectory()) { if (!found.length) found.push(p); break }
        found.push(p)
        if (i < dirs.length - 1 && opaqueCached(p)) break
      }
      if (!found.length) return undefined
      dirs = found
    }
    return dirs
  }

  const inside = (p: string): string[] | undefined => {
    const rel = path.relative(o.merged, path.resolve(p))
    if (rel === '') return []
    if (rel === '..' || rel.startsWith('../') || path.isAbsolute(rel)) return undefined
    return rel.split('/')
  }

  const view: FsView = {
    lstat(p) {
      const rel = inside(p)
      if (!rel) return hostView.lstat(p)
      const at = lookup(rel)
      return at ? lst(at[0]) : undefined
    },
    readlink(p) {
      const rel = inside(p)
      if (!rel) return hostView.readlink(p)
      const at = lookup(rel)
      if (!at) throw enoent(p)
      return fs.readlinkSync(at[0])
    },
    // As the kernel would: a final link is followed (host semantics, as on the mounted overlay).
    stat(p) {
      for (let n = 0; n <= MAX_LINKS; n++) {
        if (!inside(p)) return hostView.stat(p)
        const st = view.lstat(p)
        if (!st?.isSymbolicLink()) return st
        const t = view.readlink(p)
        p = path.resolve(path.dirname(p), t)
      }
      return undefined
    },
  }
  return view
}
