// The build executor. Every instruction yields an image (untagged until the
// end); RUN and COPY add one layer each. A step whose parent image and
// instruction (and, for COPY, the copied files' content and modes) match an
// earlier one reuses that image: the cache.
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import { sha256Var } from '../host/digest.js'
import * as host from '../host/gateway.js'
import { hasVar, shq } from '../host/shell.js'
import { containerDir, imagesDir, layerDir } from '../store/paths.js'
import { parseDuckerfile, lineError, words, pairs, exposePort, type Instruction } from './duckerfile.js'
import { clean, globRegex, hasGlob, isIgnored, parseIgnore, type IgnoreRule } from './ignore.js'
import { hex, listImages, resolveImage, saveImage, shortId, type ImageConfig } from './images.js'
import { entriesLayerScript, upperLayerScript } from './buildscript.js'
import { createLayer, statInImage, upperEntries } from './layers.js'
import { createContainer, removeContainer, runForeground } from './lifecycle.js'
import type { TarEntry } from './tarball.js'
import { addImage, tagImage } from './tags.js'

export interface BuildOptions {
  context: string
  /** The Duckerfile's text and where it came from (for messages). */
  duckerfile: string
  tag?: string
  noCache: boolean
  out: (line: string) => void
  /** Spinner hooks (a terminal only). */
  busy?: (text: string) => void
  idle?: () => void
}

type Body = Omit<ImageConfig, 'id' | 'repoTags'>
const sha = (s: string | Buffer) => crypto.createHash('sha256').update(s).digest('hex')

export async function build(o: BuildOptions): Promise<ImageConfig> {
  const steps = parseDuckerfile(o.duckerfile)
  const ctx = fs.realpathSync(o.context)
  const ignore = fs.existsSync(path.join(ctx, '.duckerignore')) ? parseIgnore(fs.readFileSync(path.join(ctx, '.duckerignore'), 'utf8')) : []
  const vars: Record<string, string> = {}
  const args: Record<string, string> = {}
  let cur: ImageConfig | undefined
  if (host.isDry()) host.note('Steps whose parent image is known now are looked up in the cache here (CACHED: nothing to do); from the first miss on, this script computes each step. Its layer tars are GNU tar\'s, so their diff IDs and the image IDs differ from a real build\'s (as with a dry-run commit); the files and the config are the same.')
  for (const [n, ins] of steps.entries()) {
    o.out(`STEP ${n + 1}/${steps.length}: ${ins.text}`)
    if (ins.op === 'ARG') {
      const [name, ...rest] = ins.args.split('=')
      args[name] = rest.length ? words(rest.join('='), vars, ins.line).join(' ') : ''
      vars[name] ??= args[name]
      continue
    }
    if (ins.op === 'FROM') {
      const ref = words(ins.args, vars, ins.line)[0]
      try { cur = resolveImage(ref) } catch (e) { throw lineError(ins.line, `FROM ${ref}: ${(e as Error).message}`, (e as DuckerError).hint) }
      for (const kv of cur.config.env) { const i = kv.indexOf('='); vars[kv.slice(0, i)] = kv.slice(i + 1) }
      o.out(`--> ${shortId(cur.id)}`)
      continue
    }
    cur = await step(cur!, ins, vars, args, ctx, ignore, o, n + 1)
  }
  if (!cur) throw new DuckerError('the Duckerfile has no steps', 1)
  if (o.tag) cur = tagImage(cur, [o.tag], `tag the built image ${o.tag}`)
  return cur
}

