// actfn explorer: plain JavaScript + SVG; every number comes from the JSON API (/api/*).
"use strict";

const T = {
  en: {
    title: "actfn explorer", add: "Add activation", curves: "Curves", range: "x range",
    reset: "Reset", zoomhint: "wheel: zoom · drag: pan · hover: read values", show: "show",
    dtypes: "Low precision", near0: "near 0", saturation: "saturation",
    dtypelead: "The focused activation computed in float16, bfloat16 and float32 (steps: " +
      "rounding to the dtype), against float64.",
    network: "Deep network", depth: "depth", width: "width", init: "initialisation",
    scale: "input scale",
    netlead: "A fully connected net of the overlaid activations (seeded, no biases): per layer " +
      "the mean and variance of the activations, the RMS of the gradient flowing back, and " +
      "the fraction of units whose f′ is 0 for every input.",
    knowledge: "Knowledge", formula: "Formulas", properties: "Properties",
    parameters: "Parameters", strengths: "Strengths", weaknesses: "Weaknesses",
    use: "Typical use", corrections: "Often said, but wrong", frameworks: "Frameworks",
    claims: "Claims and verdicts", reference: "Reference", kinks: "At the kinks",
    readout: "move the pointer over the plot to read values", remove: "remove",
    mean: "mean of activations", variance: "variance of activations (log)",
    grad: "gradient RMS ∂L/∂x (log)", dead: "dead units (fraction)", layer: "layer",
    yes: "yes", no: "no", none: "none", range_: "output range", monotone: "monotone",
    smooth: "smoothness", zc: "zero-centred", sat: "saturates", sn: "self-normalizing",
    sparse: "sparse", name: "name", default: "default", valid: "valid range", meaning: "meaning",
    framework: "framework", call: "function", layer_: "layer / module", map: "parameters",
    notes: "notes", supported: "supported", refuted: "refuted", nuanced: "nuanced",
    inconclusive: "inconclusive",
    unknown: "not run here", fromreadme: "verdict of the full run, from the README",
    fromreport: "from the claims report", experiment: "experiment",
    notrun: "Run `actfn claims run -o DIR` and start with `actfn explore --claims DIR` to see " +
      "the evidence and figures.",
    maxerr: "largest |error| against float64", dtype: "dtype", where: "where",
    errplot: "|error| against float64 (log; 0 not drawn)", english: "",
    gated: "Gated units (two inputs)", elementwise: "Elementwise",
    up: "up", uphint: "f(gate, up) along the gate at this up",
    gatedprops: "Properties of the gated unit", grange: "range of the gate factor a(g)",
    gnonneg: "a(g) ≥ 0 (sign of f = sign of b(up))", gsmooth: "smoothness in gate",
    usmooth: "smoothness in up", linup: "linear in up", zeroup: "f(gate, 0) = 0",
    monogate: "monotone in gate (up > 0)", gminf: "a(g) as gate → −∞",
    split: "Split form act(x, dim=-1): as torch.nn.functional.glu, the first half of x is " +
      "the value up and the second half the gate; gate_first=True takes the other convention.",
    nonet: "Gated units have two inputs: the deep network stacks only the elementwise overlays.",
  },
  zh: {
    title: "actfn 探索器", add: "添加激活函数", curves: "曲线", range: "x 范围",
    reset: "重置", zoomhint: "滚轮:缩放 · 拖动:平移 · 悬停:读数", show: "显示",
    dtypes: "低精度", near0: "0 附近", saturation: "饱和区",
    dtypelead: "当前激活函数在 float16、bfloat16、float32 下的计算结果(台阶来自舍入到该类型)," +
      "并与 float64 对比。",
    network: "深层网络", depth: "深度", width: "宽度", init: "初始化", scale: "输入尺度",
    netlead: "由所叠加的激活函数构成的全连接网络(固定随机种子,无偏置):逐层给出激活值的均值与方差、" +
      "反向传播梯度的均方根,以及对所有输入 f′ 都为 0 的单元比例。",
    knowledge: "知识", formula: "公式", properties: "性质", parameters: "参数",
    strengths: "优点", weaknesses: "缺点", use: "典型用途", corrections: "常见但错误的说法",
    frameworks: "各框架中的对应", claims: "说法与结论", reference: "参考文献",
    kinks: "折点处的取值", readout: "把指针移到图上即可读数", remove: "移除",
    mean: "激活值的均值", variance: "激活值的方差(对数)", grad: "梯度均方根 ∂L/∂x(对数)",
    dead: "死亡单元(比例)", layer: "层", yes: "是", no: "否", none: "无", range_: "值域",
    monotone: "单调", smooth: "光滑性", zc: "以 0 为中心", sat: "饱和", sn: "自归一化",
    sparse: "稀疏", name: "名称", default: "默认值", valid: "有效范围", meaning: "含义",
    framework: "框架", call: "函数", layer_: "层 / 模块", map: "参数对应", notes: "说明",
    supported: "成立", refuted: "不成立", nuanced: "有条件成立", inconclusive: "尚无定论",
    unknown: "此处未运行",
    fromreadme: "完整运行的结论(取自 README)", fromreport: "取自说法审查报告",
    experiment: "实验",
    notrun: "运行 `actfn claims run -o DIR`,再用 `actfn explore --claims DIR` 启动,即可看到证据和图。",
    maxerr: "相对 float64 的最大 |误差|", dtype: "类型", where: "其中",
    errplot: "相对 float64 的 |误差|(对数坐标;0 不画出)", english: "（英文原文）",
    gated: "门控单元（两个输入）", elementwise: "逐元素激活函数",
    up: "up", uphint: "在此 up 值下沿 gate 方向绘制 f(gate, up)",
    gatedprops: "门控单元的性质", grange: "门控因子 a(g) 的值域",
    gnonneg: "a(g) ≥ 0（f 的符号与 b(up) 相同）", gsmooth: "对 gate 的光滑性",
    usmooth: "对 up 的光滑性", linup: "对 up 线性", zeroup: "f(gate, 0) = 0",
    monogate: "对 gate 单调（up > 0 时）", gminf: "gate → −∞ 时 a(g) 的极限",
    split: "拆分形式 act(x, dim=-1)：与 torch.nn.functional.glu 相同，x 的前一半是数值 up，" +
      "后一半是门控 gate；gate_first=True 采用相反的约定。",
    nonet: "门控单元有两个输入：深层网络只堆叠逐元素激活函数。",
  },
};

