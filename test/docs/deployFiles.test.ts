import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../scripts/cliDocs.js';
import { configSchema } from '../../src/core/config.js';
import { projectLayout } from '../../src/core/projectLayout.js';
import { objectStoreSettings } from '../../src/storage/objectStoreSettings.js';
import { projectStores } from '../../src/storage/projectStores.js';

/**
 * The example deployment (deploy/, docs/deployment.md) is checked against the code: the compose
 * file and the systemd units are well-formed, every `sluice ...` command line in them and in the
 * guide is accepted by the CLI's own option parser (commands, options, their values, arguments),
 * and the example sluice.yaml is a valid configuration whose stores all open.
 */

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const GUIDE = join(import.meta.dirname, '..', '..', 'docs', 'deployment.md');

/** Why `args` (after `sluice`) is not a command line the CLI accepts, or undefined when it is. */
function refusal(args: string[]): string | undefined {
  let cmd: Command = buildProgram();
  let rest = [...args];
  while (rest.length > 0 && cmd.commands.length > 0) {
    const sub = cmd.commands.find((c) => c.name() === rest[0] || c.aliases().includes(rest[0]!));
    if (!sub) return `sluice ${args.join(' ')}: no command "${rest[0]}" under "${cmd.name()}"`;
    cmd = sub;
    rest = rest.slice(1);
  }
  if (cmd.commands.length > 0) return `sluice ${args.join(' ')}: "${cmd.name()}" needs a subcommand`;
  let failure: string | undefined;
  cmd.exitOverride((e) => {
    throw e;
  });
  cmd.configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    const { operands, unknown } = cmd.parseOptions(rest);
    if (unknown.length > 0) return `sluice ${args.join(' ')}: unknown option or argument ${unknown[0]}`;
    const required = cmd.registeredArguments.filter((a) => a.required).length;
    const variadic = cmd.registeredArguments.some((a) => a.variadic);
    if (operands.length < required || (!variadic && operands.length > cmd.registeredArguments.length)) {
      return `sluice ${args.join(' ')}: ${operands.length} arguments, "${cmd.name()}" takes ${required} to ${cmd.registeredArguments.length}`;
    }
    // A value the option parser itself refuses (a choice, a number) throws above; the options given must each be known.
    for (const token of rest.filter((t) => t.startsWith('--'))) {
      const name = token.split('=')[0]!;
      if (!cmd.options.some((o) => o.long === name || o.short === name)) failure = `sluice ${args.join(' ')}: unknown option ${name}`;
    }
  } catch (e) {
    return `sluice ${args.join(' ')}: ${(e as Error).message}`;
  }
  return failure;
}

/** The arguments after the sluice program in a command line (`node /opt/sluice/bin/sluice.js serve ...` or `sluice serve ...`). */
function sluiceArgs(words: string[]): string[] | undefined {
  const at = words.findIndex((w) => w === 'sluice' || w.endsWith('/sluice') || w.endsWith('/sluice.js'));
  return at < 0 ? undefined : words.slice(at + 1);
}

/** An INI-style systemd unit: sections, each a list of [key, value]. Throws on a line that is neither. */
function parseUnit(text: string, file: string): Map<string, Array<[string, string]>> {
  const sections = new Map<string, Array<[string, string]>>();
  let current: Array<[string, string]> | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = [];
      sections.set(section[1]!, current);
      return;
    }
    const kv = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`${file}:${i + 1}: not a section header or key=value inside a section: ${raw}`);
    current.push([kv[1]!, kv[2]!]);
  });
  return sections;
}

