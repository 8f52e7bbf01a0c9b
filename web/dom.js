// Building the page without HTML strings: every piece of text a user or a file supplied goes
// in as text (textContent, attribute values), never as markup.

// h('a', {href: '#/x', class: 'btn'}, 'text', child, …): an element. Attributes starting with
// "on" take a function; `null`/`false` attributes and children are left out.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

// A box that scrolls sideways when its table is wider than the screen: focusable and named,
// so that a keyboard can scroll it too.
export function scrollBox(label, ...children) {
  return h('div', {class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': label},
      ...children);
}

// Replaces what `element` holds.
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

// A chart's SVG as the server drew it, parsed as SVG (not HTML) and checked: anything but
// drawing elements is dropped, so a script could not run even if one got in.
const kDrawing = new Set(['svg', 'g', 'title', 'desc', 'line', 'rect', 'circle', 'path', 'text',
  'tspan', 'polyline', 'polygon']);
export function svgElement(text) {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (root.nodeName !== 'svg') return null;
  for (const node of [...root.querySelectorAll('*')]) {
    if (!kDrawing.has(node.nodeName)) node.remove();
  }
  for (const node of [root, ...root.querySelectorAll('*')]) {
    for (const attribute of [...node.attributes]) {
      if (/^on/i.test(attribute.name) || /href$/i.test(attribute.name)) {
        node.removeAttribute(attribute.name);
      }
    }
  }
  return document.importNode(root, true);
}

const kNumber = new Intl.NumberFormat(undefined);
export function number(n) {
  return typeof n === 'number' ? kNumber.format(n) : '–';
}

export function bytes(n) {
  if (typeof n !== 'number' || n < 0) return '–';
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) n /= 1024, ++i;
  return `${i ? n.toFixed(n < 10 ? 1 : 0) : n} ${units[i]}`;
}

export function date(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleDateString(undefined, {year: 'numeric', month: 'short',
    day: 'numeric'});
}

export function dateTime(iso) {
  const d = new Date(iso);
  return isNaN(d) ? '' : d.toLocaleString(undefined, {dateStyle: 'medium', timeStyle: 'short'});
}

// Moves focus to the page's heading, so that keyboard and screen-reader users start there.
export function focusHeading(root) {
  const heading = root.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({preventScroll: false});
  }
}
