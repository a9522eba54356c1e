import { test } from 'node:test'
import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { findLesson, loadLessonFile, loadLessons, substitute, validateLesson } from '../../src/runtime/lessons.js'

const repoLessons = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'lessons')
const good = () => ({ name: 'x', title: 'T', summary: 'S', steps: [{ title: 'a', explain: 'b', ducker: 'ps -a' }] })
const bad = (mutate: (d: any) => void, re: RegExp) => {
  const d: any = good()
  mutate(d)
  assert.throws(() => validateLesson(d, 'lessons/x.yaml'), re)
}

test('a minimal lesson validates', () => {
  const l = validateLesson(good(), 'lessons/x.yaml')
  assert.equal(l.steps[0].ducker, 'ps -a')
  assert.equal(l.file, 'lessons/x.yaml')
})

test('errors name the file and the field', () => {
  bad((d) => { delete d.title }, /lessons\/x\.yaml: title: required/)
  bad((d) => { d.name = 'y' }, /lessons\/x\.yaml: name: "y" must match/)
  bad((d) => { d.steps = [] }, /x\.yaml: steps: required, a non-empty list/)
  bad((d) => { d.steps[0].title = 3 }, /x\.yaml: steps\[0\]\.title: required/)
  bad((d) => { d.steps.push({ title: 't', explain: 'e' }) }, /x\.yaml: steps\[1\]: needs a ducker command or look/)
  bad((d) => { d.steps[0].explian = 'typo' }, /x\.yaml: steps\[0\]\.explian: unknown field/)
  bad((d) => { d.extra = 1 }, /x\.yaml: extra: unknown field/)
  bad((d) => { d.steps[0].look = [1] }, /steps\[0\]\.look: expected a command/)
  bad((d) => { d.steps[0].cleanup = {} }, /steps\[0\]\.cleanup: expected a command/)
  bad((d) => { d.steps[0].expect = 300 }, /steps\[0\]\.expect: expected an exit code/)
  bad((d) => { d.steps[0].ducker = 'ducker ps' }, /steps\[0\]\.ducker: give the arguments only/)
  assert.throws(() => validateLesson([1], 'f.yaml'), /f\.yaml: \(top level\)/)
})

test('a single look or cleanup command may be a plain string', () => {
  const d: any = good()
  d.steps[0].look = 'ls /'
  d.steps[0].cleanup = 'ducker rm -f a'
  const l = validateLesson(d, 'lessons/x.yaml')
  assert.deepEqual(l.steps[0].look, ['ls /'])
  assert.deepEqual(l.steps[0].cleanup, ['ducker rm -f a'])
})

test('malformed YAML names the file', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lessons-'))
  const f = path.join(dir, 'broken.yaml')
  fs.writeFileSync(f, 'name: broken\nsteps: [\n')
  await assert.rejects(loadLessonFile(f), (e: Error) => e.message.startsWith(`${f}: not valid YAML`))
  await assert.rejects(findLesson('nope', dir), /no walkthrough named "nope"/)
  fs.rmSync(dir, { recursive: true })
})

test('substitute replaces known variables only', () => {
  assert.equal(substitute('web-$X ${X}x $PID ${HOME} $XY', { X: 'ab' }), 'web-ab abx $PID ${HOME} $XY')
})

test('every shipped lesson is valid, 5 to 10 steps, and names things with $X', async () => {
  const lessons = await loadLessons(repoLessons)
  const names = lessons.map((l) => l.name)
  for (const n of ['namespaces', 'rootfs', 'cgroups', 'networking', 'images']) assert.ok(names.includes(n), n)
  for (const l of lessons) {
    assert.ok(l.steps.length >= 5 && l.steps.length <= 10, `${l.name}: ${l.steps.length} steps`)
    // Every --name / network / tag a lesson creates carries the random suffix.
    for (const s of l.steps) {
      for (const m of (s.ducker ?? '').matchAll(/--name[ =](\S+)/g)) assert.match(m[1], /\$X|\$\{X\}/, `${l.name}: ${m[1]}`)
    }
  }
})
