using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using LocalFineTune.Server.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace LocalFineTune.Server.Tests.Browser;

/// <summary>Issue 16.4f: every control on every page has an accessible name; the New job form works from the keyboard.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityBrowserTests
{
    [BrowserFact]
    public async Task EveryControlOnEveryPage_HasAnAccessibleName()
    {
        await using var world = await DashboardBrowser.StartAsync();
        var page = world.Page;
        await AccessibleNames.AssertAllNamedAsync(page, "login");
        await world.LoginAsync();

        // A finished job first, so Jobs has a row of buttons and Job detail its checkpoints and links.
        await world.OpenAsync("#/new", "New fine-tuning job");
        await AccessibleNames.AssertAllNamedAsync(page, "New job (upload)");
        await world.ScreenshotAsync("new-job");
        await page.GetByLabel("A file under the data root").CheckAsync();
        await page.Locator("#data-path").FillAsync("train.csv");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start fine-tuning" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("#/jobs/ftjob-"));
        await Expect(Pages.JobStatus(page)).ToHaveTextAsync("succeeded", new() { Timeout = 120_000 });
        await AccessibleNames.AssertAllNamedAsync(page, "Job detail");
        await world.ScreenshotAsync("job-detail");

        foreach (var (hash, heading, name) in new[]
                 {
                     ("#/jobs", "Fine-tuning jobs", "jobs"), ("#/models", "Models", "models"),
                     ("#/playground", "Playground", "playground"), ("#/compare", "Compare bases", "compare"),
                     ("#/schedules", "Schedules", "schedules"),
                 })
        {
            await world.OpenAsync(hash, heading);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            await AccessibleNames.AssertAllNamedAsync(page, name);
            await world.ScreenshotAsync(name);
        }
        world.AssertNoPageErrors();
    }

    // Its own test: the data-root path box is only shown after choosing that source.
    [BrowserFact]
    public async Task NewJob_TheDataRootPathInput_HasAnAccessibleName()
    {
        await using var world = await DashboardBrowser.StartAsync();
        var page = world.Page;
        await world.LoginAsync();
        await world.OpenAsync("#/new", "New fine-tuning job");

        await page.GetByLabel("A file under the data root").CheckAsync();

        await AccessibleNames.AssertAllNamedAsync(page, "New job (data root)");
    }

    [BrowserFact]
    public async Task NewJob_TabReachesEveryControlInOrder_AndEnterOnStartStartsTheJob()
    {
        await using var world = await DashboardBrowser.StartAsync();
        var page = world.Page;
        await world.LoginAsync();
        await world.OpenAsync("#/new", "New fine-tuning job");
        await page.GetByLabel("File (.jsonl or .csv)").SetInputFilesAsync(new FilePayload
        {
            Name = "fridge.jsonl", MimeType = "application/jsonl", Buffer = Encoding.UTF8.GetBytes(TestDatasets.ChatJsonl(12)),
        });
        await Expect(page.GetByLabel("Base model")).ToHaveValueAsync("tiny");

        await page.GetByLabel("Upload a file").FocusAsync();
        var reached = new List<string>();
        for (var i = 0; i < 20 && reached.LastOrDefault() != "Start fine-tuning"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            reached.Add(await page.EvaluateAsync<string>("() => document.activeElement.id || document.activeElement.textContent.trim()"));
        }

        string[] expected = ["data-file", "model", "method", "epochs", "batch", "lr", "seed", "suffix", "validation", "Start fine-tuning"];
        Assert.True(IsInOrder(expected, reached), $"Tab order: expected {string.Join(", ", expected)} in this order within {string.Join(", ", reached)}");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page).ToHaveURLAsync(new Regex("#/jobs/ftjob-"));
        await world.ScreenshotAsync("job-started-by-keyboard");
        world.AssertNoPageErrors();
    }

    /// <summary>Each of <paramref name="expected"/> appears in <paramref name="reached"/>, in this order (other controls may sit between).</summary>
    private static bool IsInOrder(IReadOnlyList<string> expected, IReadOnlyList<string> reached)
    {
        var next = 0;
        foreach (var id in reached)
        {
            if (next < expected.Count && id == expected[next]) next++;
        }
        return next == expected.Count;
    }
}
