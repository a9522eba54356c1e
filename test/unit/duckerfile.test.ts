import assert from 'node:assert/strict'
import { test } from 'node:test'
import { exposePort, pairs, parseDuckerfile, words } from '../../src/runtime/duckerfile.js'
import { clean, globRegex, isIgnored, parseIgnore } from '../../src/runtime/ignore.js'
import { unsafePath } from '../../src/runtime/layers.js'

const errorOf = (f: () => unknown) => { try { f(); return '' } catch (e) { return (e as Error).message } }

test('instructions: comments, blank lines, continuations, case-insensitive names, line numbers', () => {
  const ins = parseDuckerfile('# c\n\nfrom alpine\nRUN echo a \\\n  # inner comment\n  && echo b\nenv A=1\n')
  assert.deepEqual(ins.map((i) => [i.line, i.op]), [[3, 'FROM'], [4, 'RUN'], [7, 'ENV']])
  assert.equal(ins[1].args, 'echo a   && echo b')
})

test('RUN/CMD exec form vs shell form; malformed JSON names the line', () => {
  const [, run, cmd] = parseDuckerfile('FROM alpine\nRUN ["a", "b c"]\nCMD echo hi\n')
  assert.deepEqual(run.exec, ['a', 'b c'])
  assert.equal(cmd.exec, undefined)
  assert.match(errorOf(() => parseDuckerfile('FROM alpine\n\nCMD ["a", \n')), /^Duckerfile line 3: CMD: malformed JSON array/)
})

test('errors: unknown instruction, missing FROM, second FROM, unsupported ones', () => {
  assert.match(errorOf(() => parseDuckerfile('FROM a\nFOO x\n')), /line 2: unknown instruction: FOO/)
  assert.match(errorOf(() => parseDuckerfile('RUN true\n')), /line 1: no FROM/)
  assert.match(errorOf(() => parseDuckerfile('ARG X=1\nRUN true\n')), /line 2: no FROM/)
  assert.match(errorOf(() => parseDuckerfile('FROM a\nFROM b\n')), /line 2: multi-stage/)
  assert.match(errorOf(() => parseDuckerfile('FROM a\nUSER nobody\n')), /line 2: USER is not supported/)
  assert.match(errorOf(() => parseDuckerfile('FROM a\nCOPY onlyone\n')), /line 2: COPY needs at least one source/)
  assert.match(errorOf(() => parseDuckerfile('FROM a\nCOPY --from=x a b\n')), /line 2: COPY --from is not supported/)
})

test('words: quotes, escapes and $VAR expansion', () => {
  const v = { A: 'x', EMPTY: '' }
  assert.deepEqual(words(`$A \${A}y "q $A" 'n $A' \\$A \${EMPTY:-def} \${A:+alt} \${NOPE}z`, v, 1), ['x', 'xy', 'q x', 'n $A', '$A', 'def', 'alt', 'z'])
})

test('ENV/LABEL pairs: K=V forms and the legacy K V form', () => {
  const ins = { line: 1, op: 'ENV' as const }
  assert.deepEqual(pairs('A=1 B="two words" C=$A', { A: '1' }, ins), [['A', '1'], ['B', 'two words'], ['C', '1']])
  assert.deepEqual(pairs('NAME some value', {}, ins), [['NAME', 'some value']])
  assert.match(errorOf(() => pairs('NAME', {}, ins)), /needs a value/)
})

test('EXPOSE ports', () => {
  assert.equal(exposePort('8080', 1), '8080/tcp')
  assert.equal(exposePort('53/UDP', 1), '53/udp')
  assert.match(errorOf(() => exposePort('99999', 4)), /line 4: EXPOSE: invalid port/)
})

test('.duckerignore: globs, **, directories, exceptions', () => {
  const rules = parseIgnore('# comment\n*.log\n/build\n**/tmp\nsecret/*\n!secret/keep.txt\n')
  assert.equal(isIgnored('a.log', rules), true)
  assert.equal(isIgnored('sub/a.log', rules), false)
  assert.equal(isIgnored('build/x/y', rules), true)
  assert.equal(isIgnored('deep/er/tmp/f', rules), true)
  assert.equal(isIgnored('secret/key', rules), true)
  assert.equal(isIgnored('secret/keep.txt', rules), false)
  assert.equal(isIgnored('app.sh', rules), false)
})

test('globs and path cleaning', () => {
  assert.ok(globRegex('*.conf').test('a.conf'))
  assert.ok(!globRegex('*.conf').test('d/a.conf'))
  assert.ok(globRegex('file?.[ab]').test('file1.b'))
  assert.equal(clean('./a//b/../c/'), 'a/c')
  assert.equal(clean('../x'), '../x')
})

test('archive entry paths: absolute and .. refused', () => {
  assert.equal(unsafePath('etc/passwd'), undefined)
  assert.equal(unsafePath('./etc/..x'), undefined)
  assert.equal(unsafePath('/etc/passwd'), 'absolute path')
  assert.equal(unsafePath('a/../../etc'), '".." component')
})
