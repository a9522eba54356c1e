// A container's network: a named netns (dk-<id 12>) holding one veth end per
// network (eth0, eth1...), the other end (vd<id 10><n>) on the network's
// bridge. ducker-init joins the netns (--netns); `network connect` on a
// running container is more `ip` against the same netns.
import fs from 'node:fs'
import path from 'node:path'
import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { withLock } from '../host/lock.js'
import { containerDir, lockFile } from '../store/paths.js'
import { DEFAULT_NET, ensureNet, findNet, netLock, readNet, saveNet, type Net } from './bridges.js'
import { findContainer, listContainers, loadContainer, saveContainer, type Container, type PortBinding } from './containers.js'
import { allocate, ipToInt, macFor, parseCidr } from './ipam.js'
import { addPortRules, removePortRules } from './netfilter.js'
import { checkPorts, parsePortSpecs, releasePorts, reservePorts } from './ports.js'

/** How the launch joins the network: an argv prefix (rarely needed), whether
 * ducker-init's PID 1 makes a fresh net namespace (--unshare-net), and extra
 * ducker-init args: `--netns /run/netns/NAME` to join a prepared one (PID 1
 * does the setns, so the host-side monitor stays on the host network), and
 * e.g. --bind of the generated /etc/hosts and /etc/resolv.conf. */
export interface NetLaunch { prefix: string[]; unshareNet: boolean; initArgs: string[] }

type Entry = Container['networks'][string]
const EMPTY: Entry = { ip: '', prefix: 0, gateway: '', mac: '', veth: '', peer: '', ifname: '' }

export const nsName = (cid: string) => `dk-${cid.slice(0, 12)}`
const nsPath = (cid: string) => `/run/netns/${nsName(cid)}`
const vethName = (cid: string, idx: number) => `vd${cid.slice(0, 10)}${idx}`
const hostsFile = (cid: string) => path.join(containerDir(cid), 'hosts')
const resolvFile = (cid: string) => path.join(containerDir(cid), 'resolv.conf')
const linkExists = (name: string) => host.isDry() || fs.existsSync(`/sys/class/net/${name}`)
const isBridged = (c: Container) => !['host', 'none'].includes(c.hostConfig.networkMode)
const live = (c: Container) => Object.entries(c.networks).filter(([, e]) => e.ip)

/** --network at create time -> the networks the container will join (checked now, before anything is made). */
export function initialNetworks(mode?: string): Container['networks'] {
  if (mode === undefined || mode === 'default') return { [DEFAULT_NET]: { ...EMPTY } }
  if (mode === 'none' || mode === 'host') return {}
  if (mode.startsWith('container:')) throw new DuckerError('--network container:NAME is not supported', 125)
  if (mode === DEFAULT_NET) return { [DEFAULT_NET]: { ...EMPTY } }
  try { return { [findNet(mode).name]: { ...EMPTY } } } catch (e) {
    throw new DuckerError((e as Error).message, 125, 'ducker network ls lists the networks')
  }
}

/** -p specs -> port bindings; a port already held is refused here, before anything is created. */
export function parsePublish(specs: string[]): PortBinding[] {
  const ports = parsePortSpecs(specs)
  checkPorts('', ports)
  return ports
}

export function setupNetwork(c: Container): NetLaunch {
  const mode = c.hostConfig.networkMode
  if (mode === 'host') return { prefix: [], unshareNet: false, initArgs: [] }
  writeResolv(c)
  if (mode === 'none') {
    writeHosts(c)
    return { prefix: [], unshareNet: true, initArgs: ['--bind', `${hostsFile(c.id)}:/etc/hosts`, '--bind', `${resolvFile(c.id)}:/etc/resolv.conf`] }
  }
  if (c.hostConfig.publish.length) c.hostConfig.publish = reservePorts(c.id, c.hostConfig.publish)
  const ns = nsName(c.id)
  const hostLines = fs.existsSync(nsPath(c.id)) ? [`netns del ${ns}`] : [] // left by a crash
  hostLines.push(`netns add ${ns}`)
  const nsLines: string[] = []
  Object.keys(c.networks).forEach((name, idx) => {
    const { e, net } = allocEntry(c, name, idx)
    hostLines.push(...plugLines(e, net, ns))
    nsLines.push(...addrLines(e, idx === 0))
  })
  saveContainer(c, 'record the container\'s addresses (so a failed start can release them)')
  host.run(['ip', '-batch', '-'], `a named network namespace ${ns} for the container, with a veth cable per network: one end on the bridge, the other in the namespace`, { input: hostLines.join('\n') + '\n' })
  if (nsLines.length) host.run(['ip', '-n', ns, '-batch', '-'], 'inside the namespace: addresses, links up, default route via the gateway', { input: nsLines.join('\n') + '\n' })
  const primary = live(c)[0]
  if (primary) addPortRules(c.id, primary[1].ip, c.hostConfig.publish)
  writeHosts(c)
  refreshPeers(c.id, Object.keys(c.networks))
  // ducker-init's PID 1 joins the netns (setns), so the monitor and its
  // on-exit hook stay on the host's network.
  return {
    prefix: [], unshareNet: false,
    initArgs: ['--netns', nsPath(c.id), '--bind', `${hostsFile(c.id)}:/etc/hosts`, '--bind', `${resolvFile(c.id)}:/etc/resolv.conf`],
  }
}

