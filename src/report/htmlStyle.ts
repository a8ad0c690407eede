/**
 * The report's only style sheet, inlined so the file is self-contained (no network, no scripts).
 * The timeline is a grid: a narrow column per actor (lane) with a marker on the step's lane, and
 * the step's details at full width beside them, so a 30-step trace reads top to bottom and long
 * step parameters wrap instead of squeezing the lanes.
 */
export const HTML_STYLE = `
:root { --lane: 1.9rem; --ink: #1f2328; --dim: #59636e; --line: #d1d9e0; --bad: #cf222e; --bad-bg: #ffebe9;
  --ins: #1a7f37; --upd: #9a6700; --del: #cf222e; --plan: #0969da; --legacy: #8250df; --traffic: #bf3989; --drain: #59636e; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); margin: 0;
  padding: 1.5rem 2rem 3rem; max-width: 1400px; }
h1 { font-size: 1.35rem; margin: 0 0 .25rem; }
h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.dim { color: var(--dim); }
.verdict { border: 1px solid var(--bad); background: var(--bad-bg); border-radius: 6px; padding: .75rem 1rem; margin: 1rem 0; }
.verdict .invariant { font-weight: 600; color: var(--bad); }
.verdict p { margin: .35rem 0; }
pre.replay { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; white-space: pre-wrap;
  word-break: break-all; margin: .35rem 0 0; }
.timeline { display: grid; grid-template-columns: 2.6rem repeat(var(--lanes), var(--lane)) minmax(0, 1fr); column-gap: 0; }
.lane-head { position: sticky; top: 0; background: #fff; z-index: 1; border-bottom: 1px solid var(--line); padding-bottom: .3rem;
  writing-mode: vertical-rl; transform: rotate(180deg); font-size: 11.5px; color: var(--dim); white-space: nowrap;
  text-align: left; line-height: var(--lane); padding-top: .3rem; }
.corner, .details-head { position: sticky; top: 0; background: #fff; z-index: 1; border-bottom: 1px solid var(--line); }
.details-head { display: flex; align-items: flex-end; padding: 0 0 .3rem .75rem; color: var(--dim); font-size: 12px; }
.num { text-align: right; padding: .45rem .5rem 0 0; color: var(--dim); font-variant-numeric: tabular-nums; }
.cell { position: relative; border-left: 1px solid var(--line); }
.cell.active::after { content: ""; position: absolute; left: calc(50% - .38rem); top: .6rem; width: .76rem; height: .76rem;
  border-radius: 50%; background: var(--kind); }
.cell.active.failing::after { background: var(--bad); box-shadow: 0 0 0 3px var(--bad-bg); }
.step { padding: .4rem .75rem .5rem; border-bottom: 1px solid #eef1f4; min-width: 0; }
.row-failing > .step, .row-failing.num { background: var(--bad-bg); }
.step .what { font-weight: 600; }
.step .params { color: var(--dim); overflow-wrap: anywhere; }
.step .outcome { margin-top: .1rem; overflow-wrap: anywhere; }
.step .outcome.failed { color: var(--bad); font-weight: 600; }
.step .violation { color: var(--bad); margin-top: .25rem; font-weight: 600; }
.kind { display: inline-block; min-width: 4.2rem; font-size: 11px; text-transform: uppercase; letter-spacing: .03em; color: var(--kind); }
.k-plan { --kind: var(--plan); } .k-legacy { --kind: var(--legacy); } .k-traffic { --kind: var(--traffic); } .k-drain { --kind: var(--drain); }
.changes { margin: .3rem 0 0; padding: 0; list-style: none; }
.changes li { white-space: pre-wrap; overflow-wrap: anywhere; }
.changes .table { color: var(--dim); }
.changes .ins { color: var(--ins); } .changes .upd { color: var(--upd); } .changes .del { color: var(--del); }
.legend { color: var(--dim); font-size: 12px; margin: .25rem 0 .75rem; }
.legend span { margin-right: 1rem; }
.legend .kind { min-width: 0; margin-right: .3rem; }
`;
