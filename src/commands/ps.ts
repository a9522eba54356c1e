import { listContainers, type Container } from '../runtime/containers.js'
import { humanDuration, table } from '../ui.js'
import { nothingToShow } from './read-only.js'

export function statusText(c: Container, now = Date.now()): string {
  const s = c.state
  switch (s.status) {
    case 'running': return `Up ${humanDuration(now - Date.parse(s.startedAt ?? c.created))}`
    case 'exited': return `Exited (${s.exitCode ?? 0}) ${humanDuration(now - Date.parse(s.finishedAt ?? c.created))} ago`
    case 'broken': return `Broken (${s.error ?? 'unreadable config'})`
    default: return 'Created'
  }
}

export function portsText(c: Container): string {
  return c.hostConfig.publish.map((p) => `${p.hostIp || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.proto}`).join(', ')
}

const trunc = (s: string, n: number) => (s.length > n ? s.slice(0, n - 1) + '…' : s)

export default function ps(f: { all?: boolean; quiet?: boolean; dryRun?: boolean }) {
  if (nothingToShow('ps')) return 0
  const list = listContainers()
    .filter((c) => f.all || c.state.status === 'running')
    .sort((a, b) => Date.parse(b.created) - Date.parse(a.created))
  if (f.quiet) { process.stdout.write(list.map((c) => c.id.slice(0, 12) + '\n').join('')); return 0 }
  const now = Date.now()
  const rows = list.map((c) => [
    c.id.slice(0, 12), c.image, trunc(JSON.stringify(c.config.cmd.join(' ')), 22),
    `${humanDuration(now - Date.parse(c.created))} ago`, statusText(c, now), portsText(c), c.name,
  ])
  process.stdout.write(table(['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'PORTS', 'NAMES'], rows))
  return 0
}
