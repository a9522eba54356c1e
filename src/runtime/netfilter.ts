// iptables rules, rendered as `iptables-restore --noflush` input: one process
// per change, and the printed step is the rule text itself. Every rule lives
// in ducker's own chains, jumped to from the built-in ones:
//   nat    DUCKER              DNAT of published ports (traffic to a local address)
//   nat    DUCKER-POSTROUTING  MASQUERADE of each subnet leaving by another link,
//                              and of host-local sources (127.0.0.1) entering a bridge
//   filter DUCKER-FORWARD      ACCEPT to and from each bridge
import * as host from '../host/gateway.js'
import { shline } from '../host/shell.js'
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

const CHAINS = [['nat', 'DUCKER'], ['nat', 'DUCKER-POSTROUTING'], ['filter', 'DUCKER-FORWARD']]
const JUMPS = [
  ['nat', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DUCKER'],
  ['nat', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'DUCKER'],
  ['nat', 'POSTROUTING', '-j', 'DUCKER-POSTROUTING'],
  ['filter', 'FORWARD', '-j', 'DUCKER-FORWARD'],
]

/** The chains and the jumps into them; created with the first network.
 * Each piece is created only if missing (`-N`, `-C` before `-A`): declaring
 * an existing chain to iptables-restore would flush it, and the chains are
 * host-wide, shared by every data root. */
export function ensureSkeleton() {
  withLock(HOST_LOCK, () => {
    for (const [table, chain] of CHAINS) {
      const have = !host.isDry() && host.run(['iptables', '-t', table, '-n', '-L', chain], `is ducker's chain ${chain} there?`, { allowFail: true }).code === 0
      if (!have) host.run(['iptables', '-t', table, '-N', chain], `${chain}: a chain of ducker's own, easy to list and to remove`, { allowFail: host.isDry() })
    }
    for (const [table, from, ...rule] of JUMPS) {
      const why = `jump from the built-in ${from} into ducker's chain`
      if (host.isDry()) { host.scriptOnly(`iptables -t ${table} -C ${from} ${rule.join(' ')} 2>/dev/null || iptables -t ${table} ${from === 'FORWARD' ? '-I FORWARD 1' : `-A ${from}`} ${rule.join(' ')}`, why); continue }
      if (host.run(['iptables', '-t', table, '-C', from, ...rule], `${why}: already there?`, { allowFail: true }).code === 0) continue
      // FORWARD: first, ahead of any DROP a firewall may have put there
      host.run(['iptables', '-t', table, ...(from === 'FORWARD' ? ['-I', from, '1'] : ['-A', from]), ...rule], why)
    }
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
  const why = `outbound NAT for ${subnet} (its source becomes the host's address on the way out); replies from 127.0.0.1 DNAT get a routable source; forwarding to and from ${bridge}`
  // Only the bridge vanished (not a reboot)? Then its rules are still there.
  const check = ['iptables', '-t', 'nat', '-C', 'DUCKER-POSTROUTING', '-s', subnet, '!', '-o', bridge, '-j', 'MASQUERADE']
  if (host.isDry()) { host.scriptOnly(`${shline(check)} 2>/dev/null || iptables-restore --noflush <<'EOF'\n${restoreText(bridgeRules(bridge, subnet))}EOF`, why); return }
  if (host.run(check, 'are this network\'s rules already there?', { allowFail: true }).code === 0) return
  restore(bridgeRules(bridge, subnet), why)
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
