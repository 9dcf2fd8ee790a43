// Boxes drawn over an image. Boxes come from the API in pixels of the upright image
// ([x0, y0, x1, y1], the response's image_width × image_height); they are placed in percent of
// that size, so they stay on their region at any displayed size. The browser shows a JPEG
// upright from its EXIF orientation as the service does, so both agree on "upright".

// Tableau 10: distinct hues that stay readable on light and dark images (with the halo in app.css).
const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export const colour = (i) => PALETTE[i % PALETTE.length];

/**
 * Replaces the overlay's boxes with one per item: {box, colour, label, kind}. Boxes that
 * coincide (MRF snippets on the same grid cell) are inset and their labels shifted, so each
 * stays visible.
 */
export function drawBoxes(overlay, width, height, items) {
  overlay.replaceChildren();
  const repeats = new Map();
  items.forEach((item, i) => {
    const key = item.box.map((v) => Math.round(v)).join(',');
    const repeat = repeats.get(key) || 0;
    repeats.set(key, repeat + 1);
    overlay.append(boxElement(item, i, width, height, repeat));
  });
}

function boxElement(item, index, width, height, repeat) {
  const [x0, y0, x1, y1] = clip(item.box, width, height);
  const el = document.createElement('div');
  el.className = 'box';
  el.dataset.kind = item.kind;
  el.dataset.index = String(index);
  const inset = 4 * repeat; // px, so that coinciding boxes nest instead of hiding each other
  el.style.left = `calc(${(100 * x0) / width}% + ${inset}px)`;
  el.style.top = `calc(${(100 * y0) / height}% + ${inset}px)`;
  el.style.width = `max(4px, calc(${(100 * (x1 - x0)) / width}% - ${2 * inset}px))`;
  el.style.height = `max(4px, calc(${(100 * (y1 - y0)) / height}% - ${2 * inset}px))`;
  el.style.setProperty('--colour', item.colour);
  el.style.setProperty('--repeat', String(repeat));
  if (item.label !== undefined) {
    const label = document.createElement('span');
    label.className = 'box-label';
    label.textContent = item.label;
    el.append(label);
  }
  return el;
}

/** The box clipped to the image; an inverted box is drawn as its normalised rectangle. */
function clip(box, width, height) {
  const [a, b, c, d] = box.map(Number);
  const x0 = Math.max(0, Math.min(a, c));
  const y0 = Math.max(0, Math.min(b, d));
  const x1 = Math.min(width, Math.max(a, c));
  const y1 = Math.min(height, Math.max(b, d));
  return [x0, y0, Math.max(x0, x1), Math.max(y0, y1)];
}

/** Emphasises the box at index (others dimmed); null shows all alike. */
export function highlight(overlay, index) {
  for (const el of overlay.querySelectorAll('.box')) {
    const on = index !== null && el.dataset.index === String(index);
    el.classList.toggle('active', on);
    el.classList.toggle('dim', index !== null && !on);
  }
}

/** Shows one extra box (a word's best region) on top of the others, or removes it (null). */
export function showFocus(overlay, box, width, height) {
  overlay.querySelector('.box[data-kind="focus"]')?.remove();
  if (box) overlay.append(boxElement({ box, colour: '#111', kind: 'focus' }, -1, width, height, 0));
}

/** "(x0, y0)–(x1, y1)" rounded to whole pixels, for text next to a box's colour. */
export const boxText = (box) => {
  const [x0, y0, x1, y1] = box.map((v) => Math.round(v));
  return `(${x0}, ${y0})–(${x1}, ${y1})`;
};
