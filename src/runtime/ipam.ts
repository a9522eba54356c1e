// IPv4 address management, pure: CIDR parsing, the first free address of a
// pool, the next free /16 for a new network. No I/O; the caller holds the lock.
import { DuckerError } from '../errors.js'

export interface Cidr { base: number; prefix: number }

export function ipToInt(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip)
  if (!m) return undefined
  const o = m.slice(1).map(Number)
  if (o.some((x) => x > 255)) return undefined
  return ((o[0] << 24) >>> 0) + (o[1] << 16) + (o[2] << 8) + o[3]
}

export const intToIp = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
const mask = (prefix: number) => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0)
export const size = (c: Cidr) => 2 ** (32 - c.prefix)
export const cidrText = (c: Cidr) => `${intToIp(c.base)}/${c.prefix}`

/** "172.20.0.0/16" -> {base, prefix}; host bits must be zero, as Docker requires. */
export function parseCidr(s: string, what = 'subnet'): Cidr {
  const m = /^([\d.]+)\/(\d{1,2})$/.exec(s)
  const ip = m ? ipToInt(m[1]) : undefined
  const prefix = m ? Number(m[2]) : NaN
  if (ip === undefined || !(prefix >= 1 && prefix <= 30)) throw new DuckerError(`invalid ${what} ${JSON.stringify(s)}: expected an IPv4 CIDR such as 172.20.0.0/16 (prefix 1-30)`, 125)
  if ((ip & mask(prefix)) >>> 0 !== ip) throw new DuckerError(`invalid ${what} ${s}: host bits are set (did you mean ${intToIp((ip & mask(prefix)) >>> 0)}/${prefix}?)`, 125)
  return { base: ip, prefix }
}

export const contains = (c: Cidr, ip: number) => ((ip & mask(c.prefix)) >>> 0) === c.base
export const within = (inner: Cidr, outer: Cidr) => inner.prefix >= outer.prefix && contains(outer, inner.base)
export const overlaps = (a: Cidr, b: Cidr) => contains(a, b.base) || contains(b, a.base)

/** The gateway, with or without a /prefix (which must match the subnet's). */
export function parseGateway(s: string, subnet: Cidr): number {
  const [addr, p] = s.split('/')
  const ip = ipToInt(addr)
  if (ip === undefined || (p !== undefined && Number(p) !== subnet.prefix)) throw new DuckerError(`invalid gateway ${JSON.stringify(s)}: expected an address of the subnet, e.g. ${intToIp(subnet.base + 1)}`, 125)
  if (!contains(subnet, ip)) throw new DuckerError(`gateway ${addr} is not in the subnet ${cidrText(subnet)}`, 125)
  if (ip === subnet.base || ip === subnet.base + size(subnet) - 1) throw new DuckerError(`gateway ${addr} is the network or broadcast address of ${cidrText(subnet)}`, 125)
  return ip
}

/** First free address of the pool (the ip-range, else the subnet): never
 * the network, gateway or broadcast address, nor one already in use. */
export function allocate(subnet: Cidr, gateway: number, used: Iterable<string>, range?: Cidr): string {
  const pool = range ?? subnet
  const taken = new Set([...used].map((u) => ipToInt(u)))
  const first = subnet.base, last = subnet.base + size(subnet) - 1
  for (let ip = pool.base; ip < pool.base + size(pool); ip++) {
    if (ip === first || ip === last || ip === gateway || taken.has(ip)) continue
    return intToIp(ip)
  }
  throw new DuckerError(`no free address left in ${cidrText(pool)}`, 125)
}

/** The next /16 from 172.19.0.0 upward that overlaps none of `busy`. */
export function nextFreeSubnet(busy: Cidr[], start = '172.19.0.0', prefix = 16): Cidr {
  const step = 2 ** (32 - prefix)
  for (let base = ipToInt(start)!; base + step <= 2 ** 32; base += step) {
    const c = { base, prefix }
    if (!busy.some((b) => overlaps(b, c))) return c
  }
  throw new DuckerError('no free subnet left: give one with --subnet', 125)
}

/** Docker's scheme: 02:42 then the four bytes of the address. */
export const macFor = (ip: string) => '02:42:' + ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join(':')

/** /proc/net/route -> destination CIDRs (the default route is skipped). */
export function routesFromProc(text: string): Cidr[] {
  const hex = (h: string) => {
    const n = parseInt(h, 16) // little-endian on x86
    return (((n & 255) << 24) >>> 0) + (((n >>> 8) & 255) << 16) + (((n >>> 16) & 255) << 8) + ((n >>> 24) & 255)
  }
  return text.split('\n').slice(1).map((l) => l.trim().split(/\s+/)).filter((f) => f.length >= 8).flatMap((f) => {
    const m = hex(f[7])
    if (m === 0) return []
    const prefix = 32 - Math.log2(((~m) >>> 0) + 1)
    return Number.isInteger(prefix) ? [{ base: (hex(f[1]) & m) >>> 0, prefix }] : []
  })
}
