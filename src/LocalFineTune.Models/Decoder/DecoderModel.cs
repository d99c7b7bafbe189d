using LocalFineTune.Torch;

namespace LocalFineTune.Models.Decoder;

/// <summary>
/// The one decoder-only transformer every family runs on: embeddings (+ learned positions for GPT-2), blocks of
/// norm/attention/MLP wired sequentially or in parallel, a final norm and the LM head. Parameters carry their HF
/// checkpoint names, so loading and saving are checked name-by-name copies. The model owns its parameters
/// (outside every DisposeScope) and frees them in Dispose; call <see cref="Forward"/> inside a DisposeScope.
/// </summary>
public class DecoderModel : ICausalLanguageModel
{
    private readonly Dictionary<string, Tensor> _parameters;
    private readonly List<string> _modulePaths = [];
    private readonly Dictionary<string, ILinear> _linears = [];
    private readonly ILinearFactory _linearFactory;
    private readonly Tensor _embedding;
    private readonly Tensor? _positions;
    private readonly DecoderBlock[] _blocks;
    private readonly Tensor[][] _blockTensors; // per block: its parameters and adapter tensors, for checkpointing
    private readonly Norm _finalNorm;
    private readonly ILinear _lmHead;
    private readonly RotaryEmbedding? _rope;
    private bool _disposed;
    private bool _training;

    /// <param name="parameters">Every tensor of <see cref="DecoderParameters.Shapes"/> by HF name, already on
    /// <paramref name="device"/>; the model takes ownership.</param>
    /// <param name="linearFactory">Builds every projection by module path (the LoRA seam); default plain linears.</param>
    public DecoderModel(DecoderSpec spec, IReadOnlyDictionary<string, Tensor> parameters, Device device, ILinearFactory? linearFactory = null)
    {
        Spec = spec;
        Device = device;
        _linearFactory = linearFactory ?? DenseLinearFactory.Instance;
        var expected = DecoderParameters.Shapes(spec);
        var missing = expected.Select(p => p.Name).Where(n => !parameters.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"{spec.ModelType} parameters missing: {string.Join(", ", missing)}.", nameof(parameters));
        _parameters = expected.ToDictionary(p => p.Name, p => DisposeScope.Detach(parameters[p.Name]));
        var keys = spec.Keys;
        _embedding = Module(keys.Embedding, _parameters[keys.Embedding + ".weight"]);
        _positions = keys.PositionEmbedding is { } wpe ? Module(wpe, _parameters[wpe + ".weight"]) : null;
        if (spec.Attention.Rope is { } rope) _rope = new RotaryEmbedding(rope, spec.ContextLength, device);
        _blocks = Enumerable.Range(0, spec.Layers).Select(BuildBlock).ToArray();
        _blockTensors = Enumerable.Range(0, spec.Layers).Select(BlockTensors).ToArray();
        _finalNorm = BuildNorm(keys.FinalNorm, spec.Norm);
        _lmHead = spec.TieWordEmbeddings
            ? _linearFactory.Create(new LinearSite(keys.LmHead, _embedding, Optional(keys.LmHead + ".bias"), LinearLayout.OutIn))
            : Linear(keys.LmHead, LinearLayout.OutIn);
        if (spec.TieWordEmbeddings) Register(_lmHead);
    }

    public DecoderSpec Spec { get; }
    public string ModelType => Spec.ModelType;
    public int ContextLength => Spec.ContextLength;
    public int VocabSize => Spec.VocabSize;
    public Device Device { get; }
    public bool Training
    {
        get => _training;
        set
        {
            _training = value;
            foreach (var adapted in _linears.Values.OfType<IAdaptedLinear>()) adapted.Training = value;
        }
    }

