using LocalFineTune.Training.Comparison;
using ScottPlot;

namespace LocalFineTune.Cli.Commands.Compare;

/// <summary>
/// Training loss (thin) and eval loss (thick, with markers) per step for every base, overlaid, as a PNG. ScottPlot
/// draws it with SkiaSharp's self-contained Linux build, so no system graphics or font package is needed.
/// </summary>
internal static class LossChart
{
    public const int Width = 900;
    public const int Height = 500;

    public static byte[] Png(IReadOnlyList<ComparedModel> models)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        foreach (var (model, i) in models.Where(m => m.LossHistory.Count > 0).Select((m, i) => (m, i)))
        {
            var color = palette.GetColor(i);
            var train = plot.Add.ScatterLine(model.LossHistory.Select(s => (double)s.Step).ToArray(), model.LossHistory.Select(s => s.Loss).ToArray());
            train.Color = color.WithAlpha(0.45);
            train.LegendText = $"{model.Model} train";
            var eval = plot.Add.Scatter(model.EvalHistory.Select(e => (double)e.Step).ToArray(), model.EvalHistory.Select(e => e.EvalLoss).ToArray());
            eval.Color = color;
            eval.LineWidth = 2.5f;
            eval.MarkerSize = 7;
            eval.LegendText = $"{model.Model} eval";
        }
        plot.Title("Loss per optimizer step");
        plot.XLabel("step");
        plot.YLabel("loss (nats per token)");
        plot.ShowLegend(Alignment.UpperRight);
        return plot.GetImageBytes(Width, Height, ImageFormat.Png);
    }
}