const COLORS = ["#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#0b7285", "#5c940d",
  "#e67700"];
const DASH = { f: "", df: "7 4", d2f: "2 3" };
const LABEL = { f: "f", df: "f′", d2f: "f″" };
// a gated unit f(gate, up) is drawn along the gate: its f′ is ∂f/∂gate, f″ ∂²f/∂gate²,
// and ∂f/∂up is drawn beside f′
const GLABEL = { f: "f", df: "∂f/∂g", d2f: "∂²f/∂g²", du: "∂f/∂u" };
const isGated = (name) => state.byName[name] && state.byName[name].kind === "gated";
const DTYPE_COLORS = { float16: "#d9480f", bfloat16: "#c2255c", float32: "#1f5fbf",
  float64: "#868e96" };

const state = {
  lang: "en", names: [], byName: {}, overlays: [], focus: 0, lo: -3, hi: 3,
  curves: [], config: {}, seq: 0, katex: null,
};

const $ = (id) => document.getElementById(id);
const t = (k) => (T[state.lang][k] !== undefined ? T[state.lang][k] : T.en[k]);
const num = (v) => (typeof v === "number" ? v : v === "inf" ? Infinity : v === "-inf" ? -Infinity : NaN);
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v; else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of kids) if (c !== null && c !== undefined) e.append(c);
  return e;
}
const SVGNS = "http://www.w3.org/2000/svg";
function sv(tag, attrs) {
  const e = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  return e;
}

function showError(msg) {
  const box = $("error");
  if (!msg) { box.hidden = true; return; }
  box.textContent = msg; box.hidden = false;
}

async function api(path, params) {
  const q = new URLSearchParams(params).toString();
  const r = await fetch(`/api/${path}?${q}`);
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || `HTTP ${r.status}`);
  return body;
}

function debounce(fn, ms) {
  let timer = null;
  return (...a) => { clearTimeout(timer); timer = setTimeout(() => fn(...a), ms); };
}

// -- plotting ---------------------------------------------------------------------------------
function ticks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0) || !isFinite(span)) return [lo];
  const raw = span / count, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : +v.toPrecision(12));
  }
  return out;
}

