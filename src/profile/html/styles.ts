/** The report's stylesheet: inline, system fonts only (the page makes no network request). */
export const REPORT_CSS = `
:root{--fg:#1d2330;--mut:#5b6473;--bd:#e3e6eb;--bg:#f6f7f9;--card:#fff;--hi:#c62828;--me:#e08a00;--lo:#4a78c2;--ok:#2e7d32}
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#1f2a3c;color:#fff;padding:18px 32px}
header.top h1{margin:0;font-size:21px;font-weight:600}
header.top .meta{color:#c5cddb;font-size:13px;margin-top:2px}
nav{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--bd);padding:6px 32px;white-space:nowrap;overflow-x:auto}
nav a{color:var(--mut);text-decoration:none;margin-right:16px;font-size:13px}
nav a:hover{color:var(--fg)}
main{max-width:1180px;margin:0 auto;padding:20px 32px 60px}
section{background:var(--card);border:1px solid var(--bd);border-radius:8px;padding:18px 22px;margin:18px 0}
h2{font-size:18px;margin:0 0 12px;font-weight:600}
h3{font-size:15px;margin:16px 0 8px;font-weight:600}
.muted{color:var(--mut)}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--bd);vertical-align:top}
th{color:var(--mut);font-weight:600;background:#fafbfc}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict{display:flex;gap:16px;align-items:center;flex-wrap:wrap}
.big{font-size:22px;font-weight:700;padding:8px 18px;border-radius:6px;color:#fff}
.big.pass{background:var(--ok)}.big.fail{background:var(--hi)}.big.review{background:var(--me)}.big.none{background:#6b7585}
.drift-pictures{display:flex;flex-wrap:wrap;gap:12px}.drift-figure{margin:0;border:1px solid var(--bd);border-radius:6px;padding:8px;max-width:400px}.drift-figure figcaption{font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;color:#fff}
.badge.high{background:var(--hi)}.badge.medium{background:var(--me)}.badge.low{background:var(--lo)}
.badge.pass{background:var(--ok)}.badge.fail{background:var(--hi)}.badge.type{background:#eef1f5;color:#394150;font-weight:500}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.tile{border:1px solid var(--bd);border-radius:6px;padding:8px 12px}
.tile .v{font-size:20px;font-weight:600}.tile .k{color:var(--mut);font-size:12px}
.warn{border-left:4px solid var(--hi);padding:6px 12px;margin:8px 0;background:#fdf3f3;border-radius:0 4px 4px 0}
.warn .fix{color:var(--mut);font-size:13px}
code{background:#eef1f5;padding:0 4px;border-radius:3px;font-size:12.5px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px}
@media (max-width:900px){.grid2{grid-template-columns:1fr}}
details.feat{border:1px solid var(--bd);border-radius:6px;margin:8px 0;padding:0 12px}
details.feat summary{cursor:pointer;padding:8px 0;font-weight:600}
details.feat summary .muted{font-weight:400;margin-left:8px}
.feat-body{display:grid;grid-template-columns:300px 1fr;gap:18px;padding-bottom:12px}
@media (max-width:900px){.feat-body{grid-template-columns:1fr}}
svg.chart{display:block;max-width:100%;height:auto}
svg .ax,svg .lb,svg .vl{font-size:11px;fill:#4a5260}
svg .hv{font-size:10.5px;fill:#222}svg .hv.dk{fill:#fff}
.scroll{overflow-x:auto}
dl.defs dt{font-weight:600;margin-top:8px}dl.defs dd{margin:2px 0 0 0;color:#394150}
.note{background:#f3f6fb;border:1px solid #d9e2f0;border-radius:6px;padding:8px 12px;margin:8px 0;color:#394150}
`;
