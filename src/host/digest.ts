// Digests a --dry-run script computes at run time: the value is not known
// when the script is written (a layer tar it will create, a config naming
// such a layer), so the script hashes it and later steps use ${NAME}.
import { scriptOnly } from './gateway.js'
import { shq, varToken } from './shell.js'

/** NAME=sha256 of `content` (exact bytes, no newline added); returns ${NAME}'s token. */
export function sha256Var(content: string, name: string, why: string): string {
  scriptOnly(`${name}=$(printf '%s' ${shq(content)} | sha256sum | cut -d' ' -f1)`, why)
  return varToken(name)
}

/** NAME=sha256 of a file the script made; NAME_SHORT its first 12 digits. */
export function sha256FileVar(file: string, name: string, why: string): string {
  scriptOnly(`${name}=$(sha256sum < ${shq(file)} | cut -d' ' -f1)\n${name}_SHORT=$(printf '%.12s' "$${name}")`, why)
  return varToken(name)
}
