/**
 * The static style and script of the HTML report. They hold no run data: every value reaches the page
 * as escaped markup, and the page's Content-Security-Policy admits these two blocks by hash only.
 */

export const HTML_STYLE = `
:root {
  --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa; --accent: #0b5cad;
  --pass-bg: #dafbe1; --pass-fg: #116329; --fail-bg: #ffebe9; --fail-fg: #b3261e;
  --warn-bg: #fff4d4; --warn-fg: #8a5a00; --skip-bg: #eef1f4; --skip-fg: #59636e;
  --error-bg: #f3e8ff; --error-fg: #6e2fb5;
  --mono: "DejaVu Sans Mono", ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
body { margin: 0; }
code, pre { font-family: var(--mono); font-size: 12.5px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 18px; margin: 0 0 4px; }
h3 { font-size: 15px; margin: 22px 0 8px; }
h4 { font-size: 12px; margin: 0 0 4px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.page-header { padding: 16px 24px 12px; border-bottom: 1px solid var(--line); background: var(--panel); }
.page-header .tool { color: var(--muted); margin: 2px 0 12px; }
.overview { border-collapse: collapse; background: var(--bg); border: 1px solid var(--line); }
.overview th, .overview td { padding: 5px 9px; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
.overview th:first-child, .overview td:first-child, .overview .text { text-align: left; }
.overview thead th { font-size: 12px; color: var(--muted); font-weight: 600; }
.overview-wrap { overflow-x: auto; max-width: 100%; }
.overview .target span { display: inline-block; max-width: 320px; overflow: hidden; text-overflow: ellipsis; vertical-align: bottom; }
.controls { display: flex; flex-wrap: wrap; gap: 8px 18px; align-items: center; margin-top: 12px; }
.controls label { font-weight: 600; cursor: pointer; }
.legend { display: flex; gap: 10px; color: var(--muted); font-size: 12px; align-items: center; }
.legend span.o { display: inline-block; min-width: 22px; text-align: center; border-radius: 4px; padding: 0 4px; font-weight: 700; }
.tabs { display: flex; gap: 2px; padding: 0 24px; border-bottom: 1px solid var(--line); background: var(--panel); }
.tabs a { padding: 8px 14px; border: 1px solid transparent; border-bottom: 0; border-radius: 6px 6px 0 0; color: var(--fg); margin-bottom: -1px; }
.tabs a[aria-selected="true"] { background: var(--bg); border-color: var(--line); font-weight: 600; }
.tabs .count { margin-left: 6px; font-size: 12px; border-radius: 10px; padding: 0 7px; }
main { padding: 8px 24px 24px; overflow-wrap: break-word; }
.run { padding-top: 12px; }
.run + .run { border-top: 2px solid var(--line); margin-top: 24px; }
.js .run[hidden] { display: none; }
.js .run[role="tabpanel"] { border-top: 0; margin-top: 0; }
.run-title { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.run-title code { color: var(--muted); font-size: 14px; }
.verdict { font-size: 12px; font-weight: 700; padding: 2px 8px; border-radius: 10px; }
.facts { display: flex; flex-wrap: wrap; gap: 2px 18px; margin: 6px 0; overflow-wrap: anywhere; }
.facts .k { color: var(--muted); }
.chips { display: flex; gap: 6px; flex-wrap: wrap; margin: 8px 0; }
.chip { border-radius: 12px; padding: 1px 10px; font-weight: 600; font-size: 12.5px; }
.banner { border: 1px solid var(--fail-fg); background: var(--fail-bg); color: var(--fail-fg); padding: 8px 12px; border-radius: 6px; margin: 8px 0; }
.notes { color: var(--muted); margin: 6px 0; padding-left: 18px; }
.o-pass { background: var(--pass-bg); color: var(--pass-fg); }
.o-fail { background: var(--fail-bg); color: var(--fail-fg); }
.o-warn { background: var(--warn-bg); color: var(--warn-fg); }
.o-skip { background: var(--skip-bg); color: var(--skip-fg); }
.o-error { background: var(--error-bg); color: var(--error-fg); }
.matrix-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; max-width: 100%; display: inline-block; }
.matrix { border-collapse: collapse; }
.matrix th, .matrix td { border: 1px solid var(--line); }
.matrix thead th { background: var(--panel); vertical-align: bottom; padding: 6px 4px; font-weight: 600; }
.matrix thead th.check { width: 34px; }
.matrix thead th.check span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-family: var(--mono); font-size: 12px; }
.matrix thead th.left { text-align: left; padding: 6px 10px; }
.matrix tbody th { text-align: left; font-weight: normal; padding: 4px 10px; background: var(--bg); max-width: 460px; }
.matrix tbody th .id { font-family: var(--mono); font-weight: 600; overflow-wrap: anywhere; }
.matrix tbody th .req { display: block; color: var(--muted); font-family: var(--mono); font-size: 11.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 440px; }
.matrix td.status { text-align: center; font-family: var(--mono); padding: 0 8px; }
.matrix td.status.bad { color: var(--error-fg); font-weight: 700; }
.matrix td.cell { text-align: center; font-weight: 700; font-size: 14px; width: 34px; height: 34px; padding: 0; }
.matrix td.cell a { color: inherit; display: block; line-height: 34px; }
.matrix td.na, .legend .na { background: repeating-linear-gradient(135deg, #fff, #fff 4px, #eceef1 4px, #eceef1 8px); color: #b6bcc4; font-weight: normal; }
.legend .na { border: 1px solid var(--line); }
.failures-only .matrix tr.clean, .failures-only .matrix .col-clean, .failures-only .warnings, .failures-only .finding.o-warn-row { display: none; }
.empty { color: var(--muted); font-style: italic; }
.exchange { border: 1px solid var(--line); border-radius: 6px; margin: 10px 0; background: var(--bg); }
.exchange > summary { cursor: pointer; padding: 8px 12px; background: var(--panel); border-radius: 6px; display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.exchange[open] > summary { border-bottom: 1px solid var(--line); border-radius: 6px 6px 0 0; }
.exchange > summary .id { font-family: var(--mono); font-weight: 700; overflow-wrap: anywhere; }
.exchange > summary .req { font-family: var(--mono); color: var(--muted); overflow-wrap: anywhere; }
.exchange .inner { padding: 10px 12px 12px; }
.finding { border-left: 4px solid var(--line); padding: 6px 10px; margin: 0 0 10px; background: var(--bg); color: var(--fg); }
.finding.o-fail-row { border-left-color: var(--fail-fg); }
.finding.o-error-row { border-left-color: var(--error-fg); }
.finding.o-warn-row { border-left-color: var(--warn-fg); }
.finding .head { display: flex; gap: 8px; align-items: baseline; flex-wrap: wrap; }
.finding .head code { font-weight: 700; }
.badge { font-size: 11.5px; font-weight: 700; border-radius: 4px; padding: 1px 6px; white-space: nowrap; }
.finding .message { margin: 4px 0 6px; }
.rule { margin: 6px 0; padding: 6px 10px; background: var(--panel); border-radius: 4px; }
.rule q { font-style: italic; }
.rule .source { display: block; color: var(--muted); font-size: 12px; margin-top: 2px; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin-top: 6px; }
pre { margin: 0; padding: 8px 10px; background: var(--panel); border: 1px solid var(--line); border-radius: 4px; white-space: pre-wrap; overflow-wrap: anywhere; max-height: 320px; overflow: auto; }
.http { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; margin: 10px 0; }
.repro { position: relative; }
.repro pre { padding-right: 70px; }
.copy { position: absolute; top: 24px; right: 6px; font: inherit; font-size: 12px; padding: 2px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); cursor: pointer; }
.cut { color: var(--muted); font-style: italic; }
footer.page-footer { color: var(--muted); font-size: 12px; padding: 12px 24px 24px; border-top: 1px solid var(--line); }
@media print { .controls, .tabs, .copy { display: none; } .js .run[hidden] { display: block; } }
`;

