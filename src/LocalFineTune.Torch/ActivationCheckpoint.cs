using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using N = LocalFineTune.Torch.Native.NativeMethods;

namespace LocalFineTune.Torch;

/// <summary>
/// Activation (gradient) checkpointing, as PyTorch's reentrant <c>torch.utils.checkpoint</c>: the function runs
/// without keeping its intermediate tensors, and runs again during backward to rebuild them. Memory for activations
/// drops to the function's inputs; the price is one more forward of the function per backward. Gradients are those
/// of the plain run, bit for bit: the recompute restores the generator (same dropout masks) and autocast state of the
/// forward, and sees the same values.
/// </summary>
public static partial class ActivationCheckpoint
{
    /// <summary>
    /// Returns <paramref name="function"/>(<paramref name="input"/>) and records one graph node that recomputes it.
    /// <paramref name="parameters"/> are the tensors the function reads besides its input that may require grad (a
    /// block's weights, LoRA adapters): their gradients are accumulated during backward, and listing them makes the
    /// output require grad when the input does not (a frozen embedding under LoRA). The function must be pure apart
    /// from drawing random numbers (it runs twice) and must not touch a KV cache. Tensors it creates are freed when
    /// it returns, except the result. An exception inside it, in forward or in the recompute, surfaces as a
    /// <see cref="TorchException"/> whose InnerException is the original.
    /// </summary>
    public static Tensor Run(Func<Tensor, Tensor> function, Tensor input, IReadOnlyList<Tensor> parameters) =>
        Run(inputs => function(inputs[0]), [input], parameters);

    /// <inheritdoc cref="Run(Func{Tensor, Tensor}, Tensor, IReadOnlyList{Tensor})"/>
    public static unsafe Tensor Run(Func<IReadOnlyList<Tensor>, Tensor> function, IReadOnlyList<Tensor> inputs,
        IReadOnlyList<Tensor> parameters)
    {
        var inputHandles = inputs.Select(t => t.Handle.DangerousGetHandle()).ToArray();
        var parameterHandles = parameters.Select(t => t.Handle.DangerousGetHandle()).ToArray();
        // The native node owns this handle from here on and frees it through Release, also when the call fails.
        var state = GCHandle.ToIntPtr(GCHandle.Alloc(function));
        fixed (IntPtr* i = inputHandles)
        fixed (IntPtr* p = parameterHandles)
        {
            var result = Tensor.Wrap(N.lft_checkpoint(&Invoke, &Release, state, i, inputHandles.Length, p, parameterHandles.Length));
            GC.KeepAlive(inputs); // the raw handles above are only valid while their tensors live
            GC.KeepAlive(parameters);
            return result;
        }
    }

    /// <summary>Called by the shim in forward and in the recompute, on whatever thread runs backward.</summary>
    [UnmanagedCallersOnly]
    private static unsafe int Invoke(IntPtr state, IntPtr* inputs, int count, IntPtr* output, byte* error, int capacity)
    {
        try
        {
            // Own the input handles first, so the scope frees them whatever happens next.
            using var scope = DisposeScope.Enter();
            var arguments = new Tensor[count];
            for (var k = 0; k < count; k++) arguments[k] = Tensor.Wrap(inputs[k]);
            var function = (Func<IReadOnlyList<Tensor>, Tensor>)GCHandle.FromIntPtr(state).Target!;
            var result = function(arguments);
            *output = N.lft_tensor_alias_raw(result.Handle);
            if (*output == IntPtr.Zero) throw Check.Failure();
            return 0;
        }
        catch (Exception e) // nothing may escape into native frames
        {
            WriteUtf8(CallbackErrors.Register(e), error, capacity);
            return 1;
        }
    }

    [UnmanagedCallersOnly]
    private static void Release(IntPtr state) => GCHandle.FromIntPtr(state).Free();

    private static unsafe void WriteUtf8(string text, byte* buffer, int capacity)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var length = Math.Min(bytes.Length, capacity - 1);
        Marshal.Copy(bytes, 0, (IntPtr)buffer, length);
        buffer[length] = 0;
    }
}

/// <summary>
/// Exceptions thrown by .NET code that native code called back (a checkpointed function). They cannot cross the
/// native frames, so the callback parks each one under a number written into the native error message, and
/// <see cref="Check.Failure"/> attaches it again as the InnerException when that message comes back.
/// </summary>
internal static partial class CallbackErrors
{
    private static readonly ConcurrentDictionary<long, Exception> Pending = new();
    private static long s_next;

    public static string Register(Exception e)
    {
        var id = Interlocked.Increment(ref s_next);
        Pending[id] = e;
        return $"a checkpointed function threw {e.GetType().Name}: {e.Message} [managed exception {id}]";
    }

    public static Exception? Take(string message) =>
        Marker().Match(message) is { Success: true } m && Pending.TryRemove(long.Parse(m.Groups[1].Value), out var e) ? e : null;

    [GeneratedRegex(@"\[managed exception (\d+)\]")]
    private static partial Regex Marker();
}
