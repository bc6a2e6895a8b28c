// How well the network fits: training and test loss, accuracy and a confusion matrix for classification,
// RMSE and R² for regression.

import { el, setChildren, setText, fmt } from '../shared/dom.js';
import { classColor, rgb } from '../shared/colors.js';

function percent(v) {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)} %`;
}

export function createMetrics({ latest }) {
  const host = document.getElementById('metrics');
  const confusionHost = document.getElementById('confusion');
  const cell = (id) => el('output', { id, class: 'metric-value' }, '–');
  const v = {
    testLoss: cell('test-loss'), trainLoss: cell('train-loss'),
    testScore: cell('test-score'), trainScore: cell('train-score'),
    testR2: cell('test-r2'), trainR2: cell('train-r2'),
  };
  const scoreName = el('span', { class: 'metric-name' }, 'Accuracy');
  const r2Row = el('div', { class: 'metric-row', hidden: true }, el('span', { class: 'metric-name' }, 'R²'), v.testR2, v.trainR2);
  setChildren(host,
    el('div', { class: 'metric-grid' },
      el('div', { class: 'metric-row metric-head' }, el('span'), el('span', { class: 'metric-col' }, 'Test'), el('span', { class: 'metric-col' }, 'Training')),
      el('div', { class: 'metric-row metric-loss' }, el('span', { class: 'metric-name' }, 'Loss'), v.testLoss, v.trainLoss),
      el('div', { class: 'metric-row' }, scoreName, v.testScore, v.trainScore),
      r2Row));
  let confusionKey = '';

  function showConfusion(metrics, task, names) {
    const part = metrics.test && metrics.test.confusion && metrics.test.confusion.length ? 'test' : 'train';
    const matrix = metrics[part] && metrics[part].confusion;
    if (task === 'regression' || !Array.isArray(matrix) || !matrix.length) {
      if (confusionKey !== '') setChildren(confusionHost);
      confusionKey = '';
      return;
    }
    const key = JSON.stringify([part, matrix, names]);
    if (key === confusionKey) return;
    confusionKey = key;
    const k = matrix.length;
    const name = (j) => names[j] ?? String(j);
    const head = el('tr', {}, el('th', { class: 'corner', scope: 'col', title: 'rows: true class · columns: predicted class' },
      k > 5 ? 'true╲pred.' : 'true ╲ predicted'),
      Array.from({ length: k }, (_, j) => el('th', { scope: 'col' }, el('span', { class: 'swatch', style: `background:${rgb(classColor(j))}` }), name(j))));
    const body = matrix.map((row, i) => {
      const total = row.reduce((a, b) => a + b, 0) || 1;
      return el('tr', {}, el('th', { scope: 'row' }, el('span', { class: 'swatch', style: `background:${rgb(classColor(i))}` }), name(i)),
        row.map((n, j) => {
          const share = n / total;
          const tint = i === j ? `rgba(31,111,178,${(0.08 + 0.5 * share).toFixed(2)})` : `rgba(224,123,26,${(share > 0 ? 0.08 + 0.6 * share : 0).toFixed(2)})`;
          return el('td', { style: `background:${tint}` }, String(n));
        }));
    });
    setChildren(confusionHost,
      el('div', { class: 'confusion-title' }, `Confusion matrix · ${part} data`),
      el('div', { class: 'confusion-scroll' }, el('table', { class: `confusion${k > 5 ? ' is-wide' : ''}`, id: 'confusion-matrix' }, el('thead', {}, head), el('tbody', {}, body))));
  }

  return {
    update(flags) {
      if (!flags.has('frame') && !flags.has('data')) return;
      const f = latest.frame;
      if (!f || !f.metrics) return;
      const m = f.metrics;
      const task = (latest.data && latest.data.task) || (latest.config && latest.config.task) || 'binary';
      const test = m.test || {};
      const train = m.train || {};
      setText(v.testLoss, fmt(test.loss, 3));
      setText(v.trainLoss, fmt(train.loss, 3));
      if (task === 'regression') {
        setText(scoreName, 'RMSE');
        setText(v.testScore, fmt(test.rmse, 3));
        setText(v.trainScore, fmt(train.rmse, 3));
        if (r2Row.hidden) r2Row.hidden = false;
        setText(v.testR2, fmt(test.r2, 3));
        setText(v.trainR2, fmt(train.r2, 3));
      } else {
        setText(scoreName, 'Accuracy');
        setText(v.testScore, percent(test.accuracy));
        setText(v.trainScore, percent(train.accuracy));
        if (!r2Row.hidden) r2Row.hidden = true;
      }
      showConfusion(m, task, (latest.data && latest.data.class_names) || []);
    },
  };
}
