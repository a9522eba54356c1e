import { DuckerError } from '../errors.js'
import * as host from '../host/gateway.js'
import { save } from '../runtime/archive.js'

export default async function saveCmd(images: string[], f: { output: string }) {
  if (f.output === '-' && process.stdout.isTTY && !host.isDry()) throw new DuckerError('refusing to write a binary archive to a terminal', 125, 'use -o FILE or redirect stdout')
  await save(images, f.output)
  return 0
}
