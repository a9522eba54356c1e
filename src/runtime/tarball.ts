// A streaming tar writer for layer tars and image archives. Entries come as
// plain records (path, type, mode, source file); headers are node-tar's
// ustar encoder, with a PAX header when a name or size does not fit.
// Ours rather than GNU tar because layers need overlay whiteouts turned into
// OCI `.wh.` entries, and the same directory must always give the same bytes.
import fs from 'node:fs'
import { Header, Pax } from 'tar'

export type EntryType = 'file' | 'dir' | 'symlink' | 'link' | 'char' | 'block' | 'fifo'

export interface TarEntry {
  path: string
  type: EntryType
  mode: number
  uid?: number
  gid?: number
  mtime?: Date
  size?: number
  linkpath?: string
  devmaj?: number
  devmin?: number
  /** Read the content from this file (type 'file'). */
  source?: string
  /** Or take it from memory. */
  data?: Buffer
}

const TYPE: Record<EntryType, string> = {
  file: 'File', dir: 'Directory', symlink: 'SymbolicLink', link: 'Link', char: 'CharacterDevice', block: 'BlockDevice', fifo: 'FIFO',
}
const EPOCH = new Date(0)
const CHUNK = 1 << 20

export function header(e: TarEntry, size: number): Buffer {
  const name = e.type === 'dir' && !e.path.endsWith('/') ? e.path + '/' : e.path
  const mtime = new Date(Math.floor((e.mtime ?? EPOCH).getTime() / 1000) * 1000)
  const h = new Header({
    path: name, mode: e.mode & 0o7777, uid: e.uid ?? 0, gid: e.gid ?? 0, size, mtime,
    type: TYPE[e.type] as never, linkpath: e.linkpath ?? '', uname: '', gname: '', devmaj: e.devmaj ?? 0, devmin: e.devmin ?? 0,
  })
  const block = Buffer.alloc(512)
  if (!h.encode(block, 0)) return block
  // Long name, long link or huge size: a PAX header carries the full values.
  const pax = new Pax({ path: name, linkpath: e.linkpath || undefined, size: size >= 8 ** 11 ? size : undefined } as never).encode()
  return Buffer.concat([pax, block])
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512)

/** The tar byte stream of these entries, in order, with the end marker. */
export async function* tarStream(entries: Iterable<TarEntry> | AsyncIterable<TarEntry>): AsyncGenerator<Buffer> {
  for await (const e of entries) {
    if (e.type !== 'file') { yield header(e, 0); continue }
    if (e.data) {
      yield header(e, e.data.length)
      yield e.data
      yield pad(e.data.length)
      continue
    }
    const fd = await fs.promises.open(e.source!, 'r')
    try {
      const size = e.size ?? (await fd.stat()).size
      yield header(e, size)
      let left = size
      while (left > 0) {
        const buf = Buffer.allocUnsafe(Math.min(CHUNK, left))
        const { bytesRead } = await fd.read(buf, 0, buf.length, size - left)
        if (bytesRead === 0) throw new Error(`${e.source} shrank while being archived`)
        left -= bytesRead
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead)
      }
      yield pad(size)
    } finally {
      await fd.close()
    }
  }
  yield Buffer.alloc(1024)
}
