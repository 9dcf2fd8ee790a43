// The result lists: captions, dense captions, alignment legend and words, rankings. Each takes
// the API's JSON and the element to fill; boxes are drawn by overlay.js.

import { boxText, colour } from './overlay.js';

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
};
const fixed = (x, digits = 2) => (typeof x === 'number' ? x.toFixed(digits) : '–');

/** A coloured number that matches the box's label. */
const swatch = (i) => {
  const s = el('span', { className: 'swatch', textContent: String(i + 1) });
  s.style.setProperty('--colour', colour(i));
  return s;
};

/** The n-best captions, each with its score and a button that aligns it. */
export function captions(list, result, onAlign) {
  list.replaceChildren(
    ...result.captions.map((c, i) =>
      el('li', {},
        el('span', { className: 'caption-text', textContent: c.text }),
        el('span', { className: 'figures', textContent: `score ${fixed(c.score)} · log p ${fixed(c.log_prob)}` }),
        el('button', {
          type: 'button', className: 'button small', textContent: 'Align',
          ariaLabel: `Align caption ${i + 1}: ${c.text}`, onclick: () => onAlign(c.text),
        }))));
}

/** Dense captions: a numbered row per detected region, with its caption and detection score. */
export function dense(list, items, onFocus) {
  list.replaceChildren(
    ...items.map((d, i) =>
      hoverable(el('li', { tabIndex: 0 },
        swatch(i),
        el('span', { className: 'caption-text', textContent: d.caption?.text ?? '' }),
        el('span', { className: 'figures', textContent: `detection ${fixed(d.score)} · box ${boxText(d.box)}` })),
      () => onFocus(i), () => onFocus(null))));
}

/** The MRF snippets, numbered and coloured as their boxes. */
export function snippets(list, result, onFocus) {
  list.replaceChildren(
    ...result.snippets.map((s, i) =>
      hoverable(el('li', { tabIndex: 0 },
        swatch(i),
        el('span', { className: 'caption-text', textContent: s.text }),
        el('span', { className: 'figures', textContent: `region ${s.region} · box ${boxText(s.box)}` })),
      () => onFocus(i), () => onFocus(null))));
}

/**
 * Each word in its snippet's colour, with its best region and, when the API gives it, the
 * strength of that alignment (the word–region score) as a number and a bar.
 */
export function words(list, result, onFocus) {
  const snippetOf = (t) => result.snippets.findIndex((s) => t >= s.start && t < s.end);
  const strength = (w) => (typeof w.strength === 'number' ? w.strength : null);
  const top = Math.max(1e-9, ...result.words.map((w) => Math.abs(strength(w) ?? 0)));
  list.replaceChildren(
    ...result.words.map((w, t) => {
      const s = snippetOf(t);
      const st = strength(w);
      const item = el('li', { tabIndex: 0, className: 'word' },
        el('span', { className: 'word-text', textContent: w.word }),
        el('span', { className: 'figures', textContent: st === null ? `region ${w.region}` : `${fixed(st)} · region ${w.region}` }));
      item.style.setProperty('--colour', s >= 0 ? colour(s) : '#888');
      item.title = `best region ${w.region}, box ${boxText(w.box)}`;
      if (st !== null) {
        const bar = el('span', { className: 'bar' });
        bar.style.width = `${Math.max(0, (100 * st) / top)}%`;
        item.append(el('span', { className: 'meter', ariaHidden: 'true' }, bar));
      }
      return hoverable(item, () => onFocus(w.box), () => onFocus(null));
    }));
}

/** Ranked sentences, best first, with S_kl and a bar from the lowest to the highest score. */
export function rankings(list, result) {
  const scores = result.rankings.map((r) => r.score);
  const lo = Math.min(...scores);
  const span = Math.max(...scores) - lo || 1;
  list.replaceChildren(
    ...result.rankings.map((r) => {
      const bar = el('span', { className: 'bar' });
      bar.style.width = `${8 + (92 * (r.score - lo)) / span}%`;
      return el('li', {},
        el('span', { className: 'caption-text', textContent: r.sentence }),
        el('span', { className: 'figures', textContent: `S ${fixed(r.score)}` }),
        el('span', { className: 'meter', ariaHidden: 'true' }, bar));
    }));
}

/** Calls on() while the pointer or the keyboard focus is on the item, off() when it leaves. */
function hoverable(item, on, off) {
  item.addEventListener('mouseenter', on);
  item.addEventListener('focus', on);
  item.addEventListener('mouseleave', off);
  item.addEventListener('blur', off);
  return item;
}
