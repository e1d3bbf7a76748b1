import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandsFor } from '../../src/cli/commands/index.js';

// runCli registers only the command a command line names (src/cli/commands/index.ts): each
// entry must register exactly the top-level command of its name, or that command would be lost.
describe('the CLI commands by name', () => {
  it("each entry registers its name's top-level command, and every top-level command is an entry", () => {
    const all = new Set<string>();
    for (const [name, register] of Object.entries(COMMANDS)) {
      const program = new Command();
      register(program);
      const names = program.commands.map((c) => c.name());
      expect(names, name).toContain(name);
      for (const n of names) all.add(n);
    }
    expect([...all].sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it('a command line naming a command registers that one; any other, every one', () => {
    expect(commandsFor(['flow', 'validate', 'x.yaml'])).toEqual([COMMANDS.flow]);
    expect(commandsFor(['restore', 'x.tar'])).toEqual([COMMANDS.backup]);
    for (const args of [[], ['--help'], ['help', 'flow'], ['nope'], ['constructor'], ['-V']])
      expect(commandsFor(args), args.join(' ')).toEqual([...new Set(Object.values(COMMANDS))]);
  });
});
