// save and load. One archive is both an OCI image layout (oci-layout,
// index.json, blobs/sha256/...) and a Docker archive (manifest.json,
// repositories) over the same blobs, gzip'd: docker load, podman load and
// ducker load all read it. Layers go in uncompressed (their digest is then
// the diff ID) and the whole archive is compressed once.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { once } from 'node:events'
import { Readable } from 'node:stream'
import zlib from 'node:zlib'
import { Parser, type ReadEntry } from 'tar'
import { DuckerError } from '../errors.js'
import { dropPrivate, privateScratch, writeStream } from '../host/archive.js'
import { shq } from '../host/shell.js'
import * as host from '../host/gateway.js'
import { hex, normalizeRef, resolveImage, type ImageConfig } from './images.js'
import { ensureLayerTar, installLayer, layerExists, pruneLayers, scanLayer, scratch, tarSize, unsafePath } from './layers.js'
import { tarStream, type TarEntry } from './tarball.js'
import { addImage } from './tags.js'

const MT = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
}
const sha = (b: Buffer | string) => crypto.createHash('sha256').update(b).digest('hex')

/** The OCI/Docker image config JSON for one of our images. */
export function ociConfig(img: ImageConfig) {
  const c = img.config
  return {
    created: img.created, architecture: 'amd64', os: 'linux',
    config: {
      Env: c.env, Cmd: c.cmd ?? undefined, Entrypoint: c.entrypoint ?? undefined, WorkingDir: c.workdir === '/' ? '' : c.workdir,
      ExposedPorts: c.exposedPorts.length ? Object.fromEntries(c.exposedPorts.map((p) => [p, {}])) : undefined,
      Labels: img.labels && Object.keys(img.labels).length ? img.labels : undefined,
    },
    rootfs: { type: 'layers', diff_ids: img.layers },
    history: img.history.map((h) => ({ created: h.created, created_by: h.createdBy, ...(h.emptyLayer ? { empty_layer: true } : {}) })),
  }
}

/** docker.io/library/x:t -> x:t, as docker shows it. */
export const shortName = (ref: string) => ref.replace(/^docker\.io\/(library\/)?/, '')