// series: [{x: [], y: [], color, dash, label, step}]; opts: {xlo, xhi, ylog, title, xlabel}
function plot(svg, series, opts) {
  const W = +svg.getAttribute("width"), H = +svg.getAttribute("height");
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const ml = 56, mr = 12, mb = 30;
  // legend rows in the top margin (after the title), so no curve hides under them
  const items = series.filter((s) => s.label);
  const rows = [];
  let titleWidth = 0;
  if (opts.title) {
    const tt = sv("text", { x: ml, y: 14, "font-weight": "600" }); tt.textContent = opts.title;
    svg.append(tt);
    titleWidth = tt.getComputedTextLength() + 16;
  }
  let lx = titleWidth, row = [];
  for (const s of items) {
    const w = 34 + s.label.length * 6.6;
    if (lx + w > W - ml - mr && row.length) { rows.push(row); row = []; lx = 0; }
    row.push({ s, x: lx }); lx += w;
  }
  if (row.length) rows.push(row);
  const mt = 8 + 16 * Math.max(rows.length, opts.title ? 1 : 0);
  const pw = W - ml - mr, ph = H - mt - mb;
  const tr = (v) => (opts.ylog ? (v > 0 ? Math.log10(v) : NaN) : v);
  let ylo = Infinity, yhi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.y.length; i++) {
      const xv = s.x[i], yv = tr(s.y[i]);
      if (xv < opts.xlo || xv > opts.xhi || !isFinite(yv)) continue;
      if (yv < ylo) ylo = yv; if (yv > yhi) yhi = yv;
    }
  }
  if (!isFinite(ylo)) { ylo = -1; yhi = 1; }
  if (opts.yfloor !== undefined) { ylo = Math.min(ylo, opts.yfloor); }
  if (opts.yceil !== undefined) { yhi = Math.max(yhi, opts.yceil); }
  if (yhi - ylo < 1e-12 * Math.max(1, Math.abs(yhi))) { ylo -= 0.5; yhi += 0.5; }
  const pad = (yhi - ylo) * 0.06; ylo -= pad; yhi += pad;
  const sx = (v) => ml + ((v - opts.xlo) / (opts.xhi - opts.xlo)) * pw;
  const sy = (v) => mt + ((yhi - v) / (yhi - ylo)) * ph;
  svg.prepend(sv("rect", { x: ml, y: mt, width: pw, height: ph, fill: "#fff", stroke: "#c8ccd4" }));
  for (const v of ticks(opts.xlo, opts.xhi, 8)) {
    svg.append(sv("line", { x1: sx(v), x2: sx(v), y1: mt, y2: mt + ph, stroke: "#eef0f3" }));
    const l = sv("text", { x: sx(v), y: H - 12, "text-anchor": "middle" }); l.textContent = `${v}`;
    svg.append(l);
  }
  for (const v of ticks(ylo, yhi, 6)) {
    svg.append(sv("line", { x1: ml, x2: ml + pw, y1: sy(v), y2: sy(v), stroke: "#eef0f3" }));
    const l = sv("text", { x: ml - 5, y: sy(v) + 4, "text-anchor": "end" });
    l.textContent = opts.ylog ? `1e${v}` : `${v}`;
    svg.append(l);
  }
  if (!opts.ylog && ylo < 0 && yhi > 0) {
    svg.append(sv("line", { x1: ml, x2: ml + pw, y1: sy(0), y2: sy(0), stroke: "#9aa1ad" }));
  }
  if (opts.xlo < 0 && opts.xhi > 0) {
    svg.append(sv("line", { x1: sx(0), x2: sx(0), y1: mt, y2: mt + ph, stroke: "#9aa1ad" }));
  }
  if (opts.xlabel) {
    const l = sv("text", { x: ml + pw, y: H - 1, "text-anchor": "end" }); l.textContent = opts.xlabel;
    svg.append(l);
  }
  const clipId = `clip-${svg.id}`;
  const defs = sv("defs"); const cp = sv("clipPath", { id: clipId });
  cp.append(sv("rect", { x: ml, y: mt, width: pw, height: ph })); defs.append(cp); svg.append(defs);
  const g = sv("g", { "clip-path": `url(#${clipId})` });
  const ymargin = (yhi - ylo) * 50;
  for (const s of series) {
    let d = "", pen = "M", prev = null;
    for (let i = 0; i < s.y.length; i++) {
      let yv = tr(s.y[i]);
      if (!isFinite(yv)) { pen = "M"; prev = null; continue; }
      yv = Math.min(Math.max(yv, ylo - ymargin), yhi + ymargin);
      const X = sx(s.x[i]).toFixed(2), Y = sy(yv).toFixed(2);
      if (s.step && prev !== null) d += `L${X},${prev}`;
      d += `${pen}${X},${Y}`; pen = "L"; prev = Y;
    }
    const p = sv("path", { d, fill: "none", stroke: s.color, "stroke-width": s.width || 1.8,
      "data-series": s.key || s.label });
    if (s.dash) p.setAttribute("stroke-dasharray", s.dash);
    g.append(p);
  }
  svg.append(g);
  rows.forEach((r, k) => {
    for (const { s, x } of r) {
      const X = ml + x, Y = 14 + 16 * k;
      const line = sv("line", { x1: X, x2: X + 20, y1: Y - 4, y2: Y - 4, stroke: s.color,
        "stroke-width": 2 });
      if (s.dash) line.setAttribute("stroke-dasharray", s.dash);
      const txt = sv("text", { x: X + 24, y: Y }); txt.textContent = s.label;
      svg.append(line, txt);
    }
  });
  return { sx, sy, ml, mt, pw, ph, ylo, yhi };
}

// -- overlays and parameter controls -----------------------------------------------------------
function sliderPos(s, v) {
  if (s.scale === "log") return (Math.log(v) - Math.log(s.min)) / (Math.log(s.max) - Math.log(s.min));
  return (v - s.min) / (s.max - s.min);
}
function sliderVal(s, pos) {
  const v = s.scale === "log" ? Math.exp(Math.log(s.min) + pos * (Math.log(s.max) - Math.log(s.min)))
    : s.min + pos * (s.max - s.min);
  return +v.toPrecision(6);
}

