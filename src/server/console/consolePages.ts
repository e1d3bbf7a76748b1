import type { Role } from '../auth/AuthGate.js';

/** One page of the console, declared once: its route, the navigation bar, the docs and the page tests derive from it. */
export interface ConsolePageDef {
  /** Path under the console's base; `:name` parts are parameters. */
  readonly path: string;
  /** The page's title; the navigation label when the page is in the bar. */
  readonly title: string;
  /** Listed in the navigation bar (in list order), for users who may open it. */
  readonly nav: boolean;
  /** The least role that may open it: the others get 403, the anonymous 401. */
  readonly role: Role;
  /** What the page shows: its OpenAPI description and its line in docs/console.md. */
  readonly summary: string;
}

/**
 * Every console page (server-rendered HTML, GET). Adding a page: a line here, its render
 * function in `pages/`, and its handler registered with `pageRoute` in a route file
 * (test/server/console/pageConformance.test.ts then checks roles, headers and escaping).
 * Forms (POST) and the embedded reports are routes of these pages, not pages.
 */
export const CONSOLE_PAGES = [
  { path: '/', title: 'Inbox', nav: true, role: 'viewer', summary: 'The approvals waiting for the signed-in user' },
  { path: '/executions', title: 'Executions', nav: true, role: 'viewer', summary: 'Executions, newest first, 25 a page (state filter, file search)' },
  {
    path: '/executions/:id',
    title: 'Execution',
    nav: false,
    role: 'viewer',
    summary: 'The execution: findings, drift, decision form, pipeline diagram, report, timeline',
  },
  { path: '/reports', title: 'Reports', nav: true, role: 'viewer', summary: 'Batch reports, newest first' },
  { path: '/features', title: 'Features', nav: true, role: 'viewer', summary: 'The feature groups' },
  { path: '/features/:group', title: 'Feature group', nav: false, role: 'viewer', summary: 'The group: schema, sample records, and the record of ?id=' },
  { path: '/models', title: 'Models', nav: true, role: 'viewer', summary: 'The registered models' },
  {
    path: '/models/:name',
    title: 'Model',
    nav: false,
    role: 'viewer',
    summary: 'The model: leaderboard, champion, versions and history; promote and roll back (admin)',
  },
  {
    path: '/endpoint',
    title: 'Endpoint',
    nav: true,
    role: 'viewer',
    summary: 'The endpoint: the model it serves, its version, and a form to try a prediction',
  },
  { path: '/settings', title: 'Settings', nav: true, role: 'viewer', summary: 'The configuration, secrets redacted' },
  { path: '/audit', title: 'Audit', nav: true, role: 'approver', summary: 'The audit log, newest first, 50 a page' },
] as const satisfies readonly ConsolePageDef[];

export type ConsolePagePath = (typeof CONSOLE_PAGES)[number]['path'];

/** A section of the navigation bar (the title of a page listed there). */
export type Section = Extract<(typeof CONSOLE_PAGES)[number], { nav: true }>['title'];

/** The definition of a page by its path. */
export function consolePage(path: ConsolePagePath): ConsolePageDef {
  return CONSOLE_PAGES.find((p) => p.path === path)!;
}
