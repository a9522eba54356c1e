import { DuckerError } from '../errors.js'

/** Docker's multi-argument rule: try each, report each failure, exit 1 if any failed. */
export async function eachArg(args: string[], f: (arg: string) => Promise<void> | void, parallel = false): Promise<number> {
  let failed = false
  const one = async (a: string) => {
    try { await f(a) } catch (e) {
      if (!(e instanceof DuckerError)) throw e
      failed = true
      process.stderr.write(`ducker: ${e.message}\n`)
    }
  }
  if (parallel) await Promise.all(args.map(one))
  else for (const a of args) await one(a)
  return failed ? 1 : 0
}