function addOverlay(name, params) {
  const spec = state.byName[name];
  const p = {};
  for (const q of spec.params) p[q.name] = params && params[q.name] !== undefined ? params[q.name] : q.default;
  const o = { name, params: p, color: COLORS[state.overlays.length % COLORS.length] };
  if (spec.kind === "gated") o.up = state.gatedUp;
  state.overlays.push(o);
  state.focus = state.overlays.length - 1;
  renderOverlays(); refreshAll();
}

function renderOverlays() {
  const box = $("overlays");
  box.replaceChildren();
  state.overlays.forEach((o, i) => {
    const spec = state.byName[o.name];
    const card = el("div", { class: `card${i === state.focus ? " focus" : ""}`, "data-name": o.name });
    const head = el("div", { class: "head" },
      el("span", { class: "swatch", style: `background:${o.color}` }),
      el("span", { class: "name", text: o.name, title: spec.summary,
        onclick: () => { state.focus = i; renderOverlays(); refreshFocus(); } }),
      state.overlays.length > 1 ? el("button", { class: "remove", type: "button", title: t("remove"),
        text: "×", onclick: () => {
          state.overlays.splice(i, 1); state.focus = Math.min(state.focus, state.overlays.length - 1);
          renderOverlays(); refreshAll();
        } }) : null);
    card.append(head);
    if (spec.aliases.length) card.append(el("div", { class: "doc", text: `= ${spec.aliases.join(", ")}` }));
    if (spec.kind === "gated") card.append(upControl(o));
    for (const q of spec.params) card.append(paramControl(o, q));
    box.append(card);
  });
}

function paramControl(o, q) {
  const wrap = el("div", { class: "param" });
  const bad = el("div", { class: "bad" });
  const set = (v) => { o.params[q.name] = v; refreshAll(); };
  if (q.choices) {
    const sel = el("select", { "data-param": q.name, "aria-label": q.name,
      onchange: (e) => set(e.target.value) });
    for (const c of q.choices) {
      const opt = el("option", { value: c, text: c }); if (c === o.params[q.name]) opt.selected = true;
      sel.append(opt);
    }
    wrap.append(el("div", { class: "row" }, el("span", { text: q.name }), sel));
  } else {
    const s = q.slider;
    const range = el("input", { type: "range", min: 0, max: 1000, step: 1, "data-param": q.name,
      "aria-label": q.name });
    const box = el("input", { type: "number", step: "any", value: o.params[q.name],
      "aria-label": `${q.name} value` });
    range.value = Math.round(1000 * Math.min(1, Math.max(0, sliderPos(s, o.params[q.name]))));
    range.addEventListener("input", () => {
      const v = sliderVal(s, range.value / 1000); box.value = v; bad.textContent = ""; set(v);
    });
    box.addEventListener("change", () => {
      const v = Number(box.value);
      range.value = Math.round(1000 * Math.min(1, Math.max(0, sliderPos(s, v))));
      set(box.value);
    });
    wrap.append(el("div", { class: "row" }, el("span", { text: q.name }), range, box));
  }
  wrap.append(el("div", { class: "doc", text: `${q.doc}; ${q.valid}` }), bad);
  o.bad = o.bad || {}; o.bad[q.name] = bad;
  return wrap;
}

// a gated unit's fixed up: a slider over [−5, 5] with a number box for any value
function upControl(o) {
  const wrap = el("div", { class: "param" });
  const range = el("input", { type: "range", min: -5, max: 5, step: 0.01, value: o.up,
    "data-param": "up", "aria-label": "up" });
  const box = el("input", { type: "number", step: "any", value: o.up, "aria-label": "up value" });
  range.addEventListener("input", () => { o.up = Number(range.value); box.value = o.up; refreshAll(); });
  box.addEventListener("change", () => { o.up = box.value; range.value = Number(box.value); refreshAll(); });
  wrap.append(el("div", { class: "row" }, el("span", { text: t("up") }), range, box),
    el("div", { class: "doc", text: t("uphint") }));
  return wrap;
}

function overlayParams(o) {
  const p = { name: o.name };
  for (const [k, v] of Object.entries(o.params)) p[k] = Array.isArray(v) ? v[0] : v;
  if (o.up !== undefined) p.up = o.up;
  return p;
}

// -- curves panel -------------------------------------------------------------------------------
async function refreshCurves() {
  const seq = ++state.seq;
  const lo = state.lo, hi = state.hi;
  let results;
  try {
    results = await Promise.all(state.overlays.map((o) =>
      api("curve", { ...overlayParams(o), lo, hi, n: 601, dtype: "float64" })));
  } catch (e) { showError(e.message); return; }
  if (seq !== state.seq) return;
  showError("");
  state.curves = results;
  drawCurves();
}

