using System.Text.Json;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Tests.Preference;

public class DpoOptionsTests
{
    [Fact]
    public void Defaults_AreThePapersAndValid()
    {
        var o = new DpoOptions();
        Assert.Equal(0.1, o.Beta);
        Assert.Equal(DpoLossType.Sigmoid, o.LossType);
        Assert.Equal(0, o.LabelSmoothing);
        Assert.False(o.PrecomputeReference);
        Assert.Empty(o.Validate());
    }

    [Fact]
    public void Json_UsesSnakeCaseNamesAndLossTypeValues()
    {
        var o = JsonSerializer.Deserialize<DpoOptions>("""{"beta":0.5,"loss_type":"ipo","precompute_reference":true}""", TrainingOptions.JsonOptions)!;
        Assert.Equal(0.5, o.Beta);
        Assert.Equal(DpoLossType.Ipo, o.LossType);
        Assert.True(o.PrecomputeReference);
        var json = JsonSerializer.Serialize(o, TrainingOptions.JsonOptions);
        Assert.Contains("\"loss_type\": \"ipo\"", json);
        // Whatever naming policy a caller's options use, the enum stays "sigmoid"/"ipo".
        Assert.Contains("\"sigmoid\"", JsonSerializer.Serialize(new DpoOptions()));
    }

    [Theory]
    [InlineData("dpo.beta", 0.0, 0.0, DpoLossType.Sigmoid)]
    [InlineData("dpo.beta", 2.5, 0.0, DpoLossType.Sigmoid)]
    [InlineData("dpo.beta", double.NaN, 0.0, DpoLossType.Sigmoid)]
    [InlineData("dpo.label_smoothing", 0.1, 0.5, DpoLossType.Sigmoid)]
    [InlineData("dpo.label_smoothing", 0.1, -0.1, DpoLossType.Sigmoid)]
    [InlineData("dpo.label_smoothing", 0.1, 0.1, DpoLossType.Ipo)]
    public void Validate_NamesTheField(string field, double beta, double smoothing, DpoLossType loss)
    {
        var errors = new DpoOptions { Beta = beta, LabelSmoothing = smoothing, LossType = loss }.Validate();
        var error = Assert.Single(errors);
        Assert.Equal(field, error.Field);
        Assert.Contains("use", error.Message);
    }

    [Fact]
    public void Validate_AcceptsOpenAisUpperBound()
    {
        Assert.Empty(new DpoOptions { Beta = 2.0 }.Validate());
    }

    [Fact]
    public void Json_RefusesAnUnknownLossType()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<DpoOptions>("""{"loss_type":"hinge"}""", TrainingOptions.JsonOptions));
    }
}
