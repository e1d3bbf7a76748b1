import type { Command } from 'commander';

/** Placeholder until the Data Wrangler importer lands: adds nothing. */
export function registerFlowImport(_flow: Command): void {}