export async function save(refs: string[], out: string): Promise<void> {
  // By name: that tag; by ID: all of the image's tags (docker saves none).
  const picked = new Map<string, { img: ImageConfig; tags: Set<string> }>()
  for (const ref of refs) {
    const img = lookup(ref)
    const byId = img.id.startsWith(hex(ref))
    const entry = picked.get(img.id) ?? { img, tags: new Set<string>() }
    for (const t of byId ? img.repoTags : [normalizeRef(ref)]) entry.tags.add(t)
    picked.set(img.id, entry)
  }
  const blobs: TarEntry[] = []
  const seen = new Set<string>()
  const index: unknown[] = []
  const dockerManifest: unknown[] = []
  const repositories: Record<string, Record<string, string>> = {}
  const blob = (digest: string, e: Omit<TarEntry, 'path' | 'type' | 'mode'>) => {
    if (seen.has(digest)) return
    seen.add(digest)
    blobs.push({ path: `blobs/sha256/${hex(digest)}`, type: 'file', mode: 0o644, ...e })
  }
  for (const { img, tags } of picked.values()) {
    const cfg = Buffer.from(JSON.stringify(ociConfig(img)))
    const cfgDigest = 'sha256:' + sha(cfg)
    const layers = []
    for (const l of img.layers) {
      const file = await ensureLayerTar(l)
      const size = tarSize(file)
      blob(l, { source: file, size })
      layers.push({ mediaType: MT.layer, digest: l, size })
    }
    blob(cfgDigest, { data: cfg })
    const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MT.manifest, config: { mediaType: MT.config, digest: cfgDigest, size: cfg.length }, layers }))
    const mDigest = 'sha256:' + sha(manifest)
    blob(mDigest, { data: manifest })
    const desc = { mediaType: MT.manifest, digest: mDigest, size: manifest.length }
    // One index entry per image (named by its first tag): podman 4.3 reads
    // a gzip'd archive only as oci-archive, and only with a single entry.
    // manifest.json carries every tag.
    const first = [...tags][0]
    index.push(first ? { ...desc, annotations: { 'io.containerd.image.name': first, 'org.opencontainers.image.ref.name': splitTag(first)[1] } } : desc)
    for (const t of tags) {
      const [name, tag] = splitTag(t)
      ;(repositories[name] ??= {})[tag] = hex(cfgDigest)
    }
    dockerManifest.push({ Config: `blobs/sha256/${hex(cfgDigest)}`, RepoTags: tags.size ? [...tags] : null, Layers: img.layers.map((l) => `blobs/sha256/${hex(l)}`) })
  }
  const json = (p: string, v: unknown): TarEntry => ({ path: p, type: 'file', mode: 0o644, data: Buffer.from(JSON.stringify(v)) })
  const now = new Date()
  const dirs: TarEntry[] = [{ path: 'blobs', type: 'dir', mode: 0o755 }, { path: 'blobs/sha256', type: 'dir', mode: 0o755 }]
  const entries: TarEntry[] = [
    ...dirs,
    ...blobs,
    json('oci-layout', { imageLayoutVersion: '1.0.0' }),
    json('index.json', { schemaVersion: 2, mediaType: MT.index, manifests: index }),
    json('manifest.json', dockerManifest),
    json('repositories', repositories),
  ].map((e) => ({ mtime: now, ...e }))
  // gzip unless the file is named *.tar (as `docker save -o x.tar` writes).
  const gzip = !/\.tar$/.test(out)
  if (host.isDry()) return saveScript(entries, out, gzip)
  await writeStream(out, tarStream(entries), `write the images as an OCI layout + docker manifest.json${gzip ? ', gzip\'d' : ''}`,
    { gzip, mode: 0o644, line: `tar -c${gzip ? 'z' : ''}f ${out} oci-layout index.json manifest.json repositories blobs/  # ${picked.size} image(s), ${blobs.length} blobs` })
}

/**
 * --dry-run: the same layout laid out in a scratch dir (layer tars hard-
 * linked from the store, JSON written byte for byte), then one GNU tar.
 */
function saveScript(entries: TarEntry[], out: string, gzip: boolean) {
  const work = scratch('save')
  host.mkdir(path.join(work, 'blobs', 'sha256'), 'the OCI layout\'s blob dir', 0o755)
  for (const e of entries) {
    if (e.type !== 'file') continue
    const dst = path.join(work, e.path)
    if (e.source) host.run(['ln', e.source, dst], 'a layer tar goes in as is: its sha256 is the diff ID')
    else host.write(dst, e.data!.toString('utf8'), e.path.startsWith('blobs/') ? `${e.path}: JSON, exact bytes (their sha256 names the blob)` : e.path, { mode: 0o644 })
  }
  host.run(['tar', '--numeric-owner', '-C', work, gzip ? '-czf' : '-cf', out, 'blobs', 'oci-layout', 'index.json', 'manifest.json', 'repositories'],
    `one archive, both an OCI layout and a docker manifest.json${gzip ? ', gzip\'d' : ''}`)
  if (out !== '-') host.run(['chmod', '644', path.resolve(out)], 'readable by all, as docker save writes it')
  host.remove(work, 'drop the scratch dir')
}

function lookup(ref: string): ImageConfig {
  try { return resolveImage(ref) } catch (e) {
    if (e instanceof DuckerError && e.message.startsWith('Unable to find')) throw new DuckerError(`No such image: ${ref}`, 1)
    throw e
  }
}

const splitTag = (t: string) => { const i = t.lastIndexOf(':'); return [t.slice(0, i), t.slice(i + 1)] as const }

// ---------------------------------------------------------------- load

interface Staged { file: string; sha256: string; member: string }