function drawCurves() {
  const series = [];
  state.curves.forEach((c, i) => {
    const o = state.overlays[i];
    if (!o) return;
    const gated = c.kind === "gated";
    for (const k of gated ? ["f", "df", "du", "d2f"] : ["f", "df", "d2f"]) {
      if (!$(`show-${k === "du" ? "df" : k}`).checked) continue;
      const lbl = gated ? `${c.name} ${GLABEL[k]} (u = ${c.up})` : `${c.name} ${LABEL[k]}`;
      series.push({ x: c.x.map(num), y: c[k].map(num), color: o.color, dash: DASH[k] || "10 3 2 3",
        label: lbl, key: `${c.name}:${k}` });
    }
  });
  state.curveGeom = plot($("plot-curves"), series, { xlo: state.lo, xhi: state.hi });
}

function readout(ev) {
  const g = state.curveGeom; if (!g || !state.curves.length) return;
  const svg = $("plot-curves"), r = svg.getBoundingClientRect();
  const px = ((ev.clientX - r.left) / r.width) * +svg.getAttribute("width");
  const x = state.lo + ((px - g.ml) / g.pw) * (state.hi - state.lo);
  if (x < state.lo || x > state.hi) return;
  const lines = [];
  state.curves.forEach((c) => {
    const xs = c.x; let best = 0;
    for (let i = 1; i < xs.length; i++) if (Math.abs(num(xs[i]) - x) < Math.abs(num(xs[best]) - x)) best = i;
    if (c.kind === "gated") {
      lines.push(`${c.name}: gate = ${xs[best]}   up = ${c.up}   f = ${c.f[best]}   ∂f/∂g = ${c.df[best]}   ` +
        `∂f/∂u = ${c.du[best]}   ∂²f/∂g² = ${c.d2f[best]}`);
    } else {
      lines.push(`${c.name}: x = ${xs[best]}   f = ${c.f[best]}   f′ = ${c.df[best]}   f″ = ${c.d2f[best]}`);
    }
  });
  $("readout").textContent = lines.join("\n");
  state.readoutShown = true;
}

// the x range stays inside ±MAX_X (zoom-out) and at least MIN_REL of its magnitude wide
// (zoom-in: float64 still tells 601 points apart); values are kept to 15 significant
// digits, so zooming in never stalls on rounding
const MAX_X = 1e12, MIN_REL = 1e-12;
function setRange(lo, hi) {
  if (!(hi > lo) || !isFinite(lo) || !isFinite(hi)) return;
  lo = Math.max(lo, -MAX_X); hi = Math.min(hi, MAX_X);
  const minSpan = Math.max(MIN_REL * Math.max(Math.abs(lo), Math.abs(hi)), 1e-300);
  if (!(hi - lo >= minSpan)) return;
  state.lo = +lo.toPrecision(15); state.hi = +hi.toPrecision(15);
  if (!(state.hi > state.lo)) { state.lo = lo; state.hi = hi; }
  $("x-lo").value = state.lo; $("x-hi").value = state.hi;
  debouncedCurves();
}
const debouncedCurves = debounce(refreshCurves, 60);

function wireZoom() {
  const svg = $("plot-curves");
  const toX = (ev) => {
    const r = svg.getBoundingClientRect(), g = state.curveGeom;
    const px = ((ev.clientX - r.left) / r.width) * +svg.getAttribute("width");
    return state.lo + ((px - g.ml) / g.pw) * (state.hi - state.lo);
  };
  svg.addEventListener("wheel", (ev) => {
    ev.preventDefault();
    const x = toX(ev), k = ev.deltaY > 0 ? 1.2 : 1 / 1.2;
    setRange(x - (x - state.lo) * k, x + (state.hi - x) * k);
  }, { passive: false });
  let drag = null;
  svg.addEventListener("mousedown", (ev) => { drag = { x: toX(ev), lo: state.lo, hi: state.hi }; });
  window.addEventListener("mouseup", () => { drag = null; });
  svg.addEventListener("mousemove", (ev) => {
    readout(ev);
    if (!drag) return;
    const r = svg.getBoundingClientRect(), g = state.curveGeom;
    const px = ((ev.clientX - r.left) / r.width) * +svg.getAttribute("width");
    const x = drag.lo + ((px - g.ml) / g.pw) * (drag.hi - drag.lo);
    const dx = drag.x - x;
    setRange(drag.lo + dx, drag.hi + dx);
  });
  for (const id of ["x-lo", "x-hi"]) {
    $(id).addEventListener("change", () => setRange(Number($("x-lo").value), Number($("x-hi").value)));
  }
  $("x-reset").addEventListener("click", () => setRange(-3, 3));
  for (const k of ["f", "df", "d2f"]) $(`show-${k}`).addEventListener("change", drawCurves);
}

