using System.CommandLine;
using LocalFineTune.Torch;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;
using LocalFineTune.Training.Output;
using Spectre.Console;

namespace LocalFineTune.Cli.Commands;

/// <summary>
/// `lft train --model DIR_OR_NAME --data FILE [hyperparameters] [--output-dir models] [--resume CHECKPOINT] [--json]`.
/// Exit codes: 0 trained, 1 invalid data, 2 invalid options or model, 130 cancelled (Ctrl+C).
/// </summary>
internal static class TrainCommand
{
    private static readonly Option<string> Model = new("--model") { Description = "Base model folder, or a name under <models-root>/base/ (e.g. tiny-gpt2), or latest", Required = true };
    private static readonly Option<string> Data = new("--data") { Description = "Training data: .csv, .jsonl, or a folder of them", Required = true };
    private static readonly Option<string?> Epochs = new("--epochs") { Description = "1-50 or auto (default 3)" };
    private static readonly Option<string?> BatchSize = new("--batch-size") { Description = "1-512 or auto (default 4)" };
    private static readonly Option<double?> LearningRate = new("--learning-rate") { Description = "Peak learning rate (default: the base's training_defaults.json, else 2e-5; tiny-gpt2 carries 1e-3)" };
    private static readonly Option<int?> Accumulation = new("--gradient-accumulation-steps") { Description = "Micro-batches per optimizer step (default 1)" };
    private static readonly Option<int?> WarmupSteps = new("--warmup-steps") { Description = "Warm-up optimizer steps" };
    private static readonly Option<double?> WarmupRatio = new("--warmup-ratio") { Description = "Warm-up as a fraction of all steps" };
    private static readonly Option<string?> Scheduler = new("--lr-scheduler") { Description = "linear (default), cosine or constant" };
    private static readonly Option<double?> WeightDecay = new("--weight-decay") { Description = "AdamW weight decay on matrices (default 0)" };
    private static readonly Option<double?> MaxGradNorm = new("--max-grad-norm") { Description = "Gradient clipping norm, 0 = off (default 1.0)" };
    private static readonly Option<int?> MaxSeqLength = new("--max-seq-length") { Description = "Tokens per sequence (default: the model's context)" };
    private static readonly Option<int?> Seed = new("--seed") { Description = "Seed for shuffling, split and dropout (default 42)" };
    private static readonly Option<int?> EvalSteps = new("--eval-steps") { Description = "Evaluate every N steps (always before and after)" };
    private static readonly Option<int?> SaveSteps = new("--save-steps") { Description = "Checkpoint every N steps (0 = none)" };
    private static readonly Option<int?> SaveTotalLimit = new("--save-total-limit") { Description = "Checkpoints kept (default 2, 0 = all)" };
    private static readonly Option<string?> DeviceOption = new("--device") { Description = "auto (default), cpu, cuda or cuda:N" };
    private static readonly Option<string?> DtypeOption = new("--dtype") { Description = "Compute dtype: auto (default: bfloat16 on CUDA, float32 on CPU), float32 or bfloat16 (mixed precision)" };
    private static readonly Option<double> ValidationSplit = new("--validation-split") { Description = "Held-out fraction for eval loss", DefaultValueFactory = _ => 0.1 };
    private static readonly Option<string?> ValidationFile = new("--validation-file") { Description = "Separate validation dataset" };
    private static readonly Option<string?> ModelsRoot = new("--models-root") { Description = "Where bases (<root>/base/<name>/) and latest are looked up (default: $LFT_MODELS_DIR, else models)" };
    private static readonly Option<string?> OutputDir = new("--output-dir") { Description = "Where the fine-tuned folder is written (default: the models root)" };
    private static readonly Option<string?> Delimiter = new("--delimiter") { Description = "CSV delimiter: ',', ';' or 'tab' (default: detected from the header)" };
    private static readonly Option<string?> Resume = new("--resume") { Description = "Checkpoint folder to continue from (same data and options)" };
    private static readonly Option<string?> Method = new("--method") { Description = "full, lora, auto (default: full when it fits in memory, else LoRA) or dpo" };
    private static readonly Option<int?> LoraR = new("--lora-r") { Description = "LoRA rank (default 16); any --lora-* option means --method lora unless --method is given" };
    private static readonly Option<double?> LoraAlpha = new("--lora-alpha") { Description = "LoRA alpha; scaling is alpha/r (default 32)" };
    private static readonly Option<double?> LoraDropout = new("--lora-dropout") { Description = "Dropout on the adapters' input (default 0.05)" };
    private static readonly Option<string?> LoraTargets = new("--lora-target-modules") { Description = "all-linear (default) or names such as q_proj,v_proj" };
    private static readonly Option<bool> UseRslora = new("--use-rslora") { Description = "Scale LoRA by alpha/sqrt(r) (rsLoRA)" };
    private static readonly Option<bool> NoMerge = new("--no-merge") { Description = "LoRA: keep only the adapter in adapter/, not merged weights" };
    private static readonly Option<bool> GradientCheckpointing = new("--gradient-checkpointing") { Description = "Recompute activations in backward: less memory, more compute" };
    private static readonly Option<double?> Beta = new("--beta") { Description = "DPO: how far the model may move from the reference, in (0, 2] (default 0.1)" };
    private static readonly Option<string?> DpoLoss = new("--dpo-loss") { Description = "DPO: sigmoid (default) or ipo" };
    private static readonly Option<bool> Json = new("--json") { Description = "JSON lines on stdout instead of a progress bar" };

