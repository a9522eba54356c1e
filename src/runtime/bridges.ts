// Networks: a Linux bridge plus an address pool, recorded in
// nets/<name>/config.json with each connected container's allocation.
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { withLock } from '../host/lock.js'
import { listDir } from '../host/proc.js'
import { lockFile, netsDir, root } from '../store/paths.js'
import { readJson, writeJson } from '../store/records.js'
import { cidrText, intToIp, ipToInt, nextFreeSubnet, overlaps, parseCidr, parseGateway, routesFromProc, within, type Cidr } from './ipam.js'
import { newId } from './names.js'
import { addBridgeRules, ensureSkeleton, removeBridgeRules } from './netfilter.js'

export interface Endpoint { name: string; ip: string; mac: string; veth: string; ifname: string }
export interface Net {
  name: string; id: string; driver: 'bridge'; created: string
  subnet: string; gateway: string; ipRange?: string; bridge: string
  containers: Record<string, Endpoint>
}

export const DEFAULT_NET = 'ducker'
// A private data root (tests) can get a private default subnet and bridge, so
// two roots never fight over 172.18.0.0/16 (see DESIGN.md).
const defaultSubnet = () => process.env.DUCKER_DEFAULT_SUBNET || '172.18.0.0/16'
const defaultBridge = () => process.env.DUCKER_DEFAULT_BRIDGE || 'ducker0'
export const NET_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/

const netDir = (name: string) => path.join(netsDir(), name)
const netFile = (name: string) => path.join(netDir(name), 'config.json')
export const netLock = (name: string) => lockFile(`net-${name}`)
export const bridgeExists = (br: string) => fs.existsSync(`/sys/class/net/${br}`)

export const readNet = (name: string) => readJson<Net>(netFile(name))
export const saveNet = (n: Net, why: string) => writeJson(netFile(n.name), n, why)

export function listNets(): Net[] {
  return listDir(netsDir()).flatMap((d) => { const n = readNet(d); return n ? [n] : [] })
}

/** By name, full ID or unique ID prefix. */
export function findNet(ref: string, all = listNets()): Net {
  const n = all.find((x) => x.name === ref) ?? all.find((x) => x.id === ref)
  if (n) return n
  const m = /^[0-9a-f]+$/.test(ref) ? all.filter((x) => x.id.startsWith(ref)) : []
  if (m.length === 1) return m[0]
  if (ref === DEFAULT_NET) return ensureNet(DEFAULT_NET)
  throw new DuckerError(`network ${ref} not found`, 1)
}

export interface CreateNetOptions { name: string; subnet?: string; gateway?: string; ipRange?: string; driver?: string }

/** Validate everything first; then record the network and bring it up. */
export function createNetwork(o: CreateNetOptions): Net {
  if (!NET_NAME_RE.test(o.name)) throw new DuckerError(`invalid network name "${o.name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 1)
  if (o.name.length > 255) throw new DuckerError(`network name too long: ${o.name.length} characters (at most 255)`, 1)
  if (['none', 'host', 'default', 'bridge'].includes(o.name)) throw new DuckerError(`network name "${o.name}" is reserved`, 1)
  if ((o.driver ?? 'bridge') !== 'bridge') throw new DuckerError(`driver "${o.driver}" is not supported: only bridge`, 1)
  ensureDataDirs()
  return withLock(lockFile('nets'), () => {
    const all = listNets()
    if (all.some((n) => n.name === o.name) || o.name === DEFAULT_NET) throw new DuckerError(`network with name ${o.name} already exists`, 1)
    const busy = all.map((n) => parseCidr(n.subnet))
    if (!all.some((n) => n.name === DEFAULT_NET)) busy.push(parseCidr(defaultSubnet()))
    let subnet: Cidr
    if (o.subnet !== undefined) {
      subnet = parseCidr(o.subnet)
      const clash = all.find((n) => overlaps(parseCidr(n.subnet), subnet))
      if (clash) throw new DuckerError(`subnet ${o.subnet} overlaps with network ${clash.name} (${clash.subnet})`, 1)
      if (busy.some((b) => overlaps(b, subnet))) throw new DuckerError(`subnet ${o.subnet} overlaps with the default network (${defaultSubnet()})`, 1)
    } else {
      subnet = nextFreeSubnet([...busy, ...routesFromProc(readOr('/proc/net/route'))])
    }
    let range: Cidr | undefined
    if (o.ipRange !== undefined) {
      range = parseCidr(o.ipRange, 'ip-range')
      if (!within(range, subnet)) throw new DuckerError(`ip-range ${o.ipRange} is not within the subnet ${cidrText(subnet)}`, 1)
    }
    const gateway = o.gateway !== undefined ? parseGateway(o.gateway, subnet) : subnet.base + 1
    const id = newId()
    const n: Net = {
      name: o.name, id, driver: 'bridge', created: new Date().toISOString(),
      subnet: cidrText(subnet), gateway: intToIp(gateway), ipRange: range && cidrText(range), bridge: `dk-${id.slice(0, 8)}`, containers: {},
    }
    host.mkdir(netDir(n.name), `the network's record: subnet, gateway, bridge, connected containers`)
    saveNet(n, `record network ${n.name} (${n.subnet}, bridge ${n.bridge})`)
    try { bringUp(n) } catch (e) {
      removeNetworkFiles(n)
      throw e
    }
    return n
  })
}

