import { removeVolume } from '../runtime/volumes.js'
import { eachArg } from './each.js'

export default function volumeRm(names: string[], f: { force?: boolean }) {
  return eachArg(names, (n) => {
    removeVolume(n, !!f.force)
    process.stdout.write(n + '\n')
  })
}
