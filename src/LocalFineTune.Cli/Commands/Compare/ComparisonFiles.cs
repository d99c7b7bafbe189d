using System.Net;
using System.Text;
using LocalFineTune.Training.Comparison;

namespace LocalFineTune.Cli.Commands.Compare;

/// <summary>
/// compare-&lt;stamp&gt;/: report.json (the data), loss.png (the curves), report.html (table, the same PNG embedded as a
/// data URI so the page reads in a mail client with no other file, and the held-out answers side by side).
/// </summary>
internal static class ComparisonFiles
{
    public static string Write(ComparisonReport report, string parent)
    {
        var folder = Path.Combine(parent, report.Id);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "report.json"), report.ToJson());
        var png = LossChart.Png(report.Models);
        File.WriteAllBytes(Path.Combine(folder, "loss.png"), png);
        File.WriteAllText(Path.Combine(folder, "report.html"), Html(report, png));
        return folder;
    }

    public static string Html(ComparisonReport report, byte[] png)
    {
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E($"Comparison {report.Id}")).Append("</title><style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}")
            .Append("td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}")
            .Append("tr.best td{background:#eef8ee}img{max-width:100%}</style></head><body>")
            .Append("<h1>").Append(E($"{report.Models.Count} bases on {report.Dataset}")).Append("</h1>")
            .Append("<p>Every base was fine-tuned with the same data, options and seed and evaluated on the same held-out examples. ")
            .Append(report.Best is { } best ? $"Best: <strong>{E(best)}</strong> (lowest eval loss after training)." : "No run succeeded.").Append("</p>");
        AppendTable(html, report);
        html.Append("<h2>Loss curves</h2><img alt=\"training and eval loss per step\" src=\"data:image/png;base64,")
            .Append(Convert.ToBase64String(png)).Append("\">");
        AppendSamples(html, report);
        return html.Append("</body></html>").ToString();
    }

    private static void AppendTable(StringBuilder html, ComparisonReport report)
    {
        html.Append("<table><tr>").AppendJoin("", ComparisonTable.Headers.Select(h => $"<th>{E(h)}</th>")).Append("</tr>");
        foreach (var (row, model) in ComparisonTable.Rows(report).Zip(report.Models))
            html.Append(model.Model == report.Best ? "<tr class=\"best\">" : "<tr>").AppendJoin("", row.Select(c => $"<td>{E(c)}</td>")).Append("</tr>");
        html.Append("</table>");
        foreach (var failed in report.Models.Where(m => m.Error is not null))
            html.Append("<p>").Append(E($"{failed.Model}: {failed.Error}")).Append("</p>");
    }

    private static void AppendSamples(StringBuilder html, ComparisonReport report)
    {
        if (report.Samples.Count == 0) return;
        var models = report.Models.Where(m => m.Status == "succeeded").Select(m => m.Model).ToList();
        html.Append("<h2>Held-out prompts</h2><table><tr><th>prompt</th><th>expected</th>")
            .AppendJoin("", models.Select(m => $"<th>{E(m)}</th>")).Append("</tr>");
        foreach (var sample in report.Samples)
        {
            html.Append("<tr><td>").Append(E(sample.Prompt)).Append("</td><td>").Append(E(sample.Expected ?? "")).Append("</td>")
                .AppendJoin("", models.Select(m => $"<td>{E(sample.Answers.GetValueOrDefault(m, ""))}</td>")).Append("</tr>");
        }
        html.Append("</table>");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
