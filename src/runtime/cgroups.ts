// Control groups: every container gets a `ducker/<id>` group in each
// hierarchy used (for accounting, stats and OOM detection), limits or not.
// Limits are plain writes to the controller files; the init joins the groups
// itself (echo 0 > cgroup.procs) before anything else runs.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { readFileOr, sleepSync } from '../host/proc.js'
import { shq } from '../host/shell.js'
import { containerGroups, detectLayout, GROUP_PARENT, v2Wanted, type Groups, type Layout } from './cgroupfs.js'
import type { Container } from './containers.js'

export const CFS_PERIOD = 100000

/** Create the container's cgroups, write limits; return dirs the init joins. */
export function setupCgroups(c: Container, layout = detectLayout()): string[] {
  const g = containerGroups(layout, c.id)
  const { cpus, memory, pidsLimit } = c.hostConfig
  for (const dir of new Set(Object.values(g.v1))) host.mkdir(dir, 'the container\'s cgroup in this v1 hierarchy', 0o755)
  const v1 = g.v1
  if (cpus !== undefined && v1.cpu) {
    host.writeKernel(path.join(v1.cpu, 'cpu.cfs_period_us'), String(CFS_PERIOD), 'CFS period: quota is counted per 100 ms')
    host.writeKernel(path.join(v1.cpu, 'cpu.cfs_quota_us'), String(Math.round(cpus * CFS_PERIOD)), `--cpus ${cpus}: this much CPU time per period, across all CPUs`)
  }
  if (memory !== undefined && v1.memory) host.writeKernel(path.join(v1.memory, 'memory.limit_in_bytes'), String(memory), '--memory: past this the OOM killer picks a process in the group')
  if (pidsLimit !== undefined && v1.pids) host.writeKernel(path.join(v1.pids, 'pids.max'), String(pidsLimit), '--pids-limit: fork fails past this many tasks')
  if (g.v2) setupV2(layout, g.v2, c)
  return g.dirs
}

/** v2: enable the controllers down the tree, then write the limits. */
function setupV2(layout: Layout, dir: string, c: Container) {
  const want = layout.kind === 'v2' ? ['cpu', 'memory', 'pids'].filter((x) => layout.v2Controllers.includes(x)) : v2Wanted(layout)
  const parent = path.dirname(dir)
  const enable = want.map((x) => '+' + x).join(' ')
  if (enable) host.writeKernel(path.join(layout.unified!, 'cgroup.subtree_control'), enable, 'v2: let child groups use these controllers')
  host.mkdir(parent, `the ${GROUP_PARENT}/ parent group for all containers`, 0o755)
  if (enable) host.writeKernel(path.join(parent, 'cgroup.subtree_control'), enable, 'v2: and below ducker/ too (no processes live in it)')
  host.mkdir(dir, 'the container\'s v2 cgroup', 0o755)
  const { cpus, memory, pidsLimit } = c.hostConfig
  if (cpus !== undefined && want.includes('cpu')) host.writeKernel(path.join(dir, 'cpu.max'), `${Math.round(cpus * CFS_PERIOD)} ${CFS_PERIOD}`, `--cpus ${cpus}: quota and period in one file`)
  if (memory !== undefined && want.includes('memory')) host.writeKernel(path.join(dir, 'memory.max'), String(memory), '--memory: hard limit, the OOM killer acts past it')
  if (pidsLimit !== undefined && want.includes('pids')) host.writeKernel(path.join(dir, 'pids.max'), String(pidsLimit), '--pids-limit')
}

/** How many times the OOM killer acted in the container's memory group. */
export function oomKills(g: Groups): number {
  const files = [g.v1.memory && path.join(g.v1.memory, 'memory.oom_control'), g.v2 && path.join(g.v2, 'memory.events')]
  let n = 0
  for (const f of files) {
    if (!f) continue
    try { n += Number(/^oom_kill (\d+)/m.exec(fs.readFileSync(f, 'utf8'))?.[1] ?? 0) } catch { /* gone */ }
  }
  return n
}