/** Read the archive's entries into scratch files (named by number, never by their path). */
async function stage(input: Readable, dir: string, privateDir: boolean): Promise<{ files: Map<string, Staged | { link: string }>; gzip: boolean }> {
  const files = new Map<string, Staged | { link: string }>()
  let n = 0
  let problem: string | undefined
  const pending: Promise<void>[] = []
  const parser = new Parser({ strict: true })
  let parseError: Error | undefined
  parser.on('error', (e: Error) => { parseError ??= e })
  parser.on('entry', (e: ReadEntry) => {
    const p = path.posix.normalize(e.path.replace(/^(\.\/)+/, '')).replace(/\/+$/, '')
    const bad = unsafePath(e.path)
    if (bad) { problem ??= `refusing archive entry "${e.path}": ${bad}`; e.resume(); return }
    if (e.type === 'SymbolicLink' || e.type === 'Link') {
      const target = e.type === 'Link' ? e.linkpath! : path.posix.join(path.posix.dirname(p), e.linkpath!)
      const t = path.posix.normalize(target.replace(/^(\.\/)+/, ''))
      if (unsafePath(e.linkpath!.startsWith('/') ? e.linkpath! : t)) problem ??= `refusing archive entry "${e.path}": link target "${e.linkpath}" leaves the archive`
      else files.set(p, { link: t })
      e.resume(); return
    }
    if (e.type !== 'File' && e.type !== 'OldFile' && e.type !== 'ContiguousFile') {
      if (e.type !== 'Directory') problem ??= `refusing archive entry "${e.path}": unexpected ${e.type}`
      e.resume(); return
    }
    const file = path.join(dir, `e${n++}`)
    pending.push(writeStream(file, e as unknown as Readable, `stage ${p}`, { line: `tar -xf - -O ${p} > ${file}`, private: privateDir })
      .then((w) => { files.set(p, { file, sha256: w.sha256, member: e.path }) }))
  })
  const ended = new Promise((r) => parser.once('end', r))
  const head: Buffer[] = []
  let plain: AsyncIterable<Buffer> = input
  // gzip or plain: peek at the magic bytes.
  const it = input[Symbol.asyncIterator]()
  const first = await it.next()
  if (!first.done) head.push(first.value as Buffer)
  const rest = Readable.from((async function* () { yield* head; for (;;) { const r = await it.next(); if (r.done) return; yield r.value as Buffer } })())
  const gzip = !!head[0] && head[0][0] === 0x1f && head[0][1] === 0x8b
  plain = gzip ? rest.pipe(zlib.createGunzip()) : rest
  try {
    for await (const chunk of plain) if (!parser.write(chunk as Buffer)) await once(parser, 'drain')
    parser.end()
  } catch (e) {
    throw new DuckerError(`the archive is not a readable tar: ${(e as Error).message}`, 125)
  }
  await Promise.race([ended, new Promise((r) => setTimeout(r, 2000).unref())])
  await Promise.all(pending)
  if (parseError) throw new DuckerError(`the archive is not a valid tar: ${parseError.message}`, 125)
  if (problem) throw new DuckerError(problem, 125, 'the archive was refused; nothing of it was kept')
  return { files, gzip }
}

function resolve(files: Map<string, Staged | { link: string }>, p: string): Staged {
  let key = path.posix.normalize(p.replace(/^(\.\/)+/, ''))
  for (let hops = 0; hops < 10; hops++) {
    const f = files.get(key)
    if (!f) break
    if ('file' in f) return f
    key = f.link
  }
  throw new DuckerError(`the archive names ${p} but does not contain it`, 125)
}

const readJson = (s: Staged, what: string) => {
  try { return JSON.parse(fs.readFileSync(s.file, 'utf8')) } catch { throw new DuckerError(`${what} in the archive is not valid JSON`, 125) }
}

function verify(s: Staged, digest: string | undefined, what: string) {
  if (digest && hex(digest) !== s.sha256) throw new DuckerError(`${what}: sha256 mismatch (archive says ${hex(digest).slice(0, 12)}, content is ${s.sha256.slice(0, 12)})`, 125, 'the archive is corrupt or was tampered with; nothing was loaded')
}

