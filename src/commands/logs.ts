import fs from 'node:fs'
import { DuckerError } from '../errors.js'
import { sleep } from '../host/proc.js'
import { findContainer, loadContainer, logFile } from '../runtime/containers.js'
import { nothingToShow } from './read-only.js'

/** Byte offset where the last n lines start. */
function tailOffset(file: string, n: number): number {
  const size = fs.statSync(file).size
  if (n <= 0) return size
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.alloc(64 * 1024)
    let pos = size
    let seen = 0
    // A trailing newline ends the last line; it does not start a new one.
    let skip = size > 0
    while (pos > 0) {
      const len = Math.min(buf.length, pos)
      pos -= len
      fs.readSync(fd, buf, 0, len, pos)
      for (let i = len - 1; i >= 0; i--) {
        if (buf[i] !== 10) { skip = false; continue }
        if (skip) { skip = false; continue }
        if (++seen === n) return pos + i + 1
      }
    }
    return 0
  } finally { fs.closeSync(fd) }
}

function copy(file: string, from: number): Promise<number> {
  const size = fs.statSync(file).size
  if (size <= from) return Promise.resolve(from)
  return new Promise((resolve, reject) => {
    const s = fs.createReadStream(file, { start: from, end: size - 1 })
    s.on('error', reject)
    s.on('end', () => resolve(size))
    s.pipe(process.stdout, { end: false })
  })
}

export default async function logs(ref: string, f: { follow?: boolean; tail?: string }) {
  if (nothingToShow('logs')) return
  const c = findContainer(ref)
  let n = Infinity
  if (f.tail !== undefined && f.tail !== 'all') {
    if (!/^\d+$/.test(f.tail)) throw new DuckerError(`invalid value for --tail: "${f.tail}"`, 125)
    n = Number(f.tail)
  }
  const file = logFile(c.id)
  if (!fs.existsSync(file)) return 0
  let pos = await copy(file, n === Infinity ? 0 : tailOffset(file, n))
  if (!f.follow) return 0
  for (;;) {
    const running = loadContainer(c.id).state.status === 'running'
    pos = await copy(file, pos)
    if (!running) return 0
    await sleep(100)
  }
}