// -- dtype panel --------------------------------------------------------------------------------
async function refreshDtype() {
  const o = state.overlays[state.focus]; if (!o) return;
  const lo = Number($("d-lo").value), hi = Number($("d-hi").value), what = $("dtype-what").value;
  const dts = ["float64", "float32", "bfloat16", "float16"];
  let res;
  try {
    res = await Promise.all(dts.map((dt) => api("curve", { ...overlayParams(o), lo, hi, n: 801, dtype: dt })));
  } catch (e) { showError(e.message); return; }
  const ref = res[0];
  const series = res.slice().reverse().map((r) => ({
    x: r.x.map(num), y: r[what].map(num), color: DTYPE_COLORS[r.dtype], step: r.dtype !== "float64",
    dash: r.dtype === "float64" ? "4 3" : "", label: r.dtype, key: r.dtype, width: r.dtype === "float64" ? 1.2 : 1.8,
  }));
  const lbl = (isGated(o.name) ? GLABEL : LABEL)[what];
  plot($("plot-dtype"), series, { xlo: lo, xhi: hi, title: `${o.name} ${lbl}` });
  // error of the curve in each dtype: f computed in the dtype at x rounded to the dtype,
  // minus float64 f at the same point of the grid (input and output rounding together)
  const lines = [`${t("maxerr")} (${o.name} ${lbl}, x ∈ [${lo}, ${hi}]):`];
  const errSeries = [];
  for (const r of res.slice(1)) {
    let m = 0;
    const err = r[what].map((v, i) => Math.abs(num(v) - num(ref[what][i])));
    for (const e of err) if (isFinite(e) && e > m) m = e;
    lines.push(`  ${r.dtype.padEnd(9)} ${m.toExponential(3)}`);
    errSeries.push({ x: ref.x.map(num), y: err, color: DTYPE_COLORS[r.dtype], label: r.dtype,
      key: `err-${r.dtype}` });
  }
  plot($("plot-dtype-err"), errSeries, { xlo: lo, xhi: hi, ylog: true, title: t("errplot") });
  $("dtype-errors").textContent = lines.join("\n");
}

// -- network panel ------------------------------------------------------------------------------
// one network request at a time: calls made meanwhile collapse into one rerun at the end,
// so dragging the depth slider never queues dozens of computations on the server
function serialised(fn) {
  let running = false, again = false;
  const run = async () => {
    if (running) { again = true; return; }
    running = true;
    try { await fn(); } finally {
      running = false;
      if (again) { again = false; run(); }
    }
  };
  return run;
}
const refreshNetwork = serialised(computeNetwork);

async function computeNetwork() {
  const depth = $("net-depth").value, width = $("net-width").value, init = $("net-init").value;
  const scale = +Math.pow(10, Number($("net-scale").value)).toPrecision(4);
  $("net-depth-out").textContent = depth; $("net-width-out").textContent = width;
  $("net-scale-out").textContent = scale;
  let res;
  // gated units (two inputs) are not stacked: the network takes the elementwise overlays
  const nets = state.overlays.filter((o) => !isGated(o.name));
  $("net-note").textContent = nets.length < state.overlays.length ? t("nonet") : "";
  // the input scale is input_scale: "scale" is SELU's λ. The server computes a few networks
  // at a time and answers "busy" (503) beyond that: wait a little and ask again.
  for (let tries = 0; ; tries++) {
    try {
      // one overlay after another: a page holds at most one of the server's network slots
      res = [];
      for (const o of nets) {
        res.push(await api("network", { ...overlayParams(o), depth, width, init, input_scale: scale, batch: 256,
          seed: 0 }));
      }
      break;
    } catch (e) {
      if (e.message === "busy" && tries < 20) { await new Promise((r) => setTimeout(r, 250)); continue; }
      showError(e.message); return;
    }
  }
  const mk = (key) => res.map((r, i) => ({ x: r.layer, y: r[key].map(num), color: nets[i].color,
    label: r.name, key: r.name }));
  const xo = { xlo: 1, xhi: Math.max(2, Number(depth)), xlabel: t("layer") };
  plot($("plot-net-mean"), mk("mean"), { ...xo, title: t("mean") });
  plot($("plot-net-var"), mk("var"), { ...xo, title: t("variance"), ylog: true });
  plot($("plot-net-grad"), mk("grad_rms"), { ...xo, title: t("grad"), ylog: true });
  plot($("plot-net-dead"), mk("dead"), { ...xo, title: t("dead"), yfloor: 0, yceil: 1 });
}

// -- knowledge panel ----------------------------------------------------------------------------
function tex(s, display) {
  const span = el("span", { class: "tex" });
  if (state.katex) {
    try { state.katex.render(s, span, { displayMode: display, throwOnError: false }); return span; } catch (e) { /* below */ }
  }
  span.append(el("code", { text: s }));
  return span;
}

