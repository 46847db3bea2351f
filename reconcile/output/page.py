"""The review page: one self-contained HTML file (thumbnails inline, no network), the to-do
folders worst first, each backup item beside the library file it matched, filters in plain JS.

Every needle item is one element `.item` with `data-status`, `data-kind` and `data-path`
attributes, so that scripts (and the tests) can find items by them.

Each item that needs work has three buttons (same / not the same / don't want, with keys for
going through hundreds); the page keeps the choices in the browser and saves them as one JSON
file (a download: the page stays a single offline file) that `reconcile decide --from`
records. Each choice carries the file's sample as judged, so that a file changed since is
refused rather than decided unseen.
"""

from __future__ import annotations

import html
import json
import os
import time
from collections.abc import Callable

from reconcile.filetypes import Kind
from reconcile.output.text import size
from reconcile.results import FolderResult, ItemResult, Report, Status, Verdict

Thumbs = Callable[..., dict[str, str | None]]
# Pictures on one page beyond which thumbnails shrink, so that a page of 10,000 items (15,000
# pictures) stays under 50 MB: bench/page.py measures it.
_FULL_SIZE_THUMBS = 2000

_STATUS_TEXT = {
    Status.IDENTICAL: "identical: the library has these exact bytes",
    Status.SAME: "same: the library has this picture, verified",
    Status.SIMILAR: "similar: close to a library picture, not verified the same: review",
    Status.MISSING: "missing: nothing in the library comes close",
    Status.UNREADABLE: "unreadable: cannot be decoded",
    Status.TRASHED: "trashed: in its old library's trash, not asked to be imported",
    Status.UNWANTED: "unwanted: you decided you do not want it",
}
# The buttons of an item that needs work: its choice, the label, the key that chooses it.
_BUTTONS = (("same", "same", "s"), ("different", "not the same", "d"),
            ("unwanted", "don't want", "u"))  # fmt: skip


def to_html(report: Report, make_thumbs: Thumbs, *, printable: Callable[[str], str]) -> str:
    """The page for a report. Thumbnails are made only for the items of to-do folders (and
    their matches); complete folders are listed without pictures, folded."""
    todo_keys = {(d.root, d.path) for d in report.todo}
    shown = [i for i in report.items if (i.root, i.folder) in todo_keys]
    wanted = [(os.path.join(i.root, i.path), i.kind) for i in shown]
    wanted += [(i.match, i.kind) for i in shown if i.match]
    side = _side_for(len(wanted))
    thumbs = make_thumbs(wanted, side=side)
    by_folder: dict[tuple[str, str], list[ItemResult]] = {}
    for image in report.items:
        by_folder.setdefault((image.root, image.folder), []).append(image)
    others: dict[tuple[str, str], list[str]] = {}
    for other in report.others:
        others.setdefault((other.root, other.folder), []).append(other.path)
    several = len(report.needles) > 1
    sections = []
    for folder in report.folders:
        key = (folder.root, folder.path)
        items = by_folder.get(key, [])
        pictures = thumbs if key in todo_keys else {}
        sections.append(_folder(folder, items, pictures, several, printable, others.get(key, [])))
    counts = "".join(
        f'<label class="filter {s.value}"><input type="checkbox" data-filter="{s.value}" '
        f"checked> {s.value} <b>{report.count(s)}</b></label>"
        for s in Status
    )
    e = html.escape
    run = json.dumps({"format": "reconcile-decisions", "version": 1,
                      "haystack": list(report.haystack), "made": time.time()})  # fmt: skip
    roots = "".join(f"<li>{e(printable(r))}</li>" for r in report.haystack)
    backups = "".join(f"<li>{e(printable(r))}</li>" for r in report.needles)
    return _PAGE.format(
        title=e(f"reconcile: {len(report.todo)} folders to do"),
        style=_STYLE,
        script=_SCRIPT,
        todo=len(report.todo),
        total=len(report.items),
        videos=sum(i.kind is Kind.VIDEO for i in report.items),
        counts=counts,
        library=roots,
        backups=backups,
        sections="\n".join(sections),
        when=e(time.strftime("%Y-%m-%d %H:%M")),
        run=run.replace("<", "\\u003c"),
        keys=" · ".join(f"<kbd>{key}</kbd> {label}" for _, label, key in _BUTTONS),
        decided=report.decided,
    )


def _side_for(count: int) -> int:
    """Thumbnail side for a page of `count` pictures: 200 px, smaller for big reports."""
    if count <= _FULL_SIZE_THUMBS:
        return 200
    return max(80, int(200 * (_FULL_SIZE_THUMBS / count) ** 0.5))


