// The layer store. A layer is stored once, under layers/<diff-id hex>/:
//   diff/      the files, usable as an overlay lower dir (whiteouts in
//              overlay's form: char device 0/0, opaque xattr)
//   layer.tar  the OCI tar (whiteouts as .wh. files); its sha256 is the diff ID
// Images only name layers; a layer goes when no image names it any more.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import { DuckerError } from '../errors.js'
import { writeStream } from '../host/archive.js'
import * as host from '../host/gateway.js'
import { shq } from '../host/shell.js'
import { query } from '../host/query.js'
import { layerDir, layersDir, root } from '../store/paths.js'
import { builtinTarball, diffIdOfTarGz, hex, layerLink, listImages, type ImageConfig } from './images.js'
import { tarStream, type TarEntry } from './tarball.js'

export const WH = '.wh.'
export const OPQ = '.wh..wh..opq'
export const layerTar = (diffId: string) => path.join(layerDir(hex(diffId)), 'layer.tar')
export const layerExists = (diffId: string) => fs.existsSync(path.join(layerDir(hex(diffId)), 'diff'))
export const tmpDir = () => path.join(root(), 'tmp')

/** A fresh scratch dir under the data root (same filesystem: renames are atomic). */
export function scratch(prefix: string): string {
  const dir = path.join(tmpDir(), `${prefix}-${process.pid}-${crypto.randomBytes(3).toString('hex')}`)
  host.mkdir(dir, 'scratch space on the data root\'s filesystem, so results move in with one rename')
  return dir
}

/** Directories marked opaque in an overlay upper dir (getfattr reads the xattr). */
export function opaqueDirs(dir: string): Set<string> {
  const r = query(['getfattr', '-R', '-P', '--absolute-names', '-m', '^trusted\\.overlay\\.opaque$', '-d', dir],
    'find directories the container replaced wholesale (overlay marks them opaque with an xattr)')
  const out = new Set<string>()
  for (const block of r.stdout.split('\n\n')) {
    const m = /^# file: (.*)\ntrusted\.overlay\.opaque="y"/m.exec(block)
    if (m) out.add(m[1].replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))))
  }
  return out
}

/**
 * An overlay upper dir as tar entries, sorted, whiteouts converted:
 * char device 0/0 -> `.wh.NAME`, opaque dir -> `dir/.wh..wh..opq`.
 */