    /// <summary>
    /// Recompute each block's activations during backward instead of keeping them (see
    /// <see cref="ActivationCheckpoint"/>): activation memory falls from every block's intermediates to one
    /// [batch, seq, hidden] tensor per block, for about one more forward per step. Gradients are unchanged, bit for
    /// bit. Applies only while <see cref="Training"/>, with grad mode on and without a KV cache; leave
    /// <see cref="Training"/> alone between a forward and its backward.
    /// </summary>
    public bool GradientCheckpointing { get; set; }

    /// <summary>Parameter dtype (all parameters share it).</summary>
    public ScalarType DType => _embedding.DType;

    /// <summary>HF names in checkpoint order; a tied LM head is not listed (it is the embedding).</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters => _parameters.Select(p => (p.Key, p.Value)).ToList();

    /// <summary>What the optimizer updates: every parameter for full fine-tuning; with adapters (LoRA), the base
    /// parameters still requiring grad (none once frozen) followed by every adapter's tensors.</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> TrainableParameters
    {
        get
        {
            var adapted = _linears.Values.OfType<IAdaptedLinear>().ToList();
            if (adapted.Count == 0) return NamedParameters;
            return [.. _parameters.Where(p => p.Value.RequiresGrad).Select(p => (p.Key, p.Value)), .. adapted.SelectMany(l => l.AdapterParameters)];
        }
    }

    /// <summary>Every module's HF path ("model.layers.0.self_attn.q_proj", "model.norm", …) in build order.</summary>
    public IReadOnlyList<string> ModulePaths => _modulePaths;

    /// <summary>Every projection by module path, as <see cref="ILinearFactory"/> built it.</summary>
    public IReadOnlyDictionary<string, ILinear> Linears => _linears;

