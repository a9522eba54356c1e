import fs from 'node:fs'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { load } from '../runtime/archive.js'
import { ensureRoot } from '../runtime/lifecycle.js'

export default async function loadCmd(f: { input?: string }) {
  const file = f.input && f.input !== '-' ? f.input : undefined
  if (!file && process.stdin.isTTY) throw new DuckerError('no archive on stdin', 125, 'use -i FILE or pipe an archive in')
  if (file && !fs.existsSync(file)) throw new DuckerError(`open ${file}: no such file or directory`, 125)
  ensureRoot()
  const loaded = await load(file ? fs.createReadStream(file) : process.stdin, file)
  if (!host.isDry()) for (const t of loaded) process.stdout.write(t.startsWith('sha256:') ? `Loaded image ID: ${t}\n` : `Loaded image: ${t}\n`)
  return 0
}