interface Found { config: Staged; layers: { blob: Staged; digest?: string }[]; tags: string[] }

function fromDockerManifest(files: Map<string, Staged | { link: string }>): Found[] {
  const list = readJson(resolve(files, 'manifest.json'), 'manifest.json')
  if (!Array.isArray(list)) throw new DuckerError('manifest.json is not a list of images', 125)
  return list.map((m: { Config: string; RepoTags?: string[] | null; Layers: string[] }) => {
    const config = resolve(files, m.Config)
    const digest = /([0-9a-f]{64})(\.json)?$/.exec(m.Config)?.[1]
    verify(config, digest, m.Config)
    return {
      config, tags: m.RepoTags ?? [],
      layers: m.Layers.map((l) => ({ blob: resolve(files, l), digest: /^blobs\/sha256\/([0-9a-f]{64})$/.exec(l)?.[1] })),
    }
  })
}

function fromOciIndex(files: Map<string, Staged | { link: string }>): Found[] {
  const blobOf = (digest: string, what: string) => {
    const s = resolve(files, `blobs/sha256/${hex(digest)}`)
    verify(s, digest, what)
    return s
  }
  const out: Found[] = []
  const walk = (index: { manifests?: { mediaType?: string; digest: string; annotations?: Record<string, string> }[] }, depth: number) => {
    for (const d of index.manifests ?? []) {
      const doc = readJson(blobOf(d.digest, `manifest ${d.digest}`), `manifest ${d.digest}`)
      if (doc.manifests) { if (depth < 3) walk(doc, depth + 1); continue }
      const a = d.annotations ?? {}
      const name = a['io.containerd.image.name'] ?? a['org.opencontainers.image.ref.name']
      out.push({
        config: blobOf(doc.config.digest, 'the image config'), tags: name ? [name.includes(':') || name.includes('/') ? name : `localhost/image:${name}`] : [],
        layers: doc.layers.map((l: { digest: string }) => ({ blob: blobOf(l.digest, `layer ${l.digest}`), digest: l.digest })),
      })
    }
  }
  walk(readJson(resolve(files, 'index.json'), 'index.json'), 0)
  return out
}

/** Load every image in the archive; returns the tags loaded (or IDs of untagged ones). */
export async function load(input: Readable, source?: string): Promise<string[]> {
  // --dry-run reads and checks the archive in a private dir; its script unpacks the layers itself.
  const dry = host.isDry()
  const work = dry ? privateScratch('load') : scratch('load')
  const installed: string[] = []
  try {
    const { files, gzip } = await stage(input, work, dry)
    const found = files.has('manifest.json') ? fromDockerManifest(files) : files.has('index.json') ? fromOciIndex(files) : undefined
    if (!found) throw new DuckerError('not an image archive: it has neither manifest.json nor index.json', 125)
    // Check every layer before anything goes into the store.
    const scanned = new Map<string, { plain: string; diffId: string; whiteouts: Parameters<typeof installLayer>[2]; blob: Staged }>()
    const images: { found: Found; cfg: Record<string, any> }[] = []
    for (const f of found) {
      const cfg = readJson(f.config, 'the image config')
      const diffIds: string[] = cfg?.rootfs?.diff_ids ?? []
      if (diffIds.length !== f.layers.length) throw new DuckerError(`image config lists ${diffIds.length} layers, the manifest ${f.layers.length}`, 125)
      for (const [i, l] of f.layers.entries()) {
        verify(l.blob, l.digest, `layer ${i + 1}`)
        let s = scanned.get(l.blob.file)
        if (!s) {
          const plain = `${l.blob.file}.tar`
          const r = await scanLayer(l.blob.file, plain, `layer ${i + 1} (${l.blob.sha256.slice(0, 12)})`, dry)
          s = { plain, diffId: r.diffId, whiteouts: r.whiteouts, blob: l.blob }
          scanned.set(l.blob.file, s)
        }
        if (s.diffId !== diffIds[i]) throw new DuckerError(`layer ${i + 1}: content sha256 ${hex(s.diffId).slice(0, 12)} does not match the config's diff ID ${hex(diffIds[i]).slice(0, 12)}`, 125, 'the archive is corrupt or was tampered with; nothing was loaded')
      }
      images.push({ found: f, cfg })
    }
    const todo = [...new Map([...scanned.values()].filter((s) => !layerExists(s.diffId)).map((s) => [s.diffId, s])).values()]
    const unpacked = dry ? unpackScript(todo, source, gzip) : undefined
    for (const s of todo) {
      installLayer(unpacked ? unpacked.plain.get(s.diffId)! : s.plain, s.diffId, s.whiteouts)
      installed.push(s.diffId)
    }
    const loaded: string[] = []
    for (const { found: f, cfg } of images) {
      const tags = f.tags.map(shortName)
      const img = addImage(imageBody(cfg), tags, 'record the loaded image')
      loaded.push(...(tags.length ? tags.map((t) => normalizeRef(t)) : [`sha256:${img.id}`]))
    }
    return loaded
  } catch (e) {
    pruneLayers(installed)
    throw e
  } finally {
    if (dry) dropPrivate(work)
    else host.remove(work, 'drop the staged archive')
  }
}

