"""The scripts the witness runs in the browser: where a block's text is laid out and what lies over it,
and its text made transparent (and back) for the second picture."""

MEASURE = r"""
const block = document.getElementById(arguments[0]);
if (!block || block.getClientRects().length === 0) return null;
const describe = (element) => element.tagName.toLowerCase()
  + (element.id ? "#" + element.id : "") + (element.classList.length ? "." + element.classList[0] : "");
const sx = window.scrollX, sy = window.scrollY;
const rect = block.getBoundingClientRect();
const box = {left: rect.left + sx, top: rect.top + sy, right: rect.right + sx, bottom: rect.bottom + sy,
             width: rect.width, height: rect.height};
const lines = [];
const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
  const node = walker.currentNode;
  if (!node.data.trim()) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  for (const r of range.getClientRects()) {
    if (r.width < 1 || r.height < 1) continue;
    lines.push({left: r.left + sx, top: r.top + sy, right: r.right + sx, bottom: r.bottom + sy,
                text: node.data.trim()});
  }
}
let covered = "";
for (const line of lines) {
  window.scrollTo(0, Math.max(0, line.top - 100));
  const y = (line.top + line.bottom) / 2 - window.scrollY;
  for (const share of [0.2, 0.5, 0.8]) {
    const x = line.left + (line.right - line.left) * share - window.scrollX;
    const hit = document.elementFromPoint(x, y);
    if (!hit) { covered = "nothing (the line is outside the page)"; break; }
    if (hit !== block && !block.contains(hit)) { covered = describe(hit); break; }
  }
  if (covered) break;
}
window.scrollTo(sx, sy);
return {box: box, lines: lines, covered: covered, text: block.innerText};
"""

TRANSPARENT_TEXT = r"""
const [ids, on] = arguments;
let style = document.getElementById("witness-transparent-text");
if (on && !style) {
  style = document.createElement("style");
  style.id = "witness-transparent-text";
  const block = ids.map((id) => "#" + CSS.escape(id) + ", #" + CSS.escape(id) + " *").join(", ");
  style.textContent = block + " { -webkit-text-fill-color: transparent !important; "
    + "text-shadow: none !important; -webkit-text-stroke-width: 0 !important; "
    + "text-decoration-color: transparent !important; }";
  (document.head || document.documentElement).appendChild(style);
} else if (!on && style) {
  style.remove();
}
return document.body.getBoundingClientRect().height;
"""