async function step(parent: ImageConfig, ins: Instruction, vars: Record<string, string>, args: Record<string, string>,
  ctx: string, ignore: IgnoreRule[], o: BuildOptions, n: number): Promise<ImageConfig> {
  const now = new Date().toISOString()
  const body: Body = {
    created: now, layers: [...parent.layers], config: { ...parent.config, env: [...parent.config.env], exposedPorts: [...parent.config.exposedPorts] },
    history: [...parent.history], parent: parent.id, ...(parent.labels ? { labels: { ...parent.labels } } : {}),
  }
  const history = (emptyLayer: boolean) => body.history.push({ created: now, createdBy: ins.text, ...(emptyLayer ? { emptyLayer } : {}) })
  // Dry run: a parent made by the script has its ID in ${ID_k}; so has the key. Per-step names: none is reused.
  const unknownParent = hasVar(parent.id)
  const cached = (key: string) => {
    if (unknownParent) { body.cacheKey = sha256Var(`${parent.id}\n${key}`, `KEY_${n}`, `step ${n}'s cache key: sha256 of the parent image ID and the instruction`); return undefined }
    body.cacheKey = sha(`${parent.id}\n${key}`)
    if (o.noCache) return undefined
    return listImages().find((i) => i.parent === parent.id && i.cacheKey === body.cacheKey)
  }
  const done = (img: ImageConfig, hit: boolean) => { o.out(hit ? `--> CACHED ${shortId(img.id)}` : `--> ${hasVar(img.id) ? `$ID_${n}` : shortId(img.id)}`); return img }
  const record = () => hasVar(JSON.stringify(body)) ? recordScript(body, n, `record build step ${n}: ${ins.text.slice(0, 60)}`) : addImage(body, [], `record build step: ${ins.text.slice(0, 60)}`)
  const layerOf = (entries: TarEntry[], why: string, line: string) => host.isDry() ? Promise.resolve(entriesLayerScript(entries, `DIFF_${n}`, why)) : createLayer(entries, why, line)

  switch (ins.op) {
    case 'ENV': case 'LABEL': {
      const kv = pairs(ins.args, vars, ins)
      for (const [k, v] of kv) {
        if (ins.op === 'ENV') {
          vars[k] = v
          body.config.env = [...body.config.env.filter((e) => e.split('=')[0] !== k), `${k}=${v}`]
        } else (body.labels ??= {})[k] = v
      }
      history(true)
      const hit = cached(`${ins.op} ${JSON.stringify(kv)}`)
      return done(hit ?? record(), !!hit)
    }
    case 'EXPOSE': {
      for (const p of words(ins.args, vars, ins.line).map((w) => exposePort(w, ins.line))) {
        if (!body.config.exposedPorts.includes(p)) body.config.exposedPorts.push(p)
      }
      history(true)
      const hit = cached(`EXPOSE ${body.config.exposedPorts.join(' ')}`)
      return done(hit ?? record(), !!hit)
    }
    case 'CMD': {
      body.config.cmd = ins.exec ?? ['/bin/sh', '-c', ins.args]
      history(true)
      const hit = cached(`CMD ${JSON.stringify(body.config.cmd)}`)
      return done(hit ?? record(), !!hit)
    }
    case 'WORKDIR': {
      const dir = path.posix.resolve(parent.config.workdir || '/', words(ins.args, vars, ins.line).join(' '))
      body.config.workdir = dir
      const missing = !statInImage(parent, dir)
      history(!missing)
      const hit = cached(`WORKDIR ${dir} ${missing}`)
      if (hit) return done(hit, true)
      // Created if missing: a small layer holding just the new directories.
      if (missing) body.layers.push(await layerOf(parentDirs(parent, dir + '/x'), 'a layer that creates the WORKDIR', `mkdir -p ${dir}`))
      return done(record(), false)
    }
    case 'COPY': {
      const plan = planCopy(parent, ins, vars, ctx, ignore)
      history(false)
      const hit = cached(`COPY ${plan.key}`)
      if (hit) return done(hit, true)
      o.busy?.(`COPY: writing a layer of ${plan.entries.length} entries`)
      try {
        body.layers.push(await layerOf(plan.entries, `the COPY step\'s layer (line ${ins.line})`, `tar -cf layer.tar -C ${ctx} ...  # ${plan.entries.length} entries`))
      } finally { o.idle?.() }
      return done(record(), false)
    }
    case 'RUN': {
      const cmd = ins.exec ?? ['/bin/sh', '-c', ins.args]
      const argEnv = Object.entries(args).map(([k, v]) => `${k}=${v}`)
      history(false)
      const hit = cached(`RUN ${JSON.stringify(cmd)} ${JSON.stringify(argEnv)}`)
      if (hit) return done(hit, true)
      body.layers.push(await runStep(parent, ins, cmd, argEnv, o, n))
      return done(record(), false)
    }
    default:
      throw lineError(ins.line, `${ins.op} cannot appear here`)
  }
}