    /// <summary>The data and hyperparameter options, shared with `lft compare` (which trains several bases the same way).</summary>
    internal static IEnumerable<Option> RunOptions =>
    [
        Data, Epochs, BatchSize, LearningRate, Accumulation, WarmupSteps, WarmupRatio, Scheduler, WeightDecay, MaxGradNorm, MaxSeqLength,
        Seed, EvalSteps, SaveSteps, SaveTotalLimit, DeviceOption, DtypeOption, ValidationSplit, ValidationFile, Delimiter, ModelsRoot,
        OutputDir, Method, LoraR, LoraAlpha, LoraDropout, LoraTargets, UseRslora, NoMerge, GradientCheckpointing, Beta, DpoLoss,
    ];

    public static Command Create()
    {
        var command = new Command("train", "Fine-tune a base model on your data into <output-dir>/<base>-finetuned-<yyyyMMdd_HHmmss>/.");
        foreach (var option in new Option[] { Model, Resume, Json }.Concat(RunOptions)) command.Options.Add(option);
        command.SetAction((parse, cancellation) =>
            // Training runs on its own thread: libtorch grad mode and our disposal scopes are per thread.
            Task.Factory.StartNew(() => Run(parse, cancellation), cancellation, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancellation)
    {
        var json = parse.GetValue(Json);
        var clock = Stopwatch.StartNew();
        try
        {
            var request = BuildRequest(parse);
            // Plain Console: one line of valid JSON whatever the terminal width (Spectre would wrap it).
            if (!json) Console.WriteLine($"options: {JsonSerializer.Serialize(request.Options, CompactJson)}");
            var outcome = json
                ? FineTuneJob.Run(request, new JsonLinesProgress(), cancellation)
                : RunWithProgressBar(request, cancellation);
            Summarize(outcome, clock.Elapsed, json);
            return 0;
        }
        catch (DatasetInvalidException e)
        {
            Console.Out.Write(json ? e.Report.ToJson() + Environment.NewLine : e.Report.ToText());
            Console.Error.WriteLine("lft train: the dataset is invalid; nothing was trained (fix the errors above, check with `lft validate`).");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("lft train: cancelled; no model folder was written (completed checkpoints, if any, stay under the hidden .partial folder for --resume).");
            return 130;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or InvalidOperationException
                                      or NotSupportedException or TorchException)
        {
            Console.Error.WriteLine($"lft train: {e.Message}");
            return 2;
        }
    }

    private static readonly JsonSerializerOptions CompactJson = new(TrainingOptions.JsonOptions) { WriteIndented = false };

    /// <param name="model">The base to train; null = the --model option.</param>
    internal static FineTuneRequest BuildRequest(ParseResult p, string? model = null)
    {
        var modelsRoot = p.GetValue(ModelsRoot) ?? Environment.GetEnvironmentVariable("LFT_MODELS_DIR") ?? "models";
        model ??= p.GetValue(Model)!;
        // The same defaults as the service's: the trainer's, overlaid by the base folder's training_defaults.json.
        var baseDir = BaseModels.Resolve(model, modelsRoot);
        var defaults = TrainingDefaults.For(baseDir);
        var options = defaults with
        {
            Epochs = p.GetValue(Epochs) is { } e ? AutoInt.Parse(e, "epochs") : defaults.Epochs,
            BatchSize = p.GetValue(BatchSize) is { } b ? AutoInt.Parse(b, "batch_size") : defaults.BatchSize,
            LearningRate = p.GetValue(LearningRate) ?? defaults.LearningRate,
            GradientAccumulationSteps = p.GetValue(Accumulation) ?? defaults.GradientAccumulationSteps,
            WarmupSteps = p.GetValue(WarmupSteps) ?? defaults.WarmupSteps,
            WarmupRatio = p.GetValue(WarmupRatio) ?? defaults.WarmupRatio,
            LrScheduler = p.GetValue(Scheduler) is { } s ? ParseScheduler(s) : defaults.LrScheduler,
            WeightDecay = p.GetValue(WeightDecay) ?? defaults.WeightDecay,
            MaxGradNorm = p.GetValue(MaxGradNorm) ?? defaults.MaxGradNorm,
            MaxSeqLength = p.GetValue(MaxSeqLength) ?? defaults.MaxSeqLength,
            Seed = p.GetValue(Seed) ?? defaults.Seed,
            EvalSteps = p.GetValue(EvalSteps) ?? defaults.EvalSteps,
            SaveSteps = p.GetValue(SaveSteps) ?? defaults.SaveSteps,
            SaveTotalLimit = p.GetValue(SaveTotalLimit) ?? defaults.SaveTotalLimit,
            Device = p.GetValue(DeviceOption) ?? defaults.Device,
            Dtype = p.GetValue(DtypeOption) ?? defaults.Dtype,
            Method = p.GetValue(Method) is { } m ? ParseMethod(m) : defaults.Method,
            Lora = LoraFrom(p, defaults.Lora),
            Merge = !p.GetValue(NoMerge) && defaults.Merge,
            GradientCheckpointing = p.GetValue(GradientCheckpointing) || defaults.GradientCheckpointing,
            Dpo = DpoFrom(p, defaults.Dpo),
        };
        return new FineTuneRequest
        {
            Model = model, Data = p.GetValue(Data)!, Options = options.EnsureValid(), ModelsRoot = modelsRoot, OutputRoot = p.GetValue(OutputDir),
            CsvDelimiter = CsvDelimiters.Parse(p.GetValue(Delimiter)), ValidationSplit = p.GetValue(ValidationSplit), ValidationFile = p.GetValue(ValidationFile), ResumeFrom = p.GetValue(Resume),
        };
    }

    /// <summary>The --lora-* options over the folder's defaults; null when none is given (the method then decides).</summary>
    private static LoraOptions? LoraFrom(ParseResult p, LoraOptions? defaults)
    {
        var given = p.GetValue(LoraR) is not null || p.GetValue(LoraAlpha) is not null || p.GetValue(LoraDropout) is not null
            || p.GetValue(LoraTargets) is not null || p.GetValue(UseRslora);
        if (!given) return defaults;
        var lora = defaults ?? new LoraOptions();
        return lora with
        {
            R = p.GetValue(LoraR) ?? lora.R,
            Alpha = p.GetValue(LoraAlpha) ?? lora.Alpha,
            Dropout = p.GetValue(LoraDropout) ?? lora.Dropout,
            TargetModules = p.GetValue(LoraTargets) is { } t ? t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : lora.TargetModules,
            UseRslora = p.GetValue(UseRslora) || lora.UseRslora,
        };
    }

    private static DpoOptions? DpoFrom(ParseResult p, DpoOptions? defaults)
    {
        if (p.GetValue(Beta) is null && p.GetValue(DpoLoss) is null) return defaults;
        var dpo = defaults ?? new DpoOptions();
        return dpo with
        {
            Beta = p.GetValue(Beta) ?? dpo.Beta,
            LossType = p.GetValue(DpoLoss) is { } loss
                ? Enum.TryParse<DpoLossType>(loss, ignoreCase: true, out var t) && Enum.IsDefined(t) && !int.TryParse(loss, out _) ? t
                    : throw new FormatException($"dpo.loss_type: \"{loss}\" is unknown; use sigmoid or ipo")
                : dpo.LossType,
        };
    }

    private static TrainingMethod ParseMethod(string text) =>
        Enum.TryParse<TrainingMethod>(text, ignoreCase: true, out var method) && Enum.IsDefined(method) && !int.TryParse(text, out _)
            ? method
            : throw new FormatException($"method: \"{text}\" is unknown; use full, lora, auto or dpo");

    private static LrSchedulerKind ParseScheduler(string text) =>
        Enum.TryParse<LrSchedulerKind>(text, ignoreCase: true, out var kind) && Enum.IsDefined(kind)
            ? kind
            : throw new FormatException($"lr_scheduler: \"{text}\" is unknown; use linear, cosine or constant");

    private static FineTuneOutcome RunWithProgressBar(FineTuneRequest request, CancellationToken cancellation)
    {
        if (Console.IsOutputRedirected) return FineTuneJob.Run(request, new PlainProgress(), cancellation);
        FineTuneOutcome? outcome = null;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                // The base is evaluated before step 1 (seconds on a big validation set): say so instead of a bare 0%.
                var task = context.AddTask("evaluating the base model before step 1…", maxValue: 1);
                outcome = FineTuneJob.Run(request, new SpectreProgress(task), cancellation);
                task.Value = task.MaxValue;
            });
        return outcome!;
    }

