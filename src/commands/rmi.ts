import { DuckerError } from '../errors.js'
import { withLock } from '../host/lock.js'
import { removeImage } from '../runtime/rmi.js'
import { lockFile } from '../store/paths.js'
import * as host from '../host/gateway.js'

export default function rmi(refs: string[], f: { force?: boolean }) {
  let failed = false
  for (const ref of refs) {
    try {
      const lines = withLock(lockFile('images'), () => removeImage(ref, !!f.force))
      if (!host.isDry()) process.stdout.write(lines.map((l) => l + '\n').join('')) // stdout is the script
    } catch (e) {
      if (!(e instanceof DuckerError)) throw e
      process.stderr.write(`ducker: ${e.message}\n`)
      failed = true
    }
  }
  return failed ? 1 : 0
}
