import * as host from '../host/gateway.js'
import { commit } from '../runtime/commit.js'
import { normalizeRef } from '../runtime/images.js'

export default async function commitCmd(container: string, repo: string | undefined) {
  if (repo) normalizeRef(repo) // bad names fail before anything is written
  const img = await commit(container, repo)
  if (!host.isDry()) process.stdout.write(`sha256:${img.id}\n`) // stdout is the script
  return 0
}
