import { test } from 'node:test'
import assert from 'node:assert/strict'
import { clash, hostPortsInUse, parsePortSpec, parsePortSpecs, takenByHost } from '../../src/runtime/ports.js'

test('every -p form', () => {
  assert.deepEqual(parsePortSpec('8080:80'), { hostIp: '', hostPort: 8080, containerPort: 80, proto: 'tcp' })
  assert.deepEqual(parsePortSpec('25353:53/udp'), { hostIp: '', hostPort: 25353, containerPort: 53, proto: 'udp' })
  assert.deepEqual(parsePortSpec('8080:80/tcp'), { hostIp: '', hostPort: 8080, containerPort: 80, proto: 'tcp' })
  assert.deepEqual(parsePortSpec('127.0.0.1:8080:80'), { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, proto: 'tcp' })
  assert.deepEqual(parsePortSpec('127.0.0.1::80'), { hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, proto: 'tcp' })
  assert.deepEqual(parsePortSpec('0.0.0.0:8080:80'), { hostIp: '', hostPort: 8080, containerPort: 80, proto: 'tcp' })
  assert.deepEqual(parsePortSpec('80'), { hostIp: '', hostPort: 0, containerPort: 80, proto: 'tcp' })
  assert.deepEqual(parsePortSpec('53/udp'), { hostIp: '', hostPort: 0, containerPort: 53, proto: 'udp' })
})

test('bad -p specs are refused with the reason', () => {
  assert.throws(() => parsePortSpec('8080:80/sctp'), /tcp or udp/)
  assert.throws(() => parsePortSpec('x:80'), /"x" is not a number/)
  assert.throws(() => parsePortSpec('8080:0'), /between 1 and 65535/)
  assert.throws(() => parsePortSpec('70000:80'), /between 1 and 65535/)
  assert.throws(() => parsePortSpec('1.2.3:8080:80'), /not an IPv4 address/)
  assert.throws(() => parsePortSpec('a:b:c:d'), /too many colons/)
  assert.throws(() => parsePortSpec(''), /invalid publish spec/)
})

test('several -p flags; the same host port twice is refused', () => {
  assert.equal(parsePortSpecs(['8080:80', '8080:80/udp', '8081:81']).length, 3)
  assert.throws(() => parsePortSpecs(['8080:80', '8080:81']), /port 8080\/tcp is already allocated/)
  assert.throws(() => parsePortSpecs(['127.0.0.1:8080:80', '8080:81']), /already allocated/)
  assert.equal(parsePortSpecs(['127.0.0.1:8080:80', '127.0.0.2:8080:81']).length, 2)
  assert.equal(parsePortSpecs(['80', '80']).length, 2, 'two automatic ports do not clash')
})

test('clash: same port and protocol on overlapping addresses', () => {
  const b = (hostIp: string, hostPort: number, proto: 'tcp' | 'udp' = 'tcp') => ({ hostIp, hostPort, containerPort: 1, proto })
  assert.ok(clash(b('', 1), b('', 1)))
  assert.ok(clash(b('', 1), b('10.0.0.1', 1)))
  assert.ok(!clash(b('10.0.0.2', 1), b('10.0.0.1', 1)))
  assert.ok(!clash(b('', 1, 'udp'), b('', 1)))
  assert.ok(!clash(b('', 1), b('', 2)))
})

test('host listeners from /proc/net (tcp LISTEN only, udp any bound)', () => {
  const files: Record<string, string> = {
    '/proc/net/tcp': '  sl  local_address rem_address   st\n' +
      '   0: 0100007F:4E21 00000000:0000 0A 0\n' + // 127.0.0.1:20001 LISTEN
      '   1: 0200000A:4E22 0300000A:0050 01 0\n', // ESTABLISHED: not a listener
    '/proc/net/tcp6': '  sl  local_address rem_address   st\n' +
      '   0: 00000000000000000000000000000000:4E23 00000000000000000000000000000000:0000 0A 0\n',
    '/proc/net/udp': '  sl  local_address rem_address   st\n   0: 00000000:4E24 00000000:0000 07 0\n',
    '/proc/net/udp6': '',
  }
  const read = (f: string) => files[f] ?? ''
  const tcp = hostPortsInUse('tcp', read)
  assert.deepEqual(tcp, [{ ip: '127.0.0.1', port: 20001 }, { ip: '', port: 20003 }])
  const b = (hostIp: string, hostPort: number, proto: 'tcp' | 'udp' = 'tcp') => ({ hostIp, hostPort, containerPort: 1, proto })
  assert.ok(takenByHost(b('', 20001), tcp), '0.0.0.0 would capture 127.0.0.1:20001')
  assert.ok(!takenByHost(b('10.0.0.5', 20001), tcp))
  assert.ok(takenByHost(b('10.0.0.5', 20003), tcp), ':: listens everywhere')
  assert.ok(!takenByHost(b('', 20002), tcp))
  assert.ok(takenByHost(b('', 20004, 'udp'), hostPortsInUse('udp', read)))
})
