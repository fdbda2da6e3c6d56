// `loom`: start the world, run one service, migrate, check dependencies, run the distributed wiring.
// Each command loads its own code when it runs, so `loom service <name>` and a mistyped command stay light.
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, isServiceName, serviceNames, type ServiceName } from '@loom/runtime';

const program = new Command('loom')
  .description('Loom: a programmable multiplayer world server')
  .showHelpAfterError();

program
  .command('start')
  .description('run every service in one process with embedded defaults (telnet 4000, HTTP 8080, UDP 5000)')
  .action(async () => (await import('./commands/start.ts')).startAllInOne());

program
  .command('service')
  .description(`run one service standalone, configured by the environment (${serviceNames.join(', ')})`)
  .argument('<name>', 'the service', (name: string) => {
    if (!isServiceName(name)) throw new InvalidArgumentError(`no service "${name}"; one of ${serviceNames.join(', ')}`);
    return name;
  })
  .action(async (name: ServiceName) => (await import('./commands/start.ts')).startService(name));

program
  .command('migrate')
  .description('apply the database migrations and exit')
  .action(async () => (await import('./commands/migrate.ts')).migrate());

program
  .command('doctor')
  .description('check every configured dependency and say what is reachable')
  .action(async () => (await import('./commands/doctor.ts')).doctor());

program
  .command('up')
  .description('run every service as its own process against PostgreSQL, Redis and RabbitMQ (defaults: localhost)')
  .option('--base-port <port>', 'put every port in a block from here instead of the defaults', (v: string) => Number(v))
  .action(async (options: { basePort?: number }) => (await import('./commands/up.ts')).up(options));

const admin = program.command('admin').description("the operator's tools");
admin
  .command('create')
  .description('create an admin account, or make an existing account admin with a new password (asks for the password)')
  .argument('<name>', 'the account name')
  .option('--password-stdin', 'read the password from the first line of standard input')
  .action(async (name: string, options: { passwordStdin?: boolean }) => (await import('./commands/admin.ts')).createAdmin(name, options));

program
  .command('commands')
  .description('print the in-game command reference (docs/commands.md)')
  .action(async () => {
    const { commandsMarkdown } = await import('@loom/world-state');
    process.stdout.write(`${commandsMarkdown()}`);
  });

program
  .command('scripting-api')
  .description("print the scripting API reference of docs/scripting.md")
  .action(async () => {
    const { scriptingApiMarkdown } = await import('@loom/script-executor');
    process.stdout.write(`${scriptingApiMarkdown()}\n`);
  });

program
  .command('config')
  .description('list every environment variable Loom reads')
  .option('--markdown', 'as a Markdown table')
  .action(async (options: { markdown?: boolean }) => (await import('./commands/config.ts')).printConfig(options));

try {
  await program.parseAsync();
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  throw error;
}
