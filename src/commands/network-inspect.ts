import { DuckerError } from '../errors.js'
import { findNet, type Net } from '../runtime/bridges.js'
import { nothingToShow } from './read-only.js'

export function networkView(n: Net) {
  return {
    Name: n.name, Id: n.id, Created: n.created, Scope: 'local', Driver: n.driver,
    IPAM: { Driver: 'default', Config: [{ Subnet: n.subnet, Gateway: n.gateway, ...(n.ipRange ? { IPRange: n.ipRange } : {}) }] },
    Containers: Object.fromEntries(Object.entries(n.containers).map(([id, e]) => [id, { Name: e.name, MacAddress: e.mac, IPv4Address: `${e.ip}/${n.subnet.split('/')[1]}`, Interface: e.ifname, HostVeth: e.veth }])),
    Options: { 'com.docker.network.bridge.name': n.bridge },
  }
}

export default function networkInspect(refs: string[]) {
  if (nothingToShow('network inspect')) return
  const out: unknown[] = []
  let failed = false
  for (const ref of refs) {
    try { out.push(networkView(findNet(ref))) } catch (e) {
      if (!(e instanceof DuckerError)) throw e
      failed = true
      process.stderr.write(`ducker: ${e.message}\n`)
    }
  }
  process.stdout.write(JSON.stringify(out, null, 4) + '\n')
  return failed ? 1 : 0
}
