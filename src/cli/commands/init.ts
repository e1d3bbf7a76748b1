import type { Command } from 'commander';
// Heavy modules load inside the actions, so `sluice --help` starts fast (test/cli/startup.test.ts).

/** `sluice init [DIR]`: creates a project (refuses to overwrite one). */
export function register(program: Command): void {
  program
    .command('init')
    .description('create a Sluice project: sluice.yaml (every setting, commented), flows/main.flow.yaml (a starter recipe), inbox/, .gitignore')
    .argument('[dir]', 'project folder', '.')
    .action(async (dir: string) => {
      const { initProject } = await import('../../pipeline/project/initProject.js');
      const created = initProject(dir);
      process.stdout.write(`created ${created.join(', ')} in ${dir}\nnext: edit sluice.yaml, then \`sluice serve\`\n`);
    });
}
