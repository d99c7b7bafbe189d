namespace LocalFineTune.Server.Problems;

/// <summary>Turns an <see cref="ApiProblemException"/> thrown anywhere in a handler into its ProblemDetails answer.</summary>
public static class ProblemFilter
{
    public static TBuilder WithApiProblems<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (ApiProblemException problem)
            {
                return problem.ToResult();
            }
        });
}
