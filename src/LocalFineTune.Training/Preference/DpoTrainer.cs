using System.Diagnostics;
using LocalFineTune.Models;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Torch;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Loop;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Preference;

/// <summary>
/// Direct Preference Optimization on the supervised loop's parts: the same optimizer groups, schedule, clipping,
/// checkpoints (bit-identical resume on CPU), progress reports and <see cref="TrainingResult"/>, so a job publishes a
/// DPO run exactly like a supervised one. Synchronous, on one dedicated thread, like <see cref="Trainer"/>.
/// </summary>
public static class DpoTrainer
{
    public static TrainingResult Train(DpoRun run, CancellationToken cancellation = default)
    {
        var wall = Stopwatch.StartNew();
        var options = run.Options.EnsureValid();
        var dpo = options.Dpo ?? new DpoOptions();
        var model = run.Model;
        var autocast = ComputeDtype.AutocastType(ComputeDtype.Resolve(options.Dtype, model.Device.ToString()));
        var data = PreparedPairs.Prepare(run, options);
        var plan = new PairPlan(data.Training, data.BatchSize, options.GradientAccumulationSteps, options.Seed, run.Tokenizer.PadTokenId);
        var epochs = AutoEpochs.Resolve(options.Epochs, run.TrainingExamples.Count);
        var totalSteps = plan.Steps.StepsPerEpoch * epochs;
        var schedule = LearningRateSchedule.From(options, totalSteps);
        if (data.TruncatedPairs > 0)
            run.Progress.OnMessage($"{data.TruncatedPairs} pair(s) are longer than {data.MaxSeqLength} tokens: their prompts lose their beginning, answers are kept");
        var resolved = new ResolvedHyperparameters(epochs, data.BatchSize, data.MaxSeqLength, plan.Steps.StepsPerEpoch, totalSteps,
            schedule.WarmupSteps, data.Training.Count, data.Evaluation.Count, data.TruncatedPairs, 0, model.Device.ToString());

        // The reference is made from the weights as they are now, before a resume overwrites them.
        using var reference = ReferenceFor(run, dpo, data, cancellation);
        Runtime.ManualSeed((ulong)options.Seed);
        using var optimizer = ParameterGroups.CreateOptimizer(model, options, out var parameterNames);
        var session = new CheckpointSession(run.AsTrainingRun(), optimizer, parameterNames, options);
        var state = run.ResumeFrom is { } resume
            ? session.Restore(resume, plan.Steps, epochs, totalSteps, data.Training.Count)
            : NewState(run, options, plan.Steps, epochs, totalSteps, data.Training.Count);

        EvaluationResult Evaluate(int step) => EvaluateAndRecord(run, reference, data, dpo, step, state, autocast, cancellation);
        if (state.EvalHistory.Count == 0)
            run.Progress.OnMessage($"DPO (β={dpo.Beta}, {dpo.LossType.ToString().ToLowerInvariant()}) against {reference.Description}; " +
                $"evaluating on {data.Evaluation.Count} pairs ({data.EvaluationName}) before step 1");
        var before = state.EvalHistory.Count > 0 ? ToResult(state.EvalHistory[0]) : Evaluate(0);
        model.Training = true;
        var startStep = state.GlobalStep;
        var sessionClock = Stopwatch.StartNew();
        long sessionTokens = 0;
        while (state.GlobalStep < totalSteps)
        {
            var step = state.GlobalStep;
            var lr = schedule.At(step);
            optimizer.SetLearningRate(lr);
            var stepClock = Stopwatch.StartNew();
            var batches = plan.MicroBatchesOf(step / plan.Steps.StepsPerEpoch, step % plan.Steps.StepsPerEpoch);
            var metrics = new PreferenceMetrics();
            var (loss, norm) = OptimizerStep.Apply(optimizer, options.MaxGradNorm,
                () => DpoObjective.AccumulateGradients(model, reference, batches, dpo, metrics, cancellation, autocast), cancellation);
            var tokens = batches.Sum(b => b.Rows.TokenCount);
            sessionTokens += tokens;
            var figures = metrics.ToDictionary();
            state = Advance(state, plan.Steps, loss, norm, tokens, lr, tokens / stepClock.Elapsed.TotalSeconds, figures);
            run.Progress.OnStep(Progress(state, epochs, loss, norm, lr, sessionTokens, sessionClock.Elapsed, step + 1 - startStep) with { Metrics = figures });

            var done = state.GlobalStep;
            if (done < totalSteps && options.EvalSteps > 0 && done % options.EvalSteps == 0) Evaluate(done);
            if (run.CheckpointDirectory is not null && IsSaveDue(done, totalSteps, plan.Steps.StepsPerEpoch, epochs, options))
                session.Save(state with { ElapsedSeconds = state.ElapsedSeconds + sessionClock.Elapsed.TotalSeconds });
        }
        var after = Evaluate(state.GlobalStep);
        model.Training = false;
        state = state with { ElapsedSeconds = state.ElapsedSeconds + sessionClock.Elapsed.TotalSeconds };
        return new TrainingResult(state, before, after, resolved, wall.Elapsed);
    }

