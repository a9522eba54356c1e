// One error type for everything ducker reports. The CLI turns it into
// `ducker: message` (+ hint) on stderr and the exit code, in one place.
export class DuckerError extends Error {
  constructor(message: string, public exitCode = 125, public hint?: string) {
    super(message)
    this.name = 'DuckerError'
  }
}

export const fail = (message: string, exitCode = 125, hint?: string): never => {
  throw new DuckerError(message, exitCode, hint)
}
