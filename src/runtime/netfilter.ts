// iptables rules, rendered as `iptables-restore --noflush` input: one process
// per change, and the printed step is the rule text itself. Every rule lives
// in ducker's own chains, jumped to from the built-in ones:
//   nat    DUCKER              DNAT of published ports (traffic to a local address)
//   nat    DUCKER-POSTROUTING  MASQUERADE of each subnet leaving by another link,
//                              and of host-local sources (127.0.0.1) entering a bridge
//   filter DUCKER-FORWARD      ACCEPT to and from each bridge
import * as host from '../host/gateway.js'
import { withLock } from '../host/lock.js'
import type { PortBinding } from './containers.js'

type Table = Record<'nat' | 'filter', string[]>

function restoreText(t: Table): string {
  let s = ''
  for (const [table, lines] of Object.entries(t)) if (lines.length) s += `*${table}\n${lines.join('\n')}\nCOMMIT\n`
  return s
}

function restore(t: Table, why: string, allowFail = false) {
  const input = restoreText(t)
  if (!input) return 0
  return host.run(['iptables-restore', '--noflush'], why, { input, allowFail }).code
}

const JUMPS: Table = {
  nat: ['-A PREROUTING -m addrtype --dst-type LOCAL -j DUCKER',
    '-A OUTPUT -m addrtype --dst-type LOCAL -j DUCKER',
    '-A POSTROUTING -j DUCKER-POSTROUTING'],
  filter: ['-I FORWARD 1 -j DUCKER-FORWARD'],
}

/** The chains and the jumps into them; created once, with the first network.
 * iptables is host-wide while locks live in each data root, so this takes a
 * host-wide lock: a second `:DUCKER` declaration would flush the chain. */
export function ensureSkeleton() {
  withLock(HOST_LOCK, () => {
    const probe = host.run(['iptables', '-t', 'nat', '-n', '-L', 'DUCKER-POSTROUTING'], 'are ducker\'s chains already there?', { allowFail: true })
    if (probe.code !== 0 || host.isDry()) {
      restore({ nat: [':DUCKER - [0:0]', ':DUCKER-POSTROUTING - [0:0]', ...JUMPS.nat], filter: [':DUCKER-FORWARD - [0:0]', ...JUMPS.filter] },
        'ducker\'s own chains, jumped to from the built-in ones: easy to list (iptables-save | grep DUCKER) and to remove')
      return
    }
    const jump = host.run(['iptables', '-t', 'nat', '-C', 'POSTROUTING', '-j', 'DUCKER-POSTROUTING'], 'and the jumps into them?', { allowFail: true })
    if (jump.code !== 0) restore(JUMPS, 'the jumps into ducker\'s chains were gone: put them back')
  })
}

const HOST_LOCK = '/run/ducker/iptables.lock'

function bridgeRules(bridge: string, subnet: string): Table {
  return {
    nat: [`-A DUCKER-POSTROUTING -s ${subnet} ! -o ${bridge} -j MASQUERADE`,
      `-A DUCKER-POSTROUTING -o ${bridge} -m addrtype --src-type LOCAL -j MASQUERADE`],
    filter: [`-A DUCKER-FORWARD -i ${bridge} -j ACCEPT`, `-A DUCKER-FORWARD -o ${bridge} -j ACCEPT`],
  }
}
const asDelete = (t: Table): Table => ({ nat: t.nat.map((l) => l.replace(/^-A /, '-D ')), filter: t.filter.map((l) => l.replace(/^-A /, '-D ')) })

export function addBridgeRules(bridge: string, subnet: string) {
  // Only the bridge vanished (not a reboot)? Then its rules are still there.
  const probe = host.isDry() ? 1 : host.run(['iptables', '-t', 'nat', '-C', 'DUCKER-POSTROUTING', '-s', subnet, '!', '-o', bridge, '-j', 'MASQUERADE'], 'are this network\'s rules already there?', { allowFail: true }).code
  if (probe === 0) return
  restore(bridgeRules(bridge, subnet), `outbound NAT for ${subnet} (its source becomes the host's address on the way out); replies from 127.0.0.1 DNAT get a routable source; forwarding to and from ${bridge}`)
}

export function removeBridgeRules(bridge: string, subnet: string) {
  restore(asDelete(bridgeRules(bridge, subnet)), `remove the NAT and forwarding rules of ${bridge}`, true)
}

const tag = (cid: string) => `dk-${cid.slice(0, 12)}`

function portRules(cid: string, ip: string, ports: PortBinding[]): Table {
  return {
    nat: ports.map((p) => `-A DUCKER${p.hostIp ? ` -d ${p.hostIp}/32` : ''} -p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -m comment --comment ${tag(cid)} -j DNAT --to-destination ${ip}:${p.containerPort}`),
    filter: [],
  }
}

export function addPortRules(cid: string, ip: string, ports: PortBinding[]) {
  if (!ports.length) return
  restore(portRules(cid, ip, ports), `publish ${ports.map((p) => `${p.hostIp ? p.hostIp + ':' : ''}${p.hostPort}->${ip}:${p.containerPort}/${p.proto}`).join(', ')}: DNAT of traffic addressed to this host (from outside and from the host itself)`)
}

/** Remove exactly the rules addPortRules added; if some are already gone,
 * remove the rest one by one (tagged with the container's ID). */
export function removePortRules(cid: string, ip: string, ports: PortBinding[]) {
  if (!ports.length) return
  if (restore(asDelete(portRules(cid, ip, ports)), `unpublish the ports of ${tag(cid)}`, true) === 0 || host.isDry()) return
  const left = host.run(['iptables', '-t', 'nat', '-S', 'DUCKER'], `which rules of ${tag(cid)} are left?`, { allowFail: true }).stdout
  const mine = left.split('\n').filter((l) => l.startsWith('-A DUCKER ') && l.includes(`--comment ${tag(cid)}`))
  restore({ nat: mine.map((l) => l.replace(/^-A /, '-D ')), filter: [] }, `remove the rest of ${tag(cid)}'s DNAT rules`, true)
}
