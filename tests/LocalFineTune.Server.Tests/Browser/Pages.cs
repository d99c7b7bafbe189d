using Microsoft.Playwright;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>What the tests read off the dashboard's pages (selectors in one place, named for what they show).</summary>
public static class Pages
{
    /// <summary>How many points a series of the chart in <paramref name="section"/> (its h2) draws: the M/L commands of its path.</summary>
    public static Task<int> SeriesPointsAsync(IPage page, string section, string seriesClass) =>
        page.EvaluateAsync<int>("""
            ([section, cls]) => {
              const card = [...document.querySelectorAll('section.card')].find((s) => s.querySelector('h2')?.textContent === section);
              const path = card?.querySelector(`svg.chart path.series.${cls}`);
              return path ? (path.getAttribute('d').match(/[ML]/g) || []).length : 0;
            }
            """, new[] { section, seriesClass });

    /// <summary>The status badge of the Job detail page's summary.</summary>
    public static ILocator JobStatus(IPage page) => page.Locator("main section.card .badge").First;

    /// <summary>The Jobs table's row for <paramref name="jobId"/>.</summary>
    public static ILocator JobRow(IPage page, string jobId) =>
        page.Locator("table.jobs tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = jobId, Exact = true }) });

    public static async Task<string> JobIdOnDetailAsync(IPage page) =>
        (await page.Locator("main h1.mono").TextContentAsync())!.Trim();
}
