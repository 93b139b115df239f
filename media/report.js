// @ts-check
// Renders the AI Provenance report from the model the extension posts (see
// src/core/presentation/reportModel.ts). Builds DOM nodes with textContent only (never HTML
// strings), and draws its bar charts as inline SVG. Loaded under a CSP that allows this script
// alone (by nonce) and the extension's stylesheet; nothing remote.
(function () {
  'use strict';
  // eslint-disable-next-line no-undef
  const vscode = acquireVsCodeApi();
  const app = /** @type {HTMLElement} */ (document.getElementById('app'));
  const SVG = 'http://www.w3.org/2000/svg';

  /**
   * @param {string} tag
   * @param {Record<string, string>} [attrs]
   * @param {(Node | string | null | undefined)[]} [children]
   */
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    for (const c of children || []) {
      if (c === null || c === undefined) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  /** @param {string} tag @param {Record<string, string>} attrs */
  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    return node;
  }

  /**
   * One horizontal bar: a track and a fill whose width is the share.
   * @param {{percent: number, percentLabel: string}} bar
   * @param {boolean} [large]
   */
  function barSvg(bar, large) {
    const h = large ? 14 : 10;
    const s = svg('svg', { class: 'bar', width: '100%', height: String(h), role: 'img', 'aria-label': bar.percentLabel, preserveAspectRatio: 'none' });
    s.appendChild(svg('rect', { class: 'bar-track', x: '0', y: '0', width: '100%', height: String(h), rx: '2' }));
    if (bar.percent > 0) {
      // At least a sliver for tiny non-zero shares, so "0.3%" is still seen.
      const w = Math.max(bar.percent, 0.75);
      s.appendChild(svg('rect', { class: 'bar-fill', x: '0', y: '0', width: `${w.toFixed(2)}%`, height: String(h), rx: '2' }));
    }
    return s;
  }

  /**
   * A chart: one row per bar with its label, the bar, the percentage and the counts.
   * @param {string} name
   * @param {{label: string, percent: number, percentLabel: string, detail: string, value: number}[]} bars
   */
  function chart(name, bars) {
    const rows = bars.map((b) =>
      el('div', { class: 'chart-row', role: 'listitem', 'data-label': b.label, 'data-percent': b.percentLabel, title: `${b.label}: ${b.percentLabel} (${b.detail})` }, [
        el('span', { class: 'chart-label' }, [b.label]),
        el('span', { class: 'chart-bar' }, [barSvg(b)]),
        el('span', { class: 'chart-value' }, [b.percentLabel]),
        el('span', { class: 'chart-detail muted' }, [b.detail]),
      ]),
    );
    return el('div', { class: 'chart', 'data-chart': name, role: 'list' }, rows);
  }

  /** @param {{percent: number, percentLabel: string, detail: string}} bar @param {string} caption */
  function headline(bar, caption) {
    return el('div', { class: 'headline' }, [
      el('div', { class: 'headline-text' }, [
        el('span', { class: 'headline-percent' }, [bar.percentLabel]),
        el('span', { class: 'headline-caption' }, [` ${caption} \u2014 ${bar.detail}`]),
      ]),
      barSvg(bar, true),
    ]);
  }

  /** @param {string} text */
  function notice(text) {
    return el('p', { class: 'notice' }, [text]);
  }

  /** @param {any} staged */
  function stagedSection(staged) {
    const section = el('section', { id: 'staged', 'data-state': staged.state }, [el('h2', {}, ['Staged change'])]);
    if (staged.state === 'unavailable') {
      section.appendChild(notice(staged.message));
      return section;
    }
    if (staged.state === 'empty') {
      section.appendChild(notice(staged.message));
    } else {
      section.appendChild(headline(staged.total, 'of added lines are AI'));
      section.appendChild(el('h3', {}, ['Per file']));
      section.appendChild(chart('staged-files', staged.files));
      section.appendChild(el('h3', {}, ['Per tool']));
      section.appendChild(staged.tools.length ? chart('staged-tools', staged.tools) : el('p', { class: 'muted' }, ['No AI lines in the staged change.']));
      if (staged.notes.length) section.appendChild(el('ul', { class: 'notes' }, staged.notes.map((n) => el('li', {}, [n]))));
    }
    const head = el('div', { class: 'subhead' }, [el('h3', {}, ['Trailers the commit will get'])]);
    if (staged.trailers.length) {
      const copy = el('button', { type: 'button', class: 'secondary', id: 'copy-trailers' }, ['Copy']);
      copy.addEventListener('click', () => vscode.postMessage({ type: 'copyTrailers' }));
      head.appendChild(copy);
    }
    section.appendChild(head);
    section.appendChild(
      staged.trailers.length ? el('pre', { class: 'trailers', id: 'trailers' }, [staged.trailers.join('\n')]) : el('p', { class: 'muted', id: 'trailers' }, ['None: the commit message stays as written.']),
    );
    return section;
  }

  /** @param {any} file */
  function fileSection(file) {
    const section = el('section', { id: 'file', 'data-state': file.state });
    if (file.state !== 'tracked') {
      section.appendChild(el('h2', {}, ['Current file']));
      section.appendChild(notice(file.message));
      return section;
    }
    section.appendChild(el('h2', {}, ['Current file: ', el('code', { class: 'path' }, [file.path])]));
    section.appendChild(headline(file.share, 'of non-blank lines are AI'));
    if (file.tools.length) {
      section.appendChild(el('h3', {}, ['Per tool']));
      section.appendChild(chart('file-tools', file.tools));
    }
    section.appendChild(el('h3', {}, [`AI ranges (${file.ranges.length + file.rangesOmitted})`]));
    if (!file.ranges.length) {
      section.appendChild(el('p', { class: 'muted' }, ['No AI-produced text in this file.']));
      return section;
    }
    const head = el('tr', {}, ['Lines', 'Kind', 'Tool', 'Model', 'Prompt', 'Recorded', 'Chars'].map((h) => el('th', { scope: 'col' }, [h])));
    const body = file.ranges.map((/** @type {any} */ r) => {
      const link = el('a', { href: '#', class: 'reveal', 'data-line': String(r.line), title: `Go to line ${r.line}` }, [r.lines]);
      link.addEventListener('click', (e) => {
        e.preventDefault();
        vscode.postMessage({ type: 'reveal', line: r.line });
      });
      return el('tr', { 'data-kind': r.kind }, [
        el('td', {}, [link]),
        el('td', { title: r.kind }, [r.kindLabel]),
        el('td', {}, [el('code', {}, [r.tool])]),
        el('td', {}, [r.model ? el('code', {}, [r.model]) : el('span', { class: 'muted' }, ['\u2014'])]),
        r.prompt
          ? el('td', { class: 'prompt', title: r.prompt }, [r.prompt.length > 160 ? `${r.prompt.slice(0, 159)}\u2026` : r.prompt])
          : el('td', {}, [el('span', { class: 'muted' }, ['\u2014'])]),
        el('td', { title: r.time }, [r.ago || r.time]),
        el('td', { class: 'num' }, [String(r.chars)]),
      ]);
    });
    section.appendChild(el('div', { class: 'table-scroll' }, [el('table', { class: 'ranges', id: 'ranges' }, [el('thead', {}, [head]), el('tbody', {}, body)])]));
    if (file.rangesOmitted) section.appendChild(el('p', { class: 'muted' }, [`${file.rangesOmitted} more ranges not listed.`]));
    return section;
  }

  /** @param {any} history */
  function historySection(history) {
    const section = el('section', { id: 'history', 'data-state': history.state });
    if (history.state !== 'available') {
      section.appendChild(el('h2', {}, ['History']));
      section.appendChild(notice(history.message));
      return section;
    }
    section.appendChild(el('h2', {}, ['History: ', el('code', { class: 'path' }, [history.path])]));
    const extra = [history.unknownLines ? `${history.unknownLines} unknown` : '', history.uncommittedLines ? `${history.uncommittedLines} not committed yet` : ''].filter(Boolean).join(', ');
    section.appendChild(headline(history.share, `of committed non-blank lines are AI${extra ? ` (${extra})` : ''}`));
    section.appendChild(el('h3', {}, ['Per tool']));
    section.appendChild(history.tools.length ? chart('history-tools', history.tools) : el('p', { class: 'muted' }, ['No committed AI lines in this file.']));
    section.appendChild(el('h3', {}, [`Per commit (${history.commits.length + history.commitsOmitted})`]));
    const head = el('tr', {}, ['Commit', 'Date', 'Subject', 'AI lines', ''].map((h) => el('th', { scope: 'col' }, [h])));
    const body = history.commits.map((/** @type {any} */ c) =>
      el('tr', { 'data-commit': c.sha, title: `${c.short} ${c.author}` }, [
        el('td', {}, [el('code', {}, [c.short])]),
        el('td', {}, [c.date]),
        el('td', {}, [c.subject]),
        el('td', { class: 'num' }, [`${c.share.value} of ${c.share.total}${c.unknownLines ? ` (${c.unknownLines} unknown)` : ''}`]),
        el('td', { class: 'bar-cell' }, [barSvg(c.share, false)]),
      ]),
    );
    section.appendChild(el('div', { class: 'table-scroll' }, [el('table', { class: 'ranges', id: 'history-commits' }, [el('thead', {}, [head]), el('tbody', {}, body)])]));
    if (history.commitsOmitted) section.appendChild(el('p', { class: 'muted' }, [`${history.commitsOmitted} more commits not listed.`]));
    section.appendChild(el('h3', {}, [`Flagged commits with lines here (${history.flagged.length})`]));
    if (!history.flagged.length) {
      section.appendChild(el('p', { class: 'muted', id: 'history-flagged' }, ['None.']));
      return section;
    }
    const items = history.flagged.map((/** @type {any} */ f) => {
      const review = f.reviewedBy.length ? `reviewed by ${f.reviewedBy.join(', ')}` : 'no review recorded';
      return el('li', { 'data-commit': f.sha }, [
        el('code', {}, [f.short]),
        ` ${f.date} ${f.subject} \u2014 ${f.lines} line(s) here, ${f.aiLines} AI; ${f.reviewRequired ? `needed '${f.reviewRequired}' review, ` : ''}${review}`,
      ]);
    });
    section.appendChild(el('ul', { class: 'notes', id: 'history-flagged' }, items));
    return section;
  }

  /** @param {any} model @param {boolean} fresh false when drawn from saved state before the extension answers */
  function render(model, fresh) {
    const refresh = el('button', { type: 'button', class: 'secondary', id: 'refresh' }, ['Refresh']);
    refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
    const header = el('header', {}, [
      el('div', { class: 'title-row' }, [el('h1', {}, ['AI Provenance']), refresh]),
      el('div', { class: 'muted small', id: 'generated' }, [`Updated ${model.generatedAt}`]),
    ]);
    app.replaceChildren(header, stagedSection(model.staged), fileSection(model.file), historySection(model.history || { state: 'none', message: '' }));
    app.setAttribute('data-ready', String(fresh));
  }

  window.addEventListener('message', (event) => {
    const msg = event.data;
    if (msg && msg.type === 'model' && msg.model) {
      vscode.setState({ model: msg.model });
      render(msg.model, true);
    }
  });

  const saved = vscode.getState();
  if (saved && saved.model) render(saved.model, false);
  vscode.postMessage({ type: 'ready' });
})();
