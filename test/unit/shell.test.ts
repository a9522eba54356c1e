import { after, test } from 'node:test'
import fs from 'node:fs'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { heredoc, shline, shq, varToken } from '../../src/host/shell.js'

const sh = (script: string) => spawnSync('sh', ['-c', script], { encoding: 'utf8' }).stdout

test('safe words are left bare', () => {
  assert.equal(shq('ip'), 'ip')
  assert.equal(shq('lowerdir=l/abc:l/def,upperdir=/x'), 'lowerdir=l/abc:l/def,upperdir=/x')
})

test('odd arguments survive a round trip through sh', () => {
  for (const w of ['a b', "it's", '$HOME', 'new\nline', '"q"', '`id`', '\\', '', '*', '!x', '-n']) {
    assert.equal(sh(`printf '%s' ${shq(w)}`), w, JSON.stringify(w))
  }
})

test('runtime variables expand, the rest stays literal', () => {
  const w = `pid=${varToken('PID')} $x 'q'`
  assert.equal(sh(`PID=42; printf '%s' ${shq(w)}`), `pid=42 $x 'q'`)
  assert.equal(shline(['kill', varToken('PID')]), 'kill "${PID}"')
})

test('heredoc writes content exactly, with and without variables', () => {
  const f = `/tmp/ducker-unit-${process.pid}`
  after(() => fs.rmSync(f, { force: true }))
  for (const content of ['{"a": "$b"}\n', 'no newline', 'DUCKER_EOF\nx\n', `{"pid": "${varToken('PID')}", "c": "\\\\ $\`"}\n`]) {
    const got = sh(`PID=7; ${heredoc(f, content)}\ncat ${f}; rm -f ${f}`)
    assert.equal(got, content.replace(varToken('PID'), '7'), JSON.stringify(content))
  }
})
