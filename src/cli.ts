#!/usr/bin/env node
// The command line: flags and help here, one lazily-loaded module per verb
// under commands/ (every command pays Node's start-up, so keep imports lean).
import { Command, Option } from 'commander'
import { DuckerError } from './errors.js'
import * as host from './host/gateway.js'

const collect = (v: string, prev: string[] = []) => [...prev, v]
const program = new Command('ducker')
program
  .description('A small container runtime that shows the kernel primitives it uses.\nRun as root. Global flags may come before or after the command.')
  .version('0.1.0')
  .enablePositionalOptions()
  // one line, as every ducker error: the usage hint goes on the same line
  .configureOutput({ outputError: (s, w) => w(s.startsWith('error: ') ? `ducker: ${s.slice(7).trim().replace(/\s*\n\s*/g, ' ')} (run with --help for usage)\n` : s) })
  .exitOverride()

/** Every command takes the global flags too, so they work after the verb. */
function cmd(name: string, description: string, example?: string) {
  const c = program.command(name).description(description)
  c.option('--explain', 'print each underlying command, with why, as it runs')
  c.option('--dry-run', 'print the equivalent sh script; change nothing')
  c.exitOverride()
  if (example) c.addHelpText('after', `\nExample:\n  ${example.split('\n').join('\n  ')}`)
  return c
}

program.option('--explain', 'print each underlying command, with why, as it runs (also DUCKER_EXPLAIN=1)')
program.option('--dry-run', 'print the equivalent POSIX sh script and change nothing')
program.addHelpText('after', '\nExamples:\n  ducker run -d --name web -p 20080:80 alpine nc -lk -p 80 -e echo hello\n  ducker --explain run --rm alpine echo hi\n  ducker --dry-run run -d alpine sleep 60 > run.sh\n  ducker learn namespaces\n\nRun `ducker COMMAND --help` for a command\'s flags.')

/** Lazy-load commands/<file>.js and call its default export. */
const lazy = (file: string) => async (...args: unknown[]) => {
  const mod = await import(`./commands/${file}.js`)
  const code = await mod.default(...args)
  if (typeof code === 'number') process.exitCode = code
}

cmd('run', 'Create and run a new container from an image', 'ducker run -it alpine /bin/sh\nducker run -d --name web -p 8080:80 --cpus 1.5 -m 512m alpine sleep 3600')
  .argument('<image>', 'image to run (e.g. alpine)')
  .argument('[command...]', 'command and arguments (default: the image CMD)')
  .option('--name <name>', 'assign a name to the container (--name web)')
  .option('-d, --detach', 'run in the background and print the container ID')
  .option('-i, --interactive', 'keep STDIN open (-it for a shell)')
  .option('-t, --tty', 'give the command the terminal as its controlling tty')
  .option('--rm', 'remove the container when it exits')
  .option('-e, --env <KEY=value>', 'set an environment variable (-e KEY=value, or -e KEY to copy the host\'s)', collect)
  .option('-w, --workdir <dir>', 'working directory inside the container (-w /app)')
  .option('-v, --volume <spec>', 'mount a volume: /host:/ctr[:ro], NAME:/ctr, or /ctr (-v /data:/app/data)', collect)
  .option('-p, --publish <spec>', 'publish a port: [IP:][HOST:]CTR[/udp] (-p 8080:80)', collect)
  .option('--network <name>', 'connect to a network: ducker (default), NAME, none, host')
  .option('--cpus <n>', 'CPU limit in cores (--cpus 0.5)')
  .option('-m, --memory <bytes>', 'memory limit with b/k/m/g suffix (-m 256m)')
  .option('--pids-limit <n>', 'maximum number of processes (--pids-limit 100)')
  .option('--cap-add <cap>', 'add a Linux capability (--cap-add NET_ADMIN)', collect)
  .option('--cap-drop <cap>', 'drop a Linux capability (--cap-drop CHOWN)', collect)
  .option('--privileged', 'give the container all capabilities, no masked paths')
  .passThroughOptions()
  .action(lazy('run'))

cmd('ps', 'List containers', 'ducker ps -a')
  .option('-a, --all', 'show all containers (default: running only)')
  .option('-q, --quiet', 'only show container IDs')
  .action(lazy('ps'))

