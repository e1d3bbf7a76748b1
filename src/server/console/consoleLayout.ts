import { html, raw, type SafeHtml } from '../../core/html.js';
import { hasRole, type User } from '../auth/AuthGate.js';
import { CONSOLE_PAGES, type Section } from './consolePages.js';

export type { Section } from './consolePages.js';

/** The navigation bar's sections, in order (the pages of CONSOLE_PAGES listed there). */
const NAV = CONSOLE_PAGES.filter((p) => p.nav);

/** Who is looking and where the console lives: every page's frame needs it. */
export interface Frame {
  base: string;
  user: User;
  /** CSRF token for the logout form. */
  logoutCsrf: string;
  projectName: string;
}

// Inline CSS only (the CSP allows no external style or script). Layout in one column on a
// phone; tables scroll sideways inside their own box instead of widening the page.
const CSS = `
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;line-height:1.45;color:#1d2330;background:#fafbfc}
a{color:#1f4fb8}
.skip{position:absolute;left:-999px;top:0;background:#fff;padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem;top:.5rem}
.sr{position:absolute;left:-9999px;width:1px;height:1px;overflow:hidden}
header{background:#1d2330;color:#fff;padding:.4rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.3rem 1rem}
header .brand{font-weight:700;color:#fff;text-decoration:none;margin-right:.5rem}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.1rem .2rem}
nav a{color:#dfe6f3;text-decoration:none;padding:.35rem .55rem;border-radius:4px;display:inline-block}
nav a[aria-current=page]{background:#3b4a66;color:#fff}
nav a:hover{background:#2c3850}
.who{margin-left:auto;display:flex;align-items:center;gap:.5rem;font-size:.9rem}
.who form{margin:0}.who button{margin:0;padding:.25rem .7rem}
main{max-width:72rem;margin:0 auto;padding:1rem}
h1{font-size:1.45rem;margin:.4rem 0 .8rem}h2{font-size:1.15rem;margin-top:1.6rem}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;margin:.3rem 0 1rem;background:#fff}
td,th{padding:.3rem .6rem;border-bottom:1px solid #dde1e7;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums}
.pass,.ok{color:#13702b}.fail,.bad{color:#b3261e;font-weight:600}.review{color:#a35200;font-weight:600}
.drift-pictures{display:flex;flex-wrap:wrap;gap:12px}.drift-figure{margin:0;border:1px solid #ddd;border-radius:6px;padding:8px;max-width:400px}.drift-figure figcaption{font-size:.85rem}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:.8rem;font-size:.82rem;background:#e8ebf0;color:#1d2330}
.badge.waiting{background:#fff4e5}.badge.succeeded{background:#e8f5e9}.badge.failed{background:#fdecea}.badge.running{background:#e3ecfb}
.warn{background:#fff4e5;padding:.5rem 1rem;border-left:4px solid #e08a00;margin:.8rem 0}
.refused{background:#fdecea;padding:.6rem 1rem;border-left:4px solid #b3261e;margin:.8rem 0}
.done{background:#e8f5e9;padding:.6rem 1rem;border-left:4px solid #13702b;margin:.8rem 0}
.muted{color:#5b6475}
form.inline{display:inline}
label{display:block;margin:.6rem 0 .2rem;font-weight:600}
textarea,input[type=text],input[type=search],select{width:100%;max-width:36rem;font:inherit;padding:.4rem;border:1px solid #9aa3b2;border-radius:4px;background:#fff}
.filters{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end}.filters label{margin:0 0 .2rem}.filters>div{min-width:12rem}
button{font:inherit;padding:.45rem 1.1rem;margin:.5rem .5rem 0 0;cursor:pointer;border:1px solid #5b6475;border-radius:4px;background:#fff}
button.primary{background:#1f4fb8;color:#fff;border-color:#1f4fb8}button.danger{background:#b3261e;color:#fff;border-color:#b3261e}
a:focus-visible,button:focus-visible,input:focus-visible,textarea:focus-visible,select:focus-visible,iframe:focus-visible,summary:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
pre{background:#f0f2f5;padding:.6rem;overflow-x:auto;font-size:.85rem}
.pager{display:flex;gap:1rem;align-items:center;margin:.5rem 0}
.report{width:100%;height:70vh;border:1px solid #dde1e7;background:#fff}
svg.pipeline{max-width:100%;height:auto}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.kv dt{font-weight:600}dl.kv dd{margin:0}
@media (max-width:40rem){main{padding:.6rem}.who{margin-left:0}td,th{padding:.25rem .4rem}h1{font-size:1.25rem}
table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}table.stack thead{display:none}
table.stack tr{border-bottom:2px solid #c4cad4;padding:.3rem 0}table.stack td{border:0;padding:.1rem .4rem}
table.stack td[data-label]:not([data-label=""])::before{content:attr(data-label) ": ";font-weight:600;color:#5b6475}}
`;

// `raw` only for the constant CSS above, never for data.
/**
 * The console's page frame: a skip link, the navigation bar (current section marked with
 * `aria-current`), the signed-in user with a logout button, and the page body. Everything from
 * data goes through `html`, so it is escaped.
 */
export function consoleLayout(frame: Frame, title: string, active: Section | undefined, body: SafeHtml): string {
  const b = frame.base;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Sluice</title>
<link rel="icon" href="data:,">
<style>${raw(CSS)}</style></head><body>
<a class="skip" href="#main">Skip to content</a>
<header>
<a class="brand" href="${b}/">Sluice <span class="muted">${frame.projectName}</span></a>
<nav aria-label="Console"><ul>${NAV.filter((p) => hasRole(frame.user.role, p.role)).map((p) => html`<li><a href="${b}${p.path}"${p.title === active ? html` aria-current="page"` : ''}>${p.title}</a></li>`)}</ul></nav>
<div class="who"><span>${frame.user.name} <span class="badge">${frame.user.role}</span></span>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${frame.logoutCsrf}"><button type="submit">Log out</button></form></div>
</header>
<main id="main" tabindex="-1">${body}</main>
</body></html>`.toString();
}
