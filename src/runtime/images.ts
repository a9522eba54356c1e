// Image records and the built-in alpine image. An image is a JSON config
// under images/<id>/ naming its layers (by diff ID) in order, bottom first;
// layers live once in layers/<diff-id>/diff and are shared between images.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { withLock } from '../host/lock.js'
import { listDir } from '../host/proc.js'
import { sha256Var } from '../host/digest.js'
import { hasVar, varToken } from '../host/shell.js'
import { assetsDir, imageDir, imagesDir, layerDir, layersDir, lockFile } from '../store/paths.js'
import { readJson, writeJson } from '../store/records.js'

export interface ImageConfig {
  id: string
  repoTags: string[]
  created: string
  /** Diff IDs (sha256:<hex> of each uncompressed layer tar), bottom layer first. */
  layers: string[]
  config: { env: string[]; cmd: string[] | null; workdir: string; exposedPorts: string[]; entrypoint?: string[] | null }
  history: { created: string; createdBy: string; emptyLayer?: boolean }[]
  parent?: string
  comment?: string
  labels?: Record<string, string>
  /** Build cache: hash of (parent image, instruction, copied content). */
  cacheKey?: string
}

export const BUILTIN = 'alpine:latest'
export const ALPINE_TARBALL = 'alpine-minirootfs-3.20.3-x86_64.tar.gz'
export const ALPINE_SHA256 = 'd4e6fd67dcf75e40c451560ac7265166c2b72a0f38ddc9aae756a7de3d1efa0c'
export const BUSYBOX_TARBALL = 'busybox-rootfs.tar.gz'
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** `alpine` -> `alpine:latest`; validates the reference. */
export function normalizeRef(ref: string): string {
  if (!/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$/.test(ref) || ref.includes('..') || ref.length > 255) {
    throw new DuckerError(`invalid reference format: "${ref}"`, 125, 'repository names are lowercase [a-z0-9._/-], tags [A-Za-z0-9_.-]')
  }
  return ref.includes(':') ? ref : `${ref}:latest`
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12)
export const hex = (digest: string) => digest.replace(/^sha256:/, '')

export function listImages(): ImageConfig[] {
  return listDir(imagesDir()).flatMap((id) => {
    if (!/^[0-9a-f]{64}$/.test(id)) return []
    try {
      const img = readJson<ImageConfig>(path.join(imageDir(id), 'config.json'))
      return img ? [img] : []
    } catch { return [] }
  })
}

/** Find an image by name[:tag], full ID or unique ID prefix. */
export function findImage(ref: string): ImageConfig | undefined {
  const images = listImages()
  const bare = hex(ref)
  if (/^[0-9a-f]{4,64}$/.test(bare)) {
    const byId = images.filter((i) => i.id.startsWith(bare))
    if (byId.length === 1) return byId[0]
    if (byId.length > 1) throw new DuckerError(`image ID prefix "${ref}" is ambiguous`, 125)
  }
  const name = normalizeRef(ref)
  return images.find((i) => i.repoTags.includes(name))
}

/** Resolve an image for run/build; the built-in alpine is registered on first use. */
export function resolveImage(ref: string): ImageConfig {
  const found = findImage(ref)
  if (found) return found
  if (normalizeRef(ref) === BUILTIN) return registerBuiltin()
  throw new DuckerError(`Unable to find image '${ref}' locally`, 125, 'ducker does not pull images: build one, load one, or use the built-in alpine')
}

/** Path of a layer's directory, usable as an overlay lower dir. */
export const layerDiff = (diffId: string) => path.join(layerDir(hex(diffId)), 'diff')
/** Short link name (layers/l/<12 hex>) that keeps overlay's option string small. */
export const layerLink = (diffId: string) => {
  const v = /^@@DUCKER_VAR_(\w+)@@$/.exec(hex(diffId)) // dry-run: the script computes ${DIFF}, then ${DIFF_SHORT}
  return `l/${v ? varToken(v[1] + '_SHORT') : hex(diffId).slice(0, 12)}`
}