cmd('exec', 'Run a command in a running container', 'ducker exec -it web /bin/sh\nducker exec -e DEBUG=1 -w /app web ./script.sh')
  .argument('<container>', 'container name or ID')
  .argument('<command...>', 'command and arguments')
  .option('-i, --interactive', 'keep STDIN open')
  .option('-t, --tty', 'use the terminal as controlling tty')
  .option('-d, --detach', 'run the command in the background')
  .option('-e, --env <KEY=value>', 'set an environment variable', collect)
  .option('-w, --workdir <dir>', 'working directory inside the container')
  .passThroughOptions()
  .action(lazy('exec'))

cmd('start', 'Start one or more stopped containers', 'ducker start -ai mycontainer')
  .argument('<containers...>', 'container names or IDs')
  .option('-a, --attach', 'attach STDOUT/STDERR and forward signals')
  .option('-i, --interactive', 'attach STDIN (with -a)')
  .action(lazy('start'))

cmd('stop', 'Stop one or more running containers', 'ducker stop -t 30 web')
  .argument('<containers...>', 'container names or IDs')
  .addOption(new Option('-t, --time <seconds>', 'seconds to wait before killing').default('10'))
  .action(lazy('stop'))

cmd('rm', 'Remove one or more containers', 'ducker rm -f web')
  .argument('<containers...>', 'container names or IDs')
  .option('-f, --force', 'kill and remove a running container')
  .option('-v, --volumes', 'also remove the container\'s anonymous volumes')
  .action(lazy('rm'))

cmd('logs', 'Fetch the logs of a container', 'ducker logs -f --tail 50 web')
  .argument('<container>', 'container name or ID')
  .option('-f, --follow', 'follow the log until the container stops')
  .option('--tail <n>', 'number of lines from the end (default: all)')
  .action(lazy('logs'))

cmd('inspect', 'Show low-level information on containers or images as JSON', 'ducker inspect --format \'{{.State.Status}}\' web')
  .argument('<names...>', 'container or image names or IDs')
  .option('-f, --format <template>', 'format with a Go-template subset, e.g. {{.NetworkSettings.IPAddress}}')
  .action(lazy('inspect'))

cmd('cp', 'Copy files between a container and the host', 'ducker cp web:/app/config.json ./config.json\nducker cp ./data web:/app/data')
  .argument('<src>', 'CONTAINER:PATH, a host path, or - (tar on stdin)')
  .argument('<dest>', 'CONTAINER:PATH, a host path, or - (tar on stdout)')
  .action(lazy('cp'))

cmd('stats', 'Show containers\' resource usage from their cgroups', 'ducker stats --no-stream')
  .argument('[containers...]', 'container names or IDs (default: all running)')
  .option('--no-stream', 'print one table and exit')
  .action(lazy('stats'))

cmd('images', 'List images', 'ducker images -a')
  .option('-a, --all', 'also show untagged intermediate images')
  .option('-q, --quiet', 'only show image IDs')
  .action(lazy('images'))

cmd('build', 'Build an image from a Duckerfile', 'ducker build -t myapp:v1 .\nducker build -t myapp -f Duckerfile.dev .')
  .argument('<path>', 'build context directory')
  .option('-t, --tag <name[:tag]>', 'name and tag for the image')
  .option('-f, --file <file>', 'Duckerfile path (default PATH/Duckerfile; - for stdin)')
  .option('--no-cache', 'do not reuse layers from earlier builds')
  .action(lazy('build'))

cmd('commit', 'Create a new image from a container\'s changes', 'ducker commit web myimage:v1')
  .argument('<container>', 'container name or ID')
  .argument('[repository]', 'REPO[:TAG] for the new image')
  .action(lazy('commit'))

cmd('save', 'Save images to a tar.gz archive (OCI layout + docker manifest)', 'ducker save -o images.tar.gz app:v1 app:v2')
  .argument('<images...>', 'images to save')
  .addOption(new Option('-o, --output <file>', 'output file, - for stdout').default('image.tar.gz'))
  .action(lazy('save'))

cmd('load', 'Load images from an archive (ducker, docker or podman save)', 'ducker load -i backup.tar.gz')
  .option('-i, --input <file>', 'input file (default: stdin)')
  .action(lazy('load'))

cmd('rmi', 'Remove one or more images', 'ducker rmi -f myimage:v1')
  .argument('<images...>', 'images to remove')
  .option('-f, --force', 'remove the tag even if a container uses the image')
  .action(lazy('rmi'))

const network = program.command('network').description('Manage networks').enablePositionalOptions()
  .addHelpText('after', '\nExample:\n  ducker network create mynet && ducker run -d --network mynet --name web alpine sleep 600')
