import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mergeEnv } from '../../src/runtime/lifecycle.js'
import { normalizeRef } from '../../src/runtime/images.js'
import { render } from '../../src/runtime/template.js'
import { DuckerError } from '../../src/errors.js'

test('-e overrides image env by key, PATH survives', () => {
  const env = mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=x=y'])
  assert.deepEqual(env, ['PATH=/bin', 'A=2', 'B=x=y'])
})

test('-e KEY copies the host value, or drops it', () => {
  process.env.DUCKER_UNIT_X = 'hostval'
  assert.deepEqual(mergeEnv(['PATH=/bin'], ['DUCKER_UNIT_X', 'DUCKER_UNIT_UNSET']), ['PATH=/bin', 'DUCKER_UNIT_X=hostval'])
})

test('malformed -e is a DuckerError with exit 125', () => {
  assert.throws(() => mergeEnv([], ['=x']), (e: unknown) => e instanceof DuckerError && e.exitCode === 125)
})

test('image references', () => {
  assert.equal(normalizeRef('alpine'), 'alpine:latest')
  assert.equal(normalizeRef('my/app:v1.2'), 'my/app:v1.2')
  for (const bad of ['Alpine', '../x', 'a:b:c', '', 'a b']) assert.throws(() => normalizeRef(bad), DuckerError, bad)
})

test('--format template subset', () => {
  const data = { State: { Status: 'running', Pid: 4 }, A: ['x', 'y'] }
  assert.equal(render('{{.State.Status}}/{{ .State.Pid }}', data), 'running/4')
  assert.equal(render('{{json .State}}', data), '{"Status":"running","Pid":4}')
  assert.throws(() => render('{{.Nope.X}}', data), DuckerError)
})