/** The default network, created on first use; any network's bridge,
 * recreated if it vanished (a reboot takes bridges and rules away). */
export function ensureNet(name: string): Net {
  const n = readNet(name)
  if (n && bridgeExists(n.bridge)) return n
  if (!n && name !== DEFAULT_NET) throw new DuckerError(`network ${name} not found`, 125)
  ensureDataDirs()
  return withLock(lockFile('nets'), () => {
    let cur = readNet(name)
    if (!cur) {
      cur = { name, id: newId(), driver: 'bridge', created: new Date().toISOString(), subnet: defaultSubnet(), gateway: intToIp(parseCidr(defaultSubnet()).base + 1), bridge: defaultBridge(), containers: {} }
      host.mkdir(netDir(name), 'the default network\'s record')
      saveNet(cur, `first use: record the default network ${name} (${cur.subnet}, bridge ${cur.bridge})`)
    }
    if (!bridgeExists(cur.bridge)) bringUp(cur)
    return cur
  })
}

function bringUp(n: Net) {
  const prefix = n.subnet.split('/')[1]
  host.run(['ip', '-batch', '-'], `a bridge is a virtual switch; its address ${n.gateway} is the containers' gateway`, {
    input: `link add ${n.bridge} type bridge\naddr add ${n.gateway}/${prefix} dev ${n.bridge}\nlink set ${n.bridge} up\n`,
  })
  host.writeKernel(`/proc/sys/net/ipv4/conf/${n.bridge}/route_localnet`, '1', 'let DNAT of 127.0.0.1 route out of this bridge (its source is masqueraded to the gateway)')
  if (host.isDry() || readOr('/proc/sys/net/ipv4/ip_forward').trim() !== '1') host.writeKernel('/proc/sys/net/ipv4/ip_forward', '1', 'route between the bridges and the outside')
  ensureSkeleton()
  addBridgeRules(n.bridge, n.subnet)
}

export function removeNetwork(ref: string, attached: (n: Net) => string[]) {
  const n = findNet(ref)
  if (n.name === DEFAULT_NET) throw new DuckerError(`${DEFAULT_NET} is the default network and cannot be removed`, 1)
  withLock(lockFile('nets'), () => {
    const users = attached(n)
    if (users.length) throw new DuckerError(`error while removing network: network ${n.name} id ${n.id} has active endpoints (${users.join(', ')})`, 1, 'remove the containers or disconnect them first')
    if (host.isDry() || bridgeExists(n.bridge)) host.run(['ip', 'link', 'del', n.bridge], 'remove the bridge', { allowFail: true })
    removeBridgeRules(n.bridge, n.subnet)
    removeNetworkFiles(n)
  })
  return n
}

function removeNetworkFiles(n: Net) {
  host.remove(netDir(n.name), 'forget the network')
}

function ensureDataDirs() {
  if (!host.isDry() && fs.existsSync(netsDir())) return
  host.mkdir(root(), 'the data root', 0o700)
  host.mkdir(netsDir(), 'one directory per network')
}

const readOr = (f: string) => { try { return fs.readFileSync(f, 'utf8') } catch { return '' } }
export { ipToInt }
