// Issue 12, item 16: what accessibility checks can measure on the real pages. Form
// controls' borders meet WCAG's 3:1 against what is behind them, the tab has an icon, and
// the title follows the route. (Charts' names and table alternative: web.spec.ts's
// dashboard case.)
import { expect, test, type Page } from '@playwright/test';
import { langOf, translator } from './i18n';
import { API, CONSOLE, startingWith } from './stack';

/// The WCAG contrast ratio between each form control's border and the nearest opaque
/// background behind it, lowest first, with what it was measured on.
async function borderContrasts(page: Page) {
  return page.evaluate(() => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = (c: string) => {
      const [r, g, b] = rgb(c).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const behind = (e: Element) => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        const bg = getComputedStyle(p).backgroundColor;
        if (rgb(bg)[3] !== 0) return bg;
      }
      return 'rgb(255, 255, 255)';
    };
    return [...document.querySelectorAll('input:not([type=checkbox]):not([type=hidden]), select')]
      .map((e) => {
        const [a, b] = [luminance(getComputedStyle(e).borderTopColor), luminance(behind(e))];
        return { what: e.id || e.getAttribute('name') || e.tagName, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
      })
      .sort((x, y) => x.ratio - y.ratio);
  });
}

test('item 16: form borders meet 3:1, the tab has an icon and a title that follows the route', async ({ page }, info) => {
  const tr = translator(langOf(info));
  for (const [url, title] of [
    [`${CONSOLE}/console`, tr('titles.tenants')],
    [`${API}/app`, tr('titles.picker')],
  ]) {
    await page.goto(url);
    await expect(page).toHaveTitle(startingWith(title));
    const controls = await borderContrasts(page);
    expect(controls.length, `form controls on ${url}`).toBeGreaterThan(0);
    for (const c of controls) expect(c.ratio, `border contrast of ${c.what} on ${url}`).toBeGreaterThanOrEqual(3);
    const icon = await page.locator('link[rel=icon]').getAttribute('href');
    expect(icon, `a favicon on ${url}`).toBeTruthy();
    const served = await page.evaluate(async (h) => (await fetch(h ?? '')).status, icon);
    expect(served, `the favicon of ${url} is served`).toBe(200);
  }
});
