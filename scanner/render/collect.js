// collect reads a rendered page for aiaudit: every element gets a
// data-aiaudit-id (up to maxEls), elements with text of their own get the
// layout facts the visibility decision reads (labels.Box), and the media each
// element shows are listed (computed CSS backgrounds, the source an <img>,
// <video> or <audio> chose). The decision itself is made in Go.
(function (maxEls) {
  const root = document.documentElement;
  const body = document.body;
  const pageW = Math.max(root.scrollWidth, body ? body.scrollWidth : 0);
  const pageH = Math.max(root.scrollHeight, body ? body.scrollHeight : 0);
  const sx = window.scrollX, sy = window.scrollY;
  const rgba = (s) => {
    const m = /^rgba?\(([^)]*)\)$/.exec(s || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    if (p.length < 3 || p.some(isNaN)) return null;
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const urlsOf = (v) => {
    const out = [];
    const re = /url\(\s*(['"]?)(.*?)\1\s*\)/g;
    let m;
    while ((m = re.exec(v || ""))) out.push(m[2]);
    return out;
  };
  const over = (c, u) => {
    const a = Math.max(0, Math.min(1, c[3]));
    return [c[0] * a + u[0] * (1 - a), c[1] * a + u[1] * (1 - a), c[2] * a + u[2] * (1 - a), 1];
  };
  // background is the colour behind el's text: its and its ancestors'
  // background colours over the white canvas, or overImage when a
  // background image comes first.
  const background = (el) => {
    const layers = [];
    for (let a = el; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.backgroundImage && s.backgroundImage !== "none") return { overImage: true, color: null };
      const c = rgba(s.backgroundColor);
      if (!c) return { overImage: false, color: null };
      layers.push(c);
      if (c[3] >= 1) break;
    }
    let base = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return { overImage: false, color: base };
  };
  const box = (el, cs) => {
    let l = Infinity, t = Infinity, r = -Infinity, b = -Infinity;
    const range = document.createRange();
    for (const c of el.childNodes) {
      if (c.nodeType !== 3 || !c.data.trim()) continue;
      range.selectNode(c);
      for (const q of range.getClientRects()) {
        l = Math.min(l, q.left); t = Math.min(t, q.top); r = Math.max(r, q.right); b = Math.max(b, q.bottom);
      }
    }
    let opacity = 1;
    for (let a = el; a; a = a.parentElement) {
      const s = a === el ? cs : getComputedStyle(a);
      opacity *= parseFloat(s.opacity);
      // It and its ancestors that clip their overflow cut the text's box.
      if (s.overflow !== "visible" && isFinite(l)) {
        const q = a.getBoundingClientRect();
        l = Math.max(l, q.left); t = Math.max(t, q.top); r = Math.min(r, q.right); b = Math.min(b, q.bottom);
      }
    }
    const shown = isFinite(l);
    const bg = background(el);
    return {
      displayed: el.getClientRects().length > 0 || cs.display === "contents",
      visibility: cs.visibility,
      opacity: opacity,
      x: shown ? l + sx : 0, y: shown ? t + sy : 0,
      w: shown ? Math.max(0, r - l) : 0, h: shown ? Math.max(0, b - t) : 0,
      pageW: pageW, pageH: pageH,
      fontSize: parseFloat(cs.fontSize), fontWeight: parseFloat(cs.fontWeight) || 400,
      color: rgba(cs.color), background: bg.color, overImage: bg.overImage,
    };
  };
  const all = document.querySelectorAll("*");
  const boxes = {};
  const media = [];
  let n = 0;
  for (const el of all) {
    if (n >= maxEls) break;
    const id = String(n++);
    el.setAttribute("data-aiaudit-id", id);
    const cs = getComputedStyle(el);
    for (const st of [cs, getComputedStyle(el, "::before"), getComputedStyle(el, "::after")]) {
      for (const u of urlsOf(st.backgroundImage)) media.push({ id: id, url: u, kind: "css" });
    }
    if (el.currentSrc) media.push({ id: id, url: el.currentSrc, kind: el.localName });
    for (const c of el.childNodes) {
      if (c.nodeType === 3 && c.data.trim()) {
        boxes[id] = box(el, cs);
        break;
      }
    }
  }
  return { html: root.outerHTML, boxes: boxes, media: media, truncated: all.length > maxEls };
})
