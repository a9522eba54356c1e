import { sleep } from '../host/proc.js'
import { detectLayout } from '../runtime/cgroupfs.js'
import { findContainer, listContainers, type Container } from '../runtime/containers.js'
import { cpuPercent, sample, type Sample } from '../runtime/stats.js'
import { humanSize, table } from '../ui.js'
import { nothingToShow } from './read-only.js'

/** Docker's binary sizes: 4 significant digits, KiB/MiB/GiB. */
export function binSize(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (n >= 1024 && i < u.length - 1) { n /= 1024; i++ }
  return `${Number(n.toPrecision(4))}${u[i]}`
}

function rows(list: Container[], a: Map<string, Sample>, b: Map<string, Sample>): string[][] {
  return list.map((c) => {
    const x = a.get(c.id)!, y = b.get(c.id)!
    const running = c.state.status === 'running'
    return [c.id.slice(0, 12), c.name, running ? cpuPercent(x, y).toFixed(2) + '%' : '--',
      running ? `${binSize(y.mem)} / ${binSize(y.limit)}` : '-- / --', running ? ((y.mem / y.limit) * 100).toFixed(2) + '%' : '--',
      running ? `${humanSize(y.rx)} / ${humanSize(y.tx)}` : '--', '--', running ? String(y.pids) : '--']
  })
}

const HEADER = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS']

export default async function stats(refs: string[], f: { stream?: boolean; dryRun?: boolean }): Promise<number> {
  if (nothingToShow('stats')) return 0
  const layout = detectLayout()
  const pick = () => (refs.length ? refs.map((r) => findContainer(r)) : listContainers().filter((c) => c.state.status === 'running'))
  const snap = (list: Container[]) => new Map(list.map((c) => [c.id, sample(c, layout)]))
  let list = pick()
  let prev = snap(list)
  let stop = false
  process.once('SIGINT', () => { stop = true })
  for (;;) {
    await sleep(f.stream === false ? 500 : 1000)
    const now = snap(list)
    const out = table(HEADER, rows(list, prev, now))
    if (f.stream === false) { process.stdout.write(out); return 0 }
    process.stdout.write((process.stdout.isTTY ? '\x1b[2J\x1b[H' : '') + out)
    if (stop) return 0
    list = pick()
    prev = snap(list)
  }
}