def _folder(
    folder: FolderResult,
    items: list[ItemResult],
    thumbs: dict[str, str | None],
    several: bool,
    printable: Callable[[str], str],
    others: list[str],
) -> str:
    e = html.escape
    name = printable(f"{folder.root}/{folder.path}" if several else folder.path)
    tally = ", ".join(f"{folder.counts[s]} {s.value}" for s in Status if folder.counts[s])
    if folder.other:
        tally += f"{', ' if tally else ''}{folder.other} other files not checked"
    body = "\n".join(_item(i, thumbs, printable) for i in items)
    notes = f'<p class="why">not read: {e(folder.reason)}</p>' if folder.reason else ""
    if others:
        listed = "".join(f"<li>{e(printable(os.path.basename(p)))}</li>" for p in others)
        notes += f'<div class="others">files reconcile cannot judge:<ul>{listed}</ul></div>'
    complete = folder.verdict is Verdict.COMPLETE
    return (
        f'<details class="folder {folder.verdict.value}" data-folder="{e(name)}"'
        f"{'' if complete else ' open'}>"
        f'<summary><span class="verdict">{folder.verdict.value}</span> '
        f'<span class="name">{e(name)}</span> <span class="tally">{e(tally)}</span></summary>'
        f'{notes}<div class="items">{body}</div></details>'
    )


def _item(item: ItemResult, thumbs: dict[str, str | None], printable: Callable[[str], str]) -> str:
    e = html.escape
    path = os.path.join(item.root, item.path)
    shown = printable(path)
    sides = [_side("backup", path, item.kind, thumbs, printable, item.name)]
    if item.match:
        sides.append(_side("library", item.match, item.kind, thumbs, printable, item.match_name))
    reason = item.reason or _STATUS_TEXT[item.status]
    decided = (
        f'<span class="decided">decided: {item.decision.value}</span>' if item.decision else ""
    )
    return (
        f'<article class="item {item.status.value}" data-status="{item.status.value}" '
        f'data-kind="{item.kind.value}" data-path="{e(shown)}"{_choosing(item, shown)}>'
        f'<header><span class="status">{item.status.value}</span> '
        f'<span class="file">{e(printable(os.path.basename(item.path)))}</span>{decided}</header>'
        f'<div class="pair">{"".join(sides)}</div>'
        f'<p class="reason">{e(reason)}</p>{_buttons(item)}</article>'
    )


def _choosing(item: ItemResult, shown: str) -> str:
    """The attributes a choice is saved with, on an item that needs work."""
    if item.status.done or item.sample is None:
        return ""
    match = f' data-match="{html.escape(item.match)}"' if item.match else ""
    return f' data-todo="1" data-sample="{item.sample}"{match}'


def _buttons(item: ItemResult) -> str:
    if item.status.done or item.sample is None:
        return ""
    buttons = "".join(
        f'<button type="button" data-choice="{choice}" title="key: {key}">{label}</button>'
        for choice, label, key in _BUTTONS
        if item.match or choice == "unwanted"
    )
    return f'<div class="choose">{buttons}<span class="chosen"></span></div>'


def _side(
    label: str,
    path: str,
    kind: Kind,
    thumbs: dict[str, str | None],
    printable: Callable[[str], str],
    name: str | None = None,
) -> str:
    """One side of a pair: its picture, its path (and the name its library shows)."""
    e = html.escape
    uri = thumbs.get(path)
    if uri:
        picture = f'<img src="{uri}" alt="{e(label)}" loading="lazy">'
        if kind is Kind.VIDEO:
            picture = f'<div class="video">{picture}<span>▶ video</span></div>'
    elif path in thumbs:
        picture = '<div class="none">cannot be shown (gone or unreadable)</div>'
    else:
        picture = ""
    try:
        info = os.stat(path)
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(info.st_mtime))
        facts = f"{size(info.st_size)} · {when}"
    except OSError:
        facts = "no longer on disk"
    shown = f'<span class="name">{e(printable(name))}</span> ' if name else ""
    return (
        f'<figure class="{label}">{picture}<figcaption><b>{label}</b> {shown}'
        f'<span class="path">{e(printable(path))}</span><br>{e(facts)}</figcaption></figure>'
    )


