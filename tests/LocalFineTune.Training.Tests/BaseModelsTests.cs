using LocalFineTune.Training.Output;

namespace LocalFineTune.Training.Tests;

public class BaseModelsTests
{
    [Theory]
    [InlineData("models/base/gpt2", "gpt2")]
    [InlineData("models/base/tiny-gpt2/", "tiny-gpt2")]
    [InlineData("models/phi-finetuned-20240115_103045", "phi")]
    [InlineData("models/tiny-gpt2-finetuned-20261121_222546-2", "tiny-gpt2")]
    [InlineData("models/my-finetuned-model", "my-finetuned-model")]
    public void NameOf_NamesTheOriginalBase_WhenRetrainingAFineTunedFolder(string folder, string expected) =>
        Assert.Equal(expected, BaseModels.NameOf(folder));
}
