using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Tests;

public class OptionsTests
{
    [Fact]
    public void Defaults_MatchTheServiceContract()
    {
        var o = new TrainingOptions();
        Assert.Equal(3, o.Epochs.Value);
        Assert.Equal(4, o.BatchSize.Value);
        Assert.Equal(2e-5, o.PeakLearningRate); // the seed's rate for a full fine-tune…
        Assert.Equal(2e-4, (o with { Method = TrainingMethod.Lora }).PeakLearningRate); // …and ten times that for LoRA
        Assert.Equal(TrainingMethod.Auto, o.Method);
        Assert.Empty(TrainingOptionsValidator.Validate(o));
    }

    [Fact]
    public void Json_UsesSnakeCase_AndAcceptsAuto()
    {
        var o = TrainingOptions.FromJson("""{"epochs":"auto","batch_size":8,"learning_rate":1e-4,"lr_scheduler":"cosine","gradient_accumulation_steps":2}""");
        Assert.True(o.Epochs.IsAuto);
        Assert.Equal(8, o.BatchSize.Value);
        Assert.Equal(LrSchedulerKind.Cosine, o.LrScheduler);
        var json = o.ToJson();
        Assert.Contains("\"epochs\": \"auto\"", json);
        Assert.Contains("\"lr_scheduler\": \"cosine\"", json);
        Assert.Equal(o, TrainingOptions.FromJson(json));
    }

    [Theory]
    [InlineData("epochs", """{"epochs":0}""")]
    [InlineData("epochs", """{"epochs":51}""")]
    [InlineData("batch_size", """{"batch_size":0}""")]
    [InlineData("learning_rate", """{"learning_rate":-1}""")]
    [InlineData("gradient_accumulation_steps", """{"gradient_accumulation_steps":0}""")]
    [InlineData("warmup_ratio", """{"warmup_ratio":1.5}""")]
    [InlineData("warmup_ratio", """{"warmup_ratio":0.1,"warmup_steps":10}""")]
    [InlineData("weight_decay", """{"weight_decay":2}""")]
    [InlineData("max_grad_norm", """{"max_grad_norm":-1}""")]
    [InlineData("max_seq_length", """{"max_seq_length":1}""")]
    [InlineData("eval_steps", """{"eval_steps":-5}""")]
    [InlineData("save_total_limit", """{"save_total_limit":-1}""")]
    [InlineData("device", """{"device":"tpu"}""")]
    public void Validate_NamesTheFieldAndTheRange_WhenOutOfRange(string field, string json)
    {
        var error = Assert.Throws<TrainingOptionsException>(() => TrainingOptions.FromJson(json).EnsureValid());
        var named = Assert.Single(error.Errors, e => e.Field == field);
        Assert.Matches("use|give", named.Message);
    }

    [Theory]
    [InlineData(10, 10)]   // 3×10 < 100 → 10
    [InlineData(2, 25)]    // would need 50 → capped at 25
    [InlineData(100, 3)]
    [InlineData(20_000, 1)] // 3×20k > 25k → 1
    [InlineData(5_000, 3)] // 3×5k ≤ 25k → unchanged
    public void AutoEpochs_FollowsOpenAisHeuristic(int examples, int expected)
    {
        Assert.Equal(expected, AutoEpochs.Resolve(AutoInt.Auto, examples));
    }

    [Fact]
    public void Schedules_WarmUpThenDecay()
    {
        var linear = new LearningRateSchedule(LrSchedulerKind.Linear, 1.0, WarmupSteps: 2, TotalSteps: 10);
        Assert.Equal(0.5, linear.At(0), 12);
        Assert.Equal(1.0, linear.At(1), 12);
        Assert.Equal(1.0, linear.At(2), 12);
        Assert.Equal(0.5, linear.At(6), 12);
        var cosine = new LearningRateSchedule(LrSchedulerKind.Cosine, 1.0, 0, 10);
        Assert.Equal(1.0, cosine.At(0), 12);
        Assert.Equal(0.5, cosine.At(5), 12);
        var constant = new LearningRateSchedule(LrSchedulerKind.Constant, 0.3, 0, 10);
        Assert.Equal(0.3, constant.At(9), 12);
        var fromRatio = LearningRateSchedule.From(new TrainingOptions { WarmupRatio = 0.1 }, 100);
        Assert.Equal(10, fromRatio.WarmupSteps);
    }
}
