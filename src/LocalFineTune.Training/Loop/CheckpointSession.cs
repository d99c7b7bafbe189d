using LocalFineTune.Torch;
using LocalFineTune.Training.Checkpoints;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Options;

namespace LocalFineTune.Training.Loop;

/// <summary>Saves and restores everything a bit-identical resume needs: weights, AdamW moments and step, RNG, data position.</summary>
internal sealed class CheckpointSession(TrainingRun run, AdamW optimizer, IReadOnlyList<string> parameterNames, TrainingOptions options)
{
    public const string TrainingArgsFile = "training_args.json";

    public string Save(TrainerState state)
    {
        var directory = run.CheckpointDirectory ?? throw new InvalidOperationException("no checkpoint directory");
        var withRng = state with
        {
            RngStateCpu = Convert.ToBase64String(Runtime.GetRngState(Device.Cpu)),
            RngStateCuda = run.Model.Device.IsCuda ? Convert.ToBase64String(Runtime.GetRngState(run.Model.Device)) : null,
        };
        var path = TrainingCheckpoints.Write(directory, state.GlobalStep, temp =>
        {
            run.FolderIO.Save(run.Model, temp);
            OptimizerStateFile.Save(temp, optimizer, parameterNames);
            File.WriteAllText(Path.Combine(temp, TrainerState.FileName), withRng.ToJson());
            File.WriteAllText(Path.Combine(temp, TrainingArgsFile), options.ToJson());
        });
        TrainingCheckpoints.Prune(directory, options.SaveTotalLimit);
        run.Progress.OnCheckpoint(state.GlobalStep, path);
        return path;
    }

    public TrainerState Restore(string checkpoint, EpochPlan plan, int epochs, int totalSteps, int sequenceCount)
    {
        if (!TrainingCheckpoints.IsComplete(checkpoint))
            throw new InvalidDataException($"{checkpoint} is not a complete checkpoint (no {TrainingCheckpoints.CompleteMarker}); " +
                "use TrainingCheckpoints.FindLatestComplete to pick the newest finished one");
        var state = TrainerState.Read(checkpoint);
        RequireSame("sequence count (the data or max_seq_length changed)", state.SequenceCount, sequenceCount);
        RequireSame("batch_size", state.BatchSize, plan.BatchSize);
        RequireSame("gradient_accumulation_steps", state.GradientAccumulationSteps, plan.AccumulationSteps);
        RequireSame("seed", state.ShuffleSeed, plan.Seed);
        RequireSame("epochs", state.Epochs, epochs);
        RequireSame("total steps", state.TotalSteps, totalSteps);
        run.FolderIO.Restore(run.Model, checkpoint);
        OptimizerStateFile.Restore(checkpoint, optimizer, parameterNames);
        if (state.RngStateCpu is { } cpu) Runtime.SetRngState(Device.Cpu, Convert.FromBase64String(cpu));
        if (state.RngStateCuda is { } cuda && run.Model.Device.IsCuda) Runtime.SetRngState(run.Model.Device, Convert.FromBase64String(cuda));
        run.Progress.OnMessage($"resumed from {checkpoint} at step {state.GlobalStep}/{state.TotalSteps}");
        return state;
    }

    private static void RequireSame(string what, int saved, int now)
    {
        if (saved != now)
            throw new InvalidOperationException($"cannot resume: {what} was {saved} in the checkpoint but is {now} now; " +
                "resume with the same data and hyperparameters, or start a new run");
    }
}
