/** @module The upload page's stylesheet, inlined into the page (CSP allows inline styles; no external files). */
export const UPLOAD_PAGE_CSS = `
:root {
  --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #667085; --line: #e3e6eb;
  --accent: #3b5bdb; --accent-soft: #e7ecff; --bar: linear-gradient(90deg, #4c6ef5, #7950f2);
  --error: #c92a2a; --error-soft: #fff0f0; --radius: 12px;
  color-scheme: light;
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
main { max-width: 880px; margin: 0 auto; padding: 32px 20px 48px; }
header { display: flex; align-items: flex-end; justify-content: space-between; gap: 16px; flex-wrap: wrap; margin-bottom: 20px; }
h1 { font-size: 24px; margin: 0; letter-spacing: -0.01em; }
header p { margin: 2px 0 0; color: var(--muted); }
.status { font-size: 13px; color: var(--muted); background: var(--card); border: 1px solid var(--line); border-radius: 999px; padding: 4px 12px; display: inline-flex; align-items: center; gap: 8px; max-width: 100%; }
.status::before { content: ""; width: 8px; height: 8px; border-radius: 50%; background: #adb5bd; flex: none; }
.status[data-state="ok"]::before { background: #2f9e44; }
.status[data-state="warn"]::before { background: #f59f00; }
.status[data-state="down"]::before { background: var(--error); }
.grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 20px; align-items: start; }
@media (max-width: 720px) { .grid { grid-template-columns: 1fr; } }
.card { background: var(--card); border: 1px solid var(--line); border-radius: var(--radius); padding: 20px; box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04); }
.card h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 0 0 14px; font-weight: 600; }
.drop {
  position: relative; display: flex; flex-direction: column; align-items: center; justify-content: center; text-align: center;
  min-height: 260px; border: 2px dashed #c5cbd6; border-radius: 10px; padding: 16px; background: #fafbfc;
  transition: border-color 0.15s, background 0.15s;
}
.drop.dragging { border-color: var(--accent); background: var(--accent-soft); }
.drop img { max-width: 100%; max-height: 300px; border-radius: 6px; object-fit: contain; }
.drop .hint { color: var(--muted); margin: 10px 0 14px; }
.drop .icon { width: 44px; height: 44px; border-radius: 50%; background: var(--accent-soft); color: var(--accent); display: grid; place-items: center; font-size: 22px; font-weight: 700; }
.file-meta { color: var(--muted); font-size: 13px; margin-top: 10px; overflow-wrap: anywhere; }
.controls { display: flex; gap: 10px; align-items: center; justify-content: space-between; margin-top: 14px; flex-wrap: wrap; }
.button {
  display: inline-block; border: 0; border-radius: 8px; padding: 8px 16px; font: inherit; font-weight: 600; cursor: pointer;
  background: var(--accent); color: #fff;
}
.button:hover { filter: brightness(1.08); }
.button.secondary { background: var(--card); color: var(--ink); border: 1px solid var(--line); }
.visually-hidden { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); border: 0; }
.visually-hidden:focus-visible + .button, .button:focus-visible { outline: 3px solid #91a7ff; outline-offset: 2px; }
select { font: inherit; padding: 6px 8px; border-radius: 8px; border: 1px solid var(--line); background: var(--card); color: var(--ink); }
label.inline { color: var(--muted); font-size: 14px; display: inline-flex; gap: 8px; align-items: center; }
.placeholder { color: var(--muted); margin: 0; }
.busy { display: flex; align-items: center; gap: 10px; color: var(--muted); }
.spinner { width: 18px; height: 18px; border-radius: 50%; border: 3px solid var(--accent-soft); border-top-color: var(--accent); animation: spin 0.8s linear infinite; }
@keyframes spin { to { transform: rotate(360deg); } }
ol.labels { list-style: none; margin: 0; padding: 0; display: grid; gap: 12px; }
ol.labels li { display: grid; grid-template-columns: 1fr auto; gap: 4px 12px; }
.label { font-weight: 600; overflow-wrap: anywhere; }
.synset { color: var(--muted); font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; margin-left: 6px; font-weight: 400; }
.probability { font-variant-numeric: tabular-nums; color: var(--ink); font-weight: 600; }
.bar { grid-column: 1 / -1; height: 8px; border-radius: 999px; background: #edf0f4; overflow: hidden; }
.bar > span { display: block; height: 100%; border-radius: 999px; background: var(--bar); min-width: 2px; }
ol.labels li:first-child .bar { height: 10px; }
.timings { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; margin: 18px 0 0; }
.timings div { background: #f8f9fb; border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
.timings dt { font-size: 12px; color: var(--muted); }
.timings dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; }
.model { color: var(--muted); font-size: 13px; margin: 12px 0 0; overflow-wrap: anywhere; }
.error { border: 1px solid #ffc9c9; background: var(--error-soft); color: var(--error); border-radius: 8px; padding: 12px 14px; }
.error strong { display: block; margin-bottom: 2px; }
.error p { margin: 0; color: var(--ink); overflow-wrap: anywhere; }
.key { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; margin-bottom: 20px; }
.key label { font-weight: 600; }
.key input { flex: 1 1 220px; font: inherit; padding: 7px 10px; border-radius: 8px; border: 1px solid var(--line); }
.key .hint { flex-basis: 100%; margin: 0; color: var(--muted); font-size: 13px; }
footer { margin-top: 24px; color: var(--muted); font-size: 13px; }
code { font: 13px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eceff3; border-radius: 4px; padding: 1px 5px; overflow-wrap: anywhere; }
[hidden] { display: none !important; }
`;