    /// <summary>Logits [batch, seq, vocab] for ids [batch, seq]; with a cache only the new positions are fed.</summary>
    public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputIds.Dim != 2) throw new ArgumentException($"input ids must be [batch, seq], got [{string.Join(", ", inputIds.Shape)}].", nameof(inputIds));
        long seq = inputIds.Size(1), past = cache?.Length ?? 0;
        if (past + seq > ContextLength)
            throw new ArgumentException($"{past + seq} positions exceed the model's context length {ContextLength}; " +
                "truncate the input or use a model with a longer context.", nameof(inputIds));
        if (cache is not null && cache.LayerCount != Spec.Layers)
            throw new ArgumentException($"the KV cache has {cache.LayerCount} layers, the model {Spec.Layers}; create it with CreateCache().", nameof(cache));
        var ids = inputIds.Device == Device ? inputIds : inputIds.To(Device);            // [B, T] int64
        var x = Functional.Embedding(_embedding, ids);                                  // [B, T, C]
        if (_positions is not null)
            x = x + Functional.Embedding(_positions, Tensor.Arange(past, past + seq, 1, ScalarType.Int64, Device));
        x = Functional.Dropout(x, Spec.EmbeddingDropout, Training);
        var checkpoint = Training && GradientCheckpointing && cache is null && NoGradScope.IsGradEnabled;
        for (var i = 0; i < _blocks.Length; i++)                                        // [B, T, C]
            x = checkpoint ? CheckpointedBlock(i, x) : ScopedBlock(i, x, cache);
        return _lmHead.Forward(_finalNorm.Forward(x));                                  // [B, T, V]
    }

    public KeyValueCache CreateCache() => new(Spec.Layers);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _rope?.Dispose();
        foreach (var t in _parameters.Values) t.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Block i in its own disposal scope, so only its output reaches the caller's scope: the handles of its
    /// intermediates are released at once, and autograd keeps exactly the tensors it saved for backward (as PyTorch
    /// frees a temporary when nothing refers to it). Without this every temporary of the forward lived until the
    /// step's scope closed: 3.2× PyTorch's activation memory per layer at phi-2's width (bench/README.md, LoRA step).
    /// </summary>
    private Tensor ScopedBlock(int i, Tensor x, KeyValueCache? cache)
    {
        using var scope = DisposeScope.Enter();
        return scope.MoveToOuter(_blocks[i].Forward(x, cache, Training))!;
    }

    /// <summary>Block i, its intermediates dropped now and recomputed in backward (training mode, as now).</summary>
    private Tensor CheckpointedBlock(int i, Tensor x)
    {
        var block = _blocks[i];
        var trainable = _blockTensors[i].Where(t => t.RequiresGrad).ToList();
        return ActivationCheckpoint.Run(input => block.Forward(input, null, training: true), x, trainable);
    }

    /// <summary>Every tensor block i reads that may require grad: its parameters and its adapters' tensors.</summary>
    private Tensor[] BlockTensors(int i)
    {
        var prefix = Spec.Keys.Layer(i) + ".";
        var own = _parameters.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p.Value);
        var adapters = _linears.Values.OfType<IAdaptedLinear>().Where(l => l.Path.StartsWith(prefix, StringComparison.Ordinal))
            .SelectMany(l => l.AdapterParameters.Select(a => a.Parameter));
        return [.. own, .. adapters];
    }

    private DecoderBlock BuildBlock(int i)
    {
        var keys = Spec.Keys;
        var layer = keys.Layer(i) + ".";
        var inputNorm = BuildNorm(layer + keys.InputNorm, Spec.Norm);
        var attention = BuildAttention(i, layer + keys.Attention + ".");
        var postNorm = keys.PostAttentionNorm is { } post ? BuildNorm(layer + post, Spec.Norm) : null;
        return new DecoderBlock(Spec.Residual, inputNorm, attention, postNorm, BuildMlp(layer + keys.Mlp + "."));
    }

    private Attention BuildAttention(int i, string prefix)
    {
        var a = Spec.Attention;
        var k = Spec.Keys;
        var layout = Spec.LinearLayout;
        var qkv = a.FusedQkv
            ? new QkvProjection(Linear(prefix + k.FusedQkv, layout),
                [a.Heads * a.HeadDim, a.KeyValueHeads * a.HeadDim, a.KeyValueHeads * a.HeadDim])
            : new QkvProjection(Linear(prefix + k.Query, layout), Linear(prefix + k.Key, layout), Linear(prefix + k.Value, layout));
        var output = Linear(prefix + k.Output, layout);
        var qNorm = a.QkNorm is { } n ? BuildNorm(prefix + k.QueryNorm, n) : null;
        var kNorm = a.QkNorm is { } m ? BuildNorm(prefix + k.KeyNorm, m) : null;
        return new Attention(i, a, qkv, output, qNorm, kNorm, _rope, Spec.SlidingWindows[i], Spec.ResidualDropout);
    }

    private Mlp BuildMlp(string prefix)
    {
        var m = Spec.Mlp;
        var k = Spec.Keys;
        var layout = Spec.LinearLayout;
        ILinear? gate = m.Kind == MlpKind.Gated && !m.FusedGateUp ? Linear(prefix + k.Gate, layout) : null;
        var up = Linear(prefix + (m.Kind == MlpKind.Gated && m.FusedGateUp ? k.FusedGateUp : k.Up), layout);
        return new Mlp(m, gate, up, Linear(prefix + k.Down, layout), Spec.ResidualDropout);
    }

    /// <summary>The single place a projection is created: the factory sees its path and checkpoint tensors.</summary>
    private ILinear Linear(string path, LinearLayout layout) =>
        Register(_linearFactory.Create(new LinearSite(path, _parameters[path + ".weight"], Optional(path + ".bias"), layout)));

    private ILinear Register(ILinear linear)
    {
        _linears[linear.Path] = linear;
        _modulePaths.Add(linear.Path);
        return linear;
    }

    private Norm BuildNorm(string path, NormSpec spec)
    {
        _modulePaths.Add(path);
        return new Norm(_parameters[path + ".weight"], Optional(path + ".bias"), spec);
    }

    private Tensor Module(string path, Tensor weight)
    {
        _modulePaths.Add(path);
        return weight;
    }

    private Tensor? Optional(string name) => _parameters.GetValueOrDefault(name);
}
