using System.Diagnostics.CodeAnalysis;

namespace LocalFineTune.Torch;

/// <summary>
/// Frees every tensor created on this thread while the scope is open, except those moved out.
/// A training step runs inside one scope, so memory after step N equals memory after step 1.
/// Scopes nest per thread and must be disposed on the thread that opened them, innermost first;
/// so no <c>await</c> may sit inside one.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;

    private readonly HashSet<Tensor> _tensors = new(ReferenceEqualityComparer.Instance);
    private readonly DisposeScope? _outer;
    private readonly int _threadId = Environment.CurrentManagedThreadId;
    private bool _disposed;

    private DisposeScope()
    {
        _outer = t_current;
        t_current = this;
    }

    public static DisposeScope Enter() => new();

    /// <summary>The innermost open scope on this thread, if any.</summary>
    public static DisposeScope? Current => t_current;

    /// <summary>How many tensors this scope will free.</summary>
    public int Count => _tensors.Count;

    internal static void Register(Tensor tensor)
    {
        var scope = t_current;
        if (scope is null) return;
        scope._tensors.Add(tensor);
        tensor.Scope = scope;
    }

    internal void Forget(Tensor tensor) => _tensors.Remove(tensor);

    /// <summary>Hands the tensor to the enclosing scope (or to the caller, when there is none).</summary>
    [return: NotNullIfNotNull(nameof(tensor))]
    public Tensor? MoveToOuter(Tensor? tensor) => Move(tensor, _outer);

    /// <summary>Takes the tensor out of every scope: the caller now disposes it (parameters, caches).</summary>
    [return: NotNullIfNotNull(nameof(tensor))]
    public static Tensor? Detach(Tensor? tensor) => Move(tensor, null);

    /// <summary>Disposes everything in this scope now, except the tensors given, which stay in it.</summary>
    public void DisposeAllBut(params Tensor[] keep)
    {
        var kept = new HashSet<Tensor>(keep, ReferenceEqualityComparer.Instance);
        foreach (var tensor in _tensors.Where(t => !kept.Contains(t)).ToList()) tensor.Dispose();
    }

    public void Dispose()
    {
        if (_disposed) return;
        if (Environment.CurrentManagedThreadId != _threadId)
            throw new InvalidOperationException("A DisposeScope must be disposed on the thread that opened it (no await inside a scope).");
        if (!ReferenceEquals(t_current, this))
            throw new InvalidOperationException("DisposeScopes must be disposed innermost first.");
        _disposed = true;
        foreach (var tensor in _tensors.ToList()) tensor.Dispose();
        _tensors.Clear();
        t_current = _outer;
    }

    [return: NotNullIfNotNull(nameof(tensor))]
    private static Tensor? Move(Tensor? tensor, DisposeScope? target)
    {
        if (tensor is null) return tensor;
        tensor.Scope?._tensors.Remove(tensor);
        tensor.Scope = target;
        target?._tensors.Add(tensor);
        return tensor;
    }
}
