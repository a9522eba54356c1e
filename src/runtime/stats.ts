// Resource usage read straight from the container's cgroup files (and its
// init's /proc/PID/net/dev): what `stats` prints, nothing written.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { readFileOr } from '../host/proc.js'
import { containerGroups, detectLayout, type Layout } from './cgroupfs.js'
import type { Container } from './containers.js'

export interface Sample { at: number; cpuNs: number; mem: number; limit: number; pids: number; rx: number; tx: number }

const num = (f: string | undefined) => {
  const t = f ? readFileOr(f)?.trim() : undefined
  return t === undefined || t === '' || t === 'max' ? undefined : Number(t)
}
const statKey = (f: string | undefined, key: string) => {
  const t = f ? readFileOr(f) : undefined
  const m = t ? new RegExp(`^${key} (\\d+)$`, 'm').exec(t) : null
  return m ? Number(m[1]) : 0
}

export function sample(c: Container, layout: Layout = detectLayout()): Sample {
  const g = containerGroups(layout, c.id)
  const at = Number(process.hrtime.bigint())
  const total = os.totalmem()
  let cpuNs = 0, mem = 0, limit = total, pids = 0
  if (g.v1.cpuacct) cpuNs = num(path.join(g.v1.cpuacct, 'cpuacct.usage')) ?? 0
  else if (g.v2) cpuNs = statKey(path.join(g.v2, 'cpu.stat'), 'usage_usec') * 1000
  if (g.v1.memory) {
    const d = g.v1.memory
    // Docker's "usage": without the page cache that could be dropped at once.
    mem = (num(path.join(d, 'memory.usage_in_bytes')) ?? 0) - statKey(path.join(d, 'memory.stat'), 'total_inactive_file')
    limit = Math.min(num(path.join(d, 'memory.limit_in_bytes')) ?? total, total)
  } else if (g.v2) {
    mem = (num(path.join(g.v2, 'memory.current')) ?? 0) - statKey(path.join(g.v2, 'memory.stat'), 'inactive_file')
    limit = Math.min(num(path.join(g.v2, 'memory.max')) ?? total, total)
  }
  const pd = g.v1.pids ?? g.v2
  if (pd) pids = num(path.join(pd, 'pids.current')) ?? 0
  let rx = 0, tx = 0
  if (c.state.status === 'running') {
    for (const line of (readFileOr(`/proc/${c.state.pid}/net/dev`, '') ?? '').split('\n').slice(2)) {
      const [name, rest] = line.split(':')
      if (!rest || name.trim() === 'lo') continue
      const f = rest.trim().split(/\s+/).map(Number)
      rx += f[0]; tx += f[8]
    }
  }
  return { at, cpuNs, mem: Math.max(0, mem), limit, pids, rx, tx }
}

/** CPU use between two samples, in % of one CPU (Docker's CPU %). */
export const cpuPercent = (a: Sample, b: Sample) => (b.at > a.at ? ((b.cpuNs - a.cpuNs) / (b.at - a.at)) * 100 : 0)

/** Bytes used by a directory tree (allocated blocks, like du). */
export function du(dir: string): number {
  let n = 0
  const walk = (p: string) => {
    let st: fs.Stats
    try { st = fs.lstatSync(p) } catch { return }
    n += st.blocks * 512
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e))
  }
  walk(dir)
  return n
}
