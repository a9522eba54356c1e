// JSON records under the data root. Reads are plain fs; every write is a
// host step so --explain and --dry-run show it.
import fs from 'node:fs'
import * as host from '../host/gateway.js'

export function readJson<T>(file: string): T | undefined {
  let txt: string
  try { txt = fs.readFileSync(file, 'utf8') } catch { return undefined }
  return JSON.parse(txt) as T
}

export function writeJson(file: string, value: unknown, why: string) {
  host.write(file, JSON.stringify(value, null, 2) + '\n', why, { mode: 0o600 })
}
