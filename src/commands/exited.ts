import { exited } from '../runtime/lifecycle.js'

/** Hidden: run by ducker-init's monitor when a detached container ends. */
export default function (id: string) {
  exited(id)
  return 0
}
