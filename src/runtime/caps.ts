// Capabilities: names as Docker takes them (NET_ADMIN, cap_net_admin, ALL),
// checked before anything is created; ducker-init applies the set.
import { DuckerError } from '../errors.js'
import type { Container } from './containers.js'

/** Index = capability number (linux/capability.h). */
export const CAP_NAMES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
]

/** Docker's default set: 0xa80425fb. */
export const DEFAULT_CAPS = ['CHOWN', 'DAC_OVERRIDE', 'FSETID', 'FOWNER', 'MKNOD', 'NET_RAW', 'SETGID', 'SETUID',
  'SETFCAP', 'SETPCAP', 'NET_BIND_SERVICE', 'SYS_CHROOT', 'KILL', 'AUDIT_WRITE']

/** "net_admin" / "CAP_NET_ADMIN" -> "NET_ADMIN"; "all" -> "ALL". */
export function normalizeCap(name: string): string {
  const n = String(name).toUpperCase().replace(/^CAP_/, '')
  if (n === 'ALL' || CAP_NAMES.includes(n)) return n
  throw new DuckerError(`invalid capability: ${name}`, 125)
}

export function normalizeCaps(names: string[] | undefined): string[] | undefined {
  return names?.map(normalizeCap)
}

/** The ducker-init flags for a container's capability settings. */
export function capArgs(c: Container): string[] {
  const h = c.hostConfig
  return [
    ...(h.capAdd ?? []).flatMap((x) => ['--cap-add', x]),
    ...(h.capDrop ?? []).flatMap((x) => ['--cap-drop', x]),
    ...(h.privileged ? ['--privileged'] : []),
  ]
}
