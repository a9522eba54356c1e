// A lock file for anything that allocates (names, IPs, ports). Node has no
// flock(2), so the holder writes its PID; a lock whose holder is dead (a
// ducker killed mid-command) is taken over. No-op in dry-run: nothing changes.
import fs from 'node:fs'
import { DuckerError } from '../errors.js'
import { isDry } from './gateway.js'
import { sleepSync } from './proc.js'

export function withLock<T>(file: string, f: () => T): T {
  if (isDry()) return f()
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600)
      fs.writeSync(fd, String(process.pid))
      fs.closeSync(fd)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') { fs.mkdirSync(require_dir(file), { recursive: true, mode: 0o700 }); continue }
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      let holder: number
      try { holder = Number(fs.readFileSync(file, { encoding: 'utf8', flag: 'r' }) || 0) } catch { continue } // released meanwhile: retry
      if (holder && !alive(holder)) { try { fs.unlinkSync(file) } catch { /* raced */ } continue }
      if (Date.now() > deadline) throw new DuckerError(`timed out waiting for lock ${file} (held by pid ${holder})`, 125)
      sleepSync(5)
    }
  }
  try { return f() } finally { try { fs.unlinkSync(file) } catch { /* gone */ } }
}

const require_dir = (file: string) => file.slice(0, file.lastIndexOf('/'))

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' }
}
