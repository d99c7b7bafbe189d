using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Families;
using LocalFineTune.Models.Lora;
using LocalFineTune.Models.Tests.Support;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Tests;

/// <summary>
/// DecoderModel.GradientCheckpointing: every gradient (full fine-tuning and LoRA, dropout on) equals the plain run's
/// bit for bit, a failing block surfaces as an exception and training goes on, nothing leaks, and the KV-cache and
/// evaluation paths are untouched.
/// </summary>
[Collection(nameof(LiveTensorCount))] // seeds libtorch's global generator (dropout) and counts live tensors: runs alone
public class GradientCheckpointingTests
{
    private static readonly long[] Ids = [5, 17, 3, 88, 42, 9, 61, 2, 33, 70, 11, 4, 19, 8];

    public static TheoryData<string> Families => new() { "llama", "gpt2", "phi" };

    [Theory]
    [MemberData(nameof(Families))]
    public void FullFineTuning_GradientsOfEveryParameter_EqualThePlainRunBitForBit(string family)
    {
        using var random = DecoderInit.CreateRandom(WithDropout(Spec(family)), 7, Device.Cpu);
        var counting = new CountingFactory();
        using var model = new DecoderModel(random.Spec, Copies(random), Device.Cpu, counting) { Training = true };

        var plain = Gradients(model, checkpoint: false);
        var plainCalls = counting.TakeCalls();
        var checkpointed = Gradients(model, checkpoint: true);

        Assert.Equal(model.NamedParameters.Count, plain.Count);
        AssertSame(plain, checkpointed);
        var blockProjections = model.Linears.Keys.Count(path => path != model.Spec.Keys.LmHead);
        Assert.Equal(plainCalls + blockProjections, counting.TakeCalls()); // each block ran once more, in backward
    }

    [Theory]
    [InlineData("llama")]
    [InlineData("gpt2")]
    public void Lora_AdapterGradients_EqualThePlainRunBitForBit(string family)
    {
        using var baseModel = DecoderInit.CreateRandom(WithDropout(Spec(family)), 7, Device.Cpu);
        using var lora = WithLora(baseModel, new LoraSettings { R = 4, Alpha = 8, Dropout = 0.1 }, out var factory);
        lora.Training = true;

        var plain = Gradients(lora, checkpoint: false);
        var checkpointed = Gradients(lora, checkpoint: true);

        Assert.Equal(factory.Adapters.Count * 2, plain.Count);
        Assert.Contains(plain.Keys, name => name.EndsWith("lora_A.weight"));
        AssertSame(plain, checkpointed);
        Assert.All(lora.NamedParameters, p => Assert.Null(p.Parameter.Grad)); // the frozen base stays frozen
    }

    [Fact]
    public void GradientAccumulation_OverTwoMicroBatches_EqualsThePlainRunBitForBit()
    {
        using var model = DecoderInit.CreateRandom(WithDropout(Spec("llama")), 7, Device.Cpu);
        model.Training = true;

        var plain = Gradients(model, checkpoint: false, microBatches: 2);
        var checkpointed = Gradients(model, checkpoint: true, microBatches: 2);

        AssertSame(plain, checkpointed);
        Assert.False(plain.Values.First().AsSpan().SequenceEqual(Gradients(model, checkpoint: false)[plain.Keys.First()]));
    }

    [Fact]
    public void ExceptionInABlocksRecompute_SurfacesAsTorchException_AndTheNextStepWorks()
    {
        var factory = new FailingFactory("model.layers.1.mlp.down_proj");
        using var model = DecoderInit.CreateRandom(Spec("llama"), 7, Device.Cpu);
        using var failing = new DecoderModel(model.Spec, Copies(model), Device.Cpu, factory) { Training = true, GradientCheckpointing = true };
        factory.FailOnCall = 2; // call 1 is the forward, call 2 the recompute inside backward

        var error = Assert.Throws<TorchException>(() => Gradients(failing, checkpoint: true));

        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Contains("recompute failed on purpose", error.Message);
        factory.FailOnCall = 0;
        AssertSame(Gradients(failing, checkpoint: false), Gradients(failing, checkpoint: true));
    }

    [Fact]
    public void TrainingStep_LeavesNoTensorBehind()
    {
        using var model = DecoderInit.CreateRandom(WithDropout(Spec("llama")), 7, Device.Cpu);
        model.Training = true;
        Gradients(model, checkpoint: true);
        var live = Tensor.LiveCount;

        for (var step = 0; step < 3; step++) Gradients(model, checkpoint: true);

        Assert.Equal(live, Tensor.LiveCount);
    }

    [Fact]
    public void KvCacheAndEvaluation_AreUnaffected()
    {
        using var model = DecoderInit.CreateRandom(Spec("llama"), 7, Device.Cpu); // no dropout: runs are comparable
        model.Training = true;
        var plain = CachedLogits(model);
        var plainEval = EvalLogits(model);

        model.GradientCheckpointing = true;

        Assert.Equal(plain, CachedLogits(model));
        Assert.Equal(plainEval, EvalLogits(model));
    }

    [Fact]
    public void ModelsWithoutSupport_RefuseToTurnItOn()
    {
        ICausalLanguageModel model = new NoCheckpointModel();
        model.GradientCheckpointing = false;
        Assert.False(model.GradientCheckpointing);
        var error = Assert.Throws<NotSupportedException>(() => model.GradientCheckpointing = true);
        Assert.Contains("gradient_checkpointing", error.Message);
    }

