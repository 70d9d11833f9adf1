// Zoom (wheel, +/- keys, buttons) and pan (drag, arrow keys) of an SVG by its viewBox. Written here rather than
// taken from d3-zoom: that needs d3-selection and its own event model, while a viewBox needs ~50 lines.

export interface View {
  x: number;
  y: number;
  w: number;
  h: number;
}

export function fit(width: number, height: number, boxW: number, boxH: number): View {
  // The whole width; a small graph zoomed in at most 1.6×, a tall one at 1:1 from its newest (top) part.
  const scale = Math.max(width / boxW, Math.min(height / boxH, 1), 1 / 1.6);
  const w = boxW * scale;
  const h = boxH * scale;
  return { x: (width - w) / 2, y: Math.min(0, (height - h) / 2), w, h };
}

export function zoom(view: View, factor: number, cx = view.x + view.w / 2, cy = view.y + view.h / 2): View {
  const w = Math.min(Math.max(view.w * factor, 50), 100_000);
  const f = w / view.w;
  return { x: cx - (cx - view.x) * f, y: cy - (cy - view.y) * f, w, h: view.h * f };
}

export function pan(view: View, dx: number, dy: number): View {
  return { ...view, x: view.x + dx, y: view.y + dy };
}

export function centerOn(view: View, x: number, y: number): View {
  return { ...view, x: x - view.w / 2, y: y - view.h / 2 };
}

/** Attaches wheel and drag handlers; returns the detach function. */
export function attachPanZoom(svg: SVGSVGElement, get: () => View, set: (v: View) => void): () => void {
  const toGraph = (clientX: number, clientY: number): { x: number; y: number } => {
    const r = svg.getBoundingClientRect();
    const v = get();
    return { x: v.x + ((clientX - r.left) / r.width) * v.w, y: v.y + ((clientY - r.top) / r.height) * v.h };
  };
  const onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    const p = toGraph(e.clientX, e.clientY);
    set(zoom(get(), e.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y));
  };
  let drag: { x: number; y: number } | null = null;
  const onDown = (e: PointerEvent): void => {
    if (e.button !== 0 || (e.target as Element).closest('.node, .edge-hit')) return;
    drag = { x: e.clientX, y: e.clientY };
    svg.setPointerCapture(e.pointerId);
  };
  const onMove = (e: PointerEvent): void => {
    if (!drag) return;
    const r = svg.getBoundingClientRect();
    const v = get();
    set(pan(v, ((drag.x - e.clientX) / r.width) * v.w, ((drag.y - e.clientY) / r.height) * v.h));
    drag = { x: e.clientX, y: e.clientY };
  };
  const onUp = (): void => { drag = null; };
  svg.addEventListener('wheel', onWheel, { passive: false });
  svg.addEventListener('pointerdown', onDown);
  svg.addEventListener('pointermove', onMove);
  svg.addEventListener('pointerup', onUp);
  return () => {
    svg.removeEventListener('wheel', onWheel);
    svg.removeEventListener('pointerdown', onDown);
    svg.removeEventListener('pointermove', onMove);
    svg.removeEventListener('pointerup', onUp);
  };
}
