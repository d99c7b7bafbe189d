namespace LocalFineTune.Training.Options;

/// <summary>Range checks for <see cref="TrainingOptions"/>. Each error names the API field and the allowed range.</summary>
public static class TrainingOptionsValidator
{
    public const int MaxEpochs = 50;
    public const int MaxBatchSize = 512;

    public static IReadOnlyList<OptionError> Validate(TrainingOptions o)
    {
        var errors = new List<OptionError>();
        void Require(bool ok, string field, string message) { if (!ok) errors.Add(new OptionError(field, message)); }

        Require(o.Epochs.IsAuto || o.Epochs.Value is >= 1 and <= MaxEpochs, "epochs",
            $"{o.Epochs} is out of range; use 1 to {MaxEpochs}, or \"auto\"");
        Require(o.BatchSize.IsAuto || o.BatchSize.Value is >= 1 and <= MaxBatchSize, "batch_size",
            $"{o.BatchSize} is out of range; use 1 to {MaxBatchSize}, or \"auto\"");
        Require(o.LearningRate is null || (double.IsFinite(o.LearningRate.Value) && o.LearningRate > 0 && o.LearningRate <= 1), "learning_rate",
            $"{o.LearningRate} is out of range; use a value above 0 and at most 1 (2e-5 for full fine-tuning of a pretrained base, 2e-4 for LoRA)");
        Require(o.GradientAccumulationSteps is >= 1 and <= 1024, "gradient_accumulation_steps",
            $"{o.GradientAccumulationSteps} is out of range; use 1 to 1024");
        Require(o.WarmupSteps >= 0, "warmup_steps", $"{o.WarmupSteps} is negative; use 0 or more");
        Require(double.IsFinite(o.WarmupRatio) && o.WarmupRatio is >= 0 and < 1, "warmup_ratio",
            $"{o.WarmupRatio} is out of range; use a fraction from 0 to below 1");
        Require(!(o.WarmupSteps > 0 && o.WarmupRatio > 0), "warmup_ratio",
            "both warmup_steps and warmup_ratio are set; give only one of them");
        Require(Enum.IsDefined(o.LrScheduler), "lr_scheduler", $"\"{o.LrScheduler}\" is unknown; use linear, cosine or constant");
        Require(double.IsFinite(o.WeightDecay) && o.WeightDecay is >= 0 and <= 1, "weight_decay",
            $"{o.WeightDecay} is out of range; use 0 to 1 (0.01–0.1 is usual)");
        Require(double.IsFinite(o.MaxGradNorm) && o.MaxGradNorm >= 0, "max_grad_norm",
            $"{o.MaxGradNorm} is out of range; use 0 (no clipping) or a positive norm such as 1.0");
        Require(o.MaxSeqLength is null or >= 2 and <= 1_048_576, "max_seq_length",
            $"{o.MaxSeqLength} is out of range; use at least 2 (and at most the model's context length)");
        Require(o.Seed >= 0, "seed", $"{o.Seed} is negative; use 0 or more");
        Require(o.EvalSteps >= 0, "eval_steps", $"{o.EvalSteps} is negative; use 0 (only before and after) or a step interval");
        Require(o.SaveSteps >= 0, "save_steps", $"{o.SaveSteps} is negative; use 0 (no intermediate checkpoints) or a step interval");
        Require(o.SaveLastEpochs is >= 0 and <= MaxEpochs, "save_last_epochs", $"{o.SaveLastEpochs} is out of range; use 0 (none) to {MaxEpochs}");
        Require(o.SaveTotalLimit >= 0, "save_total_limit", $"{o.SaveTotalLimit} is negative; use 0 (keep all) or a count");
        Require(IsKnownDevice(o.Device), "device", $"\"{o.Device}\" is unknown; use auto, cpu, cuda or cuda:N");
        Require(ComputeDtype.IsKnown(o.Dtype), "dtype", $"\"{o.Dtype}\" is unknown; use auto (bfloat16 on CUDA, float32 on CPU), float32 or bfloat16");
        Require(Enum.IsDefined(o.Method), "method", $"\"{o.Method}\" is unknown; use full, lora, auto or dpo");
        Require(!(o.Method == TrainingMethod.Full && o.Lora is not null), "lora",
            "LoRA settings were given but method is \"full\"; use method \"lora\" (or \"auto\"), or drop the lora object");
        ValidateLora(o, errors);
        if (o.Dpo is { } dpo) errors.AddRange(dpo.Validate());
        Require(o.Dpo is null || o.Method == TrainingMethod.Dpo, "dpo", "DPO settings (beta, loss type) were given but method is not \"dpo\"; add \"method\": \"dpo\" or drop them");
        return errors;
    }

    private static void ValidateLora(TrainingOptions o, List<OptionError> errors)
    {
        if (o.Lora is not { } lora) return;
        try
        {
            lora.ToSettings(o.Seed).Validate();
        }
        catch (ArgumentException e)
        {
            errors.Add(new OptionError(e.ParamName ?? "lora", e.Message.Split(" (Parameter")[0]));
        }
    }

    private static bool IsKnownDevice(string? device)
    {
        var value = device?.Trim().ToLowerInvariant();
        return value is "auto" or "cpu" or "cuda"
            || (value is not null && value.StartsWith("cuda:") && int.TryParse(value.AsSpan(5), out var i) && i >= 0);
    }
}
