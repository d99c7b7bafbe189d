using LocalFineTune.Datasets.Model;
using LocalFineTune.Models;
using LocalFineTune.Models.Decoder;
using LocalFineTune.Models.Lora;
using LocalFineTune.Torch;
using LocalFineTune.Training.Data;
using LocalFineTune.Training.Preference;

namespace LocalFineTune.Training.Tests.Preference;

/// <summary>The reference log-probs: LoRA's adapters-off policy is the frozen base, and precomputed values are the live ones.</summary>
public class ReferenceTests
{
    private const string LlamaJson = """{"model_type":"llama","hidden_size":32,"intermediate_size":48,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,"max_position_embeddings":64,"rms_norm_eps":1e-5,"rope_theta":10000.0,"tie_word_embeddings":false,"vocab_size":97,"bos_token_id":96,"eos_token_id":96}""";

    private static readonly TokenizedPair[] Pairs =
    [
        Pair(0, [96, 5, 17, 3], [88, 42, 96], [9, 96]),
        Pair(1, [96, 61, 2], [7, 96], [33, 12, 50, 96]),
        Pair(2, [96, 1, 1, 1, 4], [70, 96], [71, 96]),
    ];

    private static TokenizedPair Pair(int index, int[] prompt, int[] chosen, int[] rejected)
    {
        TokenizedSequence Row(int[] answer) => new([.. prompt, .. answer], [.. prompt.Select(_ => TokenizedSequence.IgnoreIndex), .. answer]);
        return new TokenizedPair(Row(chosen), Row(rejected), index, new SourceLocation("p.jsonl", Line: index + 1));
    }

    private static Dictionary<string, Tensor> Copy(ICausalLanguageModel model)
    {
        using var noGrad = NoGradScope.Enter();
        return model.NamedParameters.ToDictionary(p => p.Name, p => p.Parameter.Detach().Clone());
    }

    private static float[] LogProbs(IReferenceModel reference, IReadOnlyList<TokenizedPair> pairs)
    {
        using var scope = DisposeScope.Enter();
        var batch = PreferenceBatch.Collate(pairs, padTokenId: 0);
        var (ids, labels) = batch.Tensors(Device.Cpu);
        return reference.LogProbs(batch, ids, labels).ToArray<float>();
    }

    [Fact]
    public void AdaptersDisabled_EqualsAFrozenCopyOfTheBase_AndAdaptersAreOnAgainAfterwards()
    {
        var spec = ModelConfig.Parse(LlamaJson).Spec;
        using var random = DecoderInit.CreateRandom(spec, 3, Device.Cpu);
        var factory = new LoraLinearFactory(new LoraSettings { R = 4, Alpha = 8, Dropout = 0 }, Device.Cpu);
        using var policy = new DecoderModel(spec, Copy(random), Device.Cpu, factory);
        factory.Finish(policy);
        using (NoGradScope.Enter())
            foreach (var adapter in factory.Adapters) adapter.B.NormalInPlace(0, 0.5); // a trained adapter: it changes the logits
        using var frozen = new DecoderModel(spec, Copy(random), Device.Cpu);

        var adaptersOff = new DisabledAdapterReference(policy, DisabledAdapterReference.AdaptersOf(policy));
        using var frozenCopy = new FrozenModelReference(frozen, ownsModel: false, "copy");
        using var policyItself = new FrozenModelReference(policy, ownsModel: false, "policy");
        var before = LogProbs(policyItself, Pairs);

        Assert.Equal(factory.Adapters.Count, DisabledAdapterReference.AdaptersOf(policy).Count);
        Assert.Equal(LogProbs(frozenCopy, Pairs), LogProbs(adaptersOff, Pairs));
        Assert.NotEqual(before, LogProbs(frozenCopy, Pairs)); // the adapters matter, so the equality above means something
        Assert.Equal(before, LogProbs(policyItself, Pairs)); // and they are enabled again
        Assert.All(factory.Adapters, a => Assert.True(a.Enabled));
    }

    [Fact]
    public void Disabling_IsRefused_WhileTheAdapterIsMerged()
    {
        var spec = ModelConfig.Parse(LlamaJson).Spec;
        using var random = DecoderInit.CreateRandom(spec, 3, Device.Cpu);
        var factory = new LoraLinearFactory(new LoraSettings { R = 2, Dropout = 0 }, Device.Cpu);
        using var model = new DecoderModel(spec, Copy(random), Device.Cpu, factory);
        factory.Finish(model);
        var adapter = factory.Adapters[0];
        adapter.Merge();
        Assert.Throws<InvalidOperationException>(() => adapter.Enabled = false);
        adapter.Unmerge();
        adapter.Enabled = false;
        Assert.Throws<InvalidOperationException>(adapter.Merge);
    }

    [Fact]
    public void Precomputed_EqualsOnTheFly_WhateverTheBatching()
    {
        var spec = ModelConfig.Parse(LlamaJson).Spec;
        using var model = DecoderInit.CreateRandom(spec, 5, Device.Cpu);
        using var live = new FrozenModelReference(model, ownsModel: false, "live");
        using var table = PrecomputedReference.Compute(live, Pairs, batchSize: 2, padTokenId: 0, Device.Cpu, CancellationToken.None);
        var onTheFly = LogProbs(live, [Pairs[2], Pairs[0]]);
        var precomputed = LogProbs(table, [Pairs[2], Pairs[0]]);
        for (var i = 0; i < onTheFly.Length; i++) Assert.Equal(onTheFly[i], precomputed[i], 5);
    }
}