function table(head, rows) {
  const tb = el("table");
  tb.append(el("tr", {}, ...head.map((h) => el("th", { text: h }))));
  for (const r of rows) tb.append(el("tr", {}, ...r.map((c) => el("td", {}, c))));
  return tb;
}

function list(items) { return el("ul", {}, ...items.map((s) => el("li", { text: s }))); }

async function refreshInfo() {
  const o = state.overlays[state.focus]; if (!o) return;
  let d;
  try { d = await api("info", { name: o.name, lang: state.lang }); } catch (e) { showError(e.message); return; }
  const box = $("info");
  box.replaceChildren();
  box.append(el("h3", { text: `${d.name}` }, el("span", { class: "hint", text: `  ${d.family}` })),
    el("p", { class: "summary", text: d.summary }));
  box.append(el("h3", { text: t("formula") }));
  const lhs = d.kind === "gated" ? [["f", "f(g, u)"], ["dg", "∂f/∂g"], ["du", "∂f/∂u"]]
    : [["f", "f(x)"], ["df", "f′(x)"], ["d2f", "f″(x)"]];
  for (const [k, lbl] of lhs) {
    if (d.latex[k]) box.append(el("div", { class: "formula" }, el("span", { class: "lbl", text: `${lbl} =` }), tex(d.latex[k], true)));
  }
  if (d.symbols && d.symbols.length) {
    box.append(el("div", { class: "symbols" }, el("span", { class: "hint", text: `${t("where")} ` }),
      ...d.symbols.map((y) => el("span", { class: "sym" }, el("b", { text: y.symbol }), ` ${y.meaning}`))));
  }
  if (d.kink_convention) box.append(el("p", {}, el("b", { text: `${t("kinks")}: ` }), d.kink_convention));
  if (!d.documented) box.append(el("p", { class: "undocumented", text: d.undocumented }));
  const g = d.gated_properties;
  if (g) {
    const yn = (b) => t(b ? "yes" : "no");
    const lim = typeof g.gate_at_minus_inf === "number" ? `${g.gate_at_minus_inf}` : g.gate_at_minus_inf.replace("inf", "∞");
    box.append(el("h3", { text: t("gatedprops") }), table(
      [t("grange"), t("gnonneg"), t("gsmooth"), t("usmooth"), t("linup"), t("zeroup"), t("monogate"), t("gminf")],
      [[g.gate_range, yn(g.gate_nonnegative), g.gate_smoothness, g.up_smoothness, yn(g.linear_in_up),
        yn(g.zero_at_up_zero), yn(g.monotone_in_gate), lim]]),
    el("p", { class: "split", text: t("split") }));
  }
  const p = d.properties;
  if (p) {
    const yn = (b) => t(b ? "yes" : "no");
    box.append(el("h3", { text: t("properties") }), table([t("range_"), t("monotone"), t("smooth"), t("zc"), t("sat"), t("sn"), t("sparse")],
      [[p.range, yn(p.monotone), p.smoothness, yn(p.zero_centred), p.saturates.map((v) => (v === "-" ? "x → −∞" : "x → +∞")).join(", ") || t("none"), yn(p.self_normalizing), yn(p.sparse)]]));
  }
  if (d.params.length) {
    box.append(el("h3", { text: t("parameters") }), table([t("name"), t("default"), t("valid"), t("meaning")],
      d.params.map((q) => [el("code", { text: q.name }), `${q.default}`, q.valid, q.doc])));
  }
  for (const k of ["strengths", "weaknesses", "corrections"]) {
    if (d[k].length) box.append(el("h3", { text: t(k) }), list(d[k]));
  }
  if (d.use) box.append(el("h3", { text: t("use") }), el("p", { text: d.use }));
  if (d.frameworks.length) {
    box.append(el("h3", { text: t("frameworks") }), table([t("framework"), t("call"), t("layer_"), t("map"), t("notes")],
      d.frameworks.map((f) => [f.framework, f.call ? el("code", { text: f.call }) : "—", f.layer ? el("code", { text: f.layer }) : "—", f.params, f.notes])));
  }
  box.append(el("h3", { text: t("claims") }));
  if (!d.claims.length) box.append(el("p", { text: t("none") }));
  let anyUnrun = false;
  for (const c of d.claims) {
    const v = c.verdict, kind = v ? v.kind : "unknown";
    if (!v || v.source !== "report") anyUnrun = true;
    const div = el("div", { class: "claim", "data-claim": c.id },
      el("span", { class: `badge ${kind}`, text: t(kind) }), " ", el("code", { text: c.id }), " ", c.statement);
    const src = v && v.text_lang === "en" && state.lang !== "en" ? ` ${t("english")}` : "";
    if (v && v.condition) div.append(el("div", { class: "doc", text: `⚖ ${v.condition}${src}`, lang: "en" }));
    if (v && v.evidence) div.append(el("div", { class: "doc", text: `${v.evidence}${src}`, lang: "en" }));
    if (v && v.source === "README") div.append(el("div", { class: "hint", text: t("fromreadme") }));
    for (const e of c.experiments) {
      if (e.figure) div.append(el("img", { src: e.figure, alt: e.title, loading: "lazy" }));
    }
    box.append(div);
  }
  if (anyUnrun) box.append(el("p", { class: "hint", text: t("notrun") }));
  if (d.reference) {
    const p = el("p", { text: d.reference });
    for (const url of d.links || []) p.append(" ", el("a", { href: url, target: "_blank", rel: "noopener", text: url }));
    box.append(el("h3", { text: t("reference") }), p);
  }
}