/** RUN: a real container of the image so far; its upper dir is the new layer. */
async function runStep(parent: ImageConfig, ins: Instruction, cmd: string[], argEnv: string[], o: BuildOptions, n: number): Promise<string> {
  const dry = host.isDry()
  const { c, image } = createContainer({ image: parent.id, imageConfig: dry ? parent : undefined, cmd, env: argEnv, workdir: parent.config.workdir || '/', tty: false, interactive: false, detach: false, rm: false })
  try {
    const upper = path.join(containerDir(c.id), 'upper')
    // ARG values are visible to RUN but are not the image's env.
    const code = await runForeground(c, image, false)
    const failed = `Duckerfile line ${ins.line}: RUN ${ins.exec ? JSON.stringify(cmd) : ins.args} returned a non-zero code: `
    if (dry) {
      host.scriptOnly(`if [ "$STATUS" -ne 0 ]; then echo ${shq('ducker: ' + failed)}"$STATUS" >&2; rm -rf ${shq(containerDir(c.id))}; exit 1; fi`, 'a failed RUN fails the build (its container goes)')
      return upperLayerScript(upper, `DIFF_${n}`, `the RUN step's changes (line ${ins.line}) become a layer`)
    }
    if (code !== 0) {
      throw new DuckerError(`Duckerfile line ${ins.line}: RUN ${ins.exec ? JSON.stringify(cmd) : ins.args} returned a non-zero code: ${code}`, 1)
    }
    o.busy?.('RUN: writing the layer')
    try {
      return await createLayer(upperEntries(upper), `the RUN step's changes (line ${ins.line}) become a layer`, `tar -cf layer.tar -C ${upper} .  # overlay whiteouts become .wh. files`)
    } finally { o.idle?.() }
  } finally {
    await removeContainer({ ...c, state: { status: 'exited' } }, true)
  }
}

/** Dry run: the step's image ID is ${ID_n}, computed by the script from the config it writes. */
function recordScript(body: Body, n: number, why: string): ImageConfig {
  const img: ImageConfig = { id: '', ...body, repoTags: [] }
  img.id = sha256Var(JSON.stringify({ ...body, repoTags: [] }), `ID_${n}`, `step ${n}'s image ID: sha256 of its config JSON (compact, as ducker hashes it)`)
  host.mkdir(imagesDir(), 'the image store')
  saveImage(img, why)
  return img
}

interface CopyPlan { entries: TarEntry[]; key: string }

/** Resolve COPY sources in the context (globs, .duckerignore), refuse escapes, plan the layer. */
export function planCopy(parent: ImageConfig, ins: Instruction, vars: Record<string, string>, ctx: string, ignore: IgnoreRule[]): CopyPlan {
  const w = ins.exec ?? words(ins.args, vars, ins.line)
  const srcs = w.slice(0, -1)
  const rawDest = w[w.length - 1]
  const dest = path.posix.resolve(parent.config.workdir || '/', rawDest)
  const owner = ins.chown ? chownIds(parent, ins.chown, ins.line) : { uid: 0, gid: 0 }
  const fail = (msg: string) => { throw lineError(ins.line, `COPY failed: ${msg}`) }
  const inside = (abs: string, what: string) => {
    let real: string
    try { real = fs.realpathSync(abs) } catch { return fail(`${what}: a symlink that points to nothing`) }
    if (real !== ctx && !real.startsWith(ctx + '/')) fail(`${what} points outside the build context`)
    return real
  }
  const matched: string[] = []
  for (const s of srcs) {
    const rel = clean(s.replace(/^\/+/, ''))
    if (rel === '..' || rel.startsWith('../')) fail(`forbidden path outside the build context: ${s}`)
    if (hasGlob(rel)) {
      const re = globRegex(rel)
      const found = contextPaths(ctx, ignore).filter((p) => re.test(p))
      if (!found.length) fail(`no source files were specified by ${s} (nothing in the context matches)`)
      matched.push(...found)
    } else {
      if (rel !== '.' && (!fs.existsSync(path.join(ctx, rel)) && !isSymlink(path.join(ctx, rel)) || isIgnored(rel, ignore))) {
        fail(`file not found in build context or excluded by .duckerignore: ${s}`)
      }
      matched.push(rel)
    }
  }
  const single = matched.length === 1 && srcs.length === 1
  const destIsDir = rawDest.endsWith('/') || !single || statInImage(parent, dest)?.isDirectory() ||
    (single && fs.statSync(inside(path.join(ctx, matched[0]), matched[0])).isDirectory())
  const entries: TarEntry[] = []
  const emitted = new Set<string>()
  const add = (e: TarEntry) => { if (!emitted.has(e.path)) { emitted.add(e.path); entries.push(e) } }
  for (const e of parentDirs(parent, destIsDir ? dest + '/x' : dest)) add(e)
  const hash = crypto.createHash('sha256')
  const put = (abs: string, relCtx: string, target: string) => {
    const real = inside(abs, relCtx)
    const st = fs.statSync(real)
    const base = { path: target.replace(/^\/+/, ''), mode: st.mode, uid: owner.uid, gid: owner.gid, mtime: st.mtime }
    if (st.isDirectory()) {
      add({ ...base, type: 'dir' })
      hash.update(`d ${base.path} ${st.mode}\n`)
      for (const name of fs.readdirSync(real).sort()) {
        const childRel = relCtx === '.' ? name : `${relCtx}/${name}`
        if (isIgnored(childRel, ignore)) continue
        const child = path.join(real, name)
        if (isSymlink(child)) {
          inside(child, childRel)
          const link = fs.readlinkSync(child)
          add({ ...base, path: `${base.path}/${name}`, type: 'symlink', mode: 0o777, linkpath: link })
          hash.update(`l ${base.path}/${name} ${link}\n`)
        } else put(child, childRel, `${target}/${name}`)
      }
    } else if (st.isFile()) {
      add({ ...base, type: 'file', source: real, size: st.size })
      hash.update(`f ${base.path} ${st.mode} ${st.size} ${sha(fs.readFileSync(real))}\n`)
    } else fail(`${relCtx} is not a regular file or directory`)
  }
  for (const m of matched) {
    const abs = path.join(ctx, m)
    const isDir = fs.statSync(inside(abs, m)).isDirectory()
    const target = isDir ? dest : destIsDir ? path.posix.join(dest, path.posix.basename(m)) : dest
    if (isDir) {
      // A directory's contents go into the destination, not the dir itself.
      add({ ...dirEntry(parent, dest), uid: owner.uid, gid: owner.gid })
      for (const name of fs.readdirSync(fs.realpathSync(abs)).sort()) {
        const childRel = m === '.' ? name : `${m}/${name}`
        if (isIgnored(childRel, ignore)) continue
        const child = path.join(fs.realpathSync(abs), name)
        if (isSymlink(child)) {
          inside(child, childRel)
          const link = fs.readlinkSync(child)
          add({ path: path.posix.join(dest, name).slice(1), type: 'symlink', mode: 0o777, uid: owner.uid, gid: owner.gid, linkpath: link })
          hash.update(`l ${dest}/${name} ${link}\n`)
        } else put(child, childRel, path.posix.join(dest, name))
      }
    } else put(abs, m, target)
  }
  return { entries, key: `${ins.chown ?? ''} ${dest} ${hash.digest('hex')}` }
}

