import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { hasVar, shq } from '../host/shell.js'
import { build } from '../runtime/build.js'
import { normalizeRef, shortId } from '../runtime/images.js'
import { ensureRoot } from '../runtime/lifecycle.js'

export default async function buildCmd(context: string, f: { tag?: string; file?: string; cache?: boolean }) {
  if (!fs.existsSync(context) || !fs.statSync(context).isDirectory()) throw new DuckerError(`unable to prepare context: path "${context}" not found or not a directory`, 1)
  if (f.tag) normalizeRef(f.tag)
  let text: string
  if (f.file === '-') text = fs.readFileSync(0, 'utf8')
  else {
    const file = f.file ?? path.join(context, 'Duckerfile')
    try { text = fs.readFileSync(file, 'utf8') } catch { throw new DuckerError(`cannot read the Duckerfile: ${file}`, 1, f.file ? undefined : 'put a Duckerfile in the context or name one with -f') }
  }
  ensureRoot()
  let spinner: { start: (t: string) => unknown; stop: () => unknown } | undefined
  if (process.stderr.isTTY && process.env.NO_COLOR === undefined && !host.isDry()) {
    const { default: ora } = await import('ora')
    const s = ora({ stream: process.stderr })
    spinner = { start: (t) => s.start(t), stop: () => s.stop() }
  }
  const t0 = Date.now()
  const img = await build({
    context, duckerfile: text, tag: f.tag, noCache: f.cache === false,
    // Dry run: stdout is the script; the step lines become its comments.
    out: (l) => host.isDry() ? host.note(l) : process.stdout.write(l + '\n'), busy: (t) => spinner?.start(t), idle: () => spinner?.stop(),
  })
  if (host.isDry()) {
    const tag = f.tag ? `; echo ${shq(`Successfully tagged ${normalizeRef(f.tag)}`)}` : ''
    host.scriptOnly(`echo Successfully built ${hasVar(img.id) ? shq(img.id) : shortId(img.id)}${tag}`, 'what the build prints at the end')
    return 0
  }
  process.stdout.write(`Successfully built ${shortId(img.id)}${f.tag ? `\nSuccessfully tagged ${normalizeRef(f.tag)}` : ''}\n`)
  if (host.isExplain()) process.stderr.write(`# build took ${Date.now() - t0} ms\n`)
  return 0
}
