import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseCpus, parseMemory, parsePidsLimit } from '../../src/runtime/cgroups.js'
import { DuckerError } from '../../src/errors.js'

const is125 = (e: unknown) => e instanceof DuckerError && e.exitCode === 125

test('--cpus: positive, at most the CPUs there are', () => {
  assert.equal(parseCpus('1.5', 4), 1.5)
  assert.equal(parseCpus('0.5', 4), 0.5)
  assert.equal(parseCpus('.25', 4), 0.25)
  assert.equal(parseCpus(undefined, 4), undefined)
  for (const bad of ['0', '-1', '5', 'abc', '', '1.5x', '0.001']) assert.throws(() => parseCpus(bad, 4), is125, bad)
  assert.throws(() => parseCpus('5', 4), /from 0\.01 to 4\.00/)
})

test('--memory: b/k/m/g binary suffixes, case-insensitive, minimum 6 MiB', () => {
  assert.equal(parseMemory('256m'), 256 * 1024 ** 2)
  assert.equal(parseMemory('64M'), 64 * 1024 ** 2)
  assert.equal(parseMemory('1g'), 1024 ** 3)
  assert.equal(parseMemory('1G'), 1024 ** 3)
  assert.equal(parseMemory('8192k'), 8 * 1024 ** 2)
  assert.equal(parseMemory('10485760'), 10 * 1024 ** 2)
  assert.equal(parseMemory('10485760b'), 10 * 1024 ** 2)
  assert.equal(parseMemory('1.5g'), 1.5 * 1024 ** 3)
  for (const bad of ['abc', '12x', '-5m', '', 'm', '1 0m']) assert.throws(() => parseMemory(bad), is125, bad)
  assert.throws(() => parseMemory('5m'), /Minimum memory limit allowed is 6MB/)
})

test('--pids-limit: integer; 0 and -1 are unlimited', () => {
  assert.equal(parsePidsLimit('100'), 100)
  assert.equal(parsePidsLimit('-1'), undefined)
  assert.equal(parsePidsLimit('0'), undefined)
  for (const bad of ['x', '1.5', '-2']) assert.throws(() => parsePidsLimit(bad), is125, bad)
})
