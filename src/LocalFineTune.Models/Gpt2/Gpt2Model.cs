using LocalFineTune.Models.Internal;
using LocalFineTune.Torch;

namespace LocalFineTune.Models.Gpt2;

/// <summary>
/// GPT-2 (GPT2LMHeadModel) on the binding. Parameter names are the checkpoint keys without the
/// "transformer." prefix (wte, wpe, h.N.…, ln_f, lm_head), so loading and saving are checked name-by-name
/// copies. The model owns its parameters (outside every DisposeScope) and frees them in Dispose.
/// Call <see cref="Forward"/> inside a DisposeScope: its intermediates are registered there.
/// </summary>
public sealed class Gpt2Model : ICausalLanguageModel
{
    private readonly Dictionary<string, Tensor> _parameters;
    private readonly Tensor _wte, _wpe, _lmHead;
    private readonly Gpt2Block[] _h;
    private readonly LayerNormModule _lnF;
    private bool _disposed;

    /// <param name="parameters">Every tensor of <see cref="ParameterShapes"/>, already on <paramref name="device"/>;
    /// the model takes ownership.</param>
    public Gpt2Model(Gpt2Config config, IReadOnlyDictionary<string, Tensor> parameters, Device device)
    {
        Config = config.Validate();
        Device = device;
        var missing = ParameterShapes(config).Select(p => p.Name).Where(n => !parameters.ContainsKey(n)).ToList();
        if (missing.Count > 0)
            throw new ArgumentException($"GPT-2 parameters missing: {string.Join(", ", missing)}.", nameof(parameters));
        _parameters = ParameterShapes(config).ToDictionary(p => p.Name, p => DisposeScope.Detach(parameters[p.Name]));
        _wte = _parameters["wte.weight"];
        _wpe = _parameters["wpe.weight"];
        _lmHead = config.TieWordEmbeddings ? _wte : _parameters["lm_head.weight"];
        _h = Enumerable.Range(0, config.NLayer).Select(BuildBlock).ToArray();
        _lnF = LayerNorm("ln_f");
    }

    public Gpt2Config Config { get; }
    public string ModelType => "gpt2";
    public int ContextLength => Config.NPositions;
    public int VocabSize => Config.VocabSize;
    public Device Device { get; }
    public bool Training { get; set; }

    /// <summary>Parameter dtype (all parameters share it).</summary>
    public ScalarType DType => _wte.DType;

    /// <summary>HF names as GPT2LMHeadModel's state dict has them; the tied LM head is not listed (it is wte).</summary>
    public IReadOnlyList<(string Name, Tensor Parameter)> NamedParameters =>
        _parameters.Select(p => (p.Key == "lm_head.weight" ? p.Key : "transformer." + p.Key, p.Value)).ToList();

    /// <summary>Names (without "transformer.") and shapes of every parameter, in GPT2LMHeadModel's order.</summary>
    public static IReadOnlyList<(string Name, long[] Shape)> ParameterShapes(Gpt2Config c)
    {
        long embd = c.NEmbd, inner = c.InnerSize;
        var list = new List<(string, long[])> { ("wte.weight", [c.VocabSize, embd]), ("wpe.weight", [c.NPositions, embd]) };
        for (var i = 0; i < c.NLayer; i++)
        {
            var p = $"h.{i}.";
            list.Add((p + "ln_1.weight", [embd]));
            list.Add((p + "ln_1.bias", [embd]));
            list.Add((p + "attn.c_attn.weight", [embd, 3 * embd]));
            list.Add((p + "attn.c_attn.bias", [3 * embd]));
            list.Add((p + "attn.c_proj.weight", [embd, embd]));
            list.Add((p + "attn.c_proj.bias", [embd]));
            list.Add((p + "ln_2.weight", [embd]));
            list.Add((p + "ln_2.bias", [embd]));
            list.Add((p + "mlp.c_fc.weight", [embd, inner]));
            list.Add((p + "mlp.c_fc.bias", [inner]));
            list.Add((p + "mlp.c_proj.weight", [inner, embd]));
            list.Add((p + "mlp.c_proj.bias", [embd]));
        }
        list.Add(("ln_f.weight", [embd]));
        list.Add(("ln_f.bias", [embd]));
        if (!c.TieWordEmbeddings) list.Add(("lm_head.weight", [c.VocabSize, embd]));
        return list;
    }