    /// <summary>Seeded forward + backward passes accumulating into cleared grads; every trainable tensor's gradient by name.</summary>
    private static Dictionary<string, float[]> Gradients(DecoderModel model, bool checkpoint, int microBatches = 1)
    {
        model.GradientCheckpointing = checkpoint;
        foreach (var (_, p) in model.TrainableParameters) p.ClearGrad();
        Runtime.ManualSeed(3);
        for (var m = 0; m < microBatches; m++)
        {
            using var scope = DisposeScope.Enter();
            using var ids = Tensor.FromArray(Ids, 2, Ids.Length / 2);
            var logits = model.Forward(ids);
            (logits * logits).Mean().Backward();
        }
        return model.TrainableParameters.ToDictionary(p => p.Name, p => { using var g = p.Parameter.Grad!; return g.ToArray<float>(); });
    }

    private static void AssertSame(Dictionary<string, float[]> expected, Dictionary<string, float[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, values) in expected)
            Assert.True(values.AsSpan().SequenceEqual(actual[name]), $"{name}: the checkpointed gradient differs");
        Assert.Contains(expected.Values, g => g.Any(v => v != 0));
    }

    /// <summary>Logits of a 5-token prompt and then 2 single-token steps through a KV cache, with grad mode on.</summary>
    private static float[] CachedLogits(DecoderModel model)
    {
        using var scope = DisposeScope.Enter();
        using var cache = model.CreateCache();
        var parts = new List<float>();
        foreach (var chunk in new[] { Ids[..5], Ids[5..6], Ids[6..7] })
        {
            using var ids = Tensor.FromArray(chunk, 1, chunk.Length);
            parts.AddRange(model.Forward(ids, cache).ToArray<float>());
        }
        Assert.Equal(7, cache.Length);
        return [.. parts];
    }

    private static float[] EvalLogits(DecoderModel model)
    {
        using var scope = DisposeScope.Enter();
        model.Training = false;
        using var ids = Tensor.FromArray(Ids, 1, Ids.Length);
        var logits = model.Forward(ids).ToArray<float>();
        model.Training = true;
        return logits;
    }

    private static DecoderSpec Spec(string family) => family == "gpt2"
        ? Gpt2Family.Spec(TinyGpt2.Config(tied: true))
        : ModelConfig.Parse(TinyDecoder.Config(family)).Spec;

    /// <summary>Dropout on the embeddings, the attention weights and both residual branches.</summary>
    private static DecoderSpec WithDropout(DecoderSpec spec) => spec with
    {
        EmbeddingDropout = 0.1, ResidualDropout = 0.1, Attention = spec.Attention with { Dropout = 0.1 },
    };

    private static Dictionary<string, Tensor> Copies(DecoderModel model)
    {
        using var noGrad = NoGradScope.Enter();
        return model.NamedParameters.ToDictionary(p => p.Name, p => { var c = p.Parameter.Detach().Clone(); c.RequiresGrad = true; return DisposeScope.Detach(c); });
    }

    private static DecoderModel WithLora(DecoderModel baseModel, LoraSettings settings, out LoraLinearFactory factory)
    {
        settings.Validate();
        factory = new LoraLinearFactory(settings, Device.Cpu, baseModel.Spec.Keys.LmHead);
        var model = new DecoderModel(baseModel.Spec, Copies(baseModel), Device.Cpu, factory);
        factory.Finish(model);
        using var noGrad = NoGradScope.Enter();
        Runtime.ManualSeed(1);
        foreach (var adapter in factory.Adapters) adapter.B.NormalInPlace(0, 0.5); // B = 0 would zero A's gradient
        return model;
    }

    /// <summary>Plain linears that count their forward calls.</summary>
    private sealed class CountingFactory : ILinearFactory
    {
        private int _calls;

        public int TakeCalls() => Interlocked.Exchange(ref _calls, 0);

        public ILinear Create(LinearSite site) => new Counting(DenseLinearFactory.Instance.Create(site), this);

        private sealed class Counting(ILinear inner, CountingFactory owner) : ILinear
        {
            public string Path => inner.Path;
            public long InFeatures => inner.InFeatures;
            public long OutFeatures => inner.OutFeatures;

            public Tensor Forward(Tensor x)
            {
                Interlocked.Increment(ref owner._calls);
                return inner.Forward(x);
            }
        }
    }

    /// <summary>Plain linears, except one path whose projection throws on a chosen call.</summary>
    private sealed class FailingFactory(string failingPath) : ILinearFactory
    {
        private int _calls, _failOnCall;

        /// <summary>Which call of the failing projection throws, counted from now; 0 = none.</summary>
        public int FailOnCall { get => _failOnCall; set { _failOnCall = value; _calls = 0; } }

        public ILinear Create(LinearSite site)
        {
            var plain = DenseLinearFactory.Instance.Create(site);
            return site.Path == failingPath ? new Failing(plain, this) : plain;
        }

        private sealed class Failing(ILinear inner, FailingFactory owner) : ILinear
        {
            public string Path => inner.Path;
            public long InFeatures => inner.InFeatures;
            public long OutFeatures => inner.OutFeatures;

            public Tensor Forward(Tensor x)
            {
                if (++owner._calls == owner._failOnCall) throw new InvalidOperationException("recompute failed on purpose");
                return inner.Forward(x);
            }
        }
    }

    /// <summary>A model implementing only the required members, as test doubles elsewhere do.</summary>
    private sealed class NoCheckpointModel : ICausalLanguageModel
    {
        public string ModelType => "none";
        public int ContextLength => 8;
        public int VocabSize => 4;
        public Device Device => Device.Cpu;
        public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters => [];
        public bool Training { get; set; }
        public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null) => throw new NotImplementedException();
        public void Dispose() { }
    }
}
