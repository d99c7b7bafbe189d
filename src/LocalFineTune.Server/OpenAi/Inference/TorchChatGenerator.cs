using System.Collections.Concurrent;
using System.Threading.Channels;
using LocalFineTune.Models.Generation;
using LocalFineTune.Models.Loading;
using LocalFineTune.Server.Inference;
using LocalFineTune.Server.OpenAi.Common;
using LocalFineTune.Tokenizers;
using LocalFineTune.Torch;
using LocalFineTune.Datasets.Model;
using LocalFineTune.Training.Chat;
using LocalFineTune.Training.Data;

namespace LocalFineTune.Server.OpenAi.Inference;

/// <summary>
/// <see cref="IChatGenerator"/> on the Models layer's <see cref="TextGenerator"/> (KV cache, stop strings, seeded
/// sampling), on the CPU. Each run owns one thread (libtorch scopes and grad mode are per thread) that takes the model
/// from the shared <see cref="ModelCache"/> (loading it only when it is not cached), executes the queued generations,
/// and releases its lease when the run is disposed; the cache decides whether the weights stay for the next request.
/// </summary>
public sealed class TorchChatGenerator(ModelCache cache) : IChatGenerator
{
    public async Task<IGenerationRun> StartAsync(string modelPath, CancellationToken cancellation)
    {
        var run = new Run(cache, modelPath, cancellation);
        try
        {
            await run.Loaded.Task.WaitAsync(cancellation);
        }
        catch
        {
            run.Dispose(); // nobody will use the run: its thread ends and gives the model back
            throw;
        }
        return run;
    }

    private sealed class Run : IGenerationRun
    {
        private readonly BlockingCollection<Action<ServedModel>> _work = new();
        private ModelChatTemplate? _chatTemplate;
        public readonly TaskCompletionSource Loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Run(ModelCache cache, string modelPath, CancellationToken cancellation)
        {
            var thread = new Thread(() => Loop(cache, modelPath, cancellation)) { IsBackground = true, Name = "lft-v1-generation" };
            thread.Start();
        }

        private void Loop(ModelCache cache, string modelPath, CancellationToken cancellation)
        {
            ServedModel served;
            try
            {
                served = cache.Acquire(modelPath, cancellation);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or NotSupportedException
                                          or TorchException or CheckpointMismatchException)
            {
                Loaded.SetException(OpenAiException.BadRequest($"The model folder '{Path.GetFileName(modelPath)}' could not be loaded: {e.Message}", "model", "model_not_loadable"));
                return;
            }
            catch (Exception e)
            {
                Loaded.SetException(e);
                return;
            }
            using (served)
            {
                try
                {
                    _chatTemplate = ChatTemplateLocator.Find(modelPath, served.Tokenizer);
                }
                catch (InvalidDataException e)
                {
                    Loaded.SetException(OpenAiException.BadRequest(e.Message, "model", "chat_template_error"));
                    return;
                }
                ContextLength = served.ContextLength;
                Loaded.SetResult();
                foreach (var work in _work.GetConsumingEnumerable()) work(served);
            }
        }

        public int? ContextLength { get; private set; }

        /// <summary>Counted on the run's thread with the model's tokenizer; a disconnect returns at once and stops the count.</summary>
        public async Task<int?> CountTokensAsync(string text, CancellationToken cancellation)
        {
            var counted = new TaskCompletionSource<int?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _work.Add(served =>
            {
                try
                {
                    cancellation.ThrowIfCancellationRequested();
                    counted.SetResult(served.Tokenizer.CountTokens(text, cancellation));
                }
                catch (TokenizerInputTooLongException e)
                {
                    counted.SetException(OpenAiException.BadRequest($"The prompt is too long to tokenize: {e.Message}", null, "limit_exceeded"));
                }
                catch (Exception e)
                {
                    counted.SetException(e);
                }
            }, CancellationToken.None);
            return await counted.Task.WaitAsync(cancellation);
        }

        public async Task<TextResult> GenerateAsync(TextRequest request, Func<string, Task> onPiece, CancellationToken cancellation)
        {
            var pieces = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var done = new TaskCompletionSource<TextResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            _work.Add(served => Generate(served, request, pieces.Writer, done, cancellation), CancellationToken.None);
            // Both waits honour the token: a client that leaves while its prompt is still being tokenized (or while
            // the model is busy) gets its call back now, its lease is released, and the thread stops at its next check.
            await foreach (var piece in pieces.Reader.ReadAllAsync(cancellation)) await onPiece(piece);
            return await done.Task.WaitAsync(cancellation);
        }

        /// <summary>On the run's thread, after other requests on the same base (the cache serialises them per base).</summary>
        private static void Generate(ServedModel served, TextRequest request, ChannelWriter<string> pieces, TaskCompletionSource<TextResult> done, CancellationToken cancellation)
        {
            try
            {
                var options = new GenerationOptions
                {
                    MaxNewTokens = request.MaxTokens, Temperature = request.Temperature, TopP = request.TopP,
                    StopStrings = request.Stop, Seed = request.Seed,
                };
                var result = served.Run((model, tokenizer) =>
                    new TextGenerator(model, tokenizer).Generate(request.Prompt, options, piece => pieces.TryWrite(piece), cancellation), cancellation);
                var completion = result.Ids.Count;
                done.SetResult(new TextResult(result.Text, result.PromptTokens, completion, result.FinishReason));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
            finally
            {
                pieces.TryComplete();
            }
        }

        /// <summary>The model folder's own chat template with add_generation_prompt=true; the fallback format without one.</summary>
        public string RenderChatPrompt(IReadOnlyList<ChatMessage> messages) =>
            _chatTemplate?.RenderGenerationPrompt(messages) ?? ChatTemplateRenderer.RenderGenerationPrompt(messages);

        public void Dispose() => _work.CompleteAdding();
    }
}
