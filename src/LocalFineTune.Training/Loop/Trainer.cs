using System.Diagnostics;
using LocalFineTune.Models;
using LocalFineTune.Torch;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Loop;

/// <summary>
/// The fine-tuning loop. Synchronous on purpose: libtorch grad mode and our DisposeScopes are per thread, so the
/// caller runs it on one dedicated thread. Reads top to bottom like nanoGPT's train.py: learning rate,
/// eval/checkpoint, micro-steps, clip, step, zero_grad, log.
/// </summary>
public static class Trainer
{
    public static TrainingResult Train(TrainingRun run, CancellationToken cancellation = default)
    {
        var wall = Stopwatch.StartNew();
        var model = run.Model;
        var options = MethodResolver.ForModel(run.Options.EnsureValid(), model);
        var autocast = ComputeDtype.AutocastType(options.Dtype);
        var data = PreparedData.Prepare(run, options);
        var plan = new EpochPlan(data.Training, data.BatchSize, options.GradientAccumulationSteps, options.Seed, run.Tokenizer.PadTokenId);
        var epochs = AutoEpochs.Resolve(options.Epochs, run.TrainingExamples.Count);
        var totalSteps = plan.StepsPerEpoch * epochs;
        var schedule = LearningRateSchedule.From(options, totalSteps);
        var resolved = data.Resolve(epochs, plan, schedule, model.Device);

        Runtime.ManualSeed((ulong)options.Seed);
        using var optimizer = ParameterGroups.CreateOptimizer(model, options, out var parameterNames);
        var session = new CheckpointSession(run, optimizer, parameterNames, options);
        var state = run.ResumeFrom is { } resume
            ? session.Restore(resume, plan, epochs, totalSteps, data.Training.Count)
            : NewState(run, options, plan, epochs, totalSteps, data.Training.Count);

        if (state.EvalHistory.Count == 0)
            run.Progress.OnMessage($"evaluating the base model on {data.Evaluation.Count} sequences ({data.EvaluationName}) before step 1");
        var before = state.EvalHistory.Count > 0 ? ToResult(state.EvalHistory[0]) : Evaluate(run, data, 0, state, autocast, cancellation);
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
            var batches = plan.MicroBatchesOf(step / plan.StepsPerEpoch, step % plan.StepsPerEpoch);
            var outcome = OptimizerStep.Run(model, optimizer, batches, options.MaxGradNorm, cancellation, autocast);

            sessionTokens += outcome.Tokens;
            state = Advance(state, plan, outcome, lr, outcome.Tokens / stepClock.Elapsed.TotalSeconds);
            run.Progress.OnStep(Progress(state, epochs, outcome, lr, sessionTokens, sessionClock.Elapsed, step + 1 - startStep));

            var done = state.GlobalStep;
            if (done < totalSteps && IsDue(done, options.EvalSteps)) Evaluate(run, data, done, state, autocast, cancellation);
            if (run.CheckpointDirectory is not null && IsSaveDue(done, totalSteps, plan.StepsPerEpoch, epochs, options))
                session.Save(state with { ElapsedSeconds = state.ElapsedSeconds + sessionClock.Elapsed.TotalSeconds });
        }
        var after = Evaluate(run, data, state.GlobalStep, state, autocast, cancellation);
        model.Training = false;
        state = state with { ElapsedSeconds = state.ElapsedSeconds + sessionClock.Elapsed.TotalSeconds };
        return new TrainingResult(state, before, after, resolved, wall.Elapsed);
    }

    private static bool IsDue(int step, int interval) => interval > 0 && step % interval == 0;

    /// <summary>Every save_steps (not at the very end: the published folder is the final weights), and at the end of each of the last save_last_epochs epochs.</summary>
    private static bool IsSaveDue(int done, int totalSteps, int stepsPerEpoch, int epochs, TrainingOptions options)
    {
        if (done < totalSteps && IsDue(done, options.SaveSteps)) return true;
        return options.SaveLastEpochs > 0 && done % stepsPerEpoch == 0 && done / stepsPerEpoch > epochs - options.SaveLastEpochs;
    }

    private static TrainerState NewState(TrainingRun run, TrainingOptions options, EpochPlan plan, int epochs, int totalSteps, int sequences) =>
        new()
        {
            TotalSteps = totalSteps,
            Epochs = epochs,
            StepsPerEpoch = plan.StepsPerEpoch,
            ShuffleSeed = options.Seed,
            BatchSize = plan.BatchSize,
            GradientAccumulationSteps = plan.AccumulationSteps,
            SequenceCount = sequences,
            BaseModel = run.BaseModelName,
        };

    private static TrainerState Advance(TrainerState state, EpochPlan plan, StepOutcome outcome, double lr, double tokensPerSecond)
    {
        var done = state.GlobalStep + 1;
        var log = new StepLog(done, (double)done / plan.StepsPerEpoch, outcome.Loss, lr, outcome.GradNorm, tokensPerSecond);
        state.LogHistory.Add(log);
        return state with
        {
            GlobalStep = done,
            Epoch = done / plan.StepsPerEpoch,
            StepInEpoch = done % plan.StepsPerEpoch,
            TokensSeen = state.TokensSeen + outcome.Tokens,
        };
    }

    private static TrainingProgress Progress(TrainerState state, int epochs, StepOutcome outcome, double lr, long sessionTokens,
        TimeSpan sessionElapsed, int sessionSteps)
    {
        var perStep = sessionElapsed / Math.Max(1, sessionSteps);
        var remaining = perStep * (state.TotalSteps - state.GlobalStep);
        var epoch = Math.Min(epochs, (state.GlobalStep - 1) / state.StepsPerEpoch + 1);
        return new TrainingProgress(state.GlobalStep, state.TotalSteps, epoch, epochs, outcome.Loss, lr, outcome.GradNorm,
            sessionTokens / Math.Max(1e-9, sessionElapsed.TotalSeconds), TimeSpan.FromSeconds(state.ElapsedSeconds) + sessionElapsed, remaining);
    }

    private static EvaluationResult Evaluate(TrainingRun run, PreparedData data, int step, TrainerState state, ScalarType? autocast,
        CancellationToken cancellation)
    {
        var result = LossEvaluator.Evaluate(run.Model, data.Evaluation, data.BatchSize, run.Tokenizer.PadTokenId, step, data.EvaluationName,
            cancellation, autocast);
        state.EvalHistory.Add(new EvalLog(step, result.Loss, result.Perplexity, result.TargetTokens, result.Dataset));
        run.Progress.OnEvaluation(result);
        return result;
    }

    private static EvaluationResult ToResult(EvalLog log) => new(log.Step, log.EvalLoss, log.TargetTokens, log.Dataset);
}