/**
 * --dry-run: the script takes the layer blobs out of the archive itself
 * (checked here already; it checks each sha256 again), plain tars ready
 * for installLayer. The scratch dir goes once the script's steps are out.
 */
function unpackScript(todo: { diffId: string; blob: Staged }[], source: string | undefined, gzip: boolean) {
  const plain = new Map<string, string>()
  if (!todo.length) return { plain }
  const dir = scratch('load')
  if (!source) host.note('the archive is read from the script\'s stdin: run it as `sh SCRIPT < ARCHIVE`')
  host.run(['tar', '--numeric-owner', gzip ? '-xzf' : '-xf', source ? path.resolve(source) : '-', '-C', dir, ...new Set(todo.map((s) => s.blob.member))],
    'take the layer blobs out of the archive')
  for (const s of todo) {
    const blob = path.join(dir, s.blob.member)
    const out = path.join(dir, `${hex(s.diffId)}.tar`)
    const head = Buffer.alloc(2)
    const fd = fs.openSync(s.blob.file, 'r'); fs.readSync(fd, head, 0, 2, 0); fs.closeSync(fd)
    if (head[0] === 0x1f && head[1] === 0x8b) host.scriptOnly(`gunzip -c ${shq(blob)} > ${shq(out)}`, 'a compressed layer: its diff ID is the sha256 of the plain tar')
    else host.run(['cp', blob, out], 'the layer tar (a blob can serve several layers, so copy)')
    host.scriptOnly(`printf '%s  %s\n' ${hex(s.diffId)} ${shq(out)} | sha256sum -c --status -`, 'the layer\'s content is what its image config says (stop here if not)')
    plain.set(s.diffId, out)
  }
  host.scriptOnly(`trap ${shq(`rm -rf ${shq(dir)}`)} EXIT`, 'drop the scratch dir when the script ends')
  return { plain }
}

function imageBody(cfg: Record<string, any>): Omit<ImageConfig, 'id' | 'repoTags'> {
  const c = cfg.config ?? {}
  const created = typeof cfg.created === 'string' ? cfg.created : new Date(0).toISOString()
  return {
    created, layers: cfg.rootfs.diff_ids,
    config: { env: c.Env ?? [], cmd: c.Cmd ?? null, workdir: c.WorkingDir || '/', exposedPorts: Object.keys(c.ExposedPorts ?? {}), entrypoint: c.Entrypoint ?? null },
    history: (cfg.history ?? []).map((h: Record<string, unknown>) => ({ created: String(h.created ?? created), createdBy: String(h.created_by ?? ''), ...(h.empty_layer ? { emptyLayer: true } : {}) })),
    ...(c.Labels && Object.keys(c.Labels).length ? { labels: c.Labels } : {}),
  }
}
