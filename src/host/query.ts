// Read-only commands whose answer decides what to do (getfattr on an upper
// dir): they run in every mode, --dry-run included, because the script
// written depends on them. They change nothing, so the script only notes them.
import { spawnSync } from 'node:child_process'
import { getMode, note, run, type RunResult } from './gateway.js'
import { shline } from './shell.js'

export function query(argv: readonly string[], why: string): RunResult {
  if (getMode() !== 'dry') return run(argv, why, { allowFail: true })
  note(`${why} (read only, done while writing this script): ${shline(argv)}`)
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return { code: r.status ?? 125, stdout: r.stdout ?? '', stderr: r.stderr ?? '' }
}
