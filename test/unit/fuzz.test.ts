// Property tests: the parsers of user input (Duckerfile, -p, -v, -m, --cpus,
// --pids-limit, --cap-add) never throw anything but DuckerError, and never hang.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { DuckerError } from '../../src/errors.js'

// parsePublish reads the port registry under the data root: give it an empty one
process.env.DUCKER_ROOT = path.join(os.tmpdir(), `ducker-fuzz-${process.pid}`)
const { parseDuckerfile, words, exposePort } = await import('../../src/runtime/duckerfile.js')
const { parsePublish } = await import('../../src/runtime/network.js')
const { parsePortSpecs } = await import('../../src/runtime/ports.js')
const { parseVolumes } = await import('../../src/runtime/volumes.js')
const { parseCpus, parseMemory, parsePidsLimit } = await import('../../src/runtime/cgroups.js')
const { normalizeCap } = await import('../../src/runtime/caps.js')

const RUNS = 2000
const SLOW_MS = 250

/** f(x) returns or throws a DuckerError, quickly. */
function onlyDuckerErrors<T>(f: (x: T) => unknown) {
  return (x: T) => {
    const t0 = performance.now()
    try { f(x) } catch (e) {
      if (!(e instanceof DuckerError)) throw new Error(`threw ${(e as Error)?.name}: ${(e as Error)?.message} for ${JSON.stringify(x)}`)
    }
    const ms = performance.now() - t0
    if (ms > SLOW_MS) throw new Error(`took ${ms.toFixed(0)} ms for ${JSON.stringify(x).slice(0, 200)}`)
  }
}

// Text made of the characters parsers care about, plus anything at all.
const tricky = fc.constantFrom(':', '/', '.', '..', '-', '=', '"', "'", '\\', '[', ']', ',', ' ', '\t', '\n', '$', '{', '}', '0', '1', '65535', '65536', 'tcp', 'udp', 'ro', 'rw', 'k', 'm', 'g', 'b', 'e', '+', 'x', '\u0000', '\u00e9', '#')
const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.array(tricky, { maxLength: 25 }).map((a) => a.join('')))

const OPS = ['FROM', 'RUN', 'COPY', 'ENV', 'WORKDIR', 'EXPOSE', 'CMD', 'ENTRYPOINT', 'LABEL', 'ARG', 'ADD', 'USER', 'from', 'BOGUS', '#', '']
const line = fc.tuple(fc.constantFrom(...OPS), fc.constantFrom(' ', '\t', ''), text, fc.constantFrom('', ' \\'))
  .map(([op, sep, rest, cont]) => `${op}${sep}${rest}${cont}`)
const duckerfile = fc.oneof(text, fc.array(line, { maxLength: 12 }).map((ls) => ls.join('\n')))

test('fuzz: Duckerfile parser', () => {
  fc.assert(fc.property(duckerfile, onlyDuckerErrors((src: string) => parseDuckerfile(src))), { numRuns: RUNS })
  fc.assert(fc.property(text, onlyDuckerErrors((s: string) => words(s, { A: 'x y', B: '' }, 1))), { numRuns: RUNS })
  fc.assert(fc.property(text, onlyDuckerErrors((s: string) => exposePort(s, 1))), { numRuns: RUNS })
})

test('fuzz: -p parser', () => {
  fc.assert(fc.property(fc.array(text, { maxLength: 4 }), onlyDuckerErrors((specs: string[]) => parsePortSpecs(specs))), { numRuns: RUNS })
  fc.assert(fc.property(fc.array(text, { maxLength: 3 }), onlyDuckerErrors((specs: string[]) => parsePublish(specs))), { numRuns: RUNS / 4 })
})

test('fuzz: -v parser', () => {
  fc.assert(fc.property(fc.array(text, { maxLength: 4 }), onlyDuckerErrors((specs: string[]) => parseVolumes(specs))), { numRuns: RUNS })
})

test('fuzz: -m, --cpus, --pids-limit, --cap-add parsers', () => {
  const num = fc.oneof(text, fc.double().map(String), fc.bigInt().map(String), fc.tuple(fc.double(), fc.constantFrom('', 'b', 'k', 'm', 'g', 'kb', 'MB', 'x')).map(([n, u]) => `${n}${u}`))
  fc.assert(fc.property(num, onlyDuckerErrors((v: string) => parseMemory(v))), { numRuns: RUNS })
  fc.assert(fc.property(num, onlyDuckerErrors((v: string) => parseCpus(v, 4))), { numRuns: RUNS })
  fc.assert(fc.property(num, onlyDuckerErrors((v: string) => parsePidsLimit(v))), { numRuns: RUNS })
  fc.assert(fc.property(text, onlyDuckerErrors((v: string) => normalizeCap(v))), { numRuns: RUNS })
})

test('fuzz: what the parsers accept is sane', () => {
  fc.assert(fc.property(text, (v) => {
    let n: number | undefined
    try { n = parseMemory(v) } catch { return }
    assert.ok(n === undefined || (Number.isSafeInteger(n) && n > 0), `-m ${JSON.stringify(v)} gave ${n}`)
  }), { numRuns: RUNS })
  fc.assert(fc.property(fc.array(text, { maxLength: 3 }), (specs) => {
    let ms
    try { ms = parseVolumes(specs) } catch { return }
    for (const m of ms) assert.ok(m.destination.startsWith('/'), `-v ${JSON.stringify(specs)}: destination ${m.destination}`)
  }), { numRuns: RUNS })
  fc.assert(fc.property(fc.array(text, { maxLength: 3 }), (specs) => {
    let ps
    try { ps = parsePortSpecs(specs) } catch { return }
    for (const p of ps) assert.ok(p.containerPort >= 1 && p.containerPort <= 65535 && p.hostPort >= 0 && p.hostPort <= 65535, JSON.stringify(p))
  }), { numRuns: RUNS })
})
