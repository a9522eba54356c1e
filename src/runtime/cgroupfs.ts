// Where the cgroup controllers live on this machine, found at run time:
//   v1      one hierarchy per controller (or co-mounted: cpu,cpuacct) under the root
//   v2      one unified hierarchy at the root (cgroup.controllers lists them)
//   hybrid  v1 hierarchies plus a unified one under root/unified; a controller
//           is taken from v1 when it is mounted there, else from v2
// The root is a parameter so unit tests can point it at a fake directory.
import fs from 'node:fs'
import path from 'node:path'

export const CGROUP_ROOT = '/sys/fs/cgroup'
export const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids'] as const
export type Controller = typeof CONTROLLERS[number]

export interface Layout {
  kind: 'v1' | 'v2' | 'hybrid'
  root: string
  /** v1: controller -> its hierarchy's mount dir. */
  v1: Partial<Record<Controller, string>>
  /** The unified (v2) mount dir, if any, and the controllers it offers. */
  unified?: string
  v2Controllers: string[]
}

const readWords = (file: string) => {
  try { return fs.readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean) } catch { return undefined }
}

export function detectLayout(root = process.env.DUCKER_CGROUP_ROOT || CGROUP_ROOT): Layout {
  const top = readWords(path.join(root, 'cgroup.controllers'))
  if (top) return { kind: 'v2', root, v1: {}, unified: root, v2Controllers: top }
  const v1: Layout['v1'] = {}
  let entries: string[] = []
  try { entries = fs.readdirSync(root) } catch { /* no cgroupfs */ }
  for (const e of entries) {
    const dir = path.join(root, e)
    // A hierarchy root always has cgroup.procs; names may be co-mounted ("cpu,cpuacct").
    if (!fs.existsSync(path.join(dir, 'cgroup.procs')) || fs.existsSync(path.join(dir, 'cgroup.controllers'))) continue
    let real = dir
    try { real = fs.realpathSync(dir) } catch { /* keep */ }
    for (const name of path.basename(real).split(',')) {
      if ((CONTROLLERS as readonly string[]).includes(name) && !v1[name as Controller]) v1[name as Controller] = real
    }
  }
  const uni = path.join(root, 'unified')
  const uniCtl = readWords(path.join(uni, 'cgroup.controllers'))
  if (uniCtl) return { kind: 'hybrid', root, v1, unified: uni, v2Controllers: uniCtl }
  return { kind: 'v1', root, v1, v2Controllers: [] }
}

/** Which controllers come from v2 (the rest come from v1 hierarchies). */
export function v2Wanted(l: Layout): Controller[] {
  if (!l.unified) return []
  // cpuacct has no v2 controller: cpu.stat accounts usage in the cpu controller.
  return CONTROLLERS.filter((c) => c !== 'cpuacct' && !l.v1[c] && l.v2Controllers.includes(c))
}

/** The container's groups: one per distinct v1 hierarchy, plus the v2 one if used. */
export interface Groups {
  v1: Partial<Record<Controller, string>>
  v2?: string
  /** Distinct dirs, in a stable order (what the init joins, what rm removes). */
  dirs: string[]
}

export const GROUP_PARENT = 'ducker'

export function containerGroups(l: Layout, id: string): Groups {
  const v1: Groups['v1'] = {}
  const dirs: string[] = []
  for (const c of CONTROLLERS) {
    const h = l.v1[c]
    if (!h) continue
    v1[c] = path.join(h, GROUP_PARENT, id)
    if (!dirs.includes(v1[c]!)) dirs.push(v1[c]!)
  }
  let v2: string | undefined
  if (l.kind === 'v2' || v2Wanted(l).length) {
    v2 = path.join(l.unified!, GROUP_PARENT, id)
    dirs.push(v2)
  }
  return { v1, v2, dirs }
}