export function upperEntries(dir: string, opaque = opaqueDirs(dir)): TarEntry[] {
  const out: TarEntry[] = []
  const seen = new Map<string, string>()
  const walk = (abs: string, rel: string) => {
    for (const name of fs.readdirSync(abs).sort()) {
      const p = path.join(abs, name)
      const r = rel ? `${rel}/${name}` : name
      const st = fs.lstatSync(p)
      const base = { path: r, mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime }
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ ...base, path: rel ? `${rel}/${WH}${name}` : `${WH}${name}`, type: 'file', mode: 0o600, data: Buffer.alloc(0) })
      } else if (st.isDirectory()) {
        out.push({ ...base, type: 'dir' })
        if (opaque.has(p)) out.push({ ...base, path: `${r}/${OPQ}`, type: 'file', mode: 0o600, data: Buffer.alloc(0) })
        walk(p, r)
      } else if (st.isSymbolicLink()) {
        out.push({ ...base, type: 'symlink', linkpath: fs.readlinkSync(p) })
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`
        if (st.nlink > 1 && seen.has(key)) { out.push({ ...base, type: 'link', linkpath: seen.get(key) }); continue }
        if (st.nlink > 1) seen.set(key, r)
        out.push({ ...base, type: 'file', source: p, size: st.size })
      } else if (st.isFIFO()) {
        out.push({ ...base, type: 'fifo' })
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        out.push({ ...base, type: st.isCharacterDevice() ? 'char' : 'block', devmaj: Math.floor(st.rdev / 256), devmin: st.rdev % 256 })
      } // sockets are not archived (docker does the same)
    }
  }
  walk(dir, '')
  return out
}

export interface Whiteouts { files: string[]; opaque: string[] }

export function whiteoutsOf(entries: TarEntry[]): Whiteouts {
  const w: Whiteouts = { files: [], opaque: [] }
  for (const e of entries) classifyWhiteout(e.path, w)
  return w
}

function classifyWhiteout(p: string, w: Whiteouts) {
  const base = path.posix.basename(p)
  if (base === OPQ) w.opaque.push(path.posix.dirname(p))
  else if (base.startsWith(WH)) w.files.push(path.posix.join(path.posix.dirname(p), base.slice(WH.length)))
}

/** Write entries as a new layer (or find the identical one); returns its diff ID. */
export async function createLayer(entries: TarEntry[], why: string, line: string): Promise<string> {
  const work = scratch('layer')
  try {
    const tarFile = path.join(work, 'layer.tar')
    const { sha256 } = await writeStream(tarFile, tarStream(entries), why, { line })
    const diffId = 'sha256:' + sha256
    if (!layerExists(diffId)) installLayer(tarFile, diffId, whiteoutsOf(entries))
    return diffId
  } finally {
    host.remove(work, 'drop the scratch dir')
  }
}

/**
 * Move a verified layer tar into the store: unpack it with GNU tar into
 * diff/, turn OCI whiteouts into overlay ones, keep the tar for save.
 */
export function installLayer(tarFile: string, diffId: string, w: Whiteouts) {
  const dir = layerDir(hex(diffId))
  if (layerExists(diffId)) return
  const tmp = `${dir}.partial`
  host.remove(tmp, 'clear a half-written layer left by an interrupted import')
  host.mkdir(path.join(tmp, 'diff'), 'the layer\'s files, later an overlay lower dir', 0o755)
  host.run(['tar', '-x', '--numeric-owner', '-p', '-f', tarFile, '-C', path.join(tmp, 'diff')], 'unpack the layer')
  toOverlayWhiteouts(path.join(tmp, 'diff'), w)
  host.rename(tarFile, path.join(tmp, 'layer.tar'), 'keep the layer tar: save streams it as is, its sha256 is the diff ID')
  host.rename(tmp, dir, 'publish the layer in one atomic rename')
  host.mkdir(path.join(layersDir(), 'l'), 'short names for layers keep the overlay mount options under one page')
  host.symlink(`../${hex(diffId)}/diff`, path.join(layersDir(), layerLink(diffId)), 'short link to the layer')
}

function toOverlayWhiteouts(diff: string, w: Whiteouts) {
  for (const d of w.opaque) {
    host.remove(path.join(diff, d, OPQ), 'the OCI opaque marker...')
    host.run(['setfattr', '-n', 'trusted.overlay.opaque', '-v', 'y', path.join(diff, d)], '...becomes overlay\'s: lower layers\' content of this dir is hidden')
  }
  for (const f of w.files) {
    const dst = path.join(diff, f)
    host.remove(path.join(path.dirname(dst), WH + path.basename(dst)), 'the OCI whiteout file...')
    host.run(['mknod', dst, 'c', '0', '0'], '...becomes overlay\'s: a 0/0 char device hides the file in lower layers')
  }
}

// --dry-run: sizes of layer tars its script will write (the manifest names them).
const drySizes = new Map<string, number>()
export const tarSize = (file: string) => drySizes.get(file) ?? fs.statSync(file).size

/** The layer tar for save; the built-in alpine's is rebuilt from assets/ if an older store lacks it. */
export async function ensureLayerTar(diffId: string): Promise<string> {
  const file = layerTar(diffId)
  if (fs.existsSync(file)) return file
  const { file: asset } = builtinTarball()
  if (layerExists(diffId) && diffIdOfTarGz(asset) === diffId) {
    if (host.isDry()) {
      if (drySizes.has(file)) return file
      host.scriptOnly(`gunzip -c ${shq(asset)} > ${shq(file)}`, 'keep the base layer\'s tar for save')
      drySizes.set(file, zlib.gunzipSync(fs.readFileSync(asset)).length)
      return file
    }
    await writeStream(file, fs.createReadStream(asset).pipe(zlib.createGunzip()), 'keep the base layer\'s tar for save',
      { line: `gunzip -c ${asset} > ${file}` })
    return file
  }
  throw new DuckerError(`layer ${hex(diffId).slice(0, 12)} has no tar in the store`, 125, 'rebuild or reload the image')
}

export function layerSize(diffId: string): number {
  try { return fs.statSync(layerTar(diffId)).size } catch { return 0 }
}

/** Remove layers that no image names (refcount zero). */
export function pruneLayers(candidates: string[], deleted: string[] = []): string[] {
  // deleted: image records this command removed (under --dry-run they are still there).
  const used = new Set(listImages().filter((i) => !deleted.includes(i.id)).flatMap((i) => i.layers))
  const gone: string[] = []
  for (const l of new Set(candidates)) {
    if (used.has(l) || !fs.existsSync(layerDir(hex(l)))) continue
    host.remove(path.join(layersDir(), layerLink(l)), 'drop the short link')
    host.remove(layerDir(hex(l)), 'no image uses this layer any more')
    gone.push(l)
  }
  return gone
}

// ---- reading layer tars from outside: verify and refuse anything unsafe ----

export interface Scanned { diffId: string; whiteouts: Whiteouts; entries: number }

const isGzip = (b: Buffer) => b[0] === 0x1f && b[1] === 0x8b

/** Why an entry path is unsafe, or undefined. Pure; unit-tested. */
export function unsafePath(p: string): string | undefined {
  if (p.startsWith('/')) return 'absolute path'
  if (p.split('/').includes('..')) return '".." component'
  return undefined
}

/**
 * Read a layer blob (gzip or plain): write the plain tar to `plainOut`,
 * return its sha256 (the diff ID) and whiteouts; throw on unsafe entries.
 */
export async function scanLayer(blob: string, plainOut: string, label: string, privateOut = false): Promise<Scanned> {
  const head = Buffer.alloc(2)
  const fd = fs.openSync(blob, 'r'); fs.readSync(fd, head, 0, 2, 0); fs.closeSync(fd)
  const whiteouts: Whiteouts = { files: [], opaque: [] }
  const symlinks = new Set<string>()
  let entries = 0
  let problem: string | undefined
  const parser = new Parser({ strict: true })
  parser.on('entry', (e: ReadEntry) => {
    entries++
    const p = e.path.replace(/^(\.\/)+/, '').replace(/\/+$/, '')
    const bad = checkEntry(p, e, symlinks)
    if (bad && !problem) problem = `${label}: refusing entry "${e.path}": ${bad}`
    if (e.type === 'SymbolicLink') symlinks.add(p)
    if (!bad) classifyWhiteout(p, whiteouts)
    e.resume()
  })
  let parseError: Error | undefined
  parser.on('error', (err: Error) => { parseError ??= err })
  const ended = new Promise((r) => parser.once('end', r))
  const source = fs.createReadStream(blob)
  const plain: Readable = isGzip(head) ? source.pipe(zlib.createGunzip()) : source
  const tee = async function* () {
    // strict mode throws from write/end: keep the first error for later.
    const feed = (f: () => unknown) => { try { f() } catch (e) { parseError ??= e as Error } }
    for await (const chunk of plain) { feed(() => parser.write(chunk as Buffer)); yield chunk as Buffer }
    feed(() => parser.end())
  }
  let written
  try {
    written = await writeStream(plainOut, tee(), `check ${label} and keep it uncompressed`, { line: `tar -tvf ${blob}  # checked entry by entry`, private: privateOut })
  } catch (e) {
    throw new DuckerError(`${label}: not a readable tar: ${(e as Error).message}`, 125)
  }
  await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())])
  // An empty layer is just the end-of-archive zero blocks.
  if (parseError && !(entries === 0 && written.size <= 10240 && fs.readFileSync(plainOut).every((b) => b === 0))) {
    throw new DuckerError(`${label}: not a valid tar: ${parseError.message}`, 125)
  }
  if (problem) throw new DuckerError(problem, 125, 'the archive was refused; nothing of it was kept')
  return { diffId: 'sha256:' + written.sha256, whiteouts, entries }
}

