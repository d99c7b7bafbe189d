namespace LocalFineTune.Training.Options;

/// <summary>
/// How a job trains (JSON "method"): every weight (<see cref="Full"/>), low-rank adapters on a frozen base
/// (<see cref="Lora"/>), whichever fits the device (<see cref="Auto"/>, the default; see <see cref="MethodResolver"/>),
/// or preference tuning (<see cref="Dpo"/>, with LoRA when a "lora" object is given or full training does not fit).
/// </summary>
public enum TrainingMethod { Full, Lora, Auto, Dpo }
