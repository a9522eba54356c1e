// Reading process facts from /proc. A PID alone is not an identity (PIDs are
// reused), so a process is "ours" only if its start time matches too.
import fs from 'node:fs'

/** Field 22 of /proc/PID/stat: start time in clock ticks since boot. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]
  } catch {
    return undefined
  }
}

export function isAlive(pid: number | undefined, start: string | undefined): boolean {
  if (!pid || !start) return false
  const s = startTime(pid)
  if (s !== start) return false
  // A zombie has a stat line too but is not running anything.
  try { return !/^Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]) } catch { return false }
}

export function readFileOr(file: string, fallback?: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8') } catch { return fallback }
}

export const exists = (p: string) => fs.existsSync(p)

export function listDir(dir: string): string[] {
  try { return fs.readdirSync(dir) } catch { return [] }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
export const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
