import { DuckerError } from '../errors.js'
import { findContainer } from '../runtime/containers.js'
import { stopContainer } from '../runtime/lifecycle.js'
import { eachArg } from './each.js'
import * as host from '../host/gateway.js'

export default function stop(refs: string[], f: { time: string }) {
  const t = Number(f.time)
  if (!/^\d+$/.test(f.time) || !Number.isSafeInteger(t)) throw new DuckerError(`invalid value for -t: "${f.time}" (a whole number of seconds)`, 125)
  // Several containers stop concurrently, as Docker does.
  return eachArg(refs, async (ref) => {
    await stopContainer(findContainer(ref), t)
    if (!host.isDry()) process.stdout.write(ref + '\n') // stdout is the script
  }, true)
}
