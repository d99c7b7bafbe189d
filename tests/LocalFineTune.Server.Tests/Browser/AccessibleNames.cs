using Microsoft.Playwright;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>
/// Which rendered controls (input, select, textarea, button) have no accessible name, computed in the page by the
/// rules that give these controls one: aria-labelledby, aria-label, a label (for= or around it), a button's text or
/// value, a title. A placeholder does not count: it disappears as soon as one types.
/// </summary>
public static class AccessibleNames
{
    private const string Script = """
        () => {
          const text = (s) => (s || '').replace(/\s+/g, ' ').trim();
          const nameOf = (el) => {
            const by = el.getAttribute('aria-labelledby');
            if (by) {
              const t = text(by.split(/\s+/).map((id) => document.getElementById(id)?.textContent).join(' '));
              if (t) return t;
            }
            if (text(el.getAttribute('aria-label'))) return text(el.getAttribute('aria-label'));
            if (el.labels && text([...el.labels].map((l) => l.textContent).join(' '))) return text([...el.labels].map((l) => l.textContent).join(' '));
            if (el.tagName === 'BUTTON' && text(el.textContent)) return text(el.textContent);
            if (el.tagName === 'INPUT' && ['submit', 'button', 'reset'].includes(el.type) && text(el.value)) return text(el.value);
            return text(el.getAttribute('title'));
          };
          return [...document.querySelectorAll('input, select, textarea, button')]
            .filter((el) => el.type !== 'hidden' && el.getClientRects().length > 0)
            .filter((el) => !nameOf(el))
            .map((el) => el.outerHTML.slice(0, 160));
        }
        """;

    public static async Task<string[]> UnnamedControlsAsync(IPage page) => await page.EvaluateAsync<string[]>(Script);

    public static async Task AssertAllNamedAsync(IPage page, string where)
    {
        var unnamed = await UnnamedControlsAsync(page);
        Assert.True(unnamed.Length == 0, $"{where}: controls without an accessible name:\n{string.Join("\n", unnamed)}");
    }
}
