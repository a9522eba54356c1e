import { test } from 'node:test'
import assert from 'node:assert/strict'
import { allocate, cidrText, ipToInt, macFor, nextFreeSubnet, overlaps, parseCidr, parseGateway, routesFromProc, within } from '../../src/runtime/ipam.js'

test('CIDR parsing and its errors', () => {
  assert.equal(cidrText(parseCidr('172.20.0.0/16')), '172.20.0.0/16')
  assert.equal(cidrText(parseCidr('10.1.2.128/25')), '10.1.2.128/25')
  for (const bad of ['172.20.0.0', '172.20.0.0/33', '300.1.1.0/24', 'abc/16', '10.0.0.0/0', '']) assert.throws(() => parseCidr(bad), /invalid subnet/, bad)
  assert.throws(() => parseCidr('172.20.0.1/16'), /host bits are set.*172\.20\.0\.0\/16/)
})

test('gateway with or without prefix, inside the subnet only', () => {
  const s = parseCidr('172.20.0.0/16')
  assert.equal(parseGateway('172.20.0.1', s), ipToInt('172.20.0.1'))
  assert.equal(parseGateway('172.20.0.254/16', s), ipToInt('172.20.0.254'))
  assert.throws(() => parseGateway('172.21.0.1', s), /not in the subnet/)
  assert.throws(() => parseGateway('172.20.0.1/24', s), /invalid gateway/)
  assert.throws(() => parseGateway('172.20.0.0', s), /network or broadcast/)
  assert.throws(() => parseGateway('172.20.255.255', s), /network or broadcast/)
  assert.throws(() => parseGateway('nope', s), /invalid gateway/)
})

test('allocation: first free, never network, gateway or broadcast', () => {
  const s = parseCidr('10.9.0.0/29') // .0 net, .7 broadcast
  const gw = ipToInt('10.9.0.1')!
  assert.equal(allocate(s, gw, []), '10.9.0.2')
  assert.equal(allocate(s, gw, ['10.9.0.2', '10.9.0.3']), '10.9.0.4')
  assert.equal(allocate(s, gw, ['10.9.0.2', '10.9.0.4']), '10.9.0.3', 'a released address is reused')
  assert.throws(() => allocate(s, gw, ['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6']), /no free address/)
  // gateway in the middle is skipped too
  assert.equal(allocate(s, ipToInt('10.9.0.2')!, []), '10.9.0.1')
})

test('allocation from an ip-range stays inside it', () => {
  const s = parseCidr('172.30.0.0/16'), r = parseCidr('172.30.5.0/30', 'ip-range')
  const gw = ipToInt('172.30.0.1')!
  assert.equal(allocate(s, gw, [], r), '172.30.5.0', 'inside the subnet, the range\'s first address is usable')
  assert.equal(allocate(s, gw, ['172.30.5.0', '172.30.5.1', '172.30.5.2'], r), '172.30.5.3')
  assert.throws(() => allocate(s, gw, ['172.30.5.0', '172.30.5.1', '172.30.5.2', '172.30.5.3'], r), /no free address left in 172\.30\.5\.0\/30/)
  assert.ok(within(r, s))
  assert.ok(!within(parseCidr('172.31.0.0/24'), s))
})

test('30 allocations in a row are distinct', () => {
  const s = parseCidr('172.18.0.0/16'), gw = ipToInt('172.18.0.1')!
  const used: string[] = []
  for (let i = 0; i < 30; i++) used.push(allocate(s, gw, used))
  assert.equal(new Set(used).size, 30)
  assert.equal(used[0], '172.18.0.2')
  assert.ok(!used.includes('172.18.0.1'))
})

test('next free /16 from 172.19.0.0, skipping networks and routes', () => {
  assert.equal(cidrText(nextFreeSubnet([])), '172.19.0.0/16')
  assert.equal(cidrText(nextFreeSubnet([parseCidr('172.18.0.0/16'), parseCidr('172.19.0.0/16')])), '172.20.0.0/16')
  assert.equal(cidrText(nextFreeSubnet([parseCidr('172.19.4.0/24')])), '172.20.0.0/16', 'a smaller overlapping route counts')
  assert.equal(cidrText(nextFreeSubnet([parseCidr('172.16.0.0/12')])), '172.32.0.0/16', 'a larger one too')
  assert.ok(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.1.0.0/16')))
  assert.ok(!overlaps(parseCidr('10.0.0.0/16'), parseCidr('10.1.0.0/16')))
})

test('routes from /proc/net/route', () => {
  const proc = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n' +
    'eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n' +
    'eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n' +
    'dk-1\t000014AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n'
  assert.deepEqual(routesFromProc(proc).map(cidrText), ['192.0.2.0/24', '172.20.0.0/16'])
})

test('MAC from the address, Docker style', () => {
  assert.equal(macFor('172.18.0.2'), '02:42:ac:12:00:02')
})
