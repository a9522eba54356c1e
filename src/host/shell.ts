// POSIX sh rendering of argv, for --explain and --dry-run.
// zx's quote() emits bash's $'..' form, which dash does not read, so the
// dry-run script (a product output meant for `sh`) needs its own quoting.

// A value only known at run time (a PID, an exit status). In dry-run mode the
// gateway hands these out instead of real values; the renderer turns each into
// a shell variable reference.
const TOKEN = /@@DUCKER_VAR_([A-Z_][A-Z0-9_]*)@@/g
export const varToken = (name: string) => `@@DUCKER_VAR_${name}@@`
export const hasVar = (s: string) => s.search(TOKEN) >= 0

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/

// Display aliases: long paths (the data root, a container's directory)
// shown as ${R}, ${C} in --explain and --dry-run, defined once up front.
const aliases: [string, string][] = []
export function addAlias(name: string, value: string) {
  aliases.push([name, value])
  aliases.sort((a, b) => b[1].length - a[1].length)
}
function abbrev(word: string): string {
  for (const [name, value] of aliases) {
    if (word === value || word.includes(value + '/') || word.endsWith(value)) word = word.split(value).join(varToken(name))
  }
  return word
}

/** Quote one word for POSIX sh; runtime variables become "${NAME}". */
export function shq(word: string): string {
  word = abbrev(word)
  if (word === '') return "''"
  if (!hasVar(word)) return SAFE.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
  // Double quotes so ${VAR} expands; escape what is special inside them.
  const esc = word.replace(/[\\"`$]/g, (c) => '\\' + c)
  return '"' + esc.replace(/@@DUCKER_VAR_([A-Z_][A-Z0-9_]*)@@/g, '${$1}') + '"'
}

export const shline = (argv: readonly string[]) => argv.map(shq).join(' ')

/** A here-document that writes `content` to `path` exactly. */
export function heredoc(path: string, content: string, mode?: number): string {
  let tag = 'DUCKER_EOF'
  while (content.includes(tag)) tag += '_'
  const body = content.endsWith('\n') ? content : content + '\n'
  const trim = content.endsWith('\n') ? '' : ` && truncate -s -1 ${shq(path)}`
  const chmod = mode !== undefined ? ` && chmod ${mode.toString(8)} ${shq(path)}` : ''
  if (!hasVar(content)) return `cat > ${shq(path)} <<'${tag}'${trim}${chmod}\n${body}${tag}`
  const esc = body.replace(/[\\`$]/g, (c) => '\\' + c)
  const expanded = esc.replace(/@@DUCKER_VAR_([A-Z_][A-Z0-9_]*)@@/g, '${$1}')
  return `cat > ${shq(path)} <<${tag}${trim}${chmod}\n${expanded}${tag}`
}
