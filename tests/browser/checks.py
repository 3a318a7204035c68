"""Accessibility checks run inside the page: labels, colour contrast (WCAG 2.1), keyboard reach, zoom."""

from __future__ import annotations

from typing import Any

# For every visible form control: is there a label (label[for], a wrapping label, aria-label/labelledby)?
UNLABELLED_JS = """
() => Array.from(document.querySelectorAll('input, select, textarea'))
  .filter(el => el.type !== 'hidden' && el.offsetParent !== null)
  .filter(el => {
    if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
    if (el.id && document.querySelector(`label[for="${el.id}"]`)) return false;
    return !el.closest('label');
  })
  .map(el => el.outerHTML.slice(0, 120))
"""

# WCAG 2.1 relative luminance and contrast ratio (SC 1.4.3: 4.5:1 for text, 3:1 for large text, which is
# 24 px, or 18.66 px bold). The background is the first opaque one up the tree.
CONTRAST_JS = """
() => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(',').map(Number); return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1}; };
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => {
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const background = (el) => { for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor); if (c && c.a >= 0.99) return c; }
    return {r: 255, g: 255, b: 255, a: 1}; };
  const failures = []; let checked = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || el.offsetParent === null && getComputedStyle(el).position !== 'fixed') continue;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color); const bg = background(el);
    const l1 = lum(fg), l2 = lum(bg);
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize); const bold = parseInt(style.fontWeight) >= 700;
    const needed = (size >= 24 || (bold && size >= 18.66)) ? 3 : 4.5;
    checked++;
    const what = `${el.tagName} "${el.textContent.trim().slice(0, 30)}"`;
    if (ratio < needed) failures.push(`${what} ${ratio.toFixed(2)} < ${needed}`);
  }
  return {checked, failures};
}
"""


def unlabelled_controls(page: Any) -> list[str]:
    return list(page.evaluate(UNLABELLED_JS))


def contrast_failures(page: Any) -> tuple[int, list[str]]:
    result = page.evaluate(CONTRAST_JS)
    return int(result["checked"]), list(result["failures"])


def tab_reaches(page: Any, selector: str, max_tabs: int = 120) -> bool:
    """Press Tab from the top of the page until the element matching `selector` has the focus."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    page.locator("body").focus()
    for _ in range(max_tabs):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return True
    return False


def scrolls_sideways(page: Any) -> bool:
    """True when the page is wider than the window (content cut off or needing a sideways scroll)."""
    return bool(page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"))