    /// <summary>
    /// A fresh model initialised as transformers' GPT2PreTrainedModel._init_weights does: weights
    /// N(0, initializer_range), c_proj weights N(0, initializer_range/sqrt(2·n_layer)), biases 0, LayerNorm 1/0.
    /// The same seed gives the same weights on every device (they are drawn on the CPU by our own generator).
    /// </summary>
    public static Gpt2Model CreateRandom(Gpt2Config config, ulong seed, Device device, ScalarType dtype = ScalarType.Float32)
    {
        config.Validate();
        var random = new SeededRandom(seed);
        var parameters = new Dictionary<string, Tensor>();
        try
        {
            foreach (var (name, shape) in ParameterShapes(config))
                parameters[name] = RandomParameter(name, shape, config, random, device, dtype);
            return new Gpt2Model(config, parameters, device);
        }
        catch
        {
            foreach (var t in parameters.Values) t.Dispose();
            throw;
        }
    }

    /// <summary>Logits [batch, seq, vocab] for ids [batch, seq]; with a cache only the new positions are fed.</summary>
    public Tensor Forward(Tensor inputIds, KeyValueCache? cache = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (inputIds.Dim != 2) throw new ArgumentException($"input ids must be [batch, seq], got [{string.Join(", ", inputIds.Shape)}].", nameof(inputIds));
        long seq = inputIds.Size(1), past = cache?.Length ?? 0;
        if (past + seq > Config.NPositions)
            throw new ArgumentException($"{past + seq} positions exceed the model's context length {Config.NPositions} (n_positions); " +
                "truncate the input or use a model with a longer context.", nameof(inputIds));
        if (cache is not null && cache.LayerCount != Config.NLayer)
            throw new ArgumentException($"the KV cache has {cache.LayerCount} layers, the model {Config.NLayer}; create it with CreateCache().", nameof(cache));
        var ids = inputIds.Device == Device ? inputIds : inputIds.To(Device);           // [B, T] int64
        var positions = Tensor.Arange(past, past + seq, 1, ScalarType.Int64, Device);    // [T]
        var x = Functional.Embedding(_wte, ids) + Functional.Embedding(_wpe, positions); // [B, T, C]
        x = Functional.Dropout(x, Config.EmbdPdrop, Training);
        foreach (var block in _h) x = block.Forward(x, cache, Training);               // [B, T, C]
        x = _lnF.Forward(x);                                                           // [B, T, C]
        return Functional.Linear(x, _lmHead);                                          // [B, T, V]
    }

    public KeyValueCache CreateCache() => new(Config.NLayer);

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var t in _parameters.Values) t.Dispose();
    }

    private Gpt2Block BuildBlock(int i)
    {
        var p = $"h.{i}.";
        var attn = new Gpt2Attention(Conv(p + "attn.c_attn"), Conv(p + "attn.c_proj"), Config, i);
        var mlp = new Gpt2Mlp(Conv(p + "mlp.c_fc"), Conv(p + "mlp.c_proj"), Config);
        return new Gpt2Block(LayerNorm(p + "ln_1"), attn, LayerNorm(p + "ln_2"), mlp);
    }

    private Conv1D Conv(string prefix) => new(_parameters[prefix + ".weight"], _parameters[prefix + ".bias"]);

    private LayerNormModule LayerNorm(string prefix) =>
        new(_parameters[prefix + ".weight"], _parameters[prefix + ".bias"], Config.LayerNormEpsilon);

    private static Tensor RandomParameter(string name, long[] shape, Gpt2Config config, SeededRandom random, Device device, ScalarType dtype)
    {
        var isLayerNorm = name.StartsWith("ln_f") || name.Contains(".ln_");
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        if (isLayerNorm && name.EndsWith(".weight")) Array.Fill(values, 1f);
        else if (name.EndsWith(".weight"))
        {
            // GPT-2 paper: residual projections scaled by 1/sqrt(N) with N = 2·n_layer residual additions.
            var std = config.InitializerRange / (name.EndsWith("c_proj.weight") ? Math.Sqrt(2.0 * config.NLayer) : 1.0);
            for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextNormal() * std);
        }
        using var scope = DisposeScope.Enter();
        var cpu = Tensor.FromArray(values, shape);
        var placed = cpu.To(dtype, device, copy: true);
        placed.RequiresGrad = true;
        return DisposeScope.Detach(placed);
    }
}
