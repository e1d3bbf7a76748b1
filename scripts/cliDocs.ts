// Renders docs/cli.md from the commander program itself (every command, argument and option,
// with its description and default), so the reference cannot drift from the code.
// Written by `npm run docs` (scripts/genDocs.ts); test/docs.test.ts fails when it is stale.
import { readFileSync } from 'node:fs';
import { Command, type Option } from 'commander';
import { commandsFor } from '../src/cli/commands/index.js';

/** The `sluice` program as src/cli/main.ts builds it (name, description and version from package.json). */
export function buildProgram(): Command {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { description: string; version: string };
  const program = new Command().name('sluice').description(pkg.description).version(pkg.version);
  for (const register of commandsFor([])) register(program);
  return program;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function path(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

function signature(cmd: Command): string {
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`));
  const subs = cmd.commands.length > 0 ? ['<command>'] : [];
  const opts = cmd.options.length > 0 ? ['[options]'] : [];
  return [path(cmd), ...opts, ...subs, ...args].join(' ');
}

function defaultOf(o: Option): string {
  if (o.defaultValue === undefined || (o.negate && o.defaultValue === true)) return '';
  // A default computed from where the command runs (process.cwd()) is not a fixed value.
  if (o.defaultValue === process.cwd()) return 'the current folder';
  return `\`${JSON.stringify(o.defaultValue)}\``;
}

/** Text a command adds to its help (examples), captured from commander's own help output. */
function extraHelp(cmd: Command): string {
  let out = '';
  cmd.configureOutput({
    writeOut: (s) => {
      out += s;
    },
    writeErr: () => undefined,
  });
  cmd.configureHelp({ helpWidth: 100 });
  cmd.outputHelp();
  const base = cmd.helpInformation();
  return out.startsWith(base) ? out.slice(base.length).trim() : '';
}

function section(cmd: Command, lines: string[]): void {
  lines.push(`## \`${path(cmd)}\``, '', cmd.description() ? `${cmd.description()}.`.replace(/\.\.$/, '.') : '', '', '```', signature(cmd), '```', '');
  if (cmd.registeredArguments.length > 0) {
    lines.push('| argument | description |', '|---|---|');
    for (const a of cmd.registeredArguments) lines.push(`| \`${a.name()}\`${a.required ? '' : ' (optional)'} | ${cell(a.description || '')} |`);
    lines.push('');
  }
  const options = cmd.options.filter((o) => o.long !== '--version');
  if (options.length > 0) {
    lines.push('| option | description | default |', '|---|---|---|');
    for (const o of options) lines.push(`| \`${o.flags}\` | ${cell(o.description)}${o.mandatory ? ' (required)' : ''} | ${defaultOf(o)} |`);
    lines.push('');
  }
  const extra = extraHelp(cmd);
  if (extra) lines.push('```', extra, '```', '');
  if (cmd.commands.length > 0) {
    lines.push('| command | does |', '|---|---|');
    for (const c of cmd.commands) lines.push(`| [\`${path(c)}\`](#${anchor(path(c))}) | ${cell(c.description())} |`);
    lines.push('');
  }
  for (const c of cmd.commands) section(c, lines);
}

function anchor(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** docs/cli.md. */
export function renderCliDocs(program: Command = buildProgram()): string {
  const lines = [
    '# Command line reference',
    '',
    '<!-- Generated from the commander program by `npm run docs` (scripts/cliDocs.ts); do not edit by hand. -->',
    '',
    `${program.description()}.`,
    '',
    'Every command takes `-h, --help`. Errors are printed as `error[CODE]: message` with a `hint:` line and exit code 1',
    '(set `SLUICE_DEBUG=1` for a stack trace); progress goes to stderr, results to stdout.',
    '',
    '| command | does |',
    '|---|---|',
    ...program.commands.map((c) => `| [\`${path(c)}\`](#${anchor(path(c))}) | ${cell(c.description())} |`),
    '',
  ];
  for (const c of program.commands) section(c, lines);
  return (
    lines
      .join('\n')
      .replace(/\n{3,}/g, '\n\n')
      .trimEnd() + '\n'
  );
}