_STYLE = """
:root { font: 14px/1.4 system-ui, sans-serif; color: #222; background: #f6f6f4; }
body { margin: 0 auto; max-width: 1200px; padding: 1rem 2rem 4rem; }
h1 { font-size: 1.5rem; margin: .5rem 0; }
.roots { display: flex; gap: 3rem; color: #555; } .roots ul { margin: .2rem 0; padding-left: 1rem; }
.filters { position: sticky; top: 0; background: #f6f6f4; padding: .6rem 0; z-index: 2;
  border-bottom: 1px solid #ddd; display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
.filter { padding: .2rem .6rem; border-radius: 1rem; background: #fff; border: 1px solid #ccc;
  cursor: pointer; user-select: none; }
#folder-filter { padding: .25rem .5rem; min-width: 16rem; border: 1px solid #ccc;
  border-radius: 4px; }
details.folder { background: #fff; margin: .8rem 0; border-radius: 6px; border: 1px solid #ddd; }
details.folder > summary { padding: .6rem .8rem; cursor: pointer; font-weight: 600; }
.verdict { display: inline-block; min-width: 5rem; padding: .1rem .5rem; border-radius: 4px;
  color: #fff; font-size: .85rem; text-align: center; }
.new .verdict { background: #c62828; } .partial .verdict { background: #ef8f00; }
.review .verdict { background: #00838f; } .complete .verdict { background: #2e7d32; }
.unchecked .verdict { background: #6a1b9a; } .folder.unreadable .verdict { background: #37474f; }
.tally { color: #666; font-weight: 400; margin-left: .6rem; }
.why, .others { margin: 0 .8rem .6rem; color: #37474f; font-size: .85rem; }
.others ul { margin: .2rem 0; padding-left: 1.2rem; columns: 3; }
.items { display: grid; grid-template-columns: repeat(auto-fill, minmax(430px, 1fr)); gap: .6rem;
  padding: 0 .8rem .8rem; }
.item { border: 1px solid #e3e3e3; border-radius: 6px; padding: .5rem; background: #fcfcfb; }
.item.hidden, .folder.hidden { display: none; }
.item header { display: flex; gap: .5rem; align-items: baseline; }
.status { font-size: .8rem; padding: .05rem .4rem; border-radius: 3px; background: #eee; }
.missing .status { background: #ffcdd2; } .similar .status { background: #b2ebf2; }
.unreadable .status { background: #e1bee7; } .trashed .status { background: #d7ccc8; }
.same .status, .identical .status { background: #c8e6c9; }
.file { font-weight: 600; word-break: break-all; }
.pair { display: flex; gap: .5rem; margin-top: .4rem; }
figure { margin: 0; flex: 1; min-width: 0; }
figure img { max-width: 100%; max-height: 200px; display: block; border-radius: 3px; }
figure.library img { outline: 2px solid #2e7d32; }
figcaption { font-size: .75rem; color: #555; word-break: break-all; margin-top: .2rem; }
figcaption .name { font-weight: 600; color: #222; }
.none { height: 6rem; display: flex; align-items: center; justify-content: center;
  background: repeating-linear-gradient(45deg, #eee, #eee 8px, #f7f7f7 8px, #f7f7f7 16px);
  color: #777; font-size: .8rem; border-radius: 3px; }
.video { position: relative; } .video span { position: absolute; left: 4px; bottom: 4px;
  background: rgba(0,0,0,.6); color: #fff; font-size: .7rem; padding: 0 .3rem; border-radius: 2px; }
.reason { margin: .3rem 0 0; font-size: .85rem; color: #333; }
footer { color: #888; margin-top: 2rem; font-size: .8rem; }
.choose { display: flex; gap: .4rem; align-items: center; margin-top: .4rem; }
.choose button, #save { font: inherit; font-size: .85rem; padding: .15rem .6rem;
  border: 1px solid #bbb; border-radius: 4px; background: #fff; cursor: pointer; }
.choose button:hover { background: #f0f0f0; }
.choose button.on { color: #fff; border-color: transparent; }
.choose button.on[data-choice="same"] { background: #2e7d32; }
.choose button.on[data-choice="different"] { background: #c62828; }
.choose button.on[data-choice="unwanted"] { background: #6d4c41; }
.chosen { font-size: .8rem; color: #555; }
.item.current { outline: 3px solid #1565c0; outline-offset: 1px; }
.item[data-chosen] { background: #f3f7f3; }
.decided { margin-left: auto; font-size: .75rem; padding: .05rem .4rem; border-radius: 3px;
  background: #fff3e0; color: #6d4c41; }
.unwanted .status { background: #d7ccc8; }
#save { background: #1565c0; color: #fff; border-color: transparent; font-weight: 600; }
#save:disabled { background: #90a4ae; cursor: default; }
.keys { color: #666; font-size: .8rem; } kbd { border: 1px solid #bbb; border-radius: 3px;
  padding: 0 .3rem; background: #fff; font-size: .75rem; }
"""