/** Record OOM kills, then rmdir the groups once their processes are gone. */
export function removeCgroups(c: Container, layout = detectLayout()) {
  const g = containerGroups(layout, c.id)
  if (host.isDry()) { for (const d of g.dirs) host.scriptOnly(`[ ! -d ${shq(d)} ] || rmdir ${shq(d)}`, 'remove the container\'s cgroup (once its processes are gone)'); return }
  if (oomKills(g) > 0) c.state.oomKilled = true
  for (const d of g.dirs) {
    if (!fs.existsSync(d)) continue
    // Killed processes leave the group a moment after PID 1 is gone.
    const deadline = Date.now() + 3000
    for (;;) {
      const procs = (readFileOr(path.join(d, 'cgroup.procs'), '') ?? '').trim()
      if (!procs) break
      if (Date.now() > deadline) throw new DuckerError(`cgroup ${d} still has processes: ${procs.split('\n').join(' ')}`, 125)
      sleepSync(10)
    }
    host.rmdir(d, 'remove the container\'s cgroup (empty now)')
  }
}

/** argv prefix that runs a command inside the container's cgroups (exec). */
export function cgroupExecPrefix(c: Container, layout = detectLayout()): string[] {
  const g = containerGroups(layout, c.id)
  const rel = `${GROUP_PARENT}/${c.id}`
  const v1 = Object.keys(g.v1)
  const v2 = g.v2 ? (layout.kind === 'v2' ? layout.v2Controllers.filter((x) => ['cpu', 'memory', 'pids'].includes(x)) : v2Wanted(layout)) : []
  const ctl = [...new Set([...v1, ...v2])]
  return ctl.length ? ['cgexec', '-g', `${ctl.join(',')}:${rel}`] : []
}

const bad = (v: string, flag: string, why: string) => new DuckerError(`invalid argument "${v}" for "${flag}" flag: ${why}`, 125)

/** --cpus: a positive number of cores, at most the machine's. */
export function parseCpus(v: string | undefined, ncpu = os.availableParallelism()): number | undefined {
  if (v === undefined) return undefined
  if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v.trim())) throw bad(v, '--cpus', `failed to parse ${v} as a rational number`)
  const n = Number(v)
  if (!(n > 0) || n > ncpu || Math.round(n * CFS_PERIOD) < 1000) {
    throw new DuckerError(`range of CPUs is from 0.01 to ${ncpu.toFixed(2)}, as there are only ${ncpu} CPUs available`, 125)
  }
  return n
}

const UNIT: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }
export const MIN_MEMORY = 6 * 1024 ** 2

/** -m/--memory with b/k/m/g suffix (binary, case-insensitive), in bytes. */
export function parseMemory(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const m = /^(\d+(?:\.\d+)?)\s*([bkmg])?b?$/i.exec(v.trim())
  if (!m) throw bad(v, '-m, --memory', `invalid size: '${v}'`)
  const bytes = Math.floor(Number(m[1]) * UNIT[(m[2] ?? 'b').toLowerCase()])
  if (!Number.isSafeInteger(bytes)) throw bad(v, '-m, --memory', `value out of range: '${v}'`)
  if (bytes < MIN_MEMORY) throw new DuckerError('Minimum memory limit allowed is 6MB', 125)
  return bytes
}

/** --pids-limit N; 0 or -1 mean unlimited, as in Docker. */
export function parsePidsLimit(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  if (!/^-?\d+$/.test(v.trim())) throw bad(v, '--pids-limit', `strconv.ParseInt: parsing "${v}": invalid syntax`)
  const n = Number(v)
  if (n === 0 || n === -1) return undefined
  if (n < 0) throw new DuckerError(`invalid --pids-limit ${v}: use a positive number, or -1 for unlimited`, 125)
  return n
}
