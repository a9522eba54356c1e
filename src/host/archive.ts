// Streaming writes of archives and blobs (layer tars, save archives, staged
// load blobs). Each is one step: --explain shows the equivalent shell line
// (usually a tar command) with its why. The bytes are hashed on the way.
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable, Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { DuckerError } from '../errors.js'
import { getMode, note } from './gateway.js'
import { colors } from '../ui.js'

export interface Written { sha256: string; size: number }

function announce(line: string, why: string) {
  if (getMode() === 'explain') {
    const k = colors()
    process.stderr.write(`${k.cyan('+')} ${k.bold(line)}  ${k.dim('# ' + why)}\n`)
  } else if (getMode() === 'dry') {
    note(`${why}: ${line}`)
  }
}

/** Count and hash what passes through. */
export function hasher(): Transform & { result: () => Written } {
  const h = crypto.createHash('sha256')
  let size = 0
  const t = new Transform({ transform(chunk: Buffer, _e, cb) { h.update(chunk); size += chunk.length; cb(null, chunk) } }) as Transform & { result: () => Written }
  t.result = () => ({ sha256: h.digest('hex'), size })
  return t
}

/**
 * Stream `source` into `file` (or stdout for '-'), optionally gzip'd;
 * atomic for files (temp + rename). Returns the sha256/size of the bytes
 * BEFORE compression (a layer's diff ID).
 */
export async function writeStream(file: string, source: Readable | AsyncIterable<Buffer>, why: string,
  o: { line: string; gzip?: boolean; mode?: number; private?: boolean }): Promise<Written> {
  // private: a read cache in privateScratch(), written even under --dry-run (the host is not changed).
  if (!(o.private && getMode() === 'dry')) announce(o.line, why)
  if (getMode() === 'dry' && !o.private) return { sha256: '0'.repeat(64), size: 0 }
  const hash = hasher()
  const toStdout = file === '-'
  const tmp = toStdout ? '' : path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`)
  const input = source instanceof Readable ? source : Readable.from(source)
  // level 6 is gzip's own default, so sizes match `tar -czf`.
  const gz = o.gzip ? [zlib.createGzip({ level: 6, memLevel: 9 })] : []
  const sink: Writable = toStdout
    ? new Writable({ write(chunk, _e, cb) { process.stdout.write(chunk) ? cb() : process.stdout.once('drain', () => cb()) } })
    : fs.createWriteStream(tmp, { mode: o.mode ?? 0o600 })
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(input, hash, ...gz, sink)
    if (tmp) fs.renameSync(tmp, file)
  } catch (e) {
    if (tmp) fs.rmSync(tmp, { force: true })
    if (e instanceof DuckerError) throw e
    throw new DuckerError(`writing ${file}: ${(e as Error).message}`, 125)
  }
  return hash.result()
}

/**
 * A private scratch dir outside the data root where --dry-run may still
 * unpack an archive to read it (load checks every blob before it writes
 * its script). Not a step: the host is left as it was (dropPrivate).
 */
export function privateScratch(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `ducker-${prefix}-`))
}
export function dropPrivate(dir: string) { fs.rmSync(dir, { recursive: true, force: true }) }
