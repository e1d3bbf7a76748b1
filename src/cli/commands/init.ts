import type { Command } from 'commander';
import { initProject } from '../../pipeline/project/initProject.js';

/** `sluice init [DIR]`: creates a project (refuses to overwrite one). */
export function register(program: Command): void {
  program
    .command('init')
    .description('create a Sluice project: sluice.yaml (every setting, commented), flows/, inbox/, .gitignore')
    .argument('[dir]', 'project folder', '.')
    .action((dir: string) => {
      const created = initProject(dir);
      process.stdout.write(`created ${created.join(', ')} in ${dir}\nnext: edit sluice.yaml, then \`sluice serve\`\n`);
    });
}
