// Building the page's elements: h('p', {class: 'x'}, 'text', child, ...).

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value == null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child == null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Text as paragraphs (blank lines separate paragraphs). */
export function paragraphs(text, attrs = {}) {
  return String(text ?? '')
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => h('p', attrs, p));
}

export function button(label, onclick, { kind = 'primary', type = 'button', ...rest } = {}) {
  return h('button', { type, class: `button button-${kind}`, onclick, ...rest }, label);
}
