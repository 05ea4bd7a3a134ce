"""Issue 5, the everyday things: every role's main pages pass an accessibility audit run in
Chromium (names for every control, link and button, alt text, language, one h1 and no skipped
heading levels, WCAG AA contrast of the text as drawn), and the intake form works by keyboard
alone, in order, with a visible focus ring.

The audit is ours, in a few lines of JS, not a vendored axe-core: it checks what this portal's
templates can get wrong, and its messages name the element so a failure says what to fix."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from incidents import services as incidents
from reporting.sweep import sweep_due
from roles.models import Unit
from tests.e2e.conftest import click_and_confirm

pytestmark = pytest.mark.django_db(transaction=True)

# Returns a list of problems, each "what: which element". Colours are composited through the
# ancestors' backgrounds (over white), as the eye sees them; large text needs 3:1, the rest 4.5:1.
AUDIT = r"""() => {
  const problems = [];
  const describe = el => {
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}> "${text}"`;
  };
  const hiddenFromAll = el => !!el.closest('[aria-hidden=true]');
  const textOf = el => {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true]').forEach(n => n.remove());
    copy.querySelectorAll('img[alt]').forEach(n => n.replaceWith(n.alt));
    return (copy.textContent || '').trim();
  };
  const nameOf = el => {
    const by = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map(id => document.getElementById(id)).filter(Boolean).map(textOf).join(' ').trim();
    if (by) return by;
    const label = (el.getAttribute('aria-label') || '').trim();
    if (label) return label;
    if (el.labels && el.labels.length) {
      const text = [...el.labels].map(textOf).join(' ').trim();
      if (text) return text;
    }
    return (el.getAttribute('title') || '').trim();
  };

  const lang = document.documentElement.getAttribute('lang') || '';
  if (lang.toLowerCase() !== 'zh-hans') problems.push(`html lang is "${lang}", not zh-hans`);
  if (!document.title.trim()) problems.push('the page has no title');
  if (document.querySelectorAll('main').length !== 1) problems.push('not exactly one <main>');

  const ids = {};
  document.querySelectorAll('[id]').forEach(el => { ids[el.id] = (ids[el.id] || 0) + 1; });
  Object.entries(ids).filter(([, n]) => n > 1).forEach(([id]) => problems.push(`duplicate id: ${id}`));

  const headings = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')];
  const h1s = headings.filter(h => h.tagName === 'H1');
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 on the page`);
  let previous = 0;
  for (const h of headings) {
    const level = Number(h.tagName[1]);
    if (level > previous + 1) problems.push(`heading skips from h${previous} to h${level}: ${describe(h)}`);
    if (!textOf(h)) problems.push(`empty heading: ${describe(h)}`);
    previous = level;
  }

  document.querySelectorAll('input:not([type=hidden]), select, textarea').forEach(el => {
    if (!nameOf(el)) problems.push(`form control without a label: ${describe(el)} name=${el.name}`);
  });
  document.querySelectorAll('a[href], button, [role=button], input[type=submit], input[type=button]').forEach(el => {
    if (hiddenFromAll(el)) return;
    if (!(nameOf(el) || textOf(el) || (el.value || '').trim())) problems.push(`link or button without text: ${el.outerHTML.slice(0, 120)}`);
  });
  document.querySelectorAll('[aria-describedby], [aria-labelledby], [aria-controls]').forEach(el => {
    ['aria-describedby', 'aria-labelledby', 'aria-controls'].forEach(attr => (el.getAttribute(attr) || '').split(/\s+/)
      .filter(id => id && !document.getElementById(id)).forEach(id => problems.push(`${attr} names no element: ${id} on ${describe(el)}`)));
  });
  document.querySelectorAll('img:not([alt])').forEach(el => problems.push(`img without alt: ${el.src}`));
  document.querySelectorAll('[role=img]').forEach(el => {
    if (!nameOf(el)) problems.push(`role=img without a name: ${describe(el)}`);
  });
  // Icon-font glyphs are private-use characters: screen readers read them as noise.
  document.querySelectorAll('.bi').forEach(el => {
    if (!hiddenFromAll(el) && !el.getAttribute('aria-label')) problems.push(`icon not aria-hidden: ${el.outerHTML.slice(0, 80)}`);
  });

  // Contrast.
  const parse = value => {
    const n = (value.match(/[\d.]+/g) || []).map(Number);
    if (value.startsWith('color(srgb')) return [n[0] * 255, n[1] * 255, n[2] * 255, n.length > 3 ? n[3] : 1];
    return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
  };
  const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const luminance = rgb => {
    const [r, g, b] = rgb.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const backgroundOf = el => {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const bg = parse(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] === 1) break;
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || ['SCRIPT', 'STYLE', 'OPTION', 'NOSCRIPT'].includes(el.tagName)) continue;
    seen.add(el);
    if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
    const box = el.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;  // visually hidden, for screen readers only
    // WCAG exempts inactive controls.
    if (el.closest(':disabled, .disabled, [aria-disabled=true]')) continue;
    const style = getComputedStyle(el);
    const background = backgroundOf(el);
    const colour = over(parse(style.color), background);
    const [light, dark] = [luminance(colour), luminance(background)].sort((a, b) => b - a);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)}:1 (${style.color} on rgb(${background.slice(0, 3).map(Math.round)})): ${describe(el)}`);
  }
  return problems;
}"""


def audit(page, path):
    """The audit's problems on that page, with every collapsed section (action cards) unfolded."""
    page.goto(f"{page.base}{path}")
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return page.evaluate(AUDIT)


def report(found):
    """{path: [problem, …]} → one line per problem, with the pages it was seen on."""
    pages = {}
    for path, problems in found.items():
        for problem in problems:
            pages.setdefault(problem, []).append(path)
    return "\n".join(f"{problem}  [{', '.join(paths)}]" for problem, paths in pages.items())


@pytest.fixture
def busy_bureau(cast, categories, file_incident, to_state):
    """Incidents in most states and at every level, deadlines on time, late and overdue,
    notifications: so that every badge colour, red row and list the pages can show is audited.
    Returns the incidents the pages below open, by name."""
    station = Unit.objects.get(code="chengguan")
    named = {
        "active": to_state(file_incident(title="城关镇某学校食堂疑似食物中毒", proposed_level=2), "active"),
        "verified": to_state(file_incident(title="某超市销售过期食品"), "verified"),
        "submitted": file_incident(title="某餐馆使用过期原料"),
        "closed": to_state(file_incident(title="某药店销售假药", proposed_level=4), "closed"),
        "draft": file_incident(title="未提交的草稿", draft=True),
    }
    for level in (1, 3, 4):
        to_state(file_incident(title=f"测试事件{level}", proposed_level=level), "active", form_hq=level == 4)
    to_state(file_incident(title="某饭店疑似食物中毒", proposed_level=3), "ended")
    named["returned"] = file_incident(title="某电梯困人")
    incidents.incident_return(actor=cast["office"], incident=named["returned"], message="请补充现场照片。")
    # Registered by the office 2 hours ago: the station's first report is overdue and escalated.
    with time_machine.travel(timezone.now() - timedelta(hours=2)):
        incidents.incident_file(actor=cast["office"], station=station, draft=True, title="12315转来:某超市销售过期食品",
                                category=categories["food_safety"], proposed_level=2)
    for _ in range(3):  # each sweep takes the next step: reminders, overdue, escalation
        sweep_due(now=timezone.now())
    # The duty roster (issue 14): a shift under way (named in every top bar), a gap ahead, a handover.
    from duty import roster

    bureau, now = Unit.objects.get(code="bureau"), timezone.now()
    current = roster.shift_create(actor=cast["office"], bureau=bureau, starts_at=now - timedelta(hours=1),
                                  ends_at=now + timedelta(hours=23), leader=cast["director"], staff=[cast["office"]])
    roster.shift_create(actor=cast["office"], bureau=bureau, starts_at=now + timedelta(hours=23),
                        ends_at=now + timedelta(hours=47), leader=cast["deputy"], is_holiday=True)
    roster.handover_record(actor=cast["office"], shift_out=current, open_items="城关所回电待复")
    named["shift"] = current
    return named


PAGES = {
    "station1": ["/", "/incidents/new/", "/incidents/", "/incidents/{active}/", "/incidents/{returned}/",
                 "/incidents/{draft}/", "/incidents/{draft}/edit/", "/reporting/notifications/", "/org/",
                 "/org/units/chengguan/", "/org/units/chengguan/edit/", "/duty/"],
    "office": ["/", "/incidents/new/", "/incidents/", "/incidents/{active}/", "/incidents/{submitted}/", "/no-such-page/",
               "/incidents/{closed}/", "/reporting/board/", "/reporting/accountability/", "/dashboard/",
               "/reporting/notifications/", "/org/", "/org/contacts/county_government/edit/",
               "/duty/", "/duty/shifts/{shift}/", "/duty/shifts/new/", "/duty/import/", "/duty/handovers/"],
    "director": ["/", "/incidents/{verified}/", "/incidents/{active}/", "/dashboard/", "/reporting/board/",
                 "/reporting/notifications/", "/org/delegations/"],
    "deputy": ["/", "/incidents/{active}/"],
    "admin": ["/", "/org/"],
}


@pytest.mark.parametrize("who", list(PAGES))
def test_every_role_s_main_pages_pass_the_audit(who, busy_bureau, open_as):
    # Stations work on phones: their pages are audited at a phone's width.
    page = open_as(who, phone=who == "station1")
    found = {path: audit(page, path.format(**{name: i.pk for name, i in busy_bureau.items()})) for path in PAGES[who]}
    problems = report(found)
    assert not problems, problems


def test_the_audit_sees_the_status_badges_and_red_rows(busy_bureau, open_as):
    """The audit above is only as good as what the pages showed it: make sure they showed the
    badges of every state and level, and overdue rows."""
    page = open_as("office")
    page.goto(f"{page.base}/incidents/")
    badges = set(page.locator("td .badge").all_inner_texts())
    assert {"待核实", "待应急领导小组决定", "应急响应中", "应急结束，善后处置与调查评估中", "已结案",
            "已退回市场监督管理所补充", "待市场监督管理所首报"} <= badges, badges
    assert {"Ⅰ", "Ⅱ", "Ⅲ", "Ⅳ"} <= badges
    page.goto(f"{page.base}/reporting/board/")
    assert page.locator("#board-rows tr.table-danger a").count() >= 1


def test_the_login_page_passes_the_audit(live_server, browser):
    page = browser.new_page()
    page.base = live_server.url
    try:
        assert audit(page, "/login/") == []
    finally:
        page.close()


def test_the_audit_finds_what_it_looks_for(live_server, browser):
    """A page with one of each fault: the audit must report every one."""
    page = browser.new_page()
    try:
        page.set_content("""<html><head><title>x</title></head><body><main>
          <h1>a</h1><h1>b</h1><h4>c</h4><input name=q><img src=x.png>
          <a href="/x"><i class="bi bi-bell"></i></a><button></button>
          <p style="color:#aaa">faint</p><span id=d></span><span id=d></span></main></body></html>""")
        problems = "\n".join(page.evaluate(AUDIT))
    finally:
        page.close()
    for expected in ("html lang", "2 h1", "skips from h1 to h4", "without a label", "img without alt",
                     "link or button without text", "icon not aria-hidden", "contrast 2.3", "duplicate id: d"):
        assert expected in problems, expected


def test_errors_are_read_with_their_fields(cast, categories, open_as):
    """A first report sent without what it needs: every error is tied to its field, so a screen
    reader reads "title: this is needed" and not just "title"."""
    page = open_as("station1", phone=True)
    page.goto(f"{page.base}/incidents/new/")
    page.fill("#id_title", "城关镇某饭店疑似食物中毒")
    with page.expect_navigation():
        click_and_confirm(page, "button[value=submit]")
    errors = page.locator(".invalid-feedback")
    assert errors.count() >= 3  # time, place, what happened
    for i in range(errors.count()):
        error_id = errors.nth(i).get_attribute("id")
        described = page.locator(f"[aria-describedby~='{error_id}']")
        assert described.count() >= 1, error_id
        assert described.first.get_attribute("aria-invalid") == "true", error_id
    # The help text is still read too (Django names both; the templates give the ids).
    assert page.get_attribute("#id_occurred_at", "aria-describedby") == "id_occurred_at_helptext id_occurred_at_error"
    assert page.evaluate(AUDIT) == []


# The intake form, field by field in the order a station fills it in (a radio group is one stop).
INTAKE_ORDER = ["id_station", "id_title", "id_category", "id_occurred_at", "id_discovered_at", "id_location",
                "summary", "id_nature", "id_description", "id_proposed_level", "id_dead", "id_injured", "id_missing",
                "id_estimated_loss", "id_scope", "id_trend", "id_source", "id_source_detail", "id_measures_taken",
                "id_reporter_name", "id_reporter_position", "id_reporter_phone", "id_files", "draft", "submit"]

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    key: el.tagName === 'SUMMARY' ? 'summary' : el.tagName === 'BUTTON' ? el.value : el.type === 'radio' ? el.name && 'id_' + el.name : el.id,
    top: box.top + window.scrollY, left: box.left,
    // A ring: an outline, or Bootstrap's focus box-shadow.
    ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none',
  };
}"""


def test_the_intake_form_works_by_keyboard(cast, categories, open_as):
    page = open_as("station1")
    page.emulate_media(reduced_motion="reduce")  # Bootstrap then scrolls at once: positions are read mid-scroll otherwise
    page.goto(f"{page.base}/incidents/new/")
    # The first Tab reaches the skip link, which shows itself and jumps past the menu.
    page.keyboard.press("Tab")
    skip = page.locator("a[href='#main']")
    assert page.evaluate("() => document.activeElement.getAttribute('href')") == "#main"
    assert skip.bounding_box()["width"] > 20 and skip.inner_text() == "跳至正文"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")

    page.focus("#id_station")
    stops = [page.evaluate(FOCUSED)]
    for _ in range(200):  # a date-time field takes a Tab per part (year, month, day, hour, minute)
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop["key"] != stops[-1]["key"]:
            stops.append(stop)
        if stop["key"] == "submit":
            break
    assert [s["key"] for s in stops] == INTAKE_ORDER
    assert [s["key"] for s in stops if not s["ring"]] == []
    # Down the page, and left to right within a row. The two buttons stick to the bottom of the
    # screen, so where they are depends on the scrolling: only their order is checked.
    fields, (draft, submit) = stops[:-2], stops[-2:]
    for before, after in zip(fields, fields[1:]):
        assert after["top"] > before["top"] + 1 or (abs(after["top"] - before["top"]) <= 1 and after["left"] > before["left"]), (before, after)
    assert abs(draft["top"] - submit["top"]) <= 1 and draft["left"] < submit["left"]

    # The level is chosen with the arrow keys, the plan's criteria read out with each choice.
    page.focus("#id_proposed_level_1")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.id") == "id_proposed_level_2"
    assert page.is_checked("#id_proposed_level_2")
    assert "重大" in page.evaluate("() => document.activeElement.labels[0].textContent")