describe('the example deployment (deploy/) and docs/deployment.md', () => {
  it('the command-line checker refuses what the CLI refuses (so the checks below can fail)', () => {
    expect(refusal(['serve', '--role', 'endpoint', '--workers', '2', '--port', '7400'])).toBeUndefined();
    expect(refusal(['serve', '--no-such-flag'])).toContain('--no-such-flag');
    expect(refusal(['serv'])).toContain('no command "serv"');
    expect(refusal(['serve', '--port'])).toContain('--port');
    expect(refusal(['models', 'promote', 'readmission'])).toContain('arguments');
    expect(refusal(['models'])).toContain('needs a subcommand');
  });

  it('the compose file is well-formed YAML whose services each run an image, and its sluice commands are accepted by the CLI', () => {
    const compose = parse(readFileSync(join(DEPLOY, 'compose.yaml'), 'utf8'), { merge: true }) as {
      services: Record<string, { image?: string; build?: unknown; command?: string[]; ports?: string[]; deploy?: { replicas?: number } }>;
    };
    const services = Object.entries(compose.services);
    expect(services.map(([name]) => name)).toEqual(expect.arrayContaining(['postgres', 'minio', 'redis', 'serve', 'worker', 'endpoint', 'lb']));
    const sluiceCommands: string[][] = [];
    for (const [name, s] of services) {
      expect(s.image ?? s.build, `service ${name} has an image or a build`).toBeDefined();
      const args = s.command ? sluiceArgs(s.command) : undefined;
      if (args) sluiceCommands.push(args);
    }
    expect(sluiceCommands.length).toBeGreaterThanOrEqual(4);
    for (const args of sluiceCommands) expect(refusal(args)).toBeUndefined();
    // N workers and M endpoint replicas; the load balancer forwards to the port the replicas listen on.
    expect(compose.services.worker!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(compose.services.endpoint!.deploy?.replicas).toBeGreaterThanOrEqual(2);
    const endpointArgs = sluiceArgs(compose.services.endpoint!.command!)!;
    const port = endpointArgs[endpointArgs.indexOf('--port') + 1];
    expect(readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8')).toContain(`server endpoint:${port}`);
  });

  it('the systemd units are well-formed, start an absolute program, and their sluice commands are accepted by the CLI', () => {
    const units = readdirSync(join(DEPLOY, 'systemd')).filter((f) => f.endsWith('.service'));
    expect(units.length).toBeGreaterThanOrEqual(3);
    for (const file of units) {
      const unit = parseUnit(readFileSync(join(DEPLOY, 'systemd', file), 'utf8'), file);
      expect([...unit.keys()], file).toEqual(['Unit', 'Service', 'Install']);
      const service = new Map(unit.get('Service')!);
      const exec = service.get('ExecStart');
      expect(exec, `${file} ExecStart`).toBeDefined();
      const words = exec!.split(/\s+/);
      expect(words[0]!.startsWith('/'), `${file}: ExecStart starts with an absolute path`).toBe(true);
      const args = sluiceArgs(words);
      expect(args, file).toBeDefined();
      expect(refusal(args!.map((a) => a.replace('%i', '1'))), file).toBeUndefined();
      expect(service.get('EnvironmentFile'), file).toBe('/etc/sluice/sluice.env');
      expect(new Map(unit.get('Install')!).get('WantedBy'), file).toBe('multi-user.target');
    }
  });

  it('the example sluice.yaml is a valid configuration: PostgreSQL state, every object store in the bucket, Redis online', () => {
    const config = configSchema.parse(parse(readFileSync(join(DEPLOY, 'sluice.yaml'), 'utf8')));
    expect(config.stores.state?.type).toBe('postgres');
    expect(config.stores.online?.type).toBe('redis');
    const stores = projectStores(projectLayout('/srv/sluice'), config.stores);
    try {
      for (const kind of ['artifacts', 'reports', 'archive', 'batches'] as const) expect(stores[kind].remote, kind).toBe(true);
    } finally {
      void stores.close();
    }
    const offline = objectStoreSettings('stores.offline', config.stores.offline, { at: (p) => p, localPath: true, defaultPrefix: 'offline' });
    expect(offline.type).toBe('s3');
  });

  it('every sluice command line in docs/deployment.md is accepted by the CLI, and the guide names every file of deploy/', () => {
    const guide = readFileSync(GUIDE, 'utf8');
    const blocks = [...guide.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const lines = blocks
      .flatMap((b) => b.replace(/\\\n\s*/g, ' ').split('\n'))
      .map((l) => l.replace(/#.*$/, '').trim())
      .filter((l) => /^(sudo -u \S+ )?sluice /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    for (const line of lines) {
      const words = line.split(/\s+/).filter((w) => w !== '');
      expect(refusal(sluiceArgs(words)!), line).toBeUndefined();
    }
    const files = readdirSync(DEPLOY, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(yaml|conf|service|example)$|Dockerfile$/.test(f));
    for (const f of files) expect(guide, f).toContain(`deploy/${f}`);
  });
});