    /// <summary>
    /// The caller's reference model, else the policy with LoRA adapters off, else a frozen copy of the starting
    /// weights; with precompute_reference, that reference scores every pair once and (if it is our copy) is freed.
    /// </summary>
    internal static IReferenceModel ReferenceFor(DpoRun run, DpoOptions dpo, PreparedPairs data, CancellationToken cancellation)
    {
        var adapters = DisabledAdapterReference.AdaptersOf(run.Model);
        IReferenceModel live = run.ReferenceModel is { } given ? new FrozenModelReference(given, ownsModel: false, "the reference model given")
            : adapters.Count > 0 ? new DisabledAdapterReference(run.Model, adapters)
            : new FrozenModelReference(FrozenCopy(run), ownsModel: true, "a frozen copy of the starting weights");
        if (!dpo.PrecomputeReference) return live;
        using (live)
        {
            run.Progress.OnMessage($"precomputing reference log-probs of {data.All.Count()} pairs with {live.Description}");
            return PrecomputedReference.Compute(live, data.All, data.BatchSize, run.Tokenizer.PadTokenId, run.Model.Device, cancellation);
        }
    }

    /// <summary>A second model holding the policy's current weights (every family runs on <see cref="DecoderModel"/>).</summary>
    private static ICausalLanguageModel FrozenCopy(DpoRun run)
    {
        if (run.Model is not DecoderModel decoder)
            throw new InvalidOperationException($"DPO needs a reference model: pass DpoRun.ReferenceModel for a {run.Model.ModelType} model");
        using var noGrad = NoGradScope.Enter();
        var weights = decoder.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Detach().Clone());
        return new DecoderModel(decoder.Spec, weights, decoder.Device);
    }

    private static EvaluationResult EvaluateAndRecord(DpoRun run, IReferenceModel reference, PreparedPairs data, DpoOptions dpo, int step,
        TrainerState state, ScalarType? autocast, CancellationToken cancellation)
    {
        var result = PreferenceEvaluator.Evaluate(run.Model, reference, data.Evaluation, data.BatchSize, run.Tokenizer.PadTokenId, dpo,
            step, data.EvaluationName, cancellation, autocast);
        state.EvalHistory.Add(new EvalLog(step, result.Loss, result.Perplexity, result.TargetTokens, result.Dataset) { Metrics = result.Metrics });
        run.Progress.OnEvaluation(result);
        return result;
    }

    private static bool IsSaveDue(int done, int totalSteps, int stepsPerEpoch, int epochs, TrainingOptions options)
    {
        if (done < totalSteps && options.SaveSteps > 0 && done % options.SaveSteps == 0) return true;
        return options.SaveLastEpochs > 0 && done % stepsPerEpoch == 0 && done / stepsPerEpoch > epochs - options.SaveLastEpochs;
    }

    private static TrainerState NewState(DpoRun run, TrainingOptions options, EpochPlan plan, int epochs, int totalSteps, int pairs) => new()
    {
        TotalSteps = totalSteps,
        Epochs = epochs,
        StepsPerEpoch = plan.StepsPerEpoch,
        ShuffleSeed = options.Seed,
        BatchSize = plan.BatchSize,
        GradientAccumulationSteps = plan.AccumulationSteps,
        SequenceCount = pairs,
        BaseModel = run.BaseModelName,
    };

    private static TrainerState Advance(TrainerState state, EpochPlan plan, double loss, double norm, long tokens, double lr,
        double tokensPerSecond, IReadOnlyDictionary<string, double> metrics)
    {
        var done = state.GlobalStep + 1;
        state.LogHistory.Add(new StepLog(done, (double)done / plan.StepsPerEpoch, loss, lr, norm, tokensPerSecond) { Metrics = metrics });
        return state with
        {
            GlobalStep = done,
            Epoch = done / plan.StepsPerEpoch,
            StepInEpoch = done % plan.StepsPerEpoch,
            TokensSeen = state.TokensSeen + tokens,
        };
    }

    private static TrainingProgress Progress(TrainerState state, int epochs, double loss, double norm, double lr, long sessionTokens,
        TimeSpan sessionElapsed, int sessionSteps)
    {
        var perStep = sessionElapsed / Math.Max(1, sessionSteps);
        var remaining = perStep * (state.TotalSteps - state.GlobalStep);
        var epoch = Math.Min(epochs, (state.GlobalStep - 1) / state.StepsPerEpoch + 1);
        return new TrainingProgress(state.GlobalStep, state.TotalSteps, epoch, epochs, loss, lr, norm,
            sessionTokens / Math.Max(1e-9, sessionElapsed.TotalSeconds), TimeSpan.FromSeconds(state.ElapsedSeconds) + sessionElapsed, remaining);
    }

    private static EvaluationResult ToResult(EvalLog log) => new(log.Step, log.EvalLoss, log.TargetTokens, log.Dataset) { Metrics = log.Metrics };
}

/// <summary>
/// The order of pairs and their grouping into micro-batches and steps: the supervised <see cref="EpochPlan"/>'s
/// seeded shuffle and counts over the pairs (one entry per pair), so resume checks and data order work the same way.
/// </summary>
internal sealed class PairPlan(IReadOnlyList<TokenizedPair> pairs, int batchSize, int accumulationSteps, int seed, int padTokenId)
{
    public EpochPlan Steps { get; } = new(pairs.Select(p => p.Chosen).ToList(), batchSize, accumulationSteps, seed, padTokenId);

    public IReadOnlyList<PreferenceBatch> MicroBatchesOf(int epoch, int stepInEpoch)
    {
        var order = Steps.ShuffledOrder(epoch);
        var first = stepInEpoch * Steps.AccumulationSteps;
        var last = Math.Min(first + Steps.AccumulationSteps, Steps.MicroBatchesPerEpoch);
        var batches = new List<PreferenceBatch>(last - first);
        for (var mb = first; mb < last; mb++)
            batches.Add(PreferenceBatch.Collate(order.Skip(mb * batchSize).Take(batchSize).Select(i => pairs[i]).ToList(), padTokenId));
        return batches;
    }
}