export const HTML_SCRIPT = `
(function () {
  'use strict';
  var doc = document;
  doc.documentElement.classList.add('js');
  var toggle = doc.getElementById('failures-only');
  var tabs = Array.prototype.slice.call(doc.querySelectorAll('.tabs [role="tab"]'));
  function applyFilter() { doc.body.classList.toggle('failures-only', toggle.checked); }
  function select(panelId) {
    if (tabs.length === 0) return;
    tabs.forEach(function (tab) {
      var on = tab.getAttribute('aria-controls') === panelId;
      tab.setAttribute('aria-selected', on ? 'true' : 'false');
      tab.tabIndex = on ? 0 : -1;
      doc.getElementById(tab.getAttribute('aria-controls')).hidden = !on;
    });
  }
  function reveal(id) {
    var target = id && doc.getElementById(id);
    if (!target) return false;
    var panel = target.closest('[role="tabpanel"]');
    if (panel) select(panel.id);
    var details = target.closest('details');
    if (details) details.open = true;
    return true;
  }
  if (toggle) {
    toggle.addEventListener('change', applyFilter);
    if (location.hash === '#failures') toggle.checked = true;
    applyFilter();
  }
  tabs.forEach(function (tab, index) {
    tab.addEventListener('click', function (event) { event.preventDefault(); select(tab.getAttribute('aria-controls')); });
    tab.addEventListener('keydown', function (event) {
      var step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (!step) return;
      var next = tabs[(index + step + tabs.length) % tabs.length];
      select(next.getAttribute('aria-controls'));
      next.focus();
    });
  });
  if (!reveal(location.hash.slice(1)) && tabs.length) select(tabs[0].getAttribute('aria-controls'));
  window.addEventListener('hashchange', function () { reveal(location.hash.slice(1)); });
  doc.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#"]');
    if (link && !link.closest('.tabs')) reveal(link.getAttribute('href').slice(1));
    var button = event.target.closest && event.target.closest('button.copy');
    if (!button) return;
    var source = doc.getElementById(button.getAttribute('data-copy'));
    var text = source ? source.textContent : '';
    var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
    var fallback = function () {
      var range = doc.createRange();
      range.selectNodeContents(source);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      try { doc.execCommand('copy'); done(); } catch (e) { button.textContent = 'Select + copy'; }
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(text).then(done, fallback);
    else fallback();
  });
  doc.documentElement.setAttribute('data-ready', 'true');
})();
`;
