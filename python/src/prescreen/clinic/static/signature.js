// The drawn signature on the consultation page: pointer events on a canvas become vector strokes
// ([[x, y], ...] per stroke, whole canvas pixels) in the form's hidden "strokes" field, which the
// engine keeps inside the consent record's digest. Drawing is optional: the typed name always signs
// (the alternative to dragging, WCAG 2.5.7), and without this script the page works the same.
const pad = document.getElementById('signature-pad');
const canvas = document.getElementById('signature-canvas');
const field = document.getElementById('strokes');
const status = document.getElementById('pad-status');
const MAX_POINTS = 20000; // the engine's limit

if (pad && canvas && field) {
  const ink = canvas.getContext('2d');
  let strokes = [];
  try {
    const kept = JSON.parse(field.value || '[]'); // after a refusal the page comes back with the drawing
    if (Array.isArray(kept)) strokes = kept;
  } catch { strokes = []; }
  let current = null;

  const points = () => strokes.reduce((n, stroke) => n + stroke.length, 0);
  const save = () => {
    field.value = strokes.length ? JSON.stringify(strokes) : '';
    // The page's wording in the patient's language (the template's data-drawn).
    status.textContent = strokes.length ? (status.dataset.drawn || 'Your signature is drawn.') : '';
  };
  const redraw = () => {
    ink.clearRect(0, 0, canvas.width, canvas.height);
    ink.lineWidth = 3;
    ink.lineCap = 'round';
    ink.lineJoin = 'round';
    ink.strokeStyle = '#1d232b';
    for (const stroke of strokes) {
      ink.beginPath();
      stroke.forEach(([x, y], i) => (i ? ink.lineTo(x, y) : ink.moveTo(x, y)));
      if (stroke.length === 1) ink.lineTo(stroke[0][0] + 0.5, stroke[0][1]);
      ink.stroke();
    }
  };
  // A pointer position in canvas pixels, as integers inside the canvas.
  const at = (event) => {
    const box = canvas.getBoundingClientRect();
    const x = Math.round(((event.clientX - box.left) * canvas.width) / box.width);
    const y = Math.round(((event.clientY - box.top) * canvas.height) / box.height);
    return [Math.min(Math.max(x, 0), canvas.width), Math.min(Math.max(y, 0), canvas.height)];
  };

  canvas.addEventListener('pointerdown', (event) => {
    if (points() >= MAX_POINTS) return;
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    current = [at(event)];
    strokes.push(current);
    redraw();
  });
  canvas.addEventListener('pointermove', (event) => {
    if (!current || points() >= MAX_POINTS) return;
    const point = at(event);
    const last = current[current.length - 1];
    if (point[0] === last[0] && point[1] === last[1]) return;
    current.push(point);
    redraw();
  });
  const end = () => {
    if (!current) return;
    current = null;
    save();
  };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  document.getElementById('clear-signature').addEventListener('click', () => {
    strokes = [];
    current = null;
    redraw();
    save();
  });
  pad.hidden = false;
  redraw();
  save();
}
// After a refusal, the error summary takes focus so the message is read first.
document.getElementById('error-summary')?.focus();
