import { html, type SafeHtml } from '../../core/html.js';

/** The page frame: no external requests, readable on a phone, usable by keyboard. */
export function layout(title: string, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Sluice</title>
<style>
body{font-family:system-ui,sans-serif;max-width:48rem;margin:1.5rem auto;padding:0 1rem;line-height:1.45;color:#1d2330}
h1{font-size:1.4rem} table{border-collapse:collapse} td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}
.pass{color:#13702b}.fail{color:#b3261e;font-weight:600}.review{color:#a35200;font-weight:600}.warn{background:#fff4e5;padding:.5rem 1rem;border-left:4px solid #e08a00}
.refused{background:#fdecea;padding:.8rem 1rem;border-left:4px solid #b3261e}.done{background:#e8f5e9;padding:.8rem 1rem;border-left:4px solid #13702b}
textarea,input[type=text]{width:100%;box-sizing:border-box;font:inherit;padding:.4rem} button{font:inherit;padding:.5rem 1.2rem;margin:.5rem .5rem 0 0;cursor:pointer}
button:focus,textarea:focus{outline:3px solid #3b6fd8} pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;font-size:.85rem}
</style></head><body>
<main>${body}</main>
</body></html>`.toString();
}