const isSymlink = (p: string) => { try { return fs.lstatSync(p).isSymbolicLink() } catch { return false } }

function dirEntry(img: ImageConfig, dir: string): TarEntry {
  const st = statInImage(img, dir)
  return st?.isDirectory()
    ? { path: dir.replace(/^\/+/, ''), type: 'dir', mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.mtime }
    : { path: dir.replace(/^\/+/, ''), type: 'dir', mode: 0o755, mtime: new Date() }
}

/** Entries for the directories above `p`, keeping the image's modes and owners where they exist. */
export function parentDirs(img: ImageConfig, p: string): TarEntry[] {
  const parts = p.split('/').filter(Boolean).slice(0, -1)
  return parts.map((_, i) => dirEntry(img, '/' + parts.slice(0, i + 1).join('/')))
}

let ctxCache: { ctx: string; paths: string[] } | undefined
/** Every non-ignored path in the context, relative, '/'-separated. */
function contextPaths(ctx: string, ignore: IgnoreRule[]): string[] {
  if (ctxCache?.ctx === ctx) return ctxCache.paths
  const out: string[] = []
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(ctx, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name
      if (isIgnored(r, ignore)) continue
      out.push(r)
      if (e.isDirectory()) walk(r)
    }
  }
  walk('')
  ctxCache = { ctx, paths: out }
  return out
}

/** --chown=USER[:GROUP], numeric or looked up in the image's /etc/passwd and /etc/group. */
function chownIds(img: ImageConfig, spec: string, line: number): { uid: number; gid: number } {
  const [u, g] = spec.split(':')
  const lookup = (file: string, name: string) => {
    if (/^\d+$/.test(name)) return { id: Number(name), gid: undefined as number | undefined }
    const st = statInImage(img, file)
    const layer = st && [...img.layers].reverse().map((l) => path.join(layerDirOf(l), file)).find((p) => fs.existsSync(p))
    const row = layer ? fs.readFileSync(layer, 'utf8').split('\n').map((r) => r.split(':')).find((r) => r[0] === name) : undefined
    if (!row) throw lineError(line, `COPY --chown: no ${file.includes('passwd') ? 'user' : 'group'} "${name}" in the image`)
    return { id: Number(row[2]), gid: row[3] !== undefined ? Number(row[3]) : undefined }
  }
  const user = lookup('/etc/passwd', u)
  const gid = g !== undefined ? lookup('/etc/group', g).id : user.gid ?? user.id
  return { uid: user.id, gid }
}

const layerDirOf = (diffId: string) => path.join(layerDir(hex(diffId)), 'diff')
