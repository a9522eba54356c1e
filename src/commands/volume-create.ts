import * as host from '../host/gateway.js'
import { createVolume } from '../runtime/volumes.js'

export default function volumeCreate(name: string | undefined) {
  const v = createVolume(name)
  if (!host.isDry()) process.stdout.write(v.name + '\n')
  return 0
}