    private static void Summarize(FineTuneOutcome outcome, TimeSpan wall, bool json)
    {
        var r = outcome.Result;
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                type = "done", output_dir = outcome.OutputDirectory, name = outcome.Name, eval_loss_before = r.Before.Loss,
                eval_loss_after = r.After.Loss, eval_dataset = r.After.Dataset, steps = r.State.GlobalStep, wall_seconds = wall.TotalSeconds,
            }));
            return;
        }
        Console.WriteLine($"eval loss ({r.After.Dataset}): base {r.Before.Loss:F4} (ppl {r.Before.Perplexity:F1}) → fine-tuned {r.After.Loss:F4} (ppl {r.After.Perplexity:F1})");
        Console.WriteLine($"{r.State.GlobalStep} steps, {r.Resolved.Epochs} epoch(s), batch {r.Resolved.BatchSize}, {wall.TotalSeconds:F0} s");
        Console.WriteLine($"saved: {outcome.OutputDirectory}");
    }
}

/// <summary>Progress for a terminal: one bar, the description carries loss, lr and speed.</summary>
internal sealed class SpectreProgress(ProgressTask task) : ITrainingProgress
{
    public void OnStep(TrainingProgress p)
    {
        task.Value = p.Fraction;
        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.TotalSteps} ep {p.Epoch}/{p.Epochs} loss {p.Loss:F3} lr {p.LearningRate:G3} |g| {p.GradNorm:F2} {p.TokensPerSecond:F0} tok/s"));
    }

    public void OnEvaluation(EvaluationResult e) =>
        AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"eval @ step {e.Step}: loss {e.Loss:F4}, perplexity {e.Perplexity:F1} ({e.Dataset})")));

    public void OnCheckpoint(int step, string path) => AnsiConsole.MarkupLine($"[grey]checkpoint {Markup.Escape(path)}[/]");

    public void OnMessage(string message) => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(message)}[/]");
}