/** Undo setupNetwork: idempotent (a second call finds nothing to do). */
export function teardownNetwork(c: Container) {
  if (!isBridged(c)) return
  // Ports are held before the address is allocated: free them even when
  // setup failed in between (no address, no netns).
  releasePorts(c.id)
  const nets = live(c)
  const nsThere = host.isDry() || fs.existsSync(nsPath(c.id))
  if (!nets.length && !nsThere) return
  if (nets.length && c.hostConfig.publish.length) removePortRules(c.id, nets[0][1].ip, c.hostConfig.publish)
  const lines = nets.filter(([, e]) => linkExists(e.veth)).map(([, e]) => `link del ${e.veth}`)
  if (nsThere) lines.push(`netns del ${nsName(c.id)}`)
  // -force: one line failing (a link already gone) must not keep the rest
  if (lines.length) host.run(['ip', '-force', '-batch', '-'], 'unplug the veth cables and delete the network namespace', { input: lines.join('\n') + '\n', allowFail: true })
  for (const [name] of nets) {
    releaseEntry(c, name)
    c.networks[name] = { ...EMPTY }
  }
  if (fs.existsSync(containerDir(c.id))) saveContainer(c, 'forget the released addresses')
  refreshPeers(c.id, nets.map(([n]) => n))
}

/** Take the first free address of the network, under its lock. */
function allocEntry(c: Container, name: string, idx: number): { e: Entry; net: Net } {
  const first = ensureNet(name)
  return withLock(netLock(name), () => {
    const net = readNet(name) ?? first
    for (const id of Object.keys(net.containers)) if (id !== c.id && !fs.existsSync(containerDir(id))) delete net.containers[id] // left by a crash
    const used = Object.entries(net.containers).filter(([id]) => id !== c.id).map(([, x]) => x.ip)
    const ip = allocate(parseCidr(net.subnet), ipToInt(net.gateway)!, used, net.ipRange ? parseCidr(net.ipRange, 'ip-range') : undefined)
    const e: Entry = { ip, prefix: Number(net.subnet.split('/')[1]), gateway: net.gateway, mac: macFor(ip), veth: vethName(c.id, idx), peer: `eth${idx}`, ifname: `eth${idx}` }
    net.containers[c.id] = { name: c.name, ip, mac: e.mac, veth: e.veth, ifname: e.ifname }
    saveNet(net, `allocate ${ip} on ${name} to ${c.name}`)
    c.networks[name] = e
    return { e, net }
  })
}

function releaseEntry(c: Container, name: string) {
  if (!readNet(name)?.containers[c.id]) return
  withLock(netLock(name), () => {
    const net = readNet(name)
    if (!net?.containers[c.id]) return
    delete net.containers[c.id]
    saveNet(net, `release ${c.name}'s address on ${name}`)
  })
}

const plugLines = (e: Entry, net: Net, ns: string) => [
  `link add ${e.veth} type veth peer name ${e.ifname} address ${e.mac} netns ${ns}`,
  `link set ${e.veth} master ${net.bridge} up`,
]
const addrLines = (e: Entry, primary: boolean) => [
  `addr add ${e.ip}/${e.prefix} dev ${e.ifname}`, `link set ${e.ifname} up`,
  ...(primary ? [`route add default via ${e.gateway}`] : []),
]

// /etc/hosts and /etc/resolv.conf are bind-mounted files: rewrite them in
// place (same inode), never by rename, so a running container sees updates.
function hostsText(c: Container): string {
  const lines = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback']
  const nets = live(c)
  if (nets.length) lines.push(`${nets[0][1].ip}\t${c.config.hostname} ${c.name}`)
  const seen = new Set<string>([c.name])
  for (const [name] of nets) {
    if (name === DEFAULT_NET) continue // like Docker's default bridge: no names
    for (const [id, p] of Object.entries(readNet(name)?.containers ?? {})) {
      if (id === c.id || seen.has(p.name)) continue
      seen.add(p.name)
      lines.push(`${p.ip}\t${p.name} ${id.slice(0, 12)}`)
    }
  }
  return lines.join('\n') + '\n'
}