const netCmd = (name: string, d: string, ex: string) => {
  const c = network.command(name).description(d)
  c.option('--explain', 'print each underlying command as it runs').option('--dry-run', 'print the equivalent sh script')
  c.addHelpText('after', `\nExample:\n  ${ex}`)
  return c
}
netCmd('create', 'Create a bridge network', 'ducker network create --subnet 172.20.0.0/16 --gateway 172.20.0.1 mynet')
  .argument('<name>', 'network name')
  .option('--subnet <cidr>', 'subnet in CIDR form (default: next free /16 from 172.19.0.0)')
  .option('--gateway <ip>', 'gateway address (default: first host of the subnet)')
  .option('--ip-range <cidr>', 'allocate container addresses from this sub-range')
  .addOption(new Option('-d, --driver <driver>', 'network driver').default('bridge'))
  .action(lazy('network-create'))
netCmd('ls', 'List networks', 'ducker network ls -q')
  .option('-q, --quiet', 'only show network IDs')
  .action(lazy('network-ls'))
netCmd('rm', 'Remove one or more networks', 'ducker network rm mynet')
  .argument('<names...>', 'network names')
  .action(lazy('network-rm'))
netCmd('inspect', 'Show networks as JSON', 'ducker network inspect mynet')
  .argument('<names...>', 'network names')
  .action(lazy('network-inspect'))
netCmd('connect', 'Connect a container to a network', 'ducker network connect mynet web')
  .argument('<network>', 'network name').argument('<container>', 'container name or ID')
  .action(lazy('network-connect'))
netCmd('disconnect', 'Disconnect a container from a network', 'ducker network disconnect mynet web')
  .argument('<network>', 'network name').argument('<container>', 'container name or ID')
  .action(lazy('network-disconnect'))

const volume = program.command('volume').description('Manage volumes').enablePositionalOptions()
  .addHelpText('after', '\nExample:\n  ducker volume create mydata && ducker run --rm -v mydata:/data alpine ls /data')
const volCmd = (name: string, d: string, ex: string) => {
  const c = volume.command(name).description(d)
  c.option('--explain', 'print each underlying command as it runs').option('--dry-run', 'print the equivalent sh script')
  c.addHelpText('after', `\nExample:\n  ${ex}`)
  return c
}
volCmd('create', 'Create a volume', 'ducker volume create mydata').argument('[name]', 'volume name (default: generated)').action(lazy('volume-create'))
volCmd('ls', 'List volumes', 'ducker volume ls').option('-q, --quiet', 'only show volume names').action(lazy('volume-ls'))
volCmd('inspect', 'Show volumes as JSON', 'ducker volume inspect mydata').argument('<names...>', 'volume names').action(lazy('volume-inspect'))
volCmd('rm', 'Remove one or more volumes', 'ducker volume rm mydata').argument('<names...>', 'volume names').option('-f, --force', 'also remove volumes in use').action(lazy('volume-rm'))
volCmd('prune', 'Remove all unused volumes', 'ducker volume prune').action(lazy('volume-prune'))

cmd('learn', 'Guided walkthroughs of what ducker does underneath', 'ducker learn namespaces')
  .argument('[name]', 'walkthrough to run (default: list them)')
  .option('-y, --yes', 'run straight through without pausing')
  .action(lazy('learn'))

program.command('_exited', { hidden: true }).argument('<id>').action(lazy('exited'))

// Global flags, wherever they were given.
program.hook('preAction', (_root, action) => {
  const o = { ...program.opts(), ...action.opts() } as { explain?: boolean; dryRun?: boolean }
  if (o.dryRun) host.setMode('dry')
  else if (o.explain || process.env.DUCKER_EXPLAIN === '1') host.setMode('explain')
})

async function main() {
  // `ducker ... | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw e })
  try {
    await program.parseAsync(process.argv)
  } catch (e) {
    process.exitCode = report(e)
  }
  if (host.getMode() === 'dry') process.stdout.write(host.dryScript())
  else if (host.isExplain()) process.stderr.write(host.summary() + '\n')
}

function report(e: unknown): number {
  const ce = e as { code?: string; exitCode?: number }
  if (typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
    if (['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(ce.code)) return 0
    return 125 // commander already printed the message
  }
  if (e instanceof DuckerError) {
    process.stderr.write(`ducker: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}\n`)
    return e.exitCode
  }
  process.stderr.write(`ducker: ${(e as Error)?.stack ?? e}\n`)
  return 125
}

main()
