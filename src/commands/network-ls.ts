import { DEFAULT_NET, ensureNet, listNets } from '../runtime/bridges.js'
import * as host from '../host/gateway.js'
import { table } from '../ui.js'
import { nothingToShow } from './read-only.js'

export default function networkLs(f: { quiet?: boolean }) {
  if (nothingToShow('network ls')) return
  // The default network always exists (created on first use: this is one).
  if (!host.isDry()) ensureNet(DEFAULT_NET)
  const nets = listNets().sort((a, b) => (a.name === DEFAULT_NET ? -1 : b.name === DEFAULT_NET ? 1 : a.name.localeCompare(b.name)))
  if (f.quiet) { process.stdout.write(nets.map((n) => n.id.slice(0, 12) + '\n').join('')); return 0 }
  process.stdout.write(table(['NETWORK ID', 'NAME', 'DRIVER', 'SUBNET', 'GATEWAY'], nets.map((n) => [n.id.slice(0, 12), n.name, n.driver, n.subnet, n.gateway])))
  return 0
}
