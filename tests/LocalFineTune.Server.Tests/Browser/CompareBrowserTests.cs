using System.Text.RegularExpressions;
using LocalFineTune.Server.Tests.Infrastructure;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>Issue 16.4e: Compare fine-tunes two tiny bases of different families and shows both, the best, and both curves.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CompareBrowserTests
{
    [BrowserFact]
    public async Task AComparisonOfTwoBases_ShowsBothRows_TheBestMarked_AndTwoCurves()
    {
        await using var world = await DashboardBrowser.StartAsync(folders => TinyBases.CreatePhi(Path.Combine(folders.ModelsRoot, "base", "phi")));
        var page = world.Page;
        await world.LoginAsync();
        await world.OpenAsync("#/compare", "Compare bases");

        await page.GetByRole(AriaRole.Checkbox, new() { Name = "tiny", Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "phi", Exact = true }).CheckAsync();
        await page.GetByLabel("Dataset under the data root").FillAsync("train.csv");
        await page.GetByLabel("Epochs").FillAsync("1");
        await page.GetByLabel("Held-out prompts answered").FillAsync("2");
        await world.ScreenshotAsync("compare-form");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start comparison" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/compare/cmp-"));

        await Expect(page.GetByText("Best:")).ToBeVisibleAsync(new() { Timeout = 180_000 });
        var rows = page.Locator("main table.jobs").First.Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(2);
        await Expect(rows.Locator(".badge")).ToHaveTextAsync(["succeeded", "succeeded"]);
        var best = (await page.Locator("main p strong").First.TextContentAsync())!.Trim();
        Assert.Contains(best, new[] { "tiny", "phi" });
        await Expect(rows.Filter(new() { HasText = "★" })).ToHaveCountAsync(1);
        await Expect(rows.Filter(new() { HasText = "★" }).Locator("td").First).ToHaveTextAsync($"{best} ★");
        var curves = page.Locator("main section.card:has(h2:text-is('Eval loss per step')) svg.chart path.series");
        await Expect(curves).ToHaveCountAsync(2);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Held-out prompts" })).ToBeVisibleAsync(new() { Timeout = 120_000 });
        var samples = page.Locator("main table.samples");
        await Expect(samples.Locator("thead th")).ToHaveTextAsync(["Prompt", "Expected", "tiny", "phi"]);
        // An unbroken answer once widened its column past the screen, pushing the other model's answers out of sight.
        Assert.True(await samples.EvaluateAsync<bool>("t => t.scrollWidth <= t.parentElement.clientWidth"),
            "the held-out answers table is wider than its box: a long answer does not wrap");
        await AccessibleNames.AssertAllNamedAsync(page, "compare report");
        await world.ScreenshotAsync("compare-report");
        world.AssertNoPageErrors();
    }
}
