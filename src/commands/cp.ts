import { copy } from '../runtime/cp.js'

export default async function cp(src: string, dest: string): Promise<number> {
  await copy(src, dest)
  return 0
}