_SCRIPT = """
(function () {
  const boxes = document.querySelectorAll('input[data-filter]');
  const text = document.getElementById('folder-filter');
  function apply() {
    const on = new Set([...boxes].filter(b => b.checked).map(b => b.dataset.filter));
    const words = text.value.toLowerCase();
    document.querySelectorAll('.folder').forEach(folder => {
      let visible = 0;
      folder.querySelectorAll('.item').forEach(item => {
        const show = on.has(item.dataset.status);
        item.classList.toggle('hidden', !show);
        visible += show ? 1 : 0;
      });
      const named = folder.dataset.folder.toLowerCase().includes(words);
      folder.classList.toggle('hidden', !named || visible === 0);
    });
  }
  boxes.forEach(b => b.addEventListener('change', apply));
  text.addEventListener('input', apply);

  // Choices: kept in the browser (so that a reload loses none), saved as one JSON file.
  const run = JSON.parse(document.getElementById('run').textContent);
  const store = 'reconcile-choices:' + run.haystack.join('|') + ':' + run.made;
  const chosen = new Map(JSON.parse(localStorage.getItem(store) || '[]'));
  const save = document.getElementById('save');
  const todo = () => [...document.querySelectorAll('.item[data-todo]')]
    .filter(i => i.offsetParent !== null);
  let current = null;
  function show(item) {
    const choice = chosen.get(item.dataset.path);
    item.querySelectorAll('button[data-choice]').forEach(
      b => b.classList.toggle('on', b.dataset.choice === choice));
    const label = item.querySelector('.chosen');
    const button = item.querySelector(`button[data-choice="${choice}"]`);
    label.textContent = choice ? 'chosen: ' + button.textContent : '';
    if (choice) item.dataset.chosen = choice; else delete item.dataset.chosen;
  }
  function changed() {
    localStorage.setItem(store, JSON.stringify([...chosen]));
    save.disabled = chosen.size === 0;
    save.textContent = `Save ${chosen.size} choice${chosen.size === 1 ? '' : 's'}`;
  }
  function choose(item, choice) {
    if (!choice || !item.querySelector(`button[data-choice="${choice}"]`)) return;
    if (chosen.get(item.dataset.path) === choice) chosen.delete(item.dataset.path);
    else chosen.set(item.dataset.path, choice);
    show(item); changed();
  }
  function focus(item) {
    if (current) current.classList.remove('current');
    current = item;
    if (item) { item.classList.add('current'); item.scrollIntoView({block: 'center'}); }
  }
  document.querySelectorAll('.item[data-todo]').forEach(item => {
    show(item);
    item.querySelectorAll('button[data-choice]').forEach(b => b.addEventListener('click', () => {
      focus(item); choose(item, b.dataset.choice);
    }));
  });
  const keys = {s: 'same', d: 'different', u: 'unwanted'};
  document.addEventListener('keydown', event => {
    if (event.target.tagName === 'INPUT' || event.ctrlKey || event.metaKey || event.altKey) return;
    const items = todo();
    const at = items.indexOf(current);
    if (event.key === 'j' || event.key === 'k') {
      const next = event.key === 'j' ? at + 1 : at - 1;
      if (items.length) focus(items[Math.max(0, Math.min(items.length - 1, next))]);
    } else if (current && keys[event.key]) {
      choose(current, keys[event.key]);
      if (chosen.has(current.dataset.path) && at + 1 < items.length) focus(items[at + 1]);
    } else if (current && event.key === 'x') {
      chosen.delete(current.dataset.path); show(current); changed();
    } else return;
    event.preventDefault();
  });
  save.addEventListener('click', () => {
    const choices = [...chosen].map(([path, choice]) => {
      const item = document.querySelector(`.item[data-todo][data-path="${CSS.escape(path)}"]`);
      return {path, choice, sample: item.dataset.sample, match: item.dataset.match || null};
    });
    const data = {...run, choices};
    const blob = new Blob([JSON.stringify(data, null, 2)], {type: 'application/json'});
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = 'reconcile-decisions.json';
    document.body.appendChild(link); link.click(); link.remove();
    document.getElementById('saved').textContent = 'saved reconcile-decisions.json: record it ' +
      'with reconcile decide --from reconcile-decisions.json';
  });
  changed();
})();
"""

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>{style}</style></head>
<body>
<h1>{todo} folders to do · {total} photos and videos ({videos} videos) in the backups</h1>
<div class="roots"><div>Library<ul>{library}</ul></div><div>Backups<ul>{backups}</ul></div></div>
<nav class="filters">{counts}
<input id="folder-filter" type="search" placeholder="filter folders by name">
<button id="save" type="button" disabled>Save 0 choices</button>
<span class="keys"><kbd>j</kbd>/<kbd>k</kbd> next/previous · {keys} · <kbd>x</kbd> clear</span>
<span id="saved" class="keys"></span></nav>
{sections}
<footer>made by reconcile on {when}: every backup photo and video once, the worst folders
first; complete folders are folded at the end. {decided} items carry a decision of yours
(reconcile decide --list).</footer>
<script type="application/json" id="run">{run}</script>
<script>{script}</script>
</body></html>
"""