/** sha256 of the uncompressed tar stream: the OCI diff ID. */
export function diffIdOfTarGz(file: string): string {
  const raw = fs.readFileSync(file)
  const tar = raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw
  return 'sha256:' + crypto.createHash('sha256').update(tar).digest('hex')
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex')
}

/** The base tarball: the real Alpine minirootfs if present, else the BusyBox stand-in. */
export function builtinTarball(): { file: string; busybox: boolean } {
  const alpine = path.join(assetsDir(), ALPINE_TARBALL)
  if (fs.existsSync(alpine)) {
    if (sha256File(alpine) !== ALPINE_SHA256) throw new DuckerError(`${alpine} fails its sha256 check; refusing to use it`, 125, 'delete it and run `make image`')
    return { file: alpine, busybox: false }
  }
  const bb = path.join(assetsDir(), BUSYBOX_TARBALL)
  if (fs.existsSync(bb)) return { file: bb, busybox: true }
  throw new DuckerError('the built-in alpine image is not prepared', 125, 'run `make image` (it fetches the Alpine minirootfs or builds a BusyBox stand-in)')
}

/** Unpack a layer tarball into the shared layer store (once per diff ID). */
export function importLayer(tarball: string, diffId: string, why: string) {
  const dir = layerDir(hex(diffId))
  if (fs.existsSync(path.join(dir, 'diff'))) return
  const tmp = `${dir}.partial`
  host.remove(tmp, 'clear a half-written layer left by an interrupted import')
  host.mkdir(path.join(tmp, 'diff'), why, 0o755)
  host.run(['tar', '-x', '--numeric-owner', '-p', '-f', tarball, '-C', path.join(tmp, 'diff')], 'unpack the layer; it becomes a read-only overlay lower dir')
  host.rename(tmp, dir, 'publish the layer in one atomic rename')
  host.mkdir(path.join(layersDir(), 'l'), 'short names for layers keep the overlay mount options under one page')
  host.symlink(`../${hex(diffId)}/diff`, path.join(layersDir(), layerLink(diffId)), 'short link to the layer')
}

export function imageIdOf(img: Omit<ImageConfig, 'id'>): string {
  const json = JSON.stringify({ ...img, repoTags: [] })
  // dry-run: a layer's diff ID is a ${DIFF} of the script, so the script hashes the same JSON.
  if (hasVar(json)) return sha256Var(json, 'ID', 'the image ID: sha256 of its config JSON (compact, as ducker hashes it)')
  return crypto.createHash('sha256').update(json).digest('hex')
}

export function saveImage(img: ImageConfig, why: string) {
  host.mkdir(imageDir(img.id), why)
  writeJson(path.join(imageDir(img.id), 'config.json'), img, why)
}

function registerBuiltin(): ImageConfig {
  return withLock(lockFile('images'), () => {
    const again = findImage(BUILTIN)
    if (again) return again
    const { file, busybox } = builtinTarball()
    if (busybox) process.stderr.write('ducker: warning: alpine:latest is a BusyBox stand-in built from Debian\'s busybox-static; put the Alpine minirootfs in assets/ (make image ALPINE_MINIROOTFS=...) for the real one\n')
    host.mkdir(imagesDir(), 'the image store')
    const diffId = diffIdOfTarGz(file)
    importLayer(file, diffId, 'the base layer of the built-in alpine image')
    const created = new Date(fs.statSync(file).mtime).toISOString()
    const body = {
      repoTags: [BUILTIN], created, layers: [diffId],
      config: { env: [DEFAULT_PATH], cmd: ['/bin/sh'], workdir: '/', exposedPorts: [] },
      history: [{ created, createdBy: busybox ? 'busybox-static stand-in (Debian)' : `ADD ${ALPINE_TARBALL} /` }],
      comment: busybox ? 'BusyBox stand-in for alpine' : 'Alpine Linux 3.20.3 minirootfs',
    }
    const img: ImageConfig = { id: imageIdOf(body), ...body }
    saveImage(img, 'register the built-in alpine image')
    return img
  })
}