/// <summary>Progress when stdout is not a terminal: one plain line per step.</summary>
internal sealed class PlainProgress : ITrainingProgress
{
    public void OnStep(TrainingProgress p) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"step {p.Step}/{p.TotalSteps} epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F4} lr {p.LearningRate:G3} grad_norm {p.GradNorm:F3} {p.TokensPerSecond:F0} tok/s eta {p.EstimatedRemaining:hh\\:mm\\:ss}{Rewards(p.Metrics)}"));

    public void OnEvaluation(EvaluationResult e) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"eval step {e.Step} loss {e.Loss:F4} perplexity {e.Perplexity:F2}{Rewards(e.Metrics)} ({e.Dataset})"));

    /// <summary>DPO's reward margin and accuracy; empty for supervised runs.</summary>
    private static string Rewards(IReadOnlyDictionary<string, double>? m) =>
        m is not null && m.TryGetValue("rewards/margins", out var margin) && m.TryGetValue("rewards/accuracies", out var accuracy)
            ? string.Create(CultureInfo.InvariantCulture, $" reward_margin {margin:F3} reward_accuracy {accuracy:F2}")
            : "";

    public void OnMessage(string message) => Console.WriteLine(message);
}

/// <summary>--json: one JSON object per line, "type" = step | eval | checkpoint | message (then "done" at the end).</summary>
internal sealed class JsonLinesProgress : ITrainingProgress
{
    private static void Emit(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

    public void OnStep(TrainingProgress p) => Emit(new
    {
        type = "step", step = p.Step, total_steps = p.TotalSteps, epoch = p.Epoch, epochs = p.Epochs, loss = p.Loss,
        learning_rate = p.LearningRate, grad_norm = p.GradNorm, tokens_per_second = p.TokensPerSecond,
        elapsed_seconds = p.Elapsed.TotalSeconds, eta_seconds = p.EstimatedRemaining.TotalSeconds, metrics = p.Metrics,
    });

    public void OnEvaluation(EvaluationResult e) =>
        Emit(new { type = "eval", step = e.Step, eval_loss = e.Loss, perplexity = e.Perplexity, dataset = e.Dataset, metrics = e.Metrics });

    public void OnCheckpoint(int step, string path) => Emit(new { type = "checkpoint", step, path });

    public void OnMessage(string message) => Emit(new { type = "message", message });
}
