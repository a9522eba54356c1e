import { after, test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { isOpaqueDir, overlayView } from '../../src/runtime/overlay-view.js'
import { resolveIn } from '../../src/runtime/inroot.js'

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'ducker-ovl-'))
after(() => fs.rmSync(base, { recursive: true, force: true }))
const root = process.getuid?.() === 0
const noRoot = root ? false : 'whiteouts (mknod) and trusted xattrs need root'

// upper over l2 (top image layer) over l1 (bottom); merged is never mounted.
let n = 0
function layout(files: Record<string, string>) {
  const dir = path.join(base, String(n++))
  for (const [p, what] of Object.entries(files)) {
    const f = path.join(dir, p)
    fs.mkdirSync(what === 'dir' ? f : path.dirname(f), { recursive: true })
    if (what === 'dir') continue
    if (what === 'whiteout') { assert.equal(spawnSync('mknod', [f, 'c', '0', '0']).status, 0); continue }
    if (what.startsWith('->')) fs.symlinkSync(what.slice(2), f)
    else fs.writeFileSync(f, what)
  }
  const merged = path.join(dir, 'merged')
  fs.mkdirSync(merged, { recursive: true })
  return { merged, upper: path.join(dir, 'upper'), lowers: [path.join(dir, 'l2'), path.join(dir, 'l1')] }
}
const read = (v: ReturnType<typeof overlayView>, o: { lowers: string[]; upper: string }, p: string) => {
  const st = v.lstat(p)
  if (!st) return undefined
  if (st.isDirectory()) return 'dir'
  if (st.isSymbolicLink()) return '->' + v.readlink(p)
  // Which layer holds it: its content says.
  for (const d of [o.upper, ...o.lowers]) {
    const f = path.join(d, path.relative(path.join(path.dirname(o.upper), 'merged'), p))
    try { if (fs.lstatSync(f).ino === st.ino) return fs.readFileSync(f, 'utf8') } catch { /* not here */ }
  }
  return '?'
}

test('overlay view: upper shadows lower layers, directories merge, files end the search', () => {
  const o = layout({
    'upper/etc/a': 'upper-a', 'l2/etc/a': 'l2-a', 'l1/etc/a': 'l1-a',
    'l2/etc/b': 'l2-b', 'l1/etc/b': 'l1-b', 'l1/etc/c': 'l1-c',
    'upper/x': 'file-over-dir', 'l1/x/y': 'hidden',
    'l1/bin/sh': 'sh',
  })
  const v = overlayView(o, () => false)
  const m = (p: string) => path.join(o.merged, p)
  assert.equal(read(v, o, m('etc/a')), 'upper-a')
  assert.equal(read(v, o, m('etc/b')), 'l2-b')
  assert.equal(read(v, o, m('etc/c')), 'l1-c')
  assert.equal(read(v, o, m('bin/sh')), 'sh')
  assert.equal(read(v, o, m('etc')), 'dir')
  assert.equal(read(v, o, m('')), 'dir')
  assert.equal(read(v, o, m('x')), 'file-over-dir')
  assert.equal(v.lstat(m('x/y')), undefined, 'a file in an upper layer hides the lower directory')
  assert.equal(v.lstat(m('etc/nope')), undefined)
  assert.ok(v.lstat('/proc/self')?.isSymbolicLink(), 'outside the merged dir: the host')
})

test('overlay view: whiteouts delete, at any layer', { skip: noRoot }, () => {
  const o = layout({
    'upper/etc/motd': 'whiteout', 'l1/etc/motd': 'motd',
    'l2/etc/apk': 'whiteout', 'l1/etc/apk/keys': 'k',
    'upper/etc/keep': 'kept', 'l1/etc/keep': 'old',
  })
  const v = overlayView(o, () => false)
  const m = (p: string) => path.join(o.merged, p)
  assert.equal(v.lstat(m('etc/motd')), undefined)
  assert.throws(() => v.readlink(m('etc/motd')), /ENOENT/)
  assert.equal(v.lstat(m('etc/apk')), undefined)
  assert.equal(v.lstat(m('etc/apk/keys')), undefined)
  assert.equal(read(v, o, m('etc/keep')), 'kept')
})

test('overlay view: an opaque directory hides what the layers below hold in it', () => {
  const o = layout({ 'upper/etc/apk/keep': 'k', 'l1/etc/apk/keys/x': 'x', 'l1/etc/apk/arch': 'a', 'l1/etc/other': 'o' })
  const asked: string[] = []
  const opaque = (d: string) => { asked.push(d); return d === path.join(o.upper, 'etc/apk') }
  const v = overlayView(o, opaque)
  const m = (p: string) => path.join(o.merged, p)
  assert.equal(read(v, o, m('etc/apk/keep')), 'k')
  assert.equal(v.lstat(m('etc/apk/keys')), undefined)
  assert.equal(v.lstat(m('etc/apk/arch')), undefined)
  assert.equal(read(v, o, m('etc/other')), 'o', 'the parent is not opaque')
  v.lstat(m('etc/apk/arch'))
  assert.equal(new Set(asked).size, asked.length, 'each directory is asked once')
})

test('overlay view: the xattr trusted.overlay.opaque=y is read with getfattr', { skip: noRoot }, () => {
  const o = layout({ 'upper/d/mine': 'm', 'l1/d/theirs': 't', 'upper/e/mine': 'm', 'l1/e/theirs': 't' })
  assert.equal(spawnSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(o.upper, 'd')]).status, 0)
  assert.equal(isOpaqueDir(path.join(o.upper, 'd')), true)
  assert.equal(isOpaqueDir(path.join(o.upper, 'e')), false)
  const v = overlayView(o)
  assert.equal(v.lstat(path.join(o.merged, 'd/theirs')), undefined)
  assert.ok(v.lstat(path.join(o.merged, 'e/theirs')))
})

test('resolveIn through an overlay view: links are followed inside the container, never on the host', () => {
  const o = layout({
    'upper/lnk': '->/etc', 'l1/etc/hostname': 'ctr-host', 'l2/up': '->../../../../..',
    'l1/rel/go': '->../etc/hostname', 'upper/etc/deep': '->/up/up/etc',
  })
  const v = overlayView(o, () => false)
  const map = { root: o.merged, mounts: [], view: v }
  const r = (p: string, f = true) => resolveIn(map, p, f)
  assert.deepEqual(r('/lnk/hostname'), { ctr: '/etc/hostname', host: path.join(o.merged, 'etc/hostname') })
  assert.equal(r('/up/etc/hostname').ctr, '/etc/hostname')
  assert.equal(r('/rel/go').ctr, '/etc/hostname')
  assert.equal(r('/rel/go', false).ctr, '/rel/go', 'a final link is kept unless followed')
  assert.equal(r('/etc/deep/hostname').ctr, '/etc/hostname')
  assert.equal(read(v, o, r('/lnk/hostname').host), 'ctr-host')
  assert.equal(v.stat(path.join(o.merged, 'rel'))?.isDirectory(), true)
  assert.equal(v.stat(path.join(o.merged, 'rel/go'))?.isFile(), true, 'stat follows a final link')
})