function writeHosts(c: Container) {
  host.write(hostsFile(c.id), hostsText(c), `the container's /etc/hosts: itself${live(c).length ? ' and its peers on user networks' : ''}`, { atomic: false })
}

function writeResolv(c: Container) {
  let text = readOr('/etc/resolv.conf')
  // systemd-resolved's stub (127.0.0.53) is unreachable from a netns: use its upstream list.
  if (!/^nameserver\s+(?!127\.)/m.test(text) && fs.existsSync('/run/systemd/resolve/resolv.conf')) text = readOr('/run/systemd/resolve/resolv.conf')
  host.write(resolvFile(c.id), text, 'the container\'s /etc/resolv.conf, copied from the host', { atomic: false })
}

/** Peers on the given user networks get a current /etc/hosts. */
function refreshPeers(cid: string, names: string[]) {
  const done = new Set<string>([cid])
  for (const name of names) {
    if (name === DEFAULT_NET) continue
    for (const id of Object.keys(readNet(name)?.containers ?? {})) {
      if (done.has(id) || !fs.existsSync(hostsFile(id))) continue
      done.add(id)
      try { writeHosts(loadContainer(id)) } catch { /* removed meanwhile */ }
    }
  }
}

const containerLock = (id: string) => lockFile(`container-${id}`)

function attachable(c: Container, n: Net) {
  if (!isBridged(c)) throw new DuckerError(`container ${c.name} uses --network ${c.hostConfig.networkMode} and cannot be connected to ${n.name}`, 1)
}

/** `network connect`: live on a running container, else for its next start. */
export function connect(netRef: string, ref: string) {
  const n = findNet(netRef)
  const c0 = findContainer(ref)
  withLock(containerLock(c0.id), () => {
    const c = loadContainer(c0.id)
    attachable(c, n)
    if (c.networks[n.name]) throw new DuckerError(`endpoint with name ${c.name} already exists in network ${n.name}`, 1)
    if (c.state.status !== 'running' || !fs.existsSync(nsPath(c.id))) {
      c.networks[n.name] = { ...EMPTY }
      saveContainer(c, `connect ${c.name} to ${n.name} at its next start`)
      return
    }
    const used = new Set(Object.values(c.networks).map((e) => e.ifname))
    let idx = 0
    while (used.has(`eth${idx}`)) idx++
    const wasPrimary = live(c)[0]
    const { e, net } = allocEntry(c, n.name, idx)
    saveContainer(c, `record ${c.name}'s address on ${n.name}`)
    host.run(['ip', '-batch', '-'], `plug a veth cable from ${net.bridge} into ${c.name}'s namespace`, { input: plugLines(e, net, nsName(c.id)).join('\n') + '\n' })
    host.run(['ip', '-n', nsName(c.id), '-batch', '-'], `address ${e.ifname} and bring it up`, { input: addrLines(e, !wasPrimary).join('\n') + '\n' })
    if (!wasPrimary) addPortRules(c.id, e.ip, c.hostConfig.publish)
    writeHosts(c)
    refreshPeers(c.id, [n.name])
  })
}

/** `network disconnect`: remove the interface (and its rules) live, or from the record. */
export function disconnect(netRef: string, ref: string) {
  const n = findNet(netRef)
  const c0 = findContainer(ref)
  withLock(containerLock(c0.id), () => {
    const c = loadContainer(c0.id)
    const e = c.networks[n.name]
    if (!e) throw new DuckerError(`container ${c.id.slice(0, 12)} is not connected to network ${n.name}`, 1)
    if (c.state.status === 'running' && e.ip) {
      const wasPrimary = live(c)[0][0] === n.name
      if (wasPrimary) removePortRules(c.id, e.ip, c.hostConfig.publish)
      if (linkExists(e.veth)) host.run(['ip', 'link', 'del', e.veth], `unplug ${c.name} from ${n.name} (both veth ends go)`)
      releaseEntry(c, n.name)
      delete c.networks[n.name]
      const next = live(c)[0]
      if (wasPrimary && next) {
        host.run(['ip', '-n', nsName(c.id), 'route', 'replace', 'default', 'via', next[1].gateway], `the default route now goes via ${next[0]}`)
        addPortRules(c.id, next[1].ip, c.hostConfig.publish)
      }
      saveContainer(c, `disconnect ${c.name} from ${n.name}`)
      writeHosts(c)
      refreshPeers(c.id, [n.name])
      return
    }
    delete c.networks[n.name]
    saveContainer(c, `disconnect ${c.name} from ${n.name}`)
  })
}

/** Names of the containers (running or stopped) attached to a network. */
export const attachedTo = (n: Net) => listContainers().filter((c) => c.networks[n.name]).map((c) => c.name)

const readOr = (f: string) => { try { return fs.readFileSync(f, 'utf8') } catch { return '' } }