// -- language ----------------------------------------------------------------------------------
function applyLang() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.getAttribute("data-t"));
  document.title = t("title");
  for (const g of document.querySelectorAll("#add-select optgroup")) g.label = t(g.getAttribute("data-kind"));
  $("lang-toggle").textContent = state.lang === "zh" ? "English" : "中文";
  if (!state.curves.length || !state.readoutShown) $("readout").textContent = t("readout");
}

function refreshFocus() { refreshDtype(); refreshInfo(); }
const refreshAll = debounce(() => { refreshCurves(); refreshDtype(); refreshNetwork(); refreshInfo(); }, 40);

async function loadKatex(cfg) {
  if (!cfg.katex) return;
  document.head.append(el("link", { rel: "stylesheet", href: "/assets/katex/katex.min.css" }));
  await new Promise((resolve) => {
    const s = el("script", { src: "/assets/katex/katex.min.js" });
    s.onload = resolve; s.onerror = resolve; document.head.append(s);
  });
  state.katex = window.katex || null;
}

function hashParams() { return new URLSearchParams(location.hash.replace(/^#/, "")); }

function requested(text) {
  const byAlias = {};
  for (const a of state.names) for (const al of a.aliases) byAlias[al] = a.name;
  return text.split(",").map((n) => n.trim().toLowerCase().replace(/-/g, "_"))
    .map((n) => byAlias[n] || n).filter((n) => state.byName[n]);
}

async function loadNames() {
  const names = await api("names", { lang: state.lang });
  state.names = names.activations.concat(names.gated || []);
  state.gatedUp = names.gated_up;
  for (const a of state.names) state.byName[a.name] = a;
}

async function main() {
  const cfg = await api("config", {});
  state.config = cfg;
  $("version").textContent = `v${cfg.version}`;
  if (cfg.cjk_font) {
    const style = el("style");
    style.textContent = `@font-face { font-family: "${cfg.cjk_font.family}"; src: url("${cfg.cjk_font.url}") format("woff2"); font-display: swap; }`;
    document.head.append(style);
  }
  const q = new URLSearchParams(location.search);
  state.lang = q.get("lang") === "zh" || q.get("lang") === "en" ? q.get("lang") : cfg.lang;
  await loadKatex(cfg);
  await loadNames();
  const sel = $("add-select");
  sel.append(el("option", { value: "", text: "…" }));
  const groups = [["elementwise", "elementwise"], ["gated", "gated"]].map(([kind, label]) =>
    el("optgroup", { label: t(label), "data-kind": kind },
      ...state.names.filter((a) => a.kind === kind).map((a) => el("option", { value: a.name, text: a.name }))));
  sel.append(...groups);
  sel.addEventListener("change", () => { if (sel.value) addOverlay(sel.value); sel.value = ""; });
  $("lang-toggle").addEventListener("click", () => {
    state.lang = state.lang === "en" ? "zh" : "en"; applyLang();
    loadNames().then(renderOverlays).catch((e) => showError(e.message));
    refreshInfo(); refreshNetwork(); refreshDtype();
  });
  for (const id of ["net-depth", "net-width", "net-scale"]) $(id).addEventListener("input", debounce(refreshNetwork, 80));
  $("net-init").addEventListener("change", refreshNetwork);
  for (const id of ["d-lo", "d-hi", "dtype-what"]) $(id).addEventListener("change", refreshDtype);
  $("d-near0").addEventListener("click", () => { $("d-lo").value = -0.05; $("d-hi").value = 0.05; refreshDtype(); });
  $("d-sat").addEventListener("click", () => { $("d-lo").value = 2; $("d-hi").value = 8; refreshDtype(); });
  wireZoom();
  applyLang();
  // ?name=a,b or #name=a,b (the atlas links to #name=NAME); aliases resolve
  const first = requested(q.get("name") || hashParams().get("name") || "celu");
  for (const n of first.length ? first : [state.names[0].name]) addOverlay(n);
  state.focus = 0; renderOverlays();
  window.addEventListener("hashchange", () => {
    const want = requested(hashParams().get("name") || "");
    if (!want.length) return;
    state.overlays = []; for (const n of want) addOverlay(n);
    state.focus = 0; renderOverlays();
  });
  document.body.setAttribute("data-ready", "1");
}

main().catch((e) => showError(String(e.message || e)));
