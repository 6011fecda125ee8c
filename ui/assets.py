"""The page's CSS and script. The script only reads our own data attributes and ids (never
text from papers): a click on an answer sentence or its [n] opens the cited card and
focuses the supporting sentence; a click on the topic map opens that paper's card."""

CSS = """
/* No animations: the model shares this machine's cores with the browser, and Gradio's
   pulsing "generating" border alone kept a renderer busy while llama.cpp worked. */
*, *::before, *::after { animation: none !important; transition: none !important; }
#chat { min-height: 420px; max-height: 640px; overflow-y: auto; padding: 8px; }
.pc-turn { margin-bottom: 14px; }
.pc-q { font-weight: 600; background: var(--background-fill-secondary); padding: 6px 10px;
  border-radius: 8px; display: inline-block; margin-bottom: 4px; }
.pc-a { padding: 4px 10px; line-height: 1.6; }
.pc-line { margin: 2px 0; }
.pc-h { font-weight: 700; margin-top: 8px; }
.pc-s { border-bottom: 2px solid transparent; cursor: pointer; }
.pc-verified { border-bottom-color: #2e7d32; }
.pc-quoted { border-bottom-color: #1565c0; font-style: italic; }
.pc-cited { border-bottom-color: #9e9e9e; border-bottom-style: dotted; }
.pc-checks { border-collapse: collapse; width: 100%; }
.pc-checks td { vertical-align: top; padding: 4px 8px; border-top: 1px solid #ddd; }
.pc-verdict { white-space: nowrap; font-weight: 600; }
.pc-v-verified .pc-verdict { color: #2e7d32; }
.pc-v-contradicted .pc-verdict { color: #c62828; }
.pc-v-not-stated .pc-verdict, .pc-v-no-citation .pc-verdict { color: #8d6e00; }
.pc-ev, .pc-why, .pc-sugg { font-size: 0.9em; color: #555; margin-top: 2px; }
.pc-reattributed, .pc-attributed { border-bottom-color: #ef6c00; }
.pc-fact { border-bottom-color: #1565c0; }
.pc-s.pc-focus { background: #fff3b0; color: #111; }
.pc-cite { font-weight: 600; text-decoration: none; margin: 0 0 0 2px !important;
  padding: 0 !important; }
.pc-foot, .pc-legend { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 4px; }
.pc-notice { font-style: italic; color: #b26a00; }
.pc-streaming { color: var(--body-text-color-subdued); }
.pc-empty { color: var(--body-text-color-subdued); font-style: italic; padding: 8px; }
#sources { max-height: 760px; overflow-y: auto; }
.pc-group > summary { font-weight: 600; cursor: pointer; margin: 6px 0; }
.pc-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px;
  margin: 6px 0; }
.pc-card.pc-active { outline: 3px solid #1565c0; }
.pc-label { font-size: 0.75em; text-transform: uppercase; color: var(--body-text-color-subdued); }
.pc-title { font-weight: 600; }
.pc-meta, .pc-authors { font-size: 0.88em; }
.pc-award { font-size: 0.85em; color: #8d6e00; }
.pc-links a { margin-right: 8px; font-size: 0.88em; }
.pc-abs p { font-size: 0.88em; line-height: 1.5; }
mark.pc-ev { background: #fff3b0; color: #111; padding: 0 1px; }
mark.pc-ev.pc-focus { background: #ffd54f; outline: 2px solid #f57f17; }
#map-pick, #map-open { display: none !important; }
#model-status { font-size: 0.9em; }
"""

SCRIPT = """
<script>
(() => {
  function clearFocus() {
    document.querySelectorAll('.pc-focus').forEach(e => e.classList.remove('pc-focus'));
    document.querySelectorAll('.pc-card.pc-active').forEach(e => e.classList.remove('pc-active'));
  }
  function focusCards(turn, keys, sent, scroll) {
    clearFocus();
    let first = null;
    for (const key of keys) {
      const card = document.getElementById('pc-card-' + turn + '-' + key);
      if (!card) continue;
      const group = card.closest('details.pc-group');
      if (group) group.open = true;
      const abs = card.querySelector('details.pc-abs');
      if (abs) abs.open = true;
      card.classList.add('pc-active');
      const marks = sent === null ? card.querySelectorAll('mark.pc-ev')
        : card.querySelectorAll('mark.pc-ev-' + turn + '-' + sent);
      marks.forEach(m => m.classList.add('pc-focus'));
      first = first || card;
    }
    if (sent !== null) {
      document.querySelectorAll('.pc-s[data-turn="' + turn + '"][data-sent="' + sent + '"]')
        .forEach(e => e.classList.add('pc-focus'));
    }
    if (first && scroll) first.scrollIntoView({block: 'nearest'});
  }
  document.addEventListener('click', (ev) => {
    const cite = ev.target.closest('a.pc-cite');
    if (cite) {
      ev.preventDefault();
      const prev = cite.previousElementSibling;
      const sent = prev && prev.classList.contains('pc-s') ? prev.dataset.sent : null;
      focusCards(cite.dataset.turn, [cite.dataset.key], sent, true);
      return;
    }
    const s = ev.target.closest('.pc-s');
    if (s) focusCards(s.dataset.turn, (s.dataset.keys || '').split(' ').filter(Boolean),
                      s.dataset.sent, true);
  });
  document.addEventListener('mouseover', (ev) => {
    const s = ev.target.closest && ev.target.closest('.pc-s');
    if (s) focusCards(s.dataset.turn, (s.dataset.keys || '').split(' ').filter(Boolean),
                      s.dataset.sent, false);
  });
  // The topic map: a click on a point puts its paper id in a hidden box the server reads.
  setInterval(() => {
    const plot = document.querySelector('#topic-map .js-plotly-plot');
    if (!plot || plot.dataset.pcHooked || typeof plot.on !== 'function') return;
    plot.dataset.pcHooked = '1';
    plot.on('plotly_click', (data) => {
      const id = data && data.points && data.points[0] && data.points[0].customdata;
      const box = document.querySelector('#map-pick textarea, #map-pick input');
      if (!id || !box) return;
      box.value = id;
      box.dispatchEvent(new Event('input', {bubbles: true}));
      const open = document.querySelector('#map-open');
      if (open) setTimeout(() => open.click(), 50);
    });
  }, 500);
})();
</script>
"""