function checkEntry(p: string, e: ReadEntry, symlinks: Set<string>): string | undefined {
  const bad = unsafePath(e.path)
  if (bad) return bad
  const parts = p.split('/')
  for (let i = 1; i < parts.length; i++) {
    if (symlinks.has(parts.slice(0, i).join('/'))) return `it goes through the symlink ${parts.slice(0, i).join('/')}`
  }
  switch (e.type) {
    case 'Link': {
      const t = (e.linkpath ?? '').replace(/^(\.\/)+/, '')
      if (unsafePath(t)) return `hard link target "${e.linkpath}" leaves the layer`
      return undefined
    }
    case 'SymbolicLink': {
      const t = e.linkpath ?? ''
      if (!t.startsWith('/') && path.posix.normalize(path.posix.join(path.posix.dirname(p), t)).startsWith('..')) return `symlink target "${t}" leaves the layer`
      return undefined
    }
    case 'CharacterDevice':
      return e.header.devmaj === 0 && e.header.devmin === 0 ? undefined : 'device nodes are not allowed in layers'
    case 'BlockDevice':
      return 'device nodes are not allowed in layers'
    default:
      return undefined
  }
}

/** An image's size: its layer tars (or, lacking one, the files in diff/). */
export function imageSize(img: ImageConfig): number {
  return img.layers.reduce((n, l) => n + (layerSize(l) || dirSize(path.join(layerDir(hex(l)), 'diff'))), 0)
}

function dirSize(dir: string): number {
  let n = 0
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) n += fs.statSync(p).size
    }
  }
  try { walk(dir) } catch { /* missing layer */ }
  return n
}

/** Look a path up through an image's layers, top first (whiteouts hide it). */
export function statInImage(img: ImageConfig, p: string): fs.Stats | undefined {
  const rel = p.replace(/^\/+/, '')
  if (!rel) return fs.statSync(layersDir())
  for (const l of [...img.layers].reverse()) {
    const diff = path.join(layerDir(hex(l)), 'diff')
    try {
      const st = fs.lstatSync(path.join(diff, rel))
      return st.isCharacterDevice() && st.rdev === 0 ? undefined : st
    } catch { /* not in this layer */ }
  }
  return undefined
}
