// Published ports: parsing -p specs (pure), which host ports are taken by
// host processes (read from /proc/net, no process spawned), and the registry
// of ports held by containers.
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import { withLock } from '../host/lock.js'
import { containerDir, lockFile, netsDir } from '../store/paths.js'
import { readJson, writeJson } from '../store/records.js'
import type { PortBinding } from './containers.js'
import { ipToInt } from './ipam.js'

const port = (s: string, spec: string) => {
  const n = Number(s)
  if (!/^\d+$/.test(s) || n < 1 || n > 65535) throw new DuckerError(`invalid publish spec "${spec}": port "${s}" is not a number between 1 and 65535`, 125, 'forms: HOST:CTR, IP:HOST:CTR, IP::CTR, CTR, each with an optional /tcp or /udp')
  return n
}

/** [IP:][HOST:]CTR[/tcp|/udp]; HOST empty or absent = pick a free port (0). */
export function parsePortSpec(spec: string): PortBinding {
  const slash = spec.lastIndexOf('/')
  const proto = slash < 0 ? 'tcp' : spec.slice(slash + 1)
  if (proto !== 'tcp' && proto !== 'udp') throw new DuckerError(`invalid publish spec "${spec}": protocol must be tcp or udp`, 125)
  const parts = (slash < 0 ? spec : spec.slice(0, slash)).split(':')
  if (parts.length > 3) throw new DuckerError(`invalid publish spec "${spec}": too many colons`, 125)
  const [hostIp, hostPort, ctr] = parts.length === 3 ? parts : parts.length === 2 ? ['', ...parts] : ['', '', parts[0]]
  if (hostIp && ipToInt(hostIp) === undefined) throw new DuckerError(`invalid publish spec "${spec}": "${hostIp}" is not an IPv4 address`, 125)
  return { hostIp: hostIp === '0.0.0.0' ? '' : hostIp, hostPort: hostPort === '' ? 0 : port(hostPort, spec), containerPort: port(ctr, spec), proto }
}

export function parsePortSpecs(specs: string[]): PortBinding[] {
  const out = specs.map(parsePortSpec)
  for (let i = 0; i < out.length; i++) {
    for (let j = 0; j < i; j++) {
      if (out[i].hostPort && clash(out[i], out[j])) throw new DuckerError(`port ${out[i].hostPort}/${out[i].proto} is already allocated`, 125, 'two -p flags ask for the same host port')
    }
  }
  return out
}

/** Same host port and protocol on overlapping addresses ('' = all). */
export const clash = (a: PortBinding, b: PortBinding) =>
  a.hostPort === b.hostPort && a.proto === b.proto && (!a.hostIp || !b.hostIp || a.hostIp === b.hostIp)

/** Ports bound by host processes: LISTEN tcp sockets and bound udp sockets. */
export function hostPortsInUse(proto: 'tcp' | 'udp', read = (f: string) => { try { return fs.readFileSync(f, 'utf8') } catch { return '' } }): { ip: string; port: number }[] {
  const out: { ip: string; port: number }[] = []
  for (const file of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    for (const line of read(file).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      if (f.length < 4) continue
      if (proto === 'tcp' && f[3] !== '0A') continue // LISTEN
      const [addr, p] = f[1].split(':')
      out.push({ ip: procAddr(addr), port: parseInt(p, 16) })
    }
  }
  return out
}

/** /proc/net hex address -> dotted IPv4, '' for any (0.0.0.0 / ::), '::' for other v6. */
function procAddr(hex: string): string {
  if (/^0+$/.test(hex)) return ''
  if (hex.length === 8) {
    const n = parseInt(hex, 16)
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.')
  }
  if (hex.startsWith('0000000000000000FFFF0000')) return procAddr(hex.slice(24))
  return '::'
}

export function takenByHost(b: PortBinding, inUse = hostPortsInUse(b.proto)): boolean {
  return inUse.some((u) => u.port === b.hostPort && (!u.ip || u.ip === '::' || !b.hostIp || u.ip === b.hostIp))
}

// The registry of host ports held by running containers: nets/ports.json,
// changed only under the 'ports' lock.
export interface Held extends PortBinding { cid: string }
const registryFile = () => path.join(netsDir(), 'ports.json')
const AUTO_FIRST = 32768, AUTO_LAST = 60999 // Linux's ephemeral range, as Docker

function readRegistry(): Held[] {
  // Entries of containers that no longer exist are stale (a crash): drop them.
  return (readJson<Held[]>(registryFile()) ?? []).filter((h) => fs.existsSync(containerDir(h.cid)))
}

/** Refuse ports held by another container or bound by a host process. */
export function checkPorts(cid: string, ports: PortBinding[], held = readRegistry()) {
  const inUse = { tcp: hostPortsInUse('tcp'), udp: hostPortsInUse('udp') }
  for (const p of ports) {
    if (!p.hostPort) continue
    if (held.some((h) => h.cid !== cid && clash(h, p)) || takenByHost(p, inUse[p.proto])) {
      throw new DuckerError(`port ${p.hostPort}/${p.proto} is already allocated`, 125, 'choose another host port, or stop what holds it')
    }
  }
}

/** Reserve the container's ports (choosing free ones for -p CTR); returns the bindings with the chosen ports. */
export function reservePorts(cid: string, ports: (PortBinding & { auto?: boolean })[]): (PortBinding & { auto?: boolean })[] {
  if (!ports.length) return ports
  return withLock(lockFile('ports'), () => {
    const held = readRegistry().filter((h) => h.cid !== cid)
    // A port chosen for an earlier run is chosen afresh, as Docker does.
    const want = ports.map((p) => (p.auto ? { ...p, hostPort: 0 } : { ...p }))
    checkPorts(cid, want, held)
    const inUse = { tcp: hostPortsInUse('tcp'), udp: hostPortsInUse('udp') }
    const mine: Held[] = []
    for (const p of want) {
      if (!p.hostPort) {
        p.auto = true
        for (let n = AUTO_FIRST; n <= AUTO_LAST && !p.hostPort; n++) {
          const cand = { ...p, hostPort: n }
          if (![...held, ...mine].some((h) => clash(h, cand)) && !takenByHost(cand, inUse[p.proto])) p.hostPort = n
        }
        if (!p.hostPort) throw new DuckerError(`no free host port left for ${p.containerPort}/${p.proto}`, 125)
      }
      mine.push({ ...p, cid })
    }
    writeJson(registryFile(), [...held, ...mine], `hold host port${mine.length > 1 ? 's' : ''} ${mine.map((h) => `${h.hostPort}/${h.proto}`).join(', ')} for ${cid.slice(0, 12)}`)
    return want
  })
}

export function releasePorts(cid: string) {
  if (!fs.existsSync(registryFile())) return
  withLock(lockFile('ports'), () => {
    const all = readJson<Held[]>(registryFile()) ?? []
    if (!all.some((h) => h.cid === cid)) return
    writeJson(registryFile(), all.filter((h) => h.cid !== cid && fs.existsSync(containerDir(h.cid))), `free the host ports of ${cid.slice(0, 12)}`)
  })
}
